package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchDevices is a realistic list result: 100 devices as GET /device returns them.
func benchDevices() []byte {
	var b strings.Builder
	b.WriteString(`{"status":true,"result":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"5f0c0a0b0c0d0e0f00%06x","name":"sensor %d","active":true,"visible":true,"type":"mutable",`+
			`"network":"5f0c0a0b0c0d0e0f00112233","connector":"5f0c0a0b0c0d0e0f00112244","tags":[{"key":"site","value":"paris"}],`+
			`"last_input":"2024-12-17T09:16:55.911+00:00","created_at":"2024-01-02T03:04:05.000Z","updated_at":"2024-06-02T03:04:05.000Z"}`, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkEnvelopeDecode compares the SDK's response path (readAnswer and
// decodeAnswer, as every call uses them) with encoding/json decoding the whole envelope
// into an equivalent struct.
func BenchmarkEnvelopeDecode(b *testing.B) {
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"small", []byte(`{"status":true,"result":{"version":"3.1.0"}}`)},
		{"devices100", benchDevices()},
	} {
		b.Run(tc.name+"/sdk", func(b *testing.B) {
			keep := func(s string) string { return s }
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				ans, apiErr := readAnswer(200, http.Header{}, tc.body, keep)
				if apiErr != nil {
					b.Fatal(apiErr)
				}
				if tc.name == "small" {
					if _, apiErr := decodeAnswer[APIStatus](ans, keep); apiErr != nil {
						b.Fatal(apiErr)
					}
					continue
				}
				if _, apiErr := decodeAnswer[[]Device](ans, keep); apiErr != nil {
					b.Fatal(apiErr)
				}
			}
		})
		b.Run(tc.name+"/encoding-json", func(b *testing.B) {
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				if tc.name == "small" {
					var env struct {
						Status bool      `json:"status"`
						Result APIStatus `json:"result"`
					}
					if err := json.Unmarshal(tc.body, &env); err != nil || !env.Status {
						b.Fatal(err)
					}
					continue
				}
				var env struct {
					Status bool     `json:"status"`
					Result []Device `json:"result"`
				}
				if err := json.Unmarshal(tc.body, &env); err != nil || !env.Status {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRoundTrip measures one call through the SDK against a loopback server beside
// the same call made with plain net/http and encoding/json: the SDK's per-call cost.
func BenchmarkRoundTrip(b *testing.B) {
	body := []byte(`{"status":true,"result":{"version":"3.1.0"}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	b.Run("sdk", func(b *testing.B) {
		c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			st, err := c.Status(ctx)
			if err != nil || st.Version != "3.1.0" {
				b.Fatal(st, err)
			}
		}
	})
	b.Run("net-http", func(b *testing.B) {
		hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/status", nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Account-Token", testAccountToken)
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				Status bool      `json:"status"`
				Result APIStatus `json:"result"`
			}
			if err := json.Unmarshal(data, &env); err != nil || !env.Status || env.Result.Version != "3.1.0" {
				b.Fatal(err)
			}
		}
	})
}
