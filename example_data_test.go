package tago_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/go-tago/tago"
)

// fakeDevice starts a local server that answers a device's data API the way TagoIO
// does: POST /data stores readings and answers "N Data Added"; GET /data?query=last_value
// returns the newest stored reading of the requested variable. It stands in for
// https://api.tago.io so the examples run offline.
func fakeDevice(readings ...map[string]any) *httptest.Server {
	var (
		mu    sync.Mutex
		store = readings
	)
	reply := func(w http.ResponseWriter, status int, result any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": status < 300, "result": result})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /data", func(w http.ResponseWriter, r *http.Request) {
		var points []map[string]any
		if err := json.NewDecoder(r.Body).Decode(&points); err != nil {
			reply(w, http.StatusBadRequest, "Invalid data")
			return
		}
		mu.Lock()
		store = append(store, points...)
		mu.Unlock()
		reply(w, http.StatusOK, fmt.Sprintf("%d Data Added", len(points)))
	})
	mux.HandleFunc("GET /data", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		variable := q.Get("variables[0]")
		if q.Get("query") != "last_value" || variable == "" {
			reply(w, http.StatusBadRequest, "this fake only answers last_value queries")
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for i := len(store) - 1; i >= 0; i-- {
			if store[i]["variable"] == variable && store[i]["value"] != nil {
				reply(w, http.StatusOK, []map[string]any{store[i]})
				return
			}
		}
		reply(w, http.StatusOK, []map[string]any{})
	})
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Device-Token") == "" {
			reply(w, http.StatusUnauthorized, "Authorization Denied")
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// A gateway sends a reading with the device's token.
func ExampleDataService_Send() {
	srv := fakeDevice()
	defer srv.Close()

	// Without WithBaseURL the client talks to https://api.tago.io.
	c, err := tago.NewClient(tago.DeviceToken("2ae8f8a0-3ad5-4f3b-9a06-d0e5c8b4e2d1"), tago.WithBaseURL(srv.URL))
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
	// Output: stored 2 readings
}

// A dashboard reads the newest temperature.
func ExampleDataService_Get() {
	srv := fakeDevice(
		map[string]any{"id": "65a5058c7e4a2f0009a1b001", "variable": "temperature", "value": 20.75, "unit": "°C", "time": "2024-01-15T09:00:00.000Z"},
		map[string]any{"id": "65a5058c7e4a2f0009a1b002", "variable": "temperature", "value": 21.5, "unit": "°C", "time": "2024-01-15T10:00:00.000Z"},
		map[string]any{"id": "65a5058c7e4a2f0009a1b003", "variable": "door", "value": "open", "time": "2024-01-15T10:05:00.000Z"},
	)
	defer srv.Close()

	c, err := tago.NewClient(tago.DeviceToken("2ae8f8a0-3ad5-4f3b-9a06-d0e5c8b4e2d1"), tago.WithBaseURL(srv.URL))
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
