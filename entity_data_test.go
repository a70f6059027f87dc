package tago

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	resRecordID  = "672b53d43bc47400095f3831"
	resRecord2ID = "672b5449dbac110009ce878f"
)

func TestEntityDataOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 11, 6, 11, 32, 36, 467_000_000, time.UTC)
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "get with defaults", method: "GET", path: "/entity/" + resEntityID + "/data",
			result: `[{"id":"` + resRecordID + `","created_at":"2024-11-06T11:32:36.467Z","updated_at":"2024-11-06T11:32:36.467Z",` +
				`"charge_amount":null,"monthly_revenue":2345.34,"update_date":"2024-11-01T03:00:00.000Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Entities.GetData(ctx, resEntityID, nil) },
			want: []EntityRecord{{ID: resRecordID, CreatedAt: created, UpdatedAt: created,
				Fields: map[string]any{"charge_amount": nil, "monthly_revenue": 2345.34, "update_date": "2024-11-01T03:00:00.000Z"}}},
		},
		{
			name: "get through an index with every option", method: "GET", path: "/entity/" + resEntityID + "/data",
			query: "index=site_time&filter[site]=north&filter[reading_time][start]=2024-01-01T00:00:00.000Z" +
				"&filter[reading_time][end]=2024-02-01T00:00:00.000Z&fields[0]=id&fields[1]=temperature&order_by=desc&page=2&amount=50",
			result: `[{"id":"` + resRecordID + `","temperature":21.5}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.GetData(ctx, resEntityID, &EntityDataQuery{Index: "site_time",
					Filters: []EntityFilter{{Field: "site", Value: "north"}, {Field: "reading_time", Start: jan, End: feb}},
					Fields:  []string{"id", "temperature"}, Ordination: OrdinationDescending, Page: 2, Amount: 50})
			},
			want: []EntityRecord{{ID: resRecordID, Fields: map[string]any{"temperature": 21.5}}},
		},
		{
			name: "get with open ranges and typed values", method: "GET", path: "/entity/" + resEntityID + "/data",
			query: "index=multi&filter[level]=3&filter[ok]=true&filter[temperature][start]=20.5&filter[created_at][end]=2024-02-01T00:00:00.000Z" +
				"&order_by=asc",
			result: `[]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.GetData(ctx, resEntityID, &EntityDataQuery{Index: "multi", Ordination: OrdinationAscending,
					Filters: []EntityFilter{{Field: "level", Value: 3}, {Field: "ok", Value: true}, {Field: "temperature", Start: 20.5},
						{Field: "created_at", End: &feb}}})
			},
			want: []EntityRecord{},
		},
		{
			name: "send one row", method: "POST", path: "/entity/" + resEntityID + "/data",
			body:   `[{"monthly_revenue":2345.34,"site":{"name":"north","floors":[1,2]},"update_date":"2024-11-01T03:00:00Z"}]`,
			result: `"1 Data Added"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.SendData(ctx, resEntityID, EntityRow{"monthly_revenue": 2345.34,
					"update_date": time.Date(2024, 11, 1, 3, 0, 0, 0, time.UTC),
					"site":        map[string]any{"name": "north", "floors": []int{1, 2}}})
			},
			want: 1,
		},
		{
			name: "send rows replacing one by ID", method: "POST", path: "/entity/" + resEntityID + "/data",
			body:   `[{"id":"` + resRecordID + `","site":"south"},{"site":"east","note":null}]`,
			result: `"2 Data Added"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.SendData(ctx, resEntityID, EntityRow{"id": resRecordID, "site": "south"}, EntityRow{"site": "east", "note": nil})
			},
			want: 2,
		},
		{
			name: "send an empty row", method: "POST", path: "/entity/" + resEntityID + "/data",
			body: `[{}]`, result: `"1 Data Added"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.SendData(ctx, resEntityID, EntityRow{})
			},
			want: 1,
		},
		{
			name: "edit rows", method: "PUT", path: "/entity/" + resEntityID + "/data",
			body:   `[{"id":"` + resRecordID + `","monthly_revenue":1239.45},{"id":"` + resRecord2ID + `","note":null}]`,
			result: `"2 item(s) updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.EditData(ctx, resEntityID,
					EntityDataEdit{ID: resRecordID, Fields: EntityRow{"monthly_revenue": 1239.45}},
					EntityDataEdit{ID: resRecord2ID, Fields: EntityRow{"note": nil}})
			},
			want: 2,
		},
		{
			name: "delete rows", method: "DELETE", path: "/entity/" + resEntityID + "/data",
			body:   `{"ids":["` + resRecordID + `","` + resRecord2ID + `"]}`,
			result: `"2 item(s) deleted"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.DeleteData(ctx, resEntityID, resRecordID, resRecord2ID)
			},
			want: 2,
		},
		{
			name: "delete an ID the entity does not hold", method: "DELETE", path: "/entity/" + resEntityID + "/data",
			body: `{"ids":["gone"]}`, result: `"0 item(s) deleted"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.DeleteData(ctx, resEntityID, "gone")
			},
			want: 0,
		},
	})
}

// The exact bytes of a send: fields in name order, joined without spaces.
func TestEntitySendDataBody(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expect(mt, "POST", "/entity/"+resEntityID+"/data", 200, `{"status":true,"result":"2 Data Added"}`)
	n, err := c.Entities.SendData(t.Context(), resEntityID, EntityRow{"b": 1, "a": "x\"y", "c": true}, EntityRow{"z": []string{"<"}})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, `[{"a":"x\"y","b":1,"c":true},{"z":["\u003c"]}]`, string(got.last(t).Body))
	assert.Equal(t, "application/json", got.last(t).Header.Get("Content-Type"))
}

func TestEntityRecordDecode(t *testing.T) {
	t.Parallel()
	var recs []EntityRecord
	require.NoError(t, json.Unmarshal([]byte(`[{"id":"r1","created_at":"2024-11-06T11:32:36.467Z","updated_at":"not a time",`+
		`"site":"north","level":3,"tags":{"a":1},"seen_at":"2024-11-01T03:00:00.000Z"}]`), &recs))
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, "r1", r.ID)
	assert.Equal(t, time.Date(2024, 11, 6, 11, 32, 36, 467_000_000, time.UTC), r.CreatedAt)
	assert.True(t, r.UpdatedAt.IsZero())
	assert.Equal(t, "not a time", r.Fields["updated_at"], "a timestamp that does not parse stays in Fields")

	var row struct {
		ID        string         `json:"id"`
		CreatedAt time.Time      `json:"created_at"`
		Site      string         `json:"site"`
		Level     int            `json:"level"`
		Tags      map[string]int `json:"tags"`
		SeenAt    time.Time      `json:"seen_at"`
	}
	require.NoError(t, r.Decode(&row))
	assert.Equal(t, "r1", row.ID)
	assert.Equal(t, r.CreatedAt, row.CreatedAt)
	assert.Equal(t, "north", row.Site)
	assert.Equal(t, 3, row.Level)
	assert.Equal(t, map[string]int{"a": 1}, row.Tags)
	assert.Equal(t, time.Date(2024, 11, 1, 3, 0, 0, 0, time.UTC), row.SeenAt)

	var wrong struct {
		Level string `json:"level"`
	}
	err := r.Decode(&wrong)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tago: entity record r1:")
	err = EntityRecord{Fields: map[string]any{"level": 3.0}}.Decode(&wrong)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tago: entity record: json: cannot unmarshal number")

	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"r1","created_at":"2024-11-06T11:32:36.467Z","updated_at":"not a time","site":"north","level":3,`+
		`"tags":{"a":1},"seen_at":"2024-11-01T03:00:00.000Z"}`, string(b))

	require.Error(t, json.Unmarshal([]byte(`[1]`), &recs))
	require.Error(t, json.Unmarshal([]byte(`[null]`), &recs))
}

// rowsOf returns n rows {"i": i}.
func rowsOf(n int) []EntityRow {
	rows := make([]EntityRow, n)
	for i := range rows {
		rows[i] = EntityRow{"i": i}
	}
	return rows
}

func TestEntitySendDataBatches(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "POST", "/entity/"+resEntityID+"/data",
		reply(200, `{"status":true,"result":"100 Data Added"}`),
		reply(200, `{"status":true,"result":"100 Data Added"}`),
		reply(200, `{"status":true,"result":"50 Data Added"}`))
	n, err := c.Entities.SendData(t.Context(), resEntityID, rowsOf(250)...)
	require.NoError(t, err)
	assert.Equal(t, 250, n)
	reqs := got.all()
	require.Len(t, reqs, 3)
	for b, want := range []int{100, 100, 50} {
		var rows []map[string]int
		require.NoError(t, json.Unmarshal(reqs[b].Body, &rows))
		require.Len(t, rows, want)
		assert.Equal(t, b*100, rows[0]["i"], "batch %d starts where the one before ended", b)
	}
}

// A batch that fails after others were stored is a BatchError saying which rows are
// stored; a POST that may have been stored is never sent again.
func TestEntitySendDataBatchFailure(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "POST", "/entity/"+resEntityID+"/data",
		reply(200, `{"status":true,"result":"100 Data Added"}`),
		reply(502, `bad gateway`),
		reply(200, `{"status":true,"result":"100 Data Added"}`))
	n, err := c.Entities.SendData(t.Context(), resEntityID, rowsOf(250)...)
	assert.Equal(t, 100, n)
	var be *BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, BatchError{Batch: 1, Batches: 3, First: 100, Size: 100, Stored: 100, MayBeStored: true, Err: be.Err}, *be)
	assert.Equal(t, 200, be.NotStoredFrom())
	require.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 2, got.count(), "the failed POST is not repeated and the third batch is not sent")
}

func TestEntityDeleteDataBatchesOfTen(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "DELETE", "/entity/"+resEntityID+"/data",
		reply(200, `{"status":true,"result":"10 item(s) deleted"}`),
		reply(502, `bad gateway`), // a delete by ID may be repeated
		reply(200, `{"status":true,"result":"9 item(s) deleted"}`),
		reply(200, `{"status":true,"result":"5 item(s) deleted"}`))
	ids := make([]string, 25)
	for i := range ids {
		ids[i] = "r" + strconv.Itoa(i)
	}
	n, err := c.Entities.DeleteData(t.Context(), resEntityID, ids...)
	require.NoError(t, err)
	assert.Equal(t, 24, n, "the platform's counts, added up")
	reqs := got.all()
	require.Len(t, reqs, 4)
	quoted := func(from, to int) string { return `{"ids":["` + strings.Join(ids[from:to], `","`) + `"]}` }
	assert.Equal(t, quoted(0, 10), string(reqs[0].Body))
	assert.Equal(t, quoted(10, 20), string(reqs[1].Body))
	assert.Equal(t, quoted(10, 20), string(reqs[2].Body), "the retry sends the same batch")
	assert.Equal(t, quoted(20, 25), string(reqs[3].Body))
}

func TestEntityEditDataIsRetried(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "PUT", "/entity/"+resEntityID+"/data", reply(503, ``), reply(200, `{"status":true,"result":"1 item(s) updated"}`))
	n, err := c.Entities.EditData(t.Context(), resEntityID, EntityDataEdit{ID: resRecordID, Fields: EntityRow{"a": 1}})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, 2, got.count())
}

func TestEntityDataBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	ctx := t.Context()
	get := func(q *EntityDataQuery) error { _, err := c.Entities.GetData(ctx, resEntityID, q); return err }
	stream := func(q *EntityDataQuery) error {
		n := 0
		var last error
		for _, err := range c.Entities.Stream(ctx, resEntityID, q) {
			n++
			last = err
		}
		require.Equal(t, 1, n, "a refused stream yields its error once")
		return last
	}
	big := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		err   error
		field string
	}{
		{get(&EntityDataQuery{Filters: []EntityFilter{{Field: "a", Value: 1}}}), "index"},
		{get(&EntityDataQuery{Index: " "}), "index"},
		{get(&EntityDataQuery{Index: "i", Filters: []EntityFilter{{Value: 1}}}), "filters[0].field"},
		{get(&EntityDataQuery{Index: "i", Filters: []EntityFilter{{Field: "a[0]", Value: 1}}}), "filters[0].field"},
		{get(&EntityDataQuery{Index: "i", Filters: []EntityFilter{{Field: "a", Value: 1}, {Field: "a", Value: 2}}}), "filters[1].field"},
		{get(&EntityDataQuery{Index: "i", Filters: []EntityFilter{{Field: "a"}}}), "filters[0]"},
		{get(&EntityDataQuery{Index: "i", Filters: []EntityFilter{{Field: "a", Value: 1, Start: 0}}}), "filters[0]"},
		{get(&EntityDataQuery{Index: "i", Filters: []EntityFilter{{Field: "a", Value: math.NaN()}}}), "filters[0].value"},
		{get(&EntityDataQuery{Index: "i", Filters: []EntityFilter{{Field: "a", Value: struct{}{}}}}), "filters[0].value"},
		{get(&EntityDataQuery{Index: "i", Filters: []EntityFilter{{Field: "a", Start: time.Time{}}}}), "filters[0].start"},
		{get(&EntityDataQuery{Index: "i", Filters: []EntityFilter{{Field: "a", End: (*time.Time)(nil)}}}), "filters[0].end"},
		{get(&EntityDataQuery{Fields: []string{""}}), "fields[0]"},
		{get(&EntityDataQuery{Ordination: "up"}), "ordination"},
		{get(&EntityDataQuery{Page: -1}), "page"},
		{get(&EntityDataQuery{Amount: -1}), "amount"},
		{get(&EntityDataQuery{Amount: 10001}), "amount"},
		{func() error { _, err := c.Entities.GetData(ctx, "x", nil); return err }(), "entity ID"},
		{stream(&EntityDataQuery{Filters: []EntityFilter{{Field: "a", Value: 1}}}), "index"},
		{stream(&EntityDataQuery{Amount: -5}), "amount"},
		{stream(&EntityDataQuery{Page: -1}), "page"},
		{func() error { _, err := c.Entities.SendData(ctx, "x", EntityRow{}); return err }(), "entity ID"},
		{func() error {
			_, err := c.Entities.SendData(ctx, resEntityID, EntityRow{"a": 1}, EntityRow{"temperature": math.Inf(1)})
			return err
		}(), "rows[1].temperature"},
		{func() error {
			_, err := c.Entities.SendData(ctx, resEntityID, EntityRow{"ch": make(chan int)})
			return err
		}(), "rows[0].ch"},
		{func() error {
			_, err := c.Entities.SendData(ctx, resEntityID, EntityRow{"j": map[string]any{"deep": math.NaN()}})
			return err
		}(), "rows[0].j"},
		{func() error { _, err := c.Entities.SendData(ctx, resEntityID, EntityRow{"t": big}); return err }(), "rows[0]"},
		{func() error {
			_, err := c.Entities.EditData(ctx, resEntityID, EntityDataEdit{Fields: EntityRow{"a": 1}})
			return err
		}(), "edits[0].id"},
		{func() error {
			_, err := c.Entities.EditData(ctx, resEntityID, EntityDataEdit{ID: "r", Fields: EntityRow{"id": "s"}})
			return err
		}(), "edits[0].fields.id"},
		{func() error {
			_, err := c.Entities.EditData(ctx, resEntityID, EntityDataEdit{ID: "r", Fields: EntityRow{"f": func() {}}})
			return err
		}(), "edits[0].fields.f"},
		{func() error { _, err := c.Entities.DeleteData(ctx, resEntityID, "a", " "); return err }(), "ids[1]"},
		{func() error { _, err := c.Entities.DeleteData(ctx, "", "a"); return err }(), "entity ID"},
	} {
		require.ErrorIs(t, tc.err, ErrInvalidInput)
		var in *InputError
		require.ErrorAs(t, tc.err, &in)
		assert.Equal(t, tc.field, in.Field, "%v", tc.err)
	}
	for _, err := range c.Entities.Stream(ctx, "nope", nil) {
		require.ErrorIs(t, err, ErrInvalidInput)
	}
	n, err := c.Entities.SendData(ctx, resEntityID)
	require.NoError(t, err, "nothing to send is no request")
	assert.Zero(t, n)
	n, err = c.Entities.DeleteData(ctx, resEntityID)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Zero(t, mt.GetTotalCallCount())
}

// entityPage answers a data request with the records of its page: ids r<n> for the
// page's span of total records.
func entityPages(t *testing.T, total int) func(q string) string {
	return func(q string) string {
		vals := map[string]int{}
		for _, kv := range strings.Split(q, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if n, err := strconv.Atoi(v); err == nil {
				vals[k] = n
			}
		}
		page, amount := vals["page"], vals["amount"]
		require.Positive(t, page)
		var recs []string
		for i := (page - 1) * amount; i < min(page*amount, total); i++ {
			recs = append(recs, `{"id":"r`+strconv.Itoa(i)+`"}`)
		}
		return `{"status":true,"result":[` + strings.Join(recs, ",") + `]}`
	}
}

func TestEntityStream(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	pageOf := entityPages(t, 5)
	got := &capture{}
	mt.RegisterResponder("GET", testBaseURL+"/entity/"+resEntityID+"/data", func(r *http.Request) (*http.Response, error) {
		got.record(r)
		q := got.last(t).Query
		return httpmock.NewStringResponse(200, pageOf(q)), nil
	})
	var ids []string
	q := &EntityDataQuery{Index: "by_site", Filters: []EntityFilter{{Field: "site", Value: "north"}}, Amount: 2}
	for r, err := range c.Entities.Stream(t.Context(), resEntityID, q) {
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"r0", "r1", "r2", "r3", "r4"}, ids)
	assert.Equal(t, &EntityDataQuery{Index: "by_site", Filters: []EntityFilter{{Field: "site", Value: "north"}}, Amount: 2}, q, "the query is not changed")
	reqs := got.all()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, "index=by_site&filter[site]=north&order_by=asc&page="+strconv.Itoa(i+1)+"&amount=2", r.Query)
	}

	// Defaults: pages of 1000, ascending; a Page to start from; stopping early sends
	// no more requests.
	before := got.count()
	for r, err := range c.Entities.Stream(t.Context(), resEntityID, &EntityDataQuery{Page: 3, Ordination: OrdinationDescending}) {
		require.NoError(t, err)
		_ = r
		break
	}
	assert.Equal(t, "order_by=desc&page=3&amount=1000", got.last(t).Query)
	assert.Equal(t, before+1, got.count())
	for range c.Entities.Stream(t.Context(), resEntityID, nil) {
		break
	}
	assert.Equal(t, "order_by=asc&page=1&amount=1000", got.last(t).Query)

	// A page size above 1000 is read in pages of 1000, from the page it names.
	for range c.Entities.Stream(t.Context(), resEntityID, &EntityDataQuery{Amount: 5000, Page: 2}) {
		break
	}
	assert.Equal(t, "order_by=asc&page=6&amount=1000", got.last(t).Query)
}

// A server answering every page with the same records ends the stream with a
// PagingError instead of looping forever.
func TestEntityStreamServerIgnoringPaging(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expect(mt, "GET", "/entity/"+resEntityID+"/data", 200, `{"status":true,"result":[{"id":"a"},{"id":"b"}]}`)
	var ids []string
	var last error
	for r, err := range c.Entities.Stream(t.Context(), resEntityID, &EntityDataQuery{Amount: 2}) {
		if err != nil {
			last = err
			break
		}
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"a", "b"}, ids)
	var pe *PagingError
	require.ErrorAs(t, last, &pe)
	assert.True(t, pe.Repeated)
	assert.Equal(t, 2, got.count())
}
