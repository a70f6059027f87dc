package tagotest

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// BadGatewayHTML is the kind of page a proxy in front of the platform answers with when
// the API is down; use it as a [Fault] body to check that a client copes with a non-JSON
// error.
const BadGatewayHTML = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"

// Fault describes a failure to inject into the requests that match it. Exactly one of
// Status, Reset and Truncate may be set; with none of them the fault only delays the
// matching requests (and adds Retry-After when set).
//
// Whether the request is applied to the fake's store before the failure is explicit:
// with Process false a Status or Reset fault answers in the request's place and nothing
// is stored (the body is still read, so the client has sent it all); with Process true
// the request is handled first (a POST /data is stored) and then the client gets the
// failure instead of the real answer. A Truncate fault always processes the request.
type Fault struct {
	// Method restricts the fault to one HTTP method; empty matches any.
	Method string
	// Path restricts the fault to matching URL paths: an exact path such as "/data", or
	// a pattern in which "*" stands for one path segment ("/device/*/data"). Empty
	// matches any path.
	Path string
	// Times is how many matching requests the fault affects: 0 means 1, a negative
	// number means every matching request until [Server.ClearFaults].
	Times int
	// Skip is how many matching requests pass unaffected before the fault takes
	// effect: with Skip 3 the fault hits the fourth, such as a part in the middle of a
	// multipart upload (the start is the first POST /files). Skipped requests may still
	// meet later faults.
	Skip int
	// Delay is added before the request is answered (or failed).
	Delay time.Duration
	// Status answers with this HTTP status and Body instead of the real response.
	Status int
	// Body is the response body for Status. When empty, 429 gets the platform's
	// "Too many requests (Retry-After: N)" envelope and other statuses an envelope with
	// the status text.
	Body string
	// ContentType is the Content-Type for Body; when empty it is guessed from the body
	// (JSON, HTML or plain text).
	ContentType string
	// RetryAfter, when positive, adds a Retry-After header (in whole seconds, rounded up).
	RetryAfter time.Duration
	// Reset closes the connection abruptly (TCP reset) without an answer.
	Reset bool
	// Truncate sends the real response's headers, with its full Content-Length, but only
	// part of its body, then closes the connection.
	Truncate bool
	// TruncateAfter is how many body bytes a Truncate fault sends; 0 means half.
	TruncateAfter int
	// Process handles the request before a Status or Reset fault fails it.
	Process bool
}

// FaultHandle reports on an injected fault.
type FaultHandle struct {
	f    *faultState
	srv  *Server
	hits atomic.Int64
}

// Hits returns how many requests the fault has affected so far.
func (h *FaultHandle) Hits() int { return int(h.hits.Load()) }

// Remove withdraws the fault; requests already affected stay affected.
func (h *FaultHandle) Remove() {
	h.srv.fmu.Lock()
	defer h.srv.fmu.Unlock()
	for i, f := range h.srv.faults {
		if f == h.f {
			h.srv.faults = append(h.srv.faults[:i], h.srv.faults[i+1:]...)
			return
		}
	}
}

type faultState struct {
	Fault
	left   int // remaining uses; negative = forever
	skip   int // matching requests still to let through
	handle *FaultHandle
}

// Inject adds a fault. Faults are tried in the order they were added; a request is
// affected by at most one (the first that matches and has uses left). It panics when the
// fault sets more than one of Status, Reset and Truncate.
func (s *Server) Inject(f Fault) *FaultHandle {
	n := 0
	for _, b := range []bool{f.Status != 0, f.Reset, f.Truncate} {
		if b {
			n++
		}
	}
	if n > 1 {
		panic("tagotest: a Fault sets at most one of Status, Reset and Truncate")
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 999) {
		panic("tagotest: Fault.Status " + strconv.Itoa(f.Status) + " is not an HTTP status")
	}
	left := f.Times
	if left == 0 {
		left = 1
	}
	st := &faultState{Fault: f, left: left, skip: max(f.Skip, 0)}
	st.handle = &FaultHandle{f: st, srv: s}
	s.fmu.Lock()
	s.faults = append(s.faults, st)
	s.fmu.Unlock()
	return st.handle
}

// FailNext makes the next n requests matching method and path (see [Fault]) fail with
// status and body, without being applied. An empty body gets the platform's error
// envelope.
func (s *Server) FailNext(n int, method, path string, status int, body string) *FaultHandle {
	return s.Inject(Fault{Method: method, Path: path, Times: n, Status: status, Body: body})
}

// RateLimitNext makes the next n matching requests fail with 429, a Retry-After header
// and the platform's "Too many requests (Retry-After: N)" message, without being applied.
func (s *Server) RateLimitNext(n int, method, path string, retryAfter time.Duration) *FaultHandle {
	return s.Inject(Fault{Method: method, Path: path, Times: n, Status: http.StatusTooManyRequests, RetryAfter: retryAfter})
}

// ResetNext makes the next n matching requests end with a reset connection. With
// applied true each request is processed first (a POST is stored, but the client never
// learns it); with applied false it is read and dropped.
func (s *Server) ResetNext(n int, method, path string, applied bool) *FaultHandle {
	return s.Inject(Fault{Method: method, Path: path, Times: n, Reset: true, Process: applied})
}

// TruncateNext makes the next n matching requests get a response cut short: the
// request is applied, the headers announce the whole body, half of it is sent, and the
// connection closes.
func (s *Server) TruncateNext(n int, method, path string) *FaultHandle {
	return s.Inject(Fault{Method: method, Path: path, Times: n, Truncate: true})
}

// SetLatency delays every response by d from now on (0 to stop).
func (s *Server) SetLatency(d time.Duration) {
	s.fmu.Lock()
	s.latency = d
	s.fmu.Unlock()
}

// ClearFaults withdraws every injected fault and the latency.
func (s *Server) ClearFaults() {
	s.fmu.Lock()
	s.faults = nil
	s.latency = 0
	s.fmu.Unlock()
}

// takeFault consumes one use of the first fault matching the request.
func (s *Server) takeFault(method, p string) (*faultState, time.Duration) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	for i, f := range s.faults {
		if !f.matches(method, p) {
			continue
		}
		if f.skip > 0 {
			f.skip--
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		f.handle.hits.Add(1)
		return f, s.latency
	}
	return nil, s.latency
}

func (f *faultState) matches(method, p string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	if f.Path == "" {
		return true
	}
	want := strings.TrimSuffix(f.Path, "/")
	got := strings.TrimSuffix(p, "/")
	if want == got {
		return true
	}
	m, err := path.Match(want, got)
	return err == nil && m
}

func (f *faultState) delay() time.Duration {
	if f == nil {
		return 0
	}
	return f.Delay
}

func (f *faultState) describe() string {
	var parts []string
	switch {
	case f.Status != 0:
		parts = append(parts, "status "+strconv.Itoa(f.Status))
	case f.Reset:
		parts = append(parts, "reset")
	case f.Truncate:
		parts = append(parts, "truncate")
	}
	if f.Delay > 0 {
		parts = append(parts, "delay "+f.Delay.String())
	}
	if f.RetryAfter > 0 {
		parts = append(parts, "retry-after "+retryAfterValue(f.RetryAfter))
	}
	if f.Process && (f.Status != 0 || f.Reset) {
		parts = append(parts, "after processing")
	}
	if f.Skip > 0 {
		parts = append(parts, "after "+strconv.Itoa(f.Skip)+" skipped")
	}
	if len(parts) == 0 {
		return "fault"
	}
	return strings.Join(parts, ", ")
}

// write answers with the fault's status and body and returns the status.
func (f *faultState) write(w http.ResponseWriter) int {
	body := f.Body
	if body == "" {
		msg := http.StatusText(f.Status)
		if f.Status == http.StatusTooManyRequests {
			msg = "Too many requests"
			if f.RetryAfter > 0 {
				msg += " (Retry-After: " + retryAfterValue(f.RetryAfter) + ")"
			}
		}
		body = string(encodeError(f.Status, msg, nil))
	}
	ct := f.ContentType
	if ct == "" {
		switch t := strings.TrimSpace(body); {
		case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["):
			ct = "application/json; charset=utf-8"
		case strings.HasPrefix(t, "<"):
			ct = "text/html; charset=utf-8"
		default:
			ct = "text/plain; charset=utf-8"
		}
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	if f.RetryAfter > 0 {
		h.Set("Retry-After", retryAfterValue(f.RetryAfter))
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(body))
	return f.Status
}

func retryAfterValue(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}

// resetConn drops the connection with a TCP reset, sending nothing.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// truncate sends status and headers announcing all of body, then only its first n
// bytes (half when n is 0), and closes the connection.
func truncate(w http.ResponseWriter, status int, body []byte, n int) {
	if n <= 0 || n >= len(body) {
		n = len(body) / 2
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body[:n])
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}

// String describes the fault for test failure messages.
func (f Fault) String() string {
	st := faultState{Fault: f}
	where := f.Method
	if where == "" {
		where = "*"
	}
	p := f.Path
	if p == "" {
		p = "*"
	}
	return fmt.Sprintf("%s %s: %s", where, p, st.describe())
}
