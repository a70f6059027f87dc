package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"
)

// ActionsService manages actions: rules that run a task (an analysis, a notification,
// an e-mail, a webhook...) when their triggers fire (account token). Triggers and tasks
// are typed (see [ActionTrigger] and [ActionTask]), and combinations the platform
// cannot run are refused with [ErrInvalidInput] before any request.
type ActionsService service

func (s *ActionsService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// Action is an action as the platform describes it. List calls fill only the fields
// they were asked for.
type Action struct {
	// ID is the action's ID.
	ID string `json:"id"`
	// Name is the action's name.
	Name string `json:"name"`
	// Description is a free-text description.
	Description string `json:"description,omitempty"`
	// Active says whether the action runs.
	Active bool `json:"active"`
	// Profile is the ID of the profile owning the action.
	Profile string `json:"profile,omitempty"`
	// Tags are the action's tags.
	Tags []Tag `json:"tags,omitempty"`
	// Type is what starts the action.
	Type ActionType `json:"type,omitempty"`
	// Triggers are the action's triggers, of the concrete types Type names (a
	// [RawTrigger] for a type the SDK does not know).
	Triggers []ActionTrigger `json:"trigger,omitempty"`
	// Task is what the action does (a [RawTask] for a kind the SDK does not know).
	Task ActionTask `json:"action,omitempty"`
	// Lock says whether the action is locked: it ran, and waits for an unlock trigger.
	Lock bool `json:"lock"`
	// TriggerWhenUnlock makes the unlock trigger run the task too.
	TriggerWhenUnlock bool `json:"trigger_when_unlock"`
	// LastTriggered is when the action last ran; zero if never.
	LastTriggered time.Time `json:"last_triggered,omitzero"`
	// CreatedAt is when the action was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the action was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// UnmarshalJSON decodes the triggers by the action's type and the task by its kind,
// and reads dates leniently ("never" is no time).
func (a *Action) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID                string            `json:"id"`
		Name              string            `json:"name"`
		Description       string            `json:"description"`
		Active            bool              `json:"active"`
		Profile           string            `json:"profile"`
		Tags              []Tag             `json:"tags"`
		Type              ActionType        `json:"type"`
		Trigger           []json.RawMessage `json:"trigger"`
		Action            json.RawMessage   `json:"action"`
		Lock              bool              `json:"lock"`
		TriggerWhenUnlock bool              `json:"trigger_when_unlock"`
		LastTriggered     looseTime         `json:"last_triggered"`
		CreatedAt         looseTime         `json:"created_at"`
		UpdatedAt         looseTime         `json:"updated_at"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*a = Action{ID: raw.ID, Name: raw.Name, Description: raw.Description, Active: raw.Active, Profile: raw.Profile,
		Tags: raw.Tags, Type: raw.Type, Task: decodeTask(raw.Action), Lock: raw.Lock, TriggerWhenUnlock: raw.TriggerWhenUnlock,
		LastTriggered: time.Time(raw.LastTriggered), CreatedAt: time.Time(raw.CreatedAt), UpdatedAt: time.Time(raw.UpdatedAt)}
	for _, t := range raw.Trigger {
		a.Triggers = append(a.Triggers, decodeTrigger(raw.Type, t))
	}
	return nil
}

// ActionListOptions filters and pages [ActionsService.List] and [ActionsService.All].
type ActionListOptions struct {
	ListOptions
	// Name keeps actions whose name matches, * wildcards allowed.
	Name string
	// Active keeps only active (true) or only inactive (false) actions.
	Active *bool
	// Type keeps actions of this type.
	Type ActionType
	// Tags keeps actions carrying every one of these tags.
	Tags []Tag
}

// actionsDefaults are the official SDKs' defaults for action lists.
var actionsDefaults = listDefaults{fields: []string{"id", "name"}, order: Asc("name")}

// checkActionType validates an action type; empty passes.
func checkActionType(t ActionType) error {
	switch t {
	case "", ActionByVariable, ActionByResource, ActionByInterval, ActionBySchedule, ActionByMQTTTopic,
		ActionByUsageAlert, ActionByGeofence:
		return nil
	}
	return invalidf("type", "unknown action type %q", string(t))
}

// List returns one page of the profile's actions. Without Fields it asks for id and
// name; the default order is by name, ascending.
//
// TagoIO API: GET /action
func (s *ActionsService) List(ctx context.Context, opts *ActionListOptions) ([]Action, error) {
	var o ActionListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkActionType(o.Type); err != nil {
		return nil, err
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, actionsDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addBoolPtr("filter[active]", o.Active)
		q.addString("filter[type]", string(o.Type))
		q.addTags("filter[tags]", o.Tags)
	})
	if err != nil {
		return nil, err
	}
	return do[[]Action](ctx, s.cl(), &call{method: "GET", path: "/action", query: q, kinds: accountOnly})
}

// All returns an iterator over every action matching opts, fetching pages as the caller
// ranges.
//
// TagoIO API: GET /action
func (s *ActionsService) All(ctx context.Context, opts *ActionListOptions) iter.Seq2[Action, error] {
	var o ActionListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Action, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// Info returns one action.
//
// TagoIO API: GET /action/{id}
func (s *ActionsService) Info(ctx context.Context, id string) (Action, error) {
	if err := checkID("action ID", id); err != nil {
		return Action{}, err
	}
	return do[Action](ctx, s.cl(), &call{method: "GET", path: "/action/" + escape(id), kinds: accountOnly})
}

// maxConditions is how many triggers the platform takes for usage alerts and
// geofences.
const maxConditions = 10

// checkTriggers validates an action's triggers as a whole and returns their type: at
// least one, all of one type, one for intervals and schedules, at most 10 usage alerts
// or geofences, one watched device or tag for variable and MQTT triggers, and unlock
// conditions only for single-device variable and geofence actions, beside at least one
// trigger that is not an unlock.
func checkTriggers(triggers []ActionTrigger) (ActionType, error) {
	if len(triggers) == 0 {
		return "", invalidf("triggers", "must not be empty")
	}
	var typ ActionType
	var watched string
	firing := 0
	for i, t := range triggers {
		field := fmt.Sprintf("triggers[%d]", i)
		if t == nil {
			return "", invalidf(field, "must not be nil")
		}
		if err := t.check(field); err != nil {
			return "", err
		}
		if i == 0 {
			typ = t.TriggerType()
		} else if t.TriggerType() != typ {
			return "", invalidf(field, "is a %q trigger in a %q action: an action's triggers share one type", t.TriggerType(), typ)
		}
		var w string
		switch v := t.(type) {
		case VariableTrigger:
			w = v.Device + "\x00" + v.TagKey + "\x00" + v.TagValue
			if v.Unlock && v.Device == "" {
				return "", invalidf(field+".unlock", "unlock conditions apply to single-device actions only")
			}
		case MQTTTopicTrigger:
			w = v.Device + "\x00" + v.TagKey + "\x00" + v.TagValue
		}
		if i == 0 {
			watched = w
		} else if w != watched {
			return "", invalidf(field, "watches another device or tag: an action's triggers watch the same devices")
		}
		if !unlocks(t) {
			firing++
		}
	}
	switch {
	case firing == 0:
		return "", invalidf("triggers", "hold only unlock conditions; add the condition that runs the action")
	case (typ == ActionByInterval || typ == ActionBySchedule) && len(triggers) != 1:
		return "", invalidf("triggers", "a %q action takes exactly one trigger, got %d", typ, len(triggers))
	case (typ == ActionByUsageAlert || typ == ActionByGeofence) && len(triggers) > maxConditions:
		return "", invalidf("triggers", "a %q action takes at most %d triggers, got %d", typ, maxConditions, len(triggers))
	}
	return typ, nil
}

// checkLocking validates Lock and TriggerWhenUnlock against the triggers: both need an
// action whose triggers can unlock it.
func checkLocking(typ ActionType, triggers []ActionTrigger, lock, whenUnlock *bool) error {
	hasUnlock := false
	for _, t := range triggers {
		hasUnlock = hasUnlock || unlocks(t)
	}
	if whenUnlock != nil && *whenUnlock && !hasUnlock {
		return invalidf("trigger when unlock", "needs an unlock condition among the triggers")
	}
	if lock != nil && *lock && typ != ActionByVariable && typ != ActionByGeofence {
		return invalidf("lock", "only variable and geofence actions lock")
	}
	return nil
}

// checkTask validates an action's task.
func checkTask(t ActionTask) error {
	if t == nil {
		return invalidf("task", "must be set")
	}
	return t.check("task")
}

// taskSecrets lists the secrets a task sends, for redaction.
func taskSecrets(t ActionTask) []string {
	if w, ok := t.(PostWebhook); ok && w.FallbackToken != "" {
		return []string{w.FallbackToken.Reveal()}
	}
	return nil
}

// ActionCreateRequest describes a new action: its Name, Triggers (all of one type,
// which becomes the action's type) and Task are required.
type ActionCreateRequest struct {
	// Name is the action's name.
	Name string
	// Description is a free-text description.
	Description string
	// Active says whether the action runs; nil lets the platform choose (true).
	Active *bool
	// Tags are the action's tags.
	Tags []Tag
	// Triggers start the action.
	Triggers []ActionTrigger
	// Task is what the action does.
	Task ActionTask
	// Lock creates the action locked, waiting for an unlock condition.
	Lock *bool
	// TriggerWhenUnlock makes the unlock condition run the task too.
	TriggerWhenUnlock *bool
}

// actionBody is an action as the platform takes it in a create or an edit.
type actionBody struct {
	Name              *string         `json:"name,omitempty"`
	Description       *string         `json:"description,omitempty"`
	Active            *bool           `json:"active,omitempty"`
	Tags              []Tag           `json:"tags,omitzero"`
	Type              ActionType      `json:"type,omitempty"`
	Trigger           []ActionTrigger `json:"trigger,omitempty"`
	Action            ActionTask      `json:"action,omitempty"`
	Lock              *bool           `json:"lock,omitempty"`
	TriggerWhenUnlock *bool           `json:"trigger_when_unlock,omitempty"`
}

// Create creates an action and returns its ID.
//
// TagoIO API: POST /action
func (s *ActionsService) Create(ctx context.Context, req ActionCreateRequest) (string, error) {
	if err := checkName("name", req.Name); err != nil {
		return "", err
	}
	typ, err := checkTriggers(req.Triggers)
	if err != nil {
		return "", err
	}
	if err := checkTask(req.Task); err != nil {
		return "", err
	}
	if err := checkLocking(typ, req.Triggers, req.Lock, req.TriggerWhenUnlock); err != nil {
		return "", err
	}
	if err := checkTags("tags", req.Tags); err != nil {
		return "", err
	}
	body := actionBody{Name: &req.Name, Active: req.Active, Tags: req.Tags, Type: typ, Trigger: req.Triggers,
		Action: req.Task, Lock: req.Lock, TriggerWhenUnlock: req.TriggerWhenUnlock}
	if req.Description != "" {
		body.Description = &req.Description
	}
	id, err := do[createdID[actionKey]](ctx, s.cl(), &call{method: "POST", path: "/action", body: body,
		secrets: taskSecrets(req.Task), kinds: accountOnly})
	return string(id), err
}

// ActionEditRequest lists what to change of an action; nil fields are left as they
// are. New Triggers replace all of them, and may change the action's type.
type ActionEditRequest struct {
	// Name is the new name.
	Name *string
	// Description is the new description.
	Description *string
	// Active enables or disables the action.
	Active *bool
	// Tags replaces the tags; an empty non-nil slice removes them all.
	Tags []Tag
	// Triggers replaces the triggers (and sets the type they share).
	Triggers []ActionTrigger
	// Task replaces the task.
	Task ActionTask
	// Lock locks or unlocks the action by hand.
	Lock *bool
	// TriggerWhenUnlock makes the unlock condition run the task, or stop doing so.
	TriggerWhenUnlock *bool
}

// Edit changes an action. Lock and TriggerWhenUnlock are checked against new
// Triggers; without them the platform checks against the action's current ones.
//
// TagoIO API: PUT /action/{id}
func (s *ActionsService) Edit(ctx context.Context, id string, req ActionEditRequest) error {
	if err := checkID("action ID", id); err != nil {
		return err
	}
	if req.Name == nil && req.Description == nil && req.Active == nil && req.Tags == nil && req.Triggers == nil &&
		req.Task == nil && req.Lock == nil && req.TriggerWhenUnlock == nil {
		return invalidf("action edit", "sets no field")
	}
	if req.Name != nil {
		if err := checkName("name", *req.Name); err != nil {
			return err
		}
	}
	body := actionBody{Name: req.Name, Description: req.Description, Active: req.Active, Tags: req.Tags,
		Lock: req.Lock, TriggerWhenUnlock: req.TriggerWhenUnlock}
	if req.Triggers != nil {
		typ, err := checkTriggers(req.Triggers)
		if err != nil {
			return err
		}
		if err := checkLocking(typ, req.Triggers, req.Lock, req.TriggerWhenUnlock); err != nil {
			return err
		}
		body.Type, body.Trigger = typ, req.Triggers
	}
	if req.Task != nil {
		if err := checkTask(req.Task); err != nil {
			return err
		}
		body.Action = req.Task
	}
	if err := checkTags("tags", req.Tags); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/action/" + escape(id), body: body,
		secrets: taskSecrets(req.Task), kinds: accountOnly})
}

// Delete deletes an action.
//
// TagoIO API: DELETE /action/{id}
func (s *ActionsService) Delete(ctx context.Context, id string) error {
	if err := checkID("action ID", id); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/action/" + escape(id), kinds: accountOnly})
}
