package tago_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

// A gateway sends a reading with the device's token.
func ExampleDataService_Send() {
	// A local fake of the platform, so the example runs offline; it holds one device.
	srv, err := tagotest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})

	// Without WithBaseURL the client talks to https://api.tago.io.
	c, err := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	n, err := c.Data.Send(context.Background(),
		tago.Data{Variable: "temperature", Value: 21.5, Unit: "°C", Time: time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)},
		tago.Data{Variable: "position", Location: &tago.Location{Lat: 42.2974279, Lng: -85.628292}},
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored", n, "readings")
	fmt.Println("the platform holds", len(srv.Data(dev.ID)))
	// Output:
	// stored 2 readings
	// the platform holds 2
}

// A dashboard reads the newest temperature.
func ExampleDataService_Get() {
	srv, err := tagotest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	srv.AddData(dev.ID,
		tagotest.Record{Variable: "temperature", Value: 20.75, Unit: "°C", Time: time.Date(2024, 1, 15, 9, 0, 0, 0, time.UTC)},
		tagotest.Record{Variable: "temperature", Value: 21.5, Unit: "°C", Time: time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)},
		tagotest.Record{Variable: "door", Value: "open", Time: time.Date(2024, 1, 15, 10, 5, 0, 0, time.UTC)},
	)

	c, err := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	last, err := c.Data.Get(context.Background(), &tago.DataQuery{
		Variables: []string{"temperature"},
		Query:     tago.QueryLastValue,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range last {
		if v, ok := d.Float(); ok {
			fmt.Printf("%s = %.2f %s at %s\n", d.Variable, v, d.Unit, d.Time.Format(time.RFC3339))
		}
	}
	// Output: temperature = 21.50 °C at 2024-01-15T10:00:00Z
}
