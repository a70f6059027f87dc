package tagotest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// envelope is the platform's response wrapper as the tests read it.
type envelope struct {
	Status      bool                `json:"status"`
	Result      json.RawMessage     `json:"result"`
	Message     string              `json:"message"`
	FieldErrors map[string][]string `json:"field_errors"`
}

// resp is one answer of the fake.
type resp struct {
	code   int
	header http.Header
	body   []byte
	env    envelope
}

// decode unmarshals the result into v after checking the envelope says success.
func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	require.True(t, r.env.Status, "status false: %s", r.body)
	require.NoError(t, json.Unmarshal(r.env.Result, v), "result: %s", r.env.Result)
}

// str returns a string result.
func (r resp) str(t *testing.T) string {
	t.Helper()
	var s string
	r.decode(t, &s)
	return s
}

// send makes one request with the token in header hdr (none when hdr is empty). A
// string body is sent as is, anything else but nil as JSON.
func send(t *testing.T, srv *Server, method, target, hdr, token string, body any) resp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		js, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(js)
	}
	target = strings.ReplaceAll(target, " ", "%20") // "start_date=1 day" reads better in tests
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+target, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if hdr != "" {
		req.Header.Set(hdr, token)
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := resp{code: res.StatusCode, header: res.Header, body: raw}
	if len(raw) > 0 && raw[0] == '{' {
		require.NoError(t, json.Unmarshal(raw, &out.env), "body: %s", raw)
	}
	return out
}

func asAccount(t *testing.T, srv *Server, method, target string, body any) resp {
	t.Helper()
	return send(t, srv, method, target, "Account-Token", srv.AccountToken(), body)
}

func asDevice(t *testing.T, srv *Server, token, method, target string, body any) resp {
	t.Helper()
	return send(t, srv, method, target, "Device-Token", token, body)
}

func asNetwork(t *testing.T, srv *Server, token, method, target string, body any) resp {
	t.Helper()
	return send(t, srv, method, target, "Token", token, body)
}

var (
	hexID    = regexp.MustCompile(`^[0-9a-f]{24}$`)
	uuidRe   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	authKeyR = regexp.MustCompile(`^at[0-9a-f]{32}$`)
)

// fixedClock is a settable clock for WithClock.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

// t0 is the fixed time tests start from.
var t0 = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// names extracts the "name" (or another key's) values of a list result.
func names(t *testing.T, r resp, key string) []string {
	t.Helper()
	var items []map[string]any
	r.decode(t, &items)
	out := []string{}
	for _, it := range items {
		s, _ := it[key].(string)
		out = append(out, s)
	}
	return out
}
