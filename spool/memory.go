package spool

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/go-tago/tago"
	bolt "go.etcd.io/bbolt"
)

// Memory is a durable record of keys, kept in the spool's file beside the points, for
// the de-duplication that whatever feeds the spool needs: the Actility bridge, for
// one, remembers which uplinks it has accepted, because ThingPark delivers an uplink
// again until it gets an answer. Each key holds a small value and the time it was
// recorded, for Window, and at most MaxEntries keys are kept (the oldest go first).
// Writes are durable when they return and share the spool's commits; keys are stored
// as hashes. A Memory is safe for concurrent use.
type Memory struct {
	s      *Spool
	scope  []byte
	window time.Duration
	max    int
}

// errRecorded is an EnqueueOnce whose key is already recorded.
var errRecorded = errors.New("spool: already recorded")

// Memory returns the memory named scope (1 to 64 bytes), kept for window (zero means 24
// hours) and bounded to maxEntries keys (zero means 1,000,000).
func (s *Spool) Memory(scope string, window time.Duration, maxEntries int) (*Memory, error) {
	if scope == "" || len(scope) > 64 {
		return nil, &tago.InputError{Field: "scope", Reason: "must be 1 to 64 bytes"}
	}
	if window <= 0 {
		window = 24 * time.Hour
	}
	if maxEntries <= 0 {
		maxEntries = 1_000_000
	}
	return &Memory{s: s, scope: []byte(scope), window: window, max: maxEntries}, nil
}

// memKey is the stored form of a key.
func memKey(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:16]
}

// Get returns key's value and when it was recorded; ok is false when the key is not
// recorded or its record is older than the window.
func (m *Memory) Get(key string) (value []byte, at time.Time, ok bool, err error) {
	err = m.s.db.View(func(tx *bolt.Tx) error {
		b := memBucket(tx, m.scope)
		if b == nil {
			return nil
		}
		v := b.Bucket(bucketMemKeys).Get(memKey(key))
		if len(v) < 8 {
			return nil
		}
		at = time.Unix(0, int64(binary.BigEndian.Uint64(v[:8])))
		if time.Since(at) > m.window {
			return nil
		}
		value, ok = append([]byte(nil), v[8:]...), true
		return nil
	})
	return value, at, ok, err
}

// Put records key with value at time at, replacing an earlier record.
func (m *Memory) Put(key string, value []byte, at time.Time) error {
	return m.s.submit(&op{kind: opMemory, mem: &memOp{m: m, key: memKey(key), value: value, at: at}})
}

// Delete forgets key.
func (m *Memory) Delete(key string) error {
	return m.s.submit(&op{kind: opMemory, mem: &memOp{m: m, key: memKey(key), del: true}})
}

// EnqueueOnce stores points for target and records key with value, in one commit,
// unless key is already recorded (within the window): then it stores nothing and
// returns true. A caller that is handed the same message more than once (a redelivery)
// stores it exactly once this way, even across a crash between the two writes, since
// there is no such moment.
func (m *Memory) EnqueueOnce(ctx context.Context, key string, value []byte, target string, points ...tago.Data) (already bool, err error) {
	o, err := m.s.enqueueOp(target, points)
	if err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	o.mem = &memOp{m: m, key: memKey(key), value: value, at: time.Now(), onlyNew: true}
	err = m.s.submit(o)
	if errors.Is(err, errRecorded) {
		return true, nil
	}
	return false, err
}

// Len returns how many keys the memory holds (expired ones included until they are
// pruned).
func (m *Memory) Len() (int, error) {
	n := 0
	err := m.s.db.View(func(tx *bolt.Tx) error {
		if b := memBucket(tx, m.scope); b != nil {
			if v := b.Get(keyMemCount); len(v) == 8 {
				n = int(binary.BigEndian.Uint64(v))
			}
		}
		return nil
	})
	return n, err
}

// memOp is a Memory write, alone (opMemory) or with an enqueue (opEnqueue).
type memOp struct {
	m       *Memory
	key     []byte
	value   []byte
	at      time.Time
	del     bool
	onlyNew bool // refuse (errRecorded) when key is recorded within the window
}

// memBucket returns a scope's bucket, or nil.
func memBucket(tx *bolt.Tx, scope []byte) *bolt.Bucket {
	mb := tx.Bucket(bucketMemory)
	if mb == nil {
		return nil
	}
	return mb.Bucket(scope)
}

// checkMemory refuses an onlyNew write whose key is recorded; it writes nothing.
func (w *wtx) checkMemory(o *memOp) error {
	if !o.onlyNew {
		return nil
	}
	b := memBucket(w.tx, o.m.scope)
	if b == nil {
		return nil
	}
	if v := b.Bucket(bucketMemKeys).Get(o.key); len(v) >= 8 {
		if at := time.Unix(0, int64(binary.BigEndian.Uint64(v[:8]))); time.Since(at) <= o.m.window {
			return &refusal{errRecorded}
		}
	}
	return nil
}

// applyMemory writes a Memory record (or deletes it), pruning expired and excess ones.
func (w *wtx) applyMemory(o *memOp) (err error) {
	mb, err := w.tx.CreateBucketIfNotExists(bucketMemory)
	if err != nil {
		return err
	}
	b, err := mb.CreateBucketIfNotExists(o.m.scope)
	if err != nil {
		return err
	}
	keys, err := b.CreateBucketIfNotExists(bucketMemKeys)
	if err != nil {
		return err
	}
	order, err := b.CreateBucketIfNotExists(bucketMemOrder)
	if err != nil {
		return err
	}
	n := uint64(0)
	if v := b.Get(keyMemCount); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	defer func() {
		if err == nil {
			err = b.Put(keyMemCount, binary.BigEndian.AppendUint64(nil, n))
		}
	}()
	if old := keys.Get(o.key); len(old) >= 8 {
		if err := order.Delete(append(append([]byte(nil), old[:8]...), o.key...)); err != nil {
			return err
		}
		if err := keys.Delete(o.key); err != nil {
			return err
		}
		n--
	}
	if o.del {
		return nil
	}
	at := make([]byte, 8)
	binary.BigEndian.PutUint64(at, uint64(o.at.UnixNano()))
	if err := keys.Put(o.key, append(at, o.value...)); err != nil {
		return err
	}
	if err := order.Put(append(append([]byte(nil), at...), o.key...), nil); err != nil {
		return err
	}
	n++
	// Prune: records past the window, then the oldest past the bound (a few per write,
	// so that no commit grows large).
	cutoff := uint64(time.Now().Add(-o.m.window).UnixNano())
	excess := int(n) - o.m.max
	var drop [][]byte
	c := order.Cursor()
	for k, _ := c.First(); k != nil && len(drop) < 64; k, _ = c.Next() {
		if len(k) != 24 || binary.BigEndian.Uint64(k[:8]) >= cutoff && excess <= len(drop) {
			break
		}
		drop = append(drop, append([]byte(nil), k...))
	}
	for _, k := range drop {
		if err := order.Delete(k); err != nil {
			return err
		}
		if v := keys.Get(k[8:]); len(v) >= 8 && string(v[:8]) == string(k[:8]) {
			if err := keys.Delete(k[8:]); err != nil {
				return err
			}
			n--
		}
	}
	return nil
}

// enqueueOp checks and encodes an Enqueue's points into its op.
func (s *Spool) enqueueOp(target string, points []tago.Data) (*op, error) {
	if err := checkTarget(target); err != nil {
		return nil, err
	}
	if len(points) == 0 {
		return nil, &tago.InputError{Field: "points", Reason: "must not be empty"}
	}
	if err := tago.ValidateData(points...); err != nil {
		return nil, err
	}
	if len(points) > s.opts.MaxPoints {
		return nil, &FullError{Limit: "MaxPoints", Max: int64(s.opts.MaxPoints), Adding: int64(len(points))}
	}
	enq := time.Now()
	recs := make([][]byte, len(points))
	for i := range points {
		rec, err := encodePoint(&points[i], enq)
		if err != nil {
			return nil, &tago.InputError{Field: fmt.Sprintf("points[%d]", i), Reason: err.Error()}
		}
		recs[i] = rec
	}
	return &op{kind: opEnqueue, target: target, recs: recs}, nil
}
