package tago

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pageSource serves numbered items in pages of size, up to total items.
type pageSource struct {
	size, total int
	fetched     []int
	failAt      int // page index that fails; -1 for none
}

func (p *pageSource) fetch(_ context.Context, index int) ([]int, error) {
	p.fetched = append(p.fetched, index)
	if index == p.failAt {
		return nil, errors.New("page failed")
	}
	var items []int
	for i := index * p.size; i < min((index+1)*p.size, p.total); i++ {
		items = append(items, i)
	}
	return items, nil
}

func TestPagesStopsOnShortPage(t *testing.T) {
	t.Parallel()
	src := &pageSource{size: 3, total: 7, failAt: -1}
	var got []int
	for v, err := range pages(t.Context(), 3, src.fetch) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, got)
	assert.Equal(t, []int{0, 1, 2}, src.fetched)
}

func TestPagesStopsOnEmptyPage(t *testing.T) {
	t.Parallel()
	src := &pageSource{size: 3, total: 6, failAt: -1}
	n := 0
	for _, err := range pages(t.Context(), 3, src.fetch) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 6, n)
	assert.Equal(t, []int{0, 1, 2}, src.fetched, "a full last page needs one more request to know it was last")
}

func TestPagesEarlyBreakFetchesNoMore(t *testing.T) {
	t.Parallel()
	src := &pageSource{size: 3, total: 100, failAt: -1}
	var got []int
	for v, err := range pages(t.Context(), 3, src.fetch) {
		require.NoError(t, err)
		got = append(got, v)
		if v == 4 {
			break
		}
	}
	assert.Equal(t, []int{0, 1, 2, 3, 4}, got)
	assert.Equal(t, []int{0, 1}, src.fetched)
}

func TestPagesYieldsErrorOnce(t *testing.T) {
	t.Parallel()
	src := &pageSource{size: 2, total: 10, failAt: 1}
	var vals []int
	var errs []error
	for v, err := range pages(t.Context(), 2, src.fetch) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		vals = append(vals, v)
	}
	assert.Equal(t, []int{0, 1}, vals)
	require.Len(t, errs, 1)
	assert.EqualError(t, errs[0], "page failed")
}

func TestPagesChecksContextBetweenPages(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	src := &pageSource{size: 2, total: 10, failAt: -1}
	var errs []error
	for v, err := range pages(ctx, 2, src.fetch) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if v == 1 {
			cancel()
		}
	}
	assert.Equal(t, []int{0}, src.fetched)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
}

func TestErrSeq(t *testing.T) {
	t.Parallel()
	n := 0
	for v, err := range errSeq[string](ErrInvalidInput) {
		assert.Equal(t, "", v)
		assert.ErrorIs(t, err, ErrInvalidInput)
		n++
	}
	assert.Equal(t, 1, n)
}

// TestPagesStopsWhenServerIgnoresPaging checks that a page larger than asked for, or
// one repeating the previous page, ends the iteration with a *PagingError instead of
// yielding items twice or looping forever.
func TestPagesStopsWhenServerIgnoresPaging(t *testing.T) {
	t.Parallel()
	collect := func(fetch func(context.Context, int) ([]int, error)) ([]int, int, error) {
		var got []int
		calls := 0
		for v, err := range pages(t.Context(), 3, func(ctx context.Context, i int) ([]int, error) {
			calls++
			if calls > 100 {
				t.Fatal("the iterator loops")
			}
			return fetch(ctx, i)
		}) {
			if err != nil {
				return got, calls, err
			}
			got = append(got, v)
		}
		return got, calls, nil
	}

	// Every item on every page, more than a page holds (TagoCore's token lists).
	got, calls, err := collect(func(context.Context, int) ([]int, error) { return []int{1, 2, 3, 4, 5}, nil })
	assert.Empty(t, got, "the oversized page is not yielded")
	assert.Equal(t, &PagingError{Page: 0, Size: 3, Got: 5}, err)
	assert.EqualError(t, err, "tago: the server ignored paging: page 1 holds 5 items, more than the 3 asked for")
	assert.Equal(t, 1, calls)

	// Exactly a page of items, on every page.
	got, calls, err = collect(func(context.Context, int) ([]int, error) { return []int{1, 2, 3}, nil })
	assert.Equal(t, []int{1, 2, 3}, got, "the first page is yielded once")
	assert.Equal(t, &PagingError{Page: 1, Size: 3, Got: 3, Repeated: true}, err)
	assert.EqualError(t, err, "tago: the server ignored paging: page 2 repeats page 1 (3 items)")
	assert.Equal(t, 2, calls)

	// A repetition later on, and a page that only starts like the previous one.
	got, _, err = collect(func(_ context.Context, i int) ([]int, error) {
		switch i {
		case 0:
			return []int{1, 2, 3}, nil
		case 1:
			return []int{1, 5, 6}, nil
		}
		return []int{1, 5, 6}, nil
	})
	assert.Equal(t, []int{1, 2, 3, 1, 5, 6}, got)
	var pe *PagingError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 2, pe.Page)

	// A server that ignores paging but holds less than a page is read correctly.
	got, calls, err = collect(func(context.Context, int) ([]int, error) { return []int{1, 2}, nil })
	assert.NoError(t, err)
	assert.Equal(t, []int{1, 2}, got)
	assert.Equal(t, 1, calls)
}
