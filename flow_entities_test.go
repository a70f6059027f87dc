package tago_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

// An entity's whole life on the fake: created with a schema and an index, its schema
// edited, records sent, queried, edited, deleted and emptied, and refusals of the
// platform seen as typed errors.
func TestFlowEntity(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()

	id, err := c.Entities.Create(ctx, tago.EntityCreateRequest{Name: "Sites",
		Schema: map[string]tago.EntityField{
			"name":  {Type: tago.EntityString, Required: true},
			"floor": {Type: tago.EntityInt},
		},
		Index: map[string]tago.EntityIndex{"by_name": {Fields: []string{"name"}}},
		Tags:  []tago.Tag{{Key: "kind", Value: "site"}}})
	require.NoError(t, err)
	e, err := c.Entities.Info(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, tago.EntityField{Type: tago.EntityString, Required: true}, e.Schema["name"])
	assert.Equal(t, tago.EntityField{Type: tago.EntityUUID, Required: true}, e.Schema["id"], "the platform's own fields are listed")
	assert.Equal(t, []string{"name"}, e.Index["by_name"].Fields)

	var names []string
	for e, err := range c.Entities.All(ctx, &tago.EntityListOptions{Tags: []tago.Tag{{Key: "kind", Value: "site"}}}) {
		require.NoError(t, err)
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{"Sites"}, names)
	require.NoError(t, c.Entities.Edit(ctx, id, tago.EntityEditRequest{Name: tago.Ptr("Buildings")}))

	n, err := c.Entities.SendData(ctx, id,
		tago.EntityRow{"name": "HQ", "floor": 3},
		tago.EntityRow{"name": "Depot", "floor": nil},
		tago.EntityRow{"id": "lab-1", "name": "Lab"})
	require.NoError(t, err)
	assert.Equal(t, 3, n)

	// The schema is the platform's to check: a missing required field is a 400 with
	// field_errors, and nothing of the request is stored.
	_, err = c.Entities.SendData(ctx, id, tago.EntityRow{"name": "Annex"}, tago.EntityRow{"floor": 1})
	require.ErrorIs(t, err, tago.ErrBadRequest)
	var apiErr *tago.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, map[string][]string{"data[1].name": {"is required"}}, apiErr.FieldErrors)
	_, err = c.Entities.SendData(ctx, id, tago.EntityRow{"name": "Annex", "floor": "two"})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, map[string][]string{"data[0].floor": {"must be a number"}}, apiErr.FieldErrors)
	amount, err := c.Entities.Amount(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, int64(3), amount)

	// Schema edits: a new field and an index on it, then a rename.
	require.NoError(t, c.Entities.EditSchema(ctx, id, tago.EntitySchemaEdit{
		Fields:  map[string]tago.EntityFieldChange{"opened": {Action: tago.EntityCreate, Type: tago.EntityTimestamp}},
		Indexes: map[string]tago.EntityIndexChange{"by_opened": {Action: tago.EntityCreate, Fields: []string{"opened"}}},
	}))
	opened := time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)
	n, err = c.Entities.EditData(ctx, id, tago.EntityDataEdit{ID: "lab-1", Fields: tago.EntityRow{"opened": opened, "floor": 1}})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	require.NoError(t, c.Entities.RenameField(ctx, id, "floor", "level"))
	require.ErrorIs(t, c.Entities.UpdateField(ctx, id, "level", true), tago.ErrBadRequest, "records lack a level")

	recs, err := c.Entities.GetData(ctx, id, &tago.EntityDataQuery{Index: "by_opened",
		Filters: []tago.EntityFilter{{Field: "opened", Start: opened.Add(-time.Hour), End: opened}}})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, "lab-1", recs[0].ID)
	var lab struct {
		Name   string    `json:"name"`
		Level  int       `json:"level"`
		Opened time.Time `json:"opened"`
	}
	require.NoError(t, recs[0].Decode(&lab))
	assert.Equal(t, "Lab", lab.Name)
	assert.Equal(t, 1, lab.Level)
	assert.True(t, opened.Equal(lab.Opened))

	recs, err = c.Entities.GetData(ctx, id, &tago.EntityDataQuery{Index: "by_name", Filters: []tago.EntityFilter{{Field: "name", Value: "HQ"}},
		Fields: []string{"id", "level"}})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, map[string]any{"level": 3.0}, recs[0].Fields)
	hq := recs[0].ID

	// The platform's query rules: a filter off the index's left edge is refused.
	_, err = c.Entities.GetData(ctx, id, &tago.EntityDataQuery{Index: "by_name", Filters: []tago.EntityFilter{{Field: "level", Value: 3}}})
	require.ErrorIs(t, err, tago.ErrBadRequest)

	n, err = c.Entities.DeleteData(ctx, id, hq, "lab-1", "no-such-record")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	require.NoError(t, c.Entities.DeleteIndex(ctx, id, "by_opened"))
	require.NoError(t, c.Entities.DeleteField(ctx, id, "opened"))
	require.NoError(t, c.Entities.Empty(ctx, id))
	amount, err = c.Entities.Amount(ctx, id)
	require.NoError(t, err)
	assert.Zero(t, amount)
	require.NoError(t, c.Entities.Delete(ctx, id))
	_, err = c.Entities.Info(ctx, id)
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// The flow: an entity with a schema, 50,000 records sent, queried by a filter
// and streamed back in order with bounded memory.
func TestFlowEntity50kRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 50,000 records")
	}
	srv := tagotest.NewServer(t, tagotest.WithRequestLogLimit(0))
	c := accountClient(t, srv)
	ctx := t.Context()
	start := time.Now()

	id, err := c.Entities.Create(ctx, tago.EntityCreateRequest{Name: "Readings",
		Schema: map[string]tago.EntityField{
			"site":         {Type: tago.EntityString, Required: true},
			"reading_time": {Type: tago.EntityTimestamp, Required: true},
			"temperature":  {Type: tago.EntityFloat},
			"seq":          {Type: tago.EntityInt, Required: true},
		},
		Index: map[string]tago.EntityIndex{"site_time": {Fields: []string{"site", "reading_time"}}}})
	require.NoError(t, err)

	// 50,000 records over four sites, their reading times a permutation of 50,000
	// seconds (so the time order is not the order they were sent in).
	const total = 50_000
	sites := []string{"north", "south", "east", "west"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]tago.EntityRow, total)
	for i := range rows {
		rows[i] = tago.EntityRow{"site": sites[i%4], "seq": i, "temperature": 15 + float64(i%200)/10,
			"reading_time": base.Add(time.Duration(i*7919%total) * time.Second)}
	}
	n, err := c.Entities.SendData(ctx, id, rows...)
	require.NoError(t, err)
	require.Equal(t, total, n)
	rows = nil
	amount, err := c.Entities.Amount(ctx, id)
	require.NoError(t, err)
	require.Equal(t, int64(total), amount)
	sent := time.Since(start)

	// Stream one site's records back by time, sampling the live heap as it goes: at
	// most two pages of 1000 records are held, not the 12,500.
	q := &tago.EntityDataQuery{Index: "site_time", Filters: []tago.EntityFilter{{Field: "site", Value: "north"}}}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseline, peak := ms.HeapAlloc, uint64(0)
	got, prev := 0, time.Time{}
	for r, err := range c.Entities.Stream(ctx, id, q) {
		require.NoError(t, err)
		var rec struct {
			Site        string    `json:"site"`
			ReadingTime time.Time `json:"reading_time"`
			Seq         int       `json:"seq"`
		}
		require.NoError(t, r.Decode(&rec))
		require.Equal(t, "north", rec.Site)
		require.Zero(t, rec.Seq%4, "record %d is not one of north's", rec.Seq)
		require.True(t, rec.ReadingTime.After(prev), "record %d at %v does not follow %v", got, rec.ReadingTime, prev)
		prev = rec.ReadingTime
		got++
		if got%6000 == 0 { // two samples: a forced collection of this heap costs about a tenth of a second
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	assert.Equal(t, total/4, got)
	growth := int64(peak) - int64(baseline)
	t.Logf("sent %d records in %v; streamed %d in %v; live heap while streaming: %+d KiB over the baseline (%d KiB)",
		total, sent.Round(time.Millisecond), got, (time.Since(start) - sent).Round(time.Millisecond), growth>>10, baseline>>10)
	// Measured: about 1 MiB (two pages and a response in flight); keeping every record
	// of the listing instead grows the live heap by about 7 MiB.
	assert.Less(t, growth, int64(3<<20), "the stream holds pages, not the listing")

	// The same filter with a date range, newest first, in pages of 500.
	from, to := base.Add(10_000*time.Second), base.Add(20_000*time.Second-time.Millisecond)
	got, prev = 0, to.Add(time.Hour)
	for r, err := range c.Entities.Stream(ctx, id, &tago.EntityDataQuery{Index: "site_time", Amount: 500, Ordination: tago.OrdinationDescending,
		Filters: []tago.EntityFilter{{Field: "site", Value: "north"}, {Field: "reading_time", Start: from, End: to}}}) {
		require.NoError(t, err)
		ts, err := time.Parse(time.RFC3339, r.Fields["reading_time"].(string))
		require.NoError(t, err)
		require.True(t, ts.Before(prev) && !ts.Before(from) && !ts.After(to), "%v after %v", ts, prev)
		prev = ts
		got++
	}
	// Reading times 10,000 to 19,999 seconds, a quarter of which are north's: seq
	// i*7919 mod 50,000 = t has one solution i per t, north's when i is a multiple of 4.
	want := 0
	for i := range total {
		if s := i * 7919 % total; i%4 == 0 && s >= 10_000 && s < 20_000 {
			want++
		}
	}
	assert.Equal(t, want, got)
	t.Logf("whole flow: %v", time.Since(start).Round(time.Millisecond))
}
