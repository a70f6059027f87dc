package tago

import (
	"context"
	"encoding/json"
	"iter"
	"strings"
	"time"
)

// NetworksService reads networks and connectors and manages network tokens with an
// account token; with a network token it resolves device tokens for network-server
// bridges ([NetworksService.ResolveToken]) and describes its own network
// ([NetworksService.Current]).
type NetworksService service

// networkOnly is the call.kinds of operations that need a network token.
var networkOnly = []TokenKind{KindNetwork}

// Network is a network integration: how devices of one transport (a LoRaWAN network
// server, Sigfox, HTTP...) reach TagoIO. List calls fill only the fields they were
// asked for.
type Network struct {
	// ID is the network's ID.
	ID string `json:"id"`
	// Name is the network's name, such as "LoRaWAN Actility".
	Name string `json:"name,omitempty"`
	// Description describes the network.
	Description string `json:"description,omitempty"`
	// LogoURL is the network's logo.
	LogoURL string `json:"logo_url,omitempty"`
	// IconURL is the network's icon.
	IconURL string `json:"icon_url,omitempty"`
	// BannerURL is the network's banner.
	BannerURL string `json:"banner_url,omitempty"`
	// DeviceParameters are the extra fields a device of this network asks for.
	DeviceParameters []DeviceParameter `json:"device_parameters,omitempty"`
	// MiddlewareEndpoint is the host of the network's middleware, the service network
	// servers post uplinks to and downlinks are sent through, such as
	// "actility.middleware.tago.io"; empty when the network has none.
	MiddlewareEndpoint string `json:"middleware_endpoint,omitempty"`
	// PayloadEncoder is the network's downlink encoder, if any.
	PayloadEncoder string `json:"payload_encoder,omitempty"`
	// PayloadDecoder is the network's payload parser (base64 JavaScript), if any.
	PayloadDecoder string `json:"payload_decoder,omitempty"`
	// Public says whether every profile can use the network.
	Public bool `json:"public,omitempty"`
	// DocumentationURL points to the network's documentation.
	DocumentationURL string `json:"documentation_url,omitempty"`
	// SerialNumber describes the serial its devices need (for LoRaWAN, the DevEUI).
	SerialNumber *SerialNumberFormat `json:"serial_number,omitempty"`
	// RequireDevicesAccess says whether the network's tokens may list its devices.
	RequireDevicesAccess bool `json:"require_devices_access,omitempty"`
	// CreatedAt is when the network was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the network was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// DeviceParameter is an extra field a network or connector asks for when a device is
// created.
type DeviceParameter struct {
	// Name is the parameter's key.
	Name string `json:"name,omitempty"`
	// Label is the parameter's label in the admin.
	Label string `json:"label,omitempty"`
	// Type is "text", "dropdown", "switch" or "number".
	Type string `json:"type,omitempty"`
	// Default is the parameter's default value.
	Default any `json:"default,omitempty"`
	// Group is "default", "main", "advanced" or "hide".
	Group string `json:"group,omitempty"`
	// Options are a dropdown's choices.
	Options []any `json:"options,omitempty"`
}

// SerialNumberFormat describes the serial a network's devices need.
type SerialNumberFormat struct {
	// Mask is the input mask, such as "FF-FF-FF-FF-FF-FF-FF-FF".
	Mask string `json:"mask,omitempty"`
	// Label is the field's label, such as "Device EUI".
	Label string `json:"label,omitempty"`
	// Image is an illustration of where to find the serial.
	Image string `json:"image,omitempty"`
	// Case is "upper" or "lower" when the serial is case-folded.
	Case string `json:"case,omitempty"`
	// Help is the field's help text.
	Help string `json:"help,omitempty"`
	// Required says whether devices must have a serial.
	Required bool `json:"required,omitempty"`
}

// NetworkListOptions filters and pages [NetworksService.List] and
// [NetworksService.All].
type NetworkListOptions struct {
	ListOptions
	// Name keeps networks whose name matches, * wildcards allowed.
	Name string
}

// networksDefaults are the official SDKs' defaults for network lists.
var networksDefaults = listDefaults{fields: []string{"id", "name"}, order: Asc("name")}

// networkInfoFields are the fields Info asks for by default: every documented field.
var networkInfoFields = []string{"id", "name", "description", "logo_url", "icon_url", "banner_url",
	"device_parameters", "middleware_endpoint", "payload_encoder", "payload_decoder", "public",
	"documentation_url", "serial_number", "require_devices_access", "created_at", "updated_at"}

// fieldsQuery returns a query holding fields, or def when fields is empty.
func fieldsQuery(fields, def []string) (*query, error) {
	for _, f := range fields {
		if strings.TrimSpace(f) == "" {
			return nil, invalidf("fields", "must not hold an empty name")
		}
	}
	if len(fields) == 0 {
		fields = def
	}
	q := &query{}
	q.addList("fields", fields)
	return q, nil
}

// List returns one page of the networks the profile can use. Without Fields it asks
// for id and name; the default order is by name, ascending.
//
// TagoIO API: GET /integration/network/
func (s *NetworksService) List(ctx context.Context, opts *NetworkListOptions) ([]Network, error) {
	var o NetworkListOptions
	if opts != nil {
		o = *opts
	}
	q, err := listQuery(&o.ListOptions, networksDefaults, func(q *query) { q.addString("filter[name]", o.Name) })
	if err != nil {
		return nil, err
	}
	return do[[]Network](ctx, s.cl(), &call{method: "GET", path: "/integration/network/", query: q, kinds: accountOnly})
}

// All returns an iterator over every network matching opts, fetching pages as the
// caller ranges.
//
// TagoIO API: GET /integration/network/
func (s *NetworksService) All(ctx context.Context, opts *NetworkListOptions) iter.Seq2[Network, error] {
	var o NetworkListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Network, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// Info returns one network. Without fields it asks for every documented field,
// middleware_endpoint included.
//
// TagoIO API: GET /integration/network/{id}
func (s *NetworksService) Info(ctx context.Context, id string, fields ...string) (Network, error) {
	if err := checkID("network ID", id); err != nil {
		return Network{}, err
	}
	q, err := fieldsQuery(fields, networkInfoFields)
	if err != nil {
		return Network{}, err
	}
	return do[Network](ctx, s.cl(), &call{method: "GET", path: "/integration/network/" + escape(id), query: q, kinds: accountOnly})
}

// NetworkCreateRequest describes a new network integration of the profile, the way a
// custom network server or protocol reaches TagoIO. Name is required.
type NetworkCreateRequest struct {
	// Name is the network's name.
	Name string `json:"name"`
	// Description describes the network.
	Description string `json:"description,omitempty"`
	// LogoURL is the network's logo.
	LogoURL string `json:"logo_url,omitempty"`
	// IconURL is the network's icon.
	IconURL string `json:"icon_url,omitempty"`
	// BannerURL is the network's banner.
	BannerURL string `json:"banner_url,omitempty"`
	// DeviceParameters are the extra fields a device of this network asks for.
	DeviceParameters []DeviceParameter `json:"device_parameters,omitempty"`
	// MiddlewareEndpoint is the host of the network's middleware, if it has one.
	MiddlewareEndpoint string `json:"middleware_endpoint,omitempty"`
	// PayloadEncoder is the network's downlink encoder.
	PayloadEncoder string `json:"payload_encoder,omitempty"`
	// PayloadDecoder is the network's payload parser, base64-encoded JavaScript.
	PayloadDecoder string `json:"payload_decoder,omitempty"`
	// Public makes the network usable by every profile.
	Public *bool `json:"public,omitempty"`
	// DocumentationURL points to the network's documentation.
	DocumentationURL string `json:"documentation_url,omitempty"`
	// SerialNumber describes the serial its devices need.
	SerialNumber *SerialNumberFormat `json:"serial_number,omitempty"`
	// RequireDevicesAccess lets the network's tokens list its devices (see
	// [NetworksService.ListDevices]).
	RequireDevicesAccess *bool `json:"require_devices_access,omitempty"`
}

// Create creates a network integration and returns its ID. Devices use it once a
// connector lists it (see [NetworksService.CreateConnector]); a network-server bridge
// then works with one of its tokens ([NetworksService.CreateToken]).
//
// TagoIO API: POST /integration/network/
func (s *NetworksService) Create(ctx context.Context, req NetworkCreateRequest) (string, error) {
	if err := checkName("name", req.Name); err != nil {
		return "", err
	}
	id, err := do[createdID[networkKey]](ctx, s.cl(), &call{method: "POST", path: "/integration/network/", body: req, kinds: accountOnly})
	return string(id), err
}

// NetworkEditRequest lists the network fields to change; nil fields are left as they
// are.
type NetworkEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Description is the new description.
	Description *string `json:"description,omitempty"`
	// LogoURL is the new logo.
	LogoURL *string `json:"logo_url,omitempty"`
	// IconURL is the new icon.
	IconURL *string `json:"icon_url,omitempty"`
	// BannerURL is the new banner.
	BannerURL *string `json:"banner_url,omitempty"`
	// DeviceParameters replaces the device parameters; an empty non-nil slice removes
	// them all.
	DeviceParameters []DeviceParameter `json:"device_parameters,omitzero"`
	// MiddlewareEndpoint is the new middleware host; "" removes it.
	MiddlewareEndpoint *string `json:"middleware_endpoint,omitempty"`
	// PayloadEncoder is the new downlink encoder.
	PayloadEncoder *string `json:"payload_encoder,omitempty"`
	// PayloadDecoder is the new payload parser, base64-encoded JavaScript.
	PayloadDecoder *string `json:"payload_decoder,omitempty"`
	// Public makes the network usable by every profile, or by its own only.
	Public *bool `json:"public,omitempty"`
	// DocumentationURL is the new documentation address.
	DocumentationURL *string `json:"documentation_url,omitempty"`
	// SerialNumber replaces the serial description.
	SerialNumber *SerialNumberFormat `json:"serial_number,omitempty"`
	// RequireDevicesAccess turns the device listing of network tokens on or off.
	RequireDevicesAccess *bool `json:"require_devices_access,omitempty"`
}

// Edit changes a network's fields.
//
// TagoIO API: PUT /integration/network/{id}
func (s *NetworksService) Edit(ctx context.Context, id string, req NetworkEditRequest) error {
	if err := checkID("network ID", id); err != nil {
		return err
	}
	if setsNothing(req) {
		return invalidf("network edit", "sets no field")
	}
	if req.Name != nil {
		if err := checkName("name", *req.Name); err != nil {
			return err
		}
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/integration/network/" + escape(id), body: req, kinds: accountOnly})
}

// Delete deletes a network of the profile; its tokens stop working.
//
// TagoIO API: DELETE /integration/network/{id}
func (s *NetworksService) Delete(ctx context.Context, id string) error {
	if err := checkID("network ID", id); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/integration/network/" + escape(id), kinds: accountOnly})
}

// setsNothing reports whether an edit request marshals to an empty object.
func setsNothing(req any) bool {
	b, err := json.Marshal(req)
	return err == nil && string(b) == "{}"
}

// ListTokens returns one page of a network's tokens. Without Fields it asks for name,
// token and permission; the default order is by creation, newest first.
//
// TagoIO API: GET /integration/network/token/{networkID}
func (s *NetworksService) ListTokens(ctx context.Context, networkID string, opts *TokenListOptions) ([]TokenInfo, error) {
	if err := checkID("network ID", networkID); err != nil {
		return nil, err
	}
	var o TokenListOptions
	if opts != nil {
		o = *opts
	}
	q, err := o.query()
	if err != nil {
		return nil, err
	}
	return do[[]TokenInfo](ctx, s.cl(), &call{method: "GET", path: "/integration/network/token/" + escape(networkID), query: q, kinds: accountOnly})
}

// NetworkTokenCreateRequest describes a new network token. Name is required.
type NetworkTokenCreateRequest struct {
	// Name is the token's name.
	Name string `json:"name"`
	// Permission is what the token may do; empty lets the platform choose.
	Permission Permission `json:"permission,omitempty"`
	// ExpireTime is when the token expires; unset lets the platform choose.
	ExpireTime Expiry `json:"expire_time,omitzero"`
}

// CreateToken creates a token for a network, the token a network-server bridge uses
// with [NetworkToken], and returns it with its name and network.
//
// TagoIO API: POST /integration/network/token
func (s *NetworksService) CreateToken(ctx context.Context, networkID string, req NetworkTokenCreateRequest) (TokenInfo, error) {
	if err := checkID("network ID", networkID); err != nil {
		return TokenInfo{}, err
	}
	if err := checkTokenRequest(req.Name, req.Permission, true, req.ExpireTime); err != nil {
		return TokenInfo{}, err
	}
	body := struct {
		Network string `json:"network"`
		NetworkTokenCreateRequest
	}{networkID, req}
	return do[TokenInfo](ctx, s.cl(), &call{method: "POST", path: "/integration/network/token", body: body, kinds: accountOnly})
}

// DeleteToken deletes a network token.
//
// TagoIO API: DELETE /integration/network/token/{token}
func (s *NetworksService) DeleteToken(ctx context.Context, token string) error {
	if err := checkToken("token", token); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/integration/network/token/" + escape(token),
		secrets: []string{token}, kinds: accountOnly})
}

// maxSerieLen bounds a serial number; a LoRaWAN DevEUI has 16 characters.
const maxSerieLen = 128

// ResolveToken returns the token of the device whose serial number is serie, as a
// network-server bridge does for each uplink: serie is the device's serial (for
// LoRaWAN, its DevEUI) and authorization the service authorization key the network
// server sent with the uplink (see [AuthorizationsService]). With an authorization the
// device is looked up in the profile owning that key; with an empty one, in every
// profile using the network (the most recently created device wins). It needs a
// network token.
//
// Errors are the platform's, untouched, so a bridge can tell apart an unknown device
// (errors.Is(err, ErrNotFound) or ErrBadRequest), a rejected network token or
// authorization key (ErrUnauthorized or ErrForbidden) and a platform that is down
// (ErrServer, or a [*RequestError] when no answer came). The authorization key never
// appears in errors or logs.
//
// TagoIO API: GET /integration/network/resolve/{serie}/{authorization}
func (s *NetworksService) ResolveToken(ctx context.Context, serie, authorization string) (Secret, error) {
	return s.ResolveTokenWith(ctx, serie, authorization, nil)
}

// ResolveOptions tunes [NetworksService.ResolveTokenWith]. nil or the zero value asks
// what [NetworksService.ResolveToken] asks.
type ResolveOptions struct {
	// Details sends details=true, as the official SDKs do for a network client made
	// with details; the answer is still the device token.
	Details bool
}

// ResolveTokenWith is [NetworksService.ResolveToken] with options; opts may be nil.
//
// TagoIO API: GET /integration/network/resolve/{serie}/{authorization}
func (s *NetworksService) ResolveTokenWith(ctx context.Context, serie, authorization string, opts *ResolveOptions) (Secret, error) {
	if strings.TrimSpace(serie) == "" {
		return "", invalidf("serie", "must not be empty")
	}
	if len(serie) > maxSerieLen || strings.ContainsAny(serie, "/?#\x00\r\n") {
		return "", invalidf("serie", "must be at most %d characters without '/', '?', '#' or control characters", maxSerieLen)
	}
	if serie == "." || serie == ".." { // a path segment URL resolution would remove
		return "", invalidf("serie", "must not be %q", serie)
	}
	cl := &call{method: "GET", path: "/integration/network/resolve/" + escape(serie), kinds: networkOnly}
	if authorization != "" {
		if err := checkAuthorizationKey("authorization", authorization); err != nil {
			return "", err
		}
		cl.path += "/" + escape(authorization)
		cl.secrets = []string{authorization}
	}
	if opts != nil && opts.Details {
		cl.query = &query{}
		cl.query.addBool("details", true)
	}
	return do[Secret](ctx, s.cl(), cl)
}

// Current returns the network the client's network token belongs to.
//
// TagoIO API: GET /info
func (s *NetworksService) Current(ctx context.Context) (Network, error) {
	return s.CurrentWith(ctx, nil)
}

// CurrentWith is [NetworksService.Current] with options; opts may be nil.
//
// TagoIO API: GET /info
func (s *NetworksService) CurrentWith(ctx context.Context, opts *InfoOptions) (Network, error) {
	return do[Network](ctx, s.cl(), &call{method: "GET", path: "/info", query: opts.query(), kinds: networkOnly})
}
