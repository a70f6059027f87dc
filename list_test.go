package tago

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listServer answers GET path with total items {"id": "<index>"}, honouring page and
// amount but serving at most limit per page (a server's undocumented cap), or, with
// ignorePaging, every item on every page (TagoCore's token lists).
type listServer struct {
	total, limit int
	ignorePaging bool
	rec          capture
}

func (s *listServer) register(mt *httpmock.MockTransport, path string) {
	mt.RegisterResponder("GET", testBaseURL+path, func(r *http.Request) (*http.Response, error) {
		s.rec.record(r)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		amount, _ := strconv.Atoi(r.URL.Query().Get("amount"))
		amount = min(amount, s.limit)
		from, to := (page-1)*amount, page*amount
		if s.ignorePaging {
			from, to = 0, s.total
		}
		var b strings.Builder
		b.WriteString(`{"status":true,"result":[`)
		for i := from; i < min(to, s.total); i++ {
			if i > from {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"%024x","name":"d%d"}`, i, i)
		}
		b.WriteString("]}")
		return httpmock.NewStringResponse(200, b.String()), nil
	})
}

// TestAllNeverEndsEarly checks that All yields every item when the caller asks for
// pages larger than a server serves: it asks for pages of at most maxPageAmount.
func TestAllNeverEndsEarly(t *testing.T) {
	t.Parallel()
	c, mt := accountClient(t)
	srv := &listServer{total: 25_000, limit: 10_000}
	srv.register(mt, "/device")
	var got []string
	for d, err := range c.Devices.All(t.Context(), &DeviceListOptions{ListOptions: ListOptions{Amount: 20_000}}) {
		require.NoError(t, err)
		got = append(got, d.ID)
	}
	require.Len(t, got, 25_000)
	for i, id := range got {
		require.Equal(t, fmt.Sprintf("%024x", i), id)
	}
	reqs := srv.rec.all()
	require.Len(t, reqs, 26, "25 full pages of 1000, then an empty one")
	for i, r := range reqs {
		assert.Contains(t, r.Query, fmt.Sprintf("page=%d&amount=1000&", i+1))
	}
}

// TestAllStartPageWithLargePages checks that a start page counts pages of the size
// asked for, also when All sends smaller ones.
func TestAllStartPageWithLargePages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		page, amount, first, requests int
	}{
		{page: 2, amount: 2500, first: 2500, requests: 4}, // pages 3-5 of 1000 (the first from item 500 on), then an empty one
		{page: 3, amount: 2000, first: 4000, requests: 2}, // page 5 of 1000, then an empty one
		{page: 3, amount: 20, first: 40, requests: 249},
	} {
		c, mt := accountClient(t)
		srv := &listServer{total: 5_000, limit: 10_000}
		srv.register(mt, "/device")
		var got []string
		for d, err := range c.Devices.All(t.Context(), &DeviceListOptions{ListOptions: ListOptions{Page: tc.page, Amount: tc.amount}}) {
			require.NoError(t, err)
			got = append(got, d.ID)
		}
		require.Len(t, got, 5_000-tc.first, "page %d of %d", tc.page, tc.amount)
		assert.Equal(t, fmt.Sprintf("%024x", tc.first), got[0])
		assert.Equal(t, fmt.Sprintf("%024x", 4999), got[len(got)-1])
		assert.Equal(t, tc.requests, srv.rec.count())
	}
}

// TestAllStopsWhenServerIgnoresPaging checks that every All ends with a *PagingError,
// never looping, when the server returns every item on every page: as soon as a page
// is larger than asked, or when a full page comes back again.
func TestAllStopsWhenServerIgnoresPaging(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		total, want int
		err         *PagingError
	}{
		{total: 25, want: 0, err: &PagingError{Page: 0, Size: 20, Got: 25}},
		{total: 20, want: 20, err: &PagingError{Page: 1, Size: 20, Got: 20, Repeated: true}},
		{total: 7, want: 7},
	} {
		c, mt := accountClient(t)
		srv := &listServer{total: tc.total, limit: 10_000, ignorePaging: true}
		srv.register(mt, "/device/token/"+testDeviceID)
		n, err := countAll(c.Tokens.All(t.Context(), testDeviceID, nil))
		assert.Equal(t, tc.want, n)
		if tc.err == nil {
			assert.NoError(t, err)
			continue
		}
		var pe *PagingError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, tc.err, pe)
		assert.LessOrEqual(t, srv.rec.count(), 2)
	}
}

// TestStreamStopsWhenServerIgnoresSkip checks the data page loop: a server that
// ignores skip answers the first page again, and Stream stops with a *PagingError.
func TestStreamStopsWhenServerIgnoresSkip(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	body := append(append([]byte(`{"status":true,"result":[`), appendRecords(nil, 0, 3)...), "]}"...)
	rec := expect(mt, "GET", "/data", 200, string(body))
	n, err := countAll(c.Data.Stream(t.Context(), &DataQuery{Qty: 3}))
	assert.Equal(t, 3, n)
	var pe *PagingError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Repeated)
	assert.Equal(t, 2, rec.count())

	// A page larger than asked for.
	c, mt = deviceClient(t)
	expect(mt, "GET", "/data", 200, string(body))
	n, err = countAll(c.Data.Stream(context.Background(), &DataQuery{Qty: 2, Variables: []string{"temperature"}}))
	assert.Zero(t, n)
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, &PagingError{Size: 2, Got: 3}, pe)
}

// TestDeleteByIDsSendsQty checks that a delete (or a read) naming records by ID asks
// for all of them: the platform's default qty of 15 would silently leave the rest.
func TestDeleteByIDsSendsQty(t *testing.T) {
	t.Parallel()
	ids := make([]string, 20)
	var want strings.Builder
	for i := range ids {
		ids[i] = fmt.Sprintf("%024x", i)
		fmt.Fprintf(&want, "ids[%d]=%s&", i, ids[i])
	}
	want.WriteString("qty=20")
	c, mt := deviceClient(t)
	del := expect(mt, "DELETE", "/data", 200, `{"status":true,"result":"20 Data Removed"}`)
	get := expect(mt, "GET", "/data", 200, `{"status":true,"result":[]}`)
	n, err := c.Data.Delete(t.Context(), &DataQuery{IDs: ids})
	require.NoError(t, err)
	assert.Equal(t, 20, n)
	assert.Equal(t, want.String(), del.last(t).Query)
	_, err = c.Data.Get(t.Context(), &DataQuery{IDs: ids})
	require.NoError(t, err)
	assert.Equal(t, want.String(), get.last(t).Query)

	// More than one request can name, or a qty above the most any server answers.
	many := make([]string, maxQty+1)
	for i := range many {
		many[i] = ids[0]
	}
	_, err = c.Data.Delete(t.Context(), &DataQuery{IDs: many})
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, "ids: at most 10000 records")
	_, err = c.Data.Get(t.Context(), &DataQuery{Qty: maxQty + 1})
	assert.ErrorContains(t, err, "qty: at most 10000 records")
	assert.Equal(t, 2, mt.GetTotalCallCount())
}
