// Command analysis is a TagoIO analysis written in Go. For each run it reads the
// temperature records of the trigger's data, stores their average and maximum on a
// device, and e-mails an alert when the maximum passes a limit.
//
// Without configuration it runs against tagotest, an in-memory fake of the platform,
// which creates the device and the analysis, triggers one run and shows what the
// analysis did:
//
//	go run ./examples/analysis
//
// On the platform, as an analysis set to run "external" (it listens for its triggers
// until Ctrl-C):
//
//	ANALYSIS_TOKEN=...    the analysis's token (its page, "Token")
//	TAGO_REGION=eu-w1     optional: us-e1 (default) or eu-w1
//	TAGO_API_URL=https:// optional: another API, such as TagoIO Deploy
//
// As a program the platform or TagoCore starts for each run (T_ANALYSIS_CONTEXT set),
// build it and set the analysis's binary to it:
//
//	go build -o temperature-report ./examples/analysis
//
// The analysis's environment variables: DEVICE_TOKEN, the token of the device to store
// the results on; LIMIT, the alert threshold (default 30); EMAIL, where alerts go (no
// e-mail without it, or without an analysis token, as under TagoCore).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/analysis"
	"github.com/go-tago/tago/tagotest"
)

func main() {
	if os.Getenv("T_ANALYSIS_CONTEXT") != "" || os.Getenv("ANALYSIS_TOKEN") != "" {
		var opts []tago.Option
		if r := os.Getenv("TAGO_REGION"); r != "" {
			opts = append(opts, tago.WithRegion(tago.Region(r)))
		}
		if u := os.Getenv("TAGO_API_URL"); u != "" {
			opts = append(opts, tago.WithBaseURL(u))
		}
		analysis.Main(tago.AnalysisToken(os.Getenv("ANALYSIS_TOKEN")), report, analysis.WithClientOptions(opts...))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := demo(ctx, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "analysis example failed:", err)
		os.Exit(1)
	}
}

// report is the analysis.
func report(ctx context.Context, t *analysis.Trigger) error {
	var temps []float64
	for _, d := range t.Data {
		if v, ok := d.Float(); ok && d.Variable == "temperature" {
			temps = append(temps, v)
		}
	}
	if len(temps) == 0 {
		t.Log.Info("no temperature in this run's data; nothing to do")
		return nil
	}
	sum, hottest := 0.0, temps[0]
	for _, v := range temps {
		sum += v
		hottest = max(hottest, v)
	}
	avg := sum / float64(len(temps))
	t.Log.Info("temperatures", "count", len(temps), "average", round(avg), "max", hottest)

	devToken := t.Env["DEVICE_TOKEN"]
	if devToken == "" {
		return errors.New("the analysis needs a DEVICE_TOKEN environment variable")
	}
	dev, err := tago.NewClient(tago.DeviceToken(devToken), tago.WithBaseURL(t.Client.BaseURL()))
	if err != nil {
		return err
	}
	if _, err := dev.Data.Send(ctx,
		tago.Data{Variable: "temperature_avg", Value: round(avg), Unit: "°C"},
		tago.Data{Variable: "temperature_max", Value: hottest, Unit: "°C"}); err != nil {
		return fmt.Errorf("storing the results: %w", err)
	}

	limit := 30.0
	if s := t.Env["LIMIT"]; s != "" {
		if limit, err = strconv.ParseFloat(s, 64); err != nil {
			return fmt.Errorf("LIMIT %q is not a number", s)
		}
	}
	switch to := t.Env["EMAIL"]; {
	case hottest <= limit:
		return nil
	case to == "" || t.Client.TokenKind() != tago.KindAnalysis:
		t.Log.Warn("over the limit, but no e-mail: needs EMAIL and an analysis token", "max", hottest, "limit", limit)
		return nil
	default:
		t.Log.Warn("over the limit: e-mailing", "max", hottest, "limit", limit, "to", to)
		return t.Client.Services.SendEmail(ctx, tago.EmailRequest{To: []string{to},
			Subject: fmt.Sprintf("Temperature %.1f °C", hottest),
			Message: fmt.Sprintf("%d readings, average %.1f °C, maximum %.1f °C (limit %.1f °C).", len(temps), avg, hottest, limit)})
	}
}

func round(v float64) float64 { return float64(int(v*10+0.5)) / 10 }

// demo runs the analysis once on tagotest and prints what it did.
func demo(ctx context.Context, out io.Writer) error {
	srv, err := tagotest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(out, "No ANALYSIS_TOKEN set: running on tagotest, an in-memory fake of TagoIO, at %s.\n", srv.URL)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Temperature report", Variables: []tagotest.AnalysisVariable{
		{Key: "DEVICE_TOKEN", Value: dev.Token}, {Key: "LIMIT", Value: "30"}, {Key: "EMAIL", Value: "ops@example.com"}}})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var runErr error
	once := func(ctx context.Context, t *analysis.Trigger) error {
		defer cancel() // one run, then the demo stops listening
		runErr = report(ctx, t)
		return runErr
	}
	ready := func(info tago.AnalysisTokenInfo) {
		fmt.Fprintf(out, "Analysis %q (run on %s) is listening; the fake triggers it with 4 readings.\n", info.Name, info.RunOn)
	}
	var triggered sync.Once
	trigger := func() { // once the analysis is connected, as an action would
		triggered.Do(func() {
			srv.TriggerAnalysis(an.ID,
				tagotest.Record{Variable: "temperature", Value: 24.5, Unit: "°C"}, tagotest.Record{Variable: "temperature", Value: 27.0, Unit: "°C"},
				tagotest.Record{Variable: "humidity", Value: 61, Unit: "%"}, tagotest.Record{Variable: "temperature", Value: 31.5, Unit: "°C"})
		})
	}
	if err := analysis.Run(ctx, tago.AnalysisToken(an.Token), once, analysis.WithReady(ready),
		analysis.WithSubscribeOptions(&tago.SubscribeOptions{OnConnect: trigger}),
		analysis.WithClientOptions(tago.WithBaseURL(srv.URL)), analysis.WithLogger(slog.New(slog.DiscardHandler))); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	fmt.Fprintln(out, "Console:")
	for _, l := range srv.ConsoleLines(an.ID) {
		fmt.Fprintln(out, "  "+l)
	}
	for _, r := range srv.Data(dev.ID) {
		fmt.Fprintf(out, "Stored on the device: %s = %v %s\n", r.Variable, r.Value, r.Unit)
	}
	for _, e := range srv.Emails() {
		fmt.Fprintf(out, "E-mail to %s: %q: %s\n", strings.Join(e.To, ", "), e.Subject, e.Message)
	}
	return nil
}
