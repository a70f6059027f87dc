package actility

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-tago/tago"
)

// Errors of [QueueDownlink], matched with [errors.Is].
var (
	// ErrNoUplinkYet: none of the device's tokens carries both a serial and the
	// authorization key a network server last used, which the platform records on the
	// first uplink. Wait for at least one uplink from the network server.
	ErrNoUplinkYet = errors.New("actility: the device has no token with a serial and a last authorization yet; wait for at least one uplink from the network server")
	// ErrNoNetwork: the device does not use a network.
	ErrNoNetwork = errors.New("actility: the device is not using a network")
	// ErrNoDownlinks: the device's network has no middleware endpoint, so it does not
	// support downlinks.
	ErrNoDownlinks = errors.New("actility: the device's network does not support downlinks")
	// ErrAuthorizationParameter: the middleware needs an additional parameter on the
	// TagoIO authorization the device's uplinks use, and it has none.
	ErrAuthorizationParameter = errors.New("actility: the additional parameter is missing in the TagoIO authorization used for this device")
)

// DownlinkRequest is a downlink to queue with [QueueDownlink].
type DownlinkRequest struct {
	// Payload is the frame's payload in hexadecimal. Required.
	Payload string
	// Port is the LoRaWAN application port, 1 to 223. Required.
	Port int
	// Confirmed asks the device to acknowledge the frame.
	Confirmed bool
	// HTTPClient sends the request to the network's middleware (a copy of it that
	// does not follow redirects, which would post the key elsewhere); nil means a
	// client with a 30-second timeout.
	HTTPClient *http.Client
}

// DownlinkError reports a downlink the network's middleware refused.
type DownlinkError struct {
	// StatusCode is the middleware's HTTP status.
	StatusCode int
	// Body is the start of the middleware's answer, with the authorization key
	// redacted.
	Body string
}

// Error returns "actility: downlink failed with status N: body".
func (e *DownlinkError) Error() string {
	return "actility: downlink failed with status " + strconv.Itoa(e.StatusCode) + ": " + e.Body
}

// QueueDownlink queues a downlink for the device deviceID the way TagoIO does it, with
// a client holding an account token: it finds the device's serial and the
// authorization key its network server last used (from its tokens), records the
// payload and port as the device's configuration parameters downlink and port (unread,
// reusing existing ones), and posts the downlink to the middleware of the device's
// network, https://{middleware_endpoint}/downlink, which forwards it to the network
// server. A middleware endpoint written with a scheme is used as it is, so a test can
// point it at a local server; plain http is refused except on loopback hosts.
//
// It fails with [ErrNoUplinkYet] before the device's first uplink, [ErrNoNetwork] or
// [ErrNoDownlinks] when its network cannot take downlinks,
// [ErrAuthorizationParameter] when the middleware says the authorization lacks its
// additional parameter, a [*DownlinkError] for any other refusal, and the platform's
// own errors ([*tago.APIError] and the like) on the way. No error holds the key.
//
// TagoIO API: GET /device/token/{id}, GET /device/{id}, GET /integration/network/{id},
// GET and POST /device/{id}/params, then POST https://{middleware_endpoint}/downlink
func QueueDownlink(ctx context.Context, c *tago.Client, deviceID string, req DownlinkRequest) error {
	payload := strings.TrimSpace(req.Payload)
	if payload == "" || len(payload)%2 != 0 {
		return errors.New("actility: the downlink payload must be a non-empty, even number of hexadecimal digits")
	}
	if _, err := hex.DecodeString(payload); err != nil {
		return errors.New("actility: the downlink payload must be hexadecimal")
	}
	if req.Port < 1 || req.Port > 223 {
		return fmt.Errorf("actility: the downlink port must be 1 to 223, got %d", req.Port)
	}
	if c == nil {
		return errors.New("actility: nil tago.Client")
	}

	tokens, err := c.Tokens.List(ctx, deviceID, &tago.TokenListOptions{ListOptions: tago.ListOptions{
		Amount: 10, Fields: []string{"name", "serie_number", "last_authorization"}}})
	if err != nil {
		return err
	}
	var serie, auth string
	for _, t := range tokens {
		if t.SerieNumber != "" && t.LastAuthorization != "" {
			serie, auth = t.SerieNumber, t.LastAuthorization.Reveal()
			break
		}
	}
	if serie == "" {
		return ErrNoUplinkYet
	}
	dev, err := c.Devices.Info(ctx, deviceID)
	if err != nil {
		return err
	}
	if dev.Network == "" {
		return ErrNoNetwork
	}
	network, err := c.Networks.Info(ctx, dev.Network, "id", "middleware_endpoint", "name")
	if err != nil {
		return err
	}
	if strings.TrimSpace(network.MiddlewareEndpoint) == "" {
		return ErrNoDownlinks
	}
	target, err := middlewareURL(network.MiddlewareEndpoint)
	if err != nil {
		return err
	}

	if err := setDownlinkParams(ctx, c, deviceID, payload, req.Port); err != nil {
		return err
	}
	return postDownlink(ctx, req.HTTPClient, target, downlinkBody{
		Device: serie, Authorization: auth, Payload: payload, Port: req.Port, Confirmed: req.Confirmed,
	})
}

// middlewareURL returns the downlink URL of a middleware endpoint: a host, or a URL
// with a scheme.
func middlewareURL(endpoint string) (string, error) {
	endpoint = strings.TrimRight(strings.TrimSpace(endpoint), "/")
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return "", fmt.Errorf("actility: the network's middleware endpoint %q is not a host or an http(s) URL", clip(endpoint, 80))
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return "", fmt.Errorf("actility: the network's middleware endpoint %q uses plain http; the authorization key would travel unencrypted", clip(endpoint, 80))
	}
	return endpoint + "/downlink", nil
}

// setDownlinkParams records payload and port as the device's unread downlink and port
// parameters, editing them when they exist.
func setDownlinkParams(ctx context.Context, c *tago.Client, deviceID, payload string, port int) error {
	existing, err := c.Devices.Params(ctx, deviceID, tago.ParamsAll)
	if err != nil {
		return err
	}
	params := []tago.ConfigParam{{Key: "downlink", Value: payload}, {Key: "port", Value: strconv.Itoa(port)}}
	for i := range params {
		for _, p := range existing {
			if p.Key == params[i].Key {
				params[i].ID = p.ID
				break
			}
		}
	}
	return c.Devices.SetParams(ctx, deviceID, params...)
}

// downlinkBody is what the middleware's /downlink takes.
type downlinkBody struct {
	Device        string `json:"device"`
	Authorization string `json:"authorization"`
	Payload       string `json:"payload"`
	Port          int    `json:"port"`
	Confirmed     bool   `json:"confirmed"`
}

// postDownlink posts body to the middleware; the request carries no auth header, the
// authorization key is in the body.
func postDownlink(ctx context.Context, hc *http.Client, target string, body downlinkBody) error {
	hc = withoutRedirects(hc, 30*time.Second) // a redirect would post the key elsewhere
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("actility: encoding the downlink: %s", redactAll(err.Error(), body.Authorization))
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("actility: downlink request: %s", redactAll(err.Error(), body.Authorization))
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(hreq)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("actility: POST %s: %w", target, redact(err, body.Authorization))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	text := strings.TrimSpace(string(answer))
	if strings.Contains(text, "Authorization is missing") {
		return ErrAuthorizationParameter
	}
	return &DownlinkError{StatusCode: resp.StatusCode, Body: clip(redactAll(text, body.Authorization), 300)}
}
