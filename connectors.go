package tago

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// Connector is a device model's integration: its payload decoder and the networks it
// works with. List calls fill only the fields they were asked for.
type Connector struct {
	// ID is the connector's ID.
	ID string `json:"id"`
	// Name is the connector's name.
	Name string `json:"name,omitempty"`
	// Description describes the connector.
	Description string `json:"description,omitempty"`
	// LogoURL is the connector's logo.
	LogoURL string `json:"logo_url,omitempty"`
	// Public says whether every profile can use the connector.
	Public bool `json:"public,omitempty"`
	// Networks are the IDs of the networks the connector works with.
	Networks []string `json:"networks,omitempty"`
	// DeviceParameters are the extra fields a device of this connector asks for.
	DeviceParameters []DeviceParameter `json:"device_parameters,omitempty"`
	// PayloadEncoder is the connector's downlink encoder, if any.
	PayloadEncoder string `json:"payload_encoder,omitempty"`
	// PayloadDecoder is the connector's payload parser (base64 JavaScript), if any.
	PayloadDecoder string `json:"payload_decoder,omitempty"`
	// InstallText is the connector's installation description.
	InstallText string `json:"install_text,omitempty"`
	// InstallEndText is the text shown once a device is installed.
	InstallEndText string `json:"install_end_text,omitempty"`
	// DeviceAnnotation is a note shown on the connector's devices.
	DeviceAnnotation string `json:"device_annotation,omitempty"`
	// CreatedAt is when the connector was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the connector was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// ConnectorListOptions filters and pages [NetworksService.ListConnectors] and
// [NetworksService.AllConnectors].
type ConnectorListOptions struct {
	ListOptions
	// Name keeps connectors whose name matches, * wildcards allowed.
	Name string
	// Networks keeps connectors that work with these networks (IDs).
	Networks []string
}

// connectorsDefaults are the official SDKs' defaults for connector lists.
var connectorsDefaults = listDefaults{fields: []string{"id", "name"}, order: Asc("name")}

// connectorInfoFields are the fields ConnectorInfo asks for by default: every
// documented field.
var connectorInfoFields = []string{"id", "name", "description", "logo_url", "public", "networks",
	"device_parameters", "payload_encoder", "payload_decoder", "install_text", "install_end_text",
	"device_annotation", "created_at", "updated_at"}

// ListConnectors returns one page of the connectors the profile can use. Without
// Fields it asks for id and name; the default order is by name, ascending.
//
// TagoIO API: GET /integration/connector/
func (s *NetworksService) ListConnectors(ctx context.Context, opts *ConnectorListOptions) ([]Connector, error) {
	var o ConnectorListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkNetworkIDs(o.Networks); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, connectorsDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addList("filter[networks]", o.Networks)
	})
	if err != nil {
		return nil, err
	}
	return do[[]Connector](ctx, s.cl(), &call{method: "GET", path: "/integration/connector/", query: q, kinds: accountOnly})
}

// AllConnectors returns an iterator over every connector matching opts, fetching pages
// as the caller ranges.
//
// TagoIO API: GET /integration/connector/
func (s *NetworksService) AllConnectors(ctx context.Context, opts *ConnectorListOptions) iter.Seq2[Connector, error] {
	var o ConnectorListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Connector, error) {
		p := o
		p.ListOptions = page
		return s.ListConnectors(ctx, &p)
	})
}

// ConnectorInfo returns one connector. Without fields it asks for every documented
// field.
//
// TagoIO API: GET /integration/connector/{id}
func (s *NetworksService) ConnectorInfo(ctx context.Context, id string, fields ...string) (Connector, error) {
	if err := checkID("connector ID", id); err != nil {
		return Connector{}, err
	}
	q, err := fieldsQuery(fields, connectorInfoFields)
	if err != nil {
		return Connector{}, err
	}
	return do[Connector](ctx, s.cl(), &call{method: "GET", path: "/integration/connector/" + escape(id), query: q, kinds: accountOnly})
}

// ConnectorCreateRequest describes a new connector of the profile: a device model's
// decoder and the networks it works with. Name is required.
type ConnectorCreateRequest struct {
	// Name is the connector's name.
	Name string `json:"name"`
	// Description describes the connector.
	Description string `json:"description,omitempty"`
	// LogoURL is the connector's logo.
	LogoURL string `json:"logo_url,omitempty"`
	// DeviceParameters are the extra fields a device of this connector asks for.
	DeviceParameters []DeviceParameter `json:"device_parameters,omitempty"`
	// Networks are the IDs of the networks the connector works with.
	Networks []string `json:"networks,omitempty"`
	// PayloadEncoder is the connector's downlink encoder.
	PayloadEncoder string `json:"payload_encoder,omitempty"`
	// PayloadDecoder is the connector's payload parser, base64-encoded JavaScript.
	PayloadDecoder string `json:"payload_decoder,omitempty"`
	// InstallText is the connector's installation description.
	InstallText string `json:"install_text,omitempty"`
	// InstallEndText is the text shown once a device is installed.
	InstallEndText string `json:"install_end_text,omitempty"`
	// DeviceAnnotation is a note shown on the connector's devices.
	DeviceAnnotation string `json:"device_annotation,omitempty"`
}

// checkNetworkIDs validates a list of network IDs.
func checkNetworkIDs(ids []string) error {
	for i, n := range ids {
		if err := checkID(fmt.Sprintf("networks[%d]", i), n); err != nil {
			return err
		}
	}
	return nil
}

// CreateConnector creates a connector and returns its ID.
//
// TagoIO API: POST /integration/connector/
func (s *NetworksService) CreateConnector(ctx context.Context, req ConnectorCreateRequest) (string, error) {
	if err := checkName("name", req.Name); err != nil {
		return "", err
	}
	if err := checkNetworkIDs(req.Networks); err != nil {
		return "", err
	}
	id, err := do[createdID[connectorKey]](ctx, s.cl(), &call{method: "POST", path: "/integration/connector/", body: req, kinds: accountOnly})
	return string(id), err
}

// ConnectorEditRequest lists the connector fields to change; nil fields are left as
// they are.
type ConnectorEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Description is the new description.
	Description *string `json:"description,omitempty"`
	// LogoURL is the new logo.
	LogoURL *string `json:"logo_url,omitempty"`
	// DeviceParameters replaces the device parameters; an empty non-nil slice removes
	// them all.
	DeviceParameters []DeviceParameter `json:"device_parameters,omitzero"`
	// Networks replaces the networks; an empty non-nil slice removes them all.
	Networks []string `json:"networks,omitzero"`
	// PayloadEncoder is the new downlink encoder.
	PayloadEncoder *string `json:"payload_encoder,omitempty"`
	// PayloadDecoder is the new payload parser, base64-encoded JavaScript.
	PayloadDecoder *string `json:"payload_decoder,omitempty"`
	// InstallText is the new installation description.
	InstallText *string `json:"install_text,omitempty"`
	// InstallEndText is the new text shown once a device is installed.
	InstallEndText *string `json:"install_end_text,omitempty"`
	// DeviceAnnotation is the new note shown on the connector's devices.
	DeviceAnnotation *string `json:"device_annotation,omitempty"`
}

// EditConnector changes a connector's fields.
//
// TagoIO API: PUT /integration/connector/{id}
func (s *NetworksService) EditConnector(ctx context.Context, id string, req ConnectorEditRequest) error {
	if err := checkID("connector ID", id); err != nil {
		return err
	}
	if setsNothing(req) {
		return invalidf("connector edit", "sets no field")
	}
	if req.Name != nil {
		if err := checkName("name", *req.Name); err != nil {
			return err
		}
	}
	if err := checkNetworkIDs(req.Networks); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/integration/connector/" + escape(id), body: req, kinds: accountOnly})
}

// DeleteConnector deletes a connector of the profile.
//
// TagoIO API: DELETE /integration/connector/{id}
func (s *NetworksService) DeleteConnector(ctx context.Context, id string) error {
	if err := checkID("connector ID", id); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/integration/connector/" + escape(id), kinds: accountOnly})
}
