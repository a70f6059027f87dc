package analysis_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/analysis"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func analysisClient(t *testing.T, srv *tagotest.Server, an tagotest.Analysis) *tago.Client {
	t.Helper()
	c, err := tago.NewClient(tago.AnalysisToken(an.Token), tago.WithBaseURL(srv.URL))
	require.NoError(t, err)
	return c
}

// TestConsoleBurstLosesNothing logs 10,000 lines as fast as possible: every line
// arrives, in order, and no log call had to wait for room.
func TestConsoleBurstLosesNothing(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Chatty"})
	console := analysis.NewConsole(analysisClient(t, srv, an), nil)
	log := slog.New(console)
	const n = 10000
	for i := range n {
		log.Info("line", "i", i)
	}
	require.NoError(t, console.Close(t.Context()))

	lines := srv.ConsoleLines(an.ID)
	require.Len(t, lines, n)
	for i, l := range lines {
		require.Equal(t, fmt.Sprintf("line i=%d", i), l)
	}
	st := console.Stats()
	assert.Equal(t, analysis.ConsoleStats{Lines: n, Sent: n, Batches: st.Batches}, st)
	assert.LessOrEqual(t, st.Batches, 200, "lines go in batches, not one request each")
	assert.GreaterOrEqual(t, st.Batches, n/analysis.DefaultBatchLines)
}

// TestConsoleSlowPlatformDoesNotBlockLogging sends through a platform that takes 20ms
// per request: log calls never wait (the buffer absorbs the burst) and every line
// arrives in order.
func TestConsoleSlowPlatformDoesNotBlockLogging(t *testing.T) {
	srv := tagotest.NewServer(t, tagotest.WithLatency(20*time.Millisecond))
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Chatty"})
	console := analysis.NewConsole(analysisClient(t, srv, an), &analysis.ConsoleOptions{BatchLines: 50})
	log := slog.New(console)
	for i := range 2000 {
		log.Info(fmt.Sprint(i))
	}
	require.NoError(t, console.Flush(t.Context()))
	lines := srv.ConsoleLines(an.ID)
	require.Len(t, lines, 2000)
	assert.Equal(t, "1999", lines[1999])
	st := console.Stats()
	assert.Zero(t, st.Blocked)
	assert.Equal(t, 2000, st.Sent)
	require.NoError(t, console.Close(t.Context()))
}

// TestConsoleFullBufferDropsAndSaysSo holds the console service while lines pile up in
// a tiny buffer: calls wait at most BlockTimeout, then lines are dropped, counted and
// reported on the console itself.
func TestConsoleFullBufferDropsAndSaysSo(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Chatty"})
	srv.Inject(tagotest.Fault{Path: "/analysis/services/console/send", Delay: 300 * time.Millisecond})
	console := analysis.NewConsole(analysisClient(t, srv, an), &analysis.ConsoleOptions{
		MaxBuffered: 40, BlockTimeout: 5 * time.Millisecond, BatchLines: 1})
	log := slog.New(console)
	log.Info("first") // the sender takes it and is held by the fault
	time.Sleep(50 * time.Millisecond)
	for i := range 20 {
		log.Info(fmt.Sprintf("line %02d", i)) // 7 bytes each: 5 fit
	}
	require.NoError(t, console.Close(t.Context()))
	st := console.Stats()
	assert.Equal(t, 21, st.Lines)
	assert.Positive(t, st.Blocked)
	assert.Positive(t, st.Dropped)
	assert.Equal(t, 21, st.Sent+st.Dropped)
	lines := srv.ConsoleLines(an.ID)
	assert.Contains(t, lines, fmt.Sprintf("WARN tago: %d console lines were lost (buffer full or console service failing)", st.Dropped))
	assert.Equal(t, "first", lines[0])
}

func TestConsoleLineFormat(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Fmt"})
	console := analysis.NewConsole(analysisClient(t, srv, an), &analysis.ConsoleOptions{Level: slog.LevelDebug})
	log := slog.New(console).With("run", 7).WithGroup("dev")
	log.Debug("reading", "id", "d1", slog.Group("pos", "lat", 1.5))
	log.Error("failed", "err", "disk full", "empty", "")
	slog.New(console).Info("plain")
	quiet := analysis.NewConsole(analysisClient(t, srv, an), nil)
	assert.False(t, quiet.Enabled(context.Background(), slog.LevelDebug))
	require.NoError(t, quiet.Close(t.Context()))
	require.NoError(t, console.Close(t.Context()))
	assert.Equal(t, []string{
		"DEBUG reading run=7 dev.id=d1 dev.pos.lat=1.5",
		`ERROR failed run=7 dev.err="disk full" dev.empty=""`,
		"plain",
	}, srv.ConsoleLines(an.ID))
	err := console.Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelInfo, "late", 0))
	assert.ErrorContains(t, err, "console closed")
}

func TestRouter(t *testing.T) {
	mk := func(env map[string]string, scope ...string) *analysis.Trigger {
		tr := &analysis.Trigger{Env: env}
		for _, s := range scope {
			tr.Scope = append(tr.Scope, []byte(s))
			var d tago.Data
			if d.UnmarshalJSON([]byte(s)) == nil && d.Variable != "" {
				tr.Data = append(tr.Data, d)
			}
		}
		return tr
	}
	var ran []string
	route := func(name string) analysis.Handler {
		return func(context.Context, *analysis.Trigger) error { ran = append(ran, name); return nil }
	}
	r := (&analysis.Router{}).
		On(route("temperature"), analysis.WhenVariable("temperature", "temp")).
		On(route("form"), analysis.WhenForm("create-device")).
		On(route("button"), analysis.WhenButton("reset")).
		On(route("created"), analysis.WhenAction("create"), analysis.WhenEnv("SITE", "north")).
		On(route("edit"), analysis.WhenWidget("edit")).
		On(func(context.Context, *analysis.Trigger) error { return fmt.Errorf("bad") }, analysis.WhenEnv("FAIL", "1"))
	tests := []struct {
		tr   *analysis.Trigger
		want []string
	}{
		{mk(nil, `{"variable":"temp","value":1}`), []string{"temperature"}},
		{mk(nil, `{"variable":"x","input_form_button_id":"create-device"}`), []string{"form"}},
		{mk(nil, `{"device":"d","device_list_button_id":"reset"}`), []string{"button"}},
		{mk(map[string]string{"_widget_exec": "reset"}), []string{"button"}},
		{mk(map[string]string{"_action_when": "create", "SITE": "north"}, `{"variable":"temp"}`), []string{"temperature", "created"}},
		{mk(map[string]string{"_action_when": "create"}), nil},
		{mk(map[string]string{"_widget_exec": "edit"}), []string{"edit"}},
	}
	for i, tt := range tests {
		ran = nil
		err := r.Handle(context.Background(), tt.tr)
		if tt.want == nil {
			assert.ErrorIs(t, err, analysis.ErrNoRoute, "case %d", i)
		} else {
			assert.NoError(t, err, "case %d", i)
		}
		assert.Equal(t, tt.want, ran, "case %d", i)
	}
	err := r.Handle(context.Background(), mk(map[string]string{"FAIL": "1"}))
	assert.EqualError(t, err, "bad")
	assert.True(t, strings.Contains(analysis.ErrNoRoute.Error(), "no route"))
}

// TestConsoleCloseGivesUpWithItsContext closes a console whose platform hangs: Close
// returns when its context ends, with the sender stopped and the line counted as failed.
func TestConsoleCloseGivesUpWithItsContext(t *testing.T) {
	srv := tagotest.NewServer(t)
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Stuck"})
	srv.Inject(tagotest.Fault{Path: "/analysis/services/console/send", Delay: time.Hour, Times: -1})
	console := analysis.NewConsole(analysisClient(t, srv, an), nil)
	slog.New(console).Info("never arrives")
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, console.Close(ctx), context.DeadlineExceeded)
	st := console.Stats()
	assert.Equal(t, 1, st.Lines)
	assert.Equal(t, 1, st.Failed)
	assert.Zero(t, st.Sent)
}
