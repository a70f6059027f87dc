package tagotest

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two collections that exist only in this package's tests, to exercise the generic
// mechanism on its own: gadgets (every rule of a spec) and their nested parts.
var (
	_ = register(&spec{
		key: "gadget", noun: "Gadget", path: "/tagotest/gadget", kinds: []kind{kindAccount}, tagType: "gadget",
		order: "name,asc", listFields: []string{"id", "name"},
		required: []string{"name", "size"},
		fields: map[string]ftype{"name": fString, "size": fInt, "weight": fNumber, "active": fBool,
			"note": fNullString, "colors": fStrings, "meta": fObject, "secret": fString, "kind": fString},
		strict: true, fixed: []string{"kind"}, hidden: []string{"secret"}, readOnly: []string{"serial"},
		created: http.StatusCreated, updated: "Gadget Updated",
		defaults: func(c *call) obj { return obj{"active": true, "note": nil, "kind": "plain", "tags": []Tag{}} },
		validate: func(c *call, f obj, old *doc) (reply, bool) {
			if n, _ := f["size"].(float64); n < 0 {
				return bad("size", "must not be negative"), false
			}
			return reply{}, true
		},
		result: func(c *call, d *doc) any { return obj{"gadget": d.id} },
	})
	_ = register(&spec{
		key: "gadget_part", noun: "Part", path: "/tagotest/gadget/:parent/part", kinds: []kind{kindAccount},
		parent: "gadget", parentField: "gadget", order: "name,asc", required: []string{"name"},
		fields: map[string]ftype{"name": fString},
	})
)

func init() { tagTypes["gadget"] = "gadget" }

func newGadget(t *testing.T, srv *Server, body map[string]any) string {
	t.Helper()
	r := asAccount(t, srv, "POST", "/tagotest/gadget", body)
	require.Equal(t, http.StatusCreated, r.code, string(r.body))
	var out struct{ Gadget string }
	r.decode(t, &out)
	require.Regexp(t, hexID, out.Gadget)
	return out.Gadget
}

func TestCollectionCreateInfoEditDelete(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	id := newGadget(t, srv, map[string]any{"name": "Lamp", "size": 3, "secret": "s3", "serial": "ignored",
		"tags": []Tag{{"room", "hall"}}, "colors": []string{"red"}})

	var info map[string]any
	asAccount(t, srv, "GET", "/tagotest/gadget/"+id, nil).decode(t, &info)
	assert.Equal(t, map[string]any{
		"id": id, "name": "Lamp", "size": 3.0, "active": true, "note": nil, "kind": "plain",
		"tags": []any{map[string]any{"key": "room", "value": "hall"}}, "colors": []any{"red"},
		"created_at": "2025-03-10T12:00:00.000Z", "updated_at": "2025-03-10T12:00:00.000Z",
	}, info, "defaults, the body, no hidden or read-only field")

	clock.t = t0.Add(time.Hour)
	r := asAccount(t, srv, "PUT", "/tagotest/gadget/"+id, map[string]any{"note": "moved", "weight": 1.5, "kind": "plain"})
	assert.Equal(t, "Gadget Updated", r.str(t))
	asAccount(t, srv, "GET", "/tagotest/gadget/"+id, nil).decode(t, &info)
	assert.Equal(t, "moved", info["note"])
	assert.Equal(t, 1.5, info["weight"])
	assert.Equal(t, "Lamp", info["name"], "an edit is partial")
	assert.Equal(t, "2025-03-10T13:00:00.000Z", info["updated_at"])
	assert.Equal(t, "2025-03-10T12:00:00.000Z", info["created_at"])
	asAccount(t, srv, "PUT", "/tagotest/gadget/"+id, map[string]any{"note": nil})
	asAccount(t, srv, "GET", "/tagotest/gadget/"+id, nil).decode(t, &info)
	assert.Nil(t, info["note"], "null clears a nullable field")

	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", "/tagotest/gadget/"+id, nil).str(t))
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		r := asAccount(t, srv, m, "/tagotest/gadget/"+id, map[string]any{"name": "x"})
		assert.Equal(t, http.StatusNotFound, r.code, m)
		assert.JSONEq(t, `{"status":false,"message":"Gadget not found"}`, string(r.body), m)
	}
}

func TestCollectionRefusals(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	id := newGadget(t, srv, map[string]any{"name": "Lamp", "size": 3})
	tests := []struct {
		name, method, path string
		body               any
		field, msg         string
	}{
		{"missing", "POST", "", map[string]any{"name": "x"}, "size", "is required"},
		{"blank", "POST", "", map[string]any{"name": "  ", "size": 1}, "name", "is required"},
		{"null", "POST", "", map[string]any{"name": nil, "size": 1}, "name", "is required"},
		{"type", "POST", "", map[string]any{"name": "x", "size": "big"}, "size", "must be an integer"},
		{"not integer", "POST", "", map[string]any{"name": "x", "size": 1.5}, "size", "must be an integer"},
		{"bool", "POST", "", map[string]any{"name": "x", "size": 1, "active": "yes"}, "active", "must be a boolean"},
		{"strings", "POST", "", map[string]any{"name": "x", "size": 1, "colors": []any{"red", 2}}, "colors", "must be an array of strings"},
		{"object", "POST", "", map[string]any{"name": "x", "size": 1, "meta": []any{}}, "meta", "must be an object"},
		{"tags", "POST", "", map[string]any{"name": "x", "size": 1, "tags": "a"}, "tags", "must be an array of {key, value}"},
		{"tag key", "POST", "", map[string]any{"name": "x", "size": 1, "tags": []any{map[string]any{"value": "v"}}}, "tags[0].key", "is required"},
		{"unknown", "POST", "", map[string]any{"name": "x", "size": 1, "colour": "red"}, "colour", "is not allowed"},
		{"hook", "POST", "", map[string]any{"name": "x", "size": -1}, "size", "must not be negative"},
		{"edit empty", "PUT", "/" + id, map[string]any{"name": ""}, "name", "must not be empty"},
		{"edit null", "PUT", "/" + id, map[string]any{"size": nil}, "size", "must be an integer"},
		{"edit fixed", "PUT", "/" + id, map[string]any{"kind": "fancy"}, "kind", "cannot be changed"},
		{"edit type", "PUT", "/" + id, map[string]any{"weight": "heavy"}, "weight", "must be a number"},
		{"edit hook", "PUT", "/" + id, map[string]any{"size": -2}, "size", "must not be negative"},
	}
	for _, tt := range tests {
		r := asAccount(t, srv, tt.method, "/tagotest/gadget"+tt.path, tt.body)
		assert.Equal(t, http.StatusBadRequest, r.code, tt.name)
		assert.Equal(t, "Error on Body parameters", r.env.Message, tt.name)
		assert.Equal(t, map[string][]string{tt.field: {tt.msg}}, r.env.FieldErrors, tt.name)
	}
	r := asAccount(t, srv, "POST", "/tagotest/gadget", "[1]")
	assert.Equal(t, http.StatusBadRequest, r.code, "an array is not an object")
	r = asAccount(t, srv, "POST", "/tagotest/gadget", "{")
	assert.Equal(t, http.StatusBadRequest, r.code, "not JSON")

	r = asDevice(t, srv, dev.Token, "GET", "/tagotest/gadget", nil)
	assert.Equal(t, http.StatusUnauthorized, r.code, "wrong token kind")
	assert.Equal(t, "Authorization Denied", r.env.Message)
	r = send(t, srv, "GET", "/tagotest/gadget", "", "", nil)
	assert.Equal(t, http.StatusUnauthorized, r.code, "no token")

	other := srv.AddProfile("other")
	r = send(t, srv, "GET", "/tagotest/gadget/"+id, "Account-Token", other.Token, nil)
	assert.Equal(t, http.StatusNotFound, r.code, "another profile's resource does not exist for it")
	r = send(t, srv, "DELETE", "/tagotest/gadget/"+id, "Account-Token", other.Token, nil)
	assert.Equal(t, http.StatusNotFound, r.code)
	assert.Equal(t, []string{}, names(t, send(t, srv, "GET", "/tagotest/gadget", "Account-Token", other.Token, nil), "name"))
}

func TestCollectionList(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	var ids []string
	for i, g := range []map[string]any{
		{"name": "beta", "size": 2, "active": false, "tags": []Tag{{"room", "hall"}, {"floor", "1"}}, "colors": []string{"red", "blue"}},
		{"name": "Alpha", "size": 2, "tags": []Tag{{"room", "kitchen"}}},
		{"name": "gamma", "size": 10, "weight": 0.5},
		{"name": "delta", "size": 1, "tags": []Tag{{"Room", "Hall-2"}}},
	} {
		g["note"] = fmt.Sprint("n", i)
		ids = append(ids, newGadget(t, srv, g))
	}
	list := func(q string) []string { return names(t, asAccount(t, srv, "GET", "/tagotest/gadget"+q, nil), "name") }

	assert.Equal(t, []string{"Alpha", "beta", "delta", "gamma"}, list(""), "default order name,asc, case-insensitive")
	assert.Equal(t, []string{"gamma", "delta", "beta", "Alpha"}, list("?orderBy=name,desc"))
	assert.Equal(t, []string{"gamma", "delta", "beta", "Alpha"}, list("?orderBy[0]=name&orderBy[1]=desc"))
	assert.Equal(t, []string{"delta", "beta", "Alpha", "gamma"}, list("?orderBy=size,asc"), "equal keys keep creation order")
	assert.Equal(t, []string{"gamma", "Alpha", "beta", "delta"}, list("?orderBy=size,desc"), "newest first among equals when descending")
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "GET", "/tagotest/gadget?orderBy=name,up", nil).code)

	// Paging.
	assert.Equal(t, []string{"Alpha", "beta"}, list("?amount=2"))
	assert.Equal(t, []string{"delta", "gamma"}, list("?amount=2&page=2"))
	assert.Equal(t, []string{}, list("?amount=2&page=3"))
	assert.Equal(t, []string{"Alpha", "beta"}, list("?amount=2&page=0"), "page 0 is the first")
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "GET", "/tagotest/gadget?page=x", nil).code)

	// Fields: the spec's default, or those asked, in every spelling.
	var items []map[string]any
	asAccount(t, srv, "GET", "/tagotest/gadget?amount=1", nil).decode(t, &items)
	assert.Equal(t, []map[string]any{{"id": ids[1], "name": "Alpha"}}, items)
	for _, q := range []string{"fields=name,size", "fields[]=name&fields[]=size", "fields[0]=name&fields[1]=size", "fields=name&fields=size"} {
		items = nil
		asAccount(t, srv, "GET", "/tagotest/gadget?amount=1&"+q, nil).decode(t, &items)
		assert.Equal(t, []map[string]any{{"name": "Alpha", "size": 2.0}}, items, q)
	}
	items = nil
	asAccount(t, srv, "GET", "/tagotest/gadget?amount=1&fields=secret,name", nil).decode(t, &items)
	assert.Equal(t, []map[string]any{{"name": "Alpha"}}, items, "a hidden field cannot be asked for")

	// Filters.
	assert.Equal(t, []string{"Alpha"}, list("?filter[name]=alpha"), "case-insensitive")
	assert.Equal(t, []string{"beta", "delta"}, list("?filter[name]=*t*"), "wildcards")
	assert.Equal(t, []string{"Alpha", "delta", "gamma"}, list("?filter[name]=*a&filter[active]=true"), "every filter must match")
	assert.Equal(t, []string{"beta"}, list("?filter[active]=false"))
	assert.Equal(t, []string{"Alpha", "beta"}, list("?filter[size]=2"))
	assert.Equal(t, []string{"gamma"}, list("?filter[weight]=0.5"))
	assert.Equal(t, []string{"beta"}, list("?filter[colors]=blue"), "an array matches by any element")
	assert.Equal(t, []string{"Alpha", "beta", "delta"}, list("?filter[tags][0][key]=room"), "tag keys case-insensitively")
	assert.Equal(t, []string{"beta", "delta"}, list("?filter[tags][0][key]=room&filter[tags][0][value]=hall*"))
	assert.Equal(t, []string{"beta"}, list("?filter[tags][0][key]=room&filter[tags][1][key]=floor&filter[tags][1][value]=1"), "every tag entry must match")
	assert.Equal(t, []string{"beta"}, list("?filter%5Btags%5D%5B0%5D%5Bvalue%5D=hall"), "encoded brackets")
	assert.Equal(t, []string{"beta"}, list("?filter[tags][0][value]=hall&amount=1&page=1&orderBy=size,desc"), "filter before paging")
	assert.Equal(t, []string{}, list("?filter[name]=zeta"))
}

func TestCollectionTagKeys(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	newGadget(t, srv, map[string]any{"name": "a", "size": 1, "tags": []Tag{{"room", "x"}, {"floor", "1"}}})
	newGadget(t, srv, map[string]any{"name": "b", "size": 1, "tags": []Tag{{"room", "y"}, {"color", ""}}})
	srv.AddDevice(DeviceSpec{Name: "d", Tags: []Tag{{"site", "north"}}})
	other := srv.AddProfile("other")
	send(t, srv, "POST", "/tagotest/gadget", "Account-Token", other.Token, map[string]any{"name": "c", "size": 1, "tags": []Tag{{"theirs", "1"}}})

	var keys []string
	asAccount(t, srv, "GET", "/tags/keys/gadget", nil).decode(t, &keys)
	assert.Equal(t, []string{"color", "floor", "room"}, keys, "distinct, sorted, the caller's only")
	asAccount(t, srv, "GET", "/tags/keys/run_users", nil).decode(t, &keys)
	assert.Equal(t, []string{}, keys, "a known type with nothing tagged")
	r := asAccount(t, srv, "GET", "/tags/keys/planets", nil)
	assert.Equal(t, http.StatusBadRequest, r.code)
}

func TestCollectionNested(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	g1 := newGadget(t, srv, map[string]any{"name": "a", "size": 1})
	g2 := newGadget(t, srv, map[string]any{"name": "b", "size": 1})
	part := func(g, name string) string {
		var out struct{ ID string }
		asAccount(t, srv, "POST", "/tagotest/gadget/"+g+"/part", map[string]any{"name": name, "gadget": g2}).decode(t, &out)
		return out.ID
	}
	p1 := part(g1, "screw")
	part(g1, "bolt")
	p3 := part(g2, "nut")

	assert.Equal(t, []string{"bolt", "screw"}, names(t, asAccount(t, srv, "GET", "/tagotest/gadget/"+g1+"/part", nil), "name"))
	var info map[string]any
	asAccount(t, srv, "GET", "/tagotest/gadget/"+g1+"/part/"+p1, nil).decode(t, &info)
	assert.Equal(t, g1, info["gadget"], "the path names the parent, not the body")
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/tagotest/gadget/"+g1+"/part/"+p3, nil).code, "a part of another gadget")
	r := asAccount(t, srv, "GET", "/tagotest/gadget/"+p1+"/part", nil)
	assert.JSONEq(t, `{"status":false,"message":"Gadget not found"}`, string(r.body))
	asAccount(t, srv, "PUT", "/tagotest/gadget/"+g1+"/part/"+p1, map[string]any{"gadget": g2})
	asAccount(t, srv, "GET", "/tagotest/gadget/"+g1+"/part/"+p1, nil).decode(t, &info)
	assert.Equal(t, g1, info["gadget"], "an edit cannot move a part")

	asAccount(t, srv, "DELETE", "/tagotest/gadget/"+g1, nil)
	srv.mu.Lock()
	left := len(srv.table("gadget_part"))
	srv.mu.Unlock()
	assert.Equal(t, 1, left, "deleting a gadget deletes its parts")
}
