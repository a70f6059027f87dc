package tago

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeBoth decodes in with the fast decoder and with encoding/json into stdData.
func decodeBoth(in []byte) (ours []Data, oursErr error, std []stdData, stdErr error) {
	var l dataList
	oursErr = l.decodeResult(in)
	stdErr = json.Unmarshal(in, &std)
	return l, oursErr, std, stdErr
}

// sameAsStd checks that the fast decoder's records equal encoding/json's, converted.
func sameAsStd(ours []Data, std []stdData) error {
	if len(ours) != len(std) {
		return fmt.Errorf("%d records, encoding/json has %d", len(ours), len(std))
	}
	for i := range std {
		want, err := std[i].toData()
		if err != nil {
			return fmt.Errorf("record %d: %v", i, err)
		}
		if !reflect.DeepEqual(want, ours[i]) {
			return fmt.Errorf("record %d:\n ours %#v\n std  %#v", i, ours[i], want)
		}
	}
	return nil
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	env, err := parseEnvelope(dataBody(10_000))
	require.NoError(t, err)
	ours, oursErr, std, stdErr := decodeBoth(env.result)
	require.NoError(t, oursErr)
	require.NoError(t, stdErr)
	require.Len(t, ours, 10_000)
	assert.NoError(t, sameAsStd(ours, std))

	// Spot checks against the generator, so the comparison cannot pass vacuously.
	assert.Equal(t, "65a1b2c3d4e5f60718290000", ours[0].ID)
	assert.Equal(t, "65a1b2c3d4e5f6071829270f", ours[9999].ID)
	assert.Equal(t, "temperature", ours[0].Variable)
	assert.Equal(t, 18.0, ours[0].Value)
	assert.Equal(t, "alarm: door held open", ours[3].Value)
	assert.Equal(t, &Location{Lat: 42.2974279, Lng: -85.628292}, ours[0].Location)
	assert.Equal(t, map[string]any{"color": "#ff0000", "label": "hot", "x": 10.0}, ours[10].Metadata)
	assert.Equal(t, time.Date(2024, 1, 15, 10, 1, 1, 234e6, time.UTC), ours[6].CreatedAt)
}

func TestDecodeEdgeCasesMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		sampleRecords,
		`[]`, `null`, ` [ null , {} ] `,
		`[{"id":"a\"b\\c\/d\b\f\n\r\t","variable":"\u00e9\u4e2d\ud83d\ude00","unit":"\ud800x","group":"\udc00\ud800\u0041"}]`,
		"[{\"variable\":\"caf\xc3\xa9 \xff\xfe bad \xe2\x82\"}]",
		`[{"value":-0},{"value":0.5e-3},{"value":123456789012345},{"value":1234567890123456789},{"value":1E+2},{"value":-12.5e1}]`,
		`[{"value":9007199254740993},{"value":4.9e-324},{"value":1e-400}]`,
		`[{"time":"2024-02-29T23:59:59.999999999Z","created_at":"2024-01-01T00:00:00+05:30"}]`,
		`[{"time":"0000-01-01T00:00:00Z"},{"time":"9999-12-31T23:59:59.1Z"},{"time":null}]`,
		`[{"location":{"coordinates":[1,2,3],"type":"Point","bbox":[1]}},{"location":{"lat":-90,"lng":180}},{"location":{}},{"location":{"type":null}}]`,
		`[{"location":{"lat":1,"lng":2,"coordinates":null}},{"location":{"coordinates":[5,6],"lat":1,"lng":2}}]`,
		`[{"metadata":{"a":[1,"x",true,null,{"b":{}}],"c":[],"d":{"e":-1.5}}},{"metadata":{}}]`,
		`[{"unknown":{"deep":[[[{"x":1e999}]]]},"other":"s","n":-0.0e-0,"b":false,"variable":"v"}]`,
		`[{"device":"","origin":"o1"},{"origin":"o2","device":"d2"},{"origin":null}]`,
		`[{"value":"long string ` + strings.Repeat("x", 100) + `"},{"value":"ok"},{"value":"ok"}]`,
	} {
		ours, oursErr, std, stdErr := decodeBoth([]byte(in))
		require.NoError(t, stdErr, in)
		require.NoError(t, oursErr, in)
		assert.NoError(t, sameAsStd(ours, std), in)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`{"a":1}`, `expected an array of data records: invalid character '{' at offset 0 while reading the result`},
		{`5`, `expected an array of data records: invalid character '5' at offset 0 while reading the result`},
		{`[1]`, `data[0]: expected a data record object: invalid character '1' at offset 1 while reading a record`},
		{`[{"value":01}]`, `data[0]: invalid character '1' at offset 11 while reading a record`},
		{`[{"value":1.}]`, `data[0].value: invalid character '}' at offset 12 while reading a number`},
		{`[{"value":tru}]`, `data[0].value: invalid character 't' at offset 10 while reading a literal`},
		{`[{"x":"a` + "\x01" + `"}]`, `data[0].x: invalid character '\x01' at offset 8 while reading a string`},
		{`[{"variable":"a"`, `data[0]: unexpected end of JSON while reading a record`},
		{`[{"variable":"a"}`, `unexpected end of JSON while reading the array of data records`},
		{`[{"variable":"a"}] x`, `invalid character 'x' at offset 19 while reading the end of the JSON value`},
		{`[{"variable":"a\x"}]`, `data[0].variable: invalid character '\\' at offset 15 while reading an escape sequence`},
		{`[{"variable":"\u12"}]`, `data[0].variable: invalid character '\\' at offset 14 while reading a \u escape`},
		{`[{"variable" "a"}]`, `data[0]: invalid character '"' at offset 13 while reading a record`},
		{``, `expected an array of data records: unexpected end of JSON while reading the result`},
		{`[{"value":{"a":}}]`, `data[0].value: invalid character '}' at offset 15 while reading a value`},
		{`[{"metadata":[1,]}]`, `data[0].metadata: invalid character ']' at offset 16 while reading a value`},
		{`[{"location":{"lat":1 "lng":2}}]`, `data[0].location: invalid character '"' at offset 22 while reading a location`},
		{`[{"variable":tru}]`, `data[0].variable: invalid character 't' at offset 13 while reading a string`},
	} {
		var l dataList
		err := l.decodeResult([]byte(tc.in))
		if assert.Error(t, err, tc.in) {
			assert.Equal(t, tc.want, err.Error(), tc.in)
		}
		assert.Nil(t, l, tc.in)
	}
}

// TestDecodeForeignRecordsAreKept checks the lenient read: valid JSON that does not fit
// a record's typed field (another client stored it) is kept, raw, instead of failing
// the whole answer.
func TestDecodeForeignRecordsAreKept(t *testing.T) {
	t.Parallel()
	raw := func(kv ...string) map[string]json.RawMessage {
		m := map[string]json.RawMessage{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = json.RawMessage(kv[i+1])
		}
		return m
	}
	for _, tc := range []struct {
		in   string
		want Data
	}{
		{`{"variable":1}`, Data{Extra: raw("variable", `1`)}},
		{`{"id":5,"device":true,"origin":[],"unit":{},"group":2.5,"serie":7}`,
			Data{Extra: raw("id", `5`, "device", `true`, "origin", `[]`, "unit", `{}`, "group", `2.5`, "serie", `7`)}},
		{`{"value":{"a":1}}`, Data{Value: json.RawMessage(`{"a":1}`)}},
		{`{"value": [1, {"b": [2]}] }`, Data{Value: json.RawMessage(`[1, {"b": [2]}]`)}},
		{`{"value":1e400}`, Data{Value: json.Number("1e400")}},
		{`{"value":-1e400}`, Data{Value: json.Number("-1e400")}},
		{`{"time":"yesterday"}`, Data{Extra: raw("time", `"yesterday"`)}},
		{`{"time":"2023-02-29T00:00:00Z"}`, Data{Extra: raw("time", `"2023-02-29T00:00:00Z"`)}},
		{`{"time":5,"created_at":{}}`, Data{Extra: raw("time", `5`, "created_at", `{}`)}},
		{`{"location":[1,2]}`, Data{Extra: raw("location", `[1,2]`)}},
		{`{"location":{"lat":1}}`, Data{Extra: raw("location", `{"lat":1}`)}},
		{`{"location":{"coordinates":[1]}}`, Data{Extra: raw("location", `{"coordinates":[1]}`)}},
		{`{"location":{"coordinates":[1,null]}}`, Data{Extra: raw("location", `{"coordinates":[1,null]}`)}},
		{`{"location":{"type":5,"coordinates":[1,2]}}`, Data{Extra: raw("location", `{"type":5,"coordinates":[1,2]}`)}},
		{`{"location":{"lat":1e999,"lng":2}}`, Data{Extra: raw("location", `{"lat":1e999,"lng":2}`)}},
		{`{"metadata":[1, {"a": 2}]}`, Data{Extra: raw("metadata", `[1, {"a": 2}]`)}},
		{`{"metadata":"note"}`, Data{Extra: raw("metadata", `"note"`)}},
		{`{"metadata":{"a":1e999}}`, Data{Extra: raw("metadata", `{"a":1e999}`)}},
		// A repeated member: the last one counts, as with encoding/json.
		{`{"metadata":[1],"metadata":{"a":1}}`, Data{Metadata: map[string]any{"a": 1.0}}},
		{`{"metadata":{"a":1},"metadata":[1]}`, Data{Extra: raw("metadata", `[1]`)}},
		{`{"id":"x","id":5}`, Data{Extra: raw("id", `5`)}},
		{`{"id":5,"id":"65a1b2c3d4e5f6071829aaa1"}`, Data{ID: "65a1b2c3d4e5f6071829aaa1"}},
		{`{"device":"d","origin":1}`, Data{Device: "d", Extra: raw("origin", `1`)}},
	} {
		var l dataList
		require.NoError(t, l.decodeResult([]byte(`[`+tc.in+`]`)), tc.in)
		require.Len(t, l, 1)
		assert.Equal(t, tc.want, l[0], tc.in)

		var one Data
		require.NoError(t, json.Unmarshal([]byte(tc.in), &one), tc.in)
		assert.Equal(t, tc.want, one, tc.in)
	}
}

func TestDecodeDeepNesting(t *testing.T) {
	t.Parallel()
	deep := `[{"metadata":{"a":` + strings.Repeat("[", maxDecodeDepth) + strings.Repeat("]", maxDecodeDepth) + `}}]`
	var l dataList
	assert.ErrorContains(t, l.decodeResult([]byte(deep)), "exceeded max depth")
	skipped := `[{"x":` + strings.Repeat("[", maxDecodeDepth+1) + strings.Repeat("]", maxDecodeDepth+1) + `}]`
	assert.ErrorContains(t, l.decodeResult([]byte(skipped)), "exceeded max depth")
}

func TestDecodeIDBlocks(t *testing.T) {
	t.Parallel()
	// More IDs than one block holds, with nulls and duplicates in between.
	var b strings.Builder
	b.WriteString("[")
	n := 3 * idBlockSize / 24
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		switch i % 7 {
		case 3:
			fmt.Fprintf(&b, `{"id":null,"variable":"v"}`)
		case 5:
			fmt.Fprintf(&b, `{"id":"first","id":"%024d"}`, i)
		case 6:
			fmt.Fprintf(&b, `{"id":"%024d","id":null}`, i)
		default:
			fmt.Fprintf(&b, `{"id":"%024d"}`, i)
		}
	}
	b.WriteString("]")
	var l dataList
	require.NoError(t, l.decodeResult([]byte(b.String())))
	require.Len(t, l, n)
	for i, d := range l {
		want := fmt.Sprintf("%024d", i)
		if i%7 == 3 || i%7 == 6 {
			want = ""
		}
		require.Equal(t, want, d.ID, "record %d", i)
	}
}

func TestDecodeClipsOverestimatedSlice(t *testing.T) {
	t.Parallel()
	in := `[{"metadata":{"a":{},"b":{},"c":{},"d":{},"e":{},"f":{},"g":{},"h":{}}}` +
		strings.Repeat(`,{"metadata":{"a":{},"b":{},"c":{},"d":{},"e":{},"f":{},"g":{},"h":{}}}`, 99) + `]`
	var l dataList
	require.NoError(t, l.decodeResult([]byte(in)))
	assert.Len(t, l, 100)
	assert.LessOrEqual(t, cap(l), 2*len(l)+16)
}

func TestParseUTCTimeMatchesTimePackage(t *testing.T) {
	t.Parallel()
	var cases []string
	for _, y := range []int{0, 1, 4, 100, 400, 1582, 1900, 1970, 1999, 2000, 2023, 2024, 2100, 9999} {
		for m := 0; m <= 13; m++ {
			for _, d := range []int{0, 1, 28, 29, 30, 31, 32} {
				cases = append(cases, fmt.Sprintf("%04d-%02d-%02dT12:34:56Z", y, m, d))
			}
		}
	}
	cases = append(cases, []string{
		"2024-01-02T00:00:00.1Z", "2024-01-02T00:00:00.123456789Z", "2024-01-02T00:00:00.1234567891Z",
		"2024-01-02T23:59:59.000Z", "2024-01-02T24:00:00Z", "2024-01-02T23:60:00Z", "2024-01-02T23:59:60Z",
		"2024-01-02T03:04:05.Z", "2024-01-02T03:04:05,5Z", "2024-01-02t03:04:05Z", "2024-01-02T03:04:05z",
		"2024-01-02T03:04:05+00:00", "2024-01-02 03:04:05Z", "2024-1-02T03:04:05Z", "+024-01-02T03:04:05Z",
		"2024-01-02T03:04:0aZ", "2024-01-02T03:04:05.12a4Z", "2024-01-02T03:04:05",
	}...)
	for _, s := range cases {
		got, ok := parseUTCTime([]byte(s))
		var want time.Time
		err := want.UnmarshalJSON([]byte(`"` + s + `"`))
		if ok {
			require.NoError(t, err, s)
			require.True(t, got == want, "%s: %v, time package says %v", s, got, want)
		}
		// What the fast path declines, the decoder hands to the time package; what that
		// refuses is kept raw in Extra.
		var l dataList
		require.NoError(t, l.decodeResult([]byte(`[{"time":"`+s+`"}]`)), s)
		require.True(t, l[0].Time == want, s)
		require.Equal(t, err != nil, l[0].Extra["time"] != nil, s)
	}
	for y := 0; y <= 9999; y += 7 {
		for m := 1; m <= 12; m++ {
			d := daysIn(m, y)
			want := time.Date(y, time.Month(m), d, 23, 59, 59, 999_000_000, time.UTC)
			got, ok := parseUTCTime(want.AppendFormat(nil, "2006-01-02T15:04:05.000Z"))
			require.True(t, ok)
			require.True(t, got == want, "%v != %v", got, want)
		}
	}
}

func TestLocationSlabIsNotShared(t *testing.T) {
	t.Parallel()
	var l dataList
	require.NoError(t, l.decodeResult([]byte(`[{"location":{"lat":1,"lng":2}},{"location":{"lat":3,"lng":4}}]`)))
	l[0].Location.Lat = 9
	assert.Equal(t, Location{Lat: 3, Lng: 4}, *l[1].Location)
}

// recordKeys and locationKeys are the members stdData and stdLocation decode.
var (
	recordKeys   = []string{"id", "device", "origin", "variable", "value", "unit", "group", "serie", "location", "metadata", "time", "created_at"}
	locationKeys = []string{"type", "coordinates", "lat", "lng"}
)

// comparable reports whether encoding/json and the fast decoder should agree on in:
// no record or location repeats a member, or spells one in another case (encoding/json
// matches "ID" to "id"; the platform never sends either), and no location holds a null
// coordinate (encoding/json reads it as 0; the fast decoder rejects it).
func comparable(in []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return err == nil
	}
	for dec.More() {
		if !walk(dec, recordKeys, true) {
			return false
		}
	}
	return true
}

// walk reads one value; for an object it checks the members against known (none when
// nil) and descends into "location" when record is true.
func walk(dec *json.Decoder, known []string, record bool) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return false
			}
			k := kt.(string)
			if known != nil {
				if seen[k] {
					return false
				}
				seen[k] = true
				for _, f := range known {
					if k != f && strings.EqualFold(k, f) {
						return false
					}
				}
			}
			switch {
			case record && k == "location":
				if !walk(dec, locationKeys, false) {
					return false
				}
			case !record && known != nil && k == "coordinates":
				if !coordinatesWithoutNull(dec) {
					return false
				}
			default:
				if !walk(dec, nil, false) {
					return false
				}
			}
		}
		_, err = dec.Token()
		return err == nil
	case json.Delim('['):
		for dec.More() {
			if !walk(dec, nil, false) {
				return false
			}
		}
		_, err = dec.Token()
		return err == nil
	}
	return true
}

// coordinatesWithoutNull reads a coordinates value, false if it is an array with a null.
func coordinatesWithoutNull(dec *json.Decoder) bool {
	var raw json.RawMessage
	if dec.Decode(&raw) != nil {
		return false
	}
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) == nil {
		for _, e := range elems {
			if string(e) == "null" {
				return false
			}
		}
	}
	return true
}

// stdLenient is the lenient read done with encoding/json, member by member: the oracle
// the fast decoder is fuzzed against. Each known member is decoded into its typed field
// with encoding/json; one that does not fit is kept raw in Extra (an object or array
// value in Value, a number beyond float64 as a json.Number).
func stdLenient(in []byte) ([]Data, error) {
	var recs []json.RawMessage
	if err := json.Unmarshal(in, &recs); err != nil {
		return nil, err
	}
	out := make([]Data, len(recs))
	for i, rec := range recs {
		if string(rec) == "null" {
			continue
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(rec, &members); err != nil {
			return nil, err
		}
		d := &out[i]
		keep := func(k string) {
			if d.Extra == nil {
				d.Extra = map[string]json.RawMessage{}
			}
			d.Extra[k] = members[k]
		}
		var origin string
		for k, dst := range map[string]*string{"id": &d.ID, "device": &d.Device, "origin": &origin,
			"variable": &d.Variable, "unit": &d.Unit, "group": &d.Group, "serie": &d.Serie} {
			if raw, ok := members[k]; ok && json.Unmarshal(raw, dst) != nil {
				*dst = ""
				keep(k)
			}
		}
		if raw, ok := members["value"]; ok {
			var v any
			switch {
			case raw[0] == '{' || raw[0] == '[':
				d.Value = json.RawMessage(raw)
			case json.Unmarshal(raw, &v) != nil:
				d.Value = json.Number(raw)
			default:
				d.Value = v
			}
		}
		for k, dst := range map[string]*time.Time{"time": &d.Time, "created_at": &d.CreatedAt} {
			if raw, ok := members[k]; ok && json.Unmarshal(raw, dst) != nil {
				*dst = time.Time{}
				keep(k)
			}
		}
		if raw, ok := members["location"]; ok {
			var l *stdLocation
			if json.Unmarshal(raw, &l) != nil {
				keep("location")
			} else if conv, err := (stdData{Location: l}).toData(); err != nil {
				keep("location")
			} else {
				d.Location = conv.Location
			}
		}
		if raw, ok := members["metadata"]; ok {
			var m map[string]any
			if json.Unmarshal(raw, &m) != nil {
				keep("metadata")
			} else {
				d.Metadata = m
			}
		}
		if d.Device == "" {
			d.Device = origin
		}
	}
	return out, nil
}

// sameRecords compares the fast decoder's records with the oracle's.
func sameRecords(ours, std []Data) error {
	if len(ours) != len(std) {
		return fmt.Errorf("%d records, the oracle has %d", len(ours), len(std))
	}
	for i := range std {
		if !reflect.DeepEqual(std[i], ours[i]) {
			return fmt.Errorf("record %d:\n ours   %#v\n oracle %#v", i, ours[i], std[i])
		}
	}
	return nil
}

func TestDecodeLenientMatchesOracle(t *testing.T) {
	t.Parallel()
	env, err := parseEnvelope(dataBody(200))
	require.NoError(t, err)
	for _, in := range []string{
		string(env.result), sampleRecords, `[]`, `null`, `[null,{}]`,
		`[{"variable":"b","value":{"x":1},"metadata":[1, {"a": 2}],"serie":7,"type":"object"}]`,
		`[{"value":[1,2],"time":1704164645,"created_at":"yesterday","location":"here"}]`,
		`[{"value":1e400,"location":{"lat":1},"metadata":"m","id":1,"device":null,"origin":false}]`,
		`[{"location":{"coordinates":[1]}},{"location":{"type":5,"coordinates":[1,2]}},{"location":{"lat":1e999,"lng":0}}]`,
		`[{"metadata":{"a":1e999}},{"unit":[],"group":{},"variable":3.5}]`,
	} {
		var l dataList
		require.NoError(t, l.decodeResult([]byte(in)), in)
		std, err := stdLenient([]byte(in))
		require.NoError(t, err, in)
		assert.NoError(t, sameRecords(l, std), in)
	}
}

// FuzzDecodeData feeds arbitrary bytes to the fast decoder. It must never panic; what
// it accepts must be valid JSON, its values of the documented kinds and its Extra
// members valid JSON; and on every input whose records encoding/json can compare (see
// comparable), it must agree with the lenient read done with encoding/json member by
// member (stdLenient): accept the same inputs and give the same records.
func FuzzDecodeData(f *testing.F) {
	env, err := parseEnvelope(dataBody(20))
	require.NoError(f, err)
	for _, seed := range []string{
		string(env.result), sampleRecords, `[]`, `null`, `[null]`, `[{}]`,
		`[{"id":"x","value":1.5e3,"time":"2024-01-02T03:04:05.000Z"}]`,
		`[{"value":"a\u00e9\ud83d\ude00\ud800","variable":"\"q\""}]`,
		`[{"location":{"type":"Point","coordinates":[-85.6,42.3]}},{"location":{"lat":1,"lng":2}}]`,
		`[{"metadata":{"a":[{"b":null}],"c":true}}]`,
		`[{"Value":1,"value":2,"VALUE":3}]`,
		`[{"time":"2024-02-30T00:00:00Z"}]`,
		`[{"value":-0.0e+0},{"value":12345678901234567890}]`,
		`[{"value":{"a":[1]},"metadata":[1,{"a":2}],"serie":7,"time":5,"location":[1,2]}]`,
		`[{"value":1e400,"id":5,"id":"x","metadata":{"a":1e999}}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var l dataList
		oursErr := l.decodeResult(in)
		if oursErr == nil {
			if !json.Valid(in) {
				t.Fatalf("accepted invalid JSON %q", in)
			}
			for i, d := range l {
				switch v := d.Value.(type) {
				case nil, float64, string, bool:
				case json.RawMessage:
					if !json.Valid(v) || (v[0] != '{' && v[0] != '[') {
						t.Fatalf("record %d: raw value %q", i, v)
					}
				case json.Number:
					if _, err := v.Float64(); err == nil {
						t.Fatalf("record %d: json.Number %q fits a float64", i, v)
					}
				default:
					t.Fatalf("record %d: value of type %T", i, d.Value)
				}
				if d.Location != nil && (math.IsNaN(d.Location.Lat) || math.IsInf(d.Location.Lat, 0) || math.IsNaN(d.Location.Lng) || math.IsInf(d.Location.Lng, 0)) {
					t.Fatalf("record %d: location %v", i, *d.Location)
				}
				for k, raw := range d.Extra {
					if !json.Valid(raw) {
						t.Fatalf("record %d: Extra[%q] = %q", i, k, raw)
					}
				}
			}
		}
		if !json.Valid(in) || !comparable(in) {
			return
		}
		std, stdErr := stdLenient(in)
		switch {
		case stdErr == nil && oursErr == nil:
			if err := sameRecords(l, std); err != nil {
				t.Fatalf("input %q: %v", in, err)
			}
		case stdErr == nil:
			if strings.Contains(oursErr.Error(), "exceeded max depth") {
				return // encoding/json counts depth its own way
			}
			t.Fatalf("input %q: rejected (%v) what encoding/json reads", in, oursErr)
		case oursErr == nil:
			t.Fatalf("input %q: accepted what encoding/json rejects (%v)", in, stdErr)
		}
	})
}
