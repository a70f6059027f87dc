package tagotest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The seeding helpers below panic on a programming error in the test (an unknown device
// ID, an invalid variable name), as httptest does: the message says what was wrong.

// Tag is a key/value label on a device or a dashboard.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Location is a geographic position in degrees.
type Location struct {
	Lat float64
	Lng float64
}

// Profile is an account profile: the owner of devices, dashboards and authorizations.
type Profile struct {
	// ID is the profile's ID.
	ID string
	// Name is the profile's name.
	Name string
	// Token is an account token of the profile.
	Token string
	// Email is the e-mail address of the account owning the profile; its password is
	// [DefaultPassword] unless [WithCredentials] set another for the default account.
	Email string
}

// AddProfile adds a profile owned by another account (e-mail address
// "account-N@example.com", password [DefaultPassword]) with its own account token, for
// tests that need two accounts: each sees only its own resources. A profile of the
// default account is created through the API (POST /profile).
func (s *Server) AddProfile(name string) Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.addAccountLocked(name, "account-"+itoa(len(s.accounts)+1)+"@example.com", DefaultPassword)
	return s.addProfileLocked(a.id, name, "")
}

// profileLocked returns the profile to seed into: id, or the default profile when empty.
func (s *Server) profileLocked(id string) string {
	if id == "" {
		return s.defaultProfile
	}
	if s.table("profile")[id] == nil {
		panic(fmt.Sprintf("tagotest: unknown profile %q", id))
	}
	return id
}

// DeviceSpec describes a device to seed with [Server.AddDevice]. Only Name is needed.
type DeviceSpec struct {
	// Profile is the owning profile's ID; empty means the default profile.
	Profile string
	// Name is the device's name.
	Name string
	// Type is the storage type: "mutable" (the default), "immutable", "hybrid" or
	// "legacy".
	Type string
	// Network and Connector default to DefaultNetworkID and DefaultConnectorID.
	Network, Connector string
	// SerieNumber is the device's serial (for LoRaWAN, its DevEUI), also set on its
	// first token.
	SerieNumber string
	// Description is the device's description.
	Description string
	// Tags are the device's tags.
	Tags []Tag
	// Inactive creates the device inactive (it then refuses data).
	Inactive bool
	// Params are the device's configuration parameters.
	Params []Param
	// ChunkPeriod ("day", "week", "month" or "quarter") and ChunkRetention configure
	// an immutable or hybrid device; they default to "month" and 12.
	ChunkPeriod    string
	ChunkRetention int
	// MutableVariableRegex selects a hybrid device's mutable variables.
	MutableVariableRegex string
	// TagoCore is the ID of a standalone TagoCore instance ([Server.AddTagoCore]) that
	// holds the device: it is then listed and read only with ?tcore= naming that
	// instance (GET /device?tcore=, GET /device/{id}?tcore=), not with the profile's
	// own devices.
	TagoCore string
}

// Device is a device as the fake holds it, for assertions.
type Device struct {
	ID, Name, Profile, Type string
	Network, Connector      string
	SerieNumber             string
	Description             string
	// Token is the device's oldest token, empty when it has none.
	Token           string
	Active, Visible bool
	Tags            []Tag
	LastInput       time.Time
	LastOutput      time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// TagoCore is the standalone TagoCore instance holding the device, if any.
	TagoCore string
}

// AddDevice seeds a device and its first token (returned in Device.Token, carrying
// spec.SerieNumber).
func (s *Server) AddDevice(spec DeviceSpec) Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	prof := s.profileLocked(spec.Profile)
	typ := spec.Type
	if typ == "" {
		typ = "mutable"
	}
	f := obj{"name": spec.Name, "type": typ, "network": spec.Network, "connector": spec.Connector,
		"active": !spec.Inactive}
	if spec.Network == "" {
		f["network"] = DefaultNetworkID
	}
	if spec.Connector == "" {
		f["connector"] = DefaultConnectorID
	}
	if typ == "immutable" || typ == "hybrid" {
		period, retention := spec.ChunkPeriod, spec.ChunkRetention
		if period == "" {
			period = "month"
		}
		if retention == 0 {
			retention = 12
		}
		f["chunk_period"], f["chunk_retention"] = period, float64(retention)
	}
	if spec.MutableVariableRegex != "" {
		f["mutable_variable_regex"] = spec.MutableVariableRegex
	}
	if spec.SerieNumber != "" {
		f["serie_number"] = spec.SerieNumber
	}
	if spec.Description != "" {
		f["description"] = spec.Description
	}
	if spec.Tags != nil {
		f["tags"] = spec.Tags
	}
	if len(spec.Params) > 0 {
		ps := make([]any, len(spec.Params))
		for i, p := range spec.Params {
			ps[i] = map[string]any{"key": p.Key, "value": p.Value, "sent": p.Sent}
		}
		f["configuration_params"] = ps
	}
	if spec.TagoCore != "" {
		if tc := s.table(tcoreSpec.key)[spec.TagoCore]; tc == nil || tc.profile != prof {
			panic("tagotest: AddDevice: no TagoCore " + spec.TagoCore + " in the profile")
		}
	}
	d, rep := deviceSpec.createLocked(s.seedCall(prof), nil, f)
	if d == nil {
		panic("tagotest: AddDevice: " + describe(rep))
	}
	d.ext.(*device).tcore = spec.TagoCore
	return s.deviceOut(d.ext.(*device))
}

func describe(r reply) string {
	for f, msgs := range r.fieldErrors {
		return f + ": " + msgs[0]
	}
	return r.message
}

func (s *Server) deviceOut(d *device) Device {
	out := Device{ID: d.id, Name: d.str("name"), Profile: d.profile, Type: d.typ(), Network: d.network(),
		Connector: d.str("connector"), SerieNumber: d.serie(), Active: d.active(), Description: d.str("description"),
		LastInput: d.lastInput, LastOutput: d.lastOutput, TagoCore: d.tcore}
	out.Visible, _ = d.fields["visible"].(bool)
	tags, _ := d.fields["tags"].([]Tag)
	out.Tags = append([]Tag(nil), tags...)
	out.CreatedAt = time.Time(d.fields["created_at"].(jsTime))
	out.UpdatedAt = time.Time(d.fields["updated_at"].(jsTime))
	if toks := s.deviceTokensLocked(d.id); len(toks) > 0 {
		out.Token = toks[0].value
	}
	return out
}

// Device returns the device with the given ID.
func (s *Server) Device(id string) (Device, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.device(id)
	if d == nil {
		return Device{}, false
	}
	return s.deviceOut(d), true
}

// Devices returns every device of every profile, oldest first.
func (s *Server) Devices() []Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Device
	for _, d := range s.docsLocked("device", nil) {
		out = append(out, s.deviceOut(d.ext.(*device)))
	}
	return out
}

func (s *Server) mustDevice(id string) *device {
	d := s.device(id)
	if d == nil {
		panic(fmt.Sprintf("tagotest: unknown device %q", id))
	}
	return d
}

// TokenSpec describes a device token to seed with [Server.AddDeviceToken].
type TokenSpec struct {
	// Name is the token's name.
	Name string
	// Permission is "full" (the default), "read", "write" or "deny".
	Permission string
	// SerieNumber is the serial a network resolves to this token.
	SerieNumber string
	// VerificationCode is the token's verification code.
	VerificationCode string
	// Middleware names the middleware the token is for.
	Middleware string
	// Expire is when the token stops working; zero means never.
	Expire time.Time
}

// DeviceToken is a device token as the fake holds it.
type DeviceToken struct {
	Token             string
	Device            string
	Name              string
	Permission        string
	SerieNumber       string
	VerificationCode  string
	LastAuthorization string
	Expire            time.Time
	CreatedAt         time.Time
}

// AddDeviceToken seeds another token for a device.
func (s *Server) AddDeviceToken(deviceID string, spec TokenSpec) DeviceToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mustDevice(deviceID)
	perm := spec.Permission
	if perm == "" {
		perm = "full"
	}
	if !validPermission(perm) {
		panic(fmt.Sprintf("tagotest: unknown permission %q", perm))
	}
	name := spec.Name
	if name == "" {
		name = "Token #" + strconv.Itoa(len(s.deviceTokensLocked(d.id))+1)
	}
	t := s.addDeviceTokenLocked(d, name, perm, spec.Expire, spec.SerieNumber, spec.VerificationCode, spec.Middleware)
	return tokenOut(t)
}

func tokenOut(t *tokenRec) DeviceToken {
	return DeviceToken{Token: t.value, Device: t.device, Name: t.name, Permission: t.permission,
		SerieNumber: t.serie, VerificationCode: t.verification, LastAuthorization: t.lastAuth,
		Expire: t.expire, CreatedAt: t.createdAt}
}

// DeviceTokens returns a device's tokens, oldest first.
func (s *Server) DeviceTokens(deviceID string) []DeviceToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []DeviceToken
	for _, t := range s.deviceTokensLocked(deviceID) {
		out = append(out, tokenOut(t))
	}
	return out
}

// LookupDeviceToken returns the device token with the given value, for instance to
// check the last_authorization a network resolve stored on it.
func (s *Server) LookupDeviceToken(token string) (DeviceToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[token]
	if t == nil || t.kind != kindDevice {
		return DeviceToken{}, false
	}
	return tokenOut(t), true
}

// Param is a device configuration parameter. Sent says whether the device has
// acknowledged it.
type Param struct {
	ID    string
	Key   string
	Value string
	Sent  bool
}

// AddParams seeds configuration parameters on a device and returns them with their IDs.
func (s *Server) AddParams(deviceID string, params ...Param) []Param {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mustDevice(deviceID)
	out := make([]Param, len(params))
	for i, p := range params {
		np := &param{id: s.newID(), key: p.Key, value: p.Value, sent: p.Sent}
		d.params = append(d.params, np)
		out[i] = Param{ID: np.id, Key: np.key, Value: np.value, Sent: np.sent}
	}
	return out
}

// Params returns a device's configuration parameters in creation order.
func (s *Server) Params(deviceID string) []Param {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mustDevice(deviceID)
	out := make([]Param, len(d.params))
	for i, p := range d.params {
		out[i] = Param{ID: p.id, Key: p.key, Value: p.value, Sent: p.sent}
	}
	return out
}

// Record is one stored data point.
type Record struct {
	// ID is the record's ID; AddData assigns it.
	ID string
	// Device is the owning device's ID; AddData fills it.
	Device string
	// Variable is the variable name (stored lower-case).
	Variable string
	// Value is nil, a string, a bool or a number; AddData accepts any Go number and
	// stores it as a float64, which is what reading it back gives.
	Value any
	// Unit is the unit, if any.
	Unit string
	// Group is the record's group; AddData gives the records of one call a shared group
	// when they have none.
	Group string
	// Location is the record's position, if any.
	Location *Location
	// Metadata is the record's metadata object, if any.
	Metadata map[string]any
	// Time is the record's time; AddData uses the server's clock when it is zero.
	Time time.Time
	// CreatedAt is when the record was stored.
	CreatedAt time.Time
}

// AddData stores records on a device as if the device had sent them (the mutable
// record limit applies) and returns them as stored.
func (s *Server) AddData(deviceID string, recs ...Record) []Record {
	s.mu.Lock()
	defer s.unlock()
	d := s.mustDevice(deviceID)
	in := make([]dataIn, len(recs))
	for i, r := range recs {
		v, err := normalizeValue(r.Value)
		if err != nil {
			panic(fmt.Sprintf("tagotest: AddData: record %d: %v", i, err))
		}
		in[i] = dataIn{Variable: &r.Variable, Unit: r.Unit, Group: r.Group, Time: r.Time}
		in[i].value, in[i].hasValue = v, v != nil
		if r.Location != nil {
			loc := *r.Location
			in[i].location = &loc
		}
		if r.Metadata != nil {
			in[i].Metadata, _ = json.Marshal(r.Metadata)
		}
	}
	stored, rep := s.storeLocked(d, in)
	if stored == nil && rep.status != 0 {
		panic("tagotest: AddData: " + describe(rep))
	}
	out := make([]Record, len(stored))
	for i, r := range stored {
		out[i] = recordOut(d.id, r)
	}
	return out
}

// normalizeValue turns a Go value into what the store keeps: nil, float64, string or
// bool.
func normalizeValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int8:
		return float64(x), nil
	case int16:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint:
		return float64(x), nil
	case uint8:
		return float64(x), nil
	case uint16:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case json.Number:
		return x.Float64()
	default:
		return nil, fmt.Errorf("value of type %T is not a string, number or boolean", v)
	}
}

func recordOut(deviceID string, r *record) Record {
	out := Record{ID: r.id, Device: deviceID, Variable: r.variable, Value: r.value, Unit: r.unit,
		Group: r.group, Time: r.t, CreatedAt: r.created}
	if r.location != nil {
		loc := *r.location
		out.Location = &loc
	}
	if len(r.metadata) > 0 {
		_ = json.Unmarshal(r.metadata, &out.Metadata)
	}
	return out
}

// Data returns the records stored on a device, in the order they were stored.
func (s *Server) Data(deviceID string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mustDevice(deviceID)
	out := make([]Record, len(d.data))
	for i, r := range d.data {
		out[i] = recordOut(d.id, r)
	}
	return out
}

// NetworkSpec describes a network (integration) to seed with [Server.AddNetwork].
type NetworkSpec struct {
	// Profile is the owning profile's ID; empty means the default profile.
	Profile string
	// Name is the network's name, such as "LoRaWAN Actility".
	Name string
	// Description is the network's description.
	Description string
	// MiddlewareEndpoint is the host of the network's middleware, which downlinks are
	// sent to, such as "actility.middleware.tago.io"; empty when the network has none.
	MiddlewareEndpoint string
	// Private hides the network from other profiles (networks are public by default).
	Private bool
	// RequireDevicesAccess is the network's require_devices_access flag.
	RequireDevicesAccess bool
	// Extra holds further fields printed with the network (serial_number,
	// payload_decoder, device_parameters, ...).
	Extra map[string]any
}

// Network is a seeded network and its first network token.
type Network struct {
	ID, Name, Profile  string
	MiddlewareEndpoint string
	// Token is the network token created with the network.
	Token string
}

// AddNetwork seeds a network owned by a profile, with one network token.
func (s *Server) AddNetwork(spec NetworkSpec) Network {
	s.mu.Lock()
	defer s.mu.Unlock()
	prof := s.profileLocked(spec.Profile)
	n := s.addNetworkLocked(spec, s.newID(), prof)
	tok := s.addNetworkTokenLocked(n, "Token #1", "full", time.Time{})
	return Network{ID: n.id, Name: spec.Name, Profile: prof, MiddlewareEndpoint: spec.MiddlewareEndpoint, Token: tok.value}
}

func (s *Server) addNetworkLocked(spec NetworkSpec, id, prof string) *doc {
	f := networkDefaults()
	for k, v := range spec.Extra {
		f[k] = v
	}
	f["name"] = spec.Name
	f["description"] = spec.Description
	f["public"] = !spec.Private
	f["require_devices_access"] = spec.RequireDevicesAccess
	if spec.MiddlewareEndpoint != "" {
		f["middleware_endpoint"] = spec.MiddlewareEndpoint
	}
	return s.insertLocked(networkSpec, prof, id, f)
}

// AddNetworkToken seeds another token for a network and returns it.
func (s *Server) AddNetworkToken(networkID, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.table("network")[networkID]
	if n == nil {
		panic(fmt.Sprintf("tagotest: unknown network %q", networkID))
	}
	return s.addNetworkTokenLocked(n, name, "full", time.Time{}).value
}

func (s *Server) addNetworkTokenLocked(n *doc, name, perm string, expire time.Time) *tokenRec {
	t := &tokenRec{value: s.newToken(), kind: kindNetwork, name: name, permission: perm, expire: expire,
		profile: n.profile, network: n.id, createdAt: s.now(), seq: s.nextSeq()}
	s.tokens[t.value] = t
	return t
}

// ConnectorSpec describes a connector to seed with [Server.AddConnector].
type ConnectorSpec struct {
	// Profile is the owning profile's ID; empty means the default profile.
	Profile string
	// Name is the connector's name.
	Name string
	// Description is the connector's description.
	Description string
	// Networks are the IDs of the networks the connector works with.
	Networks []string
	// Extra holds further fields printed with the connector.
	Extra map[string]any
}

// Connector is a seeded connector.
type Connector struct {
	ID, Name string
	Networks []string
}

// AddConnector seeds a connector.
func (s *Server) AddConnector(spec ConnectorSpec) Connector {
	s.mu.Lock()
	defer s.mu.Unlock()
	prof := s.profileLocked(spec.Profile)
	c := s.addConnectorLocked(spec, s.newID(), prof)
	return Connector{ID: c.id, Name: spec.Name, Networks: append([]string(nil), spec.Networks...)}
}

func (s *Server) addConnectorLocked(spec ConnectorSpec, id, prof string) *doc {
	f := connectorSpec.defaults(nil)
	for k, v := range spec.Extra {
		f[k] = v
	}
	f["name"] = spec.Name
	f["description"] = spec.Description
	f["public"] = true
	f["networks"] = append([]string{}, spec.Networks...)
	return s.insertLocked(connectorSpec, prof, id, f)
}

// AuthorizationSpec describes a service authorization to seed with
// [Server.AddAuthorization].
type AuthorizationSpec struct {
	// Profile is the owning profile's ID; empty means the default profile.
	Profile string
	// Name is the authorization's name.
	Name string
	// VerificationCode is its "additional parameter".
	VerificationCode string
	// Permission defaults to "full".
	Permission string
	// Expire is when the key stops working; zero means never.
	Expire time.Time
}

// Authorization is a service authorization: the key a network server such as Actility
// ThingPark sends with every uplink.
type Authorization struct {
	// Key is the authorization key, "at" followed by 32 hexadecimal characters.
	Key              string
	Name             string
	Profile          string
	VerificationCode string
}

// AddAuthorization seeds a service authorization.
func (s *Server) AddAuthorization(spec AuthorizationSpec) Authorization {
	s.mu.Lock()
	defer s.mu.Unlock()
	prof := s.profileLocked(spec.Profile)
	perm := spec.Permission
	if perm == "" {
		perm = "full"
	}
	t := s.addAuthorizationLocked(prof, spec.Name, perm, spec.VerificationCode, spec.Expire)
	return Authorization{Key: t.value, Name: t.name, Profile: prof, VerificationCode: t.verification}
}

func (s *Server) addAuthorizationLocked(prof, name, perm, code string, expire time.Time) *tokenRec {
	t := &tokenRec{value: s.newAuthKey(), kind: kindAuthorization, name: name, permission: perm,
		expire: expire, profile: prof, verification: code, createdAt: s.now(), seq: s.nextSeq()}
	s.tokens[t.value] = t
	return t
}

// DashboardSpec describes a dashboard to seed with [Server.AddDashboard].
type DashboardSpec struct {
	// Profile is the owning profile's ID; empty means the default profile.
	Profile string
	// Label is the dashboard's label.
	Label string
	// Tags are the dashboard's tags.
	Tags []Tag
}

// Dashboard is a dashboard as the fake holds it.
type Dashboard struct {
	ID, Label, Profile string
	Tags               []Tag
	// Widgets are the dashboard's widgets, oldest first.
	Widgets []Widget
}

// WidgetSpec describes a widget to seed with [Server.AddWidget].
type WidgetSpec struct {
	Label string
	// Type is the widget type, such as "display" or "line"; default "display".
	Type string
	// Data lists the devices and variables the widget shows.
	Data []WidgetData
}

// WidgetData is one data source of a widget: a device (its origin) and variables.
type WidgetData struct {
	Origin    string   `json:"origin"`
	Variables []string `json:"variables,omitempty"`
	Qty       int      `json:"qty,omitempty"`
	Query     string   `json:"query,omitempty"`
}

// Widget is a widget as the fake holds it.
type Widget struct {
	ID, Dashboard, Label, Type string
	Data                       []WidgetData
}

// AddDashboard seeds a dashboard.
func (s *Server) AddDashboard(spec DashboardSpec) Dashboard {
	s.mu.Lock()
	defer s.mu.Unlock()
	prof := s.profileLocked(spec.Profile)
	f := obj{"label": spec.Label, "tags": append([]Tag{}, spec.Tags...)}
	d := s.addDashboardLocked(prof, f)
	return s.dashboardOut(d)
}

// AddWidget seeds a widget on a dashboard.
func (s *Server) AddWidget(dashboardID string, spec WidgetSpec) Widget {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.table("dashboard")[dashboardID]
	if d == nil {
		panic(fmt.Sprintf("tagotest: unknown dashboard %q", dashboardID))
	}
	typ := spec.Type
	if typ == "" {
		typ = "display"
	}
	data := make([]any, len(spec.Data))
	for i, wd := range spec.Data {
		b, _ := json.Marshal(wd)
		_ = json.Unmarshal(b, &data[i])
	}
	w := s.addWidgetLocked(d, obj{"label": spec.Label, "type": typ, "data": data})
	return widgetOut(w)
}

// Dashboard returns a dashboard with its widgets.
func (s *Server) Dashboard(id string) (Dashboard, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.table("dashboard")[id]
	if d == nil {
		return Dashboard{}, false
	}
	return s.dashboardOut(d), true
}

func (s *Server) dashboardOut(d *doc) Dashboard {
	out := Dashboard{ID: d.id, Profile: d.profile}
	out.Label, _ = d.fields["label"].(string)
	tags, _ := d.fields["tags"].([]Tag)
	out.Tags = append([]Tag(nil), tags...)
	for _, w := range s.widgetsOfLocked(d.id) {
		out.Widgets = append(out.Widgets, widgetOut(w))
	}
	return out
}

func widgetOut(w *doc) Widget {
	out := Widget{ID: w.id}
	out.Dashboard, _ = w.fields["dashboard"].(string)
	out.Label, _ = w.fields["label"].(string)
	out.Type, _ = w.fields["type"].(string)
	if data, ok := w.fields["data"].([]any); ok {
		b, _ := json.Marshal(data)
		_ = json.Unmarshal(b, &out.Data)
	}
	return out
}
