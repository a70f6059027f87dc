package tagotest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// obj is a resource as the API prints it: a JSON object whose values are strings,
// numbers, booleans, nil, jsTime, []Tag or anything else encoding/json prints.
type obj = map[string]any

// Paging limits of the list endpoints.
const (
	defaultAmount = 20
	maxAmount     = 10000
)

// listOpts are the list parameters shared by every management list endpoint.
type listOpts struct {
	page, amount int
	fields       []string
	filter       *qnode
	order        string
	desc         bool
}

// listOptions reads page, amount, fields, filter and orderBy ("field,asc|desc", or the
// array form orderBy[0]=field&orderBy[1]=desc).
func (c *call) listOptions(defaultOrder string) (listOpts, reply, bool) {
	o := listOpts{page: 1, amount: defaultAmount, filter: c.q.get("filter")}
	var err reply
	var good bool
	if o.page, err, good = c.intParam("page", 1); !good {
		return o, err, false
	}
	if o.amount, err, good = c.intParam("amount", defaultAmount); !good {
		return o, err, false
	}
	o.amount = min(o.amount, maxAmount)
	for _, f := range c.q.strs("fields") {
		for _, p := range strings.Split(f, ",") {
			if p = strings.TrimSpace(p); p != "" {
				o.fields = append(o.fields, p)
			}
		}
	}
	order := c.q.strs("orderBy")
	if len(order) == 0 {
		order = []string{defaultOrder}
	}
	spec := strings.Join(order, ",")
	field, dir, _ := strings.Cut(spec, ",")
	o.order = strings.TrimSpace(field)
	switch strings.ToLower(strings.TrimSpace(dir)) {
	case "", "asc", "ascending":
	case "desc", "descending":
		o.desc = true
	default:
		return o, fail(http.StatusBadRequest, "orderBy direction must be asc or desc, got %q", dir), false
	}
	return o, reply{}, true
}

// intParam reads a positive integer query parameter; absent, zero or negative means def
// (so page 0, which the JS SDK's streaming starts at, is the first page).
func (c *call) intParam(name string, def int) (int, reply, bool) {
	v := c.q.str(name)
	if v == "" {
		return def, reply{}, true
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fail(http.StatusBadRequest, "%s must be an integer, got %q", name, v), false
	}
	if n < 1 {
		return def, reply{}, true
	}
	return n, reply{}, true
}

// applyList filters, sorts, pages and projects items, which must be in creation order.
// Equal keys keep creation order (newest first when descending).
func applyList(items []obj, o listOpts) []obj {
	kept := items[:0:0]
	for _, it := range items {
		if matchFilter(it, o.filter) {
			kept = append(kept, it)
		}
	}
	if o.order != "" {
		if o.desc {
			// Descending order lists equal keys newest first too.
			slices.Reverse(kept)
		}
		sort.SliceStable(kept, func(i, j int) bool {
			c := compareValues(kept[i][o.order], kept[j][o.order])
			if o.desc {
				return c > 0
			}
			return c < 0
		})
	}
	start := (o.page - 1) * o.amount
	if start >= len(kept) {
		return []obj{}
	}
	kept = kept[start:min(start+o.amount, len(kept))]
	out := make([]obj, len(kept))
	for i, it := range kept {
		out[i] = project(it, o.fields)
	}
	return out
}

// project keeps only the requested fields; no fields means the whole object.
func project(it obj, fields []string) obj {
	if len(fields) == 0 {
		return it
	}
	out := obj{}
	for _, f := range fields {
		if v, ok := it[f]; ok {
			out[f] = v
		}
	}
	return out
}

// matchFilter applies filter[...] to an item: every given field must match. Strings
// match case-insensitively and "*" in the filter stands for any run of characters;
// booleans and numbers compare by value; filter[tags][i][key|value] requires a tag
// matching each entry (an entry without a value matches any value).
func matchFilter(it obj, f *qnode) bool {
	if f == nil {
		return true
	}
	for _, name := range f.names() {
		if name == "tags" {
			tags, _ := it["tags"].([]Tag)
			for _, want := range f.objects("tags") {
				if !hasTag(tags, want.str("key"), want.str("value"), want.has("value")) {
					return false
				}
			}
			continue
		}
		wants := f.strs(name)
		if len(wants) == 0 {
			continue // a nested object we do not know how to compare
		}
		hit := false
		for _, w := range wants {
			hit = hit || matchValue(it[name], w)
		}
		if !hit {
			return false
		}
	}
	return true
}

func hasTag(tags []Tag, key, value string, withValue bool) bool {
	for _, t := range tags {
		if wildcard(key, t.Key) && (!withValue || wildcard(value, t.Value)) {
			return true
		}
	}
	return false
}

func matchValue(v any, want string) bool {
	switch x := v.(type) {
	case nil:
		return want == "" || want == "null"
	case string:
		return wildcard(want, x)
	case bool:
		b, err := strconv.ParseBool(want)
		return err == nil && b == x
	case int:
		n, err := strconv.Atoi(want)
		return err == nil && n == x
	case float64:
		n, err := strconv.ParseFloat(want, 64)
		return err == nil && n == x
	case jsTime:
		t, err := parseDate(want, time.Time(x), false)
		return err == nil && t.Equal(time.Time(x))
	case []string: // a list field (a connector's networks) matches when an element does
		for _, e := range x {
			if wildcard(want, e) {
				return true
			}
		}
		return false
	case []any:
		for _, e := range x {
			if matchValue(e, want) {
				return true
			}
		}
		return false
	default:
		return wildcard(want, fmt.Sprint(x))
	}
}

// wildcard reports whether s matches pattern, case-insensitively, where "*" matches any
// run of characters (also none).
func wildcard(pattern, s string) bool {
	p, t := strings.ToLower(pattern), strings.ToLower(s)
	if !strings.Contains(p, "*") {
		return p == t
	}
	parts := strings.Split(p, "*")
	if !strings.HasPrefix(t, parts[0]) {
		return false
	}
	t = t[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(t, mid)
		if i < 0 {
			return false
		}
		t = t[i+len(mid):]
	}
	return strings.HasSuffix(t, last)
}

// compareValues orders two field values: nil first, then by type-appropriate order;
// strings case-insensitively.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			if c := strings.Compare(strings.ToLower(x), strings.ToLower(y)); c != 0 {
				return c
			}
			return strings.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			default:
				return 1
			}
		}
	case int:
		if y, ok := b.(int); ok {
			return cmpOrdered(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmpOrdered(x, y)
		}
	case jsTime:
		if y, ok := b.(jsTime); ok {
			return time.Time(x).Compare(time.Time(y))
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func cmpOrdered[T int | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	default:
		return 0
	}
}
