package tagotest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newSites creates an entity with a schema and an index on (site, reading_time), and
// returns its ID.
func newSites(t *testing.T, srv *Server) string {
	t.Helper()
	r := asAccount(t, srv, "POST", "/entity", map[string]any{
		"name": "Readings",
		"schema": map[string]any{
			"site":         map[string]any{"type": "string", "required": true},
			"reading_time": map[string]any{"type": "timestamp", "required": true},
			"temperature":  map[string]any{"type": "float"},
			"level":        map[string]any{"type": "int"},
			"note":         map[string]any{"type": "text"},
			"extra":        map[string]any{"type": "json"},
		},
		"index": map[string]any{"site_time": map[string]any{"fields": []string{"site", "reading_time"}}},
		"tags":  []map[string]string{{"key": "kind", "value": "readings"}},
	})
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	var res struct {
		ID string `json:"id"`
	}
	r.decode(t, &res)
	require.Regexp(t, hexID, res.ID)
	return res.ID
}

func TestEntityCollection(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	id := newSites(t, srv)

	r := asAccount(t, srv, "GET", "/entity/"+id, nil)
	var info map[string]any
	r.decode(t, &info)
	assert.Equal(t, "Readings", info["name"])
	assert.Equal(t, srv.ProfileID(), info["profile"])
	assert.Regexp(t, hexID, info["database"])
	assert.Nil(t, info["payload_decoder"])
	assert.Equal(t, map[string]any{
		"id":           map[string]any{"type": "uuid", "required": true},
		"created_at":   map[string]any{"type": "timestamp", "required": false},
		"updated_at":   map[string]any{"type": "timestamp", "required": false},
		"site":         map[string]any{"type": "string", "required": true},
		"reading_time": map[string]any{"type": "timestamp", "required": true},
		"temperature":  map[string]any{"type": "float", "required": false},
		"level":        map[string]any{"type": "int", "required": false},
		"note":         map[string]any{"type": "text", "required": false},
		"extra":        map[string]any{"type": "json", "required": false},
	}, info["schema"])
	assert.Equal(t, map[string]any{
		"id_idx":            map[string]any{"fields": []any{"id"}},
		"id_created_at_idx": map[string]any{"fields": []any{"id", "created_at"}},
		"id_updated_at_idx": map[string]any{"fields": []any{"id", "updated_at"}},
		"site_time":         map[string]any{"fields": []any{"site", "reading_time"}},
	}, info["index"])
	assert.Equal(t, "2025-03-10T12:00:00.000Z", info["created_at"])

	r = asAccount(t, srv, "GET", "/entity", nil)
	var list []map[string]any
	r.decode(t, &list)
	assert.Equal(t, []map[string]any{{"id": id, "profile": srv.ProfileID(), "name": "Readings",
		"tags": []any{map[string]any{"key": "kind", "value": "readings"}}}}, list, "id, profile, name and tags by default")

	clock.t = t0.Add(time.Minute)
	r = asAccount(t, srv, "PUT", "/entity/"+id, map[string]any{"name": "Site readings", "payload_decoder": "eA=="})
	var msg map[string]string
	r.decode(t, &msg)
	assert.Equal(t, map[string]string{"message": "Entity Successfully Updated"}, msg)
	r = asAccount(t, srv, "PUT", "/entity/"+id, map[string]any{"schema": map[string]any{}})
	assert.Equal(t, map[string][]string{"schema": {"cannot be changed here: use PUT /entity/{id}/schema"}}, r.env.FieldErrors)
	r = asAccount(t, srv, "GET", "/entity/"+id+"?fields=name,payload_decoder,updated_at", nil)
	r.decode(t, &info)
	assert.Equal(t, "Site readings", info["name"])
	assert.Equal(t, "eA==", info["payload_decoder"])

	for _, tc := range []struct {
		body  map[string]any
		field string
		msg   string
	}{
		{map[string]any{"schema": map[string]any{}}, "name", "is required"},
		{map[string]any{"name": "E", "schema": map[string]any{"ok": map[string]any{"type": "boolean"}}}, "schema.ok.type",
			"must be one of string, text, int, float, json, timestamp"},
		{map[string]any{"name": "E", "schema": map[string]any{"id": map[string]any{"type": "string"}}}, "schema.id",
			"id is one of the entity's own fields, which cannot be defined or changed"},
		{map[string]any{"name": "E", "schema": map[string]any{"a": map[string]any{"type": "int", "unique": true}}}, "schema.a.unique", "is not allowed"},
		{map[string]any{"name": "E", "schema": map[string]any{"a": "int"}}, "schema.a", "must be an object {type, required}"},
		{map[string]any{"name": "E", "index": map[string]any{"i": map[string]any{"fields": []string{"nope"}}}}, "index.i.fields[0]", "is not a field of the entity"},
		{map[string]any{"name": "E", "index": map[string]any{"i": map[string]any{"fields": []string{}}}}, "index.i.fields", "an index covers 1 to 5 fields"},
		{map[string]any{"name": "E", "color": "red"}, "color", "is not allowed"},
	} {
		r := asAccount(t, srv, "POST", "/entity", tc.body)
		assert.Equal(t, http.StatusBadRequest, r.code, "%v", tc.body)
		assert.Equal(t, map[string][]string{tc.field: {tc.msg}}, r.env.FieldErrors, "%v", tc.body)
	}
	// The JS SDK's documented create example gives "action": "create" per field.
	r = asAccount(t, srv, "POST", "/entity", map[string]any{"name": "JS",
		"schema": map[string]any{"temperature": map[string]any{"action": "create", "type": "float", "required": true}}})
	assert.Equal(t, http.StatusOK, r.code, "%s", r.body)

	var tables struct {
		Resources struct {
			Entities []map[string]string `json:"entities"`
		} `json:"resources"`
	}
	asAccount(t, srv, "GET", "/sql/tables?filter=site", nil).decode(t, &tables)
	assert.Equal(t, []map[string]string{{"id": id, "name": "Site readings"}}, tables.Resources.Entities, "TagoSQL sees the entities")

	r = asAccount(t, srv, "DELETE", "/entity/"+id, nil)
	assert.Equal(t, "Entity Successfully Removed", r.str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/entity/"+id+"/data", nil).code)
	assert.Equal(t, "Entity not found", asAccount(t, srv, "GET", "/entity/"+id+"/data_amount", nil).env.Message)

	other := srv.AddProfile("Other")
	r = send(t, srv, "GET", "/entity", "Account-Token", other.Token, nil)
	assert.Equal(t, "[]", string(r.env.Result), "another profile's entities are not seen")
}

func TestEntityRecords(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	id := newSites(t, srv)
	data := "/entity/" + id + "/data"

	r := asAccount(t, srv, "POST", data, []map[string]any{
		{"site": "north", "reading_time": "2025-03-01T10:00:00Z", "temperature": 21.5, "level": 3, "extra": map[string]any{"a": 1}},
		{"site": "south", "reading_time": "2025-03-01T11:00:00.000Z", "note": "ok"},
	})
	assert.Equal(t, "2 Data Added", r.str(t))
	r = asAccount(t, srv, "POST", data, map[string]any{"site": "north", "reading_time": "2025-03-02T10:00:00Z", "temperature": -4})
	assert.Equal(t, "1 Data Added", r.str(t), "one object is one record")
	assert.Equal(t, "3", string(asAccount(t, srv, "GET", "/entity/"+id+"/data_amount", nil).env.Result))

	recs := srv.EntityRecords(id)
	require.Len(t, recs, 3)
	assert.Equal(t, map[string]any{"id": recs[0]["id"], "created_at": "2025-03-10T12:00:00.000Z", "updated_at": "2025-03-10T12:00:00.000Z",
		"site": "north", "reading_time": "2025-03-01T10:00:00.000Z", "temperature": 21.5, "level": 3.0, "note": nil,
		"extra": map[string]any{"a": 1.0}}, recs[0], "every schema field printed, null when absent")

	for _, tc := range []struct {
		body  any
		field string
		msg   string
	}{
		{map[string]any{"reading_time": "2025-03-01T10:00:00Z"}, "data[0].site", "is required"},
		{map[string]any{"site": nil, "reading_time": "2025-03-01T10:00:00Z"}, "data[0].site", "is required"},
		{map[string]any{"site": 3, "reading_time": "2025-03-01T10:00:00Z"}, "data[0].site", "must be a string"},
		{map[string]any{"site": "x", "reading_time": "yesterday"}, "data[0].reading_time", "must be an ISO-8601 date"},
		{map[string]any{"site": "x", "reading_time": "1 day"}, "data[0].reading_time", "must be an ISO-8601 date"},
		{map[string]any{"site": "x", "reading_time": "2025-03-01", "level": 1.5}, "data[0].level", "must be an integer"},
		{map[string]any{"site": "x", "reading_time": "2025-03-01", "level": 3e9}, "data[0].level", "must be within ±2147483647"},
		{map[string]any{"site": "x", "reading_time": "2025-03-01", "temperature": "warm"}, "data[0].temperature", "must be a number"},
		{map[string]any{"site": strings.Repeat("x", 256), "reading_time": "2025-03-01"}, "data[0].site", "must be at most 255 characters"},
		{map[string]any{"site": "x", "reading_time": "2025-03-01", "note": strings.Repeat("x", 30_001)}, "data[0].note", "must be at most 30000 characters"},
		{map[string]any{"site": "x", "reading_time": "2025-03-01", "color": "red"}, "data[0].color", "is not a field of the entity"},
		{[]any{map[string]any{"site": "x", "reading_time": "2025-03-01"}, 7}, "data[1]", "must be an object"},
		{map[string]any{"site": "x", "reading_time": "2025-03-01", "id": 5}, "data[0].id", "must be a non-empty string"},
		{map[string]any{"site": "x", "reading_time": "2025-03-01", "extra": strings.Repeat("x", 1<<20)}, "data[0]", "must be under 1048576 bytes of JSON"},
	} {
		r := asAccount(t, srv, "POST", data, tc.body)
		assert.Equal(t, http.StatusBadRequest, r.code)
		assert.Equal(t, map[string][]string{tc.field: {tc.msg}}, r.env.FieldErrors, "%.100v", tc.body)
	}
	many := make([]map[string]any, 101)
	for i := range many {
		many[i] = map[string]any{"site": "x", "reading_time": "2025-03-01"}
	}
	r = asAccount(t, srv, "POST", data, many)
	assert.Equal(t, "At most 100 records can be sent in one request, got 101", r.env.Message)
	r = asAccount(t, srv, "POST", data, []map[string]any{many[0], {"site": 1}})
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.Len(t, srv.EntityRecords(id), 3, "a refused send stores none of its records")

	// A record sent with an existing ID replaces it; with a new ID it is added under it.
	clock.t = t0.Add(time.Hour)
	first := recs[0]["id"].(string)
	r = asAccount(t, srv, "POST", data, []map[string]any{
		{"id": first, "site": "north", "reading_time": "2025-03-01T10:00:00Z", "temperature": 22},
		{"id": "my-own-id", "site": "east", "reading_time": "2025-03-03T00:00:00Z"},
	})
	assert.Equal(t, "2 Data Added", r.str(t))
	recs = srv.EntityRecords(id)
	require.Len(t, recs, 4)
	assert.Equal(t, 22.0, recs[0]["temperature"])
	assert.Nil(t, recs[0]["level"], "a replacement is the whole record")
	assert.Equal(t, "2025-03-10T12:00:00.000Z", recs[0]["created_at"])
	assert.Equal(t, "2025-03-10T13:00:00.000Z", recs[0]["updated_at"])
	assert.Equal(t, "my-own-id", recs[3]["id"])

	// Edits: the fields given replace the stored ones; unknown IDs are skipped.
	r = asAccount(t, srv, "PUT", data, []map[string]any{{"id": first, "level": 7, "note": "checked"}, {"id": "nope", "level": 1}})
	assert.Equal(t, "1 item(s) updated", r.str(t))
	recs = srv.EntityRecords(id)
	assert.Equal(t, 7.0, recs[0]["level"])
	assert.Equal(t, 22.0, recs[0]["temperature"], "fields not given stay")
	for _, tc := range []struct {
		body  any
		field string
		msg   string
	}{
		{map[string]any{"level": 1}, "data[0].id", "is required"},
		{map[string]any{"id": first, "site": nil}, "data[0].site", "is required"},
		{map[string]any{"id": first, "level": "high"}, "data[0].level", "must be a number"},
		{map[string]any{"id": first, "color": "red"}, "data[0].color", "is not a field of the entity"},
	} {
		r := asAccount(t, srv, "PUT", data, tc.body)
		assert.Equal(t, map[string][]string{tc.field: {tc.msg}}, r.env.FieldErrors, "%v", tc.body)
	}

	// Deletes by ID, at most 10 at a time; IDs it does not hold are not counted.
	r = asAccount(t, srv, "DELETE", data, map[string]any{"ids": []string{"my-own-id", "nope"}})
	assert.Equal(t, "1 item(s) deleted", r.str(t))
	r = asAccount(t, srv, "DELETE", data, map[string]any{"ids": make([]string, 11)})
	assert.Equal(t, map[string][]string{"ids": {"at most 10 records can be deleted in one request, got 11"}}, r.env.FieldErrors)
	r = asAccount(t, srv, "DELETE", data, map[string]any{"ids": []string{}})
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.Len(t, srv.EntityRecords(id), 3)

	r = asAccount(t, srv, "POST", "/entity/"+id+"/empty", nil)
	assert.Equal(t, "Data Successfully Removed", r.str(t))
	assert.Empty(t, srv.EntityRecords(id))
	var again []map[string]any
	asAccount(t, srv, "GET", data, nil).decode(t, &again)
	assert.Empty(t, again)
	r = asAccount(t, srv, "GET", "/entity/"+id, nil)
	var info map[string]any
	r.decode(t, &info)
	assert.Contains(t, info["schema"], "site", "emptying keeps the schema")
}

// ids returns the given field of each record of a data answer.
func fieldOf(t *testing.T, r resp, name string) []any {
	t.Helper()
	var recs []map[string]any
	r.decode(t, &recs)
	out := []any{}
	for _, rec := range recs {
		out = append(out, rec[name])
	}
	return out
}

func TestEntityQueries(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	id := newSites(t, srv)
	data := "/entity/" + id + "/data"
	var rows []map[string]any
	for i, site := range []string{"north", "south", "north", "north", "south", "north"} {
		rows = append(rows, map[string]any{"id": "r" + itoa(i), "site": site, "level": i,
			"reading_time": t0.Add(time.Duration(10-i) * time.Hour).Format(time.RFC3339)})
	}
	asAccount(t, srv, "POST", data, rows)

	// Without an index: the default, ordered by created_at (then as sent).
	assert.Equal(t, []any{"r0", "r1", "r2", "r3", "r4", "r5"}, fieldOf(t, asAccount(t, srv, "GET", data, nil), "id"))
	assert.Equal(t, []any{"r5", "r4", "r3", "r2", "r1", "r0"}, fieldOf(t, asAccount(t, srv, "GET", data+"?order_by=desc", nil), "id"))
	// Paging.
	assert.Equal(t, []any{"r2", "r3"}, fieldOf(t, asAccount(t, srv, "GET", data+"?page=2&amount=2", nil), "id"))
	assert.Equal(t, []any{}, fieldOf(t, asAccount(t, srv, "GET", data+"?page=4&amount=2", nil), "id"))
	// Through the index: equality on its first field, ordered by its last.
	q := data + "?index=site_time&filter%5Bsite%5D=north"
	assert.Equal(t, []any{"r5", "r3", "r2", "r0"}, fieldOf(t, asAccount(t, srv, "GET", q, nil), "id"))
	assert.Equal(t, []any{"r0", "r2", "r3", "r5"}, fieldOf(t, asAccount(t, srv, "GET", q+"&order_by=desc", nil), "id"))
	// A date range on the second field, bounds inclusive, either side open.
	rng := q + "&filter%5Breading_time%5D%5Bstart%5D=" + t0.Add(5*time.Hour).Format(time.RFC3339) +
		"&filter%5Breading_time%5D%5Bend%5D=" + t0.Add(8*time.Hour).Format(time.RFC3339)
	assert.Equal(t, []any{"r5", "r3", "r2"}, fieldOf(t, asAccount(t, srv, "GET", rng, nil), "id"))
	open := q + "&filter%5Breading_time%5D%5Bstart%5D=2025-03-10T20:00:00.000Z"
	assert.Equal(t, []any{"r2", "r0"}, fieldOf(t, asAccount(t, srv, "GET", open, nil), "id"))
	// Fields.
	var proj []map[string]any
	asAccount(t, srv, "GET", q+"&fields%5B0%5D=id&fields%5B1%5D=level&amount=1", nil).decode(t, &proj)
	assert.Equal(t, []map[string]any{{"id": "r5", "level": 5.0}}, proj)
	proj = nil
	asAccount(t, srv, "GET", q+"&fields=id,site&amount=1", nil).decode(t, &proj)
	assert.Equal(t, []map[string]any{{"id": "r5", "site": "north"}}, proj, "comma-separated fields too")
	// An index on a number field, by range.
	asAccount(t, srv, "PUT", "/entity/"+id+"/schema", map[string]any{"index": map[string]any{"by_level": map[string]any{"action": "create", "fields": []string{"level"}}}})
	assert.Equal(t, []any{"r2", "r3", "r4"}, fieldOf(t, asAccount(t, srv, "GET",
		data+"?index=by_level&filter%5Blevel%5D%5Bstart%5D=2&filter%5Blevel%5D%5Bend%5D=4", nil), "id"))
	assert.Equal(t, []any{"r3"}, fieldOf(t, asAccount(t, srv, "GET", data+"?index=by_level&filter%5Blevel%5D=3", nil), "id"))
	// The parameters the platform ignores are ignored.
	assert.Equal(t, []any{"r0", "r1", "r2", "r3", "r4", "r5"}, fieldOf(t, asAccount(t, srv, "GET", data+"?skip=3&startDate=2030-01-01", nil), "id"))

	for _, tc := range []struct{ query, msg string }{
		{"?filter%5Bsite%5D=north", "A filter needs an index: give ?index= with the index whose fields it filters on"},
		{"?index=nope", "Index nope does not exist in this entity"},
		{"?index=site_time&filter%5Blevel%5D=1", "Field level is not in index site_time (site, reading_time)"},
		{"?index=site_time&filter%5Breading_time%5D=2025-03-01", "A filter on index site_time must use its fields from the left (site, reading_time): site is missing"},
		{"?index=by_level&filter%5Blevel%5D=high", `filter[level]: "high" is not a valid int`},
		{"?index=site_time&filter%5Bsite%5D=n&filter%5Breading_time%5D%5Bstart%5D=soon", `filter[reading_time][start]: "soon" is not a valid timestamp`},
		{"?fields=id,color", "Field color is not a field of the entity"},
		{"?order_by=sideways", "order_by must be asc or desc"},
		{"?amount=10001", "amount must be at most 10000, got 10001"},
	} {
		r := asAccount(t, srv, "GET", data+tc.query, nil)
		assert.Equal(t, http.StatusBadRequest, r.code, tc.query)
		assert.Equal(t, tc.msg, r.env.Message, tc.query)
	}
}

func TestEntitySchemaEdits(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	id := newSites(t, srv)
	schema, data := "/entity/"+id+"/schema", "/entity/"+id+"/data"
	info := func() map[string]any {
		var m map[string]any
		asAccount(t, srv, "GET", "/entity/"+id, nil).decode(t, &m)
		return m
	}
	edit := func(body map[string]any) resp { return asAccount(t, srv, "PUT", schema, body) }

	r := edit(map[string]any{"schema": map[string]any{"unit": map[string]any{"action": "create", "type": "string", "required": true}},
		"index": map[string]any{"unit_idx": map[string]any{"action": "create", "fields": []string{"unit", "site"}}}})
	var msg map[string]string
	r.decode(t, &msg)
	assert.Equal(t, "Entity Successfully Updated", msg["message"])
	assert.Equal(t, map[string]any{"type": "string", "required": true}, info()["schema"].(map[string]any)["unit"])
	assert.Equal(t, map[string]any{"fields": []any{"unit", "site"}}, info()["index"].(map[string]any)["unit_idx"], "an index on a field created with it")

	asAccount(t, srv, "POST", data, map[string]any{"id": "a", "site": "n", "reading_time": "2025-03-01", "unit": "C", "level": 1})
	asAccount(t, srv, "POST", data, map[string]any{"id": "b", "site": "s", "reading_time": "2025-03-02", "unit": "F"})

	// Adding a required field, or requiring one some records lack, is refused while
	// records exist; optional first, filled in, then required works.
	r = edit(map[string]any{"schema": map[string]any{"owner": map[string]any{"action": "create", "type": "string", "required": true}}})
	assert.Equal(t, map[string][]string{"schema.owner.required": {"a required field cannot be added to an entity that holds records: add it optional, fill it in, then make it required"}}, r.env.FieldErrors)
	r = edit(map[string]any{"schema": map[string]any{"level": map[string]any{"action": "update", "required": true}}})
	assert.Equal(t, map[string][]string{"schema.level.required": {"records without a value exist (b first): fill them in first"}}, r.env.FieldErrors)
	asAccount(t, srv, "PUT", data, map[string]any{"id": "b", "level": 2})
	r = edit(map[string]any{"schema": map[string]any{"level": map[string]any{"action": "update", "required": true}}})
	assert.Equal(t, http.StatusOK, r.code, "%s", r.body)
	r = edit(map[string]any{"schema": map[string]any{"level": map[string]any{"action": "update", "type": "float"}}})
	assert.Equal(t, map[string][]string{"schema.level.type": {"a field's type cannot be changed"}}, r.env.FieldErrors)

	// A rename moves the values and the indexes with it.
	r = edit(map[string]any{"schema": map[string]any{"unit": map[string]any{"action": "rename", "new_name": "unit_name"}}})
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	assert.Equal(t, "C", srv.EntityRecords(id)[0]["unit_name"])
	assert.NotContains(t, srv.EntityRecords(id)[0], "unit")
	assert.Equal(t, map[string]any{"fields": []any{"unit_name", "site"}}, info()["index"].(map[string]any)["unit_idx"])

	// A delete removes the values and the indexes covering the field.
	r = edit(map[string]any{"schema": map[string]any{"unit_name": map[string]any{"action": "delete"}}})
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	assert.NotContains(t, srv.EntityRecords(id)[0], "unit_name")
	assert.NotContains(t, info()["index"], "unit_idx")

	// Indexes: delete one, refuse the platform's own.
	r = edit(map[string]any{"index": map[string]any{"site_time": map[string]any{"action": "delete"}}})
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	assert.NotContains(t, info()["index"], "site_time")

	before := info()
	for _, tc := range []struct {
		body  map[string]any
		field string
		msg   string
	}{
		{map[string]any{}, "schema", "nothing to change: give schema or index actions"},
		{map[string]any{"index": map[string]any{"id_idx": map[string]any{"action": "delete"}}}, "index.id_idx", "id_idx is one of the entity's own indexes, which cannot be deleted"},
		{map[string]any{"index": map[string]any{"nope": map[string]any{"action": "delete"}}}, "index.nope", "the index does not exist"},
		{map[string]any{"index": map[string]any{"id_idx": map[string]any{"action": "create", "fields": []string{"id"}}}}, "index.id_idx", "the index already exists"},
		{map[string]any{"index": map[string]any{"x": map[string]any{"action": "edit"}}}, "index.x.action", "must be create or delete"},
		{map[string]any{"schema": map[string]any{"created_at": map[string]any{"action": "delete"}}}, "schema.created_at", "created_at is one of the entity's own fields, which cannot be defined or changed"},
		{map[string]any{"schema": map[string]any{"nope": map[string]any{"action": "delete"}}}, "schema.nope", "the field does not exist"},
		{map[string]any{"schema": map[string]any{"site": map[string]any{"action": "create", "type": "string"}}}, "schema.site", "the field already exists"},
		{map[string]any{"schema": map[string]any{"site": map[string]any{"action": "rename", "new_name": "level"}}}, "schema.site.new_name", "a field level already exists"},
		{map[string]any{"schema": map[string]any{"site": map[string]any{"action": "rename", "new_name": "id"}}}, "schema.site.new_name", "id is one of the entity's own fields, which cannot be defined or changed"},
		{map[string]any{"schema": map[string]any{"site": map[string]any{"action": "update"}}}, "schema.site.required", "must be a boolean"},
		{map[string]any{"schema": map[string]any{"site": map[string]any{"action": "delete", "type": "int"}}}, "schema.site.type", "is not allowed"},
		{map[string]any{"schema": map[string]any{"site": map[string]any{"action": "move"}}}, "schema.site.action", "must be create, rename, update or delete"},
		// All or none: the first change is valid, the second is not.
		{map[string]any{"schema": map[string]any{"aa": map[string]any{"action": "create", "type": "int"}, "zz": map[string]any{"action": "delete"}}},
			"schema.zz", "the field does not exist"},
	} {
		r := edit(tc.body)
		assert.Equal(t, http.StatusBadRequest, r.code, "%v", tc.body)
		assert.Equal(t, map[string][]string{tc.field: {tc.msg}}, r.env.FieldErrors, "%v", tc.body)
	}
	assert.Equal(t, before, info(), "refused edits change nothing")
}
