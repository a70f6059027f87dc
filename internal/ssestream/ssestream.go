// Package ssestream builds the event streams the realtime benchmarks and the side-by-side
// comparison with the JS SDK's client read, so that both measure the same bytes.
package ssestream

import (
	"bytes"
	"fmt"
)

// DeviceData returns n events as the platform sends device data: an id and one data
// line of about 250 bytes holding one record, with a keep-alive comment every 50 events.
func DeviceData(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "id: %d\ndata: {\"channel\":\"device_data.65a1b2c3d4e5f60718290000\",\"payload\":[{\"id\":\"65a1b2c3d4e5f607%08x\","+
			"\"device\":\"65a1b2c3d4e5f60718290000\",\"variable\":\"temperature\",\"value\":%d.5,\"unit\":\"°C\","+
			"\"group\":\"1741608000000%03d\",\"time\":\"2025-03-10T12:00:00.000Z\"}]}\n\n", i, i, i%40, i%1000)
		if i%50 == 0 {
			b.WriteString(": keep-alive\n\n")
		}
	}
	return b.Bytes()
}
