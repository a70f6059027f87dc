package tago

import (
	"context"
	"iter"
)

// pages returns an iterator over every item of a paged listing. fetch receives the
// zero-based index of the page to load; size is the page size it asks the platform for.
// A page with fewer than size items (or none) is the last. The iterator is lazy: it
// loads a page only when the caller ranges past the previous one, checks ctx between
// pages, yields (zero, err) once on failure, and never calls yield after it returned
// false. Only one page is held in memory at a time.
func pages[T any](ctx context.Context, size int, fetch func(ctx context.Context, index int) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for index := 0; ; index++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, err := fetch(ctx, index)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if len(items) < size || size <= 0 {
				return
			}
		}
	}
}

// errSeq returns an iterator that yields err once; services use it for arguments
// rejected before any request.
func errSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
