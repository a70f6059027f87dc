package tago

// NetworksService reads networks and connectors and resolves device tokens.
type NetworksService service
