package tago

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// BenchmarkConcurrentTLS measures one client shared by 16 and 64 goroutines against a
// loopback TLS server (HTTP/1.1, so every request in flight needs a connection of its
// own): the SDK on its default transport, the SDK on http.DefaultTransport's settings
// (the default before; 2 idle connections per host), and plain net/http with
// encoding/json on the same tuned pool. It reports the TLS handshakes per 1,000
// requests, the requests per second and the process's CPU time per request (client and
// server), after a warm-up that fills the pool.
//
// On a shared machine wall-clock throughput varies a lot from run to run, so the
// sdk-vs-net-http variant compares the two on the same server in alternating blocks of
// requests: whatever else runs on the machine slows both alike, and its sdk/net-http
// metric is the ratio of their times (1.05 = the SDK's throughput is 5% lower).
func BenchmarkConcurrentTLS(b *testing.B) {
	before := func() *http.Transport { return http.DefaultTransport.(*http.Transport).Clone() }
	for _, goroutines := range []int{16, 64} {
		for _, v := range []struct {
			name      string
			transport func() *http.Transport
			sdk       bool
		}{
			{"sdk", newDefaultTransport, true},
			{"sdk-before", before, true},
			{"net-http-tuned", newDefaultTransport, false},
		} {
			b.Run(fmt.Sprintf("goroutines=%d/%s", goroutines, v.name), func(b *testing.B) {
				srv, conns := countingTLSServer(b)
				op := tlsStatusCall(b, srv, v.transport(), v.sdk)
				if _, err := runConcurrent(op, goroutines, 4*goroutines); err != nil { // fill the pool
					b.Fatal(err)
				}
				conns.Store(0)
				b.ReportAllocs()
				cpu0, cpuOK := processCPU()
				b.ResetTimer()
				elapsed, err := runConcurrent(op, goroutines, b.N)
				b.StopTimer()
				cpu1, _ := processCPU()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(conns.Load())*1000/float64(b.N), "handshakes/1000req")
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
				if cpuOK { // client and server together: the same server work in every variant
					b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
				}
			})
		}
		b.Run(fmt.Sprintf("goroutines=%d/sdk-vs-net-http", goroutines), func(b *testing.B) {
			srv, _ := countingTLSServer(b)
			sdk := tlsStatusCall(b, srv, newDefaultTransport(), true)
			plain := tlsStatusCall(b, srv, newDefaultTransport(), false)
			for _, op := range []func(context.Context) error{sdk, plain} {
				if _, err := runConcurrent(op, goroutines, 4*goroutines); err != nil {
					b.Fatal(err)
				}
			}
			const block = 500
			var sdkTime, plainTime time.Duration
			b.ResetTimer()
			for done := 0; done < b.N; done += block {
				n := min(block, b.N-done)
				ds, err := runConcurrent(sdk, goroutines, n)
				if err != nil {
					b.Fatal(err)
				}
				dp, err := runConcurrent(plain, goroutines, n)
				if err != nil {
					b.Fatal(err)
				}
				sdkTime, plainTime = sdkTime+ds, plainTime+dp
			}
			b.StopTimer()
			b.ReportMetric(sdkTime.Seconds()/plainTime.Seconds(), "sdk/net-http")
			b.ReportMetric(float64(b.N)/sdkTime.Seconds(), "sdk-req/s")
			b.ReportMetric(float64(b.N)/plainTime.Seconds(), "net-http-req/s")
		})
	}
}

// tlsStatusCall returns GET /status against srv through tr (trusting srv's
// certificate), made by the SDK or by plain net/http.
func tlsStatusCall(b *testing.B, srv *httptest.Server, tr *http.Transport, sdk bool) func(context.Context) error {
	b.Helper()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr.TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	b.Cleanup(tr.CloseIdleConnections)
	if !sdk {
		return plainStatusCall(srv.URL, &http.Client{Transport: tr})
	}
	c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(srv.URL), WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context) error {
		st, err := c.Status(ctx)
		if err == nil && st.Version != "3.1.0" {
			err = fmt.Errorf("version %q", st.Version)
		}
		return err
	}
}

// runConcurrent makes n calls of op from the given number of goroutines and returns
// the time they took and the first error.
func runConcurrent(op func(context.Context) error, goroutines, n int) (time.Duration, error) {
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	start := time.Now()
	for range goroutines {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := op(context.Background()); err != nil {
					errOnce.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), first
}

// plainStatusCall returns GET /status made with net/http and encoding/json alone.
func plainStatusCall(base string, hc *http.Client) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, "GET", base+"/status", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Account-Token", testAccountToken)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var env struct {
			Status bool      `json:"status"`
			Result APIStatus `json:"result"`
		}
		if err := json.Unmarshal(data, &env); err != nil {
			return err
		}
		if !env.Status || env.Result.Version != "3.1.0" {
			return fmt.Errorf("unexpected answer %s", data)
		}
		return nil
	}
}

// cannedTransport answers every request with the same body, without a network: it
// isolates what a call costs the client itself.
type cannedTransport struct{ body []byte }

func (c cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(c.body)), Body: io.NopCloser(bytes.NewReader(c.body)), Request: r}, nil
}

// BenchmarkCallOverhead measures the client's own cost of one call (building the
// request, the transport hand-off, reading and decoding the answer) on a transport
// that answers at once, beside plain net/http and encoding/json: the difference is
// what the SDK adds to every request, free of network and server noise.
func BenchmarkCallOverhead(b *testing.B) {
	rt := cannedTransport{[]byte(`{"status":true,"result":{"version":"3.1.0"}}`)}
	b.Run("sdk", func(b *testing.B) {
		c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(testBaseURL), WithHTTPClient(&http.Client{Transport: rt}))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Status(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("net-http", func(b *testing.B) {
		op := plainStatusCall(testBaseURL, &http.Client{Transport: rt})
		b.ReportAllocs()
		for b.Loop() {
			if err := op(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
