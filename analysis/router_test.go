package analysis_test

import (
	"encoding/json"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/analysis"
	"github.com/stretchr/testify/assert"
)

// trigger builds a Trigger as the runtime does: every scope item raw, the data records
// decoded.
func trigger(env map[string]string, scope ...string) *analysis.Trigger {
	tr := &analysis.Trigger{Env: env}
	for _, s := range scope {
		tr.Scope = append(tr.Scope, json.RawMessage(s))
		var d tago.Data
		if d.UnmarshalJSON([]byte(s)) == nil && d.Variable != "" {
			tr.Data = append(tr.Data, d)
		}
	}
	return tr
}

func TestRouterMatchers(t *testing.T) {
	t.Parallel()
	data := trigger(nil,
		`{"variable":"temperature_1","value":21.5,"group":"g1"}`,
		`{"variable":"door","value":"open","serie":"s7"}`,
		`{"variable":"alarm","value":true}`,
		`{"device":"d1","device_list_button_id":"reset"}`,
		`{"user":"u1","user_list_button_id":"invite","extra":null}`,
	)
	tests := []struct {
		name string
		m    analysis.Matcher
		tr   *analysis.Trigger
		want bool
	}{
		{"variable like", analysis.WhenVariableLike("temp"), data, true},
		{"variable like, no record", analysis.WhenVariableLike("hum"), data, false},
		{"number value", analysis.WhenValue(21.5), data, true},
		{"number of another Go type", analysis.WhenValue(float32(21.5)), data, true},
		{"integer value", analysis.WhenValue(21), data, false},
		{"string value", analysis.WhenValue("closed", "open"), data, true},
		{"bool value", analysis.WhenValue(true), data, true},
		{"kinds differ", analysis.WhenValue("21.5", "true"), data, false},
		{"nil matches nothing", analysis.WhenValue(nil), data, false},
		{"group", analysis.WhenGroup("g1"), data, true},
		{"serie", analysis.WhenGroup("s7"), data, true},
		{"no such group", analysis.WhenGroup("g2", ""), data, false},
		{"scope field", analysis.WhenScopeField("extra"), data, true},
		{"scope field of a record", analysis.WhenScopeField("serie"), data, true},
		{"no such scope field", analysis.WhenScopeField("missing"), data, false},
		{"device list button", analysis.WhenDeviceListButton("reset"), data, true},
		{"device list button is not a user list's", analysis.WhenDeviceListButton("invite"), data, false},
		{"user list button", analysis.WhenUserListButton("invite"), data, true},
		{"user list button is not a device list's", analysis.WhenUserListButton("reset"), data, false},
		{"older widget button", analysis.WhenDeviceListButton("old"), trigger(map[string]string{"_widget_exec": "old"}), true},
		{"older widget user button", analysis.WhenUserListButton("old"), trigger(map[string]string{"_widget_exec": "old"}), true},
		{"action type", analysis.WhenActionType("condition"), trigger(map[string]string{"_action_type": "condition"}), true},
		{"other action type", analysis.WhenActionType("resource"), trigger(map[string]string{"_action_type": "condition"}), false},
		{"no action", analysis.WhenActionType("resource"), data, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m(tt.tr), tt.name)
	}
}
