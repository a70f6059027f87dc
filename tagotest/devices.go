package tagotest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// deviceBody is the body of POST /device and PUT /device/{id}.
type deviceBody struct {
	Name                 *string     `json:"name"`
	Network              *string     `json:"network"`
	Connector            *string     `json:"connector"`
	Type                 *string     `json:"type"`
	ChunkPeriod          *string     `json:"chunk_period"`
	ChunkRetention       *int        `json:"chunk_retention"`
	MutableVariableRegex *string     `json:"mutable_variable_regex"`
	SerieNumber          *string     `json:"serie_number"`
	Description          *string     `json:"description"`
	Active               *bool       `json:"active"`
	Visible              *bool       `json:"visible"`
	Tags                 *[]Tag      `json:"tags"`
	Params               []paramBody `json:"configuration_params"`
	ConnectorParse       *bool       `json:"connector_parse"`
	ParseFunction        *string     `json:"parse_function"`
	PayloadDecoder       *string     `json:"payload_decoder"`
	hasDescriptionNull   bool        // the body had "description": null
}

// keysOf returns the keys of a JSON object.
func keysOf(b []byte) map[string]bool {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// paramBody is one configuration parameter as sent.
type paramBody struct {
	ID    *string         `json:"id"`
	Key   *string         `json:"key"`
	Value json.RawMessage `json:"value"`
	Sent  *bool           `json:"sent"`
}

// paramValue turns a sent value into the stored string: strings as they are, numbers and
// booleans as their JSON text.
func paramValue(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

var (
	deviceTypes  = map[string]bool{"mutable": true, "immutable": true, "hybrid": true, "legacy": true}
	chunkPeriods = map[string]bool{"day": true, "week": true, "month": true, "quarter": true}
)

func validPermission(p string) bool {
	return p == "full" || p == "read" || p == "write" || p == "deny"
}

// createDeviceLocked validates a create body and creates the device with its first
// token. It returns nil and the error reply on bad input.
func (s *Server) createDeviceLocked(prof string, b *deviceBody) (*device, reply) {
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return nil, bad("name", "is required")
	}
	if b.Network == nil || *b.Network == "" {
		return nil, bad("network", "is required")
	}
	if b.Connector == nil || *b.Connector == "" {
		return nil, bad("connector", "is required")
	}
	if n := s.networks[*b.Network]; n == nil || !s.visibleLocked(n, prof) {
		return nil, bad("network", "network %s not found", *b.Network)
	}
	if cn := s.connectors[*b.Connector]; cn == nil || !s.visibleLocked(cn, prof) {
		return nil, bad("connector", "connector %s not found", *b.Connector)
	}
	typ := "legacy"
	if b.Type != nil {
		typ = *b.Type
	}
	if !deviceTypes[typ] {
		return nil, bad("type", "must be mutable, immutable, hybrid or legacy")
	}
	now := s.now()
	d := &device{id: s.newID(), name: *b.Name, profile: prof, active: true, visible: true, typ: typ,
		network: *b.Network, connector: *b.Connector, tags: []Tag{}, createdAt: now, updatedAt: now,
		seq: s.nextSeq()}
	if typ == "immutable" || typ == "hybrid" {
		if b.ChunkPeriod == nil || !chunkPeriods[*b.ChunkPeriod] {
			return nil, bad("chunk_period", "is required for %s devices: day, week, month or quarter", typ)
		}
		if b.ChunkRetention == nil || *b.ChunkRetention < 0 || *b.ChunkRetention > 36 {
			return nil, bad("chunk_retention", "is required for %s devices: 0 to 36", typ)
		}
		d.chunkPeriod, d.chunkRetention = *b.ChunkPeriod, *b.ChunkRetention
	}
	if typ == "hybrid" {
		if b.MutableVariableRegex == nil || *b.MutableVariableRegex == "" {
			return nil, bad("mutable_variable_regex", "is required for hybrid devices")
		}
		re, err := regexp.Compile(*b.MutableVariableRegex)
		if err != nil {
			return nil, bad("mutable_variable_regex", "invalid regular expression: %v", err)
		}
		d.mutableRegex, d.re = *b.MutableVariableRegex, re
	}
	if rep, good := s.applyDeviceFields(d, b); !good {
		return nil, rep
	}
	var params []*param
	for i, p := range b.Params {
		if p.Key == nil || *p.Key == "" {
			return nil, bad("configuration_params["+strconv.Itoa(i)+"].key", "is required")
		}
		np := &param{id: s.newID(), key: *p.Key, value: paramValue(p.Value)}
		if p.Sent != nil {
			np.sent = *p.Sent
		}
		params = append(params, np)
	}
	d.params = params
	if b.SerieNumber != nil {
		d.serie = *b.SerieNumber
	}
	s.devices[d.id] = d
	s.addDeviceTokenLocked(d, "Default", "full", time.Time{}, d.serie, "", "")
	return d, reply{}
}

// applyDeviceFields applies the editable fields of a create or edit body.
func (s *Server) applyDeviceFields(d *device, b *deviceBody) (reply, bool) {
	if b.Name != nil {
		if strings.TrimSpace(*b.Name) == "" {
			return bad("name", "must not be empty"), false
		}
		d.name = *b.Name
	}
	if b.Description != nil {
		desc := *b.Description
		d.description = &desc
	} else if b.hasDescriptionNull {
		d.description = nil
	}
	if b.Active != nil {
		d.active = *b.Active
	}
	if b.Visible != nil {
		d.visible = *b.Visible
	}
	if b.Tags != nil {
		for i, t := range *b.Tags {
			if t.Key == "" {
				return bad("tags["+strconv.Itoa(i)+"].key", "is required"), false
			}
		}
		d.tags = append([]Tag{}, *b.Tags...)
	}
	if b.ConnectorParse != nil {
		d.connectorParse = *b.ConnectorParse
	}
	if b.PayloadDecoder != nil {
		d.parseFunction = *b.PayloadDecoder
	}
	if b.ParseFunction != nil {
		d.parseFunction = *b.ParseFunction
	}
	return reply{}, true
}

// deviceMap is a device as the API prints it.
func (s *Server) deviceMap(d *device) obj {
	m := obj{
		"id": d.id, "name": d.name, "profile": d.profile, "description": nil,
		"active": d.active, "visible": d.visible, "type": d.typ,
		"network": d.network, "connector": d.connector, "connector_parse": d.connectorParse,
		"parse_function": nil, "payload_decoder": nil, "tags": append([]Tag{}, d.tags...),
		"data_retention": "forever",
		"last_input":     timeOrNull(d.lastInput), "last_output": timeOrNull(d.lastOutput),
		"inspected_at": nil, "created_at": jsTime(d.createdAt), "updated_at": jsTime(d.updatedAt),
	}
	if d.description != nil {
		m["description"] = *d.description
	}
	if d.parseFunction != "" {
		m["parse_function"], m["payload_decoder"] = d.parseFunction, d.parseFunction
	}
	if d.serie != "" {
		m["serie_number"] = d.serie
	}
	if d.typ == "immutable" || d.typ == "hybrid" {
		m["chunk_period"], m["chunk_retention"] = d.chunkPeriod, d.chunkRetention
	}
	if d.typ == "hybrid" {
		m["mutable_variable_regex"] = d.mutableRegex
	}
	return m
}

// listDevices answers GET /device: filter[...] (name and other fields with "*"
// wildcards, tags, active, network, connector, type, ...), serial, fields, orderBy
// (default name,asc), page and amount.
func (s *Server) listDevices(c *call) reply {
	o, rep, good := c.listOptions("name,asc")
	if !good {
		return rep
	}
	serial := c.q.str("serial")
	bucketName := c.q.str("resolveBucketName") == "true"
	var ds []*device
	for _, d := range s.devices {
		if d.profile != c.profile() {
			continue
		}
		if serial != "" && !s.deviceHasSerial(d, serial) {
			continue
		}
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].seq < ds[j].seq })
	items := make([]obj, len(ds))
	for i, d := range ds {
		items[i] = s.deviceMap(d)
		if bucketName { // a device's bucket is named after it
			items[i]["bucket_name"] = d.name
		}
	}
	return ok(applyList(items, o))
}

func (s *Server) deviceHasSerial(d *device, serial string) bool {
	if strings.EqualFold(d.serie, serial) {
		return true
	}
	for _, t := range s.deviceTokensLocked(d.id) {
		if strings.EqualFold(t.serie, serial) {
			return true
		}
	}
	return false
}

// createDevice answers POST /device with 201 and {device_id, bucket_id, token}.
func (s *Server) createDevice(c *call) reply {
	var b deviceBody
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	d, rep := s.createDeviceLocked(c.profile(), &b)
	if d == nil {
		return rep
	}
	tok := s.deviceTokensLocked(d.id)[0].value
	return created(obj{"device_id": d.id, "bucket_id": d.id, "token": tok})
}

// deviceInfo answers GET /device/{id}.
func (s *Server) deviceInfo(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	return ok(s.deviceMap(d))
}

// editDevice answers PUT /device/{id}: "Successfully Updated". The storage type and chunk
// period cannot change; network and connector change only together.
func (s *Server) editDevice(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	var b deviceBody
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	keys := keysOf(c.body)
	b.hasDescriptionNull = keys["description"] && b.Description == nil
	if b.Type != nil && *b.Type != d.typ {
		return bad("type", "cannot be changed; convert the device instead")
	}
	if b.ChunkPeriod != nil && *b.ChunkPeriod != d.chunkPeriod {
		return bad("chunk_period", "cannot be changed")
	}
	if (b.Network == nil) != (b.Connector == nil) {
		return bad("network", "network and connector must be changed together")
	}
	if b.Network != nil {
		if n := s.networks[*b.Network]; n == nil || !s.visibleLocked(n, d.profile) {
			return bad("network", "network %s not found", *b.Network)
		}
		if cn := s.connectors[*b.Connector]; cn == nil || !s.visibleLocked(cn, d.profile) {
			return bad("connector", "connector %s not found", *b.Connector)
		}
	}
	if b.MutableVariableRegex != nil && *b.MutableVariableRegex != d.mutableRegex {
		if d.typ != "hybrid" {
			return bad("mutable_variable_regex", "applies to hybrid devices only")
		}
		if len(d.data) > 0 {
			return bad("mutable_variable_regex", "can only change while the device is empty")
		}
		re, err := regexp.Compile(*b.MutableVariableRegex)
		if err != nil {
			return bad("mutable_variable_regex", "invalid regular expression: %v", err)
		}
		d.mutableRegex, d.re = *b.MutableVariableRegex, re
	}
	if b.ChunkRetention != nil {
		if d.typ != "immutable" && d.typ != "hybrid" {
			return bad("chunk_retention", "applies to immutable and hybrid devices only")
		}
		if *b.ChunkRetention < 0 || *b.ChunkRetention > 36 {
			return bad("chunk_retention", "must be 0 to 36")
		}
	}
	if rep, good := s.applyDeviceFields(d, &b); !good {
		return rep
	}
	if b.ChunkRetention != nil {
		d.chunkRetention = *b.ChunkRetention
	}
	if b.Network != nil {
		d.network, d.connector = *b.Network, *b.Connector
	}
	if b.SerieNumber != nil {
		d.serie = *b.SerieNumber
	}
	if len(b.Params) > 0 {
		if rep, good := s.setParamsLocked(d, b.Params); !good {
			return rep
		}
	}
	d.updatedAt = s.now()
	return ok("Successfully Updated")
}

// deleteDevice answers DELETE /device/{id}: the device, its tokens, data and parameters
// go.
func (s *Server) deleteDevice(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	for _, t := range s.deviceTokensLocked(d.id) {
		delete(s.tokens, t.value)
	}
	delete(s.devices, d.id)
	return ok("Successfully Removed")
}

// Configuration parameters.

func paramsView(ps []*param, sentStatus string) []obj {
	out := []obj{}
	for _, p := range ps {
		if sentStatus != "" && strconv.FormatBool(p.sent) != sentStatus {
			continue
		}
		out = append(out, obj{"id": p.id, "key": p.key, "value": p.value, "sent": p.sent})
	}
	return out
}

func (c *call) sentStatus() (string, reply, bool) {
	v := c.q.str("sent_status")
	if v != "" && v != "true" && v != "false" {
		return "", fail(http.StatusBadRequest, "sent_status must be true or false, got %q", v), false
	}
	return v, reply{}, true
}

// listParams answers GET /device/{id}/params[?sent_status=true|false].
func (s *Server) listParams(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	st, rep, good := c.sentStatus()
	if !good {
		return rep
	}
	return ok(paramsView(d.params, st))
}

// ownParams answers GET /device/params for a device token.
func (s *Server) ownParams(c *call) reply {
	d, rep, good := c.targetDevice()
	if !good {
		return rep
	}
	st, rep, good := c.sentStatus()
	if !good {
		return rep
	}
	return ok(paramsView(d.params, st))
}

// markParamRead answers PUT /device/params/{paramID}: the parameter becomes sent (or
// takes the body's "sent" when one is given).
func (s *Server) markParamRead(c *call) reply {
	d, rep, good := c.targetDevice()
	if !good {
		return rep
	}
	sent := true
	if len(bytes.TrimSpace(c.body)) > 0 {
		var b struct {
			Sent *bool `json:"sent"`
		}
		if rep, good := c.decodeBody(&b); !good {
			return rep
		}
		if b.Sent != nil {
			sent = *b.Sent
		}
	}
	for _, p := range d.params {
		if p.id == c.arg(0) {
			p.sent = sent
			return ok("Params Successfully Updated")
		}
	}
	return notFound("Param")
}

// decodeParams reads one parameter object or an array of them.
func (c *call) decodeParams() ([]paramBody, reply, bool) {
	var ps []paramBody
	t := bytes.TrimSpace(c.body)
	if len(t) > 0 && t[0] == '{' {
		var one paramBody
		if rep, good := c.decodeBody(&one); !good {
			return nil, rep, false
		}
		return []paramBody{one}, reply{}, true
	}
	if rep, good := c.decodeBody(&ps); !good {
		return nil, rep, false
	}
	return ps, reply{}, true
}

// setParams answers POST /device/{id}/params with 201 "Params Successfully Updated":
// items with an id edit that parameter, items without one are added.
func (s *Server) setParams(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	ps, rep, good := c.decodeParams()
	if !good {
		return rep
	}
	if rep, good := s.setParamsLocked(d, ps); !good {
		return rep
	}
	return created("Params Successfully Updated")
}

func (s *Server) setParamsLocked(d *device, ps []paramBody) (reply, bool) {
	byID := map[string]*param{}
	for _, p := range d.params {
		byID[p.id] = p
	}
	for i, p := range ps {
		if p.ID != nil && *p.ID != "" {
			if byID[*p.ID] == nil {
				return notFound("Param " + *p.ID), false
			}
			continue
		}
		if p.Key == nil || *p.Key == "" {
			return bad("["+strconv.Itoa(i)+"].key", "is required"), false
		}
	}
	for _, p := range ps {
		if p.ID != nil && *p.ID != "" {
			old := byID[*p.ID]
			if p.Key != nil {
				old.key = *p.Key
			}
			if p.Value != nil {
				old.value = paramValue(p.Value)
			}
			if p.Sent != nil {
				old.sent = *p.Sent
			}
			continue
		}
		np := &param{id: s.newID(), key: *p.Key, value: paramValue(p.Value)}
		if p.Sent != nil {
			np.sent = *p.Sent
		}
		d.params = append(d.params, np)
	}
	return reply{}, true
}

// removeParam answers DELETE /device/{id}/params/{paramID}.
func (s *Server) removeParam(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	for i, p := range d.params {
		if p.id == c.arg(1) {
			d.params = append(d.params[:i], d.params[i+1:]...)
			return ok("Successfully Removed")
		}
	}
	return notFound("Param")
}

// Device tokens.

func (s *Server) addDeviceTokenLocked(d *device, name, perm string, expire time.Time, serie, code, middleware string) *tokenRec {
	t := &tokenRec{value: s.newToken(), kind: kindDevice, name: name, permission: perm, expire: expire,
		profile: d.profile, device: d.id, serie: serie, verification: code, middleware: middleware,
		createdAt: s.now(), seq: s.nextSeq()}
	s.tokens[t.value] = t
	return t
}

// deviceTokensLocked returns a device's tokens, oldest first.
func (s *Server) deviceTokensLocked(deviceID string) []*tokenRec {
	return s.tokensWhereLocked(func(t *tokenRec) bool { return t.kind == kindDevice && t.device == deviceID })
}

// tokensWhereLocked returns the tokens keep accepts, oldest first.
func (s *Server) tokensWhereLocked(keep func(*tokenRec) bool) []*tokenRec {
	var out []*tokenRec
	for _, t := range s.tokens {
		if keep(t) {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func tokenMap(t *tokenRec) obj {
	m := obj{
		"token": t.value, "name": t.name, "permission": t.permission,
		"expire_time": expireOut(t.expire), "created_at": jsTime(t.createdAt),
	}
	switch t.kind {
	case kindDevice:
		m["device_id"] = t.device
		m["serie_number"] = nullIfEmpty(t.serie)
		m["last_authorization"] = nullIfEmpty(t.lastAuth)
		m["verification_code"] = nullIfEmpty(t.verification)
		m["middleware"] = nullIfEmpty(t.middleware)
	case kindNetwork:
		m["network_id"] = t.network
	case kindAuthorization:
		m["profile"] = t.profile
		m["verification_code"] = nullIfEmpty(t.verification)
		m["additional_parameters"] = nullIfEmpty(t.verification)
		m["type"] = "authorization"
	case kindAccount:
		m["profile"] = t.profile
		m["type"] = "profile"
	}
	return m
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// listTokens lists tokens (creation order before sorting) with the list parameters;
// orderBy defaults to created_at,desc.
func (c *call) listTokens(ts []*tokenRec) reply {
	o, rep, good := c.listOptions("created_at,desc")
	if !good {
		return rep
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].seq < ts[j].seq })
	items := make([]obj, len(ts))
	for i, t := range ts {
		items[i] = tokenMap(t)
	}
	return ok(applyList(items, o))
}

// listDeviceTokens answers GET /device/token/{deviceID}.
func (s *Server) listDeviceTokens(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	return c.listTokens(s.deviceTokensLocked(d.id))
}

// tokenCreateBody is the body that creates a device, network or profile token.
type tokenCreateBody struct {
	Device           *string `json:"device"`
	Network          *string `json:"network"`
	Name             *string `json:"name"`
	Permission       *string `json:"permission"`
	ExpireTime       *string `json:"expire_time"`
	SerieNumber      *string `json:"serie_number"`
	VerificationCode *string `json:"verification_code"`
	Middleware       *string `json:"middleware"`
	Email            *string `json:"email"`
	Password         *string `json:"password"`
}

// common validates name, permission and expire_time.
func (b *tokenCreateBody) common(now time.Time) (name, perm string, expire time.Time, rep reply, good bool) {
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return "", "", time.Time{}, bad("name", "is required"), false
	}
	perm = "full"
	if b.Permission != nil {
		perm = *b.Permission
	}
	if !validPermission(perm) {
		return "", "", time.Time{}, bad("permission", "must be full, read, write or deny"), false
	}
	if b.ExpireTime != nil {
		t, err := parseExpire(*b.ExpireTime, now)
		if err != nil {
			return "", "", time.Time{}, bad("expire_time", "%v", err), false
		}
		expire = t
	}
	return *b.Name, perm, expire, reply{}, true
}

// createDeviceToken answers POST /device/token with 201 and {token, permission,
// expire_date}.
func (s *Server) createDeviceToken(c *call) reply {
	var b tokenCreateBody
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if b.Device == nil || *b.Device == "" {
		return bad("device", "is required")
	}
	d, rep, good := c.ownDevice(*b.Device)
	if !good {
		return rep
	}
	name, perm, expire, rep, good := b.common(s.now())
	if !good {
		return rep
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	t := s.addDeviceTokenLocked(d, name, perm, expire, str(b.SerieNumber), str(b.VerificationCode), str(b.Middleware))
	return created(obj{"token": t.value, "permission": t.permission, "expire_date": expireOut(t.expire)})
}

// deleteDeviceToken answers DELETE /device/token/{token}.
func (s *Server) deleteDeviceToken(c *call) reply {
	t := s.tokens[c.arg(0)]
	if t == nil || t.kind != kindDevice || t.profile != c.profile() {
		return notFound("Token")
	}
	delete(s.tokens, t.value)
	return ok("Token Successfully Removed")
}
