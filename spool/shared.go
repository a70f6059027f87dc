package spool

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-tago/tago"
)

// The building blocks below are what a [Queue] kept elsewhere than in a file needs to
// give the same guarantees (the jetspool package uses them): the same target names,
// the same point format, the same look on the platform.

// CheckTarget returns an error matching [tago.ErrInvalidInput] when target is not a
// valid target name: 1 to 200 bytes of UTF-8 without control characters, and not
// shaped like a token (targets are stored and logged in clear).
func CheckTarget(target string) error { return checkTarget(target) }

// MarshalPoints checks points exactly as [Spool.Enqueue] does ([tago.ValidateData])
// and encodes them in the spool's point format, giving a point without Time the time
// now. UnmarshalPoints reads them back as Send receives them.
func MarshalPoints(points []tago.Data, now time.Time) ([]byte, error) {
	if err := tago.ValidateData(points...); err != nil {
		return nil, err
	}
	var out []byte
	for i := range points {
		rec, err := encodePoint(&points[i], now)
		if err != nil {
			return nil, &tago.InputError{Field: fmt.Sprintf("points[%d]", i), Reason: err.Error()}
		}
		out = binary.AppendUvarint(out, uint64(len(rec)))
		out = append(out, rec...)
	}
	return out, nil
}

// UnmarshalPoints decodes what MarshalPoints encoded. size bounds the points' size in
// a request body, to keep batches under the platform's limit. A damaged encoding fails.
func UnmarshalPoints(b []byte) (points []tago.Data, size int, err error) {
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) || n < pointHeader {
			return nil, 0, errors.New("spool: points damaged")
		}
		rec := b[k : k+int(n)]
		p, err := decodePoint(rec)
		if err != nil {
			return nil, 0, fmt.Errorf("spool: %w", err)
		}
		points = append(points, p)
		size += wireSize(rec)
		b = b[k+int(n):]
	}
	return points, size, nil
}

// MaxBatchBytes is the most request-body bytes (as UnmarshalPoints counts them) a
// batch should hold: under the platform's 200 kB limit, with a margin.
const MaxBatchBytes = maxBatchBody

// WithGroup returns a copy of points in which those without Group or Serie carry
// group: the batch's identity on the platform.
func WithGroup(points []tago.Data, group string) []tago.Data {
	out := make([]tago.Data, len(points))
	for i, p := range points {
		if p.Group == "" && p.Serie == "" {
			p.Group = group
		}
		out[i] = p
	}
	return out
}

// Lookup reports, for each point of a batch sent under group (see WithGroup) with an
// unknown outcome, whether the platform holds it. It counts the device's records of
// the batch's groups within its time range (one request); when that does not settle
// it, it reads them and matches each point by group, variable and time to the
// millisecond, each record matching one point.
//
// TagoIO API: GET /data?query=count, GET /data (device token); the same under
// /device/{id}/data (account token)
func Lookup(ctx context.Context, ds *tago.DataService, group string, points []tago.Data) ([]bool, error) {
	stored := make([]bool, len(points))
	if len(points) == 0 {
		return stored, nil
	}
	var groups []string
	seen := map[string]bool{}
	own := true // every point carries the batch's group
	lo, hi := points[0].Time, points[0].Time
	for _, p := range points {
		g := pointGroup(p, group)
		own = own && g == group
		if !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
		lo, hi = minTime(lo, p.Time), maxTime(hi, p.Time)
	}
	q := &tago.DataQuery{Groups: groups, StartDate: lo.Truncate(time.Millisecond).Add(-time.Millisecond), EndDate: hi.Add(time.Millisecond)}
	n, err := ds.Count(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case n == 0:
		return stored, nil
	case own && n == len(points):
		for i := range stored {
			stored[i] = true
		}
		return stored, nil
	}
	return match(ctx, ds, q, points, group)
}

// match reads the records q selects and reports, for each point, whether the platform
// holds it: a record of the same group, variable and time (to the millisecond), each
// record matching one point.
func match(ctx context.Context, ds *tago.DataService, q *tago.DataQuery, pts []tago.Data, group string) ([]bool, error) {
	type key struct {
		group, variable string
		ms              int64
	}
	held := map[key]int{}
	sq := *q
	sq.Qty = 1000
	for d, err := range ds.Stream(ctx, &sq) {
		if err != nil {
			return nil, err
		}
		g := d.Group
		if g == "" {
			g = d.Serie
		}
		held[key{g, strings.ToLower(d.Variable), d.Time.UnixMilli()}]++
	}
	stored := make([]bool, len(pts))
	for i, p := range pts {
		k := key{pointGroup(p, group), strings.ToLower(p.Variable), p.Time.UnixMilli()}
		if held[k] > 0 {
			held[k]--
			stored[i] = true
		}
	}
	return stored, nil
}

// pointGroup returns the group a point is sent with.
func pointGroup(p tago.Data, batch string) string {
	switch {
	case p.Group != "":
		return p.Group
	case p.Serie != "":
		return p.Serie
	}
	return batch
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
