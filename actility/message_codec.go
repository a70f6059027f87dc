package actility

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-tago/tago"
)

// The message codec: ThingPark writes every member either typed or as a string, so
// each message type lists its fields (uplinkFields, ...) and these helpers read and
// write them, keeping unknown members.

// wrap returns {"root": inner}.
func wrap(root string, inner []byte) []byte {
	out := make([]byte, 0, len(inner)+len(root)+5)
	out = append(out, `{"`...)
	out = append(out, root...)
	out = append(out, `":`...)
	out = append(out, inner...)
	return append(out, '}')
}

// requiredString binds a string field written even when empty.
type requiredString struct{ s *string }

// jsonBool binds a flag written as a JSON boolean (location messages), where **bool
// fields are written as "1" or "0" (ThingPark's downlink flags).
type jsonBool struct{ b **bool }

// timeField binds a time field and the text it was read from.
type timeField struct {
	t    *time.Time
	text *string
}

// value returns the time's text: the text as read while it denotes the same instant,
// else the time in [TimeLayout]. ok is false for a zero time.
func (f timeField) value() (string, bool) {
	if f.t.IsZero() {
		return "", false
	}
	if *f.text != "" {
		if t, err := parseTime(*f.text); err == nil && t.Equal(*f.t) {
			return *f.text, true
		}
	}
	return f.t.Format(TimeLayout), true
}

// decodeFields decodes the JSON object b into the named fields of *out and returns the
// other members. where names the object in errors.
func decodeFields[T any](b []byte, where string, out *T, fields []field[T]) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("%w: %s is not a JSON object", ErrMalformed, where)
	}
	for _, f := range fields {
		raw, ok := obj[f.key]
		if !ok {
			continue
		}
		delete(obj, f.key)
		if err := decodeValue(raw, f.ptr(out)); err != nil {
			return nil, fmt.Errorf("%w: %s.%s: %s", ErrMalformed, where, f.key, err.Error())
		}
	}
	if len(obj) == 0 {
		return nil, nil
	}
	return obj, nil
}

// isNull reports whether raw is JSON null (or missing).
func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// scalarText returns the text of a JSON string, or of a number or boolean as written.
// ok is false for null, objects and arrays.
func scalarText(raw json.RawMessage) (text string, quoted, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false, false
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", true, false
		}
		return s, true, true
	case '{', '[', 'n':
		return "", false, false
	default:
		return string(raw), false, true
	}
}

// decodeValue decodes raw into the field dst points to, accepting the untyped
// variant's strings for numbers, flags and times. null and "" leave optional fields
// unset.
func decodeValue(raw json.RawMessage, dst any) error {
	if isNull(raw) {
		return nil
	}
	switch p := dst.(type) {
	case *json.RawMessage:
		*p = append(json.RawMessage(nil), bytes.TrimSpace(raw)...)
		return nil
	case *[]Lrr:
		return decodeLrrs(raw, p)
	case *[]float64:
		return decodeFloats(raw, p)
	case **RawPosition:
		var rp RawPosition
		if err := rp.UnmarshalJSON(raw); err != nil {
			return errors.New(strings.TrimPrefix(err.Error(), ErrMalformed.Error()+": "))
		}
		*p = &rp
		return nil
	case *[]Beacon:
		var list []Beacon
		if err := json.Unmarshal(raw, &list); err != nil {
			if errors.Is(err, ErrMalformed) {
				return errors.New(strings.TrimPrefix(err.Error(), ErrMalformed.Error()+": "))
			}
			return errors.New("want an array of objects")
		}
		*p = list
		return nil
	}
	text, quoted, ok := scalarText(raw)
	if !ok {
		return errors.New("want a scalar value")
	}
	text = strings.TrimSpace(text)
	switch p := dst.(type) {
	case *string:
		*p = text
	case *tago.Secret:
		*p = tago.Secret(text)
	case *int:
		if text == "" {
			return nil
		}
		n, err := parseInt(text)
		if err != nil {
			return err
		}
		*p = n
	case **int:
		if text == "" {
			return nil
		}
		n, err := parseInt(text)
		if err != nil {
			return err
		}
		*p = &n
	case **float64:
		if text == "" {
			return nil
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("%q is not a number", clip(text, 32))
		}
		*p = &f
	case **bool:
		if text == "" {
			return nil
		}
		b, err := parseFlag(text)
		if err != nil {
			return err
		}
		*p = &b
	case *time.Time:
		return decodeTime(text, quoted, p, nil)
	case timeField:
		return decodeTime(text, quoted, p.t, p.text)
	case jsonBool:
		return decodeValue(raw, p.b)
	case requiredString:
		return decodeValue(raw, p.s)
	default:
		return fmt.Errorf("unsupported field type %T", dst)
	}
	return nil
}

// decodeTime reads a time string into *t, and its text into *text when text is set.
func decodeTime(s string, quoted bool, t *time.Time, text *string) error {
	if s == "" {
		return nil
	}
	if !quoted {
		return errors.New("want a time string")
	}
	v, err := parseTime(s)
	if err != nil {
		return err
	}
	*t = v
	if text != nil {
		*text = s
	}
	return nil
}

// decodeFloats reads an array of numbers, written as numbers or (untyped variant) as
// strings.
func decodeFloats(raw json.RawMessage, dst *[]float64) error {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return errors.New("want an array of numbers")
	}
	out := make([]float64, 0, len(items))
	for _, it := range items {
		var f *float64
		if err := decodeValue(it, &f); err != nil {
			return err
		}
		if f == nil {
			return errors.New("want an array of numbers")
		}
		out = append(out, *f)
	}
	*dst = out
	return nil
}

// decodeLrrs reads {"Lrr": [...]}; a single object in place of the array is accepted,
// as XML-to-JSON conversions produce it for one gateway.
func decodeLrrs(raw json.RawMessage, dst *[]Lrr) error {
	var wrapper struct {
		Lrr json.RawMessage `json:"Lrr"`
	}
	if err := json.Unmarshal(raw, &wrapper); err != nil {
		return errors.New(`want {"Lrr": [...]}`)
	}
	list := bytes.TrimSpace(wrapper.Lrr)
	if isNull(list) {
		return nil
	}
	if list[0] == '{' {
		var one Lrr
		if err := one.UnmarshalJSON(list); err != nil {
			return err
		}
		*dst = []Lrr{one}
		return nil
	}
	var many []Lrr
	if err := json.Unmarshal(list, &many); err != nil {
		if errors.Is(err, ErrMalformed) { // a gateway's field: say which, once
			return errors.New(strings.TrimPrefix(err.Error(), ErrMalformed.Error()+": "))
		}
		return errors.New(`want {"Lrr": [...]}`)
	}
	*dst = many
	return nil
}

// parseInt reads an integer written as such or as an integral decimal ("7.000000").
func parseInt(text string) (int, error) {
	if n, err := strconv.ParseInt(text, 10, strconv.IntSize); err == nil {
		return int(n), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt || f >= math.MaxInt {
		return 0, fmt.Errorf("%q is not an integer", clip(text, 32))
	}
	return int(f), nil
}

// parseFlag reads a flag written as a boolean, 0 or 1, "true" or "false".
func parseFlag(text string) (bool, error) {
	switch strings.ToLower(text) {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a flag (0, 1, true or false)", clip(text, 32))
}

// timeLayouts are the forms of ThingPark times accepted; those without a zone are UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

// parseTime reads a ThingPark time.
func parseTime(text string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, text); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time", clip(text, 40))
}

// encodeFields writes the named fields of *v that are set, in order, then extra's
// members that do not clash with them, sorted by key. Secrets are written as they are
// when reveal is set, masked otherwise.
func encodeFields[T any](v *T, fields []field[T], extra map[string]json.RawMessage, reveal bool) ([]byte, error) {
	buf := []byte{'{'}
	member := func(key string, val []byte) {
		if len(buf) > 1 {
			buf = append(buf, ',')
		}
		k, _ := json.Marshal(key) // a string always marshals
		buf = append(buf, k...)
		buf = append(buf, ':')
		buf = append(buf, val...)
	}
	named := make(map[string]bool, len(fields))
	for _, f := range fields {
		named[f.key] = true
		val, err := encodeValue(f.ptr(v), reveal)
		if err != nil {
			return nil, fmt.Errorf("actility: %s: %w", f.key, err)
		}
		if val != nil {
			member(f.key, val)
		}
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !named[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		raw := bytes.TrimSpace(extra[k])
		if len(raw) == 0 {
			continue
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("actility: Extra[%q] is not valid JSON", k)
		}
		member(k, raw)
	}
	return append(buf, '}'), nil
}

// encodeValue returns the JSON of the field src points to, or nil when it is unset.
// Required integers (plain int fields) are always written. A secret is written as it
// is when reveal is set, masked otherwise.
func encodeValue(src any, reveal bool) ([]byte, error) {
	switch p := src.(type) {
	case *string:
		if *p == "" {
			return nil, nil
		}
		return json.Marshal(*p)
	case *tago.Secret:
		if *p == "" {
			return nil, nil
		}
		if !reveal {
			return json.Marshal(p.String())
		}
		return json.Marshal(p.Reveal())
	case *int:
		return strconv.AppendInt(nil, int64(*p), 10), nil
	case **int:
		if *p == nil {
			return nil, nil
		}
		return strconv.AppendInt(nil, int64(**p), 10), nil
	case **float64:
		if *p == nil {
			return nil, nil
		}
		return json.Marshal(**p) // fails on NaN and infinities
	case **bool:
		if *p == nil {
			return nil, nil
		}
		if **p {
			return []byte(`"1"`), nil
		}
		return []byte(`"0"`), nil
	case *time.Time:
		if p.IsZero() {
			return nil, nil
		}
		return strconv.AppendQuote(nil, p.Format(TimeLayout)), nil
	case timeField:
		text, ok := p.value()
		if !ok {
			return nil, nil
		}
		return json.Marshal(text)
	case jsonBool:
		if *p.b == nil {
			return nil, nil
		}
		return strconv.AppendBool(nil, **p.b), nil
	case requiredString:
		return json.Marshal(*p.s)
	case *json.RawMessage:
		raw := bytes.TrimSpace(*p)
		if len(raw) == 0 {
			return nil, nil
		}
		if !json.Valid(raw) {
			return nil, errors.New("not valid JSON")
		}
		return raw, nil
	case *[]Lrr:
		if *p == nil {
			return nil, nil
		}
		list, err := json.Marshal(*p)
		if err != nil {
			return nil, err
		}
		return append(append([]byte(`{"Lrr":`), list...), '}'), nil
	case *[]float64:
		if *p == nil {
			return nil, nil
		}
		return json.Marshal(*p) // fails on NaN and infinities
	case **RawPosition:
		if *p == nil {
			return nil, nil
		}
		return (*p).MarshalJSON()
	case *[]Beacon:
		if *p == nil {
			return nil, nil
		}
		return json.Marshal(*p)
	}
	return nil, fmt.Errorf("unsupported field type %T", src)
}

// NormalizeDevEUI returns the DevEUI as TagoIO stores a LoRaWAN Actility device's
// serial: 16 upper-case hexadecimal digits, without the separators people write it with
// ("00-18-B2-00-00-00-0B-EE", "0018b200:00000bee"). Anything else fails with
// [ErrInvalidDevEUI].
func NormalizeDevEUI(s string) (string, error) {
	var b [16]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == ':' || c == ' ':
			continue
		case '0' <= c && c <= '9' || 'A' <= c && c <= 'F':
		case 'a' <= c && c <= 'f':
			c -= 'a' - 'A'
		default:
			return "", fmt.Errorf("%w: want 16 hexadecimal digits, found %q", ErrInvalidDevEUI, clip(s, 40))
		}
		if n == len(b) {
			return "", fmt.Errorf("%w: more than 16 hexadecimal digits", ErrInvalidDevEUI)
		}
		b[n] = c
		n++
	}
	if n != len(b) {
		return "", fmt.Errorf("%w: want 16 hexadecimal digits, got %d", ErrInvalidDevEUI, n)
	}
	return string(b[:]), nil
}

// clip shortens s to at most n bytes for an error message, without splitting a UTF-8
// sequence, and marks the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
