package tago

// DevicesService manages devices (account token).
type DevicesService service
