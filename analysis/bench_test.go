package analysis_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/analysis"
	"github.com/go-tago/tago/tagotest"
)

// BenchmarkTriggerToHandler measures, on loopback, the time from the fake platform
// publishing a trigger to the handler starting: the event's trip over the stream, its
// parsing and decoding, the trigger's records and the run's start. The baseline is the
// same trip to a bare Subscribe loop, without the runtime.
func BenchmarkTriggerToHandler(b *testing.B) {
	b.Run("analysis.Run", func(b *testing.B) {
		srv := tagotest.NewServer(b, tagotest.WithRequestLogLimit(0))
		an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "bench"})
		started := make(chan struct{})
		connected := make(chan struct{})
		var once sync.Once
		ctx, cancel := context.WithCancel(b.Context())
		done := make(chan error, 1)
		go func() {
			done <- analysis.Run(ctx, tago.AnalysisToken(an.Token), func(context.Context, *analysis.Trigger) error {
				started <- struct{}{}
				return nil
			}, analysis.WithClientOptions(tago.WithBaseURL(srv.URL)), analysis.WithConcurrency(1), analysis.WithLogger(slog.New(slog.DiscardHandler)),
				analysis.WithSubscribeOptions(&tago.SubscribeOptions{OnConnect: func() { once.Do(func() { close(connected) }) }}))
		}()
		<-connected
		rec := tagotest.Record{Variable: "temperature", Value: 21.5}
		for b.Loop() {
			srv.TriggerAnalysis(an.ID, rec)
			<-started
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	})
	b.Run("baseline Subscribe", func(b *testing.B) {
		srv := tagotest.NewServer(b, tagotest.WithRequestLogLimit(0))
		an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "bench"})
		c, err := tago.NewClient(tago.AnalysisToken(an.Token), tago.WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		connected := make(chan struct{})
		got := make(chan struct{})
		go func() {
			for _, err := range c.Realtime.Subscribe(b.Context(), &tago.SubscribeOptions{OnConnect: func() { close(connected) }},
				tago.AnalysisTriggerChannel()) {
				if err != nil {
					return
				}
				got <- struct{}{}
			}
		}()
		<-connected
		rec := tagotest.Record{Variable: "temperature", Value: 21.5}
		for b.Loop() {
			srv.TriggerAnalysis(an.ID, rec)
			<-got
		}
	})
}
