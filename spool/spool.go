package spool

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-tago/tago"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Errors of the spool, matched with [errors.Is].
var (
	// ErrFull matches a [*FullError]: the spool holds MaxPoints or MaxBytes and its
	// overflow policy is [RefuseNew] (or nothing can be dropped).
	ErrFull = errors.New("spool: full")
	// ErrDiskFull matches an Enqueue whose commit failed because the disk (or the
	// process's file size limit) is full. Nothing of it was stored and the file is
	// unchanged; Enqueue works again once there is room.
	ErrDiskFull = errors.New("spool: disk full")
	// ErrDamaged matches a [*DamageError]: Open found the file damaged.
	ErrDamaged = errors.New("spool: damaged file")
	// ErrNewerVersion matches a [*VersionError]: the file was written by a newer
	// version of this package, and is left untouched.
	ErrNewerVersion = errors.New("spool: file written by a newer version")
	// ErrLocked matches an Open of a file another process (or another Spool) has open.
	ErrLocked = errors.New("spool: file in use")
	// ErrClosed matches a call on a closed Spool.
	ErrClosed = errors.New("spool: closed")
	// ErrRunning matches a Run or Drain started while another is running.
	ErrRunning = errors.New("spool: already running")
)

// FullError reports an Enqueue refused because the spool is at one of its bounds.
type FullError struct {
	// Limit names the bound: "MaxPoints" or "MaxBytes".
	Limit string
	// Max is the bound's value.
	Max int64
	// Queued is what the spool holds (points or bytes, as Limit says).
	Queued int64
	// Adding is what the refused call would have added.
	Adding int64
}

// Error returns "spool: full: MaxPoints is 1000, 998 queued, 5 more refused".
func (e *FullError) Error() string {
	return fmt.Sprintf("spool: full: %s is %d, %d queued, %d more refused", e.Limit, e.Max, e.Queued, e.Adding)
}

// Unwrap returns [ErrFull].
func (e *FullError) Unwrap() error { return ErrFull }

// DamageError reports a spool file Open found damaged. See [Salvage] for recovery.
type DamageError struct {
	// Path is the file's path.
	Path string
	// Err says what is damaged.
	Err error
}

// Error returns "spool: damaged file /path: reason".
func (e *DamageError) Error() string {
	return "spool: damaged file " + e.Path + ": " + e.Err.Error() + " (see spool.Salvage)"
}

// Is matches [ErrDamaged].
func (e *DamageError) Is(target error) bool { return target == ErrDamaged }

// Unwrap returns the cause.
func (e *DamageError) Unwrap() error { return e.Err }

// VersionError reports a file written in a format this version cannot read.
type VersionError struct {
	// Path is the file's path.
	Path string
	// Found is the file's format version; Supported the newest this package reads.
	Found, Supported uint32
}

// Error returns "spool: /path has format 2; this version reads up to format 1".
func (e *VersionError) Error() string {
	return fmt.Sprintf("spool: %s has format %d; this version reads up to format %d: use a newer version of the package", e.Path, e.Found, e.Supported)
}

// Unwrap returns [ErrNewerVersion].
func (e *VersionError) Unwrap() error { return ErrNewerVersion }

// Overflow is what Enqueue does when the spool is at MaxPoints or MaxBytes.
type Overflow int

// The overflow policies.
const (
	// RefuseNew refuses the new points with a [*FullError]; nothing is dropped.
	RefuseNew Overflow = iota
	// DropOldest drops the oldest queued points (of the target whose oldest point is
	// oldest) to make room, and counts them in Stats.Dropped. Points of a batch being
	// sent are never dropped; when only those remain, the new points are refused.
	DropOldest
)

// Options configure a [Spool]. The zero value (or nil) gives the defaults.
type Options struct {
	// MaxPoints bounds how many points the file holds. Zero means 1,000,000.
	MaxPoints int
	// MaxBytes bounds the points' stored size in bytes (the file itself is larger,
	// by bbolt's pages and free space). Zero means no bound.
	MaxBytes int64
	// Overflow is what happens at a bound: RefuseNew (the default) or DropOldest.
	Overflow Overflow
	// MaxBatch is the most points sent in one request. Zero means 1000; at most 8000,
	// the platform's limit. Batches are also kept under the platform's 200 kB body
	// limit.
	MaxBatch int
	// Concurrency is how many requests Run has in flight at once, each for a
	// different target. Zero means 4.
	Concurrency int
	// MinBackoff is the wait after a failed attempt; it doubles with each failure in
	// a row up to MaxBackoff. Zeros mean 1s and 5m.
	MinBackoff, MaxBackoff time.Duration
	// Logger receives one line per state change (opened, batch failed, looked up,
	// points dropped or rejected). Nil discards. No line holds a token.
	Logger *slog.Logger
	// OnReject is called with points the platform refused for good (HTTP 400 for a
	// batch of that one point, or points this version can no longer send); they are
	// removed from the spool and counted in Stats.Rejected. Nil only logs them.
	OnReject func(target string, points []tago.Data, err error)
	// LockTimeout is how long Open waits for another process to release the file.
	// Zero means 1s.
	LockTimeout time.Duration
	// SkipCheck skips the full consistency check at Open (bbolt's page check and
	// every record's checksum). Opening a large file is faster; damage is then found
	// only when the damaged part is read.
	SkipCheck bool

	hook func(event string) // tests: called at the moments a crash matters
}

// Platform request limits (the tago package splits larger sends; the spool never
// lets it, so that a failure is always one request).
const (
	platformMaxPoints = 8000
	maxBatchBody      = 180_000 // under the platform's 200 kB, with a margin
)

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	if o.MaxPoints <= 0 {
		o.MaxPoints = 1_000_000
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1000
	}
	o.MaxBatch = min(o.MaxBatch, platformMaxPoints)
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	if o.LockTimeout <= 0 {
		o.LockTimeout = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Spool is a durable, ordered queue of data points per target, kept in one file.
// Enqueue stores points (they survive a crash or power cut once it returns); Run or
// Drain delivers them to TagoIO in order per target, exactly once. A Spool is safe for
// concurrent use; one file is opened by one Spool at a time.
type Spool struct {
	path string
	db   *bolt.DB
	opts Options
	log  *slog.Logger
	id   string // the file's ID, in batch groups

	ops      chan *op
	arriving atomic.Int64  // Enqueue calls on their way to the writer
	stopped  chan struct{} // closed when the writer has finished
	closeMu  sync.RWMutex
	closed   bool
	closeErr error

	mu      sync.Mutex
	targets map[string]*tstate
	points  int
	bytes   int64
	counts  Stats // the counters only
	running bool
	kicked  map[string]struct{}
	kickc   chan struct{}
}

// tstate is what the spool knows about one target. The writer replaces it on every
// commit that changes it; readers copy what they need under Spool.mu.
type tstate struct {
	points  int
	bytes   int64
	head    time.Time // enqueue time of the oldest point
	batches []batchRec
	// run state, owned by the target's worker (under Spool.mu)
	lastErr string
	retryAt time.Time
}

// inFlight returns how many points the target's batches hold.
func (t *tstate) inFlight() int {
	n := 0
	for _, b := range t.batches {
		n += b.n
	}
	return n
}

// Open opens the spool file at path, creating it when it does not exist. It fails
// with a [*DamageError] when the file is damaged, a [*VersionError] when a newer
// version wrote it, and [ErrLocked] when another process has it open. Batches that
// were recorded but not confirmed when the file was last closed (a crash, a power
// cut) are checked on the platform before anything is sent again.
func Open(path string, opts *Options) (*Spool, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o = o.withDefaults()
	if o.Overflow != RefuseNew && o.Overflow != DropOldest {
		return nil, &tago.InputError{Field: "Overflow", Reason: fmt.Sprintf("unknown policy %d", o.Overflow)}
	}
	db, err := openBolt(path, o.LockTimeout, false)
	if err != nil {
		return nil, err
	}
	s := &Spool{path: path, db: db, opts: o, log: o.Logger, ops: make(chan *op, 4096), stopped: make(chan struct{}),
		targets: map[string]*tstate{}, kicked: map[string]struct{}{}, kickc: make(chan struct{}, 1)}
	if err := s.load(); err != nil {
		db.Close()
		return nil, err
	}
	go s.writeLoop()
	inDoubt := 0
	for _, t := range s.targets {
		inDoubt += len(t.batches)
	}
	s.log.Info("spool: opened", slog.String("path", path), slog.Int("points", s.points),
		slog.Int("targets", len(s.targets)), slog.Int("batches_in_doubt", inDoubt))
	return s, nil
}

// openBolt opens the bbolt file, mapping its failures to the spool's errors.
func openBolt(path string, lockTimeout time.Duration, readOnly bool) (db *bolt.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, &DamageError{Path: path, Err: fmt.Errorf("%v", p)}
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, ReadOnly: readOnly, FreelistType: bolt.FreelistMapType})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s is open in another process or Spool", ErrLocked, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch),
		strings.Contains(err.Error(), "file size too small"), strings.Contains(err.Error(), "invalid"):
		return nil, &DamageError{Path: path, Err: err}
	case isDiskFull(err):
		return nil, fmt.Errorf("%w: creating %s: %w", ErrDiskFull, path, err)
	}
	return nil, fmt.Errorf("spool: opening %s: %w", path, err)
}

// load initializes a new file, or checks an existing one and reads its state.
func (s *Spool) load() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &DamageError{Path: s.path, Err: fmt.Errorf("%v", p)}
		}
	}()
	fresh := false
	err = s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			empty := true
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return &DamageError{Path: s.path, Err: errors.New("not a spool file (no meta bucket)")}
			}
			fresh = true
			return nil
		}
		if err := checkFormat(s.path, meta); err != nil {
			return err
		}
		s.id = groupEncoding.EncodeToString(meta.Get(keyID))
		if !s.opts.SkipCheck {
			for err := range tx.Check() {
				return &DamageError{Path: s.path, Err: err}
			}
		}
		return s.scan(tx)
	})
	if err != nil || !fresh {
		return err
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	err = s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keyFormat, []byte{0, 0, 0, formatVersion}); err != nil {
			return err
		}
		if err := meta.Put(keyID, id); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketTargets, bucketQueue, bucketBatches} {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if isDiskFull(err) {
			return fmt.Errorf("%w: initializing %s: %w", ErrDiskFull, s.path, err)
		}
		return fmt.Errorf("spool: initializing %s: %w", s.path, err)
	}
	s.id = groupEncoding.EncodeToString(id)
	return nil
}

// checkFormat refuses a file of another format.
func checkFormat(path string, meta *bolt.Bucket) error {
	v := meta.Get(keyFormat)
	if len(v) != 4 || len(meta.Get(keyID)) != 8 {
		return &DamageError{Path: path, Err: errors.New("meta bucket damaged")}
	}
	if f := uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3]); f != formatVersion {
		if f > formatVersion {
			return &VersionError{Path: path, Found: f, Supported: formatVersion}
		}
		return &DamageError{Path: path, Err: fmt.Errorf("unknown format %d", f)}
	}
	return nil
}

// scan reads every target's points and batches, verifying each record (unless
// SkipCheck), and fills the spool's counters.
func (s *Spool) scan(tx *bolt.Tx) error {
	tb, q, bb := tx.Bucket(bucketTargets), tx.Bucket(bucketQueue), tx.Bucket(bucketBatches)
	if tb == nil || q == nil || bb == nil {
		return &DamageError{Path: s.path, Err: errors.New("buckets missing")}
	}
	names := map[uint32]string{}
	err := tb.ForEach(func(k, v []byte) error {
		if len(v) != tidLen {
			return &DamageError{Path: s.path, Err: fmt.Errorf("target %q: bad ID", k)}
		}
		names[binary.BigEndian.Uint32(v)] = string(k)
		return nil
	})
	if err != nil {
		return err
	}
	state := func(tid uint32, k []byte) (*tstate, error) {
		name, ok := names[tid]
		if !ok {
			return nil, &DamageError{Path: s.path, Err: fmt.Errorf("key %x of no target", k)}
		}
		t := s.targets[name]
		if t == nil {
			t = &tstate{}
			s.targets[name] = t
		}
		return t, nil
	}
	c := q.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		tid, _, ok := splitKey(k)
		if !ok {
			return &DamageError{Path: s.path, Err: fmt.Errorf("bad point key %x", k)}
		}
		t, err := state(tid, k)
		if err != nil {
			return err
		}
		if t.points == 0 || !s.opts.SkipCheck {
			enq, _, err := checkPoint(v)
			if err != nil {
				return &DamageError{Path: s.path, Err: fmt.Errorf("target %q, point %x: %w", names[tid], k[tidLen:], err)}
			}
			if t.points == 0 {
				t.head = enq
			}
		}
		t.points++
		t.bytes += int64(len(v))
		s.points++
		s.bytes += int64(len(v))
	}
	return bb.ForEach(func(k, v []byte) error {
		tid, seq, ok := splitKey(k)
		if !ok {
			return &DamageError{Path: s.path, Err: fmt.Errorf("bad batch key %x", k)}
		}
		t, err := state(tid, k)
		if err != nil {
			return err
		}
		br, err := decodeBatch(seq, v)
		if err != nil {
			return &DamageError{Path: s.path, Err: fmt.Errorf("target %q, batch %d: %w", names[tid], seq, err)}
		}
		t.batches = append(t.batches, br)
		return nil
	})
}

// Close stops the spool: it waits for pending Enqueue calls to be committed, then
// closes the file. A running Run or Drain returns ErrClosed. Close is idempotent.
func (s *Spool) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		<-s.stopped
		return s.closeErr
	}
	s.closed = true
	close(s.ops)
	s.closeMu.Unlock()
	<-s.stopped
	s.closeErr = s.db.Close()
	return s.closeErr
}

// Path returns the spool file's path.
func (s *Spool) Path() string { return s.path }

// checkTarget validates a target name.
func checkTarget(target string) error {
	bad := func(reason string) error { return &tago.InputError{Field: "target", Reason: reason} }
	switch {
	case target == "":
		return bad("must not be empty")
	case len(target) > 200:
		return bad(fmt.Sprintf("must be at most 200 bytes, got %d", len(target)))
	case !utf8.ValidString(target):
		return bad("must be valid UTF-8")
	case strings.ContainsFunc(target, unicode.IsControl):
		return bad("must not hold control characters")
	case looksLikeToken(target):
		return bad("looks like a token; name the target by its device ID, serial or another name, since targets are stored and logged in clear")
	}
	return nil
}

// looksLikeToken reports a UUID-shaped string, the shape of TagoIO's tokens.
func looksLikeToken(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Enqueue stores points for target and returns once they are durable: committed to
// the file and synced to disk, so that a crash or power cut after it returns loses
// none of them. Calls from many goroutines share one commit (group commit).
//
// The points are checked exactly as [tago.DataService.Send] checks them
// ([tago.ValidateData]); a bad point fails the call with an error matching
// [tago.ErrInvalidInput] naming it, and nothing is stored. A point without Time gets
// the time it was enqueued. A point's Group is kept; see the package documentation
// for the rule that makes delivery exactly once.
//
// Enqueue fails with a [*FullError] at a bound under RefuseNew, with [ErrDiskFull]
// when the disk is full (nothing stored), and with [ErrClosed] after Close. ctx is
// checked before the points are handed to the commit; once handed over, Enqueue waits
// for the commit's outcome, so that it never returns while the points' fate is open.
func (s *Spool) Enqueue(ctx context.Context, target string, points ...tago.Data) error {
	if len(points) == 0 {
		return checkTarget(target)
	}
	// Counted from here until the points are handed to the writer, which waits a
	// moment for callers on their way rather than commit without them.
	s.arriving.Add(1)
	o, err := s.enqueueOp(target, points)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		s.arriving.Add(-1)
		return err
	}
	s.hookf("enqueue")
	o.arriving = true
	err = s.submit(o)
	if err == nil && o.dropped > 0 {
		s.log.Warn("spool: full; dropped the oldest points to make room", slog.String("target", target),
			slog.Int("dropped", o.dropped), slog.Int("max_points", s.opts.MaxPoints))
	}
	return err
}

// hookf calls the test hook.
func (s *Spool) hookf(event string) {
	if s.opts.hook != nil {
		s.opts.hook(event)
	}
}

// Stats is a snapshot of a spool's contents and counters. The counters count since
// Open.
type Stats struct {
	// Points is how many points the file holds, InFlight how many of them are in
	// batches recorded for sending, and Bytes their stored size.
	Points, InFlight int
	Bytes            int64
	// Oldest is when the oldest queued point was enqueued (zero when empty); Age is
	// how long ago that was.
	Oldest time.Time
	Age    time.Duration
	// Targets describes each target holding points, by name.
	Targets []TargetStats
	// Sent counts points the platform confirmed storing.
	Sent uint64
	// Lookups counts looks on the platform for batches whose fate was unknown (after
	// an ambiguous failure, or found in the file at Open); Found counts points those
	// looks found stored, so they were not sent again; Resent counts points they found
	// missing, which were sent again.
	Lookups, Found, Resent uint64
	// Dropped counts points DropOldest removed to make room; Refused points Enqueue
	// refused at a bound; Rejected points the platform refused for good (OnReject).
	Dropped, Refused, Rejected uint64
}

// TargetStats describes one target's queue.
type TargetStats struct {
	// Target is the target's name.
	Target string
	// Points is how many points it holds; InFlight how many are in recorded batches.
	Points, InFlight int
	// Oldest is when its oldest point was enqueued.
	Oldest time.Time
	// LastError is the last delivery failure since the last success, or "".
	LastError string
	// RetryAt is when delivery is tried again after a failure, or zero.
	RetryAt time.Time
}

// Stats returns a snapshot of the spool's contents and counters.
func (s *Spool) Stats() Stats {
	now := time.Now()
	s.mu.Lock()
	st := s.counts
	st.Points, st.Bytes = s.points, s.bytes
	for name, t := range s.targets {
		if t.points == 0 {
			continue
		}
		ts := TargetStats{Target: name, Points: t.points, InFlight: t.inFlight(), Oldest: t.head, LastError: t.lastErr, RetryAt: t.retryAt}
		st.InFlight += ts.InFlight
		if st.Oldest.IsZero() || t.head.Before(st.Oldest) {
			st.Oldest = t.head
		}
		st.Targets = append(st.Targets, ts)
	}
	s.mu.Unlock()
	slices.SortFunc(st.Targets, func(a, b TargetStats) int { return strings.Compare(a.Target, b.Target) })
	if !st.Oldest.IsZero() {
		st.Age = now.Sub(st.Oldest)
	}
	return st
}

// isDiskFull reports an error that means the file could not grow.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) || errors.Is(err, syscall.EDQUOT) ||
		errors.Is(err, berrors.ErrMaxSizeReached)
}

// Queue is a durable queue of data points per target: [*Spool] keeps it in one file;
// the jetspool package keeps it in a NATS JetStream stream shared by many processes.
// Code that takes a Queue (the Actility bridge, a gateway) works with either.
type Queue interface {
	// Enqueue stores points for target and returns once they are durable.
	Enqueue(ctx context.Context, target string, points ...tago.Data) error
	// Run delivers points until ctx ends or the queue is closed.
	Run(ctx context.Context, route Route) error
	// Drain delivers points until the queue is empty.
	Drain(ctx context.Context, route Route) error
	// Stats returns a snapshot of the queue's contents and counters.
	Stats() Stats
	// Close releases the queue.
	Close() error
}

var _ Queue = (*Spool)(nil)
