// Command gateway is a device gateway loop built on the TagoIO Go SDK: it samples
// simulated sensors, buffers the readings in a bounded queue, sends them in batches with
// the device's token, and rides out what a real gateway meets, without storing any
// reading twice:
//
//   - rate limits: a 429 whose Retry-After is longer than the client waits for ends
//     the send at once; the gateway keeps sampling and sends again when the platform
//     said it may;
//   - an outage (503s, 502 pages from a proxy, a connection reset): a batch whose
//     outcome is unknown is not blindly sent again. Each sample carries its own group,
//     so the gateway asks the platform which of the batch's readings it holds and
//     resends only the others;
//   - a long outage: the queue holds at most -buffer readings; the oldest are dropped
//     first, and counted.
//
// It runs against tagotest, an in-memory fake of the TagoIO API, into which it injects
// those failures while it runs, and ends with a summary checked against what the
// platform holds:
//
//	go run ./examples/gateway
//
// Flags change the run: -samples, -tick, -buffer and -outage. With -buffer 30
// -outage 3s the queue overflows and the oldest readings are dropped.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.samples, "samples", cfg.samples, "how many times to sample the sensors")
	flag.DurationVar(&cfg.tick, "tick", cfg.tick, "time between samples")
	flag.IntVar(&cfg.buffer, "buffer", cfg.buffer, "most readings kept while they cannot be sent")
	flag.DurationVar(&cfg.outage, "outage", 0, "make the outage last this long instead of 4 requests")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	srv, err := tagotest.Start()
	if err == nil {
		err = run(ctx, os.Stdout, cfg, srv)
		srv.Close()
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway failed:", err)
		os.Exit(1)
	}
}

// config sets the pace and size of a run.
type config struct {
	samples    int           // how many times the sensors are read
	tick       time.Duration // time between samples
	flushEvery int           // samples between sends
	batch      int           // most readings per send
	buffer     int           // most readings queued
	drain      time.Duration // how long to keep sending after the last sample
	// outage, when positive, makes the outage last this long instead of four failed
	// requests (for trying a small buffer).
	outage time.Duration
}

func defaultConfig() config {
	return config{samples: 50, tick: 100 * time.Millisecond, flushEvery: 5, batch: 60, buffer: 300, drain: 10 * time.Second}
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
	outage := fault{at(38), "outage: the API answers 503 to the next 4 requests", func(srv *tagotest.Server) {
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

// run adds a device to the fake platform srv, runs the gateway on it while injecting
// the scenario's failures, and prints what happened and a summary.
func run(ctx context.Context, out io.Writer, cfg config, srv *tagotest.Server) error {
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Gateway"})
	fmt.Fprintf(out, "Gateway for device %s on tagotest (an in-memory TagoIO API) at %s\n", dev.ID, srv.URL)

	// Short retries inside one send; longer waits are the gateway's business, so that
	// sampling never stops.
	client, err := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL),
		tago.WithTimeout(2*time.Second),
		tago.WithRetryPolicy(tago.RetryPolicy{MaxRetries: 2, BaseDelay: 50 * time.Millisecond,
			MaxDelay: 200 * time.Millisecond, MaxRetryAfter: 200 * time.Millisecond}))
	if err != nil {
		return err
	}
	g := &gateway{client: client, batchSize: cfg.batch, capacity: cfg.buffer, start: time.Now(), out: out,
		boot: strconv.FormatInt(time.Now().UnixMilli(), 36)}

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
		g.sample(n)
		if g.due() && (n%cfg.flushEvery == 0 || g.behind) {
			g.flush(ctx)
		}
	}

	// Sampling is over: keep sending until everything is delivered, or give up.
	deadline := time.Now().Add(cfg.drain)
	for g.pending() > 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(max(time.Until(g.nextTry), cfg.tick)):
		}
		g.flush(ctx)
	}
	return g.summary(ctx)
}

// gateway queues readings and delivers them exactly once.
type gateway struct {
	client    *tago.Client
	batchSize int
	capacity  int
	boot      string // distinguishes this run's groups from earlier runs'
	start     time.Time
	out       io.Writer

	queue []tago.Data // readings not sent yet, oldest first
	// unsure is the last batch whose outcome is unknown: sent, but no answer came
	// back, or an answer that does not say whether it was stored. It is settled before
	// anything else is sent.
	unsure   []tago.Data
	nextTry  time.Time // no request before then: backoff, or the platform's Retry-After
	behind   bool      // the last attempt failed: try again as soon as nextTry passes
	failures int       // consecutive attempts that got no clear answer, for the backoff

	sampled, delivered, dropped, requests, recovered int
}

// Backoff between failed attempts, doubling from minBackoff up to maxBackoff.
const (
	minBackoff = 200 * time.Millisecond
	maxBackoff = 2 * time.Second
)

func (g *gateway) logf(format string, args ...any) {
	fmt.Fprintf(g.out, "%5.1fs  %s\n", time.Since(g.start).Seconds(), fmt.Sprintf(format, args...))
}

// pending returns how many readings are not delivered yet.
func (g *gateway) pending() int { return len(g.queue) + len(g.unsure) }

// due reports whether the gateway may talk to the platform now.
func (g *gateway) due() bool { return !time.Now().Before(g.nextTry) }

// sample reads every sensor once. The readings of one sample share a group unique to
// it, which later tells the gateway whether the platform holds them.
func (g *gateway) sample(n int) {
	now := time.Now().UTC()
	group := fmt.Sprintf("gw-%s-%06d", g.boot, n)
	for _, s := range sensors {
		if g.pending() >= g.capacity && len(g.queue) > 0 {
			g.queue = g.queue[1:] // full: the oldest reading goes
			g.dropped++
		}
		g.queue = append(g.queue, tago.Data{Variable: s.variable, Value: s.read(n), Unit: s.unit, Group: group, Time: now})
		g.sampled++
	}
}

// retryAfter schedules the next attempt after wait.
func (g *gateway) retryAfter(wait time.Duration) time.Duration {
	g.behind, g.nextTry = true, time.Now().Add(wait)
	return wait
}

// backoff records an attempt that got no clear answer and schedules the next one
// after a delay that doubles with each such attempt in a row.
func (g *gateway) backoff() time.Duration {
	g.failures++
	return g.retryAfter(min(minBackoff<<(g.failures-1), maxBackoff))
}

// flush delivers what it can: first it settles the unsure batch, then it sends one
// batch from the queue.
func (g *gateway) flush(ctx context.Context) {
	if !g.due() || (len(g.unsure) > 0 && !g.settle(ctx)) || len(g.queue) == 0 {
		return
	}
	batch := g.queue[:min(g.batchSize, len(g.queue))]
	g.queue = g.queue[len(batch):]
	g.requests++
	n, err := g.client.Data.Send(ctx, batch...)
	var apiErr *tago.APIError
	switch {
	case err == nil:
		g.behind, g.failures = false, 0
		g.delivered += n
		g.logf("delivered %d readings (%d queued)", n, g.pending())
	case errors.Is(err, tago.ErrRateLimited) && errors.As(err, &apiErr):
		// Refused before processing: nothing stored. Back to the queue, and wait.
		g.queue = append(batch[:len(batch):len(batch)], g.queue...)
		wait := g.retryAfter(max(apiErr.RetryAfter, minBackoff))
		g.logf("rate limited (%s): pausing sends for %v; %d readings queued", reason(err), wait, g.pending())
	case errors.Is(err, tago.ErrInvalidInput):
		g.dropped += len(batch) // a bug in the gateway: resending would not help
		g.logf("dropped %d readings the SDK refused: %v", len(batch), err)
	default:
		// The platform may or may not have stored the batch: ask before resending.
		g.unsure = batch
		wait := g.backoff()
		g.logf("send of %d readings failed (%s); will check what the platform holds in %v", len(batch), reason(err), wait)
	}
}

// settle finds out which readings of the unsure batch the platform holds: those are
// delivered, the others go back to the front of the queue. It reports whether the
// question was answered.
func (g *gateway) settle(ctx context.Context) bool {
	var groups []string
	for _, d := range g.unsure {
		if len(groups) == 0 || groups[len(groups)-1] != d.Group {
			groups = append(groups, d.Group)
		}
	}
	held, err := g.client.Data.Get(ctx, &tago.DataQuery{Groups: groups, Qty: len(g.unsure)})
	if err != nil {
		wait := g.backoff()
		g.logf("platform unreachable (%s); %d readings queued; next try in %v", reason(err), g.pending(), wait)
		return false
	}
	g.behind, g.failures = false, 0
	stored := make(map[[2]string]bool, len(held))
	for _, d := range held {
		stored[[2]string{d.Group, d.Variable}] = true
	}
	var again []tago.Data
	for _, d := range g.unsure {
		if !stored[[2]string{d.Group, d.Variable}] {
			again = append(again, d)
		}
	}
	found := len(g.unsure) - len(again)
	g.delivered += found
	g.recovered += found
	switch {
	case len(again) == 0:
		g.logf("checked: the platform had stored all %d readings of the failed send; not sending them again", found)
	case found == 0:
		g.logf("checked: the platform holds none of the %d readings of the failed send; sending them again", len(again))
	default:
		g.logf("checked: the platform holds %d readings of the failed send; sending the other %d again", found, len(again))
	}
	g.queue = append(again, g.queue...)
	g.unsure = nil
	return true
}

// reason says in a few words why a request failed.
func reason(err error) string {
	var apiErr *tago.APIError
	if errors.As(err, &apiErr) {
		return fmt.Sprintf("HTTP %d %s", apiErr.HTTPStatus, http.StatusText(apiErr.HTTPStatus))
	}
	var reqErr *tago.RequestError
	if errors.As(err, &reqErr) {
		msg := reqErr.Err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:] // "read tcp a->b: read: connection reset by peer" → the cause
		}
		return "no answer: " + msg
	}
	return err.Error()
}

// summary prints the run's figures and checks them against what the platform holds:
// every delivered reading once, none twice.
func (g *gateway) summary(ctx context.Context) error {
	held, distinct := 0, map[[2]string]bool{}
	for d, err := range g.client.Data.Stream(ctx, nil) {
		if err != nil {
			return fmt.Errorf("reading back what the platform holds: %w", err)
		}
		held++
		distinct[[2]string{d.Group, d.Variable}] = true
	}
	fmt.Fprintf(g.out, "Summary\n")
	fmt.Fprintf(g.out, "  sampled    %4d readings (%d sensors)\n", g.sampled, len(sensors))
	fmt.Fprintf(g.out, "  delivered  %4d readings in %d sends (%d found stored after a failed send)\n", g.delivered, g.requests, g.recovered)
	fmt.Fprintf(g.out, "  dropped    %4d readings (the queue holds at most %d)\n", g.dropped, g.capacity)
	fmt.Fprintf(g.out, "  queued     %4d readings\n", g.pending())
	fmt.Fprintf(g.out, "  platform   %4d readings stored, %d distinct\n", held, len(distinct))
	switch {
	case held != len(distinct):
		return fmt.Errorf("the platform holds %d duplicate readings", held-len(distinct))
	case held != g.delivered:
		return fmt.Errorf("delivered %d readings but the platform holds %d", g.delivered, held)
	case g.delivered+g.dropped+g.pending() != g.sampled:
		return fmt.Errorf("lost track of %d readings", g.sampled-g.delivered-g.dropped-g.pending())
	case g.pending() > 0:
		return fmt.Errorf("%d readings were never delivered", g.pending())
	}
	fmt.Fprintln(g.out, "Every delivered reading is stored exactly once.")
	return nil
}
