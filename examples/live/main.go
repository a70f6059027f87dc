// Command live watches a device's data live, over the platform's realtime events, and
// prints each record as it arrives.
//
// Without configuration it runs against tagotest, an in-memory fake of the platform: it
// creates a device, has it send a few readings and prints them as they are stored:
//
//	go run ./examples/live
//
// On your account, until Ctrl-C:
//
//	TAGO_TOKEN=...         an account (profile) token
//	TAGO_DEVICE_ID=...     the device to watch
//	TAGO_REGION=eu-w1      optional: us-e1 (default) or eu-w1
//	TAGO_API_URL=https://  optional: another API, such as TagoIO Deploy
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "live failed:", err)
		os.Exit(1)
	}
}

// demoReadings are what the fake device sends.
var demoReadings = []tago.Data{
	{Variable: "temperature", Value: 21.5, Unit: "°C"},
	{Variable: "humidity", Value: 48.0, Unit: "%"},
	{Variable: "temperature", Value: 21.7, Unit: "°C"},
	{Variable: "door", Value: "open"},
	{Variable: "temperature", Value: 22.0, Unit: "°C"},
}

// run watches the device and prints its records; on the fake it stops after the demo
// readings.
func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	token, deviceID := getenv("TAGO_TOKEN"), getenv("TAGO_DEVICE_ID")
	var opts []tago.Option
	want := -1 // records to print before stopping; -1: until Ctrl-C
	var onConnect func()
	if token == "" {
		srv, err := tagotest.Start()
		if err != nil {
			return err
		}
		defer srv.Close()
		fmt.Fprintf(out, "No TAGO_TOKEN set: watching a device on tagotest, an in-memory fake of TagoIO, at %s.\n", srv.URL)
		dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
		token, deviceID, want = srv.AccountToken(), dev.ID, len(demoReadings)
		opts = append(opts, tago.WithBaseURL(srv.URL))
		sensor, err := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL))
		if err != nil {
			return err
		}
		started := false
		onConnect = func() { // the device starts sending once we listen
			if started {
				return
			}
			started = true
			go func() {
				for _, d := range demoReadings {
					if _, err := sensor.Data.Send(ctx, d); err != nil {
						return
					}
				}
			}()
		}
	} else if deviceID == "" {
		return errors.New("set TAGO_DEVICE_ID to the device to watch")
	}
	if r := getenv("TAGO_REGION"); r != "" {
		opts = append(opts, tago.WithRegion(tago.Region(r)))
	}
	if u := getenv("TAGO_API_URL"); u != "" {
		opts = append(opts, tago.WithBaseURL(u))
	}
	c, err := tago.NewClient(tago.AccountToken(token), opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Watching device %s on %s (Ctrl-C stops).\n", deviceID, c.RealtimeURL())
	sub := &tago.SubscribeOptions{
		OnConnect: onConnect,
		OnDisconnect: func(err error, wait time.Duration) {
			fmt.Fprintf(out, "(connection lost: %v; reconnecting in %v)\n", err, wait.Round(time.Millisecond))
		},
	}
	printed := 0
	for ev, err := range c.Realtime.Subscribe(ctx, sub, tago.DeviceDataChannel(deviceID)) {
		if errors.Is(err, tago.ErrEventsLost) {
			fmt.Fprintln(out, "(", err, ")")
			continue
		}
		if err != nil {
			return err
		}
		recs, err := ev.DeviceData()
		if err != nil {
			fmt.Fprintf(out, "(an event that is not data: %s)\n", ev.Data)
			continue
		}
		for _, d := range recs {
			line := fmt.Sprintf("%s  %-12s %v %s", d.Time.UTC().Format(time.TimeOnly), d.Variable, d.Value, d.Unit)
			fmt.Fprintln(out, strings.TrimRight(line, " "))
			printed++
		}
		if want >= 0 && printed >= want {
			break
		}
	}
	return nil
}
