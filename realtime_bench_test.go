package tago

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-tago/tago/internal/ssestream"
)

// BenchmarkSSEParse is the parser alone over a stream of device-data events; the
// baseline is the obvious parser built on bufio.Scanner and strings, which allocates per
// line and per event.
func BenchmarkSSEParse(b *testing.B) {
	const n = 10000
	stream := ssestream.DeviceData(n)
	b.Run("parser", func(b *testing.B) {
		b.SetBytes(int64(len(stream)))
		b.ReportAllocs()
		for b.Loop() {
			p := newSSEParser(bytes.NewReader(stream), DefaultMaxEventSize)
			got := 0
			for {
				_, err := p.next()
				if err != nil {
					break
				}
				got++
			}
			if got != n {
				b.Fatalf("parsed %d events", got)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("baseline bufio.Scanner", func(b *testing.B) {
		b.SetBytes(int64(len(stream)))
		b.ReportAllocs()
		for b.Loop() {
			if got := scannerParse(bytes.NewReader(stream)); got != n {
				b.Fatalf("parsed %d events", got)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// scannerParse is the baseline: LF line ends only, fields split with strings.
func scannerParse(r io.Reader) int {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), DefaultMaxEventSize)
	var data []string
	var id string
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if len(data) > 0 {
				_ = strings.Join(data, "\n")
				_ = id
				n++
			}
			data = data[:0]
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch name {
		case "data":
			data = append(data, value)
		case "id":
			id = value
		}
	}
	return n
}

// loopStream answers every request with the same event stream, from memory.
type loopStream struct{ body []byte }

func (l loopStream) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body: io.NopCloser(bytes.NewReader(l.body)), Request: r}, nil
}

// BenchmarkSubscribe is the whole client path without a network: parsing, building each
// Event (its data copied, channel and payload found), the hand-over to the consumer's
// goroutine and the decoding of the records, as a live-data consumer does it.
func BenchmarkSubscribe(b *testing.B) {
	const n = 10000
	stream := ssestream.DeviceData(n)
	for _, decode := range []bool{false, true} {
		name := "events"
		if decode {
			name = "events+DeviceData"
		}
		b.Run(name, func(b *testing.B) {
			c, err := NewClient(AccountToken(testAccountToken), WithHTTPClient(&http.Client{Transport: loopStream{stream}}))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(stream)))
			b.ReportAllocs()
			for b.Loop() {
				got := 0
				for ev, err := range c.Realtime.Subscribe(b.Context(), nil, DeviceDataChannel("65a1b2c3d4e5f60718290000")) {
					if err != nil {
						b.Fatal(err)
					}
					if decode {
						if _, err := ev.DeviceData(); err != nil {
							b.Fatal(err)
						}
					}
					if got++; got == n {
						break
					}
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
