package tago

import (
	"context"
	"encoding/json"
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
