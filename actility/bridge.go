package actility

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/spool"
)

// BridgeConfig configures a [Bridge]. Only NetworkToken is required.
//
// Printing, logging or marshaling a BridgeConfig never shows its secrets.
type BridgeConfig struct {
	// NetworkToken is a token of the TagoIO network the devices use (see
	// [tago.NetworksService.CreateToken]); it resolves device tokens. Required.
	NetworkToken tago.Secret
	// HTTPClient sends every request to TagoIO; nil means a default client. One
	// connection pool is shared by the network client and all device clients.
	HTTPClient *http.Client
	// ClientOptions configure every TagoIO client the bridge makes: [tago.WithRegion]
	// or [tago.WithBaseURL], [tago.WithTimeout], [tago.WithRetryPolicy],
	// [tago.WithLogger]... Set HTTPClient rather than passing [tago.WithHTTPClient],
	// which would give each device its own connection pool.
	ClientOptions []tago.Option
	// Logger receives one line per message (kind, DevEUI, frame counter, status,
	// duration, error) and per downlink. Nil discards. No line ever holds an
	// authorization key, a token or a downlink URL.
	Logger *slog.Logger
	// MaxBodyBytes bounds a message's body; larger ones get 413. Zero means 256 KiB.
	MaxBodyBytes int64
	// TokenTTL is how long a resolved device token is reused before it is resolved
	// again. Zero means 15 minutes. A token the platform rejects is dropped at once.
	TokenTTL time.Duration
	// Timeout bounds the handling of one message, retries included. It is not tied to
	// the caller's connection: a message whose sender hangs up is still finished. Zero
	// means 30 seconds.
	Timeout time.Duration
	// RetryAfter is the Retry-After sent with a 503 when the platform did not say how
	// long to wait. Zero means 30 seconds.
	RetryAfter time.Duration
	// SettleTime is how long the bridge waits, after a send whose outcome is unknown,
	// before it checks whether the platform stored the message; deliveries that come
	// sooner get 503 again. Zero means 10 seconds.
	SettleTime time.Duration
	// Deliveries is the bridge's memory of the messages it sent, which keeps a
	// redelivered message from being stored twice. Nil means a [MemoryLog] with its
	// default bounds (a day, a million messages), which a restart forgets: the bridge
	// then checks the platform before storing a message older than itself. An
	// [OpenDeliveryFile] keeps the memory across restarts.
	Deliveries DeliveryLog
	// Spool, when set, makes the bridge answer ThingPark as soon as a message's records
	// are durable in the spool (200 "N Data queued"), and leaves their delivery to
	// TagoIO, in order and exactly once, to the spool: run it with the bridge's route,
	// go sp.Run(ctx, bridge.Route()). The bridge then keeps its memory of the messages
	// it accepted in the spool's file (Deliveries is not used), written in the same
	// commit as their records, so that a redelivery is never stored twice, across
	// restarts and crashes too; and the device tokens it resolved, encrypted with a key
	// derived from the network token, so that after a restart the spool delivers
	// without waiting for each device's next message. A device must still be resolved
	// (the platform reachable) when its first message reaches the bridge.
	Spool *spool.Spool
	// FailedResolveTTL is how long a resolve the platform refused (an unknown device,
	// a rejected key) is remembered and answered without asking again; a rejected key
	// is refused for every DevEUI meanwhile. Zero means 1 minute.
	FailedResolveTTL time.Duration
	// SourceBurst and SourceRefill are the budget of failed resolves of one source
	// (see Source): resolves with a key the platform has not accepted in the last day
	// spend one when refused, and a source that spent them all is answered 503 without
	// a resolve until one more is earned, every SourceRefill. Keys the platform
	// accepted are never limited. Zero means 10 and 6 seconds (10 a minute).
	SourceBurst  int
	SourceRefill time.Duration
	// Source returns the address a request comes from, for the budget above. Nil
	// means the host of r.RemoteAddr; behind a reverse proxy, return the client
	// address the proxy forwards.
	Source func(r *http.Request) string
	// DownlinkURL is the ThingPark X IoT Flow downlink URL of the connection
	// (https://<thingpark>/iot-flow/downlinkMessages/<id>, shown on the connection's
	// page), used by [Bridge.DownlinkHandler] for devices whose uplinks did not bring
	// their own downlinkUrl. It is a credential: whoever has it can send downlinks.
	DownlinkURL tago.Secret
	// DownlinkHosts are the hosts downlinks may be posted to (a name matches itself
	// and its subdomains). Nil means thingpark.io, thingpark.com and actility.com,
	// and the host of DownlinkURL.
	DownlinkHosts []string
	// DownlinkClient posts downlinks to ThingPark; nil means a client with a
	// 30-second timeout. It never follows a redirect.
	DownlinkClient *http.Client
}

// MarshalJSON writes the configuration's settings with its secrets masked, for logs.
func (c BridgeConfig) MarshalJSON() ([]byte, error) {
	return json.Marshal(c.summary())
}

// LogValue logs the configuration's settings with its secrets masked.
func (c BridgeConfig) LogValue() slog.Value {
	s := c.summary()
	return slog.GroupValue(slog.String("network_token", s.NetworkToken), slog.Int64("max_body_bytes", s.MaxBodyBytes),
		slog.String("token_ttl", s.TokenTTL), slog.String("timeout", s.Timeout), slog.String("deliveries", s.Deliveries),
		slog.String("downlink_url", s.DownlinkURL), slog.Any("downlink_hosts", s.DownlinkHosts))
}

// bridgeSummary is the logged form of a BridgeConfig.
type bridgeSummary struct {
	NetworkToken     string   `json:"network_token"`
	MaxBodyBytes     int64    `json:"max_body_bytes,omitempty"`
	TokenTTL         string   `json:"token_ttl,omitempty"`
	Timeout          string   `json:"timeout,omitempty"`
	RetryAfter       string   `json:"retry_after,omitempty"`
	SettleTime       string   `json:"settle_time,omitempty"`
	Deliveries       string   `json:"deliveries"`
	FailedResolveTTL string   `json:"failed_resolve_ttl,omitempty"`
	SourceBurst      int      `json:"source_burst,omitempty"`
	SourceRefill     string   `json:"source_refill,omitempty"`
	DownlinkURL      string   `json:"downlink_url,omitempty"`
	DownlinkHosts    []string `json:"downlink_hosts,omitempty"`
}

// summary returns the logged form of c.
func (c BridgeConfig) summary() bridgeSummary {
	dur := func(d time.Duration) string {
		if d <= 0 {
			return ""
		}
		return d.String()
	}
	s := bridgeSummary{NetworkToken: c.NetworkToken.String(), MaxBodyBytes: c.MaxBodyBytes, TokenTTL: dur(c.TokenTTL),
		Timeout: dur(c.Timeout), RetryAfter: dur(c.RetryAfter), SettleTime: dur(c.SettleTime), Deliveries: "memory",
		FailedResolveTTL: dur(c.FailedResolveTTL), SourceBurst: c.SourceBurst, SourceRefill: dur(c.SourceRefill),
		DownlinkURL: c.DownlinkURL.String(), DownlinkHosts: c.DownlinkHosts}
	if c.Deliveries != nil {
		s.Deliveries = fmt.Sprintf("%T", c.Deliveries)
	}
	return s
}

// Bridge is the network-server middleware between ThingPark and TagoIO, for people who
// run it themselves. It is an [http.Handler] for the POSTs of a ThingPark X IoT Flow
// connection to TagoIO, whose destination URL is https://<host>/uplink?authorization=<key>
// with the TagoIO service authorization key (the Authorization header is accepted too;
// a request with two different keys is refused). The body is an uplink or a location
// message ([ParseMessage]); the bridge resolves the device token for the DevEUI and the
// key ([tago.NetworksService.ResolveToken], cached per DevEUI and key), and sends
// [ToData]'s records as that device. [Bridge.DownlinkHandler] serves the other
// direction.
//
// Answers (JSON, {"status": true, "result": ...} or {"status": false, "message": ...}):
//
//   - 200: stored, or already stored by an earlier delivery of the same message.
//   - 202: a well-formed ThingPark message of a kind TagoIO does not store
//     (DevEUI_notification, DevEUI_downlink_Sent, ...): acknowledged, logged, ignored.
//   - 400: not a ThingPark message, no or an invalid DevEUI, no authorization key or
//     two different ones, or data the platform refuses.
//   - 401: the platform rejects the authorization key.
//   - 403: the platform refuses the device's data (inactive device, plan limit).
//   - 404: no device with that DevEUI for that key.
//   - 405: not a POST. 413: the body is larger than MaxBodyBytes.
//   - 503 with Retry-After: the platform is unreachable, failing or rate-limiting, or
//     the sender's budget of rejected keys is spent; ThingPark retries later and
//     nothing is lost.
//
// No message is stored twice. Every record of a message carries its group (see
// [Uplink.Group], [LocationMessage.Group]), the same for every delivery of the message,
// and the bridge keeps in its [DeliveryLog] what it did with each (DevEUI, group, key):
//
//   - While a message is being handled, another delivery of it gets 503.
//   - Before a send it records the message pending; after a success, stored. Further
//     deliveries of a stored message get 200 without a send, for as long as the log
//     keeps it (a day by default).
//   - When a send fails in a way that leaves unknown whether the platform stored it (a
//     timeout, a connection lost after the request went out, a 5xx), or the process
//     stopped during it, the record stays pending and the bridge answers 503. When
//     ThingPark delivers the message again, after SettleTime, the bridge first looks
//     for that group on the device: found, it answers 200 without sending; not found,
//     it sends. If the device's token may not read data the check cannot be made: the
//     bridge then answers 200 without sending, and logs an error.
//
// With a [DeliveryFile] this holds across restarts. With the default in-memory log a
// restart forgets, so the bridge looks for the group on the platform before storing a
// message older than the process (or, for one without a time, during its first day).
//
// Forged keys cost little: a refused resolve is remembered for FailedResolveTTL, and
// each source has a small budget of refused resolves (SourceBurst, SourceRefill).
//
// A Bridge is safe for concurrent use.
type Bridge struct {
	network    *tago.Client
	devOpts    []tago.Option
	log        *slog.Logger
	maxBody    int64
	tokenTTL   time.Duration
	timeout    time.Duration
	retry      time.Duration
	settle     time.Duration
	failTTL    time.Duration
	srcBurst   int
	srcRefill  time.Duration
	source     func(*http.Request) string
	deliveries DeliveryLog
	spooled    *spooled // with BridgeConfig.Spool
	volatile   bool     // deliveries forgets on restart
	started    time.Time
	down       downlinkConfig

	mu        sync.Mutex
	tokens    map[tokenKey]*tokenEntry
	rejected  map[[32]byte]rejection // keys the platform rejected, by hash
	accepted  map[[32]byte]time.Time // keys the platform accepted, by hash
	sources   map[string]*sourceBucket
	inflight  map[string]bool // messages being handled, by log key
	lastSweep time.Time
}

// NewBridge returns a Bridge configured by cfg. It fails on a missing network token, a
// client option TagoIO's client refuses or a downlink URL that is not an https URL of
// an allowed host; it makes no request.
func NewBridge(cfg BridgeConfig) (*Bridge, error) {
	tok := strings.TrimSpace(cfg.NetworkToken.Reveal())
	if tok == "" {
		return nil, errors.New("actility: the bridge needs a network token")
	}
	hc := sharedClient(cfg.HTTPClient)
	opts := append([]tago.Option{tago.WithHTTPClient(hc)}, cfg.ClientOptions...)
	network, err := tago.NewClient(tago.NetworkToken(tok), opts...)
	if err != nil {
		return nil, fmt.Errorf("actility: the bridge's network client: %w", err)
	}
	down, err := newDownlinkConfig(cfg)
	if err != nil {
		return nil, err
	}
	b := &Bridge{
		network: network, devOpts: opts, log: cfg.Logger,
		maxBody: orDefault(cfg.MaxBodyBytes, 256<<10), tokenTTL: orDefault(cfg.TokenTTL, 15*time.Minute),
		timeout: orDefault(cfg.Timeout, 30*time.Second), retry: orDefault(cfg.RetryAfter, 30*time.Second),
		settle: orDefault(cfg.SettleTime, 10*time.Second), failTTL: orDefault(cfg.FailedResolveTTL, time.Minute),
		srcBurst: int(orDefault(int64(cfg.SourceBurst), 10)), srcRefill: orDefault(cfg.SourceRefill, 6*time.Second),
		source: cfg.Source, deliveries: cfg.Deliveries, started: time.Now(), down: down,
		tokens: make(map[tokenKey]*tokenEntry), rejected: make(map[[32]byte]rejection),
		accepted: make(map[[32]byte]time.Time), sources: make(map[string]*sourceBucket),
		inflight: make(map[string]bool),
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.source == nil {
		b.source = remoteHost
	}
	if b.deliveries == nil {
		b.deliveries = NewMemoryLog(DeliveryLogConfig{})
	}
	if cfg.Spool != nil {
		if b.spooled, err = newSpooled(cfg.Spool, tok); err != nil {
			return nil, fmt.Errorf("actility: the bridge's spool: %w", err)
		}
	}
	_, b.volatile = b.deliveries.(*MemoryLog)
	return b, nil
}

// String describes the bridge, without any of its secrets.
func (b *Bridge) String() string {
	if b == nil {
		return "actility.Bridge(nil)"
	}
	return fmt.Sprintf("actility.Bridge(deliveries %T)", b.deliveries)
}

// Format writes String for every verb, so that fmt never prints the bridge's fields
// (its TagoIO client holds the network token).
func (b *Bridge) Format(f fmt.State, verb rune) { writeFormatted(f, verb, b.String()) }

// LogValue logs String.
func (b *Bridge) LogValue() slog.Value { return slog.StringValue(b.String()) }

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
		return &http.Client{Transport: http.DefaultTransport, CheckRedirect: noRedirect}
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t, CheckRedirect: noRedirect}
}

// noRedirect is the CheckRedirect of every HTTP client of the package: a redirect
// would resend a key or token to wherever the server points, so it is answered as it
// is.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// withoutRedirects returns a copy of hc (or of a client with timeout, when hc is nil)
// that does not follow redirects; hc itself is left alone.
func withoutRedirects(hc *http.Client, timeout time.Duration) *http.Client {
	if hc == nil {
		return &http.Client{Timeout: timeout, CheckRedirect: noRedirect}
	}
	c := *hc
	c.CheckRedirect = noRedirect
	return &c
}

// outcome is the answer to one message and what to log about it.
type outcome struct {
	status     int
	retryAfter time.Duration
	message    string // the answer's result or message
	err        error  // logged, redacted
	stored     int
}

// logInfo is what the log line says about the message.
type logInfo struct {
	kind, devEUI string
	fcntUp       *int
}

// ServeHTTP handles one POST of ThingPark.
func (b *Bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	keys := requestKeys(r, "")
	info := logInfo{kind: "message"}
	out := b.handle(w, r, keys, &info)

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
		msg := "actility: " + info.kind
		if out.status == http.StatusAccepted {
			msg = "actility: not stored: " + info.kind + " messages are not stored"
		}
		attrs := []slog.Attr{slog.String("kind", info.kind), slog.String("deveui", info.devEUI)}
		if info.fcntUp != nil {
			attrs = append(attrs, slog.Int("fcntup", *info.fcntUp))
		}
		attrs = append(attrs, slog.Int("status", out.status), slog.Int("stored", out.stored),
			slog.Duration("duration", time.Since(start)))
		if out.retryAfter > 0 {
			attrs = append(attrs, slog.Duration("retry_after", out.retryAfter))
		}
		if out.err != nil {
			attrs = append(attrs, slog.String("error", redactAll(out.err.Error(), keys...)))
		}
		b.log.LogAttrs(r.Context(), level, msg, attrs...)
	}
	writeAnswer(w, out, keys)
}

// writeAnswer writes the JSON answer of out, with every key redacted.
func writeAnswer(w http.ResponseWriter, out outcome, keys []string) {
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
		}{true, redactAll(out.message, keys...)}
	} else {
		body = struct {
			Status  bool   `json:"status"`
			Message string `json:"message"`
		}{false, redactAll(out.message, keys...)}
	}
	w.WriteHeader(out.status)
	_ = json.NewEncoder(w).Encode(body)
}

// requestKeys returns the authorization keys a request carries, in the order found:
// the authorization query parameters (each value), the Authorization header (the value
// itself, or what follows "Bearer "), and extra when not empty. Empty values are left
// out; duplicates are kept, for oneKey to compare.
func requestKeys(r *http.Request, extra string) []string {
	var keys []string
	for _, v := range r.URL.Query()["authorization"] {
		if v = strings.TrimSpace(v); v != "" {
			keys = append(keys, v)
		}
	}
	for _, h := range r.Header.Values("Authorization") {
		h = strings.TrimSpace(h)
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			h = strings.TrimSpace(h[7:])
		}
		if h != "" {
			keys = append(keys, h)
		}
	}
	if extra = strings.TrimSpace(extra); extra != "" {
		keys = append(keys, extra)
	}
	return keys
}

// oneKey returns the request's key, or the answer to a request with none or with two
// different ones.
func oneKey(keys []string) (string, *outcome) {
	if len(keys) == 0 {
		return "", &outcome{status: http.StatusBadRequest,
			message: "missing authorization key: ThingPark must send the TagoIO authorization key as the authorization query parameter (https://<host>/uplink?authorization=<key>) or in the Authorization header"}
	}
	for _, k := range keys[1:] {
		if k != keys[0] {
			return "", &outcome{status: http.StatusBadRequest, message: "the request carries two different authorization keys"}
		}
	}
	return keys[0], nil
}

// handle decides the answer to one message; it fills *info as soon as the body is
// parsed.
func (b *Bridge) handle(w http.ResponseWriter, r *http.Request, keys []string, info *logInfo) outcome {
	if r.Method != http.MethodPost {
		return outcome{status: http.StatusMethodNotAllowed, message: "ThingPark messages are POSTed"}
	}
	key, bad := oneKey(keys)
	if bad != nil {
		return *bad
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, b.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return outcome{status: http.StatusRequestEntityTooLarge, message: fmt.Sprintf("the body is larger than %d bytes", b.maxBody)}
		}
		return outcome{status: http.StatusBadRequest, message: "reading the body failed", err: err}
	}
	m, err := ParseMessage(body)
	var kindErr *KindError
	if errors.As(err, &kindErr) {
		info.kind, info.devEUI = kindErr.Kind, kindErr.DevEUI
		return outcome{status: http.StatusAccepted, message: "ignored: " + strings.TrimPrefix(kindErr.Error(), "actility: ")}
	}
	if err != nil {
		return outcome{status: http.StatusBadRequest, message: err.Error()}
	}
	what := "uplink"
	switch m := m.(type) {
	case Uplink:
		info.kind, info.devEUI, info.fcntUp = "uplink", m.DevEUI, m.FCntUp
	case LocationMessage:
		info.kind, info.devEUI, what = "location", m.DeviceEUI, "location message"
	}
	if strings.TrimSpace(m.EUI()) == "" {
		return outcome{status: http.StatusBadRequest, message: "the " + what + " has no DevEUI"}
	}
	devEUI, err := NormalizeDevEUI(m.EUI())
	if err != nil {
		return outcome{status: http.StatusBadRequest, message: err.Error()}
	}
	info.devEUI = devEUI

	// Finish the message even if ThingPark hangs up: a send cut halfway is the one
	// case that can lose or duplicate data.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), b.timeout)
	defer cancel()
	return b.deliver(ctx, b.source(r), key, devEUI, m)
}
