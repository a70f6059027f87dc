package tago

import (
	"context"
	"fmt"
	"iter"
	"strings"
)

// ListOptions holds the paging, projection and ordering parameters every list method
// takes. The zero value asks for the first page with the platform's defaults.
type ListOptions struct {
	// Page is the 1-based page to fetch; 0 means 1. All methods start from it.
	Page int
	// Amount is the page size; 0 means 20. All methods ask for at most 1000 items a
	// page, the most the platform is known to serve, and still yield every item.
	Amount int
	// Fields names the fields the platform should return; nil means the resource's
	// default set, named in each list method's comment.
	Fields []string
	// OrderBy sorts the listing; the zero value means the resource's default order.
	OrderBy Order
}

// defaultAmount is the page size the platform and the official SDKs use by default.
const defaultAmount = 20

// Order sorts a listing by one field, ascending or descending. Build it with [Asc] or
// [Desc].
type Order struct {
	// Field is the field to sort by, such as "name" or "created_at".
	Field string
	// Descending sorts from the largest value to the smallest.
	Descending bool
}

// Asc returns an ascending order by field.
func Asc(field string) Order { return Order{Field: field} }

// Desc returns a descending order by field.
func Desc(field string) Order { return Order{Field: field, Descending: true} }

// listDefaults are a resource's default fields and order.
type listDefaults struct {
	fields []string
	order  Order
}

// check validates the options before any request.
func (o *ListOptions) check() error {
	if o.Page < 0 {
		return invalidf("page", "must not be negative, got %d", o.Page)
	}
	if o.Amount < 0 {
		return invalidf("amount", "must not be negative, got %d", o.Amount)
	}
	for i, f := range o.Fields {
		if strings.TrimSpace(f) == "" {
			return invalidf(fmt.Sprintf("fields[%d]", i), "must not be empty")
		}
	}
	if o.OrderBy.Field == "" && o.OrderBy.Descending {
		return invalidf("order by", "descending order needs a field")
	}
	if strings.ContainsAny(o.OrderBy.Field, ", ") {
		return invalidf("order by", "field %q must be one field name", o.OrderBy.Field)
	}
	return nil
}

// listQuery builds a list query the way every list of the platform takes it: page,
// amount, fields, then the resource's filters (written by filters, which may be nil),
// then orderBy. opts may be nil; it is never modified.
func listQuery(opts *ListOptions, def listDefaults, filters func(q *query)) (*query, error) {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	q := &query{}
	q.addInt("page", max(o.Page, 1))
	if o.Amount == 0 {
		o.Amount = defaultAmount
	}
	q.addInt("amount", o.Amount)
	if len(o.Fields) == 0 {
		o.Fields = def.fields
	}
	q.addList("fields", o.Fields)
	if filters != nil {
		filters(q)
	}
	if o.OrderBy.Field == "" {
		o.OrderBy = def.order
	}
	q.addOrder("orderBy", o.OrderBy.Field, o.OrderBy.Descending)
	return q, nil
}

// maxPageAmount is the largest page an All asks for: the most the official SDKs ask the
// platform for in one page (the JS SDK's device list streaming caps its pages at 1000),
// so the most it is known to serve. The platform's own cap is undocumented; a server
// serving fewer items than asked would end a listing early, since a short page is the
// last.
const maxPageAmount = 1000

// allPages returns an iterator over every item of a listing, from opts' page on. list
// fetches the page its ListOptions name; the iterator stops after a page shorter than
// the page size, when the caller stops ranging, or at the first error. Pages are
// opts.Amount items (default 20), at most maxPageAmount: an All asking for more still
// yields every item, in pages of maxPageAmount. A server ignoring paging (a page larger
// than asked, or repeating the one before) ends the iteration with a *PagingError.
func allPages[T any](ctx context.Context, opts ListOptions, list func(ctx context.Context, page ListOptions) ([]T, error)) iter.Seq2[T, error] {
	if ctx == nil {
		return errSeq[T](invalidf("context", "must not be nil"))
	}
	if err := opts.check(); err != nil {
		return errSeq[T](err)
	}
	if opts.Amount == 0 {
		opts.Amount = defaultAmount
	}
	// Page numbers count pages of the size asked for: the listing starts at item
	// (Page-1)*Amount, which pages of the size sent reach at the page below, less the
	// items before it on that page.
	size := min(opts.Amount, maxPageAmount)
	start := (max(opts.Page, 1) - 1) * opts.Amount
	first, drop := start/size+1, start%size
	seq := pages(ctx, size, func(ctx context.Context, index int) ([]T, error) {
		page := opts
		page.Page, page.Amount = first+index, size
		return list(ctx, page)
	})
	if drop == 0 {
		return seq
	}
	return func(yield func(T, error) bool) {
		n := 0
		for it, err := range seq {
			if err == nil && n < drop {
				n++
				continue
			}
			if !yield(it, err) {
				return
			}
		}
	}
}
