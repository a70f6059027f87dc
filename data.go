package tago

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

// QueryKind selects what a data query returns.
type QueryKind string

// The query kinds the platform offers. The zero value is the default listing, paged
// with Qty and Skip.
const (
	// QueryDefault lists records, newest first unless told otherwise.
	QueryDefault QueryKind = ""
	// QueryLastItem returns the newest record by time.
	QueryLastItem QueryKind = "last_item"
	// QueryLastValue returns the newest record that has a value.
	QueryLastValue QueryKind = "last_value"
	// QueryLastLocation returns the newest record that has a location.
	QueryLastLocation QueryKind = "last_location"
	// QueryLastInsert returns the record inserted last.
	QueryLastInsert QueryKind = "last_insert"
	// QueryFirstItem returns the oldest record by time.
	QueryFirstItem QueryKind = "first_item"
	// QueryFirstValue returns the oldest record that has a value.
	QueryFirstValue QueryKind = "first_value"
	// QueryFirstLocation returns the oldest record that has a location.
	QueryFirstLocation QueryKind = "first_location"
	// QueryFirstInsert returns the record inserted first.
	QueryFirstInsert QueryKind = "first_insert"
	// QueryCount counts records; see [DataService.Count].
	QueryCount QueryKind = "count"
	// QuerySum adds the values up; it needs StartDate. See [DataService.Summarize].
	QuerySum QueryKind = "sum"
	// QueryAvg averages the values; it needs StartDate. See [DataService.Summarize].
	QueryAvg QueryKind = "avg"
	// QueryMin returns the record with the smallest value.
	QueryMin QueryKind = "min"
	// QueryMax returns the record with the largest value.
	QueryMax QueryKind = "max"
	// QueryAggregate returns one record per Interval, its value computed by Function
	// (FuncAvg, FuncSum, FuncMin or FuncMax).
	QueryAggregate QueryKind = "aggregate"
	// QueryConditional returns the records whose value compares to Threshold by Function
	// (FuncGT ... FuncNE); it needs StartDate.
	QueryConditional QueryKind = "conditional"
)

// Ordination orders the records of a default query by time.
type Ordination string

// The orders a default query can return records in.
const (
	// OrdinationDescending lists the newest records first. It is the platform's
	// default, so the SDK sends no ordination for it.
	OrdinationDescending Ordination = "descending"
	// OrdinationAscending lists the oldest records first.
	OrdinationAscending Ordination = "ascending"
)

// Interval is the bucket size of an aggregate query.
type Interval string

// The intervals an aggregate query can group by.
const (
	IntervalMinute  Interval = "minute"  // IntervalMinute groups by minute.
	IntervalHour    Interval = "hour"    // IntervalHour groups by hour.
	IntervalDay     Interval = "day"     // IntervalDay groups by day.
	IntervalMonth   Interval = "month"   // IntervalMonth groups by month.
	IntervalQuarter Interval = "quarter" // IntervalQuarter groups by quarter.
	IntervalYear    Interval = "year"    // IntervalYear groups by year.
)

// QueryFunc is the function of an aggregate query (FuncAvg, FuncSum, FuncMin, FuncMax)
// or the comparison of a conditional one (FuncGT ... FuncNE).
type QueryFunc string

// The functions aggregate and conditional queries use.
const (
	FuncAvg QueryFunc = "avg" // FuncAvg averages each interval's values.
	FuncSum QueryFunc = "sum" // FuncSum adds up each interval's values.
	FuncMin QueryFunc = "min" // FuncMin takes each interval's smallest value.
	FuncMax QueryFunc = "max" // FuncMax takes each interval's largest value.
	FuncGT  QueryFunc = "gt"  // FuncGT keeps values greater than the threshold.
	FuncGTE QueryFunc = "gte" // FuncGTE keeps values greater than or equal to it.
	FuncLT  QueryFunc = "lt"  // FuncLT keeps values less than the threshold.
	FuncLTE QueryFunc = "lte" // FuncLTE keeps values less than or equal to it.
	FuncEQ  QueryFunc = "eq"  // FuncEQ keeps values equal to the threshold.
	FuncNE  QueryFunc = "ne"  // FuncNE keeps values not equal to it.
)

// DataQuery selects device data. The zero value (or a nil *DataQuery) is the
// platform's default: the 15 newest records of any variable. Methods never modify the
// query they are given.
type DataQuery struct {
	// Query selects the kind of query; empty is the default listing.
	Query QueryKind
	// Variables keeps records of these variables only.
	Variables []string
	// Groups keeps records of these groups only.
	Groups []string
	// Series keeps records of these series only (the deprecated name of groups).
	Series []string
	// IDs keeps these records only.
	IDs []string
	// Values keeps records holding one of these values (numbers, strings or bools).
	Values []any
	// Origins keeps records of these origins only (legacy buckets; deprecated).
	Origins []string
	// StartDate keeps records from this time on; zero for no bound.
	StartDate time.Time
	// EndDate keeps records up to this time; zero means now.
	EndDate time.Time
	// Qty is how many records a default query returns or deletes (the platform's
	// default is 15), for each variable when Variables names several; at most 10000.
	// Zero leaves the platform's default, except that a query naming IDs asks for all of
	// them (qty = len(IDs), so at most 10000 IDs). For [DataService.Stream] it is the
	// page size (default 1000, at most 10000).
	Qty int
	// Skip passes over that many records first.
	Skip int
	// Ordination orders a default query by time; empty leaves the platform's default
	// (descending). Stream defaults to ascending.
	Ordination Ordination
	// Details asks for extra fields, such as CreatedAt.
	Details bool
	// Interval is the bucket size of an aggregate query.
	Interval Interval
	// Function is the aggregate function or the conditional comparison.
	Function QueryFunc
	// Threshold is the value a conditional query compares to (sent as "value").
	Threshold *float64
}

// dataOp names the operation a query is built for; each accepts different kinds.
type dataOp int

const (
	opGet dataOp = iota
	opStream
	opDelete
	opSummary
)

// platformDefaultQty is how many records a query without qty selects.
const platformDefaultQty = 15

// Stream page sizes, and the most records one request reads or deletes: the JS SDK
// refuses larger pages and TagoCore larger qty; tagotest serves no more.
const (
	defaultStreamQty = 1000
	maxQty           = 10000
)

// build validates q for op and encodes it the way the official SDKs do, in a fixed
// order: filters, dates, paging, then the query kind and its parameters.
func (q *DataQuery) build(op dataOp) (*query, error) {
	var qs query
	if q == nil {
		if op == opSummary {
			return nil, invalidf("query", "must name a summary query (count, sum, avg, min or max)")
		}
		return &qs, nil
	}
	if err := q.check(op); err != nil {
		return nil, err
	}
	qs.addList("variables", q.Variables)
	qs.addList("groups", q.Groups)
	qs.addList("series", q.Series)
	qs.addList("ids", q.IDs)
	for i, v := range q.Values {
		s, _ := queryValue(v)
		qs.add(indexKey("values", i, ""), s)
	}
	qs.addList("origins", q.Origins)
	qs.addTime("start_date", q.StartDate)
	qs.addTime("end_date", q.EndDate)
	if qty := q.qty(op); qty > 0 {
		qs.addInt("qty", qty)
	}
	if q.Skip > 0 {
		qs.addInt("skip", q.Skip)
	}
	if q.Ordination == OrdinationAscending {
		// Descending is the platform's default: it is never sent (TagoCore refuses
		// ordination=descending).
		qs.addString("ordination", string(q.Ordination))
	}
	if q.Details {
		qs.addBool("details", true)
	}
	qs.addString("query", string(q.Query))
	qs.addString("interval", string(q.Interval))
	qs.addString("function", string(q.Function))
	if q.Threshold != nil {
		qs.addFloat("value", *q.Threshold)
	}
	return &qs, nil
}

// check validates the query's fields and how they combine.
func (q *DataQuery) check(op dataOp) error {
	for _, l := range []struct {
		name string
		list []string
	}{{"variables", q.Variables}, {"groups", q.Groups}, {"series", q.Series}, {"ids", q.IDs}, {"origins", q.Origins}} {
		for i, s := range l.list {
			if s == "" {
				return invalidf(indexKey(l.name, i, ""), "must not be empty")
			}
		}
	}
	for i, v := range q.Values {
		if _, err := queryValue(v); err != nil {
			return invalidf(indexKey("values", i, ""), "%v", err)
		}
	}
	if q.Qty < 0 {
		return invalidf("qty", "must not be negative, got %d", q.Qty)
	}
	if q.Skip < 0 {
		return invalidf("skip", "must not be negative, got %d", q.Skip)
	}
	if !q.StartDate.IsZero() && !q.EndDate.IsZero() && q.EndDate.Before(q.StartDate) {
		return invalidf("end date", "%s is before the start date %s", formatTime(q.EndDate), formatTime(q.StartDate))
	}
	for _, t := range []struct {
		name string
		t    time.Time
	}{{"start date", q.StartDate}, {"end date", q.EndDate}} {
		if y := t.t.UTC().Year(); !t.t.IsZero() && (y < 0 || y > 9999) {
			return invalidf(t.name, "year %d is outside 0-9999", y)
		}
	}
	switch q.Ordination {
	case "", OrdinationAscending, OrdinationDescending:
	default:
		return invalidf("ordination", "unknown value %q (want %q or %q)", string(q.Ordination), OrdinationAscending, OrdinationDescending)
	}

	switch q.Query {
	case QueryDefault, QueryLastItem, QueryLastValue, QueryLastLocation, QueryLastInsert,
		QueryFirstItem, QueryFirstValue, QueryFirstLocation, QueryFirstInsert, QueryMin, QueryMax, QueryCount:
	case QuerySum, QueryAvg:
		if q.StartDate.IsZero() {
			return invalidf("start date", "a %s query needs a start date", q.Query)
		}
	case QueryAggregate:
		switch q.Interval {
		case IntervalMinute, IntervalHour, IntervalDay, IntervalMonth, IntervalQuarter, IntervalYear:
		case "":
			return invalidf("interval", "an aggregate query needs an interval")
		default:
			return invalidf("interval", "unknown value %q", string(q.Interval))
		}
		switch q.Function {
		case FuncAvg, FuncSum, FuncMin, FuncMax:
		case "":
			return invalidf("function", "an aggregate query needs a function (avg, sum, min or max)")
		default:
			return invalidf("function", "%q is not an aggregate function (avg, sum, min or max)", string(q.Function))
		}
	case QueryConditional:
		switch q.Function {
		case FuncGT, FuncGTE, FuncLT, FuncLTE, FuncEQ, FuncNE:
		case "":
			return invalidf("function", "a conditional query needs a comparison (gt, gte, lt, lte, eq or ne)")
		default:
			return invalidf("function", "%q is not a comparison (gt, gte, lt, lte, eq or ne)", string(q.Function))
		}
		if q.Threshold == nil {
			return invalidf("threshold", "a conditional query needs a threshold")
		}
		if q.StartDate.IsZero() {
			return invalidf("start date", "a conditional query needs a start date")
		}
	default:
		return invalidf("query", "unknown query kind %q", string(q.Query))
	}
	if q.Query != QueryAggregate && q.Interval != "" {
		return invalidf("interval", "applies only to aggregate queries")
	}
	if q.Query != QueryAggregate && q.Query != QueryConditional && q.Function != "" {
		return invalidf("function", "applies only to aggregate and conditional queries")
	}
	if q.Threshold != nil {
		if q.Query != QueryConditional {
			return invalidf("threshold", "applies only to conditional queries")
		}
		if math.IsNaN(*q.Threshold) || math.IsInf(*q.Threshold, 0) {
			return invalidf("threshold", "must be a finite number, got %v", *q.Threshold)
		}
	}

	switch op {
	case opGet:
		switch q.Query {
		case QueryCount, QuerySum, QueryAvg:
			return invalidf("query", "a %s query returns a number, not records; use Count or Summarize", q.Query)
		}
	case opStream:
		if q.Query != QueryDefault {
			return invalidf("query", "Stream pages through the default listing; %q queries cannot be paged", string(q.Query))
		}
		if q.Qty > maxQty {
			return invalidf("qty", "a Stream page holds at most %d records, got %d", maxQty, q.Qty)
		}
	case opDelete:
		switch q.Query {
		case QueryCount, QuerySum, QueryAvg, QueryAggregate:
			return invalidf("query", "a %s query computes values; it cannot select records to delete", q.Query)
		}
	case opSummary:
		switch q.Query {
		case QueryCount, QuerySum, QueryAvg, QueryMin, QueryMax:
		default:
			return invalidf("query", "must be a summary query (count, sum, avg, min or max), got %q", string(q.Query))
		}
	}
	if op == opGet || op == opDelete {
		if q.Qty > maxQty {
			return invalidf("qty", "at most %d records can be read or deleted in one request, got %d (Stream reads any number)", maxQty, q.Qty)
		}
		if q.Qty == 0 && q.Query == QueryDefault && len(q.IDs) > maxQty {
			return invalidf("ids", "at most %d records can be named in one request, got %d", maxQty, len(q.IDs))
		}
	}
	return nil
}

// qty returns the qty to send for op, or 0 to send none. A default query naming its
// records by IDs asks for all of them: the platform's default of 15 would read or
// delete only the first 15.
func (q *DataQuery) qty(op dataOp) int {
	if q.Qty == 0 && q.Query == QueryDefault && len(q.IDs) > 0 && (op == opGet || op == opDelete) {
		return len(q.IDs)
	}
	return q.Qty
}

// replaySafe reports whether deleting with q twice deletes nothing more than once: only
// when it names its records by ID and the quantity covers all of them. Deleting "the
// latest N records" again would delete N other records.
func (q *DataQuery) replaySafe() bool {
	if len(q.IDs) == 0 || q.Skip != 0 || q.Query != QueryDefault {
		return false
	}
	return q.qty(opDelete) >= len(q.IDs)
}

// namedRecords returns how many records a delete query names when it selects them by ID
// only (every one of them within its quantity), or -1 when it selects them otherwise.
func (q *DataQuery) namedRecords() int {
	if !q.replaySafe() {
		return -1
	}
	return len(q.IDs)
}

// queryValue formats a value filter for the query string.
func queryValue(v any) (string, error) {
	switch kindOf(v) {
	case ValueNumber:
		b, err := appendNumber(nil, v)
		return string(b), err
	case ValueString:
		s, _ := Data{Value: v}.Text()
		return s, nil
	case ValueBool:
		b, _ := Data{Value: v}.Bool()
		return strconv.FormatBool(b), nil
	}
	return "", fmt.Errorf("must be a number, string or bool, got %T", v)
}

// Summary is one number computed by a summary query (count, sum, avg, min, max).
type Summary struct {
	// Value is the computed number.
	Value float64
	// Variable is the variable it was computed for, when the platform says.
	Variable string
	// Record is the record the platform answered with (min and max return the record
	// holding the extreme value); nil when it answered with a bare number.
	Record *Data
}

// summaryList decodes the shapes a summary query can come back in: a bare number, null
// (no matching records), or records whose values are the results.
type summaryList []Summary

// decodeResult implements resultDecoder.
func (l *summaryList) decodeResult(raw []byte) error {
	d := dataDecoder{buf: raw}
	d.ws()
	switch c := d.peek(); {
	case c == '-' || '0' <= c && c <= '9':
		f, err := d.number()
		if err != nil {
			return err
		}
		if err := d.end(); err != nil {
			return err
		}
		*l = summaryList{{Value: f}}
		return nil
	case c == '{':
		var rec Data
		if err := d.record(&rec, 0); err != nil {
			return err
		}
		if err := d.end(); err != nil {
			return err
		}
		return l.fromRecords([]Data{rec})
	}
	recs, err := d.list()
	if err != nil {
		return err
	}
	return l.fromRecords(recs)
}

// fromRecords turns records into summaries; every value must be a number.
func (l *summaryList) fromRecords(recs []Data) error {
	out := make(summaryList, len(recs))
	for i := range recs {
		f, ok := recs[i].Float()
		if !ok {
			return &fieldError{index: i, field: "value", err: fmt.Errorf("a summary must be a number, got %s", recs[i].ValueKind())}
		}
		out[i] = Summary{Value: f, Variable: recs[i].Variable, Record: &recs[i]}
	}
	*l = out
	return nil
}

// affected is the platform's answer to a write: a count when it carries one ("3 Data
// Added", TagoCore's "3 items added", "1 item(s) updated", "2 Data Removed", a bare
// number), or no count at all ("ok", true, null, no result, a 204). A 2xx answer with
// "status": true means the platform carried the write out whatever its result says, so
// no result shape is an error here: without a count, known is false and the caller
// counts what it sent.
type affected struct {
	n     int
	known bool
}

// decodeResult implements resultDecoder. Like every resultDecoder it rejects data
// after the one value, so fastResult's shortcut stays safe; it refuses nothing else.
func (a *affected) decodeResult(raw []byte) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	*a = affected{}
	switch v := v.(type) {
	case float64:
		if v >= 0 && v == math.Trunc(v) && v <= math.MaxInt32 {
			*a = affected{n: int(v), known: true}
		}
	case string:
		if n, ok := parseAffected(v); ok {
			*a = affected{n: n, known: true}
		}
	}
	return nil
}

// count returns the platform's count, or sent when the answer carried none.
func (a affected) count(sent int) int {
	if a.known {
		return a.n
	}
	return sent
}

// parseAffected reads the first whole number in a message such as "3 Data Removed";
// it reports false when the message holds none, or one out of range.
func parseAffected(s string) (int, bool) {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return 0, false
	}
	j := i
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(s[i:j])
	if err != nil || n > math.MaxInt32 {
		return 0, false
	}
	return n, true
}

// BatchError reports a Send or Edit that the SDK split into several requests and
// whose request number Batch (zero-based) failed; a call that needed one request
// returns that request's error as it is. The requests before the failed one succeeded
// and Stored says how many items the platform confirmed for them; the requests after
// it were not sent. The failed batch holds items[First : First+Size] of the caller's
// slice.
//
// MayBeStored says whether the platform may have carried the failed batch out (the
// rule of [MayBeStored]: a connection lost after the request was written, a timeout,
// HTTP 500, 502 or 504, an answer cut short). Then sending that batch again may store
// its items twice: read the device's data back to find out, or accept the loss. When
// MayBeStored is false the batch was refused as a whole (HTTP 4xx, 429, a 503 with
// Retry-After, a connection that never carried the request) and nothing of it is
// stored. Either way, items[e.NotStoredFrom():] are certainly not stored and can be
// sent again as they are.
type BatchError struct {
	// Batch is the zero-based index of the failed request.
	Batch int
	// Batches is how many requests the whole call needed.
	Batches int
	// First is the index, in the caller's slice, of the failed batch's first item.
	First int
	// Size is how many items the failed batch held.
	Size int
	// Stored is how many items the platform confirmed for the batches before it.
	Stored int
	// MayBeStored reports that the platform may have stored the failed batch (or
	// applied its edits), so resending it may store them twice; see [MayBeStored].
	MayBeStored bool
	// Err is why the batch failed.
	Err error
}

// Error returns "tago: batch 2 of 3 (items 8000-15999) failed after 8000 were stored:
// ...", saying so when the failed batch may be stored too.
func (e *BatchError) Error() string {
	maybe := ""
	if e.MayBeStored {
		maybe = " (and may be stored itself)"
	}
	return fmt.Sprintf("tago: batch %d of %d (items %d-%d) failed after %d were stored%s: %s",
		e.Batch+1, e.Batches, e.First, e.First+e.Size-1, e.Stored, maybe, strings.TrimPrefix(e.Err.Error(), "tago: "))
}

// Unwrap returns the batch's error, so errors.Is(err, ErrServer) and the like work.
func (e *BatchError) Unwrap() error { return e.Err }

// NotStoredFrom returns the index, in the caller's slice, from which no item is
// stored: items[e.NotStoredFrom():] can be sent again without storing anything twice.
// It is First+Size when the failed batch may be stored (MayBeStored), else First.
func (e *BatchError) NotStoredFrom() int {
	if e.MayBeStored {
		return e.First + e.Size
	}
	return e.First
}

func (e *BatchError) mayBeStored() bool { return e.MayBeStored }

// Request limits of the platform's data writes: at most 200 kB per request, about
// 8000 records.
const (
	maxBatchBytes  = 200_000
	maxBatchPoints = 8000
)

// encodeFunc appends item i as JSON to dst, or reports why it cannot be sent.
type encodeFunc func(dst []byte, i int) ([]byte, error)

// span is one batch: items [first, first+n) whose request body is size bytes.
type span struct{ first, n, size int }

// batchLimits are the limits of one write request: at most bytes of body and items
// items, the items joined by commas between open and close ("[" and "]" for a JSON
// array body).
type batchLimits struct {
	bytes, items int
	open, close  string
}

// dataLimits are the limits of the platform's device data writes.
var dataLimits = batchLimits{bytes: maxBatchBytes, items: maxBatchPoints, open: "[", close: "]"}

// wrap is the bytes open and close add to a body.
func (l batchLimits) wrap() int { return len(l.open) + len(l.close) }

// encodeBatches is encodeBatchesWithin for the platform's device data writes.
func encodeBatches(n int, what string, enc encodeFunc, send func(b int, sp span, body []byte) error) (int, error) {
	return encodeBatchesWithin(dataLimits, n, what, enc, send)
}

// encodeBatchesWithin validates and encodes n items (all of them, before anything is
// sent), splits them into bodies within lim, and calls send with each body in order,
// stopping at the first error. It returns how many batches the items need. Each body
// is a fresh slice, since a transport may still read one after its request returned.
func encodeBatchesWithin(lim batchLimits, n int, what string, enc encodeFunc, send func(b int, sp span, body []byte) error) (int, error) {
	var (
		all   = make([]byte, 0, min(n, lim.items)*96)
		start = make([]int, n) // offset of item i in all; items are joined by ','
		spans []span
		cur   = span{size: lim.wrap()}
	)
	for i := 0; i < n; i++ {
		sep := 0
		if i > 0 {
			all = append(all, ',')
			sep = 1
		}
		start[i] = len(all)
		var err error
		if all, err = enc(all, i); err != nil {
			return 0, err
		}
		size := len(all) - start[i]
		if err := lim.checkItemSize(what, i, size); err != nil {
			return 0, err
		}
		if cur.n == 0 {
			sep = 0
		}
		if cur.n == lim.items || cur.size+sep+size > lim.bytes {
			spans = append(spans, cur)
			cur, sep = span{first: i, size: lim.wrap()}, 0
		}
		cur.n++
		cur.size += sep + size
	}
	if cur.n > 0 {
		spans = append(spans, cur)
	}
	for b, sp := range spans {
		from := start[sp.first]
		body := make([]byte, 0, sp.size)
		body = append(body, lim.open...)
		body = append(body, all[from:from+sp.size-lim.wrap()]...)
		body = append(body, lim.close...)
		if err := send(b, sp, body); err != nil {
			return len(spans), err
		}
	}
	return len(spans), nil
}

// checkItemSize refuses an item whose JSON, size bytes, cannot fit in one request.
func checkItemSize(what string, i, size int) error { return dataLimits.checkItemSize(what, i, size) }

// checkItemSize refuses an item whose JSON, size bytes, cannot fit in one request
// within l.
func (l batchLimits) checkItemSize(what string, i, size int) error {
	if size+l.wrap() > l.bytes {
		return invalidf(indexKey(what, i, ""), "encodes to %d bytes, more than the platform's %d-byte request limit", size, l.bytes)
	}
	return nil
}

// ValidateData checks points exactly as [DataService.Send] does before sending
// anything, and returns the same *InputError (matching [ErrInvalidInput], naming the
// point and field, such as "points[3].value") for the first bad one, or nil. Queues that
// accept points now and send them later (the spool package, a gateway's buffer) use it
// to refuse a bad point at once instead of at delivery.
func ValidateData(points ...Data) error {
	var buf []byte
	for i := range points {
		var err error
		if buf, err = appendPoint(buf[:0], &points[i], i); err != nil {
			return err
		}
		if err := checkItemSize("points", i, len(buf)); err != nil {
			return err
		}
	}
	return nil
}

// sendBatches sends n items in as many requests as the platform's limits need and
// returns how many the platform confirmed. When the items need several requests, a
// failed one is a *BatchError; a single request's failure is returned as it is.
func sendBatches(ctx context.Context, c *Client, method, path string, kinds []TokenKind, n int, what string, enc encodeFunc) (int, error) {
	return sendBatchesWithin(ctx, c, dataLimits, &call{method: method, path: path, kinds: kinds}, n, what, enc)
}

// sendBatchesWithin sends n items as sendBatches does, in batches within lim, each as
// the body of a copy of cl (its method, path, kinds and replay rule).
func sendBatchesWithin(ctx context.Context, c *Client, lim batchLimits, cl *call, n int, what string, enc encodeFunc) (int, error) {
	if err := c.precheck(ctx, cl); err != nil {
		return 0, err
	}
	stored := 0
	var spans []span
	batches, err := encodeBatchesWithin(lim, n, what, enc, func(b int, sp span, body []byte) error {
		spans = append(spans, sp)
		one := *cl
		one.body = body
		got, err := do[affected](ctx, c, &one)
		if err != nil {
			return err
		}
		stored += got.count(sp.n)
		return nil
	})
	if err != nil && batches > 1 && len(spans) > 0 {
		sp := spans[len(spans)-1]
		return stored, &BatchError{Batch: len(spans) - 1, Batches: batches, First: sp.first, Size: sp.n, Stored: stored,
			MayBeStored: MayBeStored(err), Err: err}
	}
	return stored, err
}

// appendPoint appends a record to send as JSON, validating every field.
func appendPoint(dst []byte, p *Data, i int) ([]byte, error) {
	field := func(name string) string { return "points[" + strconv.Itoa(i) + "]." + name }
	if reason := variableProblem(p.Variable); reason != "" {
		return dst, invalidf(field("variable"), "%s", reason)
	}
	for _, f := range [...]struct {
		name, s string
		max     int
	}{{"unit", p.Unit, maxUnitChars}, {"group", p.Group, maxGroupChars}, {"serie", p.Serie, maxGroupChars}} {
		if n := utf8.RuneCountInString(f.s); n > f.max {
			return dst, invalidf(field(f.name), "must be at most %d characters, got %d", f.max, n)
		}
	}
	dst = append(dst, `{"variable":`...)
	dst = appendString(dst, p.Variable)
	var err error
	if p.Value != nil {
		dst = append(dst, `,"value":`...)
		if dst, err = appendValue(dst, p.Value); err != nil {
			return dst, invalidf(field("value"), "%v", err)
		}
	}
	if p.Unit != "" {
		dst = append(dst, `,"unit":`...)
		dst = appendString(dst, p.Unit)
	}
	if p.Group != "" {
		dst = append(dst, `,"group":`...)
		dst = appendString(dst, p.Group)
	}
	if p.Serie != "" {
		dst = append(dst, `,"serie":`...)
		dst = appendString(dst, p.Serie)
	}
	if !p.Time.IsZero() {
		if dst, err = appendTime(dst, `,"time":`, p.Time); err != nil {
			return dst, invalidf(field("time"), "%v", err)
		}
	}
	if p.Location != nil {
		if sub, reason := p.Location.problem(); sub != "" {
			return dst, invalidf(field("location."+sub), "%s", reason)
		}
		dst = append(dst, `,"location":`...)
		dst = appendLocation(dst, *p.Location)
	}
	if p.Metadata != nil {
		if dst, err = appendMetadata(dst, p.Metadata); err != nil {
			return dst, invalidf(field("metadata"), "%v", err)
		}
	}
	return append(dst, '}'), nil
}

// appendEdit appends a record edit as JSON, validating every field.
func appendEdit(dst []byte, e *DataEdit, i int) ([]byte, error) {
	field := func(name string) string { return "edits[" + strconv.Itoa(i) + "]." + name }
	if e.ID == "" {
		return dst, invalidf(field("id"), "must not be empty")
	}
	if e.Unit != nil {
		if n := utf8.RuneCountInString(*e.Unit); n > maxUnitChars {
			return dst, invalidf(field("unit"), "must be at most %d characters, got %d", maxUnitChars, n)
		}
	}
	if e.Group != nil {
		if n := utf8.RuneCountInString(*e.Group); n > maxGroupChars {
			return dst, invalidf(field("group"), "must be at most %d characters, got %d", maxGroupChars, n)
		}
	}
	if e.Value == nil && e.Unit == nil && e.Group == nil && e.Time.IsZero() && e.Location == nil && e.Metadata == nil {
		return dst, invalidf("edits["+strconv.Itoa(i)+"]", "changes nothing; set at least one field besides ID")
	}
	dst = append(dst, `{"id":`...)
	dst = appendString(dst, e.ID)
	var err error
	if e.Value != nil {
		dst = append(dst, `,"value":`...)
		if dst, err = appendValue(dst, e.Value); err != nil {
			return dst, invalidf(field("value"), "%v", err)
		}
	}
	if e.Unit != nil {
		dst = append(dst, `,"unit":`...)
		dst = appendString(dst, *e.Unit)
	}
	if e.Group != nil {
		dst = append(dst, `,"group":`...)
		dst = appendString(dst, *e.Group)
	}
	if !e.Time.IsZero() {
		if dst, err = appendTime(dst, `,"time":`, e.Time); err != nil {
			return dst, invalidf(field("time"), "%v", err)
		}
	}
	if e.Location != nil {
		if sub, reason := e.Location.problem(); sub != "" {
			return dst, invalidf(field("location."+sub), "%s", reason)
		}
		dst = append(dst, `,"location":`...)
		dst = appendLocation(dst, *e.Location)
	}
	if e.Metadata != nil {
		if dst, err = appendMetadata(dst, e.Metadata); err != nil {
			return dst, invalidf(field("metadata"), "%v", err)
		}
	}
	return append(dst, '}'), nil
}

// Limits of a data record, as the platform documents them; tagotest enforces the same.
const (
	maxVariableChars = 100      // a variable name, in characters
	maxUnitChars     = 25       // a unit, in characters
	maxGroupChars    = 100      // a group (or serie), in characters
	maxValueBytes    = 6 << 10  // a string value, in bytes of UTF-8 (6 kB)
	maxMetadataBytes = 10 << 10 // the metadata object, in bytes of JSON (10 kB)
)

// variableForbidden are the characters the platform refuses in a variable name, besides
// white space.
const variableForbidden = "*?!<>.-=$"

// variableProblem says what the platform would refuse in a variable name, or "" when it
// takes it: 1 to 100 characters, no white space and none of * ? ! < > . - = $. (The
// platform stores the name in lower case; upper-case letters are fine.)
func variableProblem(name string) string {
	if name == "" {
		return "must not be empty"
	}
	if n := utf8.RuneCountInString(name); n > maxVariableChars {
		return fmt.Sprintf("must be at most %d characters, got %d", maxVariableChars, n)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || strings.ContainsRune(variableForbidden, r) {
			return fmt.Sprintf("must not contain white space or any of * ? ! < > . - = $, found %q", r)
		}
	}
	return ""
}

// appendText appends a string value, refusing one longer than the platform stores.
// The length counted is the UTF-8 the platform receives: appendString turns each
// invalid byte into U+FFFD, three bytes.
func appendText(dst []byte, s string) ([]byte, error) {
	n := len(s)
	if !utf8.ValidString(s) {
		n = 0
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			n += utf8.RuneLen(r)
		}
	}
	if n > maxValueBytes {
		return dst, fmt.Errorf("a string value must be at most %d bytes, got %d", maxValueBytes, n)
	}
	return appendString(dst, s), nil
}

// maxExactInt is the largest integer every float64 (and so the platform) holds exactly.
const maxExactInt = 1 << 53

// appendValue appends a record value: a number, string, bool or Null.
func appendValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendText(dst, v)
	case bool:
		return strconv.AppendBool(dst, v), nil
	case NullValue:
		return append(dst, "null"...), nil
	}
	switch kindOf(v) {
	case ValueNumber:
		return appendNumber(dst, v)
	case ValueString:
		s, _ := Data{Value: v}.Text()
		return appendText(dst, s)
	case ValueBool:
		b, _ := Data{Value: v}.Bool()
		return strconv.AppendBool(dst, b), nil
	case ValueJSON:
		return dst, errors.New("must be a number, string, bool or nil: an object or array (read from a record another client stored) cannot be sent")
	}
	return dst, fmt.Errorf("must be a number, string, bool or nil, got %T", v)
}

// appendNumber appends a numeric value, rejecting NaN, ±Inf and integers the platform
// would round.
func appendNumber(dst []byte, v any) ([]byte, error) {
	switch n := v.(type) {
	case float64:
		return appendFloat(dst, n, 64)
	case int:
		return appendInt(dst, int64(n))
	case json.Number:
		s := string(n)
		d := dataDecoder{buf: []byte(s)}
		f, err := d.number()
		if err == nil && d.pos != len(s) {
			err = errors.New("trailing characters")
		}
		if err != nil {
			return dst, fmt.Errorf("json.Number %q is not a valid finite JSON number", s)
		}
		if math.IsInf(f, 0) {
			return dst, fmt.Errorf("json.Number %q is out of range", s)
		}
		return append(dst, s...), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Float32:
		return appendFloat(dst, rv.Float(), 32)
	case reflect.Float64:
		return appendFloat(dst, rv.Float(), 64)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendInt(dst, rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > maxExactInt {
			return dst, fmt.Errorf("integer %d is too large to be stored exactly (the platform keeps numbers as 64-bit floats; send it as a string)", u)
		}
		return strconv.AppendUint(dst, u, 10), nil
	}
	return dst, fmt.Errorf("must be a number, got %T", v)
}

// appendInt appends an integer the platform can hold exactly.
func appendInt(dst []byte, n int64) ([]byte, error) {
	if n > maxExactInt || n < -maxExactInt {
		return dst, fmt.Errorf("integer %d is too large to be stored exactly (the platform keeps numbers as 64-bit floats; send it as a string)", n)
	}
	return strconv.AppendInt(dst, n, 10), nil
}

// appendFloat appends a finite float in the shortest form that reads back exactly,
// like encoding/json: plain decimals between 1e-6 and 1e21, exponents outside.
func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("must be a finite number, got %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' { // 1e-07 -> 1e-7
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

// appendTime appends key and t as the platform's ISO-8601 form, in UTC with
// milliseconds: "2006-01-02T15:04:05.000Z".
func appendTime(dst []byte, key string, t time.Time) ([]byte, error) {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return dst, fmt.Errorf("year %d is outside 0-9999", year)
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	dst = append(dst, key...)
	dst = append(dst, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
	return dst, nil
}

// appendLocation appends a location as a GeoJSON Point.
func appendLocation(dst []byte, l Location) []byte {
	dst = append(dst, `{"type":"Point","coordinates":[`...)
	dst, _ = appendFloat(dst, l.Lng, 64)
	dst = append(dst, ',')
	dst, _ = appendFloat(dst, l.Lat, 64)
	return append(dst, "]}"...)
}

// appendMetadata appends ,"metadata":{...} using encoding/json for the free-form map,
// refusing metadata larger than the platform stores.
func appendMetadata(dst []byte, m map[string]any) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return dst, err
	}
	if len(b) > maxMetadataBytes {
		return dst, fmt.Errorf("must encode to at most %d bytes of JSON, got %d", maxMetadataBytes, len(b))
	}
	dst = append(dst, `,"metadata":`...)
	return append(dst, b...), nil
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as with
// encoding/json; U+2028 and U+2029 are escaped for JavaScript readers.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
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

// countResult decodes a count: a bare number, null, or records holding counts.
type countResult int

// decodeResult implements resultDecoder.
func (c *countResult) decodeResult(raw []byte) error {
	var sums summaryList
	if err := sums.decodeResult(raw); err != nil {
		return err
	}
	total := 0.0
	for _, sm := range sums {
		if sm.Value < 0 || sm.Value != math.Trunc(sm.Value) {
			return fmt.Errorf("count %v is not a whole number", sm.Value)
		}
		total += sm.Value
	}
	if total > math.MaxInt32 {
		return fmt.Errorf("count %v is out of range", total)
	}
	*c = countResult(total)
	return nil
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
