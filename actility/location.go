package actility

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-tago/tago"
)

// LocationMessage is a location message of ThingPark X Location Engine: a device's
// position as the engine resolved it from a tracker's uplink, posted without a root
// ({"deviceEUI": ..., "time": ..., "coordinates": [...], ...}).
//
// As for [Uplink], absent and zero stay apart (pointers, empty strings), nested
// objects the type does not model are kept as received, and every member the type does
// not name is kept in Extra.
type LocationMessage struct {
	// DxProfileID is the ThingPark DX profile the message was made for (JSON dxProfileId).
	DxProfileID string
	// CustomerID is the ThingPark subscriber's ID (JSON customerId).
	CustomerID string
	// ModelCfg is the device's model configuration (JSON modelCfg).
	ModelCfg string
	// UserAccountID is the ThingPark user account (JSON userAccountId).
	UserAccountID string
	// RealmID is the ThingPark realm (JSON realmId).
	RealmID string
	// ParentRealmID is the ThingPark parent realm (JSON parentRealmId).
	ParentRealmID string
	// DeviceEUI is the device's EUI, 16 hexadecimal digits, often in lower case (JSON
	// deviceEUI).
	DeviceEUI string
	// Time is when the position was resolved (JSON time).
	Time time.Time
	// TimeText is Time as ThingPark wrote it; ParseLocation sets it, and MarshalJSON
	// writes it while it denotes the same instant as Time.
	TimeText string
	// Coordinates is the resolved position: longitude, latitude and, when known,
	// altitude (GeoJSON order).
	Coordinates []float64
	// OverwriteCoordinates says whether the position replaces the device's last one.
	OverwriteCoordinates *bool
	// Age is the age of the position when it was resolved, in seconds; -1 when unknown.
	Age *float64
	// ValidityState is the position's validity, such as "NEW" or "PREVIOUS".
	ValidityState string
	// HorizontalAccuracy is the position's accuracy, in meters.
	HorizontalAccuracy *float64
	// IncomingSubscriberID is the subscriber the uplink came from (JSON
	// incomingSubscriberId).
	IncomingSubscriberID string
	// TrackerType is the tracker's model, such as "Micro Tracker V3.1".
	TrackerType string
	// ProcessedFeed is the uplink the position was resolved from, as received.
	ProcessedFeed json.RawMessage
	// RawPosition is the position before the engine's filtering, with the solver's
	// inputs (BLE beacons, floor and room for indoor positions).
	RawPosition *RawPosition
	// ResolvedTracker is the tracker's state as the engine knows it, as received.
	ResolvedTracker json.RawMessage
	// UplinkPayload is the tracker's decoded uplink, as received.
	UplinkPayload json.RawMessage
	// ResolvedTrackerParameters are the tracker's parameters, as received.
	ResolvedTrackerParameters json.RawMessage
	// MessageSource is where the message came from, such as "LORA".
	MessageSource string
	// CustomerData is the device's name and other subscriber data, as received (JSON
	// customerData).
	CustomerData json.RawMessage
	// DownlinkURL is where IoT Flow accepts downlinks for the device (JSON downlinkUrl).
	DownlinkURL string
	// Extra holds every member the type does not name, as received.
	Extra map[string]json.RawMessage
}

// RawPosition is the raw position of a [LocationMessage] (JSON rawPosition).
type RawPosition struct {
	// RawPositionType is the solver, such as "RawPositionByBleSolver".
	RawPositionType string
	// Coordinates is the position: longitude, latitude and, when known, altitude.
	Coordinates []float64
	// Age is the age of the position, in seconds.
	Age *float64
	// HorizontalAccuracy is the position's accuracy, in meters.
	HorizontalAccuracy *float64
	// BssidCount is how many beacons or access points the position was solved from.
	BssidCount *int
	// BeaconIDData lists the BLE beacons heard (JSON beaconIdData).
	BeaconIDData []Beacon
	// BeaconFormat is the beacons' ID format, such as "BEACON_ID".
	BeaconFormat string
	// FloorNumber is the floor of an indoor position (JSON floor_number).
	FloorNumber *int
	// RoomName is the room of an indoor position (JSON room_name).
	RoomName string
	// Extra holds every member the type does not name, as received.
	Extra map[string]json.RawMessage
}

// Beacon is one BLE beacon of a [RawPosition].
type Beacon struct {
	// RSSI is the beacon's signal strength, in dBm.
	RSSI *float64
	// BeaconID is the beacon's ID, such as "00-00-00-00-43-84".
	BeaconID string
	// Extra holds every member the type does not name, as received.
	Extra map[string]json.RawMessage
}

// locationFields lists the location message's named fields in ThingPark's order.
var locationFields = []field[LocationMessage]{
	{"dxProfileId", func(l *LocationMessage) any { return &l.DxProfileID }},
	{"customerId", func(l *LocationMessage) any { return &l.CustomerID }},
	{"modelCfg", func(l *LocationMessage) any { return &l.ModelCfg }},
	{"userAccountId", func(l *LocationMessage) any { return &l.UserAccountID }},
	{"realmId", func(l *LocationMessage) any { return &l.RealmID }},
	{"parentRealmId", func(l *LocationMessage) any { return &l.ParentRealmID }},
	{"deviceEUI", func(l *LocationMessage) any { return requiredString{&l.DeviceEUI} }}, // marks the kind: always written
	{"time", func(l *LocationMessage) any { return timeField{&l.Time, &l.TimeText} }},
	{"coordinates", func(l *LocationMessage) any { return &l.Coordinates }},
	{"overwriteCoordinates", func(l *LocationMessage) any { return jsonBool{&l.OverwriteCoordinates} }},
	{"age", func(l *LocationMessage) any { return &l.Age }},
	{"validityState", func(l *LocationMessage) any { return &l.ValidityState }},
	{"horizontalAccuracy", func(l *LocationMessage) any { return &l.HorizontalAccuracy }},
	{"incomingSubscriberId", func(l *LocationMessage) any { return &l.IncomingSubscriberID }},
	{"trackerType", func(l *LocationMessage) any { return &l.TrackerType }},
	{"processedFeed", func(l *LocationMessage) any { return &l.ProcessedFeed }},
	{"rawPosition", func(l *LocationMessage) any { return &l.RawPosition }},
	{"resolvedTracker", func(l *LocationMessage) any { return &l.ResolvedTracker }},
	{"uplinkPayload", func(l *LocationMessage) any { return &l.UplinkPayload }},
	{"resolvedTrackerParameters", func(l *LocationMessage) any { return &l.ResolvedTrackerParameters }},
	{"messageSource", func(l *LocationMessage) any { return &l.MessageSource }},
	{"customerData", func(l *LocationMessage) any { return &l.CustomerData }},
	{"downlinkUrl", func(l *LocationMessage) any { return &l.DownlinkURL }},
}

// rawPositionFields lists a raw position's named fields.
var rawPositionFields = []field[RawPosition]{
	{"rawPositionType", func(r *RawPosition) any { return &r.RawPositionType }},
	{"coordinates", func(r *RawPosition) any { return &r.Coordinates }},
	{"age", func(r *RawPosition) any { return &r.Age }},
	{"horizontalAccuracy", func(r *RawPosition) any { return &r.HorizontalAccuracy }},
	{"bssidCount", func(r *RawPosition) any { return &r.BssidCount }},
	{"beaconIdData", func(r *RawPosition) any { return &r.BeaconIDData }},
	{"beaconFormat", func(r *RawPosition) any { return &r.BeaconFormat }},
	{"floor_number", func(r *RawPosition) any { return &r.FloorNumber }},
	{"room_name", func(r *RawPosition) any { return &r.RoomName }},
}

// beaconFields lists a beacon's named fields.
var beaconFields = []field[Beacon]{
	{"rssi", func(b *Beacon) any { return &b.RSSI }},
	{"beaconId", func(b *Beacon) any { return &b.BeaconID }},
}

// ParseLocation reads a ThingPark X Location Engine location message, typed or with
// numbers written as strings. A body that is not one fails with [ErrMalformed], or
// with [ErrNotStored] when it is another ThingPark message.
func ParseLocation(body []byte) (LocationMessage, error) {
	m, err := ParseMessage(body)
	if err != nil {
		return LocationMessage{}, err
	}
	if l, ok := m.(LocationMessage); ok {
		return l, nil
	}
	return LocationMessage{}, fmt.Errorf("%w: got an uplink, not a location message", ErrMalformed)
}

// UnmarshalJSON reads a location message, typed or untyped.
func (l *LocationMessage) UnmarshalJSON(b []byte) error {
	var out LocationMessage
	extra, err := decodeFields(b, "location", &out, locationFields)
	if err != nil {
		return err
	}
	out.Extra = extra
	*l = out
	return nil
}

// MarshalJSON writes the location message as typed JSON: the named fields in
// ThingPark's order (absent ones left out), then Extra.
func (l LocationMessage) MarshalJSON() ([]byte, error) {
	return encodeFields(&l, locationFields, l.Extra, false)
}

// EUI returns l.DeviceEUI.
func (l LocationMessage) EUI() string { return l.DeviceEUI }

// UnmarshalJSON reads a raw position, typed or untyped.
func (r *RawPosition) UnmarshalJSON(b []byte) error {
	var out RawPosition
	extra, err := decodeFields(b, "rawPosition", &out, rawPositionFields)
	if err != nil {
		return err
	}
	out.Extra = extra
	*r = out
	return nil
}

// MarshalJSON writes the raw position as typed JSON.
func (r RawPosition) MarshalJSON() ([]byte, error) {
	return encodeFields(&r, rawPositionFields, r.Extra, false)
}

// UnmarshalJSON reads a beacon, typed or untyped.
func (b *Beacon) UnmarshalJSON(data []byte) error {
	var out Beacon
	extra, err := decodeFields(data, "beaconIdData", &out, beaconFields)
	if err != nil {
		return err
	}
	out.Extra = extra
	*b = out
	return nil
}

// MarshalJSON writes the beacon as typed JSON.
func (b Beacon) MarshalJSON() ([]byte, error) {
	return encodeFields(&b, beaconFields, b.Extra, false)
}

// indoorRecord returns the record TagoIO's decoder makes of an indoor raw position
// (one with a floor): rawposition_location, the position with the solver's inputs as
// metadata.
func (r *RawPosition) indoorRecord() (tago.Data, bool) {
	if r == nil || r.FloorNumber == nil || len(r.Coordinates) < 2 {
		return tago.Data{}, false
	}
	loc := tago.Location{Lat: r.Coordinates[1], Lng: r.Coordinates[0]}
	if loc.Lat < -90 || loc.Lat > 90 || loc.Lng < -180 || loc.Lng > 180 {
		return tago.Data{}, false
	}
	meta := map[string]any{}
	put := func(k string, v any, ok bool) {
		if ok {
			meta[k] = v
		}
	}
	put("age", deref(r.Age), r.Age != nil)
	put("horizontalAccuracy", deref(r.HorizontalAccuracy), r.HorizontalAccuracy != nil)
	put("bssidCount", deref(r.BssidCount), r.BssidCount != nil)
	for i, b := range r.BeaconIDData {
		n := strconv.Itoa(i)
		put("beaconIdData_rssi"+n, deref(b.RSSI), b.RSSI != nil)
		put("beaconIdData_beaconId"+n, b.BeaconID, b.BeaconID != "")
	}
	put("beaconFormat", r.BeaconFormat, r.BeaconFormat != "")
	put("floor_number", *r.FloorNumber, true)
	put("room_name", r.RoomName, r.RoomName != "")
	return tago.Data{
		Variable: "rawposition_location",
		Value:    formatNumber(loc.Lat) + ", " + formatNumber(loc.Lng),
		Location: &loc,
		Metadata: meta,
	}, true
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// formatNumber writes f as JavaScript does for the numbers of a position: the
// shortest decimal that reads back as f.
func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Group returns the group of a location message's records: its time in Unix
// milliseconds and a hash of its content, such as "1736772390201-9c3fe1a4b2d0". It is
// the same for every delivery of the message and differs between two messages about
// the same instant (a new and a previous position).
func (l LocationMessage) Group() string {
	body, err := l.MarshalJSON()
	if err != nil {
		body = []byte(l.DeviceEUI + "|" + l.TimeText)
	}
	sum := digest("location", strings.ToUpper(l.DeviceEUI), string(body))
	if l.Time.IsZero() {
		return sum[:16]
	}
	return strconv.FormatInt(l.Time.UnixMilli(), 10) + "-" + sum[:12]
}
