package tagotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on a data point, as the platform documents them: names, units and groups in
// characters, values and metadata in bytes (6 kB of string value, 10 kB of metadata
// JSON). The SDK refuses the same points before sending them.
const (
	maxVariable = 100
	maxUnit     = 25
	maxGroup    = 100
	maxValue    = 6 << 10
	maxMetadata = 10 << 10
	defaultQty  = 15
	maxQty      = 10000
)

// dataJSON is a data point as a client sends it.
type dataJSON struct {
	Variable *string         `json:"variable"`
	Value    json.RawMessage `json:"value"`
	Unit     *string         `json:"unit"`
	Group    *string         `json:"group"`
	Serie    *string         `json:"serie"`
	Time     json.RawMessage `json:"time"`
	Location json.RawMessage `json:"location"`
	Metadata json.RawMessage `json:"metadata"`
}

// dataIn is a decoded data point, ready for validation and storage.
type dataIn struct {
	Variable *string
	value    any
	hasValue bool
	Unit     string
	Group    string
	location *Location
	Metadata json.RawMessage
	Time     time.Time // zero: now
}

// recordJSON is a stored record as the API prints it.
type recordJSON struct {
	ID        string          `json:"id"`
	Device    string          `json:"device"`
	Variable  string          `json:"variable"`
	Value     any             `json:"value,omitempty"`
	Unit      string          `json:"unit,omitempty"`
	Group     string          `json:"group,omitempty"`
	Location  *geoPoint       `json:"location,omitempty"`
	Metadata  json.RawMessage `json:"metadata,omitempty"`
	Time      jsTime          `json:"time"`
	CreatedAt *jsTime         `json:"created_at,omitempty"`
}

// geoPoint is a GeoJSON point, [lng, lat].
type geoPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

func recordView(deviceID string, r *record, details bool) recordJSON {
	out := recordJSON{ID: r.id, Device: deviceID, Variable: r.variable, Value: r.value, Unit: r.unit,
		Group: r.group, Metadata: r.metadata, Time: jsTime(r.t)}
	if r.location != nil {
		out.Location = &geoPoint{Type: "Point", Coordinates: [2]float64{r.location.Lng, r.location.Lat}}
	}
	if details {
		ca := jsTime(r.created)
		out.CreatedAt = &ca
	}
	return out
}

// targetDevice returns the device a data call acts on: the device token's own device,
// or the path's device ID for the account-token form.
func (c *call) targetDevice() (*device, reply, bool) {
	if c.tok.kind == kindDevice {
		d := c.s.device(c.tok.device)
		if d == nil {
			return nil, notFound("Device"), false
		}
		return d, reply{}, true
	}
	return c.ownDevice(c.arg(0))
}

// ownDevice returns a device of the caller's profile.
func (c *call) ownDevice(id string) (*device, reply, bool) {
	d := c.s.device(id)
	if d == nil || d.profile != c.profile() {
		return nil, notFound("Device"), false
	}
	return d, reply{}, true
}

// postData stores data points: POST /data (device token) and POST /device/{id}/data.
// A body that is not JSON is stored as one "payload" record, which is what a payload
// parser would receive.
func (s *Server) postData(c *call) reply {
	d, rep, good := c.targetDevice()
	if !good {
		return rep
	}
	if len(c.body) > maxDataBody {
		return fail(http.StatusRequestEntityTooLarge, "Request body exceeds the limit of %d bytes", maxDataBody)
	}
	if c.tok.kind == kindDevice && !d.active() {
		return fail(http.StatusBadRequest, "Device is deactivated")
	}
	in, rep, good := decodeDataPoints(c.body, s.now())
	if !good {
		return rep
	}
	stored, rep := s.storeLocked(d, in)
	if stored == nil {
		return rep
	}
	return ok(fmt.Sprintf("%d Data Added", len(stored)))
}

// decodeDataPoints reads one point or an array of them.
func decodeDataPoints(body []byte, now time.Time) ([]dataIn, reply, bool) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return nil, bad("body", "a data point or an array of data points is required"), false
	}
	var raws []dataJSON
	switch t[0] {
	case '[':
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, dataDecodeError(err), false
		}
	case '{':
		var one dataJSON
		if err := json.Unmarshal(t, &one); err != nil {
			return nil, dataDecodeError(err), false
		}
		raws = []dataJSON{one}
	default:
		payload := "payload"
		return []dataIn{{Variable: &payload, value: string(t), hasValue: true}}, reply{}, true
	}
	in := make([]dataIn, len(raws))
	for i, r := range raws {
		var rep reply
		var good bool
		if in[i], rep, good = r.decode(i, now); !good {
			return nil, rep, false
		}
	}
	return in, reply{}, true
}

func dataDecodeError(err error) reply {
	if ute, ok := err.(*json.UnmarshalTypeError); ok && ute.Field != "" {
		return bad(ute.Field, "must be %s", jsonKind(ute.Type.Kind().String()))
	}
	return fail(http.StatusBadRequest, "Invalid JSON body: %v", err)
}

// decode turns a point as sent into a dataIn, checking the value, time and location
// types; relative times count from now.
func (r dataJSON) decode(i int, now time.Time) (dataIn, reply, bool) {
	field := func(name string) string { return "[" + strconv.Itoa(i) + "]." + name }
	out := dataIn{Variable: r.Variable, Metadata: r.Metadata}
	if r.Unit != nil {
		out.Unit = *r.Unit
	}
	switch {
	case r.Group != nil:
		out.Group = *r.Group
	case r.Serie != nil:
		out.Group = *r.Serie
	}
	if v := bytes.TrimSpace(r.Value); len(v) > 0 && string(v) != "null" {
		var x any
		dec := json.NewDecoder(bytes.NewReader(v))
		if err := dec.Decode(&x); err != nil {
			return out, bad(field("value"), "invalid value"), false
		}
		switch x.(type) {
		case string, bool, float64:
		default:
			return out, bad(field("value"), "must be a string, a number or a boolean"), false
		}
		out.value, out.hasValue = x, true
	}
	if loc := bytes.TrimSpace(r.Location); len(loc) > 0 && string(loc) != "null" {
		l, err := decodeLocation(loc)
		if err != nil {
			return out, bad(field("location"), "%v", err), false
		}
		out.location = l
	}
	if len(r.Time) > 0 && string(bytes.TrimSpace(r.Time)) != "null" {
		t, err := parseDataTime(r.Time, now)
		if err != nil {
			return out, bad(field("time"), "%v", err), false
		}
		out.Time = t
	}
	return out, reply{}, true
}

// decodeLocation reads {lat, lng} or a GeoJSON point {type: "Point", coordinates: [lng, lat]}.
func decodeLocation(b []byte) (*Location, error) {
	var l struct {
		Lat         *float64  `json:"lat"`
		Lng         *float64  `json:"lng"`
		Type        string    `json:"type"`
		Coordinates []float64 `json:"coordinates"`
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("must be {lat, lng} or a GeoJSON point")
	}
	var loc Location
	switch {
	case l.Lat != nil && l.Lng != nil:
		loc = Location{Lat: *l.Lat, Lng: *l.Lng}
	case strings.EqualFold(l.Type, "point") && len(l.Coordinates) == 2:
		loc = Location{Lat: l.Coordinates[1], Lng: l.Coordinates[0]}
	default:
		return nil, fmt.Errorf("must be {lat, lng} or a GeoJSON point")
	}
	if loc.Lat < -90 || loc.Lat > 90 || loc.Lng < -180 || loc.Lng > 180 || math.IsNaN(loc.Lat) || math.IsNaN(loc.Lng) {
		return nil, fmt.Errorf("latitude must be within ±90 and longitude within ±180")
	}
	return &loc, nil
}

// checkVariable validates and lower-cases a variable name: 1 to 100 characters, no
// white space and none of * ? ! < > . - = $.
func checkVariable(v *string) (string, string) {
	if v == nil || *v == "" {
		return "", "is required"
	}
	name := strings.ToLower(*v)
	if utf8.RuneCountInString(name) > maxVariable {
		return "", fmt.Sprintf("must be at most %d characters", maxVariable)
	}
	if strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("*?!<>.-=$", r) }) >= 0 {
		return "", "must not contain spaces or any of * ? ! < > . - = $"
	}
	return name, ""
}

// checkDataFields applies the platform's limits on a point's value, unit, group and
// metadata (the fields an edit can change too); it returns the reply for the first
// field at fault.
func checkDataFields(i int, p dataIn) (reply, bool) {
	field := func(name string) string { return "[" + strconv.Itoa(i) + "]." + name }
	if str, ok := p.value.(string); ok && len(str) > maxValue {
		return bad(field("value"), "must be at most %d bytes", maxValue), false
	}
	if f, ok := p.value.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return bad(field("value"), "must be a finite number"), false
	}
	if utf8.RuneCountInString(p.Unit) > maxUnit {
		return bad(field("unit"), "must be at most %d characters", maxUnit), false
	}
	if utf8.RuneCountInString(p.Group) > maxGroup {
		return bad(field("group"), "must be at most %d characters", maxGroup), false
	}
	if m := bytes.TrimSpace(p.Metadata); len(m) > 0 && string(m) != "null" {
		if m[0] != '{' {
			return bad(field("metadata"), "must be an object"), false
		}
		if len(m) > maxMetadata {
			return bad(field("metadata"), "must be at most %d bytes", maxMetadata), false
		}
	}
	return reply{}, true
}

// storeLocked validates points and stores them all, or none. It returns the stored
// records, or nil and the error reply.
func (s *Server) storeLocked(d *device, in []dataIn) ([]*record, reply) {
	now := s.now()
	for i, p := range in {
		field := func(name string) string { return "[" + strconv.Itoa(i) + "]." + name }
		if _, msg := checkVariable(p.Variable); msg != "" {
			return nil, bad(field("variable"), "%s", msg)
		}
		if rep, good := checkDataFields(i, p); !good {
			return nil, rep
		}
		if p.location != nil {
			if _, err := decodeLocation(fmt.Appendf(nil, `{"lat":%v,"lng":%v}`, p.location.Lat, p.location.Lng)); err != nil {
				return nil, bad(field("location"), "%v", err)
			}
		}
	}
	if d.typ() == "mutable" && s.dataLimit > 0 && len(d.data)+len(in) > s.dataLimit {
		return nil, fail(http.StatusBadRequest,
			"The device has reached the limit of %d data registers (it holds %d, the request adds %d)", s.dataLimit, len(d.data), len(in))
	}
	group := ""
	out := make([]*record, len(in))
	for i, p := range in {
		name, _ := checkVariable(p.Variable)
		r := &record{id: s.newID(), variable: name, unit: p.Unit, group: p.Group, location: p.location,
			t: p.Time, created: now, seq: s.nextSeq()}
		if p.hasValue {
			r.value = p.value
		}
		if m := bytes.TrimSpace(p.Metadata); len(m) > 0 && string(m) != "null" {
			r.metadata = append(json.RawMessage(nil), m...)
		}
		if r.t.IsZero() {
			r.t = now
		}
		if r.group == "" {
			if group == "" {
				group = s.newGroup()
			}
			r.group = group
		}
		out[i] = r
	}
	d.data = append(d.data, out...)
	if len(out) > 0 {
		d.lastInput = now
		s.meterLocked(d.profile, "input", len(out))
		s.triggerActionsLocked(d, out)
	}
	return out, reply{}
}

// dataQuery is a parsed GET/DELETE /data query.
type dataQuery struct {
	mode                              string
	variables, groups, ids, values    []string
	start, end                        time.Time
	qty, skip                         int
	asc, details                      bool
	interval, function                string
	threshold                         float64
	hasStart, hasEnd, hasQty, hasSkip bool
}

// The query modes GET /data accepts.
var dataModes = map[string]bool{
	"": true, "last_item": true, "last_value": true, "last_location": true, "last_insert": true,
	"first_item": true, "first_value": true, "first_location": true, "first_insert": true,
	"count": true, "sum": true, "avg": true, "min": true, "max": true, "aggregate": true, "conditional": true,
}

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

// editData answers PUT /data and PUT /device/{id}/data: "N item(s) updated". IDs the
// device does not hold are skipped.
func (s *Server) editData(c *call) reply {
	d, rep, good := c.targetDevice()
	if !good {
		return rep
	}
	if d.typ() == "immutable" {
		return fail(http.StatusBadRequest, "You cannot edit data on immutable device")
	}
	var edits []editJSON
	t := bytes.TrimSpace(c.body)
	if len(t) > 0 && t[0] == '{' {
		var one editJSON
		if rep, good := c.decodeBody(&one); !good {
			return rep
		}
		edits = []editJSON{one}
	} else if rep, good := c.decodeBody(&edits); !good {
		return rep
	}
	byID := map[string]*record{}
	for _, r := range d.data {
		byID[r.id] = r
	}
	type change struct {
		r  *record
		in dataIn
		e  editJSON
	}
	var changes []change
	for i, e := range edits {
		if e.ID == nil || *e.ID == "" {
			return bad("["+strconv.Itoa(i)+"].id", "is required")
		}
		in, rep, good := e.dataJSON.decode(i, s.now())
		if !good {
			return rep
		}
		if rep, good := checkDataFields(i, in); !good {
			return rep
		}
		if e.Variable != nil {
			if _, msg := checkVariable(e.Variable); msg != "" {
				return bad("["+strconv.Itoa(i)+"].variable", "%s", msg)
			}
		}
		if r := byID[*e.ID]; r != nil && d.mutable(r.variable) {
			changes = append(changes, change{r, in, e})
		}
	}
	for _, ch := range changes {
		r, in, e := ch.r, ch.in, ch.e
		if e.Value != nil {
			r.value = in.value
		}
		if e.Unit != nil {
			r.unit = in.Unit
		}
		if e.Group != nil || e.Serie != nil {
			r.group = in.Group
		}
		if e.Time != nil {
			if !in.Time.IsZero() {
				r.t = in.Time
			}
		}
		if e.Location != nil {
			r.location = in.location
		}
		if e.Metadata != nil {
			if m := bytes.TrimSpace(e.Metadata); string(m) == "null" {
				r.metadata = nil
			} else {
				r.metadata = append(json.RawMessage(nil), m...)
			}
		}
		if e.Variable != nil {
			r.variable, _ = checkVariable(e.Variable)
		}
	}
	return ok(fmt.Sprintf("%d item(s) updated", len(changes)))
}

// deleteData answers DELETE /data and DELETE /device/{id}/data: it removes what the same
// GET would list ("N Data Removed"); without parameters, the 15 newest records.
func (s *Server) deleteData(c *call) reply {
	d, rep, good := c.targetDevice()
	if !good {
		return rep
	}
	if d.typ() == "immutable" {
		return fail(http.StatusBadRequest, "Data in immutable devices cannot be deleted")
	}
	q, rep, good := c.dataQuery()
	if !good {
		return rep
	}
	switch q.mode {
	case "count", "sum", "avg", "aggregate":
		return fail(http.StatusBadRequest, "Invalid query %q for deleting data", q.mode)
	}
	gone := map[*record]bool{}
	for _, r := range q.selectRecords(d) {
		if d.mutable(r.variable) {
			gone[r] = true
		}
	}
	s.removeRecords(d, gone)
	return ok(fmt.Sprintf("%d Data Removed", len(gone)))
}

func (s *Server) removeRecords(d *device, gone map[*record]bool) {
	if len(gone) == 0 {
		return
	}
	kept := d.data[:0]
	for _, r := range d.data {
		if !gone[r] {
			kept = append(kept, r)
		}
	}
	clear(d.data[len(kept):])
	d.data = kept
}

// dataAmount answers GET /device/{id}/data_amount with a bare number.
func (s *Server) dataAmount(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	return ok(len(d.data))
}

// emptyDevice answers POST /device/{id}/empty.
func (s *Server) emptyDevice(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	d.data = nil
	return ok("Data Successfully Removed")
}

// chunkBounds returns the chunk (start, end inclusive) a time falls in.
func chunkBounds(t time.Time, period string) (time.Time, time.Time) {
	t = t.UTC()
	var start, next time.Time
	switch period {
	case "day":
		start = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 1)
	case "week":
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		start = time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 7)
	case "quarter":
		start, _ = truncateTo(t, "quarter")
		next = start.AddDate(0, 3, 0)
	default: // month
		start, _ = truncateTo(t, "month")
		next = start.AddDate(0, 1, 0)
	}
	return start, next.Add(-time.Second)
}

type chunkJSON struct {
	ID     string `json:"id"`
	From   string `json:"from"`
	To     string `json:"to"`
	Amount int    `json:"amount"`
}

const offsetLayout = "2006-01-02T15:04:05.000-07:00"

// listChunks answers GET /device/{id}/chunk for immutable and hybrid devices.
func (s *Server) listChunks(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	if d.typ() != "immutable" && d.typ() != "hybrid" {
		return fail(http.StatusBadRequest, "Chunks are only available on immutable and hybrid devices")
	}
	counts := map[int64]*chunkJSON{}
	var keys []int64
	for _, r := range d.data {
		if !d.mutable(r.variable) || d.typ() == "immutable" {
			from, to := chunkBounds(r.t, d.chunkPeriod())
			ch := counts[from.Unix()]
			if ch == nil {
				ch = &chunkJSON{ID: strconv.FormatInt(from.Unix(), 10) + "_" + strconv.FormatInt(to.Unix(), 10),
					From: from.Format(offsetLayout), To: to.Format(offsetLayout)}
				counts[from.Unix()] = ch
				keys = append(keys, from.Unix())
			}
			ch.Amount++
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	out := make([]chunkJSON, len(keys))
	for i, k := range keys {
		out[i] = *counts[k]
	}
	return ok(out)
}

// deleteChunk answers DELETE /device/{id}/chunk/{chunkID}.
func (s *Server) deleteChunk(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	id := c.arg(1)
	from, to, valid := parseChunkID(id)
	if !valid {
		return fail(http.StatusBadRequest, "Invalid chunk ID %q", id)
	}
	gone := map[*record]bool{}
	for _, r := range d.chunkRecords(from, to) {
		gone[r] = true
	}
	if len(gone) == 0 {
		return notFound("Chunk")
	}
	s.removeRecords(d, gone)
	return ok("Chunk " + id + " deleted")
}

// AddForeignData stores records as another client may have stored them, past the
// checks a POST /data makes: each is a JSON object with at least a "variable", whose
// "value" and "metadata" may be any JSON (TagoCore accepts metadata such as
// [1, {"a": 2}]; older platform versions held objects as values). Reads return them as
// stored. It is for testing that a client reads such records without failing; it
// returns the stored records' IDs.
func (s *Server) AddForeignData(deviceID string, records ...string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mustDevice(deviceID)
	now := s.now()
	ids := make([]string, len(records))
	for i, raw := range records {
		var in struct {
			Variable string          `json:"variable"`
			Value    json.RawMessage `json:"value"`
			Unit     string          `json:"unit"`
			Group    string          `json:"group"`
			Metadata json.RawMessage `json:"metadata"`
			Time     json.RawMessage `json:"time"`
		}
		if err := json.Unmarshal([]byte(raw), &in); err != nil || in.Variable == "" {
			panic(fmt.Sprintf("tagotest: AddForeignData: record %d must be a JSON object with a variable: %v", i, err))
		}
		r := &record{id: s.newID(), variable: in.Variable, unit: in.Unit, group: in.Group, t: now, created: now, seq: s.nextSeq()}
		if v := bytes.TrimSpace(in.Value); len(v) > 0 && string(v) != "null" {
			var scalar any
			if json.Unmarshal(v, &scalar) == nil {
				switch scalar.(type) {
				case string, bool, float64:
					r.value = scalar
				}
			}
			if r.value == nil {
				r.value = json.RawMessage(append([]byte(nil), v...))
			}
		}
		if m := bytes.TrimSpace(in.Metadata); len(m) > 0 && string(m) != "null" {
			r.metadata = append(json.RawMessage(nil), m...)
		}
		if len(in.Time) > 0 {
			t, err := parseDataTime(in.Time, now)
			if err != nil {
				panic(fmt.Sprintf("tagotest: AddForeignData: record %d: time: %v", i, err))
			}
			r.t = t
		}
		if r.group == "" {
			r.group = s.newGroup()
		}
		d.data = append(d.data, r)
		ids[i] = r.id
	}
	return ids
}
