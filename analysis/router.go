package analysis

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/go-tago/tago"
)

// Matcher decides whether a route applies to a trigger.
type Matcher func(t *Trigger) bool

// Router runs the handlers whose matchers all accept a trigger, in the order they were
// added: one analysis serving several buttons, forms or actions. Its Handle method is
// a [Handler].
type Router struct {
	routes []routeEntry
}

type routeEntry struct {
	when []Matcher
	h    Handler
}

// ErrNoRoute is returned by [Router.Handle] when no route matched.
var ErrNoRoute = errors.New("analysis: no route matches the trigger")

// On adds a route: h runs for the triggers every matcher accepts (all of them, when
// there is no matcher). It returns r, to chain.
func (r *Router) On(h Handler, when ...Matcher) *Router {
	r.routes = append(r.routes, routeEntry{when: when, h: h})
	return r
}

// Handle runs every matching route, in order, and returns their errors joined;
// [ErrNoRoute] when none matched.
func (r *Router) Handle(ctx context.Context, t *Trigger) error {
	var errs []error
	matched := false
	for _, rt := range r.routes {
		if !all(rt.when, t) {
			continue
		}
		matched = true
		if err := rt.h(ctx, t); err != nil {
			errs = append(errs, err)
		}
	}
	if !matched {
		return ErrNoRoute
	}
	return errors.Join(errs...)
}

func all(ms []Matcher, t *Trigger) bool {
	for _, m := range ms {
		if !m(t) {
			return false
		}
	}
	return true
}

// WhenVariable matches a trigger whose data holds a record of one of the variables.
func WhenVariable(names ...string) Matcher {
	return func(t *Trigger) bool {
		return slices.ContainsFunc(t.Data, func(d tago.Data) bool { return slices.Contains(names, d.Variable) })
	}
}

// WhenVariableLike matches a trigger whose data holds a record whose variable contains
// part, such as "temp" for "temperature_1".
func WhenVariableLike(part string) Matcher {
	return func(t *Trigger) bool {
		return slices.ContainsFunc(t.Data, func(d tago.Data) bool { return strings.Contains(d.Variable, part) })
	}
}

// WhenValue matches a trigger whose data holds a record with one of the values: a
// string, a bool or a number of any Go numeric type, compared by kind and value (the
// number 1 matches 1.0, never "1" or true).
func WhenValue(values ...any) Matcher {
	return func(t *Trigger) bool {
		return slices.ContainsFunc(t.Data, func(d tago.Data) bool {
			return slices.ContainsFunc(values, func(v any) bool { return sameValue(d, v) })
		})
	}
}

// sameValue reports whether record d holds v.
func sameValue(d tago.Data, v any) bool {
	want := tago.Data{Value: v}
	if f, ok := want.Float(); ok {
		g, ok := d.Float()
		return ok && f == g
	}
	if s, ok := want.Text(); ok {
		g, ok := d.Text()
		return ok && s == g
	}
	if b, ok := want.Bool(); ok {
		g, ok := d.Bool()
		return ok && b == g
	}
	return false
}

// WhenGroup matches a trigger whose data holds a record of one of the groups (or of
// the series, the groups' older name, which the official SDK's whenSeries matches).
func WhenGroup(groups ...string) Matcher {
	return func(t *Trigger) bool {
		return slices.ContainsFunc(t.Data, func(d tago.Data) bool {
			return d.Group != "" && slices.Contains(groups, d.Group) || d.Serie != "" && slices.Contains(groups, d.Serie)
		})
	}
}

// WhenScopeField matches a trigger with a scope item that has the member key, whatever
// its value: a parameter the dashboard sent, say.
func WhenScopeField(key string) Matcher {
	return func(t *Trigger) bool {
		for i := range t.Scope {
			if t.ScopeField(i, key) != nil {
				return true
			}
		}
		return false
	}
}

// WhenEnv matches a trigger whose environment variable key equals value.
func WhenEnv(key, value string) Matcher {
	return func(t *Trigger) bool { v, ok := t.Env[key]; return ok && v == value }
}

// WhenAction matches a run started by an action on the given event: the platform sets
// _action_when to "create", "update", "delete", "mqtt_connect" or "mqtt_disconnect".
func WhenAction(when string) Matcher { return WhenEnv("_action_when", when) }

// WhenActionType matches a run started by an action of the given kind: the platform
// sets _action_type to "resource", "condition" or "delete".
func WhenActionType(typ string) Matcher { return WhenEnv("_action_type", typ) }

// WhenWidget matches a run started by a dashboard widget's insert, edit or delete: the
// platform sets _widget_exec to "insert", "edit" or "delete".
func WhenWidget(exec string) Matcher { return WhenEnv("_widget_exec", exec) }

// WhenForm matches a run started by the dashboard input form whose button ID is id.
func WhenForm(id string) Matcher { return scopeHas("input_form_button_id", id) }

// WhenButton matches a run started by a custom button of a device list or a user list
// (or, on older dashboards, a widget whose _widget_exec is id).
func WhenButton(id string) Matcher {
	byScope := scopeHas("device_list_button_id", id)
	byUser := scopeHas("user_list_button_id", id)
	return func(t *Trigger) bool { return byScope(t) || byUser(t) || t.Env["_widget_exec"] == id }
}

// WhenDeviceListButton matches a run started by the custom button id of a device list
// (or, on older dashboards, a widget whose _widget_exec is id).
func WhenDeviceListButton(id string) Matcher {
	byScope := scopeHas("device_list_button_id", id)
	return func(t *Trigger) bool { return byScope(t) || t.Env["_widget_exec"] == id }
}

// WhenUserListButton matches a run started by the custom button id of a user list (or,
// on older dashboards, a widget whose _widget_exec is id).
func WhenUserListButton(id string) Matcher {
	byScope := scopeHas("user_list_button_id", id)
	return func(t *Trigger) bool { return byScope(t) || t.Env["_widget_exec"] == id }
}

// scopeHas matches a trigger with a scope item whose string member key is value.
func scopeHas(key, value string) Matcher {
	return func(t *Trigger) bool {
		for i := range t.Scope {
			if t.scopeString(i, key) == value {
				return true
			}
		}
		return false
	}
}
