package tago

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientRejectsBadSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		tok   Token
		opts  []Option
		field string
	}{
		{"empty token", AccountToken(""), nil, "token"},
		{"blank token", DeviceToken(" \t\n"), nil, "token"},
		{"zero token", Token{}, nil, "token"},
		{"token with inner space", AccountToken("abc def"), nil, "token"},
		{"unknown region", AccountToken("t"), []Option{WithRegion("mars-1")}, "region"},
		{"plain http on a public host", AccountToken("t"), []Option{WithBaseURL("http://api.example.com")}, "base URL"},
		{"relative base URL", AccountToken("t"), []Option{WithBaseURL("/api")}, "base URL"},
		{"other scheme", AccountToken("t"), []Option{WithBaseURL("ftp://api.tago.io")}, "base URL"},
		{"credentials in base URL", AccountToken("t"), []Option{WithBaseURL("https://u:p@api.tago.io")}, "base URL"},
		{"query in base URL", AccountToken("t"), []Option{WithBaseURL("https://api.tago.io/?x=1")}, "base URL"},
		{"zero timeout", AccountToken("t"), []Option{WithTimeout(0)}, "timeout"},
		{"nil http client", AccountToken("t"), []Option{WithHTTPClient(nil)}, "http client"},
		{"negative retries", AccountToken("t"), []Option{WithRetryPolicy(RetryPolicy{MaxRetries: -1})}, "retry policy"},
		{"user agent with newline", AccountToken("t"), []Option{WithUserAgent("a\r\nX-Evil: 1")}, "user agent"},
		{"user agent with NUL", AccountToken("t"), []Option{WithUserAgent("gw\x00/1")}, "user agent"},
		{"user agent with DEL", AccountToken("t"), []Option{WithUserAgent("gw\x7f/1")}, "user agent"},
		{"token with NUL", AccountToken("abc\x00def"), nil, "token"},
		{"token with escape", DeviceToken("abc\x1bdef"), nil, "token"},
		{"token with C1 control", NetworkToken("abc\u0085def"), nil, "token"},
		{"empty analysis token", AnalysisToken(""), nil, "token"},
		{"unknown kind", Token{kind: 99, value: "x"}, nil, "token"},
		{"plain http on a *.localhost name", AccountToken("t"), []Option{WithBaseURL("http://api.localhost:8080")}, "base URL"},
		{"plain http on localhost.example.com", AccountToken("t"), []Option{WithBaseURL("http://localhost.example.com")}, "base URL"},
		{"unknown auth header", AccountToken("t"), []Option{WithAuthHeader(7)}, "auth header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.tok, tt.opts...)
			assert.Nil(t, c)
			require.ErrorIs(t, err, ErrInvalidInput)
			var in *InputError
			require.ErrorAs(t, err, &in)
			assert.Equal(t, tt.field, in.Field)
		})
	}
}

func TestNewClientBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"default region", nil, "https://api.tago.io"},
		{"us-e1", []Option{WithRegion(RegionUSE1)}, "https://api.tago.io"},
		{"eu-w1", []Option{WithRegion(RegionEUW1)}, "https://api.eu-w1.tago.io"},
		{"legacy alias", []Option{WithRegion("usa-1")}, "https://api.tago.io"},
		{"base URL wins over region", []Option{WithRegion(RegionEUW1), WithBaseURL("https://api.abc123.tagoio.net/")}, "https://api.abc123.tagoio.net"},
		{"path prefix kept", []Option{WithBaseURL("https://gw.example.com/tago/")}, "https://gw.example.com/tago"},
		{"loopback http", []Option{WithBaseURL("http://127.0.0.1:8080")}, "http://127.0.0.1:8080"},
		{"localhost http", []Option{WithBaseURL("http://localhost:8080")}, "http://localhost:8080"},
		{"ipv6 loopback http", []Option{WithBaseURL("http://[::1]:9000")}, "http://[::1]:9000"},
		{"insecure allowed", []Option{WithBaseURL("http://tago.lan"), WithInsecureHTTP()}, "http://tago.lan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(AccountToken(testAccountToken), tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

func TestAuthHeaderPerTokenKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		tok        Token
		opts       []Option
		wantHeader string
	}{
		{"account", AccountToken(testAccountToken), nil, "Account-Token"},
		{"device", DeviceToken(testDeviceToken), nil, "Device-Token"},
		{"network", NetworkToken(testNetworkToken), nil, "Token"},
		{"account, plain token header", AccountToken(testAccountToken), []Option{WithAuthHeader(AuthHeaderToken)}, "Token"},
		{"device, plain token header", DeviceToken(testDeviceToken), []Option{WithAuthHeader(AuthHeaderToken)}, "Token"},
		{"network, by kind", NetworkToken(testNetworkToken), []Option{WithAuthHeader(AuthHeaderByKind)}, "Token"},
		{"analysis", AnalysisToken(testAnalysisToken), nil, "Analysis-Token"},
		{"analysis, plain token header", AnalysisToken(testAnalysisToken), []Option{WithAuthHeader(AuthHeaderToken)}, "Token"},
		{"authorization", AuthorizationToken(testAuthorizationKey), nil, "Token"},
		{"run user", RunUserToken(testRunUserToken), nil, "Token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, tt.tok, tt.opts...)
			got := expect(mt, "GET", "/status", 200, `{"status":true,"result":{"version":"3.1.0"}}`)
			st, err := c.Status(t.Context())
			require.NoError(t, err)
			assert.Equal(t, APIStatus{Version: "3.1.0"}, st)

			req := got.last(t)
			assert.Equal(t, "GET", req.Method)
			assert.Equal(t, "/status", req.Path)
			assert.Equal(t, "", req.Query)
			assert.Equal(t, tt.tok.value, req.Header.Get(tt.wantHeader))
			for _, h := range []string{"Account-Token", "Device-Token", "Analysis-Token", "Token", "Authorization", "Profile-Token"} {
				if h != tt.wantHeader {
					assert.Empty(t, req.Header.Values(h), "exactly one token header; found %s", h)
				}
			}
			assert.Equal(t, "application/json", req.Header.Get("Accept"))
			assert.Empty(t, req.Header.Get("Content-Type"), "a GET has no body")
			assert.Empty(t, req.Body)
		})
	}
}

// TestAnonymousClientSendsNoToken checks that a client made with Anonymous sends no
// token header on the routes that need none, and refuses every other call before any
// request.
func TestAnonymousClientSendsNoToken(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, Anonymous())
	assert.Equal(t, KindAnonymous, c.TokenKind())
	got := expect(mt, "GET", "/status", 200, `{"status":true,"result":{"version":"3.1.0"}}`)
	st, err := c.Status(t.Context())
	require.NoError(t, err)
	assert.Equal(t, APIStatus{Version: "3.1.0"}, st)
	req := got.last(t)
	for _, h := range []string{"Account-Token", "Device-Token", "Analysis-Token", "Token", "Authorization", "Profile-Token"} {
		assert.Empty(t, req.Header.Values(h), "an anonymous client sends no %s header", h)
	}

	_, err = c.Devices.Info(t.Context(), "5f0c0f0c0f0c0f0c0f0c0f0c")
	require.ErrorIs(t, err, ErrTokenKind)
	assert.EqualError(t, err, "tago: wrong token kind: GET /device/5f0c0f0c0f0c0f0c0f0c0f0c needs an account token; the client holds no token")
	_, err = do[string](t.Context(), c, &call{method: "GET", path: "/info"})
	require.ErrorIs(t, err, ErrTokenKind)
	assert.EqualError(t, err, "tago: wrong token kind: GET /info needs a token; the client holds no token")
	assert.Equal(t, 1, mt.GetTotalCallCount(), "nothing is sent for a refused call")

	assert.Equal(t, "no token (anonymous)", Anonymous().String())
	assert.Equal(t, "anonymous", KindAnonymous.String())
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
	got := expect(mt, "GET", "/status", 200, `{"status":true,"result":{}}`)
	_, err := c.Status(t.Context())
	require.NoError(t, err)
	assert.Regexp(t, `^tago-go/`+Version+` \(go1\.\d+[^;]*; [a-z0-9]+/[a-z0-9]+\)$`, got.last(t).Header.Get("User-Agent"))

	c, mt, _ = newTestClient(t, DeviceToken(testDeviceToken), WithUserAgent("gateway/2.1"))
	got = expect(mt, "GET", "/status", 200, `{"status":true,"result":{}}`)
	_, err = c.Status(t.Context())
	require.NoError(t, err)
	assert.Regexp(t, `^gateway/2\.1 tago-go/`+Version+` \(`, got.last(t).Header.Get("User-Agent"))
}

func TestRegionRequestsGoToRegionHost(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		region Region
		url    string
	}{{RegionUSE1, "https://api.tago.io/status"}, {RegionEUW1, "https://api.eu-w1.tago.io/status"}} {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("GET", tt.url, httpmock.NewStringResponder(200, `{"status":true,"result":{"version":"x"}}`))
		c, err := NewClient(AccountToken(testAccountToken), WithRegion(tt.region), WithHTTPClient(&http.Client{Transport: mt}))
		require.NoError(t, err)
		_, err = c.Status(t.Context())
		require.NoError(t, err, tt.region)
		assert.Equal(t, 1, mt.GetCallCountInfo()["GET "+tt.url])
	}
}

// statusCall performs GET /status returning the raw result type T, for envelope tests.
func rawCall[T any](t *testing.T, c *Client) (T, error) {
	t.Helper()
	return do[T](t.Context(), c, &call{method: "GET", path: "/status"})
}

func TestEnvelopeSuccessShapes(t *testing.T) {
	t.Parallel()
	t.Run("object", func(t *testing.T) {
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/status", 200, `{"status":true,"result":{"version":"1.0"}}`)
		got, err := rawCall[APIStatus](t, c)
		require.NoError(t, err)
		assert.Equal(t, APIStatus{Version: "1.0"}, got)
	})
	t.Run("string with warning message", func(t *testing.T) {
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/status", 201, ` { "message": "deprecated", "result": "1 Data Added", "status": true } `)
		got, err := rawCall[string](t, c)
		require.NoError(t, err)
		assert.Equal(t, "1 Data Added", got)
	})
	t.Run("number", func(t *testing.T) {
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/status", 200, `{"status":true,"result":1234}`)
		got, err := rawCall[int](t, c)
		require.NoError(t, err)
		assert.Equal(t, 1234, got)
	})
	t.Run("null result", func(t *testing.T) {
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/status", 200, `{"status":true,"result":null}`)
		got, err := rawCall[[]string](t, c)
		require.NoError(t, err)
		assert.Nil(t, got)
	})
	t.Run("absent result", func(t *testing.T) {
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/status", 200, `{"status":true}`)
		got, err := rawCall[APIStatus](t, c)
		require.NoError(t, err)
		assert.Equal(t, APIStatus{}, got)
	})
	t.Run("204 no content", func(t *testing.T) {
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/status", 204, ``)
		got, err := rawCall[string](t, c)
		require.NoError(t, err)
		assert.Equal(t, "", got)
	})
	t.Run("keys after the result", func(t *testing.T) {
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/status", 200, `{"status":true,"result":{"version":"1.0"},"message":"deprecated route"}`)
		got, err := rawCall[APIStatus](t, c)
		require.NoError(t, err)
		assert.Equal(t, APIStatus{Version: "1.0"}, got)
	})
	t.Run("escaped keys and nested values", func(t *testing.T) {
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/status", 200, `{"extra":{"a":[1,{"b":"}]\""}]},"st\u0061tus":true,"result":{"version":"v\"2"}}`)
		got, err := rawCall[APIStatus](t, c)
		require.NoError(t, err)
		assert.Equal(t, APIStatus{Version: `v"2`}, got)
	})
}

func TestEnvelopeErrorShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		body        string
		header      []string
		wantStatus  int
		wantMessage string
		wantIs      error
		wantRetry   time.Duration
		wantFields  map[string][]string
	}{
		{name: "status false with message at 200", status: 200, body: `{"status":false,"message":"Device not found"}`,
			wantStatus: 200, wantMessage: "Device not found", wantIs: ErrBadRequest},
		{name: "status false with result text", status: 401, body: `{"status":false,"result":"Invalid Token"}`,
			wantStatus: 401, wantMessage: "Invalid Token", wantIs: ErrUnauthorized},
		{name: "message preferred over result", status: 400, body: `{"status":false,"message":"first","result":"second"}`,
			wantStatus: 400, wantMessage: "first", wantIs: ErrBadRequest},
		{name: "result object with message", status: 422, body: `{"status":false,"result":{"message":"name is required"}}`,
			wantStatus: 422, wantMessage: "name is required", wantIs: ErrBadRequest},
		{name: "result object without message", status: 403, body: `{"status":false,"result":{"code": 7}}`,
			wantStatus: 403, wantMessage: `{"code":7}`, wantIs: ErrForbidden},
		{name: "no message at all", status: 404, body: `{"status":false}`,
			wantStatus: 404, wantMessage: "Not Found", wantIs: ErrNotFound},
		{name: "field errors", status: 400, body: `{"status":false,"message":"Error on Body parameters","field_errors":{"name":["required"]}}`,
			wantStatus: 400, wantMessage: "Error on Body parameters", wantIs: ErrBadRequest, wantFields: map[string][]string{"name": {"required"}}},
		{name: "rate limited with message", status: 429, body: `{"status":false,"message":"Too many requests (Retry-After: 8)"}`,
			wantStatus: 429, wantMessage: "Too many requests (Retry-After: 8)", wantIs: ErrRateLimited, wantRetry: 8 * time.Second},
		{name: "html from a proxy", status: 502, body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>",
			wantStatus: 502, wantMessage: "<html> <head><title>502 Bad Gateway</title></head> <body>nginx</body></html>", wantIs: ErrServer},
		{name: "empty 500", status: 500, body: "", wantStatus: 500, wantMessage: "", wantIs: ErrServer},
		{name: "empty 200", status: 200, body: "  \n", wantStatus: 200,
			wantMessage: "empty response body where the platform's JSON envelope was expected"},
		{name: "non-JSON 200", status: 200, body: "OK", wantStatus: 200,
			wantMessage: "response is not the platform's JSON envelope (not a JSON object): OK"},
		{name: "truncated JSON 200", status: 200, body: `{"status":true,"result":[1,2`, wantStatus: 200,
			wantMessage: `response is not the platform's JSON envelope (unexpected end of JSON): {"status":true,"result":[1,2`},
		{name: "no status field", status: 200, body: `{"result":"x"}`, wantStatus: 200, wantMessage: "response envelope has no boolean status"},
		{name: "a late status false overrides", status: 200, body: `{"status":true,"result":{"version":"1"},"status":false,"message":"late"}`,
			wantStatus: 200, wantMessage: "late", wantIs: ErrBadRequest},
		{name: "status true at 500", status: 500, body: `{"status":true,"result":"odd"}`, wantStatus: 500, wantMessage: "odd", wantIs: ErrServer},
		{name: "redirect", status: 302, body: ``, header: []string{"Location", "https://elsewhere"}, wantStatus: 302, wantMessage: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(NoRetries()))
			expectSeq(mt, "GET", "/status", reply(tt.status, tt.body, tt.header...))
			_, err := rawCall[APIStatus](t, c)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantStatus, apiErr.HTTPStatus)
			assert.Equal(t, tt.wantMessage, apiErr.Message)
			assert.Equal(t, "GET", apiErr.Method)
			assert.Equal(t, "/status", apiErr.Path)
			assert.Equal(t, 1, apiErr.Attempts)
			assert.Equal(t, tt.wantRetry, apiErr.RetryAfter)
			assert.Equal(t, tt.wantFields, apiErr.FieldErrors)
			for _, s := range []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRateLimited, ErrServer, ErrInvalidInput, ErrTokenKind} {
				assert.Equal(t, s == tt.wantIs, errors.Is(err, s), "errors.Is(err, %v)", s)
			}
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	t.Parallel()
	e := &APIError{HTTPStatus: 404, Message: "Device not found", Method: "GET", Path: "/device/5f0c"}
	assert.Equal(t, "tago: GET /device/5f0c: 404 Device not found", e.Error())
	e = &APIError{HTTPStatus: 503, Method: "POST", Path: "/data", RetryAfter: 3 * time.Second}
	assert.Equal(t, "tago: POST /data: 503 Service Unavailable (retry after 3s)", e.Error())
	e = &APIError{HTTPStatus: 429, Method: "POST", Path: "/data", Message: "Too many requests (Retry-After: 8)", RetryAfter: 8 * time.Second}
	assert.Equal(t, "tago: POST /data: 429 Too many requests (Retry-After: 8)", e.Error())
}

func TestResultDecodeFailureIsReported(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "GET", "/status", 200, `{"status":true,"result":{"version":42}}`)
	_, err := rawCall[APIStatus](t, c)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "decoding the result: json: cannot unmarshal number")
}

func TestTransportErrorIsWrapped(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(NoRetries()))
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	expectSeq(mt, "GET", "/status", fail(reset))
	_, err := c.Status(t.Context())
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, "GET", reqErr.Method)
	assert.Equal(t, "/status", reqErr.Path)
	assert.Equal(t, 1, reqErr.Attempts)
	assert.ErrorIs(t, err, syscall.ECONNRESET)
	var op *net.OpError
	assert.ErrorAs(t, err, &op)
	assert.Equal(t, "tago: GET /status: read tcp: connection reset by peer", err.Error())
}

func TestNilAndZeroValuesDoNotPanic(t *testing.T) {
	t.Parallel()
	var c *Client
	_, err := c.Status(t.Context())
	assert.ErrorIs(t, err, errNilClient)

	var zero Client
	_, err = zero.Devices.Info(t.Context(), "5f0c0a0b0c0d0e0f00112233")
	assert.ErrorIs(t, err, errNilClient)

	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	//lint:ignore SA1012 a nil context is the bad input under test
	_, err = c.Status(nil) //nolint:staticcheck
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, 0, mt.GetTotalCallCount())
}

func TestTokenKindCheckedBeforeRequest(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
	_, err := c.Devices.Info(t.Context(), "5f0c0a0b0c0d0e0f00112233")
	require.ErrorIs(t, err, ErrTokenKind)
	assert.Equal(t, "tago: wrong token kind: GET /device/5f0c0a0b0c0d0e0f00112233 needs an account token; the client holds a device token", err.Error())
	assert.Equal(t, 0, mt.GetTotalCallCount())
}

func TestBadBodyIsInvalidInput(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	_, err := do[string](t.Context(), c, &call{method: "POST", path: "/x", body: map[string]any{"v": make(chan int)}})
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, 0, mt.GetTotalCallCount())
}

func TestJSONBodyIsSent(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expect(mt, "POST", "/dashboard", 201, `{"status":true,"result":{"dashboard":"5f0c0a0b0c0d0e0f00112233"}}`)
	out, err := do[map[string]string](t.Context(), c, &call{method: "POST", path: "/dashboard", body: map[string]any{"label": "Home", "visible": true}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"dashboard": "5f0c0a0b0c0d0e0f00112233"}, out)
	req := got.last(t)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"label":"Home","visible":true}`, string(req.Body))
}

func TestQueryIsSentInOrder(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
	got := expect(mt, "GET", "/data", 200, `{"status":true,"result":[]}`)
	q := &query{}
	q.addList("variables", []string{"temperature", "humidity"})
	q.addInt("qty", 10)
	q.addString("query", "last_value")
	_, err := do[[]map[string]any](t.Context(), c, &call{method: "GET", path: "/data", query: q})
	require.NoError(t, err)
	assert.Equal(t, "variables[0]=temperature&variables[1]=humidity&qty=10&query=last_value", got.last(t).Query)
}

func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expectSeq(mt, "GET", "/status", reply(307, "", "Location", "https://evil.example/steal"))
	mt.RegisterResponder("GET", "https://evil.example/steal", httpmock.NewStringResponder(200, `{"status":true,"result":{}}`))
	_, err := c.Status(t.Context())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 307, apiErr.HTTPStatus)
	assert.Equal(t, 0, mt.GetCallCountInfo()["GET https://evil.example/steal"], "the token must not follow a redirect")
}

func TestCallerHTTPClientIsNotModified(t *testing.T) {
	t.Parallel()
	redirect := func(*http.Request, []*http.Request) error { return nil }
	tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS10}}
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Second, CheckRedirect: redirect}
	c, err := NewClient(AccountToken(testAccountToken), WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Same(t, tr, hc.Transport)
	assert.NotNil(t, hc.CheckRedirect)
	assert.Equal(t, uint16(tls.VersionTLS10), tr.TLSClientConfig.MinVersion)

	used := c.hc
	require.NotSame(t, hc, used)
	assert.Equal(t, 5*time.Second, used.Timeout)
	ut, ok := used.Transport.(*http.Transport)
	require.True(t, ok)
	require.NotSame(t, tr, ut, "a transport allowing TLS 1.0 is replaced by a clone")
	assert.Equal(t, uint16(tls.VersionTLS12), ut.TLSClientConfig.MinVersion)
}

func TestTransportIsSharedAcrossClients(t *testing.T) {
	t.Parallel()
	// Clients for many device tokens share one connection pool.
	tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13}}
	hc := &http.Client{Transport: tr}
	a, err := NewClient(DeviceToken(testDeviceToken), WithHTTPClient(hc))
	require.NoError(t, err)
	b, err := NewClient(DeviceToken(testDeviceToken+"x"), WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Same(t, tr, a.hc.Transport)
	assert.Same(t, tr, b.hc.Transport)

	assert.Same(t, tr, hc.Transport)
}

// TestOnePoolPerHostByDefault: clients made without a transport of the caller's share
// one tuned transport (one connection pool per host for the process), not
// http.DefaultTransport and its 2 idle connections per host.
func TestOnePoolPerHostByDefault(t *testing.T) {
	t.Parallel()
	d, err := NewClient(DeviceToken(testDeviceToken))
	require.NoError(t, err)
	e, err := NewClient(AccountToken(testAccountToken), WithHTTPClient(&http.Client{Timeout: time.Second}))
	require.NoError(t, err)
	tr, ok := d.hc.Transport.(*http.Transport)
	require.True(t, ok)
	assert.Same(t, defaultTransport(), tr)
	assert.Same(t, tr, e.hc.Transport, "an http.Client without a transport gets the shared one")
	assert.NotSame(t, http.DefaultTransport, tr)

	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, 64, "enough idle connections for a gateway's concurrency")
	assert.GreaterOrEqual(t, tr.MaxIdleConns, tr.MaxIdleConnsPerHost)
	assert.Zero(t, tr.MaxConnsPerHost, "no cap that would queue requests")
	assert.True(t, tr.ForceAttemptHTTP2, "HTTP/2 where the server offers it")
	require.NotNil(t, tr.Proxy)
	require.NotNil(t, tr.TLSClientConfig)
	assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	assert.Positive(t, tr.IdleConnTimeout)
	assert.Positive(t, tr.TLSHandshakeTimeout)

	// The proxy is the environment's: HTTPS_PROXY is honoured (read through the same
	// function, which caches the environment, so the check uses its answer).
	req, err := http.NewRequest("GET", "https://api.tago.io/status", nil)
	require.NoError(t, err)
	want, wantErr := http.ProxyFromEnvironment(req)
	got, gotErr := tr.Proxy(req)
	assert.Equal(t, want, got)
	assert.Equal(t, wantErr, gotErr)
}

// TestOnePoolPerHostReusesConnections: 64 goroutines sharing one client over TLS reuse
// the pool's connections. With http.DefaultTransport's 2 idle connections per host they
// opened some 660 connections per 1,000 requests; now at most one per goroutine.
func TestOnePoolPerHostReusesConnections(t *testing.T) {
	t.Parallel()
	const goroutines, perGoroutine = 64, 20
	srv, conns := countingTLSServer(t)
	tr := newDefaultTransport()
	tr.TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	t.Cleanup(tr.CloseIdleConnections)
	c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(srv.URL), WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	errs := make(chan error, goroutines)
	for range goroutines {
		go func() {
			for range perGoroutine {
				if _, err := c.Status(t.Context()); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range goroutines {
		require.NoError(t, <-errs)
	}
	// At most 64 requests are ever in flight and the pool keeps up to 128 idle
	// connections, so none is closed: new connections are bounded by the concurrency
	// (twice it, for dials that finish after another connection freed up).
	assert.LessOrEqual(t, conns.Load(), int64(2*goroutines), "%d connections for %d requests", conns.Load(), goroutines*perGoroutine)
}

// countingTLSServer starts a TLS server answering GET /status and counts the
// connections (TLS handshakes) it accepts.
func countingTLSServer(tb testing.TB) (*httptest.Server, *atomic.Int64) {
	tb.Helper()
	conns := &atomic.Int64{}
	body := []byte(`{"status":true,"result":{"version":"3.1.0"}}`)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes cut by closing clients
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv, conns
}

func TestTokenStringIsRedacted(t *testing.T) {
	t.Parallel()
	tok := AccountToken(testAccountToken)
	for _, s := range []string{tok.String(), fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok)} {
		assert.NotContains(t, s, testAccountToken)
		assert.NotContains(t, s, testAccountToken[:8])
	}
	assert.Equal(t, "account token ****acc0", tok.String())
	assert.Equal(t, "device token ****", DeviceToken("short").String())
	assert.Equal(t, KindNetwork, NetworkToken("x").Kind())
}

// TestTokenNeverInErrors checks every error path and the debug log for the token and
// for secrets carried in the path.
func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	const pathSecret = "at0123456789abcdef0123456789abcdef"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithLogger(logger))
	path := "/serviceauth/" + pathSecret
	answers := map[string]func(*http.Request) (*http.Response, error){
		"echoed in message":  reply(401, `{"status":false,"message":"Token `+testAccountToken+` and `+pathSecret+` rejected"}`),
		"echoed in html":     reply(502, `<html>token=`+testAccountToken+` key=`+pathSecret+`</html>`),
		"echoed in result":   reply(400, `{"status":false,"result":{"token":"`+testAccountToken+`"}}`),
		"echoed in fields":   reply(400, `{"status":false,"message":"bad","field_errors":{"token":["`+testAccountToken+`"]}}`),
		"echoed in members":  reply(400, `{"status":false,"message":"bad","code":"`+testAccountToken+`","details":{"key":"`+pathSecret+`"}}`),
		"transport failure":  fail(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}),
		"decoding the reply": reply(200, `{"status":true,"result":"`+testAccountToken+`"}`),
	}
	for name, answer := range answers {
		mt.Reset()
		expectSeq(mt, "DELETE", path, answer)
		_, err := do[int](t.Context(), c, &call{method: "DELETE", path: path, secrets: []string{pathSecret}})
		require.Error(t, err, name)
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			assert.NotContains(t, s, testAccountToken, name)
			assert.NotContains(t, s, pathSecret, name)
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) {
			assert.NotContains(t, fmt.Sprint(apiErr.FieldErrors), testAccountToken, name)
			for _, s := range []string{apiErr.Code, fmt.Sprintf("%s", apiErr.Extra)} {
				assert.NotContains(t, s, testAccountToken, name)
				assert.NotContains(t, s, pathSecret, name)
			}
			assert.Equal(t, "/serviceauth/[redacted]", apiErr.Path, name)
		}
	}
	require.NotEmpty(t, logs.String())
	assert.Contains(t, logs.String(), "path=/serviceauth/[redacted]")
	assert.NotContains(t, logs.String(), testAccountToken)
	assert.NotContains(t, logs.String(), pathSecret)
}

func TestDebugLogging(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithLogger(logger))
	expectSeq(mt, "GET", "/status", reply(503, `{"status":false,"message":"busy"}`), reply(200, `{"status":true,"result":{"version":"1"}}`))
	_, err := c.Status(t.Context())
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 3, logs.String())
	assert.Regexp(t, `"msg":"tago: request","method":"GET","path":"/status","status":503,"attempt":1,"duration":\d+`, lines[0])
	assert.Regexp(t, `"msg":"tago: retrying","method":"GET","path":"/status","attempt":1,"wait":\d+,"error":"tago: GET /status: 503 busy"`, lines[1])
	assert.Regexp(t, `"msg":"tago: request","method":"GET","path":"/status","status":200,"attempt":2,"duration":\d+`, lines[2])
}

func TestSilentByDefault(t *testing.T) {
	t.Parallel()
	// Without WithLogger the client logs through a discarding handler.
	c, err := NewClient(AccountToken(testAccountToken))
	require.NoError(t, err)
	assert.False(t, c.logger.Enabled(t.Context(), slog.LevelError))
}

func TestCallsRunConcurrently(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expect(mt, "GET", "/status", 200, `{"status":true,"result":{"version":"1"}}`)
	errs := make(chan error, 32)
	for range 32 {
		go func() {
			_, err := c.Status(context.Background())
			errs <- err
		}()
	}
	for range 32 {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, 32, got.count())
	for _, r := range got.all() {
		assert.Equal(t, testAccountToken, r.Header.Get("Account-Token"))
	}
}

func TestExecChecksTheWholeEnvelope(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "DELETE", "/x", 200, `{"status":true,"result":"Successfully Removed"}`)
	require.NoError(t, exec(t.Context(), c, &call{method: "DELETE", path: "/x"}))

	// A result that is only a message is not decoded, but a late status false still
	// fails the call.
	c, mt, _ = newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "DELETE", "/x", 200, `{"status":true,"result":"Successfully Removed","status":false,"message":"not removed"}`)
	err := exec(t.Context(), c, &call{method: "DELETE", path: "/x"})
	assert.EqualError(t, err, "tago: DELETE /x: 200 not removed")
}

// echoServer answers every connection with the request line it read, as a broken proxy
// may: net/http then fails with an error quoting that line, path and secrets included.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				line, err := bufio.NewReader(conn).ReadString('\n')
				if err == nil {
					_, _ = conn.Write([]byte(line + "\r\n"))
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestTransportErrorsAreRedacted: a transport error quoting the request line (with the
// token of Tokens.Delete or the authorization key of ResolveToken in its path) is
// redacted in the error, its %+v and %#v, and every log line, retries included.
func TestTransportErrorsAreRedacted(t *testing.T) {
	t.Parallel()
	base := echoServer(t)
	ops := []struct {
		name   string
		tok    Token
		secret string
		run    func(ctx context.Context, c *Client) error
	}{
		{"delete a device token", AccountToken(testAccountToken), resToken2,
			func(ctx context.Context, c *Client) error { return c.Tokens.Delete(ctx, resToken2) }},
		{"resolve a device token", NetworkToken(testNetworkToken), resAuthKey,
			func(ctx context.Context, c *Client) error {
				_, err := c.Networks.ResolveToken(ctx, resDevEUI, resAuthKey)
				return err
			}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			p := DefaultRetryPolicy()
			p.MaxRetries = 1
			p.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
			c, err := NewClient(op.tok, WithBaseURL(base), WithRetryPolicy(p), WithLogger(logger))
			require.NoError(t, err)
			err = op.run(t.Context(), c)
			var reqErr *RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, 2, reqErr.Attempts, "retried once")
			assert.Contains(t, err.Error(), "malformed HTTP", "the server echoed the request line")
			assert.Contains(t, err.Error(), redactedMark)
			require.Contains(t, logs.String(), "tago: retrying")
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), logs.String()} {
				assert.NotContains(t, s, op.secret)
				assert.NotContains(t, s, op.tok.value)
			}
			var opErr *net.OpError
			assert.False(t, errors.As(err, &opErr), "not a dial error")
			assert.NotNil(t, errors.Unwrap(reqErr.Err), "the cause stays reachable")
		})
	}
}

// TestRefusalAt200IsBadRequest: TagoCore answers a validation error with HTTP 200,
// "status": false and field_errors; it matches ErrBadRequest, is certainly not stored,
// and its text names the offending fields.
func TestRefusalAt200IsBadRequest(t *testing.T) {
	t.Parallel()
	c, mt, rec := newTestClient(t, DeviceToken(testDeviceToken))
	got := expectSeq(mt, "POST", "/data", reply(200, `{"status":false,"message":"Error on Query String parameters",`+
		`"field_errors":{"qty":["Expected number, received nan"],"variables":["Required","Invalid input"]}}`))
	_, err := do[string](t.Context(), c, &call{method: "POST", path: "/data", body: []byte(`[]`)})
	require.ErrorIs(t, err, ErrBadRequest)
	assert.EqualError(t, err, "tago: POST /data: 200 Error on Query String parameters "+
		"(qty: Expected number, received nan; variables: Required, Invalid input)")
	assert.False(t, MayBeStored(err))
	assert.Equal(t, 1, got.count())
	assert.Empty(t, rec.recorded())

	// A 2xx answer that is not a refusal (not the envelope, a result that does not
	// decode) is no bad request: the platform may have carried the call out.
	c, mt, _ = newTestClient(t, DeviceToken(testDeviceToken))
	expectSeq(mt, "POST", "/data", reply(200, `<html>OK</html>`))
	_, err = do[string](t.Context(), c, &call{method: "POST", path: "/data", body: []byte(`[]`)})
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrBadRequest)
	assert.True(t, MayBeStored(err))
}

// TestAPIErrorKeepsEnvelopeMembers: an error's code and the envelope's other members
// reach the caller, redacted.
func TestAPIErrorKeepsEnvelopeMembers(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(NoRetries()))
	expectSeq(mt, "GET", "/status", reply(403, `{"status":false,"message":"Plan limit","code":"PLAN_LIMIT",`+
		`"result":{"limit":10},"details":{"resource":"device","token":"`+testAccountToken+`"},"field_errors":{"a":"one message"}}`))
	_, err := c.Status(t.Context())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "PLAN_LIMIT", apiErr.Code)
	require.Len(t, apiErr.Extra, 2)
	assert.JSONEq(t, `{"limit":10}`, string(apiErr.Extra["result"]))
	assert.JSONEq(t, `{"resource":"device","token":"[redacted]"}`, string(apiErr.Extra["details"]))
	assert.Equal(t, map[string][]string{"a": {"one message"}}, apiErr.FieldErrors, "a single message is kept")
	assert.EqualError(t, err, "tago: GET /status: 403 Plan limit (a: one message)")

	c, mt, _ = newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(NoRetries()))
	expectSeq(mt, "GET", "/status", reply(400, `{"status":false,"message":"m","code":4001}`))
	_, err = c.Status(t.Context())
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "4001", apiErr.Code, "a numeric code")
	assert.Nil(t, apiErr.Extra)
}

// TestResolveTokenRefusesDotSegments: "." and ".." as a serial would be removed or climb
// a level wherever the path is normalised, resolving another route; nothing is sent.
func TestResolveTokenRefusesDotSegments(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, NetworkToken(testNetworkToken))
	for _, serie := range []string{".", ".."} {
		_, err := c.Networks.ResolveToken(t.Context(), serie, resAuthKey)
		var inErr *InputError
		require.ErrorAs(t, err, &inErr, serie)
		assert.Equal(t, "serie", inErr.Field)
	}
	got := &capture{}
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		got.record(r)
		return httpmock.NewStringResponse(200, `{"status":true,"result":"`+resToken+`"}`), nil
	})
	_, err := c.Networks.ResolveToken(t.Context(), "...", "")
	require.NoError(t, err, "three dots are a serial like any other")
	require.Equal(t, 1, got.count(), "only the three dots were sent")
	assert.Equal(t, "/integration/network/resolve/...", got.last(t).Path)
}
