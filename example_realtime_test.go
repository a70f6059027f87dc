package tago_test

import (
	"context"
	"fmt"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

func ExampleRealtimeService_Subscribe() {
	srv, _ := tagotest.Start() // against the cloud: no base URL, the region's realtime URL
	defer srv.Close()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	c, _ := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	sensor, _ := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL))

	ctx := context.Background()
	opts := &tago.SubscribeOptions{OnConnect: func() {
		// The device reports once we listen.
		go sensor.Data.Send(ctx, tago.Data{Variable: "temperature", Value: 21.5, Unit: "°C"})
	}}
	for ev, err := range c.Realtime.Subscribe(ctx, opts, tago.DeviceDataChannel(dev.ID)) {
		if err != nil {
			fmt.Println(err)
			return
		}
		recs, _ := ev.DeviceData()
		fmt.Println(recs[0].Variable, recs[0].Value, recs[0].Unit)
		break // one record is enough here; a live loop goes on
	}
	// Output: temperature 21.5 °C
}

func ExampleServicesService_SendEmail() {
	srv, _ := tagotest.Start()
	defer srv.Close()
	an := srv.AddAnalysis(tagotest.AnalysisSpec{External: true, Name: "Alerts"})
	c, _ := tago.NewClient(tago.AnalysisToken(an.Token), tago.WithBaseURL(srv.URL))

	err := c.Services.SendEmail(context.Background(), tago.EmailRequest{
		To: []string{"ops@example.com"}, Subject: "Too hot", Message: "31.5 °C in the greenhouse"})
	fmt.Println(err, srv.Emails()[0].To, srv.Emails()[0].Subject)
	// Output: <nil> [ops@example.com] Too hot
}
