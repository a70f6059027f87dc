package actility

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// DeliveryState is what a [DeliveryLog] records about one message.
type DeliveryState uint8

// The states of a message in a [DeliveryLog].
const (
	// DeliveryPending: a send of the message to TagoIO began and its outcome is not
	// known (it is in flight, it failed in a way that may have stored it, or the
	// process stopped during it). The next delivery checks the platform before it
	// sends again.
	DeliveryPending DeliveryState = iota + 1
	// DeliveryStored: TagoIO stored the message; later deliveries are answered without
	// a send.
	DeliveryStored
)

// String returns "pending" or "stored".
func (s DeliveryState) String() string {
	switch s {
	case DeliveryPending:
		return "pending"
	case DeliveryStored:
		return "stored"
	}
	return fmt.Sprintf("DeliveryState(%d)", uint8(s))
}

// DeliveryLog is a [Bridge]'s memory of the messages it sent to TagoIO, which keeps a
// message that ThingPark delivers more than once (it redelivers until it gets an
// answer, for up to a day) from being stored twice. Keys are opaque strings of at most
// a few hundred bytes: the DevEUI, the message's group and a hash of the authorization
// key.
//
// The bridge records DeliveryPending before every send and DeliveryStored after a
// success, and forgets a message whose send certainly stored nothing. An
// implementation keeps a record for as long as ThingPark may redeliver (a day), bounds
// how many it keeps, and documents both; a record it no longer has costs at most a
// duplicate if that message is delivered again. For the bridge to be exactly-once
// across restarts, a record must survive a restart once Record returned (a pending one
// even a crash of the machine: it is written before the send). Implementations are
// safe for concurrent use. [MemoryLog] keeps records in memory; [DeliveryFile] keeps
// them in a file as well.
type DeliveryLog interface {
	// Lookup returns key's record: its state and when it was recorded. ok is false
	// when there is none.
	Lookup(key string) (state DeliveryState, at time.Time, ok bool, err error)
	// Record sets key's record, replacing any earlier one.
	Record(key string, state DeliveryState, at time.Time) error
	// Forget removes key's record.
	Forget(key string) error
}

// DeliveryLogConfig bounds a [MemoryLog] or a [DeliveryFile].
type DeliveryLogConfig struct {
	// Window is how long a record is kept after it was recorded. Zero means 24 hours,
	// the longest ThingPark X IoT Flow retries a message.
	Window time.Duration
	// MaxEntries is how many messages are remembered; when a new one would exceed it,
	// the one first recorded longest ago is forgotten. Zero means 1,000,000, enough
	// for 11 messages a second around the clock. Memory grows with use, to about
	// 110 bytes a message (110 MB when full; BenchmarkMemoryLogSize). Size it above the
	// messages the bridge handles in a Window.
	MaxEntries int
}

// withDefaults fills the zero fields.
func (c DeliveryLogConfig) withDefaults() DeliveryLogConfig {
	if c.Window <= 0 {
		c.Window = 24 * time.Hour
	}
	if c.MaxEntries <= 0 {
		c.MaxEntries = 1_000_000
	}
	return c
}

// logKey is the fixed-size form of a key: the first 16 bytes of its SHA-256.
type logKey [16]byte

// keyOf hashes a key.
func keyOf(key string) logKey {
	sum := sha256.Sum256([]byte(key))
	return logKey(sum[:16])
}

// logEntry is one record: a state and when it was recorded, in Unix milliseconds.
// seq is the number of the key's item in the eviction queue. (16 bytes.)
type logEntry struct {
	at    int64
	seq   uint32
	state DeliveryState
}

// queued is one key in the order of its first record, for eviction; an item whose seq
// is not its entry's is stale. (20 bytes.)
type queued struct {
	key logKey
	seq uint32
}

// MemoryLog is a [DeliveryLog] in memory, which a restart forgets. It keeps each
// record for the configured Window and at most MaxEntries records; past that it
// forgets first the message first recorded longest ago. A [Bridge] without a DeliveryLog uses one with the default
// bounds, and then checks the platform before storing a message older than itself.
type MemoryLog struct {
	cfg     DeliveryLogConfig
	mu      sync.Mutex
	entries map[logKey]logEntry
	order   []queued // order of first records
	head    int      // order[:head] has been consumed
	seq     uint32   // the last seq given
}

// NewMemoryLog returns an empty MemoryLog bounded by cfg.
func NewMemoryLog(cfg DeliveryLogConfig) *MemoryLog {
	return &MemoryLog{cfg: cfg.withDefaults(), entries: make(map[logKey]logEntry)}
}

// Lookup returns key's record, unless it is older than the Window.
func (m *MemoryLog) Lookup(key string) (DeliveryState, time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, at, ok := m.lookupLocked(keyOf(key), time.Now())
	return st, at, ok, nil
}

// Record sets key's record, then drops records older than the Window and, past
// MaxEntries, the oldest ones.
func (m *MemoryLog) Record(key string, state DeliveryState, at time.Time) error {
	if state != DeliveryPending && state != DeliveryStored {
		return fmt.Errorf("actility: cannot record %v", state)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.setLocked(keyOf(key), logEntry{state: state, at: at.UnixMilli()}, time.Now())
	return nil
}

// Forget removes key's record.
func (m *MemoryLog) Forget(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, keyOf(key))
	return nil
}

// Len returns how many records the log holds.
func (m *MemoryLog) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// lookupLocked returns the record of k while it is within the window.
func (m *MemoryLog) lookupLocked(k logKey, now time.Time) (DeliveryState, time.Time, bool) {
	e, ok := m.entries[k]
	if !ok || now.UnixMilli()-e.at > m.cfg.Window.Milliseconds() {
		return 0, time.Time{}, false
	}
	return e.state, time.UnixMilli(e.at), true
}

// setLocked stores e under k and evicts what the bounds require. A key keeps its
// place in the eviction queue when its record is updated (pending, then stored a few
// seconds later), so that the queue holds one item per key.
func (m *MemoryLog) setLocked(k logKey, e logEntry, now time.Time) {
	if old, ok := m.entries[k]; ok {
		e.seq = old.seq
	} else {
		m.seq++
		e.seq = m.seq
		m.order = append(m.order, queued{k, e.seq})
	}
	m.entries[k] = e
	expired := now.UnixMilli() - m.cfg.Window.Milliseconds()
	for m.head < len(m.order) {
		q := m.order[m.head]
		cur, ok := m.entries[q.key]
		live := ok && cur.seq == q.seq
		if live && cur.at >= expired && len(m.entries) <= m.cfg.MaxEntries {
			break
		}
		if live {
			delete(m.entries, q.key)
		}
		m.head++
	}
	// Reclaim the consumed prefix, and stale items when forgotten keys piled them up.
	if m.head > len(m.order)/2 {
		m.order = append(m.order[:0], m.order[m.head:]...)
		m.head = 0
	}
	if len(m.order) > 2*len(m.entries)+1024 {
		m.rebuildOrderLocked()
	}
}

// rebuildOrderLocked rebuilds the eviction queue from the entries, oldest first.
func (m *MemoryLog) rebuildOrderLocked() {
	live := m.snapshotLocked(time.Time{})
	order := make([]queued, len(live))
	for i, q := range live {
		e := m.entries[q.key]
		m.seq++
		e.seq = m.seq
		m.entries[q.key] = e
		order[i] = queued{q.key, e.seq}
	}
	m.order, m.head = order, 0
}

// timed is a key and the time of its record.
type timed struct {
	key logKey
	at  int64
}

// snapshotLocked returns the records recorded since the window before now (all of
// them for a zero now), oldest first.
func (m *MemoryLog) snapshotLocked(now time.Time) []timed {
	expired := int64(math.MinInt64)
	if !now.IsZero() {
		expired = now.UnixMilli() - m.cfg.Window.Milliseconds()
	}
	out := make([]timed, 0, len(m.entries))
	for k, e := range m.entries {
		if e.at >= expired {
			out = append(out, timed{k, e.at})
		}
	}
	slices.SortFunc(out, func(a, b timed) int { return cmp.Compare(a.at, b.at) })
	return out
}
