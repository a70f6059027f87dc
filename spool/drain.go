package spool

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-tago/tago"
	bolt "go.etcd.io/bbolt"
)

// Route returns the data service a target's points are sent with: client.Data for a
// client holding the device's token, or account.Devices.Data(deviceID) for a client
// holding an account token. Run calls it before every request, so it may resolve
// tokens lazily; an error counts as a failed attempt and is retried with backoff.
type Route func(ctx context.Context, target string) (*tago.DataService, error)

// Routes returns a Route that finds each target in m. A target missing from m is
// kept and retried with backoff.
func Routes(m map[string]*tago.DataService) Route {
	return func(_ context.Context, target string) (*tago.DataService, error) {
		if ds := m[target]; ds != nil {
			return ds, nil
		}
		return nil, fmt.Errorf("spool: no route for target %q", target)
	}
}

// Run delivers the spool's points until ctx ends (it then returns ctx's error) or the
// spool is closed ([ErrClosed]). Each target's points are sent in the order they were
// enqueued, in batches of at most MaxBatch points and under the platform's request
// size limit, one request per batch, with up to Concurrency requests at once for
// different targets. Failures are retried with backoff; a rate limit is waited out
// for as long as the platform says; a batch whose outcome is unknown is looked up on
// the platform before it is sent again. See the package documentation for the
// guarantees.
func (s *Spool) Run(ctx context.Context, route Route) error { return s.run(ctx, route, false) }

// Drain is Run that returns nil as soon as the spool is empty: every point delivered
// (or rejected by the platform). It keeps retrying failures until then, or until ctx
// ends.
func (s *Spool) Drain(ctx context.Context, route Route) error { return s.run(ctx, route, true) }

func (s *Spool) run(ctx context.Context, route Route, untilEmpty bool) error {
	if route == nil {
		return &tago.InputError{Field: "route", Reason: "must not be nil"}
	}
	s.closeMu.RLock()
	closed := s.closed
	s.closeMu.RUnlock()
	if closed {
		return ErrClosed
	}
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return ErrRunning
	}
	s.running = true
	var pending []string
	for name := range s.targets {
		pending = append(pending, name)
	}
	clear(s.kicked)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
	}()

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, s.opts.Concurrency)
	finished := make(chan string)
	active := map[string]bool{}
	var wg sync.WaitGroup
	start := func(target string) {
		active[target] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{s: s, target: target, route: route, sem: sem, known: map[uint64][]tago.Data{}}
			w.run(wctx)
			select {
			case finished <- target:
			case <-wctx.Done():
			}
		}()
	}
	for _, t := range pending {
		start(t)
	}
	stop := func(err error) error {
		cancel()
		wg.Wait()
		return err
	}
	for {
		if untilEmpty && len(active) == 0 && s.empty() {
			return stop(nil)
		}
		select {
		case <-ctx.Done():
			return stop(ctx.Err())
		case <-s.stopped:
			return stop(ErrClosed)
		case <-s.kickc:
			s.mu.Lock()
			var kicked []string
			for t := range s.kicked {
				kicked = append(kicked, t)
			}
			clear(s.kicked)
			s.mu.Unlock()
			for _, t := range kicked {
				if !active[t] {
					start(t)
				}
			}
		case t := <-finished:
			delete(active, t)
			if s.hasWork(t) {
				start(t)
			}
		}
	}
}

// empty reports whether the spool holds no point.
func (s *Spool) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.points == 0
}

// hasWork reports whether target holds points.
func (s *Spool) hasWork(target string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.targets[target]
	return t != nil && (t.points > 0 || len(t.batches) > 0)
}

// worker delivers one target's points, one request at a time.
type worker struct {
	s      *Spool
	target string
	route  Route
	sem    chan struct{}
	// known holds the batches this worker recorded that were certainly not stored
	// (not sent yet, or refused), with their points. Any other recorded batch may
	// have been stored: it is looked up before it is sent.
	known    map[uint64][]tago.Data
	failures int
	limit    int // points per batch; halved after a refusal, to find a bad point
}

// snapshot copies the target's batches and point count.
func (w *worker) snapshot() (points int, batches []batchRec) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	t := w.s.targets[w.target]
	if t == nil {
		return 0, nil
	}
	return t.points, append([]batchRec(nil), t.batches...)
}

// run delivers until the target is empty or ctx ends.
func (w *worker) run(ctx context.Context) {
	w.limit = w.s.opts.MaxBatch
	stale := 0
	for ctx.Err() == nil {
		points, batches := w.snapshot()
		if points == 0 && len(batches) == 0 {
			return
		}
		var err error
		switch {
		case len(batches) == 0:
			var recs []batchRec
			var pts [][]tago.Data
			recs, pts, err = w.prepare(0, 1, w.limit, nil)
			for i, r := range recs {
				w.known[r.seq] = pts[i]
			}
		case w.known[batches[0].seq] == nil:
			err = w.look(ctx, batches[0])
		default:
			err = w.send(ctx, batches[0], len(batches) == 1)
		}
		if errors.Is(err, ErrClosed) {
			return
		}
		// A stale batch (DropOldest removed a point while it was formed) is formed
		// again at once; one that stays stale is a bug, and must not spin.
		if errors.Is(err, errStale) {
			stale++
		} else {
			stale = 0
		}
		if err != nil && (stale == 0 || stale > 3) {
			w.s.log.Error("spool: delivery stopped", slog.String("target", w.target), errAttr(err))
			w.wait(ctx, err, 0)
		}
	}
}

// group returns the platform group of batch seq.
func (w *worker) group(seq uint64) string {
	return "sp" + w.s.id + "-" + strconv.FormatUint(seq, 36)
}

// read decodes the points with keys after..., at most limit of them and within the
// request size limit, or the points first..last when last is set. bad lists points
// that cannot be decoded (damaged in the file).
func (w *worker) read(after, last uint64, limit int) (keys []uint64, pts []tago.Data, bad []uint64, err error) {
	err = w.s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketTargets).Get([]byte(w.target))
		if len(id) != tidLen {
			return nil
		}
		c := view{tx.Bucket(bucketQueue), binary.BigEndian.Uint32(id)}.cursor()
		size := 2
		if last == 0 {
			n, _ := w.snapshot()
			keys, pts = make([]uint64, 0, min(limit, n)), make([]tago.Data, 0, min(limit, n))
		}
		for seq, v, ok := c.seek(after); ok; seq, v, ok = c.next() {
			if last > 0 && seq > last {
				break
			}
			if last == 0 && (len(keys) >= limit || len(keys) > 0 && size+wireSize(v) > maxBatchBody) {
				break
			}
			p, err := decodePoint(v)
			if err != nil {
				bad = append(bad, seq)
				continue
			}
			size += wireSize(v)
			keys = append(keys, seq)
			pts = append(pts, p)
		}
		return nil
	})
	return keys, pts, bad, err
}

// send sends recorded batch b, which is certainly not stored, and the batches after
// it, one request at a time. While requests are in flight the next batches are
// recorded, and the sent ones removed, in one commit every few batches, so that the
// file's syncs overlap the requests instead of holding them back; still, a batch is
// recorded before it is sent and removed only after the platform accepted it. last
// says b is the target's last recorded batch.
func (w *worker) send(ctx context.Context, b batchRec, last bool) (err error) {
	type prepared struct {
		recs []batchRec
		pts  [][]tago.Data
		err  error
	}
	var (
		queue    = []batchRec{b}
		sent     []batchRec // delivered, not removed yet
		inFlight []batchRec // delivered, being removed by the prepare in flight
		next     chan prepared
	)
	absorb := func(p prepared) {
		next = nil
		if p.err != nil {
			sent = append(inFlight, sent...) // not removed: remove them later
		} else {
			for _, sb := range inFlight {
				delete(w.known, sb.seq)
			}
		}
		inFlight = nil
		for i, r := range p.recs {
			w.known[r.seq] = p.pts[i]
		}
		queue = append(queue, p.recs...)
	}
	defer func() {
		if next != nil {
			absorb(<-next)
		}
		if len(sent) > 0 {
			// Remove what was delivered. A removal that fails (the spool closing)
			// leaves the batches in doubt: the next Run looks them up and finds them.
			var n int
			for _, sb := range sent {
				n += sb.n
			}
			if e := w.s.submit(&op{kind: opSettle, target: w.target, sent: sent, delta: Stats{Sent: uint64(n)}}); e == nil {
				for _, sb := range sent {
					delete(w.known, sb.seq)
				}
			}
		}
	}()
	for len(queue) > 0 || next != nil {
		if len(queue) == 0 {
			absorb(<-next)
			continue
		}
		b := queue[0]
		if next == nil && last && len(queue) <= lookahead/2 {
			after := queue[len(queue)-1].last
			inFlight, sent = sent, nil
			next = make(chan prepared, 1)
			go func(drop []batchRec, limit int) {
				recs, pts, err := w.prepare(after, lookahead, limit, drop)
				next <- prepared{recs, pts, err}
			}(inFlight, w.limit)
		}
		pts := w.known[b.seq]
		group := w.group(b.seq)
		for i := range pts { // the batch's points are the worker's own: no copy
			if pts[i].Group == "" && pts[i].Serie == "" {
				pts[i].Group = group
			}
		}
		ds, err := w.service(ctx)
		if err == nil {
			w.s.hookf("sending")
			err = w.acquire(ctx, func() error { _, err := ds.Send(ctx, pts...); return err })
		}
		if err != nil {
			if next != nil {
				absorb(<-next)
			}
			if ctx.Err() != nil && !tago.MayBeStored(err) {
				return nil
			}
			return w.failed(ctx, b, pts, err)
		}
		w.s.hookf("sent")
		w.succeeded()
		w.limit = min(w.limit*2, w.s.opts.MaxBatch)
		sent = append(sent, b)
		queue = queue[1:]
		if ctx.Err() != nil {
			return nil
		}
		if next != nil {
			select {
			case p := <-next:
				absorb(p)
			default:
			}
		}
	}
	return nil
}

// lookahead is how many batches one commit records ahead of the requests.
const lookahead = 8

// prepare records up to n batches after point after (0: from the head) and removes
// the delivered batches sent, in one commit, and returns the new batches with their
// points; none when there is nothing to send. Points that cannot be decoded (damaged
// in the file) are removed and counted as rejected.
func (w *worker) prepare(after uint64, n, limit int, sent []batchRec) ([]batchRec, [][]tago.Data, error) {
	o := &op{kind: opSettle, target: w.target, sent: sent}
	for _, sb := range sent {
		o.delta.Sent += uint64(sb.n)
	}
	var all [][]tago.Data
	for len(o.record) < n {
		keys, pts, bad, err := w.read(after+1, 0, limit)
		if err != nil {
			return nil, nil, err
		}
		o.del = append(o.del, bad...)
		if len(keys) == 0 {
			if len(bad) == 0 {
				break
			}
			after = bad[len(bad)-1]
			continue
		}
		o.record = append(o.record, &batchRec{first: keys[0], last: keys[len(keys)-1], n: len(keys)})
		all = append(all, pts)
		after = max(keys[len(keys)-1], after)
		if len(bad) > 0 {
			after = max(after, bad[len(bad)-1])
		}
	}
	if len(o.record) == 0 && len(o.del) == 0 && len(sent) == 0 {
		return nil, nil, nil
	}
	o.delta.Rejected = uint64(len(o.del))
	if err := w.s.submit(o); err != nil {
		return nil, nil, err
	}
	if len(o.del) > 0 {
		w.s.log.Error("spool: damaged points removed", slog.String("target", w.target), slog.Int("points", len(o.del)))
	}
	recs := make([]batchRec, len(o.record))
	for i, r := range o.record {
		recs[i] = *r
	}
	if len(recs) > 0 {
		w.s.hookf("recorded")
	}
	return recs, all, nil
}

// service asks the route for the target's data service.
func (w *worker) service(ctx context.Context) (*tago.DataService, error) {
	ds, err := w.route(ctx, w.target)
	if err == nil && ds == nil {
		err = fmt.Errorf("spool: the route gave no data service for target %q", w.target)
	}
	return ds, err
}

// acquire runs f holding one of Run's request slots.
func (w *worker) acquire(ctx context.Context, f func() error) error {
	select {
	case w.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-w.sem }()
	return f()
}

// failed handles a send of b that failed with err.
func (w *worker) failed(ctx context.Context, b batchRec, pts []tago.Data, err error) error {
	attrs := []slog.Attr{slog.String("target", w.target), slog.String("batch", w.group(b.seq)), slog.Int("points", b.n), errAttr(err)}
	if tago.MayBeStored(err) {
		// The platform may hold the batch: look before sending it again.
		delete(w.known, b.seq)
		if ctx.Err() != nil {
			return nil
		}
		wait := w.wait(ctx, err, 0)
		w.s.log.LogAttrs(ctx, slog.LevelWarn, "spool: send failed, outcome unknown; will look before resending", append(attrs, slog.Duration("retry_in", wait))...)
		return nil
	}
	var apiErr *tago.APIError
	refused := errors.Is(err, tago.ErrInvalidInput)
	if errors.As(err, &apiErr) {
		switch s := apiErr.HTTPStatus; {
		case s == http.StatusTooManyRequests:
			wait := w.wait(ctx, err, apiErr.RetryAfter)
			w.s.log.LogAttrs(ctx, slog.LevelWarn, "spool: rate limited", append(attrs, slog.Duration("retry_in", wait))...)
			return nil
		case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity || s == http.StatusRequestEntityTooLarge:
			refused = true
		}
	}
	if !refused {
		// Certainly not stored: send the same batch again after a pause.
		wait := w.wait(ctx, err, 0)
		w.s.log.LogAttrs(ctx, slog.LevelWarn, "spool: send failed", append(attrs, slog.Duration("retry_in", wait))...)
		return nil
	}
	if b.n > 1 {
		// The platform refused the batch: halve it until the bad point is alone.
		w.limit = max(1, b.n/2)
		w.s.log.LogAttrs(ctx, slog.LevelWarn, "spool: batch refused; sending it in smaller batches to find the bad point", append(attrs, slog.Int("next_batch", w.limit))...)
		if err := w.s.submit(&op{kind: opSettle, target: w.target, drop: &b, dropAfter: true}); err != nil {
			return err
		}
		clear(w.known)
		return nil
	}
	if err := w.s.submit(&op{kind: opSettle, target: w.target, drop: &b, delRange: true, delta: Stats{Rejected: 1}}); err != nil {
		return err
	}
	delete(w.known, b.seq)
	w.s.log.LogAttrs(ctx, slog.LevelError, "spool: point rejected by the platform and removed", attrs...)
	if w.s.opts.OnReject != nil {
		w.s.opts.OnReject(w.target, pts, err)
	}
	return nil
}

// look finds out which points of batch b, whose outcome is unknown, the platform
// holds: those are removed as delivered, and the others queued again.
func (w *worker) look(ctx context.Context, b batchRec) error {
	keys, pts, bad, err := w.read(b.first, b.last, 0)
	if err != nil {
		return err
	}
	if len(bad) > 0 || len(pts) != b.n {
		return fmt.Errorf("spool: batch %d holds %d readable points of %d", b.seq, len(pts), b.n)
	}
	group := w.group(b.seq)
	ds, err := w.service(ctx)
	var stored []bool
	if err == nil {
		err = w.acquire(ctx, func() (err error) {
			stored, err = Lookup(ctx, ds, group, pts)
			return err
		})
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		wait := w.wait(ctx, err, 0)
		w.s.log.Warn("spool: looking up a batch of unknown outcome failed", slog.String("target", w.target),
			slog.String("batch", group), errAttr(err), slog.Duration("retry_in", wait))
		return nil
	}
	w.succeeded()
	found := 0
	var del []uint64
	for i, ok := range stored {
		if ok {
			found++
			del = append(del, keys[i])
		}
	}
	o := &op{kind: opSettle, target: w.target, drop: &b, del: del,
		delta: Stats{Lookups: 1, Found: uint64(found), Resent: uint64(len(pts) - found)}}
	if found < len(pts) {
		// Not all stored, so no later batch was sent (a batch is sent only after the
		// one before it was accepted): forget them, to send the missing points first.
		o.dropAfter = true
	}
	if err := w.s.submit(o); err != nil {
		return err
	}
	if o.dropAfter {
		clear(w.known)
	}
	delete(w.known, b.seq)
	w.s.log.Info("spool: looked up a batch of unknown outcome", slog.String("target", w.target), slog.String("batch", group),
		slog.Int("points", len(pts)), slog.Int("found", found), slog.Int("resending", len(pts)-found))
	return nil
}

// succeeded resets the backoff after a request that got a clear answer.
func (w *worker) succeeded() {
	if w.failures == 0 {
		return
	}
	w.failures = 0
	w.s.mu.Lock()
	if t := w.s.targets[w.target]; t != nil {
		t.lastErr, t.retryAt = "", time.Time{}
	}
	w.s.mu.Unlock()
}

// wait pauses after a failure: for retryAfter when the platform said, else for a
// backoff doubling with each failure in a row. It returns the pause.
func (w *worker) wait(ctx context.Context, err error, retryAfter time.Duration) time.Duration {
	w.failures++
	d := retryAfter
	if d <= 0 {
		d = w.s.opts.MinBackoff
		for i := 1; i < w.failures && d < w.s.opts.MaxBackoff; i++ {
			d *= 2
		}
		d = min(d, w.s.opts.MaxBackoff)
		d = d/2 + rand.N(d/2+1)
	}
	w.s.mu.Lock()
	if t := w.s.targets[w.target]; t != nil {
		t.lastErr, t.retryAt = err.Error(), time.Now().Add(d)
	}
	w.s.mu.Unlock()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
	return d
}

// errAttr is an error as a log attribute.
func errAttr(err error) slog.Attr { return slog.String("error", err.Error()) }
