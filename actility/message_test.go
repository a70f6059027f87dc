package actility

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture reads a file of testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// mustTime parses an RFC 3339 time or fails the test.
func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return tm
}

func ip(n int) *int                { return &n }
func fp(f float64) *float64        { return &f }
func bp(b bool) *bool              { return &b }
func raw(s string) json.RawMessage { return json.RawMessage(s) }

// typed2024 is what testdata/uplink_typed_2024.json decodes to.
func typed2024(t testing.TB) Uplink {
	return Uplink{
		Time: mustTime(t, "2024-12-17T09:16:55.911+00:00"), TimeText: "2024-12-17T09:16:55.911+00:00", DevEUI: "0018B20000000BEE",
		FPort: ip(1), FCntUp: ip(368), LostUplinksAS: ip(0), ADRbit: ip(1), MType: ip(4), FCntDn: ip(370),
		PayloadHex: "9e184856043000211770baae0bc9", MicHex: "d0ffa164",
		Lrcid: "000000CB", LrrRSSI: fp(-84), LrrSNR: fp(9.75), LrrESP: fp(-84.437256), SpFact: ip(7),
		SubBand: "G1", Channel: "LC3", Lrrid: "10001273", Late: ip(0),
		LrrLAT: fp(47.934113), LrrLON: fp(1.196017),
		Lrrs:      []Lrr{{Lrrid: "10001273", Chain: ip(0), LrrRSSI: fp(-84), LrrSNR: fp(9.75), LrrESP: fp(-84.437256)}},
		DevLrrCnt: ip(1), CustomerID: "100002164",
		CustomerData:    raw(`{"loc": null, "alr": {"pro": "ADRF/FIELD", "ver": "1"}, "tags": ["Site=Paris"], "doms": [], "name": "Adeunis FieldTester #Bruno"}`),
		BaseStationData: raw(`{"doms": [{"n": "EMEA/France", "g": "Geography"}], "name": "Paris Office"}`),
		ModelCfg:        "1:ShowRoomTag",
		DriverCfg:       raw(`{"mod": {"pId": "adeunis", "mId": "field-test", "ver": "1"}, "app": {"pId": "adeunis", "mId": "field-test", "ver": "1"}, "id": "actility:adeunis-field-test:1"}`),
		InstantPER:      fp(0), MeanPER: fp(0), DevAddr: "040006CC", AckRequested: ip(1),
		TxPower: fp(2), NbTrans: ip(1), Frequency: fp(868.5), DynamicClass: "A", PayloadEncryption: ip(0),
		Payload:     raw(`{"temperature": 24, "batteryVoltage": 3017}`),
		Points:      raw(`{"temperature": {"unitId": "Cel", "record": 24}, "batteryVoltage": {"unitId": "mV", "record": 3017}}`),
		DownlinkURL: "https://community.thingpark.io/iot-flow/downlinkMessages/7c1ab0e2-1d3f-4f59-9d5c-3a8c2f0b4e61",
	}
}

// untyped2018 is what testdata/uplink_untyped_2018.json decodes to.
func untyped2018(t testing.TB) Uplink {
	return Uplink{
		Time: mustTime(t, "2018-03-06T11:19:06.357+01:00"), TimeText: "2018-03-06T11:19:06.357+01:00", DevEUI: "0018B20000000B20",
		FPort: ip(1), FCntUp: ip(1174), ADRbit: ip(1), MType: ip(2), FCntDn: ip(48),
		PayloadHex: "9e1c4852512000220020e3831071", MicHex: "3b0bca8c",
		Lrcid: "00000201", LrrRSSI: fp(-80), LrrSNR: fp(7), SpFact: ip(7),
		SubBand: "G1", Channel: "LC2", DevLrrCnt: ip(1), Lrrid: "004A18E3",
		Late: ip(0), LrrLAT: fp(45.851032), LrrLON: fp(1.26623),
		Lrrs:         []Lrr{{Lrrid: "004A18E3", Chain: ip(0), LrrRSSI: fp(-80), LrrSNR: fp(7), LrrESP: fp(-80.790359)}},
		CustomerID:   "1100000077",
		CustomerData: raw(`{"alr": {"pro": "ADRF/DEMO", "ver": "2"}}`),
		ModelCfg:     "0", InstantPER: fp(0), MeanPER: fp(0), DevAddr: "0EB9D0A6",
		TxPower: fp(16), NbTrans: ip(1),
	}
}

// geoloc2022 is what testdata/uplink_geoloc_2022.json decodes to.
func geoloc2022(t testing.TB) Uplink {
	return Uplink{
		Time: mustTime(t, "2022-05-03T13:41:21.155+00:00"), TimeText: "2022-05-03T13:41:21.155+00:00", DevEUI: "0004A30B00087103",
		FPort: ip(22), FCntUp: ip(13643), PayloadHex: "0102f4", LrrRSSI: fp(-113), LrrSNR: fp(3), SpFact: ip(12),
		LrrLAT: fp(45.504021), LrrLON: fp(19.527136), DevLAT: fp(45.504021), DevLON: fp(19.527136),
		DevLocRadius: fp(5000),
		Extra:        map[string]json.RawMessage{"as_id": raw(`"TWA_1100000234.301"`)},
	}
}

func TestParseUplinkFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want func(testing.TB) Uplink
	}{
		{"uplink_typed_2024.json", typed2024},
		{"uplink_untyped_2018.json", untyped2018},
		{"uplink_geoloc_2022.json", geoloc2022},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got, err := ParseUplink(fixture(t, tc.file))
			require.NoError(t, err)
			want := tc.want(t)
			assertUplink(t, want, got)
		})
	}
}

// assertUplink compares two uplinks, with raw JSON members compared as JSON.
func assertUplink(t *testing.T, want, got Uplink) {
	t.Helper()
	for _, pair := range []struct {
		name      string
		want, got *json.RawMessage
	}{
		{"CustomerData", &want.CustomerData, &got.CustomerData},
		{"BaseStationData", &want.BaseStationData, &got.BaseStationData},
		{"DriverCfg", &want.DriverCfg, &got.DriverCfg},
		{"Payload", &want.Payload, &got.Payload},
		{"Points", &want.Points, &got.Points},
	} {
		if len(*pair.want) == 0 {
			assert.Empty(t, *pair.got, pair.name)
		} else {
			assert.JSONEq(t, string(*pair.want), string(*pair.got), pair.name)
		}
		*pair.want, *pair.got = nil, nil
	}
	assert.True(t, want.Time.Equal(got.Time), "Time: want %v, got %v", want.Time, got.Time)
	want.Time, got.Time = time.Time{}, time.Time{}
	assert.Equal(t, want, got)
}

func TestParseUplinkBareObject(t *testing.T) {
	t.Parallel()
	// IoT Flow connections with sendMetadata drop the DevEUI_uplink root.
	got, err := ParseUplink([]byte(`{"DevEUI":"0018B20000000BEE","FPort":"2","FCntUp":9,"payload_hex":"00"}`))
	require.NoError(t, err)
	assert.Equal(t, Uplink{DevEUI: "0018B20000000BEE", FPort: ip(2), FCntUp: ip(9), PayloadHex: "00"}, got)
}

func TestParseUplinkErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		is         error
		msg        string
	}{
		{"not JSON", `DevEUI=1`, ErrMalformed, "actility: malformed message: the body is not a JSON object"},
		{"array", `[{"DevEUI_uplink":{}}]`, ErrMalformed, "actility: malformed message: the body is not a JSON object"},
		{"null", `null`, ErrMalformed, "actility: malformed message: the body is not a JSON object"},
		{"no root", `{"hello":1}`, ErrMalformed, "actility: malformed message: no DevEUI_uplink object"},
		{"root not object", `{"DevEUI_uplink":"x"}`, ErrMalformed, "actility: malformed message: DevEUI_uplink is not a JSON object"},
		{"other message", `{"DevEUI_notification":{"DevEUI":"0018B20000000BEE"}}`, ErrNotUplink, "actility: not an uplink message: got a DevEUI_notification message"},
		{"bad number", `{"DevEUI_uplink":{"LrrRSSI":"loud"}}`, ErrMalformed, `actility: malformed message: DevEUI_uplink.LrrRSSI: "loud" is not a number`},
		{"fractional int", `{"DevEUI_uplink":{"FPort":1.5}}`, ErrMalformed, `actility: malformed message: DevEUI_uplink.FPort: "1.5" is not an integer`},
		{"object for scalar", `{"DevEUI_uplink":{"DevEUI":{"a":1}}}`, ErrMalformed, "actility: malformed message: DevEUI_uplink.DevEUI: want a scalar value"},
		{"bad time", `{"DevEUI_uplink":{"Time":"yesterday"}}`, ErrMalformed, `actility: malformed message: DevEUI_uplink.Time: "yesterday" is not an ISO 8601 time`},
		{"numeric time", `{"DevEUI_uplink":{"Time":1734427015}}`, ErrMalformed, "actility: malformed message: DevEUI_uplink.Time: want a time string"},
		{"bad gateway", `{"DevEUI_uplink":{"Lrrs":{"Lrr":[{"LrrSNR":"x"}]}}}`, ErrMalformed, `actility: malformed message: DevEUI_uplink.Lrrs: Lrr.LrrSNR: "x" is not a number`},
		{"gateways not object", `{"DevEUI_uplink":{"Lrrs":[1]}}`, ErrMalformed, `actility: malformed message: DevEUI_uplink.Lrrs: want {"Lrr": [...]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseUplink([]byte(tc.body))
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			assert.EqualError(t, err, tc.msg)
		})
	}
}

func TestParseUplinkLenient(t *testing.T) {
	t.Parallel()
	// null and "" leave optional fields unset; integral decimals are integers; a lone
	// gateway object stands for a one-element list; zone-less times are UTC.
	got, err := ParseUplink([]byte(`{"DevEUI_uplink":{"Time":"2024-01-02T03:04:05.5","FCntDn":null,"SpFact":"",
		"LrrRSSI":" -90.5 ","NbTrans":"2.000000","CustomerID":100002164,"Lrrs":{"Lrr":{"Lrrid":"A1"}}}}`))
	require.NoError(t, err)
	assert.Equal(t, Uplink{
		Time: time.Date(2024, 1, 2, 3, 4, 5, 5e8, time.UTC), TimeText: "2024-01-02T03:04:05.5", LrrRSSI: fp(-90.5), NbTrans: ip(2),
		CustomerID: "100002164", Lrrs: []Lrr{{Lrrid: "A1"}},
	}, got)
}

func TestSecretsDoNotPrint(t *testing.T) {
	t.Parallel()
	const appSKey, asKey = "2b7e151628aed2a6abf7158809cf4f3c", "5f0e9d7c6b5a49382716a5b4c3d2e1f0"
	u, err := ParseUplink([]byte(`{"DevEUI_uplink":{"DevEUI":"0018B20000000BEE","AppSKey":"` + appSKey + `"}}`))
	require.NoError(t, err)
	assert.Equal(t, appSKey, u.AppSKey.Reveal())
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", u, u, u), appSKey)
	msg, err := u.Message()
	require.NoError(t, err)
	assert.Contains(t, string(msg), `"AppSKey":"`+appSKey+`"`) // still sent as it is

	d, err := ParseDownlink([]byte(`{"DevEUI_downlink":{"DevEUI":"0018B20000000BEE","AS_KEY":"` + asKey + `","payload_hex":"00"}}`))
	require.NoError(t, err)
	assert.Equal(t, asKey, d.ASKey.Reveal())
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", d, d, d), asKey)
}

func TestUplinkRoundTrip(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"uplink_typed_2024.json", "uplink_untyped_2018.json", "uplink_geoloc_2022.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			u, err := ParseUplink(fixture(t, file))
			require.NoError(t, err)
			msg, err := u.Message()
			require.NoError(t, err)
			back, err := ParseUplink(msg)
			require.NoError(t, err)
			assertUplink(t, u, back)
		})
	}
}

func TestUplinkMessageTyped(t *testing.T) {
	t.Parallel()
	// The untyped variant comes out typed, in ThingPark's order, with Extra last.
	u, err := ParseUplink([]byte(`{"DevEUI_uplink":{"zz":[1],"FCntUp":"7","DevEUI":"0018B20000000B20","Time":"2018-03-06T11:19:06.357+01:00","FPort":"1","LrrSNR":"7.250000","Late":"0","Lrrs":{"Lrr":[{"Chain":"1"}]}}}`))
	require.NoError(t, err)
	msg, err := u.Message()
	require.NoError(t, err)
	assert.Equal(t, `{"DevEUI_uplink":{"Time":"2018-03-06T11:19:06.357+01:00","DevEUI":"0018B20000000B20","FPort":1,"FCntUp":7,"LrrSNR":7.25,"Late":0,"Lrrs":{"Lrr":[{"Chain":1}]},"zz":[1]}}`, string(msg))
}

func TestParseDownlink(t *testing.T) {
	t.Parallel()
	got, err := ParseDownlink(fixture(t, "downlink_2019.json"))
	require.NoError(t, err)
	want := Downlink{
		Time: mustTime(t, "2019-07-10T15:38:46.882+02:00"), DevEUI: "0018B20000000B20", FPort: 1,
		PayloadHex: "9e1c4852512000220020e3831071", Confirmed: bp(true), FlushDownlinkQueue: bp(true),
		ValidityTime: mustTime(t, "2019-07-10T17:38:46.882+02:00"), CorrelationID: "4434704901C7450B",
	}
	assert.True(t, want.Time.Equal(got.Time))
	assert.True(t, want.ValidityTime.Equal(got.ValidityTime))
	want.Time, got.Time, want.ValidityTime, got.ValidityTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	assert.Equal(t, want, got)

	// Typed flags and an unknown member.
	got, err = ParseDownlink([]byte(`{"DevEUI_downlink":{"DevEUI":"0018B20000000B20","FPort":2,"payload":{"led":true},"Confirmed":false,"Custom":"x"}}`))
	require.NoError(t, err)
	assert.Equal(t, Downlink{DevEUI: "0018B20000000B20", FPort: 2, Payload: raw(`{"led":true}`), Confirmed: bp(false),
		Extra: map[string]json.RawMessage{"Custom": raw(`"x"`)}}, got)

	_, err = ParseDownlink([]byte(`{"DevEUI_uplink":{}}`))
	assert.EqualError(t, err, "actility: malformed message: no DevEUI_downlink object")
	_, err = ParseDownlink([]byte(`{"DevEUI_downlink":{"Confirmed":"yes"}}`))
	assert.EqualError(t, err, `actility: malformed message: DevEUI_downlink.Confirmed: "yes" is not a flag (0, 1, true or false)`)
}

func TestDownlinkMessage(t *testing.T) {
	t.Parallel()
	d := Downlink{
		Time: time.Date(2019, 7, 10, 15, 38, 46, 882e6, time.FixedZone("", 2*3600)), DevEUI: "0018B20000000B20", FPort: 1,
		PayloadHex: "9e1c", Confirmed: bp(true), FlushDownlinkQueue: bp(false), CorrelationID: "4434704901C7450B",
	}
	msg, err := d.Message()
	require.NoError(t, err)
	assert.Equal(t, `{"DevEUI_downlink":{"Time":"2019-07-10T15:38:46.882+02:00","DevEUI":"0018B20000000B20","FPort":1,"payload_hex":"9e1c","Confirmed":"1","FlushDownlinkQueue":"0","CorrelationID":"4434704901C7450B"}}`, string(msg))

	fixtureMsg := fixture(t, "downlink_2019.json")
	parsed, err := ParseDownlink(fixtureMsg)
	require.NoError(t, err)
	again, err := parsed.Message()
	require.NoError(t, err)
	assert.JSONEq(t, string(fixtureMsg), string(again))

	_, err = Downlink{DevEUI: "0018B20000000B20"}.Message()
	assert.EqualError(t, err, "actility: a downlink needs exactly one of PayloadHex and Payload")
	_, err = Downlink{DevEUI: "0018B20000000B20", PayloadHex: "00", Payload: raw(`{}`)}.Message()
	assert.Error(t, err)
	_, err = Downlink{DevEUI: "0018B20000000B20", Payload: raw(`{bad`)}.Message()
	assert.EqualError(t, err, "actility: payload: not valid JSON")
}

func TestNormalizeDevEUI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, err string
	}{
		{"0018B20000000BEE", "0018B20000000BEE", ""},
		{"0018b20000000bee", "0018B20000000BEE", ""},
		{"00-18-B2-00-00-00-0B-EE", "0018B20000000BEE", ""},
		{"0018b200:00000bee", "0018B20000000BEE", ""},
		{"", "", "actility: invalid DevEUI: want 16 hexadecimal digits, got 0"},
		{"0018B20000000BE", "", "actility: invalid DevEUI: want 16 hexadecimal digits, got 15"},
		{"0018B20000000BEE0", "", "actility: invalid DevEUI: more than 16 hexadecimal digits"},
		{"0018B20000000BEG", "", `actility: invalid DevEUI: want 16 hexadecimal digits, found "0018B20000000BEG"`},
	}
	for _, tc := range tests {
		got, err := NormalizeDevEUI(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			assert.True(t, errors.Is(err, ErrInvalidDevEUI))
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got)
	}
}

func FuzzParseUplink(f *testing.F) {
	for _, name := range []string{"uplink_typed_2024.json", "uplink_untyped_2018.json", "uplink_geoloc_2022.json",
		"uplink_untyped_2015.json", "uplink_abeeway_2025.json", "join_request_2020.json", "uplink_no_time.json",
		"location_ble_2025.json", "location_gps_2024.json", "notification_2020.json", "downlink_sent_2019.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"DevEUI_uplink":{"Lrrs":{"Lrr":{"Chain":"1"}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := ParseUplink(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotUplink) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
		} else {
			msg, err := u.Message()
			if err != nil {
				t.Fatalf("a parsed uplink does not encode: %v", err)
			}
			back, err := ParseUplink(msg)
			if err != nil {
				t.Fatalf("an encoded uplink does not parse: %v\n%s", err, msg)
			}
			// A redelivery of the same uplink is the same records, in the same group.
			if a, b := ToData(u), ToData(back); !reflect.DeepEqual(a, b) {
				t.Fatalf("the records change after a round trip:\n%v\n%v\n%s", a, b, msg)
			}
		}

		m, err := ParseMessage(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotStored) {
				t.Fatalf("ParseMessage: error matches no sentinel: %v", err)
			}
			return
		}
		for _, d := range ToData(m) {
			if !validVariable(d.Variable) || d.Variable != strings.ToLower(d.Variable) {
				t.Fatalf("a variable the platform refuses: %q", d.Variable)
			}
			if d.Group == "" || len(d.Group) > 100 {
				t.Fatalf("a bad group %q", d.Group)
			}
		}
		if l, ok := m.(LocationMessage); ok {
			enc, err := l.MarshalJSON()
			if err != nil {
				t.Fatalf("a parsed location message does not encode: %v", err)
			}
			back, err := ParseLocation(enc)
			if err != nil {
				t.Fatalf("an encoded location message does not parse: %v\n%s", err, enc)
			}
			if a, b := ToData(l), ToData(back); !reflect.DeepEqual(a, b) {
				t.Fatalf("the records change after a round trip:\n%v\n%v\n%s", a, b, enc)
			}
		}
	})
}
