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

// accountOnly is the token kind of the management routes.
var accountOnly = []kind{kindAccount}

// Devices are a collection (collection.go); what a device is beyond its fields (data,
// tokens, configuration parameters, chunks) is its own and lives below and in data.go.
var deviceSpec = register(&spec{
	key: "device", noun: "Device", path: "/device", kinds: accountOnly, tagType: "device",
	order: "name,asc", required: []string{"name", "network", "connector"},
	fields: map[string]ftype{
		"name": fString, "network": fString, "connector": fString, "type": fString,
		"chunk_period": fString, "chunk_retention": fInt, "mutable_variable_regex": fString,
		"serie_number": fString, "description": fNullString, "active": fBool, "visible": fBool,
		"connector_parse": fBool, "parse_function": fNullString, "payload_decoder": fNullString,
		"configuration_params": fArray,
	},
	fixed:    []string{"type", "chunk_period"},
	readOnly: []string{"profile", "last_input", "last_output", "inspected_at", "bucket"},
	created:  http.StatusCreated,
	defaults: func(c *call) obj {
		return obj{"profile": c.profile(), "description": nil, "active": true, "visible": true, "type": "legacy",
			"connector_parse": false, "parse_function": nil, "payload_decoder": nil, "tags": []Tag{},
			"data_retention": "forever", "inspected_at": nil}
	},
	validate: validateDevice,
	inserted: func(c *call, d *doc) {
		dev := &device{doc: d}
		d.ext = dev
		dev.re, _ = regexp.Compile(dev.str("mutable_variable_regex"))
		for _, p := range c.stash.([]paramBody) {
			np := &param{id: c.s.newID(), key: *p.Key, value: paramValue(p.Value)}
			if p.Sent != nil {
				np.sent = *p.Sent
			}
			dev.params = append(dev.params, np)
		}
		c.s.addDeviceTokenLocked(dev, "Default", "full", time.Time{}, dev.serie(), "", "")
	},
	result: func(c *call, d *doc) any {
		tok := c.s.deviceTokensLocked(d.id)[0].value
		return obj{"device_id": d.id, "bucket_id": d.id, "token": tok}
	},
	edited: func(c *call, d *doc, f obj) {
		dev := d.ext.(*device)
		if _, changed := f["mutable_variable_regex"]; changed {
			dev.re, _ = regexp.Compile(dev.str("mutable_variable_regex"))
		}
		if ps := c.stash.([]paramBody); len(ps) > 0 {
			c.s.setParamsLocked(dev, ps)
		}
	},
	deleted: func(c *call, d *doc) {
		for _, t := range c.s.deviceTokensLocked(d.id) {
			delete(c.s.tokens, t.value)
		}
	},
	// A list with resolveBucketName=true adds bucket_name: a device's bucket is named
	// after it.
	view: func(c *call, d *doc) obj {
		m := d.ext.(*device).view()
		if c.q.str("resolveBucketName") == "true" {
			m["bucket_name"] = m["name"]
		}
		return m
	},
	infoView: func(c *call, d *doc) obj { return d.ext.(*device).view() },
	keep: func(c *call, d *doc) bool {
		serial := c.q.str("serial")
		return serial == "" || c.s.deviceHasSerial(d.ext.(*device), serial)
	},
	// A standalone TagoCore's devices are listed and read with ?tcore= naming it, the
	// profile's own devices without.
	visible: func(c *call, d *doc) bool {
		dev, _ := d.ext.(*device)
		return d.profile == c.profile() && dev != nil && dev.tcore == c.q.str("tcore")
	},
})

var (
	deviceTypes  = map[string]bool{"mutable": true, "immutable": true, "hybrid": true, "legacy": true}
	chunkPeriods = map[string]bool{"day": true, "week": true, "month": true, "quarter": true}
)

// validateDevice checks what is a device's own in a create (old nil) or edit body:
// network and connector exist (and change only together), the storage type and its
// chunk settings, the hybrid regex, the payload parser's two names and the
// configuration parameters, which it moves from f to c.stash.
func validateDevice(c *call, f obj, old *doc) (reply, bool) {
	str := func(k string) (string, bool) { v, ok := f[k].(string); return v, ok }
	prof := c.profile()
	if old != nil {
		prof = old.profile
	}
	net, hasNet := str("network")
	conn, hasConn := str("connector")
	if old != nil && hasNet != hasConn {
		return bad("network", "network and connector must be changed together"), false
	}
	if hasNet {
		if n := c.s.table("network")[net]; n == nil || !visibleIntegration(n, prof) {
			return bad("network", "network %s not found", net), false
		}
		if cn := c.s.table("connector")[conn]; cn == nil || !visibleIntegration(cn, prof) {
			return bad("connector", "connector %s not found", conn), false
		}
	}
	typ, _ := str("type")
	if old != nil {
		typ, _ = old.fields["type"].(string)
	} else if typ == "" {
		typ = "legacy"
	}
	if !deviceTypes[typ] {
		return bad("type", "must be mutable, immutable, hybrid or legacy"), false
	}
	chunked := typ == "immutable" || typ == "hybrid"
	if old == nil && chunked {
		if p, _ := str("chunk_period"); !chunkPeriods[p] {
			return bad("chunk_period", "is required for %s devices: day, week, month or quarter", typ), false
		}
		if _, given := f["chunk_retention"]; !given {
			return bad("chunk_retention", "is required for %s devices: 0 to 36", typ), false
		}
	}
	if r, given := f["chunk_retention"].(float64); given {
		if !chunked {
			if old != nil {
				return bad("chunk_retention", "applies to immutable and hybrid devices only"), false
			}
		} else if r < 0 || r > 36 {
			return bad("chunk_retention", "must be 0 to 36"), false
		}
	}
	if !chunked {
		delete(f, "chunk_period")
		delete(f, "chunk_retention")
	}
	if re, given := str("mutable_variable_regex"); given && (old == nil || re != old.fields["mutable_variable_regex"]) {
		switch {
		case typ != "hybrid" && old != nil:
			return bad("mutable_variable_regex", "applies to hybrid devices only"), false
		case typ != "hybrid":
			delete(f, "mutable_variable_regex")
		case old != nil && len(old.ext.(*device).data) > 0:
			return bad("mutable_variable_regex", "can only change while the device is empty"), false
		default:
			if _, err := regexp.Compile(re); err != nil {
				return bad("mutable_variable_regex", "invalid regular expression: %v", err), false
			}
		}
	} else if old == nil && typ == "hybrid" && !given {
		return bad("mutable_variable_regex", "is required for hybrid devices"), false
	}
	// The payload parser has two names; the newer wins when both are given.
	if v, given := f["parse_function"]; given {
		f["payload_decoder"] = v
	} else if v, given := f["payload_decoder"]; given {
		f["parse_function"] = v
	}
	var ps []paramBody
	if raw, given := f["configuration_params"]; given {
		b, _ := json.Marshal(raw)
		if err := json.Unmarshal(b, &ps); err != nil {
			return bad("configuration_params", "must be an array of {key, value, sent}"), false
		}
		delete(f, "configuration_params")
	}
	for i, p := range ps {
		if old == nil && (p.Key == nil || *p.Key == "") {
			return bad("configuration_params["+strconv.Itoa(i)+"].key", "is required"), false
		}
	}
	if old != nil {
		if rep, good := checkParams(old.ext.(*device), ps); !good {
			return rep, false
		}
	}
	c.stash = ps
	return reply{}, true
}

// view prints a device as the API does.
func (d *device) view() obj {
	m := make(obj, len(d.fields)+2)
	for k, v := range d.fields {
		m[k] = v
	}
	if d.serie() == "" {
		delete(m, "serie_number")
	}
	m["last_input"], m["last_output"] = timeOrNull(d.lastInput), timeOrNull(d.lastOutput)
	return m
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

func validPermission(p string) bool {
	return p == "full" || p == "read" || p == "write" || p == "deny"
}

func (s *Server) deviceHasSerial(d *device, serial string) bool {
	if strings.EqualFold(d.serie(), serial) {
		return true
	}
	for _, t := range s.deviceTokensLocked(d.id) {
		if strings.EqualFold(t.serie, serial) {
			return true
		}
	}
	return false
}

// device returns the device with an ID, or nil.
func (s *Server) device(id string) *device {
	if d := s.table("device")[id]; d != nil {
		return d.ext.(*device)
	}
	return nil
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

// checkParams checks parameters to set on a device: an item with an id must name one
// of its parameters, one without needs a key.
func checkParams(d *device, ps []paramBody) (reply, bool) {
	for i, p := range ps {
		if p.ID != nil && *p.ID != "" {
			if d.param(*p.ID) == nil {
				return notFound("Param " + *p.ID), false
			}
			continue
		}
		if p.Key == nil || *p.Key == "" {
			return bad("["+strconv.Itoa(i)+"].key", "is required"), false
		}
	}
	return reply{}, true
}

func (d *device) param(id string) *param {
	for _, p := range d.params {
		if p.id == id {
			return p
		}
	}
	return nil
}

// setParamsLocked checks parameters, then sets them all: items with an id edit that
// parameter, items without one are added.
func (s *Server) setParamsLocked(d *device, ps []paramBody) (reply, bool) {
	if rep, good := checkParams(d, ps); !good {
		return rep, false
	}
	byID := map[string]*param{}
	for _, p := range d.params {
		byID[p.id] = p
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
	OTPType          *string `json:"otp_type"`
	PinCode          *string `json:"pin_code"`
	ProfileID        *string `json:"profile_id"`
}

func (b *tokenCreateBody) credentials() credentials {
	return credentials{Email: b.Email, Password: b.Password, OTPType: b.OTPType, PinCode: b.PinCode}
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
