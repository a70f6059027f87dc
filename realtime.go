package tago

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// RealtimeService subscribes to the platform's realtime events, which it sends as
// Server-Sent Events: a device's data as it is stored, an analysis's triggers and console,
// a dashboard's updates, notifications. Any kind of token but [Anonymous] may subscribe;
// the platform decides which channels a token may hear (an account token for devices and
// dashboards, an analysis token for its triggers).
//
// The endpoint comes from the client's API base URL (see [Client.RealtimeURL]), or from
// [WithRealtimeURL]. The token travels in the URL's query string, as the platform
// requires, so the SDK never shows that URL: errors and log lines name only its path.
type RealtimeService service

func (s *RealtimeService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// SlowConsumerPolicy says what a subscription does when its consumer falls behind and
// the buffer of received events is full.
type SlowConsumerPolicy int

const (
	// BlockWhenFull stops reading the connection until the consumer takes an event, so
	// no event is lost locally; the platform may then drop the connection, after which
	// the subscription reconnects and resumes from the last event ID. It is the default.
	BlockWhenFull SlowConsumerPolicy = iota
	// DropOldest keeps reading and discards the oldest buffered event to make room; the
	// consumer is told how many it missed by a [*GapError] before the next event.
	DropOldest
)

// Defaults of [SubscribeOptions].
const (
	// DefaultRealtimeBuffer is how many received events wait for a slow consumer.
	DefaultRealtimeBuffer = 256
	// DefaultReadTimeout is how long a connection may stay silent (no event, no
	// comment) before it counts as dead and is replaced.
	DefaultReadTimeout = 60 * time.Second
	// DefaultMaxEventSize bounds one event's data and any line of the stream.
	DefaultMaxEventSize = 1 << 20
	// DefaultReconnectDelay is the wait before reconnecting until the server sets
	// another with a retry field.
	DefaultReconnectDelay = 3 * time.Second
	// DefaultMaxReconnectDelay caps the growing wait between failed connection attempts.
	DefaultMaxReconnectDelay = 30 * time.Second
)

// SubscribeOptions tunes [RealtimeService.Subscribe]. The zero value (or nil) gives the
// defaults. Subscribe never modifies it.
type SubscribeOptions struct {
	// LastEventID resumes a stream: the first connection sends it as Last-Event-ID, so
	// the platform can replay what came after. Later connections send the ID of the
	// last event received.
	LastEventID string
	// Buffer is how many received events wait for the consumer (default
	// [DefaultRealtimeBuffer]). The consumer takes what waits in one go, so memory stays
	// bounded by 2 × Buffer × MaxEventSize.
	Buffer int
	// Policy says what happens when the buffer is full (default [BlockWhenFull]).
	Policy SlowConsumerPolicy
	// ReadTimeout is how long the connection may stay silent, waiting for its response
	// headers or for the next bytes of the stream, before it is closed and replaced
	// (default [DefaultReadTimeout]; negative disables it). Time the consumer spends
	// on an event does not count.
	ReadTimeout time.Duration
	// MaxEventSize bounds one event's data and one line of the stream, in bytes
	// (default [DefaultMaxEventSize]). A larger event is skipped and reported as a
	// [*GapError].
	MaxEventSize int
	// MaxReconnectDelay caps the wait between failed connection attempts (default
	// [DefaultMaxReconnectDelay]); a longer retry field from the server still wins.
	MaxReconnectDelay time.Duration
	// MaxFailures ends the subscription with the last error after that many connection
	// attempts in a row that got no stream; 0 means never give up. An attempt the
	// platform refuses for good (401, 403, 404, 400) ends it at once either way.
	MaxFailures int
	// OnConnect, when set, is called each time a connection is established.
	OnConnect func()
	// OnDisconnect, when set, is called each time a connection ends or fails before
	// the subscription reconnects, with the cause and the wait before the next attempt.
	OnDisconnect func(err error, retryIn time.Duration)
}

// ErrEventsLost matches the [*GapError] a subscription yields when it lost events.
var ErrEventsLost = errors.New("tago: realtime events lost")

// GapError reports events a subscription lost; it is the only error after which the
// iteration goes on. It matches [ErrEventsLost].
type GapError struct {
	// Dropped is how many events were discarded because the consumer was slow (with
	// [DropOldest]).
	Dropped int
	// TooLarge is how many events were skipped because they exceeded MaxEventSize.
	TooLarge int
}

// Error returns "tago: realtime events lost: 3 dropped (slow consumer), 1 too large".
func (e *GapError) Error() string {
	var parts []string
	if e.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d dropped (slow consumer)", e.Dropped))
	}
	if e.TooLarge > 0 {
		parts = append(parts, fmt.Sprintf("%d too large", e.TooLarge))
	}
	return ErrEventsLost.Error() + ": " + strings.Join(parts, ", ")
}

// Is reports whether target is [ErrEventsLost].
func (e *GapError) Is(target error) bool { return target == ErrEventsLost }

// Subscribe listens to channels and yields their events as they arrive. It connects
// when the iteration starts and reconnects by itself when the connection drops, fails
// or stays silent longer than ReadTimeout: after the server's retry time (3s until the
// server sets one), doubling for each attempt in a row that fails up to
// MaxReconnectDelay, with up to 25% random jitter added unless the client's
// [RetryPolicy] sets NoJitter; a 429's Retry-After is honoured. Each reconnection sends
// Last-Event-ID, so a server that keeps its events replays what the subscription
// missed.
//
// The iteration ends without an error when ctx ends or the loop stops; then the
// connection is closed and every goroutine Subscribe started has returned. It ends
// after yielding an error when the arguments are invalid, when the platform refuses the
// subscription (401, 403, 404, 400, or a response that is not an event stream), or
// after MaxFailures failed attempts in a row. A [*GapError] (events lost to a slow
// consumer or over the size limit) is yielded before the next event and the iteration
// goes on.
//
// TagoIO API: GET {realtime URL}?channels={channels}&token={token}
func (s *RealtimeService) Subscribe(ctx context.Context, opts *SubscribeOptions, channels ...Channel) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		sub, err := s.newSubscription(ctx, opts, channels)
		if err != nil {
			yield(Event{}, err)
			return
		}
		sub.run(ctx, yield)
	}
}

// subscription is one ranging of a Subscribe iterator.
type subscription struct {
	c      *Client
	hc     *http.Client
	url    string   // with the token: never shown
	path   string   // the URL's path, for errors and logs
	only   string   // the one channel subscribed to, or ""
	names  []string // the channels subscribed to
	opts   SubscribeOptions
	lastID string
	retry  time.Duration
	queue  *eventQueue
}

// queued is one item between the reading goroutine and the consumer: an event, a
// *GapError standing for an oversized event, or the error that ends the subscription.
type queued struct {
	ev  Event
	err error
}

// newSubscription checks Subscribe's arguments and prepares the connection.
func (s *RealtimeService) newSubscription(ctx context.Context, opts *SubscribeOptions, channels []Channel) (*subscription, error) {
	c := s.cl()
	if c == nil || c.hc == nil {
		return nil, errNilClient
	}
	if ctx == nil {
		return nil, invalidf("context", "must not be nil")
	}
	if c.kind == KindAnonymous {
		return nil, tokenKindError("GET "+realtimePath(c.sseURL), c.kind,
			KindAccount, KindDevice, KindNetwork, KindAnalysis, KindAuthorization, KindRunUser)
	}
	if len(channels) == 0 {
		return nil, invalidf("channels", "must name at least one channel")
	}
	names := make([]string, len(channels))
	for i, ch := range channels {
		if err := ch.check(fmt.Sprintf("channels[%d]", i)); err != nil {
			return nil, err
		}
		names[i] = ch.String()
	}
	var o SubscribeOptions
	if opts != nil {
		o = *opts
	}
	switch {
	case o.Buffer < 0:
		return nil, invalidf("buffer", "must not be negative, got %d", o.Buffer)
	case o.MaxEventSize < 0:
		return nil, invalidf("max event size", "must not be negative, got %d", o.MaxEventSize)
	case o.MaxFailures < 0:
		return nil, invalidf("max failures", "must not be negative, got %d", o.MaxFailures)
	case o.MaxReconnectDelay < 0:
		return nil, invalidf("max reconnect delay", "must not be negative, got %v", o.MaxReconnectDelay)
	case o.Policy != BlockWhenFull && o.Policy != DropOldest:
		return nil, invalidf("policy", "unknown value %d", int(o.Policy))
	case strings.ContainsAny(o.LastEventID, "\x00\r\n"):
		return nil, invalidf("last event ID", "must not contain NUL or line breaks")
	}
	if o.Buffer == 0 {
		o.Buffer = DefaultRealtimeBuffer
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.MaxEventSize == 0 {
		o.MaxEventSize = DefaultMaxEventSize
	}
	if o.MaxReconnectDelay == 0 {
		o.MaxReconnectDelay = DefaultMaxReconnectDelay
	}
	q := url.Values{"channels": {strings.Join(names, ",")}, "token": {*c.secret}}
	// The stream lives as long as the subscription: the caller's http.Client.Timeout,
	// which bounds a whole exchange body included, must not cut it.
	hc := *c.hc
	hc.Timeout = 0
	sub := &subscription{
		c: c, hc: &hc, url: c.sseURL + "?" + q.Encode(), path: realtimePath(c.sseURL),
		opts: o, lastID: o.LastEventID, retry: DefaultReconnectDelay,
		queue: newEventQueue(o.Buffer, o.Policy == DropOldest),
	}
	sub.names = names
	if len(names) == 1 {
		sub.only = names[0]
	}
	return sub, nil
}

// realtimePath returns the path of the realtime URL, the part errors may show.
func realtimePath(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Path != "" {
		return u.Path
	}
	return "/events"
}

// run reads the stream in a goroutine and hands its events to yield until one of them
// says stop.
func (sub *subscription) run(ctx context.Context, yield func(Event, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sub.read(ctx)
	}()
	defer func() {
		cancel()
		wg.Wait() // the reader has closed its connection and returned
	}()
	for {
		gap, items, ok := sub.queue.take(ctx)
		if !ok {
			return
		}
		if gap != nil && !yield(Event{}, gap) {
			return
		}
		for _, it := range items {
			switch err := it.err.(type) {
			case nil:
				if !yield(it.ev, nil) {
					return
				}
			case *GapError: // an oversized event, in its place in the stream
				if !yield(Event{}, err) {
					return
				}
			default:
				yield(Event{}, err)
				return
			}
		}
	}
}

// read connects, reads and reconnects until ctx ends or the subscription fails for
// good; a final error goes to the consumer.
func (sub *subscription) read(ctx context.Context) {
	failures := 0 // attempts in a row that got no stream
	for n := 1; ; n++ {
		delivered, wait, err, permanent := sub.connect(ctx, n)
		if ctx.Err() != nil {
			return
		}
		if delivered {
			failures = 0
		} else {
			failures++
		}
		if permanent || sub.opts.MaxFailures > 0 && failures >= sub.opts.MaxFailures {
			sub.queue.push(ctx, queued{err: err})
			return
		}
		wait = max(wait, sub.delay(max(failures, 1)))
		if sub.c.logger.Enabled(ctx, slog.LevelWarn) {
			sub.c.logger.LogAttrs(ctx, slog.LevelWarn, "tago: realtime: reconnecting",
				slog.String("path", sub.path), slog.Int("attempt", n), slog.Duration("wait", wait),
				slog.String("error", err.Error()))
		}
		if sub.opts.OnDisconnect != nil {
			sub.opts.OnDisconnect(err, wait)
		}
		if sub.c.retry.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// delay returns the wait before the next attempt after failures attempts in a row
// failed (1 after a connection that worked): the reconnection time, doubled for each
// further failure up to MaxReconnectDelay (the server's own retry time wins if
// longer), plus up to 25% jitter.
func (sub *subscription) delay(failures int) time.Duration {
	d := sub.retry
	limit := max(sub.opts.MaxReconnectDelay, sub.retry)
	for i := 1; i < failures && d < limit; i++ {
		d = max(2*d, 500*time.Millisecond)
	}
	d = min(d, limit)
	if !sub.c.retry.NoJitter && d >= 4 {
		d += rand.N(d/4 + 1)
	}
	return d
}

// connect makes one connection and reads it until it ends. delivered reports that
// the stream sent something; wait is a delay the server asked for (Retry-After);
// permanent says not to reconnect.
func (sub *subscription) connect(ctx context.Context, attempt int) (delivered bool, wait time.Duration, err error, permanent bool) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wd := &watchdog{d: sub.opts.ReadTimeout, cancel: cancel}
	defer wd.stop()
	fail := func(e error) error {
		if wd.fired.Load() {
			e = &silentError{d: sub.opts.ReadTimeout}
		}
		var uerr *url.Error
		if errors.As(e, &uerr) {
			e = uerr.Err // its text repeats the URL, which holds the token
		}
		if text := sub.c.redactQuery(e.Error()); text != e.Error() {
			e = &redactedError{err: e, text: text}
		}
		return &RequestError{Method: "GET", Path: sub.path, Attempts: attempt, Err: e}
	}

	req, rerr := http.NewRequestWithContext(cctx, http.MethodGet, sub.url, nil)
	if rerr != nil {
		return false, 0, fail(rerr), true
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("User-Agent", sub.c.userAgent)
	if sub.lastID != "" {
		req.Header.Set("Last-Event-ID", sub.lastID)
	}
	wd.arm()
	resp, derr := sub.hc.Do(req)
	wd.disarm()
	if derr != nil {
		return false, 0, fail(derr), permanentTransportError(derr)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		_, apiErr := checkResponse(resp.StatusCode, resp.Header, body, sub.c.redactQuery)
		if apiErr == nil { // a 2xx other than 200: not a stream
			apiErr = &APIError{HTTPStatus: resp.StatusCode, Message: "the server answered without an event stream"}
		}
		apiErr.Method, apiErr.Path, apiErr.Attempts = "GET", sub.path, attempt
		switch s := resp.StatusCode; {
		case s == http.StatusTooManyRequests:
			return false, apiErr.RetryAfter, apiErr, false
		case s == http.StatusRequestTimeout || s >= 500:
			return false, 0, apiErr, false
		default: // 204 (the server's way of saying stop), 4xx, 3xx
			return false, 0, apiErr, true
		}
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return false, 0, &APIError{Method: "GET", Path: sub.path, Attempts: attempt, HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("the response is %q, not an event stream", mt)}, true
	}
	if sub.c.logger.Enabled(ctx, slog.LevelDebug) {
		sub.c.logger.LogAttrs(ctx, slog.LevelDebug, "tago: realtime: connected",
			slog.String("path", sub.path), slog.Int("attempt", attempt))
	}
	if sub.opts.OnConnect != nil {
		sub.opts.OnConnect()
	}

	wd.r = resp.Body
	p := newSSEParser(wd, sub.opts.MaxEventSize)
	p.lastID = sub.lastID
	p.beforeRead = sub.queue.flush // the consumer gets what is parsed before we wait
	var slab dataSlab
	defer func() {
		sub.lastID = p.lastID
		if p.hasRetry {
			sub.retry = p.retry
		}
	}()
	for {
		ev, perr := p.next()
		delivered = delivered || wd.n > 0
		switch {
		case perr == nil:
			if !sub.queue.push(ctx, queued{ev: newEvent(ev, sub.only, sub.names, &slab)}) {
				return delivered, 0, ctx.Err(), true
			}
		case errors.Is(perr, errSSEEventTooLarge):
			if !sub.queue.push(ctx, queued{err: &GapError{TooLarge: 1}}) {
				return delivered, 0, ctx.Err(), true
			}
		case perr == io.EOF:
			return delivered, 0, fail(errors.New("the server closed the stream")), false
		default:
			return delivered, 0, fail(perr), false
		}
	}
}

// watchdog reads the response body, cancelling the connection when one read (or the
// wait for the response headers) lasts longer than d. Time between reads, while the
// consumer is busy, does not count.
type watchdog struct {
	r      io.Reader
	d      time.Duration
	cancel context.CancelFunc
	t      *time.Timer
	fired  atomic.Bool
	n      int64 // bytes read
}

func (w *watchdog) arm() {
	if w.d <= 0 {
		return
	}
	if w.t == nil {
		w.t = time.AfterFunc(w.d, func() { w.fired.Store(true); w.cancel() })
		return
	}
	w.t.Reset(w.d)
}

func (w *watchdog) disarm() {
	if w.t != nil {
		w.t.Stop()
	}
}

func (w *watchdog) stop() { w.disarm() }

// Read reads from the body under the deadline.
func (w *watchdog) Read(p []byte) (int, error) {
	w.arm()
	n, err := w.r.Read(p)
	w.disarm()
	w.n += int64(n)
	return n, err
}

// silentError reports a connection closed because it sent nothing for too long.
type silentError struct{ d time.Duration }

func (e *silentError) Error() string {
	return fmt.Sprintf("no data for %v: the connection counts as dead", e.d)
}

// Timeout reports true: the error is a timeout.
func (e *silentError) Timeout() bool { return true }

// redactQuery removes the client's token, also in its query-escaped form, from s.
func (c *Client) redactQuery(s string) string {
	s = c.redact(s, nil)
	if c.secret != nil {
		s = replaceSecret(s, url.QueryEscape(*c.secret))
	}
	return s
}

// RealtimeURL returns the URL of the realtime (Server-Sent Events) endpoint the client
// subscribes to, without a query.
func (c *Client) RealtimeURL() string { return c.sseURL }

// WithRealtimeURL sets the realtime (Server-Sent Events) endpoint, such as
// "https://sse.tago.io/events". A URL without a path gets "/events". Without it the
// endpoint follows the API base URL: https://sse.tago.io/events for api.tago.io (and
// api.us-e1.tago.io), https://sse.eu-w1.tago.io/events for api.eu-w1.tago.io, sse.X for
// any other api.X host of tago.io or of TagoIO Deploy (tagoio.net), and the base URL +
// "/events" for every other server (a self-hosted one, or tagotest). Plain http:// is
// refused on a non-loopback host unless [WithInsecureHTTP] is given.
func WithRealtimeURL(rawURL string) Option {
	return func(s *settings) error {
		s.sseURL = strings.TrimSpace(rawURL)
		return nil
	}
}

// realtimeURLFor returns the realtime endpoint: explicit when set (checked like a base
// URL), else derived from the API base URL.
func realtimeURLFor(base, explicit string, insecure bool) (string, error) {
	if explicit != "" {
		u, err := checkBaseURL(explicit, insecure)
		if err != nil {
			var in *InputError
			if errors.As(err, &in) {
				in.Field = "realtime URL"
			}
			return "", err
		}
		if p, _ := url.Parse(u); p != nil && (p.Path == "" || p.Path == "/") {
			u = strings.TrimRight(u, "/") + "/events"
		}
		return u, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", invalidf("base URL", "%q is not a URL", base)
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "api.tago.io" || host == "api.us-e1.tago.io":
		return "https://sse.tago.io/events", nil
	case strings.HasPrefix(host, "api.") && (strings.HasSuffix(host, ".tago.io") || strings.HasSuffix(host, ".tagoio.net")):
		return u.Scheme + "://sse." + u.Host[len("api."):] + "/events", nil
	default:
		return base + "/events", nil
	}
}
