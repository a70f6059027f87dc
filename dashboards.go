package tago

import (
	"context"
	"encoding/json"
	"iter"
	"log/slog"
	"time"
)

// DashboardsService manages dashboards, their widgets and the data widgets show
// (account token).
type DashboardsService service

// DashboardType is the kind of a dashboard.
type DashboardType string

// The dashboard kinds.
const (
	// DashboardNormal is a dashboard over fixed devices.
	DashboardNormal DashboardType = "dashboard"
	// DashboardBlueprint is a dashboard whose devices are chosen by the viewer.
	DashboardBlueprint DashboardType = "blueprint"
)

// Dashboard is a dashboard as the platform describes it. List calls fill only the
// fields they were asked for. Layout and appearance settings the SDK does not model
// are kept as raw JSON.
type Dashboard struct {
	// ID is the dashboard's ID.
	ID string `json:"id"`
	// Label is the dashboard's title.
	Label string `json:"label,omitempty"`
	// Type is the dashboard's kind.
	Type DashboardType `json:"type,omitempty"`
	// Tags are the dashboard's tags.
	Tags []Tag `json:"tags,omitempty"`
	// Visible says whether the dashboard is listed in the admin.
	Visible bool `json:"visible"`
	// Arrangement places the dashboard's widgets on its grid.
	Arrangement []Arrangement `json:"arrangement,omitempty"`
	// Icon is the dashboard's icon.
	Icon *DashboardIcon `json:"icon,omitempty"`
	// Tabs are the dashboard's tabs, as the platform sends them.
	Tabs json.RawMessage `json:"tabs,omitempty"`
	// GroupBy is the dashboard's grouping, as the platform sends it.
	GroupBy json.RawMessage `json:"group_by,omitempty"`
	// Background is the dashboard's background, as the platform sends it.
	Background json.RawMessage `json:"background,omitempty"`
	// Theme is the dashboard's theme, as the platform sends it.
	Theme json.RawMessage `json:"theme,omitempty"`
	// Setup is the dashboard's setup, as the platform sends it.
	Setup json.RawMessage `json:"setup,omitempty"`
	// BlueprintDevices are a blueprint dashboard's device slots, as the platform sends
	// them.
	BlueprintDevices json.RawMessage `json:"blueprint_devices,omitempty"`
	// BlueprintDeviceBehavior is "more_than_one" or "always".
	BlueprintDeviceBehavior string `json:"blueprint_device_behavior,omitempty"`
	// BlueprintSelectorBehavior is how a blueprint's device selector opens.
	BlueprintSelectorBehavior string `json:"blueprint_selector_behavior,omitempty"`
	// Shared describes who the dashboard is shared with, as the platform sends it.
	Shared json.RawMessage `json:"shared,omitempty"`
	// LastAccess is when the dashboard was last opened; zero if never.
	LastAccess time.Time `json:"last_access,omitzero"`
	// CreatedAt is when the dashboard was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the dashboard was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Arrangement places one widget on a dashboard's grid.
type Arrangement struct {
	// WidgetID is the widget's ID.
	WidgetID string `json:"widget_id"`
	// X is the widget's column.
	X int `json:"x"`
	// Y is the widget's row.
	Y int `json:"y"`
	// Width is the widget's width in columns.
	Width int `json:"width"`
	// Height is the widget's height in rows.
	Height int `json:"height"`
	// Tab is the tab the widget is on, if the dashboard has tabs.
	Tab string `json:"tab,omitempty"`
}

// DashboardIcon is a dashboard's icon.
type DashboardIcon struct {
	// URL is the icon image's address.
	URL string `json:"url"`
	// Color is the icon's colour, if set.
	Color string `json:"color,omitempty"`
}

// DashboardListOptions filters and pages [DashboardsService.List] and
// [DashboardsService.All].
type DashboardListOptions struct {
	ListOptions
	// Label keeps dashboards whose label matches, * wildcards allowed.
	Label string
	// Tags keeps dashboards carrying every one of these tags.
	Tags []Tag
}

// dashboardsDefaults are the defaults for dashboard lists: the official SDKs' order;
// the fields are id and label (the SDKs ask for "name", which dashboards do not have).
var dashboardsDefaults = listDefaults{fields: []string{"id", "label"}, order: Asc("label")}

// List returns one page of the profile's dashboards. Without Fields it asks for id and
// label; the default order is by label, ascending.
//
// TagoIO API: GET /dashboard
func (s *DashboardsService) List(ctx context.Context, opts *DashboardListOptions) ([]Dashboard, error) {
	var o DashboardListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, dashboardsDefaults, func(q *query) {
		q.addString("filter[label]", o.Label)
		q.addTags("filter[tags]", o.Tags)
	})
	if err != nil {
		return nil, err
	}
	return do[[]Dashboard](ctx, s.cl(), &call{method: "GET", path: "/dashboard", query: q, kinds: accountOnly})
}

// All returns an iterator over every dashboard matching opts, fetching pages as the
// caller ranges.
//
// TagoIO API: GET /dashboard
func (s *DashboardsService) All(ctx context.Context, opts *DashboardListOptions) iter.Seq2[Dashboard, error] {
	var o DashboardListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Dashboard, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// DashboardCreateRequest describes a new dashboard. Label is required.
type DashboardCreateRequest struct {
	// Label is the dashboard's title.
	Label string `json:"label"`
	// Type is the dashboard's kind; empty means [DashboardNormal].
	Type DashboardType `json:"type"`
	// Tags are the dashboard's tags.
	Tags []Tag `json:"tags,omitempty"`
	// Visible says whether the dashboard is listed in the admin.
	Visible *bool `json:"visible,omitempty"`
	// Arrangement places widgets on the grid.
	Arrangement []Arrangement `json:"arrangement,omitempty"`
	// Icon is the dashboard's icon.
	Icon *DashboardIcon `json:"icon,omitempty"`
	// Tabs are the dashboard's tabs, as JSON ({key, value, link} objects).
	Tabs json.RawMessage `json:"tabs,omitempty"`
	// GroupBy is the dashboard's grouping, as JSON.
	GroupBy json.RawMessage `json:"group_by,omitempty"`
}

// checkDashboardType validates a dashboard kind.
func checkDashboardType(t DashboardType) error {
	if t != DashboardNormal && t != DashboardBlueprint {
		return invalidf("type", "unknown dashboard type %q", string(t))
	}
	return nil
}

// Create creates a dashboard and returns its ID. A new dashboard has no widgets; add
// them with [DashboardsService.CreateWidget].
//
// TagoIO API: POST /dashboard
func (s *DashboardsService) Create(ctx context.Context, req DashboardCreateRequest) (string, error) {
	if err := checkName("label", req.Label); err != nil {
		return "", err
	}
	if req.Type == "" {
		req.Type = DashboardNormal
	}
	if err := checkDashboardType(req.Type); err != nil {
		return "", err
	}
	if err := checkTags("tags", req.Tags); err != nil {
		return "", err
	}
	res, err := do[struct {
		Dashboard string `json:"dashboard"`
	}](ctx, s.cl(), &call{method: "POST", path: "/dashboard", body: req, kinds: accountOnly})
	return res.Dashboard, err
}

// Info returns one dashboard.
//
// TagoIO API: GET /dashboard/{id}
func (s *DashboardsService) Info(ctx context.Context, id string) (Dashboard, error) {
	if err := checkID("dashboard ID", id); err != nil {
		return Dashboard{}, err
	}
	return do[Dashboard](ctx, s.cl(), &call{method: "GET", path: "/dashboard/" + escape(id), kinds: accountOnly})
}

// DashboardEditRequest lists the dashboard fields to change; nil fields are left as
// they are.
type DashboardEditRequest struct {
	// Label is the new title.
	Label *string `json:"label,omitempty"`
	// Tags replaces the tags; an empty non-nil slice removes them all.
	Tags []Tag `json:"tags,omitzero"`
	// Visible shows or hides the dashboard in the admin.
	Visible *bool `json:"visible,omitempty"`
	// Arrangement replaces the widget layout; an empty non-nil slice clears it.
	Arrangement []Arrangement `json:"arrangement,omitzero"`
	// Icon is the new icon.
	Icon *DashboardIcon `json:"icon,omitempty"`
	// Tabs replaces the tabs, as JSON.
	Tabs json.RawMessage `json:"tabs,omitempty"`
	// GroupBy replaces the grouping, as JSON.
	GroupBy json.RawMessage `json:"group_by,omitempty"`
	// Background replaces the background, as JSON.
	Background json.RawMessage `json:"background,omitempty"`
	// Theme replaces the theme, as JSON.
	Theme json.RawMessage `json:"theme,omitempty"`
	// BlueprintDevices replaces a blueprint's device slots, as JSON.
	BlueprintDevices json.RawMessage `json:"blueprint_devices,omitempty"`
}

// Edit changes a dashboard's fields.
//
// TagoIO API: PUT /dashboard/{id}
func (s *DashboardsService) Edit(ctx context.Context, id string, req DashboardEditRequest) error {
	if err := checkID("dashboard ID", id); err != nil {
		return err
	}
	if req.Label == nil && req.Tags == nil && req.Visible == nil && req.Arrangement == nil && req.Icon == nil &&
		req.Tabs == nil && req.GroupBy == nil && req.Background == nil && req.Theme == nil && req.BlueprintDevices == nil {
		return invalidf("dashboard edit", "sets no field")
	}
	if req.Label != nil {
		if err := checkName("label", *req.Label); err != nil {
			return err
		}
	}
	if err := checkTags("tags", req.Tags); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/dashboard/" + escape(id), body: req, kinds: accountOnly})
}

// Delete deletes a dashboard and its widgets.
//
// TagoIO API: DELETE /dashboard/{id}
func (s *DashboardsService) Delete(ctx context.Context, id string) error {
	if err := checkID("dashboard ID", id); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/dashboard/" + escape(id), kinds: accountOnly})
}

// DashboardDuplicateRequest tunes [DashboardsService.Duplicate].
type DashboardDuplicateRequest struct {
	// NewLabel is the copy's title; empty lets the platform choose.
	NewLabel string `json:"new_label,omitempty"`
	// Setup is the copy's setup ({is_configured, config[]}), as JSON.
	Setup json.RawMessage `json:"setup,omitempty"`
}

// Duplicate copies a dashboard with its widgets and returns the copy's ID. req may be
// nil.
//
// TagoIO API: POST /dashboard/{id}/duplicate
func (s *DashboardsService) Duplicate(ctx context.Context, id string, req *DashboardDuplicateRequest) (string, error) {
	if err := checkID("dashboard ID", id); err != nil {
		return "", err
	}
	var body DashboardDuplicateRequest
	if req != nil {
		body = *req
	}
	res, err := do[struct {
		DashboardID string `json:"dashboard_id"`
	}](ctx, s.cl(), &call{method: "POST", path: "/dashboard/" + escape(id) + "/duplicate", body: body, kinds: accountOnly})
	return res.DashboardID, err
}

// DashboardPublicKey is a public share key of a dashboard: the token that opens it
// without an account.
type DashboardPublicKey struct {
	// Token is the public token.
	Token Secret `json:"token"`
	// ExpireTime is when the token expires.
	ExpireTime Expiry `json:"expire_time,omitzero"`
}

// LogValue logs the key with its token masked.
func (k DashboardPublicKey) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token", k.Token.String()), slog.String("expire_time", k.ExpireTime.String()))
}

// PublicKey returns a public share key for a dashboard, valid until expire; an unset
// expiry means [ExpiresNever].
//
// TagoIO API: GET /dashboard/{id}/share/public
func (s *DashboardsService) PublicKey(ctx context.Context, id string, expire Expiry) (DashboardPublicKey, error) {
	if err := checkID("dashboard ID", id); err != nil {
		return DashboardPublicKey{}, err
	}
	if err := expire.check("expire"); err != nil {
		return DashboardPublicKey{}, err
	}
	if expire.IsZero() {
		expire = ExpiresNever()
	}
	q := &query{}
	q.add("expire_time", expire.text())
	return do[DashboardPublicKey](ctx, s.cl(), &call{method: "GET", path: "/dashboard/" + escape(id) + "/share/public", query: q, kinds: accountOnly})
}

// RelatedDevices lists the devices a dashboard's widgets show.
//
// TagoIO API: GET /dashboard/{id}/devices
func (s *DashboardsService) RelatedDevices(ctx context.Context, id string) ([]Device, error) {
	if err := checkID("dashboard ID", id); err != nil {
		return nil, err
	}
	return do[[]Device](ctx, s.cl(), &call{method: "GET", path: "/dashboard/" + escape(id) + "/devices", kinds: accountOnly})
}
