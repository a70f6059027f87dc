package tago

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
)

// This file holds the hand-written decoder for data records. It reads the exact JSON
// grammar (RFC 8259), never panics, and produces the same values encoding/json would
// for the same input decoded member by member, with differences that are deliberate:
// object keys match exactly (encoding/json also accepts "ID" for "id"), "origin" fills
// Device when "device" is absent, and it is lenient where encoding/json would fail the
// whole answer: a member whose valid JSON does not fit its field is kept raw in
// Data.Extra, a value that is an object or an array is kept as a json.RawMessage, and a
// number beyond float64 as a json.Number (FuzzDecodeData checks all of it against
// encoding/json). Invalid JSON is an error.
//
// It is faster than encoding/json because it knows the record's shape: no reflection,
// keys compared as bytes, times in the platform's format parsed by hand, and repeated
// strings (device IDs, variable names, units, groups, metadata keys) allocated once
// per response instead of once per record.
//
// Chosen by measurement on BenchmarkDecodeData10k's body (10,000 records, 2.4 MB): this
// decoder takes about a quarter of encoding/json's time with a fifth of its
// allocations; github.com/goccy/go-json decodes equivalent structs about as fast but
// with 4.5 times our allocations, needs unsafe and a dependency, and would still leave
// the location forms and value kinds to convert; encoding/json/v2 is about twice as
// slow as this decoder.

// dataList is a list of records with the fast decoder; Get and Stream decode into it.
type dataList []Data

// decodeResult implements resultDecoder.
func (l *dataList) decodeResult(raw []byte) error {
	d := dataDecoder{buf: raw}
	out, err := d.list()
	*l = out
	return err
}

// UnmarshalJSON decodes one record as the platform sends it, with the same rules as
// the SDK's own decoder: the location may be GeoJSON or {lat, lng}, and members that do
// not fit their field are kept as described on [Data].
func (d *Data) UnmarshalJSON(b []byte) error {
	dec := dataDecoder{buf: b}
	dec.ws()
	var rec Data
	if err := dec.record(&rec, -1); err != nil {
		return err
	}
	if err := dec.end(); err != nil {
		return err
	}
	*d = rec
	return nil
}

// UnmarshalJSON accepts a GeoJSON Point {"type": "Point", "coordinates": [lng, lat]}
// or an object {"lat": ..., "lng": ...}. An empty object or null leaves l unchanged.
func (l *Location) UnmarshalJSON(b []byte) error {
	dec := dataDecoder{buf: b}
	dec.ws()
	loc, err := dec.location()
	if err != nil {
		return err
	}
	if err := dec.end(); err != nil {
		return err
	}
	if loc != nil {
		*l = *loc
	}
	return nil
}

// maxDecodeDepth bounds nesting, as encoding/json does, so hostile input cannot
// exhaust the stack.
const maxDecodeDepth = 10000

// maxInterned bounds the per-response table of repeated strings.
const maxInterned = 4096

// maxInternedLen is the longest string worth interning.
const maxInternedLen = 64

// Slots of the "last string seen" cache, one per record field that repeats.
const (
	slotDevice = iota
	slotVariable
	slotUnit
	slotGroup
	slotSerie
	slotKey
	slotCount
)

// dataDecoder reads data records from buf. The zero value with buf set is ready.
type dataDecoder struct {
	buf     []byte
	pos     int
	depth   int
	scratch []byte            // unescaped strings
	strs    map[string]string // interned strings
	vals    map[string]any    // interned boxed string values
	last    [slotCount]string // last string per field, checked before strs
	misses  int               // strings made before strs exists
	locs    []Location        // slab the records' locations point into

	// Record IDs are unique, so interning cannot help; list copies them into a block
	// and makes one string of each block, so 10,000 IDs cost about 60 allocations.
	ids     []byte
	pending []pendingID
}

// pendingID is a record ID waiting in the ID block for the block's string.
type pendingID struct{ index, off, n int }

// idBlockSize is the size of an ID block: a record kept alive keeps its block too.
const idBlockSize = 4096

// fieldError reports what is wrong, and where: "data[3].time: ...".
type fieldError struct {
	index int // record index, or -1 for a lone record
	field string
	err   error
}

func (e *fieldError) Error() string {
	where := "data"
	if e.index >= 0 {
		where += "[" + strconv.Itoa(e.index) + "]"
	}
	if e.field != "" {
		where += "." + e.field
	}
	return where + ": " + e.err.Error()
}

func (e *fieldError) Unwrap() error { return e.err }

// syntaxError reports invalid JSON at the decoder's position.
func (d *dataDecoder) syntaxError(what string) error {
	if d.pos >= len(d.buf) {
		return errors.New("unexpected end of JSON while reading " + what)
	}
	return errors.New("invalid character " + strconv.QuoteRune(rune(d.buf[d.pos])) +
		" at offset " + strconv.Itoa(d.pos) + " while reading " + what)
}

// ws skips JSON white space.
func (d *dataDecoder) ws() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// end checks that only white space follows.
func (d *dataDecoder) end() error {
	d.ws()
	if d.pos != len(d.buf) {
		return d.syntaxError("the end of the JSON value")
	}
	return nil
}

// peek returns the byte at the position, or 0 at the end.
func (d *dataDecoder) peek() byte {
	if d.pos < len(d.buf) {
		return d.buf[d.pos]
	}
	return 0
}

// literal consumes lit (true, false or null) at the position.
func (d *dataDecoder) literal(lit string) error {
	if len(d.buf)-d.pos < len(lit) || string(d.buf[d.pos:d.pos+len(lit)]) != lit {
		return d.syntaxError("a literal")
	}
	d.pos += len(lit)
	return nil
}

// null consumes a null literal if one is at the position.
func (d *dataDecoder) null() (bool, error) {
	if d.peek() != 'n' {
		return false, nil
	}
	return true, d.literal("null")
}

// list reads a JSON array of records (or null).
func (d *dataDecoder) list() ([]Data, error) {
	d.ws()
	if isNull, err := d.null(); isNull || err != nil {
		if err != nil {
			return nil, err
		}
		return nil, d.end()
	}
	if d.peek() != '[' {
		return nil, errors.New("expected an array of data records: " + d.syntaxError("the result").Error())
	}
	d.pos++
	// Every record starts with '{', so counting them bounds the slice's size; the
	// count is capped by the smallest plausible record, and clipped at the end if
	// nested objects made it much too large.
	rest := d.buf[d.pos:]
	out := make([]Data, 0, min(bytes.Count(rest, []byte{'{'}), len(rest)/24+1))
	d.ws()
	if d.peek() == ']' {
		d.pos++
		if err := d.end(); err != nil {
			return nil, err
		}
		return []Data{}, nil
	}
	for i := 0; ; i++ {
		d.ws()
		out = append(out, Data{})
		if err := d.record(&out[len(out)-1], i); err != nil {
			return nil, err
		}
		if len(d.ids) >= idBlockSize {
			d.flushIDs(out)
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case ']':
			d.pos++
			d.flushIDs(out)
			if err := d.end(); err != nil {
				return nil, err
			}
			if cap(out) > 2*len(out)+16 {
				out = slices.Clip(append([]Data(nil), out...))
			}
			return out, nil
		}
		return nil, d.syntaxError("the array of data records")
	}
}

// flushIDs makes one string of the ID block and points the waiting records into it.
func (d *dataDecoder) flushIDs(out []Data) {
	if len(d.pending) == 0 {
		return
	}
	block := string(d.ids)
	for _, p := range d.pending {
		out[p.index].ID = block[p.off : p.off+p.n]
	}
	d.ids, d.pending = d.ids[:0], d.pending[:0]
}

// record reads one record object (or null, which leaves r zero) into r.
func (d *dataDecoder) record(r *Data, index int) error {
	if isNull, err := d.null(); isNull || err != nil {
		if err != nil {
			return &fieldError{index: index, err: err}
		}
		return nil
	}
	if d.peek() != '{' {
		return &fieldError{index: index, err: errors.New("expected a data record object: " + d.syntaxError("a record").Error())}
	}
	d.pos++
	d.ws()
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	var origin string
	idOff, idLen := -1, 0 // the ID's place in the ID block, when list is reading
	for {
		d.ws()
		key, err := d.stringBytes()
		if err != nil {
			return &fieldError{index: index, err: err}
		}
		field := ""
		d.ws()
		if d.peek() != ':' {
			return &fieldError{index: index, err: d.syntaxError("a record")}
		}
		d.pos++
		d.ws()
		start := d.pos
		switch string(key) {
		case "id":
			field = "id"
			if index < 0 {
				r.ID, err = d.str(-1)
				break
			}
			var b []byte
			if b, err = d.nullableBytes(); err == nil {
				idOff, idLen = -1, 0
				if b != nil {
					idOff, idLen = len(d.ids), len(b)
					d.ids = append(d.ids, b...)
				}
				r.ID = ""
			}
		case "device":
			field = "device"
			r.Device, err = d.str(slotDevice)
		case "origin":
			field = "origin"
			origin, err = d.str(slotDevice)
		case "variable":
			field = "variable"
			r.Variable, err = d.str(slotVariable)
		case "value":
			field = "value"
			r.Value, err = d.value()
		case "unit":
			field = "unit"
			r.Unit, err = d.str(slotUnit)
		case "group":
			field = "group"
			r.Group, err = d.str(slotGroup)
		case "serie":
			field = "serie"
			r.Serie, err = d.str(slotSerie)
		case "time":
			field = "time"
			r.Time, err = d.time()
		case "created_at":
			field = "created_at"
			r.CreatedAt, err = d.time()
		case "location":
			field = "location"
			r.Location, err = d.location()
		case "metadata":
			field = "metadata"
			r.Metadata, err = d.metadata()
		default:
			if err = d.skip(); err != nil {
				field = string(key)
			}
		}
		switch {
		case err != nil && field != "":
			// A known member whose JSON does not fit its field (another client stored
			// it): if it is valid JSON, keep it raw in Extra and leave the field zero.
			d.pos = start
			if d.skip() != nil {
				return &fieldError{index: index, field: field, err: err}
			}
			if field == "id" {
				idOff, idLen, r.ID = -1, 0, ""
			}
			if field == "origin" {
				origin = ""
			}
			if r.Extra == nil {
				r.Extra = make(map[string]json.RawMessage, 1)
			}
			r.Extra[field] = append(json.RawMessage(nil), d.buf[start:d.pos]...)
		case err != nil:
			return &fieldError{index: index, field: field, err: err}
		case field != "" && r.Extra != nil:
			delete(r.Extra, field) // a repeated member: the last one counts
			if len(r.Extra) == 0 {
				r.Extra = nil
			}
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case '}':
			d.pos++
			if r.Device == "" {
				r.Device = origin
			}
			if idOff >= 0 && idLen > 0 {
				d.pending = append(d.pending, pendingID{index: index, off: idOff, n: idLen})
			}
			return nil
		}
		return &fieldError{index: index, err: d.syntaxError("a record")}
	}
}

// location reads a location: GeoJSON {"type": "Point", "coordinates": [lng, lat]} or
// {"lat": ..., "lng": ...}. Null, an empty object or one with neither form gives nil.
// The "type" member must be a string when present; its value is not checked.
func (d *dataDecoder) location() (*Location, error) {
	if isNull, err := d.null(); isNull || err != nil {
		return nil, err
	}
	if d.peek() != '{' {
		if _, err := d.any(); err != nil {
			return nil, err
		}
		return nil, errors.New("must be an object")
	}
	d.pos++
	var (
		lat, lng         float64
		haveLat, haveLng bool
		coord            [2]float64
		nCoord           int
		haveCoord        bool
	)
	d.ws()
	if d.peek() == '}' {
		d.pos++
		return nil, nil
	}
	for done := false; !done; {
		d.ws()
		key, err := d.stringBytes()
		if err != nil {
			return nil, err
		}
		d.ws()
		if d.peek() != ':' {
			return nil, d.syntaxError("a location")
		}
		d.pos++
		d.ws()
		switch string(key) {
		case "lat":
			lat, haveLat, err = d.optionalFloat("lat")
		case "lng":
			lng, haveLng, err = d.optionalFloat("lng")
		case "type":
			err = d.optionalString("type")
		case "coordinates":
			haveCoord = d.peek() != 'n'
			if haveCoord {
				nCoord, err = d.coordinates(&coord)
			} else {
				err = d.literal("null")
			}
		default:
			err = d.skip()
		}
		if err != nil {
			return nil, err
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			done = true
		default:
			return nil, d.syntaxError("a location")
		}
	}
	var loc Location
	switch {
	case haveCoord:
		if nCoord < 2 {
			return nil, errors.New("coordinates must hold [longitude, latitude]")
		}
		loc = Location{Lat: coord[1], Lng: coord[0]}
	case haveLat && haveLng:
		loc = Location{Lat: lat, Lng: lng}
	case !haveLat && !haveLng:
		return nil, nil
	default:
		return nil, errors.New("lat and lng must be given together")
	}
	if len(d.locs) == cap(d.locs) {
		d.locs = make([]Location, 0, 64)
	}
	d.locs = append(d.locs, loc)
	return &d.locs[len(d.locs)-1], nil
}

// optionalFloat reads a number member, or null (reported as absent).
func (d *dataDecoder) optionalFloat(name string) (float64, bool, error) {
	if isNull, err := d.null(); isNull || err != nil {
		return 0, false, err
	}
	f, err := d.floatMember(name)
	return f, err == nil, err
}

// optionalString checks a string or null member whose value is not kept.
func (d *dataDecoder) optionalString(name string) error {
	switch d.peek() {
	case 'n':
		return d.literal("null")
	case '"':
		_, err := d.stringBytes()
		return err
	}
	if _, err := d.any(); err != nil {
		return err
	}
	return errors.New(name + " must be a string")
}

// floatMember reads a number member of a location.
func (d *dataDecoder) floatMember(name string) (float64, error) {
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		if _, err := d.any(); err != nil {
			return 0, err
		}
		return 0, errors.New(name + " must be a number")
	}
	return d.number()
}

// coordinates reads a GeoJSON position array of numbers, keeping the first two, and
// returns how many it held.
func (d *dataDecoder) coordinates(dst *[2]float64) (int, error) {
	if d.peek() != '[' {
		if _, err := d.any(); err != nil {
			return 0, err
		}
		return 0, errors.New("coordinates must be an array of numbers")
	}
	d.pos++
	d.ws()
	if d.peek() == ']' {
		d.pos++
		return 0, nil
	}
	n := 0
	for {
		d.ws()
		f, err := d.floatMember("each coordinate")
		if err != nil {
			return 0, err
		}
		if n < 2 {
			dst[n] = f
		}
		n++
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case ']':
			d.pos++
			return n, nil
		}
		return 0, d.syntaxError("coordinates")
	}
}
