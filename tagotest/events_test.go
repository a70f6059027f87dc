package tagotest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eventStream is an open /events connection read line by line, independently of the
// SDK's parser.
type eventStream struct {
	resp *http.Response
	r    *bufio.Reader
}

// openEvents connects to /events with channels and token (in the query) and extra
// header pairs.
func openEvents(t *testing.T, srv *Server, channels, token string, kv ...string) *eventStream {
	t.Helper()
	q := url.Values{"channels": {channels}, "token": {token}}
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/events?"+q.Encode(), nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return &eventStream{resp: resp, r: bufio.NewReader(resp.Body)}
}

// next returns the next event's id and data lines, skipping comments; an error when the
// stream ends first.
func (s *eventStream) next() (id, data string, err error) {
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return "", "", err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if data != "" {
				return id, data, nil
			}
		case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry: "):
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "data: "):
			data += line[6:]
		default:
			return "", "", fmt.Errorf("unexpected line %q", line)
		}
	}
}

// waitSubscribers waits until n streams are registered; a stream is registered
// before its headers are sent, so after openEvents this returns at once.
func waitSubscribers(t *testing.T, srv *Server, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return srv.Subscribers() == n }, 5*time.Second, time.Millisecond)
}

func TestEventsDeviceDataIsPushedWhenStored(t *testing.T) {
	srv := NewServer(t, WithClock((&fixedClock{t: t0}).now))
	dev := srv.AddDevice(DeviceSpec{Name: "Greenhouse"})
	st := openEvents(t, srv, "device_data."+dev.ID, srv.AccountToken())
	assert.Equal(t, 200, st.resp.StatusCode)
	assert.Equal(t, "text/event-stream", st.resp.Header.Get("Content-Type"))

	send(t, srv, "POST", "/data", "Device-Token", dev.Token, []map[string]any{{"variable": "temperature", "value": 21.5, "unit": "C"}})
	id, data, err := st.next()
	require.NoError(t, err)
	assert.Equal(t, "1", id)
	stored := srv.Data(dev.ID)
	require.Len(t, stored, 1)
	assert.JSONEq(t, `{"channel":"device_data.`+dev.ID+`","payload":[{"id":"`+stored[0].ID+`","device":"`+dev.ID+
		`","variable":"temperature","value":21.5,"unit":"C","group":"`+stored[0].Group+`","time":"2025-03-10T12:00:00.000Z"}]}`, data)

	srv.AddData(dev.ID, Record{Variable: "humidity", Value: 40}) // seeding publishes too
	id, data, err = st.next()
	require.NoError(t, err)
	assert.Equal(t, "2", id)
	assert.Contains(t, data, `"variable":"humidity"`)
}

func TestEventsRefusals(t *testing.T) {
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	an := srv.AddAnalysis(AnalysisSpec{External: true, Name: "a"})
	other := srv.AddProfile("other")
	tests := []struct {
		name, channels, token string
		status                int
		msg                   string
	}{
		{"no token", "ui", "", 401, "Invalid Token"},
		{"unknown token", "ui", "nope", 401, "Invalid Token"},
		{"no channel", "", srv.AccountToken(), 400, "channels is required"},
		{"unknown channel", "weather", srv.AccountToken(), 400, `Invalid channel "weather"`},
		{"device token on device data", "device_data." + dev.ID, dev.Token, 401, "Authorization Denied"},
		{"another profile's device", "device_data." + dev.ID, other.Token, 404, "Device not found"},
		{"account token on triggers", "analysis_trigger", srv.AccountToken(), 401, "Authorization Denied"},
		{"analysis token on notifications", "notification", an.Token, 401, "Authorization Denied"},
		{"another profile's analysis console", "analysis_console." + an.ID, other.Token, 404, "Analysis not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openEvents(t, srv, tt.channels, tt.token)
			assert.Equal(t, tt.status, st.resp.StatusCode)
			body, _ := io.ReadAll(st.resp.Body)
			assert.JSONEq(t, `{"status":false,"message":`+fmt.Sprintf("%q", tt.msg)+`}`, string(body))
		})
	}
	assert.Zero(t, srv.Subscribers())
}

func TestEventsReplayAfterLastEventID(t *testing.T) {
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	for i := range 3 {
		srv.AddData(dev.ID, Record{Variable: "n", Value: i})
	}
	srv.Publish("ui", map[string]int{"other": 1}) // another channel: not replayed
	st := openEvents(t, srv, "device_data."+dev.ID, srv.AccountToken(), "Last-Event-ID", "1")
	for _, want := range []string{"2", "3"} {
		id, _, err := st.next()
		require.NoError(t, err)
		assert.Equal(t, want, id)
	}
	srv.AddData(dev.ID, Record{Variable: "n", Value: 9}) // then live events
	id, data, err := st.next()
	require.NoError(t, err)
	assert.Equal(t, "5", id)
	assert.Contains(t, data, `"value":9`)
}

func TestEventFaultCutsMidEvent(t *testing.T) {
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	h := srv.InjectEventFault(EventFault{Cut: true, After: 1})
	st := openEvents(t, srv, "device_data."+dev.ID, srv.AccountToken())
	srv.AddData(dev.ID, Record{Variable: "a", Value: 1})
	srv.AddData(dev.ID, Record{Variable: "b", Value: 2})
	id, _, err := st.next()
	require.NoError(t, err)
	assert.Equal(t, "1", id)
	_, _, err = st.next()
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF) // half an event, then the connection drops
	assert.Equal(t, 1, h.Hits())
	reqs := srv.Requests()
	assert.Equal(t, "events: cut after 1 events", reqs[len(reqs)-1].Fault)

	// The next connection is healthy and replays the cut event.
	st = openEvents(t, srv, "device_data."+dev.ID, srv.AccountToken(), "Last-Event-ID", "1")
	id, data, err := st.next()
	require.NoError(t, err)
	assert.Equal(t, "2", id)
	assert.Contains(t, data, `"variable":"b"`)
}

func TestEventFaultSilentAndRetry(t *testing.T) {
	srv := NewServer(t, WithEventHeartbeat(time.Millisecond))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	srv.InjectEventFault(EventFault{Silent: true, After: 1, Retry: 2500 * time.Millisecond})

	// A raw connection, to read with a deadline.
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "GET /events?channels=device_data.%s&token=%s HTTP/1.1\r\nHost: x\r\n\r\n", dev.ID, srv.AccountToken())
	require.NoError(t, err)
	r := bufio.NewReader(conn)
	waitSubscribers(t, srv, 1)
	srv.AddData(dev.ID, Record{Variable: "a", Value: 1})
	srv.AddData(dev.ID, Record{Variable: "b", Value: 2})
	var got strings.Builder
	for !strings.Contains(got.String(), `"variable":"a"`) {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		got.WriteString(line)
	}
	assert.Contains(t, got.String(), "retry: 2500\n")
	// Now nothing more comes: not event b, not even the millisecond heartbeats (what
	// is read below is the end of event a's chunk).
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
	rest, err := io.ReadAll(r)
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "%v", err)
	assert.NotContains(t, string(rest), "variable")
	assert.NotContains(t, string(rest), "keep-alive")
}

func TestEventsHeartbeat(t *testing.T) {
	srv := NewServer(t, WithEventHeartbeat(time.Millisecond))
	st := openEvents(t, srv, "ui", srv.AccountToken())
	for {
		line, err := st.r.ReadString('\n')
		require.NoError(t, err)
		if line == ": keep-alive\n" {
			break
		}
	}
}

func TestTriggerAnalysis(t *testing.T) {
	srv := NewServer(t)
	an := srv.AddAnalysis(AnalysisSpec{External: true, Name: "Alerts", Variables: []AnalysisVariable{{"LIMIT", "30"}}})
	other := srv.AddAnalysis(AnalysisSpec{External: true, Name: "Other"})
	st := openEvents(t, srv, "analysis_trigger", an.Token)
	srv.TriggerAnalysis(other.ID, Record{Variable: "x"}) // not this analysis's channel
	srv.TriggerAnalysis(an.ID, Record{Variable: "temperature", Value: 31.5, Time: t0}, map[string]string{"device": "d1"})
	id, data, err := st.next()
	require.NoError(t, err)
	assert.Equal(t, "2", id)
	assert.JSONEq(t, `{"channel":"analysis_trigger","payload":{"analysis_id":"`+an.ID+`","environment":[{"key":"LIMIT","value":"30"}],`+
		`"data":[{"variable":"temperature","value":31.5,"time":"2025-03-10T12:00:00.000Z"},{"device":"d1"}],"token":"`+an.Token+`"}}`, data)
	assert.Panics(t, func() { srv.TriggerAnalysis("nope") })
}

func TestCloseEndsEventStreams(t *testing.T) {
	srv, err := Start()
	require.NoError(t, err)
	st := openEvents(t, srv, "ui", srv.AccountToken())
	srv.Close() // would hang if the stream kept its handler alive
	_, _, err = st.next()
	assert.Error(t, err)
}

func TestEventFaultRules(t *testing.T) {
	srv := NewServer(t)
	assert.Panics(t, func() { srv.InjectEventFault(EventFault{Cut: true, Silent: true}) })
	h := srv.InjectEventFault(EventFault{Times: -1, Retry: time.Second})
	for range 3 {
		st := openEvents(t, srv, "ui", srv.AccountToken())
		line, err := st.r.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "retry: 1000\n", line)
		st.resp.Body.Close()
	}
	assert.Equal(t, 3, h.Hits())
	srv.ClearEventFaults()
	st := openEvents(t, srv, "ui", srv.AccountToken())
	line, err := st.r.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, ": connected\n", line)
}

// TestAnalysisRunRouteTriggers checks the seam between the analyses resource and the
// realtime events: POST /analysis/{id}/run reaches the analysis_trigger channel.
func TestAnalysisRunRouteTriggers(t *testing.T) {
	srv := NewServer(t)
	an := srv.AddAnalysis(AnalysisSpec{External: true, Name: "Alerts", Variables: []AnalysisVariable{{Key: "A", Value: "1"}}})
	st := openEvents(t, srv, "analysis_trigger", an.Token)
	r := asAccount(t, srv, "POST", "/analysis/"+an.ID+"/run", map[string]any{"scope": []map[string]any{{"variable": "x", "value": 2}}})
	require.Equal(t, 200, r.code, "%s", r.body)
	_, data, err := st.next()
	require.NoError(t, err)
	assert.JSONEq(t, `{"channel":"analysis_trigger","payload":{"analysis_id":"`+an.ID+`","environment":[{"key":"A","value":"1"}],`+
		`"data":[{"variable":"x","value":2}],"token":"`+an.Token+`"}}`, data)
	runs := srv.AnalysisRuns()
	require.Len(t, runs, 1)
	srv.TriggerAnalysis(an.ID)
	_, data, err = st.next()
	require.NoError(t, err)
	assert.Contains(t, data, `"data":[]`)
	runs = srv.AnalysisRuns()
	require.Len(t, runs, 2)
	assert.Equal(t, "test", runs[1].Origin)
}
