// Package actility connects Actility ThingPark, the LoRaWAN network server, to TagoIO.
//
// ThingPark X IoT Flow forwards every uplink of a device as an HTTP POST of a
// {"DevEUI_uplink": {...}} message, with a TagoIO service authorization key in the
// Authorization header. TagoIO files it under the device whose serial is the DevEUI.
// This package covers every piece of that path from Go:
//
//   - [Uplink] and [Downlink] are the typed ThingPark messages. [ParseUplink] and
//     [ParseDownlink] read both the typed JSON and the older "JSON untyped" variant in
//     which every scalar is a string, and keep the fields they do not know in Extra.
//   - [ToData] turns an uplink into the variables TagoIO's "LoRaWAN Actility" network
//     decoder produces (payload, fport, fcntup, lrrrssi, lrrsnr, spfact, location, ...).
//   - [Bridge] is an [net/http.Handler] that plays the network-server middleware for
//     people who run it themselves: it resolves the device token for the DevEUI and the
//     key with a network token and sends the uplink's variables as that device. The
//     command cmd/actility-bridge runs it.
//   - [QueueDownlink] queues a downlink for a device the way TagoIO does it, through the
//     network's middleware.
//   - [ThingParkClient] creates, updates and deletes the ThingPark X IoT Flow connection
//     that sends a subscriber's uplinks to TagoIO.
//
// Nothing in this package logs or returns an authorization key, a device token or a
// ThingPark bearer token.
package actility
