package tago

import (
	"strconv"
	"strings"
	"time"
)

// query builds a query string the way the platform's official SDKs encode it (the "qs"
// library's defaults): parameters in insertion order, arrays with indexed brackets
// (variables[0]=a&variables[1]=b), nested objects as bracket paths
// (filter[tags][0][key]=k), and every byte outside A–Z a–z 0–9 - _ . ~ percent-encoded,
// brackets included. It is the one query encoder every service uses. The zero value is
// an empty query ready to use.
type query struct {
	pairs []string // key, value, key, value, ...
}

// add appends key=value, even when value is empty.
func (q *query) add(key, value string) {
	q.pairs = append(q.pairs, key, value)
}

// addString appends key=value unless value is empty.
func (q *query) addString(key, value string) {
	if value != "" {
		q.add(key, value)
	}
}

// addInt appends key=n.
func (q *query) addInt(key string, n int) {
	q.add(key, strconv.Itoa(n))
}

// addFloat appends key=f in the shortest decimal form that reads back exactly.
func (q *query) addFloat(key string, f float64) {
	q.add(key, strconv.FormatFloat(f, 'f', -1, 64))
}

// addBool appends key=true or key=false.
func (q *query) addBool(key string, b bool) {
	q.add(key, strconv.FormatBool(b))
}

// addBoolPtr appends key=true or key=false unless b is nil.
func (q *query) addBoolPtr(key string, b *bool) {
	if b != nil {
		q.addBool(key, *b)
	}
}

// addTime appends key=t as an ISO-8601 UTC timestamp with milliseconds (as JavaScript's
// toISOString writes it), unless t is zero.
func (q *query) addTime(key string, t time.Time) {
	if !t.IsZero() {
		q.add(key, formatTime(t))
	}
}

// addList appends key[0]=v0&key[1]=v1...; nothing for an empty list.
func (q *query) addList(key string, values []string) {
	for i, v := range values {
		q.add(indexKey(key, i, ""), v)
	}
}

// addTags appends key[i][key]=k&key[i][value]=v for each tag; nothing for no tags.
func (q *query) addTags(key string, tags []Tag) {
	for i, t := range tags {
		q.add(indexKey(key, i, "key"), t.Key)
		q.add(indexKey(key, i, "value"), t.Value)
	}
}

// addOrder appends key=field,asc or key=field,desc unless field is empty.
func (q *query) addOrder(key, field string, descending bool) {
	if field == "" {
		return
	}
	dir := ",asc"
	if descending {
		dir = ",desc"
	}
	q.add(key, field+dir)
}

// indexKey returns key[i] or, with a field, key[i][field].
func indexKey(key string, i int, field string) string {
	k := key + "[" + strconv.Itoa(i) + "]"
	if field != "" {
		k += "[" + field + "]"
	}
	return k
}

// len reports how many parameters the query holds.
func (q *query) len() int { return len(q.pairs) / 2 }

// encode returns the query string without the leading '?', or "" when empty.
func (q *query) encode() string {
	if q == nil || len(q.pairs) == 0 {
		return ""
	}
	var b strings.Builder
	n := 0
	for _, p := range q.pairs {
		n += len(p) + 2
	}
	b.Grow(n + n/4)
	for i := 0; i < len(q.pairs); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		escapeTo(&b, q.pairs[i])
		b.WriteByte('=')
		escapeTo(&b, q.pairs[i+1])
	}
	return b.String()
}

// escapeTo writes s percent-encoded, keeping only RFC 3986 unreserved bytes as they are.
func escapeTo(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// formatTime writes t as the platform's ISO-8601 form: UTC with milliseconds, such as
// 2024-01-02T03:04:05.000Z.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
