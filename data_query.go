package tago

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

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
