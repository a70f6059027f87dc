package tagotest

import (
	"maps"
	"math"
	"slices"
	"strings"
	"time"
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
