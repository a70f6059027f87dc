package actility

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// caller's OAuth bearer token. It makes no retries: these are rare, human-driven calls.
// A ThingParkClient is safe for concurrent use.
type ThingParkClient struct {
	base  string // no trailing slash
	token string
	http  *http.Client
}

// NewThingParkClient returns a client for the ThingPark API at baseURL, authenticated by
// bearerToken. hc sends the requests; nil means a client with a 60-second timeout. Plain
// http:// is refused except on loopback hosts (tests).
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
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &ThingParkClient{base: strings.TrimRight(u.String(), "/"), token: bearerToken, http: hc}, nil
}

// ConnectionRequest describes a TagoIO connection to create, or the whole of one to
// update: ThingPark replaces a connection's configuration on update, so send every
// property again ([Connection.Request] gives back what a connection holds). ConnectorID
// and Brand are always [ConnectorID] and [BrandTago].
type ConnectionRequest struct {
	// Name labels the connection. Required.
	Name string
	// AuthorizationKey is the TagoIO service authorization key ThingPark sends with
	// every uplink (configuration.authorizationKey), such as the Token of a
	// [tago.Authorization]. Required.
	AuthorizationKey tago.Secret
	// Description is the configuration's optional description.
	Description string
	// Active enables or disables the connection; nil lets ThingPark choose (enabled).
	Active *bool
	// Configuration holds other members of the configuration, sent as they are.
	Configuration map[string]json.RawMessage
	// Extra holds other connection properties (such as alarms), sent as they are.
	Extra map[string]json.RawMessage
}

// Connection is a ThingPark X IoT Flow connection as ThingPark returns it.
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
	// AuthorizationKey is configuration.authorizationKey, as ThingPark returns it.
	AuthorizationKey tago.Secret
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

// Request returns the request that recreates the connection as it is, for an update
// that changes only some of it.
func (c Connection) Request() ConnectionRequest {
	return ConnectionRequest{
		Name: c.Name, AuthorizationKey: c.AuthorizationKey, Description: c.Description, Active: c.Active,
		Configuration: c.Configuration, Extra: c.Extra,
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

// body returns the JSON ThingPark expects for r, after checking it.
func (r *ConnectionRequest) body() ([]byte, error) {
	if strings.TrimSpace(r.Name) == "" {
		return nil, errors.New("actility: the connection needs a name")
	}
	key := r.AuthorizationKey.Reveal()
	if strings.TrimSpace(key) == "" || strings.ContainsAny(key, " \t\r\n") {
		return nil, errors.New("actility: the connection needs a TagoIO authorization key, without white space")
	}
	cfg := map[string]any{"authorizationKey": key}
	if r.Description != "" {
		cfg["description"] = r.Description
	}
	for k, v := range r.Configuration {
		if _, taken := cfg[k]; !taken && k != "authorizationKey" && k != "description" {
			cfg[k] = v
		}
	}
	top := map[string]any{"name": r.Name, "connectorId": ConnectorID, "brand": BrandTago, "configuration": cfg}
	if r.Active != nil {
		top["active"] = *r.Active
	}
	for k, v := range r.Extra {
		if _, taken := top[k]; !taken && k != "active" {
			top[k] = v
		}
	}
	b, err := json.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("actility: encoding the connection: %s", redactAll(err.Error(), key))
	}
	return b, nil
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
	if c == nil || c.http == nil {
		return errors.New("actility: nil ThingParkClient; create one with NewThingParkClient")
	}
	secrets = append(slices.Clone(secrets), c.token)
	fail := func(err error) error {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text repeats the URL
		}
		return &ThingParkError{Method: method, Path: path, Err: redactedError{err, secrets}}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
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
// the original, so errors.Is(err, context.DeadlineExceeded) holds.
type redactedError struct {
	err     error
	secrets []string
}

func (e redactedError) Error() string { return redactAll(e.err.Error(), e.secrets...) }
func (e redactedError) Unwrap() error { return e.err }

// isLoopbackHost reports whether host names this machine.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
