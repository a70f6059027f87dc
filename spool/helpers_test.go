package spool

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/require"
)

// fastOptions returns options with millisecond backoffs, for tests.
func fastOptions() *Options {
	return &Options{MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond}
}

// openTemp opens a spool in a fresh directory, closed when the test ends.
func openTemp(t testing.TB, opts *Options) *Spool {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "spool.db"), opts)
}

// openAt opens the spool at path, closed when the test ends.
func openAt(t testing.TB, path string, opts *Options) *Spool {
	t.Helper()
	s, err := Open(path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fakeDevice is a device on a tagotest server with a client holding its token.
type fakeDevice struct {
	tagotest.Device
	client *tago.Client
}

// addDevice adds a device to srv and returns it with a client that does not retry,
// so that the spool's own handling of every failure is what is tested.
func addDevice(t testing.TB, srv *tagotest.Server, name string) fakeDevice {
	t.Helper()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: name})
	c, err := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL),
		tago.WithRetryPolicy(tago.NoRetries()), tago.WithTimeout(5*time.Second))
	require.NoError(t, err)
	return fakeDevice{Device: dev, client: c}
}

// readings returns n points of variable v whose values are from, from+1, ...
func readings(v string, from, n int) []tago.Data {
	pts := make([]tago.Data, n)
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range pts {
		pts[i] = tago.Data{Variable: v, Value: from + i, Time: base.Add(time.Duration(from+i) * time.Millisecond)}
	}
	return pts
}

// values returns the numeric values stored on a device, in storage order.
func values(srv *tagotest.Server, deviceID string) []int {
	var out []int
	for _, r := range srv.Data(deviceID) {
		f, _ := r.Value.(float64)
		out = append(out, int(f))
	}
	return out
}

// seq returns from, from+1, ..., from+n-1.
func seq(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}

// drain drains s through route, failing the test after a minute.
func drain(t testing.TB, s *Spool, route Route) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, s.Drain(ctx, route))
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLogger returns a debug-level text logger writing to a fresh buffer.
func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}
