package tago

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Channel is a realtime channel to subscribe to with [RealtimeService.Subscribe]. Make
// one with the constructors below; the zero Channel is invalid.
type Channel struct {
	name string
	id   string // the resource's ID, for the channels that take one
}

// DeviceDataChannel carries a device's data records as the platform stores them
// (account token). [Event.DeviceData] decodes them.
func DeviceDataChannel(deviceID string) Channel { return Channel{"device_data", deviceID} }

// DeviceInspectorChannel carries a device's live inspector: the requests, parser runs
// and errors the platform logs for it (account token). [Event.InspectorEntries]
// decodes them.
func DeviceInspectorChannel(deviceID string) Channel {
	return Channel{"device_inspector", deviceID}
}

// AnalysisConsoleChannel carries an analysis's console lines (account token).
// [Event.ConsoleLine] decodes them.
func AnalysisConsoleChannel(analysisID string) Channel {
	return Channel{"analysis_console", analysisID}
}

// EntityDataChannel carries an entity's records as they change (account token).
func EntityDataChannel(entityID string) Channel { return Channel{"entity_data", entityID} }

// DashboardChannel carries a dashboard's live updates, the platform's ui_dashboard
// channel (account token).
func DashboardChannel(dashboardID string) Channel { return Channel{"ui_dashboard", dashboardID} }

// AnalysisTriggerChannel carries the runs requested of the analysis whose token
// subscribes (analysis token): what an analysis set to run "external" listens to.
// [Event.AnalysisTrigger] decodes them.
func AnalysisTriggerChannel() Channel { return Channel{name: "analysis_trigger"} }

// NotificationChannel carries the account's notifications.
func NotificationChannel() Channel { return Channel{name: "notification"} }

// UIChannel carries the account's interface updates, the platform's ui channel.
func UIChannel() Channel { return Channel{name: "ui"} }

// String returns the channel as the platform names it, such as
// "device_data.6f1c2a...".
func (ch Channel) String() string {
	if ch.id == "" {
		return ch.name
	}
	return ch.name + "." + ch.id
}

// check validates a channel built by the constructors.
func (ch Channel) check(field string) error {
	switch ch.name {
	case "device_data", "device_inspector", "analysis_console", "entity_data", "ui_dashboard":
		return checkID(field+" ("+ch.name+")", ch.id)
	case "analysis_trigger", "notification", "ui":
		return nil
	case "":
		return invalidf(field, "the zero Channel; make one with DeviceDataChannel, AnalysisTriggerChannel, ...")
	default:
		return invalidf(field, "unknown channel %q", ch.name)
	}
}

// Event is one realtime event.
type Event struct {
	// ID is the event's ID (the stream's last event ID when it arrived), which a
	// reconnection sends back as Last-Event-ID; empty when the server sets none.
	ID string
	// Type is the event's type: "message" unless the server named another.
	Type string
	// Channel names the channel the event came on: the data's "channel" member when
	// the server sends one, else the subscription's only channel; empty when neither
	// tells.
	Channel string
	// Data is the event's data as received: the platform sends JSON.
	Data json.RawMessage
	// Payload is the "payload" member of Data, which holds what the event is about;
	// nil when Data is not a JSON object with one.
	Payload json.RawMessage
}

// newEvent builds an Event from a parsed one, copying its data. only is the
// subscription's one channel (or ""), names all its channels, whose strings an event
// naming one of them reuses.
func newEvent(ev sseEvent, only string, names []string, slab *dataSlab) Event {
	out := Event{ID: ev.id, Type: ev.typ, Channel: only, Data: slab.copy(ev.data)}
	if firstByte(out.Data) != '{' {
		return out
	}
	var channel []byte
	if objectMembers(out.Data, func(key, value []byte) {
		switch string(key) {
		case "payload":
			out.Payload = value
		case "channel":
			channel = value
		}
	}) != nil {
		out.Payload = nil
		return out
	}
	if len(channel) < 2 || channel[0] != '"' {
		return out
	}
	if raw := channel[1 : len(channel)-1]; bytes.IndexByte(raw, '\\') < 0 {
		for _, n := range names {
			if string(raw) == n {
				out.Channel = n
				return out
			}
		}
		out.Channel = string(raw)
		return out
	}
	var name string
	if json.Unmarshal(channel, &name) == nil {
		out.Channel = name
	}
	return out
}

// dataSlab hands out copies of small event data from shared blocks, so a stream of
// small events costs one allocation per block rather than one per event. An event keeps
// at most its block (slabBlock bytes) alive. A nil slab copies each one alone.
type dataSlab struct{ block []byte }

const (
	slabBlock = 16 << 10
	slabMax   = 1 << 10 // larger data gets its own allocation
)

func (s *dataSlab) copy(b []byte) []byte {
	if s == nil || len(b) > slabMax {
		return bytes.Clone(b)
	}
	if cap(s.block)-len(s.block) < len(b) {
		s.block = make([]byte, 0, slabBlock)
	}
	start := len(s.block)
	s.block = append(s.block, b...)
	return s.block[start:len(s.block):len(s.block)]
}

// firstByte returns the first byte of b that is not JSON white space, or 0.
func firstByte(b []byte) byte {
	if i := skipSpace(b, 0); i < len(b) {
		return b[i]
	}
	return 0
}

// errNoPayload reports an event without a payload to decode.
var errNoPayload = errors.New("tago: the event has no payload")

// Decode decodes the event's payload into v with encoding/json.
func (e Event) Decode(v any) error {
	if e.Payload == nil {
		return errNoPayload
	}
	if err := json.Unmarshal(e.Payload, v); err != nil {
		return fmt.Errorf("tago: decoding the event's payload: %w", err)
	}
	return nil
}

// DeviceData decodes the payload of a [DeviceDataChannel] event: the records stored,
// sent as one record or an array of them.
func (e Event) DeviceData() ([]Data, error) {
	if e.Payload == nil {
		return nil, errNoPayload
	}
	if firstByte(e.Payload) == '{' {
		var d Data
		if err := d.UnmarshalJSON(e.Payload); err != nil {
			return nil, fmt.Errorf("tago: decoding the event's data record: %w", err)
		}
		return []Data{d}, nil
	}
	var l dataList
	if err := l.decodeResult(e.Payload); err != nil {
		return nil, fmt.Errorf("tago: decoding the event's data records: %w", err)
	}
	return l, nil
}

// AnalysisTrigger is a request to run an analysis, as the [AnalysisTriggerChannel]
// delivers it to an analysis that runs "external".
type AnalysisTrigger struct {
	// AnalysisID is the ID of the analysis to run.
	AnalysisID string `json:"analysis_id"`
	// Environment is the analysis's environment variables.
	Environment []AnalysisVariable `json:"environment"`
	// Data is the run's scope as the platform sent it: usually data records (what an
	// action or a widget sent), or the rows a dashboard button acted on.
	Data json.RawMessage `json:"data"`
	// Token is the analysis token the run should use for the services, when the
	// platform sends one.
	Token Secret `json:"token,omitempty"`
}

// AnalysisTrigger decodes the payload of an [AnalysisTriggerChannel] event.
func (e Event) AnalysisTrigger() (AnalysisTrigger, error) {
	var t AnalysisTrigger
	err := e.Decode(&t)
	return t, err
}

// ConsoleLine is one line of an analysis's console.
type ConsoleLine struct {
	// Message is the line's text.
	Message string
	// Timestamp is when the line was written.
	Timestamp time.Time
}

// ConsoleLine decodes the payload of an [AnalysisConsoleChannel] event: {"message",
// "timestamp"}, the timestamp in milliseconds or as an ISO date.
func (e Event) ConsoleLine() (ConsoleLine, error) {
	var raw struct {
		Message   string          `json:"message"`
		Timestamp json.RawMessage `json:"timestamp"`
	}
	if err := e.Decode(&raw); err != nil {
		return ConsoleLine{}, err
	}
	ts, err := flexibleTime(raw.Timestamp)
	if err != nil {
		return ConsoleLine{}, fmt.Errorf("tago: decoding the console line's timestamp: %w", err)
	}
	return ConsoleLine{Message: raw.Message, Timestamp: ts}, nil
}

// InspectorEntry is one entry of a device's live inspector.
type InspectorEntry struct {
	// ConnectionID ties the entries of one request or connection together.
	ConnectionID string
	// DeviceID is the device's ID.
	DeviceID string
	// Title says what happened, such as "HTTP Request" or "Payload Parser".
	Title string
	// Content is the entry's text; content the platform sends as JSON stays JSON text.
	Content string
	// Timestamp is when it happened.
	Timestamp time.Time
}

// InspectorEntries decodes the payload of a [DeviceInspectorChannel] event: one entry
// or an array of them.
func (e Event) InspectorEntries() ([]InspectorEntry, error) {
	if e.Payload == nil {
		return nil, errNoPayload
	}
	type rawEntry struct {
		ConnectionID string          `json:"connection_id"`
		DeviceID     string          `json:"device_id"`
		Title        string          `json:"title"`
		Content      json.RawMessage `json:"content"`
		Timestamp    json.RawMessage `json:"timestamp"`
	}
	var raws []rawEntry
	if firstByte(e.Payload) == '{' {
		raws = make([]rawEntry, 1)
		if err := json.Unmarshal(e.Payload, &raws[0]); err != nil {
			return nil, fmt.Errorf("tago: decoding the inspector entry: %w", err)
		}
	} else if err := json.Unmarshal(e.Payload, &raws); err != nil {
		return nil, fmt.Errorf("tago: decoding the inspector entries: %w", err)
	}
	out := make([]InspectorEntry, len(raws))
	for i, r := range raws {
		ts, err := flexibleTime(r.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("tago: decoding inspector entry %d's timestamp: %w", i, err)
		}
		out[i] = InspectorEntry{ConnectionID: r.ConnectionID, DeviceID: r.DeviceID, Title: r.Title, Timestamp: ts}
		if c := bytes.TrimSpace(r.Content); len(c) > 0 && c[0] == '"' {
			_ = json.Unmarshal(c, &out[i].Content)
		} else if string(c) != "null" {
			out[i].Content = string(c)
		}
	}
	return out, nil
}

// flexibleTime reads a time sent as milliseconds since the epoch or as an ISO date;
// absent or null is the zero time.
func flexibleTime(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return time.Time{}, nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		if s == "" {
			return time.Time{}, nil
		}
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.UnixMilli(ms).UTC(), nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is neither milliseconds nor an ISO date", s)
		}
		return t, nil
	default:
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s is not a time", raw)
		}
		return time.UnixMilli(int64(f)).UTC(), nil
	}
}
