package tagotest

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// qnode is one level of a query string parsed the way the "qs" library (which the
// platform's server and its JavaScript SDK use) reads it: a key such as
// filter[tags][0][key] becomes the path filter → tags → 0 → key. A node holds the values
// given for it directly (repeated keys add values) and its children by name.
type qnode struct {
	vals []string
	kids map[string]*qnode
	next int // the index a[]=x appends at
}

// parseQS parses a raw query string. Keys and values are percent-decoded (so %5B and %5D
// are brackets) and "+" is a space. Malformed escapes keep the raw text.
func parseQS(raw string) *qnode {
	root := &qnode{}
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key := unescape(k)
		if key == "" {
			continue
		}
		root.insert(splitKey(key), unescape(v))
	}
	return root
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// splitKey splits a[b][0][] into ["a", "b", "0", ""]. A key whose brackets do not close
// is taken literally.
func splitKey(key string) []string {
	i := strings.IndexByte(key, '[')
	if i <= 0 {
		return []string{key}
	}
	segs := []string{key[:i]}
	rest := key[i:]
	for rest != "" {
		if rest[0] != '[' {
			return []string{key}
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return []string{key}
		}
		segs = append(segs, rest[1:j])
		rest = rest[j+1:]
	}
	return segs
}

func (n *qnode) insert(path []string, v string) {
	if len(path) == 1 {
		n.child(path[0]).vals = append(n.child(path[0]).vals, v)
		return
	}
	c := n.child(path[0])
	seg := path[1]
	if seg == "" { // a[]=x appends
		seg = strconv.Itoa(c.next)
		c.next++
	} else if i, err := strconv.Atoi(seg); err == nil && i >= c.next {
		c.next = i + 1
	}
	rest := append([]string{seg}, path[2:]...)
	c.insert(rest, v)
}

func (n *qnode) child(name string) *qnode {
	if n.kids == nil {
		n.kids = map[string]*qnode{}
	}
	c := n.kids[name]
	if c == nil {
		c = &qnode{}
		n.kids[name] = c
	}
	return c
}

// get returns the child at the given path, or nil.
func (n *qnode) get(path ...string) *qnode {
	for _, p := range path {
		if n == nil || n.kids == nil {
			return nil
		}
		n = n.kids[p]
	}
	return n
}

// has reports whether the parameter was given at all.
func (n *qnode) has(name string) bool { return n.get(name) != nil }

// str returns the first value given for name, or "".
func (n *qnode) str(name string) string {
	c := n.get(name)
	if c == nil {
		return ""
	}
	if len(c.vals) > 0 {
		return c.vals[0]
	}
	if l := c.list(); len(l) > 0 {
		return l[0]
	}
	return ""
}

// strs returns every value given for name, whatever the spelling: name=a&name=b,
// name[]=a&name[]=b or name[0]=a&name[1]=b (in index order).
func (n *qnode) strs(name string) []string {
	c := n.get(name)
	if c == nil {
		return nil
	}
	return c.list()
}

// list returns the node's own values followed by its indexed children's values.
func (n *qnode) list() []string {
	out := append([]string(nil), n.vals...)
	for _, k := range n.indexed() {
		out = append(out, n.kids[k].vals...)
	}
	return out
}

// indexed returns the names of the children whose names are array indexes, in order.
func (n *qnode) indexed() []string {
	var keys []string
	for k := range n.kids {
		if _, err := strconv.Atoi(k); err == nil {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, _ := strconv.Atoi(keys[i])
		b, _ := strconv.Atoi(keys[j])
		return a < b
	})
	return keys
}

// objects returns the indexed children of name as nodes: filter[tags][0][key]=k gives
// one node whose str("key") is "k".
func (n *qnode) objects(name string) []*qnode {
	c := n.get(name)
	if c == nil {
		return nil
	}
	var out []*qnode
	for _, k := range c.indexed() {
		out = append(out, c.kids[k])
	}
	return out
}

// names returns the children's names in sorted order.
func (n *qnode) names() []string {
	if n == nil {
		return nil
	}
	keys := make([]string, 0, len(n.kids))
	for k := range n.kids {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
