package actility

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-tago/tago"
)

// droppedFields are the members TagoIO's LoRaWAN Actility decoder deletes before
// turning the rest into variables (case-sensitive, as the decoder compares them).
var droppedFields = map[string]bool{
	"CustomerData": true, "CustomerID": true, "Lrrs": true, "DevAddr": true, "AppSKey": true,
	"DynamicClass": true, "InstantPER": true, "MeanPER": true,
}

// ignoredKeys are the keys TagoIO's decoder skips. It compares them case-sensitively,
// so an uplink's "Time" and "Channel" are not among them, while a location message's
// "time", "coordinates", "processedFeed", "customerData"... are.
var ignoredKeys = map[string]bool{
	"rf_chain": true, "channel": true, "modulation": true, "app_id": true, "time": true,
	"gtw_trusted": true, "processedFeed": true, "coordinates": true, "resolvedTracker": true,
	"resolvedTrackerParameters": true, "uplinkPayload": true, "customerData": true,
}

// ToData returns the records TagoIO's "LoRaWAN Actility" network decoder stores for a
// message, ready for [tago.DataService.Send]. For an [Uplink]:
//
//   - every scalar member becomes a variable named after its key in lower case: time
//     (Time exactly as ThingPark wrote it), deveui, fport, fcntup, fcntdn, mtype,
//     adrbit, mic_hex, lrcid, lrrrssi, lrrsnr, lrresp, spfact, subband, channel, lrrid,
//     late, lrrlat, lrrlon (the gateway's position, kept as numbers), devlrrcnt,
//     modelcfg, ackrequested, txpower, nbtrans, frequency, downlinkurl, ... and
//     likewise for the scalar members of Extra. A join request has no fport and no
//     fcntup.
//   - payload_hex becomes payload (the frame in hexadecimal, which the device's
//     connector decodes), and DevLAT and DevLON, when both are set and not zero,
//     become location, with the value "lat,lng" and the point as its Location.
//   - the members the platform deletes are left out: CustomerData, CustomerID, Lrrs,
//     DevAddr, AppSKey, DynamicClass, InstantPER and MeanPER.
//   - every record carries the uplink's Time and the group [Uplink.Group].
//
// For a [LocationMessage] the same rules apply, and the decoder's skipped keys (time,
// coordinates, processedFeed, resolvedTracker, resolvedTrackerParameters,
// uplinkPayload, customerData) are left out: deveui, age, validitystate,
// horizontalaccuracy, trackertype, messagesource, downlinkurl, ... An indoor raw
// position (one with a floor number) adds rawposition_location: the value "lat, lng",
// the point as its Location, and as metadata the age, horizontalAccuracy, bssidCount,
// beaconIdData_rssiN and beaconIdData_beaconIdN of each beacon, beaconFormat,
// floor_number and room_name. Every record carries the message's time and the group
// [LocationMessage.Group].
//
// Where ToData differs from the platform's decoder, it does on purpose:
//
//   - Values are typed whatever the message's variant: the "JSON untyped" variant's
//     "-80.000000" becomes the number -80, where the platform stores the string.
//   - Nested objects and arrays (BaseStationData, DriverCfg, points, a driver's
//     decoded payload, rawPosition, objects in Extra) are left out: the platform turns
//     each into a record with no value, which stores nothing useful.
//   - Empty strings (rawMacCommands is often "") and members whose lower-cased key is
//     not a valid variable name are left out, so that one odd member cannot make the
//     platform refuse the whole message.
//   - A location needs DevLAT and DevLON in range, and rawposition_location is made
//     for floor 0 too (the decoder tests the floor number for truth, which skips the
//     ground floor).
//   - The group is derived from the message, the same for every delivery of it, where
//     the hosted middleware uses the time of arrival; and a location message's records
//     carry the time the position was resolved, where the platform, given none,
//     stores the time of arrival.
func ToData(m Message) []tago.Data {
	if m == nil {
		return nil
	}
	return m.records()
}

// records returns the uplink's records; see ToData.
func (u Uplink) records() []tago.Data {
	return decoderRecords(membersOf(&u, uplinkFields, u.Extra), nil, u.Time, u.Group())
}

// records returns the location message's records; see ToData.
func (l LocationMessage) records() []tago.Data {
	return decoderRecords(membersOf(&l, locationFields, l.Extra), l.RawPosition, l.Time, l.Group())
}

// member is one member of a message as TagoIO's decoder sees it: a scalar value, or a
// nested object or array.
type member struct {
	key    string
	value  any
	nested bool
}

// membersOf lists the members of *v that are set, named fields first, then Extra in
// key order.
func membersOf[T any](v *T, fields []field[T], extra map[string]json.RawMessage) []member {
	out := make([]member, 0, len(fields)+len(extra))
	for _, f := range fields {
		if val, nested, ok := memberValue(f.ptr(v)); ok {
			out = append(out, member{f.key, val, nested})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		raw := json.RawMessage(extra[k])
		if val, nested, ok := memberValue(&raw); ok {
			out = append(out, member{k, val, nested})
		}
	}
	return out
}

// memberValue returns the value of a field: times as ThingPark wrote them, numbers as
// numbers, raw JSON scalars as strings, json.Number or booleans. ok is false for an
// absent field, an empty string or a secret (which the decoder deletes anyway).
func memberValue(p any) (value any, nested, ok bool) {
	switch v := p.(type) {
	case timeField:
		text, ok := v.value()
		return text, false, ok
	case *time.Time:
		if v.IsZero() {
			return nil, false, false
		}
		return v.Format(TimeLayout), false, true
	case *string:
		return *v, false, *v != ""
	case *int:
		return *v, false, true
	case **int:
		if *v == nil {
			return nil, false, false
		}
		return **v, false, true
	case **float64:
		if *v == nil {
			return nil, false, false
		}
		return **v, false, true
	case **bool:
		if *v == nil {
			return nil, false, false
		}
		return **v, false, true
	case jsonBool:
		return memberValue(v.b)
	case requiredString:
		return memberValue(v.s)
	case *json.RawMessage:
		return rawValue(*v)
	case *[]Lrr:
		return nil, true, *v != nil
	case *[]float64:
		return nil, true, *v != nil
	case **RawPosition:
		return nil, true, *v != nil
	case *[]Beacon:
		return nil, true, *v != nil
	}
	return nil, false, false // tago.Secret: never a record
}

// rawValue returns a raw member's value: strings, numbers (exactly as written) and
// booleans; objects and arrays are nested; null and "" are absent.
func rawValue(raw json.RawMessage) (value any, nested, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false, false
	}
	switch raw[0] {
	case '{', '[':
		return nil, true, true
	case 'n':
		return nil, false, false
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false, false
		}
		return s, false, s != ""
	case 't', 'f':
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, false, false
		}
		return b, false, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return nil, false, false
	}
	return n, false, true
}

// decoderRecords applies TagoIO's decoder to the members of a message, in the
// decoder's order of steps: payload_hex renamed payload, DevLAT and DevLON turned into
// location, the deleted members removed, the skipped keys and nested values left out,
// every other member a variable named in lower case; then an indoor raw position's
// record, and the time and group on every record.
func decoderRecords(ms []member, raw *RawPosition, t time.Time, group string) []tago.Data {
	var payload any
	var lat, lng *float64
	out := make([]tago.Data, 0, len(ms)+2)
	for _, m := range ms {
		switch m.key {
		case "payload_hex":
			if s, ok := m.value.(string); ok && !m.nested {
				payload = s
				continue
			}
		case "DevLAT":
			lat = floatOf(m)
		case "DevLON":
			lng = floatOf(m)
		}
	}
	loc, hasLoc := devLocation(lat, lng)
	for _, m := range ms {
		switch {
		case droppedFields[m.key], ignoredKeys[m.key], m.nested:
			continue
		case payload != nil && (m.key == "payload_hex" || m.key == "payload"):
			continue
		case hasLoc && (m.key == "DevLAT" || m.key == "DevLON" || m.key == "location"):
			continue
		}
		name := strings.ToLower(m.key)
		if !validVariable(name) {
			continue
		}
		out = append(out, tago.Data{Variable: name, Value: m.value})
	}
	if payload != nil {
		out = append(out, tago.Data{Variable: "payload", Value: payload})
	}
	if hasLoc {
		out = append(out, tago.Data{Variable: "location", Value: formatNumber(loc.Lat) + "," + formatNumber(loc.Lng), Location: &loc})
	}
	if rec, ok := raw.indoorRecord(); ok {
		out = append(out, rec)
	}
	for i := range out {
		out[i].Time, out[i].Group = t, group
	}
	return out
}

// floatOf returns a member's value as a float64 when it is a number.
func floatOf(m member) *float64 {
	switch v := m.value.(type) {
	case float64:
		return &v
	case json.Number:
		if f, err := v.Float64(); err == nil {
			return &f
		}
	}
	return nil
}

// devLocation returns the network-solved position, when DevLAT and DevLON are both
// set, not zero (the decoder ignores zeros) and in range.
func devLocation(lat, lng *float64) (tago.Location, bool) {
	if lat == nil || lng == nil {
		return tago.Location{}, false
	}
	if *lat == 0 || *lng == 0 || *lat < -90 || *lat > 90 || *lng < -180 || *lng > 180 {
		return tago.Location{}, false
	}
	return tago.Location{Lat: *lat, Lng: *lng}, true
}

// Group returns the group [ToData] gives the uplink's records. With a Time it is the
// time in Unix milliseconds and the frame counter, such as "1734427015911-368" (the
// time alone for a join request). Without one it is a hash of what identifies the
// frame (DevEUI, FCntUp, FPort, payload and MIC), such as "5d41402abc4b2a76". Either
// way it is the same for every delivery of the same uplink and differs between a
// device's uplinks, so that a redelivery can be recognised.
func (u Uplink) Group() string {
	if !u.Time.IsZero() {
		g := strconv.FormatInt(u.Time.UnixMilli(), 10)
		if u.FCntUp != nil {
			g += "-" + strconv.Itoa(*u.FCntUp)
		}
		return g
	}
	dev := u.DevEUI
	if n, err := NormalizeDevEUI(dev); err == nil {
		dev = n
	}
	parts := []string{"uplink", dev, optInt(u.FCntUp), optInt(u.FPort), strings.ToLower(u.PayloadHex), strings.ToLower(u.MicHex)}
	if u.FCntUp == nil && u.PayloadHex == "" && u.MicHex == "" {
		// Nothing identifies the frame: its whole content does.
		body, _ := u.MarshalJSON()
		parts = append(parts, string(body))
	}
	return digest(parts...)[:16]
}

// optInt writes an optional integer, "-" when absent.
func optInt(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

// digest returns the hexadecimal SHA-256 of parts, each ended by a NUL byte.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// validVariable reports whether the platform accepts name as a variable: 1 to 100
// characters, no white space and none of * ? ! < > . - = $.
func validVariable(name string) bool {
	return name != "" && len(name) <= 100 && !strings.ContainsAny(name, " \t\r\n*?!<>.-=$")
}
