package tago_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRealtimeFlowDeviceDataArrivesLive(t *testing.T) {
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	acc, _ := flowClient(t, srv, tago.AccountToken(srv.AccountToken()))
	assert.Equal(t, srv.URL+"/events", acc.RealtimeURL()) // a test server needs no option
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))

	connected := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	seq := acc.Realtime.Subscribe(ctx, &tago.SubscribeOptions{OnConnect: func() { close(connected) }},
		tago.DeviceDataChannel(dev.ID))
	sent := make(chan error, 1)
	go func() {
		<-connected
		_, err := device.Data.Send(t.Context(), tago.Data{Variable: "temperature", Value: 21.5, Unit: "°C"},
			tago.Data{Variable: "humidity", Value: 40})
		sent <- err
	}()
	defer func() { assert.NoError(t, <-sent) }()
	for ev, err := range seq {
		require.NoError(t, err)
		recs, err := ev.DeviceData()
		require.NoError(t, err)
		require.Len(t, recs, 2)
		assert.Equal(t, "temperature", recs[0].Variable)
		assert.Equal(t, 21.5, recs[0].Value)
		assert.Equal(t, "°C", recs[0].Unit)
		assert.Equal(t, dev.ID, recs[0].Device)
		assert.Equal(t, "humidity", recs[1].Variable)
		assert.Equal(t, "device_data."+dev.ID, ev.Channel)
		break
	}
}

// TestRealtimeFlowReconnectLosesNothing cuts the stream in the middle of an event and
// then silences it; the subscription reconnects each time with Last-Event-ID, and the
// fake's replay fills the gaps: every record arrives once, in order.
func TestRealtimeFlowReconnectLosesNothing(t *testing.T) {
	srv := tagotest.NewServer(t, tagotest.WithEventHeartbeat(0))
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d"})
	srv.InjectEventFault(tagotest.EventFault{Cut: true, After: 3})
	srv.InjectEventFault(tagotest.EventFault{Silent: true, After: 4})
	acc, sleeps := flowClient(t, srv, tago.AccountToken(srv.AccountToken()))

	const n = 20
	var disconnects []string
	connects := make(chan struct{}, 8)
	seq := acc.Realtime.Subscribe(t.Context(), &tago.SubscribeOptions{
		ReadTimeout:  100 * time.Millisecond, // the silent connection is noticed quickly
		OnConnect:    func() { connects <- struct{}{} },
		OnDisconnect: func(err error, _ time.Duration) { disconnects = append(disconnects, err.Error()) },
	}, tago.DeviceDataChannel(dev.ID))
	go func() {
		<-connects // publish once the first connection is registered
		for i := range n {
			srv.AddData(dev.ID, tagotest.Record{Variable: "n", Value: i})
		}
	}()
	var got []float64
	for ev, err := range seq {
		require.NoError(t, err)
		recs, err := ev.DeviceData()
		require.NoError(t, err)
		require.Len(t, recs, 1)
		got = append(got, recs[0].Value.(float64))
		if len(got) == n {
			break
		}
	}
	want := make([]float64, n)
	for i := range want {
		want[i] = float64(i)
	}
	assert.Equal(t, want, got)
	require.Len(t, disconnects, 2)
	assert.Contains(t, disconnects[0], "unexpected EOF")
	assert.Equal(t, "tago: GET /events: no data for 100ms: the connection counts as dead", disconnects[1])
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second}, sleeps.recorded())
	conns := 0
	for _, r := range srv.Requests() {
		if r.Path == "/events" {
			conns++
		}
	}
	assert.Equal(t, 3, conns)
}

func TestRealtimeFlowRetryHintIsHonoured(t *testing.T) {
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d"})
	srv.InjectEventFault(tagotest.EventFault{Cut: true, After: 1, Retry: 1500 * time.Millisecond})
	acc, sleeps := flowClient(t, srv, tago.AccountToken(srv.AccountToken()))
	connects := make(chan struct{}, 4)
	seq := acc.Realtime.Subscribe(t.Context(), &tago.SubscribeOptions{OnConnect: func() { connects <- struct{}{} }},
		tago.DeviceDataChannel(dev.ID))
	go func() {
		<-connects
		srv.AddData(dev.ID, tagotest.Record{Variable: "a", Value: 1})
		srv.AddData(dev.ID, tagotest.Record{Variable: "b", Value: 2}) // cut mid-event
	}()
	var vars []string
	for ev, err := range seq {
		require.NoError(t, err)
		recs, err := ev.DeviceData()
		require.NoError(t, err)
		vars = append(vars, recs[0].Variable)
		if len(vars) == 2 {
			break
		}
	}
	assert.Equal(t, []string{"a", "b"}, vars) // b was replayed after the cut
	assert.Equal(t, []time.Duration{1500 * time.Millisecond}, sleeps.recorded())
}

func TestRealtimeFlowRefusedSubscription(t *testing.T) {
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d"})
	devClient, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	var errs []error
	for _, err := range devClient.Realtime.Subscribe(t.Context(), nil, tago.DeviceDataChannel(dev.ID)) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], tago.ErrUnauthorized)
	assert.EqualError(t, errs[0], "tago: GET /events: 401 Authorization Denied")
	assert.NotContains(t, errs[0].Error(), dev.Token)
}

// TestRealtimeFlowNoGoroutineLeak subscribes many times, ending each subscription by
// breaking the loop or cancelling the context, and checks that the goroutines return
// to their number before.
func TestRealtimeFlowNoGoroutineLeak(t *testing.T) {
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d"})
	transport := &http.Transport{}
	acc, _ := flowClient(t, srv, tago.AccountToken(srv.AccountToken()), tago.WithHTTPClient(&http.Client{Transport: transport}))
	settle := func() int {
		transport.CloseIdleConnections()
		return runtime.NumGoroutine()
	}
	before := settle()
	for i := range 20 {
		ctx, cancel := context.WithCancel(t.Context())
		connected := make(chan struct{})
		seq := acc.Realtime.Subscribe(ctx, &tago.SubscribeOptions{OnConnect: func() { close(connected) }},
			tago.DeviceDataChannel(dev.ID))
		if i%2 == 0 { // end by breaking out of the loop
			go func() { <-connected; srv.AddData(dev.ID, tagotest.Record{Variable: "v", Value: i}) }()
			for _, err := range seq {
				require.NoError(t, err)
				break
			}
		} else { // end by cancelling the context
			go func() { <-connected; cancel() }()
			for _, err := range seq {
				require.NoError(t, err)
			}
		}
		cancel()
	}
	// Polled here, not with assert.Eventually, whose own goroutines would count.
	after := settle()
	for deadline := time.Now().Add(5 * time.Second); after > before && time.Now().Before(deadline); after = settle() {
		time.Sleep(10 * time.Millisecond) // goroutines that were told to stop take a moment to return
	}
	if after > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("goroutines: before %d, after %d\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
	require.Eventually(t, func() bool { return srv.Subscribers() == 0 }, 5*time.Second, 10*time.Millisecond)
}

func TestRealtimeFlowSlowConsumerDropOldest(t *testing.T) {
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d"})
	acc, _ := flowClient(t, srv, tago.AccountToken(srv.AccountToken()))
	connected, published := make(chan struct{}), make(chan struct{})
	seq := acc.Realtime.Subscribe(t.Context(), &tago.SubscribeOptions{Buffer: 4, Policy: tago.DropOldest,
		OnConnect: func() { close(connected) }}, tago.DeviceDataChannel(dev.ID))
	go func() {
		<-connected
		for i := range 200 {
			srv.AddData(dev.ID, tagotest.Record{Variable: "v", Value: i})
		}
		close(published)
	}()
	received, dropped := 0, 0
	last := -1.0
	for ev, err := range seq {
		var gap *tago.GapError
		if errors.As(err, &gap) {
			dropped += gap.Dropped
			continue
		}
		require.NoError(t, err)
		if received == 0 {
			<-published // fall behind: the reader goes on reading meanwhile
		}
		recs, err := ev.DeviceData()
		require.NoError(t, err)
		v := recs[0].Value.(float64)
		require.Greater(t, v, last, "order kept")
		last = v
		received++
		if v == 199 {
			break
		}
	}
	// Every event is either delivered or counted as dropped.
	assert.Equal(t, 200, received+dropped, fmt.Sprintf("received %d, dropped %d", received, dropped))
}
