// Package actility connects Actility ThingPark, the LoRaWAN network server, to TagoIO.
//
// A ThingPark X IoT Flow connection of type TagoIO posts every message about a
// subscriber's devices to https://actility.middleware.tago.io/uplink?authorization=<key>,
// with a TagoIO service authorization key in the query (the form Actility documents);
// TagoIO files it under the device whose serial is the DevEUI. This package covers
// every piece of that path from Go:
//
//   - [Uplink], [LocationMessage] and [Downlink] are the typed ThingPark messages
//     (uplinks and join requests, ThingPark X Location Engine positions, downlinks).
//     [ParseMessage], [ParseUplink], [ParseLocation] and [ParseDownlink] read both
//     the typed JSON and the "JSON untyped" variant in which every scalar is a string,
//     and keep the fields they do not know in Extra; other kinds of messages
//     (notifications, downlink reports) are recognised as [KindError]s.
//   - [ToData] turns a message into the records TagoIO's "LoRaWAN Actility" network
//     decoder stores for it (payload, fport, fcntup, lrrrssi, lrrsnr, spfact,
//     location, rawposition_location, ...); its documentation lists where it differs
//     on purpose.
//   - [Bridge] is an [net/http.Handler] that plays the network-server middleware for
//     people who run it themselves, in both directions: it resolves the device token
//     for the DevEUI and the key with a network token and sends the message's records
//     as that device, exactly once even across restarts with a [DeliveryFile]; and its
//     [Bridge.DownlinkHandler] queues TagoIO's downlinks on ThingPark. The command
//     cmd/actility-bridge runs it.
//   - [QueueDownlink] queues a downlink for a device the way TagoIO does it, through the
//     network's middleware.
//   - [ThingParkClient] creates, updates and deletes the ThingPark X IoT Flow connection
//     that sends a subscriber's messages to TagoIO.
//
// Nothing in this package logs or returns an authorization key, a device token, a
// ThingPark bearer token or a downlink URL, and no fmt verb or slog handler prints one
// held by its types. None of its HTTP clients follows a redirect.
package actility
