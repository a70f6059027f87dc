package actility

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyIn says where a test request carries the authorization key.
type keyIn int

const (
	inQuery  keyIn = iota // https://<host>/uplink?authorization=<key>, as Actility documents it
	inHeader              // Authorization: <key>
	inBearer              // Authorization: Bearer <key>
	inBoth                // both, the same key
)

func (k keyIn) String() string {
	return [...]string{"query", "header", "bearer", "query and header"}[k]
}

// postWith sends body to the bridge with key where k says.
func (e *bridgeEnv) postWith(t testing.TB, k keyIn, key string, body []byte) answer {
	t.Helper()
	target := e.url
	if k == inQuery || k == inBoth {
		target += "?authorization=" + url.QueryEscape(key)
	}
	req, err := http.NewRequest("POST", target, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	switch k {
	case inHeader, inBoth:
		req.Header.Set("Authorization", key)
	case inBearer:
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return do(t, req)
}

func TestBridgeStoresEveryKind(t *testing.T) {
	t.Parallel()
	fixtures := []struct{ file, devEUI string }{
		{"uplink_typed_2024.json", "0018B20000000BEE"},
		{"uplink_untyped_2018.json", "0018B20000000B20"},
		{"uplink_untyped_2015.json", "000000000F1D8693"},
		{"uplink_geoloc_2022.json", "0004A30B00087103"},
		{"uplink_abeeway_2025.json", "20635F039100011E"},
		{"join_request_2020.json", "0018B20000000B20"},
		{"uplink_no_time.json", "0018B20000000BEE"},
		{"location_ble_2025.json", "20635F039100011E"},
		{"location_gps_2024.json", "20635F04210001A7"},
	}
	for _, fx := range fixtures {
		for _, k := range []keyIn{inQuery, inHeader, inBearer, inBoth} {
			t.Run(fx.file+" key in "+k.String(), func(t *testing.T) {
				t.Parallel()
				e := newBridgeEnv(t, nil)
				dev := e.addDevice("d", fx.devEUI)
				body := fixture(t, fx.file)
				a := e.postWith(t, k, e.auth.Key, body)
				require.Equal(t, http.StatusOK, a.status, a.raw)
				want := expectStored(ToData(parsed(t, fx.file)))
				assert.Equal(t, map[string]any{"status": true, "result": strconv.Itoa(len(want)) + " Data Added"}, a.body)
				got := storedOn(e, dev.ID)
				if len(want) > 0 && want[0].Time.IsZero() {
					// No time in the message: the platform stamps the records.
					for i := range got {
						assert.False(t, got[i].Time.IsZero())
						got[i].Time = time.Time{}
					}
				}
				assert.Equal(t, utc(want), got)
				assert.Equal(t, e.auth.Key, e.srv.DeviceTokens(dev.ID)[0].LastAuthorization)

				// The same message again: stored once.
				a = e.postWith(t, k, e.auth.Key, body)
				assert.Equal(t, map[string]any{"status": true, "result": "already stored"}, a.body)
				assert.Len(t, e.srv.Data(dev.ID), len(want))
				assert.NotContains(t, e.logs.String(), e.auth.Key)
			})
		}
	}
}

func TestBridgeRefusesTwoDifferentKeys(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, nil)
	dev := e.addDevice("d", "0018B20000000BEE")
	other := e.srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "other"}).Key
	body := fixture(t, "uplink_typed_2024.json")
	want := map[string]any{"status": false, "message": "the request carries two different authorization keys"}

	req, err := http.NewRequest("POST", e.url+"?authorization="+e.auth.Key, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", other)
	a := do(t, req)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, want, a.body)

	req, err = http.NewRequest("POST", e.url+"?authorization="+e.auth.Key+"&authorization="+other, bytes.NewReader(body))
	require.NoError(t, err)
	a = do(t, req)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, want, a.body)

	assert.Zero(t, e.requests("GET", "/integration/network/resolve/"))
	assert.Empty(t, e.srv.Data(dev.ID))
	for _, k := range []string{e.auth.Key, other} {
		assert.NotContains(t, e.logs.String(), k)
		assert.NotContains(t, a.raw, k)
	}
}

func TestBridgeAcknowledgesOtherKinds(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, nil)
	dev := e.addDevice("d", "000000000F1D8693")
	for _, tc := range []struct{ file, kind, devEUI string }{
		{"notification_2020.json", "DevEUI_notification", "000000000F1D8693"},
		{"downlink_sent_2019.json", "DevEUI_downlink_Sent", "0018B20000000D48"},
		{"nwgeoloc_2020.json", "DevEUI_location", "000000000f1d8693"},
	} {
		a := e.postWith(t, inQuery, e.auth.Key, fixture(t, tc.file))
		assert.Equal(t, http.StatusAccepted, a.status, tc.file)
		assert.Equal(t, map[string]any{"status": true, "result": "ignored: a " + tc.kind + " message is not stored"}, a.body)
		assert.Contains(t, e.logs.String(), `msg="actility: not stored: `+tc.kind+` messages are not stored" kind=`+tc.kind+` deveui=`+tc.devEUI+` status=202`)
	}
	assert.Empty(t, e.srv.Data(dev.ID))
	assert.Zero(t, e.requests("GET", "/integration/network/resolve/"))
	assert.NotContains(t, e.logs.String(), e.auth.Key)

	// A body that is none of ThingPark's messages is refused.
	a := e.postWith(t, inQuery, e.auth.Key, []byte(`{"hello":"world"}`))
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, "actility: malformed message: neither an uplink nor a location message", a.body["message"])
	a = e.postWith(t, inQuery, e.auth.Key, []byte(`{"deviceEUI":"","time":"2025-01-13T12:46:30.201Z"}`))
	assert.Equal(t, "the location message has no DevEUI", a.body["message"])
}
