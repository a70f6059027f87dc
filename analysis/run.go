package analysis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-tago/tago"
)

// Handler runs the analysis once for one trigger. Its error is written to the console
// (and, in one-shot mode, becomes the program's exit status).
type Handler func(ctx context.Context, t *Trigger) error

// Defaults of the runtime.
const (
	// DefaultConcurrency is how many runs an external analysis handles at once.
	DefaultConcurrency = 8
	// DefaultRunTimeout bounds one run, as the platform bounds the runs of its own
	// runtimes (TagoCore stops an analysis after 60 seconds).
	DefaultRunTimeout = time.Minute
)

// ErrPanic matches the error of a run whose handler panicked.
var ErrPanic = errors.New("analysis: the handler panicked")

// Option configures [Run].
type Option func(*config)

type config struct {
	concurrency int
	runTimeout  time.Duration
	clientOpts  []tago.Option
	logger      *slog.Logger
	lookupEnv   func(string) (string, bool)
	stdout      io.Writer
	stderr      io.Writer
	console     *ConsoleOptions
	subscribe   *tago.SubscribeOptions
	ready       func(info tago.AnalysisTokenInfo)
}

// WithConcurrency sets how many runs an external analysis handles at once (default
// [DefaultConcurrency]); further triggers wait, in order. 1 runs them one by one.
func WithConcurrency(n int) Option { return func(c *config) { c.concurrency = n } }

// WithRunTimeout bounds each run (default [DefaultRunTimeout]): the handler's context
// ends after d. Zero or less means no bound.
func WithRunTimeout(d time.Duration) Option { return func(c *config) { c.runTimeout = d } }

// WithClientOptions passes options to the clients the runtime creates, such as
// tago.WithRegion or tago.WithBaseURL; they apply after what the environment says
// (TAGOIO_API, TAGOIO_SSE).
func WithClientOptions(opts ...tago.Option) Option {
	return func(c *config) { c.clientOpts = append(c.clientOpts, opts...) }
}

// WithLogger receives the runtime's own messages (connected, reconnecting, a run that
// failed); by default they go to standard error as text.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithLookupEnv replaces os.LookupEnv for reading the platform's variables, for tests.
func WithLookupEnv(f func(key string) (string, bool)) Option {
	return func(c *config) { c.lookupEnv = f }
}

// WithOutput replaces standard output and standard error, where a one-shot run writes
// its console.
func WithOutput(stdout, stderr io.Writer) Option {
	return func(c *config) { c.stdout, c.stderr = stdout, stderr }
}

// WithConsoleOptions tunes the console handler of each run (see [ConsoleOptions]).
func WithConsoleOptions(o *ConsoleOptions) Option { return func(c *config) { c.console = o } }

// WithSubscribeOptions tunes the external analysis's subscription to its triggers
// (read timeout, reconnection delays); its callbacks are kept.
func WithSubscribeOptions(o *tago.SubscribeOptions) Option {
	return func(c *config) { c.subscribe = o }
}

// WithReady is called once an external analysis has checked its token and is about to
// wait for triggers.
func WithReady(f func(info tago.AnalysisTokenInfo)) Option { return func(c *config) { c.ready = f } }

// Run runs h as a TagoIO analysis, in the mode the environment calls for:
//
//   - One-shot, when T_ANALYSIS_CONTEXT is set: the platform (or TagoCore) started the
//     program for one run. The trigger comes from T_ANALYSIS_ID, T_ANALYSIS_ENV (a
//     JSON list of {key, value}), T_ANALYSIS_DATA (the scope, JSON; unset means
//     none), T_ANALYSIS_TOKEN (empty under TagoCore: the client is then anonymous) and
//     the API base URL from TAGOIO_API (or TAGO_API); tok is not used. The console is
//     standard output, errors going to standard error, which the platform and TagoCore
//     show as the analysis's console. Run returns h's error.
//   - External otherwise: tok must be the analysis's token ([tago.AnalysisToken]). Run
//     checks with GET /info that the analysis exists, is active and is set to run
//     external, subscribes to its analysis_trigger channel and runs h for each
//     trigger, at most WithConcurrency at once, each bounded by WithRunTimeout, with a
//     client authorised with the trigger's analysis token and a [Console] logger. A
//     handler's error or panic is written to the console and the next trigger runs. Run
//     returns nil when ctx ends, after the runs in progress have returned and their
//     consoles were flushed, or the error that ended the subscription.
func Run(ctx context.Context, tok tago.Token, h Handler, opts ...Option) error {
	if ctx == nil || h == nil {
		return errors.New("analysis: Run needs a context and a handler")
	}
	c := config{concurrency: DefaultConcurrency, runTimeout: DefaultRunTimeout, lookupEnv: os.LookupEnv,
		stdout: os.Stdout, stderr: os.Stderr}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.concurrency <= 0 {
		return fmt.Errorf("analysis: concurrency must be positive, got %d", c.concurrency)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.NewTextHandler(c.stderr, nil))
	}
	if v, _ := c.lookupEnv("T_ANALYSIS_CONTEXT"); v != "" {
		return runOnce(ctx, &c, h)
	}
	return runExternal(ctx, &c, tok, h)
}

// Main runs h with [Run] until SIGINT or SIGTERM and exits: status 0 when Run returned
// nil, 1 otherwise, after printing the error to standard error unless it is a one-shot
// run's, which the console shows already. It is what a main function calls.
func Main(tok tago.Token, h Handler, opts ...Option) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, tok, h, opts...)
	stop()
	var failed handlerError
	switch {
	case errors.As(err, &failed):
		os.Exit(1) // the console shows why
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// envClientOptions returns the client options the environment sets: the API base URL
// from TAGOIO_API (or TAGO_API) and the realtime URL from TAGOIO_SSE.
func (c *config) envClientOptions() []tago.Option {
	var opts []tago.Option
	api, ok := c.lookupEnv("TAGOIO_API")
	if !ok || api == "" {
		api, _ = c.lookupEnv("TAGO_API")
	}
	if api != "" {
		opts = append(opts, tago.WithBaseURL(api))
	}
	if sse, _ := c.lookupEnv("TAGOIO_SSE"); sse != "" {
		opts = append(opts, tago.WithRealtimeURL(sse))
	}
	return append(opts, c.clientOpts...)
}

// runOnce is the one-shot mode.
func runOnce(ctx context.Context, c *config, h Handler) error {
	env := func(k string) string { v, _ := c.lookupEnv(k); return v }
	tok := tago.Anonymous()
	if v := strings.TrimSpace(env("T_ANALYSIS_TOKEN")); v != "" {
		tok = tago.AnalysisToken(v)
	}
	client, err := tago.NewClient(tok, c.envClientOptions()...)
	if err != nil {
		return fmt.Errorf("analysis: %w", err)
	}
	vars, err := decodeEnv(env("T_ANALYSIS_ENV"))
	if err != nil {
		return err
	}
	t, err := newTrigger(env("T_ANALYSIS_ID"), vars, []byte(env("T_ANALYSIS_DATA")))
	if err != nil {
		return err
	}
	console := newWriterConsole(c.stdout, c.stderr, c.console)
	t.Client, t.Log, t.Mode = client, slog.New(console), OneShot
	if err := runHandler(ctx, c, h, t); err != nil {
		return handlerError{err} // on the console already
	}
	return nil
}

// handlerError is a one-shot run's failure, which the console already shows.
type handlerError struct{ err error }

func (e handlerError) Error() string { return e.err.Error() }
func (e handlerError) Unwrap() error { return e.err }

// runHandler runs h once under the run timeout, turning a panic into an error that the
// console shows with its stack.
func runHandler(ctx context.Context, c *config, h Handler, t *Trigger) (err error) {
	if c.runTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.runTimeout)
		defer cancel()
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrPanic, p)
			t.Log.Error(fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
		}
	}()
	err = h(ctx, t)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) && c.runTimeout > 0 {
			t.Log.Error(fmt.Sprintf("the run took longer than %v: %v", c.runTimeout, err))
		} else {
			t.Log.Error(err.Error())
		}
	}
	return err
}

// runExternal is the external mode.
func runExternal(ctx context.Context, c *config, tok tago.Token, h Handler) error {
	if tok.Kind() != tago.KindAnalysis {
		return fmt.Errorf("analysis: an external analysis needs its analysis token (tago.AnalysisToken), got %v", tok)
	}
	copts := c.envClientOptions()
	client, err := tago.NewClient(tok, copts...)
	if err != nil {
		return fmt.Errorf("analysis: %w", err)
	}
	info, err := client.Services.Current(ctx)
	if err != nil {
		return fmt.Errorf("analysis: checking the analysis token: %w", err)
	}
	switch {
	case !info.Active:
		return fmt.Errorf("analysis: analysis %q is not active", info.Name)
	case info.RunOn != "" && info.RunOn != tago.RunOnExternal:
		return fmt.Errorf("analysis: analysis %q runs on %q, not \"external\"; set it to run external", info.Name, info.RunOn)
	}

	r := &runner{c: c, h: h, copts: copts, base: client, baseTok: tok, clients: map[string]*runClient{},
		sem: make(chan struct{}, c.concurrency)}
	defer r.close()
	var so tago.SubscribeOptions
	if c.subscribe != nil {
		so = *c.subscribe
	}
	userConnect, userDisconnect := so.OnConnect, so.OnDisconnect
	so.OnConnect = func() {
		c.logger.Info("analysis: connected, waiting for triggers", "analysis", info.Name)
		if userConnect != nil {
			userConnect()
		}
	}
	so.OnDisconnect = func(err error, wait time.Duration) {
		c.logger.Warn("analysis: connection lost, reconnecting", "error", err, "retry_in", wait)
		if userDisconnect != nil {
			userDisconnect(err, wait)
		}
	}
	if c.ready != nil {
		c.ready(info)
	}
	for ev, err := range client.Realtime.Subscribe(ctx, &so, tago.AnalysisTriggerChannel()) {
		if errors.Is(err, tago.ErrEventsLost) {
			c.logger.Error("analysis: triggers lost", "error", err)
			continue
		}
		if err != nil {
			return fmt.Errorf("analysis: listening for triggers: %w", err)
		}
		trig, err := ev.AnalysisTrigger()
		if err != nil {
			c.logger.Error("analysis: a trigger that does not decode", "error", err, "event", ev.ID)
			continue
		}
		if !r.start(ctx, trig, info) {
			break
		}
	}
	return nil
}

// runner runs the triggers of an external analysis.
type runner struct {
	c       *config
	h       Handler
	copts   []tago.Option
	base    *tago.Client
	baseTok tago.Token
	sem     chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	clients map[string]*runClient // by token: a client and its console
}

// runClient is a client for one analysis token and the console it writes to.
type runClient struct {
	client  *tago.Client
	console *Console
}

// clientFor returns the client and console of a trigger's token (the runner's own when
// the trigger brings none).
func (r *runner) clientFor(token string) (*runClient, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rc := r.clients[token]; rc != nil {
		return rc, nil
	}
	client := r.base
	if token != "" {
		var err error
		if client, err = tago.NewClient(tago.AnalysisToken(token), r.copts...); err != nil {
			return nil, err
		}
	}
	rc := &runClient{client: client, console: NewConsole(client, r.c.console)}
	r.clients[token] = rc
	return rc, nil
}

// start waits for a free slot (or the end of ctx) and runs the trigger in a goroutine;
// it reports false when ctx ended.
func (r *runner) start(ctx context.Context, trig tago.AnalysisTrigger, info tago.AnalysisTokenInfo) bool {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { <-r.sem }()
		rc, err := r.clientFor(trig.Token.Reveal())
		if err != nil {
			r.c.logger.Error("analysis: the trigger's token is unusable", "error", err)
			return
		}
		id := trig.AnalysisID
		if id == "" {
			id = info.ID
		}
		t, err := newTrigger(id, trig.Environment, trig.Data)
		if err != nil {
			slog.New(rc.console).Error(err.Error())
			return
		}
		t.Client, t.Log, t.Mode = rc.client, slog.New(rc.console), External
		if err := runHandler(ctx, r.c, r.h, t); err != nil {
			r.c.logger.Error("analysis: run failed", "analysis", info.Name, "error", err)
		}
	}()
	return true
}

// close waits for the runs in progress and flushes their consoles.
func (r *runner) close() {
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, rc := range r.clients {
		_ = rc.console.Close(ctx)
	}
}
