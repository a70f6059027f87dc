// Command quickstart is a short tour of the TagoIO Go SDK: it creates a device and a
// device token, sends readings with that token, reads back the last value, the count
// and the average, creates a dashboard, and deletes everything it created.
//
// Without TAGO_TOKEN in the environment it runs against tagotest, an in-memory fake of
// the TagoIO API started on the loopback interface, so it needs no account:
//
//	go run ./examples/quickstart
//
// With TAGO_TOKEN set to an account (profile) token it takes the same tour on your
// TagoIO account:
//
//	TAGO_TOKEN=...          account token (Account → Profile → Tokens)
//	TAGO_REGION=us-e1       or eu-w1; default us-e1 (https://api.tago.io)
//	TAGO_API_URL=https://…  another API, such as a TagoIO Deploy instance; overrides TAGO_REGION
//	TAGO_NETWORK_ID=…       the new device's network; default 62336c32ab6e0d0012e06c04,
//	                        TagoIO's storage network for devices fed over the API
//	TAGO_CONNECTOR_ID=…     the new device's connector; default 62333bd36977fc001a2990c8,
//	                        TagoIO's database connector paired with that network
//
// It exits with status 1 and a message on the first failure, after deleting what it
// had created. Tokens are printed masked, never in full.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

// name labels the device and the dashboard the tour creates.
const name = "Go SDK quickstart"

// temperatures are the readings the tour sends, one every ten minutes up to now.
var temperatures = []float64{20.8, 21.1, 21.4, 21.9, 22.3, 22.6}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart failed:", err)
		os.Exit(1)
	}
}

// run takes the tour, printing each step to out; getenv reads the configuration.
func run(ctx context.Context, out io.Writer, getenv func(string) string) (err error) {
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	token := getenv("TAGO_TOKEN")
	opts := []tago.Option{tago.WithUserAgent("tago-quickstart/" + tago.Version)}
	if token == "" {
		srv, err := tagotest.Start()
		if err != nil {
			return err
		}
		defer srv.Close()
		say("No TAGO_TOKEN set: using tagotest, an in-memory fake of the TagoIO API, at %s.", srv.URL)
		say("(Set TAGO_TOKEN to an account token to take this tour on your TagoIO account.)")
		token = srv.AccountToken()
		opts = append(opts, tago.WithBaseURL(srv.URL))
	} else {
		if r := getenv("TAGO_REGION"); r != "" {
			opts = append(opts, tago.WithRegion(tago.Region(r)))
		}
		if u := getenv("TAGO_API_URL"); u != "" {
			opts = append(opts, tago.WithBaseURL(u))
		}
	}
	network, connector := orDefault(getenv("TAGO_NETWORK_ID"), tagotest.DefaultNetworkID),
		orDefault(getenv("TAGO_CONNECTOR_ID"), tagotest.DefaultConnectorID)

	accountToken := tago.AccountToken(token)
	account, err := tago.NewClient(accountToken, opts...)
	if err != nil {
		return err
	}
	st, err := account.Status(ctx)
	if err != nil {
		return err
	}
	say("TagoIO API %s (version %s), with %v", account.BaseURL(), st.Version, accountToken)

	// Whatever happens next, delete what was created, newest first; an interrupted
	// tour still cleans up.
	var undo []func(context.Context) error
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		for i := len(undo) - 1; i >= 0; i-- {
			err = errors.Join(err, undo[i](cctx))
		}
	}()

	dev, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{Name: name, Network: network, Connector: connector})
	if err != nil {
		return fmt.Errorf("creating the device: %w", err)
	}
	say("Created device %q (%s)", name, dev.ID)
	undo = append(undo, func(ctx context.Context) error {
		if err := account.Devices.Delete(ctx, dev.ID); err != nil {
			return fmt.Errorf("deleting the device: %w", err)
		}
		say("Deleted device %s and its data", dev.ID)
		return nil
	})

	tok, err := account.Tokens.Create(ctx, dev.ID, tago.DeviceTokenCreateRequest{
		Name: "quickstart", Permission: tago.PermissionFull, ExpireTime: tago.ExpiresNever(),
	})
	if err != nil {
		return fmt.Errorf("creating a device token: %w", err)
	}
	say("Created device token %v (%s permission)", tok.Token, tok.Permission)
	undo = append(undo, func(ctx context.Context) error {
		if err := account.Tokens.Delete(ctx, tok.Token.Reveal()); err != nil {
			return fmt.Errorf("deleting the device token: %w", err)
		}
		say("Deleted device token %v", tok.Token)
		return nil
	})

	// A device (or its gateway) holds only its own token.
	device, err := tago.NewClient(tago.DeviceToken(tok.Token.Reveal()), opts...)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	points := make([]tago.Data, len(temperatures))
	for i, v := range temperatures {
		at := now.Add(time.Duration(i-len(temperatures)+1) * 10 * time.Minute)
		points[i] = tago.Data{Variable: "temperature", Value: v, Unit: "°C", Time: at}
	}
	n, err := device.Data.Send(ctx, points...)
	if err != nil {
		return fmt.Errorf("sending readings: %w", err)
	}
	say("Sent %d temperature readings with the device token", n)

	temps := &tago.DataQuery{Variables: []string{"temperature"}}
	count, err := waitForCount(ctx, device, temps, n)
	if err != nil {
		return err
	}
	say("Count: the device holds %d temperature readings", count)

	last, err := device.Data.Get(ctx, &tago.DataQuery{Query: tago.QueryLastValue, Variables: temps.Variables})
	if err != nil {
		return fmt.Errorf("reading the last value: %w", err)
	}
	if len(last) == 0 {
		return errors.New("reading the last value: the platform returned no record")
	}
	v, _ := last[0].Float()
	say("Last value: %.1f %s at %s", v, last[0].Unit, last[0].Time.UTC().Format("15:04:05 UTC"))

	avg, err := device.Data.Summarize(ctx, &tago.DataQuery{Query: tago.QueryAvg, Variables: temps.Variables,
		StartDate: now.Add(-time.Hour)})
	if err != nil {
		return fmt.Errorf("reading the average: %w", err)
	}
	if len(avg) == 0 {
		return errors.New("reading the average: the platform returned none")
	}
	say("Average over the last hour: %.1f °C", avg[0].Value)

	dash, err := account.Dashboards.Create(ctx, tago.DashboardCreateRequest{
		Label: name, Tags: []tago.Tag{{Key: "created_by", Value: "tago-quickstart"}},
	})
	if err != nil {
		return fmt.Errorf("creating a dashboard: %w", err)
	}
	say("Created dashboard %q (%s)", name, dash)
	undo = append(undo, func(ctx context.Context) error {
		if err := account.Dashboards.Delete(ctx, dash); err != nil {
			return fmt.Errorf("deleting the dashboard: %w", err)
		}
		say("Deleted dashboard %s", dash)
		return nil
	})

	say("Cleaning up.")
	return nil
}

// waitForCount counts the records q selects until there are at least want: the
// platform may take a moment to index what it accepted.
func waitForCount(ctx context.Context, c *tago.Client, q *tago.DataQuery, want int) (int, error) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		n, err := c.Data.Count(ctx, q)
		if err != nil {
			return 0, fmt.Errorf("counting readings: %w", err)
		}
		if n >= want || time.Now().After(deadline) {
			if n < want {
				return n, fmt.Errorf("counting readings: the platform holds %d of the %d sent", n, want)
			}
			return n, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
