package analysis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/go-tago/tago"
)

// Mode says how an analysis program runs.
type Mode int

const (
	// External is a long-running program the platform sends triggers to over
	// Server-Sent Events: an analysis set to run "external".
	External Mode = iota + 1
	// OneShot is one run that the platform (or TagoCore) started as a process, with
	// the trigger in environment variables.
	OneShot
)

// String returns "external" or "one-shot".
func (m Mode) String() string {
	switch m {
	case External:
		return "external"
	case OneShot:
		return "one-shot"
	default:
		return fmt.Sprintf("Mode(%d)", int(m))
	}
}

// Trigger is one run of the analysis: what started it and what the handler works with.
type Trigger struct {
	// AnalysisID is the analysis's ID.
	AnalysisID string
	// Environment is the analysis's environment variables, in the platform's order.
	Environment []tago.AnalysisVariable
	// Env is the same variables as a map (the last one wins for a repeated key).
	Env map[string]string
	// Data is the scope items that are data records: what an action, a device or a
	// widget sent.
	Data []tago.Data
	// Scope is every scope item as the platform sent it, data records included: a
	// dashboard button, a form or a device list send other shapes, which the [Router]
	// helpers and [Trigger.ScopeField] read.
	Scope []json.RawMessage
	// Client calls the platform with the run's analysis token: c.Services for the
	// console, e-mail, SMS and the rest, and whatever else the token may do. Under
	// TagoCore, which gives analyses no token, it is an anonymous client of TagoCore's
	// API.
	Client *tago.Client
	// Log writes to the analysis's console (see [Console]).
	Log *slog.Logger
	// Mode says how the program runs.
	Mode Mode

	fields []map[string]json.RawMessage // Scope decoded, on demand
}

// newTrigger builds a Trigger from the platform's environment list and scope.
func newTrigger(id string, env []tago.AnalysisVariable, scope json.RawMessage) (*Trigger, error) {
	t := &Trigger{AnalysisID: id, Environment: env, Env: make(map[string]string, len(env))}
	if t.Environment == nil {
		t.Environment = []tago.AnalysisVariable{}
	}
	for _, v := range env {
		t.Env[v.Key] = v.Value
	}
	scope = bytes.TrimSpace(scope)
	switch {
	case len(scope) == 0 || string(scope) == "null":
	case scope[0] == '[':
		if err := json.Unmarshal(scope, &t.Scope); err != nil {
			return nil, fmt.Errorf("analysis: the trigger's data is not a JSON array: %w", err)
		}
	case scope[0] == '{':
		t.Scope = []json.RawMessage{append(json.RawMessage(nil), scope...)}
	default:
		return nil, fmt.Errorf("analysis: the trigger's data is neither an array nor an object: %.40s", scope)
	}
	if t.Scope == nil {
		t.Scope = []json.RawMessage{}
	}
	t.Data = []tago.Data{}
	for _, item := range t.Scope {
		var d tago.Data
		if d.UnmarshalJSON(item) == nil && d.Variable != "" {
			t.Data = append(t.Data, d)
		}
	}
	return t, nil
}

// ScopeField returns the JSON value of key in scope item i, or nil when the item has no
// such member (or is not an object).
func (t *Trigger) ScopeField(i int, key string) json.RawMessage {
	if t.fields == nil {
		t.fields = make([]map[string]json.RawMessage, len(t.Scope))
		for j, item := range t.Scope {
			_ = json.Unmarshal(item, &t.fields[j])
		}
	}
	if i < 0 || i >= len(t.fields) {
		return nil
	}
	return t.fields[i][key]
}

// scopeString returns the string value of key in item i, or "".
func (t *Trigger) scopeString(i int, key string) string {
	var s string
	_ = json.Unmarshal(t.ScopeField(i, key), &s)
	return s
}

// decodeEnv reads T_ANALYSIS_ENV: a JSON array of {key, value}.
func decodeEnv(raw string) ([]tago.AnalysisVariable, error) {
	if len(bytes.TrimSpace([]byte(raw))) == 0 {
		return nil, nil
	}
	var env []tago.AnalysisVariable
	if err := json.Unmarshal([]byte(raw), &env); err != nil {
		return nil, fmt.Errorf("analysis: T_ANALYSIS_ENV is not a JSON list of {key, value}: %w", err)
	}
	return env, nil
}
