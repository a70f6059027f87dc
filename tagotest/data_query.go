package tagotest

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Data queries: the query string of GET and DELETE /data, and what each query kind
// selects.

func (c *call) dataQuery() (dataQuery, reply, bool) {
	q := dataQuery{qty: defaultQty}
	q.mode = c.q.str("query")
	if q.mode == "default" || q.mode == "defaultQ" {
		q.mode = ""
	}
	if !dataModes[q.mode] {
		return q, fail(http.StatusBadRequest, "Invalid query %q", q.mode), false
	}
	q.variables = lowerAll(append(c.q.strs("variables"), c.q.strs("variable")...))
	q.groups = append(append(c.q.strs("groups"), c.q.strs("group")...), append(c.q.strs("series"), c.q.strs("serie")...)...)
	q.ids = append(c.q.strs("ids"), c.q.strs("id")...)
	q.values = c.q.strs("values")
	now := c.s.now()
	if v := c.q.str("start_date"); v != "" {
		t, err := parseDate(v, now, false)
		if err != nil {
			return q, fail(http.StatusBadRequest, "start_date: %v", err), false
		}
		q.start, q.hasStart = t, true
	}
	if v := c.q.str("end_date"); v != "" {
		t, err := parseDate(v, now, false)
		if err != nil {
			return q, fail(http.StatusBadRequest, "end_date: %v", err), false
		}
		q.end, q.hasEnd = t, true
	} else if q.hasStart {
		q.end, q.hasEnd = now, true
	}
	if v := c.q.str("qty"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q, fail(http.StatusBadRequest, "qty must be a positive integer, got %q", v), false
		}
		if n > maxQty {
			// Refused, as TagoCore refuses it, rather than cut silently to a partial
			// answer.
			return q, bad("qty", "must be at most %d", maxQty), false
		}
		q.qty, q.hasQty = n, true
	}
	if v := c.q.str("skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return q, fail(http.StatusBadRequest, "skip must be a non-negative integer, got %q", v), false
		}
		q.skip, q.hasSkip = n, true
	}
	switch o := strings.ToLower(c.q.str("ordination")); o {
	case "", "descending", "desc":
	case "ascending", "asc":
		q.asc = true
	default:
		return q, fail(http.StatusBadRequest, "ordination must be ascending or descending, got %q", o), false
	}
	q.details = c.q.str("details") == "true"
	switch q.mode {
	case "avg", "sum":
		if !q.hasStart {
			return q, fail(http.StatusBadRequest, "start_date field is required for query %s", q.mode), false
		}
	case "aggregate":
		q.interval, q.function = c.q.str("interval"), c.q.str("function")
		if _, good := truncateTo(time.Time{}, q.interval); !good {
			return q, fail(http.StatusBadRequest, "interval must be minute, hour, day, month, quarter or year"), false
		}
		if !map[string]bool{"avg": true, "sum": true, "min": true, "max": true}[q.function] {
			return q, fail(http.StatusBadRequest, "function must be avg, sum, min or max for query aggregate"), false
		}
		if !q.hasStart {
			return q, fail(http.StatusBadRequest, "start_date field is required for query aggregate"), false
		}
	case "conditional":
		q.function = c.q.str("function")
		if !map[string]bool{"gt": true, "gte": true, "lt": true, "lte": true, "eq": true, "ne": true}[q.function] {
			return q, fail(http.StatusBadRequest, "function must be gt, gte, lt, lte, eq or ne for query conditional"), false
		}
		v, err := strconv.ParseFloat(c.q.str("value"), 64)
		if err != nil {
			return q, fail(http.StatusBadRequest, "value must be a number for query conditional"), false
		}
		q.threshold = v
		if !q.hasStart {
			return q, fail(http.StatusBadRequest, "start_date field is required for query conditional"), false
		}
	}
	return q, reply{}, true
}

func lowerAll(v []string) []string {
	for i := range v {
		v[i] = strings.ToLower(v[i])
	}
	return v
}

// valueString prints a value the way a values filter compares it.
func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// filter returns the device's records matching the query's filters, in insertion order.
func (q *dataQuery) filter(d *device) []*record {
	in := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	var out []*record
	for _, r := range d.data {
		if !in(q.variables, r.variable) || !in(q.groups, r.group) || !in(q.ids, r.id) {
			continue
		}
		if len(q.values) > 0 && (r.value == nil || !in(q.values, valueString(r.value))) {
			continue
		}
		if q.hasStart && r.t.Before(q.start) || q.hasEnd && r.t.After(q.end) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// byTime sorts records by time (then insertion order), ascending or descending.
func byTime(rs []*record, asc bool) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if !a.t.Equal(b.t) {
			return a.t.Before(b.t) == asc
		}
		return (a.seq < b.seq) == asc
	})
}

// perVariable groups records by variable: in the query's variable order when given,
// else by variable name.
func (q *dataQuery) perVariable(rs []*record) ([]string, map[string][]*record) {
	groups := map[string][]*record{}
	for _, r := range rs {
		groups[r.variable] = append(groups[r.variable], r)
	}
	var names []string
	if len(q.variables) > 0 {
		seen := map[string]bool{}
		for _, v := range q.variables {
			if !seen[v] {
				seen[v] = true
				names = append(names, v)
			}
		}
	} else {
		for v := range groups {
			names = append(names, v)
		}
		sort.Strings(names)
	}
	return names, groups
}

// selectRecords returns the records a listing query selects (everything but the
// summary modes count, sum, avg and aggregate).
func (q *dataQuery) selectRecords(d *device) []*record {
	rs := q.filter(d)
	page := func(rs []*record) []*record {
		if q.skip >= len(rs) {
			return nil
		}
		return rs[q.skip:min(q.skip+q.qty, len(rs))]
	}
	switch q.mode {
	case "", "conditional":
		if q.mode == "conditional" {
			kept := rs[:0:0]
			for _, r := range rs {
				if f, ok := r.value.(float64); ok && compareThreshold(f, q.function, q.threshold) {
					kept = append(kept, r)
				}
			}
			rs = kept
		}
		if len(q.variables) == 0 {
			byTime(rs, q.asc)
			return page(rs)
		}
		// qty and skip apply to each variable; the result lists the variables in the
		// order they were asked for.
		names, groups := q.perVariable(rs)
		var out []*record
		for _, v := range names {
			g := groups[v]
			byTime(g, q.asc)
			out = append(out, page(g)...)
		}
		return out
	}
	names, groups := q.perVariable(rs)
	var out []*record
	for _, v := range names {
		if r := pickOne(groups[v], q.mode); r != nil {
			out = append(out, r)
		}
	}
	return out
}

// pickOne chooses a variable's record for the single-record modes.
func pickOne(rs []*record, mode string) *record {
	var best *record
	better := func(r *record) bool {
		switch mode {
		case "last_item", "last_value", "last_location":
			return r.t.After(best.t) || r.t.Equal(best.t) && r.seq > best.seq
		case "first_item", "first_value", "first_location":
			return r.t.Before(best.t) || r.t.Equal(best.t) && r.seq < best.seq
		case "last_insert":
			return r.seq > best.seq
		case "first_insert":
			return r.seq < best.seq
		case "min", "max":
			a, b := r.value.(float64), best.value.(float64)
			if a != b {
				return (a < b) == (mode == "min")
			}
			return r.t.After(best.t) || r.t.Equal(best.t) && r.seq > best.seq
		}
		return false
	}
	for _, r := range rs {
		switch mode {
		case "last_value", "first_value":
			if r.value == nil {
				continue
			}
		case "last_location", "first_location":
			if r.location == nil {
				continue
			}
		case "min", "max":
			if _, ok := r.value.(float64); !ok {
				continue
			}
		}
		if best == nil || better(r) {
			best = r
		}
	}
	return best
}

func compareThreshold(v float64, fn string, t float64) bool {
	switch fn {
	case "gt":
		return v > t
	case "gte":
		return v >= t
	case "lt":
		return v < t
	case "lte":
		return v <= t
	case "eq":
		return v == t
	default:
		return v != t
	}
}

// getData answers GET /data and GET /device/{id}/data.
//
// Listing modes return an array of records. The summary modes return what the platform
// returns: count a bare number, sum a number, avg a number (null when no numeric record
// matches); aggregate returns one {variable, value, time} item per variable and
// interval.
func (s *Server) getData(c *call) reply {
	d, rep, good := c.targetDevice()
	if !good {
		return rep
	}
	q, rep, good := c.dataQuery()
	if !good {
		return rep
	}
	if c.tok.kind == kindDevice {
		d.lastOutput = s.now()
	}
	res := q.run(d)
	n := 1
	if rs, isList := res.([]recordJSON); isList {
		n = len(rs)
	}
	s.meterLocked(d.profile, "output", n)
	return ok(res)
}

// run evaluates a query on a device and returns the API result.
func (q *dataQuery) run(d *device) any {
	switch q.mode {
	case "count":
		return len(q.filter(d))
	case "sum", "avg":
		sum, n := 0.0, 0
		for _, r := range q.filter(d) {
			if f, ok := r.value.(float64); ok {
				sum += f
				n++
			}
		}
		if q.mode == "sum" {
			return sum
		}
		if n == 0 {
			return nil
		}
		return sum / float64(n)
	case "aggregate":
		return q.aggregate(d)
	}
	rs := q.selectRecords(d)
	out := make([]recordJSON, len(rs))
	for i, r := range rs {
		out[i] = recordView(d.id, r, q.details)
	}
	return out
}

type aggregateJSON struct {
	Variable string  `json:"variable"`
	Value    float64 `json:"value"`
	Time     jsTime  `json:"time"`
}

func (q *dataQuery) aggregate(d *device) []aggregateJSON {
	names, groups := q.perVariable(q.filter(d))
	out := []aggregateJSON{}
	for _, v := range names {
		type acc struct {
			sum, lo, hi float64
			n           int
		}
		buckets := map[time.Time]*acc{}
		var keys []time.Time
		for _, r := range groups[v] {
			f, ok := r.value.(float64)
			if !ok {
				continue
			}
			k, _ := truncateTo(r.t, q.interval)
			a := buckets[k]
			if a == nil {
				a = &acc{lo: f, hi: f}
				buckets[k] = a
				keys = append(keys, k)
			}
			a.sum += f
			a.n++
			a.lo, a.hi = math.Min(a.lo, f), math.Max(a.hi, f)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) == q.asc })
		for _, k := range keys {
			a := buckets[k]
			val := a.sum
			switch q.function {
			case "avg":
				val = a.sum / float64(a.n)
			case "min":
				val = a.lo
			case "max":
				val = a.hi
			}
			out = append(out, aggregateJSON{Variable: v, Value: val, Time: jsTime(k)})
		}
	}
	return out
}

// truncateTo returns the start (UTC) of the interval t falls in.
func truncateTo(t time.Time, interval string) (time.Time, bool) {
	t = t.UTC()
	switch interval {
	case "minute":
		return t.Truncate(time.Minute), true
	case "hour":
		return t.Truncate(time.Hour), true
	case "day":
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC), true
	case "quarter":
		return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC), true
	case "year":
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// editJSON is one edit of PUT /data.
type editJSON struct {
	ID *string `json:"id"`
	dataJSON
}
