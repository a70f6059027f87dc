package actility

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// downlinkEnv is a fake TagoIO whose Actility network's middleware is a local server
// answering status and body.
type downlinkEnv struct {
	srv     *tagotest.Server
	acct    *tago.Client
	netw    tagotest.Network
	auth    tagotest.Authorization
	dev     tagotest.Device
	mw      *fakeThingPark
	mwCalls func() []recorded
}

func newDownlinkEnv(t *testing.T, status int, body string) *downlinkEnv {
	t.Helper()
	srv := tagotest.NewServer(t)
	mw := &fakeThingPark{status: status, body: body}
	hs := httptest.NewServer(mw)
	t.Cleanup(hs.Close)
	e := &downlinkEnv{srv: srv, mw: mw, mwCalls: mw.requests}
	e.netw = srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility", MiddlewareEndpoint: hs.URL})
	e.auth = srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})
	e.dev = srv.AddDevice(tagotest.DeviceSpec{Name: "Valve", Network: e.netw.ID, SerieNumber: "0018B20000000BEE"})
	acct, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL), tago.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	e.acct = acct
	return e
}

// uplinkOnce resolves the device as the middleware does on an uplink, which records the
// key as the token's last authorization.
func (e *downlinkEnv) uplinkOnce(t *testing.T) {
	t.Helper()
	nc, err := tago.NewClient(tago.NetworkToken(e.netw.Token), tago.WithBaseURL(e.srv.URL))
	require.NoError(t, err)
	_, err = nc.Networks.ResolveToken(t.Context(), "0018B20000000BEE", e.auth.Key)
	require.NoError(t, err)
}

func TestQueueDownlink(t *testing.T) {
	t.Parallel()
	e := newDownlinkEnv(t, http.StatusOK, `{"status":true}`)
	e.uplinkOnce(t)
	// An earlier downlink left both parameters; they are edited, not duplicated.
	old := e.srv.AddParams(e.dev.ID, tagotest.Param{Key: "downlink", Value: "00", Sent: true}, tagotest.Param{Key: "port", Value: "1", Sent: true},
		tagotest.Param{Key: "other", Value: "x"})

	err := QueueDownlink(t.Context(), e.acct, e.dev.ID, DownlinkRequest{Payload: "0a0B", Port: 2, Confirmed: true})
	require.NoError(t, err)

	calls := e.mwCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, "POST", calls[0].Method)
	assert.Equal(t, "/downlink", calls[0].Path)
	assert.Equal(t, "", calls[0].Auth)
	assert.Equal(t, "application/json", calls[0].ContentType)
	assert.JSONEq(t, `{"device":"0018B20000000BEE","authorization":"`+e.auth.Key+`","payload":"0a0B","port":2,"confirmed":true}`, calls[0].Body)

	params := e.srv.Params(e.dev.ID)
	require.Len(t, params, 3)
	assert.Equal(t, tagotest.Param{ID: old[0].ID, Key: "downlink", Value: "0a0B", Sent: false}, params[0])
	assert.Equal(t, tagotest.Param{ID: old[1].ID, Key: "port", Value: "2", Sent: false}, params[1])
	assert.Equal(t, old[2], params[2])
}

func TestQueueDownlinkErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()

	t.Run("no uplink yet", func(t *testing.T) {
		t.Parallel()
		e := newDownlinkEnv(t, http.StatusOK, `{}`)
		err := QueueDownlink(ctx, e.acct, e.dev.ID, DownlinkRequest{Payload: "00", Port: 1})
		assert.ErrorIs(t, err, ErrNoUplinkYet)
		assert.Empty(t, e.srv.Params(e.dev.ID))
		assert.Empty(t, e.mwCalls())
	})
	t.Run("network without middleware", func(t *testing.T) {
		t.Parallel()
		e := newDownlinkEnv(t, http.StatusOK, `{}`)
		plain := e.srv.AddNetwork(tagotest.NetworkSpec{Name: "No downlinks"})
		dev := e.srv.AddDevice(tagotest.DeviceSpec{Name: "d", Network: plain.ID, SerieNumber: "0018B20000000B20"})
		nc, err := tago.NewClient(tago.NetworkToken(plain.Token), tago.WithBaseURL(e.srv.URL))
		require.NoError(t, err)
		_, err = nc.Networks.ResolveToken(ctx, "0018B20000000B20", e.auth.Key)
		require.NoError(t, err)
		err = QueueDownlink(ctx, e.acct, dev.ID, DownlinkRequest{Payload: "00", Port: 1})
		assert.ErrorIs(t, err, ErrNoDownlinks)
		assert.Empty(t, e.srv.Params(dev.ID))
	})
	t.Run("authorization lacks its parameter", func(t *testing.T) {
		t.Parallel()
		e := newDownlinkEnv(t, http.StatusBadRequest, `{"message":"Authorization is missing the additional parameter"}`)
		e.uplinkOnce(t)
		err := QueueDownlink(ctx, e.acct, e.dev.ID, DownlinkRequest{Payload: "00", Port: 1})
		assert.ErrorIs(t, err, ErrAuthorizationParameter)
	})
	t.Run("middleware refuses, echoing the key", func(t *testing.T) {
		t.Parallel()
		e := newDownlinkEnv(t, http.StatusInternalServerError, "")
		e.uplinkOnce(t)
		e.mw.mu.Lock()
		e.mw.body = `{"error":"no route for key ` + e.auth.Key + `"}`
		e.mw.mu.Unlock()
		err := QueueDownlink(ctx, e.acct, e.dev.ID, DownlinkRequest{Payload: "00", Port: 1})
		var dlErr *DownlinkError
		require.ErrorAs(t, err, &dlErr)
		assert.Equal(t, 500, dlErr.StatusCode)
		assert.EqualError(t, err, `actility: downlink failed with status 500: {"error":"no route for key [redacted]"}`)
	})
	t.Run("unknown device", func(t *testing.T) {
		t.Parallel()
		e := newDownlinkEnv(t, http.StatusOK, `{}`)
		err := QueueDownlink(ctx, e.acct, "5f0c0c0c0c0c0c0c0c0c0c0c", DownlinkRequest{Payload: "00", Port: 1})
		assert.True(t, errors.Is(err, tago.ErrNotFound) || errors.Is(err, tago.ErrForbidden), err)
	})
	t.Run("bad input sends nothing", func(t *testing.T) {
		t.Parallel()
		e := newDownlinkEnv(t, http.StatusOK, `{}`)
		e.uplinkOnce(t)
		before := len(e.srv.Requests())
		for _, req := range []DownlinkRequest{{Payload: "", Port: 1}, {Payload: "abc", Port: 1}, {Payload: "zz", Port: 1},
			{Payload: "00", Port: 0}, {Payload: "00", Port: 224}} {
			assert.Error(t, QueueDownlink(ctx, e.acct, e.dev.ID, req), "%+v", req)
		}
		assert.Error(t, QueueDownlink(ctx, nil, e.dev.ID, DownlinkRequest{Payload: "00", Port: 1}))
		assert.Len(t, e.srv.Requests(), before)
		assert.Empty(t, e.mwCalls())
	})
}

func TestMiddlewareURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want, err string }{
		{"actility.middleware.tago.io", "https://actility.middleware.tago.io/downlink", ""},
		{"actility.middleware.eu-w1.tago.io/", "https://actility.middleware.eu-w1.tago.io/downlink", ""},
		{"http://127.0.0.1:9000", "http://127.0.0.1:9000/downlink", ""},
		{"http://mw.example.com", "", `actility: the network's middleware endpoint "http://mw.example.com" uses plain http; the authorization key would travel unencrypted`},
		{"ftp://mw.example.com", "", `actility: the network's middleware endpoint "ftp://mw.example.com" is not a host or an http(s) URL`},
	} {
		got, err := middlewareURL(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
}

func TestDownlinkTransportErrorRedacted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := postDownlink(ctx, nil, "http://127.0.0.1:1/downlink", downlinkBody{Authorization: testAuthKey})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, err.Error(), testAuthKey)
	b, _ := json.Marshal(downlinkBody{Authorization: "x"})
	assert.JSONEq(t, `{"device":"","authorization":"x","payload":"","port":0,"confirmed":false}`, string(b))
}

// TestQueueDownlinkNoRedirect: a middleware answering 307 gets no second post of the
// authorization key to the host it points at.
func TestQueueDownlinkNoRedirect(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(other.Close)
	e := newDownlinkEnv(t, http.StatusOK, ``)
	e.mw.mu.Lock()
	e.mw.status = http.StatusTemporaryRedirect
	e.mw.mu.Unlock()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mw.ServeHTTP(httptest.NewRecorder(), r)
		http.Redirect(w, r, other.URL+"/downlink", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	netw := e.srv.AddNetwork(tagotest.NetworkSpec{Name: "Redirecting", MiddlewareEndpoint: redirector.URL})
	dev := e.srv.AddDevice(tagotest.DeviceSpec{Name: "Valve 2", Network: netw.ID, SerieNumber: "0018B20000000BEF"})
	nc, err := tago.NewClient(tago.NetworkToken(netw.Token), tago.WithBaseURL(e.srv.URL))
	require.NoError(t, err)
	_, err = nc.Networks.ResolveToken(t.Context(), "0018B20000000BEF", e.auth.Key)
	require.NoError(t, err)

	err = QueueDownlink(t.Context(), e.acct, dev.ID, DownlinkRequest{Payload: "01", Port: 2, HTTPClient: &http.Client{}})
	var dlErr *DownlinkError
	require.ErrorAs(t, err, &dlErr)
	assert.Equal(t, http.StatusTemporaryRedirect, dlErr.StatusCode)
	assert.Len(t, e.mwCalls(), 1)
	assert.Zero(t, hits.Load())
	assert.NotContains(t, err.Error(), e.auth.Key)
}
