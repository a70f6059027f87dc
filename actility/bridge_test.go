package actility

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// bridgeEnv is a fake TagoIO with a LoRaWAN Actility network, an authorization key and
// a bridge in front of it.
type bridgeEnv struct {
	srv    *tagotest.Server
	netw   tagotest.Network
	auth   tagotest.Authorization
	bridge *Bridge
	cfg    BridgeConfig
	base   string // the bridge server's URL
	url    string // its uplink route
	logs   *syncBuffer
	swap   *swappable
}

// swappable routes requests to the current bridge, so that a test can restart it.
type swappable struct {
	mu sync.Mutex
	b  *Bridge
}

func (s *swappable) set(b *Bridge) { s.mu.Lock(); s.b = b; s.mu.Unlock() }
func (s *swappable) get() *Bridge  { s.mu.Lock(); defer s.mu.Unlock(); return s.b }

// fastRetries makes the SDK's own retries quick in tests.
var fastRetries = tago.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, NoJitter: true}

// newBridgeEnv starts the fake, the network, a key and the bridge; edit adjusts the
// bridge's configuration.
func newBridgeEnv(t testing.TB, edit func(*BridgeConfig), opts ...tagotest.Option) *bridgeEnv {
	t.Helper()
	srv := tagotest.NewServer(t, opts...)
	e := &bridgeEnv{srv: srv, logs: &syncBuffer{}, swap: &swappable{}}
	// The bridge's server first, so that the network's middleware is the bridge.
	mux := http.NewServeMux()
	mux.Handle("/uplink", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { e.swap.get().ServeHTTP(w, r) }))
	mux.Handle("/downlink", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { e.swap.get().DownlinkHandler().ServeHTTP(w, r) }))
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	e.base = hs.URL
	e.url = hs.URL + "/uplink"

	e.netw = srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility", MiddlewareEndpoint: hs.URL})
	e.auth = srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// A delivery file, as a production bridge has: the fixtures' uplinks are older than
	// the bridge, which the default in-memory log would check on the platform first
	// (TestBridgeRestartWithoutFile covers that).
	deliveries, err := OpenDeliveryFile(filepath.Join(t.TempDir(), "deliveries"), DeliveryFileOptions{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = deliveries.Close() })
	cfg := BridgeConfig{
		NetworkToken: tago.Secret(e.netw.Token), HTTPClient: srv.Client(), Logger: logger,
		ClientOptions: []tago.Option{tago.WithBaseURL(srv.URL), tago.WithRetryPolicy(fastRetries), tago.WithLogger(logger)},
		SettleTime:    30 * time.Millisecond,
		Deliveries:    deliveries,
	}
	if edit != nil {
		edit(&cfg)
	}
	e.cfg = cfg
	b, err := NewBridge(cfg)
	require.NoError(t, err)
	e.bridge = b
	e.swap.set(b)
	return e
}

// restart replaces the bridge with a new one made from the same configuration (and
// edit), as a restarted process would be, behind the same URL.
func (e *bridgeEnv) restart(t testing.TB, edit func(*BridgeConfig)) {
	t.Helper()
	cfg := e.cfg
	if edit != nil {
		edit(&cfg)
	}
	b, err := NewBridge(cfg)
	require.NoError(t, err)
	e.bridge = b
	e.swap.set(b)
}

// addDevice adds a LoRaWAN Actility device with the DevEUI as its serial.
func (e *bridgeEnv) addDevice(name, devEUI string) tagotest.Device {
	return e.srv.AddDevice(tagotest.DeviceSpec{Name: name, Network: e.netw.ID, SerieNumber: devEUI})
}

// answer is the bridge's answer to one POST.
type answer struct {
	status     int
	retryAfter string
	body       map[string]any
	raw        string
}

// post sends body to the bridge with key in the Authorization header (none when empty).
func (e *bridgeEnv) post(t testing.TB, key string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest("POST", e.url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), raw: string(b)}
	require.NoError(t, json.Unmarshal(b, &a.body), string(b))
	return a
}

// requests counts the fake's requests with method and path (a prefix when it ends in
// "/").
func (e *bridgeEnv) requests(method, path string) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Method == method && (r.Path == path || strings.HasSuffix(path, "/") && strings.HasPrefix(r.Path, path)) {
			n++
		}
	}
	return n
}

// uplinkFor returns the typed 2024 example for another device and frame counter.
func uplinkFor(t testing.TB, devEUI string, fcnt int) []byte {
	t.Helper()
	u := typed2024(t)
	u.DevEUI, u.FCntUp = devEUI, ip(fcnt)
	u.Time = u.Time.Add(time.Duration(fcnt) * time.Second)
	msg, err := u.Message()
	require.NoError(t, err)
	return msg
}

// expectStored is what the fake holds after ToData(u) was sent: numbers read back as
// float64.
func expectStored(recs []tago.Data) []tagotest.Record {
	var out []tagotest.Record
	for _, d := range recs {
		r := tagotest.Record{Variable: d.Variable, Value: d.Value, Group: d.Group, Time: d.Time}
		switch v := d.Value.(type) {
		case int:
			r.Value = float64(v)
		case json.Number:
			r.Value, _ = v.Float64()
		}
		if d.Location != nil {
			r.Location = &tagotest.Location{Lat: d.Location.Lat, Lng: d.Location.Lng}
		}
		if d.Metadata != nil {
			r.Metadata = map[string]any{}
			for k, v := range d.Metadata {
				if n, ok := v.(int); ok {
					v = float64(n)
				}
				r.Metadata[k] = v
			}
		}
		out = append(out, r)
	}
	return out
}

// stored returns the records of a device without the fields the fake assigns.
func storedOn(e *bridgeEnv, deviceID string) []tagotest.Record {
	recs := e.srv.Data(deviceID)
	for i := range recs {
		recs[i].ID, recs[i].Device, recs[i].CreatedAt = "", "", time.Time{}
		recs[i].Time = recs[i].Time.UTC()
	}
	return recs
}

// utc returns the expected records with times in UTC, as the fake returns them.
func utc(recs []tagotest.Record) []tagotest.Record {
	for i := range recs {
		recs[i].Time = recs[i].Time.UTC()
	}
	return recs
}

func TestBridgeStoresRecordedUplink(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, nil)
	dev := e.addDevice("Field tester", "0018B20000000BEE")
	other := e.addDevice("Another device", "0018B20000000B20")

	a := e.post(t, e.auth.Key, fixture(t, "uplink_typed_2024.json"))
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, map[string]any{"status": true, "result": "29 Data Added"}, a.body)

	u, err := ParseUplink(fixture(t, "uplink_typed_2024.json"))
	require.NoError(t, err)
	got := storedOn(e, dev.ID)
	assert.Equal(t, utc(expectStored(ToData(u))), got)
	require.Len(t, got, 29)
	byName := map[string]any{}
	for _, r := range got {
		byName[r.Variable] = r.Value
		assert.Equal(t, "1734427015911-368", r.Group)
		assert.Equal(t, time.Date(2024, 12, 17, 9, 16, 55, 911e6, time.UTC), r.Time)
	}
	assert.Equal(t, "9e184856043000211770baae0bc9", byName["payload"])
	assert.Equal(t, 1.0, byName["fport"])
	assert.Equal(t, 368.0, byName["fcntup"])
	assert.Equal(t, -84.0, byName["lrrrssi"])
	assert.Equal(t, 9.75, byName["lrrsnr"])
	assert.Equal(t, 7.0, byName["spfact"])
	assert.Empty(t, e.srv.Data(other.ID))

	// The resolve recorded the key as the token's last authorization (needed for
	// downlinks), and the data went in with the device's token.
	assert.Equal(t, e.auth.Key, e.srv.DeviceTokens(dev.ID)[0].LastAuthorization)
	var dataPosts []tagotest.Request
	for _, r := range e.srv.Requests() {
		if r.Method == "POST" && r.Path == "/data" {
			dataPosts = append(dataPosts, r)
		}
	}
	require.Len(t, dataPosts, 1)
	assert.Equal(t, "device", dataPosts[0].TokenKind)

	// The untyped variant and a network-geolocated uplink land too.
	geo := e.addDevice("Tracker", "0004A30B00087103")
	a = e.post(t, "Bearer "+e.auth.Key, fixture(t, "uplink_geoloc_2022.json"))
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, utc(expectStored(ToData(geoloc2022(t)))), storedOn(e, geo.ID))
	a = e.post(t, e.auth.Key, fixture(t, "uplink_untyped_2018.json"))
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, utc(expectStored(ToData(untyped2018(t)))), storedOn(e, other.ID))
}

func TestBridgeRejects(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, func(c *BridgeConfig) { c.MaxBodyBytes = 4096 })
	dev := e.addDevice("Field tester", "0018B20000000BEE")
	good := fixture(t, "uplink_typed_2024.json")

	tests := []struct {
		name    string
		key     string
		body    []byte
		status  int
		message string
	}{
		{"wrong key", "at00000000000000000000000000000000", good, 401, "the TagoIO authorization key was rejected"},
		{"malformed key", "not a key!", good, 401, "the TagoIO authorization key was rejected"},
		{"missing key", "", good, 400, "missing authorization key: ThingPark must send the TagoIO authorization key as the authorization query parameter (https://<host>/uplink?authorization=<key>) or in the Authorization header"},
		{"not JSON", e.auth.Key, []byte("DevEUI=0018B20000000BEE"), 400, "actility: malformed message: the body is not a JSON object"},
		{"bad field", e.auth.Key, []byte(`{"DevEUI_uplink":{"DevEUI":"0018B20000000BEE","FPort":"one"}}`), 400, `actility: malformed message: DevEUI_uplink.FPort: "one" is not an integer`},
		{"no DevEUI", e.auth.Key, []byte(`{"DevEUI_uplink":{"FPort":1,"payload_hex":"00"}}`), 400, "the uplink has no DevEUI"},
		{"bad DevEUI", e.auth.Key, []byte(`{"DevEUI_uplink":{"DevEUI":"0018B2","FPort":1}}`), 400, "actility: invalid DevEUI: want 16 hexadecimal digits, got 6"},
		{"unknown device", e.auth.Key, uplinkFor(t, "70B3D57ED0000001", 1), 404, "no TagoIO device with serial 70B3D57ED0000001 for this authorization key"},
		{"too large", e.auth.Key, append(good[:len(good)-2], []byte(`,"pad":"`+strings.Repeat("x", 5000)+`"}}`)...), 413, "the body is larger than 4096 bytes"},
	}
	for _, tc := range tests {
		a := e.post(t, tc.key, tc.body)
		assert.Equal(t, tc.status, a.status, tc.name)
		assert.Equal(t, map[string]any{"status": false, "message": tc.message}, a.body, tc.name)
	}
	assert.Empty(t, e.srv.Data(dev.ID))
	assert.Zero(t, e.requests("POST", "/data"))

	// Data the platform refuses is answered for what it is; nothing is stored.
	off := e.srv.AddDevice(tagotest.DeviceSpec{Name: "off", Network: e.netw.ID, SerieNumber: "0018B20000000B20", Inactive: true})
	a := e.post(t, e.auth.Key, uplinkFor(t, "0018B20000000B20", 1))
	assert.Equal(t, 400, a.status)
	assert.Equal(t, map[string]any{"status": false, "message": "the platform refused the data: Device is deactivated"}, a.body)
	e.srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Status: 403, Body: `{"status":false,"message":"You have exceeded the maximum limit of data input"}`})
	a = e.post(t, e.auth.Key, uplinkFor(t, "0018B20000000BEE", 2))
	assert.Equal(t, 403, a.status)
	assert.Equal(t, map[string]any{"status": false, "message": "the platform refused the data: You have exceeded the maximum limit of data input"}, a.body)
	assert.Empty(t, e.srv.Data(off.ID))
	assert.Empty(t, e.srv.Data(dev.ID))

	// Another kind of ThingPark message is acknowledged and ignored.
	a = e.post(t, e.auth.Key, []byte(`{"DevEUI_notification":{"DevEUI":"0018B20000000BEE"}}`))
	assert.Equal(t, 202, a.status)
	assert.Equal(t, map[string]any{"status": true, "result": "ignored: a DevEUI_notification message is not stored"}, a.body)

	req, err := http.NewRequest("GET", e.url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 405, resp.StatusCode)
	assert.Equal(t, "POST", resp.Header.Get("Allow"))
}

func TestBridgeRecoversWithoutDuplicates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault tagotest.Fault
		// recheck: the retry had to look on the platform before sending.
		wantRetryAfter string
	}{
		{"500 after storing", tagotest.Fault{Method: "POST", Path: "/data", Status: 500, Process: true}, "1"},
		{"500 before storing", tagotest.Fault{Method: "POST", Path: "/data", Status: 500}, "1"},
		{"502 proxy page after storing", tagotest.Fault{Method: "POST", Path: "/data", Status: 502, Body: tagotest.BadGatewayHTML, Process: true}, "1"},
		{"reset after storing", tagotest.Fault{Method: "POST", Path: "/data", Reset: true, Process: true}, "1"},
		{"reset before storing", tagotest.Fault{Method: "POST", Path: "/data", Reset: true}, "1"},
		{"rate limited past the SDK's patience", tagotest.Fault{Method: "POST", Path: "/data", Status: 429, RetryAfter: 90 * time.Second}, "90"},
		{"resolve down", tagotest.Fault{Method: "GET", Path: "/integration/network/resolve/*/*", Status: 503, Times: -1}, "30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newBridgeEnv(t, nil)
			dev := e.addDevice("Field tester", "0018B20000000BEE")
			body := fixture(t, "uplink_typed_2024.json")
			h := e.srv.Inject(tc.fault)

			a := e.post(t, e.auth.Key, body)
			require.Equal(t, http.StatusServiceUnavailable, a.status, a.raw)
			assert.Equal(t, tc.wantRetryAfter, a.retryAfter)
			assert.Equal(t, false, a.body["status"])
			h.Remove()

			// ThingPark retries after Retry-After; the uplink is stored exactly once.
			time.Sleep(40 * time.Millisecond)
			a = e.post(t, e.auth.Key, body)
			require.Equal(t, http.StatusOK, a.status, a.raw)
			u, err := ParseUplink(body)
			require.NoError(t, err)
			assert.Equal(t, utc(expectStored(ToData(u))), storedOn(e, dev.ID))

			// And any later delivery of it stores nothing more.
			a = e.post(t, e.auth.Key, body)
			assert.Equal(t, http.StatusOK, a.status)
			assert.Equal(t, map[string]any{"status": true, "result": "already stored"}, a.body)
			assert.Len(t, e.srv.Data(dev.ID), 29)
		})
	}
}

func TestBridgeChecksOnlyAfterSettling(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, func(c *BridgeConfig) { c.SettleTime = time.Hour })
	dev := e.addDevice("Field tester", "0018B20000000BEE")
	body := fixture(t, "uplink_typed_2024.json")
	e.srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Status: 504, Process: true})

	a := e.post(t, e.auth.Key, body)
	require.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.Equal(t, "3600", a.retryAfter)
	// An early retry is turned away without touching the platform.
	a = e.post(t, e.auth.Key, body)
	require.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.Equal(t, map[string]any{"status": false,
		"message": "an earlier delivery of this message may have been stored; it is checked once the platform has settled"}, a.body)
	n, _ := strconv.Atoi(a.retryAfter)
	assert.InDelta(t, 3600, n, 2)
	assert.Equal(t, 1, e.requests("POST", "/data"))
	assert.Zero(t, e.requests("GET", "/data"))
	assert.Len(t, e.srv.Data(dev.ID), 29)
}

func TestBridgeConcurrentDeliveryOfOneUplink(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, nil)
	dev := e.addDevice("Field tester", "0018B20000000BEE")
	body := fixture(t, "uplink_typed_2024.json")
	// Resolve once, then slow the data post so that a second delivery arrives mid-way.
	require.Equal(t, http.StatusOK, e.post(t, e.auth.Key, uplinkFor(t, "0018B20000000BEE", 1)).status)
	e.srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Delay: 300 * time.Millisecond})

	first := make(chan answer)
	go func() { first <- e.post(t, e.auth.Key, body) }()
	time.Sleep(100 * time.Millisecond)
	second := e.post(t, e.auth.Key, body)
	assert.Equal(t, http.StatusServiceUnavailable, second.status)
	assert.Equal(t, "this message is being handled; try again later", second.body["message"])
	assert.Equal(t, http.StatusOK, (<-first).status)
	assert.Len(t, e.srv.Data(dev.ID), 58)
	assert.Equal(t, 2, e.requests("POST", "/data"))
}

func TestBridgeTokenCache(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, nil)
	dev := e.addDevice("Field tester", "0018B20000000BEE")
	for i := 1; i <= 3; i++ {
		require.Equal(t, http.StatusOK, e.post(t, e.auth.Key, uplinkFor(t, "0018b200-00000bee", i)).status)
	}
	assert.Equal(t, 1, e.requests("GET", "/integration/network/resolve/"))

	// The cached token is revoked: the platform answers 401, the bridge drops it,
	// resolves the device's other token and stores the uplink with it.
	second := e.srv.AddDeviceToken(dev.ID, tagotest.TokenSpec{Name: "second", SerieNumber: "0018B20000000BEE"})
	acct, err := tago.NewClient(tago.AccountToken(e.srv.AccountToken()), tago.WithBaseURL(e.srv.URL))
	require.NoError(t, err)
	require.NoError(t, acct.Tokens.Delete(t.Context(), dev.Token))

	a := e.post(t, e.auth.Key, uplinkFor(t, "0018B20000000BEE", 4))
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, 2, e.requests("GET", "/integration/network/resolve/"))
	assert.Len(t, e.srv.Data(dev.ID), 4*29)
	last := e.srv.Requests()[len(e.srv.Requests())-1]
	assert.Equal(t, "/data", last.Path)
	assert.Equal(t, 200, last.Status)
	_ = second
}

func TestBridgeConcurrentUplinks(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, nil)
	const devices, perDevice = 10, 5
	ids := make([]string, devices)
	for d := range devices {
		ids[d] = e.addDevice(fmt.Sprintf("device %d", d), fmt.Sprintf("0018B200000%05X", d)).ID
	}
	var wg sync.WaitGroup
	statuses := make(chan int, devices*perDevice)
	for d := range devices {
		for f := range perDevice {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- e.post(t, e.auth.Key, uplinkFor(t, fmt.Sprintf("0018B200000%05X", d), f+1)).status
			}()
		}
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		assert.Equal(t, http.StatusOK, s)
	}
	for d := range devices {
		recs := e.srv.Data(ids[d])
		assert.Len(t, recs, perDevice*29, "device %d", d)
		groups := map[string]bool{}
		for _, r := range recs {
			groups[r.Group] = true
		}
		assert.Len(t, groups, perDevice, "device %d: one group per uplink", d)
	}
	// Concurrent uplinks of one device share one resolve.
	assert.Equal(t, devices, e.requests("GET", "/integration/network/resolve/"))
}

func TestBridgeNeverLogsTheKey(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, nil)
	e.addDevice("Field tester", "0018B20000000BEE")
	body := fixture(t, "uplink_typed_2024.json")

	var answers []string
	answers = append(answers, e.post(t, e.auth.Key, body).raw)
	answers = append(answers, e.post(t, e.auth.Key, uplinkFor(t, "70B3D57ED0000001", 1)).raw)
	wrong := "at" + strings.Repeat("5", 32)
	answers = append(answers, e.post(t, wrong, body).raw)
	e.srv.Inject(tagotest.Fault{Method: "GET", Path: "/integration/network/resolve/*/*", Status: 500, Body: `{"status":false,"message":"boom for ` + e.auth.Key + `"}`, Times: -1})
	answers = append(answers, e.post(t, e.auth.Key, uplinkFor(t, "0018B20000000B21", 1)).raw)

	logs := e.logs.String()
	require.Contains(t, logs, "actility: uplink")
	require.Contains(t, logs, "/integration/network/resolve/") // the SDK's debug lines are there too
	for _, key := range []string{e.auth.Key, wrong} {
		assert.NotContains(t, logs, key)
		for _, a := range answers {
			assert.NotContains(t, a, key)
		}
	}
	assert.NotContains(t, logs, e.netw.Token)
	for _, tok := range e.srv.DeviceTokens(e.srv.Devices()[len(e.srv.Devices())-1].ID) {
		assert.NotContains(t, logs, tok.Token)
	}
}

func TestNewBridge(t *testing.T) {
	t.Parallel()
	_, err := NewBridge(BridgeConfig{})
	assert.EqualError(t, err, "actility: the bridge needs a network token")
	_, err = NewBridge(BridgeConfig{NetworkToken: "abc", ClientOptions: []tago.Option{tago.WithBaseURL("http://example.com")}})
	assert.ErrorIs(t, err, tago.ErrInvalidInput)
}

// BenchmarkBridgeThroughput measures uplinks per second end to end: ThingPark's POST to
// the bridge, the bridge's send to the fake platform, the answer. Ten devices, tokens
// cached after the first uplink of each, with each delivery log: a file without and
// with flushes to disk (the pending record of each uplink), and memory.
func BenchmarkBridgeThroughput(b *testing.B) {
	for _, log := range []string{"file-nosync", "file", "memory"} {
		b.Run(log, func(b *testing.B) { benchmarkBridge(b, log) })
	}
}

func benchmarkBridge(b *testing.B, log string) {
	e := newBridgeEnv(b, func(c *BridgeConfig) {
		c.Logger = nil
		c.ClientOptions = c.ClientOptions[:2]
		switch log {
		case "file":
			f, err := OpenDeliveryFile(filepath.Join(b.TempDir(), "d"), DeliveryFileOptions{})
			require.NoError(b, err)
			b.Cleanup(func() { _ = f.Close() })
			c.Deliveries = f
		case "memory":
			c.Deliveries = nil
		}
	}, tagotest.WithDataLimit(0), tagotest.WithRequestLogLimit(0))
	const devices = 10
	// Uplinks newer than the bridge, as in production: none is looked for first.
	base := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	bodies := make([][][]byte, devices)
	for d := range devices {
		devEUI := fmt.Sprintf("0018B200000%05X", d)
		e.addDevice(fmt.Sprintf("device %d", d), devEUI)
		bodies[d] = make([][]byte, 1000)
		for f := range bodies[d] {
			u := typed2024(b)
			u.DevEUI, u.FCntUp, u.TimeText = devEUI, ip(f+1), ""
			u.Time = base.Add(time.Duration(f) * time.Second)
			bodies[d][f], _ = u.Message()
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	next := 0
	b.SetParallelism(4) // ThingPark delivers several uplinks at once
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			// Each iteration is a new uplink: past the prepared ones, shift the time.
			body := bodies[i%devices][(i/devices)%1000]
			if i >= devices*1000 {
				u, _ := ParseUplink(body)
				u.Time, u.TimeText = u.Time.Add(time.Duration(i)*time.Hour), ""
				body, _ = u.Message()
			}
			req, _ := http.NewRequest("POST", e.url+"?authorization="+e.auth.Key, bytes.NewReader(body))
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "uplinks/s")
}
