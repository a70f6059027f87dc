package tagotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSendAndReadData(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})

	r := asDevice(t, srv, dev.Token, "POST", "/data", map[string]any{"variable": "Temperature", "value": 21.5, "unit": "°C"})
	assert.JSONEq(t, `{"status":true,"result":"1 Data Added"}`, string(r.body))
	r = asDevice(t, srv, dev.Token, "POST", "/data", []map[string]any{
		{"variable": "humidity", "value": 40, "location": map[string]any{"lat": 48.85, "lng": 2.35}},
		{"variable": "door", "value": true, "metadata": map[string]any{"color": "red"}, "time": "2025-03-10 11:00:00"},
		{"variable": "status", "value": "ok", "serie": "batch-7"},
	})
	assert.JSONEq(t, `{"status":true,"result":"3 Data Added"}`, string(r.body))

	stored := srv.Data(dev.ID)
	require.Len(t, stored, 4)
	assert.Equal(t, "temperature", stored[0].Variable, "variables are lower-cased")
	assert.Equal(t, 21.5, stored[0].Value)
	assert.Equal(t, &Location{Lat: 48.85, Lng: 2.35}, stored[1].Location)
	assert.Equal(t, map[string]any{"color": "red"}, stored[2].Metadata)
	assert.Equal(t, time.Date(2025, 3, 10, 11, 0, 0, 0, time.UTC), stored[2].Time)
	assert.Equal(t, t0, stored[1].Time, "no time means now")
	assert.Equal(t, stored[1].Group, stored[2].Group, "points of one request share a group")
	assert.NotEqual(t, stored[0].Group, stored[1].Group)
	assert.Equal(t, "batch-7", stored[3].Group, "serie is the old name of group")

	// Newest first; records print as the platform prints them.
	r = asDevice(t, srv, dev.Token, "GET", "/data?variables=humidity", nil)
	assert.JSONEq(t, `{"status":true,"result":[{"id":"`+stored[1].ID+`","device":"`+dev.ID+`","variable":"humidity",
		"value":40,"group":"`+stored[1].Group+`","location":{"type":"Point","coordinates":[2.35,48.85]},
		"time":"2025-03-10T12:00:00.000Z"}]}`, string(r.body))
	r = asDevice(t, srv, dev.Token, "GET", "/data?variables=door&details=true", nil)
	assert.Contains(t, string(r.body), `"created_at":"2025-03-10T12:00:00.000Z"`)
	assert.Contains(t, string(r.body), `"metadata":{"color":"red"}`)
	assert.Contains(t, string(r.body), `"value":true`)

	// The same through the account-token routes.
	r = asAccount(t, srv, "POST", "/device/"+dev.ID+"/data", map[string]any{"variable": "temperature", "value": 22})
	assert.Equal(t, "1 Data Added", r.str(t))
	var got []map[string]any
	asAccount(t, srv, "GET", "/device/"+dev.ID+"/data?variables=temperature", nil).decode(t, &got)
	require.Len(t, got, 2)

	d, _ := srv.Device(dev.ID)
	assert.Equal(t, t0, d.LastInput)
	assert.Equal(t, t0, d.LastOutput)
}

func TestDataValidation(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	good := map[string]any{"variable": "ok", "value": 1}
	tests := []struct {
		name  string
		point map[string]any
		field string
	}{
		{"no variable", map[string]any{"value": 1}, "[1].variable"},
		{"space", map[string]any{"variable": "a b"}, "[1].variable"},
		{"dash", map[string]any{"variable": "a-b"}, "[1].variable"},
		{"dot", map[string]any{"variable": "a.b"}, "[1].variable"},
		{"too long", map[string]any{"variable": strings.Repeat("v", 101)}, "[1].variable"},
		{"object value", map[string]any{"variable": "v", "value": map[string]any{"a": 1}}, "[1].value"},
		{"array value", map[string]any{"variable": "v", "value": []int{1}}, "[1].value"},
		{"long unit", map[string]any{"variable": "v", "unit": strings.Repeat("u", 26)}, "[1].unit"},
		{"bad latitude", map[string]any{"variable": "v", "location": map[string]any{"lat": 91, "lng": 0}}, "[1].location"},
		{"bad location", map[string]any{"variable": "v", "location": "here"}, "[1].location"},
		{"bad time", map[string]any{"variable": "v", "time": "yesterday-ish"}, "[1].time"},
		{"metadata not an object", map[string]any{"variable": "v", "metadata": []int{1}}, "[1].metadata"},
		{"too long in characters", map[string]any{"variable": strings.Repeat("é", 101)}, "[1].variable"},
		{"tab", map[string]any{"variable": "a\tb"}, "[1].variable"},
		{"no-break space", map[string]any{"variable": "a\u00a0b"}, "[1].variable"},
		{"dollar", map[string]any{"variable": "$a"}, "[1].variable"},
		{"long unit in characters", map[string]any{"variable": "v", "unit": strings.Repeat("°", 26)}, "[1].unit"},
		{"long group", map[string]any{"variable": "v", "group": strings.Repeat("g", 101)}, "[1].group"},
		{"long string value", map[string]any{"variable": "v", "value": strings.Repeat("x", 6<<10+1)}, "[1].value"},
		{"large metadata", map[string]any{"variable": "v", "metadata": map[string]any{"n": strings.Repeat("m", 10<<10)}}, "[1].metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := asDevice(t, srv, dev.Token, "POST", "/data", []map[string]any{good, tt.point})
			assert.Equal(t, http.StatusBadRequest, r.code)
			assert.Contains(t, r.env.FieldErrors, tt.field, string(r.body))
		})
	}
	assert.Empty(t, srv.Data(dev.ID), "a batch with a bad point stores nothing")

	// The limits are counted in characters, not bytes.
	other := srv.AddDevice(DeviceSpec{Name: "other"})
	r := asDevice(t, srv, other.Token, "POST", "/data", []map[string]any{{"variable": strings.Repeat("é", 100),
		"unit": strings.Repeat("°", 25), "group": strings.Repeat("é", 100), "value": strings.Repeat("x", 6<<10)}})
	assert.Equal(t, http.StatusOK, r.code, string(r.body))

	r = asDevice(t, srv, dev.Token, "POST", "/data", `[{"variable":"x","unit":5}]`)
	assert.Equal(t, http.StatusBadRequest, r.code)
	r = asDevice(t, srv, dev.Token, "POST", "/data", strings.Repeat(" ", 201<<10)+"[]")
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.code)
}

func TestDataTimeFormats(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	r := asDevice(t, srv, dev.Token, "POST", "/data", `[
		{"variable":"a","time":"2025-03-01T10:00:00.123Z"},
		{"variable":"b","time":"2025-03-01T12:00:00+02:00"},
		{"variable":"c","time":1741600000},
		{"variable":"d","time":1741600000500},
		{"variable":"e","time":"1 day"},
		{"variable":"f","time":"2025-03-01"}]`)
	require.Equal(t, "6 Data Added", r.str(t))
	got := srv.Data(dev.ID)
	want := []time.Time{
		time.Date(2025, 3, 1, 10, 0, 0, 123e6, time.UTC),
		time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC),
		time.Unix(1741600000, 0).UTC(),
		time.UnixMilli(1741600000500).UTC(),
		t0.AddDate(0, 0, -1),
		time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	for i, w := range want {
		assert.True(t, w.Equal(got[i].Time), "%s: got %v want %v", got[i].Variable, got[i].Time, w)
	}
}

func TestTextPayload(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	r := asDevice(t, srv, dev.Token, "POST", "/data", "0109611395")
	assert.Equal(t, "1 Data Added", r.str(t))
	got := srv.Data(dev.ID)
	require.Len(t, got, 1)
	assert.Equal(t, "payload", got[0].Variable)
	assert.Equal(t, "0109611395", got[0].Value)
}

// seedSeries stores, on a fresh device, temperature readings 1..20 one minute apart
// ending at t0 (value i at t0-(20-i) minutes), humidity 50/60 and a location point.
func seedSeries(t *testing.T) (*Server, Device) {
	t.Helper()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	var recs []Record
	for i := 1; i <= 20; i++ {
		recs = append(recs, Record{Variable: "temperature", Value: i, Time: t0.Add(time.Duration(i-20) * time.Minute), Group: fmt.Sprintf("g%d", i%2)})
	}
	srv.AddData(dev.ID, recs...)
	srv.AddData(dev.ID,
		Record{Variable: "humidity", Value: 50, Time: t0.Add(-30 * time.Minute)},
		Record{Variable: "humidity", Value: 60, Time: t0.Add(-10 * time.Minute)},
		Record{Variable: "humidity", Time: t0.Add(-5 * time.Minute)}, // no value
		Record{Variable: "position", Location: &Location{Lat: 1, Lng: 2}, Time: t0.Add(-40 * time.Minute)},
		Record{Variable: "position", Value: "moving", Time: t0.Add(-1 * time.Minute)},
	)
	return srv, dev
}

// values returns the value of each record of a listing result, as "variable=value".
func values(t *testing.T, r resp) []string {
	t.Helper()
	var items []map[string]any
	r.decode(t, &items)
	out := []string{}
	for _, it := range items {
		out = append(out, fmt.Sprintf("%v=%v", it["variable"], it["value"]))
	}
	return out
}

func TestDataQueries(t *testing.T) {
	t.Parallel()
	srv, dev := seedSeries(t)
	temps := func(vals ...int) []string {
		out := []string{}
		for _, v := range vals {
			out = append(out, fmt.Sprintf("temperature=%d", v))
		}
		return out
	}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"default qty is 15, newest first", "variables=temperature", temps(20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6)},
		{"query=default is the default", "variables=temperature&query=default&qty=2", temps(20, 19)},
		{"qty and skip", "variable=temperature&qty=3&skip=2", temps(18, 17, 16)},
		{"ascending", "variables[0]=temperature&qty=3&ordination=ascending", temps(1, 2, 3)},
		{"ascending page 2", "variables[]=temperature&qty=3&skip=3&ordination=ascending", temps(4, 5, 6)},
		{"skip past the end", "variables=temperature&skip=40", []string{}},
		{"qty applies per variable", "variables[0]=humidity&variables[1]=temperature&qty=2", []string{"humidity=<nil>", "humidity=60", "temperature=20", "temperature=19"}},
		{"every variable, newest first", "qty=4", []string{"temperature=20", "position=moving", "temperature=19", "temperature=18"}},
		{"groups", "variables=temperature&groups=g0&qty=3", temps(20, 18, 16)},
		{"groups array", "variables=temperature&groups[0]=g1&groups[1]=nope&qty=2", temps(19, 17)},
		{"values", "values[0]=3&values[1]=60", []string{"humidity=60", "temperature=3"}},
		{"start and end date", "variables=temperature&start_date=2025-03-10T11:50:00Z&end_date=2025-03-10T11:52:00.000Z", temps(12, 11, 10)},
		{"human date", "variables=temperature&start_date=2025-03-10 11:58:00", temps(20, 19, 18)},
		{"relative start date", "variables=temperature&start_date=2 minutes", temps(20, 19, 18)},
		{"last_value skips records without value", "variables=humidity&query=last_value", []string{"humidity=60"}},
		{"last_item is the newest", "variables=humidity&query=last_item", []string{"humidity=<nil>"}},
		{"last_value per variable", "variables[0]=temperature&variables[1]=humidity&query=last_value", []string{"temperature=20", "humidity=60"}},
		{"last_value of every variable", "query=last_value", []string{"humidity=60", "position=moving", "temperature=20"}},
		{"last_location", "query=last_location", []string{"position=<nil>"}},
		{"first_value", "variables=temperature&query=first_value", temps(1)},
		{"first_item", "variables=humidity&query=first_item", []string{"humidity=50"}},
		{"last_value within dates", "variables=temperature&query=last_value&end_date=2025-03-10T11:45:00Z", temps(5)},
		{"min", "variables=temperature&query=min&start_date=1 day", temps(1)},
		{"max", "variables[0]=temperature&variables[1]=humidity&query=max&start_date=1 day", []string{"temperature=20", "humidity=60"}},
		{"conditional", "variables=temperature&query=conditional&function=gte&value=18&start_date=1 day", temps(20, 19, 18)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := asDevice(t, srv, dev.Token, "GET", "/data?"+tt.query, nil)
			require.Equal(t, http.StatusOK, r.code, string(r.body))
			assert.Equal(t, tt.want, values(t, r))
		})
	}
}

func TestDataSummaryQueries(t *testing.T) {
	t.Parallel()
	srv, dev := seedSeries(t)
	tests := []struct {
		name, query string
		result      string // the raw JSON of "result"
	}{
		{"count is a bare number", "query=count", `25`},
		{"count ignores qty", "query=count&variables=temperature&qty=2", `20`},
		{"count with filters", "query=count&variables=temperature&start_date=2025-03-10T11:55:00Z", `6`},
		{"count of nothing", "query=count&variables=nope", `0`},
		{"sum", "query=sum&variables=temperature&start_date=1 day", `210`},
		{"avg", "query=avg&variables=temperature&start_date=1 day", `10.5`},
		{"avg skips non-numbers", "query=avg&variables[0]=humidity&variables[1]=position&start_date=1 day", `55`},
		{"avg of nothing is null", "query=avg&variables=nope&start_date=1 day", `null`},
		{"aggregate", "query=aggregate&interval=hour&function=max&variables=humidity&start_date=1 day",
			`[{"variable":"humidity","value":60,"time":"2025-03-10T11:00:00.000Z"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := asDevice(t, srv, dev.Token, "GET", "/data?"+tt.query, nil)
			require.Equal(t, http.StatusOK, r.code, string(r.body))
			assert.JSONEq(t, tt.result, string(r.env.Result))
		})
	}
}

func TestDataQueryErrors(t *testing.T) {
	t.Parallel()
	srv, dev := seedSeries(t)
	for _, q := range []string{
		"query=median", "qty=0", "qty=-1", "qty=ten", "qty=10001", "skip=-1", "ordination=sideways",
		"query=avg", "query=sum", "start_date=soonish", "query=aggregate&interval=week&function=avg&start_date=1 day",
		"query=aggregate&interval=day&function=median&start_date=1 day", "query=conditional&function=gt&start_date=1 day",
	} {
		r := asDevice(t, srv, dev.Token, "GET", "/data?"+q, nil)
		assert.Equal(t, http.StatusBadRequest, r.code, q)
		assert.False(t, r.env.Status, q)
		assert.NotEmpty(t, r.env.Message, q)
	}
}

func TestEditData(t *testing.T) {
	t.Parallel()
	srv, dev := seedSeries(t)
	recs := srv.Data(dev.ID)
	r := asDevice(t, srv, dev.Token, "PUT", "/data", []map[string]any{
		{"id": recs[0].ID, "value": 100, "unit": "C", "metadata": map[string]any{"edited": true}},
		{"id": recs[1].ID, "location": map[string]any{"lat": 10, "lng": 20}, "time": "2020-01-01T00:00:00Z"},
		{"id": "0123456789abcdef01234567", "value": 1},
	})
	assert.JSONEq(t, `{"status":true,"result":"2 item(s) updated"}`, string(r.body))
	got := srv.Data(dev.ID)
	assert.Equal(t, 100.0, got[0].Value)
	assert.Equal(t, "C", got[0].Unit)
	assert.Equal(t, map[string]any{"edited": true}, got[0].Metadata)
	assert.Equal(t, &Location{Lat: 10, Lng: 20}, got[1].Location)
	assert.Equal(t, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), got[1].Time)
	assert.Equal(t, 2.0, got[1].Value, "fields left out stay")

	r = asAccount(t, srv, "PUT", "/device/"+dev.ID+"/data", map[string]any{"id": recs[2].ID, "value": "x"})
	assert.Equal(t, "1 item(s) updated", r.str(t))
	r = asDevice(t, srv, dev.Token, "PUT", "/data", []map[string]any{{"value": 1}})
	assert.Equal(t, http.StatusBadRequest, r.code)

	imm := srv.AddDevice(DeviceSpec{Name: "i", Type: "immutable"})
	r = asDevice(t, srv, imm.Token, "PUT", "/data", []map[string]any{{"id": recs[0].ID, "value": 1}})
	assert.Equal(t, http.StatusBadRequest, r.code)

	// An edit meets the limits a new point does; a refused edit changes nothing.
	before := srv.Data(dev.ID)
	for field, edit := range map[string]map[string]any{
		"[1].unit":     {"unit": strings.Repeat("u", 26)},
		"[1].group":    {"group": strings.Repeat("g", 101)},
		"[1].value":    {"value": strings.Repeat("x", 6<<10+1)},
		"[1].metadata": {"metadata": map[string]any{"n": strings.Repeat("m", 10<<10)}},
	} {
		edit["id"] = recs[1].ID
		r = asDevice(t, srv, dev.Token, "PUT", "/data", []map[string]any{{"id": recs[0].ID, "value": -1}, edit})
		assert.Equal(t, http.StatusBadRequest, r.code, field)
		assert.Contains(t, r.env.FieldErrors, field)
	}
	r = asDevice(t, srv, dev.Token, "PUT", "/data", []map[string]any{{"id": recs[0].ID, "metadata": []int{1}}})
	assert.Contains(t, r.env.FieldErrors, "[0].metadata")
	assert.Equal(t, before, srv.Data(dev.ID))
}

func TestDeleteData(t *testing.T) {
	t.Parallel()
	srv, dev := seedSeries(t)
	del := func(q string) resp {
		t.Helper()
		return asDevice(t, srv, dev.Token, "DELETE", "/data?"+q, nil)
	}
	r := del("variables=temperature&qty=2")
	assert.JSONEq(t, `{"status":true,"result":"2 Data Removed"}`, string(r.body))
	assert.Equal(t, []string{"temperature=18"}, values(t, asDevice(t, srv, dev.Token, "GET", "/data?variables=temperature&qty=1", nil)))

	r = del("variables=humidity&query=last_value")
	assert.Equal(t, "1 Data Removed", r.str(t))
	assert.Equal(t, []string{"humidity=50"}, values(t, asDevice(t, srv, dev.Token, "GET", "/data?variables=humidity&query=last_value", nil)))

	ids := srv.Data(dev.ID)
	r = del("ids[0]=" + ids[0].ID + "&ids[1]=" + ids[1].ID)
	assert.Equal(t, "2 Data Removed", r.str(t))

	before := len(srv.Data(dev.ID))
	r = del("")
	assert.Equal(t, "15 Data Removed", r.str(t), "no parameters: the 15 newest")
	assert.Len(t, srv.Data(dev.ID), before-15)
	assert.Equal(t, http.StatusBadRequest, del("query=count").code)

	r = asAccount(t, srv, "DELETE", "/device/"+dev.ID+"/data?qty=100", nil)
	assert.Equal(t, fmt.Sprintf("%d Data Removed", before-15), r.str(t))
	assert.Empty(t, srv.Data(dev.ID))

	imm := srv.AddDevice(DeviceSpec{Name: "i", Type: "immutable"})
	assert.Equal(t, http.StatusBadRequest, asDevice(t, srv, imm.Token, "DELETE", "/data", nil).code)
}

func TestHybridDevice(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "h", Type: "hybrid", ChunkPeriod: "week", ChunkRetention: 2, MutableVariableRegex: "^state"})
	srv.AddData(dev.ID, Record{Variable: "state_mode", Value: "on"}, Record{Variable: "reading", Value: 1})
	r := asDevice(t, srv, dev.Token, "DELETE", "/data?qty=10", nil)
	assert.Equal(t, "1 Data Removed", r.str(t), "only mutable variables are deleted")
	assert.Equal(t, "reading", srv.Data(dev.ID)[0].Variable)
}

func TestMutableDataLimit(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithDataLimit(5))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	points := func(n int) []map[string]any {
		var out []map[string]any
		for i := range n {
			out = append(out, map[string]any{"variable": "v", "value": i})
		}
		return out
	}
	assert.Equal(t, "4 Data Added", asDevice(t, srv, dev.Token, "POST", "/data", points(4)).str(t))
	r := asDevice(t, srv, dev.Token, "POST", "/data", points(2))
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.Contains(t, r.env.Message, "limit of 5 data registers")
	assert.Len(t, srv.Data(dev.ID), 4, "a batch over the limit stores nothing")
	assert.Equal(t, "1 Data Added", asDevice(t, srv, dev.Token, "POST", "/data", points(1)).str(t))

	imm := srv.AddDevice(DeviceSpec{Name: "i", Type: "immutable"})
	assert.Equal(t, "6 Data Added", asDevice(t, srv, imm.Token, "POST", "/data", points(6)).str(t), "the limit is for mutable devices")
	assert.Equal(t, DefaultDataLimit, 50000)
}

func TestDataAmountAndEmpty(t *testing.T) {
	t.Parallel()
	srv, dev := seedSeries(t)
	r := asAccount(t, srv, "GET", "/device/"+dev.ID+"/data_amount", nil)
	assert.JSONEq(t, `{"status":true,"result":25}`, string(r.body))
	r = asAccount(t, srv, "POST", "/device/"+dev.ID+"/empty", nil)
	assert.JSONEq(t, `{"status":true,"result":"Data Successfully Removed"}`, string(r.body))
	assert.Empty(t, srv.Data(dev.ID))
	r = asAccount(t, srv, "GET", "/device/"+dev.ID+"/data_amount", nil)
	var n json.Number
	r.decode(t, &n)
	assert.Equal(t, json.Number("0"), n)
}

func TestAddDataPanicsOnBadInput(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	assert.PanicsWithValue(t, "tagotest: AddData: [0].variable: must not contain spaces or any of * ? ! < > . - = $",
		func() { srv.AddData(dev.ID, Record{Variable: "a b"}) })
	assert.Panics(t, func() { srv.AddData(dev.ID, Record{Variable: "a", Value: struct{}{}}) })
	assert.Panics(t, func() { srv.AddData("0123456789abcdef01234567", Record{Variable: "a"}) })
}

func TestAddForeignData(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	ids := srv.AddForeignData(dev.ID, `{"variable":"v","value":{"a":1},"metadata":[1,{"a":2}],"time":"2024-01-02T03:04:05Z"}`, `{"variable":"w","value":"s"}`)
	require.Len(t, ids, 2)
	r := asDevice(t, srv, dev.Token, "GET", "/data?variables=v", nil)
	assert.JSONEq(t, `[{"id":"`+ids[0]+`","device":"`+dev.ID+`","variable":"v","value":{"a":1},"metadata":[1,{"a":2}],
		"group":"`+srv.Data(dev.ID)[0].Group+`","time":"2024-01-02T03:04:05.000Z"}]`, string(r.env.Result))
	assert.Equal(t, "s", srv.Data(dev.ID)[1].Value)
	assert.Panics(t, func() { srv.AddForeignData(dev.ID, `{"value":1}`) })
}
