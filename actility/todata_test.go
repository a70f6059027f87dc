package actility

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// v is one expected variable: name and value.
type v struct {
	name  string
	value any
}

// expectData builds the records ToData should return: every one with the message's
// time (none when timeText is empty) and group. extra records (with a Location or
// Metadata) follow, with the same time and group.
func expectData(t testing.TB, timeText, group string, vars []v, extra ...tago.Data) []tago.Data {
	t.Helper()
	var tm time.Time
	if timeText != "" {
		tm = mustTime(t, timeText)
	}
	out := make([]tago.Data, 0, len(vars)+len(extra))
	for _, x := range vars {
		out = append(out, tago.Data{Variable: x.name, Value: x.value, Group: group, Time: tm})
	}
	for _, d := range extra {
		d.Group, d.Time = group, tm
		out = append(out, d)
	}
	return out
}

// parsed reads a fixture as ParseMessage does.
func parsed(t testing.TB, name string) Message {
	t.Helper()
	m, err := ParseMessage(fixture(t, name))
	require.NoError(t, err, name)
	return m
}

// allStrings rewrites every number of a JSON document as a string, as ThingPark's
// "JSON untyped" variant writes them.
func allStrings(t testing.TB, body []byte) []byte {
	t.Helper()
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&doc))
	var walk func(any) any
	walk = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				x[k] = walk(v)
			}
		case []any:
			for i, v := range x {
				x[i] = walk(v)
			}
		case json.Number:
			return x.String()
		}
		return x
	}
	out, err := json.Marshal(walk(doc))
	require.NoError(t, err)
	return out
}

// The records of the 2025 BLE location message (TagoIO's decoder fixture).
func bleLocationRecords(t testing.TB) []tago.Data {
	return expectData(t, "2025-01-13T12:46:30.201000+00:00", locationGroupOf(t, "location_ble_2025.json"), []v{
		{"dxprofileid", "tpe-au1-api"}, {"customerid", "1100012666"}, {"modelcfg", "1:TPX_226d5d46-f3ae-44c9-8c37-5a8b9b3f21ff"},
		{"useraccountid", "1100012666"}, {"realmid", "tpw-users-actility-tpe-ope"}, {"deviceeui", "20635f039100011e"},
		{"overwritecoordinates", true}, {"age", -1.0}, {"validitystate", "NEW"}, {"horizontalaccuracy", 2.618808467085686},
		{"incomingsubscriberid", "1100012666"}, {"trackertype", "Micro Tracker V3.1"}, {"messagesource", "LORA"},
		{"downlinkurl", "https://thingparkenterprise.au.actility.com/iot-flow/downlinkMessages/da4466d6-083b-411a-89b8-5b5dde3b0d40"},
	}, tago.Data{
		Variable: "rawposition_location", Value: "1.379114189651386, 103.84844149722993",
		Location: &tago.Location{Lat: 1.379114189651386, Lng: 103.84844149722993},
		Metadata: map[string]any{
			"age": 17.0, "horizontalAccuracy": 8.333181988320284, "bssidCount": 4,
			"beaconIdData_rssi0": -65.0, "beaconIdData_beaconId0": "00-00-00-00-43-84",
			"beaconIdData_rssi1": -66.0, "beaconIdData_beaconId1": "00-00-00-00-43-85",
			"beaconIdData_rssi2": -68.0, "beaconIdData_beaconId2": "00-00-00-00-43-88",
			"beaconIdData_rssi3": -69.0, "beaconIdData_beaconId3": "00-00-00-00-51-E8",
			"beaconFormat": "BEACON_ID", "floor_number": 4, "room_name": "S.439",
		},
	})
}

// locationGroupOf returns the group of a location fixture, checking its shape: the
// time in milliseconds, a dash and 12 hexadecimal digits.
func locationGroupOf(t testing.TB, name string) string {
	t.Helper()
	l, err := ParseLocation(fixture(t, name))
	require.NoError(t, err)
	g := l.Group()
	require.Regexp(t, `^`+strconv.FormatInt(l.Time.UnixMilli(), 10)+`-[0-9a-f]{12}$`, g)
	return g
}

// The records of the 2025 Abeeway uplink (TagoIO's decoder fixture).
func abeewayRecords(t testing.TB) []tago.Data {
	return expectData(t, "2025-01-13T12:46:30.201+00:00", "1736772390201-10448", []v{
		{"time", "2025-01-13T12:46:30.201+00:00"}, {"deveui", "20635F039100011E"}, {"fport", 18}, {"fcntup", 10448},
		{"lostuplinksas", 0}, {"adrbit", 1}, {"mtype", 2}, {"fcntdn", 209}, {"mic_hex", "294ae1fd"}, {"lrcid", "00000233"},
		{"lrrrssi", -73.600006}, {"lrrsnr", 8.0}, {"lrresp", -74.23893}, {"spfact", 7}, {"subband", "G0"},
		{"channel", "LC5"}, {"lrrid", "10002313"}, {"late", 0}, {"lrrlat", 1.378461}, {"lrrlon", 103.848991},
		{"devlrrcnt", 1}, {"modelcfg", "0:2329,1:TPX_226d5d46-f3ae-44c9-8c37-5a8b9b3f21ff"}, {"txpower", 4.0},
		{"nbtrans", 1}, {"frequency", 922.4},
		{"downlinkurl", "https://thingparkenterprise.au.actility.com/iot-flow/downlinkMessages/da4466d6-083b-411a-89b8-5b5dde3b0d40"},
		{"payload", "0e48548daa0011000000004384bf000000004385be000000004388bc0000000051e8bb"},
	})
}

func TestToData(t *testing.T) {
	t.Parallel()
	withDevPosition := func(t testing.TB) Message {
		u := typed2024(t)
		u.DevLAT, u.DevLON = fp(48.9341), fp(2.1962)
		return u
	}
	typed2024Records := func(t testing.TB) []tago.Data {
		return expectData(t, "2024-12-17T09:16:55.911+00:00", "1734427015911-368", []v{
			{"time", "2024-12-17T09:16:55.911+00:00"}, {"deveui", "0018B20000000BEE"},
			{"fport", 1}, {"fcntup", 368}, {"lostuplinksas", 0}, {"adrbit", 1}, {"mtype", 4},
			{"fcntdn", 370}, {"mic_hex", "d0ffa164"}, {"lrcid", "000000CB"},
			{"lrrrssi", -84.0}, {"lrrsnr", 9.75}, {"lrresp", -84.437256},
			{"spfact", 7}, {"subband", "G1"}, {"channel", "LC3"}, {"lrrid", "10001273"},
			{"late", 0}, {"lrrlat", 47.934113}, {"lrrlon", 1.196017}, {"devlrrcnt", 1},
			{"modelcfg", "1:ShowRoomTag"}, {"ackrequested", 1}, {"txpower", 2.0},
			{"nbtrans", 1}, {"frequency", 868.5}, {"payloadencryption", 0},
			{"downlinkurl", "https://community.thingpark.io/iot-flow/downlinkMessages/7c1ab0e2-1d3f-4f59-9d5c-3a8c2f0b4e61"},
			{"payload", "9e184856043000211770baae0bc9"},
		})
	}
	tests := []struct {
		name    string
		message func(testing.TB) Message
		want    func(testing.TB) []tago.Data
	}{{
		name:    "typed 2024",
		message: func(t testing.TB) Message { return parsed(t, "uplink_typed_2024.json") },
		want:    typed2024Records,
	}, {
		name: "typed 2024 written all in strings: the same records",
		message: func(t testing.TB) Message {
			m, err := ParseMessage(allStrings(t, fixture(t, "uplink_typed_2024.json")))
			require.NoError(t, err)
			return m
		},
		want: typed2024Records,
	}, {
		// The reference's table: the 2024 example plus a network-solved position.
		name:    "typed 2024 with DevLAT and DevLON",
		message: withDevPosition,
		want: func(t testing.TB) []tago.Data {
			recs := typed2024Records(t)
			return append(recs, tago.Data{Variable: "location", Value: "48.9341,2.1962", Location: &tago.Location{Lat: 48.9341, Lng: 2.1962},
				Group: recs[0].Group, Time: recs[0].Time})
		},
	}, {
		name:    "untyped 2018: numbers typed",
		message: func(t testing.TB) Message { return parsed(t, "uplink_untyped_2018.json") },
		want: func(t testing.TB) []tago.Data {
			return expectData(t, "2018-03-06T11:19:06.357+01:00", "1520331546357-1174", []v{
				{"time", "2018-03-06T11:19:06.357+01:00"}, {"deveui", "0018B20000000B20"},
				{"fport", 1}, {"fcntup", 1174}, {"adrbit", 1}, {"mtype", 2}, {"fcntdn", 48},
				{"mic_hex", "3b0bca8c"}, {"lrcid", "00000201"}, {"lrrrssi", -80.0}, {"lrrsnr", 7.0},
				{"spfact", 7}, {"subband", "G1"}, {"channel", "LC2"}, {"lrrid", "004A18E3"},
				{"late", 0}, {"lrrlat", 45.851032}, {"lrrlon", 1.26623}, {"devlrrcnt", 1},
				{"modelcfg", "0"}, {"txpower", 16.0}, {"nbtrans", 1},
				{"payload", "9e1c4852512000220020e3831071"},
			})
		},
	}, {
		// Two fraction digits, DevLAT and DevLON as strings, an AppSKey and an empty
		// rawMacCommands: the time stays as written, the key never becomes a record.
		name:    "untyped 2015 with a location and an AppSKey",
		message: func(t testing.TB) Message { return parsed(t, "uplink_untyped_2015.json") },
		want: func(t testing.TB) []tago.Data {
			return expectData(t, "2015-07-09T16:06:38.49+02:00", "1436450798490-7011", []v{
				{"time", "2015-07-09T16:06:38.49+02:00"}, {"deveui", "000000000F1D8693"},
				{"fport", 2}, {"fcntup", 7011}, {"mtype", 2}, {"fcntdn", 11}, {"mic_hex", "38e7a3b9"},
				{"lrcid", "00000065"}, {"lrrrssi", -60.0}, {"lrrsnr", 9.75}, {"spfact", 7}, {"subband", "G1"},
				{"channel", "LC2"}, {"lrrid", "08040059"}, {"late", 0}, {"lrrlat", 43.580719}, {"lrrlon", 1.442127},
				{"devlrrcnt", 1}, {"modelcfg", "0"}, {"payload", "0027bd00"},
			}, tago.Data{Variable: "location", Value: "43.58081,1.442167", Location: &tago.Location{Lat: 43.58081, Lng: 1.442167}})
		},
	}, {
		name:    "geolocated 2022 with an unknown member",
		message: func(t testing.TB) Message { return parsed(t, "uplink_geoloc_2022.json") },
		want: func(t testing.TB) []tago.Data {
			return expectData(t, "2022-05-03T13:41:21.155+00:00", "1651585281155-13643", []v{
				{"time", "2022-05-03T13:41:21.155+00:00"}, {"deveui", "0004A30B00087103"},
				{"fport", 22}, {"fcntup", 13643}, {"lrrrssi", -113.0}, {"lrrsnr", 3.0}, {"spfact", 12},
				{"lrrlat", 45.504021}, {"lrrlon", 19.527136}, {"devlocradius", 5000.0},
				{"as_id", "TWA_1100000234.301"}, {"payload", "0102f4"},
			}, tago.Data{Variable: "location", Value: "45.504021,19.527136", Location: &tago.Location{Lat: 45.504021, Lng: 19.527136}})
		},
	}, {
		name:    "Abeeway 2025 with a driver's payload and points",
		message: func(t testing.TB) Message { return parsed(t, "uplink_abeeway_2025.json") },
		want:    abeewayRecords,
	}, {
		// No FPort, no FCntUp: no fport and no fcntup records; the group is the time.
		name:    "join request 2020",
		message: func(t testing.TB) Message { return parsed(t, "join_request_2020.json") },
		want: func(t testing.TB) []tago.Data {
			return expectData(t, "2020-06-05T14:22:56.396+02:00", "1591359776396", []v{
				{"time", "2020-06-05T14:22:56.396+02:00"}, {"deveui", "0018B20000000B20"}, {"mtype", 0},
				{"mic_hex", "36f5e390"}, {"subband", "G0"}, {"channel", "LC3"}, {"lrrid", "3C200E92"}, {"late", 0},
				{"lrrlat", 48.933865}, {"lrrlon", 1.195898}, {"modelcfg", "1:TWA_100132373.12433.AS"},
				{"chain", json.Number("1")}, {"spfact", json.Number("12")}, {"airtime", json.Number("1.482752")},
				{"rawjoinrequest", "003246524144b21800200b000000b2180052ff36f5e390"},
			})
		},
	}, {
		// No Time: no time record, no record time, and a group hashed from the frame.
		name:    "uplink without Time",
		message: func(t testing.TB) Message { return parsed(t, "uplink_no_time.json") },
		want: func(t testing.TB) []tago.Data {
			return expectData(t, "", "a75b5ea03886b451", []v{
				{"deveui", "0018B20000000BEE"}, {"fport", 1}, {"fcntup", 412}, {"mtype", 2}, {"mic_hex", "a1b2c3d4"},
				{"lrrrssi", -91.0}, {"lrrsnr", 4.25}, {"spfact", 9}, {"subband", "G1"}, {"channel", "LC1"},
				{"lrrid", "10001273"}, {"late", 0}, {"devlrrcnt", 2}, {"payload", "9e18485604300021"},
			})
		},
	}, {
		name:    "location message, BLE indoor position (2025)",
		message: func(t testing.TB) Message { return parsed(t, "location_ble_2025.json") },
		want:    bleLocationRecords,
	}, {
		name: "location message written all in strings: the same records",
		message: func(t testing.TB) Message {
			m, err := ParseMessage(allStrings(t, fixture(t, "location_ble_2025.json")))
			require.NoError(t, err)
			return m
		},
		want: func(t testing.TB) []tago.Data {
			recs := bleLocationRecords(t)
			// The group hashes the message as written; its content is the same.
			l, err := ParseLocation(allStrings(t, fixture(t, "location_ble_2025.json")))
			require.NoError(t, err)
			for i := range recs {
				recs[i].Group = l.Group()
			}
			return recs
		},
	}, {
		name:    "location message, GPS position without a floor (2024)",
		message: func(t testing.TB) Message { return parsed(t, "location_gps_2024.json") },
		want: func(t testing.TB) []tago.Data {
			return expectData(t, "2024-10-23T10:41:51.229Z", locationGroupOf(t, "location_gps_2024.json"), []v{
				{"dxprofileid", "community-api"}, {"customerid", "100002164"}, {"modelcfg", "0"},
				{"parentrealmid", "tpw-users-actility-tpe-ope"}, {"deviceeui", "20635f04210001a7"}, {"age", 308.0},
				{"validitystate", "NEW"}, {"horizontalaccuracy", 8.0}, {"incomingsubscriberid", "100002164"},
				{"trackertype", "Smart Badge V1.0"}, {"messagesource", "LORA"},
			})
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want(t), ToData(tc.message(t)))
		})
	}
}

func TestToDataTimeAsWritten(t *testing.T) {
	t.Parallel()
	u, err := ParseUplink([]byte(`{"DevEUI_uplink":{"Time":"2015-07-09T16:06:38.49+02:00","DevEUI":"000000000F1D8693","FPort":2,"FCntUp":1}}`))
	require.NoError(t, err)
	assert.Equal(t, "2015-07-09T16:06:38.49+02:00", ToData(u)[0].Value)
	msg, err := u.Message()
	require.NoError(t, err)
	assert.Contains(t, string(msg), `"Time":"2015-07-09T16:06:38.49+02:00"`)

	// Another time set by the program is written in ThingPark's layout.
	u.Time = u.Time.Add(time.Second)
	assert.Equal(t, "2015-07-09T16:06:39.490+02:00", ToData(u)[0].Value)
}

func TestToDataGroups(t *testing.T) {
	t.Parallel()
	// Without Time, the group is derived from what identifies the frame: the same
	// after a round trip (a redelivery), different for another counter, payload or MIC,
	// and independent of the DevEUI's case.
	u := parsed(t, "uplink_no_time.json").(Uplink)
	msg, err := u.Message()
	require.NoError(t, err)
	again, err := ParseUplink(msg)
	require.NoError(t, err)
	assert.Equal(t, u.Group(), again.Group())
	again.DevEUI = strings.ToLower(again.DevEUI)
	again.Lrrid, again.LrrRSSI = "other gateway", fp(-120) // another delivery path: the same frame
	assert.Equal(t, u.Group(), again.Group())
	for _, edit := range []func(*Uplink){
		func(u *Uplink) { u.FCntUp = ip(413) },
		func(u *Uplink) { u.PayloadHex = "00" },
		func(u *Uplink) { u.MicHex = "00000000" },
		func(u *Uplink) { u.FPort = ip(2) },
		func(u *Uplink) { u.DevEUI = "0018B20000000BEF" },
	} {
		other := u
		edit(&other)
		assert.NotEqual(t, u.Group(), other.Group())
	}
	// A frame with nothing that identifies it is grouped by its whole content.
	a, b := Uplink{DevEUI: "0018B20000000BEE", Lrrid: "A"}, Uplink{DevEUI: "0018B20000000BEE", Lrrid: "B"}
	assert.NotEqual(t, a.Group(), b.Group())

	// Two location messages about the same instant (a new and a previous position)
	// have different groups.
	l := parsed(t, "location_ble_2025.json").(LocationMessage)
	prev := l
	prev.ValidityState = "PREVIOUS"
	assert.NotEqual(t, l.Group(), prev.Group())
	assert.True(t, strings.HasPrefix(prev.Group(), "1736772390201-"))
}

func TestToDataEdges(t *testing.T) {
	t.Parallel()
	u := Uplink{
		DevEUI: "0018B20000000BEE", FPort: ip(2), FCntUp: ip(5), AppSKey: "00112233445566778899aabbccddeeff",
		DevLAT: fp(0), DevLON: fp(2.5), // a zero coordinate: no location, as on the platform
		Extra: map[string]json.RawMessage{
			"time": raw(`"skipped, as the platform skips it"`), "channel": raw(`"x"`),
			"Flag": raw(`true`), "Big": raw(`12345678901234567890`), "Nested": raw(`{"a":1}`),
			"List": raw(`[1]`), "Null": raw(`null`), "bad.name": raw(`1`), "bad-name": raw(`1`),
			"CustomerData": raw(`"x"`), "Empty": raw(`""`),
		},
	}
	got := ToData(u)
	g := u.Group()
	want := []tago.Data{
		{Variable: "deveui", Value: "0018B20000000BEE", Group: g}, {Variable: "fport", Value: 2, Group: g},
		{Variable: "fcntup", Value: 5, Group: g}, {Variable: "devlat", Value: 0.0, Group: g}, {Variable: "devlon", Value: 2.5, Group: g},
		{Variable: "big", Value: json.Number("12345678901234567890"), Group: g}, {Variable: "flag", Value: true, Group: g},
	}
	assert.Equal(t, want, got) // no time: no record time; no payload_hex: no payload
	assert.Len(t, g, 16)
	assert.Nil(t, ToData(nil))

	// A driver's scalar payload is kept when there is no payload_hex; a floor 0 is an
	// indoor position too.
	u = Uplink{DevEUI: "0018B20000000BEE", Payload: raw(`"on"`)}
	assert.Equal(t, []tago.Data{{Variable: "deveui", Value: "0018B20000000BEE", Group: u.Group()},
		{Variable: "payload", Value: "on", Group: u.Group()}}, ToData(u))
	l := LocationMessage{DeviceEUI: "20635f039100011e", RawPosition: &RawPosition{Coordinates: []float64{2.35, 48.85}, FloorNumber: ip(0)}}
	recs := ToData(l)
	require.Len(t, recs, 2)
	assert.Equal(t, tago.Data{Variable: "rawposition_location", Value: "48.85, 2.35", Location: &tago.Location{Lat: 48.85, Lng: 2.35},
		Metadata: map[string]any{"floor_number": 0}, Group: l.Group()}, recs[1])
}

// decoderRecord is one record TagoIO's decoder printed.
type decoderRecord struct {
	Variable string          `json:"variable"`
	Value    json.RawMessage `json:"value"`
	Location json.RawMessage `json:"location"`
	Metadata map[string]any  `json:"metadata"`
	Time     string          `json:"time"`
}

// TestToDataMatchesDecoder compares ToData with what TagoIO's decoder stores for the
// same messages (testdata/decoder, recorded by running tago-io/decoders' payload.js),
// record by record. Every difference must be one of those ToData documents.
func TestToDataMatchesDecoder(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "decoder", "*.jsonl"))
	require.NoError(t, err)
	require.Len(t, files, 9)
	numeric := regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".jsonl")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := parsed(t, name+".json")
			ours := map[string]tago.Data{}
			for _, d := range ToData(m) {
				ours[d.Variable] = d
			}
			f, err := os.Open(file)
			require.NoError(t, err)
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var rec decoderRecord
				require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
				d, have := ours[rec.Variable]
				delete(ours, rec.Variable)
				var val any
				if len(rec.Value) > 0 {
					require.NoError(t, json.Unmarshal(rec.Value, &val))
				}
				switch {
				case val == nil: // a nested object, stored without a value: left out on purpose
					assert.False(t, have, "%s: a record without a value", rec.Variable)
					continue
				case val == "": // an empty string: left out on purpose
					assert.False(t, have, "%s: an empty string", rec.Variable)
					continue
				}
				require.True(t, have, "%s is missing", rec.Variable)
				if s, ok := val.(string); ok && numeric.MatchString(s) && !isString(d.Value) {
					// The untyped variant's numbers are typed on purpose.
					f, _ := strconv.ParseFloat(s, 64)
					val = f
				}
				assert.Equal(t, normalize(val), normalize(d.Value), rec.Variable)
				if rec.Location != nil {
					require.NotNil(t, d.Location, rec.Variable)
					var loc map[string]any
					require.NoError(t, json.Unmarshal(rec.Location, &loc))
					assert.Equal(t, normalize(loc["lat"]), d.Location.Lat, rec.Variable)
					assert.Equal(t, normalize(loc["lng"]), d.Location.Lng, rec.Variable)
				}
				if rec.Metadata != nil {
					assert.Equal(t, normalize(rec.Metadata), normalize(d.Metadata), rec.Variable)
				}
				if rec.Time != "" {
					assert.True(t, mustTime(t, rec.Time).Equal(d.Time), "%s: time %s, want %s", rec.Variable, d.Time, rec.Time)
				} else if _, isLoc := m.(LocationMessage); isLoc {
					// The decoder gives none (the platform stores the arrival time); ToData
					// gives the time the position was resolved, on purpose.
					assert.Equal(t, m.(LocationMessage).Time, d.Time)
				} else {
					assert.True(t, d.Time.IsZero())
				}
			}
			require.NoError(t, sc.Err())
			assert.Empty(t, ours, "records the decoder does not make")
		})
	}
}

// isString reports whether v is a Go string.
func isString(v any) bool { _, ok := v.(string); return ok }

// normalize turns numbers of any Go type into float64, and strings that are location
// values into their parsed form, recursively, for comparison.
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case json.Number:
		f, _ := x.Float64()
		return f
	case string:
		// "43.580810,1.442167" (untyped) and "43.58081,1.442167" are the same position.
		if parts := strings.Split(x, ","); len(parts) == 2 {
			a, errA := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
			b, errB := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
			if errA == nil && errB == nil && !math.IsNaN(a) && !math.IsNaN(b) {
				return [2]float64{a, b}
			}
		}
		if f, err := strconv.ParseFloat(x, 64); err == nil && strings.ContainsAny(x, "0123456789") && !strings.ContainsAny(x, "eE") {
			return f
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}
