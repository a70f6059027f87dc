package tagotest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentUse mixes requests of every kind with seeding and read-back helpers from
// many goroutines; run it with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	const workers, rounds = 16, 25
	devs := make([]Device, workers)
	for i := range devs {
		devs[i] = srv.AddDevice(DeviceSpec{Name: fmt.Sprintf("dev %02d", i)})
	}
	hc := srv.Client()
	do := func(method, path, hdr, tok, body string) (int, error) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set(hdr, tok)
		res, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, res.Body)
		return res.StatusCode, nil
	}
	srv.Inject(Fault{Method: "GET", Path: "/device", Status: http.StatusServiceUnavailable, Times: 10})

	var failures atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dev := devs[w]
			for i := range rounds {
				steps := []struct {
					method, path, hdr, tok, body string
				}{
					{"POST", "/data", "Device-Token", dev.Token, fmt.Sprintf(`[{"variable":"v","value":%d},{"variable":"w","value":%d}]`, i, i)},
					{"GET", "/data?query=last_value&variables=v", "Device-Token", dev.Token, ""},
					{"GET", "/device?filter[name]=dev*&amount=5", "Account-Token", srv.AccountToken(), ""},
					{"POST", "/device/" + dev.ID + "/params", "Account-Token", srv.AccountToken(), `{"key":"k","value":"v"}`},
					{"GET", "/device/params", "Device-Token", dev.Token, ""},
				}
				for _, st := range steps {
					code, err := do(st.method, st.path, st.hdr, st.tok, st.body)
					if err != nil || (code >= 400 && code != http.StatusServiceUnavailable) {
						failures.Add(1)
					}
				}
				srv.AddData(dev.ID, Record{Variable: "seeded", Value: i})
				_ = srv.Data(dev.ID)
				_ = srv.Requests()
				_, _ = srv.Device(dev.ID)
				if i%10 == 0 {
					srv.SetLatency(time.Duration(i%2) * time.Microsecond)
				}
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, failures.Load())
	for _, d := range devs {
		assert.Len(t, srv.Data(d.ID), rounds*3)
		assert.Len(t, srv.Params(d.ID), rounds)
	}
	var n int
	for _, r := range srv.Requests() {
		if r.Status == http.StatusServiceUnavailable {
			n++
		}
	}
	assert.Equal(t, 10, n, "the fault was used exactly Times times")
}

// BenchmarkPostData measures the fake's POST /data throughput with 16 concurrent
// clients, each sending one reading (or a batch of 100) per request over keep-alive
// connections, and reports requests and points per second. The baseline sub-benchmark
// runs the same clients against a bare net/http handler that reads the body and answers
// a constant envelope, so the fake's own cost can be told from the HTTP stack's.
func BenchmarkPostData(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("points=%d", batch), func(b *testing.B) {
			srv, err := Start(WithDataLimit(0), WithRequestLogLimit(0))
			require.NoError(b, err)
			defer srv.Close()
			tokens := make([]string, benchClients)
			for i := range tokens {
				tokens[i] = srv.AddDevice(DeviceSpec{Name: fmt.Sprintf("bench %d", i), Type: "immutable"}).Token
			}
			benchPost(b, srv.URL, tokens, batch)
		})
	}
	b.Run("baseline=net/http", func(b *testing.B) {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = w.Write([]byte(`{"status":true,"result":"1 Data Added"}`))
		}))
		defer hs.Close()
		benchPost(b, hs.URL, make([]string, benchClients), 1)
	})
}

const benchClients = 16

// benchPost runs b.N POST /data requests from benchClients goroutines, client i using
// tokens[i].
func benchPost(b *testing.B, base string, tokens []string, batch int) {
	var body bytes.Buffer
	body.WriteByte('[')
	for i := range batch {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"variable":"temperature","value":%d.5,"unit":"C"}`, i)
	}
	body.WriteByte(']')
	payload := body.Bytes()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}}
	defer hc.CloseIdleConnections()

	var next, errs atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for c := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				req, _ := http.NewRequest("POST", base+"/data", bytes.NewReader(payload))
				req.Header.Set("Device-Token", tokens[c])
				req.Header.Set("Content-Type", "application/json")
				res, err := hc.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if errs.Load() > 0 {
		b.Fatalf("%d requests failed", errs.Load())
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(b.N*batch)/elapsed.Seconds(), "points/s")
}
