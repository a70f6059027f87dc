package tago

import (
	"bytes"
	"context"
	"iter"
	"log/slog"
	"strings"
)

// This file holds the calls a network-server bridge makes with a network token besides
// resolving device tokens (network.go): listing a connector's devices, setting a
// device's parameters, publishing to the MQTT relay and sending data through the
// network's payload parser.

// NetworkDevice is a device of the network, as a network token lists it: the device
// and one of its tokens.
type NetworkDevice struct {
	Device
	// Token is a token of the device, for sending its data.
	Token Secret `json:"token"`
}

// LogValue logs the device with its token masked.
func (d NetworkDevice) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", d.ID), slog.String("name", d.Name), slog.String("token", d.Token.String()))
}

// NetworkDeviceListOptions filters and pages [NetworksService.ListDevices] and
// [NetworksService.AllDevices]. The route returns whole devices: Fields must be empty.
type NetworkDeviceListOptions struct {
	ListOptions
	// Name keeps devices whose name matches, * wildcards allowed.
	Name string
	// Tags keeps devices carrying every one of these tags.
	Tags []Tag
	// Active keeps only active (true) or only inactive (false) devices.
	Active *bool
	// Visible keeps only visible (true) or only hidden (false) devices.
	Visible *bool
}

// networkDevicesDefaults are the official SDKs' defaults: no fields, by name.
var networkDevicesDefaults = listDefaults{order: Asc("name")}

// ListDevices returns one page of the devices of a connector on the token's network,
// each with a token. The network must allow it (RequireDevicesAccess); the default
// order is by name, ascending. It needs a network token.
//
// TagoIO API: GET /integration/network/{connectorID}/devices
func (s *NetworksService) ListDevices(ctx context.Context, connectorID string, opts *NetworkDeviceListOptions) ([]NetworkDevice, error) {
	if err := checkID("connector ID", connectorID); err != nil {
		return nil, err
	}
	var o NetworkDeviceListOptions
	if opts != nil {
		o = *opts
	}
	if len(o.Fields) > 0 {
		return nil, invalidf("fields", "this listing returns whole devices and takes no fields")
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, networkDevicesDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addTags("filter[tags]", o.Tags)
		q.addBoolPtr("filter[active]", o.Active)
		q.addBoolPtr("filter[visible]", o.Visible)
	})
	if err != nil {
		return nil, err
	}
	return do[[]NetworkDevice](ctx, s.cl(), &call{method: "GET", path: "/integration/network/" + escape(connectorID) + "/devices",
		query: q, kinds: networkOnly})
}

// AllDevices returns an iterator over every device [NetworksService.ListDevices]
// lists, fetching pages as the caller ranges.
//
// TagoIO API: GET /integration/network/{connectorID}/devices
func (s *NetworksService) AllDevices(ctx context.Context, connectorID string, opts *NetworkDeviceListOptions) iter.Seq2[NetworkDevice, error] {
	var o NetworkDeviceListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]NetworkDevice, error) {
		p := o
		p.ListOptions = page
		return s.ListDevices(ctx, connectorID, &p)
	})
}

// SetDeviceParams creates or edits configuration parameters of a device on the token's
// network, as [DevicesService.SetParams] does with an account token: a parameter with
// an ID replaces that parameter, one without is added. It needs a network token.
//
// TagoIO API: POST /integration/network/{deviceID}/params
func (s *NetworksService) SetDeviceParams(ctx context.Context, deviceID string, params ...ConfigParam) error {
	if err := checkID("device ID", deviceID); err != nil {
		return err
	}
	if len(params) == 0 {
		return invalidf("params", "must not be empty")
	}
	if err := checkParams("params", params); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/integration/network/" + escape(deviceID) + "/params", body: params, kinds: networkOnly})
}

// RelayMessage is a message [NetworksService.PublishToRelay] publishes through the
// network's MQTT relay to the user's own broker.
type RelayMessage struct {
	// Device is the ID of the device the message is for.
	Device string `json:"device"`
	// Topic is the MQTT topic.
	Topic string `json:"topic"`
	// Message is the payload; empty publishes none.
	Message string `json:"message,omitempty"`
	// QoS is the MQTT quality of service, 0 to 2; nil leaves it to the relay.
	QoS *int `json:"qos,omitempty"`
	// Retain asks the broker to keep the message for new subscribers.
	Retain *bool `json:"retain,omitempty"`
}

// PublishToRelay publishes a message through the MQTT relay of the token's network
// (TagoIO's MQTT Relay, which bridges a user's own broker through the network). It
// needs a network token.
//
// TagoIO API: POST /integration/network/publish
func (s *NetworksService) PublishToRelay(ctx context.Context, msg RelayMessage) error {
	if err := checkID("device", msg.Device); err != nil {
		return err
	}
	if strings.TrimSpace(msg.Topic) == "" {
		return invalidf("topic", "must not be empty")
	}
	if strings.ContainsAny(msg.Topic, "+#\x00") {
		return invalidf("topic", "must not hold MQTT wildcards ('+', '#') or NUL")
	}
	if msg.QoS != nil && (*msg.QoS < 0 || *msg.QoS > 2) {
		return invalidf("qos", "must be 0, 1 or 2, got %d", *msg.QoS)
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/integration/network/publish", body: msg, kinds: networkOnly})
}

// networkDataCall returns the call that posts body through the network with an
// authorization key, which travels in the query and is redacted from errors and logs.
func networkDataCall(authorization string, body []byte, contentType string) (*call, error) {
	if err := checkAuthorizationKey("authorization", authorization); err != nil {
		return nil, err
	}
	q := &query{}
	q.add("authorization_token", authorization)
	return &call{method: "POST", path: "/integration/network/data", query: q, body: body, contentType: contentType,
		secrets: []string{authorization}, kinds: networkOnly}, nil
}

// SendData sends points through the token's network, as a network server does: the
// network's payload parser receives them and finds each point's device from its
// serial (a parser for this route reads it from metadata "serial", so set
// Metadata{"serial": devEUI}), so no device token is needed. authorization is a service
// authorization key of the profile the devices belong to (see [AuthorizationsService]);
// it never appears in errors or logs. The points are checked as [DataService.Send]
// checks them and go in one request, within the platform's limits of 200 kB and 8000
// points; a failed request is never repeated once the platform may have stored it. The
// parser decides how many records are stored, so no count is returned. It needs a
// network token.
//
// TagoIO API: POST /integration/network/data
func (s *NetworksService) SendData(ctx context.Context, authorization string, points ...Data) error {
	if len(points) == 0 {
		return invalidf("points", "must not be empty")
	}
	if len(points) > maxBatchPoints {
		return invalidf("points", "one request takes at most %d points, got %d", maxBatchPoints, len(points))
	}
	body := make([]byte, 0, 2+len(points)*96)
	body = append(body, '[')
	for i := range points {
		if i > 0 {
			body = append(body, ',')
		}
		var err error
		if body, err = appendPoint(body, &points[i], i); err != nil {
			return err
		}
	}
	body = append(body, ']')
	if len(body) > maxBatchBytes {
		return invalidf("points", "encode to %d bytes, more than the platform's %d-byte request limit", len(body), maxBatchBytes)
	}
	cl, err := networkDataCall(authorization, body, "")
	if err != nil {
		return err
	}
	return exec(ctx, s.cl(), cl)
}

// SendPayload sends a raw payload through the token's network, as text/plain: the
// network's payload parser receives it as it is and must turn it into points with a
// serial naming their device. Otherwise it works as [NetworksService.SendData]. The
// payload must not be empty or larger than 200 kB.
//
// TagoIO API: POST /integration/network/data
func (s *NetworksService) SendPayload(ctx context.Context, authorization string, payload []byte) error {
	if len(payload) == 0 {
		return invalidf("payload", "must not be empty")
	}
	if len(payload) > maxBatchBytes {
		return invalidf("payload", "is %d bytes, more than the platform's %d-byte request limit", len(payload), maxBatchBytes)
	}
	cl, err := networkDataCall(authorization, bytes.Clone(payload), "text/plain; charset=utf-8")
	if err != nil {
		return err
	}
	return exec(ctx, s.cl(), cl)
}
