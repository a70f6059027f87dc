package tago_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/require"
)

// The flow tests run whole user stories against tagotest, the in-memory fake of the
// platform, through real HTTP: every service end to end, and the retry rules against
// real connection resets, truncated bodies and proxy error pages.

// sleeps is a RetryPolicy.Sleep that records the delays instead of waiting, so retry
// flows run at once and can assert the backoff and Retry-After the client chose.
type sleeps struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delays...)
}

// flowClient returns a client for tok talking to srv, with the default retry policy
// without jitter and with recorded, not real, sleeps. Extra options come last.
func flowClient(t *testing.T, srv *tagotest.Server, tok tago.Token, opts ...tago.Option) (*tago.Client, *sleeps) {
	t.Helper()
	rec := &sleeps{}
	p := tago.DefaultRetryPolicy()
	p.NoJitter = true
	p.Sleep = rec.sleep
	c, err := tago.NewClient(tok, append([]tago.Option{tago.WithBaseURL(srv.URL), tago.WithRetryPolicy(p)}, opts...)...)
	require.NoError(t, err)
	return c, rec
}

// accountClient returns a client with the fake's account token.
func accountClient(t *testing.T, srv *tagotest.Server, opts ...tago.Option) *tago.Client {
	t.Helper()
	c, _ := flowClient(t, srv, tago.AccountToken(srv.AccountToken()), opts...)
	return c
}

// freshConnections is an option whose transport opens a new connection for every
// request. Go's http.Transport silently resends an idempotent request whose reused
// keep-alive connection breaks, which would hide a reset GET from the client; with
// keep-alives off every reset reaches the SDK's retry loop.
func freshConnections() tago.Option {
	return tago.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})
}

// createDevice creates a plain HTTPS device through the SDK and returns its ID and
// first token.
func createDevice(t *testing.T, c *tago.Client, name string, tags ...tago.Tag) tago.DeviceCreateResult {
	t.Helper()
	dev, err := c.Devices.Create(t.Context(), tago.DeviceCreateRequest{
		Name: name, Network: tagotest.DefaultNetworkID, Connector: tagotest.DefaultConnectorID, Tags: tags,
	})
	require.NoError(t, err)
	return dev
}

// requestsTo returns the requests srv received with method and path, oldest first.
func requestsTo(srv *tagotest.Server, method, path string) []tagotest.Request {
	var out []tagotest.Request
	for _, r := range srv.Requests() {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// at returns a fixed UTC time on 2025-03-10 at the given hour and minute.
func at(hour, minute int) time.Time {
	return time.Date(2025, 3, 10, hour, minute, 0, 0, time.UTC)
}
