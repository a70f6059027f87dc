// Command gateway is a device gateway loop built on the TagoIO Go SDK: it samples
// simulated sensors and keeps the readings in a spool, a durable queue in one file
// (package spool), which delivers them to the platform in order and exactly once
// while the gateway rides out what a real one meets:
//
//   - rate limits: the spool waits as long as the platform's Retry-After says;
//   - an outage (503s, 502 pages from a proxy, reset connections): the readings wait
//     in the file; a batch whose outcome is unknown is looked up on the platform
//     before it is sent again, so nothing is stored twice;
//   - a restart: halfway through, the gateway closes the spool and opens it again, as
//     after a reboot; the readings still queued are in the file and are delivered;
//   - a long outage: the file holds at most -buffer readings; the oldest are dropped
//     first, and counted.
//
// It runs against tagotest, an in-memory fake of the TagoIO API, into which it injects
// those failures while it runs, and ends with a summary checked against what the
// platform holds:
//
//	go run ./examples/gateway
//
// Flags change the run: -samples, -tick, -buffer, -outage and -spool (the file; by
// default a temporary one). With -buffer 30 -outage 3s the spool overflows and the
// oldest readings are dropped.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/spool"
	"github.com/go-tago/tago/tagotest"
)

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.samples, "samples", cfg.samples, "how many times to sample the sensors")
	flag.DurationVar(&cfg.tick, "tick", cfg.tick, "time between samples")
	flag.IntVar(&cfg.buffer, "buffer", cfg.buffer, "most readings kept while they cannot be sent")
	flag.DurationVar(&cfg.outage, "outage", 0, "make the outage last this long instead of 4 requests")
	flag.StringVar(&cfg.path, "spool", "", "the spool file (default: a temporary file, removed at the end)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := func() error {
		if cfg.path == "" {
			dir, err := os.MkdirTemp("", "gateway")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			cfg.path = filepath.Join(dir, "spool.db")
		}
		srv, err := tagotest.Start()
		if err != nil {
			return err
		}
		defer srv.Close()
		return run(ctx, os.Stdout, cfg, srv)
	}()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway failed:", err)
		os.Exit(1)
	}
}

// config sets the pace and size of a run.
type config struct {
	samples int           // how many times the sensors are read
	tick    time.Duration // time between samples
	batch   int           // most readings per request
	buffer  int           // most readings queued
	drain   time.Duration // how long to keep sending after the last sample
	restart int           // the sample after which the gateway restarts; 0 for none
	// outage, when positive, makes the outage last this long instead of four failed
	// requests (for trying a small buffer).
	outage time.Duration
	path   string // the spool file
}

func defaultConfig() config {
	return config{samples: 50, tick: 100 * time.Millisecond, batch: 60, buffer: 300, drain: 10 * time.Second, restart: 40}
}

// sensor is a simulated sensor: a slow wave around a base value.
type sensor struct {
	variable, unit    string
	base, amp, period float64
}

var sensors = []sensor{
	{"temperature", "°C", 21, 1.5, 30},
	{"humidity", "%", 55, 6, 45},
	{"pressure", "hPa", 1013, 2, 60},
}

// read returns the sensor's value at sample n, rounded to two decimals.
func (s sensor) read(n int) float64 {
	v := s.base + s.amp*math.Sin(2*math.Pi*float64(n)/s.period)
	return math.Round(v*100) / 100
}

// fault is a failure the scenario injects into the fake platform at a given time.
type fault struct {
	at     time.Duration
	what   string
	inject func(srv *tagotest.Server)
}

// scenario returns the failures of a run: a rate limit, an outage, a reset connection
// after the platform stored a batch, and a proxy answering HTML error pages.
func scenario(cfg config) []fault {
	at := func(sample int) time.Duration { return time.Duration(sample) * cfg.tick }
	outage := fault{at(30), "outage: the API answers 503 to the next 4 requests", func(srv *tagotest.Server) {
		srv.FailNext(4, "", "", 503, "")
	}}
	if cfg.outage > 0 {
		outage.what = "outage: the API answers 503 for " + cfg.outage.String()
		outage.inject = func(srv *tagotest.Server) {
			h := srv.Inject(tagotest.Fault{Status: 503, Times: -1})
			time.AfterFunc(cfg.outage, h.Remove)
		}
	}
	return []fault{
		{at(11), "rate limit: the next 2 sends get 429 with Retry-After: 1", func(srv *tagotest.Server) {
			srv.RateLimitNext(2, "POST", "/data", time.Second)
		}},
		outage,
		{at(44), "the next send is stored, then its connection is reset", func(srv *tagotest.Server) {
			srv.ResetNext(1, "POST", "/data", true)
		}},
		{at(47), "a proxy answers the next 2 sends with a 502 page", func(srv *tagotest.Server) {
			srv.FailNext(2, "POST", "/data", 502, tagotest.BadGatewayHTML)
		}},
	}
}

// gateway samples the sensors into its spool, which delivers the readings.
type gateway struct {
	cfg    config
	client *tago.Client
	sp     *spool.Spool
	stop   context.CancelFunc // stops the spool's Run
	done   chan error
	start  time.Time
	out    io.Writer
	mu     sync.Mutex // guards out
	log    *slog.Logger

	sampled, refused int
	// totals of the spools closed by a restart
	sent, found, dropped uint64
}

func (g *gateway) logf(format string, args ...any) {
	g.mu.Lock() // the spool logs from its own goroutines
	defer g.mu.Unlock()
	fmt.Fprintf(g.out, "%5.1fs  %s\n", time.Since(g.start).Seconds(), fmt.Sprintf(format, args...))
}

// open opens the spool file and starts delivering from it.
func (g *gateway) open(ctx context.Context) error {
	sp, err := spool.Open(g.cfg.path, &spool.Options{
		MaxPoints: g.cfg.buffer, Overflow: spool.DropOldest, MaxBatch: g.cfg.batch,
		MinBackoff: 200 * time.Millisecond, MaxBackoff: 2 * time.Second, Logger: g.log,
	})
	if err != nil {
		return err
	}
	g.sp = sp
	runCtx, stop := context.WithCancel(ctx)
	g.stop, g.done = stop, make(chan error, 1)
	route := spool.Routes(map[string]*tago.DataService{"gateway": g.client.Data})
	go func() { g.done <- sp.Run(runCtx, route) }()
	return nil
}

// close stops delivery and closes the spool file, keeping its counters.
func (g *gateway) close() error {
	g.stop()
	<-g.done
	st := g.sp.Stats()
	g.sent, g.found, g.dropped = g.sent+st.Sent, g.found+st.Found, g.dropped+st.Dropped
	return g.sp.Close()
}

// sample reads every sensor once and enqueues the readings; Enqueue returns once they
// are on disk.
func (g *gateway) sample(ctx context.Context, n int) error {
	now := time.Now().UTC()
	points := make([]tago.Data, len(sensors))
	for i, s := range sensors {
		points[i] = tago.Data{Variable: s.variable, Value: s.read(n), Unit: s.unit, Time: now}
	}
	g.sampled += len(points)
	err := g.sp.Enqueue(ctx, "gateway", points...)
	if errors.Is(err, spool.ErrFull) || errors.Is(err, spool.ErrDiskFull) {
		g.refused += len(points)
		g.logf("readings refused: %v", err)
		return nil
	}
	return err
}

// run adds a device to the fake platform srv, runs the gateway on it while injecting
// the scenario's failures, and prints what happened and a summary.
func run(ctx context.Context, out io.Writer, cfg config, srv *tagotest.Server) error {
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Gateway"})
	fmt.Fprintf(out, "Gateway for device %s on tagotest (an in-memory TagoIO API) at %s\n", dev.ID, srv.URL)
	fmt.Fprintf(out, "Readings are kept in the spool file %s until the platform stored them.\n", cfg.path)

	// Short retries inside one request; longer waits are the spool's business.
	client, err := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL),
		tago.WithTimeout(2*time.Second),
		tago.WithRetryPolicy(tago.RetryPolicy{MaxRetries: 2, BaseDelay: 50 * time.Millisecond,
			MaxDelay: 200 * time.Millisecond, MaxRetryAfter: 200 * time.Millisecond}))
	if err != nil {
		return err
	}
	g := &gateway{cfg: cfg, client: client, start: time.Now(), out: out}
	g.log = slog.New(newLineHandler(g))
	if err := g.open(ctx); err != nil {
		return err
	}
	defer func() {
		if g.sp != nil {
			_ = g.close()
		}
	}()

	faults := scenario(cfg)
	ticker := time.NewTicker(cfg.tick)
	defer ticker.Stop()
	for n := 1; n <= cfg.samples; n++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
		for len(faults) > 0 && time.Since(g.start) >= faults[0].at {
			g.logf("[fault] %s", faults[0].what)
			faults[0].inject(srv)
			faults = faults[1:]
		}
		if err := g.sample(ctx, n); err != nil {
			return err
		}
		if n == cfg.restart {
			queued := g.sp.Stats().Points
			if err := g.close(); err != nil {
				return err
			}
			if err := g.open(ctx); err != nil {
				return err
			}
			g.logf("restarted: closed the spool with %d readings queued and opened it again: %d readings in the file", queued, g.sp.Stats().Points)
		}
	}

	// Sampling is over: wait until everything is delivered, or give up.
	deadline := time.Now().Add(cfg.drain)
	for g.sp.Stats().Points > 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(cfg.tick / 4):
		}
	}
	return g.summary(ctx)
}

// summary prints the run's figures and checks them against what the platform holds:
// every delivered reading once, none twice.
func (g *gateway) summary(ctx context.Context) error {
	queued := g.sp.Stats().Points
	if err := g.close(); err != nil {
		return err
	}
	g.sp = nil
	held, distinct := 0, map[[2]string]bool{}
	for d, err := range g.client.Data.Stream(ctx, nil) {
		if err != nil {
			return fmt.Errorf("reading back what the platform holds: %w", err)
		}
		held++
		distinct[[2]string{d.Variable, d.Time.Format(time.RFC3339Nano)}] = true
	}
	delivered := int(g.sent + g.found)
	fmt.Fprintf(g.out, "Summary\n")
	fmt.Fprintf(g.out, "  sampled    %4d readings (%d sensors)\n", g.sampled, len(sensors))
	fmt.Fprintf(g.out, "  delivered  %4d readings (%d found stored after a failed send)\n", delivered, g.found)
	fmt.Fprintf(g.out, "  dropped    %4d readings (the spool holds at most %d; %d refused)\n", int(g.dropped)+g.refused, g.cfg.buffer, g.refused)
	fmt.Fprintf(g.out, "  queued     %4d readings\n", queued)
	fmt.Fprintf(g.out, "  platform   %4d readings stored, %d distinct\n", held, len(distinct))
	switch {
	case held != len(distinct):
		return fmt.Errorf("the platform holds %d duplicate readings", held-len(distinct))
	case held != delivered:
		return fmt.Errorf("delivered %d readings but the platform holds %d", delivered, held)
	case delivered+int(g.dropped)+g.refused+queued != g.sampled:
		return fmt.Errorf("lost track of %d readings", g.sampled-delivered-int(g.dropped)-g.refused-queued)
	case queued > 0:
		return fmt.Errorf("%d readings were never delivered", queued)
	}
	fmt.Fprintln(g.out, "Every delivered reading is stored exactly once.")
	return nil
}

// lineHandler prints the spool's log lines in the gateway's output: time, message and
// the attributes that say what happened.
type lineHandler struct {
	g     *gateway
	attrs []slog.Attr
}

func newLineHandler(g *gateway) *lineHandler { return &lineHandler{g: g} }

func (h *lineHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "points", "found", "resending", "retry_in", "error", "batches_in_doubt":
			line += fmt.Sprintf(" %s=%v", a.Key, a.Value)
		}
		return true
	})
	h.g.logf("%s", line)
	return nil
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &lineHandler{g: h.g, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h *lineHandler) WithGroup(string) slog.Handler { return h }
