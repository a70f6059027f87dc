package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// opKind is what a write operation does.
type opKind int

const (
	opEnqueue opKind = iota // store recs for target
	opSettle                // delete points and a batch record, record a new batch
	opMemory                // write a Memory record
)

// op is one write handed to the writer goroutine, which applies many in one commit.
type op struct {
	kind   opKind
	target string
	recs   [][]byte // opEnqueue: point records
	mem    *memOp   // opMemory, or with opEnqueue: a Memory record written with it

	// opSettle, applied in this order:
	drop     *batchRec // a batch record to delete (it must exist)
	delRange bool      // delete every point of drop's range
	// dropAfter also deletes the records (not the points) of every batch after drop.
	dropAfter bool
	sent      []batchRec  // delivered batches: their records and points are deleted
	del       []uint64    // point keys to delete (each must exist)
	record    []*batchRec // batches to record, in order: first, last and n set; seq assigned
	delta     Stats       // counters added when the commit succeeds

	done     chan error
	dropped  int  // opEnqueue: points DropOldest removed for it
	arriving bool // counted in Spool.arriving until handed over
}

// errStale is an opSettle that no longer matches the file (a batch formed while
// DropOldest removed one of its points); the worker reads the file again.
var errStale = errors.New("spool: stale batch")

// refusal is an op failure detected before anything was written; the op's commit
// group goes on without it.
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// submit hands o to the writer and waits for its commit.
func (s *Spool) submit(o *op) error {
	o.done = make(chan error, 1)
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		if o.arriving {
			s.arriving.Add(-1)
		}
		return ErrClosed
	}
	s.ops <- o
	if o.arriving {
		s.arriving.Add(-1)
	}
	s.closeMu.RUnlock()
	return <-o.done
}

// maxGroup bounds how many operations share one commit.
const maxGroup = 4096

// writeLoop applies operations until Close, each time taking every operation
// waiting: while one commit syncs, the next one's operations gather (group commit).
// While Enqueue calls are on their way (validating and encoding their points), or
// fewer are waiting than the last commit took (its callers are probably coming back),
// it yields to them for a moment so that they join this commit rather than the next
// (a timer would oversleep by more than a commit takes).
func (s *Spool) writeLoop() {
	defer close(s.stopped)
	lastSize, lastDur := 0, time.Duration(0)
	for first := range s.ops {
		group := []*op{first}
		open := true
		gather := func() {
			for len(group) < maxGroup {
				select {
				case o, ok := <-s.ops:
					if !ok {
						open = false
						return
					}
					group = append(group, o)
				default:
					return
				}
			}
		}
		gather()
		// Yield for at most half the last commit's time: the callers it answered
		// need about a tenth of it to come back on two cores, and waiting longer
		// costs more than the points it brings.
		until := time.Now().Add(min(lastDur/2, 2*time.Millisecond))
		for open && len(group) < maxGroup && (len(group) < lastSize || s.arriving.Load() > 0) && time.Now().Before(until) {
			runtime.Gosched()
			gather()
		}
		start := time.Now()
		s.commit(group)
		lastSize, lastDur = len(group), time.Since(start)
	}
}

// wtx is one write transaction over the spool's state: targets it touched are copies,
// installed only if the commit succeeds.
type wtx struct {
	s      *Spool
	tx     *bolt.Tx
	ts     map[string]*tstate
	points int
	bytes  int64
	delta  Stats
	kicks  []string
}

// commit applies a group of operations in one transaction and answers each.
func (s *Spool) commit(group []*op) {
	errs, err := s.apply(group)
	if err != nil && len(group) > 1 {
		// A write failed halfway through the group's transaction: redo each op in
		// its own, so that one op's failure cannot fail the others.
		for _, o := range group {
			s.commit([]*op{o})
		}
		return
	}
	for i, o := range group {
		e := errs[i]
		if e == nil {
			e = err
		}
		var r *refusal
		if errors.As(e, &r) {
			e = r.err
		}
		o.done <- e
	}
}

// apply runs group in one transaction and commits it. errs holds each op's own
// refusal; err is a failure of the transaction itself (nothing was committed).
func (s *Spool) apply(group []*op) (errs []error, err error) {
	errs = make([]error, len(group))
	tx, err := s.db.Begin(true)
	if err != nil {
		return errs, s.writeErr(err)
	}
	s.mu.Lock()
	w := &wtx{s: s, tx: tx, ts: map[string]*tstate{}, points: s.points, bytes: s.bytes}
	s.mu.Unlock()
	wrote := false
	for i, o := range group {
		var e error
		switch o.kind {
		case opEnqueue:
			e = w.enqueue(o)
		case opSettle:
			e = w.settle(o)
		case opMemory:
			e = w.applyMemory(o.mem)
		}
		var r *refusal
		if e != nil && !errors.As(e, &r) {
			_ = tx.Rollback()
			return errs, s.writeErr(e)
		}
		errs[i] = e
		wrote = wrote || e == nil
	}
	if !wrote {
		_ = tx.Rollback()
		s.countRefused(group, errs)
		return errs, nil
	}
	s.hookf("commit")
	if err := tx.Commit(); err != nil {
		return errs, s.writeErr(err)
	}
	s.install(w)
	s.countRefused(group, errs)
	return errs, nil
}

// countRefused counts the points of enqueues refused at a bound.
func (s *Spool) countRefused(group []*op, errs []error) {
	n := 0
	for i, o := range group {
		if o.kind == opEnqueue && errors.Is(errs[i], ErrFull) {
			n += len(o.recs)
		}
	}
	if n > 0 {
		s.mu.Lock()
		s.counts.Refused += uint64(n)
		s.mu.Unlock()
	}
}

// writeErr wraps a failed write, naming a full disk.
func (s *Spool) writeErr(err error) error {
	if isDiskFull(err) {
		s.log.Error("spool: disk full: nothing of this commit was stored", errAttr(err))
		return fmt.Errorf("%w: %s: %w", ErrDiskFull, s.path, err)
	}
	return fmt.Errorf("spool: writing %s: %w", s.path, err)
}

// install makes a committed transaction's state the spool's.
func (s *Spool) install(w *wtx) {
	s.mu.Lock()
	for name, t := range w.ts {
		old := s.targets[name]
		if t.points == 0 && len(t.batches) == 0 {
			delete(s.targets, name)
			continue
		}
		if old != nil {
			t.lastErr, t.retryAt = old.lastErr, old.retryAt
		}
		s.targets[name] = t
	}
	s.points, s.bytes = w.points, w.bytes
	d := &w.delta
	s.counts.Sent += d.Sent
	s.counts.Found += d.Found
	s.counts.Resent += d.Resent
	s.counts.Lookups += d.Lookups
	s.counts.Dropped += d.Dropped
	s.counts.Rejected += d.Rejected
	for _, t := range w.kicks {
		s.kicked[t] = struct{}{}
	}
	s.mu.Unlock()
	if len(w.kicks) > 0 {
		select {
		case s.kickc <- struct{}{}:
		default:
		}
	}
}

// state returns the transaction's copy of a target's state, creating it if needed.
func (w *wtx) state(name string) *tstate {
	if t := w.ts[name]; t != nil {
		return t
	}
	t := &tstate{}
	w.s.mu.Lock()
	if old := w.s.targets[name]; old != nil {
		*t = *old
		t.batches = append([]batchRec(nil), old.batches...)
	}
	w.s.mu.Unlock()
	w.ts[name] = t
	return t
}

// buckets returns a target's views of the q and b buckets, creating its ID if
// create is set; ok is false when the target has none.
func (w *wtx) buckets(name string, create bool) (q, b view, ok bool, err error) {
	tb := w.tx.Bucket(bucketTargets)
	var tid uint32
	if v := tb.Get([]byte(name)); len(v) == tidLen {
		tid = binary.BigEndian.Uint32(v)
	} else {
		if !create {
			return view{}, view{}, false, nil
		}
		n, err := tb.NextSequence()
		if err != nil {
			return view{}, view{}, false, err
		}
		tid = uint32(n)
		if err := tb.Put([]byte(name), binary.BigEndian.AppendUint32(nil, tid)); err != nil {
			return view{}, view{}, false, err
		}
	}
	qb, bb := w.tx.Bucket(bucketQueue), w.tx.Bucket(bucketBatches)
	qb.FillPercent, bb.FillPercent = fillPercent, fillPercent
	return view{qb, tid}, view{bb, tid}, true, nil
}

// enqueue stores an Enqueue's points, making room first under DropOldest.
func (w *wtx) enqueue(o *op) error {
	o.dropped = 0
	if o.mem != nil {
		if err := w.checkMemory(o.mem); err != nil {
			return err
		}
	}
	var size int64
	for _, r := range o.recs {
		size += int64(len(r))
	}
	opts := &w.s.opts
	over := func() error {
		if w.points+len(o.recs) > opts.MaxPoints {
			return &FullError{Limit: "MaxPoints", Max: int64(opts.MaxPoints), Queued: int64(w.points), Adding: int64(len(o.recs))}
		}
		if opts.MaxBytes > 0 && w.bytes+size > opts.MaxBytes {
			return &FullError{Limit: "MaxBytes", Max: opts.MaxBytes, Queued: w.bytes, Adding: size}
		}
		return nil
	}
	if size > opts.MaxBytes && opts.MaxBytes > 0 {
		return &refusal{&FullError{Limit: "MaxBytes", Max: opts.MaxBytes, Queued: w.bytes, Adding: size}}
	}
	for full := over(); full != nil; full = over() {
		if opts.Overflow != DropOldest {
			return &refusal{full}
		}
		ok, err := w.dropOldest()
		if err != nil {
			return err
		}
		if !ok {
			return &refusal{full}
		}
		o.dropped++
	}
	q, _, _, err := w.buckets(o.target, true)
	if err != nil {
		return err
	}
	t := w.state(o.target)
	keys := make([]byte, len(o.recs)*(tidLen+8)) // one allocation; bbolt keeps the keys until the commit
	for i, r := range o.recs {
		seq, err := q.b.NextSequence()
		if err != nil {
			return err
		}
		k := keys[i*(tidLen+8) : (i+1)*(tidLen+8) : (i+1)*(tidLen+8)]
		binary.BigEndian.PutUint32(k, q.tid)
		binary.BigEndian.PutUint64(k[tidLen:], seq)
		if err := q.b.Put(k, r); err != nil {
			return err
		}
	}
	if t.points == 0 {
		t.head, _, _ = checkPoint(o.recs[0])
	}
	t.points += len(o.recs)
	t.bytes += size
	w.points += len(o.recs)
	w.bytes += size
	w.kicks = append(w.kicks, o.target)
	if o.mem != nil {
		return w.applyMemory(o.mem)
	}
	return nil
}

// dropOldest deletes the oldest point not in a batch, of the target whose oldest
// point is oldest. It reports false when there is none.
func (w *wtx) dropOldest() (bool, error) {
	var victim string
	var oldest time.Time
	consider := func(name string, t *tstate) {
		if t.points-t.inFlight() > 0 && (victim == "" || t.head.Before(oldest)) {
			victim, oldest = name, t.head
		}
	}
	w.s.mu.Lock()
	for name, t := range w.s.targets {
		if w.ts[name] == nil {
			consider(name, t)
		}
	}
	w.s.mu.Unlock()
	for name, t := range w.ts {
		consider(name, t)
	}
	if victim == "" {
		return false, nil
	}
	t := w.state(victim)
	q, _, ok, err := w.buckets(victim, false)
	if err != nil || !ok {
		return false, err
	}
	c := q.cursor()
	var v []byte
	if n := len(t.batches); n > 0 {
		_, v, ok = c.seek(t.batches[n-1].last + 1)
	} else {
		_, v, ok = c.first()
	}
	if !ok {
		return false, nil
	}
	size := int64(len(v))
	if err := c.delete(); err != nil {
		return false, err
	}
	t.points--
	t.bytes -= size
	w.points--
	w.bytes -= size
	w.delta.Dropped++
	if len(t.batches) == 0 {
		w.refreshHead(t, q)
	}
	return true, nil
}

// refreshHead rereads a target's oldest point after deletions.
func (w *wtx) refreshHead(t *tstate, q view) {
	t.head = time.Time{}
	if _, v, ok := q.cursor().first(); ok {
		t.head, _, _ = checkPoint(v)
	}
}

// settle deletes a batch (its record, and its points or some of them), deletes
// points, and records a new batch, checking everything before writing anything.
func (w *wtx) settle(o *op) error {
	q, b, ok, err := w.buckets(o.target, false)
	if err != nil {
		return err
	}
	if !ok {
		return &refusal{errStale}
	}
	t := w.state(o.target)
	di := -1
	if o.drop != nil {
		di = indexBatch(t.batches, o.drop.seq)
		if di < 0 {
			return &refusal{errStale}
		}
	}
	gone := map[uint64]bool{}
	if di >= 0 {
		gone[o.drop.seq] = true
	}
	for _, sb := range o.sent {
		if indexBatch(t.batches, sb.seq) < 0 {
			return &refusal{errStale}
		}
		gone[sb.seq] = true
	}
	for _, k := range o.del {
		if q.get(k) == nil {
			return &refusal{errStale}
		}
	}
	if len(o.record) > 0 {
		after := uint64(0)
		for _, br := range t.batches {
			if !gone[br.seq] {
				after = max(after, br.last)
			}
		}
		for _, rec := range o.record {
			gone := 0 // points of the range this op deletes (damaged ones)
			for _, k := range o.del {
				if k >= rec.first && k <= rec.last {
					gone++
				}
			}
			if rec.first <= after || countRange(q, rec.first, rec.last)-gone != rec.n {
				return &refusal{errStale}
			}
			after = rec.last
		}
	}

	// Keys are collected first: deleting under a bbolt cursor can skip the next key.
	var keys []uint64
	if di >= 0 {
		if o.delRange {
			keys = make([]uint64, 0, o.drop.n)
			c := q.cursor()
			for n, _, ok := c.seek(o.drop.first); ok && n <= o.drop.last; n, _, ok = c.next() {
				keys = append(keys, n)
			}
		}
		if err := b.del(o.drop.seq); err != nil {
			return err
		}
		t.batches = append(t.batches[:di], t.batches[di+1:]...)
		if o.dropAfter {
			kept := t.batches[:0]
			for _, br := range t.batches {
				if br.first > o.drop.last {
					if err := b.del(br.seq); err != nil {
						return err
					}
					continue
				}
				kept = append(kept, br)
			}
			t.batches = kept
		}
	}
	for _, sb := range o.sent {
		c := q.cursor()
		for n, _, ok := c.seek(sb.first); ok && n <= sb.last; n, _, ok = c.next() {
			keys = append(keys, n)
		}
		if err := b.del(sb.seq); err != nil {
			return err
		}
		t.batches = slices.DeleteFunc(t.batches, func(br batchRec) bool { return br.seq == sb.seq })
	}
	keys = append(keys, o.del...)
	freed, removed := int64(0), 0
	c := q.cursor() // one cursor, sought afresh for each key (reusing its stack)
	for _, k := range keys {
		n, v, ok := c.seek(k)
		if !ok || n != k {
			continue
		}
		freed += int64(len(v))
		removed++
		if err := c.delete(); err != nil {
			return err
		}
	}
	for _, rec := range o.record {
		seq, err := w.tx.Bucket(bucketMeta).NextSequence()
		if err != nil {
			return err
		}
		rec.seq = seq
		if rec.at.IsZero() {
			rec.at = time.Now()
		}
		if err := b.put(seq, encodeBatch(*rec)); err != nil {
			return err
		}
		t.batches = append(t.batches, *rec)
	}
	t.points -= removed
	t.bytes -= freed
	w.points -= removed
	w.bytes -= freed
	if removed > 0 {
		w.refreshHead(t, q)
	}
	if t.points == 0 && len(t.batches) == 0 {
		if err := w.tx.Bucket(bucketTargets).Delete([]byte(o.target)); err != nil {
			return err
		}
	}
	d := &o.delta
	w.delta.Sent += d.Sent
	w.delta.Found += d.Found
	w.delta.Resent += d.Resent
	w.delta.Lookups += d.Lookups
	w.delta.Rejected += d.Rejected
	return nil
}

// indexBatch returns the index of batch seq in bs, or -1.
func indexBatch(bs []batchRec, seq uint64) int {
	for i, b := range bs {
		if b.seq == seq {
			return i
		}
	}
	return -1
}

// countRange counts the target's points with keys first..last.
func countRange(q view, first, last uint64) int {
	n := 0
	c := q.cursor()
	for s, _, ok := c.seek(first); ok && s <= last; s, _, ok = c.next() {
		n++
	}
	return n
}
