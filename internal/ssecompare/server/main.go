// Command server serves the same device-data events (300,000 by default) to every
// GET /events, from memory, for comparing SSE clients side by side.
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/go-tago/tago/internal/ssestream"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18765", "address to listen on")
	n := flag.Int("n", 300000, "events in the stream")
	flag.Parse()
	body := ssestream.DeviceData(*n) // built before listening, so a client meets no build time
	http.HandleFunc("/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write(body); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
