package tago

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testAnalysisID = "5e5e5e5e5e5e5e5e5e5e5e5e"

// sseStub is an http.RoundTripper that answers each request with what answer returns
// for it, usually a stream the test writes to. It runs inside synctest bubbles: its
// streams block on channels only.
type sseStub struct {
	mu     sync.Mutex
	reqs   []*http.Request
	answer func(n int, r *http.Request) (*http.Response, error)
}

func (s *sseStub) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	n := len(s.reqs)
	s.mu.Unlock()
	return s.answer(n, r)
}

func (s *sseStub) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// stream is a response body the test feeds: each send is what one Read returns;
// closing ends it with io.EOF; the request's context ending fails the read.
type stream struct {
	ch     chan string
	ctx    context.Context
	rest   string
	closed sync.Once
}

func newStream(ctx context.Context) *stream { return &stream{ch: make(chan string), ctx: ctx} }

func (s *stream) send(chunk string) { s.ch <- chunk }
func (s *stream) end()              { s.closed.Do(func() { close(s.ch) }) }

func (s *stream) Read(p []byte) (int, error) {
	if s.rest == "" {
		select {
		case c, ok := <-s.ch:
			if !ok {
				return 0, io.EOF
			}
			s.rest = c
		case <-s.ctx.Done():
			return 0, s.ctx.Err()
		}
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	return n, nil
}

func (s *stream) Close() error { return nil }

// streamResponse answers r with a 200 event stream and returns the stream.
func streamResponse(r *http.Request) (*http.Response, *stream) {
	st := newStream(r.Context())
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body: st, Request: r}, st
}

// statusResponse answers with status, an envelope body and header pairs.
func statusResponse(r *http.Request, status int, body string, kv ...string) *http.Response {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}
}

// streams is an answer for sseStub that gives every request a fresh stream and hands
// the streams to the test in order.
func streams() (func(int, *http.Request) (*http.Response, error), chan *stream) {
	ch := make(chan *stream, 16)
	return func(_ int, r *http.Request) (*http.Response, error) {
		resp, st := streamResponse(r)
		ch <- st
		return resp, nil
	}, ch
}

// newRealtimeClient returns a client whose requests go to stub, with reconnection
// sleeps recorded instead of waited and no jitter.
func newRealtimeClient(t *testing.T, tok Token, stub http.RoundTripper, opts ...Option) (*Client, *sleepRecorder) {
	t.Helper()
	rec := &sleepRecorder{}
	p := DefaultRetryPolicy()
	p.Sleep, p.NoJitter = rec.sleep, true
	c, err := NewClient(tok, append([]Option{WithHTTPClient(&http.Client{Transport: stub}),
		WithBaseURL(testBaseURL), WithRetryPolicy(p)}, opts...)...)
	require.NoError(t, err)
	return c, rec
}

// collect ranges over seq in a goroutine and sends what it yields to the returned
// channel (closed when the iteration ends). Each yield waits for the test to receive.
func collect(seq func(func(Event, error) bool)) chan result {
	out := make(chan result)
	go func() {
		defer close(out)
		for ev, err := range seq {
			out <- result{ev, err}
		}
	}()
	return out
}

type result struct {
	ev  Event
	err error
}

func TestRealtimeURLFollowsTheBaseURL(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"default region", nil, "https://sse.tago.io/events"},
		{"us-e1", []Option{WithRegion(RegionUSE1)}, "https://sse.tago.io/events"},
		{"legacy usa-1", []Option{WithRegion("usa-1")}, "https://sse.tago.io/events"},
		{"eu-w1", []Option{WithRegion(RegionEUW1)}, "https://sse.eu-w1.tago.io/events"},
		{"us-e1 docs host", []Option{WithBaseURL("https://api.us-e1.tago.io")}, "https://sse.tago.io/events"},
		{"TagoIO Deploy", []Option{WithBaseURL("https://api.my-project.tagoio.net")}, "https://sse.my-project.tagoio.net/events"},
		{"self-hosted", []Option{WithBaseURL("https://tago.example.com/api")}, "https://tago.example.com/api/events"},
		{"loopback test server", []Option{WithBaseURL("http://127.0.0.1:4000")}, "http://127.0.0.1:4000/events"},
		{"explicit with path", []Option{WithRealtimeURL("https://sse.example.com/stream")}, "https://sse.example.com/stream"},
		{"explicit without path", []Option{WithRealtimeURL("https://sse.example.com")}, "https://sse.example.com/events"},
		{"explicit beats region", []Option{WithRegion(RegionEUW1), WithRealtimeURL("https://sse.tago.io/events/")}, "https://sse.tago.io/events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(AccountToken(testAccountToken), tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.RealtimeURL())
		})
	}

	_, err := NewClient(AccountToken(testAccountToken), WithRealtimeURL("http://sse.example.com/events"))
	var in *InputError
	require.ErrorAs(t, err, &in)
	assert.Equal(t, "realtime URL", in.Field)
	_, err = NewClient(AccountToken(testAccountToken), WithRealtimeURL("http://sse.example.com/events"), WithInsecureHTTP())
	assert.NoError(t, err)
}

func TestSubscribeRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		stub := &sseStub{answer: answer}
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), stub)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		got := collect(c.Realtime.Subscribe(ctx, &SubscribeOptions{LastEventID: "41"},
			DeviceDataChannel(testDeviceID), AnalysisTriggerChannel()))
		st := <-conns
		st.send("id: 42\ndata: {\"payload\":1}\n\n")
		r := <-got
		require.NoError(t, r.err)
		cancel()
		for range got {
		}

		reqs := stub.requests()
		require.Len(t, reqs, 1)
		req := reqs[0]
		assert.Equal(t, "GET", req.Method)
		assert.Equal(t, "https://api.tago.test/events?channels=device_data."+testDeviceID+"%2Canalysis_trigger&token="+testAccountToken, req.URL.String())
		assert.Equal(t, "text/event-stream", req.Header.Get("Accept"))
		assert.Equal(t, "no-cache", req.Header.Get("Cache-Control"))
		assert.Equal(t, "41", req.Header.Get("Last-Event-ID"))
		assert.Contains(t, req.Header.Get("User-Agent"), "tago-go/")
		// The token travels in the query only, as the platform's realtime server wants.
		for _, h := range []string{"Account-Token", "Token", "Authorization", "Device-Token", "Analysis-Token"} {
			assert.Empty(t, req.Header.Get(h), h)
		}
	})
}

func TestSubscribeDecodesEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), &sseStub{answer: answer})
		got := collect(c.Realtime.Subscribe(t.Context(), nil, DeviceDataChannel(testDeviceID)))
		st := <-conns
		st.send("id: 7\ndata: {\"payload\":[{\"id\":\"r1\",\"variable\":\"temperature\",\"value\":21.5,\"unit\":\"C\",\"time\":\"2025-03-10T12:00:00.000Z\"}]}\n\n")
		st.send("event: ping\ndata: not json\n\n")
		st.send("data: {\"channel\":\"device_data.other\",\"payload\":{\"variable\":\"h\",\"value\":true}}\n\n")

		r := <-got
		require.NoError(t, r.err)
		assert.Equal(t, "7", r.ev.ID)
		assert.Equal(t, "message", r.ev.Type)
		assert.Equal(t, "device_data."+testDeviceID, r.ev.Channel)
		assert.JSONEq(t, `[{"id":"r1","variable":"temperature","value":21.5,"unit":"C","time":"2025-03-10T12:00:00.000Z"}]`, string(r.ev.Payload))
		recs, err := r.ev.DeviceData()
		require.NoError(t, err)
		assert.Equal(t, []Data{{ID: "r1", Variable: "temperature", Value: 21.5, Unit: "C",
			Time: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}}, recs)

		r = <-got
		require.NoError(t, r.err)
		assert.Equal(t, Event{ID: "7", Type: "ping", Channel: "device_data." + testDeviceID, Data: rawJSON("not json")}, r.ev)
		_, err = r.ev.DeviceData()
		assert.ErrorIs(t, err, errNoPayload)

		r = <-got
		require.NoError(t, r.err)
		assert.Equal(t, "device_data.other", r.ev.Channel) // the data's own channel wins
		recs, err = r.ev.DeviceData()
		require.NoError(t, err)
		assert.Equal(t, []Data{{Variable: "h", Value: true}}, recs)
	})
}

func rawJSON(s string) []byte { return []byte(s) }

func TestEventPayloadDecoders(t *testing.T) {
	ev := newEvent(sseEvent{typ: "message", data: []byte(`{"payload":{"analysis_id":"` + testAnalysisID +
		`","environment":[{"key":"A","value":"x"},{"key":"N","value":42},{"key":"B","value":true},{"key":"Z","value":null}],` +
		`"data":[{"variable":"t","value":1}],"token":"an-analysis-token-0000"}}`)}, "analysis_trigger", nil, nil)
	trig, err := ev.AnalysisTrigger()
	require.NoError(t, err)
	assert.Equal(t, testAnalysisID, trig.AnalysisID)
	assert.Equal(t, []AnalysisVariable{{"A", "x"}, {"N", "42"}, {"B", "true"}, {"Z", ""}}, trig.Environment)
	assert.JSONEq(t, `[{"variable":"t","value":1}]`, string(trig.Data))
	assert.Equal(t, "an-analysis-token-0000", trig.Token.Reveal())

	ev = newEvent(sseEvent{data: []byte(`{"payload":{"message":"hello","timestamp":1741608000000}}`)}, "", nil, nil)
	line, err := ev.ConsoleLine()
	require.NoError(t, err)
	assert.Equal(t, ConsoleLine{Message: "hello", Timestamp: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}, line)
	ev = newEvent(sseEvent{data: []byte(`{"payload":{"message":"iso","timestamp":"2025-03-10T12:00:00Z"}}`)}, "", nil, nil)
	line, err = ev.ConsoleLine()
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC), line.Timestamp)

	ev = newEvent(sseEvent{data: []byte(`{"payload":[{"connection_id":"c1","device_id":"` + testDeviceID +
		`","title":"HTTP Request","content":"POST /data","timestamp":"2025-03-10T12:00:00.000Z"},` +
		`{"connection_id":"c1","device_id":"` + testDeviceID + `","title":"Payload","content":{"a":1},"timestamp":1741608000000}]}`)}, "", nil, nil)
	entries, err := ev.InspectorEntries()
	require.NoError(t, err)
	at := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, []InspectorEntry{
		{ConnectionID: "c1", DeviceID: testDeviceID, Title: "HTTP Request", Content: "POST /data", Timestamp: at},
		{ConnectionID: "c1", DeviceID: testDeviceID, Title: "Payload", Content: `{"a":1}`, Timestamp: at},
	}, entries)

	for _, data := range []string{"", "   ", "[1]", `{"payload":`, `{"x":1}`} {
		ev := newEvent(sseEvent{data: []byte(data)}, "", nil, nil)
		assert.Nil(t, ev.Payload, data)
		_, err := ev.AnalysisTrigger()
		assert.ErrorIs(t, err, errNoPayload, data)
	}
	odd := newEvent(sseEvent{data: []byte(`{"payload":{"environment":[{"key":"A","value":{"x":1}}]}}`)}, "", nil, nil)
	trig, err = odd.AnalysisTrigger()
	require.NoError(t, err)
	assert.Equal(t, []AnalysisVariable{{"A", `{"x":1}`}}, trig.Environment) // kept as its JSON text
}

func TestSubscribeReconnectsWithLastEventIDAndRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		stub := &sseStub{answer: answer}
		c, sleeps := newRealtimeClient(t, AccountToken(testAccountToken), stub)
		var disconnects []error
		var mu sync.Mutex
		got := collect(c.Realtime.Subscribe(t.Context(), &SubscribeOptions{OnDisconnect: func(err error, _ time.Duration) {
			mu.Lock()
			disconnects = append(disconnects, err)
			mu.Unlock()
		}}, DeviceDataChannel(testDeviceID)))

		st := <-conns
		st.send("retry: 1500\nid: 1\ndata: {\"payload\":\"a\"}\n\n")
		assert.Equal(t, `"a"`, string((<-got).ev.Payload))
		st.send("id: 2\ndata: {\"payload\":\"cut\"") // cut in the middle of an event
		st.end()

		st = <-conns // reconnected
		st.send("id: 2\ndata: {\"payload\":\"b\"}\n\n")
		r := <-got
		require.NoError(t, r.err)
		assert.Equal(t, "2", r.ev.ID)
		assert.Equal(t, `"b"`, string(r.ev.Payload)) // the cut event was never delivered

		reqs := stub.requests()
		require.Len(t, reqs, 2)
		assert.Empty(t, reqs[0].Header.Get("Last-Event-ID"))
		assert.Equal(t, "1", reqs[1].Header.Get("Last-Event-ID"))
		assert.Equal(t, []time.Duration{1500 * time.Millisecond}, sleeps.recorded())
		mu.Lock()
		require.Len(t, disconnects, 1)
		assert.ErrorContains(t, disconnects[0], "tago: GET /events: the server closed the stream")
		mu.Unlock()
	})
}

func TestSubscribeBacksOffOnFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		conns := make(chan *stream, 1)
		stub := &sseStub{answer: func(n int, r *http.Request) (*http.Response, error) {
			switch {
			case n == 1:
				return statusResponse(r, 503, `{"status":false,"message":"Service Unavailable"}`), nil
			case n == 2:
				return nil, errors.New("connection refused")
			case n == 3:
				return statusResponse(r, 429, `{"status":false,"message":"Too many requests"}`, "Retry-After", "20"), nil
			case n <= 6:
				return statusResponse(r, 502, "<html>bad gateway</html>"), nil
			}
			resp, st := streamResponse(r)
			conns <- st
			return resp, nil
		}}
		c, sleeps := newRealtimeClient(t, AccountToken(testAccountToken), stub)
		got := collect(c.Realtime.Subscribe(t.Context(), &SubscribeOptions{MaxReconnectDelay: 10 * time.Second}, UIChannel()))
		st := <-conns
		st.send("data: x\n\n")
		require.NoError(t, (<-got).err)
		st.end() // a connection that worked: the next wait starts over
		st = <-conns
		st.send("data: y\n\n")
		require.NoError(t, (<-got).err)

		assert.Equal(t, []time.Duration{
			3 * time.Second,  // 503: the default reconnection time
			6 * time.Second,  // connection refused: doubled
			20 * time.Second, // 429: Retry-After wins over 10s
			10 * time.Second, // capped by MaxReconnectDelay
			10 * time.Second,
			10 * time.Second,
			3 * time.Second, // after a stream that delivered
		}, sleeps.recorded())
		assert.Len(t, stub.requests(), 8)
	})
}

func TestSubscribeReplacesASilentConnection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		stub := &sseStub{answer: answer}
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), stub)
		var cause error
		got := collect(c.Realtime.Subscribe(t.Context(), &SubscribeOptions{ReadTimeout: 10 * time.Second,
			OnDisconnect: func(err error, _ time.Duration) { cause = err }}, DeviceDataChannel(testDeviceID)))

		start := time.Now()
		st := <-conns
		st.send(": hello\n\n")
		time.Sleep(9 * time.Second)
		st.send(": still here\n\n") // a comment keeps the connection alive
		time.Sleep(9 * time.Second)
		st.send("id: 1\ndata: {\"payload\":1}\n\n")
		require.NoError(t, (<-got).err)
		// Now silence: after 10s the connection counts as dead and is replaced.
		st = <-conns
		assert.Equal(t, 28*time.Second, time.Since(start))
		synctest.Wait()
		var timeout interface{ Timeout() bool }
		require.ErrorAs(t, cause, &timeout)
		assert.True(t, timeout.Timeout())
		assert.ErrorContains(t, cause, "tago: GET /events: no data for 10s")
		assert.Equal(t, "1", stub.requests()[1].Header.Get("Last-Event-ID"))
		st.send("id: 2\ndata: {\"payload\":2}\n\n")
		r := <-got
		require.NoError(t, r.err)
		assert.Equal(t, "2", r.ev.ID)
	})
}

func TestSubscribeSlowConsumerTimeDoesNotCountAsSilence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		stub := &sseStub{answer: answer}
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), stub)
		seq := c.Realtime.Subscribe(t.Context(), &SubscribeOptions{ReadTimeout: 90 * time.Second, Buffer: 1}, UIChannel())
		go func() {
			st := <-conns
			st.send("data: a\n\ndata: b\n\ndata: c\n\n")
		}()
		// The reader waits 60s to hand over c while the consumer works; had that wait
		// counted as silence, the connection would be replaced at 90s.
		var got []string
		for ev, err := range seq {
			require.NoError(t, err)
			got = append(got, string(ev.Data))
			if len(got) == 3 {
				break
			}
			time.Sleep(time.Minute)
		}
		assert.Equal(t, []string{"a", "b", "c"}, got)
		assert.Len(t, stub.requests(), 1)
	})
}

func TestSubscribeDropOldestReportsTheGap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), &sseStub{answer: answer})
		got := collect(c.Realtime.Subscribe(t.Context(), &SubscribeOptions{Buffer: 2, Policy: DropOldest}, UIChannel()))
		st := <-conns
		st.send("data: 1\n\n")
		synctest.Wait() // event 1 is handed over; the consumer has not received it yet
		for i := 2; i <= 6; i++ {
			st.send("data: " + string(rune('0'+i)) + "\n\n")
		}
		synctest.Wait() // the reader kept reading: 2, 3 and 4 were dropped for 5 and 6
		var seen []string
		for range 4 {
			r := <-got
			if r.err != nil {
				var gap *GapError
				require.ErrorAs(t, r.err, &gap)
				assert.ErrorIs(t, r.err, ErrEventsLost)
				seen = append(seen, r.err.Error())
				continue
			}
			seen = append(seen, string(r.ev.Data))
		}
		assert.Equal(t, []string{"1", "tago: realtime events lost: 3 dropped (slow consumer)", "5", "6"}, seen)
	})
}

func TestSubscribeBlockWhenFullLosesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), &sseStub{answer: answer})
		got := collect(c.Realtime.Subscribe(t.Context(), &SubscribeOptions{Buffer: 2}, UIChannel()))
		st := <-conns
		go func() {
			for i := range 50 {
				st.send("data: " + strings.Repeat("x", i) + "\n\n")
			}
		}()
		for i := range 50 {
			r := <-got
			require.NoError(t, r.err)
			require.Equal(t, strings.Repeat("x", i), string(r.ev.Data))
		}
	})
}

func TestSubscribeSkipsOversizedEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), &sseStub{answer: answer})
		got := collect(c.Realtime.Subscribe(t.Context(), &SubscribeOptions{MaxEventSize: 32}, UIChannel()))
		st := <-conns
		st.send("data: " + strings.Repeat("x", 100) + "\n\ndata: ok\n\n")
		r := <-got
		assert.EqualError(t, r.err, "tago: realtime events lost: 1 too large")
		r = <-got
		require.NoError(t, r.err)
		assert.Equal(t, "ok", string(r.ev.Data))
	})
}

func TestSubscribeStopsOnRefusal(t *testing.T) {
	tests := []struct {
		name   string
		resp   func(r *http.Request) *http.Response
		want   string
		target error
	}{
		{"401", func(r *http.Request) *http.Response {
			return statusResponse(r, 401, `{"status":false,"message":"Invalid Token"}`)
		}, "tago: GET /events: 401 Invalid Token", ErrUnauthorized},
		{"404", func(r *http.Request) *http.Response {
			return statusResponse(r, 404, `{"status":false,"message":"Channel not found"}`)
		}, "tago: GET /events: 404 Channel not found", ErrNotFound},
		{"204", func(r *http.Request) *http.Response {
			return &http.Response{StatusCode: 204, Header: http.Header{}, Body: http.NoBody, Request: r}
		}, "tago: GET /events: 204 the server answered without an event stream", nil},
		{"not an event stream", func(r *http.Request) *http.Response {
			return statusResponse(r, 200, `{"status":true,"result":[]}`)
		}, `tago: GET /events: 200 the response is "application/json", not an event stream`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				stub := &sseStub{answer: func(_ int, r *http.Request) (*http.Response, error) { return tt.resp(r), nil }}
				c, sleeps := newRealtimeClient(t, AccountToken(testAccountToken), stub)
				var errs []error
				for ev, err := range c.Realtime.Subscribe(t.Context(), nil, UIChannel()) {
					assert.Zero(t, ev)
					errs = append(errs, err)
				}
				require.Len(t, errs, 1)
				assert.EqualError(t, errs[0], tt.want)
				if tt.target != nil {
					assert.ErrorIs(t, errs[0], tt.target)
				}
				assert.Len(t, stub.requests(), 1)
				assert.Empty(t, sleeps.recorded())
			})
		})
	}
}

func TestSubscribeMaxFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("dial tcp: connection refused")
		stub := &sseStub{answer: func(int, *http.Request) (*http.Response, error) { return nil, boom }}
		c, sleeps := newRealtimeClient(t, AccountToken(testAccountToken), stub)
		var errs []error
		for _, err := range c.Realtime.Subscribe(t.Context(), &SubscribeOptions{MaxFailures: 3}, UIChannel()) {
			errs = append(errs, err)
		}
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], boom)
		var re *RequestError
		require.ErrorAs(t, errs[0], &re)
		assert.Equal(t, 3, re.Attempts)
		assert.Equal(t, []time.Duration{3 * time.Second, 6 * time.Second}, sleeps.recorded())
	})
}

func TestSubscribeEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), &sseStub{answer: answer})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		got := collect(c.Realtime.Subscribe(ctx, &SubscribeOptions{ReadTimeout: -1}, UIChannel()))
		<-conns
		_, open := <-got // nothing yielded; the iteration ends when the context does
		assert.False(t, open)
		// synctest.Test fails if a goroutine Subscribe started is still around.
	})
}

func TestSubscribeBreakClosesTheConnection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answer, conns := streams()
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), &sseStub{answer: answer})
		go func() {
			st := <-conns
			st.send("data: 1\n\ndata: 2\n\n")
		}()
		for ev, err := range c.Realtime.Subscribe(t.Context(), nil, UIChannel()) {
			require.NoError(t, err)
			assert.Equal(t, "1", string(ev.Data))
			break
		}
		// Returning from the loop waited for the reader; synctest.Test checks that no
		// goroutine is left.
	})
}

func TestSubscribeBadArgumentsSendNothing(t *testing.T) {
	stub := &sseStub{answer: func(int, *http.Request) (*http.Response, error) { panic("sent") }}
	c, _ := newRealtimeClient(t, AccountToken(testAccountToken), stub)
	anon, _ := newRealtimeClient(t, Anonymous(), stub)
	tests := []struct {
		name  string
		run   func() iterSeq
		field string
	}{
		{"no channels", func() iterSeq { return c.Realtime.Subscribe(t.Context(), nil) }, "channels"},
		{"zero channel", func() iterSeq { return c.Realtime.Subscribe(t.Context(), nil, Channel{}) }, "channels[0]"},
		{"bad device ID", func() iterSeq { return c.Realtime.Subscribe(t.Context(), nil, UIChannel(), DeviceDataChannel("x,y")) }, "channels[1] (device_data)"},
		{"negative buffer", func() iterSeq { return c.Realtime.Subscribe(t.Context(), &SubscribeOptions{Buffer: -1}, UIChannel()) }, "buffer"},
		{"unknown policy", func() iterSeq { return c.Realtime.Subscribe(t.Context(), &SubscribeOptions{Policy: 9}, UIChannel()) }, "policy"},
		{"bad last event ID", func() iterSeq {
			return c.Realtime.Subscribe(t.Context(), &SubscribeOptions{LastEventID: "a\nb"}, UIChannel())
		}, "last event ID"},
		//lint:ignore SA1012 a nil context is what is tested
		{"nil context", func() iterSeq { return c.Realtime.Subscribe(nil, nil, UIChannel()) }, "context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []error
			for _, err := range tt.run() {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1)
			var in *InputError
			require.ErrorAs(t, errs[0], &in)
			assert.Equal(t, tt.field, in.Field)
		})
	}
	for _, err := range anon.Realtime.Subscribe(t.Context(), nil, UIChannel()) {
		assert.ErrorIs(t, err, ErrTokenKind)
	}
	var nilClient *Client
	for _, err := range nilClient.realtime().Subscribe(t.Context(), nil, UIChannel()) {
		assert.ErrorIs(t, err, errNilClient)
	}
	assert.Empty(t, stub.requests())
}

type iterSeq = func(func(Event, error) bool)

func (c *Client) realtime() *RealtimeService {
	if c == nil {
		return nil
	}
	return c.Realtime
}

func TestTokenNeverInRealtimeErrorsOrLogs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		// The transport's error repeats the URL, token included.
		stub := &sseStub{answer: func(_ int, r *http.Request) (*http.Response, error) {
			return nil, errors.New("proxy refused " + r.URL.String())
		}}
		c, _ := newRealtimeClient(t, AccountToken(testAccountToken), stub,
			WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		var disconnect error
		var errs []error
		for _, err := range c.Realtime.Subscribe(t.Context(), &SubscribeOptions{MaxFailures: 2,
			OnDisconnect: func(err error, _ time.Duration) { disconnect = err }}, UIChannel()) {
			errs = append(errs, err)
		}
		require.Len(t, errs, 1)
		for _, text := range []string{errs[0].Error(), disconnect.Error(), logs.String()} {
			assert.NotContains(t, text, testAccountToken)
			assert.Contains(t, text, "token=[redacted]")
		}
	})
}
