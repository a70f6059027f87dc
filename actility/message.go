package actility

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-tago/tago"
)

// ErrMalformed matches errors about a body that is not a well-formed ThingPark message:
// not a JSON object, without the expected root, or with a field of the wrong type.
var ErrMalformed = errors.New("actility: malformed message")

// ErrNotUplink matches [ParseUplink] errors about a well-formed ThingPark message of
// another kind, such as DevEUI_notification or DevEUI_downlink_Sent.
var ErrNotUplink = errors.New("actility: not an uplink message")

// ErrInvalidDevEUI matches errors about a DevEUI that is not 16 hexadecimal digits.
var ErrInvalidDevEUI = errors.New("actility: invalid DevEUI")

// ErrNotStored matches [ParseMessage] errors about a well-formed ThingPark message of a
// kind TagoIO's decoder does not store, such as DevEUI_notification or
// DevEUI_downlink_Sent. [errors.As] with a [*KindError] gives the kind.
var ErrNotStored = errors.New("actility: a ThingPark message kind TagoIO does not store")

// KindError reports a well-formed ThingPark message of a kind that is not stored. It
// matches [ErrNotStored].
type KindError struct {
	// Kind is the message's root, such as "DevEUI_notification".
	Kind string
	// DevEUI is the device the message is about, as written; empty when it names none.
	DevEUI string
}

// Error returns "actility: a DevEUI_notification message is not stored".
func (e *KindError) Error() string { return "actility: a " + e.Kind + " message is not stored" }

// Is reports whether target is [ErrNotStored].
func (e *KindError) Is(target error) bool { return target == ErrNotStored }

// The roots of the two messages this package types.
const (
	uplinkRoot   = "DevEUI_uplink"
	downlinkRoot = "DevEUI_downlink"
)

// TimeLayout is how ThingPark writes times, such as "2024-12-17T09:16:55.911+00:00";
// [Uplink.Message] and [Downlink.Message] write times this way, unless the uplink keeps
// the text ThingPark wrote (see [Uplink.TimeText]).
const TimeLayout = "2006-01-02T15:04:05.000-07:00"

// Uplink is a ThingPark DevEUI_uplink message: one LoRaWAN frame received from a device,
// with radio metadata and, when an IoT Flow driver decoded it, the decoded payload.
//
// Fields ThingPark always sends are values; the others are pointers (nil when absent)
// or strings (empty when absent), so that absent and zero stay apart. Every field the
// type does not name is kept, as received, in Extra.
//
// A join request (MType 0) is an uplink too: it has no FPort, FCntUp or payload.
//
// MarshalJSON writes the AppSKey masked, so that encoders and loggers (slog's JSON
// handler marshals struct values) never reveal it; [Uplink.Message] writes the real
// message.
type Uplink struct {
	// Time is the network's reception time.
	Time time.Time
	// TimeText is Time as ThingPark wrote it, such as "2015-07-09T16:06:38.49+02:00";
	// ParseUplink sets it. While it denotes the same instant as Time, [ToData] stores it
	// unchanged as the time variable and MarshalJSON writes it; set Time alone to
	// change the time.
	TimeText string
	// DevEUI is the device's EUI, 16 hexadecimal digits; TagoIO's serial for the device.
	DevEUI string
	// FPort is the LoRaWAN application port; nil for a join request.
	FPort *int
	// FCntUp is the uplink frame counter; nil for a join request.
	FCntUp *int
	// FCntDn is the downlink frame counter.
	FCntDn *int
	// LostUplinksAS counts uplinks lost between the network and the application server.
	LostUplinksAS *int
	// ADRbit is 1 when the device asked for adaptive data rate.
	ADRbit *int
	// MType is the LoRaWAN message type (2 unconfirmed, 4 confirmed data up).
	MType *int
	// PayloadHex is the frame's application payload in hexadecimal (JSON payload_hex).
	PayloadHex string
	// MicHex is the frame's message integrity code in hexadecimal (JSON mic_hex).
	MicHex string
	// Lrcid is the ID of the LRC (network core) that handled the frame.
	Lrcid string
	// LrrRSSI is the best gateway's RSSI, in dBm.
	LrrRSSI *float64
	// LrrSNR is the best gateway's signal-to-noise ratio, in dB.
	LrrSNR *float64
	// LrrESP is the best gateway's estimated signal power, in dBm.
	LrrESP *float64
	// SpFact is the spreading factor (7 to 12).
	SpFact *int
	// SubBand is the frequency sub-band, such as "G1".
	SubBand string
	// Channel is the logical channel, such as "LC3".
	Channel string
	// Lrrid is the ID of the best gateway (LRR).
	Lrrid string
	// Late is 1 when the frame arrived late (buffered by a gateway).
	Late *int
	// LrrLAT is the best gateway's latitude.
	LrrLAT *float64
	// LrrLON is the best gateway's longitude.
	LrrLON *float64
	// Lrrs lists every gateway that received the frame (JSON {"Lrr": [...]}).
	Lrrs []Lrr
	// DevLrrCnt is how many gateways received the frame.
	DevLrrCnt *int
	// CustomerID is the ThingPark subscriber's ID.
	CustomerID string
	// CustomerData is the device's name, tags and other subscriber data, as received.
	CustomerData json.RawMessage
	// BaseStationData describes the best gateway, as received.
	BaseStationData json.RawMessage
	// ModelCfg is the device's model configuration, such as "1:ShowRoomTag".
	ModelCfg string
	// DriverCfg identifies the IoT Flow driver that decoded the frame, as received.
	DriverCfg json.RawMessage
	// InstantPER is the instantaneous packet error rate.
	InstantPER *float64
	// MeanPER is the mean packet error rate.
	MeanPER *float64
	// DevAddr is the device's network address.
	DevAddr string
	// AckRequested is 1 when the frame asked for an acknowledgement.
	AckRequested *int
	// RawMacCommands holds the frame's MAC commands in hexadecimal.
	RawMacCommands string
	// TxPower is the device's transmit power, in dBm.
	TxPower *float64
	// NbTrans is how many times the device transmits each frame.
	NbTrans *int
	// Frequency is the frame's frequency, in MHz.
	Frequency *float64
	// DynamicClass is the device's current LoRaWAN class, such as "A".
	DynamicClass string
	// PayloadEncryption is 1 when PayloadHex is still encrypted.
	PayloadEncryption *int
	// Payload is the payload an IoT Flow driver decoded, as received (JSON payload).
	Payload json.RawMessage
	// Points are the driver's decoded values with their units, as received.
	Points json.RawMessage
	// DownlinkURL is where IoT Flow accepts downlinks for the device (newer IoT Flow).
	DownlinkURL string
	// DevLocTime is when the network located the device, for network-geolocated devices.
	DevLocTime time.Time
	// DevLocTimeText is DevLocTime as ThingPark wrote it; used like TimeText.
	DevLocTimeText string
	// DevLAT is the device's latitude as the network solved it.
	DevLAT *float64
	// DevLON is the device's longitude as the network solved it.
	DevLON *float64
	// DevAlt is the device's altitude as the network solved it.
	DevAlt *float64
	// DevLocRadius is the horizontal accuracy of DevLAT and DevLON, in meters.
	DevLocRadius *float64
	// DevAltRadius is the accuracy of DevAlt, in meters.
	DevAltRadius *float64
	// DevUlFCntUpUsed is the frame counter of the uplink the location was solved from.
	DevUlFCntUpUsed *int
	// DevLocDilution is the horizontal dilution of precision of the location.
	DevLocDilution *float64
	// DevAltDilution is the vertical dilution of precision of the location.
	DevAltDilution *float64
	// DevNorthVel is the device's northward velocity.
	DevNorthVel *float64
	// DevEastVel is the device's eastward velocity.
	DevEastVel *float64
	// NwGeolocAlgo is the geolocation algorithm requested.
	NwGeolocAlgo *int
	// NwGeolocAlgoUsed is the geolocation algorithm used.
	NwGeolocAlgoUsed *int
	// AppSKey is the application session key of an end-to-end ABP device, when sent.
	// Printing, logging or marshaling it shows at most its last four characters.
	AppSKey tago.Secret
	// ASID is the application server's ID, for AS routing (JSON AS_ID).
	ASID string
	// Extra holds every field the type does not name, as received.
	Extra map[string]json.RawMessage
}

// Lrr is one gateway (LRR) that received an uplink.
type Lrr struct {
	// Lrrid is the gateway's ID.
	Lrrid string
	// Chain is the gateway's radio chain.
	Chain *int
	// LrrRSSI is the RSSI at this gateway, in dBm.
	LrrRSSI *float64
	// LrrSNR is the signal-to-noise ratio at this gateway, in dB.
	LrrSNR *float64
	// LrrESP is the estimated signal power at this gateway, in dBm.
	LrrESP *float64
	// Extra holds every field the type does not name, as received.
	Extra map[string]json.RawMessage
}

// Downlink is a ThingPark DevEUI_downlink message: a frame to queue for a device through
// IoT Flow. Exactly one of PayloadHex and Payload is set.
//
// MarshalJSON writes the AS key masked; [Downlink.Message] writes the real message.
type Downlink struct {
	// Time is when the downlink was made; zero leaves it out.
	Time time.Time
	// DevEUI is the device's EUI, 16 hexadecimal digits.
	DevEUI string
	// FPort is the LoRaWAN application port.
	FPort int
	// PayloadHex is the frame's payload in hexadecimal (JSON payload_hex).
	PayloadHex string
	// Payload is a payload for an IoT Flow driver to encode, as JSON (JSON payload).
	Payload json.RawMessage
	// Confirmed asks for a confirmed downlink. ThingPark writes it as "1" or "0".
	Confirmed *bool
	// FlushDownlinkQueue empties the device's queue before this downlink.
	FlushDownlinkQueue *bool
	// ValidityTime is when the downlink expires if not yet sent; zero leaves it out.
	ValidityTime time.Time
	// CorrelationID is an ID that ThingPark returns in the downlink's reports.
	CorrelationID string
	// FCntDn is the downlink frame counter to use, for devices whose keys ThingPark
	// does not hold.
	FCntDn *int
	// ASID is the application server's ID (JSON AS_ID).
	ASID string
	// ASKey is the application server's key (JSON AS_KEY). Printing, logging or
	// marshaling it shows at most its last four characters.
	ASKey tago.Secret
	// DriverCfg selects the IoT Flow driver that encodes Payload, as JSON.
	DriverCfg json.RawMessage
	// Extra holds every field the type does not name, as received.
	Extra map[string]json.RawMessage
}

// A field binds a JSON key to a struct field of T, through a pointer to it.
type field[T any] struct {
	key string
	ptr func(*T) any
}

// uplinkFields lists the uplink's named fields in ThingPark's order.
var uplinkFields = []field[Uplink]{
	{"Time", func(u *Uplink) any { return timeField{&u.Time, &u.TimeText} }},
	{"DevEUI", func(u *Uplink) any { return &u.DevEUI }},
	{"FPort", func(u *Uplink) any { return &u.FPort }},
	{"FCntUp", func(u *Uplink) any { return &u.FCntUp }},
	{"LostUplinksAS", func(u *Uplink) any { return &u.LostUplinksAS }},
	{"ADRbit", func(u *Uplink) any { return &u.ADRbit }},
	{"MType", func(u *Uplink) any { return &u.MType }},
	{"FCntDn", func(u *Uplink) any { return &u.FCntDn }},
	{"payload_hex", func(u *Uplink) any { return &u.PayloadHex }},
	{"mic_hex", func(u *Uplink) any { return &u.MicHex }},
	{"Lrcid", func(u *Uplink) any { return &u.Lrcid }},
	{"LrrRSSI", func(u *Uplink) any { return &u.LrrRSSI }},
	{"LrrSNR", func(u *Uplink) any { return &u.LrrSNR }},
	{"LrrESP", func(u *Uplink) any { return &u.LrrESP }},
	{"SpFact", func(u *Uplink) any { return &u.SpFact }},
	{"SubBand", func(u *Uplink) any { return &u.SubBand }},
	{"Channel", func(u *Uplink) any { return &u.Channel }},
	{"Lrrid", func(u *Uplink) any { return &u.Lrrid }},
	{"Late", func(u *Uplink) any { return &u.Late }},
	{"LrrLAT", func(u *Uplink) any { return &u.LrrLAT }},
	{"LrrLON", func(u *Uplink) any { return &u.LrrLON }},
	{"Lrrs", func(u *Uplink) any { return &u.Lrrs }},
	{"DevLrrCnt", func(u *Uplink) any { return &u.DevLrrCnt }},
	{"CustomerID", func(u *Uplink) any { return &u.CustomerID }},
	{"CustomerData", func(u *Uplink) any { return &u.CustomerData }},
	{"BaseStationData", func(u *Uplink) any { return &u.BaseStationData }},
	{"ModelCfg", func(u *Uplink) any { return &u.ModelCfg }},
	{"DriverCfg", func(u *Uplink) any { return &u.DriverCfg }},
	{"InstantPER", func(u *Uplink) any { return &u.InstantPER }},
	{"MeanPER", func(u *Uplink) any { return &u.MeanPER }},
	{"DevAddr", func(u *Uplink) any { return &u.DevAddr }},
	{"AckRequested", func(u *Uplink) any { return &u.AckRequested }},
	{"rawMacCommands", func(u *Uplink) any { return &u.RawMacCommands }},
	{"TxPower", func(u *Uplink) any { return &u.TxPower }},
	{"NbTrans", func(u *Uplink) any { return &u.NbTrans }},
	{"Frequency", func(u *Uplink) any { return &u.Frequency }},
	{"DynamicClass", func(u *Uplink) any { return &u.DynamicClass }},
	{"PayloadEncryption", func(u *Uplink) any { return &u.PayloadEncryption }},
	{"payload", func(u *Uplink) any { return &u.Payload }},
	{"points", func(u *Uplink) any { return &u.Points }},
	{"downlinkUrl", func(u *Uplink) any { return &u.DownlinkURL }},
	{"DevLocTime", func(u *Uplink) any { return timeField{&u.DevLocTime, &u.DevLocTimeText} }},
	{"DevLAT", func(u *Uplink) any { return &u.DevLAT }},
	{"DevLON", func(u *Uplink) any { return &u.DevLON }},
	{"DevAlt", func(u *Uplink) any { return &u.DevAlt }},
	{"DevLocRadius", func(u *Uplink) any { return &u.DevLocRadius }},
	{"DevAltRadius", func(u *Uplink) any { return &u.DevAltRadius }},
	{"DevUlFCntUpUsed", func(u *Uplink) any { return &u.DevUlFCntUpUsed }},
	{"DevLocDilution", func(u *Uplink) any { return &u.DevLocDilution }},
	{"DevAltDilution", func(u *Uplink) any { return &u.DevAltDilution }},
	{"DevNorthVel", func(u *Uplink) any { return &u.DevNorthVel }},
	{"DevEastVel", func(u *Uplink) any { return &u.DevEastVel }},
	{"NwGeolocAlgo", func(u *Uplink) any { return &u.NwGeolocAlgo }},
	{"NwGeolocAlgoUsed", func(u *Uplink) any { return &u.NwGeolocAlgoUsed }},
	{"AppSKey", func(u *Uplink) any { return &u.AppSKey }},
	{"AS_ID", func(u *Uplink) any { return &u.ASID }},
}

// lrrFields lists a gateway entry's named fields.
var lrrFields = []field[Lrr]{
	{"Lrrid", func(l *Lrr) any { return &l.Lrrid }},
	{"Chain", func(l *Lrr) any { return &l.Chain }},
	{"LrrRSSI", func(l *Lrr) any { return &l.LrrRSSI }},
	{"LrrSNR", func(l *Lrr) any { return &l.LrrSNR }},
	{"LrrESP", func(l *Lrr) any { return &l.LrrESP }},
}

// downlinkFields lists the downlink's named fields in ThingPark's order.
var downlinkFields = []field[Downlink]{
	{"Time", func(d *Downlink) any { return &d.Time }},
	{"DevEUI", func(d *Downlink) any { return &d.DevEUI }},
	{"FPort", func(d *Downlink) any { return &d.FPort }},
	{"payload_hex", func(d *Downlink) any { return &d.PayloadHex }},
	{"payload", func(d *Downlink) any { return &d.Payload }},
	{"Confirmed", func(d *Downlink) any { return &d.Confirmed }},
	{"FlushDownlinkQueue", func(d *Downlink) any { return &d.FlushDownlinkQueue }},
	{"ValidityTime", func(d *Downlink) any { return &d.ValidityTime }},
	{"CorrelationID", func(d *Downlink) any { return &d.CorrelationID }},
	{"FCntDn", func(d *Downlink) any { return &d.FCntDn }},
	{"AS_ID", func(d *Downlink) any { return &d.ASID }},
	{"AS_KEY", func(d *Downlink) any { return &d.ASKey }},
	{"DriverCfg", func(d *Downlink) any { return &d.DriverCfg }},
}

// Message is a ThingPark message that TagoIO's decoder stores: an [Uplink] or a
// [LocationMessage]. [ParseMessage] reads one; [ToData] turns it into records.
type Message interface {
	// EUI returns the device's EUI as the message wrote it.
	EUI() string
	// Group returns the group of the message's records: the same for every delivery
	// of the message, different for different messages of a device.
	Group() string
	// records returns the message's records (see ToData).
	records() []tago.Data
}

// ParseMessage reads the body of any POST ThingPark sends to a TagoIO connection: an
// uplink (as [ParseUplink] reads it) or a ThingPark X Location Engine location message
// (as [ParseLocation] reads it). A well-formed message of another kind
// (DevEUI_notification, DevEUI_downlink_Sent, DevEUI_location, ...) fails with a
// [*KindError] matching [ErrNotStored]; anything else with [ErrMalformed].
func ParseMessage(body []byte) (Message, error) {
	top, err := topObject(body)
	if err != nil {
		return nil, err
	}
	switch kind := kindOf(top); kind {
	case uplinkRoot:
		var u Uplink
		err := u.UnmarshalJSON(uplinkBody(top, body))
		return u, err
	case locationKind:
		var l LocationMessage
		err := l.UnmarshalJSON(body)
		return l, err
	case "":
		return nil, fmt.Errorf("%w: neither an uplink nor a location message", ErrMalformed)
	default:
		return nil, &KindError{Kind: kind, DevEUI: innerDevEUI(top[kind])}
	}
}

// ParseUplink reads the body of a ThingPark uplink POST: {"DevEUI_uplink": {...}}, or
// the bare inner object that IoT Flow sends when its connection sets sendMetadata. It
// accepts typed JSON and the "JSON untyped" variant (numbers and flags written as
// strings). A well-formed message of another kind fails with [ErrNotUplink]; anything
// else that is not an uplink fails with [ErrMalformed]. ParseUplink does not check the
// DevEUI; see [NormalizeDevEUI].
func ParseUplink(body []byte) (Uplink, error) {
	var u Uplink
	top, err := topObject(body)
	if err != nil {
		return u, err
	}
	switch kind := kindOf(top); kind {
	case uplinkRoot:
		err = u.UnmarshalJSON(uplinkBody(top, body))
		return u, err
	case locationKind:
		return u, fmt.Errorf("%w: got a location message", ErrNotUplink)
	case "":
		return u, fmt.Errorf("%w: no %s object", ErrMalformed, uplinkRoot)
	default:
		return u, fmt.Errorf("%w: got a %s message", ErrNotUplink, clip(kind, 40))
	}
}

// ParseDownlink reads a ThingPark downlink message, {"DevEUI_downlink": {...}}, typed
// or untyped. A message with another root fails with [ErrMalformed].
func ParseDownlink(body []byte) (Downlink, error) {
	var d Downlink
	top, err := topObject(body)
	if err != nil {
		return d, err
	}
	inner, ok := top[downlinkRoot]
	if !ok {
		return d, fmt.Errorf("%w: no %s object", ErrMalformed, downlinkRoot)
	}
	err = d.UnmarshalJSON(inner)
	return d, err
}

// locationKind is kindOf's name for a location message, which has no root.
const locationKind = "location"

// topObject decodes body's top-level object.
func topObject(body []byte) (map[string]json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, fmt.Errorf("%w: the body is not a JSON object", ErrMalformed)
	}
	return top, nil
}

// kindOf says what a message is: uplinkRoot (under its root, or bare with a DevEUI at
// the top), locationKind (a deviceEUI at the top), the root of another ThingPark
// message (a single DevEUI_* member), or "" when it is none of these.
func kindOf(top map[string]json.RawMessage) string {
	if _, ok := top[uplinkRoot]; ok {
		return uplinkRoot
	}
	if _, ok := top["DevEUI"]; ok {
		return uplinkRoot
	}
	if _, ok := top["deviceEUI"]; ok {
		return locationKind
	}
	if len(top) == 1 {
		for k := range top {
			if strings.HasPrefix(k, "DevEUI_") {
				return k
			}
		}
	}
	return ""
}

// uplinkBody returns the uplink object of a message kindOf calls an uplink.
func uplinkBody(top map[string]json.RawMessage, body []byte) []byte {
	if inner, ok := top[uplinkRoot]; ok {
		return inner
	}
	return body
}

// innerDevEUI returns the DevEUI member of a message's inner object, when it is a
// string of at most 64 bytes.
func innerDevEUI(inner json.RawMessage) string {
	var v struct {
		DevEUI json.RawMessage `json:"DevEUI"`
	}
	if json.Unmarshal(inner, &v) != nil {
		return ""
	}
	text, quoted, ok := scalarText(v.DevEUI)
	if !ok || !quoted || len(text) > 64 {
		return ""
	}
	return text
}

// UnmarshalJSON reads the inner object of a DevEUI_uplink message, typed or untyped.
func (u *Uplink) UnmarshalJSON(b []byte) error {
	var out Uplink
	extra, err := decodeFields(b, uplinkRoot, &out, uplinkFields)
	if err != nil {
		return err
	}
	out.Extra = extra
	*u = out
	return nil
}

// MarshalJSON writes the inner object of a DevEUI_uplink message as typed JSON: the
// named fields in ThingPark's order (absent ones left out), then Extra. The AppSKey is
// masked; [Uplink.Message] writes it.
func (u Uplink) MarshalJSON() ([]byte, error) {
	return encodeFields(&u, uplinkFields, u.Extra, false)
}

// Message returns the whole uplink message, {"DevEUI_uplink": {...}}, as ThingPark
// posts it, AppSKey included.
func (u Uplink) Message() ([]byte, error) {
	inner, err := encodeFields(&u, uplinkFields, u.Extra, true)
	if err != nil {
		return nil, err
	}
	return wrap(uplinkRoot, inner), nil
}

// EUI returns u.DevEUI.
func (u Uplink) EUI() string { return u.DevEUI }

// UnmarshalJSON reads one gateway entry, typed or untyped.
func (l *Lrr) UnmarshalJSON(b []byte) error {
	var out Lrr
	extra, err := decodeFields(b, "Lrr", &out, lrrFields)
	if err != nil {
		return err
	}
	out.Extra = extra
	*l = out
	return nil
}

// MarshalJSON writes one gateway entry as typed JSON.
func (l Lrr) MarshalJSON() ([]byte, error) { return encodeFields(&l, lrrFields, l.Extra, false) }

// UnmarshalJSON reads the inner object of a DevEUI_downlink message, typed or untyped.
func (d *Downlink) UnmarshalJSON(b []byte) error {
	var out Downlink
	extra, err := decodeFields(b, downlinkRoot, &out, downlinkFields)
	if err != nil {
		return err
	}
	out.Extra = extra
	*d = out
	return nil
}

// MarshalJSON writes the inner object of a DevEUI_downlink message: the named fields
// in ThingPark's order (absent ones left out, flags as "1" or "0"), then Extra. The AS
// key is masked; [Downlink.Message] writes it.
func (d Downlink) MarshalJSON() ([]byte, error) {
	return encodeFields(&d, downlinkFields, d.Extra, false)
}

// Message returns the whole downlink message, {"DevEUI_downlink": {...}}, as IoT Flow
// accepts it, AS key included. It fails when both or neither of PayloadHex and Payload
// are set.
func (d Downlink) Message() ([]byte, error) {
	if (d.PayloadHex == "") == (len(d.Payload) == 0) {
		return nil, errors.New("actility: a downlink needs exactly one of PayloadHex and Payload")
	}
	inner, err := encodeFields(&d, downlinkFields, d.Extra, true)
	if err != nil {
		return nil, err
	}
	return wrap(downlinkRoot, inner), nil
}
