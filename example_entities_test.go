package tago_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

// Keep equipment in an entity: a typed schema with an index, records sent, and the
// records of one site streamed back through the index, ordered by its last field.
func ExampleEntitiesService_Stream() {
	srv, err := tagotest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	client, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	id, err := client.Entities.Create(ctx, tago.EntityCreateRequest{
		Name: "Equipment",
		Schema: map[string]tago.EntityField{
			"site":      {Type: tago.EntityString, Required: true},
			"name":      {Type: tago.EntityString, Required: true},
			"installed": {Type: tago.EntityTimestamp},
		},
		Index: map[string]tago.EntityIndex{"site_installed": {Fields: []string{"site", "installed"}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	_, err = client.Entities.SendData(ctx, id,
		tago.EntityRow{"site": "north", "name": "Boiler", "installed": day(12)},
		tago.EntityRow{"site": "south", "name": "Chiller", "installed": day(3)},
		tago.EntityRow{"site": "north", "name": "Pump", "installed": day(5)},
	)
	if err != nil {
		log.Fatal(err)
	}

	query := &tago.EntityDataQuery{Index: "site_installed", Filters: []tago.EntityFilter{{Field: "site", Value: "north"}}}
	for rec, err := range client.Entities.Stream(ctx, id, query) {
		if err != nil {
			log.Fatal(err)
		}
		var eq struct {
			Name      string    `json:"name"`
			Installed time.Time `json:"installed"`
		}
		if err := rec.Decode(&eq); err != nil {
			log.Fatal(err)
		}
		fmt.Println(eq.Name, eq.Installed.Format(time.DateOnly))
	}
	// Output:
	// Pump 2024-03-05
	// Boiler 2024-03-12
}
