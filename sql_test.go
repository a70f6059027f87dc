package tago

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const resSQLID = "6bee0011223344556677ff06"

func TestSQLOperations(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	stored := `{"id":"` + resSQLID + `","name":"Hot rooms","query":"SELECT * FROM data WHERE value > {{min}}",` +
		`"params":[{"key":"min","value":"30"}],"cache_enabled":true,"cache_ttl_seconds":60,"rate_limit_rpm":null,"active":true,` +
		`"tags":[],"version":2,"session_context":false,"created_at":"2024-03-04T05:06:07.000Z","updated_at":"2024-03-04T05:06:07.000Z"}`
	storedQuery := SQLQuery{ID: resSQLID, Name: "Hot rooms", Query: "SELECT * FROM data WHERE value > {{min}}",
		Params: []SQLParam{{Key: "min", Value: "30"}}, CacheEnabled: true, CacheTTLSeconds: 60, Active: true, Tags: []Tag{},
		Version: 2, CreatedAt: at, UpdatedAt: at}
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/sql",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=tags&orderBy=created_at,desc",
			result: `[{"id":"` + resSQLID + `","name":"Hot rooms","tags":[]}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.SQL.List(ctx, nil) },
			want:   []SQLQuery{{ID: resSQLID, Name: "Hot rooms", Tags: []Tag{}}},
		},
		{
			name: "list active ones by name", method: "GET", path: "/sql",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=active&filter[name]=Hot*&filter[active]=true&orderBy=name,asc",
			result: `[]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.SQL.List(ctx, &SQLListOptions{Name: "Hot*", Active: Ptr(true), ListOptions: ListOptions{Fields: []string{"id", "active"}, OrderBy: Asc("name")}})
			},
			want: []SQLQuery{},
		},
		{
			name: "create", method: "POST", path: "/sql", status: http.StatusCreated,
			body:   `{"name":"Hot rooms","query":"SELECT * FROM data WHERE value > {{min}}","params":[{"key":"min","value":"30"}],"cache_enabled":true,"cache_ttl_seconds":60}`,
			result: stored,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.SQL.Create(ctx, SQLQueryRequest{Name: "Hot rooms", Query: "SELECT * FROM data WHERE value > {{min}}",
					Params: []SQLParam{{Key: "min", Value: "30"}}, CacheEnabled: Ptr(true), CacheTTLSeconds: Ptr(60)})
			},
			want: storedQuery,
		},
		{
			name: "info", method: "GET", path: "/sql/" + resSQLID, result: stored,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.SQL.Info(ctx, resSQLID) },
			want: storedQuery,
		},
		{
			name: "edit", method: "PUT", path: "/sql/" + resSQLID,
			body: `{"name":"Hot rooms","query":"SELECT 1","active":false}`, result: stored,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.SQL.Edit(ctx, resSQLID, SQLQueryRequest{Name: "Hot rooms", Query: "SELECT 1", Active: Ptr(false)})
			},
			want: storedQuery,
		},
		{
			name: "delete", method: "DELETE", path: "/sql/" + resSQLID, result: `{"id":"` + resSQLID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.SQL.Delete(ctx, resSQLID)) },
		},
		{
			name: "version", method: "GET", path: "/sql/" + resSQLID + "/version/1",
			result: `{"query":"SELECT 0","params":[],"created_at":null}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.SQL.Version(ctx, resSQLID, 1) },
			want:   SQLVersion{Query: "SELECT 0", Params: []SQLParam{}},
		},
		{
			name: "execute with stored parameters", method: "POST", path: "/sql/" + resSQLID + "/execute",
			body:   `{}`,
			result: `{"columns":[{"name":"variable","type":"string"}],"rows":[{"variable":"temp"}],"row_count":1,"execution_ms":3.5,"served_from_cache":true}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.SQL.Execute(ctx, resSQLID, nil) },
			want: SQLResult{Columns: []SQLColumn{{Name: "variable", Type: SQLString}}, Rows: []json.RawMessage{json.RawMessage(`{"variable":"temp"}`)},
				RowCount: 1, ExecutionMS: 3.5, ServedFromCache: true},
		},
		{
			name: "execute a test with parameters", method: "POST", path: "/sql/" + resSQLID + "/execute",
			body:   `{"params":[{"key":"min","value":"40"}],"test":true,"after_device":"` + resDeviceID + `"}`,
			result: `{"columns":[],"rows":[],"row_count":0,"execution_ms":1,"served_from_cache":false}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.SQL.Execute(ctx, resSQLID, &SQLExecuteOptions{Params: []SQLParam{{Key: "min", Value: "40"}}, Test: true, AfterDevice: resDeviceID})
			},
			want: SQLResult{Columns: []SQLColumn{}, Rows: []json.RawMessage{}, ExecutionMS: 1},
		},
		{
			name: "tables", method: "GET", path: "/sql/tables", query: "filter=data&amount=5&page=2",
			result: `{"tables":[{"function":"data","label":"Device data","columns":[{"name":"time","type":"timestamp"}]}],` +
				`"resources":{"devices":[{"id":"` + resDeviceID + `","name":"Boiler"}],"entities":[]},` +
				`"functions":[{"name":"avg","kind":"aggregate","args":["x"],"description":"mean"}]}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.SQL.Tables(ctx, &SQLTablesOptions{Filter: "data", Amount: 5, Page: 2})
			},
			want: func() SQLTables {
				var tb SQLTables
				tb.Tables = []SQLTable{{Function: "data", Label: "Device data", Columns: []SQLColumn{{Name: "time", Type: SQLTimestamp}}}}
				tb.Resources.Devices = []SQLResource{{ID: resDeviceID, Name: "Boiler"}}
				tb.Resources.Entities = []SQLResource{}
				tb.Functions = []SQLFunction{{Name: "avg", Kind: "aggregate", Args: []string{"x"}, Description: "mean"}}
				return tb
			}(),
		},
	})
}

// TestSQLRowsDecodeIntoStructs checks that a result's rows decode into a caller's
// structs, with typed columns, and that a row that does not fit names its column.
func TestSQLRowsDecodeIntoStructs(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "POST", "/sql/"+resSQLID+"/execute", 200, `{"status":true,"result":{"columns":[{"name":"device","type":"string"},`+
		`{"name":"avg","type":"number"},{"name":"last","type":"timestamp"},{"name":"ok","type":"boolean"},{"name":"meta","type":"json"}],`+
		`"rows":[{"device":"Boiler","avg":21.5,"last":"2024-03-04T05:06:07.000Z","ok":true,"meta":{"floor":2}},`+
		`{"device":"Pump","avg":null,"last":null,"ok":false,"meta":null}],"row_count":2,"execution_ms":4,"served_from_cache":false}}`)
	res, err := c.SQL.Execute(t.Context(), resSQLID, nil)
	require.NoError(t, err)
	type row struct {
		Device string          `json:"device"`
		Avg    *float64        `json:"avg"`
		Last   time.Time       `json:"last"`
		OK     bool            `json:"ok"`
		Meta   json.RawMessage `json:"meta"`
	}
	rows, err := SQLRows[row](res)
	require.NoError(t, err)
	assert.Equal(t, []row{
		{Device: "Boiler", Avg: Ptr(21.5), Last: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC), OK: true, Meta: json.RawMessage(`{"floor":2}`)},
		{Device: "Pump", Meta: json.RawMessage(`null`)},
	}, rows)

	maps, err := res.Maps()
	require.NoError(t, err)
	assert.Equal(t, "Pump", maps[1]["device"])
	assert.Equal(t, 21.5, maps[0]["avg"])

	var wrong []struct {
		Avg string `json:"avg"`
	}
	err = res.Scan(&wrong)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `column "avg"`)
}

// TestSQLExecuteIsRetriedLikeARead checks that an execution, which only reads, is
// retried after a failure that may have reached the platform.
func TestSQLExecuteIsRetriedLikeARead(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "POST", "/sql/"+resSQLID+"/execute", reply(502, ``),
		reply(200, `{"status":true,"result":{"columns":[],"rows":[],"row_count":0,"execution_ms":1,"served_from_cache":false}}`))
	_, err := c.SQL.Execute(t.Context(), resSQLID, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, got.count())
}

func TestSQLBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	ctx := t.Context()
	for _, tc := range []struct {
		err   error
		field string
	}{
		{func() error {
			_, err := c.SQL.List(ctx, &SQLListOptions{ListOptions: ListOptions{Fields: []string{"query"}}})
			return err
		}(), "fields[0]"},
		{func() error { _, err := c.SQL.Create(ctx, SQLQueryRequest{Name: "n"}); return err }(), "query"},
		{func() error {
			_, err := c.SQL.Create(ctx, SQLQueryRequest{Name: "n", Query: "q", Params: []SQLParam{{Key: "a"}, {Key: "a"}}})
			return err
		}(), "params[1].key"},
		{func() error {
			_, err := c.SQL.Create(ctx, SQLQueryRequest{Name: "n", Query: "q", CacheTTLSeconds: Ptr(-1)})
			return err
		}(), "cache TTL seconds"},
		{func() error { _, err := c.SQL.Version(ctx, resSQLID, 0); return err }(), "version"},
		{func() error { _, err := c.SQL.Execute(ctx, "x", nil); return err }(), "SQL ID"},
		{func() error { _, err := c.SQL.Execute(ctx, resSQLID, &SQLExecuteOptions{AfterDevice: "x"}); return err }(), "after device"},
		{func() error { _, err := c.SQL.Tables(ctx, &SQLTablesOptions{EntityID: "x"}); return err }(), "entity ID"},
	} {
		require.ErrorIs(t, tc.err, ErrInvalidInput, tc.field)
		var ie *InputError
		require.ErrorAs(t, tc.err, &ie)
		assert.Equal(t, tc.field, ie.Field)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}
