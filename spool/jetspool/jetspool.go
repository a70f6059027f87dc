// Package jetspool is the spool over NATS JetStream: the same [spool.Queue] as the
// file spool, kept in one replicated JetStream stream that many processes share, so
// that any of them can enqueue and any of them can deliver. It suits many bridge
// replicas behind a load balancer, or a fleet feeding one ingest service. It lives in
// its own module, so that the core module does not depend on NATS.
//
//	nc, _ := nats.Connect(url)
//	q, err := jetspool.Open(ctx, nc, &jetspool.Options{Replicas: 3})
//	...
//	go q.Run(ctx, route) // in every replica
//	err = q.Enqueue(ctx, "greenhouse", points...)
//
// # How it works
//
// Enqueue publishes one message per call, on the subject <Stream>.p.<target>, and
// returns when JetStream acknowledged it (stored on the stream's replicas). Each
// message has a fresh message ID, so a publish retried after a lost acknowledgement
// is de-duplicated by JetStream rather than stored twice.
//
// A process delivers a target only while it holds the target's lease, a key of the
// <Stream>_LEASE bucket that expires LeaseTTL after its holder last renewed it, so one
// process at a time sends a target's points, in order. The target's progress is a key
// of the <Stream>_HEAD bucket, changed only by compare-and-set: the last stream
// sequence delivered, and the batch being sent: its messages and its group, recorded
// before the request is sent. The group, "js" + the stream's tag + "-" + the batch's
// first sequence, is derived from the stream, so every process derives the same one:
// it is the batch's identity on the platform, as in the file spool. When a process
// dies mid-batch, the next holder of the lease finds the batch recorded and looks on
// the platform ([spool.Lookup]) before sending anything: points found are not sent
// again.
//
// # Guarantees
//
// Those of the file spool (see package spool), with JetStream's durability in place
// of the file's, and one more thing they rely on: a process that stops (a GC pause, a
// frozen VM) for longer than LeaseTTL between its last lease check and its request can
// send a batch that the lease's next holder sends too. The lease is checked right
// before each request and renewed every LeaseTTL/3; keep the SDK's per-request
// timeout well under LeaseTTL.
//
// Stats counts in messages where the file spool counts points: Points is the number of
// Enqueue calls not delivered yet (over the whole stream); the delivery counters count
// points, for this process.
package jetspool

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/spool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Options configure a [Spool]. The zero value (or nil) gives the defaults.
type Options struct {
	// Stream names the JetStream stream; the buckets are <Stream>_HEAD and
	// <Stream>_LEASE. Zero means "TAGO_SPOOL".
	Stream string
	// Replicas is the stream's replication factor. Zero means 1.
	Replicas int
	// MaxBatch is the most points sent in one request, and the most one Enqueue call
	// may hold. Zero means 1000; at most 8000.
	MaxBatch int
	// Concurrency is how many targets this process delivers at once. Zero means 4.
	Concurrency int
	// LeaseTTL is how long a target's lease lasts without renewal. Zero means 30s.
	LeaseTTL time.Duration
	// Poll is how often Run looks for targets with points (it is also woken by new
	// messages). Zero means 1s.
	Poll time.Duration
	// MinBackoff and MaxBackoff bound the wait after a failed attempt. Zeros mean 1s
	// and 5m.
	MinBackoff, MaxBackoff time.Duration
	// Logger receives a line per state change. Nil discards. No line holds a token.
	Logger *slog.Logger
	// OnReject is called with points the platform refused for good; they are removed
	// and counted in Stats.Rejected.
	OnReject func(target string, points []tago.Data, err error)

	hook func(event string) // tests: called at the moments a crash matters
}

func (o Options) withDefaults() Options {
	if o.Stream == "" {
		o.Stream = "TAGO_SPOOL"
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1000
	}
	o.MaxBatch = min(o.MaxBatch, 8000)
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 30 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Spool is a [spool.Queue] kept in a JetStream stream. It is safe for concurrent use;
// any number of processes may open the same stream.
type Spool struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	heads  jetstream.KeyValue
	leases jetstream.KeyValue
	opts   Options
	log    *slog.Logger
	id     string // this process's lease holder ID
	tag    string // the stream's tag, in batch groups

	mu      sync.Mutex
	counts  spool.Stats
	running bool
	closed  bool
	done    chan struct{}
}

var _ spool.Queue = (*Spool)(nil)

// tokens encodes targets as subject tokens and KV keys.
var tokens = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// Open creates (or updates) the stream and its two buckets on nc's JetStream and
// returns the spool. It does not take ownership of nc.
func Open(ctx context.Context, nc *nats.Conn, opts *Options) (*Spool, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o = o.withDefaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetspool: %w", err)
	}
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: o.Stream, Subjects: []string{o.Stream + ".p.*"}, Storage: jetstream.FileStorage,
		Replicas: o.Replicas, Duplicates: 2 * time.Minute, AllowDirect: true,
		Description: "TagoIO data points waiting for delivery (github.com/go-tago/tago/spool/jetspool)",
	})
	if err != nil {
		return nil, fmt.Errorf("jetspool: stream %s: %w", o.Stream, err)
	}
	heads, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: o.Stream + "_HEAD", History: 1,
		Storage: jetstream.FileStorage, Replicas: o.Replicas})
	if err != nil {
		return nil, fmt.Errorf("jetspool: bucket %s_HEAD: %w", o.Stream, err)
	}
	leases, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: o.Stream + "_LEASE", History: 1,
		TTL: o.LeaseTTL, Storage: jetstream.FileStorage, Replicas: o.Replicas})
	if err != nil {
		return nil, fmt.Errorf("jetspool: bucket %s_LEASE: %w", o.Stream, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("jetspool: stream %s: %w", o.Stream, err)
	}
	sum := sha256.Sum256([]byte(o.Stream + "\x00" + info.Created.UTC().Format(time.RFC3339Nano)))
	idb := make([]byte, 8)
	_, _ = rand.Read(idb)
	return &Spool{nc: nc, js: js, stream: st, heads: heads, leases: leases, opts: o, log: o.Logger,
		id: hex.EncodeToString(idb), tag: tokens.EncodeToString(sum[:5]), done: make(chan struct{})}, nil
}

// subject returns the subject of a target's points.
func (s *Spool) subject(target string) string {
	return s.opts.Stream + ".p." + tokens.EncodeToString([]byte(target))
}

// targetOf decodes a points subject back to its target.
func (s *Spool) targetOf(subject string) (string, bool) {
	tok, ok := strings.CutPrefix(subject, s.opts.Stream+".p.")
	if !ok {
		return "", false
	}
	b, err := tokens.DecodeString(tok)
	return string(b), err == nil
}

// Enqueue stores points for target as one message and returns once JetStream
// acknowledged it. The points are checked exactly as Send checks them; a call holds at
// most MaxBatch points. A publish whose acknowledgement is lost is retried with the
// same message ID, which JetStream de-duplicates.
func (s *Spool) Enqueue(ctx context.Context, target string, points ...tago.Data) error {
	if err := spool.CheckTarget(target); err != nil {
		return err
	}
	if len(points) == 0 {
		return nil
	}
	if len(points) > s.opts.MaxBatch {
		return &tago.InputError{Field: "points", Reason: fmt.Sprintf("at most %d points per call (MaxBatch), got %d", s.opts.MaxBatch, len(points))}
	}
	body, err := spool.MarshalPoints(points, time.Now())
	if err != nil {
		return err
	}
	if s.isClosed() {
		return spool.ErrClosed
	}
	idb := make([]byte, 12)
	_, _ = rand.Read(idb)
	msgID := hex.EncodeToString(idb)
	for attempt := 1; ; attempt++ {
		_, err = s.js.Publish(ctx, s.subject(target), body, jetstream.WithMsgID(msgID))
		if err == nil || attempt == 3 || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoStreamResponse) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("jetspool: enqueue: %w", err)
	}
	return nil
}

func (s *Spool) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Stats returns the stream's pending messages per target and this process's delivery
// counters. Points counts messages (Enqueue calls), over the whole stream.
func (s *Spool) Stats() spool.Stats {
	s.mu.Lock()
	st := s.counts
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	info, err := s.subjects(ctx)
	if err != nil {
		return st
	}
	for subj, n := range info.State.Subjects {
		if t, ok := s.targetOf(subj); ok && n > 0 {
			st.Targets = append(st.Targets, spool.TargetStats{Target: t, Points: int(n)})
			st.Points += int(n)
		}
	}
	st.Bytes = int64(info.State.Bytes)
	if info.State.Msgs > 0 {
		st.Oldest = info.State.FirstTime
		st.Age = time.Since(st.Oldest)
	}
	slices.SortFunc(st.Targets, func(a, b spool.TargetStats) int { return strings.Compare(a.Target, b.Target) })
	return st
}

// Close stops Run and Drain (they return spool.ErrClosed) and refuses further
// Enqueue calls. The connection stays open; the stream keeps every point.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	return nil
}

// Run delivers points of every target this process can lease until ctx ends or the
// spool is closed. See package spool for the delivery rules.
func (s *Spool) Run(ctx context.Context, route spool.Route) error { return s.run(ctx, route, false) }

// Drain is Run that returns nil once the stream holds no point (delivered by this
// process or another).
func (s *Spool) Drain(ctx context.Context, route spool.Route) error { return s.run(ctx, route, true) }

func (s *Spool) run(ctx context.Context, route spool.Route, untilEmpty bool) error {
	if route == nil {
		return &tago.InputError{Field: "route", Reason: "must not be nil"}
	}
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return spool.ErrClosed
	case s.running:
		s.mu.Unlock()
		return spool.ErrRunning
	}
	s.running = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
	}()

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wake := make(chan struct{}, 1)
	sub, err := s.nc.Subscribe(s.opts.Stream+".p.*", func(*nats.Msg) {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	if err == nil {
		defer func() { _ = sub.Unsubscribe() }()
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	active := map[string]bool{}
	stop := func(err error) error {
		cancel()
		wg.Wait()
		return err
	}
	ticker := time.NewTicker(s.opts.Poll)
	defer ticker.Stop()
	for {
		info, err := s.subjects(wctx)
		if err == nil {
			mu.Lock()
			pending := 0
			for subj, n := range info.State.Subjects {
				t, ok := s.targetOf(subj)
				if !ok || n == 0 {
					continue
				}
				pending++
				if active[t] || len(active) >= s.opts.Concurrency {
					continue
				}
				active[t] = true
				wg.Add(1)
				go func() {
					defer wg.Done()
					w := &worker{s: s, target: t, route: route, known: map[string][]tago.Data{}}
					w.run(wctx)
					mu.Lock()
					delete(active, t)
					mu.Unlock()
					select {
					case wake <- struct{}{}:
					default:
					}
				}()
			}
			idle := len(active) == 0
			mu.Unlock()
			if untilEmpty && pending == 0 && idle {
				return stop(nil)
			}
		} else if ctx.Err() == nil {
			s.log.Warn("jetspool: reading the stream failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return stop(ctx.Err())
		case <-s.done:
			return stop(spool.ErrClosed)
		case <-ticker.C:
		case <-wake:
		}
	}
}

// subjects returns the stream's state with the message count of every points
// subject. It uses a stream handle of its own: nats.go's Info updates the handle it is
// called on, which the workers' reads use concurrently.
func (s *Spool) subjects(ctx context.Context) (*jetstream.StreamInfo, error) {
	st, err := s.js.Stream(ctx, s.opts.Stream)
	if err != nil {
		return nil, err
	}
	return st.Info(ctx, jetstream.WithSubjectFilter(s.opts.Stream+".p.*"))
}

// head is a target's progress, the value of its <Stream>_HEAD key.
type head struct {
	// Through is the last stream sequence delivered.
	Through uint64 `json:"through"`
	// Batch is the batch being sent, if any.
	Batch *batch `json:"batch,omitempty"`
}

// batch is a recorded batch: the target's messages First..Last, N points, sent under
// Group.
type batch struct {
	First uint64 `json:"first"`
	Last  uint64 `json:"last"`
	N     int    `json:"n"`
	Group string `json:"group"`
}

// worker delivers one target while it holds the target's lease.
type worker struct {
	s        *Spool
	target   string
	route    spool.Route
	key      string
	known    map[string][]tago.Data // batches recorded here, certainly not stored: points to send
	failures int
	renewed  atomic.Int64 // UnixNano of the last lease renewal
}

// run takes the lease, delivers, and gives the lease back.
func (w *worker) run(ctx context.Context) {
	s := w.s
	w.key = tokens.EncodeToString([]byte(w.target))
	rev, err := s.leases.Create(ctx, w.key, []byte(s.id))
	if err != nil {
		return // leased by another process, or NATS is unreachable: the next poll retries
	}
	w.renewed.Store(time.Now().UnixNano())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var renewing sync.WaitGroup
	renewing.Add(1)
	var lastRev atomic.Uint64
	lastRev.Store(rev)
	go func() {
		defer renewing.Done()
		t := time.NewTicker(s.opts.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			r, err := s.leases.Update(ctx, w.key, []byte(s.id), lastRev.Load())
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("jetspool: lease lost", slog.String("target", w.target), slog.String("error", err.Error()))
				}
				cancel()
				return
			}
			lastRev.Store(r)
			w.renewed.Store(time.Now().UnixNano())
		}
	}()
	for ctx.Err() == nil {
		more, err := w.step(ctx)
		if errors.Is(err, errLostRace) {
			break // another process holds the target now
		}
		if err != nil && ctx.Err() == nil {
			w.wait(ctx, err, retryAfter(err))
		}
		if !more && err == nil {
			break
		}
	}
	cancel()
	renewing.Wait()
	// Give the lease back, unless it changed hands.
	dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer dcancel()
	_ = s.leases.Delete(dctx, w.key, jetstream.LastRevision(lastRev.Load()))
}

// leaseFresh reports whether the lease was renewed recently enough to send.
func (w *worker) leaseFresh() bool {
	return time.Since(time.Unix(0, w.renewed.Load())) < w.s.opts.LeaseTTL/2
}

// getHead reads the target's progress and its revision (0: none yet).
func (w *worker) getHead(ctx context.Context) (head, uint64, error) {
	e, err := w.s.heads.Get(ctx, w.key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return head{}, 0, nil
	}
	if err != nil {
		return head{}, 0, err
	}
	var h head
	if err := json.Unmarshal(e.Value(), &h); err != nil {
		return head{}, 0, fmt.Errorf("jetspool: head of %q damaged: %w", w.target, err)
	}
	return h, e.Revision(), nil
}

// putHead writes the target's progress if it is still at revision rev.
func (w *worker) putHead(ctx context.Context, h head, rev uint64) error {
	b, _ := json.Marshal(h)
	var err error
	if rev == 0 {
		_, err = w.s.heads.Create(ctx, w.key, b)
	} else {
		_, err = w.s.heads.Update(ctx, w.key, b, rev)
	}
	return err
}

// errLostRace is a head that changed under us: another process holds the target.
var errLostRace = errors.New("jetspool: the target's progress changed under this process")

// step does one thing for the target: look up, send or record a batch. more is false
// when the target has nothing left.
func (w *worker) step(ctx context.Context) (more bool, err error) {
	h, rev, err := w.getHead(ctx)
	if err != nil {
		return true, err
	}
	if h.Batch == nil {
		return w.record(ctx, h, rev)
	}
	b := *h.Batch
	pts, ok := w.known[b.Group]
	if !ok {
		return true, w.look(ctx, h, rev)
	}
	return true, w.send(ctx, h, rev, pts)
}

// record forms the next batch from the messages after h.Through and records it.
func (w *worker) record(ctx context.Context, h head, rev uint64) (bool, error) {
	s := w.s
	subj := s.subject(w.target)
	through := h.Through
	var pts []tago.Data
	b := batch{}
	size := 2
	for next := h.Through + 1; ; {
		m, err := s.stream.GetMsg(ctx, next, jetstream.WithGetMsgSubject(subj))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return true, err
		}
		p, n, err := spool.UnmarshalPoints(m.Data)
		if err != nil {
			// A damaged message: skip it for good, and say so.
			s.log.Error("jetspool: damaged message skipped", slog.String("target", w.target), slog.Uint64("seq", m.Sequence))
			if b.N == 0 {
				h.Through = m.Sequence
				next = m.Sequence + 1
				s.mu.Lock()
				s.counts.Rejected++
				s.mu.Unlock()
				continue
			}
			break
		}
		if b.N > 0 && (b.N+len(p) > s.opts.MaxBatch || size+n > spool.MaxBatchBytes) {
			break
		}
		if b.N == 0 {
			b.First = m.Sequence
		}
		b.Last, b.N = m.Sequence, b.N+len(p)
		size += n
		pts = append(pts, p...)
		next = m.Sequence + 1
	}
	if b.N == 0 {
		if h.Through != through { // skipped damaged messages
			if err := w.putHead(ctx, h, rev); err != nil {
				return false, errLostRace
			}
		}
		if h.Through > 0 {
			// Delivered messages whose purge failed earlier go now.
			_ = s.stream.Purge(ctx, jetstream.WithPurgeSubject(subj), jetstream.WithPurgeSequence(h.Through+1))
		}
		return false, nil
	}
	b.Group = "js" + s.tag + "-" + strconv.FormatUint(b.First, 36)
	h.Batch = &b
	if err := w.putHead(ctx, h, rev); err != nil {
		return false, errLostRace
	}
	w.known[b.Group] = pts
	w.hookf("recorded")
	return true, nil
}

// look settles a recorded batch this process did not record (or whose send had an
// unknown outcome): the points found on the platform are not sent again.
func (w *worker) look(ctx context.Context, h head, rev uint64) error {
	b := *h.Batch
	pts, err := w.read(ctx, b)
	if err != nil {
		return err
	}
	ds, err := w.service(ctx)
	if err != nil {
		return err
	}
	stored, err := spool.Lookup(ctx, ds, b.Group, pts)
	if err != nil {
		return err
	}
	var missing []tago.Data
	for i, ok := range stored {
		if !ok {
			missing = append(missing, pts[i])
		}
	}
	w.s.mu.Lock()
	w.s.counts.Lookups++
	w.s.counts.Found += uint64(len(pts) - len(missing))
	w.s.counts.Resent += uint64(len(missing))
	w.s.mu.Unlock()
	w.s.log.Info("jetspool: looked up a batch of unknown outcome", slog.String("target", w.target), slog.String("batch", b.Group),
		slog.Int("points", len(pts)), slog.Int("found", len(pts)-len(missing)))
	if len(missing) == 0 {
		return w.settle(ctx, h, rev, 0)
	}
	// The missing points go out under the same group: the look matches by content.
	w.known[b.Group] = missing
	return nil
}

// read returns the points of a recorded batch's messages.
func (w *worker) read(ctx context.Context, b batch) ([]tago.Data, error) {
	subj := w.s.subject(w.target)
	var pts []tago.Data
	for next := b.First; next <= b.Last; {
		m, err := w.s.stream.GetMsg(ctx, next, jetstream.WithGetMsgSubject(subj))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		if m.Sequence > b.Last {
			break
		}
		p, _, err := spool.UnmarshalPoints(m.Data)
		if err == nil {
			pts = append(pts, p...)
		}
		next = m.Sequence + 1
	}
	return pts, nil
}

// send sends a recorded batch's points and settles the outcome.
func (w *worker) send(ctx context.Context, h head, rev uint64, pts []tago.Data) error {
	b := *h.Batch
	ds, err := w.service(ctx)
	if err != nil {
		return err
	}
	if !w.leaseFresh() {
		return errors.New("jetspool: the lease was not renewed in time; not sending")
	}
	w.hookf("sending")
	_, err = ds.Send(ctx, spool.WithGroup(pts, b.Group)...)
	if err == nil {
		w.hookf("sent")
		w.failures = 0
		delete(w.known, b.Group)
		return w.settle(ctx, h, rev, len(pts))
	}
	if tago.MayBeStored(err) {
		delete(w.known, b.Group) // look before sending again
		w.s.log.Warn("jetspool: send failed, outcome unknown; will look before resending", slog.String("target", w.target),
			slog.String("batch", b.Group), slog.String("error", err.Error()))
		return err
	}
	var apiErr *tago.APIError
	if errors.Is(err, tago.ErrInvalidInput) || errors.As(err, &apiErr) && (apiErr.HTTPStatus == http.StatusBadRequest ||
		apiErr.HTTPStatus == http.StatusUnprocessableEntity || apiErr.HTTPStatus == http.StatusRequestEntityTooLarge) {
		delete(w.known, b.Group)
		w.s.log.Error("jetspool: batch rejected by the platform and removed", slog.String("target", w.target),
			slog.String("batch", b.Group), slog.Int("points", len(pts)), slog.String("error", err.Error()))
		if err := w.settle(ctx, h, rev, 0); err != nil {
			return err
		}
		w.s.mu.Lock()
		w.s.counts.Rejected += uint64(len(pts))
		w.s.mu.Unlock()
		if w.s.opts.OnReject != nil {
			w.s.opts.OnReject(w.target, pts, err)
		}
		return nil
	}
	w.s.log.Warn("jetspool: send failed", slog.String("target", w.target), slog.String("batch", b.Group), slog.String("error", err.Error()))
	return err
}

// settle marks h's batch delivered (sent points counted) and purges its messages.
func (w *worker) settle(ctx context.Context, h head, rev uint64, sent int) error {
	last := h.Batch.Last
	if err := w.putHead(ctx, head{Through: last}, rev); err != nil {
		return errLostRace
	}
	w.s.mu.Lock()
	w.s.counts.Sent += uint64(sent)
	w.s.mu.Unlock()
	// Delivered messages go; a purge that fails is done by the next settle.
	_ = w.s.stream.Purge(ctx, jetstream.WithPurgeSubject(w.s.subject(w.target)), jetstream.WithPurgeSequence(last+1))
	return nil
}

// service asks the route for the target's data service.
func (w *worker) service(ctx context.Context) (*tago.DataService, error) {
	ds, err := w.route(ctx, w.target)
	if err == nil && ds == nil {
		err = fmt.Errorf("jetspool: the route gave no data service for target %q", w.target)
	}
	return ds, err
}

// wait pauses after a failure, for retryAfter or a doubling backoff.
func (w *worker) wait(ctx context.Context, err error, retryAfter time.Duration) {
	if errors.Is(err, errLostRace) {
		return
	}
	w.failures++
	d := retryAfter
	if d <= 0 {
		d = w.s.opts.MinBackoff
		for i := 1; i < w.failures && d < w.s.opts.MaxBackoff; i++ {
			d *= 2
		}
		d = min(d, w.s.opts.MaxBackoff)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// retryAfter returns the platform's Retry-After carried by err.
func retryAfter(err error) time.Duration {
	var apiErr *tago.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatus == http.StatusTooManyRequests {
		return apiErr.RetryAfter
	}
	return 0
}

func (w *worker) hookf(event string) {
	if w.s.opts.hook != nil {
		w.s.opts.hook(event)
	}
}
