package actility

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connectionID is the ID of a fake ThingPark X IoT Flow connection.
const connectionID = "ac234b63-43a4-4043-b7c6-c1a571d2ca35"

// downlinkBridge is a bridge whose devices' uplinks carry the downlink URL of a fake
// ThingPark.
type downlinkBridge struct {
	*bridgeEnv
	tp      *fakeThingPark
	tpURL   string // the connection's downlink URL
	dev     tagotest.Device
	account *tago.Client
}

func newDownlinkBridge(t *testing.T, status int, body string, edit func(*BridgeConfig)) *downlinkBridge {
	t.Helper()
	tp := &fakeThingPark{status: status, body: body}
	tps := httptest.NewServer(tp)
	t.Cleanup(tps.Close)
	e := newBridgeEnv(t, func(c *BridgeConfig) {
		c.DownlinkHosts = []string{"127.0.0.1"}
		if edit != nil {
			edit(c)
		}
	})
	d := &downlinkBridge{bridgeEnv: e, tp: tp, tpURL: tps.URL + "/iot-flow/downlinkMessages/" + connectionID}
	d.dev = e.addDevice("Valve", "0018B20000000BEE")
	acct, err := tago.NewClient(tago.AccountToken(e.srv.AccountToken()), tago.WithBaseURL(e.srv.URL), tago.WithHTTPClient(e.srv.Client()))
	require.NoError(t, err)
	d.account = acct
	return d
}

// uplinkWithDownlinkURL delivers an uplink that carries the connection's downlink URL.
func (d *downlinkBridge) uplinkWithDownlinkURL(t *testing.T) {
	t.Helper()
	u := typed2024(t)
	u.DownlinkURL = d.tpURL
	msg, err := u.Message()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, d.postWith(t, inQuery, d.auth.Key, msg).status)
}

// downlink posts a downlink request to the bridge as TagoIO does.
func (d *downlinkBridge) downlink(t *testing.T, body string) answer {
	t.Helper()
	req, err := http.NewRequest("POST", d.base+"/downlink", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

// TestBridgeServesDownlinks: TagoIO's downlink helper, pointed at the bridge as the
// network's middleware, queues the frame on ThingPark through the connection's
// downlink URL.
func TestBridgeServesDownlinks(t *testing.T) {
	t.Parallel()
	d := newDownlinkBridge(t, http.StatusAccepted, `{"status":"QUEUED"}`, nil)
	d.uplinkWithDownlinkURL(t)
	before := time.Now()

	err := QueueDownlink(t.Context(), d.account, d.dev.ID, DownlinkRequest{Payload: "0a0B", Port: 2, Confirmed: true})
	require.NoError(t, err)

	calls := d.tp.requests()
	require.Len(t, calls, 1)
	assert.Equal(t, "POST", calls[0].Method)
	assert.Equal(t, "/iot-flow/downlinkMessages/"+connectionID, calls[0].Path)
	assert.Equal(t, "", calls[0].Auth)
	assert.Equal(t, "application/json", calls[0].ContentType)
	var msg struct {
		DevEUIDownlink map[string]any `json:"DevEUI_downlink"`
	}
	require.NoError(t, json.Unmarshal([]byte(calls[0].Body), &msg))
	sent, err := time.Parse(TimeLayout, msg.DevEUIDownlink["Time"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, before, sent, time.Minute)
	delete(msg.DevEUIDownlink, "Time")
	assert.Equal(t, map[string]any{"DevEUI": "0018B20000000BEE", "FPort": 2.0, "payload_hex": "0a0B", "Confirmed": "1"}, msg.DevEUIDownlink)

	// The platform's side was done too: the device's parameters hold the downlink.
	params := d.srv.Params(d.dev.ID)
	require.Len(t, params, 2)
	assert.Equal(t, "0a0B", params[0].Value)

	logs := d.logs.String()
	assert.Contains(t, logs, `msg="actility: downlink" deveui=0018B20000000BEE port=2 status=200`)
	assert.NotContains(t, logs, d.auth.Key)
	assert.NotContains(t, logs, connectionID)
}

func TestBridgeDownlinkRefusals(t *testing.T) {
	t.Parallel()
	d := newDownlinkBridge(t, http.StatusOK, `{}`, nil)
	d.uplinkWithDownlinkURL(t)
	prof := d.srv.AddProfile("another")
	other := d.srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "other", Profile: prof.ID}).Key
	good := func(key string) string {
		return `{"device":"0018B20000000BEE","authorization":"` + key + `","payload":"01","port":2,"confirmed":false}`
	}
	tests := []struct {
		name, body string
		status     int
		message    string
	}{
		{"not JSON", `port=2`, 400, `the body must be a JSON object {"device", "authorization", "payload", "port", "confirmed"}`},
		{"no key", `{"device":"0018B20000000BEE","payload":"01","port":2}`, 400, "missing authorization key: ThingPark must send the TagoIO authorization key as the authorization query parameter (https://<host>/uplink?authorization=<key>) or in the Authorization header"},
		{"bad device", `{"device":"0018B2","authorization":"` + d.auth.Key + `","payload":"01","port":2}`, 400, "device: actility: invalid DevEUI: want 16 hexadecimal digits, got 6"},
		{"bad payload", `{"device":"0018B20000000BEE","authorization":"` + d.auth.Key + `","payload":"0g","port":2}`, 400, "payload must be a non-empty, even number of hexadecimal digits"},
		{"odd payload", `{"device":"0018B20000000BEE","authorization":"` + d.auth.Key + `","payload":"012","port":2}`, 400, "payload must be a non-empty, even number of hexadecimal digits"},
		{"no port", `{"device":"0018B20000000BEE","authorization":"` + d.auth.Key + `","payload":"01"}`, 400, "port must be 1 to 223"},
		{"port 224", `{"device":"0018B20000000BEE","authorization":"` + d.auth.Key + `","payload":"01","port":224}`, 400, "port must be 1 to 223"},
		{"bad confirmed", `{"device":"0018B20000000BEE","authorization":"` + d.auth.Key + `","payload":"01","port":"2","confirmed":"maybe"}`, 400, "confirmed must be true or false"},
		{"forged key", good(forged(1)), 401, "the TagoIO authorization key was rejected"},
		{"a key that does not own the device", good(other), 404, "no TagoIO device with serial 0018B20000000BEE for this authorization key"},
	}
	for _, tc := range tests {
		a := d.downlink(t, tc.body)
		assert.Equal(t, tc.status, a.status, tc.name)
		assert.Equal(t, map[string]any{"status": false, "message": tc.message}, a.body, tc.name)
		assert.NotContains(t, a.raw, d.auth.Key)
	}
	// Two different keys (body and header).
	req, err := http.NewRequest("POST", d.base+"/downlink", strings.NewReader(good(d.auth.Key)))
	require.NoError(t, err)
	req.Header.Set("Authorization", other)
	a := do(t, req)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, "the request carries two different authorization keys", a.body["message"])
	resp, err := http.Get(d.base + "/downlink")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Empty(t, d.tp.requests())

	// The port may be a string, as TagoIO's SDK types it.
	a = d.downlink(t, `{"device":"0018b200-00000bee","authorization":"`+d.auth.Key+`","payload":"01","port":"2"}`)
	assert.Equal(t, map[string]any{"status": true, "result": "Downlink queued on ThingPark"}, a.body)
	assert.Len(t, d.tp.requests(), 1)
}

func TestBridgeDownlinkURL(t *testing.T) {
	t.Parallel()
	body := func(key string) string {
		return `{"device":"0018B20000000BEE","authorization":"` + key + `","payload":"01","port":2}`
	}
	// No uplink brought a downlink URL, and none is configured.
	d := newDownlinkBridge(t, http.StatusOK, `{}`, nil)
	old := typed2024(t)
	old.DownlinkURL = "" // an older IoT Flow
	oldMsg, err := old.Message()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, d.post(t, d.auth.Key, oldMsg).status)
	a := d.downlink(t, body(d.auth.Key))
	assert.Equal(t, http.StatusConflict, a.status)
	assert.Contains(t, a.body["message"], "no ThingPark downlink URL is known for this device")

	// A configured one serves instead.
	d.restart(t, func(c *BridgeConfig) { c.DownlinkURL = tago.Secret(d.tpURL) })
	a = d.downlink(t, body(d.auth.Key))
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Len(t, d.tp.requests(), 1)

	// A device's downlink URL on a host that is not allowed is not posted to.
	d = newDownlinkBridge(t, http.StatusOK, `{}`, nil)
	u := typed2024(t)
	u.DownlinkURL = "https://internal.example.com/iot-flow/downlinkMessages/" + connectionID
	msg, err := u.Message()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, d.post(t, d.auth.Key, msg).status)
	a = d.downlink(t, body(d.auth.Key))
	assert.Equal(t, http.StatusConflict, a.status)
	assert.Equal(t, "the device's downlinkurl is not an https URL of an allowed ThingPark host (DownlinkHosts)", a.body["message"])
	assert.Empty(t, d.tp.requests())

	_, err = NewBridge(BridgeConfig{NetworkToken: "n", DownlinkURL: "http://thingpark.example.com/iot-flow/downlinkMessages/" + connectionID})
	assert.EqualError(t, err, "actility: the bridge's downlink URL: a downlink URL must use https (plain http only on loopback hosts)")
	_, err = NewBridge(BridgeConfig{NetworkToken: "n", DownlinkURL: "https://tp.example.com/x", DownlinkHosts: []string{"thingpark.io"}})
	assert.EqualError(t, err, "actility: the bridge's downlink URL is not on one of the DownlinkHosts")
	assert.True(t, hostAllowed("community.thingpark.io", defaultDownlinkHosts))
	assert.True(t, hostAllowed("thingparkenterprise.au.actility.com", defaultDownlinkHosts))
	assert.False(t, hostAllowed("thingpark.io.evil.com", defaultDownlinkHosts))
	assert.False(t, hostAllowed("evilthingpark.io", defaultDownlinkHosts))
}

// TestBridgeDownlinkThingParkFailures: ThingPark's refusals are answered 502 with its
// message; a redirect is not followed.
func TestBridgeDownlinkThingParkFailures(t *testing.T) {
	t.Parallel()
	body := func(key string) string {
		return `{"device":"0018B20000000BEE","authorization":"` + key + `","payload":"01","port":2}`
	}
	d := newDownlinkBridge(t, http.StatusBadRequest, `{"message":"Downlink counter value already used"}`, nil)
	d.uplinkWithDownlinkURL(t)
	a := d.downlink(t, body(d.auth.Key))
	assert.Equal(t, http.StatusBadGateway, a.status)
	assert.Equal(t, "ThingPark refused the downlink: 400 Downlink counter value already used", a.body["message"])

	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	d = newDownlinkBridge(t, 0, ``, nil)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	d.tpURL = redirect.URL + "/iot-flow/downlinkMessages/" + connectionID
	d.uplinkWithDownlinkURL(t)
	a = d.downlink(t, body(d.auth.Key))
	assert.Equal(t, http.StatusBadGateway, a.status)
	assert.Equal(t, "ThingPark refused the downlink: 307", a.body["message"])
	assert.Zero(t, elsewhere.Load())

	// ThingPark unreachable.
	d = newDownlinkBridge(t, 0, ``, nil)
	closed := httptest.NewServer(http.NotFoundHandler())
	d.tpURL = closed.URL + "/iot-flow/downlinkMessages/" + connectionID
	closed.Close()
	d.uplinkWithDownlinkURL(t)
	a = d.downlink(t, body(d.auth.Key))
	assert.Equal(t, http.StatusBadGateway, a.status)
	assert.Equal(t, "ThingPark could not be reached", a.body["message"])
	assert.NotContains(t, d.logs.String(), connectionID)
	assert.False(t, bytes.Contains([]byte(a.raw), []byte(connectionID)))
}

// TestBridgeDownlinkURLFromTheAuthorization: without a downlinkurl record, the bridge
// takes the connection's downlink URL from the authorization's additional parameter,
// where Actility's guide has users paste it, reading it with the key as the token.
func TestBridgeDownlinkURLFromTheAuthorization(t *testing.T) {
	t.Parallel()
	d := newDownlinkBridge(t, http.StatusAccepted, `{"status":"QUEUED"}`, nil)
	// A first uplink without the URL makes the device's token known to the platform.
	u := typed2024(t)
	u.DownlinkURL = ""
	msg, err := u.Message()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, d.postWith(t, inQuery, d.auth.Key, msg).status)
	code := tago.Secret(d.tpURL)
	require.NoError(t, d.account.Authorizations.Edit(t.Context(), d.auth.Key, tago.AuthorizationEditRequest{VerificationCode: &code}))

	err = QueueDownlink(t.Context(), d.account, d.dev.ID, DownlinkRequest{Payload: "0a0B", Port: 2})
	require.NoError(t, err)
	calls := d.tp.requests()
	require.Len(t, calls, 1)
	assert.Equal(t, "/iot-flow/downlinkMessages/"+connectionID, calls[0].Path)
	assert.NotContains(t, d.logs.String(), connectionID)

	// A parameter that is not an allowed https URL is not used.
	bad := tago.Secret("https://elsewhere.example.com/iot-flow/downlinkMessages/x")
	require.NoError(t, d.account.Authorizations.Edit(t.Context(), d.auth.Key, tago.AuthorizationEditRequest{VerificationCode: &bad}))
	err = QueueDownlink(t.Context(), d.account, d.dev.ID, DownlinkRequest{Payload: "0a0B", Port: 2})
	require.Error(t, err)
	assert.Len(t, d.tp.requests(), 1, "nothing more reached ThingPark")
}
