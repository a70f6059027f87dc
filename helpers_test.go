package tago

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

// Tokens used by unit tests; tests assert they never leak into errors or logs.
const (
	testAccountToken     = "a1b2c3d4-0000-4000-8000-acc0acc0acc0"
	testDeviceToken      = "d1e2f3a4-1111-4111-8111-dev0dev0dev0"
	testNetworkToken     = "e5f6a7b8-2222-4222-8222-net0net0net0"
	testAnalysisToken    = "f7a8b9c0-3333-4333-8333-ana0ana0ana0"
	testAuthorizationKey = "at0123456789abcdef0123456789abcdef"
	testRunUserToken     = "b9c0d1e2-4444-4444-8444-run0run0run0"
	testBaseURL          = "https://api.tago.test"
)

// sleepRecorder is an injectable RetryPolicy.Sleep that records the delays instead of
// waiting.
type sleepRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delays...)
}

// newTestClient returns a client for tok whose requests go to a fresh httpmock transport
// (never the process-wide one, so tests can run in parallel), with base URL testBaseURL
// and the default retry policy except that sleeping is recorded, not done. Extra options
// are applied last.
func newTestClient(t *testing.T, tok Token, opts ...Option) (*Client, *httpmock.MockTransport, *sleepRecorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	rec := &sleepRecorder{}
	p := DefaultRetryPolicy()
	p.Sleep = rec.sleep
	all := append([]Option{
		WithHTTPClient(&http.Client{Transport: mt}),
		WithBaseURL(testBaseURL),
		WithRetryPolicy(p),
	}, opts...)
	c, err := NewClient(tok, all...)
	require.NoError(t, err)
	return c, mt, rec
}

// capturedRequest is one request seen by a capture responder.
type capturedRequest struct {
	Method string
	Path   string // escaped path as sent
	Query  string // decoded query string, in the order sent, e.g. "variables[0]=a&qty=10"
	Header http.Header
	Body   []byte
}

// capture records the requests a responder receives.
type capture struct {
	mu   sync.Mutex
	reqs []capturedRequest
}

// count reports how many requests were captured.
func (c *capture) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.reqs)
}

// all returns every captured request.
func (c *capture) all() []capturedRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]capturedRequest(nil), c.reqs...)
}

// last returns the most recent request, failing the test when there is none.
func (c *capture) last(t *testing.T) capturedRequest {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	require.NotEmpty(t, c.reqs, "no request was captured")
	return c.reqs[len(c.reqs)-1]
}

// record stores r; responders call it.
func (c *capture) record(r *http.Request) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	q, err := url.QueryUnescape(r.URL.RawQuery)
	if err != nil {
		q = "INVALID:" + r.URL.RawQuery
	}
	c.mu.Lock()
	c.reqs = append(c.reqs, capturedRequest{Method: r.Method, Path: r.URL.EscapedPath(), Query: q, Header: r.Header.Clone(), Body: body})
	c.mu.Unlock()
}

// expect registers a responder for method and path (any query) on mt that records each
// request and answers with status and body (a JSON envelope, usually).
func expect(mt *httpmock.MockTransport, method, path string, status int, body string) *capture {
	c := &capture{}
	mt.RegisterResponder(method, testBaseURL+path, func(r *http.Request) (*http.Response, error) {
		c.record(r)
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	return c
}

// expectSeq is expect with a different answer per attempt; the last one repeats.
func expectSeq(mt *httpmock.MockTransport, method, path string, answers ...func(r *http.Request) (*http.Response, error)) *capture {
	c := &capture{}
	mt.RegisterResponder(method, testBaseURL+path, func(r *http.Request) (*http.Response, error) {
		c.record(r)
		i := min(c.count()-1, len(answers)-1)
		return answers[i](r)
	})
	return c
}

// reply returns an answer for expectSeq with the given status, body and header pairs.
func reply(status int, body string, headerKV ...string) func(*http.Request) (*http.Response, error) {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		for i := 0; i+1 < len(headerKV); i += 2 {
			resp.Header.Set(headerKV[i], headerKV[i+1])
		}
		return resp, nil
	}
}

// fail returns an answer for expectSeq that fails at the transport level with err.
func fail(err error) func(*http.Request) (*http.Response, error) {
	return func(*http.Request) (*http.Response, error) { return nil, err }
}
