package tago

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resActionID is an action.
const resActionID = "66ab7c62e5f0db000998ce42"

// hotTrigger is "temperature > 30" on resDeviceID.
var hotTrigger = VariableTrigger{Device: resDeviceID, Variable: "temperature", Is: CondGreater, Value: "30", ValueType: CompareNumber}

func TestActionsOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 8, 1, 10, 0, 0, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/action",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&orderBy=name,asc",
			result: `[{"id":"` + resActionID + `","name":"Hot"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Actions.List(ctx, nil) },
			want:   []Action{{ID: resActionID, Name: "Hot"}},
		},
		{
			name: "list with filters", method: "GET", path: "/action",
			query: "page=1&amount=20&fields[0]=id&fields[1]=type&fields[2]=last_triggered&filter[name]=Hot*&filter[active]=true" +
				"&filter[type]=condition&filter[tags][0][key]=site&filter[tags][0][value]=north&orderBy=last_triggered,desc",
			result: `[{"id":"` + resActionID + `","type":"condition","last_triggered":"never"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Actions.List(ctx, &ActionListOptions{
					ListOptions: ListOptions{Fields: []string{"id", "type", "last_triggered"}, OrderBy: Desc("last_triggered")},
					Name:        "Hot*", Active: Ptr(true), Type: ActionByVariable, Tags: []Tag{{Key: "site", Value: "north"}},
				})
			},
			want: []Action{{ID: resActionID, Type: ActionByVariable}},
		},
		{
			name: "info", method: "GET", path: "/action/" + resActionID,
			result: `{"id":"` + resActionID + `","name":"Hot","active":true,"profile":"` + resProfileID + `","type":"condition",` +
				`"trigger":[{"device":"` + resDeviceID + `","variable":"temperature","is":">","value":"30","value_type":"number"},` +
				`{"device":"` + resDeviceID + `","variable":"temperature","is":"<","value":"25","value_type":"number","unlock":true}],` +
				`"action":{"type":"script","script":["` + resAnalysisID + `"]},"lock":true,"trigger_when_unlock":false,` +
				`"last_triggered":"2024-08-01T10:00:00.000Z","created_at":"2024-08-01T10:00:00.000Z","updated_at":null,"tags":[]}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Actions.Info(ctx, resActionID) },
			want: Action{ID: resActionID, Name: "Hot", Active: true, Profile: resProfileID, Type: ActionByVariable, Tags: []Tag{},
				Triggers: []ActionTrigger{hotTrigger,
					VariableTrigger{Device: resDeviceID, Variable: "temperature", Is: CondLess, Value: "25", ValueType: CompareNumber, Unlock: true}},
				Task: RunAnalysis{Analyses: []string{resAnalysisID}}, Lock: true, LastTriggered: created, CreatedAt: created},
		},
		{
			name: "create: run an analysis when a variable passes a threshold", method: "POST", path: "/action", status: http.StatusCreated,
			body: `{"name":"Hot","active":true,"type":"condition",` +
				`"trigger":[{"device":"` + resDeviceID + `","variable":"temperature","is":">","value":"30","value_type":"number"},` +
				`{"device":"` + resDeviceID + `","variable":"temperature","is":"<","value":"25","value_type":"number","unlock":true}],` +
				`"action":{"type":"script","script":["` + resAnalysisID + `"]},"trigger_when_unlock":false}`,
			result: `{"action":"` + resActionID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Actions.Create(ctx, ActionCreateRequest{Name: "Hot", Active: Ptr(true),
					Triggers: []ActionTrigger{hotTrigger,
						VariableTrigger{Device: resDeviceID, Variable: "temperature", Is: CondLess, Value: "25", ValueType: CompareNumber, Unlock: true}},
					Task: RunAnalysis{Analyses: []string{resAnalysisID}}, TriggerWhenUnlock: Ptr(false)})
			},
			want: resActionID,
		},
		{
			name: "create a schedule that e-mails through SMTP", method: "POST", path: "/action", status: http.StatusCreated,
			body: `{"name":"Daily","description":"report","tags":[{"key":"kind","value":"report"}],"type":"schedule",` +
				`"trigger":[{"cron":"0 8 * * 1","timezone":"America/New_York"}],` +
				`"action":{"type":"email-smtp","from":"noreply@example.com","to":"a@example.com;b@example.com","subject":"Report",` +
				`"message":"Done","smtp_secret":"` + resSecretID + `"}}`,
			result: `{"action":"` + resActionID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Actions.Create(ctx, ActionCreateRequest{Name: "Daily", Description: "report", Tags: []Tag{{Key: "kind", Value: "report"}},
					Triggers: []ActionTrigger{ScheduleTrigger{Cron: "0 8 * * 1", Timezone: "America/New_York"}},
					Task: SendEmailSMTP{From: "noreply@example.com", To: "a@example.com;b@example.com", Subject: "Report", Message: "Done",
						SMTPSecret: resSecretID}})
			},
			want: resActionID,
		},
		{
			name: "create with a task the SDK does not model", method: "POST", path: "/action", status: http.StatusCreated,
			body: `{"name":"Store","type":"mqtt_topic","trigger":[{"tag_key":"kind","tag_value":"gw","topic":"gw/+/up"}],` +
				`"action":{"type":"tagoio","extra":1}}`,
			result: `{"action":"` + resActionID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Actions.Create(ctx, ActionCreateRequest{Name: "Store",
					Triggers: []ActionTrigger{MQTTTopicTrigger{TagKey: "kind", TagValue: "gw", Topic: "gw/+/up"}},
					Task:     RawTask{JSON: json.RawMessage(`{"type":"tagoio","extra":1}`)}})
			},
			want: resActionID,
		},
		{
			name: "edit the triggers, which sets the type", method: "PUT", path: "/action/" + resActionID, result: `"Action Successfully Updated"`,
			body: `{"type":"interval","trigger":[{"interval":"15 minutes"}],"action":{"type":"notification","subject":"Tick","message":"15 min"}}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Actions.Edit(ctx, resActionID, ActionEditRequest{Triggers: []ActionTrigger{IntervalTrigger{Interval: "15 minutes"}},
					Task: NotifyAccount{Subject: "Tick", Message: "15 min"}}))
			},
		},
		{
			name: "edit the name and unlock by hand", method: "PUT", path: "/action/" + resActionID, result: `"Action Successfully Updated"`,
			body: `{"name":"Renamed","lock":false,"tags":[]}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Actions.Edit(ctx, resActionID, ActionEditRequest{Name: Ptr("Renamed"), Lock: Ptr(false), Tags: []Tag{}}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/action/" + resActionID, result: `"Action Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Actions.Delete(ctx, resActionID)) },
		},
	})
}

// TestActionKindsJSON checks every trigger and task against the platform's JSON, both
// ways: what the SDK sends, and what it decodes from the same object.
func TestActionKindsJSON(t *testing.T) {
	t.Parallel()
	triggers := []struct {
		typ     ActionType
		trigger ActionTrigger
		json    string
	}{
		{ActionByVariable, VariableTrigger{TagKey: "kind", TagValue: "sensor", Variable: "level", Is: CondBetween, Value: "1", SecondValue: "5", ValueType: CompareNumber},
			`{"tag_key":"kind","tag_value":"sensor","variable":"level","is":"><","value":"1","second_value":"5","value_type":"number"}`},
		{ActionByVariable, VariableTrigger{Device: resDeviceID, Variable: "door", Is: CondAny},
			`{"device":"` + resDeviceID + `","variable":"door","is":"*"}`},
		{ActionByResource, ResourceTrigger{Resource: ResourceDevice, When: OnCreate, TagKey: "k", TagValue: "v"},
			`{"resource":"device","when":"create","tag_key":"k","tag_value":"v"}`},
		{ActionByInterval, IntervalTrigger{Interval: "1 hour"}, `{"interval":"1 hour"}`},
		{ActionBySchedule, ScheduleTrigger{Cron: "0 0 8 * * *"}, `{"cron":"0 0 8 * * *"}`},
		{ActionByMQTTTopic, MQTTTopicTrigger{Device: resDeviceID, Topic: "up/#"}, `{"device":"` + resDeviceID + `","topic":"up/#"}`},
		{ActionByUsageAlert, UsageAlertTrigger{ServiceOrResource: UsageAnalysis, Condition: ">", ConditionValue: 80},
			`{"service_or_resource":"analysis","condition":">","condition_value":80}`},
		{ActionByGeofence, GeofenceTrigger{Device: resDeviceID, Variable: "location", Is: Outside,
			Value: Geofence{Center: []float64{-46.6, -23.5}, Radius: 500}, Unlock: true},
			`{"device":"` + resDeviceID + `","variable":"location","is":"OUT","value":{"center":[-46.6,-23.5],"radius":500},"unlock":true}`},
		{ActionByGeofence, GeofenceTrigger{Device: resDeviceID, Variable: "location", Is: Inside,
			Value: Geofence{Coordinates: [][]float64{{0, 0}, {1, 0}, {1, 1}}}},
			`{"device":"` + resDeviceID + `","variable":"location","is":"IN","value":{"coordinates":[[0,0],[1,0],[1,1]]}}`},
	}
	for _, tt := range triggers {
		out, err := json.Marshal(tt.trigger)
		require.NoError(t, err)
		assert.JSONEq(t, tt.json, string(out))
		assert.Equal(t, tt.typ, tt.trigger.TriggerType())
		assert.Equal(t, tt.trigger, decodeTrigger(tt.typ, json.RawMessage(tt.json)))
		require.NoError(t, tt.trigger.check("t"), "%T is valid", tt.trigger)
	}
	tasks := []struct {
		task ActionTask
		json string
	}{
		{RunAnalysis{Analyses: []string{resAnalysisID, resDataID}}, `{"type":"script","script":["` + resAnalysisID + `","` + resDataID + `"]}`},
		{NotifyAccount{Subject: "S", Message: "M $VALUE$"}, `{"type":"notification","subject":"S","message":"M $VALUE$"}`},
		{NotifyRunUser{RunUser: resDeviceID, Subject: "S", Message: "M"}, `{"type":"notification_run","run_user":"` + resDeviceID + `","subject":"S","message":"M"}`},
		{SendEmail{To: "a@example.com", Subject: "S", Message: "M"}, `{"type":"email","to":"a@example.com","subject":"S","message":"M"}`},
		{SendSMS{To: "+15551234567", Message: "M"}, `{"type":"sms","to":"+15551234567","message":"M"}`},
		{PublishMQTT{Device: resDeviceID, Topic: "down", Payload: "$VALUE$"}, `{"type":"mqtt","bucket":"` + resDeviceID + `","topic":"down","payload":"$VALUE$"}`},
		{PostWebhook{URL: "https://example.com/hook/$VALUE$", Headers: map[string]string{"X-Key": "k"}, FallbackToken: resToken},
			`{"type":"post","url":"https://example.com/hook/$VALUE$","headers":{"X-Key":"k"},"fallback_token":"` + resToken + `"}`},
		{SendSMSTwilio{To: "+1555", From: "+1666", Message: "M", SIDSecret: resSecretID, TokenSecret: resDataID},
			`{"type":"sms-twilio","to":"+1555","from":"+1666","message":"M","twilio_sid":"` + resSecretID + `","twilio_token":"` + resDataID + `"}`},
		{SendWhatsAppTwilio{To: "+1555", From: "+1666", SIDSecret: resSecretID, TokenSecret: resDataID, ContentSIDSecret: resParamID,
			ContentVariables: []ContentVariable{{Name: "1", Value: "$VALUE$"}}},
			`{"type":"whatsapp-twilio","to":"+1555","from":"+1666","twilio_sid":"` + resSecretID + `","twilio_token":"` + resDataID + `",` +
				`"content_sid":"` + resParamID + `","content_variables":[{"name":"1","value":"$VALUE$"}]}`},
		{SendEmailSendGrid{From: "n@example.com", To: "a@example.com", Subject: "S", Message: "M", APIKeySecret: resSecretID},
			`{"type":"email-sendgrid","from":"n@example.com","to":"a@example.com","subject":"S","message":"M","sendgrid_api_key":"` + resSecretID + `"}`},
		{SendEmailSMTP{From: "n@example.com", To: "a@example.com", Subject: "S", Message: "M", SMTPSecret: resSecretID},
			`{"type":"email-smtp","from":"n@example.com","to":"a@example.com","subject":"S","message":"M","smtp_secret":"` + resSecretID + `"}`},
		{SendSQS{SQSSecret: resSecretID, BatchEnabled: true}, `{"type":"queue-sqs","sqs_secret":"` + resSecretID + `","batch_enabled":true}`},
	}
	for _, tt := range tasks {
		out, _, err := marshalBody(tt.task) // the wire form: a fallback token's real value
		require.NoError(t, err)
		assert.JSONEq(t, tt.json, string(out))
		assert.Equal(t, tt.task, decodeTask(json.RawMessage(tt.json)))
		require.NoError(t, tt.task.check("task"), "%T is valid", tt.task)
	}
}

func TestActionDecodingIsLenient(t *testing.T) {
	t.Parallel()
	var a Action
	require.NoError(t, json.Unmarshal([]byte(`{"id":"`+resActionID+`","type":"condition_pressure",`+
		`"trigger":[{"psi":3}],"action":{"type":"insert_bucket","device":"x"},"last_triggered":"never"}`), &a))
	assert.Equal(t, []ActionTrigger{RawTrigger{Type: "condition_pressure", JSON: json.RawMessage(`{"psi":3}`)}}, a.Triggers)
	assert.Equal(t, RawTask{JSON: json.RawMessage(`{"type":"insert_bucket","device":"x"}`)}, a.Task)
	assert.Equal(t, "insert_bucket", a.Task.TaskType())
	assert.True(t, a.LastTriggered.IsZero())

	require.NoError(t, json.Unmarshal([]byte(`{"type":"script","script":"`+resAnalysisID+`"}`), new(RunAnalysis)))
	assert.Equal(t, RunAnalysis{Analyses: []string{resAnalysisID}}, decodeTask(json.RawMessage(`{"type":"script","script":"`+resAnalysisID+`"}`)))
	assert.Equal(t, PostWebhook{URL: "https://x", Headers: map[string]string{"n": "1", "b": "true", "s": ""}},
		decodeTask(json.RawMessage(`{"type":"post","url":"https://x","headers":{"n":1,"b":true,"s":""}}`)))
	assert.Equal(t, RawTrigger{Type: ActionByInterval, JSON: json.RawMessage(`{"interval":5}`)},
		decodeTrigger(ActionByInterval, json.RawMessage(`{"interval":5}`)), "a trigger of the wrong shape is kept raw")
}

func TestActionCreateWithoutIDIsAnError(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	// The shared create decoder takes {"action": ID}, {"id": ID} or a bare ID; an
	// answer with none of them is an error.
	expect(mt, "POST", "/action", 201, `{"status":true,"result":{"message":"Action created"}}`)
	_, err := c.Actions.Create(t.Context(), ActionCreateRequest{Name: "x", Triggers: []ActionTrigger{hotTrigger},
		Task: PostWebhook{URL: "https://example.com", FallbackToken: resToken}})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, `names no "action"`)

	expect(mt, "POST", "/action", 400, `{"status":false,"message":"fallback `+resToken+` invalid"}`)
	_, err = c.Actions.Create(t.Context(), ActionCreateRequest{Name: "x", Triggers: []ActionTrigger{hotTrigger},
		Task: PostWebhook{URL: "https://example.com", FallbackToken: resToken}})
	require.ErrorIs(t, err, ErrBadRequest)
	assert.NotContains(t, err.Error(), resToken, "the fallback device token is redacted")
}

// TestActionWrongCombinationsSendNothing checks that every trigger and task field is
// validated and that combinations the platform cannot run fail before the request.
func TestActionWrongCombinationsSendNothing(t *testing.T) {
	t.Parallel()
	run := RunAnalysis{Analyses: []string{resAnalysisID}}
	create := func(task ActionTask, triggers ...ActionTrigger) func(ctx context.Context, c *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, err := c.Actions.Create(ctx, ActionCreateRequest{Name: "a", Triggers: triggers, Task: task})
			return err
		}
	}
	trig := func(triggers ...ActionTrigger) func(ctx context.Context, c *Client) error {
		return create(run, triggers...)
	}
	task := func(t ActionTask) func(ctx context.Context, c *Client) error { return create(t, hotTrigger) }
	v := func(f func(v *VariableTrigger)) VariableTrigger { x := hotTrigger; f(&x); return x }
	geo := GeofenceTrigger{Device: resDeviceID, Variable: "loc", Is: Inside, Value: Geofence{Center: []float64{0, 0}, Radius: 10}}
	g := func(f func(g *GeofenceTrigger)) GeofenceTrigger { x := geo; f(&x); return x }
	unlock := v(func(v *VariableTrigger) { v.Unlock = true })
	usage := UsageAlertTrigger{ServiceOrResource: UsageInput, Condition: ">", ConditionValue: 90}
	many := func(t ActionTrigger, n int) []ActionTrigger {
		out := make([]ActionTrigger, n)
		for i := range out {
			out[i] = t
		}
		return out
	}
	mail := SendEmailSMTP{From: "n@example.com", To: "a@example.com", Subject: "S", Message: "M", SMTPSecret: resSecretID}
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"list an unknown type", "type", func(ctx context.Context, c *Client) error {
			_, err := c.Actions.List(ctx, &ActionListOptions{Type: "sometimes"})
			return err
		}},
		{"info with a bad ID", "action ID", func(ctx context.Context, c *Client) error { _, err := c.Actions.Info(ctx, "x"); return err }},
		{"create without a name", "name", func(ctx context.Context, c *Client) error {
			_, err := c.Actions.Create(ctx, ActionCreateRequest{Triggers: []ActionTrigger{hotTrigger}, Task: run})
			return err
		}},
		{"create without triggers", "triggers", trig()},
		{"create with a nil trigger", "triggers[0]", trig(nil)},
		{"create without a task", "task", create(nil, hotTrigger)},
		{"mix trigger types", "triggers[1]", trig(hotTrigger, IntervalTrigger{Interval: "1 hour"})},
		{"two schedules", "triggers", trig(ScheduleTrigger{Cron: "* * * * *"}, ScheduleTrigger{Cron: "0 * * * *"})},
		{"eleven usage alerts", "triggers", trig(many(usage, 11)...)},
		{"eleven geofences", "triggers", trig(many(geo, 11)...)},
		{"only unlock conditions", "triggers", trig(unlock)},
		{"unlock on a tag-watching action", "triggers[1].unlock", trig(
			VariableTrigger{TagKey: "k", TagValue: "v", Variable: "t", Is: CondAny},
			VariableTrigger{TagKey: "k", TagValue: "v", Variable: "t", Is: CondAny, Unlock: true})},
		{"triggers watching two devices", "triggers[1]", trig(hotTrigger, v(func(v *VariableTrigger) { v.Device = resDevice2ID }))},
		{"trigger when unlock without an unlock", "trigger when unlock", func(ctx context.Context, c *Client) error {
			_, err := c.Actions.Create(ctx, ActionCreateRequest{Name: "a", Triggers: []ActionTrigger{hotTrigger}, Task: run, TriggerWhenUnlock: Ptr(true)})
			return err
		}},
		{"lock a schedule", "lock", func(ctx context.Context, c *Client) error {
			_, err := c.Actions.Create(ctx, ActionCreateRequest{Name: "a", Triggers: []ActionTrigger{ScheduleTrigger{Cron: "* * * * *"}}, Task: run, Lock: Ptr(true)})
			return err
		}},
		{"variable: device and tag", "triggers[0]", trig(v(func(v *VariableTrigger) { v.TagKey, v.TagValue = "k", "v" }))},
		{"variable: nothing watched", "triggers[0]", trig(v(func(v *VariableTrigger) { v.Device = "" }))},
		{"variable: half a tag", "triggers[0]", trig(v(func(v *VariableTrigger) { v.Device, v.TagKey = "", "k" }))},
		{"variable: bad device", "triggers[0].device", trig(v(func(v *VariableTrigger) { v.Device = "d1" }))},
		{"variable: no variable", "triggers[0].variable", trig(v(func(v *VariableTrigger) { v.Variable = " " }))},
		{"variable: unknown condition", "triggers[0].is", trig(v(func(v *VariableTrigger) { v.Is = ">=" }))},
		{"variable: no value", "triggers[0].value", trig(v(func(v *VariableTrigger) { v.Value = "" }))},
		{"variable: any with a value", "triggers[0].value", trig(v(func(v *VariableTrigger) { v.Is = CondAny }))},
		{"variable: between without an upper bound", "triggers[0].second_value", trig(v(func(v *VariableTrigger) { v.Is = CondBetween }))},
		{"variable: an upper bound without between", "triggers[0].second_value", trig(v(func(v *VariableTrigger) { v.SecondValue = "40" }))},
		{"variable: a number that is not", "triggers[0].value", trig(v(func(v *VariableTrigger) { v.Value = "hot" }))},
		{"variable: an upper bound that is not a number", "triggers[0].second_value", trig(v(func(v *VariableTrigger) {
			v.Is, v.SecondValue = CondBetween, "x"
		}))},
		{"variable: a boolean that is not", "triggers[0].value", trig(v(func(v *VariableTrigger) { v.ValueType, v.Value = CompareBoolean, "yes" }))},
		{"variable: booleans compared by size", "triggers[0].is", trig(v(func(v *VariableTrigger) { v.ValueType, v.Value = CompareBoolean, "true" }))},
		{"variable: no value type", "triggers[0].value_type", trig(v(func(v *VariableTrigger) { v.ValueType = "" }))},
		{"variable: unknown value type", "triggers[0].value_type", trig(v(func(v *VariableTrigger) { v.ValueType = "date" }))},
		{"resource: unknown resource", "triggers[0].resource", trig(ResourceTrigger{Resource: "widget", When: OnCreate})},
		{"resource: unknown event", "triggers[0].when", trig(ResourceTrigger{Resource: ResourceDevice, When: "rename"})},
		{"resource: half a tag", "triggers[0]", trig(ResourceTrigger{Resource: ResourceDevice, When: OnDelete, TagKey: "k"})},
		{"interval: seconds", "triggers[0].interval", trig(IntervalTrigger{Interval: "30 seconds"})},
		{"interval: no count", "triggers[0].interval", trig(IntervalTrigger{Interval: "hourly"})},
		{"interval: zero", "triggers[0].interval", trig(IntervalTrigger{Interval: "0 minutes"})},
		{"interval: unknown unit", "triggers[0].interval", trig(IntervalTrigger{Interval: "2 fortnights"})},
		{"schedule: not cron", "triggers[0].cron", trig(ScheduleTrigger{Cron: "every monday"})},
		{"mqtt: no topic", "triggers[0].topic", trig(MQTTTopicTrigger{Device: resDeviceID})},
		{"mqtt: nothing watched", "triggers[0]", trig(MQTTTopicTrigger{Topic: "a"})},
		{"usage: unknown service", "triggers[0].service_or_resource", trig(UsageAlertTrigger{ServiceOrResource: "coffee", Condition: ">"})},
		{"usage: bad condition", "triggers[0].condition", trig(UsageAlertTrigger{ServiceOrResource: UsageSMS, Condition: "<"})},
		{"usage: over 100 percent", "triggers[0].condition_value", trig(UsageAlertTrigger{ServiceOrResource: UsageSMS, Condition: ">", ConditionValue: 101})},
		{"geofence: bad device", "triggers[0].device", trig(g(func(g *GeofenceTrigger) { g.Device = "" }))},
		{"geofence: no variable", "triggers[0].variable", trig(g(func(g *GeofenceTrigger) { g.Variable = "" }))},
		{"geofence: bad side", "triggers[0].is", trig(g(func(g *GeofenceTrigger) { g.Is = "in" }))},
		{"geofence: circle and polygon", "triggers[0].value", trig(g(func(g *GeofenceTrigger) { g.Value.Coordinates = [][]float64{{0, 0}} }))},
		{"geofence: latitude past the pole", "triggers[0].value.center", trig(g(func(g *GeofenceTrigger) { g.Value.Center = []float64{0, 91} }))},
		{"geofence: no radius", "triggers[0].value.radius", trig(g(func(g *GeofenceTrigger) { g.Value.Radius = 0 }))},
		{"geofence: a two-point polygon", "triggers[0].value", trig(g(func(g *GeofenceTrigger) {
			g.Value = Geofence{Coordinates: [][]float64{{0, 0}, {1, 1}}}
		}))},
		{"geofence: a bad corner", "triggers[0].value.coordinates[2]", trig(g(func(g *GeofenceTrigger) {
			g.Value = Geofence{Coordinates: [][]float64{{0, 0}, {1, 1}, {200, 0}}}
		}))},
		{"raw trigger without a type", "triggers[0].type", trig(RawTrigger{JSON: json.RawMessage(`{}`)})},
		{"raw trigger that is not an object", "triggers[0]", trig(RawTrigger{Type: "x", JSON: json.RawMessage(`[1]`)})},
		{"run no analysis", "task.analyses", task(RunAnalysis{})},
		{"run eleven analyses", "task.analyses", task(RunAnalysis{Analyses: make([]string, 11)})},
		{"run a bad analysis ID", "task.analyses[0]", task(RunAnalysis{Analyses: []string{"x"}})},
		{"notify without a message", "task.message", task(NotifyAccount{Subject: "S"})},
		{"notify a bad run user", "task.run_user", task(NotifyRunUser{RunUser: "u", Message: "M"})},
		{"e-mail a bad recipient", "task.to", task(SendEmail{To: "a@example.com;nobody", Subject: "S", Message: "M"})},
		{"e-mail without a subject", "task.subject", task(SendEmail{To: "a@example.com", Message: "M"})},
		{"SMS without a number", "task.to", task(SendSMS{Message: "M"})},
		{"publish to a bad device", "task.device", task(PublishMQTT{Device: "x", Topic: "t"})},
		{"publish to a wildcard", "task.topic", task(PublishMQTT{Device: resDeviceID, Topic: "a/#"})},
		{"post to a relative URL", "task.url", task(PostWebhook{URL: "/hook"})},
		{"post with a bad header", "task.headers", task(PostWebhook{URL: "https://x", Headers: map[string]string{"Bad Header": "v"}})},
		{"post with a bad fallback token", "task.fallback_token", task(PostWebhook{URL: "https://x", FallbackToken: "nope"})},
		{"Twilio without its token secret", "task.twilio_token", task(SendSMSTwilio{To: "1", From: "2", Message: "M", SIDSecret: resSecretID})},
		{"Twilio without a sender", "task.from", task(SendSMSTwilio{To: "1", Message: "M", SIDSecret: resSecretID, TokenSecret: resSecretID})},
		{"WhatsApp without a message or template", "task.message", task(SendWhatsAppTwilio{To: "1", From: "2", SIDSecret: resSecretID, TokenSecret: resSecretID})},
		{"WhatsApp variables without a template", "task.content_variables", task(SendWhatsAppTwilio{To: "1", From: "2", Message: "M",
			SIDSecret: resSecretID, TokenSecret: resSecretID, ContentVariables: []ContentVariable{{Name: "1"}}})},
		{"WhatsApp a nameless template variable", "task.content_variables[0].name", task(SendWhatsAppTwilio{To: "1", From: "2",
			SIDSecret: resSecretID, TokenSecret: resSecretID, ContentSIDSecret: resSecretID, ContentVariables: []ContentVariable{{Value: "x"}}})},
		{"SendGrid without its key", "task.sendgrid_api_key", task(SendEmailSendGrid{From: "n@example.com", To: "a@example.com", Subject: "S", Message: "M"})},
		{"SMTP from a bad sender", "task.from", task(SendEmailSMTP{From: "noreply", To: mail.To, Subject: "S", Message: "M", SMTPSecret: resSecretID})},
		{"SMTP without its secret", "task.smtp_secret", task(SendEmailSMTP{From: mail.From, To: mail.To, Subject: "S", Message: "M"})},
		{"SQS without its secret", "task.sqs_secret", task(SendSQS{})},
		{"raw task without a type", "task.type", task(RawTask{JSON: json.RawMessage(`{"a":1}`)})},
		{"edit nothing", "action edit", func(ctx context.Context, c *Client) error {
			return c.Actions.Edit(ctx, resActionID, ActionEditRequest{})
		}},
		{"edit a bad ID", "action ID", func(ctx context.Context, c *Client) error {
			return c.Actions.Edit(ctx, "x", ActionEditRequest{Name: Ptr("n")})
		}},
		{"edit to no triggers", "triggers", func(ctx context.Context, c *Client) error {
			return c.Actions.Edit(ctx, resActionID, ActionEditRequest{Triggers: []ActionTrigger{}})
		}},
		{"edit a bad task", "task.sqs_secret", func(ctx context.Context, c *Client) error {
			return c.Actions.Edit(ctx, resActionID, ActionEditRequest{Task: SendSQS{}})
		}},
		{"edit triggers against the lock", "lock", func(ctx context.Context, c *Client) error {
			return c.Actions.Edit(ctx, resActionID, ActionEditRequest{Triggers: []ActionTrigger{usage}, Lock: Ptr(true)})
		}},
		{"delete a bad ID", "action ID", func(ctx context.Context, c *Client) error { return c.Actions.Delete(ctx, "") }},
	})
}

func TestActionsNeedAnAccountToken(t *testing.T) {
	t.Parallel()
	for _, tok := range []Token{Anonymous(), DeviceToken(testDeviceToken), AnalysisToken(testAnalysisToken)} {
		t.Run(tok.Kind().String(), func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, tok)
			_, err := c.Actions.Create(t.Context(), ActionCreateRequest{Name: "a", Triggers: []ActionTrigger{hotTrigger},
				Task: RunAnalysis{Analyses: []string{resAnalysisID}}})
			require.ErrorIs(t, err, ErrTokenKind)
			require.ErrorIs(t, firstErr(c.Actions.All(t.Context(), nil)), ErrTokenKind)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
}

func TestAutomationAllsUseTheSharedPager(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, query, item string
		run                     func(ctx context.Context, c *Client) (int, error)
	}{
		{"analyses", "/analysis/", "page=2&amount=1&fields[0]=id&fields[1]=name&filter[name]=a*&orderBy=name,asc", `{"id":"` + resAnalysisID + `"}`,
			func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Analyses.All(ctx, &AnalysisListOptions{ListOptions: ListOptions{Amount: 1}, Name: "a*"}))
			}},
		{"actions", "/action", "page=2&amount=1&fields[0]=id&fields[1]=name&filter[type]=schedule&orderBy=name,asc", `{"id":"` + resActionID + `"}`,
			func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Actions.All(ctx, &ActionListOptions{ListOptions: ListOptions{Amount: 1}, Type: ActionBySchedule}))
			}},
		{"secrets", "/secrets", "page=2&amount=1&fields[0]=id&fields[1]=key&filter[key]=K&orderBy=key,asc", `{"id":"` + resSecretID + `"}`,
			func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Secrets.All(ctx, &SecretListOptions{ListOptions: ListOptions{Amount: 1}, Key: "K"}))
			}},
		{"access policies", "/am", "page=2&amount=1&fields[0]=id&fields[1]=name&fields[2]=tags&filter[active]=true&orderBy=name,asc", `{"id":"` + resPolicyID + `"}`,
			func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Access.All(ctx, &AccessListOptions{ListOptions: ListOptions{Amount: 1}, Active: Ptr(true)}))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
			got := expectSeq(mt, "GET", tt.path, reply(200, `{"status":true,"result":[`+tt.item+`]}`), reply(200, `{"status":true,"result":[]}`))
			n, err := tt.run(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			require.Equal(t, 2, got.count(), "a full page, then an empty one")
			assert.Equal(t, tt.query, got.last(t).Query)
		})
	}
}

func TestAccountServicesOnAZeroClientDoNotPanic(t *testing.T) {
	t.Parallel()
	var zero Client
	_, err := zero.Account.Login(t.Context(), LoginRequest{Email: testEmail, Password: testPassword})
	assert.ErrorIs(t, err, errNilClient)
	_, err = zero.Profiles.List(t.Context())
	assert.ErrorIs(t, err, errNilClient)
	assert.ErrorIs(t, firstErr(zero.Analyses.All(t.Context(), nil)), errNilClient)
	_, err = zero.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, io.Discard)
	assert.ErrorIs(t, err, errNilClient)
	_, err = zero.Analyses.ListSnippets(t.Context(), RuntimeNode)
	assert.ErrorIs(t, err, errNilClient)
	_, err = zero.Actions.Info(t.Context(), resActionID)
	assert.ErrorIs(t, err, errNilClient)
	assert.ErrorIs(t, zero.Secrets.Delete(t.Context(), resSecretID), errNilClient)
	_, err = zero.Access.Info(t.Context(), resPolicyID)
	assert.ErrorIs(t, err, errNilClient)
	_, err = zero.Tags.Keys(t.Context(), TagDevices)
	assert.ErrorIs(t, err, errNilClient)
}
