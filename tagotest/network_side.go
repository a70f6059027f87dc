package tagotest

import (
	"net/http"
	"sort"
	"strings"
)

// Connector management (account token) and the network-token calls beside resolving:
// a connector's device list and publishing to the MQTT relay. The parameter and data
// calls of a network token are in integrations.go.

// createConnector answers POST /integration/connector with {connector: ID}. name is
// required, and each of networks must be a network the profile can use.
func (s *Server) createConnector(c *call) reply {
	f, rep, good := c.docFields()
	if !good {
		return rep
	}
	name, _ := f["name"].(string)
	if strings.TrimSpace(name) == "" {
		return bad("name", "is required")
	}
	nets, rep, good := c.connectorNetworks(f)
	if !good {
		return rep
	}
	delete(f, "public")
	spec := ConnectorSpec{Name: name, Networks: nets, Extra: f}
	if desc, ok := f["description"].(string); ok {
		spec.Description = desc
	}
	cn := s.addConnectorLocked(spec, s.newID(), c.profile())
	cn.fields["public"] = false
	return ok(obj{"connector": cn.id})
}

// connectorNetworks reads and checks the networks field of a connector body; absent,
// it is nil.
func (c *call) connectorNetworks(f obj) ([]string, reply, bool) {
	raw, present := f["networks"]
	if !present {
		return nil, reply{}, true
	}
	list, isList := raw.([]any)
	if !isList {
		return nil, bad("networks", "must be an array of network IDs"), false
	}
	nets := []string{}
	for _, v := range list {
		id, _ := v.(string)
		if _, rep, good := c.visibleNetwork(id); !good {
			return nil, rep, false
		}
		nets = append(nets, id)
	}
	return nets, reply{}, true
}

func (c *call) ownConnector(id string) (*doc, reply, bool) {
	cn := c.s.connectors[id]
	if cn == nil || cn.profile != c.profile() {
		return nil, notFound("Connector"), false
	}
	return cn, reply{}, true
}

// editConnector answers PUT /integration/connector/{id} for a connector of the profile.
func (s *Server) editConnector(c *call) reply {
	cn, rep, good := c.ownConnector(c.arg(0))
	if !good {
		return rep
	}
	f, rep, good := c.docFields()
	if !good {
		return rep
	}
	if name, present := f["name"]; present {
		if str, _ := name.(string); strings.TrimSpace(str) == "" {
			return bad("name", "must not be empty")
		}
	}
	nets, rep, good := c.connectorNetworks(f)
	if !good {
		return rep
	}
	if nets != nil {
		f["networks"] = nets
	}
	delete(f, "public")
	for k, v := range f {
		cn.fields[k] = v
	}
	cn.fields["updated_at"] = jsTime(s.now())
	return ok("Successfully Updated")
}

// deleteConnector answers DELETE /integration/connector/{id} for a connector of the
// profile.
func (s *Server) deleteConnector(c *call) reply {
	cn, rep, good := c.ownConnector(c.arg(0))
	if !good {
		return rep
	}
	delete(s.connectors, cn.id)
	return ok("Successfully Removed")
}

// networkDevices answers GET /integration/network/{connectorID}/devices for a network
// token: the devices of every profile that use the token's network and that
// connector, each with its oldest token, with page, amount, filter and orderBy
// (default name,asc). The network must have require_devices_access (401 otherwise).
func (s *Server) networkDevices(c *call) reply {
	n := s.networks[c.tok.network]
	if n == nil {
		return notFound("Network")
	}
	if rda, _ := n.fields["require_devices_access"].(bool); !rda {
		return fail(http.StatusUnauthorized, "The network does not have access to its devices (require_devices_access)")
	}
	cn := s.connectors[c.arg(0)]
	if cn == nil {
		return notFound("Connector")
	}
	o, rep, good := c.listOptions("name,asc")
	if !good {
		return rep
	}
	var ds []*device
	for _, d := range s.devices {
		if d.network == n.id && d.connector == cn.id {
			ds = append(ds, d)
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].seq < ds[j].seq })
	items := make([]obj, 0, len(ds))
	for _, d := range ds {
		m := s.deviceMap(d)
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
	d := s.devices[*b.Device]
	if d == nil || d.network != c.tok.network {
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
