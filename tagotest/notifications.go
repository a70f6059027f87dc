package tagotest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Notifications. A profile's own notifications (/notification) and the ones a run's
// administrator sends its users (run_notification, run.go) share their fields, their
// read and button routes, and what pressing a button does: it is recorded (see
// [Server.PressedButtons]) and, for a button whose trigger runs an analysis, the run
// is recorded as any other (see [Server.AnalysisRuns]).

var notificationSpec = register(&spec{
	key: "notification", noun: "Notification", path: "/notification", kinds: accountOnly,
	ops: opList | opCreate | opDelete, order: "created_at,desc", required: []string{"title", "message"},
	fields: notificationFields(false), strict: true, created: http.StatusCreated,
	defaults: notificationDefaults,
	validate: func(c *call, f obj, _ *doc) (reply, bool) { return validateButtons(f) },
})

// notificationFields are a notification's fields; a run's also name their user.
func notificationFields(run bool) map[string]ftype {
	f := map[string]ftype{"title": fString, "message": fString, "read": fBool, "icon": fObject, "buttons": fArray,
		"buttons_enabled": fBool, "buttons_autodisable": fBool}
	if run {
		f["run_user"] = fString
	}
	return f
}

func notificationDefaults(c *call) obj {
	return obj{"read": false, "icon": nil, "buttons": []any{}, "buttons_enabled": true, "buttons_autodisable": false}
}

// validateButtons checks a body's buttons: an id and a label each, ids unique, and
// triggers that are objects.
func validateButtons(f obj) (reply, bool) {
	buttons, _ := f["buttons"].([]any)
	seen := map[string]bool{}
	for i, b := range buttons {
		name := "buttons[" + itoa(i) + "]"
		m, isObj := b.(map[string]any)
		if !isObj {
			return bad(name, "must be an object {id, label, triggers}"), false
		}
		id, _ := m["id"].(string)
		if id == "" || seen[id] {
			return bad(name+".id", "must be a unique, non-empty string"), false
		}
		seen[id] = true
		if l, _ := m["label"].(string); l == "" {
			return bad(name+".label", "is required"), false
		}
		triggers, _ := m["triggers"].([]any)
		for j, t := range triggers {
			if _, isObj := t.(map[string]any); !isObj {
				return bad(name+".triggers["+itoa(j)+"]", "must be an object"), false
			}
		}
	}
	return reply{}, true
}

// PressedButton is a notification button someone pressed.
type PressedButton struct {
	// Notification is the notification's ID.
	Notification string
	// Button is the button's ID.
	Button string
	// RunUser is the TagoRUN user who pressed it; empty for a profile's notification.
	RunUser string
}

// PressedButtons returns the notification buttons pressed so far, oldest first.
func (s *Server) PressedButtons() []PressedButton {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PressedButton(nil), s.pressed...)
}

// pressButtonLocked presses a button: refused when the notification's buttons are
// disabled; runs the analyses its triggers name; disables the buttons when
// buttons_autodisable is set.
func (s *Server) pressButtonLocked(c *call, n *doc, buttonID string) reply {
	buttons, _ := n.fields["buttons"].([]any)
	var button map[string]any
	for _, b := range buttons {
		if m, _ := b.(map[string]any); m != nil && m["id"] == buttonID {
			button = m
		}
	}
	if button == nil {
		return notFound("Button")
	}
	if n.fields["buttons_enabled"] == false {
		return fail(http.StatusBadRequest, "The notification's buttons are disabled")
	}
	runUser, _ := n.fields["run_user"].(string)
	s.pressed = append(s.pressed, PressedButton{Notification: n.id, Button: buttonID, RunUser: runUser})
	triggers, _ := button["triggers"].([]any)
	for _, t := range triggers {
		m, _ := t.(map[string]any)
		id, _ := m["analysis_id"].(string)
		if a := s.table(analysisSpec.key)[id]; a != nil && a.profile == n.profile {
			scope, _ := json.Marshal(m["scope"])
			s.runLocked(a, scope, "notification")
		}
	}
	if n.fields["buttons_autodisable"] == true {
		n.fields["buttons_enabled"] = false
	}
	n.fields["read"] = true
	return ok("Button pressed")
}

// markNotificationsLocked answers a {notification_ids, read} body: the listed
// notifications among those keep accepts are marked; an unknown ID is a 404 and
// nothing changes.
func (s *Server) markNotificationsLocked(c *call, key string, keep func(*doc) bool) reply {
	var b struct {
		IDs  []string `json:"notification_ids"`
		Read *bool    `json:"read"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if len(b.IDs) == 0 {
		return bad("notification_ids", "is required")
	}
	if b.Read == nil {
		return bad("read", "is required")
	}
	var ns []*doc
	for _, id := range b.IDs {
		n := s.table(key)[id]
		if n == nil || !keep(n) {
			return notFound("Notification " + id)
		}
		ns = append(ns, n)
	}
	for _, n := range ns {
		n.fields["read"] = *b.Read
	}
	state := "read"
	if !*b.Read {
		state = "unread"
	}
	return ok(itoa(len(ns)) + " notification(s) marked as " + state)
}

// ownNotification reports whether a profile notification is the caller's.
func ownNotification(c *call) func(*doc) bool {
	return func(n *doc) bool { return n.profile == c.profile() }
}

// markProfileNotifications answers PUT /notification/read.
func (s *Server) markProfileNotifications(c *call) reply {
	return s.markNotificationsLocked(c, notificationSpec.key, ownNotification(c))
}

// markAllProfileNotifications answers PUT /notification/markallread.
func (s *Server) markAllProfileNotifications(c *call) reply {
	for _, n := range s.docsLocked(notificationSpec.key, ownNotification(c)) {
		n.fields["read"] = true
	}
	return ok("All notifications marked as read")
}

// pressProfileNotification answers PUT /notification/{id}/{button}.
func (s *Server) pressProfileNotification(c *call) reply {
	n := s.table(notificationSpec.key)[c.arg(0)]
	if n == nil || !ownNotification(c)(n) {
		return notFound("Notification")
	}
	return s.pressButtonLocked(c, n, c.arg(1))
}

// PushDevice is a phone registered for a profile's push notifications.
type PushDevice struct {
	// Profile is the profile's ID.
	Profile string
	// Token is the phone's push-service token.
	Token string
	// Platform is "ios" or "android".
	Platform string
}

// PushDevices returns the phones registered for push notifications.
func (s *Server) PushDevices() []PushDevice {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PushDevice(nil), s.push...)
}

// pushRegistration answers POST /notification/push/register {device_token, platform}
// and POST /notification/push/unregister {device_token}.
func (s *Server) pushRegistration(c *call) reply {
	var b struct {
		Token    *string `json:"device_token"`
		Platform *string `json:"platform"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if deref(b.Token) == "" {
		return bad("device_token", "is required")
	}
	kept := s.push[:0]
	for _, p := range s.push {
		if p.Token != *b.Token {
			kept = append(kept, p)
		}
	}
	s.push = kept
	if strings.HasSuffix(c.r.URL.Path, "/unregister") {
		return ok("Device Successfully Unregistered")
	}
	if p := deref(b.Platform); p != "ios" && p != "android" {
		return bad("platform", "must be ios or android")
	}
	s.push = append(s.push, PushDevice{Profile: c.profile(), Token: *b.Token, Platform: *b.Platform})
	return ok("Device Successfully Registered")
}
