package tago

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// stdData is a data record as plain encoding/json decodes it: the same fields as Data,
// in plain types without custom unmarshalers. It is the baseline the fast decoder is
// measured against.
type stdData struct {
	ID        string         `json:"id"`
	Device    string         `json:"device"`
	Origin    string         `json:"origin"`
	Variable  string         `json:"variable"`
	Value     any            `json:"value"`
	Unit      string         `json:"unit"`
	Group     string         `json:"group"`
	Serie     string         `json:"serie"`
	Location  *stdLocation   `json:"location"`
	Metadata  map[string]any `json:"metadata"`
	Time      time.Time      `json:"time"`
	CreatedAt time.Time      `json:"created_at"`
}

// stdLocation holds both location forms the platform uses.
type stdLocation struct {
	Type        *string   `json:"type"`
	Coordinates []float64 `json:"coordinates"`
	Lat         *float64  `json:"lat"`
	Lng         *float64  `json:"lng"`
}

// stdEnvelope is the platform's response envelope for the baseline.
type stdEnvelope struct {
	Status  bool      `json:"status"`
	Result  []stdData `json:"result"`
	Message string    `json:"message"`
}

// toData converts a baseline record to a Data, the way the SDK's decoder reads it.
func (s stdData) toData() (Data, error) {
	d := Data{ID: s.ID, Device: s.Device, Variable: s.Variable, Value: s.Value, Unit: s.Unit,
		Group: s.Group, Serie: s.Serie, Metadata: s.Metadata, Time: s.Time, CreatedAt: s.CreatedAt}
	if d.Device == "" {
		d.Device = s.Origin
	}
	switch s.Value.(type) {
	case nil, float64, string, bool:
	default:
		return d, fmt.Errorf("value is a %T", s.Value)
	}
	if l := s.Location; l != nil {
		switch {
		case l.Coordinates != nil:
			if len(l.Coordinates) < 2 {
				return d, fmt.Errorf("%d coordinates", len(l.Coordinates))
			}
			d.Location = &Location{Lat: l.Coordinates[1], Lng: l.Coordinates[0]}
		case l.Lat != nil && l.Lng != nil:
			d.Location = &Location{Lat: *l.Lat, Lng: *l.Lng}
		case l.Lat != nil || l.Lng != nil:
			return d, fmt.Errorf("lat without lng")
		}
	}
	return d, nil
}

// benchVariables are the variables of the generated device, with their units.
var benchVariables = []struct{ name, unit string }{
	{"temperature", "°C"}, {"humidity", "%"}, {"pressure", "hPa"},
	{"status", ""}, {"door_open", ""}, {"battery", "V"},
}

// dataBody returns a realistic GET /data response envelope with n records: six
// variables sampled every minute (numbers, a status string, a boolean), details on
// (created_at), a GPS fix on one record in six and metadata on one in ten.
func dataBody(n int) []byte {
	b := make([]byte, 0, n*260)
	b = append(b, `{"status":true,"result":[`...)
	b = appendRecords(b, 0, n)
	return append(b, "]}"...)
}

// appendRecords appends records from to from+n-1 of the generated device, joined by
// commas; record i is always the same.
func appendRecords(b []byte, from, n int) []byte {
	const device = "65a1b2c3d4e5f60718290000"
	base := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	for i := from; i < from+n; i++ {
		if i > from {
			b = append(b, ',')
		}
		v := benchVariables[i%len(benchVariables)]
		t := base.Add(time.Duration(i/len(benchVariables)) * time.Minute)
		b = append(b, `{"id":"`...)
		b = fmt.Appendf(b, "65a1b2c3%016x", 0xd4e5f60718290000+uint64(i))
		b = append(b, `","device":"`+device+`","variable":"`...)
		b = append(b, v.name...)
		b = append(b, `","value":`...)
		switch v.name {
		case "temperature":
			b = strconv.AppendFloat(b, 18+float64(i%700)/100, 'f', 2, 64)
		case "humidity":
			b = strconv.AppendInt(b, int64(40+i%30), 10)
		case "pressure":
			b = strconv.AppendFloat(b, 1000+float64(i%400)/10, 'f', 1, 64)
		case "status":
			b = strconv.AppendQuote(b, []string{"ok", "warning", "ok", "alarm: door held open"}[i%4])
		case "door_open":
			b = strconv.AppendBool(b, i%5 == 0)
		default:
			b = strconv.AppendFloat(b, 3.3+float64(i%90)/100, 'f', 3, 64)
		}
		if v.unit != "" {
			b = append(b, `,"unit":`...)
			b = strconv.AppendQuote(b, v.unit)
		}
		b = append(b, `,"group":"`...)
		b = strconv.AppendInt(b, t.UnixMilli(), 10)
		b = append(b, `","time":"`...)
		b = t.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
		b = append(b, `","created_at":"`...)
		b = t.Add(1234*time.Millisecond).AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
		b = append(b, '"')
		if i%6 == 0 {
			b = append(b, `,"location":{"type":"Point","coordinates":[`...)
			b = strconv.AppendFloat(b, -85.628292+float64(i%100)/10000, 'f', 6, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, 42.2974279+float64(i%100)/10000, 'f', 7, 64)
			b = append(b, "]}"...)
		}
		if i%10 == 0 {
			b = append(b, `,"metadata":{"color":"#ff0000","label":"hot","x":`...)
			b = strconv.AppendInt(b, int64(i%50), 10)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return b
}

// decodeDataBody decodes a response body the way the client does: the envelope
// scanner, then the fast decoder on the result.
func decodeDataBody(body []byte) ([]Data, error) {
	keep := func(s string) string { return s }
	ans, apiErr := readAnswer(200, http.Header{}, body, keep)
	if apiErr != nil {
		return nil, apiErr
	}
	list, apiErr := decodeAnswer[dataList](ans, keep)
	if apiErr != nil {
		return nil, apiErr
	}
	return list, nil
}

// BenchmarkDecodeData10k decodes a 10,000-record GET /data response (about 2.4 MB):
// "tago" is the SDK's path (readAnswer and decodeAnswer, as every call uses them),
// "encoding_json" is plain encoding/json into equivalent structs (stdData), on the same
// body. "tago_result" is the fast decoder alone, for reference.
func BenchmarkDecodeData10k(b *testing.B) {
	body := dataBody(10_000)
	env, err := parseEnvelope(body)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("tago_result", func(b *testing.B) {
		b.SetBytes(int64(len(env.result)))
		b.ReportAllocs()
		for b.Loop() {
			var list dataList
			if err := list.decodeResult(env.result); err != nil || len(list) != 10_000 {
				b.Fatal(len(list), err)
			}
		}
	})
	b.Run("tago", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			out, err := decodeDataBody(body)
			if err != nil || len(out) != 10_000 {
				b.Fatal(len(out), err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var env stdEnvelope
			if err := json.Unmarshal(body, &env); err != nil || len(env.Result) != 10_000 {
				b.Fatal(len(env.Result), err)
			}
		}
	})
}

// benchPoints returns n readings of the kind a gateway sends.
func benchPoints(n int) []Data {
	base := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	points := make([]Data, n)
	for i := range points {
		v := benchVariables[i%len(benchVariables)]
		p := Data{Variable: v.name, Unit: v.unit, Group: "batch-42", Time: base.Add(time.Duration(i) * time.Second)}
		switch v.name {
		case "status":
			p.Value = "ok"
		case "door_open":
			p.Value = i%5 == 0
		case "humidity":
			p.Value = 40 + i%30
		default:
			p.Value = 18 + float64(i%700)/100
		}
		if i%6 == 0 {
			p.Location = &Location{Lat: 42.2974279, Lng: -85.628292}
		}
		points[i] = p
	}
	return points
}

// stdPoint is a reading as encoding/json writes it, the baseline of BenchmarkSendData.
type stdPoint struct {
	Variable string         `json:"variable"`
	Value    any            `json:"value,omitempty"`
	Unit     string         `json:"unit,omitempty"`
	Group    string         `json:"group,omitempty"`
	Time     *time.Time     `json:"time,omitempty"`
	Location *stdLocation   `json:"location,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// BenchmarkSendData encodes a 1,000-point Send batch: "tago" validates and encodes
// the points into the request body exactly as Send does (no network); "encoding_json"
// marshals equivalent structs without validation, for comparison. allocs/point is the
// number of heap allocations per point.
func BenchmarkSendData(b *testing.B) {
	points := benchPoints(1000)
	perPoint := func(b *testing.B, run func()) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		n := 0
		for b.Loop() {
			run()
			n++
		}
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n)/float64(len(points)), "allocs/point")
	}
	b.Run("tago", func(b *testing.B) {
		b.ReportAllocs()
		perPoint(b, func() {
			batches, err := encodeBatches(len(points), "points", func(dst []byte, i int) ([]byte, error) {
				return appendPoint(dst, &points[i], i)
			}, func(int, span, []byte) error { return nil })
			if err != nil || batches != 1 {
				b.Fatal(batches, err)
			}
		})
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		std := make([]stdPoint, len(points))
		for i, p := range points {
			t := p.Time
			std[i] = stdPoint{Variable: p.Variable, Value: p.Value, Unit: p.Unit, Group: p.Group, Time: &t}
			if p.Location != nil {
				typ := "Point"
				std[i].Location = &stdLocation{Type: &typ, Coordinates: []float64{p.Location.Lng, p.Location.Lat}}
			}
		}
		perPoint(b, func() {
			if _, err := json.Marshal(std); err != nil {
				b.Fatal(err)
			}
		})
	})
}
