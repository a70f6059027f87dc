// Command server serves the same 300,000 device-data events to every GET /events on
// 127.0.0.1:18765, from memory, for comparing SSE clients side by side.
package main

import (
	"bytes"
	"fmt"
	"net/http"
)

func main() {
	const n = 300000
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "id: %d\ndata: {\"channel\":\"device_data.65a1b2c3d4e5f60718290000\",\"payload\":[{\"id\":\"65a1b2c3d4e5f607%08x\","+
			"\"device\":\"65a1b2c3d4e5f60718290000\",\"variable\":\"temperature\",\"value\":%d.5,\"unit\":\"°C\","+
			"\"group\":\"1741608000000%03d\",\"time\":\"2025-03-10T12:00:00.000Z\"}]}\n\n", i, i, i%40, i%1000)
		if i%50 == 0 {
			b.WriteString(": keep-alive\n\n")
		}
	}
	body := b.Bytes()
	http.HandleFunc("/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.Write(body)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	http.ListenAndServe("127.0.0.1:18765", nil)
}
