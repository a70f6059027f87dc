package tagotest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseQS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, param string
		want             []string
	}{
		{"scalar", "qty=10", "qty", []string{"10"}},
		{"indexed", "variables[0]=a&variables[1]=b", "variables", []string{"a", "b"}},
		{"indexed out of order", "variables[1]=b&variables[0]=a", "variables", []string{"a", "b"}},
		{"indexes sort as numbers", "v[10]=k&v[2]=c", "v", []string{"c", "k"}},
		{"appended", "variable[]=a&variable[]=b", "variable", []string{"a", "b"}},
		{"repeated", "fields=id&fields=name", "fields", []string{"id", "name"}},
		{"encoded brackets", "variables%5B0%5D=a&variables%5B1%5D=b", "variables", []string{"a", "b"}},
		{"encoded values", "filter=%2Atest%2A&x=a+b", "filter", []string{"*test*"}},
		{"plus is a space", "x=a+b", "x", []string{"a b"}},
		{"empty value kept", "name=", "name", []string{""}},
		{"absent", "a=1", "b", nil},
		{"malformed key taken literally", "a[b=1", "a[b", []string{"1"}},
		{"bad escape kept raw", "a=%zz", "a", []string{"%zz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseQS(tt.raw).strs(tt.param))
		})
	}

	q := parseQS("filter%5Bname%5D=%2Asensor%2A&filter[tags][0][key]=type&filter[tags][0][value]=sensor&filter[tags][1][key]=site&orderBy=name,asc")
	f := q.get("filter")
	assert.Equal(t, "*sensor*", f.str("name"))
	tags := f.objects("tags")
	if assert.Len(t, tags, 2) {
		assert.Equal(t, "type", tags[0].str("key"))
		assert.Equal(t, "sensor", tags[0].str("value"))
		assert.Equal(t, "site", tags[1].str("key"))
		assert.False(t, tags[1].has("value"))
	}
	assert.Equal(t, []string{"name", "tags"}, f.names())
	assert.Equal(t, "name,asc", q.str("orderBy"))
	assert.Equal(t, "", q.str("missing"))
	assert.Nil(t, q.get("filter", "nope", "deeper"))
}

func TestWildcard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "ABC", true},
		{"abc", "abcd", false},
		{"*", "", true},
		{"a*", "abc", true},
		{"*c", "abc", true},
		{"*b*", "abc", true},
		{"a*c", "abbbc", true},
		{"a*c", "ab", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{"*aa", "aa", true},
		{"aa*aa", "aaa", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, wildcard(tt.pattern, tt.s), "%q vs %q", tt.pattern, tt.s)
	}
}
