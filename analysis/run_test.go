package analysis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/analysis"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// external runs h as the external analysis an of srv until the test stops it, and
// returns once the analysis listens for triggers.
type external struct {
	stop func() error // cancels Run and returns its error
}

func startExternal(t *testing.T, srv *tagotest.Server, an tagotest.Analysis, h analysis.Handler, opts ...analysis.Option) *external {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	connected := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	all := append([]analysis.Option{
		analysis.WithClientOptions(tago.WithBaseURL(srv.URL)),
		analysis.WithLogger(slog.New(slog.DiscardHandler)),
		analysis.WithLookupEnv(func(string) (string, bool) { return "", false }),
		analysis.WithSubscribeOptions(&tago.SubscribeOptions{OnConnect: func() { once.Do(func() { close(connected) }) }}),
	}, opts...)
	go func() { done <- analysis.Run(ctx, tago.AnalysisToken(an.Token), h, all...) }()
	select {
	case <-connected:
	case err := <-done:
		cancel()
		t.Fatalf("Run returned before listening: %v", err)
	}
	e := &external{stop: func() error { cancel(); return <-done }}
	t.Cleanup(func() { cancel() })
	return e
}

func TestExternalAnalysisEndToEnd(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Alerts",
		Variables: []tagotest.AnalysisVariable{{Key: "EMAIL", Value: "ops@example.com"}, {Key: "LIMIT", Value: "30"}}})
	got := make(chan *analysis.Trigger, 1)
	e := startExternal(t, srv, an, func(ctx context.Context, tr *analysis.Trigger) error {
		tr.Log.Info("checking", "records", len(tr.Data))
		if err := tr.Client.Services.SendEmail(ctx, tago.EmailRequest{To: []string{tr.Env["EMAIL"]}, Subject: "Hot", Message: "31.5"}); err != nil {
			return err
		}
		got <- tr
		return nil
	})
	srv.TriggerAnalysis(an.ID, tagotest.Record{Variable: "temperature", Value: 31.5}, map[string]string{"device": "d1"})
	tr := <-got
	require.NoError(t, e.stop()) // returns after the run and the console flush

	assert.Equal(t, an.ID, tr.AnalysisID)
	assert.Equal(t, analysis.External, tr.Mode)
	assert.Equal(t, []tago.AnalysisVariable{{Key: "EMAIL", Value: "ops@example.com"}, {Key: "LIMIT", Value: "30"}}, tr.Environment)
	assert.Equal(t, map[string]string{"EMAIL": "ops@example.com", "LIMIT": "30"}, tr.Env)
	assert.Equal(t, []tago.Data{{Variable: "temperature", Value: 31.5}}, tr.Data)
	require.Len(t, tr.Scope, 2)
	assert.JSONEq(t, `{"device":"d1"}`, string(tr.Scope[1]))
	assert.Equal(t, `"d1"`, string(tr.ScopeField(1, "device")))
	assert.Equal(t, tago.KindAnalysis, tr.Client.TokenKind())
	assert.Equal(t, []tagotest.SentEmail{{Service: "email", AnalysisID: an.ID, To: []string{"ops@example.com"}, Subject: "Hot", Message: "31.5"}}, srv.Emails())
	assert.Equal(t, []string{"checking records=1"}, srv.ConsoleLines(an.ID))
}

func TestExternalAnalysisChecksItsToken(t *testing.T) {
	srv := tagotest.NewServer(t)
	inactive := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Off", Inactive: true})
	onTago := srv.AddAnalysis(tagotest.AnalysisSpec{Name: "Cloud"})
	run := func(tok tago.Token) error {
		return analysis.Run(t.Context(), tok, func(context.Context, *analysis.Trigger) error { return nil },
			analysis.WithClientOptions(tago.WithBaseURL(srv.URL)), analysis.WithLookupEnv(func(string) (string, bool) { return "", false }))
	}
	assert.EqualError(t, run(tago.AnalysisToken(inactive.Token)), `analysis: analysis "Off" is not active`)
	assert.EqualError(t, run(tago.AnalysisToken(onTago.Token)), `analysis: analysis "Cloud" runs on "tago", not "external"; set it to run external`)
	err := run(tago.AnalysisToken("8c1e2a9a-0000-4000-8000-000000000000"))
	assert.ErrorIs(t, err, tago.ErrUnauthorized)
	assert.ErrorContains(t, run(tago.AccountToken(srv.AccountToken())), "needs its analysis token")
	err = analysis.Run(t.Context(), tago.AnalysisToken(inactive.Token), func(context.Context, *analysis.Trigger) error { return nil },
		analysis.WithConcurrency(0))
	assert.EqualError(t, err, "analysis: concurrency must be positive, got 0")
}

func TestExternalAnalysisRecoversAPanic(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Fragile"})
	ran := make(chan string, 2)
	var logs bytes.Buffer
	var mu sync.Mutex
	e := startExternal(t, srv, an, func(ctx context.Context, tr *analysis.Trigger) error {
		v := tr.Data[0].Variable
		if v == "boom" {
			panic(fmt.Errorf("boom in %s", v))
		}
		ran <- v
		return nil
	}, analysis.WithConcurrency(1), analysis.WithLogger(slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))))
	srv.TriggerAnalysis(an.ID, tagotest.Record{Variable: "boom"})
	srv.TriggerAnalysis(an.ID, tagotest.Record{Variable: "after"})
	assert.Equal(t, "after", <-ran) // the next trigger still runs
	require.NoError(t, e.stop())
	lines := strings.Join(srv.ConsoleLines(an.ID), "\n")
	assert.Contains(t, lines, "ERROR panic: boom in boom")
	assert.Contains(t, lines, "run_test.go") // with the stack
	mu.Lock()
	assert.Contains(t, logs.String(), "the handler panicked")
	mu.Unlock()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestExternalAnalysisConcurrencyLimit(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Busy"})
	var running, peak atomic.Int32
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	e := startExternal(t, srv, an, func(ctx context.Context, _ *analysis.Trigger) error {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		started <- struct{}{}
		<-release
		running.Add(-1)
		return nil
	}, analysis.WithConcurrency(2))
	for range 5 {
		srv.TriggerAnalysis(an.ID)
	}
	<-started
	<-started
	select {
	case <-started:
		t.Fatal("a third run started while two were running")
	default:
	}
	close(release)
	for range 3 {
		<-started
	}
	require.NoError(t, e.stop())
	assert.Equal(t, int32(2), peak.Load())
}

func TestExternalAnalysisRunTimeout(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Slow"})
	done := make(chan error, 1)
	e := startExternal(t, srv, an, func(ctx context.Context, _ *analysis.Trigger) error {
		<-ctx.Done() // a run that would go on forever
		done <- ctx.Err()
		return ctx.Err()
	}, analysis.WithRunTimeout(20*time.Millisecond))
	srv.TriggerAnalysis(an.ID)
	assert.ErrorIs(t, <-done, context.DeadlineExceeded)
	require.NoError(t, e.stop())
	assert.Equal(t, []string{"ERROR the run took longer than 20ms: context deadline exceeded"}, srv.ConsoleLines(an.ID))
}

// env returns a LookupEnv over a map.
func env(m map[string]string) analysis.Option {
	return analysis.WithLookupEnv(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

func TestOneShotFromTheEnvironment(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{Name: "Report"})
	var stdout, stderr bytes.Buffer
	var got *analysis.Trigger
	err := analysis.Run(t.Context(), tago.Token{}, func(ctx context.Context, tr *analysis.Trigger) error {
		got = tr
		tr.Log.Info("hello", "n", 2)
		tr.Log.Warn("careful")
		if err := tr.Client.Services.SendSMS(ctx, tago.SMSRequest{To: "+1", Message: "hi"}); err != nil {
			return err
		}
		return errors.New("it failed")
	}, analysis.WithOutput(&stdout, &stderr), env(map[string]string{
		"T_ANALYSIS_CONTEXT": "tago-io",
		"T_ANALYSIS_ID":      an.ID,
		"T_ANALYSIS_TOKEN":   an.Token,
		"T_ANALYSIS_ENV":     `[{"key":"LIMIT","value":30},{"key":"NAME","value":"x"}]`,
		"T_ANALYSIS_DATA":    `[{"variable":"t","value":1,"time":"2025-03-10T12:00:00.000Z"},{"device":"d1","name":"Dev"}]`,
		"TAGOIO_API":         srv.URL,
	}))
	assert.EqualError(t, err, "it failed") // the program's exit status comes from it
	require.NotNil(t, got)
	assert.Equal(t, analysis.OneShot, got.Mode)
	assert.Equal(t, an.ID, got.AnalysisID)
	assert.Equal(t, map[string]string{"LIMIT": "30", "NAME": "x"}, got.Env)
	assert.Equal(t, []tago.Data{{Variable: "t", Value: 1.0, Time: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}}, got.Data)
	assert.Len(t, got.Scope, 2)
	assert.Equal(t, srv.URL, got.Client.BaseURL())
	assert.Equal(t, "hello n=2\nWARN careful\n", stdout.String())
	assert.Equal(t, "ERROR it failed\n", stderr.String())
	assert.Equal(t, []tagotest.SentMessage{{Service: "sms", AnalysisID: an.ID, To: "+1", Message: "hi"}}, srv.TextMessages())
}

// TestOneShotAsTagoCoreRunsIt mirrors what TagoCore 0.7.0 passes: no token, no scope
// (T_ANALYSIS_DATA unset), TAGO_API as well as TAGOIO_API, and nothing else.
func TestOneShotAsTagoCoreRunsIt(t *testing.T) {
	var stdout bytes.Buffer
	var got *analysis.Trigger
	err := analysis.Run(t.Context(), tago.Token{}, func(ctx context.Context, tr *analysis.Trigger) error {
		got = tr
		tr.Log.Info("greeting", "value", tr.Env["GREETING"])
		return nil
	}, analysis.WithOutput(&stdout, io.Discard), env(map[string]string{
		"T_ANALYSIS_CONTEXT": "tago-io", "T_ANALYSIS_ID": "65a0a0a0a0a0a0a0a0a0a0a0", "T_ANALYSIS_TOKEN": "",
		"T_ANALYSIS_ENV": `[{"key":"GREETING","value":"hello"}]`, "TAGO_API": "http://localhost:8888",
	}))
	require.NoError(t, err)
	assert.Equal(t, tago.KindAnonymous, got.Client.TokenKind())
	assert.Equal(t, "http://localhost:8888", got.Client.BaseURL())
	assert.Empty(t, got.Data)
	assert.Empty(t, got.Scope)
	assert.Equal(t, "greeting value=hello\n", stdout.String())
	err = got.Client.Services.SendSMS(t.Context(), tago.SMSRequest{To: "+1", Message: "x"})
	assert.ErrorIs(t, err, tago.ErrTokenKind) // no services without a token
}

func TestOneShotPanicAndBadEnvironment(t *testing.T) {
	var stderr bytes.Buffer
	base := map[string]string{"T_ANALYSIS_CONTEXT": "tago-io", "TAGOIO_API": "http://127.0.0.1:1"}
	err := analysis.Run(t.Context(), tago.Token{}, func(context.Context, *analysis.Trigger) error { panic("boom") },
		analysis.WithOutput(io.Discard, &stderr), env(base))
	assert.ErrorIs(t, err, analysis.ErrPanic)
	assert.True(t, strings.HasPrefix(stderr.String(), "ERROR panic: boom\n"), stderr.String())

	for k, v := range map[string]string{"T_ANALYSIS_ENV": "{", "T_ANALYSIS_DATA": "42"} {
		m := map[string]string{k: v}
		for bk, bv := range base {
			m[bk] = bv
		}
		err := analysis.Run(t.Context(), tago.Token{}, func(context.Context, *analysis.Trigger) error {
			t.Fatal("ran with a bad environment")
			return nil
		}, env(m))
		assert.Error(t, err, k)
	}
}

func ExampleRun() {
	srv, _ := tagotest.Start()
	defer srv.Close()
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Alerts",
		Variables: []tagotest.AnalysisVariable{{Key: "LIMIT", Value: "30"}}})

	ctx, cancel := context.WithCancel(context.Background())
	handler := func(ctx context.Context, t *analysis.Trigger) error {
		defer cancel() // one run is enough for the example
		for _, d := range t.Data {
			if v, _ := d.Float(); v > 30 {
				t.Log.Warn("too hot", "value", v)
			}
		}
		return nil
	}
	var once sync.Once
	trigger := func() { // once connected: what an action of the platform would do
		once.Do(func() { srv.TriggerAnalysis(an.ID, tagotest.Record{Variable: "temperature", Value: 31.5}) })
	}
	err := analysis.Run(ctx, tago.AnalysisToken(an.Token), handler,
		analysis.WithClientOptions(tago.WithBaseURL(srv.URL)),
		analysis.WithSubscribeOptions(&tago.SubscribeOptions{OnConnect: trigger}),
		analysis.WithLogger(slog.New(slog.DiscardHandler)))
	fmt.Println(err, srv.ConsoleLines(an.ID))
	// Output: <nil> [WARN too hot value=31.5]
}

// TestRunThroughTheAPIReachesTheAnalysis asks for a run the way an account does,
// c.Analyses.Run (POST /analysis/{id}/run): the fake records it and the external
// analysis's handler receives the scope and the analysis's variables.
func TestRunThroughTheAPIReachesTheAnalysis(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Alerts",
		Variables: []tagotest.AnalysisVariable{{Key: "LIMIT", Value: "30"}}})
	got := make(chan *analysis.Trigger, 1)
	e := startExternal(t, srv, an, func(_ context.Context, tr *analysis.Trigger) error {
		got <- tr
		return nil
	})
	acc, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = acc.Analyses.Run(t.Context(), an.ID, tago.Data{Variable: "temperature", Value: 31.5})
	require.NoError(t, err)
	tr := <-got
	require.NoError(t, e.stop())
	assert.Equal(t, an.ID, tr.AnalysisID)
	assert.Equal(t, "30", tr.Env["LIMIT"])
	require.Len(t, tr.Data, 1)
	assert.Equal(t, "temperature", tr.Data[0].Variable)
	assert.Equal(t, 31.5, tr.Data[0].Value)
	runs := srv.AnalysisRuns()
	require.Len(t, runs, 1)
	assert.Equal(t, "api", runs[0].Origin)
}
