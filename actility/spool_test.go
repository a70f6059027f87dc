package actility

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-tago/tago/spool"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withSpool gives the bridge a spool file at path, opened now (and closed when the
// test ends or by the caller).
func withSpool(t testing.TB, path string, sp **spool.Spool) func(*BridgeConfig) {
	return func(c *BridgeConfig) {
		s, err := spool.Open(path, &spool.Options{MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		c.Spool, c.Deliveries = s, nil
		*sp = s
	}
}

// With a spool the bridge answers 200 as soon as a message is durable, while the
// platform is down; a redelivery is answered without storing it again; the spool
// delivers once the platform is back. After a restart on the same file the bridge
// still knows the message, and the spool delivers what was queued before it with the
// device token kept (encrypted) in the file, without waiting for a new message.
func TestBridgeWithSpool(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "spool.db")
	var sp *spool.Spool
	e := newBridgeEnv(t, withSpool(t, path, &sp))
	m1, body1 := freshened(t, "uplink_typed_2024.json")
	m2, body2 := freshened(t, "uplink_abeeway_2025.json")
	eui1, err := NormalizeDevEUI(m1.EUI())
	require.NoError(t, err)
	eui2, err := NormalizeDevEUI(m2.EUI())
	require.NoError(t, err)
	require.NotEqual(t, eui1, eui2)
	dev1, dev2 := e.addDevice("d1", eui1), e.addDevice("d2", eui2)
	want1, want2 := len(ToData(m1)), len(ToData(m2))

	down := e.srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Status: http.StatusServiceUnavailable, Times: -1})
	a := e.postWith(t, inQuery, e.auth.Key, body1)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, map[string]any{"status": true, "result": strconv.Itoa(want1) + " Data queued"}, a.body)
	a = e.postWith(t, inQuery, e.auth.Key, body1)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, map[string]any{"status": true, "result": "already stored"}, a.body)
	assert.Empty(t, e.srv.Data(dev1.ID), "the platform is down")
	assert.Equal(t, want1, sp.Stats().Points)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- sp.Run(ctx, e.bridge.Route()) }()
	time.Sleep(30 * time.Millisecond)
	down.Remove()
	require.Eventually(t, func() bool { return len(e.srv.Data(dev1.ID)) == want1 }, 10*time.Second, 5*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	// A second message, queued while the platform is down; then the process stops.
	down = e.srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Status: http.StatusServiceUnavailable, Times: -1})
	a = e.postWith(t, inQuery, e.auth.Key, body2)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	require.NoError(t, sp.Close())
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, d := range e.srv.Devices() {
		assert.NotContains(t, string(raw), d.Token, "no device token in clear in the spool file")
	}
	assert.NotContains(t, string(raw), e.auth.Key, "no authorization key in the spool file")

	// A new process on the same file.
	e.restart(t, withSpool(t, path, &sp))
	down.Remove()
	resolves := e.requests("GET", "/integration/network/resolve/")
	a = e.postWith(t, inQuery, e.auth.Key, body1)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, map[string]any{"status": true, "result": "already stored"}, a.body, "known from the file")
	require.NoError(t, sp.Drain(t.Context(), e.bridge.Route()))
	assert.Len(t, e.srv.Data(dev1.ID), want1, "stored once")
	assert.Len(t, e.srv.Data(dev2.ID), want2, "delivered after the restart")
	assert.Equal(t, resolves+1, e.requests("GET", "/integration/network/resolve/"),
		"only the redelivered message resolved its device; the queued one used the kept token")
}
