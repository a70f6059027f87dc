package analysis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-tago/tago"
)

// Defaults of [ConsoleOptions].
const (
	// DefaultFlushInterval is how long a console line may wait to be sent with others.
	DefaultFlushInterval = 250 * time.Millisecond
	// DefaultBatchLines is the most lines one console message carries.
	DefaultBatchLines = 200
	// DefaultBatchBytes is the most bytes one console message carries.
	DefaultBatchBytes = 32 << 10
	// DefaultMaxBuffered is how many bytes of lines the console holds while they wait
	// to be sent.
	DefaultMaxBuffered = 16 << 20
	// DefaultBlockTimeout is the longest a log call waits for room when the buffer is
	// full.
	DefaultBlockTimeout = 5 * time.Second
)

// ConsoleOptions tune a [Console]. The zero value (or nil) gives the defaults.
type ConsoleOptions struct {
	// Level is the minimum level written (default slog.LevelInfo).
	Level slog.Leveler
	// FlushInterval is how long a line may wait to be sent with others (default
	// [DefaultFlushInterval]).
	FlushInterval time.Duration
	// BatchLines and BatchBytes bound one console message (defaults
	// [DefaultBatchLines], [DefaultBatchBytes]).
	BatchLines int
	BatchBytes int
	// MaxBuffered bounds the lines waiting to be sent, in bytes (default
	// [DefaultMaxBuffered]).
	MaxBuffered int
	// BlockTimeout is the longest a log call waits for room when MaxBuffered is
	// reached (default [DefaultBlockTimeout]); after it the line is dropped and
	// counted.
	BlockTimeout time.Duration
	// Retries is how many times a console message the platform failed to take is sent
	// again before its lines count as failed (default 3). A message that failed after
	// the platform may have stored it can then appear twice.
	Retries int
}

// ConsoleStats counts what a [Console] did.
type ConsoleStats struct {
	// Lines is how many lines were logged; Sent how many the platform took, in Batches
	// messages.
	Lines, Sent, Batches int
	// Blocked is how many log calls had to wait for room in the buffer.
	Blocked int
	// Dropped is how many lines were discarded because the buffer stayed full for
	// BlockTimeout; Failed how many the platform kept refusing.
	Dropped, Failed int
}

// Console is an [slog.Handler] that writes to an analysis's console through the
// platform's console service, so slog works inside an analysis. A line is one log call:
// the message, then its attributes as key=value; levels other than INFO come first
// ("ERROR disk full"). Lines are sent in order, in batches (one console message holds
// several lines, joined by line breaks), by one goroutine, so a burst costs a handful
// of requests.
//
// A log call never waits for the network: it appends its line to a buffer and returns.
// Only when MaxBuffered bytes are waiting (the platform is down or slow for a long
// while) does it wait for room, for at most BlockTimeout; a line that still finds no
// room is dropped and counted ([ConsoleStats].Dropped), and the console says so as soon
// as it can. Call [Console.Close] (or [Console.Flush]) before the program ends.
type Console struct {
	s      *consoleSink
	level  slog.Leveler
	prefix string // pre-formatted attributes from WithAttrs
	group  string // key prefix from WithGroup, "a.b."
}

// consoleSink is what every Console derived with WithAttrs or WithGroup shares.
type consoleSink struct {
	send  func(ctx context.Context, message string, at time.Time) error // nil: write synchronously
	write func(level slog.Level, line string)
	// sendCtx bounds the sender's requests; abort ends them when Close gives up waiting.
	sendCtx context.Context
	abort   context.CancelFunc

	opts     ConsoleOptions
	mu       sync.Mutex
	room     *sync.Cond // signalled when lines leave the buffer
	pending  []pendingLine
	bytes    int
	stats    ConsoleStats
	unsent   int // lines dropped or failed and not yet reported
	closed   bool
	kick     chan struct{} // wakes the sender
	done     chan struct{} // closed when the sender has returned
	flushReq chan chan struct{}
}

type pendingLine struct {
	text string
	at   time.Time
	note bool // the console's own report of lost lines, not a logged line
}

// NewConsole returns a console handler for the analysis whose token c carries (an
// analysis token, see [tago.AnalysisToken]). It starts one goroutine, which
// [Console.Close] ends.
func NewConsole(c *tago.Client, opts *ConsoleOptions) *Console {
	s := newSink(opts)
	s.send = c.Services.Log
	s.sendCtx, s.abort = context.WithCancel(context.Background())
	s.kick, s.done, s.flushReq = make(chan struct{}, 1), make(chan struct{}), make(chan chan struct{})
	go s.run()
	return &Console{s: s, level: s.opts.Level}
}

// newWriterConsole returns a console handler that writes each line at once to out, or
// to errOut for errors: how the platform's own runtimes and TagoCore read an analysis's
// console (each write of stdout or stderr becomes a console entry).
func newWriterConsole(out, errOut io.Writer, opts *ConsoleOptions) *Console {
	s := newSink(opts)
	var mu sync.Mutex
	s.write = func(level slog.Level, line string) {
		w := out
		if level >= slog.LevelError {
			w = errOut
		}
		mu.Lock()
		_, _ = io.WriteString(w, line+"\n")
		mu.Unlock()
	}
	return &Console{s: s, level: s.opts.Level}
}

func newSink(opts *ConsoleOptions) *consoleSink {
	var o ConsoleOptions
	if opts != nil {
		o = *opts
	}
	if o.Level == nil {
		o.Level = slog.LevelInfo
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.BatchLines <= 0 {
		o.BatchLines = DefaultBatchLines
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = DefaultBatchBytes
	}
	if o.MaxBuffered <= 0 {
		o.MaxBuffered = DefaultMaxBuffered
	}
	if o.BlockTimeout <= 0 {
		o.BlockTimeout = DefaultBlockTimeout
	}
	if o.Retries == 0 {
		o.Retries = 3
	}
	s := &consoleSink{opts: o}
	s.room = sync.NewCond(&s.mu)
	return s
}

// Enabled reports whether level is at or above the console's level.
func (h *Console) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

// Handle formats the record as one line and queues it.
func (h *Console) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	if r.Level != slog.LevelInfo {
		b.WriteString(r.Level.String())
		b.WriteByte(' ')
	}
	b.WriteString(r.Message)
	b.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		appendAttr(&b, h.group, a)
		return true
	})
	at := r.Time
	if at.IsZero() {
		at = time.Now()
	}
	return h.s.add(r.Level, b.String(), at)
}

// WithAttrs returns a handler that adds attrs to every line.
func (h *Console) WithAttrs(attrs []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.prefix)
	for _, a := range attrs {
		appendAttr(&b, h.group, a)
	}
	c := *h
	c.prefix = b.String()
	return &c
}

// WithGroup returns a handler that qualifies later attribute keys with name.
func (h *Console) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.group += name + "."
	return &c
}

// appendAttr writes " key=value", quoting values with spaces or quotes.
func appendAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			appendAttr(b, g, ga)
		}
		return
	}
	b.WriteByte(' ')
	b.WriteString(group)
	b.WriteString(a.Key)
	b.WriteByte('=')
	v := a.Value.String()
	if v == "" || strings.ContainsAny(v, " \"=\n\r\t") || !utf8.ValidString(v) {
		v = strconv.Quote(v)
	}
	b.WriteString(v)
}

// add queues a line, waiting for room for at most BlockTimeout when the buffer is full.
func (s *consoleSink) add(level slog.Level, line string, at time.Time) error {
	if s.write != nil {
		s.mu.Lock()
		s.stats.Lines++
		s.stats.Sent++
		s.mu.Unlock()
		s.write(level, line)
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Lines++
	if s.closed {
		s.stats.Dropped++
		return errors.New("analysis: console closed")
	}
	if s.bytes+len(line) > s.opts.MaxBuffered && len(s.pending) > 0 {
		s.stats.Blocked++
		deadline := time.Now().Add(s.opts.BlockTimeout)
		stop := time.AfterFunc(s.opts.BlockTimeout, func() { s.mu.Lock(); s.room.Broadcast(); s.mu.Unlock() })
		for s.bytes+len(line) > s.opts.MaxBuffered && len(s.pending) > 0 && !s.closed && time.Now().Before(deadline) {
			s.room.Wait()
		}
		stop.Stop()
		if s.bytes+len(line) > s.opts.MaxBuffered && len(s.pending) > 0 {
			s.stats.Dropped++
			s.unsent++
			return nil // counted; the console reports the loss
		}
	}
	s.pending = append(s.pending, pendingLine{text: line, at: at})
	s.bytes += len(line)
	if len(s.pending) >= s.opts.BatchLines || s.bytes >= s.opts.BatchBytes {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// run is the sender: it sends a batch when one is full, when FlushInterval passed
// since the first waiting line, on Flush and on Close.
func (s *consoleSink) run() {
	defer close(s.done)
	timer := time.NewTimer(s.opts.FlushInterval)
	defer timer.Stop()
	var flushed []chan struct{}
	for {
		select {
		case <-s.kick:
		case <-timer.C:
		case ch := <-s.flushReq:
			flushed = append(flushed, ch)
		}
		s.mu.Lock()
		closing := s.closed
		s.mu.Unlock()
		for s.sendBatch() {
		}
		for _, ch := range flushed {
			close(ch)
		}
		flushed = flushed[:0]
		if closing {
			return
		}
		timer.Reset(s.opts.FlushInterval)
	}
}

// sendBatch sends the oldest waiting lines as one message; it reports whether it sent
// anything.
func (s *consoleSink) sendBatch() bool {
	s.mu.Lock()
	if s.unsent > 0 {
		note := pendingLine{fmt.Sprintf("WARN tago: %d console lines were lost (buffer full or console service failing)", s.unsent), time.Now(), true}
		s.pending = append([]pendingLine{note}, s.pending...)
		s.bytes += len(note.text)
		s.unsent = 0
	}
	n, size := 0, 0
	for n < len(s.pending) && n < s.opts.BatchLines && (n == 0 || size+len(s.pending[n].text)+1 <= s.opts.BatchBytes) {
		size += len(s.pending[n].text) + 1
		n++
	}
	batch := s.pending[:n:n]
	s.mu.Unlock()
	if n == 0 {
		return false
	}
	texts := make([]string, n)
	lines := 0
	for i, l := range batch {
		texts[i] = l.text
		if !l.note {
			lines++
		}
	}
	msg := strings.Join(texts, "\n")
	var err error
	for attempt := 0; attempt <= s.opts.Retries; attempt++ {
		ctx, cancel := context.WithTimeout(s.sendCtx, 30*time.Second)
		err = s.send(ctx, msg, batch[0].at)
		cancel()
		if err == nil || errors.Is(err, tago.ErrInvalidInput) || errors.Is(err, tago.ErrTokenKind) || s.sendCtx.Err() != nil {
			break
		}
		select { // a short pause before sending the batch again
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		case <-s.sendCtx.Done():
		}
	}
	s.mu.Lock()
	s.pending = s.pending[n:]
	s.bytes -= size - n
	if err == nil {
		s.stats.Sent += lines
		s.stats.Batches++
	} else {
		s.stats.Failed += lines
		s.unsent += lines
	}
	s.room.Broadcast()
	s.mu.Unlock()
	return true
}

// Flush sends every line logged so far and waits until the platform took them or ctx
// ends.
func (h *Console) Flush(ctx context.Context) error {
	s := h.s
	if s.write != nil {
		return nil
	}
	ch := make(chan struct{})
	select {
	case s.flushReq <- ch:
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ch:
		return nil
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close sends what is waiting and stops the console's goroutine. When ctx ends first,
// the requests in flight are abandoned, the lines still waiting count as failed, and
// Close returns ctx's error once the goroutine has stopped. Lines logged after Close are
// dropped.
func (h *Console) Close(ctx context.Context) error {
	s := h.s
	if s.write != nil {
		return nil
	}
	s.mu.Lock()
	s.closed = true
	s.room.Broadcast()
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
	select {
	case <-s.done:
		s.abort()
		return nil
	case <-ctx.Done():
		s.abort()
		<-s.done // the sender gives up at once: its requests end with sendCtx
		return ctx.Err()
	}
}

// Stats reports what the console did so far.
func (h *Console) Stats() ConsoleStats {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.s.stats
}
