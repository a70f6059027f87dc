package tagotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// actionTypes are the trigger kinds of an action, with the fields each trigger entry
// needs.
var actionTypes = map[string][]string{
	"condition":          {"variable", "is", "value_type"}, // and device, or tag_key and tag_value
	"condition_geofence": {"device", "variable", "is", "value"},
	"resource":           {"resource", "when"},
	"interval":           {"interval"},
	"schedule":           {"cron"},
	"usage_alert":        {"service_or_resource", "condition", "condition_value"},
	"mqtt_topic":         nil,
}

// actionKinds are what an action does when it fires, with the fields each needs.
var actionKinds = map[string][]string{
	"script":           {"script"},
	"notification":     {"message", "subject"},
	"notification_run": {"message", "subject", "run_user"},
	"email":            {"message", "subject", "to"},
	"sms":              {"message", "to"},
	"mqtt":             {"topic", "payload"},
	"post":             {"url"},
	"sms-twilio":       {"message", "to", "from", "twilio_sid", "twilio_token"},
	"whatsapp-twilio":  {"message", "to", "from", "twilio_sid", "twilio_token", "content_sid"},
	"email-sendgrid":   {"from", "message", "subject", "to", "sendgrid_api_key"},
	"email-smtp":       {"from", "message", "subject", "to", "smtp_secret"},
	"queue-sqs":        {"sqs_secret"},
}

// Conditions of a variable trigger: less, greater, equal, different, between, any.
var conditions = []string{"<", ">", "=", "!", "><", "*"}

// Actions are a collection. The fake evaluates the variable-condition triggers
// ("condition", watching one device or the devices carrying a tag) when data is stored
// and runs the effect: a script runs its analyses, a post sends the matching records
// to its URL; every other effect is recorded only (see [Server.ActionFirings]).
//
// "lock" is the action's state, as the platform documents Trigger Unlock: an action
// with unlock conditions (trigger entries with "unlock": true, single-device only)
// locks itself when it fires, and while locked it does not fire until an unlock
// condition matches (which also fires it with trigger_when_unlock); one without unlock
// conditions never locks. A create or an edit may set the state by hand.
var _ = register(&spec{
	key: "action", noun: "Action", path: "/action", kinds: accountOnly, tagType: "action",
	order: "name,asc", listFields: []string{"id", "name"}, required: []string{"name", "action"},
	fields: map[string]ftype{"name": fString, "description": fNullString, "active": fBool, "lock": fBool,
		"type": fString, "trigger": fArray, "action": fObject, "trigger_when_unlock": fBool},
	strict:   true,
	readOnly: []string{"profile", "last_triggered"},
	defaults: func(c *call) obj {
		return obj{"profile": c.profile(), "description": nil, "active": true, "lock": false, "type": nil,
			"trigger": []any{}, "tags": []Tag{}, "last_triggered": nil, "trigger_when_unlock": false}
	},
	validate: validateAction,
	result:   func(c *call, d *doc) any { return obj{"action": d.id} },
})

// validateAction checks the trigger kind, each trigger entry and the effect: a
// wrong combination (a condition without a variable, a script without analyses) is
// a 400 naming the field.
func validateAction(c *call, f obj, old *doc) (reply, bool) {
	get := func(k string) any {
		if v, given := f[k]; given {
			return v
		}
		if old != nil {
			return old.fields[k]
		}
		return nil
	}
	typ, _ := get("type").(string)
	if v := get("type"); v != nil {
		if _, known := actionTypes[typ]; !known {
			return bad("type", "must be one of condition, resource, interval, schedule, mqtt_topic, usage_alert, condition_geofence"), false
		}
	}
	triggers, _ := get("trigger").([]any)
	for i, t := range triggers {
		name := "trigger[" + itoa(i) + "]"
		m, isObj := t.(map[string]any)
		if !isObj {
			return bad(name, "must be an object"), false
		}
		for _, k := range actionTypes[typ] {
			if v, given := m[k]; !given || v == nil || v == "" {
				return bad(name+"."+k, "is required for %s triggers", typ), false
			}
		}
		switch typ {
		case "condition":
			if is, _ := m["is"].(string); !slices.Contains(conditions, is) {
				return bad(name+".is", "must be one of < > = ! >< *"), false
			}
			if vt, _ := m["value_type"].(string); !slices.Contains([]string{"string", "number", "boolean", "*"}, vt) {
				return bad(name+".value_type", "must be string, number, boolean or *"), false
			}
			if m["is"] != "*" && m["value"] == nil {
				return bad(name+".value", "is required"), false
			}
			if m["is"] == "><" && m["second_value"] == nil {
				return bad(name+".second_value", "is required for ><"), false
			}
			dev, _ := m["device"].(string)
			key, _ := m["tag_key"].(string)
			val, _ := m["tag_value"].(string)
			switch {
			case dev != "" && (key != "" || val != ""):
				return bad(name+".device", "watch one device or the devices of a tag (tag_key, tag_value), not both"), false
			case dev == "" && (key == "" || val == ""):
				return bad(name+".device", "is required for condition triggers, or tag_key and tag_value"), false
			case dev != "":
				if d := c.s.table("device")[dev]; d == nil || d.profile != c.profile() {
					return bad(name+".device", "device %s not found", dev), false
				}
			case m["unlock"] == true:
				return bad(name+".unlock", "unlock conditions apply to single-device actions only"), false
			}
		case "condition_geofence":
			if is := m["is"]; is != "IN" && is != "OUT" {
				return bad(name+".is", "must be IN or OUT"), false
			}
		case "resource":
			if w := m["when"]; w != "create" && w != "update" && w != "delete" {
				return bad(name+".when", "must be create, update or delete"), false
			}
		case "usage_alert":
			if cnd := m["condition"]; cnd != "=" && cnd != ">" {
				return bad(name+".condition", "must be = or >"), false
			}
			if _, isNum := m["condition_value"].(float64); !isNum {
				return bad(name+".condition_value", "must be a number"), false
			}
		}
	}
	effect, _ := get("action").(map[string]any)
	if effect == nil {
		return reply{}, true // required on create; not given on edit
	}
	kind, _ := effect["type"].(string)
	need, known := actionKinds[kind]
	if !known {
		return bad("action.type", "unknown action type %q", kind), false
	}
	for _, k := range need {
		if v, given := effect[k]; !given || v == nil || v == "" {
			return bad("action."+k, "is required for %s actions", kind), false
		}
	}
	switch kind {
	case "script":
		ids, isArr := effect["script"].([]any)
		if !isArr || len(ids) == 0 {
			return bad("action.script", "must be an array of analysis IDs"), false
		}
		for i, id := range ids {
			str, _ := id.(string)
			if a := c.s.table("analysis")[str]; a == nil || a.profile != c.profile() {
				return bad("action.script["+itoa(i)+"]", "analysis %v not found", id), false
			}
		}
	case "post":
		u, err := url.Parse(fmt.Sprint(effect["url"]))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("action.url", "must be an http or https URL"), false
		}
		if h, given := effect["headers"]; given && h != nil {
			if _, isObj := h.(map[string]any); !isObj {
				return bad("action.headers", "must be an object"), false
			}
		}
	}
	return reply{}, true
}

// ActionFiring is one time an action fired: its trigger matched data stored on a
// device, and its effect ran (a script action's analyses are in
// [Server.AnalysisRuns]; a post action's delivery is below).
type ActionFiring struct {
	// Action is the action's ID; Type the effect's kind ("script", "post", "email",
	// ...).
	Action, Type string
	// Device is the device whose data matched, and Records the records that did.
	Device  string
	Records []Record
	// Time is when it fired, by the server's clock.
	Time time.Time
	// WebhookStatus is, for a post action, the status its URL answered; 0 when the
	// URL could not be reached, WebhookError then saying why.
	WebhookStatus int
	WebhookError  string
}

// ActionFirings returns the actions fired so far, oldest first. A post action's
// delivery is done before the request that stored the data is answered.
func (s *Server) ActionFirings() []ActionFiring {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ActionFiring, len(s.firings))
	for i, f := range s.firings {
		out[i] = *f
		out[i].Records = append([]Record(nil), f.Records...)
	}
	return out
}

// triggerActionsLocked evaluates the profile's condition actions on records just
// stored on a device: the entries watching the device (by ID or by one of its tags)
// whose condition holds fire the action, unless it is locked; an action with unlock
// entries then locks, and a locked one unlocks when an unlock entry holds (firing
// too with trigger_when_unlock).
func (s *Server) triggerActionsLocked(d *device, recs []*record) {
	if len(s.table("action")) == 0 {
		return
	}
	tags, _ := d.fields["tags"].([]Tag)
	watches := func(m map[string]any) bool {
		if dev, _ := m["device"].(string); dev != "" {
			return dev == d.id
		}
		key, _ := m["tag_key"].(string)
		val, _ := m["tag_value"].(string)
		return slices.Contains(tags, Tag{Key: key, Value: val})
	}
	for _, a := range s.docsLocked("action", func(a *doc) bool { return a.profile == d.profile }) {
		if active, _ := a.fields["active"].(bool); !active || a.fields["type"] != "condition" {
			continue
		}
		locked, _ := a.fields["lock"].(bool)
		var fire, unlock []*record
		hasUnlock := false
		triggers, _ := a.fields["trigger"].([]any)
		for _, t := range triggers {
			m, _ := t.(map[string]any)
			isUnlock, _ := m["unlock"].(bool)
			hasUnlock = hasUnlock || isUnlock
			if !watches(m) {
				continue
			}
			for _, r := range recs {
				if !strings.EqualFold(fmt.Sprint(m["variable"]), r.variable) || !conditionHolds(m, r.value) {
					continue
				}
				if isUnlock {
					unlock = append(unlock, r)
				} else {
					fire = append(fire, r)
				}
			}
		}
		switch {
		case !locked && len(fire) > 0:
			if hasUnlock {
				a.fields["lock"] = true
			}
			s.fireLocked(a, d, fire)
		case locked && len(unlock) > 0:
			a.fields["lock"] = false
			if when, _ := a.fields["trigger_when_unlock"].(bool); when {
				s.fireLocked(a, d, unlock)
			}
		}
	}
}

// conditionHolds evaluates one condition entry on a record's value.
func conditionHolds(m map[string]any, v any) bool {
	is, _ := m["is"].(string)
	if is == "*" {
		return typeMatches(m["value_type"], v)
	}
	if !typeMatches(m["value_type"], v) {
		return false
	}
	if f, isNum := v.(float64); isNum && m["value_type"] != "string" {
		t, err := strconv.ParseFloat(strings.TrimSpace(fmt.Sprint(m["value"])), 64)
		if err != nil {
			return false
		}
		switch is {
		case "<":
			return f < t
		case ">":
			return f > t
		case "=":
			return f == t
		case "!":
			return f != t
		case "><":
			t2, err := strconv.ParseFloat(strings.TrimSpace(fmt.Sprint(m["second_value"])), 64)
			return err == nil && f >= min(t, t2) && f <= max(t, t2)
		}
		return false
	}
	// Strings and booleans compare as text: equal or different.
	got, want := fmt.Sprint(v), fmt.Sprint(m["value"])
	switch is {
	case "=":
		return strings.EqualFold(got, want)
	case "!":
		return !strings.EqualFold(got, want)
	}
	return false
}

func typeMatches(valueType, v any) bool {
	switch valueType {
	case "number":
		_, good := v.(float64)
		return good
	case "string":
		_, good := v.(string)
		return good
	case "boolean":
		_, good := v.(bool)
		return good
	}
	return true
}

// fireLocked runs an action's effect on the records that matched.
func (s *Server) fireLocked(a *doc, d *device, recs []*record) {
	effect, _ := a.fields["action"].(map[string]any)
	kind, _ := effect["type"].(string)
	f := &ActionFiring{Action: a.id, Type: kind, Device: d.id, Time: s.now()}
	printed := make([]recordJSON, len(recs))
	for i, r := range recs {
		f.Records = append(f.Records, recordOut(d.id, r))
		printed[i] = recordView(d.id, r, false)
	}
	scope, _ := json.Marshal(printed)
	s.firings = append(s.firings, f)
	a.fields["last_triggered"] = jsTime(f.Time)
	switch kind {
	case "script":
		ids, _ := effect["script"].([]any)
		for _, id := range ids {
			str, _ := id.(string)
			if an := s.table("analysis")[str]; an != nil && an.profile == a.profile {
				if active, _ := an.fields["active"].(bool); active {
					s.runLocked(an, scope, "action:"+a.id)
				}
			}
		}
	case "post":
		target := fmt.Sprint(effect["url"])
		headers, _ := effect["headers"].(map[string]any)
		s.after = append(s.after, func() {
			status, err := postWebhook(target, headers, scope)
			s.mu.Lock()
			f.WebhookStatus = status
			if err != nil {
				f.WebhookError = err.Error()
			}
			s.mu.Unlock()
		})
	}
}

// webhookTimeout bounds one post action's delivery.
const webhookTimeout = 10 * time.Second

// postWebhook sends a post action's records (a JSON array) to its URL.
func postWebhook(target string, headers map[string]any, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, fmt.Sprint(v))
	}
	res, err := (&http.Client{Timeout: webhookTimeout}).Do(req)
	if err != nil {
		return 0, err
	}
	_ = res.Body.Close()
	return res.StatusCode, nil
}
