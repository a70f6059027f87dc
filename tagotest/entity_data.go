package tagotest

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// An entity's records: sent, edited, deleted, counted, emptied and read through an
// index. The rules are in entities.go.

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
