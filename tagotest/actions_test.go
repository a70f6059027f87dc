package tagotest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// condition is a variable-condition trigger entry.
func condition(device, variable, is, value, valueType string) map[string]any {
	return map[string]any{"device": device, "variable": variable, "is": is, "value": value, "value_type": valueType}
}

func newAction(t *testing.T, srv *Server, body map[string]any) string {
	t.Helper()
	r := asAccount(t, srv, "POST", "/action", body)
	require.Equal(t, http.StatusOK, r.code, string(r.body))
	var out struct{ Action string }
	r.decode(t, &out)
	require.Regexp(t, hexID, out.Action)
	return out.Action
}

func TestActionsCRUDAndValidation(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	an := srv.AddAnalysis(AnalysisSpec{Name: "a"})
	theirs := srv.AddDevice(DeviceSpec{Name: "theirs", Profile: srv.AddProfile("x").ID})
	script := map[string]any{"type": "script", "script": []string{an.ID}}

	id := newAction(t, srv, map[string]any{"name": "Hot", "type": "condition", "tags": []Tag{{"kind", "alarm"}},
		"trigger": []any{condition(dev.ID, "temperature", ">", "30", "number")}, "action": script})
	var info map[string]any
	asAccount(t, srv, "GET", "/action/"+id, nil).decode(t, &info)
	assert.Equal(t, map[string]any{"id": id, "name": "Hot", "profile": srv.ProfileID(), "description": nil, "active": true,
		"lock": false, "type": "condition", "trigger": []any{map[string]any{"device": dev.ID, "variable": "temperature",
			"is": ">", "value": "30", "value_type": "number"}}, "action": map[string]any{"type": "script", "script": []any{an.ID}},
		"tags": []any{map[string]any{"key": "kind", "value": "alarm"}}, "last_triggered": nil, "trigger_when_unlock": false,
		"created_at": "2025-03-10T12:00:00.000Z", "updated_at": "2025-03-10T12:00:00.000Z"}, info)
	var items []map[string]any
	asAccount(t, srv, "GET", "/action", nil).decode(t, &items)
	assert.Equal(t, []map[string]any{{"id": id, "name": "Hot"}}, items)
	var keys []string
	asAccount(t, srv, "GET", "/tags/keys/action", nil).decode(t, &keys)
	assert.Equal(t, []string{"kind"}, keys)

	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no effect", map[string]any{"name": "x"}, "action"},
		{"unknown effect", map[string]any{"name": "x", "action": map[string]any{"type": "telegram"}}, "action.type"},
		{"script without analyses", map[string]any{"name": "x", "action": map[string]any{"type": "script", "script": []string{}}}, "action.script"},
		{"unknown analysis", map[string]any{"name": "x", "action": map[string]any{"type": "script", "script": []string{"0123456789abcdef01234567"}}}, "action.script[0]"},
		{"email without to", map[string]any{"name": "x", "action": map[string]any{"type": "email", "message": "m", "subject": "s"}}, "action.to"},
		{"post without URL", map[string]any{"name": "x", "action": map[string]any{"type": "post"}}, "action.url"},
		{"post to a file", map[string]any{"name": "x", "action": map[string]any{"type": "post", "url": "file:///etc/passwd"}}, "action.url"},
		{"unknown trigger kind", map[string]any{"name": "x", "type": "sometimes", "action": script}, "type"},
		{"condition without variable", map[string]any{"name": "x", "type": "condition", "action": script,
			"trigger": []any{map[string]any{"device": dev.ID, "is": ">", "value": "1", "value_type": "number"}}}, "trigger[0].variable"},
		{"bad condition", map[string]any{"name": "x", "type": "condition", "action": script,
			"trigger": []any{condition(dev.ID, "t", ">=", "1", "number")}}, "trigger[0].is"},
		{"between without second value", map[string]any{"name": "x", "type": "condition", "action": script,
			"trigger": []any{condition(dev.ID, "t", "><", "1", "number")}}, "trigger[0].second_value"},
		{"another profile's device", map[string]any{"name": "x", "type": "condition", "action": script,
			"trigger": []any{condition(theirs.ID, "t", ">", "1", "number")}}, "trigger[0].device"},
		{"resource when", map[string]any{"name": "x", "type": "resource", "action": script,
			"trigger": []any{map[string]any{"resource": "device", "when": "later"}}}, "trigger[0].when"},
		{"usage alert value", map[string]any{"name": "x", "type": "usage_alert", "action": script,
			"trigger": []any{map[string]any{"service_or_resource": "input", "condition": ">", "condition_value": "lots"}}}, "trigger[0].condition_value"},
	}
	for _, tt := range tests {
		r := asAccount(t, srv, "POST", "/action", tt.body)
		assert.Equal(t, http.StatusBadRequest, r.code, tt.name)
		assert.Contains(t, r.env.FieldErrors, tt.field, tt.name+": "+string(r.body))
	}
	newAction(t, srv, map[string]any{"name": "Every hour", "type": "interval", "trigger": []any{map[string]any{"interval": "1 hour"}},
		"action": map[string]any{"type": "sms", "message": "hi", "to": "+3312345678"}})

	assert.Equal(t, "Successfully Updated", asAccount(t, srv, "PUT", "/action/"+id, map[string]any{"active": false}).str(t))
	r := asAccount(t, srv, "PUT", "/action/"+id, map[string]any{"trigger": []any{condition(dev.ID, "t", "?", "1", "number")}})
	assert.Contains(t, r.env.FieldErrors, "trigger[0].is", "an edit is checked against the stored type")
	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", "/action/"+id, nil).str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/action/"+id, nil).code)
}

// A threshold action runs an analysis with the records that crossed it.
func TestActionRunsAnalysisOnThreshold(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	dev := srv.AddDevice(DeviceSpec{Name: "freezer"})
	an := srv.AddAnalysis(AnalysisSpec{Name: "Alarm"})
	id := newAction(t, srv, map[string]any{"name": "Too warm", "type": "condition",
		"trigger": []any{condition(dev.ID, "temperature", ">", "-10", "number")},
		"action":  map[string]any{"type": "script", "script": []string{an.ID}}})

	asDevice(t, srv, dev.Token, "POST", "/data", []map[string]any{{"variable": "temperature", "value": -18}, {"variable": "door", "value": 1}})
	assert.Empty(t, srv.AnalysisRuns(), "below the threshold")
	asDevice(t, srv, dev.Token, "POST", "/data", []map[string]any{{"variable": "temperature", "value": -4, "unit": "°C"}, {"variable": "temperature", "value": -20}})
	runs := srv.AnalysisRuns()
	require.Len(t, runs, 1)
	assert.Equal(t, an.ID, runs[0].Analysis)
	assert.Equal(t, "action:"+id, runs[0].Origin)
	var scope []map[string]any
	require.NoError(t, json.Unmarshal(runs[0].Scope, &scope))
	require.Len(t, scope, 1, "only the record that matched")
	assert.Equal(t, -4.0, scope[0]["value"])
	assert.Equal(t, dev.ID, scope[0]["device"])
	assert.Equal(t, "°C", scope[0]["unit"])

	firings := srv.ActionFirings()
	require.Len(t, firings, 1)
	assert.Equal(t, id, firings[0].Action)
	assert.Equal(t, "script", firings[0].Type)
	require.Len(t, firings[0].Records, 1)
	assert.Equal(t, -4.0, firings[0].Records[0].Value)
	var info map[string]any
	asAccount(t, srv, "GET", "/action/"+id, nil).decode(t, &info)
	assert.Equal(t, "2025-03-10T12:00:00.000Z", info["last_triggered"])

	// Data stored any other way triggers it too; an inactive action does not fire.
	srv.AddData(dev.ID, Record{Variable: "temperature", Value: 0})
	asAccount(t, srv, "POST", "/device/"+dev.ID+"/data", map[string]any{"variable": "temperature", "value": 2})
	assert.Len(t, srv.AnalysisRuns(), 3)
	asAccount(t, srv, "PUT", "/action/"+id, map[string]any{"active": false})
	srv.AddData(dev.ID, Record{Variable: "temperature", Value: 5})
	assert.Len(t, srv.AnalysisRuns(), 3)
}

// lock is the action's state (the platform's Trigger Unlock): an action with unlock
// conditions locks itself when it fires and unlocks when one of them holds; one
// without never locks; a create or an edit sets the state by hand.
func TestActionLockAndConditions(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	unlock := condition(dev.ID, "level", "<", "20", "number")
	unlock["unlock"] = true
	email := map[string]any{"type": "email", "to": "ops@example.com", "subject": "s", "message": "m"}
	id := newAction(t, srv, map[string]any{"name": "High", "type": "condition",
		"trigger": []any{condition(dev.ID, "level", ">", "80", "number"), unlock}, "action": email})
	fired := func(action string) int {
		n := 0
		for _, f := range srv.ActionFirings() {
			if f.Action == action {
				n++
			}
		}
		return n
	}
	locked := func(action string) bool {
		var info map[string]any
		asAccount(t, srv, "GET", "/action/"+action, nil).decode(t, &info)
		return info["lock"] == true
	}
	assert.False(t, locked(id), "an action starts unlocked")
	srv.AddData(dev.ID, Record{Variable: "level", Value: 90})
	assert.Equal(t, 1, fired(id))
	assert.True(t, locked(id), "firing locks an action with unlock conditions")
	for _, v := range []float64{95, 50} {
		srv.AddData(dev.ID, Record{Variable: "level", Value: v})
	}
	assert.Equal(t, 1, fired(id), "a locked action does not fire")
	srv.AddData(dev.ID, Record{Variable: "level", Value: 10})
	assert.False(t, locked(id), "an unlock condition unlocks it")
	assert.Equal(t, 1, fired(id), "without trigger_when_unlock the unlock does not fire it")
	srv.AddData(dev.ID, Record{Variable: "level", Value: 85})
	assert.Equal(t, 2, fired(id), "unlocked, it fires again")

	asAccount(t, srv, "PUT", "/action/"+id, map[string]any{"trigger_when_unlock": true})
	assert.True(t, locked(id), "an edit leaves the state as it is")
	srv.AddData(dev.ID, Record{Variable: "level", Value: 5})
	assert.Equal(t, 3, fired(id), "the unlock fires it with trigger_when_unlock")
	assert.False(t, locked(id))

	// By hand: locked at creation, or by an edit.
	manual := newAction(t, srv, map[string]any{"name": "Manual", "type": "condition", "lock": true,
		"trigger": []any{condition(dev.ID, "level", ">", "80", "number"), unlock}, "action": email})
	srv.AddData(dev.ID, Record{Variable: "level", Value: 90})
	assert.Equal(t, 0, fired(manual), "created locked, it waits for an unlock condition")
	srv.AddData(dev.ID, Record{Variable: "level", Value: 1})
	srv.AddData(dev.ID, Record{Variable: "level", Value: 90})
	assert.Equal(t, 1, fired(manual))
	asAccount(t, srv, "PUT", "/action/"+manual, map[string]any{"lock": false})
	srv.AddData(dev.ID, Record{Variable: "level", Value: 91})
	assert.Equal(t, 2, fired(manual), "unlocked by hand")

	// Without unlock conditions an action never locks.
	plain := newAction(t, srv, map[string]any{"name": "Plain", "type": "condition",
		"trigger": []any{condition(dev.ID, "level", ">", "80", "number")}, "action": email})
	for _, v := range []float64{90, 95} {
		srv.AddData(dev.ID, Record{Variable: "level", Value: v})
	}
	assert.Equal(t, 2, fired(plain))
	assert.False(t, locked(plain))

	// The conditions on each value type.
	tests := []struct {
		is, value, second, valueType string
		hits, misses                 []any
	}{
		{"<", "5", "", "number", []any{4.5, -1.0}, []any{5.0, "4"}},
		{"=", "5", "", "number", []any{5.0}, []any{5.5}},
		{"!", "5", "", "number", []any{6.0}, []any{5.0}},
		{"><", "10", "20", "number", []any{10.0, 15.0, 20.0}, []any{9.9, 21.0}},
		{"=", "open", "", "string", []any{"open", "OPEN"}, []any{"closed", 1.0}},
		{"!", "open", "", "string", []any{"closed"}, []any{"open"}},
		{"=", "true", "", "boolean", []any{true}, []any{false, "true"}},
		{"*", "", "", "*", []any{1.0, "x", false}, nil},
		{"*", "", "", "number", []any{1.0}, []any{"x"}},
	}
	for _, tt := range tests {
		m := condition(dev.ID, "v", tt.is, tt.value, tt.valueType)
		if tt.second != "" {
			m["second_value"] = tt.second
		}
		for _, v := range tt.hits {
			assert.True(t, conditionHolds(m, v), "%s %s %s on %v", tt.is, tt.value, tt.valueType, v)
		}
		for _, v := range tt.misses {
			assert.False(t, conditionHolds(m, v), "%s %s %s on %v", tt.is, tt.value, tt.valueType, v)
		}
	}
}

func TestActionPostsWebhook(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []byte
	var auth string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, auth = b, r.Header.Get("Authorization")
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(hook.Close)

	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	newAction(t, srv, map[string]any{"name": "Door", "type": "condition",
		"trigger": []any{condition(dev.ID, "door", "=", "open", "string")},
		"action":  map[string]any{"type": "post", "url": hook.URL + "/in", "headers": map[string]any{"Authorization": "Bearer k"}}})
	newAction(t, srv, map[string]any{"name": "Nowhere", "type": "condition",
		"trigger": []any{condition(dev.ID, "door", "*", "", "*")},
		"action":  map[string]any{"type": "post", "url": "http://127.0.0.1:1/unreachable"}})

	r := asDevice(t, srv, dev.Token, "POST", "/data", map[string]any{"variable": "door", "value": "open"})
	require.Equal(t, http.StatusOK, r.code)
	mu.Lock()
	body, header := got, auth
	mu.Unlock()
	require.NotNil(t, body, "delivered before the data POST was answered")
	assert.Equal(t, "Bearer k", header)
	var recs []map[string]any
	require.NoError(t, json.Unmarshal(body, &recs))
	require.Len(t, recs, 1)
	assert.Equal(t, "open", recs[0]["value"])

	firings := srv.ActionFirings()
	require.Len(t, firings, 2)
	assert.Equal(t, http.StatusAccepted, firings[0].WebhookStatus)
	assert.Empty(t, firings[0].WebhookError)
	assert.Equal(t, 0, firings[1].WebhookStatus)
	assert.NotEmpty(t, firings[1].WebhookError)
}

// A condition may watch the devices carrying a tag instead of one device.
func TestActionWatchesDevicesByTag(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	north := srv.AddDevice(DeviceSpec{Name: "n", Tags: []Tag{{"site", "north"}}})
	south := srv.AddDevice(DeviceSpec{Name: "s", Tags: []Tag{{"site", "south"}}})
	trig := map[string]any{"tag_key": "site", "tag_value": "north", "variable": "level", "is": ">", "value": "80", "value_type": "number"}
	id := newAction(t, srv, map[string]any{"name": "North high", "type": "condition", "trigger": []any{trig},
		"action": map[string]any{"type": "notification", "subject": "s", "message": "m"}})
	srv.AddData(north.ID, Record{Variable: "level", Value: 90})
	srv.AddData(south.ID, Record{Variable: "level", Value: 95})
	firings := srv.ActionFirings()
	require.Len(t, firings, 1)
	assert.Equal(t, id, firings[0].Action)
	assert.Equal(t, north.ID, firings[0].Device)

	// A device tagged later is watched from then on.
	asAccount(t, srv, "PUT", "/device/"+south.ID, map[string]any{"tags": []Tag{{"site", "north"}}})
	srv.AddData(south.ID, Record{Variable: "level", Value: 99})
	assert.Len(t, srv.ActionFirings(), 2)

	for _, tc := range []struct {
		set   func(m map[string]any)
		field string
		msg   string
	}{
		{func(m map[string]any) { delete(m, "tag_value") }, "trigger[0].device", "is required for condition triggers, or tag_key and tag_value"},
		{func(m map[string]any) { m["device"] = north.ID }, "trigger[0].device", "watch one device or the devices of a tag (tag_key, tag_value), not both"},
		{func(m map[string]any) { m["unlock"] = true }, "trigger[0].unlock", "unlock conditions apply to single-device actions only"},
	} {
		m := map[string]any{}
		for k, v := range trig {
			m[k] = v
		}
		tc.set(m)
		r := asAccount(t, srv, "POST", "/action", map[string]any{"name": "x", "type": "condition", "trigger": []any{m},
			"action": map[string]any{"type": "notification", "subject": "s", "message": "m"}})
		assert.Equal(t, map[string][]string{tc.field: {tc.msg}}, r.env.FieldErrors)
	}
}
