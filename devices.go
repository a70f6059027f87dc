package tago

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strings"
	"time"
)

// DevicesService manages devices, their configuration parameters and chunks. Its
// methods need an account (profile) token.
type DevicesService service

// accountOnly is the call.kinds of operations that need an account token.
var accountOnly = []TokenKind{KindAccount}

// DeviceType is a device's storage type.
type DeviceType string

// The device storage types.
const (
	// DeviceMutable stores up to 50,000 records that can be edited and deleted.
	DeviceMutable DeviceType = "mutable"
	// DeviceImmutable stores records in time chunks that can only be removed whole.
	DeviceImmutable DeviceType = "immutable"
	// DeviceHybrid keeps variables matching a regular expression mutable and the rest
	// immutable.
	DeviceHybrid DeviceType = "hybrid"
	// DeviceLegacy is the deprecated storage of older devices.
	DeviceLegacy DeviceType = "legacy"
)

// ChunkPeriod is the time span of one chunk of an immutable device's data.
type ChunkPeriod string

// The chunk periods an immutable or hybrid device can use.
const (
	ChunkDay     ChunkPeriod = "day"     // ChunkDay is one chunk per day.
	ChunkWeek    ChunkPeriod = "week"    // ChunkWeek is one chunk per week.
	ChunkMonth   ChunkPeriod = "month"   // ChunkMonth is one chunk per month.
	ChunkQuarter ChunkPeriod = "quarter" // ChunkQuarter is one chunk per quarter.
)

// Device is a device as the platform describes it. List calls fill only the fields
// they were asked for.
type Device struct {
	// ID is the device's 24-hex-character ID.
	ID string `json:"id"`
	// Name is the device's name.
	Name string `json:"name"`
	// Profile is the ID of the profile owning the device.
	Profile string `json:"profile,omitempty"`
	// Description is the device's free-text description.
	Description string `json:"description,omitempty"`
	// Active says whether the device accepts data.
	Active bool `json:"active"`
	// Visible says whether the device is shown in the admin.
	Visible bool `json:"visible"`
	// Type is the storage type.
	Type DeviceType `json:"type,omitempty"`
	// Network is the ID of the device's network.
	Network string `json:"network,omitempty"`
	// Connector is the ID of the device's connector.
	Connector string `json:"connector,omitempty"`
	// BucketName is the name of the device's data bucket (its storage, named like the
	// device), filled by lists that set [DeviceListOptions.ResolveBucketName].
	BucketName string `json:"bucket_name,omitempty"`
	// ConnectorParse says whether the connector's payload parser runs.
	ConnectorParse bool `json:"connector_parse"`
	// ParseFunction is the device's own payload parser (base64 JavaScript), if any.
	ParseFunction string `json:"parse_function,omitempty"`
	// PayloadDecoder is the platform's newer name for ParseFunction.
	PayloadDecoder string `json:"payload_decoder,omitempty"`
	// SerieNumber is the device's serial (for LoRaWAN, its DevEUI), if its network uses one.
	SerieNumber string `json:"serie_number,omitempty"`
	// Tags are the device's tags.
	Tags []Tag `json:"tags,omitempty"`
	// ChunkPeriod is the chunk span of an immutable or hybrid device.
	ChunkPeriod ChunkPeriod `json:"chunk_period,omitempty"`
	// ChunkRetention is how many chunks an immutable or hybrid device keeps.
	ChunkRetention int `json:"chunk_retention,omitempty"`
	// MutableVariableRegex selects a hybrid device's mutable variables.
	MutableVariableRegex string `json:"mutable_variable_regex,omitempty"`
	// DataRetention is the platform's description of how long data is kept.
	DataRetention string `json:"data_retention,omitempty"`
	// RPM holds the device's own request-per-minute limits, when configured.
	RPM *DeviceRPM `json:"rpm,omitempty"`
	// LastInput is when the device last sent data; zero if never.
	LastInput time.Time `json:"last_input"`
	// LastOutput is when the device's data was last read; zero if never.
	LastOutput time.Time `json:"last_output"`
	// InspectedAt is when the device was last inspected in the admin; zero if never.
	InspectedAt time.Time `json:"inspected_at"`
	// CreatedAt is when the device was created.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the device was last changed.
	UpdatedAt time.Time `json:"updated_at"`
}

// DeviceRPM holds a device's own request-per-minute limits.
type DeviceRPM struct {
	// DataInput caps data sent to the device per minute.
	DataInput int `json:"data_input,omitempty"`
	// DataOutput caps data read from the device per minute.
	DataOutput int `json:"data_output,omitempty"`
}

// ConfigParam is one of a device's configuration parameters. Sent says whether the
// device has acknowledged (read) it.
type ConfigParam struct {
	// ID is the parameter's ID; empty when creating one.
	ID string `json:"id,omitempty"`
	// Key is the parameter's name.
	Key string `json:"key"`
	// Value is the parameter's value.
	Value string `json:"value"`
	// Sent says whether the parameter was acknowledged by the device.
	Sent bool `json:"sent"`
}

// UnmarshalJSON accepts a value sent as a JSON string, number or boolean.
func (p *ConfigParam) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID    string          `json:"id"`
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
		Sent  bool            `json:"sent"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = ConfigParam{ID: raw.ID, Key: raw.Key, Sent: raw.Sent}
	if len(raw.Value) > 0 && string(raw.Value) != "null" {
		if err := json.Unmarshal(raw.Value, &p.Value); err != nil {
			p.Value = string(raw.Value) // a number or boolean, kept as its JSON text
		}
	}
	return nil
}

// ParamFilter selects configuration parameters by acknowledgement.
type ParamFilter int

// The configuration parameter filters.
const (
	// ParamsAll lists every parameter.
	ParamsAll ParamFilter = iota
	// ParamsRead lists only parameters the device has acknowledged (sent).
	ParamsRead
	// ParamsUnread lists only parameters the device has not acknowledged yet.
	ParamsUnread
)

// addTo writes the filter as the platform's sent_status query parameter.
func (f ParamFilter) addTo(q *query) error {
	switch f {
	case ParamsAll:
	case ParamsRead:
		q.addBool("sent_status", true)
	case ParamsUnread:
		q.addBool("sent_status", false)
	default:
		return invalidf("param filter", "unknown value %d", int(f))
	}
	return nil
}

// checkID validates a platform object ID (24 hexadecimal characters).
func checkID(field, id string) error {
	if len(id) != 24 {
		return invalidf(field, "must be a 24-character hexadecimal ID, got %d characters", len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return invalidf(field, "must be a 24-character hexadecimal ID, found %q", c)
		}
	}
	return nil
}

// Info returns one device.
//
// TagoIO API: GET /device/{id}
func (s *DevicesService) Info(ctx context.Context, id string) (Device, error) {
	if err := checkID("device ID", id); err != nil {
		return Device{}, err
	}
	return do[Device](ctx, s.cl(), &call{method: "GET", path: "/device/" + escape(id), kinds: accountOnly})
}

// Params lists a device's configuration parameters, all or only the read or unread ones.
//
// TagoIO API: GET /device/{id}/params
func (s *DevicesService) Params(ctx context.Context, id string, filter ParamFilter) ([]ConfigParam, error) {
	if err := checkID("device ID", id); err != nil {
		return nil, err
	}
	var q query
	if err := filter.addTo(&q); err != nil {
		return nil, err
	}
	return do[[]ConfigParam](ctx, s.cl(), &call{method: "GET", path: "/device/" + escape(id) + "/params", query: &q, kinds: accountOnly})
}

// DeviceListOptions filters and pages [DevicesService.List] and [DevicesService.All].
// Every filter is optional; string filters accept * wildcards, such as "*sensor*".
type DeviceListOptions struct {
	ListOptions
	// Name keeps devices whose name matches, wildcards allowed.
	Name string
	// Tags keeps devices carrying every one of these tags.
	Tags []Tag
	// Active keeps only active (true) or only inactive (false) devices.
	Active *bool
	// Visible keeps only visible (true) or only hidden (false) devices.
	Visible *bool
	// Type keeps devices of this storage type.
	Type DeviceType
	// Network keeps devices of this network ID.
	Network string
	// Connector keeps devices of this connector ID.
	Connector string
	// Serial keeps devices whose token carries this serial number (a LoRaWAN DevEUI).
	Serial string
	// ResolveConnectorName asks the platform to return the connector's name instead of
	// its ID.
	ResolveConnectorName bool
	// ResolveBucketName asks the platform to add each device's bucket name
	// ([Device.BucketName]).
	ResolveBucketName bool
}

// devicesDefaults are the official SDKs' defaults for device lists.
var devicesDefaults = listDefaults{fields: []string{"id", "name", "tags"}, order: Asc("name")}

// List returns one page of the account's devices. Without Fields it asks for id, name
// and tags; the default order is by name, ascending.
//
// TagoIO API: GET /device
func (s *DevicesService) List(ctx context.Context, opts *DeviceListOptions) ([]Device, error) {
	q, err := deviceListQuery(opts, devicesDefaults)
	if err != nil {
		return nil, err
	}
	return do[[]Device](ctx, s.cl(), &call{method: "GET", path: "/device", query: q, kinds: accountOnly})
}

// deviceListQuery checks device list options (nil for the defaults) and builds their
// query, with def's fields and order when opts names none.
func deviceListQuery(opts *DeviceListOptions, def listDefaults) (*query, error) {
	var o DeviceListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkOptionalID("network", o.Network); err != nil {
		return nil, err
	}
	if err := checkOptionalID("connector", o.Connector); err != nil {
		return nil, err
	}
	if err := checkDeviceType("type", o.Type, true); err != nil {
		return nil, err
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, def, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addTags("filter[tags]", o.Tags)
		q.addBoolPtr("filter[active]", o.Active)
		q.addBoolPtr("filter[visible]", o.Visible)
		q.addString("filter[type]", string(o.Type))
		q.addString("filter[network]", o.Network)
		q.addString("filter[connector]", o.Connector)
	})
	if err != nil {
		return nil, err
	}
	q.addString("serial", o.Serial)
	if o.ResolveBucketName {
		q.addBool("resolveBucketName", true)
	}
	if o.ResolveConnectorName {
		q.addBool("resolveConnectorName", true)
	}
	return q, nil
}

// All returns an iterator over every device matching opts, fetching pages of
// opts.Amount (default 20) as the caller ranges, from opts.Page on. It stops early when
// the caller breaks and yields at most one error, last.
//
// TagoIO API: GET /device
func (s *DevicesService) All(ctx context.Context, opts *DeviceListOptions) iter.Seq2[Device, error] {
	var o DeviceListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Device, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// DeviceCreateRequest describes a new device. Name is required; immutable and hybrid
// devices also need ChunkPeriod and ChunkRetention, and hybrid devices
// MutableVariableRegex. TagoIO also requires Network and Connector; a self-hosted
// server (TagoCore) has neither, so the SDK leaves them to the server: empty ones are
// not sent, and a server that needs them answers with its own error (ErrBadRequest).
type DeviceCreateRequest struct {
	// Name is the device's name.
	Name string `json:"name"`
	// Network is the ID of the device's network (for LoRaWAN, the network server's
	// integration, such as "LoRaWAN Actility"); TagoIO's HTTPS network for a plain
	// device.
	Network string `json:"network,omitempty"`
	// Connector is the ID of the device's connector (the sensor model's decoder).
	Connector string `json:"connector,omitempty"`
	// Type is the storage type; empty means [DeviceMutable].
	Type DeviceType `json:"type"`
	// ChunkPeriod is the chunk span of an immutable or hybrid device.
	ChunkPeriod ChunkPeriod `json:"chunk_period,omitempty"`
	// ChunkRetention is how many chunks an immutable or hybrid device keeps, 0 to 36.
	ChunkRetention *int `json:"chunk_retention,omitempty"`
	// MutableVariableRegex selects a hybrid device's mutable variables.
	MutableVariableRegex string `json:"mutable_variable_regex,omitempty"`
	// SerieNumber is the device's serial when its network requires one: for a LoRaWAN
	// network, the device's DevEUI, such as "70B3D57ED0041234".
	SerieNumber string `json:"serie_number,omitempty"`
	// Description is a free-text description.
	Description *string `json:"description,omitempty"`
	// Active says whether the device accepts data (the platform's default is true).
	Active *bool `json:"active,omitempty"`
	// Visible says whether the device is shown in the admin.
	Visible *bool `json:"visible,omitempty"`
	// Tags are the device's tags.
	Tags []Tag `json:"tags,omitempty"`
	// ConfigurationParams are the device's initial configuration parameters.
	ConfigurationParams []ConfigParam `json:"configuration_params,omitempty"`
	// ConnectorParse says whether the connector's payload parser runs.
	ConnectorParse *bool `json:"connector_parse,omitempty"`
	// ParseFunction is the device's own payload parser, base64-encoded JavaScript.
	ParseFunction string `json:"parse_function,omitempty"`
}

// check validates the request and returns the copy to send.
func (r DeviceCreateRequest) check() (DeviceCreateRequest, error) {
	if strings.TrimSpace(r.Name) == "" {
		return r, invalidf("name", "must not be empty")
	}
	if r.Type == "" {
		r.Type = DeviceMutable
	}
	if err := checkDeviceType("type", r.Type, false); err != nil {
		return r, err
	}
	if r.Type == DeviceImmutable || r.Type == DeviceHybrid {
		if r.ChunkPeriod == "" {
			return r, invalidf("chunk period", "is required for %s devices", r.Type)
		}
		if r.ChunkRetention == nil {
			return r, invalidf("chunk retention", "is required for %s devices", r.Type)
		}
	}
	if r.ChunkPeriod != "" {
		if err := checkChunkPeriod(r.ChunkPeriod); err != nil {
			return r, err
		}
	}
	if r.ChunkRetention != nil && (*r.ChunkRetention < 0 || *r.ChunkRetention > 36) {
		return r, invalidf("chunk retention", "must be between 0 and 36, got %d", *r.ChunkRetention)
	}
	if r.Type == DeviceHybrid && r.MutableVariableRegex == "" {
		return r, invalidf("mutable variable regex", "is required for hybrid devices")
	}
	if err := checkTags("tags", r.Tags); err != nil {
		return r, err
	}
	if err := checkParams("configuration params", r.ConfigurationParams); err != nil {
		return r, err
	}
	return r, nil
}

// DeviceCreateResult is what the platform returns for a new device: its ID and its
// first token. The token is a [Secret]: printing the result does not reveal it.
type DeviceCreateResult struct {
	// ID is the new device's ID.
	ID string `json:"device_id"`
	// Token is the device's first token, with full permission.
	Token Secret `json:"token"`
}

// UnmarshalJSON accepts every spelling the platform uses for the device ID
// ("device_id", "deviceID", "device" as an ID or an object with an "id", or "id") and
// fails when none is present.
func (r *DeviceCreateResult) UnmarshalJSON(b []byte) error {
	var raw struct {
		DeviceID  string          `json:"device_id"`
		DeviceID2 string          `json:"deviceID"`
		Device    json.RawMessage `json:"device"`
		ID        string          `json:"id"`
		Token     Secret          `json:"token"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	id := raw.DeviceID
	if id == "" {
		id = raw.DeviceID2
	}
	if id == "" && len(raw.Device) > 0 {
		var s string
		var obj struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw.Device, &s) == nil {
			id = s
		} else if json.Unmarshal(raw.Device, &obj) == nil {
			id = obj.ID
		}
	}
	if id == "" {
		id = raw.ID
	}
	if id == "" {
		return errors.New("the result names no device ID (looked for device_id, deviceID, device and id)")
	}
	*r = DeviceCreateResult{ID: id, Token: raw.Token}
	return nil
}

// LogValue logs the result with its token masked.
func (r DeviceCreateResult) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", r.ID), slog.String("token", r.Token.String()))
}

// Create creates a device and returns its ID and first token. For a LoRaWAN device set
// Network and Connector to the network server's integration and the sensor's
// connector, and SerieNumber to the device's DevEUI.
//
// TagoIO API: POST /device
func (s *DevicesService) Create(ctx context.Context, req DeviceCreateRequest) (DeviceCreateResult, error) {
	req, err := req.check()
	if err != nil {
		return DeviceCreateResult{}, err
	}
	return do[DeviceCreateResult](ctx, s.cl(), &call{method: "POST", path: "/device", body: req, kinds: accountOnly})
}

// DeviceEditRequest lists the device fields to change; nil and empty fields are left
// as they are. The storage type and chunk period cannot be changed here (see
// [DevicesService.Convert]). Changing Network or Connector requires setting both,
// after deleting the device's tokens; their values are the server's to check, as in
// [DeviceCreateRequest].
type DeviceEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Description is the new description.
	Description *string `json:"description,omitempty"`
	// Active enables or disables the device.
	Active *bool `json:"active,omitempty"`
	// Visible shows or hides the device in the admin.
	Visible *bool `json:"visible,omitempty"`
	// Tags replaces the device's tags; nil leaves them, an empty non-nil slice removes
	// them all.
	Tags []Tag `json:"tags,omitzero"`
	// Network is the new network ID.
	Network *string `json:"network,omitempty"`
	// Connector is the new connector ID.
	Connector *string `json:"connector,omitempty"`
	// SerieNumber is the new serial (DevEUI).
	SerieNumber *string `json:"serie_number,omitempty"`
	// ConnectorParse turns the connector's payload parser on or off.
	ConnectorParse *bool `json:"connector_parse,omitempty"`
	// ParseFunction is the new payload parser, base64-encoded JavaScript.
	ParseFunction *string `json:"parse_function,omitempty"`
	// ChunkRetention is the new number of chunks kept, 0 to 36.
	ChunkRetention *int `json:"chunk_retention,omitempty"`
	// MutableVariableRegex is a hybrid device's new mutable-variable expression; it can
	// only change while the device is empty.
	MutableVariableRegex *string `json:"mutable_variable_regex,omitempty"`
}

// check validates the edit.
func (r *DeviceEditRequest) check() error {
	if r.Name == nil && r.Description == nil && r.Active == nil && r.Visible == nil && r.Tags == nil &&
		r.Network == nil && r.Connector == nil && r.SerieNumber == nil && r.ConnectorParse == nil &&
		r.ParseFunction == nil && r.ChunkRetention == nil && r.MutableVariableRegex == nil {
		return invalidf("device edit", "sets no field")
	}
	if r.Name != nil && strings.TrimSpace(*r.Name) == "" {
		return invalidf("name", "must not be empty")
	}
	if r.ChunkRetention != nil && (*r.ChunkRetention < 0 || *r.ChunkRetention > 36) {
		return invalidf("chunk retention", "must be between 0 and 36, got %d", *r.ChunkRetention)
	}
	return checkTags("tags", r.Tags)
}

// Edit changes a device's fields.
//
// TagoIO API: PUT /device/{id}
func (s *DevicesService) Edit(ctx context.Context, id string, req DeviceEditRequest) error {
	if err := checkID("device ID", id); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/device/" + escape(id), body: req, kinds: accountOnly})
}

// Delete deletes a device with its data and tokens.
//
// TagoIO API: DELETE /device/{id}
func (s *DevicesService) Delete(ctx context.Context, id string) error {
	if err := checkID("device ID", id); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/device/" + escape(id), kinds: accountOnly})
}

// ClientFor returns a client that carries one of the device's own tokens, with this
// client's settings (base URL, HTTP client, retry policy, logger), as the official
// SDK's Utils.getDevice does: for sending data as the device, which the platform may
// refuse from an account token (see [DevicesService.Data]). The token is the newest that
// has not expired, preferring one that may write (full or write permission) to a
// read-only one; a device without any is an error matching [ErrNotFound].
//
// TagoIO API: GET /device/token/{deviceID}
func (s *DevicesService) ClientFor(ctx context.Context, deviceID string) (*Client, error) {
	if err := checkID("device ID", deviceID); err != nil {
		return nil, err
	}
	c := s.cl()
	tokens := &TokensService{client: c}
	opts := &TokenListOptions{ListOptions: ListOptions{Amount: 100, Fields: tokenFinderFields}}
	now := time.Now()
	var readOnly Secret
	for tok, err := range tokens.All(ctx, deviceID, opts) {
		if err != nil {
			return nil, err
		}
		if tok.Token == "" || !tok.ExpireTime.Time.IsZero() && !tok.ExpireTime.Time.After(now) {
			continue
		}
		switch tok.Permission {
		case PermissionFull, PermissionWrite:
			return c.withToken(DeviceToken(tok.Token.Reveal()))
		case PermissionRead:
			if readOnly == "" {
				readOnly = tok.Token
			}
		}
	}
	if readOnly != "" {
		return c.withToken(DeviceToken(readOnly.Reveal()))
	}
	return nil, fmt.Errorf("%w: device %s has no token that has not expired", ErrNotFound, deviceID)
}

// DataAmount returns how many data records a device holds.
//
// TagoIO API: GET /device/{id}/data_amount
func (s *DevicesService) DataAmount(ctx context.Context, id string) (int64, error) {
	if err := checkID("device ID", id); err != nil {
		return 0, err
	}
	n, err := do[amountResult](ctx, s.cl(), &call{method: "GET", path: "/device/" + escape(id) + "/data_amount", kinds: accountOnly})
	return int64(n), err
}

// amountResult decodes a JSON number, integral or not (a fractional part is dropped), or a
// string holding one.
type amountResult int64

// UnmarshalJSON reads the count.
func (n *amountResult) UnmarshalJSON(b []byte) error {
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return err
	}
	if i, err := num.Int64(); err == nil {
		*n = amountResult(i)
		return nil
	}
	f, err := num.Float64()
	if err != nil {
		return fmt.Errorf("%q is not a count", num.String())
	}
	*n = amountResult(f)
	return nil
}

// EmptyData removes every data record of a device, keeping the device itself.
//
// TagoIO API: POST /device/{id}/empty
func (s *DevicesService) EmptyData(ctx context.Context, id string) error {
	if err := checkID("device ID", id); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/device/" + escape(id) + "/empty", kinds: accountOnly})
}

// SetParams creates or edits a device's configuration parameters: a parameter with an
// ID replaces that parameter, one without is added.
//
// TagoIO API: POST /device/{id}/params
func (s *DevicesService) SetParams(ctx context.Context, id string, params ...ConfigParam) error {
	if err := checkID("device ID", id); err != nil {
		return err
	}
	if len(params) == 0 {
		return invalidf("params", "must not be empty")
	}
	if err := checkParams("params", params); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/device/" + escape(id) + "/params", body: params, kinds: accountOnly})
}

// RemoveParam deletes one of a device's configuration parameters.
//
// TagoIO API: DELETE /device/{id}/params/{paramID}
func (s *DevicesService) RemoveParam(ctx context.Context, id, paramID string) error {
	if err := checkID("device ID", id); err != nil {
		return err
	}
	if err := checkID("param ID", paramID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/device/" + escape(id) + "/params/" + escape(paramID), kinds: accountOnly})
}

// checkOptionalID validates id with checkID unless it is empty.
func checkOptionalID(field, id string) error {
	if id == "" {
		return nil
	}
	return checkID(field, id)
}

// checkName rejects an empty or blank name.
func checkName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return invalidf(field, "must not be empty")
	}
	return nil
}

// checkDeviceType validates a storage type; empty passes when allowEmpty is set.
func checkDeviceType(field string, t DeviceType, allowEmpty bool) error {
	switch t {
	case DeviceMutable, DeviceImmutable, DeviceHybrid, DeviceLegacy:
		return nil
	case "":
		if allowEmpty {
			return nil
		}
	}
	return invalidf(field, "unknown device type %q", string(t))
}

// checkChunkPeriod validates a chunk period.
func checkChunkPeriod(p ChunkPeriod) error {
	switch p {
	case ChunkDay, ChunkWeek, ChunkMonth, ChunkQuarter:
		return nil
	}
	return invalidf("chunk period", "unknown chunk period %q", string(p))
}

// checkTags rejects tags without a key.
func checkTags(field string, tags []Tag) error {
	for i, t := range tags {
		if strings.TrimSpace(t.Key) == "" {
			return invalidf(fmt.Sprintf("%s[%d].key", field, i), "must not be empty")
		}
	}
	return nil
}

// checkParams rejects configuration parameters without a key or with a malformed ID.
func checkParams(field string, params []ConfigParam) error {
	for i, p := range params {
		if strings.TrimSpace(p.Key) == "" {
			return invalidf(fmt.Sprintf("%s[%d].key", field, i), "must not be empty")
		}
		if err := checkOptionalID(fmt.Sprintf("%s[%d].id", field, i), p.ID); err != nil {
			return err
		}
	}
	return nil
}

// parseTime reads a platform date: RFC 3339 (with or without fractional seconds), the
// same without a zone (taken as UTC), "2006-01-02 15:04:05", or a plain date. The
// result is in UTC, so it does not depend on the machine's time zone.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
