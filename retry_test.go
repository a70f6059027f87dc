package tago

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exactPolicy is the default policy without jitter, so delays can be asserted exactly.
func exactPolicy(rec *sleepRecorder) RetryPolicy {
	p := DefaultRetryPolicy()
	p.NoJitter = true
	p.Sleep = rec.sleep
	return p
}

var (
	errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	errReset   = &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
)

func TestRetryRules(t *testing.T) {
	t.Parallel()
	type answer = func(*http.Request) (*http.Response, error)
	ok := reply(200, `{"status":true,"result":"done"}`)
	st := func(code int, kv ...string) answer {
		return reply(code, `{"status":false,"message":"failed"}`, kv...)
	}
	backoff := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}
	tests := []struct {
		name         string
		method       string
		noReplay     bool
		answers      []answer
		wantAttempts int
		wantDelays   []time.Duration
		wantOK       bool
	}{
		{"GET 503 until retries run out", "GET", false, []answer{st(503)}, 4, backoff, false},
		{"GET 503 then success", "GET", false, []answer{st(503), ok}, 2, backoff[:1], true},
		{"GET 502", "GET", false, []answer{st(502), ok}, 2, backoff[:1], true},
		{"GET 504", "GET", false, []answer{st(504), ok}, 2, backoff[:1], true},
		{"GET 429", "GET", false, []answer{st(429), st(429), ok}, 3, backoff[:2], true},
		{"GET 500 is not retried", "GET", false, []answer{st(500)}, 1, nil, false},
		{"GET 404 is not retried", "GET", false, []answer{st(404)}, 1, nil, false},
		{"GET connection reset", "GET", false, []answer{fail(errReset), ok}, 2, backoff[:1], true},
		{"GET connection refused", "GET", false, []answer{fail(errRefused)}, 4, backoff, false},
		{"GET bad certificate is not retried", "GET", false, []answer{fail(x509.UnknownAuthorityError{})}, 1, nil, false},
		{"PUT 502", "PUT", false, []answer{st(502), ok}, 2, backoff[:1], true},
		{"DELETE 503", "DELETE", false, []answer{st(503), ok}, 2, backoff[:1], true},
		{"DELETE that must not replay, 502", "DELETE", true, []answer{st(502)}, 1, nil, false},
		{"DELETE that must not replay, reset", "DELETE", true, []answer{fail(errReset)}, 1, nil, false},
		{"DELETE that must not replay, 429", "DELETE", true, []answer{st(429), ok}, 2, backoff[:1], true},
		{"POST 429", "POST", false, []answer{st(429), ok}, 2, backoff[:1], true},
		{"POST 503 with Retry-After", "POST", false, []answer{st(503, "Retry-After", "2"), ok}, 2, []time.Duration{2 * time.Second}, true},
		{"POST 503 without Retry-After", "POST", false, []answer{st(503)}, 1, nil, false},
		{"POST 502", "POST", false, []answer{st(502)}, 1, nil, false},
		{"POST 504", "POST", false, []answer{st(504)}, 1, nil, false},
		{"POST 500", "POST", false, []answer{st(500)}, 1, nil, false},
		{"POST connection reset", "POST", false, []answer{fail(errReset)}, 1, nil, false},
		{"POST connection refused", "POST", false, []answer{fail(errRefused), ok}, 2, backoff[:1], true},
		{"POST DNS failure", "POST", false, []answer{fail(&net.DNSError{Err: "no such host", Name: "api.tago.test"}), ok}, 2, backoff[:1], true},
		{"GET Retry-After seconds", "GET", false, []answer{st(429, "Retry-After", "7"), ok}, 2, []time.Duration{7 * time.Second}, true},
		{"GET Retry-After zero uses backoff", "GET", false, []answer{st(429, "Retry-After", "0"), ok}, 2, backoff[:1], true},
		{"GET Retry-After in message", "GET", false, []answer{reply(429, `{"status":false,"message":"Too many requests (Retry-After: 8)"}`), ok}, 2, []time.Duration{8 * time.Second}, true},
		{"GET Retry-After beyond the cap", "GET", false, []answer{st(429, "Retry-After", "120")}, 1, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &sleepRecorder{}
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(exactPolicy(rec)))
			got := expectSeq(mt, tt.method, "/x", tt.answers...)
			res, err := do[string](t.Context(), c, &call{method: tt.method, path: "/x", noReplay: tt.noReplay})
			assert.Equal(t, tt.wantAttempts, got.count(), "attempts")
			assert.Equal(t, tt.wantDelays, rec.recorded(), "delays")
			if tt.wantOK {
				require.NoError(t, err)
				assert.Equal(t, "done", res)
				return
			}
			require.Error(t, err)
			var apiErr *APIError
			var reqErr *RequestError
			switch {
			case errors.As(err, &apiErr):
				assert.Equal(t, tt.wantAttempts, apiErr.Attempts)
			case errors.As(err, &reqErr):
				assert.Equal(t, tt.wantAttempts, reqErr.Attempts)
			default:
				t.Fatalf("unexpected error type %T", err)
			}
		})
	}
}

// TestNoPOSTReplay checks that a POST the platform may have processed is never sent
// twice, whatever the failure.
func TestNoPOSTReplay(t *testing.T) {
	t.Parallel()
	maybeProcessed := map[string]func(*http.Request) (*http.Response, error){
		"reset after sending": fail(errReset),
		"unexpected EOF":      fail(errors.New("unexpected EOF")),
		"500":                 reply(500, `{"status":false,"message":"boom"}`),
		"502":                 reply(502, `<html>bad gateway</html>`),
		"503 without hint":    reply(503, ``),
		"504":                 reply(504, ``),
		"attempt timed out":   fail(context.DeadlineExceeded),
	}
	for name, answer := range maybeProcessed {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newTestClient(t, DeviceToken(testDeviceToken))
			got := expectSeq(mt, "POST", "/data", answer, reply(200, `{"status":true,"result":"1 Data Added"}`))
			_, err := do[string](t.Context(), c, &call{method: "POST", path: "/data", body: []byte(`[{"variable":"t","value":1}]`)})
			require.Error(t, err)
			assert.Equal(t, 1, got.count())
			assert.Empty(t, rec.recorded())
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	t.Parallel()
	rec := &sleepRecorder{}
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(exactPolicy(rec)))
	when := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	expectSeq(mt, "GET", "/x", reply(503, ``, "Retry-After", when), reply(200, `{"status":true,"result":"ok"}`))
	_, err := do[string](t.Context(), c, &call{method: "GET", path: "/x"})
	require.NoError(t, err)
	delays := rec.recorded()
	require.Len(t, delays, 1)
	assert.GreaterOrEqual(t, delays[0], 8*time.Second)
	assert.LessOrEqual(t, delays[0], 10*time.Second)
}

func TestRetryAfterBeyondCapIsReturned(t *testing.T) {
	t.Parallel()
	c, mt, rec := newTestClient(t, DeviceToken(testDeviceToken))
	expectSeq(mt, "POST", "/data", reply(429, `{"status":false,"message":"Too many requests (Retry-After: 90)"}`))
	_, err := do[string](t.Context(), c, &call{method: "POST", path: "/data"})
	require.ErrorIs(t, err, ErrRateLimited)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 90*time.Second, apiErr.RetryAfter)
	assert.Empty(t, rec.recorded())
}

func TestNoRetriesPolicy(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(NoRetries()))
	got := expectSeq(mt, "GET", "/x", reply(503, ``))
	_, err := do[string](t.Context(), c, &call{method: "GET", path: "/x"})
	require.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 1, got.count())
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	for n := 1; n <= 8; n++ {
		full := min(100*time.Millisecond<<(n-1), time.Second)
		for range 200 {
			d := p.backoff(n)
			require.GreaterOrEqual(t, d, full/2, "retry %d", n)
			require.LessOrEqual(t, d, full, "retry %d", n)
		}
	}
	p.NoJitter = true
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second},
		[]time.Duration{p.backoff(1), p.backoff(2), p.backoff(3), p.backoff(4), p.backoff(5), p.backoff(40)})
}

func TestContextCanceledDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("GET", testBaseURL+"/x", httpmock.NewStringResponder(503, `{"status":false,"message":"busy"}`))
		p := DefaultRetryPolicy()
		p.BaseDelay = 10 * time.Second
		c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(testBaseURL),
			WithHTTPClient(&http.Client{Transport: mt}), WithRetryPolicy(p))
		require.NoError(t, err)

		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			time.Sleep(100 * time.Millisecond)
			cancel()
		}()
		start := time.Now()
		_, err = do[string](ctx, c, &call{method: "GET", path: "/x"})
		assert.Equal(t, 100*time.Millisecond, time.Since(start), "stops as soon as the context ends")
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, ErrServer, "the last failure stays inspectable")
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.Equal(t, 1, reqErr.Attempts)
		assert.Equal(t, 1, mt.GetTotalCallCount())
		assert.Equal(t, "tago: GET /x: context canceled while waiting to retry after: GET /x: 503 busy", err.Error())
	})
}

func TestDeadlineShorterThanBackoffFailsNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("GET", testBaseURL+"/x", httpmock.NewStringResponder(429, `{"status":false,"message":"Too many requests (Retry-After: 30)"}`))
		c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(testBaseURL), WithHTTPClient(&http.Client{Transport: mt}))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, err = do[string](ctx, c, &call{method: "GET", path: "/x"})
		assert.Equal(t, time.Duration(0), time.Since(start))
		assert.ErrorIs(t, err, ErrRateLimited)
		assert.Equal(t, 1, mt.GetTotalCallCount())
	})
}

func TestAttemptTimeout(t *testing.T) {
	for _, tt := range []struct {
		method       string
		wantAttempts int
	}{{"GET", 4}, {"POST", 1}} {
		t.Run(tt.method, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mt := httpmock.NewMockTransport()
				mt.RegisterResponder(tt.method, testBaseURL+"/x", func(r *http.Request) (*http.Response, error) {
					<-r.Context().Done() // a server that never answers
					return nil, r.Context().Err()
				})
				p := DefaultRetryPolicy()
				p.NoJitter = true
				c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(testBaseURL),
					WithHTTPClient(&http.Client{Transport: mt}), WithTimeout(2*time.Second), WithRetryPolicy(p))
				require.NoError(t, err)
				start := time.Now()
				_, err = do[string](t.Context(), c, &call{method: tt.method, path: "/x"})
				require.ErrorIs(t, err, context.DeadlineExceeded)
				var reqErr *RequestError
				require.ErrorAs(t, err, &reqErr)
				assert.Equal(t, tt.wantAttempts, reqErr.Attempts)
				assert.Equal(t, tt.wantAttempts, mt.GetTotalCallCount())
				want := time.Duration(tt.wantAttempts) * 2 * time.Second
				if tt.wantAttempts == 4 {
					want += 500*time.Millisecond + time.Second + 2*time.Second
				}
				assert.Equal(t, want, time.Since(start))
			})
		})
	}
}

// TestMayBeStoredFollowsThePOSTRule checks that MayBeStored is true exactly for the
// failures after which the platform may have carried a POST out: the rule the retry
// policy uses to refuse a replay.
func TestMayBeStoredFollowsThePOSTRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer func(*http.Request) (*http.Response, error)
		want   bool
	}{
		{"reset after sending", fail(errReset), true},
		{"unexpected EOF", fail(errors.New("unexpected EOF")), true},
		{"attempt timed out", fail(context.DeadlineExceeded), true},
		{"500", reply(500, `{"status":false,"message":"boom"}`), true},
		{"502 proxy page", reply(502, `<html>bad gateway</html>`), true},
		{"503 without Retry-After", reply(503, ``), true},
		{"504", reply(504, ``), true},
		{"2xx cut short", reply(200, `{"status":true,"res`), true},
		{"2xx empty", reply(200, ``), true},
		{"2xx that is not JSON", reply(200, `<html>ok</html>`), true},
		{"2xx result that does not decode", reply(200, `{"status":true,"result":{"a":1}}`), true},
		{"connection refused", fail(errRefused), false},
		{"bad certificate", fail(x509.UnknownAuthorityError{}), false},
		{"400", reply(400, `{"status":false,"message":"bad"}`), false},
		{"401", reply(401, `{"status":false,"message":"Invalid token"}`), false},
		{"404", reply(404, `{"status":false,"message":"not found"}`), false},
		{"429", reply(429, `{"status":false,"message":"Too many requests (Retry-After: 90)"}`), false},
		{"503 with Retry-After", reply(503, ``, "Retry-After", "120"), false},
		{"200 with status false", reply(200, `{"status":false,"message":"Error on Body parameters"}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
			expectSeq(mt, "POST", "/data", tt.answer)
			_, err := do[string](t.Context(), c, &call{method: "POST", path: "/data", body: []byte(`[{"variable":"t","value":1}]`)})
			require.Error(t, err)
			assert.Equal(t, tt.want, MayBeStored(err), "%v", err)
		})
	}
	t.Run("refused locally", func(t *testing.T) {
		assert.False(t, MayBeStored(invalidf("points[0].value", "bad")))
		assert.False(t, MayBeStored(tokenKindError("POST /data", KindAccount, KindDevice)))
		assert.False(t, MayBeStored(nil))
		assert.False(t, MayBeStored(errors.New("other")))
	})
	t.Run("context ended before the request", func(t *testing.T) {
		c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
		got := expect(mt, "POST", "/data", 200, `{"status":true,"result":"1 Data Added"}`)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := do[string](ctx, c, &call{method: "POST", path: "/data", body: []byte(`[]`)})
		require.ErrorIs(t, err, context.Canceled)
		assert.False(t, MayBeStored(err))
		assert.Zero(t, got.count())
	})
	t.Run("PUT: an earlier attempt may have applied", func(t *testing.T) {
		c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
		got := expectSeq(mt, "PUT", "/data", reply(502, ``), reply(404, `{"status":false,"message":"gone"}`))
		_, err := do[string](t.Context(), c, &call{method: "PUT", path: "/data", body: []byte(`[]`)})
		require.ErrorIs(t, err, ErrNotFound)
		assert.Equal(t, 2, got.count())
		assert.True(t, MayBeStored(err), "the 502 attempt may have been carried out")
	})
}

// TestRetryAfterNeverOverflows: a Retry-After too large for a time.Duration is clamped,
// not wrapped (18446744074 s wrapped to 0.29 s and a POST was retried; 9300000000 s gave
// a negative wait): the call ends at once with the error and a long RetryAfter.
func TestRetryAfterNeverOverflows(t *testing.T) {
	t.Parallel()
	const longest = time.Duration(9223372036) * time.Second // math.MaxInt64 ns in whole seconds
	for _, tc := range []struct {
		name, header, message string
		want                  time.Duration
	}{
		{"wraps to 0.29s", "18446744074", "", longest},
		{"wraps negative", "9300000000", "", longest},
		{"beyond uint64", "99999999999999999999999", "", longest},
		{"largest exact", "9223372036", "", longest},
		{"in the message", "", "Too many requests (Retry-After: 18446744074)", longest},
		{"a day", "86400", "", 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newTestClient(t, DeviceToken(testDeviceToken))
			headers := []string{}
			if tc.header != "" {
				headers = append(headers, "Retry-After", tc.header)
			}
			got := expectSeq(mt, "POST", "/data", reply(503, `{"status":false,"message":"`+tc.message+`"}`, headers...),
				reply(200, `{"status":true,"result":"1 Data Added"}`))
			_, err := do[string](t.Context(), c, &call{method: "POST", path: "/data", body: []byte(`[]`)})
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.want, apiErr.RetryAfter)
			assert.Equal(t, 1, got.count(), "the POST is not retried")
			assert.Empty(t, rec.recorded())
			assert.False(t, MayBeStored(err))
		})
	}
}

// TestIdempotentPOSTRetries checks that a POST marked idempotent (repeating it is
// harmless: a stored query's execution, a file part) is retried like a PUT, and that
// noReplay still wins.
func TestIdempotentPOSTRetries(t *testing.T) {
	t.Parallel()
	ok := reply(200, `{"status":true,"result":"done"}`)
	for _, tc := range []struct {
		name     string
		noReplay bool
		answer   func(*http.Request) (*http.Response, error)
		attempts int
	}{
		{"502", false, reply(502, `<html>bad gateway</html>`), 2},
		{"504", false, reply(504, ``), 2},
		{"reset after sending", false, fail(errReset), 2},
		{"attempt timed out", false, fail(context.DeadlineExceeded), 2},
		{"500 is not retried", false, reply(500, `{"status":false,"message":"boom"}`), 1},
		{"noReplay wins", true, reply(502, ``), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
			got := expectSeq(mt, "POST", "/x", tc.answer, ok)
			_, err := do[string](t.Context(), c, &call{method: "POST", path: "/x", idempotent: true, noReplay: tc.noReplay})
			assert.Equal(t, tc.attempts, got.count())
			assert.Equal(t, tc.attempts == 2, err == nil, "%v", err)
		})
	}
}
