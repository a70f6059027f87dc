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

func TestActionLockAndConditions(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	unlock := condition(dev.ID, "level", "<", "20", "number")
	unlock["unlock"] = true
	id := newAction(t, srv, map[string]any{"name": "High", "type": "condition", "lock": true,
		"trigger": []any{condition(dev.ID, "level", ">", "80", "number"), unlock},
		"action":  map[string]any{"type": "email", "to": "ops@example.com", "subject": "s", "message": "m"}})
	fired := func() int { return len(srv.ActionFirings()) }
	for _, v := range []float64{90, 95, 50, 10, 85} {
		srv.AddData(dev.ID, Record{Variable: "level", Value: v})
	}
	assert.Equal(t, 2, fired(), "fires, stays locked, unlocks below 20, fires again")
	asAccount(t, srv, "PUT", "/action/"+id, map[string]any{"trigger_when_unlock": true})
	for _, v := range []float64{90, 5} {
		srv.AddData(dev.ID, Record{Variable: "level", Value: v})
	}
	assert.Equal(t, 4, fired(), "and on the unlock with trigger_when_unlock")

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
