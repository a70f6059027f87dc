package tagotest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawPost posts a reading with the device token and returns the response or the
// transport error; the body is read fully.
func rawPost(t *testing.T, hc *http.Client, srv *Server, token string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/data", strings.NewReader(`{"variable":"t","value":1}`))
	require.NoError(t, err)
	req.Header.Set("Device-Token", token)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, body, err
}

func TestFailNextWithHTMLPage(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	h := srv.FailNext(2, "POST", "/data", http.StatusBadGateway, BadGatewayHTML)

	for range 2 {
		res, body, err := rawPost(t, srv.Client(), srv, dev.Token)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadGateway, res.StatusCode)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Equal(t, BadGatewayHTML, string(body))
	}
	assert.Empty(t, srv.Data(dev.ID), "failed requests are not applied")
	assert.Equal(t, 2, h.Hits())

	res, body, err := rawPost(t, srv.Client(), srv, dev.Token)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.JSONEq(t, `{"status":true,"result":"1 Data Added"}`, string(body))
	assert.Len(t, srv.Data(dev.ID), 1)
	assert.Equal(t, 2, h.Hits(), "the fault is used up")

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "status 502", reqs[0].Fault)
	assert.False(t, reqs[0].Applied)
	assert.Equal(t, []byte(`{"variable":"t","value":1}`), reqs[0].Body, "the body was read")
	assert.Equal(t, "", reqs[2].Fault)
	assert.True(t, reqs[2].Applied)
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	srv.Inject(Fault{Method: "GET", Path: "/device/*/data", Status: http.StatusServiceUnavailable, Times: -1})

	// Other methods and paths pass.
	assert.Equal(t, http.StatusOK, asDevice(t, srv, dev.Token, "GET", "/data", nil).code)
	assert.Equal(t, http.StatusOK, asAccount(t, srv, "POST", "/device/"+dev.ID+"/data", map[string]any{"variable": "x"}).code)
	assert.Equal(t, http.StatusOK, asAccount(t, srv, "GET", "/device/"+dev.ID, nil).code)
	// A negative Times fails every match until cleared; the default body is an envelope.
	for range 3 {
		r := asAccount(t, srv, "GET", "/device/"+dev.ID+"/data", nil)
		assert.Equal(t, http.StatusServiceUnavailable, r.code)
		assert.JSONEq(t, `{"status":false,"message":"Service Unavailable"}`, string(r.body))
	}
	srv.ClearFaults()
	assert.Equal(t, http.StatusOK, asAccount(t, srv, "GET", "/device/"+dev.ID+"/data", nil).code)

	// Faults apply in order; Remove withdraws one.
	first := srv.FailNext(1, "", "", http.StatusInternalServerError, "")
	srv.FailNext(1, "", "", http.StatusTeapot, "")
	first.Remove()
	assert.Equal(t, http.StatusTeapot, send(t, srv, "GET", "/status", "", "", nil).code)
	assert.Equal(t, 0, first.Hits())

	assert.Panics(t, func() { srv.Inject(Fault{Status: 500, Reset: true}) })
	assert.Panics(t, func() { srv.Inject(Fault{Status: 42}) })
	assert.Equal(t, "POST /data: reset, after processing", Fault{Method: "POST", Path: "/data", Reset: true, Process: true}.String())
}

func TestRateLimitThenSuccess(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	srv.RateLimitNext(1, "GET", "/data", 1500*time.Millisecond)

	r := asDevice(t, srv, dev.Token, "GET", "/data", nil)
	assert.Equal(t, http.StatusTooManyRequests, r.code)
	assert.Equal(t, "2", r.header.Get("Retry-After"), "whole seconds, rounded up")
	assert.JSONEq(t, `{"status":false,"message":"Too many requests (Retry-After: 2)"}`, string(r.body))
	// The retried GET succeeds.
	r = asDevice(t, srv, dev.Token, "GET", "/data", nil)
	assert.Equal(t, http.StatusOK, r.code)

	// Without RetryAfter a 429 carries no hint.
	srv.FailNext(1, "", "", http.StatusTooManyRequests, "")
	r = asDevice(t, srv, dev.Token, "GET", "/data", nil)
	assert.Equal(t, "", r.header.Get("Retry-After"))
	assert.JSONEq(t, `{"status":false,"message":"Too many requests"}`, string(r.body))

	// A 503 with Retry-After, as a maintenance page would send.
	srv.Inject(Fault{Status: http.StatusServiceUnavailable, RetryAfter: 30 * time.Second, Body: "down for maintenance"})
	r = asDevice(t, srv, dev.Token, "GET", "/data", nil)
	assert.Equal(t, "30", r.header.Get("Retry-After"))
	assert.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
}

func TestResetBeforeAndAfterProcessing(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})

	srv.ResetNext(1, "POST", "/data", false)
	_, _, err := rawPost(t, srv.Client(), srv, dev.Token)
	require.Error(t, err, "the client sees a broken connection")
	assert.Empty(t, srv.Data(dev.ID), "dropped before processing: nothing stored")

	srv.ResetNext(1, "POST", "/data", true)
	_, _, err = rawPost(t, srv.Client(), srv, dev.Token)
	require.Error(t, err)
	assert.Len(t, srv.Data(dev.ID), 1, "processed, then dropped: stored although the client never heard")

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "reset", reqs[0].Fault)
	assert.False(t, reqs[0].Applied)
	assert.Equal(t, 0, reqs[0].Status)
	assert.Equal(t, "reset, after processing", reqs[1].Fault)
	assert.True(t, reqs[1].Applied)

	// A status fault after processing: stored, but the client is told 503.
	srv.Inject(Fault{Method: "POST", Path: "/data", Status: http.StatusServiceUnavailable, Process: true})
	res, _, err := rawPost(t, srv.Client(), srv, dev.Token)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.Len(t, srv.Data(dev.ID), 2)
}

func TestResetOfAGetOnAFreshConnection(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	srv.ResetNext(1, "GET", "/status", false)
	// Go's transport silently retries an idempotent request whose reused connection
	// breaks; on a fresh connection the reset reaches the caller.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/status", nil)
	require.NoError(t, err)
	_, err = hc.Do(req)
	require.Error(t, err)
	res, err := hc.Get(srv.URL + "/status")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestTruncatedBody(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	srv.AddData(dev.ID, Record{Variable: "t", Value: 1})
	full := asDevice(t, srv, dev.Token, "GET", "/data", nil).body

	srv.TruncateNext(1, "GET", "/data")
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/data", nil)
	require.NoError(t, err)
	req.Header.Set("Device-Token", dev.Token)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, int64(len(full)), res.ContentLength, "the headers announce the whole body")
	got, err := io.ReadAll(res.Body)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, full[:len(full)/2], got)

	srv.Inject(Fault{Method: "POST", Path: "/data", Truncate: true, TruncateAfter: 3})
	_, body, err := rawPost(t, srv.Client(), srv, dev.Token)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, []byte(`{"s`), body)
	assert.Len(t, srv.Data(dev.ID), 2, "a truncated answer means the request was applied")
}

func TestLatency(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithLatency(30*time.Millisecond))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})

	start := time.Now()
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/status", "", "", nil).code)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

	srv.SetLatency(0)
	srv.Inject(Fault{Path: "/status", Delay: 40 * time.Millisecond})
	start = time.Now()
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/status", "", "", nil).code)
	assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
	assert.Equal(t, "delay 40ms", srv.Requests()[1].Fault)

	// A client that gives up during the delay: the request is never applied.
	srv.Inject(Fault{Method: "POST", Delay: 2 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/data", bytes.NewReader([]byte(`{"variable":"t"}`)))
	require.NoError(t, err)
	req.Header.Set("Device-Token", dev.Token)
	_, err = srv.Client().Do(req)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	require.Eventually(t, func() bool { return len(srv.Requests()) == 3 }, 2*time.Second, 5*time.Millisecond)
	assert.Empty(t, srv.Data(dev.ID))
	assert.False(t, srv.Requests()[2].Applied)
}
