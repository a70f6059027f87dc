package tago

import (
	"context"
	"fmt"
	"iter"
	"reflect"
)

// PagingError reports a listing the server did not page as asked: a page holding more
// items than the page size asked for, or the same items as the page before it (a
// server ignoring page, skip or amount, such as TagoCore's token lists, which return
// every token on every page), or, in a listing paged by token, a next-page token the
// server named before. Going on would yield items twice or loop forever, so the
// iterator stops with this error, without yielding the faulty page (a page naming a
// repeated token is yielded: its items were new).
//
// A listing whose projection holds no unique field (Fields naming only "name", say)
// can in principle show two identical full pages in a row; include "id" in Fields to
// tell such pages apart.
type PagingError struct {
	// Page is the zero-based index of the faulty page among those the iterator loaded.
	Page int
	// Size is the page size the iterator asked for.
	Size int
	// Got is how many items the page held.
	Got int
	// Repeated reports that the page repeated the previous one.
	Repeated bool
	// RepeatedToken reports that the page named as the next one a page token the
	// server had named before (listings paged by token, such as files).
	RepeatedToken bool
}

// Error returns "tago: the server ignored paging: ...".
func (e *PagingError) Error() string {
	if e.RepeatedToken {
		return fmt.Sprintf("tago: the server ignored paging: page %d names as the next page a token it named before", e.Page+1)
	}
	if e.Repeated {
		return fmt.Sprintf("tago: the server ignored paging: page %d repeats page %d (%d items)", e.Page+1, e.Page, e.Got)
	}
	return fmt.Sprintf("tago: the server ignored paging: page %d holds %d items, more than the %d asked for", e.Page+1, e.Got, e.Size)
}

// pages returns an iterator over every item of a paged listing. fetch receives the
// zero-based index of the page to load; size is the page size it asks the platform for.
// A page with fewer than size items (or none) is the last. A page with more than size
// items, or the same items as the full page before it, ends the iteration with a
// *PagingError. The iterator is lazy: it loads a page only when the caller ranges past
// the previous one, checks ctx between pages, yields (zero, err) once on failure, and
// never calls yield after it returned false. At most two pages are held in memory at a
// time (the previous one, to recognise a repetition).
func pages[T any](ctx context.Context, size int, fetch func(ctx context.Context, index int) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		var prev []T
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
			if pe := checkPage(index, size, prev, items); pe != nil {
				yield(zero, pe)
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
			prev = items
		}
	}
}

// checkPage returns the *PagingError of page index when it holds more items than size
// or repeats the page before it (prev), else nil.
func checkPage[T any](index, size int, prev, items []T) *PagingError {
	if size > 0 && len(items) > size {
		return &PagingError{Page: index, Size: size, Got: len(items)}
	}
	if samePage(prev, items) {
		return &PagingError{Page: index, Size: size, Got: len(items), Repeated: true}
	}
	return nil
}

// samePage reports whether two non-empty pages hold equal items. Pages of a listing
// that advances differ from their first item on, so the common case costs one
// comparison.
func samePage[T any](prev, items []T) bool {
	if len(prev) == 0 || len(prev) != len(items) || !reflect.DeepEqual(prev[0], items[0]) {
		return false
	}
	return reflect.DeepEqual(prev, items)
}

// errSeq returns an iterator that yields err once; services use it for arguments
// rejected before any request.
func errSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// cursorPages returns an iterator over every item of a listing paged by an opaque
// token: fetch loads the page that token names ("" for the first) and returns its items
// and the next page's token, "" after the last page; size is the page size asked for.
// Like pages it is lazy, checks ctx between pages, yields (zero, err) once on failure
// and never calls yield after it returned false. It also refuses to loop on a server
// that ignores paging: a page larger than size, a page with the same items as the one
// before (two empty pages included), or a token it was given before ends the iteration
// with a *PagingError instead of fetching the same pages forever. At most two pages are
// held at a time, plus the tokens seen so far.
func cursorPages[T any](ctx context.Context, size int, first string, fetch func(ctx context.Context, token string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := map[string]bool{}
		if first != "" {
			seen[first] = true
		}
		var prev []T
		token := first
		for index := 0; ; index++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, next, err := fetch(ctx, token)
			if err != nil {
				yield(zero, err)
				return
			}
			pe := checkPage(index, size, prev, items)
			if pe == nil && index > 0 && len(prev) == 0 && len(items) == 0 {
				pe = &PagingError{Page: index, Size: size, Repeated: true} // two empty pages
			}
			if pe != nil {
				yield(zero, pe)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if seen[next] {
				yield(zero, &PagingError{Page: index, Size: size, Got: len(items), RepeatedToken: true})
				return
			}
			seen[next] = true
			prev, token = items, next
		}
	}
}
