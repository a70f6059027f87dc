package actility

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withFile makes the bridge keep its deliveries in a file at path.
func withFile(t testing.TB, path string) func(*BridgeConfig) {
	return func(c *BridgeConfig) {
		f, err := OpenDeliveryFile(path, DeliveryFileOptions{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = f.Close() })
		c.Deliveries = f
	}
}

// TestBridgeExactlyOnceAcrossRestart restarts the bridge between two deliveries of
// the same message, for a message stored before the restart, one whose send was cut
// by a failure of unknown outcome just before it, and one without a time.
func TestBridgeExactlyOnceAcrossRestart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		fault *tagotest.Fault // on the first delivery
	}{
		{"stored before the restart", "uplink_typed_2024.json", nil},
		{"no time, stored before the restart", "uplink_no_time.json", nil},
		{"location message, stored before the restart", "location_ble_2025.json", nil},
		{"send of unknown outcome before the restart", "uplink_typed_2024.json",
			&tagotest.Fault{Method: "POST", Path: "/data", Status: 504, Process: true}},
		{"connection cut after storing, before the restart", "uplink_abeeway_2025.json",
			&tagotest.Fault{Method: "POST", Path: "/data", Reset: true, Process: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "deliveries")
			e := newBridgeEnv(t, withFile(t, path))
			m, body := freshened(t, tc.file)
			dev, err := NormalizeDevEUI(m.EUI())
			require.NoError(t, err)
			device := e.addDevice("d", dev)
			want := len(ToData(m))

			if tc.fault != nil {
				e.srv.Inject(*tc.fault)
				a := e.postWith(t, inQuery, e.auth.Key, body)
				require.Equal(t, http.StatusServiceUnavailable, a.status, a.raw)
			} else {
				a := e.postWith(t, inQuery, e.auth.Key, body)
				require.Equal(t, http.StatusOK, a.status, a.raw)
			}
			require.Len(t, e.srv.Data(device.ID), want) // stored once, whatever the answer said
			posts := e.requests("POST", "/data")

			// The process stops; a new one starts on the same file.
			require.NoError(t, e.cfg.Deliveries.(*DeliveryFile).Close())
			e.restart(t, withFile(t, path))
			time.Sleep(40 * time.Millisecond) // past the settle time (30 ms in tests)

			gets := e.requests("GET", "/data")
			a := e.postWith(t, inQuery, e.auth.Key, body)
			require.Equal(t, http.StatusOK, a.status, a.raw)
			assert.Equal(t, map[string]any{"status": true, "result": "already stored"}, a.body)
			assert.Len(t, e.srv.Data(device.ID), want)
			assert.Equal(t, posts, e.requests("POST", "/data"), "nothing sent again")
			// A stored message is known from the file alone; a pending one is looked for.
			looked := 0
			if tc.fault != nil {
				looked = 1
			}
			assert.Equal(t, gets+looked, e.requests("GET", "/data"))
		})
	}
}

// freshened returns a fixture's message with its time set to now (when it has one),
// so that only the delivery file, not the check of messages older than the process,
// can recognise it after a restart.
func freshened(t testing.TB, file string) (Message, []byte) {
	t.Helper()
	now := time.Now().Add(5 * time.Minute).Truncate(time.Millisecond) // past the clock-skew minute
	switch m := parsed(t, file).(type) {
	case Uplink:
		if m.Time.IsZero() {
			return m, fixture(t, file)
		}
		m.Time, m.TimeText = now, ""
		body, err := m.Message()
		require.NoError(t, err)
		return m, body
	case LocationMessage:
		m.Time, m.TimeText = now, ""
		body, err := m.MarshalJSON()
		require.NoError(t, err)
		return m, body
	}
	t.Fatal("unknown message")
	return nil, nil
}

// TestBridgeRestartSendsWhatWasNotStored: a send that certainly stored nothing before
// the restart is sent after it.
func TestBridgeRestartSendsWhatWasNotStored(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deliveries")
	e := newBridgeEnv(t, withFile(t, path))
	dev := e.addDevice("d", "0018B20000000BEE")
	body := fixture(t, "uplink_typed_2024.json")
	e.srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Status: 504}) // not processed
	require.Equal(t, http.StatusServiceUnavailable, e.postWith(t, inHeader, e.auth.Key, body).status)
	require.Empty(t, e.srv.Data(dev.ID))

	require.NoError(t, e.cfg.Deliveries.(*DeliveryFile).Close())
	e.restart(t, withFile(t, path))
	time.Sleep(40 * time.Millisecond)
	a := e.postWith(t, inHeader, e.auth.Key, body)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, "29 Data Added", a.body["result"])
	assert.Len(t, e.srv.Data(dev.ID), 29)
	assert.Equal(t, 1, e.requests("GET", "/data"), "the pending record made it look first")
}

// TestBridgeRestartWithoutFile: with the default in-memory log a restart forgets, so a
// message older than the process is looked for on the platform before it is stored.
func TestBridgeRestartWithoutFile(t *testing.T) {
	t.Parallel()
	memory := func(c *BridgeConfig) { c.Deliveries = nil }
	e := newBridgeEnv(t, memory)
	dev := e.addDevice("d", "0018B20000000BEE")
	old := fixture(t, "uplink_typed_2024.json") // from 2024: older than the bridge
	a := e.postWith(t, inQuery, e.auth.Key, old)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, 1, e.requests("GET", "/data"), "looked before sending")
	require.Len(t, e.srv.Data(dev.ID), 29)

	e.restart(t, memory)
	a = e.postWith(t, inQuery, e.auth.Key, old)
	assert.Equal(t, map[string]any{"status": true, "result": "already stored"}, a.body)
	assert.Len(t, e.srv.Data(dev.ID), 29)
	assert.Equal(t, 1, e.requests("POST", "/data"))

	// A message newer than the process is sent without looking first.
	u := typed2024(t)
	u.Time = time.Now().Add(2 * time.Minute).Truncate(time.Millisecond)
	u.TimeText = ""
	fresh, err := u.Message()
	require.NoError(t, err)
	gets := e.requests("GET", "/data")
	require.Equal(t, http.StatusOK, e.postWith(t, inQuery, e.auth.Key, fresh).status)
	assert.Equal(t, gets, e.requests("GET", "/data"))
	assert.Len(t, e.srv.Data(dev.ID), 58)
}

// TestBridgeSameUplinkTwoProfiles: the same DevEUI in two profiles, reached with two
// keys, gets the uplink in each; the memory is per key.
func TestBridgeSameUplinkTwoProfiles(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, nil)
	dev := e.addDevice("d", "0018B20000000BEE")
	prof := e.srv.AddProfile("second")
	auth2 := e.srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "other", Profile: prof.ID})
	dev2 := e.srv.AddDevice(tagotest.DeviceSpec{Name: "d2", Network: e.netw.ID, SerieNumber: "0018B20000000BEE", Profile: prof.ID})
	body := fixture(t, "uplink_typed_2024.json")
	require.Equal(t, http.StatusOK, e.postWith(t, inQuery, e.auth.Key, body).status)
	require.Equal(t, http.StatusOK, e.postWith(t, inQuery, auth2.Key, body).status)
	assert.Len(t, e.srv.Data(dev.ID), 29)
	assert.Len(t, e.srv.Data(dev2.ID), 29)
}
