package spool_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/spool"
	"github.com/go-tago/tago/tagotest"
)

// A gateway keeps its readings in a spool file: Enqueue returns once they are on
// disk, and Run delivers them, exactly once, whenever the platform can be reached.
// Here the platform is tagotest, down for the first three requests.
func Example() {
	srv, _ := tagotest.Start()
	defer srv.Close()
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Greenhouse"})
	client, err := tago.NewClient(tago.DeviceToken(dev.Token), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	dir, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(dir)
	sp, err := spool.Open(filepath.Join(dir, "spool.db"), &spool.Options{MinBackoff: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer sp.Close()

	srv.FailNext(3, "", "", 503, "") // an outage
	ctx := context.Background()
	for i := range 5 {
		err := sp.Enqueue(ctx, "greenhouse", tago.Data{Variable: "temperature", Value: 20 + i, Unit: "°C"})
		if err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("queued:", sp.Stats().Points)

	route := spool.Routes(map[string]*tago.DataService{"greenhouse": client.Data})
	if err := sp.Drain(ctx, route); err != nil {
		log.Fatal(err)
	}
	st := sp.Stats()
	fmt.Println("queued:", st.Points, "delivered:", st.Sent+st.Found, "looked up:", st.Lookups)
	fmt.Println("on the platform:", len(srv.Data(dev.ID)))
	// Output:
	// queued: 5
	// queued: 0 delivered: 5 looked up: 1
	// on the platform: 5
}
