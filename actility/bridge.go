package actility

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-tago/tago"
)

// BridgeConfig configures a [Bridge]. Only NetworkToken is required.
type BridgeConfig struct {
	// NetworkToken is a token of the TagoIO network the devices use (see
	// [tago.NetworksService.CreateToken]); it resolves device tokens. Required.
	NetworkToken string
	// HTTPClient sends every request to TagoIO; nil means a default client. One
	// connection pool is shared by the network client and all device clients.
	HTTPClient *http.Client
	// ClientOptions configure every TagoIO client the bridge makes: [tago.WithRegion]
	// or [tago.WithBaseURL], [tago.WithTimeout], [tago.WithRetryPolicy],
	// [tago.WithLogger]... Set HTTPClient rather than passing [tago.WithHTTPClient],
	// which would give each device its own connection pool.
	ClientOptions []tago.Option
	// Logger receives one line per uplink (DevEUI, frame counter, status, duration,
	// error). Nil discards. No line ever holds an authorization key or a token.
	Logger *slog.Logger
	// MaxBodyBytes bounds an uplink's body; larger ones get 413. Zero means 256 KiB.
	MaxBodyBytes int64
	// TokenTTL is how long a resolved device token is reused before it is resolved
	// again. Zero means 15 minutes. A token the platform rejects is dropped at once.
	TokenTTL time.Duration
	// Timeout bounds the handling of one uplink, retries included. It is not tied to
	// the caller's connection: an uplink whose sender hangs up is still finished. Zero
	// means 30 seconds.
	Timeout time.Duration
	// RetryAfter is the Retry-After sent with a 503 when the platform did not say how
	// long to wait. Zero means 30 seconds.
	RetryAfter time.Duration
	// SettleTime is how long the bridge waits, after a send whose outcome is unknown,
	// before it checks whether the platform stored the uplink; retries that come
	// sooner get 503 again. Zero means 10 seconds.
	SettleTime time.Duration
	// PendingTTL is how long the bridge remembers an uplink whose send had an unknown
	// outcome. Zero means 24 hours, the longest ThingPark X IoT Flow keeps a message.
	PendingTTL time.Duration
	// StoredTTL is how long the bridge remembers an uplink it stored, to answer a
	// repeated delivery (ThingPark gave up waiting for the first answer) without
	// storing it again. Zero means 1 hour.
	StoredTTL time.Duration
}

// Bridge is the network-server middleware between ThingPark and TagoIO, for people who
// run it themselves. It is an [http.Handler] for ThingPark's uplink POSTs: the body is
// a DevEUI_uplink message and the Authorization header holds the TagoIO service
// authorization key. For each uplink it resolves the device token for the DevEUI and
// the key ([tago.NetworksService.ResolveToken], cached per DevEUI and key), and sends
// [ToData]'s variables as that device.
//
// Answers (JSON, {"status": true, "result": ...} or {"status": false, "message": ...}):
//
//   - 200: stored, or already stored by an earlier delivery of the same uplink.
//   - 202: a well-formed ThingPark message that is not an uplink; ignored.
//   - 400: not a DevEUI_uplink message, no or an invalid DevEUI, no Authorization
//     header, or data the platform refuses.
//   - 401: the platform rejects the authorization key.
//   - 403: the platform refuses the device's data (inactive device, plan limit).
//   - 404: no device with that DevEUI for that key.
//   - 405: not a POST. 413: the body is larger than MaxBodyBytes.
//   - 503 with Retry-After: the platform is unreachable, failing or rate-limiting;
//     ThingPark retries later and nothing is lost.
//
// No reading is stored twice. Every variable of an uplink carries the group
// [Uplink.Group], the same for every delivery of the same uplink, and the bridge
// remembers each uplink by DevEUI and group:
//
//   - While an uplink is being handled, another delivery of it gets 503.
//   - Once stored, further deliveries (ThingPark stopped waiting for the first answer
//     and retried) get 200 without a send, for StoredTTL.
//   - When a send fails in a way that leaves unknown whether the platform stored it (a
//     timeout, a connection lost after the request went out, a 5xx), the bridge
//     answers 503. When ThingPark delivers the uplink again, after SettleTime, the
//     bridge first looks for that group on the device: found, it answers 200 without
//     sending; not found, it sends. If the device's token may not read data the check
//     cannot be made: the bridge then answers 200 without sending, and logs an error.
//
// The memory is in-process: an uplink whose send had an unknown outcome just before
// the bridge restarted can be stored twice.
//
// A Bridge is safe for concurrent use.
type Bridge struct {
	network   *tago.Client
	devOpts   []tago.Option
	log       *slog.Logger
	maxBody   int64
	tokenTTL  time.Duration
	timeout   time.Duration
	retry     time.Duration
	settle    time.Duration
	pendTTL   time.Duration
	storedTTL time.Duration
	mu        sync.Mutex
	tokens    map[tokenKey]*tokenEntry
	marks     map[string]mark // by DevEUI "/" group
	lastSweep time.Time
}

// mark is what the bridge remembers about one uplink.
type mark struct {
	state markState
	at    time.Time // when the state was entered (for unknown: when the failed send was)
	// verify is set on an in-flight delivery that must check before sending.
	verify bool
}

// markState is the state of one remembered uplink.
type markState uint8

const (
	inFlight markState = iota + 1 // being handled
	unknown                       // a send failed with an unknown outcome
	done                          // stored
)

// tokenKey identifies a cached device token: the DevEUI and a hash of the key, so the
// cache holds no key.
type tokenKey struct {
	devEUI string
	key    [sha256.Size]byte
}

// tokenEntry is a resolved device client, or a resolve in progress (done open).
type tokenEntry struct {
	done    chan struct{}
	client  *tago.Client
	err     error
	expires time.Time
}

// NewBridge returns a Bridge configured by cfg. It fails on a missing network token or
// a client option TagoIO's client refuses; it makes no request.
func NewBridge(cfg BridgeConfig) (*Bridge, error) {
	if strings.TrimSpace(cfg.NetworkToken) == "" {
		return nil, errors.New("actility: the bridge needs a network token")
	}
	hc := sharedClient(cfg.HTTPClient)
	opts := append([]tago.Option{tago.WithHTTPClient(hc)}, cfg.ClientOptions...)
	network, err := tago.NewClient(tago.NetworkToken(cfg.NetworkToken), opts...)
	if err != nil {
		return nil, fmt.Errorf("actility: the bridge's network client: %w", err)
	}
	b := &Bridge{
		network: network, devOpts: opts, log: cfg.Logger,
		maxBody: orDefault(cfg.MaxBodyBytes, 256<<10), tokenTTL: orDefault(cfg.TokenTTL, 15*time.Minute),
		timeout: orDefault(cfg.Timeout, 30*time.Second), retry: orDefault(cfg.RetryAfter, 30*time.Second),
		settle: orDefault(cfg.SettleTime, 10*time.Second), pendTTL: orDefault(cfg.PendingTTL, 24*time.Hour),
		storedTTL: orDefault(cfg.StoredTTL, time.Hour),
		tokens:    make(map[tokenKey]*tokenEntry), marks: make(map[string]mark),
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	return b, nil
}

// orDefault returns v, or def when v is not positive.
func orDefault[T int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// sharedClient returns hc, or without one a client with its own connection pool sized
// for many concurrent uplinks. TagoIO's client shares the transport it is given, so
// every device client of the bridge uses this one pool (and requires TLS 1.2).
func sharedClient(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return &http.Client{Transport: http.DefaultTransport}
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}

// outcome is the answer to one uplink and what to log about it.
type outcome struct {
	status     int
	retryAfter time.Duration
	message    string // the answer's result or message
	err        error  // logged, redacted
	stored     int
	state      markState // done: stored; unknown: may have been stored; 0: not stored
}

// ServeHTTP handles one ThingPark uplink POST.
func (b *Bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var u Uplink
	key := authorizationKey(r.Header.Get("Authorization"))
	out := b.handle(w, r, key, &u)

	level := slog.LevelInfo
	switch {
	case out.status >= 500:
		level = slog.LevelError
	case out.status >= 400:
		level = slog.LevelWarn
	}
	if out.err != nil && out.status < 300 {
		level = slog.LevelError // stored nothing on purpose after a failure: say so loudly
	}
	if b.log.Enabled(r.Context(), level) {
		attrs := []slog.Attr{slog.String("deveui", u.DevEUI), slog.Int("fcntup", u.FCntUp),
			slog.Int("status", out.status), slog.Int("stored", out.stored), slog.Duration("duration", time.Since(start))}
		if out.retryAfter > 0 {
			attrs = append(attrs, slog.Duration("retry_after", out.retryAfter))
		}
		if out.err != nil {
			attrs = append(attrs, slog.String("error", redactAll(out.err.Error(), key)))
		}
		b.log.LogAttrs(r.Context(), level, "actility: uplink", attrs...)
	}

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if out.status == http.StatusMethodNotAllowed {
		h.Set("Allow", "POST")
	}
	if out.status == http.StatusServiceUnavailable {
		secs := int((out.retryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	var body any
	if out.status < 300 {
		body = struct {
			Status bool   `json:"status"`
			Result string `json:"result"`
		}{true, out.message}
	} else {
		body = struct {
			Status  bool   `json:"status"`
			Message string `json:"message"`
		}{false, redactAll(out.message, key)}
	}
	w.WriteHeader(out.status)
	_ = json.NewEncoder(w).Encode(body)
}

// authorizationKey returns the key of an Authorization header: the value itself, or
// what follows "Bearer ".
func authorizationKey(h string) string {
	h = strings.TrimSpace(h)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		h = strings.TrimSpace(h[7:])
	}
	return h
}

// handle decides the answer to one uplink; it fills *u as soon as the body is parsed.
func (b *Bridge) handle(w http.ResponseWriter, r *http.Request, key string, u *Uplink) outcome {
	if r.Method != http.MethodPost {
		return outcome{status: http.StatusMethodNotAllowed, message: "ThingPark uplinks are POSTed"}
	}
	if key == "" {
		return outcome{status: http.StatusBadRequest, message: "missing Authorization header: ThingPark must send the TagoIO authorization key in it"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, b.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return outcome{status: http.StatusRequestEntityTooLarge, message: fmt.Sprintf("the body is larger than %d bytes", b.maxBody)}
		}
		return outcome{status: http.StatusBadRequest, message: "reading the body failed", err: err}
	}
	parsed, err := ParseUplink(body)
	if errors.Is(err, ErrNotUplink) {
		return outcome{status: http.StatusAccepted, message: "ignored: " + strings.TrimPrefix(err.Error(), ErrNotUplink.Error()+": ")}
	}
	if err != nil {
		return outcome{status: http.StatusBadRequest, message: err.Error()}
	}
	*u = parsed
	if strings.TrimSpace(u.DevEUI) == "" {
		return outcome{status: http.StatusBadRequest, message: "the uplink has no DevEUI"}
	}
	devEUI, err := NormalizeDevEUI(u.DevEUI)
	if err != nil {
		return outcome{status: http.StatusBadRequest, message: err.Error()}
	}
	u.DevEUI = devEUI
	if u.Time.IsZero() {
		u.Time = time.Now().UTC().Truncate(time.Millisecond) // arrival time, as the platform would use
	}

	// Finish the uplink even if ThingPark hangs up: a send cut halfway is the one
	// case that can lose or duplicate data.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), b.timeout)
	defer cancel()
	return b.deliver(ctx, key, u)
}

// deliver resolves the device and stores the uplink's variables on it, at most once.
func (b *Bridge) deliver(ctx context.Context, key string, u *Uplink) (out outcome) {
	tk := tokenKey{devEUI: u.DevEUI, key: sha256.Sum256([]byte(key))}
	c, err := b.deviceClient(ctx, tk, key)
	if err != nil {
		return b.resolveFailure(err, u.DevEUI)
	}
	group := u.Group()
	pk := u.DevEUI + "/" + group
	verify, early := b.claim(pk)
	if early != nil {
		return *early
	}
	// Deferred so that a panic cannot leave the uplink marked in flight for good; a
	// panic's zero outcome forgets it.
	defer func() { b.settleMark(pk, out) }()
	return b.store(ctx, tk, key, c, u, group, verify)
}

// store sends the uplink's variables, after checking the platform for an earlier
// delivery when verify is set. Its outcome's state tells settleMark what to remember.
func (b *Bridge) store(ctx context.Context, tk tokenKey, key string, c *tago.Client, u *Uplink, group string, verify bool) outcome {
	if verify {
		found, err := stored(ctx, c, group)
		switch {
		case err == nil && found:
			return outcome{status: http.StatusOK, message: "already stored", state: done}
		case err == nil: // not there: send it below
		case errors.Is(err, tago.ErrUnauthorized):
			b.forget(tk, c)
			return b.unavailable(err, 0, "the device token was rejected; try again", unknown)
		case transient(err):
			return b.unavailable(err, retryAfterOf(err), "the platform is unavailable; try again later", unknown)
		default:
			return outcome{status: http.StatusOK, state: done,
				err:     fmt.Errorf("not sent again, since whether an earlier delivery was stored cannot be checked: %w", err),
				message: "not sent again: an earlier delivery may have been stored"}
		}
	}

	points := ToData(*u)
	n, err := c.Data.Send(ctx, points...)
	if errors.Is(err, tago.ErrUnauthorized) {
		// The cached token was revoked; the platform processed nothing. Resolve anew once.
		b.forget(tk, c)
		if c, err = b.deviceClient(ctx, tk, key); err != nil {
			return b.resolveFailure(err, u.DevEUI)
		}
		n, err = c.Data.Send(ctx, points...)
	}
	if err == nil {
		return outcome{status: http.StatusOK, stored: n, message: strconv.Itoa(n) + " Data Added", state: done}
	}
	return b.sendFailure(err, tk, c, group != "")
}

// claim marks the uplink in flight. verify says an earlier send had an unknown
// outcome; a non-nil early outcome answers the delivery without sending.
func (b *Bridge) claim(pk string) (verify bool, early *outcome) {
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweepLocked(now)
	m, ok := b.marks[pk]
	switch {
	case !ok:
	case m.state == inFlight:
		return false, &outcome{status: http.StatusServiceUnavailable, retryAfter: b.settle,
			message: "this uplink is being handled; try again later"}
	case m.state == done && now.Sub(m.at) <= b.storedTTL:
		return false, &outcome{status: http.StatusOK, message: "already stored"}
	case m.state == unknown && now.Sub(m.at) <= b.pendTTL:
		if wait := b.settle - now.Sub(m.at); wait > 0 {
			return false, &outcome{status: http.StatusServiceUnavailable, retryAfter: wait,
				message: "an earlier delivery of this uplink may have been stored; it is checked once the platform has settled"}
		}
		b.marks[pk] = mark{state: inFlight, at: m.at, verify: true}
		return true, nil
	}
	b.marks[pk] = mark{state: inFlight, at: now}
	return false, nil
}

// settleMark records what the delivery of pk ended with.
func (b *Bridge) settleMark(pk string, out outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.marks[pk]
	switch out.state {
	case done:
		b.marks[pk] = mark{state: done, at: time.Now()}
	case unknown:
		if !m.verify { // a check that failed keeps the first failure's time
			m.at = time.Now()
		}
		b.marks[pk] = mark{state: unknown, at: m.at}
	default: // certainly not stored: forget it, the next delivery sends afresh
		delete(b.marks, pk)
	}
}

// resolveFailure maps a failed device token resolve to an answer.
func (b *Bridge) resolveFailure(err error, devEUI string) outcome {
	switch {
	case errors.Is(err, tago.ErrNotFound), errors.Is(err, tago.ErrBadRequest):
		return outcome{status: http.StatusNotFound, err: err,
			message: "no TagoIO device with serial " + devEUI + " for this authorization key"}
	case errors.Is(err, tago.ErrUnauthorized), errors.Is(err, tago.ErrForbidden), errors.Is(err, tago.ErrInvalidInput):
		return outcome{status: http.StatusUnauthorized, err: err, message: "the TagoIO authorization key was rejected"}
	case transient(err):
		return b.unavailable(err, retryAfterOf(err), "the platform is unavailable; try again later", 0)
	}
	return b.unavailable(err, 0, "resolving the device failed; try again later", 0)
}

// sendFailure maps a failed send to an answer. A failure the platform certainly did
// not process is answered for what it is; one it may have processed marks the uplink
// pending, so that its next delivery is checked before it is sent again.
func (b *Bridge) sendFailure(err error, tk tokenKey, c *tago.Client, grouped bool) outcome {
	var apiErr *tago.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatus >= 400 && apiErr.HTTPStatus < 500 {
		switch apiErr.HTTPStatus {
		case http.StatusTooManyRequests:
			return b.unavailable(err, apiErr.RetryAfter, "the platform is rate-limiting; try again later", 0)
		case http.StatusUnauthorized:
			b.forget(tk, c)
			return outcome{status: http.StatusUnauthorized, err: err, message: "the device token was rejected"}
		case http.StatusNotFound:
			b.forget(tk, c)
			return outcome{status: http.StatusNotFound, err: err, message: "the device no longer exists"}
		case http.StatusForbidden:
			return outcome{status: http.StatusForbidden, err: err, message: "the platform refused the data: " + apiErr.Message}
		}
		return outcome{status: http.StatusBadRequest, err: err, message: "the platform refused the data: " + apiErr.Message}
	}
	if errors.Is(err, tago.ErrInvalidInput) { // nothing was sent
		return outcome{status: http.StatusBadRequest, err: err, message: "the uplink's data cannot be stored: " + err.Error()}
	}
	if notSent(err) || !grouped {
		return b.unavailable(err, retryAfterOf(err), "the platform is unavailable; try again later", 0)
	}
	return b.unavailable(err, max(b.settle, retryAfterOf(err)), "the platform did not confirm the data; it is checked before being sent again", unknown)
}

// unavailable answers 503 with Retry-After: wait, or the bridge's default.
func (b *Bridge) unavailable(err error, wait time.Duration, msg string, state markState) outcome {
	if wait <= 0 {
		wait = b.retry
	}
	return outcome{status: http.StatusServiceUnavailable, retryAfter: wait, err: err, message: msg, state: state}
}

// transient reports an error worth retrying later: rate limits, server errors, no
// answer, or our own deadline.
func transient(err error) bool {
	var reqErr *tago.RequestError
	return errors.Is(err, tago.ErrRateLimited) || errors.Is(err, tago.ErrServer) || errors.As(err, &reqErr) ||
		errors.Is(err, context.DeadlineExceeded)
}

// notSent reports a send error after which the platform certainly holds nothing: a
// 503 with Retry-After (refused before processing) or a connection that was never
// opened.
func notSent(err error) bool {
	var apiErr *tago.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatus == http.StatusServiceUnavailable && apiErr.RetryAfter > 0
	}
	var reqErr *tago.RequestError
	if !errors.As(err, &reqErr) {
		return false
	}
	var op *net.OpError
	if errors.As(reqErr.Err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(reqErr.Err, &dns)
}

// retryAfterOf returns the platform's Retry-After carried by err, if any.
func retryAfterOf(err error) time.Duration {
	var apiErr *tago.APIError
	if errors.As(err, &apiErr) {
		return apiErr.RetryAfter
	}
	return 0
}

// stored reports whether the device holds a record of group.
func stored(ctx context.Context, c *tago.Client, group string) (bool, error) {
	recs, err := c.Data.Get(ctx, &tago.DataQuery{Groups: []string{group}, Qty: 1})
	return len(recs) > 0, err
}

// deviceClient returns a client holding the device token for tk, resolving it when it
// is not cached or has expired. Concurrent uplinks of one device share one resolve.
func (b *Bridge) deviceClient(ctx context.Context, tk tokenKey, key string) (*tago.Client, error) {
	now := time.Now()
	b.mu.Lock()
	if e := b.tokens[tk]; e != nil {
		select {
		case <-e.done:
			if e.err == nil && now.Before(e.expires) {
				b.mu.Unlock()
				return e.client, nil
			}
		default:
			b.mu.Unlock()
			select {
			case <-e.done:
				return e.client, e.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	e := &tokenEntry{done: make(chan struct{})}
	b.tokens[tk] = e
	b.sweepLocked(now)
	b.mu.Unlock()

	tok, err := b.network.Networks.ResolveToken(ctx, tk.devEUI, key)
	var c *tago.Client
	if err == nil {
		c, err = tago.NewClient(tago.DeviceToken(tok.Reveal()), b.devOpts...)
	}
	b.mu.Lock()
	e.client, e.err, e.expires = c, err, time.Now().Add(b.tokenTTL)
	if err != nil && b.tokens[tk] == e {
		delete(b.tokens, tk) // failures are not cached
	}
	close(e.done)
	b.mu.Unlock()
	return c, err
}

// forget drops the cached client for tk if it is still c.
func (b *Bridge) forget(tk tokenKey, c *tago.Client) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.tokens[tk]; e != nil && e.client == c {
		delete(b.tokens, tk)
	}
}

// sweepLocked drops expired tokens and marks, at most once a minute.
func (b *Bridge) sweepLocked(now time.Time) {
	if now.Sub(b.lastSweep) < time.Minute {
		return
	}
	b.lastSweep = now
	for k, e := range b.tokens {
		select {
		case <-e.done:
			if !now.Before(e.expires) {
				delete(b.tokens, k)
			}
		default:
		}
	}
	for k, m := range b.marks {
		if m.state == done && now.Sub(m.at) > b.storedTTL || m.state == unknown && now.Sub(m.at) > b.pendTTL {
			delete(b.marks, k)
		}
	}
}
