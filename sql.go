package tago

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"
)

// SQLService manages the profile's stored TagoSQL queries and runs them (account
// token).
type SQLService service

// cl returns the service's client, or nil for a nil service.
func (s *SQLService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// SQLParam is a named parameter of a stored query, such as {"device", "<id>"}.
type SQLParam struct {
	// Key is the parameter's name, referenced in the query.
	Key string `json:"key"`
	// Value is the parameter's value.
	Value string `json:"value"`
}

// SQLQuery is a stored TagoSQL query. List calls fill only id, name, tags, active,
// created_at and updated_at; Info fills everything.
type SQLQuery struct {
	// ID is the query's ID.
	ID string `json:"id"`
	// Name is the query's name.
	Name string `json:"name,omitempty"`
	// Description says what the query is for.
	Description string `json:"description,omitempty"`
	// Query is the SQL text.
	Query string `json:"query,omitempty"`
	// Params are the query's default parameters.
	Params []SQLParam `json:"params,omitempty"`
	// CacheEnabled says whether results are cached.
	CacheEnabled bool `json:"cache_enabled"`
	// CacheTTLSeconds is how long a cached result is served.
	CacheTTLSeconds int `json:"cache_ttl_seconds,omitempty"`
	// RateLimitRPM caps executions per minute; nil for the platform's default.
	RateLimitRPM *int `json:"rate_limit_rpm,omitempty"`
	// Active says whether the query can be executed.
	Active bool `json:"active"`
	// Tags are the query's tags.
	Tags []Tag `json:"tags,omitempty"`
	// Version is the query's version, raised by every edit of its text or parameters.
	Version int `json:"version,omitempty"`
	// SessionContext says whether the query uses session functions.
	SessionContext bool `json:"session_context"`
	// CreatedAt is when the query was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the query was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// SQLListOptions filters and pages [SQLService.List] and [SQLService.All]. The
// platform returns only id, name, tags, active, created_at and updated_at in lists.
type SQLListOptions struct {
	ListOptions
	// Name keeps queries whose name matches, * wildcards allowed.
	Name string
	// Active keeps active (true) or inactive (false) queries; nil keeps both.
	Active *bool
	// Tags keeps queries carrying every one of these tags.
	Tags []Tag
}

// sqlDefaults are the official SDKs' defaults for query lists.
var sqlDefaults = listDefaults{fields: []string{"id", "name", "tags"}, order: Desc("created_at")}

// sqlListFields are the fields the platform can return in a query list.
var sqlListFields = map[string]bool{"id": true, "name": true, "tags": true, "active": true, "created_at": true, "updated_at": true}

// List returns one page of the profile's stored queries. Without Fields it asks for
// id, name and tags; the default order is by created_at, newest first.
//
// TagoIO API: GET /sql
func (s *SQLService) List(ctx context.Context, opts *SQLListOptions) ([]SQLQuery, error) {
	var o SQLListOptions
	if opts != nil {
		o = *opts
	}
	for i, f := range o.Fields {
		if !sqlListFields[f] {
			return nil, invalidf(indexKey("fields", i, ""), "%q is not a list field; lists return id, name, tags, active, created_at and updated_at (use Info for the rest)", f)
		}
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, sqlDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addBoolPtr("filter[active]", o.Active)
		q.addTags("filter[tags]", o.Tags)
	})
	if err != nil {
		return nil, err
	}
	return do[[]SQLQuery](ctx, s.cl(), &call{method: "GET", path: "/sql", query: q, kinds: accountOnly})
}

// All returns an iterator over every stored query matching opts, fetching pages as
// the caller ranges.
//
// TagoIO API: GET /sql
func (s *SQLService) All(ctx context.Context, opts *SQLListOptions) iter.Seq2[SQLQuery, error] {
	var o SQLListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]SQLQuery, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// SQLQueryRequest describes a stored query to create, or its new state in an edit (an
// edit replaces the query as a whole). Name and Query are required.
type SQLQueryRequest struct {
	// Name is the query's name.
	Name string `json:"name"`
	// Description says what the query is for.
	Description string `json:"description,omitempty"`
	// Query is the SQL text.
	Query string `json:"query"`
	// Params are the query's default parameters.
	Params []SQLParam `json:"params,omitempty"`
	// CacheEnabled caches results.
	CacheEnabled *bool `json:"cache_enabled,omitempty"`
	// CacheTTLSeconds is how long a cached result is served.
	CacheTTLSeconds *int `json:"cache_ttl_seconds,omitempty"`
	// RateLimitRPM caps executions per minute.
	RateLimitRPM *int `json:"rate_limit_rpm,omitempty"`
	// Active says whether the query can be executed.
	Active *bool `json:"active,omitempty"`
	// Tags are the query's tags.
	Tags []Tag `json:"tags,omitempty"`
}

// check validates a stored query.
func (r *SQLQueryRequest) check() error {
	if err := checkName("name", r.Name); err != nil {
		return err
	}
	if err := checkName("query", r.Query); err != nil {
		return err
	}
	if err := checkSQLParams("params", r.Params); err != nil {
		return err
	}
	if r.CacheTTLSeconds != nil && *r.CacheTTLSeconds < 0 {
		return invalidf("cache TTL seconds", "must not be negative")
	}
	if r.RateLimitRPM != nil && *r.RateLimitRPM < 0 {
		return invalidf("rate limit RPM", "must not be negative")
	}
	return checkTags("tags", r.Tags)
}

// checkSQLParams rejects parameters without a key, and duplicate keys.
func checkSQLParams(field string, params []SQLParam) error {
	seen := map[string]bool{}
	for i, p := range params {
		if strings.TrimSpace(p.Key) == "" {
			return invalidf(fmt.Sprintf("%s[%d].key", field, i), "must not be empty")
		}
		if seen[p.Key] {
			return invalidf(fmt.Sprintf("%s[%d].key", field, i), "%q is given twice", p.Key)
		}
		seen[p.Key] = true
	}
	return nil
}

// Create stores a new query and returns it as the platform stored it.
//
// TagoIO API: POST /sql
func (s *SQLService) Create(ctx context.Context, req SQLQueryRequest) (SQLQuery, error) {
	if err := req.check(); err != nil {
		return SQLQuery{}, err
	}
	return do[SQLQuery](ctx, s.cl(), &call{method: "POST", path: "/sql", body: req, kinds: accountOnly})
}

// Info returns one stored query.
//
// TagoIO API: GET /sql/{id}
func (s *SQLService) Info(ctx context.Context, sqlID string) (SQLQuery, error) {
	if err := checkID("SQL ID", sqlID); err != nil {
		return SQLQuery{}, err
	}
	return do[SQLQuery](ctx, s.cl(), &call{method: "GET", path: "/sql/" + sqlID, kinds: accountOnly})
}

// Edit replaces a stored query and returns it as the platform stored it, with its
// version raised when the text or the parameters changed.
//
// TagoIO API: PUT /sql/{id}
func (s *SQLService) Edit(ctx context.Context, sqlID string, req SQLQueryRequest) (SQLQuery, error) {
	if err := checkID("SQL ID", sqlID); err != nil {
		return SQLQuery{}, err
	}
	if err := req.check(); err != nil {
		return SQLQuery{}, err
	}
	return do[SQLQuery](ctx, s.cl(), &call{method: "PUT", path: "/sql/" + sqlID, body: req, kinds: accountOnly})
}

// Delete deletes a stored query.
//
// TagoIO API: DELETE /sql/{id}
func (s *SQLService) Delete(ctx context.Context, sqlID string) error {
	if err := checkID("SQL ID", sqlID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/sql/" + sqlID, kinds: accountOnly})
}

// SQLVersion is one past version of a stored query.
type SQLVersion struct {
	// Query is the SQL text of that version.
	Query string `json:"query"`
	// Params are that version's parameters.
	Params []SQLParam `json:"params"`
	// CreatedAt is when that version was made; zero when unknown.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// Version returns version n (from 1) of a stored query.
//
// TagoIO API: GET /sql/{id}/version/{n}
func (s *SQLService) Version(ctx context.Context, sqlID string, n int) (SQLVersion, error) {
	if err := checkID("SQL ID", sqlID); err != nil {
		return SQLVersion{}, err
	}
	if n < 1 {
		return SQLVersion{}, invalidf("version", "must be 1 or more, got %d", n)
	}
	return do[SQLVersion](ctx, s.cl(), &call{method: "GET", path: "/sql/" + sqlID + "/version/" + strconv.Itoa(n), kinds: accountOnly})
}

// SQLExecuteOptions are the arguments of an execution; nil runs the query with its
// stored parameters.
type SQLExecuteOptions struct {
	// Params override the query's stored parameters by key.
	Params []SQLParam `json:"params,omitempty"`
	// Test runs the query without the cache and without counting toward its rate
	// limit, for trying a query out.
	Test bool `json:"test,omitempty"`
	// AfterDevice pages a device-listing query: the rows after this device's ID.
	AfterDevice string `json:"after_device,omitempty"`
}

// SQLColumnType is the type of a result column.
type SQLColumnType string

// The column types.
const (
	SQLString    SQLColumnType = "string"
	SQLNumber    SQLColumnType = "number"
	SQLTimestamp SQLColumnType = "timestamp"
	SQLBoolean   SQLColumnType = "boolean"
	SQLJSON      SQLColumnType = "json"
)

// SQLColumn is one column of a result or of a table.
type SQLColumn struct {
	// Name is the column's name, the key of its value in each row.
	Name string `json:"name"`
	// Type is the column's type.
	Type SQLColumnType `json:"type"`
}

// SQLResult is what an execution returned. Read its rows with [SQLResult.Scan] into
// a slice of your own structs (fields matched by JSON name, as encoding/json does),
// with [SQLRows], or as maps with [SQLResult.Maps].
type SQLResult struct {
	// Columns describe the result's columns, in order.
	Columns []SQLColumn `json:"columns"`
	// Rows are the result's rows, each a JSON object keyed by column name.
	Rows []json.RawMessage `json:"rows"`
	// RowCount is how many rows the query produced.
	RowCount int `json:"row_count"`
	// ExecutionMS is how long the query ran, in milliseconds.
	ExecutionMS float64 `json:"execution_ms"`
	// ServedFromCache says whether the result came from the cache.
	ServedFromCache bool `json:"served_from_cache"`
}

// Scan decodes every row into dst, a pointer to a slice (of structs, maps, ...), as
// encoding/json decodes an array of objects. A row that does not fit is an error
// naming it.
func (r SQLResult) Scan(dst any) error {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, row := range r.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(row)
	}
	b.WriteByte(']')
	if err := json.Unmarshal(b.Bytes(), dst); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return fmt.Errorf("tago: SQL rows: column %q: %w", ute.Field, err)
		}
		return fmt.Errorf("tago: SQL rows: %w", err)
	}
	return nil
}

// Maps returns the rows as maps from column name to value (numbers as float64,
// timestamps as strings, JSON columns as decoded values).
func (r SQLResult) Maps() ([]map[string]any, error) {
	var out []map[string]any
	if err := r.Scan(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// SQLRows decodes the rows of r into a []T, such as []struct{ Name string
// `json:"name"` }.
func SQLRows[T any](r SQLResult) ([]T, error) {
	out := make([]T, 0, len(r.Rows))
	if err := r.Scan(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// Execute runs a stored query and returns its result. Executions only read, so a
// failed one is retried like any read.
//
// TagoIO API: POST /sql/{id}/execute
func (s *SQLService) Execute(ctx context.Context, sqlID string, opts *SQLExecuteOptions) (SQLResult, error) {
	if err := checkID("SQL ID", sqlID); err != nil {
		return SQLResult{}, err
	}
	var body any = struct{}{}
	if opts != nil {
		if err := checkSQLParams("params", opts.Params); err != nil {
			return SQLResult{}, err
		}
		if err := checkOptionalSQLID("after device", opts.AfterDevice); err != nil {
			return SQLResult{}, err
		}
		body = opts
	}
	return do[SQLResult](ctx, s.cl(), &call{method: "POST", path: "/sql/" + sqlID + "/execute", body: body,
		kinds: accountOnly, idempotent: true})
}

// checkOptionalSQLID accepts an empty ID or a well-formed one.
func checkOptionalSQLID(field, id string) error {
	if id == "" {
		return nil
	}
	return checkID(field, id)
}

// SQLTablesOptions filters [SQLService.Tables]; nil lists everything's first page.
type SQLTablesOptions struct {
	// Filter keeps tables, resources and functions whose name contains it.
	Filter string
	// Page is the 1-based page of resources; 0 means the platform's default.
	Page int
	// Amount is how many resources per page; 0 means the platform's default.
	Amount int
	// EntityID describes that entity's table.
	EntityID string
}

// SQLTables is what TagoSQL can query: its tables, the profile's devices and entities,
// and its functions.
type SQLTables struct {
	// Tables are the tables.
	Tables []SQLTable `json:"tables"`
	// Resources are the devices and entities the tables hold.
	Resources struct {
		// Devices are the profile's devices.
		Devices []SQLResource `json:"devices"`
		// Entities are the profile's entities.
		Entities []SQLResource `json:"entities"`
	} `json:"resources"`
	// Functions are the functions queries can call.
	Functions []SQLFunction `json:"functions"`
}

// SQLTable is one table TagoSQL can query.
type SQLTable struct {
	// Function is the table function's name.
	Function string `json:"function"`
	// Label is the table's label.
	Label string `json:"label"`
	// TagForm is how the table is filtered by tags, when it can be.
	TagForm string `json:"tag_form,omitempty"`
	// Columns are the table's columns.
	Columns []SQLColumn `json:"columns"`
	// Dynamic says whether the columns depend on the resource.
	Dynamic bool `json:"dynamic,omitempty"`
}

// SQLResource is a device or an entity TagoSQL can query.
type SQLResource struct {
	// ID is the resource's ID.
	ID string `json:"id"`
	// Name is the resource's name.
	Name string `json:"name"`
}

// SQLFunction is a function queries can call.
type SQLFunction struct {
	// Name is the function's name.
	Name string `json:"name"`
	// Kind is "aggregate" or "session".
	Kind string `json:"kind"`
	// Args are the function's arguments.
	Args []string `json:"args"`
	// Description says what it does.
	Description string `json:"description"`
	// Example shows a call.
	Example string `json:"example,omitempty"`
}

// Tables lists what TagoSQL can query.
//
// TagoIO API: GET /sql/tables
func (s *SQLService) Tables(ctx context.Context, opts *SQLTablesOptions) (SQLTables, error) {
	var o SQLTablesOptions
	if opts != nil {
		o = *opts
	}
	if o.Page < 0 || o.Amount < 0 {
		return SQLTables{}, invalidf("page", "page and amount must not be negative")
	}
	if err := checkOptionalSQLID("entity ID", o.EntityID); err != nil {
		return SQLTables{}, err
	}
	q := &query{}
	q.addString("filter", o.Filter)
	if o.Amount > 0 {
		q.addInt("amount", o.Amount)
	}
	if o.Page > 0 {
		q.addInt("page", o.Page)
	}
	q.addString("entity_id", o.EntityID)
	return do[SQLTables](ctx, s.cl(), &call{method: "GET", path: "/sql/tables", query: q, kinds: accountOnly})
}
