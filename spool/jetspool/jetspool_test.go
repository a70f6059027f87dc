package jetspool

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/spool"
	"github.com/go-tago/tago/tagotest"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startNATS starts a real NATS server with JetStream in the test's process.
func startNATS(t *testing.T) string {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(t, err)
	ns.Start()
	t.Cleanup(ns.Shutdown)
	require.True(t, ns.ReadyForConnections(10*time.Second))
	return ns.ClientURL()
}

// connect opens a NATS connection closed when the test ends.
func connect(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	return nc
}

// device adds a device to srv and returns its data service, on a client that does not
// retry.
func device(t *testing.T, srv *tagotest.Server, name string) (tagotest.Device, *tago.DataService) {
	t.Helper()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: name})
	c, err := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL), tago.WithRetryPolicy(tago.NoRetries()))
	require.NoError(t, err)
	return dev, c.Data
}

// readings returns n points whose values are from, from+1, ...
func readings(from, n int) []tago.Data {
	pts := make([]tago.Data, n)
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range pts {
		pts[i] = tago.Data{Variable: "level", Value: from + i, Time: base.Add(time.Duration(from+i) * time.Millisecond)}
	}
	return pts
}

// values returns a device's stored values in storage order.
func values(srv *tagotest.Server, id string) []int {
	var out []int
	for _, r := range srv.Data(id) {
		out = append(out, int(r.Value.(float64)))
	}
	return out
}

func seq(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}

func fast(o Options) *Options {
	o.MinBackoff, o.MaxBackoff, o.Poll = 5*time.Millisecond, 50*time.Millisecond, 50*time.Millisecond
	return &o
}

// Points enqueued through JetStream reach the platform in order, once, and leave the
// stream.
func TestEnqueueDrain(t *testing.T) {
	t.Parallel()
	url := startNATS(t)
	srv := tagotest.NewServer(t)
	dev, ds := device(t, srv, "a")
	q, err := Open(t.Context(), connect(t, url), fast(Options{MaxBatch: 12}))
	require.NoError(t, err)
	defer q.Close()
	for i := 0; i < 60; i += 5 {
		require.NoError(t, q.Enqueue(t.Context(), "a", readings(i, 5)...))
	}
	assert.Equal(t, 12, q.Stats().Points, "one message per Enqueue call")
	require.ErrorIs(t, q.Enqueue(t.Context(), "a", readings(0, 13)...), tago.ErrInvalidInput)
	require.ErrorIs(t, q.Enqueue(t.Context(), "", readings(0, 1)...), tago.ErrInvalidInput)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, q.Drain(ctx, spool.Routes(map[string]*tago.DataService{"a": ds})))
	assert.Equal(t, seq(0, 60), values(srv, dev.ID))
	st := q.Stats()
	assert.Zero(t, st.Points)
	assert.Equal(t, uint64(60), st.Sent)
	groups := map[string]bool{}
	for _, r := range srv.Data(dev.ID) {
		groups[r.Group] = true
		assert.Regexp(t, `^js[0-9a-v]{8}-[0-9a-z]+$`, r.Group)
	}
	assert.Len(t, groups, 6, "batches of whole messages of at most 12 points: two 5-point messages each")
}

// Two drainers share one stream; one is killed mid-batch (after the platform stored a
// batch and before it recorded that, or while the request is on its way). The other
// takes the target over when the lease expires, looks the batch up, and every point
// is stored exactly once, in order.
func TestTwoDrainersOneKilledMidBatch(t *testing.T) {
	t.Parallel()
	for _, moment := range []string{"sent", "sending"} {
		t.Run(moment, func(t *testing.T) {
			t.Parallel()
			url := startNATS(t)
			srv := tagotest.NewServer(t)
			srv.SetLatency(5 * time.Millisecond)
			devA, dsA := device(t, srv, "a")
			devB, dsB := device(t, srv, "b")
			route := spool.Routes(map[string]*tago.DataService{"a": dsA, "b": dsB})
			const perTarget = 300

			producer, err := Open(t.Context(), connect(t, url), nil)
			require.NoError(t, err)
			for i := 0; i < perTarget; i += 10 {
				require.NoError(t, producer.Enqueue(t.Context(), "a", readings(i, 10)...))
				require.NoError(t, producer.Enqueue(t.Context(), "b", readings(10000+i, 10)...))
			}

			// Drainer A dies the third time it reaches the moment.
			ncA := connect(t, url)
			ctxA, killA := context.WithCancel(t.Context())
			var once sync.Once
			hits := 0
			var mu sync.Mutex
			a, err := Open(t.Context(), ncA, fast(Options{MaxBatch: 40, LeaseTTL: time.Second, hook: func(ev string) {
				mu.Lock()
				hits++
				n := hits
				mu.Unlock()
				if ev != moment || n < 3 {
					return
				}
				once.Do(func() {
					if moment == "sending" {
						// Dies while the request is in flight.
						go func() { time.Sleep(2 * time.Millisecond); ncA.Close(); killA() }()
						return
					}
					ncA.Close()
					killA()
					runtime.Goexit() // the worker stops dead: nothing after the send
				})
			}}))
			require.NoError(t, err)
			b, err := Open(t.Context(), connect(t, url), fast(Options{MaxBatch: 40, LeaseTTL: time.Second}))
			require.NoError(t, err)

			doneA := make(chan error, 1)
			go func() { doneA <- a.Run(ctxA, route) }()
			time.Sleep(20 * time.Millisecond) // A leases the targets first
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			require.NoError(t, b.Drain(ctx, route))
			<-doneA

			for _, c := range []struct {
				id   string
				from int
			}{{devA.ID, 0}, {devB.ID, 10000}} {
				got := values(srv, c.id)
				count := map[int]int{}
				for _, v := range got {
					count[v]++
				}
				for v, n := range count {
					assert.Equal(t, 1, n, "value %d stored %d times", v, n)
				}
				assert.Equal(t, seq(c.from, perTarget), got, "every point once, in order")
			}
			st := b.Stats()
			assert.Positive(t, st.Lookups, "the survivor looked up the dead drainer's batch")
			t.Logf("survivor: sent %d, lookups %d, found %d, resent %d", st.Sent, st.Lookups, st.Found, st.Resent)
		})
	}
}
