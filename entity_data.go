package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"
)

// EntityRow is a record to store in an entity: its fields by name. Values are
// encoded with encoding/json (time.Time as RFC 3339, a struct or a map as a JSON
// object for a json field); include "id" to replace the record of that ID instead of
// adding one. The platform checks the row against the entity's schema (unknown
// fields, missing required ones, wrong types); the SDK only refuses what cannot be
// encoded at all, such as NaN or a channel.
type EntityRow map[string]any

// EntityRecord is a record read from an entity.
type EntityRecord struct {
	// ID is the record's ID.
	ID string
	// CreatedAt is when the record was stored.
	CreatedAt time.Time
	// UpdatedAt is when the record was last changed.
	UpdatedAt time.Time
	// Fields are the record's other fields, as encoding/json decodes them into an any:
	// numbers as float64, strings (timestamps too) as string, json fields as maps or
	// slices, null as nil.
	Fields map[string]any
}

// UnmarshalJSON reads a record: id, created_at and updated_at into their fields
// (a timestamp that is not RFC 3339 stays in Fields), everything else into Fields.
func (r *EntityRecord) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("an entity record must be a JSON object, got %s", b)
	}
	*r = EntityRecord{}
	if id, isStr := m["id"].(string); isStr {
		r.ID = id
		delete(m, "id")
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"created_at", &r.CreatedAt}, {"updated_at", &r.UpdatedAt}} {
		if s, isStr := m[t.name].(string); isStr {
			if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
				*t.dst = v
				delete(m, t.name)
			}
		}
	}
	r.Fields = m
	return nil
}

// MarshalJSON writes the record as the platform prints it: one object with id,
// created_at, updated_at (when set) and the fields.
func (r EntityRecord) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(r.Fields)+3)
	maps.Copy(m, r.Fields)
	if r.ID != "" {
		m["id"] = r.ID
	}
	if !r.CreatedAt.IsZero() {
		m["created_at"] = formatTime(r.CreatedAt)
	}
	if !r.UpdatedAt.IsZero() {
		m["updated_at"] = formatTime(r.UpdatedAt)
	}
	return json.Marshal(m)
}

// Decode decodes the whole record (id, created_at and updated_at included) into dst,
// a pointer to a struct of your own whose fields are matched by JSON name, as
// encoding/json does.
func (r EntityRecord) Decode(dst any) error {
	b, err := r.MarshalJSON()
	if err == nil {
		err = json.Unmarshal(b, dst)
	}
	if err != nil {
		if r.ID == "" {
			return fmt.Errorf("tago: entity record: %w", err)
		}
		return fmt.Errorf("tago: entity record %s: %w", r.ID, err)
	}
	return nil
}

// EntityFilter is one condition of an [EntityDataQuery]: the field equals Value, or
// lies between Start and End (inclusive; a nil bound is open). Values are strings,
// numbers, booleans or time.Time (sent as ISO-8601 UTC with milliseconds); a date
// range is a range on a timestamp field such as created_at.
type EntityFilter struct {
	// Field is the field filtered on.
	Field string
	// Value is the value the field must equal; nil for a range.
	Value any
	// Start is the range's lower bound; nil for none.
	Start any
	// End is the range's upper bound; nil for none.
	End any
}

// EntityDataQuery selects records of an entity. The zero value (or a nil
// *EntityDataQuery) asks for the platform's default: the first 20 records by its
// default index (id, created_at). Methods never modify the query they are given.
//
// The platform queries records through an index: Filters need Index, and must name a
// left-to-right prefix of the index's fields (with an index on (site, kind), filter
// on site, or on site and kind, but not on kind alone); records come ordered by the
// index's last field. The official JavaScript SDK's query type also lists skip,
// order, startDate and endDate; the platform's documentation does not, and its own
// tools say it ignores them, so this query has none of them: dates are ranges on a
// timestamp field, ordering is the index's, and paging is by page.
type EntityDataQuery struct {
	// Index is the name of the index to query through; empty for the platform's
	// default.
	Index string
	// Filters keep the records matching all of them; each field at most once.
	Filters []EntityFilter
	// Fields names the fields to return; nil returns them all.
	Fields []string
	// Ordination orders the records by the index's last field; empty leaves the
	// platform's default. Stream defaults to ascending.
	Ordination Ordination
	// Page is the 1-based page to return; 0 leaves the platform's default, 1.
	Page int
	// Amount is how many records a page holds: 0 leaves the platform's default, 20;
	// at most 10,000. For [EntitiesService.Stream] it is the page size (default 1000,
	// the most the platform's documentation names; larger ones are read in pages of
	// 1000).
	Amount int
}

// maxEntityAmount is the largest page of records the SDK asks for in one request: the
// platform's documentation says 1000, its own tools allow 10,000.
const maxEntityAmount = 10000

// build validates q and encodes it: index, filters, fields, order, page, amount.
func (q *EntityDataQuery) build() (*query, error) {
	qs := &query{}
	if q == nil {
		return qs, nil
	}
	if len(q.Filters) > 0 && q.Index == "" {
		return nil, invalidf("index", "filters need an index, whose fields they filter on")
	}
	if strings.TrimSpace(q.Index) == "" && q.Index != "" {
		return nil, invalidf("index", "must not be blank")
	}
	qs.addString("index", q.Index)
	for i, f := range q.Filters {
		at := indexKey("filters", i, "")
		switch {
		case strings.TrimSpace(f.Field) == "":
			return nil, invalidf(at+".field", "must not be empty")
		case strings.ContainsAny(f.Field, "[]"):
			return nil, invalidf(at+".field", "%q cannot be sent in a query string (brackets)", f.Field)
		case slices.IndexFunc(q.Filters, func(o EntityFilter) bool { return o.Field == f.Field }) < i:
			return nil, invalidf(at+".field", "%q is filtered twice", f.Field)
		}
		key := "filter[" + f.Field + "]"
		if f.Start == nil && f.End == nil {
			if f.Value == nil {
				return nil, invalidf(at, "needs a value, or a start or an end")
			}
			v, err := entityQueryValue(f.Value)
			if err != nil {
				return nil, invalidf(at+".value", "%v", err)
			}
			qs.add(key, v)
			continue
		}
		if f.Value != nil {
			return nil, invalidf(at, "takes a value or a range, not both")
		}
		for _, b := range []struct {
			name string
			v    any
		}{{"start", f.Start}, {"end", f.End}} {
			if b.v == nil {
				continue
			}
			v, err := entityQueryValue(b.v)
			if err != nil {
				return nil, invalidf(at+"."+b.name, "%v", err)
			}
			qs.add(key+"["+b.name+"]", v)
		}
	}
	for i, f := range q.Fields {
		if strings.TrimSpace(f) == "" {
			return nil, invalidf(indexKey("fields", i, ""), "must not be empty")
		}
	}
	qs.addList("fields", q.Fields)
	switch q.Ordination {
	case "":
	case OrdinationAscending:
		qs.add("order_by", "asc")
	case OrdinationDescending:
		qs.add("order_by", "desc")
	default:
		return nil, invalidf("ordination", "unknown value %q (want %q or %q)", string(q.Ordination), OrdinationAscending, OrdinationDescending)
	}
	switch {
	case q.Page < 0:
		return nil, invalidf("page", "must not be negative, got %d", q.Page)
	case q.Amount < 0:
		return nil, invalidf("amount", "must not be negative, got %d", q.Amount)
	case q.Amount > maxEntityAmount:
		return nil, invalidf("amount", "at most %d records can be read in one request, got %d (Stream reads any number)", maxEntityAmount, q.Amount)
	}
	if q.Page > 0 {
		qs.addInt("page", q.Page)
	}
	if q.Amount > 0 {
		qs.addInt("amount", q.Amount)
	}
	return qs, nil
}

// entityQueryValue formats a filter value for the query string.
func entityQueryValue(v any) (string, error) {
	switch t := v.(type) {
	case time.Time:
		if y := t.UTC().Year(); t.IsZero() || y < 0 || y > 9999 {
			return "", fmt.Errorf("the time %v is outside years 0-9999", t)
		}
		return formatTime(t), nil
	case *time.Time:
		if t == nil {
			return "", fmt.Errorf("must not be a nil *time.Time")
		}
		return entityQueryValue(*t)
	}
	return queryValue(v)
}

// GetData returns the records q selects; a nil q returns the platform's default page.
//
// TagoIO API: GET /entity/{id}/data
func (s *EntitiesService) GetData(ctx context.Context, entityID string, q *EntityDataQuery) ([]EntityRecord, error) {
	path, err := entityPath(entityID, "data")
	if err != nil {
		return nil, err
	}
	qs, err := q.build()
	if err != nil {
		return nil, err
	}
	return do[[]EntityRecord](ctx, s.cl(), &call{method: "GET", path: path, query: qs, kinds: accountOnly})
}

// defaultEntityStreamAmount is Stream's page size.
const defaultEntityStreamAmount = 1000

// Stream returns every record q selects, from q.Page on, fetching them page by page as
// the caller ranges: at most two pages are held in memory at a time. q.Amount is the
// page size (default 1000; larger ones are read in pages of 1000, the documented
// maximum), and records come in ascending order of the index's last field unless
// q.Ordination says otherwise. Records added or removed while streaming may shift the
// pages: sort by a field that new records do not precede (such as created_at through
// an index ending with it) for a stable listing. The iterator yields
// (EntityRecord{}, err) once on failure and stops; a server that ignores paging ends it
// with a [*PagingError].
//
// TagoIO API: GET /entity/{id}/data
func (s *EntitiesService) Stream(ctx context.Context, entityID string, q *EntityDataQuery) iter.Seq2[EntityRecord, error] {
	var base EntityDataQuery
	if q != nil {
		base = *q // a copy: the caller's query is never changed
	}
	if base.Amount == 0 {
		base.Amount = defaultEntityStreamAmount
	}
	if base.Ordination == "" {
		base.Ordination = OrdinationAscending
	}
	if _, err := entityPath(entityID, "data"); err != nil {
		return errSeq[EntityRecord](err)
	}
	check := base // the pages ask for at most 1000 records: any larger page size is fine
	check.Amount = min(check.Amount, defaultEntityStreamAmount)
	if _, err := check.build(); err != nil {
		return errSeq[EntityRecord](err)
	}
	return allPages(ctx, ListOptions{Page: base.Page, Amount: base.Amount}, func(ctx context.Context, page ListOptions) ([]EntityRecord, error) {
		p := base
		p.Page, p.Amount = page.Page, page.Amount
		return s.GetData(ctx, entityID, &p)
	})
}

// Limits of the platform's entity writes (its own tools name them): at most 100
// records a request, each under 1 MiB of JSON; at most 10 IDs a delete.
var (
	entityRowLimits    = batchLimits{bytes: 1 << 20, items: 100, open: "[", close: "]"}
	entityDeleteLimits = batchLimits{bytes: 1 << 20, items: 10, open: `{"ids":[`, close: "]}"}
)

// appendEntityFields appends the fields of m as JSON object members, in name order,
// after a comma when more is set; a value encoding/json cannot encode is an error
// naming it under at.
func appendEntityFields(dst []byte, m map[string]any, at string, more bool) ([]byte, error) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b, err := json.Marshal(m[k])
		if err != nil {
			return dst, invalidf(at+"."+k, "cannot be encoded as JSON: %v", err)
		}
		if more {
			dst = append(dst, ',')
		}
		more = true
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = append(dst, b...)
	}
	return dst, nil
}

// SendData stores records in an entity and returns how many the platform stored. A
// row with an "id" replaces the record of that ID. Every row is encoded before
// anything is sent (one that cannot be, such as NaN, fails the call with
// ErrInvalidInput naming it, such as "rows[3].temperature"); the platform checks them
// against the schema. Rows are sent 100 a request (the platform's limit), one request
// after the other, never repeated once the platform may have stored it; when a
// request fails after others succeeded, SendData returns a [*BatchError] saying which
// rows are stored.
//
// TagoIO API: POST /entity/{id}/data
func (s *EntitiesService) SendData(ctx context.Context, entityID string, rows ...EntityRow) (int, error) {
	path, err := entityPath(entityID, "data")
	if err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	return sendBatchesWithin(ctx, s.cl(), entityRowLimits, &call{method: "POST", path: path, kinds: accountOnly}, len(rows), "rows",
		func(dst []byte, i int) ([]byte, error) {
			dst = append(dst, '{')
			dst, err := appendEntityFields(dst, rows[i], indexKey("rows", i, ""), false)
			return append(dst, '}'), err
		})
}

// EntityDataEdit changes one stored record of an entity: the fields given replace
// the record's, the others stay.
type EntityDataEdit struct {
	// ID is the record's ID.
	ID string
	// Fields are the new values by field name; "id" is not one of them.
	Fields EntityRow
}

// EditData changes stored records of an entity and returns how many the platform
// updated. Edits are encoded, batched (100 a request) and reported like
// [EntitiesService.SendData]; an edit names its record, so a failed request may be
// repeated.
//
// TagoIO API: PUT /entity/{id}/data
func (s *EntitiesService) EditData(ctx context.Context, entityID string, edits ...EntityDataEdit) (int, error) {
	path, err := entityPath(entityID, "data")
	if err != nil {
		return 0, err
	}
	if len(edits) == 0 {
		return 0, nil
	}
	return sendBatchesWithin(ctx, s.cl(), entityRowLimits, &call{method: "PUT", path: path, kinds: accountOnly}, len(edits), "edits",
		func(dst []byte, i int) ([]byte, error) {
			e, at := &edits[i], indexKey("edits", i, "")
			if strings.TrimSpace(e.ID) == "" {
				return dst, invalidf(at+".id", "must not be empty")
			}
			if _, given := e.Fields["id"]; given {
				return dst, invalidf(at+".fields.id", "a record's ID cannot be changed; it is the edit's ID")
			}
			dst = append(dst, `{"id":`...)
			dst = appendString(dst, e.ID)
			dst, err := appendEntityFields(dst, e.Fields, at+".fields", true)
			return append(dst, '}'), err
		})
}

// DeleteData deletes records of an entity by ID and returns how many the platform
// deleted (IDs it does not hold are not counted). The platform takes at most 10 IDs a
// request: more are sent 10 at a time, and when a request fails after others
// succeeded DeleteData returns a [*BatchError] whose Stored counts the records
// deleted before it. Deleting by ID twice deletes nothing more, so failed requests are
// retried.
//
// TagoIO API: DELETE /entity/{id}/data
func (s *EntitiesService) DeleteData(ctx context.Context, entityID string, ids ...string) (int, error) {
	path, err := entityPath(entityID, "data")
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return sendBatchesWithin(ctx, s.cl(), entityDeleteLimits, &call{method: "DELETE", path: path, kinds: accountOnly}, len(ids), "ids",
		func(dst []byte, i int) ([]byte, error) {
			if strings.TrimSpace(ids[i]) == "" {
				return dst, invalidf(indexKey("ids", i, ""), "must not be empty")
			}
			return appendString(dst, ids[i]), nil
		})
}
