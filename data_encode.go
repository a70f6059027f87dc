package tago

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// affected is the platform's answer to a write: a count when it carries one ("3 Data
// Added", TagoCore's "3 items added", "1 item(s) updated", "2 Data Removed", a bare
// number), or no count at all ("ok", true, null, no result, a 204). A 2xx answer with
// "status": true means the platform carried the write out whatever its result says, so
// no result shape is an error here: without a count, known is false and the caller
// counts what it sent.
type affected struct {
	n     int
	known bool
}

// decodeResult implements resultDecoder. Like every resultDecoder it rejects data
// after the one value, so fastResult's shortcut stays safe; it refuses nothing else.
func (a *affected) decodeResult(raw []byte) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	*a = affected{}
	switch v := v.(type) {
	case float64:
		if v >= 0 && v == math.Trunc(v) && v <= math.MaxInt32 {
			*a = affected{n: int(v), known: true}
		}
	case string:
		if n, ok := parseAffected(v); ok {
			*a = affected{n: n, known: true}
		}
	}
	return nil
}

// count returns the platform's count, or sent when the answer carried none.
func (a affected) count(sent int) int {
	if a.known {
		return a.n
	}
	return sent
}

// parseAffected reads the first whole number in a message such as "3 Data Removed";
// it reports false when the message holds none, or one out of range.
func parseAffected(s string) (int, bool) {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return 0, false
	}
	j := i
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(s[i:j])
	if err != nil || n > math.MaxInt32 {
		return 0, false
	}
	return n, true
}

// BatchError reports a Send or Edit that the SDK split into several requests and
// whose request number Batch (zero-based) failed; a call that needed one request
// returns that request's error as it is. The requests before the failed one succeeded
// and Stored says how many items the platform confirmed for them; the requests after
// it were not sent. The failed batch holds items[First : First+Size] of the caller's
// slice.
//
// MayBeStored says whether the platform may have carried the failed batch out (the
// rule of [MayBeStored]: a connection lost after the request was written, a timeout,
// HTTP 500, 502 or 504, an answer cut short). Then sending that batch again may store
// its items twice: read the device's data back to find out, or accept the loss. When
// MayBeStored is false the batch was refused as a whole (HTTP 4xx, 429, a 503 with
// Retry-After, a connection that never carried the request) and nothing of it is
// stored. Either way, items[e.NotStoredFrom():] are certainly not stored and can be
// sent again as they are.
type BatchError struct {
	// Batch is the zero-based index of the failed request.
	Batch int
	// Batches is how many requests the whole call needed.
	Batches int
	// First is the index, in the caller's slice, of the failed batch's first item.
	First int
	// Size is how many items the failed batch held.
	Size int
	// Stored is how many items the platform confirmed for the batches before it.
	Stored int
	// MayBeStored reports that the platform may have stored the failed batch (or
	// applied its edits), so resending it may store them twice; see [MayBeStored].
	MayBeStored bool
	// Err is why the batch failed.
	Err error
}

// Error returns "tago: batch 2 of 3 (items 8000-15999) failed after 8000 were stored:
// ...", saying so when the failed batch may be stored too.
func (e *BatchError) Error() string {
	maybe := ""
	if e.MayBeStored {
		maybe = " (and may be stored itself)"
	}
	return fmt.Sprintf("tago: batch %d of %d (items %d-%d) failed after %d were stored%s: %s",
		e.Batch+1, e.Batches, e.First, e.First+e.Size-1, e.Stored, maybe, strings.TrimPrefix(e.Err.Error(), "tago: "))
}

// Unwrap returns the batch's error, so errors.Is(err, ErrServer) and the like work.
func (e *BatchError) Unwrap() error { return e.Err }

// NotStoredFrom returns the index, in the caller's slice, from which no item is
// stored: items[e.NotStoredFrom():] can be sent again without storing anything twice.
// It is First+Size when the failed batch may be stored (MayBeStored), else First.
func (e *BatchError) NotStoredFrom() int {
	if e.MayBeStored {
		return e.First + e.Size
	}
	return e.First
}

func (e *BatchError) mayBeStored() bool { return e.MayBeStored }

// Request limits of the platform's data writes: at most 200 kB per request, about
// 8000 records.
const (
	maxBatchBytes  = 200_000
	maxBatchPoints = 8000
)

// encodeFunc appends item i as JSON to dst, or reports why it cannot be sent.
type encodeFunc func(dst []byte, i int) ([]byte, error)

// span is one batch: items [first, first+n) whose request body is size bytes.
type span struct{ first, n, size int }

// batchLimits are the limits of one write request: at most bytes of body and items
// items, the items joined by commas between open and close ("[" and "]" for a JSON
// array body).
type batchLimits struct {
	bytes, items int
	open, close  string
}

// dataLimits are the limits of the platform's device data writes.
var dataLimits = batchLimits{bytes: maxBatchBytes, items: maxBatchPoints, open: "[", close: "]"}

// wrap is the bytes open and close add to a body.
func (l batchLimits) wrap() int { return len(l.open) + len(l.close) }

// encodeBatches is encodeBatchesWithin for the platform's device data writes.
func encodeBatches(n int, what string, enc encodeFunc, send func(b int, sp span, body []byte) error) (int, error) {
	return encodeBatchesWithin(dataLimits, n, what, enc, send)
}

// encodeBatchesWithin validates and encodes n items (all of them, before anything is
// sent), splits them into bodies within lim, and calls send with each body in order,
// stopping at the first error. It returns how many batches the items need. Each body
// is a fresh slice, since a transport may still read one after its request returned.
func encodeBatchesWithin(lim batchLimits, n int, what string, enc encodeFunc, send func(b int, sp span, body []byte) error) (int, error) {
	var (
		all   = make([]byte, 0, min(n, lim.items)*96)
		start = make([]int, n) // offset of item i in all; items are joined by ','
		spans []span
		cur   = span{size: lim.wrap()}
	)
	for i := 0; i < n; i++ {
		sep := 0
		if i > 0 {
			all = append(all, ',')
			sep = 1
		}
		start[i] = len(all)
		var err error
		if all, err = enc(all, i); err != nil {
			return 0, err
		}
		size := len(all) - start[i]
		if err := lim.checkItemSize(what, i, size); err != nil {
			return 0, err
		}
		if cur.n == 0 {
			sep = 0
		}
		if cur.n == lim.items || cur.size+sep+size > lim.bytes {
			spans = append(spans, cur)
			cur, sep = span{first: i, size: lim.wrap()}, 0
		}
		cur.n++
		cur.size += sep + size
	}
	if cur.n > 0 {
		spans = append(spans, cur)
	}
	for b, sp := range spans {
		from := start[sp.first]
		body := make([]byte, 0, sp.size)
		body = append(body, lim.open...)
		body = append(body, all[from:from+sp.size-lim.wrap()]...)
		body = append(body, lim.close...)
		if err := send(b, sp, body); err != nil {
			return len(spans), err
		}
	}
	return len(spans), nil
}

// checkItemSize refuses an item whose JSON, size bytes, cannot fit in one request.
func checkItemSize(what string, i, size int) error { return dataLimits.checkItemSize(what, i, size) }

// checkItemSize refuses an item whose JSON, size bytes, cannot fit in one request
// within l.
func (l batchLimits) checkItemSize(what string, i, size int) error {
	if size+l.wrap() > l.bytes {
		return invalidf(indexKey(what, i, ""), "encodes to %d bytes, more than the platform's %d-byte request limit", size, l.bytes)
	}
	return nil
}

// ValidateData checks points exactly as [DataService.Send] does before sending
// anything, and returns the same *InputError (matching [ErrInvalidInput], naming the
// point and field, such as "points[3].value") for the first bad one, or nil. Queues that
// accept points now and send them later (the spool package, a gateway's buffer) use it
// to refuse a bad point at once instead of at delivery.
func ValidateData(points ...Data) error {
	var buf []byte
	for i := range points {
		var err error
		if buf, err = appendPoint(buf[:0], &points[i], i); err != nil {
			return err
		}
		if err := checkItemSize("points", i, len(buf)); err != nil {
			return err
		}
	}
	return nil
}

// sendBatches sends n items in as many requests as the platform's limits need and
// returns how many the platform confirmed. When the items need several requests, a
// failed one is a *BatchError; a single request's failure is returned as it is.
func sendBatches(ctx context.Context, c *Client, method, path string, kinds []TokenKind, n int, what string, enc encodeFunc) (int, error) {
	return sendBatchesWithin(ctx, c, dataLimits, &call{method: method, path: path, kinds: kinds}, n, what, enc)
}

// sendBatchesWithin sends n items as sendBatches does, in batches within lim, each as
// the body of a copy of cl (its method, path, kinds and replay rule).
func sendBatchesWithin(ctx context.Context, c *Client, lim batchLimits, cl *call, n int, what string, enc encodeFunc) (int, error) {
	if err := c.precheck(ctx, cl); err != nil {
		return 0, err
	}
	stored := 0
	var spans []span
	batches, err := encodeBatchesWithin(lim, n, what, enc, func(b int, sp span, body []byte) error {
		spans = append(spans, sp)
		one := *cl
		one.body = body
		got, err := do[affected](ctx, c, &one)
		if err != nil {
			return err
		}
		stored += got.count(sp.n)
		return nil
	})
	if err != nil && batches > 1 && len(spans) > 0 {
		sp := spans[len(spans)-1]
		return stored, &BatchError{Batch: len(spans) - 1, Batches: batches, First: sp.first, Size: sp.n, Stored: stored,
			MayBeStored: MayBeStored(err), Err: err}
	}
	return stored, err
}

// appendPoint appends a record to send as JSON, validating every field.
func appendPoint(dst []byte, p *Data, i int) ([]byte, error) {
	field := func(name string) string { return "points[" + strconv.Itoa(i) + "]." + name }
	if reason := variableProblem(p.Variable); reason != "" {
		return dst, invalidf(field("variable"), "%s", reason)
	}
	for _, f := range [...]struct {
		name, s string
		max     int
	}{{"unit", p.Unit, maxUnitChars}, {"group", p.Group, maxGroupChars}, {"serie", p.Serie, maxGroupChars}} {
		if n := utf8.RuneCountInString(f.s); n > f.max {
			return dst, invalidf(field(f.name), "must be at most %d characters, got %d", f.max, n)
		}
	}
	dst = append(dst, `{"variable":`...)
	dst = appendString(dst, p.Variable)
	var err error
	if p.Value != nil {
		dst = append(dst, `,"value":`...)
		if dst, err = appendValue(dst, p.Value); err != nil {
			return dst, invalidf(field("value"), "%v", err)
		}
	}
	if p.Unit != "" {
		dst = append(dst, `,"unit":`...)
		dst = appendString(dst, p.Unit)
	}
	if p.Group != "" {
		dst = append(dst, `,"group":`...)
		dst = appendString(dst, p.Group)
	}
	if p.Serie != "" {
		dst = append(dst, `,"serie":`...)
		dst = appendString(dst, p.Serie)
	}
	if !p.Time.IsZero() {
		if dst, err = appendTime(dst, `,"time":`, p.Time); err != nil {
			return dst, invalidf(field("time"), "%v", err)
		}
	}
	if p.Location != nil {
		if sub, reason := p.Location.problem(); sub != "" {
			return dst, invalidf(field("location."+sub), "%s", reason)
		}
		dst = append(dst, `,"location":`...)
		dst = appendLocation(dst, *p.Location)
	}
	if p.Metadata != nil {
		if dst, err = appendMetadata(dst, p.Metadata); err != nil {
			return dst, invalidf(field("metadata"), "%v", err)
		}
	}
	return append(dst, '}'), nil
}

// appendEdit appends a record edit as JSON, validating every field.
func appendEdit(dst []byte, e *DataEdit, i int) ([]byte, error) {
	field := func(name string) string { return "edits[" + strconv.Itoa(i) + "]." + name }
	if e.ID == "" {
		return dst, invalidf(field("id"), "must not be empty")
	}
	if e.Unit != nil {
		if n := utf8.RuneCountInString(*e.Unit); n > maxUnitChars {
			return dst, invalidf(field("unit"), "must be at most %d characters, got %d", maxUnitChars, n)
		}
	}
	if e.Group != nil {
		if n := utf8.RuneCountInString(*e.Group); n > maxGroupChars {
			return dst, invalidf(field("group"), "must be at most %d characters, got %d", maxGroupChars, n)
		}
	}
	if e.Value == nil && e.Unit == nil && e.Group == nil && e.Time.IsZero() && e.Location == nil && e.Metadata == nil {
		return dst, invalidf("edits["+strconv.Itoa(i)+"]", "changes nothing; set at least one field besides ID")
	}
	dst = append(dst, `{"id":`...)
	dst = appendString(dst, e.ID)
	var err error
	if e.Value != nil {
		dst = append(dst, `,"value":`...)
		if dst, err = appendValue(dst, e.Value); err != nil {
			return dst, invalidf(field("value"), "%v", err)
		}
	}
	if e.Unit != nil {
		dst = append(dst, `,"unit":`...)
		dst = appendString(dst, *e.Unit)
	}
	if e.Group != nil {
		dst = append(dst, `,"group":`...)
		dst = appendString(dst, *e.Group)
	}
	if !e.Time.IsZero() {
		if dst, err = appendTime(dst, `,"time":`, e.Time); err != nil {
			return dst, invalidf(field("time"), "%v", err)
		}
	}
	if e.Location != nil {
		if sub, reason := e.Location.problem(); sub != "" {
			return dst, invalidf(field("location."+sub), "%s", reason)
		}
		dst = append(dst, `,"location":`...)
		dst = appendLocation(dst, *e.Location)
	}
	if e.Metadata != nil {
		if dst, err = appendMetadata(dst, e.Metadata); err != nil {
			return dst, invalidf(field("metadata"), "%v", err)
		}
	}
	return append(dst, '}'), nil
}

// Limits of a data record, as the platform documents them; tagotest enforces the same.
const (
	maxVariableChars = 100      // a variable name, in characters
	maxUnitChars     = 25       // a unit, in characters
	maxGroupChars    = 100      // a group (or serie), in characters
	maxValueBytes    = 6 << 10  // a string value, in bytes of UTF-8 (6 kB)
	maxMetadataBytes = 10 << 10 // the metadata object, in bytes of JSON (10 kB)
)

// variableForbidden are the characters the platform refuses in a variable name, besides
// white space.
const variableForbidden = "*?!<>.-=$"

// variableProblem says what the platform would refuse in a variable name, or "" when it
// takes it: 1 to 100 characters, no white space and none of * ? ! < > . - = $. (The
// platform stores the name in lower case; upper-case letters are fine.)
func variableProblem(name string) string {
	if name == "" {
		return "must not be empty"
	}
	if n := utf8.RuneCountInString(name); n > maxVariableChars {
		return fmt.Sprintf("must be at most %d characters, got %d", maxVariableChars, n)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || strings.ContainsRune(variableForbidden, r) {
			return fmt.Sprintf("must not contain white space or any of * ? ! < > . - = $, found %q", r)
		}
	}
	return ""
}

// appendText appends a string value, refusing one longer than the platform stores.
// The length counted is the UTF-8 the platform receives: appendString turns each
// invalid byte into U+FFFD, three bytes.
func appendText(dst []byte, s string) ([]byte, error) {
	n := len(s)
	if !utf8.ValidString(s) {
		n = 0
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			n += utf8.RuneLen(r)
		}
	}
	if n > maxValueBytes {
		return dst, fmt.Errorf("a string value must be at most %d bytes, got %d", maxValueBytes, n)
	}
	return appendString(dst, s), nil
}

// maxExactInt is the largest integer every float64 (and so the platform) holds exactly.
const maxExactInt = 1 << 53

// appendValue appends a record value: a number, string, bool or Null.
func appendValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendText(dst, v)
	case bool:
		return strconv.AppendBool(dst, v), nil
	case NullValue:
		return append(dst, "null"...), nil
	}
	switch kindOf(v) {
	case ValueNumber:
		return appendNumber(dst, v)
	case ValueString:
		s, _ := Data{Value: v}.Text()
		return appendText(dst, s)
	case ValueBool:
		b, _ := Data{Value: v}.Bool()
		return strconv.AppendBool(dst, b), nil
	case ValueJSON:
		return dst, errors.New("must be a number, string, bool or nil: an object or array (read from a record another client stored) cannot be sent")
	}
	return dst, fmt.Errorf("must be a number, string, bool or nil, got %T", v)
}

// appendNumber appends a numeric value, rejecting NaN, ±Inf and integers the platform
// would round.
func appendNumber(dst []byte, v any) ([]byte, error) {
	switch n := v.(type) {
	case float64:
		return appendFloat(dst, n, 64)
	case int:
		return appendInt(dst, int64(n))
	case json.Number:
		s := string(n)
		d := dataDecoder{buf: []byte(s)}
		f, err := d.number()
		if err == nil && d.pos != len(s) {
			err = errors.New("trailing characters")
		}
		if err != nil {
			return dst, fmt.Errorf("json.Number %q is not a valid finite JSON number", s)
		}
		if math.IsInf(f, 0) {
			return dst, fmt.Errorf("json.Number %q is out of range", s)
		}
		return append(dst, s...), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Float32:
		return appendFloat(dst, rv.Float(), 32)
	case reflect.Float64:
		return appendFloat(dst, rv.Float(), 64)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendInt(dst, rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > maxExactInt {
			return dst, fmt.Errorf("integer %d is too large to be stored exactly (the platform keeps numbers as 64-bit floats; send it as a string)", u)
		}
		return strconv.AppendUint(dst, u, 10), nil
	}
	return dst, fmt.Errorf("must be a number, got %T", v)
}

// appendInt appends an integer the platform can hold exactly.
func appendInt(dst []byte, n int64) ([]byte, error) {
	if n > maxExactInt || n < -maxExactInt {
		return dst, fmt.Errorf("integer %d is too large to be stored exactly (the platform keeps numbers as 64-bit floats; send it as a string)", n)
	}
	return strconv.AppendInt(dst, n, 10), nil
}

// appendFloat appends a finite float in the shortest form that reads back exactly,
// like encoding/json: plain decimals between 1e-6 and 1e21, exponents outside.
func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("must be a finite number, got %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' { // 1e-07 -> 1e-7
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

// appendTime appends key and t as the platform's ISO-8601 form, in UTC with
// milliseconds: "2006-01-02T15:04:05.000Z".
func appendTime(dst []byte, key string, t time.Time) ([]byte, error) {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return dst, fmt.Errorf("year %d is outside 0-9999", year)
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	dst = append(dst, key...)
	dst = append(dst, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
	return dst, nil
}

// appendLocation appends a location as a GeoJSON Point.
func appendLocation(dst []byte, l Location) []byte {
	dst = append(dst, `{"type":"Point","coordinates":[`...)
	dst, _ = appendFloat(dst, l.Lng, 64)
	dst = append(dst, ',')
	dst, _ = appendFloat(dst, l.Lat, 64)
	return append(dst, "]}"...)
}

// appendMetadata appends ,"metadata":{...} using encoding/json for the free-form map,
// refusing metadata larger than the platform stores.
func appendMetadata(dst []byte, m map[string]any) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return dst, err
	}
	if len(b) > maxMetadataBytes {
		return dst, fmt.Errorf("must encode to at most %d bytes of JSON, got %d", maxMetadataBytes, len(b))
	}
	dst = append(dst, `,"metadata":`...)
	return append(dst, b...), nil
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as with
// encoding/json; U+2028 and U+2029 are escaped for JavaScript readers.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
