package spool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Points of two targets, one a device token and one a device ID under an account
// token, reach the platform in order, each once, with the spool's batch groups, and
// leave the file.
func TestEnqueueDrainInOrder(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	a := addDevice(t, srv, "a")
	b := srv.AddDevice(tagotest.DeviceSpec{Name: "b"})
	acct, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	require.NoError(t, err)

	opts := fastOptions()
	opts.MaxBatch = 7
	s := openTemp(t, opts)
	ctx := t.Context()
	for i := 0; i < 50; i += 5 {
		require.NoError(t, s.Enqueue(ctx, "a", readings("level", i, 5)...))
		require.NoError(t, s.Enqueue(ctx, "b", readings("level", 1000+i, 5)...))
	}
	st := s.Stats()
	assert.Equal(t, 100, st.Points)
	require.Len(t, st.Targets, 2)
	assert.Equal(t, "a", st.Targets[0].Target)
	assert.Equal(t, 50, st.Targets[0].Points)

	drain(t, s, Routes(map[string]*tago.DataService{"a": a.client.Data, "b": acct.Devices.Data(b.ID)}))

	assert.Equal(t, seq(0, 50), values(srv, a.ID))
	assert.Equal(t, seq(1000, 50), values(srv, b.ID))
	groups := map[string]int{}
	for _, r := range srv.Data(a.ID) {
		groups[r.Group]++
		assert.Regexp(t, `^sp[0-9a-v]{13}-[0-9a-z]+$`, r.Group)
	}
	assert.Len(t, groups, 8, "batches of at most 7 points: 50 points in 8 requests")
	st = s.Stats()
	assert.Zero(t, st.Points)
	assert.Empty(t, st.Targets)
	assert.Equal(t, uint64(100), st.Sent)
	assert.Zero(t, st.Lookups)
}

// Every kind of value Send takes is sent exactly as Send would send it, and so are the
// other fields; a point without time gets the time it was enqueued.
func TestPointsRoundTrip(t *testing.T) {
	t.Parallel()
	type celsius float64
	at := time.Date(2025, 3, 1, 12, 0, 0, 123_000_000, time.UTC)
	points := []tago.Data{
		{Variable: "int", Value: int64(1) << 60, Time: at},
		{Variable: "uint", Value: uint8(7), Time: at},
		{Variable: "float32", Value: float32(0.1), Time: at},
		{Variable: "named", Value: celsius(21.5), Unit: "°C", Time: at},
		{Variable: "number", Value: json.Number("12345678901234567890"), Time: at},
		{Variable: "text", Value: "a \"quoted\" <text>", Group: "mine", Time: at},
		{Variable: "flag", Value: true, Serie: "old", Time: at},
		{Variable: "none", Location: &tago.Location{Lat: -23.5, Lng: -46.6},
			Metadata: map[string]any{"color": "red", "n": 3, "nested": map[string]any{"x": 1.5}}, Time: at},
		{Variable: "untimed", Value: 1},
	}
	for i := range points {
		enq := time.Now()
		rec, err := encodePoint(&points[i], enq)
		require.NoError(t, err)
		got, err := decodePoint(rec)
		require.NoError(t, err)
		want := points[i]
		if want.Time.IsZero() {
			want.Time = enq
		}
		wantJSON, err := json.Marshal(want)
		require.NoError(t, err)
		gotJSON, err := json.Marshal(got)
		require.NoError(t, err)
		assert.JSONEq(t, string(wantJSON), string(gotJSON), points[i].Variable)
		assert.True(t, want.Time.Equal(got.Time))
		require.NoError(t, tago.ValidateData(got))
	}
	// Big integers keep every digit.
	got, _ := decodePoint(must(encodePoint(&points[0], time.Now())))
	assert.Equal(t, json.Number("1152921504606846976"), got.Value)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A bad point refuses the whole call with Send's error, and nothing is stored.
func TestEnqueueRefusesBadPoints(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil)
	pts := readings("level", 0, 3)
	pts[1].Value = []int{1}
	err := s.Enqueue(t.Context(), "a", pts...)
	require.ErrorIs(t, err, tago.ErrInvalidInput)
	assert.Equal(t, tago.ValidateData(pts...).Error(), err.Error())
	var in *tago.InputError
	require.ErrorAs(t, err, &in)
	assert.Equal(t, "points[1].value", in.Field)
	assert.Zero(t, s.Stats().Points)
}

// Target names are checked; a token-shaped name is refused, so that no token lands
// in the file or the logs.
func TestEnqueueRefusesBadTargets(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil)
	for _, target := range []string{"", "a\nb", "\xff", string(make([]byte, 201)), "0b4a1f0e-6a2f-4e47-9a39-3c0f9d6f1e2a"} {
		err := s.Enqueue(t.Context(), target, readings("level", 0, 1)...)
		var in *tago.InputError
		require.ErrorAs(t, err, &in, "%q", target)
		assert.Equal(t, "target", in.Field)
	}
	assert.Zero(t, s.Stats().Points)
}

// Points survive a close and reopen, with their order and counts.
func TestReopenKeepsPoints(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := addDevice(t, srv, "a")
	path := t.TempDir() + "/spool.db"
	s, err := Open(path, fastOptions())
	require.NoError(t, err)
	require.NoError(t, s.Enqueue(t.Context(), "a", readings("level", 0, 10)...))
	oldest := s.Stats().Oldest
	require.NoError(t, s.Close())
	require.ErrorIs(t, s.Enqueue(t.Context(), "a", readings("level", 10, 1)...), ErrClosed)

	s = openAt(t, path, fastOptions())
	st := s.Stats()
	assert.Equal(t, 10, st.Points)
	assert.True(t, oldest.Equal(st.Oldest), "%v != %v", oldest, st.Oldest)
	require.NoError(t, s.Enqueue(t.Context(), "a", readings("level", 10, 5)...))
	drain(t, s, Routes(map[string]*tago.DataService{"a": dev.client.Data}))
	assert.Equal(t, seq(0, 15), values(srv, dev.ID))
}

// A second Open of the same file fails with ErrLocked instead of corrupting it.
func TestOpenLocked(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/spool.db"
	openAt(t, path, nil)
	_, err := Open(path, &Options{LockTimeout: 50 * time.Millisecond})
	require.ErrorIs(t, err, ErrLocked)
}

// Concurrent enqueues share commits: 16 goroutines' 800 single-point calls need far
// fewer than 800 commits, and every point is stored.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	var commits atomic.Int64
	opts := &Options{hook: func(ev string) {
		if ev == "commit" {
			commits.Add(1)
		}
	}}
	s := openTemp(t, opts)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				assert.NoError(t, s.Enqueue(context.Background(), "a", readings("level", g*1000+i, 1)...))
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 800, s.Stats().Points)
	assert.Less(t, commits.Load(), int64(400), "commits were shared")
	t.Logf("800 enqueues in %d commits", commits.Load())
}

// RefuseNew: at MaxPoints, Enqueue fails with a *FullError, counted, and keeps what
// it holds.
func TestOverflowRefuseNew(t *testing.T) {
	t.Parallel()
	s := openTemp(t, &Options{MaxPoints: 10})
	require.NoError(t, s.Enqueue(t.Context(), "a", readings("level", 0, 8)...))
	err := s.Enqueue(t.Context(), "a", readings("level", 8, 3)...)
	var full *FullError
	require.ErrorAs(t, err, &full)
	require.ErrorIs(t, err, ErrFull)
	assert.Equal(t, FullError{Limit: "MaxPoints", Max: 10, Queued: 8, Adding: 3}, *full)
	require.NoError(t, s.Enqueue(t.Context(), "a", readings("level", 8, 2)...))
	st := s.Stats()
	assert.Equal(t, 10, st.Points)
	assert.Equal(t, uint64(3), st.Refused)
	assert.Zero(t, st.Dropped)

	b := openTemp(t, &Options{MaxBytes: 500})
	err = b.Enqueue(t.Context(), "a", readings("level", 0, 20)...)
	require.ErrorAs(t, err, &full)
	assert.Equal(t, "MaxBytes", full.Limit)
}

// DropOldest: the oldest points go first, across targets, counted, and delivery
// delivers the rest in order.
func TestOverflowDropOldest(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	a, b := addDevice(t, srv, "a"), addDevice(t, srv, "b")
	opts := fastOptions()
	opts.MaxPoints, opts.Overflow = 10, DropOldest
	s := openTemp(t, opts)
	ctx := t.Context()
	require.NoError(t, s.Enqueue(ctx, "a", readings("level", 0, 6)...))
	time.Sleep(2 * time.Millisecond) // b's points are younger than a's
	require.NoError(t, s.Enqueue(ctx, "b", readings("level", 100, 4)...))
	require.NoError(t, s.Enqueue(ctx, "b", readings("level", 104, 3)...))
	st := s.Stats()
	assert.Equal(t, 10, st.Points)
	assert.Equal(t, uint64(3), st.Dropped)
	drain(t, s, Routes(map[string]*tago.DataService{"a": a.client.Data, "b": b.client.Data}))
	assert.Equal(t, seq(3, 3), values(srv, a.ID), "a's three oldest were dropped")
	assert.Equal(t, seq(100, 7), values(srv, b.ID))
}

// refusePoison answers 400, as the platform does for a point it will not store, to
// every request whose body holds the text "poison"; other requests go to the fake.
type refusePoison struct{ base http.RoundTripper }

func (p refusePoison) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(body, []byte("poison")) {
			return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
				Body: io.NopCloser(strings.NewReader(`{"status":false,"message":"Invalid value for metadata.note"}`))}, nil
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return p.base.RoundTrip(r)
}

// The platform refusing one point (one the SDK cannot tell it will refuse) costs that
// point only: the batch is halved until the point is alone, it goes to OnReject and is
// counted, and every other point is delivered in order.
func TestRejectedPointIsIsolated(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := addDevice(t, srv, "a")
	var rejected []tago.Data
	var rejErr error
	opts := fastOptions()
	opts.OnReject = func(target string, pts []tago.Data, err error) {
		assert.Equal(t, "a", target)
		rejected, rejErr = append(rejected, pts...), err
	}
	s := openTemp(t, opts)
	pts := readings("level", 0, 20)
	pts[13].Metadata = map[string]any{"note": "poison"}
	require.NoError(t, s.Enqueue(t.Context(), "a", pts...))
	c, err := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL), tago.WithRetryPolicy(tago.NoRetries()),
		tago.WithHTTPClient(&http.Client{Transport: refusePoison{http.DefaultTransport}}))
	require.NoError(t, err)
	drain(t, s, Routes(map[string]*tago.DataService{"a": c.Data}))

	want := append(seq(0, 13), seq(14, 6)...)
	assert.Equal(t, want, values(srv, dev.ID))
	require.Len(t, rejected, 1)
	assert.Equal(t, 13, must(strconv.Atoi(string(rejected[0].Value.(json.Number)))))
	require.ErrorIs(t, rejErr, tago.ErrBadRequest)
	assert.Equal(t, uint64(1), s.Stats().Rejected)
	assert.Equal(t, uint64(19), s.Stats().Sent)
}

// A route failure is retried with backoff and shows in Stats; Run ends with ctx.
func TestRouteFailureRetried(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := addDevice(t, srv, "a")
	s := openTemp(t, fastOptions())
	require.NoError(t, s.Enqueue(t.Context(), "a", readings("level", 0, 3)...))
	var calls atomic.Int64
	route := func(ctx context.Context, target string) (*tago.DataService, error) {
		if calls.Add(1) < 4 {
			return nil, errors.New("resolving: no network")
		}
		return dev.client.Data, nil
	}
	drain(t, s, route)
	assert.Equal(t, seq(0, 3), values(srv, dev.ID))
	assert.GreaterOrEqual(t, calls.Load(), int64(4))

	// Run returns ctx's error; a second Run while one runs is refused.
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx, route) }()
	require.Eventually(t, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.running }, time.Second, time.Millisecond)
	require.ErrorIs(t, s.Run(t.Context(), route), ErrRunning)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// Run keeps running and delivers points enqueued while it runs.
func TestRunDeliversWhileRunning(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := addDevice(t, srv, "a")
	s := openTemp(t, fastOptions())
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx, Routes(map[string]*tago.DataService{"a": dev.client.Data})) }()
	for i := 0; i < 30; i++ {
		require.NoError(t, s.Enqueue(ctx, "a", readings("level", i, 1)...))
	}
	require.Eventually(t, func() bool { return len(srv.Data(dev.ID)) == 30 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, seq(0, 30), values(srv, dev.ID))
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	// Close stops a running Run with ErrClosed.
	go func() { done <- s.Run(t.Context(), Routes(nil)) }()
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, s.Close())
	require.ErrorIs(t, <-done, ErrClosed)
}
