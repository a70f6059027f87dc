package tago

// DataService sends, reads, edits and deletes device data.
type DataService service
