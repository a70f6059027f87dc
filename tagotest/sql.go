package tagotest

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TagoSQL. Stored queries are a collection; an edit that changes the query or its
// parameters raises the version and keeps the old one (GET /sql/{id}/version/{n}).
//
// Execution runs a small, documented subset of SQL over the profile's device data,
// enough for tests of code that executes stored queries and decodes rows:
//
//	SELECT * | col[, col...] | COUNT(*) FROM data
//	  [WHERE cond [AND cond ...]] [ORDER BY col [ASC|DESC]] [LIMIT n]
//
// The columns are id, device, variable, value, unit, group and time; a cond is
// `col op literal` with op one of = != < <= > >= and the literal a 'quoted string' or
// a number. {{key}} in the query is replaced by the parameter's value (the execute
// body's params override the stored ones). Anything else is a 400 naming the problem,
// as the platform's parser answers.

var sqlSpec = register(&spec{
	key: "sql", noun: "SQL query", path: "/sql", kinds: accountOnly, ops: opList | opInfo | opCreate,
	order: "created_at,desc", listFields: []string{"id", "name", "tags"}, required: []string{"name", "query"},
	fields: map[string]ftype{"name": fString, "description": fString, "query": fString, "params": fArray,
		"cache_enabled": fBool, "cache_ttl_seconds": fInt, "rate_limit_rpm": fAny, "active": fBool},
	strict: true, readOnly: []string{"profile", "version", "session_context"}, created: http.StatusCreated,
	defaults: func(c *call) obj {
		return obj{"description": "", "params": []any{}, "cache_enabled": false, "cache_ttl_seconds": 0,
			"rate_limit_rpm": nil, "active": true, "tags": []Tag{}, "version": 1, "session_context": false}
	},
	validate: func(c *call, f obj, _ *doc) (reply, bool) {
		params, _ := f["params"].([]any)
		for i, p := range params {
			m, _ := p.(map[string]any)
			if k, _ := m["key"].(string); k == "" {
				return bad("params["+itoa(i)+"].key", "is required"), false
			}
		}
		if q, given := f["query"].(string); given {
			if _, err := parseSelect(q, nil); err != nil {
				return bad("query", "%v", err), false
			}
		}
		return reply{}, true
	},
	inserted: func(c *call, d *doc) {
		d.ext = []obj{{"query": d.fields["query"], "params": d.fields["params"], "created_at": d.fields["created_at"]}}
	},
	result: func(c *call, d *doc) any { return d.fields },
	edited: func(c *call, d *doc, f obj) {
		_, q := f["query"]
		_, p := f["params"]
		if q || p {
			versions := d.ext.([]obj)
			d.ext = append(versions, obj{"query": d.fields["query"], "params": d.fields["params"], "created_at": jsTime(c.s.now())})
			d.fields["version"] = len(versions) + 1
		}
	},
})

// editSQL answers PUT /sql/{id}: the stored query as it is after the edit (the
// official SDK's edit returns it).
func (s *Server) editSQL(c *call) reply {
	rep := sqlSpec.edit(c)
	if rep.status != http.StatusOK {
		return rep
	}
	d, _, _ := sqlSpec.lookup(c, c.arg(0), false)
	return ok(d.fields)
}

// deleteSQL answers DELETE /sql/{id} with {id}.
func (s *Server) deleteSQL(c *call) reply {
	rep := sqlSpec.remove(c)
	if rep.status != http.StatusOK {
		return rep
	}
	return ok(obj{"id": c.arg(0)})
}

// sqlVersion answers GET /sql/{id}/version/{n}.
func (s *Server) sqlVersion(c *call) reply {
	d, rep, good := sqlSpec.lookup(c, c.arg(0), false)
	if !good {
		return rep
	}
	n, err := strconv.Atoi(c.arg(1))
	versions := d.ext.([]obj)
	if err != nil || n < 1 || n > len(versions) {
		return notFound("Version")
	}
	return ok(versions[n-1])
}

// executeSQL answers POST /sql/{id}/execute {params?, test?}.
func (s *Server) executeSQL(c *call) reply {
	d, rep, good := sqlSpec.lookup(c, c.arg(0), false)
	if !good {
		return rep
	}
	var b struct {
		Params []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"params"`
		Test bool `json:"test"`
	}
	if len(c.body) > 0 {
		if rep, good := c.decodeBody(&b); !good {
			return rep
		}
	}
	if d.fields["active"] == false && !b.Test {
		return fail(http.StatusBadRequest, "The SQL query is not active")
	}
	params := map[string]string{}
	stored, _ := d.fields["params"].([]any)
	for _, p := range stored {
		m, _ := p.(map[string]any)
		k, _ := m["key"].(string)
		v, _ := m["value"].(string)
		params[k] = v
	}
	for _, p := range b.Params {
		params[p.Key] = p.Value
	}
	start := time.Now()
	q, err := parseSelect(d.str("query"), params)
	if err != nil {
		return fail(http.StatusBadRequest, "SQL error: %v", err)
	}
	cols, rows := q.run(s, c.profile())
	return ok(obj{"columns": cols, "rows": rows, "row_count": len(rows),
		"execution_ms": float64(time.Since(start).Microseconds()) / 1000, "served_from_cache": false})
}

// sqlTables answers GET /sql/tables: the one table the fake knows and the profile's
// devices and entities.
func (s *Server) sqlTables(c *call) reply {
	cols := make([]obj, len(sqlColumns))
	for i, name := range sqlColumns {
		cols[i] = obj{"name": name, "type": sqlColumnType(name)}
	}
	resources := func(key string) []obj {
		out := []obj{}
		for _, d := range s.docsLocked(key, func(d *doc) bool { return d.profile == c.profile() }) {
			if f := c.q.str("filter"); f == "" || strings.Contains(strings.ToLower(d.str("name")), strings.ToLower(f)) {
				out = append(out, obj{"id": d.id, "name": d.str("name")})
			}
		}
		return out
	}
	return ok(obj{"tables": []obj{{"function": "data", "label": "Device data", "columns": cols}},
		"resources": obj{"devices": resources(deviceSpec.key), "entities": resources(entitySpec.key)},
		"functions": []obj{{"name": "count", "kind": "aggregate", "args": []string{"*"}, "description": "counts rows"}}})
}

// sqlColumns are the columns of the data table.
var sqlColumns = []string{"id", "device", "variable", "value", "unit", "group", "time"}

func sqlColumnType(name string) string {
	switch name {
	case "value":
		return "json"
	case "time":
		return "timestamp"
	}
	return "string"
}

// selectQuery is a parsed query.
type selectQuery struct {
	cols  []string // nil for *
	count bool
	conds []sqlCond
	order string
	desc  bool
	limit int // -1: none
}

type sqlCond struct {
	col, op string
	lit     any // string or float64
}

var (
	selectRE = regexp.MustCompile(`(?is)^\s*select\s+(.+?)\s+from\s+(\w+)(?:\s+where\s+(.+?))?(?:\s+order\s+by\s+(\w+)(?:\s+(asc|desc))?)?(?:\s+limit\s+(\d+))?\s*;?\s*$`)
	condRE   = regexp.MustCompile(`(?is)^\s*(\w+)\s*(=|!=|<>|<=|>=|<|>)\s*('(?:[^']|'')*'|-?\d+(?:\.\d+)?)\s*$`)
	andRE    = regexp.MustCompile(`(?i)\s+and\s+`)
	paramRE  = regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`)
)

// parseSelect parses a query of the fake's subset, replacing {{key}} with params
// (nil: every parameter stands for 0, to check a query when it is stored).
func parseSelect(q string, params map[string]string) (*selectQuery, error) {
	var missing string
	q = paramRE.ReplaceAllStringFunc(q, func(m string) string {
		key := paramRE.FindStringSubmatch(m)[1]
		if params == nil {
			return "0"
		}
		v, found := params[key]
		if !found && missing == "" {
			missing = key
		}
		return v
	})
	if missing != "" {
		return nil, fmt.Errorf("parameter %q has no value", missing)
	}
	m := selectRE.FindStringSubmatch(q)
	if m == nil {
		return nil, fmt.Errorf("the fake runs SELECT ... FROM data [WHERE ...] [ORDER BY ...] [LIMIT n]")
	}
	if !strings.EqualFold(m[2], "data") {
		return nil, fmt.Errorf("unknown table %q", m[2])
	}
	sq := &selectQuery{limit: -1}
	switch sel := strings.TrimSpace(m[1]); {
	case sel == "*":
	case strings.EqualFold(strings.ReplaceAll(sel, " ", ""), "count(*)"):
		sq.count = true
	default:
		for _, c := range strings.Split(sel, ",") {
			c = strings.TrimSpace(c)
			if !isSQLColumn(c) {
				return nil, fmt.Errorf("unknown column %q", c)
			}
			sq.cols = append(sq.cols, c)
		}
	}
	if m[3] != "" {
		for _, part := range andRE.Split(m[3], -1) {
			cm := condRE.FindStringSubmatch(part)
			if cm == nil {
				return nil, fmt.Errorf("cannot read the condition %q", strings.TrimSpace(part))
			}
			if !isSQLColumn(cm[1]) {
				return nil, fmt.Errorf("unknown column %q", cm[1])
			}
			cond := sqlCond{col: cm[1], op: cm[2]}
			if strings.HasPrefix(cm[3], "'") {
				cond.lit = strings.ReplaceAll(cm[3][1:len(cm[3])-1], "''", "'")
			} else {
				cond.lit, _ = strconv.ParseFloat(cm[3], 64)
			}
			sq.conds = append(sq.conds, cond)
		}
	}
	if m[4] != "" {
		if !isSQLColumn(m[4]) {
			return nil, fmt.Errorf("unknown column %q", m[4])
		}
		sq.order, sq.desc = m[4], strings.EqualFold(m[5], "desc")
	}
	if m[6] != "" {
		sq.limit, _ = strconv.Atoi(m[6])
	}
	return sq, nil
}

func isSQLColumn(c string) bool {
	for _, name := range sqlColumns {
		if name == c {
			return true
		}
	}
	return false
}

// sqlValue returns a record's column as a row value.
func sqlValue(dev string, r *record, col string) any {
	switch col {
	case "id":
		return r.id
	case "device":
		return dev
	case "variable":
		return r.variable
	case "value":
		return r.value
	case "unit":
		return r.unit
	case "group":
		return r.group
	}
	return jsTime(r.t)
}

// compareSQL compares a column value with a literal: -1, 0, 1, or 2 when they do not
// compare (a number with a string).
func compareSQL(v, lit any) int {
	switch l := lit.(type) {
	case float64:
		f, isNum := v.(float64)
		if !isNum {
			return 2
		}
		return cmpOrdered(f, l)
	case string:
		s := fmt.Sprint(v)
		if t, isTime := v.(jsTime); isTime {
			if lt, err := time.Parse(time.RFC3339Nano, l); err == nil {
				return time.Time(t).Compare(lt)
			}
			s = string(mustJSON(t))
		}
		return strings.Compare(s, l)
	}
	return 2
}

func mustJSON(t jsTime) []byte {
	b, _ := t.MarshalJSON()
	return []byte(strings.Trim(string(b), `"`))
}

// run executes the query over a profile's device data.
func (q *selectQuery) run(s *Server, prof string) ([]obj, []obj) {
	type row struct {
		dev string
		r   *record
	}
	var rows []row
	for _, d := range s.docsLocked(deviceSpec.key, func(d *doc) bool { return d.profile == prof }) {
		dev := s.device(d.id)
		for _, r := range dev.data {
			keep := true
			for _, c := range q.conds {
				cmp := compareSQL(sqlValue(d.id, r, c.col), c.lit)
				switch c.op {
				case "=":
					keep = cmp == 0
				case "!=", "<>":
					keep = cmp != 0 && cmp != 2
				case "<":
					keep = cmp == -1
				case "<=":
					keep = cmp == -1 || cmp == 0
				case ">":
					keep = cmp == 1
				case ">=":
					keep = cmp == 1 || cmp == 0
				}
				if !keep {
					break
				}
			}
			if keep {
				rows = append(rows, row{d.id, r})
			}
		}
	}
	if q.count {
		return []obj{{"name": "count", "type": "number"}}, []obj{{"count": float64(len(rows))}}
	}
	if q.order != "" {
		sort.SliceStable(rows, func(i, j int) bool {
			a, b := sqlValue(rows[i].dev, rows[i].r, q.order), sqlValue(rows[j].dev, rows[j].r, q.order)
			c := compareValues(a, b)
			if q.desc {
				return c > 0
			}
			return c < 0
		})
	}
	if q.limit >= 0 && len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	cols := q.cols
	if cols == nil {
		cols = sqlColumns
	}
	colsOut := make([]obj, len(cols))
	for i, c := range cols {
		colsOut[i] = obj{"name": c, "type": sqlColumnType(c)}
	}
	out := make([]obj, len(rows))
	for i, r := range rows {
		o := make(obj, len(cols))
		for _, c := range cols {
			o[c] = sqlValue(r.dev, r.r, c)
		}
		out[i] = o
	}
	return colsOut, out
}
