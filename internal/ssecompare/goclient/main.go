// Command goclient subscribes to the comparison server with the SDK and reports events
// per second and CPU per event over -n events (an argument "decode" decodes each one).
package main

import (
	"context"
	"flag"
	"fmt"
	"syscall"
	"time"

	"github.com/go-tago/tago"
)

// cpu is the process's user and system time.
func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	url := flag.String("url", "http://127.0.0.1:18765", "the comparison server's base URL")
	events := flag.Int("n", 300000, "events to read (at most the server's)")
	flag.Parse()
	n := *events
	decode := flag.Arg(0) == "decode"
	c, err := tago.NewClient(tago.AccountToken("00000000-0000-0000-0000-000000000000"), tago.WithRealtimeURL(*url))
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := 0
	var start time.Time
	var c0 time.Duration
	for ev, err := range c.Realtime.Subscribe(ctx, nil, tago.DeviceDataChannel("65a1b2c3d4e5f60718290000")) {
		if err != nil {
			panic(err)
		}
		if got == 0 {
			start, c0 = time.Now(), cpu()
		}
		if decode {
			if _, err := ev.DeviceData(); err != nil {
				panic(err)
			}
		}
		if got++; got == n {
			break
		}
	}
	el := time.Since(start)
	fmt.Printf("go decode=%v events/s=%.0f cpu_us/event=%.2f\n", decode, float64(n-1)/el.Seconds(), float64((cpu()-c0).Microseconds())/float64(n-1))
}
