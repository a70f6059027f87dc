package tagotest

import (
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Entities are a collection (list, info, create, edit, delete); their schema, indexes
// and records are their own state (doc.ext, an *entity), served by the routes below.
// The rules are the platform's as its documentation and its own tools (the MCP server)
// state them:
//
//   - every entity has the fields id (uuid, required), created_at and updated_at
//     (timestamps) and the indexes id_idx, id_created_at_idx and id_updated_at_idx,
//     none of which can be changed; a user field is string, text, int, float, json or
//     timestamp (the platform refuses uuid and boolean there);
//   - a record is checked against the schema when sent or edited: an unknown field,
//     a missing required one, a value of the wrong type or out of range is a 400 with
//     field_errors; a record with an existing id replaces it;
//   - reads go through an index: a filter needs ?index= and names a left-to-right
//     prefix of its fields, each an equality (filter[f]=v) or a range
//     (filter[f][start]=a&filter[f][end]=b, inclusive, either side optional); records
//     come ordered by the index's last field (order_by=asc|desc), the default index
//     being id_created_at_idx; page and amount page them (at most 10,000);
//   - at most 100 records a send or edit, each under 1 MiB of JSON, at most 10 IDs a
//     delete, at most 100,000 records an entity (the largest plan's limit);
//   - deleting a field deletes its values, and the indexes covering it (as a database
//     drops the indexes of a dropped column); a field cannot be made required, nor a
//     required one added, while records lack it.

var entitySpec = register(&spec{
	key: "entity", noun: "Entity", path: "/entity", kinds: accountOnly,
	order: "name,asc", listFields: []string{"id", "profile", "name", "tags"}, required: []string{"name"},
	fields: map[string]ftype{"name": fString, "schema": fObject, "index": fObject, "payload_decoder": fNullString, "tags": fTags},
	strict: true, readOnly: []string{"profile", "database"},
	updatedResult: obj{"message": "Entity Successfully Updated"}, removed: "Entity Successfully Removed",
	defaults: func(c *call) obj {
		return obj{"profile": c.profile(), "database": c.s.newID(), "tags": []Tag{}, "payload_decoder": nil}
	},
	validate: func(c *call, f obj, old *doc) (reply, bool) {
		if old != nil {
			for _, k := range []string{"schema", "index"} {
				if _, given := f[k]; given {
					return bad(k, "cannot be changed here: use PUT /entity/{id}/schema"), false
				}
			}
			return reply{}, true
		}
		e := newEntity()
		if sch, _ := f["schema"].(map[string]any); sch != nil {
			for _, name := range sortedKeys(sch) {
				m, _ := sch[name].(map[string]any)
				if m == nil {
					return bad("schema."+name, "must be an object {type, required}"), false
				}
				if rep, good := e.checkNewField("schema."+name, name, m); !good {
					return rep, false
				}
			}
		}
		if idx, _ := f["index"].(map[string]any); idx != nil {
			for _, name := range sortedKeys(idx) {
				m, _ := idx[name].(map[string]any)
				if rep, good := e.checkNewIndex("index."+name, name, m); !good {
					return rep, false
				}
			}
		}
		c.stash = e
		return reply{}, true
	},
	inserted: func(c *call, d *doc) {
		d.ext = c.stash.(*entity)
		syncEntity(d)
	},
})

// Limits of the entity routes.
const (
	maxEntityRows       = 100       // records a send or an edit
	maxEntityRowBytes   = 1 << 20   // the JSON of one record
	maxEntityDeleteIDs  = 10        // IDs a delete
	maxEntityRecords    = 100_000   // records an entity holds
	maxEntityString     = 255       // characters of a string field
	maxEntityText       = 30_000    // characters of a text field
	maxEntityJSONBytes  = 100 << 10 // bytes of a json field
	maxEntityNumber     = math.MaxInt32
	defaultEntityIndex  = "id_created_at_idx"
	entityUpdatedAnswer = "Entity Successfully Updated"
)

// entity is an entity's schema, indexes and records.
type entity struct {
	fields  []*efield // in creation order, the platform's own first
	indexes []*eindex // in creation order, the platform's own first
	rows    []*erow   // in insertion order
	byID    map[string]*erow
}

type efield struct {
	name, typ string
	required  bool
	own       bool
}

type eindex struct {
	name   string
	fields []string
	own    bool
}

// erow is one record: its values by field (float64, string, bool, jsTime, any JSON for
// a json field; an absent field is nil).
type erow struct {
	id               string
	vals             map[string]any
	created, updated time.Time
	seq              int64
}

// entityFieldTypes are the types a user field may have.
var entityFieldTypes = []string{"string", "text", "int", "float", "json", "timestamp"}

func newEntity() *entity {
	return &entity{
		fields: []*efield{
			{name: "id", typ: "uuid", required: true, own: true},
			{name: "created_at", typ: "timestamp", own: true},
			{name: "updated_at", typ: "timestamp", own: true},
		},
		indexes: []*eindex{
			{name: "id_idx", fields: []string{"id"}, own: true},
			{name: "id_created_at_idx", fields: []string{"id", "created_at"}, own: true},
			{name: "id_updated_at_idx", fields: []string{"id", "updated_at"}, own: true},
		},
		byID: map[string]*erow{},
	}
}

func (e *entity) field(name string) *efield {
	for _, f := range e.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

func (e *entity) index(name string) *eindex {
	for _, ix := range e.indexes {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

// clone copies the schema and indexes (not the records), for a schema edit to work on.
func (e *entity) clone() *entity {
	out := &entity{rows: e.rows, byID: e.byID}
	for _, f := range e.fields {
		cp := *f
		out.fields = append(out.fields, &cp)
	}
	for _, ix := range e.indexes {
		cp := *ix
		cp.fields = slices.Clone(ix.fields)
		out.indexes = append(out.indexes, &cp)
	}
	return out
}

// checkNewField adds field name described by m ({type, required}, and "action":
// "create" in a schema edit, which a create takes too) to e, or refuses it under key at.
func (e *entity) checkNewField(at, name string, m map[string]any) (reply, bool) {
	for k := range m {
		if k != "type" && k != "required" && (k != "action" || m[k] != "create") {
			return bad(at+"."+k, "is not allowed"), false
		}
	}
	if rep, good := e.checkName(at, name); !good {
		return rep, false
	}
	if e.field(name) != nil {
		return bad(at, "the field already exists"), false
	}
	typ, _ := m["type"].(string)
	if !slices.Contains(entityFieldTypes, typ) {
		return bad(at+".type", "must be one of %s", strings.Join(entityFieldTypes, ", ")), false
	}
	req, isBool := m["required"].(bool)
	if _, given := m["required"]; given && !isBool {
		return bad(at+".required", "must be a boolean"), false
	}
	if req && len(e.rows) > 0 {
		return bad(at+".required", "a required field cannot be added to an entity that holds records: add it optional, fill it in, then make it required"), false
	}
	e.fields = append(e.fields, &efield{name: name, typ: typ, required: req})
	return reply{}, true
}

// checkName refuses an empty field name and the platform's own fields.
func (e *entity) checkName(at, name string) (reply, bool) {
	if strings.TrimSpace(name) == "" {
		return bad(at, "a field name must not be empty"), false
	}
	if f := e.field(name); f != nil && f.own {
		return bad(at, "%s is one of the entity's own fields, which cannot be defined or changed", name), false
	}
	return reply{}, true
}

// checkNewIndex adds index name described by m ({fields}) to e, or refuses it.
func (e *entity) checkNewIndex(at, name string, m map[string]any) (reply, bool) {
	if m == nil {
		return bad(at, "must be an object {fields}"), false
	}
	for k := range m {
		if k != "fields" && k != "action" {
			return bad(at+"."+k, "is not allowed"), false
		}
	}
	if strings.TrimSpace(name) == "" {
		return bad(at, "an index name must not be empty"), false
	}
	if e.index(name) != nil {
		return bad(at, "the index already exists"), false
	}
	raw, _ := m["fields"].([]any)
	if len(raw) == 0 || len(raw) > 5 {
		return bad(at+".fields", "an index covers 1 to 5 fields"), false
	}
	var fields []string
	for i, v := range raw {
		s, _ := v.(string)
		switch {
		case e.field(s) == nil:
			return bad(at+".fields["+itoa(i)+"]", "is not a field of the entity"), false
		case slices.Contains(fields, s):
			return bad(at+".fields["+itoa(i)+"]", "is given twice"), false
		}
		fields = append(fields, s)
	}
	e.indexes = append(e.indexes, &eindex{name: name, fields: fields})
	return reply{}, true
}

// syncEntity prints an entity's schema and indexes into its doc's fields.
func syncEntity(d *doc) {
	e := d.ext.(*entity)
	sch, idx := obj{}, obj{}
	for _, f := range e.fields {
		sch[f.name] = obj{"type": f.typ, "required": f.required}
	}
	for _, ix := range e.indexes {
		idx[ix.name] = obj{"fields": slices.Clone(ix.fields)}
	}
	d.fields["schema"], d.fields["index"] = sch, idx
}

// entityOf finds the caller's entity named by the path.
func (s *Server) entityOf(c *call, write bool) (*doc, *entity, reply, bool) {
	d, rep, good := entitySpec.lookup(c, c.arg(0), write)
	if !good {
		return nil, nil, rep, false
	}
	return d, d.ext.(*entity), reply{}, true
}

// editEntitySchema answers PUT /entity/{id}/schema: field changes (create, rename,
// update, delete), then index changes (create, delete), all or none.
func (s *Server) editEntitySchema(c *call) reply {
	d, cur, rep, good := s.entityOf(c, true)
	if !good {
		return rep
	}
	var body struct {
		Schema map[string]map[string]any `json:"schema"`
		Index  map[string]map[string]any `json:"index"`
	}
	if rep, good := c.decodeBody(&body); !good {
		return rep
	}
	if len(body.Schema) == 0 && len(body.Index) == 0 {
		return bad("schema", "nothing to change: give schema or index actions")
	}
	e := cur.clone()
	var ops []func(r *erow) // what the changes do to the records, in order
	for _, name := range slices.Sorted(maps.Keys(body.Schema)) {
		m, at := body.Schema[name], "schema."+name
		action, _ := m["action"].(string)
		if action == "create" {
			if rep, good := e.checkNewField(at, name, m); !good {
				return rep
			}
			continue
		}
		if rep, good := e.checkName(at, name); !good {
			return rep
		}
		f := e.field(name)
		if f == nil && action != "" {
			return bad(at, "the field does not exist")
		}
		allowed := map[string][]string{"rename": {"new_name"}, "update": {"required"}, "delete": nil}
		keys, known := allowed[action]
		if !known {
			return bad(at+".action", "must be create, rename, update or delete")
		}
		for k := range m {
			if k == "type" && action == "update" {
				return bad(at+".type", "a field's type cannot be changed")
			}
			if k != "action" && !slices.Contains(keys, k) {
				return bad(at+"."+k, "is not allowed")
			}
		}
		switch action {
		case "rename":
			to, _ := m["new_name"].(string)
			if rep, good := e.checkName(at+".new_name", to); !good {
				return rep
			}
			if e.field(to) != nil {
				return bad(at+".new_name", "a field %s already exists", to)
			}
			f.name = to
			for _, ix := range e.indexes {
				for i := range ix.fields {
					if ix.fields[i] == name {
						ix.fields[i] = to
					}
				}
			}
			ops = append(ops, func(r *erow) {
				if v, has := r.vals[name]; has {
					delete(r.vals, name)
					r.vals[to] = v
				}
			})
		case "update":
			req, isBool := m["required"].(bool)
			if !isBool {
				return bad(at+".required", "must be a boolean")
			}
			if req && !f.required {
				for _, r := range e.rows {
					if r.vals[name] == nil {
						return bad(at+".required", "records without a value exist (%s first): fill them in first", r.id)
					}
				}
			}
			f.required = req
		case "delete":
			e.fields = slices.DeleteFunc(e.fields, func(x *efield) bool { return x == f })
			e.indexes = slices.DeleteFunc(e.indexes, func(ix *eindex) bool { return slices.Contains(ix.fields, name) })
			ops = append(ops, func(r *erow) { delete(r.vals, name) })
		}
	}
	for _, name := range slices.Sorted(maps.Keys(body.Index)) {
		m, at := body.Index[name], "index."+name
		switch action, _ := m["action"].(string); action {
		case "create":
			if rep, good := e.checkNewIndex(at, name, m); !good {
				return rep
			}
		case "delete":
			ix := e.index(name)
			switch {
			case ix == nil:
				return bad(at, "the index does not exist")
			case ix.own:
				return bad(at, "%s is one of the entity's own indexes, which cannot be deleted", name)
			}
			e.indexes = slices.DeleteFunc(e.indexes, func(x *eindex) bool { return x == ix })
		default:
			return bad(at+".action", "must be create or delete")
		}
	}
	cur.fields, cur.indexes = e.fields, e.indexes
	for _, r := range cur.rows {
		for _, op := range ops {
			op(r)
		}
	}
	syncEntity(d)
	d.fields["updated_at"] = jsTime(s.now())
	s.auditLocked(c, entitySpec.key, d.id, "updated")
	return ok(obj{"message": entityUpdatedAnswer})
}

// entityRowsBody reads a send or edit body: one record object or an array of them,
// each under the size limit, at most maxEntityRows.
func (c *call) entityRowsBody() ([]map[string]any, reply, bool) {
	raw := json.RawMessage(c.body)
	var list []json.RawMessage
	trimmed := strings.TrimSpace(string(c.body))
	switch {
	case trimmed == "":
		return nil, bad("body", "a JSON body is required"), false
	case trimmed[0] == '[':
		if rep, good := c.decodeBody(&list); !good {
			return nil, rep, false
		}
	default:
		list = []json.RawMessage{raw}
	}
	if len(list) == 0 {
		return nil, bad("body", "must hold at least one record"), false
	}
	if len(list) > maxEntityRows {
		return nil, fail(http.StatusBadRequest, "At most %d records can be sent in one request, got %d", maxEntityRows, len(list)), false
	}
	rows := make([]map[string]any, len(list))
	for i, r := range list {
		if len(r) >= maxEntityRowBytes {
			return nil, bad("data["+itoa(i)+"]", "must be under %d bytes of JSON", maxEntityRowBytes), false
		}
		if err := json.Unmarshal(r, &rows[i]); err != nil || rows[i] == nil {
			return nil, bad("data["+itoa(i)+"]", "must be an object"), false
		}
	}
	return rows, reply{}, true
}

// checkValue checks a value for field f and returns it as stored, or why it does not
// fit.
func (f *efield) checkValue(v any) (any, string) {
	switch f.typ {
	case "string", "text", "uuid":
		s, isStr := v.(string)
		limit := maxEntityString
		if f.typ == "text" {
			limit = maxEntityText
		}
		switch {
		case !isStr:
			return nil, "must be a string"
		case utf8.RuneCountInString(s) > limit:
			return nil, "must be at most " + itoa(limit) + " characters"
		}
		return s, ""
	case "int", "float":
		n, isNum := v.(float64)
		switch {
		case !isNum:
			return nil, "must be a number"
		case f.typ == "int" && n != math.Trunc(n):
			return nil, "must be an integer"
		case math.Abs(n) > maxEntityNumber:
			return nil, "must be within ±2147483647"
		}
		return n, ""
	case "boolean":
		b, isBool := v.(bool)
		if !isBool {
			return nil, "must be a boolean"
		}
		return b, ""
	case "timestamp":
		s, isStr := v.(string)
		if !isStr {
			return nil, "must be an ISO-8601 date"
		}
		t, good := parseAbsolute(s)
		if !good {
			return nil, "must be an ISO-8601 date"
		}
		return jsTime(t), ""
	case "json":
		b, _ := json.Marshal(v)
		if len(b) >= maxEntityJSONBytes {
			return nil, "must be under " + itoa(maxEntityJSONBytes) + " bytes of JSON"
		}
		return v, ""
	}
	return v, ""
}

// parseAbsolute reads an ISO-8601 date (no relative form such as "1 day").
func parseAbsolute(s string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// checkRow checks record i's fields against the schema and returns them as stored.
// A send (edit false) needs every required field; an edit only refuses clearing one.
func (e *entity) checkRow(i int, m map[string]any, edit bool) (map[string]any, reply, bool) {
	at := "data[" + itoa(i) + "]"
	vals := map[string]any{}
	for _, k := range sortedKeys(m) {
		if k == "id" || k == "created_at" || k == "updated_at" {
			continue
		}
		f := e.field(k)
		if f == nil {
			return nil, bad(at+"."+k, "is not a field of the entity"), false
		}
		if m[k] == nil {
			if f.required {
				return nil, bad(at+"."+k, "is required"), false
			}
			vals[k] = nil
			continue
		}
		v, why := f.checkValue(m[k])
		if why != "" {
			return nil, bad(at+"."+k, "%s", why), false
		}
		vals[k] = v
	}
	if !edit {
		for _, f := range e.fields {
			if f.required && !f.own && vals[f.name] == nil {
				return nil, bad(at+"."+f.name, "is required"), false
			}
		}
	}
	return vals, reply{}, true
}

// postEntityData answers POST /entity/{id}/data: records checked all first, then
// stored; one whose id exists replaces that record.
func (s *Server) postEntityData(c *call) reply {
	_, e, rep, good := s.entityOf(c, true)
	if !good {
		return rep
	}
	rows, rep, good := c.entityRowsBody()
	if !good {
		return rep
	}
	checked := make([]map[string]any, len(rows))
	ids := make([]string, len(rows))
	added := 0
	for i, m := range rows {
		if checked[i], rep, good = e.checkRow(i, m, false); !good {
			return rep
		}
		if v, given := m["id"]; given && v != nil {
			id, isStr := v.(string)
			if !isStr || strings.TrimSpace(id) == "" || utf8.RuneCountInString(id) > maxEntityString {
				return bad("data["+itoa(i)+"].id", "must be a non-empty string")
			}
			ids[i] = id
		}
		if ids[i] == "" || e.byID[ids[i]] == nil {
			added++
		}
	}
	if len(e.rows)+added > maxEntityRecords {
		return fail(http.StatusBadRequest, "You have exceeded the maximum limit of %d records in this entity", maxEntityRecords)
	}
	now := s.now()
	for i, vals := range checked {
		if r := e.byID[ids[i]]; ids[i] != "" && r != nil {
			r.vals, r.updated = vals, now
			continue
		}
		id := ids[i]
		if id == "" {
			id = s.newID()
		}
		r := &erow{id: id, vals: vals, created: now, updated: now, seq: s.nextSeq()}
		e.rows = append(e.rows, r)
		e.byID[id] = r
	}
	return ok(itoa(len(rows)) + " Data Added")
}

// editEntityData answers PUT /entity/{id}/data: each record names its id; the fields
// given replace the stored ones. IDs the entity does not hold are skipped.
func (s *Server) editEntityData(c *call) reply {
	_, e, rep, good := s.entityOf(c, true)
	if !good {
		return rep
	}
	rows, rep, good := c.entityRowsBody()
	if !good {
		return rep
	}
	checked := make([]map[string]any, len(rows))
	for i, m := range rows {
		if id, _ := m["id"].(string); strings.TrimSpace(id) == "" {
			return bad("data["+itoa(i)+"].id", "is required")
		}
		if checked[i], rep, good = e.checkRow(i, m, true); !good {
			return rep
		}
	}
	n, now := 0, s.now()
	for i, vals := range checked {
		r := e.byID[rows[i]["id"].(string)]
		if r == nil {
			continue
		}
		for k, v := range vals {
			r.vals[k] = v
		}
		r.updated = now
		n++
	}
	return ok(itoa(n) + " item(s) updated")
}

// deleteEntityData answers DELETE /entity/{id}/data with the body {"ids": [...]}.
func (s *Server) deleteEntityData(c *call) reply {
	_, e, rep, good := s.entityOf(c, true)
	if !good {
		return rep
	}
	var body struct {
		IDs []string `json:"ids"`
	}
	if rep, good := c.decodeBody(&body); !good {
		return rep
	}
	switch {
	case len(body.IDs) == 0:
		return bad("ids", "must name at least one record")
	case len(body.IDs) > maxEntityDeleteIDs:
		return bad("ids", "at most %d records can be deleted in one request, got %d", maxEntityDeleteIDs, len(body.IDs))
	}
	gone := map[string]bool{}
	for _, id := range body.IDs {
		if e.byID[id] != nil {
			gone[id] = true
			delete(e.byID, id)
		}
	}
	e.rows = slices.DeleteFunc(e.rows, func(r *erow) bool { return gone[r.id] })
	return ok(itoa(len(gone)) + " item(s) deleted")
}

// entityAmount answers GET /entity/{id}/data_amount.
func (s *Server) entityAmount(c *call) reply {
	_, e, rep, good := s.entityOf(c, false)
	if !good {
		return rep
	}
	return ok(len(e.rows))
}

// emptyEntity answers POST /entity/{id}/empty.
func (s *Server) emptyEntity(c *call) reply {
	_, e, rep, good := s.entityOf(c, true)
	if !good {
		return rep
	}
	e.rows, e.byID = nil, map[string]*erow{}
	return ok("Data Successfully Removed")
}

// econd is one filter condition on a field: equality (eq) or an inclusive range.
type econd struct {
	field      string
	eq         any
	start, end any
	isRange    bool
}

func (k econd) match(v any) bool {
	if v == nil {
		return false
	}
	if !k.isRange {
		return compareValues(v, k.eq) == 0 && sameKind(v, k.eq)
	}
	return (k.start == nil || compareValues(v, k.start) >= 0) && (k.end == nil || compareValues(v, k.end) <= 0)
}

// sameKind reports whether two stored values have the same type (strings compare
// case-insensitively first in compareValues; equality here is exact).
func sameKind(a, b any) bool {
	if x, isStr := a.(string); isStr {
		y, _ := b.(string)
		return x == y
	}
	return true
}

// getEntityData answers GET /entity/{id}/data.
func (s *Server) getEntityData(c *call) reply {
	_, e, rep, good := s.entityOf(c, false)
	if !good {
		return rep
	}
	page, rep, good := c.intParam("page", 1)
	if !good {
		return rep
	}
	amount, rep, good := c.intParam("amount", defaultAmount)
	if !good {
		return rep
	}
	if amount > maxAmount {
		return fail(http.StatusBadRequest, "amount must be at most %d, got %d", maxAmount, amount)
	}
	indexName := c.q.str("index")
	filter := c.q.get("filter")
	if filter != nil && len(filter.kids) > 0 && indexName == "" {
		return fail(http.StatusBadRequest, "A filter needs an index: give ?index= with the index whose fields it filters on")
	}
	if indexName == "" {
		indexName = defaultEntityIndex
	}
	ix := e.index(indexName)
	if ix == nil {
		return fail(http.StatusBadRequest, "Index %s does not exist in this entity", indexName)
	}
	var conds []econd
	for _, name := range filter.names() {
		pos := slices.Index(ix.fields, name)
		if pos < 0 {
			return fail(http.StatusBadRequest, "Field %s is not in index %s (%s)", name, ix.name, strings.Join(ix.fields, ", "))
		}
		f := e.field(name)
		k := econd{field: name}
		node := filter.get(name)
		parse := func(raw string) (any, bool) {
			if f.typ == "json" {
				return nil, false
			}
			switch f.typ {
			case "int", "float":
				var n float64
				if err := json.Unmarshal([]byte(raw), &n); err != nil {
					return nil, false
				}
				return n, true
			case "boolean":
				return raw == "true", raw == "true" || raw == "false"
			case "timestamp":
				t, good := parseAbsolute(raw)
				return jsTime(t), good
			}
			return raw, true
		}
		if node.has("start") || node.has("end") {
			k.isRange = true
			for _, b := range []struct {
				name string
				dst  *any
			}{{"start", &k.start}, {"end", &k.end}} {
				if raw := node.str(b.name); raw != "" {
					v, good := parse(raw)
					if !good {
						return fail(http.StatusBadRequest, "filter[%s][%s]: %q is not a valid %s", name, b.name, raw, f.typ)
					}
					*b.dst = v
				}
			}
		} else {
			raw := ""
			if len(node.vals) > 0 {
				raw = node.vals[0]
			}
			v, good := parse(raw)
			if !good {
				return fail(http.StatusBadRequest, "filter[%s]: %q is not a valid %s", name, raw, f.typ)
			}
			k.eq = v
		}
		conds = append(conds, k)
	}
	for i := range conds { // a left-to-right prefix of the index's fields
		if !slices.ContainsFunc(conds, func(k econd) bool { return k.field == ix.fields[i] }) {
			return fail(http.StatusBadRequest, "A filter on index %s must use its fields from the left (%s): %s is missing",
				ix.name, strings.Join(ix.fields, ", "), ix.fields[i])
		}
	}
	fields := c.fieldsParam()
	for _, f := range fields {
		if e.field(f) == nil {
			return fail(http.StatusBadRequest, "Field %s is not a field of the entity", f)
		}
	}
	desc := false
	switch strings.ToLower(c.q.str("order_by")) {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return fail(http.StatusBadRequest, "order_by must be asc or desc")
	}

	type keyed struct {
		r   *erow
		key any // the value of the index's last field, the sort key
	}
	last := ix.fields[len(ix.fields)-1]
	var kept []keyed
	for _, r := range e.rows {
		all := true
		for _, k := range conds {
			if !k.match(r.value(k.field)) {
				all = false
				break
			}
		}
		if all {
			kept = append(kept, keyed{r, r.value(last)})
		}
	}
	slices.SortFunc(kept, func(a, b keyed) int {
		c := compareValues(a.key, b.key)
		if c == 0 {
			c = cmpOrdered(int(a.r.seq), int(b.r.seq))
		}
		if desc {
			return -c
		}
		return c
	})
	out := []obj{}
	for i := (page - 1) * amount; i < len(kept) && i < page*amount; i++ {
		out = append(out, project(e.print(kept[i].r), fields))
	}
	return ok(out)
}

// value returns a record's value of field name, its own fields included.
func (r *erow) value(name string) any {
	switch name {
	case "id":
		return r.id
	case "created_at":
		return jsTime(r.created)
	case "updated_at":
		return jsTime(r.updated)
	}
	return r.vals[name]
}

// print returns a record as the platform prints it: every field of the schema, null
// when the record has no value.
func (e *entity) print(r *erow) obj {
	out := make(obj, len(e.fields))
	for _, f := range e.fields {
		out[f.name] = r.value(f.name)
	}
	return out
}

// EntityRecords returns the records of an entity, oldest first, as the API prints
// them (timestamps as ISO-8601 strings). It panics when the entity does not exist.
func (s *Server) EntityRecords(entityID string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.table(entitySpec.key)[entityID]
	if d == nil {
		panic("tagotest: no entity " + entityID)
	}
	e := d.ext.(*entity)
	out := make([]map[string]any, len(e.rows))
	for i, r := range e.rows {
		out[i] = jsonValue(e.print(r)).(map[string]any)
	}
	return out
}
