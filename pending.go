package tago

// Services whose methods are still on their way to main; this keeps their accessors
// referenced until then. Removed when the services land.
var _ = []any{(*DataService).cl}
