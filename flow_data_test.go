package tago_test

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedReadings sends a morning of readings through the SDK: five temperatures in two
// groups, two humidities, a text status and a position.
func seedReadings(t *testing.T, c *tago.Client) {
	t.Helper()
	n, err := c.Data.Send(t.Context(),
		tago.Data{Variable: "temperature", Value: 18, Unit: "°C", Group: "batch-1", Time: at(8, 0)},
		tago.Data{Variable: "temperature", Value: 19, Unit: "°C", Group: "batch-1", Time: at(9, 0)},
		tago.Data{Variable: "temperature", Value: 20, Unit: "°C", Group: "batch-1", Time: at(10, 0)},
		tago.Data{Variable: "temperature", Value: 21, Unit: "°C", Group: "batch-2", Time: at(11, 0)},
		tago.Data{Variable: "temperature", Value: 22, Unit: "°C", Group: "batch-2", Time: at(12, 0)},
		tago.Data{Variable: "humidity", Value: 55, Unit: "%", Time: at(8, 30)},
		tago.Data{Variable: "humidity", Value: 60, Unit: "%", Time: at(9, 30)},
		tago.Data{Variable: "status", Value: "ok", Time: at(10, 15), Metadata: map[string]any{"source": "selftest"}},
		tago.Data{Variable: "position", Location: &tago.Location{Lat: 45.764, Lng: 4.8357}, Time: at(11, 45)},
	)
	require.NoError(t, err)
	require.Equal(t, 9, n)
}

// describe renders records as "variable@HH:MM" for compact assertions.
func describe(recs []tago.Data) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Variable + "@" + r.Time.UTC().Format("15:04")
	}
	return out
}

// Every kind of data query a device makes, answered by the fake from what the SDK sent.
func TestFlowDataQueries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	dev := createDevice(t, account, "Weather station")
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token.Reveal()))
	seedReadings(t, device)

	get := func(q *tago.DataQuery) []string {
		t.Helper()
		recs, err := device.Data.Get(ctx, q)
		require.NoError(t, err)
		return describe(recs)
	}

	// The default query: up to 15 records, newest first.
	assert.Equal(t, []string{"temperature@12:00", "position@11:45", "temperature@11:00", "status@10:15", "temperature@10:00",
		"humidity@09:30", "temperature@09:00", "humidity@08:30", "temperature@08:00"}, get(nil))
	assert.Equal(t, []string{"temperature@08:00", "humidity@08:30", "temperature@09:00"},
		get(&tago.DataQuery{Qty: 3, Ordination: tago.OrdinationAscending}))
	assert.Equal(t, []string{"temperature@11:00", "temperature@10:00"},
		get(&tago.DataQuery{Variables: []string{"temperature"}, Skip: 1, Qty: 2}))
	assert.Equal(t, []string{"temperature@12:00", "temperature@11:00"}, get(&tago.DataQuery{Groups: []string{"batch-2"}}))
	assert.Equal(t, []string{"temperature@10:00", "humidity@09:30", "temperature@09:00"},
		get(&tago.DataQuery{StartDate: at(9, 0), EndDate: at(10, 0)}))
	assert.Equal(t, []string{"temperature@10:00"}, get(&tago.DataQuery{Values: []any{20}}))
	assert.Equal(t, []string{"status@10:15"}, get(&tago.DataQuery{Values: []any{"ok"}}))

	// One record per variable.
	assert.ElementsMatch(t, []string{"temperature@12:00", "humidity@09:30", "status@10:15", "position@11:45"},
		get(&tago.DataQuery{Query: tago.QueryLastItem}))
	assert.Equal(t, []string{"temperature@08:00"}, get(&tago.DataQuery{Query: tago.QueryFirstValue, Variables: []string{"temperature"}}))
	locs, err := device.Data.Get(ctx, &tago.DataQuery{Query: tago.QueryLastLocation})
	require.NoError(t, err)
	require.Len(t, locs, 1)
	assert.Equal(t, "position", locs[0].Variable)
	require.NotNil(t, locs[0].Location)
	assert.Equal(t, tago.Location{Lat: 45.764, Lng: 4.8357}, *locs[0].Location)
	status, err := device.Data.Get(ctx, &tago.DataQuery{Query: tago.QueryLastValue, Variables: []string{"status"}, Details: true})
	require.NoError(t, err)
	require.Len(t, status, 1)
	text, ok := status[0].Text()
	assert.True(t, ok)
	assert.Equal(t, "ok", text)
	assert.Equal(t, map[string]any{"source": "selftest"}, status[0].Metadata)
	assert.False(t, status[0].CreatedAt.IsZero(), "details adds created_at")
	assert.Equal(t, []string{"temperature@11:00", "temperature@12:00"}, get(&tago.DataQuery{
		Query: tago.QueryConditional, Variables: []string{"temperature"}, Function: tago.FuncGT,
		Threshold: tago.Ptr(20.0), StartDate: at(0, 0), Ordination: tago.OrdinationAscending,
	}))

	// Summaries.
	summary := func(q *tago.DataQuery) []tago.Summary {
		t.Helper()
		s, err := device.Data.Summarize(ctx, q)
		require.NoError(t, err)
		return s
	}
	temps := []string{"temperature"}
	minimum := summary(&tago.DataQuery{Query: tago.QueryMin, Variables: temps})
	require.Len(t, minimum, 1)
	assert.Equal(t, 18.0, minimum[0].Value)
	require.NotNil(t, minimum[0].Record)
	assert.True(t, minimum[0].Record.Time.Equal(at(8, 0)))
	maximum := summary(&tago.DataQuery{Query: tago.QueryMax, Variables: temps})
	require.Len(t, maximum, 1)
	assert.Equal(t, 22.0, maximum[0].Value)
	assert.Equal(t, []tago.Summary{{Value: 100}}, summary(&tago.DataQuery{Query: tago.QuerySum, Variables: temps, StartDate: at(0, 0)}))
	assert.Equal(t, []tago.Summary{{Value: 20}}, summary(&tago.DataQuery{Query: tago.QueryAvg, Variables: temps, StartDate: at(0, 0)}))
	assert.Equal(t, []tago.Summary{{Value: 21.5}}, summary(&tago.DataQuery{Query: tago.QueryAvg, Variables: temps, StartDate: at(10, 30)}))
	assert.Empty(t, summary(&tago.DataQuery{Query: tago.QueryAvg, Variables: temps, StartDate: at(13, 0)}), "avg of nothing is null")
	_, err = device.Data.Summarize(ctx, &tago.DataQuery{Query: tago.QueryAvg, Variables: temps})
	require.ErrorIs(t, err, tago.ErrInvalidInput, "avg needs a start date")

	count, err := device.Data.Count(ctx, &tago.DataQuery{Groups: []string{"batch-1"}})
	require.NoError(t, err)
	assert.Equal(t, 3, count)
	count, err = device.Data.Count(ctx, &tago.DataQuery{StartDate: at(11, 0)})
	require.NoError(t, err)
	assert.Equal(t, 3, count)

	// Stream pages through everything, oldest first, two records a request.
	srv.ClearRequests()
	var streamed []tago.Data
	for d, err := range device.Data.Stream(ctx, &tago.DataQuery{Qty: 2}) {
		require.NoError(t, err)
		streamed = append(streamed, d)
	}
	assert.Equal(t, []string{"temperature@08:00", "humidity@08:30", "temperature@09:00", "humidity@09:30", "temperature@10:00",
		"status@10:15", "temperature@11:00", "position@11:45", "temperature@12:00"}, describe(streamed))
	assert.Len(t, requestsTo(srv, "GET", "/data"), 5)

	// The account form reads the same data by device ID.
	byID := account.Devices.Data(dev.ID)
	last, err := byID.Get(ctx, &tago.DataQuery{Query: tago.QueryLastValue, Variables: temps})
	require.NoError(t, err)
	require.Len(t, last, 1)
	v, _ := last[0].Float()
	assert.Equal(t, 22.0, v)
	assert.Equal(t, dev.ID, last[0].Device)
	n, err := byID.Count(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 9, n)

	// Deletes: by variable with the device token, by group with the account token,
	// then everything.
	removed, err := device.Data.Delete(ctx, &tago.DataQuery{Variables: []string{"humidity"}})
	require.NoError(t, err)
	assert.Equal(t, 2, removed)
	removed, err = byID.Delete(ctx, &tago.DataQuery{Groups: []string{"batch-1"}})
	require.NoError(t, err)
	assert.Equal(t, 3, removed)
	assert.Len(t, srv.Data(dev.ID), 4)
	require.NoError(t, account.Devices.EmptyData(ctx, dev.ID))
	amount, err := account.Devices.DataAmount(ctx, dev.ID)
	require.NoError(t, err)
	assert.Zero(t, amount)
	assert.Empty(t, get(nil))
}

// Edits of several records with the device token and with the account token.
func TestFlowDataEdit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	dev := createDevice(t, account, "Meter")
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token.Reveal()))
	seedReadings(t, device)

	hum, err := device.Data.Get(ctx, &tago.DataQuery{Variables: []string{"humidity"}, Ordination: tago.OrdinationAscending})
	require.NoError(t, err)
	require.Len(t, hum, 2)

	n, err := device.Data.Edit(ctx,
		tago.DataEdit{ID: hum[0].ID, Value: 56.5, Unit: tago.Ptr("%RH")},
		tago.DataEdit{ID: hum[1].ID, Time: at(9, 45), Metadata: map[string]any{"corrected": true}},
	)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = account.Devices.Data(dev.ID).Edit(ctx, tago.DataEdit{ID: hum[1].ID, Location: &tago.Location{Lat: 1.5, Lng: 2.5}})
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	got := map[string]tagotest.Record{}
	for _, r := range srv.Data(dev.ID) {
		got[r.ID] = r
	}
	assert.Equal(t, 56.5, got[hum[0].ID].Value)
	assert.Equal(t, "%RH", got[hum[0].ID].Unit)
	assert.True(t, got[hum[0].ID].Time.Equal(at(8, 30)), "time unchanged")
	assert.Equal(t, 60.0, got[hum[1].ID].Value, "value unchanged")
	assert.True(t, got[hum[1].ID].Time.Equal(at(9, 45)))
	assert.Equal(t, map[string]any{"corrected": true}, got[hum[1].ID].Metadata)
	assert.Equal(t, &tagotest.Location{Lat: 1.5, Lng: 2.5}, got[hum[1].ID].Location)

	// An unknown record ID is not an error on the platform: nothing is updated.
	n, err = device.Data.Edit(ctx, tago.DataEdit{ID: "65a5058c7e4a2f0009a1b0ff", Value: 1})
	require.NoError(t, err)
	assert.Zero(t, n)
}

// The platform's validation is the last line: a request the SDK cannot check (a device
// at its record limit) is refused whole, and nothing of it is stored.
func TestFlowRejectedPoints(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t, tagotest.WithDataLimit(1))
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Pump"})
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))

	n, err := device.Data.Send(ctx, tago.Data{Variable: "flow", Value: 3}, tago.Data{Variable: "flow", Value: 4})
	require.ErrorIs(t, err, tago.ErrBadRequest)
	assert.Zero(t, n)
	var apiErr *tago.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.HTTPStatus)
	assert.False(t, tago.MayBeStored(err))
	assert.Empty(t, srv.Data(dev.ID))
}

// TestValidateDataAgreesWithTagotest: every point the SDK lets through, the fake (which
// follows the platform's documented limits) stores, and every point the SDK refuses
// locally, the fake refuses too. Points go to the fake as raw JSON, past the SDK.
func TestValidateDataAgreesWithTagotest(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Probe"})
	for _, p := range []tago.Data{
		{Variable: "ok", Value: 1},
		{Variable: "Mixed_Case", Value: "on"},
		{Variable: strings.Repeat("v", 100)},
		{Variable: strings.Repeat("é", 100)},
		{Variable: strings.Repeat("v", 101)},
		{Variable: strings.Repeat("é", 101)},
		{Variable: "a b"}, {Variable: "a\tb"}, {Variable: "a\u00a0b"}, {Variable: "a\u3000b"},
		{Variable: "a*"}, {Variable: "a?"}, {Variable: "a!"}, {Variable: "a<"}, {Variable: "a>"},
		{Variable: "a.b"}, {Variable: "a-b"}, {Variable: "a=b"}, {Variable: "a$"}, {Variable: "a_b:c/d#e"},
		{Variable: "u", Unit: strings.Repeat("°", 25)},
		{Variable: "u", Unit: strings.Repeat("°", 26)},
		{Variable: "g", Group: strings.Repeat("é", 100)},
		{Variable: "g", Group: strings.Repeat("é", 101)},
		{Variable: "s", Value: strings.Repeat("x", 6<<10)},
		{Variable: "s", Value: strings.Repeat("x", 6<<10+1)},
		{Variable: "s", Value: strings.Repeat("é", 3<<10)},
		{Variable: "s", Value: strings.Repeat("é", 3<<10) + "x"},
		{Variable: "m", Metadata: map[string]any{"n": strings.Repeat("m", 10<<10-8)}},
		{Variable: "m", Metadata: map[string]any{"n": strings.Repeat("m", 10<<10-7)}},
		{Variable: "l", Location: &tago.Location{Lat: 90, Lng: -180}},
	} {
		body, err := json.Marshal([]tago.Data{p})
		require.NoError(t, err)
		req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/data", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Device-Token", dev.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		local := tago.ValidateData(p)
		name := truncated(string(body))
		if local == nil {
			assert.Equal(t, 200, resp.StatusCode, "the SDK sends what the fake refuses: %s: %s", name, answer)
		} else {
			assert.Equal(t, 400, resp.StatusCode, "the SDK refuses (%v) what the fake stores: %s", local, name)
		}
	}
}

// truncated shortens a long JSON body for a test message.
func truncated(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// TestFlowBadPointAnywhereSendsNothing: one bad point at index 8000 of 9000 fails the
// Send before its first request; the fake holds nothing (it used to hold the 6,487
// points of the first batch).
func TestFlowBadPointAnywhereSendsNothing(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Logger"})
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	srv.ClearRequests()
	points := make([]tago.Data, 9000)
	for i := range points {
		points[i] = tago.Data{Variable: "temperature", Value: 20 + float64(i%100)/10, Unit: "°C", Group: "run-1"}
	}
	points[8000].Variable = "temperature (C)"
	n, err := device.Data.Send(t.Context(), points...)
	require.ErrorIs(t, err, tago.ErrInvalidInput)
	assert.ErrorContains(t, err, "points[8000].variable")
	assert.Zero(t, n)
	assert.Empty(t, srv.Requests())
	assert.Empty(t, srv.Data(dev.ID))
}

// TestFlowBadInputSendsNothing: arguments the SDK rejects never reach the platform.
func TestFlowBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Pump"})
	network := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN"})
	account := accountClient(t, srv)
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	bridge, _ := flowClient(t, srv, tago.NetworkToken(network.Token))
	srv.ClearRequests()

	calls := map[string]func() error{
		"empty variable": func() error {
			_, err := device.Data.Send(ctx, tago.Data{Variable: "flow", Value: 3}, tago.Data{Variable: "", Value: 4})
			return err
		},
		"NaN value": func() error {
			_, err := device.Data.Send(ctx, tago.Data{Variable: "flow", Value: math.NaN()})
			return err
		},
		"latitude out of range": func() error {
			_, err := device.Data.Send(ctx, tago.Data{Variable: "pos", Location: &tago.Location{Lat: 91}})
			return err
		},
		"delete without a query": func() error { _, err := device.Data.Delete(ctx, nil); return err },
		"avg without a start": func() error {
			_, err := device.Data.Summarize(ctx, &tago.DataQuery{Query: tago.QueryAvg})
			return err
		},
		"malformed device ID": func() error { _, err := account.Devices.Info(ctx, "not-an-id"); return err },
		"device without a name": func() error {
			_, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{Network: tagotest.DefaultNetworkID, Connector: tagotest.DefaultConnectorID})
			return err
		},
		"unknown permission": func() error {
			_, err := account.Tokens.Create(ctx, dev.ID, tago.DeviceTokenCreateRequest{Name: "x", Permission: "admin"})
			return err
		},
		"dashboard without a label": func() error {
			_, err := account.Dashboards.Create(ctx, tago.DashboardCreateRequest{})
			return err
		},
		"serial with a slash": func() error { _, err := bridge.Networks.ResolveToken(ctx, "70B3/D57E", ""); return err },
		"negative page": func() error {
			_, err := account.Devices.List(ctx, &tago.DeviceListOptions{ListOptions: tago.ListOptions{Page: -1}})
			return err
		},
	}
	for name, call := range calls {
		require.ErrorIs(t, call(), tago.ErrInvalidInput, name)
	}
	assert.Empty(t, srv.Requests(), "bad input must send nothing")
	assert.Empty(t, srv.Data(dev.ID))
}

// An immutable device keeps its data in chunks; deletes and edits are refused.
func TestFlowImmutableDevice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	now := time.Now().UTC()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	dev, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{
		Name: "Logger", Network: tagotest.DefaultNetworkID, Connector: tagotest.DefaultConnectorID,
		Type: tago.DeviceImmutable, ChunkPeriod: tago.ChunkMonth, ChunkRetention: tago.Ptr(6),
	})
	require.NoError(t, err)
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token.Reveal()))
	_, err = device.Data.Send(ctx, tago.Data{Variable: "level", Value: 1, Time: now}, tago.Data{Variable: "level", Value: 2, Time: now})
	require.NoError(t, err)

	info, err := account.Devices.Info(ctx, dev.ID)
	require.NoError(t, err)
	assert.Equal(t, tago.DeviceImmutable, info.Type)
	assert.Equal(t, tago.ChunkMonth, info.ChunkPeriod)
	assert.Equal(t, 6, info.ChunkRetention)

	chunks, err := account.Devices.Chunks(ctx, dev.ID)
	require.NoError(t, err)
	require.Len(t, chunks, 1)
	assert.False(t, chunks[0].From.After(now))
	assert.False(t, chunks[0].To.Before(now))
	if assert.NotNil(t, chunks[0].Amount) {
		assert.Equal(t, int64(2), *chunks[0].Amount)
	}

	_, err = device.Data.Delete(ctx, &tago.DataQuery{Variables: []string{"level"}})
	require.ErrorIs(t, err, tago.ErrBadRequest)
	assert.Len(t, srv.Data(dev.ID), 2)

	require.NoError(t, account.Devices.DeleteChunk(ctx, dev.ID, chunks[0].ID))
	assert.Empty(t, srv.Data(dev.ID))
}

// Streaming several variables: the platform applies qty and skip to each variable, so
// Stream must not continue a page of several variables with one shared skip. Every
// record comes once.
func TestFlowStreamSeveralVariables(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Weather station"})
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	seedReadings(t, device)

	var got []tago.Data
	for d, err := range device.Data.Stream(ctx, &tago.DataQuery{Variables: []string{"temperature", "humidity"}, Qty: 2}) {
		require.NoError(t, err)
		got = append(got, d)
	}
	assert.Equal(t, []string{"temperature@08:00", "temperature@09:00", "temperature@10:00", "temperature@11:00", "temperature@12:00",
		"humidity@08:30", "humidity@09:30"}, describe(got), "each variable in turn, oldest first")

	// Stopping early stops at once.
	n := 0
	for _, err := range device.Data.Stream(ctx, &tago.DataQuery{Variables: []string{"temperature", "humidity"}, Qty: 2}) {
		require.NoError(t, err)
		if n++; n == 6 {
			break
		}
	}
	assert.Equal(t, 6, n)
}

// A hybrid device: only the variables its expression names can be deleted or edited.
func TestFlowHybridDevice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	dev, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{
		Name: "Tank", Network: tagotest.DefaultNetworkID, Connector: tagotest.DefaultConnectorID,
		Type: tago.DeviceHybrid, ChunkPeriod: tago.ChunkDay, ChunkRetention: tago.Ptr(3), MutableVariableRegex: "^status$",
	})
	require.NoError(t, err)
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token.Reveal()))
	_, err = device.Data.Send(ctx, tago.Data{Variable: "status", Value: "filling"}, tago.Data{Variable: "level", Value: 40})
	require.NoError(t, err)

	n, err := device.Data.Delete(ctx, &tago.DataQuery{})
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only the mutable status goes")
	held := srv.Data(dev.ID)
	require.Len(t, held, 1)
	assert.Equal(t, "level", held[0].Variable)
}

// One client shared by many goroutines, as the README promises: every reading is
// stored once, and the fake counts them all.
func TestFlowConcurrentSends(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Busy"})
	c, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))

	const workers, each = 16, 25
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, err := c.Data.Send(t.Context(), tago.Data{Variable: "counter", Value: w*each + i})
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	n, err := c.Data.Count(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, workers*each, n)
	seen := map[float64]bool{}
	for _, r := range srv.Data(dev.ID) {
		seen[r.Value.(float64)] = true
	}
	assert.Len(t, seen, workers*each)
}

// TestFlowSendCountlessSuccessIsStored: a server that stores the points and answers
// without a count (TagoCore's 202 "N items added", a bare {"status": true}) gets a
// success counting the batch, never an error inviting a resend that stores them twice.
func TestFlowSendCountlessSuccessIsStored(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, body := range []string{`{"status":true}`, `{"status":true,"result":"3 items added"}`, `{"status":true,"result":"ok"}`} {
		srv := tagotest.NewServer(t)
		dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Pump"})
		device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
		srv.Inject(tagotest.Fault{Method: "POST", Path: "/data", Status: 202, Body: body, Process: true})
		n, err := device.Data.Send(ctx, tago.Data{Variable: "a", Value: 1}, tago.Data{Variable: "b", Value: 2}, tago.Data{Variable: "c", Value: 3})
		require.NoError(t, err, body)
		assert.Equal(t, 3, n, body)
		assert.Len(t, srv.Data(dev.ID), 3, body)
	}
}

// TestFlowMarkParamReadKeepsTheOthers: marking one parameter read with an account
// token leaves every other parameter as it was.
func TestFlowMarkParamReadKeepsTheOthers(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Valve"})
	params := srv.AddParams(dev.ID, tagotest.Param{Key: "interval", Value: "60"},
		tagotest.Param{Key: "mode", Value: "eco", Sent: true}, tagotest.Param{Key: "target", Value: "21.5"})
	account := accountClient(t, srv)
	require.NoError(t, account.Devices.Data(dev.ID).MarkParamRead(t.Context(), params[2].ID))
	params[2].Sent = true
	assert.Equal(t, params, srv.Params(dev.ID))
}

// TestFlowForeignRecordNeverBreaksARead: a record another client stored (metadata that
// is an array, an object as value) is read with the rest; it used to fail every Get and
// Stream of the device with "data[0].metadata: must be an object".
func TestFlowForeignRecordNeverBreaksARead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Shared"})
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	_, err := device.Data.Send(ctx, tago.Data{Variable: "level", Value: 1, Time: at(8, 0)}, tago.Data{Variable: "level", Value: 2, Time: at(9, 0)})
	require.NoError(t, err)
	ids := srv.AddForeignData(dev.ID,
		`{"variable":"level","value":3,"metadata":[1, {"a": 2}],"time":"2025-03-10T10:00:00Z"}`,
		`{"variable":"level","value":{"raw":[4]},"time":"2025-03-10T11:00:00Z"}`)

	check := func(recs []tago.Data) {
		t.Helper()
		require.Len(t, recs, 4)
		byID := map[string]tago.Data{}
		for _, r := range recs {
			byID[r.ID] = r
		}
		assert.Equal(t, 3.0, byID[ids[0]].Value)
		assert.Nil(t, byID[ids[0]].Metadata)
		assert.JSONEq(t, `[1, {"a": 2}]`, string(byID[ids[0]].Extra["metadata"]))
		assert.Equal(t, tago.ValueJSON, byID[ids[1]].ValueKind())
		assert.JSONEq(t, `{"raw":[4]}`, string(byID[ids[1]].Value.(json.RawMessage)))
	}
	got, err := device.Data.Get(ctx, &tago.DataQuery{Variables: []string{"level"}})
	require.NoError(t, err)
	check(got)
	var streamed []tago.Data
	for d, err := range device.Data.Stream(ctx, &tago.DataQuery{Qty: 3}) {
		require.NoError(t, err)
		streamed = append(streamed, d)
	}
	check(streamed)
	assert.Equal(t, []string{"level@08:00", "level@09:00", "level@10:00", "level@11:00"}, describe(streamed))
}

// TestFlowNullValue: tago.Null stores a record without a value, and clears the value
// of a stored record in an edit, where nil leaves it as it was.
func TestFlowNullValue(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Relay"})
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	_, err := device.Data.Send(ctx, tago.Data{Variable: "state", Value: tago.Null, Unit: "on/off"}, tago.Data{Variable: "level", Value: 7})
	require.NoError(t, err)
	held := srv.Data(dev.ID)
	require.Len(t, held, 2)
	assert.Nil(t, held[0].Value)
	assert.Equal(t, "on/off", held[0].Unit)

	_, err = device.Data.Edit(ctx, tago.DataEdit{ID: held[1].ID, Unit: tago.Ptr("cm")})
	require.NoError(t, err)
	assert.Equal(t, 7.0, srv.Data(dev.ID)[1].Value, "nil leaves the value")
	_, err = device.Data.Edit(ctx, tago.DataEdit{ID: held[1].ID, Value: tago.Null})
	require.NoError(t, err)
	assert.Nil(t, srv.Data(dev.ID)[1].Value, "Null clears it")
	assert.Equal(t, "cm", srv.Data(dev.ID)[1].Unit)
}

// TestFlowRemoveDropdownValues takes an option out of a form's stored dropdown answers
// on tagotest: the answers holding it are edited in place, the others are untouched.
func TestFlowRemoveDropdownValues(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Form answers"})
	answer := func(value string, opts ...string) tagotest.Record {
		var sent []any
		for _, o := range opts {
			sent = append(sent, map[string]any{"value": o, "label": strings.ToUpper(o)})
		}
		return tagotest.Record{Variable: "sites", Value: value, Metadata: map[string]any{"sentValues": sent}}
	}
	held := srv.AddData(dev.ID, answer("north;SOUTH", "north", "south"), answer("north", "north"), tagotest.Record{Variable: "other", Value: "south"})
	c := accountClient(t, srv)

	n, err := c.Devices.Data(dev.ID).RemoveDropdownValues(ctx, []string{"sites"}, "south")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	after := map[string]tagotest.Record{}
	for _, r := range srv.Data(dev.ID) {
		after[r.ID] = r
	}
	require.Len(t, after, 3, "records are edited, never deleted")
	assert.Equal(t, "north", after[held[0].ID].Value)
	assert.Equal(t, []any{map[string]any{"value": "north", "label": "NORTH"}}, after[held[0].ID].Metadata["sentValues"])
	assert.Equal(t, held[1].Value, after[held[1].ID].Value)
	assert.Equal(t, held[1].Metadata, after[held[1].ID].Metadata)
	assert.Equal(t, "south", after[held[2].ID].Value, "another variable is left alone")
}
