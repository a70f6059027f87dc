package tago_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The retry rules against real HTTP failures from the fake: connection resets,
// truncated bodies, proxy error pages, rate limits. The fake says whether it applied
// each request, so the tests check what matters: how many copies the platform holds.

// badGatewaySnippet is tagotest.BadGatewayHTML as an error message quotes it.
const badGatewaySnippet = "<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> </body> </html>"

// reading is the one point the single-send tests store.
var reading = tago.Data{Variable: "temperature", Value: 21.5, Unit: "°C"}

// TestFlowNoPOSTReplay: a POST the platform may have processed is never sent again, so
// a reading is never stored twice, whatever the failure looked like from the client.
func TestFlowNoPOSTReplay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     tagotest.Fault
		wantHeld  int  // copies the fake holds afterwards
		transport bool // a *RequestError rather than an *APIError
		status    int
	}{
		{"reset after the platform stored it", tagotest.Fault{Reset: true, Process: true}, 1, true, 0},
		{"reset before the platform stored it", tagotest.Fault{Reset: true}, 0, true, 0},
		{"answer cut short after it was stored", tagotest.Fault{Truncate: true}, 1, true, 0},
		{"500 after it was stored", tagotest.Fault{Status: 500, Process: true}, 1, false, 500},
		{"proxy 502 page after it was stored", tagotest.Fault{Status: 502, Body: tagotest.BadGatewayHTML, Process: true}, 1, false, 502},
		{"504 after it was stored", tagotest.Fault{Status: 504, Process: true}, 1, false, 504},
		{"503 without Retry-After", tagotest.Fault{Status: 503}, 0, false, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := tagotest.NewServer(t)
			dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
			c, sleeps := flowClient(t, srv, tago.DeviceToken(dev.Token))
			f := tt.fault
			f.Method, f.Path = "POST", "/data"
			srv.Inject(f)

			n, err := c.Data.Send(t.Context(), reading)
			require.Error(t, err)
			assert.Zero(t, n)
			var be *tago.BatchError
			require.False(t, errors.As(err, &be), "a one-request Send fails with that request's error")
			assert.True(t, tago.MayBeStored(err), "the platform may hold it: never resend blindly")
			if tt.transport {
				var re *tago.RequestError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, 1, re.Attempts)
			} else {
				var apiErr *tago.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.status, apiErr.HTTPStatus)
				assert.Equal(t, 1, apiErr.Attempts)
				require.ErrorIs(t, err, tago.ErrServer)
			}
			assert.Len(t, srv.Data(dev.ID), tt.wantHeld)
			assert.Len(t, requestsTo(srv, "POST", "/data"), 1, "sent once")
			assert.Empty(t, sleeps.recorded())
		})
	}
}

// Creating a device is a POST too: a reset after the platform created it leaves one
// device, not two.
func TestFlowNoPOSTReplayCreate(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	srv.ResetNext(1, "POST", "/device", true)

	_, err := account.Devices.Create(t.Context(), tago.DeviceCreateRequest{
		Name: "Pump", Network: tagotest.DefaultNetworkID, Connector: tagotest.DefaultConnectorID,
	})
	var re *tago.RequestError
	require.ErrorAs(t, err, &re)
	held := srv.Devices()
	require.Len(t, held, 1, "created once; the caller must look before creating again")
	assert.Equal(t, "Pump", held[0].Name)
	found, err := account.Devices.List(t.Context(), &tago.DeviceListOptions{Name: "Pump"})
	require.NoError(t, err)
	require.Len(t, found, 1)
}

// Deleting "the newest N records" must not be repeated either: twice would remove 2N.
func TestFlowNoDeleteReplay(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Meter"})
	for i := range 10 {
		srv.AddData(dev.ID, tagotest.Record{Variable: "level", Value: float64(i), Time: at(8, i)})
	}
	c, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	srv.ResetNext(1, "DELETE", "/data", true)

	_, err := c.Data.Delete(t.Context(), &tago.DataQuery{Variables: []string{"level"}, Qty: 2})
	var re *tago.RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Attempts)
	assert.Len(t, srv.Data(dev.ID), 8)

	// By IDs a delete is safe to repeat, and it is.
	ids := []string{srv.Data(dev.ID)[0].ID}
	srv.ResetNext(1, "DELETE", "/data", true)
	n, err := c.Data.Delete(t.Context(), &tago.DataQuery{IDs: ids})
	require.NoError(t, err)
	assert.Zero(t, n, "the first attempt removed it; the retry found nothing left")
	assert.Len(t, srv.Data(dev.ID), 7)
}

// A POST the platform refused before processing it (429, or 503 with Retry-After) is
// retried after the delay the platform asked for, and stored once.
func TestFlowRefusedPOSTIsRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  tagotest.Fault
		delays []time.Duration
	}{
		{"429 with Retry-After", tagotest.Fault{Status: 429, RetryAfter: 3 * time.Second}, []time.Duration{3 * time.Second}},
		{"503 with Retry-After", tagotest.Fault{Status: 503, RetryAfter: 2 * time.Second}, []time.Duration{2 * time.Second}},
		{"two 429s without Retry-After", tagotest.Fault{Status: 429, Times: 2}, []time.Duration{500 * time.Millisecond, time.Second}},
		{"a 429 burst within the cap", tagotest.Fault{Status: 429, Times: 3, RetryAfter: 60 * time.Second},
			[]time.Duration{time.Minute, time.Minute, time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := tagotest.NewServer(t)
			dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
			c, sleeps := flowClient(t, srv, tago.DeviceToken(dev.Token))
			f := tt.fault
			f.Method, f.Path = "POST", "/data"
			srv.Inject(f)

			n, err := c.Data.Send(t.Context(), reading)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			assert.Len(t, srv.Data(dev.ID), 1, "stored exactly once")
			assert.Equal(t, tt.delays, sleeps.recorded())
			reqs := requestsTo(srv, "POST", "/data")
			require.Len(t, reqs, len(tt.delays)+1)
			for _, r := range reqs[:len(reqs)-1] {
				assert.False(t, r.Applied)
				assert.Equal(t, f.Status, r.Status)
			}
			assert.True(t, reqs[len(reqs)-1].Applied)
		})
	}
}

// Rate limits the client will not wait for: a Retry-After beyond the cap ends the call
// at once with the wait in the error; a burst longer than the retries ends it with the
// last 429. Nothing is stored either way.
func TestFlowRateLimitGivesUp(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	c, sleeps := flowClient(t, srv, tago.DeviceToken(dev.Token))

	srv.RateLimitNext(1, "POST", "/data", 2*time.Minute)
	_, err := c.Data.Send(t.Context(), reading)
	require.ErrorIs(t, err, tago.ErrRateLimited)
	var apiErr *tago.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 2*time.Minute, apiErr.RetryAfter)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.Empty(t, sleeps.recorded())

	srv.RateLimitNext(4, "POST", "/data", time.Second)
	_, err = c.Data.Send(t.Context(), reading)
	require.ErrorIs(t, err, tago.ErrRateLimited)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Equal(t, time.Second, apiErr.RetryAfter)
	assert.Equal(t, []time.Duration{time.Second, time.Second, time.Second}, sleeps.recorded())
	assert.Empty(t, srv.Data(dev.ID))

	// A deadline nearer than the Retry-After ends the call without waiting for it.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	srv.RateLimitNext(1, "GET", "/data", 10*time.Second)
	_, err = c.Data.Get(ctx, nil)
	require.ErrorIs(t, err, tago.ErrRateLimited)
	assert.Len(t, sleeps.recorded(), 3, "no further sleep")
}

// GETs are safe to repeat: rate limits, gateway errors, resets and cut-short answers are
// all retried until the answer comes.
func TestFlowGETRetries(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	srv.AddData(dev.ID, tagotest.Record{Variable: "temperature", Value: 21.5, Time: at(9, 0)})

	tests := []struct {
		name   string
		inject func() *tagotest.FaultHandle
		delays []time.Duration
	}{
		{"429 twice", func() *tagotest.FaultHandle { return srv.RateLimitNext(2, "GET", "/data", time.Second) },
			[]time.Duration{time.Second, time.Second}},
		{"503", func() *tagotest.FaultHandle { return srv.FailNext(1, "GET", "/data", 503, "") },
			[]time.Duration{500 * time.Millisecond}},
		{"proxy 502 page", func() *tagotest.FaultHandle { return srv.FailNext(2, "GET", "/data", 502, tagotest.BadGatewayHTML) },
			[]time.Duration{500 * time.Millisecond, time.Second}},
		{"504", func() *tagotest.FaultHandle { return srv.FailNext(1, "GET", "/data", 504, "") },
			[]time.Duration{500 * time.Millisecond}},
		{"reset", func() *tagotest.FaultHandle { return srv.ResetNext(1, "GET", "/data", false) },
			[]time.Duration{500 * time.Millisecond}},
		{"answer cut short", func() *tagotest.FaultHandle { return srv.TruncateNext(1, "GET", "/data") },
			[]time.Duration{500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the subtests share the server and its faults.
			// Fresh connections: Go's transport would silently resend a GET whose
			// reused connection was reset, hiding the failure from the SDK.
			c, sleeps := flowClient(t, srv, tago.DeviceToken(dev.Token), freshConnections())
			h := tt.inject()
			got, err := c.Data.Get(t.Context(), &tago.DataQuery{Query: tago.QueryLastValue, Variables: []string{"temperature"}})
			require.NoError(t, err)
			require.Len(t, got, 1)
			v, _ := got[0].Float()
			assert.Equal(t, 21.5, v)
			assert.Equal(t, len(tt.delays), h.Hits())
			assert.Equal(t, tt.delays, sleeps.recorded())
		})
	}
}

// A reset GET on a reused keep-alive connection: Go's transport resends it once by
// itself, so it takes two resets for the SDK to see one, and the SDK's own retry then
// gets the answer.
func TestFlowGETResetOnKeepAlive(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	c, sleeps := flowClient(t, srv, tago.DeviceToken(dev.Token))
	_, err := c.Data.Info(t.Context()) // opens the connection that will be reused
	require.NoError(t, err)

	h := srv.ResetNext(2, "GET", "/info", false)
	info, err := c.Data.Info(t.Context())
	require.NoError(t, err)
	assert.Equal(t, dev.ID, info.ID)
	assert.Equal(t, 2, h.Hits())
	// Usually one failure reaches the SDK (the transport resent the first); should the
	// warm connection not be back in the pool yet, both reach it. Either way the
	// answer comes.
	assert.Contains(t, [][]time.Duration{{500 * time.Millisecond}, {500 * time.Millisecond, time.Second}}, sleeps.recorded())
}

// A proxy's HTML error page becomes an *APIError matching ErrServer that quotes the
// page; a body cut short is a transport error, never a half-decoded result.
func TestFlowUnexpectedBodies(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	c, sleeps := flowClient(t, srv, tago.DeviceToken(dev.Token))

	// A GET gets its retries, then the last page is reported.
	srv.FailNext(4, "GET", "/data", 502, tagotest.BadGatewayHTML)
	_, err := c.Data.Get(ctx, nil)
	require.ErrorIs(t, err, tago.ErrServer)
	var apiErr *tago.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.HTTPStatus)
	assert.Equal(t, 4, apiErr.Attempts)
	assert.Equal(t, badGatewaySnippet, apiErr.Message)
	assert.Equal(t, "tago: GET /data: 502 "+badGatewaySnippet, err.Error())
	assert.Equal(t, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}, sleeps.recorded())

	// A POST gets none.
	srv.FailNext(1, "POST", "/data", 502, tagotest.BadGatewayHTML)
	_, err = c.Data.Send(ctx, reading)
	require.ErrorIs(t, err, tago.ErrServer)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.Equal(t, badGatewaySnippet, apiErr.Message)
	assert.Empty(t, srv.Data(dev.ID))

	// A truncated answer to a POST: stored, but the client only knows the connection
	// broke.
	srv.TruncateNext(1, "POST", "/data")
	_, err = c.Data.Send(ctx, reading)
	var re *tago.RequestError
	require.ErrorAs(t, err, &re)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.False(t, errors.As(err, &apiErr), "not an API error: no answer was read")
	assert.Len(t, srv.Data(dev.ID), 1)
}

// An attempt that outlasts the per-attempt timeout is abandoned; a GET is retried, and
// the fake never applies the request the client gave up on.
func TestFlowAttemptTimeout(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	c, sleeps := flowClient(t, srv, tago.DeviceToken(dev.Token), tago.WithTimeout(100*time.Millisecond))

	srv.Inject(tagotest.Fault{Method: "GET", Path: "/info", Delay: 2 * time.Second})
	info, err := c.Data.Info(t.Context())
	require.NoError(t, err)
	assert.Equal(t, dev.ID, info.ID)
	assert.Len(t, sleeps.recorded(), 1)

	srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Delay: 2 * time.Second})
	_, err = c.Data.Send(t.Context(), reading)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, sleeps.recorded(), 1, "a POST that timed out is not repeated")
	require.Eventually(t, func() bool { return len(requestsTo(srv, "POST", "/data")) == 1 }, 5*time.Second, 10*time.Millisecond)
	assert.False(t, requestsTo(srv, "POST", "/data")[0].Applied)
	assert.Empty(t, srv.Data(dev.ID))
}

// onPost returns a client option whose transport calls before(n) ahead of the n-th POST
// (1-based), so a test can inject a fault into one batch of a Send.
func onPost(before func(n int)) tago.Option {
	var (
		mu    sync.Mutex
		posts int
	)
	base := http.DefaultTransport.(*http.Transport).Clone()
	return tago.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == "POST" {
			mu.Lock()
			posts++
			n := posts
			mu.Unlock()
			before(n)
		}
		return base.RoundTrip(r)
	})})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// heldValues returns the values the fake holds for a device, sorted.
func heldValues(srv *tagotest.Server, deviceID string) []int {
	var out []int
	for _, r := range srv.Data(deviceID) {
		out = append(out, int(r.Value.(float64)))
	}
	sort.Ints(out)
	return out
}

// seq returns [from, to).
func seq(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// Send of 10,001 points goes out in three batches; a fault in the middle one is
// reported as a *BatchError whose counts match what the fake holds.
func TestFlowSendBatchFault(t *testing.T) {
	t.Parallel()
	points := make([]tago.Data, 10_001)
	for i := range points {
		points[i] = tago.Data{Variable: "temperature", Value: i, Unit: "C"}
	}
	tests := []struct {
		name string
		// fault is injected just before the second POST.
		fault tagotest.Fault
		// heldExtra says whether the fake holds the failed batch too.
		heldExtra bool
		check     func(t *testing.T, err error)
	}{
		{"proxy 502 page, not applied", tagotest.Fault{Status: 502, Body: tagotest.BadGatewayHTML}, false, func(t *testing.T, err error) {
			require.ErrorIs(t, err, tago.ErrServer)
			var apiErr *tago.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 1, apiErr.Attempts)
		}},
		{"reset after the platform stored it", tagotest.Fault{Reset: true, Process: true}, true, func(t *testing.T, err error) {
			var re *tago.RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 1, re.Attempts)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := tagotest.NewServer(t)
			dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Logger"})
			c, _ := flowClient(t, srv, tago.DeviceToken(dev.Token), onPost(func(n int) {
				if n == 2 {
					f := tt.fault
					f.Method, f.Path = "POST", "/data"
					srv.Inject(f)
				}
			}))

			n, err := c.Data.Send(t.Context(), points...)
			var be *tago.BatchError
			require.ErrorAs(t, err, &be)
			tt.check(t, err)
			assert.Equal(t, 3, be.Batches)
			assert.Equal(t, 1, be.Batch, "the middle batch failed")
			assert.Equal(t, be.First, be.Stored, "the first batch was stored in full")
			assert.Equal(t, be.Stored, n)
			assert.Greater(t, be.Size, 0)
			assert.Less(t, be.First+be.Size, len(points), "a third batch was left unsent")
			assert.True(t, be.MayBeStored, "a 502 or a reset may come after the batch was stored")
			assert.Equal(t, be.First+be.Size, be.NotStoredFrom())
			assert.Len(t, requestsTo(srv, "POST", "/data"), 2, "nothing sent after the failure")

			want := seq(0, be.Stored)
			if tt.heldExtra {
				want = seq(0, be.First+be.Size)
			}
			assert.Equal(t, want, heldValues(srv, dev.ID))

			// Resending what was not confirmed stores the rest; the caller who knows the
			// failed batch was applied skips it.
			from := be.First
			if tt.heldExtra {
				from = be.First + be.Size
			}
			rest, err := c.Data.Send(t.Context(), points[from:]...)
			require.NoError(t, err)
			assert.Equal(t, len(points)-from, rest)
			assert.Equal(t, seq(0, len(points)), heldValues(srv, dev.ID), "every point exactly once")
		})
	}

	// A rate limit in the middle batch is waited out: everything is stored once.
	t.Run("rate limited middle batch", func(t *testing.T) {
		t.Parallel()
		srv := tagotest.NewServer(t)
		dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Logger"})
		c, sleeps := flowClient(t, srv, tago.DeviceToken(dev.Token), onPost(func(n int) {
			if n == 2 {
				srv.RateLimitNext(1, "POST", "/data", time.Second)
			}
		}))
		n, err := c.Data.Send(t.Context(), points...)
		require.NoError(t, err)
		assert.Equal(t, len(points), n)
		assert.Equal(t, []time.Duration{time.Second}, sleeps.recorded())
		assert.Len(t, requestsTo(srv, "POST", "/data"), 4, "three batches, one of them twice")
		assert.Equal(t, seq(0, len(points)), heldValues(srv, dev.ID))
	})
}
