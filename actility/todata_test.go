package actility

import (
	"encoding/json"
	"testing"

	"github.com/go-tago/tago"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// v is one expected variable: name and value.
type v struct {
	name  string
	value any
}

// expectData builds the items ToData should return: every one with the uplink's time
// and group.
func expectData(t testing.TB, timeText, group string, vars []v, loc *tago.Location) []tago.Data {
	t.Helper()
	tm := mustTime(t, timeText)
	out := make([]tago.Data, len(vars))
	for i, x := range vars {
		out[i] = tago.Data{Variable: x.name, Value: x.value, Group: group, Time: tm}
	}
	if loc != nil {
		out[len(out)-1].Location = loc
	}
	return out
}

func TestToData(t *testing.T) {
	t.Parallel()
	withDevPosition := func(t testing.TB) Uplink {
		u := typed2024(t)
		u.DevLAT, u.DevLON = fp(48.9341), fp(2.1962)
		return u
	}
	tests := []struct {
		name   string
		uplink func(testing.TB) Uplink
		want   func(testing.TB) []tago.Data
	}{{
		// The reference's table: the 2024 example plus a network-solved position. The
		// table leaves out two scalars the decoder also emits, payloadencryption and
		// downlinkurl; rawMacCommands is "" and sends nothing.
		name:   "typed 2024 with DevLAT and DevLON",
		uplink: withDevPosition,
		want: func(t testing.TB) []tago.Data {
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
				{"location", "48.9341,2.1962"},
			}, &tago.Location{Lat: 48.9341, Lng: 2.1962})
		},
	}, {
		name:   "untyped 2018: numbers typed",
		uplink: untyped2018,
		want: func(t testing.TB) []tago.Data {
			return expectData(t, "2018-03-06T11:19:06.357+01:00", "1520331546357-1174", []v{
				{"time", "2018-03-06T11:19:06.357+01:00"}, {"deveui", "0018B20000000B20"},
				{"fport", 1}, {"fcntup", 1174}, {"adrbit", 1}, {"mtype", 2}, {"fcntdn", 48},
				{"mic_hex", "3b0bca8c"}, {"lrcid", "00000201"}, {"lrrrssi", -80.0}, {"lrrsnr", 7.0},
				{"spfact", 7}, {"subband", "G1"}, {"channel", "LC2"}, {"lrrid", "004A18E3"},
				{"late", 0}, {"lrrlat", 45.851032}, {"lrrlon", 1.26623}, {"devlrrcnt", 1},
				{"modelcfg", "0"}, {"txpower", 16.0}, {"nbtrans", 1},
				{"payload", "9e1c4852512000220020e3831071"},
			}, nil)
		},
	}, {
		name:   "geolocated 2022 with an unknown member",
		uplink: geoloc2022,
		want: func(t testing.TB) []tago.Data {
			return expectData(t, "2022-05-03T13:41:21.155+00:00", "1651585281155-13643", []v{
				{"time", "2022-05-03T13:41:21.155+00:00"}, {"deveui", "0004A30B00087103"},
				{"fport", 22}, {"fcntup", 13643}, {"lrrrssi", -113.0}, {"lrrsnr", 3.0}, {"spfact", 12},
				{"lrrlat", 45.504021}, {"lrrlon", 19.527136}, {"devlocradius", 5000.0},
				{"as_id", "TWA_1100000234.301"},
				{"payload", "0102f4"},
				{"location", "45.504021,19.527136"},
			}, &tago.Location{Lat: 45.504021, Lng: 19.527136})
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want(t), ToData(tc.uplink(t)))
		})
	}
}

func TestToDataFromFixtureMatchesStruct(t *testing.T) {
	t.Parallel()
	// Parsing the recorded message and building the struct by hand give the same data.
	u, err := ParseUplink(fixture(t, "uplink_typed_2024.json"))
	require.NoError(t, err)
	got := ToData(u)
	assert.Equal(t, ToData(typed2024(t)), got)
	for _, d := range got {
		assert.NotContains(t, []string{"customerdata", "customerid", "lrrs", "devaddr", "appskey",
			"dynamicclass", "instantper", "meanper", "basestationdata", "drivercfg", "points", "payload_hex"}, d.Variable)
	}
}

func TestToDataEdges(t *testing.T) {
	t.Parallel()
	u := Uplink{
		DevEUI: "0018B20000000BEE", FPort: 2, FCntUp: 5, AppSKey: "00112233445566778899aabbccddeeff",
		DevLAT: fp(0), DevLON: fp(2.5), // a zero coordinate: no location, as on the platform
		Extra: map[string]json.RawMessage{
			"time": raw(`"skipped, as the platform skips it"`), "channel": raw(`"x"`),
			"Flag": raw(`true`), "Big": raw(`12345678901234567890`), "Nested": raw(`{"a":1}`),
			"List": raw(`[1]`), "Null": raw(`null`), "bad.name": raw(`1`), "bad-name": raw(`1`),
			"CustomerData": raw(`"x"`),
		},
	}
	got := ToData(u)
	want := []tago.Data{
		{Variable: "deveui", Value: "0018B20000000BEE"}, {Variable: "fport", Value: 2}, {Variable: "fcntup", Value: 5},
		{Variable: "devlat", Value: 0.0}, {Variable: "devlon", Value: 2.5},
		{Variable: "big", Value: json.Number("12345678901234567890")}, {Variable: "flag", Value: true},
	}
	assert.Equal(t, want, got) // no time: no group, no time; no payload_hex: no payload
	assert.Equal(t, "", u.Group())
}
