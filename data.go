package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// Data is one record of device data: a variable's value at a time, with optional unit,
// group, location and metadata.
//
// When sending, set Variable and whatever else applies; Value may be any Go integer or
// floating-point kind, a string, a bool, a [json.Number], nil (no value) or [Null] (an
// explicit null). Every limit the platform documents (see each field) is checked before
// anything is sent. ID, Device and CreatedAt are assigned by the platform and ignored
// when sending; a zero Time lets the platform use the time of arrival. When reading, Value holds a float64, a
// string, a bool or nil; [Data.ValueKind], [Data.Float], [Data.Text] and [Data.Bool]
// read it without type assertions.
//
// Reading is lenient, so that one record stored by another client never breaks a read:
// a value that is an object or an array is kept in Value as a [json.RawMessage] (kind
// [ValueJSON]), a number beyond a float64's range as a [json.Number], and a member whose
// JSON does not fit its field (metadata that is not an object, a location in neither
// form, a time that is not one, a number where a string belongs) is kept raw in Extra,
// the field left zero. Members the SDK does not know are ignored, as encoding/json
// ignores them. Writing stays strict: Send refuses such values.
type Data struct {
	// ID is the record's ID.
	ID string `json:"id,omitempty"`
	// Device is the ID of the device holding the record (the platform's older name for
	// it, "origin", is read too).
	Device string `json:"device,omitempty"`
	// Variable is the record's variable name: 1 to 100 characters, without white space
	// or any of * ? ! < > . - = $; the platform stores it in lower case.
	Variable string `json:"variable"`
	// Value is the reading: a number, a string (at most 6 kB, 6,144 bytes), a bool, or
	// nil for none ([Null] sends an explicit JSON null).
	Value any `json:"value,omitempty"`
	// Unit is the value's unit, such as "°C": at most 25 characters.
	Unit string `json:"unit,omitempty"`
	// Group ties records sent together (at most 100 characters); the platform assigns
	// one when it is empty.
	Group string `json:"group,omitempty"`
	// Serie is the deprecated name of Group, kept for older devices.
	Serie string `json:"serie,omitempty"`
	// Location is where the reading was taken, if known.
	Location *Location `json:"location,omitempty"`
	// Metadata is free-form JSON the platform stores with the record (color, icon,
	// label, file, ...): at most 10 kB (10,240 bytes) once encoded.
	Metadata map[string]any `json:"metadata,omitempty"`
	// Time is when the reading was taken.
	Time time.Time `json:"time,omitzero"`
	// CreatedAt is when the platform stored the record; filled only when the query asks
	// for details.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Extra holds, by member name ("metadata", "location", "time", ...), the JSON of
	// the members of a record read that did not fit their typed field, exactly as the
	// platform sent it; nil when every member fit. It is never sent.
	Extra map[string]json.RawMessage `json:"-"`
}

// ValueKind says which kind of value a record holds.
type ValueKind int

// The kinds of record values.
const (
	// ValueNull is no value (nil, or Null).
	ValueNull ValueKind = iota
	// ValueNumber is a number: float64 when read, any integer or float kind or
	// json.Number when written.
	ValueNumber
	// ValueString is a string.
	ValueString
	// ValueBool is a boolean.
	ValueBool
	// ValueUnsupported is a Go value the platform cannot store (a struct, a slice, a
	// channel...); sending it fails with ErrInvalidInput.
	ValueUnsupported
	// ValueJSON is an object or an array, which only a record read holds (stored by
	// another client): Value is its [json.RawMessage]. Sending it fails with
	// ErrInvalidInput.
	ValueJSON
)

// String returns the kind's name, such as "number".
func (k ValueKind) String() string {
	switch k {
	case ValueNull:
		return "null"
	case ValueNumber:
		return "number"
	case ValueString:
		return "string"
	case ValueBool:
		return "bool"
	case ValueUnsupported:
		return "unsupported"
	case ValueJSON:
		return "json"
	}
	return "ValueKind(" + strconv.Itoa(int(k)) + ")"
}

// NullValue is the type of [Null].
type NullValue struct{}

// Null is a record value that is sent as JSON null. As [Data.Value] it stores a record
// without a value, as nil does (nil leaves "value" out of the request; Null writes
// "value": null). As [DataEdit.Value] it clears a stored record's value, where nil
// leaves it unchanged. Records read never hold it: a null value reads as nil. Its
// [ValueKind] is ValueNull.
var Null = NullValue{}

// MarshalJSON returns null, so a Data holding Null marshals as the SDK sends it.
func (NullValue) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// ValueKind reports which kind of value d holds.
func (d Data) ValueKind() ValueKind { return kindOf(d.Value) }

// Float returns the value as a float64 and true when it is a number.
func (d Data) Float() (float64, bool) {
	switch v := d.Value.(type) {
	case float64:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case nil, string, bool:
		return 0, false
	}
	rv := reflect.ValueOf(d.Value)
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), true
	}
	return 0, false
}

// Text returns the value and true when it is a string.
func (d Data) Text() (string, bool) {
	switch v := d.Value.(type) {
	case string:
		return v, true
	case json.Number, nil:
		return "", false
	}
	if rv := reflect.ValueOf(d.Value); rv.Kind() == reflect.String {
		return rv.String(), true
	}
	return "", false
}

// Bool returns the value and true when it is a boolean.
func (d Data) Bool() (bool, bool) {
	switch v := d.Value.(type) {
	case bool:
		return v, true
	case nil:
		return false, false
	}
	if rv := reflect.ValueOf(d.Value); rv.Kind() == reflect.Bool {
		return rv.Bool(), true
	}
	return false, false
}

// kindOf classifies a value.
func kindOf(v any) ValueKind {
	switch v.(type) {
	case nil, NullValue:
		return ValueNull
	case float64, int, int64, float32, int32, uint, uint64, uint32, json.Number:
		return ValueNumber
	case string:
		return ValueString
	case bool:
		return ValueBool
	case json.RawMessage:
		return ValueJSON
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return ValueNumber
	case reflect.String:
		return ValueString
	case reflect.Bool:
		return ValueBool
	}
	return ValueUnsupported
}

// Location is a point on Earth in decimal degrees. The platform returns locations as
// GeoJSON Points, {"type": "Point", "coordinates": [lng, lat]}; the SDK sends them in
// that form too and reads either form.
type Location struct {
	// Lat is the latitude, from -90 to 90.
	Lat float64 `json:"lat"`
	// Lng is the longitude, from -180 to 180.
	Lng float64 `json:"lng"`
}

// MarshalJSON writes the location as a GeoJSON Point.
func (l Location) MarshalJSON() ([]byte, error) {
	if err := l.check("location"); err != nil {
		return nil, err
	}
	return appendLocation(nil, l), nil
}

// check validates the coordinates' ranges; field names the location in the error.
func (l Location) check(field string) error {
	if sub, reason := l.problem(); sub != "" {
		return invalidf(field+"."+sub, "%s", reason)
	}
	return nil
}

// problem names the coordinate out of range and says why, or returns "" when both are
// valid. It allocates nothing on success.
func (l Location) problem() (sub, reason string) {
	if math.IsNaN(l.Lat) || l.Lat < -90 || l.Lat > 90 {
		return "lat", fmt.Sprintf("latitude must be between -90 and 90, got %v", l.Lat)
	}
	if math.IsNaN(l.Lng) || l.Lng < -180 || l.Lng > 180 {
		return "lng", fmt.Sprintf("longitude must be between -180 and 180, got %v", l.Lng)
	}
	return "", ""
}

// DataEdit changes one stored record of a mutable device, selected by ID. Nil (or
// zero) fields are left as they are.
type DataEdit struct {
	// ID is the record to change; required.
	ID string
	// Value is the new value (same kinds and limits as [Data.Value]); nil leaves it
	// unchanged and [Null] clears it.
	Value any
	// Unit is the new unit (at most 25 characters); nil leaves it unchanged.
	Unit *string
	// Group is the new group (at most 100 characters); nil leaves it unchanged.
	Group *string
	// Time is the new time; zero leaves it unchanged.
	Time time.Time
	// Location is the new location; nil leaves it unchanged.
	Location *Location
	// Metadata replaces the metadata (at most 10 kB once encoded); nil leaves it
	// unchanged.
	Metadata map[string]any
}

// DataService sends, reads, edits and deletes one device's data. [Client.Data] works
// with a device token on the token's own device (TagoIO's Device API: /data, /info,
// /device/params); [DevicesService.Data] works with an account token on any device by
// ID (/device/{id}/data). Both have the same methods, types and queries; calling one
// form with the other kind of token fails with [ErrTokenKind] before any request.
type DataService struct {
	client   *Client
	deviceID string
	account  bool  // true for the account-token form, /device/{id}/...
	err      error // an invalid device ID, returned by every method
}

// Data returns the data service of the device with the given ID, for a client with an
// account token. An invalid ID makes every method fail with ErrInvalidInput.
//
// TagoIO may refuse to store data sent with a profile token (POST /device/{id}/data is
// meant for analysis tokens; TagoIO's own tools send through one of the device's
// tokens instead): Send then fails with an error matching ErrForbidden or
// ErrUnauthorized. Reading, editing and deleting work with profile tokens.
func (s *DevicesService) Data(deviceID string) *DataService {
	return &DataService{client: s.cl(), deviceID: deviceID, account: true, err: checkID("device ID", deviceID)}
}

// deviceOnly is the call.kinds of the Device API.
var deviceOnly = []TokenKind{KindDevice}

// dataTarget returns the path of the device's data and the token kinds it accepts.
func (s *DataService) dataTarget() (string, []TokenKind, error) {
	if s == nil {
		return "", nil, errNilClient
	}
	if s.err != nil {
		return "", nil, s.err
	}
	if s.account {
		return "/device/" + escape(s.deviceID) + "/data", accountOnly, nil
	}
	return "/data", deviceOnly, nil
}

// Send stores points on the device and returns how many the platform stored. Every
// point is checked before anything is sent; a bad one fails the whole call with
// ErrInvalidInput naming it, such as "points[3].value". Large slices are split into
// requests the platform accepts (at most 200 kB and 8000 points each) sent one after
// the other; if one fails, Send stops and returns a [*BatchError] saying which batch
// failed, how many points were stored before it, whether the failed batch may be
// stored and from which point on nothing is. A Send that needed one request returns
// that request's error as it is: [MayBeStored] tells whether its points may be stored.
// A request is never repeated once the platform may have stored it, so no reading is
// stored twice.
//
// Any 2xx answer with "status": true means the batch was stored, whatever its result
// says: "N Data Added" counts N, and an answer without a count (TagoCore's "N items
// added" has one; "ok", true, no result or a 204 do not) counts the batch's points.
//
// TagoIO API: POST /data (device token), POST /device/{id}/data (account token)
func (s *DataService) Send(ctx context.Context, points ...Data) (int, error) {
	path, kinds, err := s.dataTarget()
	if err != nil {
		return 0, err
	}
	if len(points) == 0 {
		return 0, nil
	}
	return sendBatches(ctx, s.cl(), "POST", path, kinds, len(points), "points", func(dst []byte, i int) ([]byte, error) {
		return appendPoint(dst, &points[i], i)
	})
}

// Edit changes stored records of a mutable device and returns how many the platform
// updated. Edits are checked, split into batches and reported like [DataService.Send].
// A batch answered with a success that carries no count (TagoCore answers an edit with
// no result at all) counts as the number of edits it held.
//
// TagoIO API: PUT /data (device token), PUT /device/{id}/data (account token)
func (s *DataService) Edit(ctx context.Context, edits ...DataEdit) (int, error) {
	path, kinds, err := s.dataTarget()
	if err != nil {
		return 0, err
	}
	if len(edits) == 0 {
		return 0, nil
	}
	return sendBatches(ctx, s.cl(), "PUT", path, kinds, len(edits), "edits", func(dst []byte, i int) ([]byte, error) {
		return appendEdit(dst, &edits[i], i)
	})
}

// Get returns the records q selects; a nil q returns the platform's default, the 15
// newest records. Count, sum and avg queries return numbers: use [DataService.Count]
// and [DataService.Summarize] for them.
//
// TagoIO API: GET /data (device token), GET /device/{id}/data (account token)
func (s *DataService) Get(ctx context.Context, q *DataQuery) ([]Data, error) {
	path, kinds, err := s.dataTarget()
	if err != nil {
		return nil, err
	}
	qs, err := q.build(opGet)
	if err != nil {
		return nil, err
	}
	list, err := do[dataList](ctx, s.cl(), &call{method: "GET", path: path, query: qs, kinds: kinds})
	return []Data(list), err
}

// Stream returns every record q selects, fetching them page by page as the caller
// ranges: at most two pages are held in memory at a time. q.Qty is the page size (default
// 1000, at most 10000) and q.Skip the number of records to pass over first; records
// come oldest first unless q.Ordination says otherwise (newest first is unstable while
// the device receives data). Since the platform applies Qty and Skip to each variable,
// a query naming several Variables streams them one after the other, each in that
// order. Only default queries can be streamed. The iterator yields (Data{}, err) once
// on failure and stops; a server that ignores skip (answering a page again) or qty (a
// page larger than asked) ends it with a [*PagingError].
//
// TagoIO API: GET /data (device token), GET /device/{id}/data (account token)
func (s *DataService) Stream(ctx context.Context, q *DataQuery) iter.Seq2[Data, error] {
	path, kinds, err := s.dataTarget()
	if err != nil {
		return errSeq[Data](err)
	}
	if ctx == nil {
		return errSeq[Data](invalidf("context", "must not be nil"))
	}
	var base DataQuery
	if q != nil {
		base = *q // a copy: the caller's query is never changed
	}
	if base.Qty == 0 {
		base.Qty = defaultStreamQty
	}
	if base.Ordination == "" {
		base.Ordination = OrdinationAscending
	}
	if _, err := base.build(opStream); err != nil {
		return errSeq[Data](err)
	}
	if len(base.Variables) > 1 {
		// The platform applies qty and skip to each variable: a page of several
		// variables cannot be continued with one skip. Stream them one at a time.
		return func(yield func(Data, error) bool) {
			for _, v := range base.Variables {
				one := base
				one.Variables = []string{v}
				for d, err := range s.Stream(ctx, &one) {
					if !yield(d, err) || err != nil {
						return
					}
				}
			}
		}
	}
	c := s.cl()
	return func(yield func(Data, error) bool) {
		page := base
		pages(ctx, base.Qty, func(ctx context.Context, _ int) ([]Data, error) {
			qs, err := page.build(opStream)
			if err != nil {
				return nil, err
			}
			list, err := do[dataList](ctx, c, &call{method: "GET", path: path, query: qs, kinds: kinds})
			page.Skip += len(list)
			return list, err
		})(yield)
	}
}

// Count returns how many records q selects (q.Query must be empty or QueryCount).
// When the platform answers with one record per variable, Count adds them up.
//
// TagoIO API: GET /data?query=count (device token), GET /device/{id}/data?query=count (account token)
func (s *DataService) Count(ctx context.Context, q *DataQuery) (int, error) {
	var cq DataQuery
	if q != nil {
		cq = *q // a copy: the caller's query is never changed
	}
	if cq.Query != QueryDefault && cq.Query != QueryCount {
		return 0, invalidf("query", "Count runs a count query; leave Query empty instead of %q", string(cq.Query))
	}
	cq.Query = QueryCount
	path, kinds, err := s.dataTarget()
	if err != nil {
		return 0, err
	}
	qs, err := cq.build(opSummary)
	if err != nil {
		return 0, err
	}
	n, err := do[countResult](ctx, s.cl(), &call{method: "GET", path: path, query: qs, kinds: kinds})
	return int(n), err
}

// Summarize runs a summary query (q.Query one of QueryCount, QuerySum, QueryAvg,
// QueryMin, QueryMax) and returns its numbers: one when the platform answers with a
// bare number, one per record when it answers with records (min and max return the
// record holding the extreme value, with Record set), none when no record matched.
// Sum and avg need q.StartDate.
//
// TagoIO API: GET /data?query=... (device token), GET /device/{id}/data?query=... (account token)
func (s *DataService) Summarize(ctx context.Context, q *DataQuery) ([]Summary, error) {
	return s.summarize(ctx, q)
}

func (s *DataService) summarize(ctx context.Context, q *DataQuery) ([]Summary, error) {
	path, kinds, err := s.dataTarget()
	if err != nil {
		return nil, err
	}
	qs, err := q.build(opSummary)
	if err != nil {
		return nil, err
	}
	list, err := do[summaryList](ctx, s.cl(), &call{method: "GET", path: path, query: qs, kinds: kinds})
	return []Summary(list), err
}

// Delete removes the records q selects from a mutable device and returns how many the
// platform removed. A nil q is rejected: the platform's default would remove the 15
// newest records of every variable; pass &DataQuery{} if that is what you want. Unless
// q names its records by IDs only, the request is never repeated once the platform may
// have processed it, since deleting "the newest N" twice removes 2N records.
//
// A success without a count (a server answering "ok", true, no result or 204) is still
// a success: Delete then reports the number of IDs a query by IDs named, and -1 (the
// count is unknown) for any other query.
//
// TagoIO API: DELETE /data (device token), DELETE /device/{id}/data (account token)
func (s *DataService) Delete(ctx context.Context, q *DataQuery) (int, error) {
	path, kinds, err := s.dataTarget()
	if err != nil {
		return 0, err
	}
	if q == nil {
		return 0, invalidf("query", "Delete needs a query; &DataQuery{} deletes the platform's default, the 15 newest records")
	}
	qs, err := q.build(opDelete)
	if err != nil {
		return 0, err
	}
	n, err := do[affected](ctx, s.cl(), &call{method: "DELETE", path: path, query: qs, kinds: kinds, noReplay: !q.replaySafe()})
	if err != nil {
		return 0, err
	}
	return n.count(q.namedRecords()), nil
}

// devices returns the account-token device service behind the account form.
func (s *DataService) devices() *DevicesService { return &DevicesService{client: s.cl()} }

// Info returns the device's description.
//
// TagoIO API: GET /info (device token), GET /device/{id} (account token)
func (s *DataService) Info(ctx context.Context) (Device, error) {
	if _, _, err := s.dataTarget(); err != nil {
		return Device{}, err
	}
	if s.account {
		return s.devices().Info(ctx, s.deviceID)
	}
	return do[Device](ctx, s.cl(), &call{method: "GET", path: "/info", kinds: deviceOnly})
}

// Params lists the device's configuration parameters: all of them, or only those the
// device has read (acknowledged) or not yet read.
//
// TagoIO API: GET /device/params (device token), GET /device/{id}/params (account token)
func (s *DataService) Params(ctx context.Context, filter ParamFilter) ([]ConfigParam, error) {
	if _, _, err := s.dataTarget(); err != nil {
		return nil, err
	}
	if s.account {
		return s.devices().Params(ctx, s.deviceID, filter)
	}
	var q query
	if err := filter.addTo(&q); err != nil {
		return nil, err
	}
	return do[[]ConfigParam](ctx, s.cl(), &call{method: "GET", path: "/device/params", query: &q, kinds: deviceOnly})
}

// MarkParamRead marks one configuration parameter as read (acknowledged by the
// device). With an account token the platform has no such operation, so the SDK reads
// the device's parameters and writes them all back, this one with sent = true: two
// requests, and an error matching ErrNotFound when the device has no parameter with
// that ID. Writing back the whole list keeps the other parameters on servers that
// replace a device's whole list on every write (TagoCore does); a parameter another
// client changes between the two requests is written back as it was read.
//
// TagoIO API: PUT /device/params/{paramID} (device token); GET and POST
// /device/{id}/params (account token)
func (s *DataService) MarkParamRead(ctx context.Context, paramID string) error {
	if _, _, err := s.dataTarget(); err != nil {
		return err
	}
	if err := checkID("param ID", paramID); err != nil {
		return err
	}
	if !s.account {
		return exec(ctx, s.cl(), &call{method: "PUT", path: "/device/params/" + escape(paramID),
			body: map[string]bool{"sent": true}, kinds: deviceOnly})
	}
	params, err := s.devices().Params(ctx, s.deviceID, ParamsAll)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(params, func(p ConfigParam) bool { return p.ID == paramID })
	if i < 0 {
		return fmt.Errorf("%w: device %s has no configuration parameter %s", ErrNotFound, s.deviceID, paramID)
	}
	params[i].Sent = true
	return s.devices().SetParams(ctx, s.deviceID, params...)
}
