package spool

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The moments a crash round kills its child at. "random" is a SIGKILL from the parent
// at a random time; the others are the child killing itself with SIGKILL the n-th
// time it reaches that point: handing points to the commit, syncing a commit, having
// recorded a batch, in the middle of a send, and after the platform stored a batch
// but before the spool removed it.
var crashModes = []string{"random", "enqueue", "commit", "recorded", "sending", "sent"}

// The crash test: 20 rounds of a child process that enqueues points and delivers them
// to tagotest, killed with SIGKILL at random moments. After the last round the spool
// is drained, and the platform must hold every point whose Enqueue returned exactly
// once, and nothing else but points that were being enqueued when a child died (at
// most once each).
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: spawns 20 child processes")
	}
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := addDevice(t, srv, "crash")
	srv.SetLatency(2 * time.Millisecond) // widens the time a send is in flight
	path := filepath.Join(t.TempDir(), "spool.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))

	acked := map[int]bool{}
	attempted := map[int]bool{} // handed to Enqueue, maybe stored
	const rounds = 20
	for round := 0; round < rounds; round++ {
		mode := crashModes[round%len(crashModes)]
		nth := 1 + rng.IntN(20)
		if round%3 == 1 {
			srv.ResetNext(2, "POST", "/data", true) // answers lost after storing: looks needed
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SPOOL_CRASH_CHILD=1", "SPOOL_PATH="+path, "TAGO_URL="+srv.URL,
			"TAGO_TOKEN="+dev.Token, "CRASH_ROUND="+strconv.Itoa(round), "CRASH_MODE="+mode, "CRASH_N="+strconv.Itoa(nth),
			"CRASH_SEED="+strconv.FormatUint(rng.Uint64(), 10))
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		if mode == "random" {
			delay := time.Duration(30+rng.IntN(250)) * time.Millisecond
			timer := time.AfterFunc(delay, func() { _ = cmd.Process.Kill() })
			defer timer.Stop()
		}
		watchdog := time.AfterFunc(20*time.Second, func() { _ = cmd.Process.Kill() })
		sc := bufio.NewScanner(out)
		lines := 0
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 3 || (f[0] != "ack" && f[0] != "try") {
				continue
			}
			from, _ := strconv.Atoi(f[1])
			n, _ := strconv.Atoi(f[2])
			for v := from; v < from+n; v++ {
				if f[0] == "ack" {
					acked[v] = true
				}
				attempted[v] = true
			}
			lines++
		}
		err = cmd.Wait()
		watchdog.Stop()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "round %d (%s): the child must die", round, mode)
		ws, ok := exit.Sys().(syscall.WaitStatus)
		require.True(t, ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, "round %d (%s): child ended with %v", round, mode, err)
		t.Logf("round %2d: killed at %-8s (n=%2d) after %d acknowledged enqueues", round, mode, nth, lines)
	}

	// The last restart: drain everything.
	s := openAt(t, path, fastOptions())
	inDoubt := s.Stats().InFlight
	drain(t, s, Routes(map[string]*tago.DataService{"crash": dev.client.Data}))
	st := s.Stats()

	count := map[int]int{}
	for _, v := range values(srv, dev.ID) {
		count[v]++
	}
	for v, n := range count {
		assert.Equal(t, 1, n, "point %d stored %d times", v, n)
		assert.True(t, attempted[v], "point %d was never enqueued", v)
	}
	missing := 0
	for v := range acked {
		if count[v] != 1 {
			missing++
			t.Logf("missing %d", v)
		}
	}
	if t.Failed() {
		for _, r := range srv.Data(dev.ID) {
			t.Logf("%v %s %s", r.Value, r.Group, r.Time.Format(time.RFC3339Nano))
		}
	}
	assert.Zero(t, missing, "acknowledged points missing from the platform")
	assert.Greater(t, len(acked), 100)
	t.Logf("%d points acknowledged, %d stored (%d unacknowledged ones that were committed); last restart found %d points in batches in doubt; final drain: %d looked up, %d found, %d resent",
		len(acked), len(count), len(count)-len(acked), inDoubt, st.Lookups, st.Found, st.Resent)
}

// TestCrashChild is the child process of TestCrash; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	if os.Getenv("SPOOL_CRASH_CHILD") != "1" {
		t.Skip("child process of TestCrash")
	}
	round, _ := strconv.Atoi(os.Getenv("CRASH_ROUND"))
	mode, nth := os.Getenv("CRASH_MODE"), os.Getenv("CRASH_N")
	n, _ := strconv.Atoi(nth)
	seed, _ := strconv.ParseUint(os.Getenv("CRASH_SEED"), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 1))
	kill := func() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }

	opts := &Options{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, MaxBatch: 1 + rng.IntN(40)}
	var seen atomic.Int64
	sendDelay := time.Duration(rng.IntN(3000)) * time.Microsecond
	opts.hook = func(ev string) {
		if ev != mode || seen.Add(1) < int64(n) {
			return
		}
		if ev == "sending" {
			// Die while the request is on its way (the fake takes 2ms to answer).
			d := sendDelay
			go func() { time.Sleep(d); kill() }()
			return
		}
		kill()
	}
	s, err := Open(os.Getenv("SPOOL_PATH"), opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child: open:", err)
		os.Exit(3)
	}
	c, err := tago.NewClient(tago.DeviceToken(os.Getenv("TAGO_TOKEN")), tago.WithBaseURL(os.Getenv("TAGO_URL")),
		tago.WithRetryPolicy(tago.NoRetries()))
	if err != nil {
		os.Exit(3)
	}
	go func() { _ = s.Run(context.Background(), Routes(map[string]*tago.DataService{"crash": c.Data})) }()
	w := bufio.NewWriter(os.Stdout)
	next := round * 100_000
	for next < round*100_000+5_000 {
		k := 1 + rng.IntN(5)
		fmt.Fprintf(w, "try %d %d\n", next, k)
		w.Flush()
		if err := s.Enqueue(context.Background(), "crash", readings("seq", next, k)...); err != nil {
			fmt.Fprintln(os.Stderr, "crash child: enqueue:", err)
			os.Exit(3)
		}
		fmt.Fprintf(w, "ack %d %d\n", next, k)
		w.Flush()
		next += k
		if rng.IntN(4) == 0 {
			time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
		}
	}
	// Not killed yet (the moment never came): wait for the parent's SIGKILL, or die.
	time.Sleep(500 * time.Millisecond)
	kill()
}
