package tago

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file holds an action's typed triggers (what starts it) and their JSON forms;
// action_tasks.go holds its tasks (what it does).

// ActionType is what starts an action; every trigger of an action is of its type.
type ActionType string

// The action types.
const (
	// ActionByVariable runs when a device's variable meets a condition
	// ([VariableTrigger]).
	ActionByVariable ActionType = "condition"
	// ActionByResource runs when a resource is created, changed or deleted
	// ([ResourceTrigger]).
	ActionByResource ActionType = "resource"
	// ActionByInterval runs every interval ([IntervalTrigger]).
	ActionByInterval ActionType = "interval"
	// ActionBySchedule runs on a cron schedule ([ScheduleTrigger]).
	ActionBySchedule ActionType = "schedule"
	// ActionByMQTTTopic runs when a message reaches an MQTT topic of the legacy TagoIO
	// broker ([MQTTTopicTrigger]).
	ActionByMQTTTopic ActionType = "mqtt_topic"
	// ActionByUsageAlert runs when the profile's use of a service passes a percentage
	// of its limit ([UsageAlertTrigger]).
	ActionByUsageAlert ActionType = "usage_alert"
	// ActionByGeofence runs when a location variable enters or leaves an area
	// ([GeofenceTrigger]).
	ActionByGeofence ActionType = "condition_geofence"
)

// ActionTrigger is one trigger of an action: a [VariableTrigger], [ResourceTrigger],
// [IntervalTrigger], [ScheduleTrigger], [MQTTTopicTrigger], [UsageAlertTrigger],
// [GeofenceTrigger], or a [RawTrigger] for a form this SDK does not model.
type ActionTrigger interface {
	// TriggerType returns the type of action the trigger belongs to.
	TriggerType() ActionType
	check(field string) error
}

// Condition compares a variable's new value with a trigger's value.
type Condition string

// The conditions of a variable trigger.
const (
	CondLess      Condition = "<"  // CondLess is true when the value is less than Value.
	CondGreater   Condition = ">"  // CondGreater is true when the value is greater than Value.
	CondEqual     Condition = "="  // CondEqual is true when the value equals Value.
	CondDifferent Condition = "!"  // CondDifferent is true when the value differs from Value.
	CondBetween   Condition = "><" // CondBetween is true when the value is between Value and SecondValue.
	CondAny       Condition = "*"  // CondAny is true for every new value.
)

// ValueType is the type a condition compares values as.
type ValueType string

// The comparison types.
const (
	CompareString  ValueType = "string"  // CompareString compares as text.
	CompareNumber  ValueType = "number"  // CompareNumber compares as numbers.
	CompareBoolean ValueType = "boolean" // CompareBoolean compares as booleans.
	CompareAny     ValueType = "*"       // CompareAny compares whatever the value is.
)

// checkWatched validates what a device trigger watches: one device by ID, or the
// devices carrying one tag.
func checkWatched(field, device, tagKey, tagValue string) error {
	switch {
	case device != "" && (tagKey != "" || tagValue != ""):
		return invalidf(field, "watch one device or the devices of a tag, not both")
	case device != "":
		return checkID(field+".device", device)
	case tagKey == "" || tagValue == "":
		return invalidf(field, "must name a device, or a tag key and value")
	}
	return nil
}

// VariableTrigger starts an action when a device sends a variable whose value meets a
// condition: "temperature > 30" is Variable "temperature", Is [CondGreater], Value
// "30", ValueType [CompareNumber]. It watches one Device, or the devices carrying the
// tag TagKey=TagValue. An Unlock trigger instead re-arms an action that locked after
// running (single-device actions only).
type VariableTrigger struct {
	// Device is the watched device's ID.
	Device string `json:"device,omitempty"`
	// TagKey selects the watched devices by tag, with TagValue, instead of Device.
	TagKey string `json:"tag_key,omitempty"`
	// TagValue is the value of the TagKey tag of the watched devices.
	TagValue string `json:"tag_value,omitempty"`
	// Variable is the variable tested.
	Variable string `json:"variable"`
	// Is is the condition.
	Is Condition `json:"is"`
	// Value is what the variable is compared with; unused with [CondAny].
	Value string `json:"value,omitempty"`
	// SecondValue is the upper bound of [CondBetween].
	SecondValue string `json:"second_value,omitempty"`
	// ValueType is how values are compared; empty means [CompareAny] with [CondAny]
	// and is refused otherwise.
	ValueType ValueType `json:"value_type,omitempty"`
	// Unlock makes this a trigger-unlock condition.
	Unlock bool `json:"unlock,omitempty"`
}

// TriggerType returns [ActionByVariable].
func (VariableTrigger) TriggerType() ActionType { return ActionByVariable }

func (t VariableTrigger) check(field string) error {
	if err := checkWatched(field, t.Device, t.TagKey, t.TagValue); err != nil {
		return err
	}
	if strings.TrimSpace(t.Variable) == "" {
		return invalidf(field+".variable", "must not be empty")
	}
	vt := t.ValueType
	switch t.Is {
	case CondAny:
		if t.Value != "" || t.SecondValue != "" {
			return invalidf(field+".value", "the any condition takes no value")
		}
		return nil
	case CondLess, CondGreater, CondEqual, CondDifferent, CondBetween:
	default:
		return invalidf(field+".is", "unknown condition %q (want <, >, =, !, >< or *)", string(t.Is))
	}
	if t.Value == "" {
		return invalidf(field+".value", "must be set for condition %q", string(t.Is))
	}
	if (t.Is == CondBetween) != (t.SecondValue != "") {
		return invalidf(field+".second_value", "is set exactly for the between (><) condition")
	}
	switch vt {
	case CompareString, CompareAny:
	case CompareNumber:
		for name, v := range map[string]string{"value": t.Value, "second_value": t.SecondValue} {
			if _, err := strconv.ParseFloat(v, 64); v != "" && err != nil {
				return invalidf(field+"."+name, "%q is not a number", v)
			}
		}
	case CompareBoolean:
		if t.Value != "true" && t.Value != "false" {
			return invalidf(field+".value", "%q is not true or false", t.Value)
		}
		if t.Is != CondEqual && t.Is != CondDifferent {
			return invalidf(field+".is", "booleans compare with = or ! only")
		}
	case "":
		return invalidf(field+".value_type", "must be set (string, number, boolean or *)")
	default:
		return invalidf(field+".value_type", "unknown value type %q", string(vt))
	}
	return nil
}

// ResourceKind is a kind of resource a [ResourceTrigger] watches.
type ResourceKind string

// The watched resources.
const (
	ResourceDevice    ResourceKind = "device"    // ResourceDevice is devices.
	ResourceBucket    ResourceKind = "bucket"    // ResourceBucket is buckets (legacy device storage).
	ResourceFile      ResourceKind = "file"      // ResourceFile is files.
	ResourceAnalysis  ResourceKind = "analysis"  // ResourceAnalysis is analyses.
	ResourceAction    ResourceKind = "action"    // ResourceAction is actions.
	ResourceAM        ResourceKind = "am"        // ResourceAM is access policies.
	ResourceRunUser   ResourceKind = "user"      // ResourceRunUser is TagoRUN users.
	ResourceFinancial ResourceKind = "financial" // ResourceFinancial is billing events.
	ResourceProfile   ResourceKind = "profile"   // ResourceProfile is profiles.
)

// ResourceEvent is what happens to a resource.
type ResourceEvent string

// The resource events.
const (
	OnCreate ResourceEvent = "create" // OnCreate is a new resource.
	OnUpdate ResourceEvent = "update" // OnUpdate is a changed resource.
	OnDelete ResourceEvent = "delete" // OnDelete is a deleted resource.
)

// ResourceTrigger starts an action when a resource of a kind is created, changed or
// deleted, optionally only one carrying the tag TagKey=TagValue.
type ResourceTrigger struct {
	// Resource is the kind of resource watched.
	Resource ResourceKind `json:"resource"`
	// When is the event.
	When ResourceEvent `json:"when"`
	// TagKey narrows the trigger to resources with this tag, with TagValue.
	TagKey string `json:"tag_key,omitempty"`
	// TagValue is the value of the TagKey tag.
	TagValue string `json:"tag_value,omitempty"`
}

// TriggerType returns [ActionByResource].
func (ResourceTrigger) TriggerType() ActionType { return ActionByResource }

func (t ResourceTrigger) check(field string) error {
	switch t.Resource {
	case ResourceDevice, ResourceBucket, ResourceFile, ResourceAnalysis, ResourceAction, ResourceAM,
		ResourceRunUser, ResourceFinancial, ResourceProfile:
	default:
		return invalidf(field+".resource", "unknown resource %q", string(t.Resource))
	}
	switch t.When {
	case OnCreate, OnUpdate, OnDelete:
	default:
		return invalidf(field+".when", "unknown event %q (want create, update or delete)", string(t.When))
	}
	if (t.TagKey == "") != (t.TagValue == "") {
		return invalidf(field, "set both a tag key and a tag value, or neither")
	}
	return nil
}

// IntervalTrigger starts an action every Interval, such as "15 minutes" or "1 day";
// the shortest the platform takes is one minute.
type IntervalTrigger struct {
	// Interval is "<count> <unit>", the unit one of minute, hour, day, week, month or
	// year (singular or plural).
	Interval string `json:"interval"`
}

// TriggerType returns [ActionByInterval].
func (IntervalTrigger) TriggerType() ActionType { return ActionByInterval }

func (t IntervalTrigger) check(field string) error {
	count, unit, ok := strings.Cut(strings.TrimSpace(t.Interval), " ")
	n, err := strconv.Atoi(count)
	unit = strings.TrimSuffix(unit, "s")
	if !ok || err != nil || n < 1 {
		return invalidf(field+".interval", "%q is not \"<count> <unit>\" with a positive count", t.Interval)
	}
	switch unit {
	case "minute", "hour", "day", "week", "month", "year":
		return nil
	case "second":
		return invalidf(field+".interval", "the shortest interval is 1 minute")
	}
	return invalidf(field+".interval", "unknown unit in %q (want minute, hour, day, week, month or year)", t.Interval)
}

// ScheduleTrigger starts an action on a cron schedule, such as "0 8 * * 1" (Mondays at
// 8:00), in a time zone.
type ScheduleTrigger struct {
	// Cron is the schedule: five fields (minute hour day month weekday), or six with
	// seconds first.
	Cron string `json:"cron"`
	// Timezone is the schedule's time zone, such as "America/New_York"; empty means
	// the account's.
	Timezone string `json:"timezone,omitempty"`
}

// TriggerType returns [ActionBySchedule].
func (ScheduleTrigger) TriggerType() ActionType { return ActionBySchedule }

func (t ScheduleTrigger) check(field string) error {
	if n := len(strings.Fields(t.Cron)); n != 5 && n != 6 {
		return invalidf(field+".cron", "%q is not a cron expression of 5 or 6 fields", t.Cron)
	}
	return nil
}

// MQTTTopicTrigger starts an action when a message is published to Topic (MQTT
// wildcards allowed) by one Device, or by the devices carrying the tag
// TagKey=TagValue. It belongs to the legacy TagoIO MQTT broker, which the platform
// deprecates.
type MQTTTopicTrigger struct {
	// Device is the watched device's ID.
	Device string `json:"device,omitempty"`
	// TagKey selects the watched devices by tag, with TagValue, instead of Device.
	TagKey string `json:"tag_key,omitempty"`
	// TagValue is the value of the TagKey tag of the watched devices.
	TagValue string `json:"tag_value,omitempty"`
	// Topic is the topic listened to.
	Topic string `json:"topic"`
}

// TriggerType returns [ActionByMQTTTopic].
func (MQTTTopicTrigger) TriggerType() ActionType { return ActionByMQTTTopic }

func (t MQTTTopicTrigger) check(field string) error {
	if err := checkWatched(field, t.Device, t.TagKey, t.TagValue); err != nil {
		return err
	}
	if strings.TrimSpace(t.Topic) == "" {
		return invalidf(field+".topic", "must not be empty")
	}
	return nil
}

// UsageService is a service or resource a [UsageAlertTrigger] watches.
type UsageService string

// The watched services and resources.
const (
	UsageInput            UsageService = "input"             // UsageInput is data input.
	UsageOutput           UsageService = "output"            // UsageOutput is data output.
	UsageAnalysis         UsageService = "analysis"          // UsageAnalysis is analysis run time.
	UsageDataRecords      UsageService = "data_records"      // UsageDataRecords is stored records.
	UsageSMS              UsageService = "sms"               // UsageSMS is text messages.
	UsageEmail            UsageService = "email"             // UsageEmail is e-mails.
	UsageRunUsers         UsageService = "run_users"         // UsageRunUsers is TagoRUN users.
	UsagePushNotification UsageService = "push_notification" // UsagePushNotification is push notifications.
	UsageFileStorage      UsageService = "file_storage"      // UsageFileStorage is file storage.
	UsageDevices          UsageService = "device"            // UsageDevices is devices.
	UsageDashboards       UsageService = "dashboard"         // UsageDashboards is dashboards.
	UsageActions          UsageService = "action"            // UsageActions is actions.
	UsageTagoCores        UsageService = "tcore"             // UsageTagoCores is TagoCore instances.
	UsageTeamMembers      UsageService = "team_members"      // UsageTeamMembers is team members.
	UsageAccessPolicies   UsageService = "am"                // UsageAccessPolicies is access policies.
)

// UsageAlertTrigger starts an action when the profile's use of a service reaches
// (Condition "=") or passes (">") ConditionValue percent of its limit.
type UsageAlertTrigger struct {
	// ServiceOrResource is what is watched.
	ServiceOrResource UsageService `json:"service_or_resource"`
	// Condition is "=" or ">".
	Condition string `json:"condition"`
	// ConditionValue is the percentage of the limit, 0 to 100.
	ConditionValue float64 `json:"condition_value"`
}

// TriggerType returns [ActionByUsageAlert].
func (UsageAlertTrigger) TriggerType() ActionType { return ActionByUsageAlert }

func (t UsageAlertTrigger) check(field string) error {
	switch t.ServiceOrResource {
	case UsageInput, UsageOutput, UsageAnalysis, UsageDataRecords, UsageSMS, UsageEmail, UsageRunUsers,
		UsagePushNotification, UsageFileStorage, UsageDevices, UsageDashboards, UsageActions, UsageTagoCores,
		UsageTeamMembers, UsageAccessPolicies:
	default:
		return invalidf(field+".service_or_resource", "unknown service or resource %q", string(t.ServiceOrResource))
	}
	if t.Condition != "=" && t.Condition != ">" {
		return invalidf(field+".condition", "must be = or >, got %q", t.Condition)
	}
	if math.IsNaN(t.ConditionValue) || t.ConditionValue < 0 || t.ConditionValue > 100 {
		return invalidf(field+".condition_value", "must be a percentage from 0 to 100, got %v", t.ConditionValue)
	}
	return nil
}

// GeofenceSide says whether a [GeofenceTrigger] fires inside or outside its area.
type GeofenceSide string

// The geofence sides.
const (
	Inside  GeofenceSide = "IN"  // Inside fires for a location inside the area.
	Outside GeofenceSide = "OUT" // Outside fires for a location outside the area.
)

// Geofence is an area: a circle (Center and Radius) or a polygon (Coordinates).
// Points are [longitude, latitude] pairs, as GeoJSON writes them.
type Geofence struct {
	// Center is the circle's center, [longitude, latitude].
	Center []float64 `json:"center,omitempty"`
	// Radius is the circle's radius in meters.
	Radius float64 `json:"radius,omitempty"`
	// Coordinates are the polygon's corners, each [longitude, latitude].
	Coordinates [][]float64 `json:"coordinates,omitempty"`
}

// checkLngLat validates a [longitude, latitude] pair.
func checkLngLat(field string, p []float64) error {
	if len(p) != 2 || math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return invalidf(field, "must be [longitude, latitude] within [-180, 180] and [-90, 90]")
	}
	return nil
}

func (g Geofence) check(field string) error {
	circle := g.Center != nil || g.Radius != 0
	switch {
	case circle && g.Coordinates != nil:
		return invalidf(field, "is a circle or a polygon, not both")
	case circle:
		if err := checkLngLat(field+".center", g.Center); err != nil {
			return err
		}
		if !(g.Radius > 0) || math.IsInf(g.Radius, 0) {
			return invalidf(field+".radius", "must be positive")
		}
	case len(g.Coordinates) < 3:
		return invalidf(field, "needs a center and radius, or a polygon of at least 3 points")
	default:
		for i, p := range g.Coordinates {
			if err := checkLngLat(fmt.Sprintf("%s.coordinates[%d]", field, i), p); err != nil {
				return err
			}
		}
	}
	return nil
}

// GeofenceTrigger starts an action when a device's location Variable is Inside or
// Outside an area. An Unlock trigger re-arms an action that locked after running.
type GeofenceTrigger struct {
	// Device is the watched device's ID.
	Device string `json:"device"`
	// Variable is the variable holding the location.
	Variable string `json:"variable"`
	// Is says on which side of the area the trigger fires.
	Is GeofenceSide `json:"is"`
	// Value is the area.
	Value Geofence `json:"value"`
	// Unlock makes this a trigger-unlock condition.
	Unlock bool `json:"unlock,omitempty"`
}

// TriggerType returns [ActionByGeofence].
func (GeofenceTrigger) TriggerType() ActionType { return ActionByGeofence }

func (t GeofenceTrigger) check(field string) error {
	if err := checkID(field+".device", t.Device); err != nil {
		return err
	}
	if strings.TrimSpace(t.Variable) == "" {
		return invalidf(field+".variable", "must not be empty")
	}
	if t.Is != Inside && t.Is != Outside {
		return invalidf(field+".is", "must be IN or OUT, got %q", string(t.Is))
	}
	return t.Value.check(field + ".value")
}

// RawTrigger is a trigger in a form this SDK does not model, kept as the platform's
// JSON object: decoded for action types it does not know, and sendable as it is.
type RawTrigger struct {
	// Type is the action type the trigger belongs to.
	Type ActionType
	// JSON is the trigger's JSON object.
	JSON json.RawMessage
}

// TriggerType returns the trigger's type.
func (t RawTrigger) TriggerType() ActionType { return t.Type }

// MarshalJSON writes the trigger's JSON as it is.
func (t RawTrigger) MarshalJSON() ([]byte, error) { return t.JSON, nil }

func (t RawTrigger) check(field string) error {
	if strings.TrimSpace(string(t.Type)) == "" {
		return invalidf(field+".type", "must not be empty")
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(t.JSON, &obj) != nil {
		return invalidf(field, "must be a JSON object")
	}
	return nil
}

// unlocks reports whether a trigger is a trigger-unlock condition.
func unlocks(t ActionTrigger) bool {
	switch v := t.(type) {
	case VariableTrigger:
		return v.Unlock
	case GeofenceTrigger:
		return v.Unlock
	}
	return false
}

// decodeTrigger decodes one trigger of an action of type typ; unknown types and
// triggers that do not decode become a RawTrigger.
func decodeTrigger(typ ActionType, raw json.RawMessage) ActionTrigger {
	var t ActionTrigger
	var err error
	switch typ {
	case ActionByVariable:
		t, err = decodeAs[VariableTrigger](raw)
	case ActionByResource:
		t, err = decodeAs[ResourceTrigger](raw)
	case ActionByInterval:
		t, err = decodeAs[IntervalTrigger](raw)
	case ActionBySchedule:
		t, err = decodeAs[ScheduleTrigger](raw)
	case ActionByMQTTTopic:
		t, err = decodeAs[MQTTTopicTrigger](raw)
	case ActionByUsageAlert:
		t, err = decodeAs[UsageAlertTrigger](raw)
	case ActionByGeofence:
		t, err = decodeAs[GeofenceTrigger](raw)
	default:
		err = errUnknownKind
	}
	if err != nil {
		return RawTrigger{Type: typ, JSON: append(json.RawMessage(nil), raw...)}
	}
	return t
}

// decodeAs decodes raw into a T.
func decodeAs[T any](raw json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// errUnknownKind marks a trigger or task type the SDK does not model.
var errUnknownKind = fmt.Errorf("unknown kind")
