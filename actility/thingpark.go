package actility

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-tago/tago"
)

// The fixed parts of a ThingPark X IoT Flow connection to TagoIO.
const (
	// ConnectorID is the IoT Flow connector of a TagoIO connection.
	ConnectorID = "actility-http-iot"
	// BrandTago is the IoT Flow brand that presets the connector for TagoIO.
	BrandTago = "TAGO"
)

// ThingParkClient manages the ThingPark X IoT Flow connections that send a subscriber's
// uplinks to TagoIO. Every ThingPark deployment has its own domain, so the base URL is
// the caller's: the DX API's prefix under which /connections lives, such as
// "https://community.thingpark.io/thingpark/dx/core/latest/api". Calls carry the
// caller's OAuth bearer token; the client never follows a redirect, which would send
// the token (and the connection's key) elsewhere. It makes no retries: these are rare,
// human-driven calls. Printing or logging a ThingParkClient never shows its token. A
// ThingParkClient is safe for concurrent use.
type ThingParkClient struct {
	base  string       // no trailing slash
	token *tago.Secret // behind a pointer, so that fmt's reflection never prints it
	http  *http.Client
}

// NewThingParkClient returns a client for the ThingPark API at baseURL, authenticated by
// bearerToken. hc sends the requests (a copy of it that does not follow redirects);
// nil means a client with a 60-second timeout. Plain http:// is refused except on
// loopback hosts (tests).
func NewThingParkClient(baseURL, bearerToken string, hc *http.Client) (*ThingParkClient, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("actility: the ThingPark base URL must be an absolute https URL without credentials, query or fragment")
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return nil, errors.New("actility: the ThingPark base URL must use https (plain http only on loopback hosts)")
	}
	bearerToken = strings.TrimSpace(bearerToken)
	if bearerToken == "" || strings.ContainsAny(bearerToken, " \t\r\n") {
		return nil, errors.New("actility: the ThingPark bearer token must be non-empty, without white space")
	}
	tok := tago.Secret(bearerToken)
	return &ThingParkClient{base: strings.TrimRight(u.String(), "/"), token: &tok, http: withoutRedirects(hc, 60*time.Second)}, nil
}

// String describes the client by its base URL, without its token.
func (c *ThingParkClient) String() string {
	if c == nil {
		return "actility.ThingParkClient(nil)"
	}
	return "actility.ThingParkClient(" + c.base + ")"
}

// GoString is String, for %#v.
func (c *ThingParkClient) GoString() string { return c.String() }

// LogValue logs the client's base URL, without its token.
func (c *ThingParkClient) LogValue() slog.Value { return slog.StringValue(c.String()) }

// DefaultUplinkURL is where a TagoIO connection sends uplinks unless its request says
// otherwise: TagoIO's Actility middleware in the us-e1 region. The eu-w1 region's is
// "https://actility.middleware.eu-w1.tago.io/uplink"; a self-hosted [Bridge] has its own.
const DefaultUplinkURL = "https://actility.middleware.tago.io/uplink"

// ConnectionRequest describes a TagoIO connection to create, or the whole of one to
// update: ThingPark replaces a connection's configuration on update, so send every
// property again ([Connection.Request] gives back what a connection holds). ConnectorID
// and Brand are always [ConnectorID] and [BrandTago].
//
// ThingPark's connector for TagoIO posts to the configuration's destinationURL, which
// carries the key in its query, as Actility documents it:
// https://actility.middleware.tago.io/uplink?authorization=<key>. The request builds
// it from UplinkURL and AuthorizationKey. Printing, logging or marshaling a
// ConnectionRequest shows the key (and members named like a key, token, password,
// secret or authorization) masked; only the request ThingPark receives holds them.
type ConnectionRequest struct {
	// Name labels the connection. Required.
	Name string
	// AuthorizationKey is the TagoIO service authorization key ThingPark sends with
	// every uplink, such as the Token of a [tago.Authorization]. Required.
	AuthorizationKey tago.Secret
	// UplinkURL is where ThingPark posts the uplinks, without the key: TagoIO's
	// middleware of the profile's region, or a self-hosted [Bridge] (such as
	// "https://bridge.example.com/uplink"). Empty means [DefaultUplinkURL].
	UplinkURL string
	// Description is the configuration's optional description.
	Description string
	// Active enables or disables the connection; nil lets ThingPark choose (enabled).
	Active *bool
	// Configuration holds other members of the configuration, sent as they are.
	Configuration map[string]json.RawMessage
	// Extra holds other connection properties (such as alarms), sent as they are.
	Extra map[string]json.RawMessage
}

// Connection is a ThingPark X IoT Flow connection as ThingPark returns it. Printing,
// logging or marshaling a Connection shows its key masked.
type Connection struct {
	// ID is the connection's ID.
	ID string
	// Name labels the connection.
	Name string
	// ConnectorID is the connection's connector, [ConnectorID] for TagoIO.
	ConnectorID string
	// Brand is the connector's preset, [BrandTago] for TagoIO.
	Brand string
	// State is the connection's state, such as "OPENED".
	State string
	// Active says whether the connection is enabled, when ThingPark says.
	Active *bool
	// AuthorizationKey is the key of configuration.destinationURL's authorization
	// query parameter (or of configuration.authorizationKey, on connections made the
	// way Actility documented until 2022-04).
	AuthorizationKey tago.Secret
	// UplinkURL is configuration.destinationURL without the key.
	UplinkURL string
	// Description is configuration.description.
	Description string
	// Configuration holds the configuration's other members, as received.
	Configuration map[string]json.RawMessage
	// Extra holds the connection's other properties, as received.
	Extra map[string]json.RawMessage
}

// String describes the connection without its authorization key.
func (c Connection) String() string {
	return fmt.Sprintf("connection %q (%s, %s/%s, %s)", c.Name, c.ID, c.ConnectorID, c.Brand, c.State)
}

// Format writes the connection as String does for every verb, and its JSON with the
// key masked for %#v, so that no verb reveals a secret.
func (c Connection) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		b, _ := c.MarshalJSON()
		_, _ = fmt.Fprintf(f, "actility.Connection(%s)", b)
		return
	}
	writeFormatted(f, verb, c.String())
}

// LogValue logs the connection with its key masked.
func (c Connection) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.String("name", c.Name), slog.String("connector", c.ConnectorID),
		slog.String("brand", c.Brand), slog.String("state", c.State), slog.String("uplink_url", c.UplinkURL),
		slog.String("authorization_key", c.AuthorizationKey.String()))
}

// MarshalJSON writes the connection in ThingPark's shape, with the key and other
// secret-looking members masked.
func (c Connection) MarshalJSON() ([]byte, error) {
	cfg := maskMembers(c.Configuration)
	switch {
	case c.UplinkURL != "":
		cfg["destinationURL"] = destinationURL(c.UplinkURL, c.AuthorizationKey.String())
	case c.AuthorizationKey != "": // a connection made the way Actility documented until 2022-04
		cfg["authorizationKey"] = c.AuthorizationKey.String()
	}
	if c.Description != "" {
		cfg["description"] = c.Description
	}
	top := maskMembers(c.Extra)
	for k, v := range map[string]string{"id": c.ID, "name": c.Name, "connectorId": c.ConnectorID, "brand": c.Brand, "state": c.State} {
		if v != "" {
			top[k] = v
		}
	}
	if c.Active != nil {
		top["active"] = *c.Active
	}
	top["configuration"] = cfg
	return json.Marshal(top)
}

// Request returns the request that recreates the connection as it is, for an update
// that changes only some of it.
func (c Connection) Request() ConnectionRequest {
	return ConnectionRequest{
		Name: c.Name, AuthorizationKey: c.AuthorizationKey, UplinkURL: c.UplinkURL, Description: c.Description,
		Active: c.Active, Configuration: c.Configuration, Extra: c.Extra,
	}
}

// UnmarshalJSON reads a connection, keeping the members it does not name.
func (c *Connection) UnmarshalJSON(b []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil || top == nil {
		return errors.New("actility: a connection is not a JSON object")
	}
	var out Connection
	take := func(m map[string]json.RawMessage, key string, dst any) error {
		raw, ok := m[key]
		if !ok {
			return nil
		}
		delete(m, key)
		if isNull(raw) {
			return nil
		}
		var str *string
		switch p := dst.(type) {
		case *string:
			str = p
		case *tago.Secret:
			str = (*string)(p)
		}
		if str != nil {
			text, _, ok := scalarText(raw)
			if !ok {
				return fmt.Errorf("actility: connection %s: want a scalar value", key)
			}
			*str = text
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("actility: connection %s: %w", key, err)
		}
		return nil
	}
	var cfg map[string]json.RawMessage
	for _, f := range []struct {
		key string
		dst any
	}{{"id", &out.ID}, {"name", &out.Name}, {"connectorId", &out.ConnectorID}, {"brand", &out.Brand},
		{"state", &out.State}, {"active", &out.Active}, {"configuration", &cfg}} {
		if err := take(top, f.key, f.dst); err != nil {
			return err
		}
	}
	if cfg != nil {
		if err := take(cfg, "authorizationKey", &out.AuthorizationKey); err != nil {
			return err
		}
		var dest string
		if err := take(cfg, "destinationURL", &dest); err != nil {
			return err
		}
		if dest != "" {
			base, key := splitDestination(dest)
			out.UplinkURL = base
			if key != "" {
				out.AuthorizationKey = tago.Secret(key)
			}
		}
		if err := take(cfg, "description", &out.Description); err != nil {
			return err
		}
		if len(cfg) > 0 {
			out.Configuration = cfg
		}
	}
	if len(top) > 0 {
		out.Extra = top
	}
	*c = out
	return nil
}

// splitDestination splits a destination URL into the URL without its authorization
// query parameter and the key.
func splitDestination(dest string) (base, key string) {
	u, err := url.Parse(dest)
	if err != nil {
		return "", ""
	}
	q := u.Query()
	key = q.Get("authorization")
	q.Del("authorization")
	u.RawQuery = q.Encode()
	return u.String(), key
}

// String describes the request without its authorization key.
func (r ConnectionRequest) String() string {
	return fmt.Sprintf("connection request %q (uplinks to %s)", r.Name, r.uplinkURL())
}

// Format writes the request as String does for every verb, and its JSON with the key
// masked for %#v, so that no verb reveals a secret.
func (r ConnectionRequest) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		b, _ := r.MarshalJSON()
		_, _ = fmt.Fprintf(f, "actility.ConnectionRequest(%s)", b)
		return
	}
	writeFormatted(f, verb, r.String())
}

// LogValue logs the request with its key masked.
func (r ConnectionRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", r.Name), slog.String("uplink_url", r.uplinkURL()),
		slog.String("authorization_key", r.AuthorizationKey.String()))
}

// MarshalJSON writes the request as ThingPark receives it, but with the key and other
// secret-looking members masked: it is the form for logs. The request sent to
// ThingPark carries them.
func (r ConnectionRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(r.members(r.AuthorizationKey.String(), true))
}

// uplinkURL returns UplinkURL, or the default.
func (r ConnectionRequest) uplinkURL() string {
	if u := strings.TrimSpace(r.UplinkURL); u != "" {
		return u
	}
	return DefaultUplinkURL
}

// destinationURL returns base (or the default) with the key as its authorization
// query parameter.
func destinationURL(base, key string) string {
	if base == "" {
		base = DefaultUplinkURL
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "authorization=" + url.QueryEscape(key)
}

// members returns the connection ThingPark expects for r, with key in its destination
// URL; masked writes the other secret-looking members masked.
func (r *ConnectionRequest) members(key string, masked bool) map[string]any {
	cfg := map[string]any{"destinationURL": destinationURL(r.uplinkURL(), key)}
	if r.Description != "" {
		cfg["description"] = r.Description
	}
	conf, extra := r.Configuration, r.Extra
	if masked {
		conf, extra = maskRaw(conf), maskRaw(extra)
	}
	for k, v := range conf {
		if _, taken := cfg[k]; !taken && k != "authorizationKey" {
			cfg[k] = v
		}
	}
	top := map[string]any{"name": r.Name, "connectorId": ConnectorID, "brand": BrandTago, "configuration": cfg}
	if r.Active != nil {
		top["active"] = *r.Active
	}
	for k, v := range extra {
		if _, taken := top[k]; !taken && k != "active" {
			top[k] = v
		}
	}
	return top
}

// body returns the JSON ThingPark expects for r, after checking it.
func (r *ConnectionRequest) body() ([]byte, error) {
	if strings.TrimSpace(r.Name) == "" {
		return nil, errors.New("actility: the connection needs a name")
	}
	key := r.AuthorizationKey.Reveal()
	if strings.TrimSpace(key) == "" || strings.ContainsAny(key, " \t\r\n") {
		return nil, errors.New("actility: the connection needs a TagoIO authorization key, without white space")
	}
	u, err := url.Parse(r.uplinkURL())
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || (u.Scheme != "https" && (u.Scheme != "http" || !isLoopbackHost(u.Hostname()))) {
		return nil, errors.New("actility: the connection's uplink URL must be an absolute https URL without credentials or fragment")
	}
	if u.Query().Has("authorization") {
		return nil, errors.New("actility: the connection's uplink URL must not hold a key; set AuthorizationKey")
	}
	b, err := json.Marshal(r.members(key, false))
	if err != nil {
		return nil, fmt.Errorf("actility: encoding the connection: %s", redactAll(err.Error(), key))
	}
	return b, nil
}

// secretName reports whether a member's name looks like it holds a secret.
func secretName(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"key", "token", "password", "secret", "authorization"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// maskRaw returns m with the values of secret-looking members masked, and the key of
// a destinationURL too.
func maskRaw(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		switch {
		case secretName(k):
			text, _, _ := scalarText(v)
			v, _ = json.Marshal(tago.Secret(text).String())
		case k == "destinationURL":
			text, _, _ := scalarText(v)
			if base, key := splitDestination(text); key != "" {
				v, _ = json.Marshal(destinationURL(base, tago.Secret(key).String()))
			}
		}
		out[k] = v
	}
	return out
}

// maskMembers returns m as a map to marshal, with secret-looking members masked.
func maskMembers(m map[string]json.RawMessage) map[string]any {
	out := make(map[string]any, len(m)+4)
	for k, v := range maskRaw(m) {
		out[k] = v
	}
	return out
}

// writeFormatted writes s for verb: quoted for %q, as it is otherwise.
func writeFormatted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		_, _ = io.WriteString(f, strconv.Quote(s))
		return
	}
	_, _ = io.WriteString(f, s)
}

// CreateConnection creates a connection that sends the subscriber's uplinks to TagoIO
// with the request's authorization key.
//
// ThingPark API: POST /connections
func (c *ThingParkClient) CreateConnection(ctx context.Context, req ConnectionRequest) (Connection, error) {
	body, err := req.body()
	if err != nil {
		return Connection{}, err
	}
	var out Connection
	err = c.do(ctx, "POST", "/connections", body, &out, req.AuthorizationKey.Reveal())
	return out, err
}

// GetConnection returns one connection.
//
// ThingPark API: GET /connections/{id}
func (c *ThingParkClient) GetConnection(ctx context.Context, id string) (Connection, error) {
	if err := checkConnectionID(id); err != nil {
		return Connection{}, err
	}
	var out Connection
	err := c.do(ctx, "GET", "/connections/"+url.PathEscape(id), nil, &out)
	return out, err
}

// UpdateConnection replaces the configuration of connection id with req, which must be
// whole: properties it leaves out are reset by ThingPark. Use [Connection.Request] to
// start from what the connection holds.
//
// ThingPark API: PUT /connections/{id}
func (c *ThingParkClient) UpdateConnection(ctx context.Context, id string, req ConnectionRequest) (Connection, error) {
	if err := checkConnectionID(id); err != nil {
		return Connection{}, err
	}
	body, err := req.body()
	if err != nil {
		return Connection{}, err
	}
	var out Connection
	err = c.do(ctx, "PUT", "/connections/"+url.PathEscape(id), body, &out, req.AuthorizationKey.Reveal())
	return out, err
}

// DeleteConnection deletes connection id; ThingPark stops forwarding its uplinks.
//
// ThingPark API: DELETE /connections/{id}
func (c *ThingParkClient) DeleteConnection(ctx context.Context, id string) error {
	if err := checkConnectionID(id); err != nil {
		return err
	}
	return c.do(ctx, "DELETE", "/connections/"+url.PathEscape(id), nil, nil)
}

// checkConnectionID rejects an empty or unprintable connection ID.
func checkConnectionID(id string) error {
	if strings.TrimSpace(id) == "" || len(id) > 128 || strings.ContainsFunc(id, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return errors.New("actility: a connection ID must be 1 to 128 printable characters")
	}
	return nil
}

// ThingParkError reports a ThingPark call that failed: an HTTP error status
// (StatusCode set) or no response at all (Err set). Its text never holds the bearer
// token or an authorization key.
type ThingParkError struct {
	// Method and Path name the call, such as "PUT /connections/1114".
	Method, Path string
	// StatusCode is the HTTP status; 0 when no response came.
	StatusCode int
	// Message is ThingPark's error message, or a snippet of its answer.
	Message string
	// Err is the transport or context error when no response came.
	Err error
}

// Error returns "actility: thingpark: METHOD /path: STATUS message" or the cause.
func (e *ThingParkError) Error() string {
	if e.StatusCode == 0 {
		return "actility: thingpark: " + e.Method + " " + e.Path + ": " + e.Err.Error()
	}
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	return "actility: thingpark: " + e.Method + " " + e.Path + ": " + strconv.Itoa(e.StatusCode) + " " + msg
}

// Unwrap returns the transport or context error, if any.
func (e *ThingParkError) Unwrap() error { return e.Err }

// maxThingParkResponse bounds a ThingPark answer.
const maxThingParkResponse = 1 << 20

// do sends one request and decodes a JSON answer into out (when not nil). secrets are
// redacted, with the bearer token, from every error.
func (c *ThingParkClient) do(ctx context.Context, method, path string, body []byte, out any, secrets ...string) error {
	if c == nil || c.http == nil || c.token == nil {
		return errors.New("actility: nil ThingParkClient; create one with NewThingParkClient")
	}
	secrets = append(slices.Clone(secrets), c.token.Reveal())
	fail := func(err error) error {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text repeats the URL
		}
		return &ThingParkError{Method: method, Path: path, Err: redact(err, secrets...)}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token.Reveal())
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxThingParkResponse))
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &ThingParkError{Method: method, Path: path, StatusCode: resp.StatusCode,
			Message: redactAll(errorMessage(data), secrets...)}
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &ThingParkError{Method: method, Path: path, StatusCode: resp.StatusCode,
			Message: "decoding the answer: " + redactAll(err.Error(), secrets...)}
	}
	return nil
}

// errorMessage extracts the message of an error answer: message, error_description or
// error of a JSON object, else a snippet of the body.
func errorMessage(body []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) == nil {
		for _, k := range []string{"message", "error_description", "error"} {
			if text, _, ok := scalarText(obj[k]); ok && text != "" {
				return clip(text, 300)
			}
		}
	}
	return clip(strings.TrimSpace(string(body)), 200)
}

// redactAll replaces every secret in s.
func redactAll(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// redactedError is an error whose text has secrets removed but that still unwraps to
// the original, so errors.Is(err, context.DeadlineExceeded) holds. It is used as a
// pointer and its text is computed at once: printed with any verb, by reflection
// included, it never shows what it removed.
type redactedError struct {
	msg   string
	cause error
}

// redact returns err with secrets removed from its text.
func redact(err error, secrets ...string) error {
	return &redactedError{msg: redactAll(err.Error(), secrets...), cause: err}
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }

// isLoopbackHost reports whether host names this machine.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
