package tagotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
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
	s.publishDataLocked(d, out) // to realtime subscribers (events.go)
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
