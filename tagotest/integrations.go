package tagotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// status answers GET /status, which needs no token.
func (s *Server) status(c *call) reply {
	return ok(obj{"version": "tagotest"})
}

// info answers GET /info with whatever the token describes: the device for a device
// token, the network for a network token, {id, name, active, run_on} for an analysis
// token, the key's metadata for an authorization.
func (s *Server) info(c *call) reply {
	switch c.tok.kind {
	case kindAnalysis:
		return s.analysisInfo(c)
	case kindDevice:
		d := s.device(c.tok.device)
		if d == nil {
			return notFound("Device")
		}
		return ok(d.view())
	case kindNetwork:
		n := s.table("network")[c.tok.network]
		if n == nil {
			return notFound("Network")
		}
		return ok(networkSpec.render(c, n))
	default:
		t := c.tok
		return ok(obj{
			"name": t.name, "type": "authorization", "permission": t.permission,
			"serie_number": nil, "last_authorization": nil,
			"verification_code": nullIfEmpty(t.verification), "expire_time": expireOut(t.expire),
			"ref_id": t.profile, "created_at": jsTime(t.createdAt), "created_by": nil,
		})
	}
}

// visibleIntegration reports whether a network or connector can be used by a
// profile: it is public, built in, or the profile's own.
func visibleIntegration(d *doc, prof string) bool {
	pub, _ := d.fields["public"].(bool)
	return pub || d.profile == "" || d.profile == prof
}

// Networks and connectors are collections; everyone sees the public and built-in
// ones, only their owner changes them.
var (
	networkSpec = register(&spec{
		key: "network", noun: "Network", path: "/integration/network", kinds: accountOnly,
		order: "name,asc", infoFields: true, required: []string{"name"},
		fields: map[string]ftype{"name": fString, "description": fNullString, "public": fBool,
			"middleware_endpoint": fNullString, "require_devices_access": fBool, "device_parameters": fArray,
			"serial_number": fNullObject, "payload_decoder": fNullString, "payload_encoder": fNullString},
		visible:  func(c *call, d *doc) bool { return visibleIntegration(d, c.profile()) },
		defaults: func(*call) obj { return networkDefaults() },
		result:   func(c *call, d *doc) any { return obj{"network": d.id} },
		deleted: func(c *call, d *doc) {
			for k, t := range c.s.tokens {
				if t.kind == kindNetwork && t.network == d.id {
					delete(c.s.tokens, k)
				}
			}
		},
	})
	connectorSpec = register(&spec{
		key: "connector", noun: "Connector", path: "/integration/connector", kinds: accountOnly,
		order: "name,asc", infoFields: true, required: []string{"name"},
		fields: map[string]ftype{"name": fString, "description": fNullString, "public": fBool,
			"networks": fStrings, "device_parameters": fArray, "payload_decoder": fNullString,
			"payload_encoder": fNullString, "install_text": fNullString, "install_end_text": fNullString},
		visible: func(c *call, d *doc) bool { return visibleIntegration(d, c.profile()) },
		defaults: func(*call) obj {
			return obj{"description": "", "public": false, "networks": []string{}, "logo_url": nil,
				"device_parameters": []any{}, "payload_decoder": nil, "payload_encoder": nil,
				"install_text": nil, "install_end_text": nil, "device_annotation": nil}
		},
		validate: func(c *call, f obj, _ *doc) (reply, bool) {
			nets, _ := f["networks"].([]string)
			for i, id := range nets {
				if n := c.s.table("network")[id]; n == nil || !visibleIntegration(n, c.profile()) {
					return bad("networks["+itoa(i)+"]", "network %s not found", id), false
				}
			}
			return reply{}, true
		},
		result: func(c *call, d *doc) any { return obj{"connector": d.id} },
	})
)

// networkDefaults are the fields of a network the body does not set.
func networkDefaults() obj {
	return obj{"description": "", "public": true, "require_devices_access": false, "middleware_endpoint": nil,
		"logo_url": nil, "icon_url": nil, "banner_url": nil, "payload_encoder": nil, "payload_decoder": nil,
		"documentation_url": nil, "device_parameters": []any{}}
}

func (c *call) ownNetwork(id string) (*doc, reply, bool) {
	return networkSpec.lookup(c, id, true)
}

// listNetworkTokens answers GET /integration/network/token/{networkID}.
func (s *Server) listNetworkTokens(c *call) reply {
	n, rep, good := c.ownNetwork(c.arg(0))
	if !good {
		return rep
	}
	return c.listTokens(s.tokensWhereLocked(func(t *tokenRec) bool { return t.kind == kindNetwork && t.network == n.id }))
}

// createNetworkToken answers POST /integration/network/token with {token, name, network}.
func (s *Server) createNetworkToken(c *call) reply {
	var b tokenCreateBody
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if b.Network == nil || *b.Network == "" {
		return bad("network", "is required")
	}
	n, rep, good := c.ownNetwork(*b.Network)
	if !good {
		return rep
	}
	name, perm, expire, rep, good := b.common(s.now())
	if !good {
		return rep
	}
	t := s.addNetworkTokenLocked(n, name, perm, expire)
	return ok(obj{"token": t.value, "name": t.name, "network": n.id})
}

// deleteNetworkToken answers DELETE /integration/network/token/{token}.
func (s *Server) deleteNetworkToken(c *call) reply {
	t := s.tokens[c.arg(0)]
	if t == nil || t.kind != kindNetwork || t.profile != c.profile() {
		return notFound("Token")
	}
	delete(s.tokens, t.value)
	return ok("Token Successfully Removed")
}

// Network-token operations.

// msgInvalidAuthorization answers a resolve or a network data post whose authorization
// key is unknown or expired.
const msgInvalidAuthorization = "Invalid Authorization"

// authorizationLocked returns a usable service authorization for a key.
func (s *Server) authorizationLocked(key string) *tokenRec {
	a := s.tokens[key]
	if a == nil || a.kind != kindAuthorization || a.permission == "deny" || s.expiredLocked(a) {
		return nil
	}
	return a
}

// findBySerialLocked finds the device token whose serie_number is serie, on a device of
// network netID, in profile prof (any profile when empty). On duplicates the most
// recently created device wins, and on that device its newest matching token.
func (s *Server) findBySerialLocked(serie, netID, prof string) *tokenRec {
	var best *tokenRec
	var bestDev *device
	for _, t := range s.tokens {
		if t.kind != kindDevice || t.serie == "" || !strings.EqualFold(t.serie, serie) || s.expiredLocked(t) {
			continue
		}
		d := s.device(t.device)
		if d == nil || d.network() != netID || (prof != "" && d.profile != prof) {
			continue
		}
		if best == nil || d.seq > bestDev.seq || d == bestDev && t.seq > best.seq {
			best, bestDev = t, d
		}
	}
	return best
}

// resolveToken answers GET /integration/network/resolve/{serie}[/{authorization}] with
// the device token (a bare string). Only devices of the token's network count. With an
// authorization the lookup is limited to the key's profile, and the token remembers the
// key as its last_authorization. An unknown serial is a 404, an unknown or expired key a
// 401. details is accepted and ignored.
func (s *Server) resolveToken(c *call) reply {
	serie := c.arg(0)
	prof, key := "", ""
	if len(c.args) > 1 {
		key = c.arg(1)
		a := s.authorizationLocked(key)
		if a == nil {
			return fail(http.StatusUnauthorized, msgInvalidAuthorization)
		}
		prof = a.profile
	}
	t := s.findBySerialLocked(serie, c.tok.network, prof)
	if t == nil {
		return fail(http.StatusNotFound, "Device not found")
	}
	if key != "" {
		t.lastAuth = key
	}
	return ok(t.value)
}

// networkSetParams answers POST /integration/network/{deviceID}/params for a device on
// the token's network.
func (s *Server) networkSetParams(c *call) reply {
	d := s.device(c.arg(0))
	if d == nil || d.network() != c.tok.network {
		return notFound("Device")
	}
	ps, rep, good := c.decodeParams()
	if !good {
		return rep
	}
	if rep, good := s.setParamsLocked(d, ps); !good {
		return rep
	}
	return ok("Device Configuration Parameter Updated")
}

// networkData answers POST /integration/network/data?authorization_token=KEY: each point
// must carry metadata.serial (normally set by the network's payload parser; the fake
// runs no parser), which is resolved like a network resolve with that key. Points of
// unknown serials fail the whole request with 404.
func (s *Server) networkData(c *call) reply {
	key := c.q.str("authorization_token")
	if key == "" {
		return fail(http.StatusBadRequest, "authorization_token is required")
	}
	a := s.authorizationLocked(key)
	if a == nil {
		return fail(http.StatusUnauthorized, msgInvalidAuthorization)
	}
	in, rep, good := decodeDataPoints(c.body, s.now())
	if !good {
		return rep
	}
	type batch struct {
		d  *device
		t  *tokenRec
		in []dataIn
	}
	byDevice := map[string]*batch{}
	var order []string
	for i, p := range in {
		var meta struct {
			Serial string `json:"serial"`
		}
		if len(p.Metadata) > 0 {
			_ = json.Unmarshal(p.Metadata, &meta)
		}
		if meta.Serial == "" {
			return bad(fmt.Sprintf("[%d].metadata.serial", i), "is required (the network's payload parser sets it)")
		}
		t := s.findBySerialLocked(meta.Serial, c.tok.network, a.profile)
		if t == nil {
			return fail(http.StatusNotFound, "Device not found")
		}
		b := byDevice[t.device]
		if b == nil {
			b = &batch{d: s.device(t.device), t: t}
			byDevice[t.device] = b
			order = append(order, t.device)
		}
		b.in = append(b.in, p)
	}
	n := 0
	for _, id := range order {
		b := byDevice[id]
		stored, rep := s.storeLocked(b.d, b.in)
		if stored == nil {
			return rep
		}
		b.t.lastAuth = key
		n += len(stored)
	}
	return ok(fmt.Sprintf("%d Data Added", n))
}

// networkDevices answers GET /integration/network/{connectorID}/devices for a network
// token: the devices of every profile that use the token's network and that
// connector, each with its oldest token, with page, amount, filter and orderBy
// (default name,asc). The network must have require_devices_access (401 otherwise).
func (s *Server) networkDevices(c *call) reply {
	n := s.table("network")[c.tok.network]
	if n == nil {
		return notFound("Network")
	}
	if rda, _ := n.fields["require_devices_access"].(bool); !rda {
		return fail(http.StatusUnauthorized, "The network does not have access to its devices (require_devices_access)")
	}
	cn := s.table("connector")[c.arg(0)]
	if cn == nil {
		return notFound("Connector")
	}
	o, rep, good := c.listOptions("name,asc")
	if !good {
		return rep
	}
	ds := s.docsLocked(deviceSpec.key, func(d *doc) bool { return d.str("network") == n.id && d.str("connector") == cn.id })
	items := make([]obj, 0, len(ds))
	for _, d := range ds {
		m := d.ext.(*device).view()
		if ts := s.deviceTokensLocked(d.id); len(ts) > 0 {
			m["token"] = ts[0].value
		}
		items = append(items, m)
	}
	o.fields = nil // the route returns whole devices
	return ok(applyList(items, o))
}

// RelayMessage is a message published through a network's MQTT relay, as
// [Server.Published] reports it.
type RelayMessage struct {
	// Network is the ID of the network whose token published the message.
	Network string
	// Device is the device the message is for.
	Device string
	// Topic, Message, QoS and Retain are as sent (QoS -1 when not sent).
	Topic   string
	Message string
	QoS     int
	Retain  bool
}

// publishToRelay answers POST /integration/network/publish {topic, message, qos,
// retain, device} for a network token: the device must use the token's network (404
// otherwise) and topic is required. The fake keeps the message (see
// [Server.Published]) and answers "Message published".
func (s *Server) publishToRelay(c *call) reply {
	var b struct {
		Topic   *string `json:"topic"`
		Message *string `json:"message"`
		QoS     *int    `json:"qos"`
		Retain  *bool   `json:"retain"`
		Device  *string `json:"device"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if b.Device == nil || *b.Device == "" {
		return bad("device", "is required")
	}
	if b.Topic == nil || strings.TrimSpace(*b.Topic) == "" {
		return bad("topic", "is required")
	}
	if b.QoS != nil && (*b.QoS < 0 || *b.QoS > 2) {
		return bad("qos", "must be 0, 1 or 2")
	}
	d := s.device(*b.Device)
	if d == nil || d.network() != c.tok.network {
		return notFound("Device")
	}
	m := RelayMessage{Network: c.tok.network, Device: d.id, Topic: *b.Topic, QoS: -1}
	if b.Message != nil {
		m.Message = *b.Message
	}
	if b.QoS != nil {
		m.QoS = *b.QoS
	}
	if b.Retain != nil {
		m.Retain = *b.Retain
	}
	s.published = append(s.published, m)
	return ok("Message published")
}

// Published returns the messages published through the MQTT relay so far, oldest
// first.
func (s *Server) Published() []RelayMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RelayMessage(nil), s.published...)
}

// Service authorizations.

func (s *Server) listAuthorizations(c *call) reply {
	return c.listTokens(s.tokensWhereLocked(func(t *tokenRec) bool { return t.kind == kindAuthorization && t.profile == c.profile() }))
}

// createAuthorization answers POST /serviceauth with {token, name, profile} plus the
// additional parameter, when given, under both names the SDKs use
// (verification_code and additional_parameters).
func (s *Server) createAuthorization(c *call) reply {
	var b tokenCreateBody
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	name, perm, expire, rep, good := b.common(s.now())
	if !good {
		return rep
	}
	code := ""
	if b.VerificationCode != nil {
		code = *b.VerificationCode
	}
	t := s.addAuthorizationLocked(c.profile(), name, perm, code, expire)
	out := obj{"token": t.value, "name": t.name, "profile": t.profile}
	if code != "" {
		out["verification_code"] = code
		out["additional_parameters"] = code
	}
	return ok(out)
}

func (c *call) ownAuthorization(key string) (*tokenRec, reply, bool) {
	t := c.s.tokens[key]
	if t == nil || t.kind != kindAuthorization || t.profile != c.profile() {
		return nil, notFound("Authorization"), false
	}
	return t, reply{}, true
}

// editAuthorization answers PUT /serviceauth/{token}; only verification_code changes.
func (s *Server) editAuthorization(c *call) reply {
	t, rep, good := c.ownAuthorization(c.arg(0))
	if !good {
		return rep
	}
	var b struct {
		VerificationCode *string `json:"verification_code"`
	}
	if len(bytes.TrimSpace(c.body)) > 0 {
		if rep, good := c.decodeBody(&b); !good {
			return rep
		}
	}
	if b.VerificationCode != nil {
		t.verification = *b.VerificationCode
	}
	return ok("Successfully Updated")
}

func (s *Server) deleteAuthorization(c *call) reply {
	t, rep, good := c.ownAuthorization(c.arg(0))
	if !good {
		return rep
	}
	delete(s.tokens, t.value)
	return ok("Token Successfully Removed")
}

// expiredLocked reports whether a token has expired.
func (s *Server) expiredLocked(t *tokenRec) bool {
	return !t.expire.IsZero() && s.now().After(t.expire)
}
