package tago

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Notification is a notification as the platform stores it, for a profile's users or a
// TagoRUN user. List calls fill only the fields they were asked for.
type Notification struct {
	// ID is the notification's ID.
	ID string `json:"id"`
	// RunUser is the TagoRUN user the notification is for, when it is for one.
	RunUser string `json:"run_user,omitempty"`
	// Title is the notification's title.
	Title string `json:"title,omitempty"`
	// Message is the notification's text.
	Message string `json:"message,omitempty"`
	// Read says whether the notification was read.
	Read bool `json:"read"`
	// Icon is the notification's icon, if it has one.
	Icon *NotificationIcon `json:"icon,omitempty"`
	// Buttons are the notification's buttons.
	Buttons []NotificationButton `json:"buttons,omitempty"`
	// ButtonsEnabled says whether the buttons can be pressed.
	ButtonsEnabled bool `json:"buttons_enabled"`
	// ButtonsAutodisable says whether the buttons are disabled once one was pressed.
	ButtonsAutodisable bool `json:"buttons_autodisable"`
	// CreatedAt is when the notification was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the notification was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// NotificationIcon is a notification's icon: an SVG (SVGURL) or an image (ImageURL).
type NotificationIcon struct {
	// SVGURL is the address of an SVG icon.
	SVGURL string `json:"svg_url,omitempty"`
	// SVGColor is the SVG icon's colour, such as "#ff0000".
	SVGColor string `json:"svg_color,omitempty"`
	// ImageURL is the address of an image icon.
	ImageURL string `json:"image_url,omitempty"`
	// Fit is how an image fills the icon: "fill", "contain" or "cover".
	Fit string `json:"fit,omitempty"`
	// BackgroundColor is the icon's background colour.
	BackgroundColor string `json:"bg_color,omitempty"`
}

// NotificationButton is a button of a notification; pressing it fires its triggers.
type NotificationButton struct {
	// ID identifies the button within its notification.
	ID string `json:"id"`
	// Label is the button's text.
	Label string `json:"label"`
	// Color is the button's colour.
	Color string `json:"color,omitempty"`
	// Triggers say what pressing the button does (run an analysis with a scope, call
	// a URL, accept or refuse a shared profile), as the platform's JSON objects.
	Triggers []json.RawMessage `json:"triggers,omitempty"`
}

// NotificationCreateRequest describes a new notification. Title and Message are
// required.
type NotificationCreateRequest struct {
	// Title is the notification's title.
	Title string `json:"title"`
	// Message is the notification's text.
	Message string `json:"message"`
	// Read creates the notification already read.
	Read *bool `json:"read,omitempty"`
	// Icon is the notification's icon.
	Icon *NotificationIcon `json:"icon,omitempty"`
	// Buttons are the notification's buttons.
	Buttons []NotificationButton `json:"buttons,omitempty"`
	// ButtonsEnabled says whether the buttons can be pressed.
	ButtonsEnabled *bool `json:"buttons_enabled,omitempty"`
	// ButtonsAutodisable disables the buttons once one was pressed.
	ButtonsAutodisable *bool `json:"buttons_autodisable,omitempty"`
}

// check validates a notification to create.
func (r *NotificationCreateRequest) check() error {
	if err := checkName("title", r.Title); err != nil {
		return err
	}
	if err := checkName("message", r.Message); err != nil {
		return err
	}
	return checkButtons(r.Buttons)
}

// NotificationEditRequest changes a notification; nil fields are left unchanged.
type NotificationEditRequest struct {
	// Title is the new title.
	Title *string `json:"title,omitempty"`
	// Message is the new text.
	Message *string `json:"message,omitempty"`
	// Read marks the notification read or unread.
	Read *bool `json:"read,omitempty"`
	// Icon is the new icon.
	Icon *NotificationIcon `json:"icon,omitempty"`
	// Buttons replace the notification's buttons.
	Buttons []NotificationButton `json:"buttons,omitzero"`
	// ButtonsEnabled says whether the buttons can be pressed.
	ButtonsEnabled *bool `json:"buttons_enabled,omitempty"`
	// ButtonsAutodisable disables the buttons once one was pressed.
	ButtonsAutodisable *bool `json:"buttons_autodisable,omitempty"`
}

// check validates a notification edit.
func (r *NotificationEditRequest) check() error {
	if r.Title != nil && strings.TrimSpace(*r.Title) == "" {
		return invalidf("title", "must not be empty")
	}
	if r.Message != nil && strings.TrimSpace(*r.Message) == "" {
		return invalidf("message", "must not be empty")
	}
	if r.Title == nil && r.Message == nil && r.Read == nil && r.Icon == nil && r.Buttons == nil &&
		r.ButtonsEnabled == nil && r.ButtonsAutodisable == nil {
		return invalidf("notification edit", "changes nothing; set at least one field")
	}
	return checkButtons(r.Buttons)
}

// checkButtons rejects buttons without an ID or label, and duplicate IDs.
func checkButtons(buttons []NotificationButton) error {
	seen := make(map[string]bool, len(buttons))
	for i, b := range buttons {
		field := fmt.Sprintf("buttons[%d]", i)
		if strings.TrimSpace(b.ID) == "" {
			return invalidf(field+".id", "must not be empty")
		}
		if seen[b.ID] {
			return invalidf(field+".id", "%q is used by another button", b.ID)
		}
		seen[b.ID] = true
		if strings.TrimSpace(b.Label) == "" {
			return invalidf(field+".label", "must not be empty")
		}
		for j, tr := range b.Triggers {
			if !json.Valid(tr) || len(tr) == 0 || tr[0] != '{' {
				return invalidf(fmt.Sprintf("%s.triggers[%d]", field, j), "must be a JSON object")
			}
		}
	}
	return nil
}

// NotificationListOptions filters and pages a list of notifications. The only filter
// is Read; the default order is by created_at, newest first.
type NotificationListOptions struct {
	ListOptions
	// Read keeps only read (true) or unread (false) notifications; nil keeps both.
	Read *bool
}

// notificationsDefaults are the defaults for notification lists.
var notificationsDefaults = listDefaults{order: Desc("created_at")}

// notificationQuery builds the query of a notification list.
func notificationQuery(opts *NotificationListOptions) (*query, error) {
	var o NotificationListOptions
	if opts != nil {
		o = *opts
	}
	return listQuery(&o.ListOptions, notificationsDefaults, func(q *query) {
		q.addBoolPtr("filter[read]", o.Read)
	})
}

// notificationReadBody is the body that marks notifications read or unread.
func notificationReadBody(read bool, ids []string) (any, error) {
	if len(ids) == 0 {
		return nil, invalidf("notification IDs", "must not be empty")
	}
	for i, id := range ids {
		if err := checkID(indexKey("notification IDs", i, ""), id); err != nil {
			return nil, err
		}
	}
	return struct {
		IDs  []string `json:"notification_ids"`
		Read bool     `json:"read"`
	}{ids, read}, nil
}
