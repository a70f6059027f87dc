package spool

import (
	"context"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertOnce checks that a device holds want exactly, in order: nothing lost, nothing
// twice.
func assertOnce(t *testing.T, srv *tagotest.Server, deviceID string, want []int) {
	t.Helper()
	got := values(srv, deviceID)
	seen := map[int]int{}
	for _, v := range got {
		seen[v]++
	}
	for v, n := range seen {
		assert.Equal(t, 1, n, "value %d stored %d times", v, n)
	}
	assert.Equal(t, want, got)
}

// A send whose answer is lost after the platform stored it is looked up, found, and
// not sent again; one lost before the platform stored it is looked up, missing, and
// sent again. Neither costs a point or stores one twice.
func TestNoDuplicateAfterAmbiguousFailure(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name          string
		inject        func(srv *tagotest.Server)
		found, resent uint64
	}{
		{"reset after storing", func(srv *tagotest.Server) { srv.ResetNext(1, "POST", "/data", true) }, 10, 0},
		{"answer cut short", func(srv *tagotest.Server) { srv.TruncateNext(1, "POST", "/data") }, 10, 0},
		{"502 after storing", func(srv *tagotest.Server) {
			srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Status: 502, Body: tagotest.BadGatewayHTML, Process: true})
		}, 10, 0},
		{"reset before storing", func(srv *tagotest.Server) { srv.ResetNext(1, "POST", "/data", false) }, 0, 10},
		{"504 before storing", func(srv *tagotest.Server) { srv.FailNext(1, "POST", "/data", 504, "") }, 0, 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := tagotest.NewServer(t)
			dev := addDevice(t, srv, "a")
			s := openTemp(t, fastOptions())
			require.NoError(t, s.Enqueue(t.Context(), "a", readings("level", 0, 10)...))
			tt.inject(srv)
			drain(t, s, Routes(map[string]*tago.DataService{"a": dev.client.Data}))
			assertOnce(t, srv, dev.ID, seq(0, 10))
			st := s.Stats()
			assert.Equal(t, uint64(1), st.Lookups)
			assert.Equal(t, tt.found, st.Found)
			assert.Equal(t, tt.resent, st.Resent)

			// The look is a count of the batch's group.
			var looks []tagotest.Request
			for _, r := range srv.Requests() {
				if r.Method == "GET" {
					looks = append(looks, r)
				}
			}
			require.Len(t, looks, 1)
			assert.Equal(t, "/data", looks[0].Path)
			assert.Equal(t, url.Values{"query": {"count"}, "groups[0]": {"sp" + s.id + "-1"},
				"start_date": {"2025-03-01T11:59:59.999Z"}, "end_date": {"2025-03-01T12:00:00.010Z"}}, looks[0].Query)
		})
	}
}

// Points that carry their own group keep it, and the look tells them from records of
// the same group already on the device (sent by someone else, at other times or of
// other variables) by variable and time.
func TestOwnGroupsKeptAndLookedUpByContent(t *testing.T) {
	t.Parallel()
	for _, stored := range []bool{true, false} {
		srv := tagotest.NewServer(t)
		dev := addDevice(t, srv, "a")
		pts := readings("level", 0, 4)
		for i := range pts {
			pts[i].Group = "uplink-7"
		}
		// Foreign records of the same group: one of another variable at the same
		// time, one of the same variable at another time.
		srv.AddData(dev.ID,
			tagotest.Record{Variable: "battery", Value: 99.0, Group: "uplink-7", Time: pts[0].Time},
			tagotest.Record{Variable: "level", Value: 99.0, Group: "uplink-7", Time: pts[0].Time.Add(time.Hour)})
		s := openTemp(t, fastOptions())
		require.NoError(t, s.Enqueue(t.Context(), "a", pts...))
		srv.ResetNext(1, "POST", "/data", stored)
		drain(t, s, Routes(map[string]*tago.DataService{"a": dev.client.Data}))

		var mine []int
		for _, r := range srv.Data(dev.ID) {
			assert.Equal(t, "uplink-7", r.Group)
			if v := r.Value.(float64); v != 99 {
				mine = append(mine, int(v))
			}
		}
		assert.Equal(t, seq(0, 4), mine, "stored=%v", stored)
		st := s.Stats()
		assert.Equal(t, uint64(1), st.Lookups)
		if stored {
			assert.Equal(t, uint64(4), st.Found)
		} else {
			assert.Equal(t, uint64(4), st.Resent)
		}
	}
}

// A batch recorded but never confirmed when the process stopped (here: recorded, then
// the spool closed before the send's outcome was settled) is looked up at the next Run
// and not stored twice.
func TestBatchInDoubtAtOpenIsLookedUp(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := addDevice(t, srv, "a")
	path := t.TempDir() + "/spool.db"
	route := Routes(map[string]*tago.DataService{"a": dev.client.Data})

	ctx, cancel := context.WithCancel(t.Context())
	opts := fastOptions()
	opts.hook = func(ev string) {
		if ev == "sent" {
			// The platform stored the batch: stop the worker dead before it is removed.
			cancel()
			runtime.Goexit()
		}
	}
	s, err := Open(path, opts)
	require.NoError(t, err)
	require.NoError(t, s.Enqueue(ctx, "a", readings("level", 0, 5)...))
	require.ErrorIs(t, s.Run(ctx, route), context.Canceled)
	require.NoError(t, s.Close())

	s = openAt(t, path, fastOptions())
	assert.Equal(t, 5, s.Stats().InFlight)
	drain(t, s, route)
	assertOnce(t, srv, dev.ID, seq(0, 5))
	assert.Equal(t, uint64(5), s.Stats().Found)
}

// The outage test: the platform down for a while, then rate-limiting, then cutting
// answers after storing, for three targets at once: nothing lost, nothing twice,
// order kept per target.
func TestOutage(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	devs := []fakeDevice{addDevice(t, srv, "a"), addDevice(t, srv, "b"), addDevice(t, srv, "c")}
	route := Routes(map[string]*tago.DataService{"a": devs[0].client.Data, "b": devs[1].client.Data, "c": devs[2].client.Data})
	logger, logs := newLogger()
	opts := fastOptions()
	opts.MaxBatch, opts.Logger = 25, logger
	s := openTemp(t, opts)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, route) }()
	const perTarget = 600
	enqueue := func(from, n int) {
		for i := from; i < from+n; i += 10 {
			for j, name := range []string{"a", "b", "c"} {
				require.NoError(t, s.Enqueue(ctx, name, readings("level", j*10000+i, 10)...))
			}
		}
	}
	// Down: every request fails with 503 or a reset connection.
	down := srv.Inject(tagotest.Fault{Status: http.StatusServiceUnavailable, Times: -1})
	enqueue(0, 150)
	time.Sleep(50 * time.Millisecond)
	down.Remove()
	resets := srv.Inject(tagotest.Fault{Reset: true, Times: 5})
	enqueue(150, 150)
	// Rate limited: 429 with Retry-After 1s, twice.
	srv.RateLimitNext(2, "POST", "/data", time.Second)
	enqueue(300, 150)
	// Answers cut after the platform stored the data.
	srv.ResetNext(3, "POST", "/data", true)
	srv.TruncateNext(2, "POST", "/data")
	srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Status: 502, Process: true, Times: 2})
	enqueue(450, 150)

	require.Eventually(t, func() bool { return s.Stats().Points == 0 }, 30*time.Second, 5*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	for j, d := range devs {
		assertOnce(t, srv, d.ID, seq(j*10000, perTarget))
	}
	st := s.Stats()
	assert.Equal(t, uint64(3*perTarget), st.Sent+st.Found)
	assert.Positive(t, st.Lookups)
	assert.Positive(t, st.Found, "batches stored before their answer was cut were found")
	assert.Positive(t, resets.Hits())
	out := logs.String()
	assert.Contains(t, out, "spool: rate limited")
	assert.Contains(t, out, "will look before resending")
	for _, d := range devs {
		assert.NotContains(t, out, d.Token, "no token in the logs")
	}
	t.Logf("stats: sent %d, lookups %d, found %d, resent %d", st.Sent, st.Lookups, st.Found, st.Resent)
	assert.False(t, strings.Contains(out, srv.AccountToken()))
}
