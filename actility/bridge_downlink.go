package actility

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-tago/tago"
)

// defaultDownlinkHosts are the hosts of ThingPark's public deployments.
var defaultDownlinkHosts = []string{"thingpark.io", "thingpark.com", "actility.com"}

// downlinkConfig is how a Bridge posts downlinks to ThingPark.
type downlinkConfig struct {
	fallback *tago.Secret // the configured downlink URL; behind a pointer, so that printing a Bridge never shows it
	hosts    []string
	http     *http.Client
}

// newDownlinkConfig checks the downlink settings of cfg.
func newDownlinkConfig(cfg BridgeConfig) (downlinkConfig, error) {
	d := downlinkConfig{hosts: cfg.DownlinkHosts, http: withoutRedirects(cfg.DownlinkClient, 30*time.Second)}
	if d.hosts == nil {
		d.hosts = defaultDownlinkHosts
	}
	raw := strings.TrimSpace(cfg.DownlinkURL.Reveal())
	if raw == "" {
		return d, nil
	}
	u, err := parseDownlinkURL(raw)
	if err != nil {
		return d, fmt.Errorf("actility: the bridge's downlink URL: %w", err)
	}
	if cfg.DownlinkHosts == nil {
		d.hosts = append(append([]string(nil), defaultDownlinkHosts...), u.Hostname())
	}
	if !hostAllowed(u.Hostname(), d.hosts) {
		return d, errors.New("actility: the bridge's downlink URL is not on one of the DownlinkHosts")
	}
	s := tago.Secret(u.String())
	d.fallback = &s
	return d, nil
}

// parseDownlinkURL checks that raw is an absolute https URL without credentials (plain
// http only on loopback hosts). Its errors never quote the URL, which is a credential.
func parseDownlinkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, errors.New("a downlink URL must be an absolute https URL without credentials")
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return nil, errors.New("a downlink URL must use https (plain http only on loopback hosts)")
	}
	return u, nil
}

// hostAllowed reports whether host is one of hosts or a subdomain of one.
func hostAllowed(host string, hosts []string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range hosts {
		h = strings.ToLower(strings.Trim(strings.TrimSpace(h), "."))
		if h != "" && (host == h || strings.HasSuffix(host, "."+h)) {
			return true
		}
	}
	return false
}

// downlinkCall is what TagoIO posts to a network's middleware for a downlink (see
// [QueueDownlink]); port is a number or a string.
type downlinkCall struct {
	Device        string          `json:"device"`
	Authorization string          `json:"authorization"`
	Payload       string          `json:"payload"`
	Port          json.RawMessage `json:"port"`
	Confirmed     json.RawMessage `json:"confirmed"`
}

// DownlinkHandler returns the handler of the downlink route that TagoIO's Actility
// middleware serves (POST https://{middleware_endpoint}/downlink, as [QueueDownlink]
// and TagoIO's own downlink helpers call it), so that a self-hosted bridge replaces
// the middleware in both directions. The body is
// {"device": DevEUI, "authorization": key, "payload": hex, "port": 1-223, "confirmed": bool}
// (the key may come in the authorization query parameter or the Authorization header
// instead).
//
// The handler resolves the device with the key, as for an uplink (a key that does not
// own the device is refused), finds the connection's downlink URL (the device's last
// downlinkurl record, which newer ThingPark X IoT Flow versions send with every
// uplink; else the authorization's additional parameter when it holds the URL, as
// Actility's guide has users set it; else BridgeConfig.DownlinkURL), and queues the
// frame by posting a
// DevEUI_downlink message there, as ThingPark documents. Answers: 200 queued; 400 a
// bad request; 401 and 404 as for uplinks; 409 no downlink URL known for the device;
// 502 ThingPark refused the downlink or could not be reached; 503 the platform is
// unavailable.
func (b *Bridge) DownlinkHandler() http.Handler { return http.HandlerFunc(b.serveDownlink) }

// serveDownlink handles one downlink request.
func (b *Bridge) serveDownlink(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var devEUI string
	var port int
	out, secrets := b.handleDownlink(w, r, &devEUI, &port)
	level := slog.LevelInfo
	switch {
	case out.status >= 500:
		level = slog.LevelError
	case out.status >= 400:
		level = slog.LevelWarn
	}
	if b.log.Enabled(r.Context(), level) {
		attrs := []slog.Attr{slog.String("deveui", devEUI), slog.Int("port", port), slog.Int("status", out.status),
			slog.Duration("duration", time.Since(start))}
		if out.err != nil {
			attrs = append(attrs, slog.String("error", redactAll(out.err.Error(), secrets...)))
		}
		b.log.LogAttrs(r.Context(), level, "actility: downlink", attrs...)
	}
	writeAnswer(w, out, secrets)
}

// handleDownlink decides the answer to a downlink request; it returns the secrets to
// keep out of the answer and the log.
func (b *Bridge) handleDownlink(w http.ResponseWriter, r *http.Request, devEUI *string, port *int) (outcome, []string) {
	secrets := requestKeys(r, "")
	if r.Method != http.MethodPost {
		return outcome{status: http.StatusMethodNotAllowed, message: "downlinks are POSTed"}, secrets
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, b.maxBody))
	if err != nil {
		return outcome{status: http.StatusRequestEntityTooLarge, message: fmt.Sprintf("the body is larger than %d bytes", b.maxBody)}, secrets
	}
	var call downlinkCall
	if err := json.Unmarshal(body, &call); err != nil {
		return outcome{status: http.StatusBadRequest, message: `the body must be a JSON object {"device", "authorization", "payload", "port", "confirmed"}`}, secrets
	}
	keys := requestKeys(r, call.Authorization)
	secrets = keys
	key, bad := oneKey(keys)
	if bad != nil {
		return *bad, secrets
	}
	dev, err := NormalizeDevEUI(call.Device)
	if err != nil {
		return outcome{status: http.StatusBadRequest, message: "device: " + err.Error()}, secrets
	}
	*devEUI = dev
	payload := strings.TrimSpace(call.Payload)
	if _, err := hex.DecodeString(payload); err != nil || payload == "" {
		return outcome{status: http.StatusBadRequest, message: "payload must be a non-empty, even number of hexadecimal digits"}, secrets
	}
	var p int
	if err := decodeValue(call.Port, &p); err != nil || p < 1 || p > 223 {
		return outcome{status: http.StatusBadRequest, message: "port must be 1 to 223"}, secrets
	}
	*port = p
	var confirmed *bool
	if err := decodeValue(call.Confirmed, &confirmed); err != nil {
		return outcome{status: http.StatusBadRequest, message: "confirmed must be true or false"}, secrets
	}

	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), b.timeout)
	defer cancel()
	tk := tokenKey{devEUI: dev, key: sha256.Sum256([]byte(key))}
	c, err := b.deviceClient(ctx, b.source(r), tk, key)
	if err != nil {
		return b.resolveFailure(err, dev), secrets
	}
	target, out := b.downlinkTarget(ctx, tk, c, key)
	if out != nil {
		return *out, secrets
	}
	secrets = append(secrets, target, lastSegment(target))
	msg, err := Downlink{Time: time.Now(), DevEUI: dev, FPort: p, PayloadHex: payload, Confirmed: confirmed}.Message()
	if err != nil {
		return outcome{status: http.StatusBadRequest, message: err.Error()}, secrets
	}
	return b.postToThingPark(ctx, target, msg), secrets
}

// downlinkTarget returns the downlink URL of the device's connection, or the answer
// when there is none to use: the device's last downlinkurl record, else the
// authorization's additional parameter when it is one (where Actility's guide has users
// paste the connection's downlink URL), else the configured one.
func (b *Bridge) downlinkTarget(ctx context.Context, tk tokenKey, c *tago.Client, key string) (string, *outcome) {
	recs, err := c.Data.Get(ctx, &tago.DataQuery{Variables: []string{"downlinkurl"}, Qty: 1})
	switch {
	case err == nil:
	case errors.Is(err, tago.ErrUnauthorized):
		b.forget(tk, c)
		out := b.unavailable(err, 0, "the device token was rejected; try again")
		return "", &out
	case transient(err):
		out := b.unavailable(err, retryAfterOf(err), "the platform is unavailable; try again later")
		return "", &out
	default:
		recs = nil // the token may not read data: only the configured URL can serve
	}
	if len(recs) > 0 {
		raw, _ := recs[0].Value.(string)
		u, err := parseDownlinkURL(strings.TrimSpace(raw))
		if err != nil || !hostAllowed(u.Hostname(), b.down.hosts) {
			return "", &outcome{status: http.StatusConflict,
				message: "the device's downlinkurl is not an https URL of an allowed ThingPark host (DownlinkHosts)"}
		}
		return u.String(), nil
	}
	if target := b.authorizationDownlinkURL(ctx, key); target != "" {
		return target, nil
	}
	if b.down.fallback != nil {
		return b.down.fallback.Reveal(), nil
	}
	return "", &outcome{status: http.StatusConflict,
		message: "no ThingPark downlink URL is known for this device: newer ThingPark X IoT Flow versions send it (downlinkUrl) with every uplink, so wait for one, or configure the connection's downlink URL on the bridge"}
}

// authorizationDownlinkURL returns the service authorization's additional parameter
// when it is an https URL of an allowed ThingPark host, read with the key itself as the
// token (GET /info); "" otherwise, or when the platform does not answer.
func (b *Bridge) authorizationDownlinkURL(ctx context.Context, key string) string {
	ac, err := tago.NewClient(tago.AuthorizationToken(key), b.devOpts...)
	if err != nil {
		return ""
	}
	info, err := ac.Authorizations.Current(ctx)
	if err != nil {
		return ""
	}
	u, err := parseDownlinkURL(strings.TrimSpace(info.VerificationCode.Reveal()))
	if err != nil || !hostAllowed(u.Hostname(), b.down.hosts) {
		return ""
	}
	return u.String()
}

// postToThingPark posts a DevEUI_downlink message to a connection's downlink URL.
func (b *Bridge) postToThingPark(ctx context.Context, target string, msg []byte) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(msg))
	if err != nil {
		return outcome{status: http.StatusBadGateway, message: "the downlink URL cannot be used"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := b.down.http.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text repeats the URL
		}
		return outcome{status: http.StatusBadGateway, err: err, message: "ThingPark could not be reached"}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return outcome{status: http.StatusOK, message: "Downlink queued on ThingPark"}
	}
	msgText := "ThingPark refused the downlink: " + strconv.Itoa(resp.StatusCode)
	if detail := errorMessage(answer); detail != "" {
		msgText += " " + detail
	}
	return outcome{status: http.StatusBadGateway, message: msgText,
		err: fmt.Errorf("thingpark answered %d", resp.StatusCode)}
}

// lastSegment returns the last path segment of a URL (a downlink URL's connection ID).
func lastSegment(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.Path, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 && len(p)-i > 8 {
		return p[i+1:]
	}
	return ""
}
