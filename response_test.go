package tago

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/jarcoal/httpmock"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEnvelopeRejectsMalformed(t *testing.T) {
	t.Parallel()
	bad := []string{
		``, `[]`, `"x"`, `{`, `{"status"`, `{"status":}`, `{"status":tru}`, `{"status":true,}`,
		`{"status":true}x`, `{"result":[1,2}`, `{"result":{"a":"}`, `{status:true}`, `{"a":1 "b":2}`,
		`{"result":"\"}`, `{"result":nul}`, `<html></html>`, `{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	}
	for _, b := range bad[:len(bad)-1] {
		_, err := parseEnvelope([]byte(b))
		assert.Error(t, err, "%q", b)
	}
	_, err := parseEnvelope([]byte(bad[len(bad)-1]))
	assert.Error(t, err, "deeply nested but unbalanced")

	env, err := parseEnvelope([]byte(`{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"status":true}`))
	require.NoError(t, err, "nesting deeper than the stack's inline buffer")
	assert.Equal(t, "true", string(env.status))
}

func TestParseEnvelopeKeepsRawFields(t *testing.T) {
	t.Parallel()
	env, err := parseEnvelope([]byte(` {"status" : false , "result" : {"a":[1, "]"]} , "message":"m\u00e9" ,"field_errors":{"x":["y"]}} `))
	require.NoError(t, err)
	assert.Equal(t, "false", string(env.status))
	assert.Equal(t, `{"a":[1, "]"]}`, string(env.result))
	assert.Equal(t, `"m\u00e9"`, string(env.message))
	assert.Equal(t, `{"x":["y"]}`, string(env.fieldErrors))
}

// envelopeSeeds are the fuzz seeds; the fuzz target also runs them in every go test.
var envelopeSeeds = []string{
	`{"status":true,"result":{"version":"1"}}`,
	`{"status":true,"result":[{"id":"a","variable":"t","value":21.5,"time":"2024-01-02T03:04:05.000Z"}]}`,
	`{"status":true,"result":"1 Data Added"}`,
	`{"status":true,"result":12}`,
	`{"status":true,"result":null}`,
	`{"status":false,"message":"Device not found"}`,
	`{"status":false,"result":{"message":"x"}}`,
	`{"status":false,"message":"Error on Body parameters","field_errors":{"name":["required"]}}`,
	`{"st\u0061tus":true,"result":"\ud83d\ude00"}`,
	`<html><body>502 Bad Gateway</body></html>`,
	`{"status":true,"result":{"a":1},"message":"deprecated"}`, `{"status":true,"result":"x","status":false}`,
	`{"status":true,"result":}`, `{"status":true,"result":[1] , "x":{"y":"}"}}`,
	``, `{}`, `{"status":"true"}`, `{"result":[1,2`, "\xff\xfe{", `{"status":true,"result":{"a":"\\"}}`,
}

func FuzzParseEnvelope(f *testing.F) {
	for _, s := range envelopeSeeds {
		f.Add([]byte(s), 200)
		f.Add([]byte(s), 429)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		env, err := parseEnvelope(body)
		// The full response path never panics and always gives a result or an error.
		raw, apiErr := checkResponse(status, http.Header{"Retry-After": {"3"}}, body, func(s string) string { return s })
		if apiErr == nil && !(status >= 200 && status < 300) {
			t.Fatalf("status %d accepted as success", status)
		}
		_ = raw
		if apiErr != nil {
			_ = apiErr.Error()
		}
		var out any
		_ = decodeResult(raw, &out)

		// Whenever the shortcut's guess decodes, the full scan agrees with it.
		if res, ok := fastResult(status, body); ok {
			var viaFast any
			if json.Unmarshal(res, &viaFast) == nil {
				full, apiErr := checkResponse(status, nil, body, func(s string) string { return s })
				if apiErr != nil {
					t.Fatalf("shortcut accepted %q, full scan says %v", body, apiErr)
				}
				if !bytes.Equal(bytes.TrimSpace(full), res) {
					t.Fatalf("shortcut result %q, full scan %q", res, full)
				}
			}
		}

		// Every valid JSON object splits exactly as encoding/json sees it.
		trimmed := bytes.TrimSpace(body)
		if !json.Valid(body) || len(trimmed) == 0 || trimmed[0] != '{' {
			return
		}
		if err != nil {
			t.Fatalf("valid JSON object rejected: %v", err)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) != nil {
			return
		}
		for key, got := range map[string][]byte{"status": env.status, "result": env.result, "message": env.message} {
			if want, ok := m[key]; ok != (got != nil) || !bytes.Equal(want, got) {
				t.Fatalf("%s: got %q, encoding/json sees %q", key, got, want)
			}
		}
	})
}

// TestSnippetRedactsBeforeCutting: a secret straddling the point where an excerpt is cut
// is redacted whole, never shown in part.
func TestSnippetRedactsBeforeCutting(t *testing.T) {
	t.Parallel()
	redact := func(s string) string { return replaceSecret(s, testAccountToken) }
	// Whitespace collapses, so a token past the raw cut would land inside the excerpt.
	for _, pad := range []int{4*maxSnippet - 20, 4*maxSnippet - 1, maxSnippet - 10} {
		body := strings.Repeat(" ", pad) + testAccountToken + " </p>"
		s := snippet([]byte(body), redact)
		assert.NotContains(t, s, testAccountToken[:8], "pad %d: %q", pad, s)
	}
	// A result quoted in the message is cut after redaction too.
	body := `{"status":false,"result":{"pad":"` + strings.Repeat("x", maxSnippet-30) + `","token":"` + testAccountToken + `"}}`
	_, apiErr := checkResponse(400, http.Header{}, []byte(body), redact)
	require.NotNil(t, apiErr)
	assert.NotContains(t, apiErr.Message, testAccountToken[:8], apiErr.Message)
	assert.Contains(t, apiErr.Message, "…")
}

func TestSnippetIsShortPrintableAndRedacted(t *testing.T) {
	t.Parallel()
	body := bytes.Repeat([]byte("<p>secret-token \x00\x01 é</p>\n"), 100)
	s := snippet(body, func(s string) string { return bytes.NewBufferString(s).String() })
	assert.LessOrEqual(t, len(s), maxSnippet+len("…"))
	assert.NotContains(t, s, "\x00")
	assert.NotContains(t, s, "\n")
	s = snippet([]byte("token=abc"), func(s string) string { return replaceSecret(s, "abc") })
	assert.Equal(t, "token=[redacted]", s)
	assert.Equal(t, "é…", truncate("éé", 3), "cut on a rune boundary")
}

// TestLyingContentLengthAllocatesLittle: a 10-byte answer announcing 256 MiB allocated
// 256 MiB per attempt; now the buffer grows only as bytes arrive, and the short body
// is an error. Not parallel, so that the memory statistics see this test alone.
func TestLyingContentLengthAllocatesLittle(t *testing.T) {
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(NoRetries()))
	mt.RegisterResponder("GET", testBaseURL+"/status", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(200, `{"status":`)
		resp.ContentLength = 256 << 20
		return resp, nil
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.Status(t.Context())
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "10 of 268435456 bytes")
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(8<<20), "allocated %d bytes for a 10-byte answer", allocated)
}

// TestResponseBodyLimit: the total body size is capped with a clear error, whether the
// server announces it or not; honest lengths are read into a buffer of their size.
func TestResponseBodyLimit(t *testing.T) {
	t.Parallel()
	const limit = 4 << 10
	body := bytes.Repeat([]byte("x"), limit)
	tests := []struct {
		name      string
		size      int
		announced int64
		wantErr   string
	}{
		{"exactly the limit, announced", limit, limit, ""},
		{"exactly the limit, unannounced", limit, -1, ""},
		{"over the limit, unannounced", limit + 1, -1, "the response body is larger than the 4096-byte limit"},
		{"over the limit, announced", limit + 1, limit + 1, "the response announces 4097 bytes, more than the 4096-byte limit"},
		{"more than announced", 100, 10, ""},
		{"cut short", 10, 100, "reading the response body: unexpected EOF (10 of 100 bytes)"},
		{"empty", 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := append(bytes.Repeat([]byte("y"), max(0, tc.size-limit)), body[:min(tc.size, limit)]...)
			got, err := readLimited(iotest.OneByteReader(bytes.NewReader(in)), tc.announced, limit)
			if tc.wantErr != "" {
				assert.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, in, got)
		})
	}

	// An honest Content-Length, larger than the first allocation or not, ends in a
	// buffer of its size (and one byte for the read that reports the end).
	for _, size := range []int{10, 5*preallocBytes + 3} {
		honest := bytes.Repeat([]byte("z"), size)
		got, err := readLimited(bytes.NewReader(honest), int64(len(honest)), maxResponseBytes)
		require.NoError(t, err)
		assert.Equal(t, honest, got)
		assert.Equal(t, len(honest)+1, cap(got))
	}
}
