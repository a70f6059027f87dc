package actility

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-tago/tago"
)

// droppedFields are the uplink fields TagoIO's LoRaWAN Actility decoder deletes before
// turning the rest into variables.
var droppedFields = map[string]bool{
	"CustomerData": true, "CustomerID": true, "Lrrs": true, "DevAddr": true, "AppSKey": true,
	"DynamicClass": true, "InstantPER": true, "MeanPER": true,
}

// ignoredKeys are the keys TagoIO's decoder skips. It compares them case-sensitively,
// so ThingPark's "Time" and "Channel" are not among them; only unknown fields spelled
// exactly like this are.
var ignoredKeys = map[string]bool{
	"rf_chain": true, "channel": true, "modulation": true, "app_id": true, "time": true,
	"gtw_trusted": true, "processedFeed": true, "coordinates": true, "resolvedTracker": true,
	"resolvedTrackerParameters": true, "uplinkPayload": true, "customerData": true,
}

// ToData returns the variables TagoIO's "LoRaWAN Actility" network decoder produces for
// u, ready for [tago.DataService.Send]:
//
//   - every scalar field becomes a variable named after its key in lower case: time,
//     deveui, fport, fcntup, fcntdn, mtype, adrbit, mic_hex, lrcid, lrrrssi, lrrsnr,
//     lrresp, spfact, subband, channel, lrrid, late, lrrlat, lrrlon (the gateway's
//     position, kept as numbers), devlrrcnt, modelcfg, ackrequested, txpower, nbtrans,
//     frequency, ... and likewise for the scalar members of Extra;
//   - payload_hex becomes payload (the frame in hexadecimal, which the device's
//     connector decodes), and DevLAT and DevLON, when both are set and not zero,
//     become location, with the value "lat,lng" and the point as its Location;
//   - the fields the platform deletes are left out: CustomerData, CustomerID, Lrrs,
//     DevAddr, AppSKey, DynamicClass, InstantPER and MeanPER;
//   - every item carries the uplink's Time and the group [Uplink.Group].
//
// Two choices differ from the platform's decoder, on purpose. Nested objects
// (BaseStationData, DriverCfg, points, the driver's decoded payload, objects in Extra)
// are left out: the platform turns each into an item with no value, which stores
// nothing useful. And values are typed whatever the message's variant: the "JSON
// untyped" variant's "-80.000000" becomes the number -80, where the platform would
// store the string. Unknown members whose key is not a valid variable name are left
// out too, so that one odd field cannot make the platform refuse the whole uplink, and
// so are empty strings (rawMacCommands is often ""), which carry nothing.
func ToData(u Uplink) []tago.Data {
	group := u.Group()
	out := make([]tago.Data, 0, 32)
	add := func(name string, v any) {
		out = append(out, tago.Data{Variable: name, Value: v, Group: group, Time: u.Time})
	}
	loc, hasLoc := u.location()
	for _, f := range uplinkFields {
		switch {
		case droppedFields[f.key], f.key == "payload_hex":
			continue
		case hasLoc && (f.key == "DevLAT" || f.key == "DevLON"):
			continue
		}
		if v, ok := scalarOf(f.ptr(&u)); ok {
			add(strings.ToLower(f.key), v)
		}
	}
	for _, k := range sortedKeys(u.Extra) {
		if ignoredKeys[k] || droppedFields[k] {
			continue
		}
		name := strings.ToLower(k)
		if !validVariable(name) {
			continue
		}
		if v, ok := extraScalar(u.Extra[k]); ok {
			add(name, v)
		}
	}
	if u.PayloadHex != "" {
		add("payload", u.PayloadHex)
	}
	if hasLoc {
		add("location", strconv.FormatFloat(loc.Lat, 'f', -1, 64)+","+strconv.FormatFloat(loc.Lng, 'f', -1, 64))
		out[len(out)-1].Location = &loc
	}
	return out
}

// Group returns the group [ToData] gives the uplink's variables: the uplink's time in
// Unix milliseconds and its frame counter, such as "1734427015911-368". It is the same
// for every delivery of the same uplink, so a retried uplink can be recognised, and
// differs between a device's uplinks. Without a Time it is empty, and the platform
// picks a group.
func (u Uplink) Group() string {
	if u.Time.IsZero() {
		return ""
	}
	return strconv.FormatInt(u.Time.UnixMilli(), 10) + "-" + strconv.Itoa(u.FCntUp)
}

// location returns the network-solved position, when DevLAT and DevLON are both set,
// not both zero (the platform ignores zeros) and in range.
func (u *Uplink) location() (tago.Location, bool) {
	if u.DevLAT == nil || u.DevLON == nil {
		return tago.Location{}, false
	}
	lat, lng := *u.DevLAT, *u.DevLON
	if lat == 0 || lng == 0 || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return tago.Location{}, false
	}
	return tago.Location{Lat: lat, Lng: lng}, true
}

// scalarOf returns the value of a named field as a variable's value: times as
// ThingPark writes them, numbers as numbers. ok is false for absent fields and nested
// objects.
func scalarOf(p any) (any, bool) {
	switch v := p.(type) {
	case *time.Time:
		if v.IsZero() {
			return nil, false
		}
		return v.Format(TimeLayout), true
	case *string:
		return *v, *v != ""
	case *int:
		return *v, true
	case **int:
		if *v == nil {
			return nil, false
		}
		return **v, true
	case **float64:
		if *v == nil {
			return nil, false
		}
		return **v, true
	}
	return nil, false // json.RawMessage, []Lrr: nested
}

// extraScalar returns an unknown member's value as a variable's value: strings,
// numbers (exactly as written) and booleans. ok is false for null, objects and arrays.
func extraScalar(raw json.RawMessage) (any, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return s, true
	case 't', 'f':
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, false
		}
		return b, true
	case '{', '[', 'n':
		return nil, false
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return nil, false
	}
	return n, true
}

// validVariable reports whether the platform accepts name as a variable: 1 to 100
// characters, no white space and none of * ? ! < > . - = $.
func validVariable(name string) bool {
	return name != "" && len(name) <= 100 && !strings.ContainsAny(name, " \t\r\n*?!<>.-=$")
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]json.RawMessage) []string {
	return slices.Sorted(maps.Keys(m))
}
