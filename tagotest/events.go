package tagotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// This file serves the realtime endpoint, GET /events: Server-Sent Events on the
// platform's channels, replay from Last-Event-ID, heartbeats and realtime faults.

// Realtime limits of the fake.
const (
	// EventHistory is how many recent events the server keeps to replay to a client that
	// reconnects with Last-Event-ID.
	EventHistory = 10000
	// subscriberBuffer is how many events wait for one slow connection; past it the
	// connection is closed and the client catches up from the history when it
	// reconnects.
	subscriberBuffer = 4096
	// DefaultEventHeartbeat is how often an idle event stream gets a comment.
	DefaultEventHeartbeat = 15 * time.Second
)

// realtime is the server's realtime state: subscribers, recent events, faults and the
// service calls of services.go. It has its own lock, never held together
// with Server.mu in that order, so the store can publish while holding Server.mu.
type realtime struct {
	mu        sync.Mutex
	seq       int64
	history   []hubEvent // the newest EventHistory events, oldest first
	subs      map[*subscriber]struct{}
	faults    []*EventFaultHandle
	heartbeat time.Duration
	done      chan struct{} // closed by Server.Close: streams end
	closeOnce sync.Once

	calls []ServiceCall // services.go
}

func newRealtime() *realtime {
	return &realtime{subs: map[*subscriber]struct{}{}, heartbeat: DefaultEventHeartbeat, done: make(chan struct{})}
}

// shutdown ends every open stream; Server.Close calls it before closing the listener,
// which waits for handlers to return.
func (rt *realtime) shutdown() { rt.closeOnce.Do(func() { close(rt.done) }) }

// hubEvent is one published event.
type hubEvent struct {
	id   int64
	key  string // the channel, scoped: "device_data.<id>", "notification@<profile>"
	data []byte // the event's data line: {"channel": ..., "payload": ...}
}

// subscriber is one open stream.
type subscriber struct {
	keys     map[string]bool
	ch       chan hubEvent
	overflow atomic.Bool // a slow client: the stream is closed, to resume from history
}

// WithEventHeartbeat sets how often an idle event stream gets a comment line (default
// [DefaultEventHeartbeat]); zero or less sends none.
func WithEventHeartbeat(d time.Duration) Option {
	return func(c *config) { c.heartbeat = &d }
}

// Publish sends payload (marshalled to JSON) as an event on channel, a platform channel
// name such as "device_data.<deviceID>", "ui_dashboard.<dashboardID>" or
// "entity_data.<entityID>". The channels without an ID ("notification", "ui") take the
// profile as scope ("notification@<profileID>"; bare, the default profile), and
// "analysis_trigger" the analysis ("analysis_trigger@<analysisID>"). The fake publishes
// device data, console lines, notifications and analysis triggers by itself; Publish is
// for the rest. It panics on a payload that does not marshal.
func (s *Server) Publish(channel string, payload any) {
	b, err := json.Marshal(payload)
	if err != nil {
		panic("tagotest: Publish: " + err.Error())
	}
	name, scope, _ := strings.Cut(channel, "@")
	if scope == "" && (name == "notification" || name == "ui") {
		scope = s.ProfileID()
	}
	key := name
	if scope != "" {
		key += "@" + scope
	}
	s.rt.publish(key, name, b)
}

// publish appends an event to the history and hands it to the subscribers of key.
func (rt *realtime) publish(key, channel string, payload []byte) {
	data := make([]byte, 0, len(payload)+len(channel)+24)
	data = append(data, `{"channel":`...)
	data = strconv.AppendQuote(data, channel) // channel names are plain ASCII
	data = append(data, `,"payload":`...)
	data = append(data, payload...)
	data = append(data, '}')
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.seq++
	ev := hubEvent{id: rt.seq, key: key, data: data}
	if len(rt.history) >= EventHistory {
		n := copy(rt.history, rt.history[len(rt.history)-EventHistory+1:])
		rt.history = rt.history[:n]
	}
	rt.history = append(rt.history, ev)
	for sub := range rt.subs {
		if !sub.keys[key] || sub.overflow.Load() {
			continue
		}
		select {
		case sub.ch <- ev:
		default:
			sub.overflow.Store(true)
		}
	}
}

// publishDataLocked sends stored records on the device's device_data channel. The
// store calls it holding s.mu.
func (s *Server) publishDataLocked(d *device, recs []*record) {
	if len(recs) == 0 {
		return
	}
	views := make([]recordJSON, len(recs))
	for i, r := range recs {
		views[i] = recordView(d.id, r, false)
	}
	b, err := json.Marshal(views)
	if err != nil {
		return // records the store accepted always marshal
	}
	ch := "device_data." + d.id
	s.rt.publish(ch, ch, b)
}

// EventFault is a failure injected into realtime (/events) connections. Injected
// faults apply to new connections in the order they were added, at most one per
// connection. Status and connection-reset failures of a whole request come from
// [Server.Inject] with Path "/events".
type EventFault struct {
	// Times is how many connections the fault affects: 0 means 1, a negative number
	// means every connection until [Server.ClearEventFaults].
	Times int
	// After is how many events the connection delivers normally before Cut or Silent
	// take effect.
	After int
	// Cut writes the first half of the next event and then drops the connection, so
	// the client sees a stream cut in the middle of an event.
	Cut bool
	// Silent stops writing anything (no events, no heartbeats) while the connection
	// stays open, until the client gives up.
	Silent bool
	// Retry, when positive, starts the stream with a retry field of this delay (in
	// milliseconds), the server's hint of how long to wait before reconnecting.
	Retry time.Duration
}

// EventFaultHandle reports on an injected [EventFault].
type EventFaultHandle struct {
	f    EventFault
	left int
	hits atomic.Int64
}

// Hits returns how many connections the fault has affected so far.
func (h *EventFaultHandle) Hits() int { return int(h.hits.Load()) }

// InjectEventFault adds a realtime fault. It panics when the fault sets both Cut and
// Silent.
func (s *Server) InjectEventFault(f EventFault) *EventFaultHandle {
	if f.Cut && f.Silent {
		panic("tagotest: an EventFault sets at most one of Cut and Silent")
	}
	h := &EventFaultHandle{f: f, left: f.Times}
	if h.left == 0 {
		h.left = 1
	}
	s.rt.mu.Lock()
	s.rt.faults = append(s.rt.faults, h)
	s.rt.mu.Unlock()
	return h
}

// ClearEventFaults withdraws every realtime fault.
func (s *Server) ClearEventFaults() {
	s.rt.mu.Lock()
	s.rt.faults = nil
	s.rt.mu.Unlock()
}

// takeEventFaultLocked returns the fault for a new connection, or nil.
func (rt *realtime) takeEventFaultLocked() *EventFault {
	for i, h := range rt.faults {
		if h.left == 0 {
			continue
		}
		if h.left > 0 {
			h.left--
		}
		h.hits.Add(1)
		if h.left == 0 {
			rt.faults = append(rt.faults[:i:i], rt.faults[i+1:]...)
		}
		f := h.f
		return &f
	}
	return nil
}

// Subscribers returns how many realtime connections are open.
func (s *Server) Subscribers() int {
	s.rt.mu.Lock()
	defer s.rt.mu.Unlock()
	return len(s.rt.subs)
}

// eventsRefusal is a refused subscription: status and message.
type eventsRefusal struct {
	status int
	msg    string
}

// channelKeys checks a subscription's channels against its token and returns their
// scoped keys.
func (s *Server) channelKeys(tok string, channels []string) ([]string, *eventsRefusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[tok]
	if tok == "" || t == nil || s.expiredLocked(t) {
		return nil, &eventsRefusal{http.StatusUnauthorized, msgInvalidToken}
	}
	denied := &eventsRefusal{http.StatusUnauthorized, msgDenied}
	if len(channels) == 0 {
		return nil, &eventsRefusal{http.StatusBadRequest, "channels is required"}
	}
	keys := make([]string, 0, len(channels))
	for _, ch := range channels {
		name, id, _ := strings.Cut(ch, ".")
		switch name {
		case "device_data", "device_inspector":
			if t.kind != kindAccount {
				return nil, denied
			}
			if d := s.device(id); d == nil || d.profile != t.profile {
				return nil, &eventsRefusal{http.StatusNotFound, "Device not found"}
			}
			keys = append(keys, ch)
		case "analysis_console":
			if t.kind != kindAccount {
				return nil, denied
			}
			if a := s.table("analysis")[id]; a == nil || a.profile != t.profile {
				return nil, &eventsRefusal{http.StatusNotFound, "Analysis not found"}
			}
			keys = append(keys, ch)
		case "ui_dashboard":
			if t.kind != kindAccount {
				return nil, denied
			}
			if d := s.table("dashboard")[id]; d == nil || d.profile != t.profile {
				return nil, &eventsRefusal{http.StatusNotFound, "Dashboard not found"}
			}
			keys = append(keys, ch)
		case "entity_data":
			if t.kind != kindAccount {
				return nil, denied
			}
			if len(id) != 24 {
				return nil, &eventsRefusal{http.StatusNotFound, "Entity not found"}
			}
			keys = append(keys, ch)
		case "notification", "ui":
			if t.kind != kindAccount || id != "" {
				return nil, denied
			}
			keys = append(keys, name+"@"+t.profile)
		case "analysis_trigger":
			if t.kind != kindAnalysis || id != "" {
				return nil, denied
			}
			keys = append(keys, name+"@"+t.analysis)
		default:
			return nil, &eventsRefusal{http.StatusBadRequest, "Invalid channel " + strconv.Quote(ch)}
		}
	}
	return keys, nil
}

// serveEvents answers GET /events?channels=a,b&token=T (or channel=a, as the Python SDK
// sends, or the token in a header) with an event stream.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request, rec *Request) {
	q := r.URL.Query()
	var channels []string
	for _, v := range append(q["channels"], q["channel"]...) {
		for _, ch := range strings.Split(v, ",") {
			if ch = strings.TrimSpace(ch); ch != "" {
				channels = append(channels, ch)
			}
		}
	}
	tok := q.Get("token")
	if tok == "" {
		tok, _ = tokenFrom(r.Header)
	} else {
		rec.TokenHeader, rec.TokenKind = "", "unknown"
		s.mu.Lock()
		if t := s.tokens[tok]; t != nil {
			rec.TokenKind = t.kind.String()
		}
		s.mu.Unlock()
	}
	keys, refusal := s.channelKeys(tok, channels)
	if refusal != nil {
		rec.Status, rec.Applied = refusal.status, true
		s.record(*rec)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(refusal.status)
		_, _ = w.Write(encodeError(refusal.status, refusal.msg, nil))
		return
	}
	var after int64 = -1
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			after = n
		}
	}

	sub := &subscriber{keys: map[string]bool{}, ch: make(chan hubEvent, subscriberBuffer)}
	for _, k := range keys {
		sub.keys[k] = true
	}
	rt := s.rt
	rt.mu.Lock()
	fault := rt.takeEventFaultLocked()
	var replay []hubEvent
	if after >= 0 {
		for _, ev := range rt.history {
			if ev.id > after && sub.keys[ev.key] {
				replay = append(replay, ev)
			}
		}
	}
	rt.subs[sub] = struct{}{}
	heartbeat := rt.heartbeat
	rt.mu.Unlock()
	defer func() {
		rt.mu.Lock()
		delete(rt.subs, sub)
		rt.mu.Unlock()
	}()

	rec.Status, rec.Applied = http.StatusOK, true
	if fault != nil {
		rec.Fault = fault.describe()
	}
	s.record(*rec)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	if fault != nil && fault.Retry > 0 {
		_, _ = fmt.Fprintf(w, "retry: %d\n\n", fault.Retry.Milliseconds())
	}
	_, _ = w.Write([]byte(": connected\n\n"))
	flush()

	sent := 0
	quietIfDue := func() {
		if fault == nil || !fault.Silent || sent < fault.After {
			return
		}
		flush()
		select { // say nothing more until the client or the server gives up
		case <-r.Context().Done():
		case <-rt.done:
		}
		panic(http.ErrAbortHandler)
	}
	write := func(ev hubEvent) {
		frame := eventFrame(ev)
		if fault != nil && fault.Cut && sent == fault.After {
			_, _ = w.Write(frame[:len(frame)/2])
			flush()
			panic(http.ErrAbortHandler) // the connection drops mid-event
		}
		_, _ = w.Write(frame)
		sent++
		quietIfDue()
	}
	quietIfDue()
	for _, ev := range replay {
		write(ev)
	}
	flush()

	var tick <-chan time.Time
	if heartbeat > 0 {
		t := time.NewTicker(heartbeat)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case ev := <-sub.ch:
			write(ev)
			for n := len(sub.ch); n > 0; n-- { // write what is queued, then flush once
				write(<-sub.ch)
			}
			flush()
		case <-tick:
			_, _ = w.Write([]byte(": keep-alive\n\n"))
			flush()
		case <-r.Context().Done():
			return
		case <-rt.done:
			return
		}
		if sub.overflow.Load() {
			return // too slow: the client reconnects and catches up from the history
		}
	}
}

// eventFrame writes one event as the stream carries it.
func eventFrame(ev hubEvent) []byte {
	b := make([]byte, 0, len(ev.data)+32)
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, ev.id, 10)
	b = append(b, "\ndata: "...)
	b = append(b, ev.data...)
	return append(b, "\n\n"...)
}

// describe names the fault for the request log.
func (f *EventFault) describe() string {
	var parts []string
	if f.Retry > 0 {
		parts = append(parts, "retry "+f.Retry.String())
	}
	switch {
	case f.Cut:
		parts = append(parts, fmt.Sprintf("cut after %d events", f.After))
	case f.Silent:
		parts = append(parts, fmt.Sprintf("silent after %d events", f.After))
	}
	return "events: " + strings.Join(parts, ", ")
}
