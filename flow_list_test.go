package tago_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlowAllNeverEndsEarly: the fake serves at most 10,000 items a page, so an All
// asking for pages of 20,000 used to stop after the first, short, page. It asks for
// pages the platform is known to serve and yields every token.
func TestFlowAllNeverEndsEarly(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Gateway"})
	const extra = 10_050
	for i := range extra {
		srv.AddDeviceToken(dev.ID, tagotest.TokenSpec{Name: fmt.Sprintf("t%05d", i)})
	}
	account := accountClient(t, srv)
	seen := map[string]bool{}
	for tok, err := range account.Tokens.All(t.Context(), dev.ID, &tago.TokenListOptions{ListOptions: tago.ListOptions{Amount: 20_000}}) {
		require.NoError(t, err)
		require.False(t, seen[tok.Name], "token %s twice", tok.Name)
		seen[tok.Name] = true
	}
	assert.Len(t, seen, extra+1)
	for _, r := range requestsTo(srv, "GET", "/device/token/"+dev.ID) {
		assert.Equal(t, "1000", r.Query.Get("amount"))
	}
}

// TestFlowAllStopsWhenServerIgnoresPaging: a server answering every page with every
// token (as TagoCore's token list does) ends Tokens.All with a *tago.PagingError
// instead of an endless loop.
func TestFlowAllStopsWhenServerIgnoresPaging(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Gateway"})
	account := accountClient(t, srv)
	var items []string
	for i := range 20 {
		items = append(items, fmt.Sprintf(`{"name":"t%d","token":"%08d-0000-4000-8000-000000000000","permission":"full"}`, i, i))
	}
	srv.Inject(tagotest.Fault{Method: "GET", Path: "/device/token/*", Times: -1, Status: 200,
		Body: `{"status":true,"result":[` + strings.Join(items, ",") + `]}`})

	n := 0
	var err error
	for _, e := range account.Tokens.All(t.Context(), dev.ID, nil) {
		if err = e; err != nil {
			break
		}
		if n++; n > 1000 {
			t.Fatal("Tokens.All loops on a server that ignores paging")
		}
	}
	var pe *tago.PagingError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Repeated)
	assert.Equal(t, 20, n, "the first page, once")
	assert.Len(t, requestsTo(srv, "GET", "/device/token/"+dev.ID), 2)
}

// TestFlowIDsSelectAll: a delete or a read naming 20 records by ID acts on all 20; the
// platform's default qty of 15 used to leave 5 of them (and the fake follows it).
func TestFlowIDsSelectAll(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Meter"})
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	recs := make([]tagotest.Record, 30)
	for i := range recs {
		recs[i] = tagotest.Record{Variable: "level", Value: i}
	}
	stored := srv.AddData(dev.ID, recs...)
	var ids []string
	for _, r := range stored[:20] {
		ids = append(ids, r.ID)
	}

	got, err := device.Data.Get(ctx, &tago.DataQuery{IDs: ids})
	require.NoError(t, err)
	assert.Len(t, got, 20)

	n, err := device.Data.Delete(ctx, &tago.DataQuery{IDs: ids})
	require.NoError(t, err)
	assert.Equal(t, 20, n)
	assert.Len(t, srv.Data(dev.ID), 10)
	for _, r := range srv.Data(dev.ID) {
		assert.NotContains(t, ids, r.ID)
	}
}
