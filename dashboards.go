package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"log/slog"
	"strings"
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

// Widget is a dashboard widget as the platform describes it. Display settings, which
// differ per widget type, are kept as raw JSON.
type Widget struct {
	// ID is the widget's ID.
	ID string `json:"id"`
	// Label is the widget's title.
	Label string `json:"label"`
	// Type is the widget's type, such as "display" or "line".
	Type string `json:"type"`
	// Dashboard is the ID of the widget's dashboard.
	Dashboard string `json:"dashboard,omitempty"`
	// Display holds the type's display settings.
	Display json.RawMessage `json:"display,omitempty"`
	// Data lists the device data the widget shows.
	Data []WidgetSource `json:"data,omitempty"`
	// Resource lists the device resources the widget shows.
	Resource []WidgetResource `json:"resource,omitempty"`
	// Realtime says whether the widget updates live; nil when unset.
	Realtime *bool `json:"realtime,omitempty"`
	// AnalysisRun is the ID of the analysis the widget runs, if any.
	AnalysisRun string `json:"analysis_run,omitempty"`
}

// WidgetSource is one source of a widget's data: a device and its variables.
type WidgetSource struct {
	// Origin is the device's ID (or a blueprint device slot).
	Origin string `json:"origin"`
	// Variables are the variables shown.
	Variables []string `json:"variables,omitempty"`
	// Query is a summary query, such as "last_value", "min" or "count".
	Query string `json:"query,omitempty"`
	// Qty is how many records are shown.
	Qty *int `json:"qty,omitempty"`
	// StartDate bounds the data, as a date or a relative span such as "1 day".
	StartDate string `json:"start_date,omitempty"`
	// EndDate bounds the data, as a date or a relative span.
	EndDate string `json:"end_date,omitempty"`
	// Timezone is the time zone the dates are read in.
	Timezone string `json:"timezone,omitempty"`
	// Overwrite lets viewers change the date range.
	Overwrite *bool `json:"overwrite,omitempty"`
	// Bucket is the legacy bucket ID.
	Bucket string `json:"bucket,omitempty"`
}

// UnmarshalJSON also accepts a single variable sent as a string.
func (w *WidgetSource) UnmarshalJSON(b []byte) error {
	type plain WidgetSource
	var raw struct {
		plain
		Variables json.RawMessage `json:"variables"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*w = WidgetSource(raw.plain)
	w.Variables = nil
	if len(raw.Variables) == 0 || string(raw.Variables) == "null" {
		return nil
	}
	var one string
	if json.Unmarshal(raw.Variables, &one) == nil {
		if one != "" {
			w.Variables = []string{one}
		}
		return nil
	}
	return json.Unmarshal(raw.Variables, &w.Variables)
}

// WidgetResource is a device resource a widget shows, such as a device list's column.
type WidgetResource struct {
	// Type is the resource type, "device".
	Type string `json:"type"`
	// View is what is shown: "name", "id", "tags.<key>", "param.<key>", "last_input"...
	View string `json:"view,omitempty"`
	// Editable is what viewers may edit: "name", "tags.<key>" or "param.<key>".
	Editable string `json:"editable,omitempty"`
	// Filter selects the devices by tags.
	Filter []Tag `json:"filter,omitempty"`
}

// WidgetCreateRequest describes a new widget. Label and Type are required.
type WidgetCreateRequest struct {
	// Label is the widget's title.
	Label string `json:"label"`
	// Type is the widget's type, such as "display".
	Type string `json:"type"`
	// Display holds the type's display settings: any value that marshals to a JSON
	// object, such as a map or json.RawMessage.
	Display any `json:"display,omitempty"`
	// Data lists the device data the widget shows.
	Data []WidgetSource `json:"data,omitempty"`
	// Resource lists the device resources the widget shows.
	Resource []WidgetResource `json:"resource,omitempty"`
	// Realtime makes the widget update live.
	Realtime *bool `json:"realtime,omitempty"`
	// AnalysisRun is the ID of an analysis the widget runs.
	AnalysisRun string `json:"analysis_run,omitempty"`
}

// checkWidgetIDs validates a dashboard ID and a widget ID.
func checkWidgetIDs(dashboardID, widgetID string) error {
	if err := checkID("dashboard ID", dashboardID); err != nil {
		return err
	}
	return checkID("widget ID", widgetID)
}

// widgetPath returns /dashboard/{id}/widget/{wid}.
func widgetPath(dashboardID, widgetID string) string {
	return "/dashboard/" + escape(dashboardID) + "/widget/" + escape(widgetID)
}

// CreateWidget adds a widget to a dashboard and returns its ID. The widget is not
// placed on the grid: add it to the dashboard's Arrangement with
// [DashboardsService.Edit].
//
// TagoIO API: POST /dashboard/{id}/widget/
func (s *DashboardsService) CreateWidget(ctx context.Context, dashboardID string, req WidgetCreateRequest) (string, error) {
	if err := checkID("dashboard ID", dashboardID); err != nil {
		return "", err
	}
	if err := checkName("label", req.Label); err != nil {
		return "", err
	}
	if err := checkName("type", req.Type); err != nil {
		return "", err
	}
	if err := checkAnalysisRun(req.AnalysisRun); err != nil {
		return "", err
	}
	res, err := do[struct {
		Widget string `json:"widget"`
	}](ctx, s.cl(), &call{method: "POST", path: "/dashboard/" + escape(dashboardID) + "/widget/", body: req, kinds: accountOnly})
	return res.Widget, err
}

// checkAnalysisRun validates an optional analysis ID.
func checkAnalysisRun(id string) error { return checkOptionalID("analysis run", id) }

// WidgetInfo returns one widget of a dashboard.
//
// TagoIO API: GET /dashboard/{id}/widget/{widgetID}
func (s *DashboardsService) WidgetInfo(ctx context.Context, dashboardID, widgetID string) (Widget, error) {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return Widget{}, err
	}
	return do[Widget](ctx, s.cl(), &call{method: "GET", path: widgetPath(dashboardID, widgetID), kinds: accountOnly})
}

// WidgetEditRequest lists the widget fields to change; nil fields are left as they
// are.
type WidgetEditRequest struct {
	// Label is the new title.
	Label *string `json:"label,omitempty"`
	// Type is the new type.
	Type *string `json:"type,omitempty"`
	// Display replaces the display settings (any value that marshals to a JSON object).
	Display any `json:"display,omitempty"`
	// Data replaces the data sources; an empty non-nil slice removes them.
	Data []WidgetSource `json:"data,omitzero"`
	// Resource replaces the resources; an empty non-nil slice removes them.
	Resource []WidgetResource `json:"resource,omitzero"`
	// Realtime turns live updates on or off.
	Realtime *bool `json:"realtime,omitempty"`
	// AnalysisRun is the ID of the analysis the widget runs.
	AnalysisRun *string `json:"analysis_run,omitempty"`
}

// EditWidget changes a widget's fields.
//
// TagoIO API: PUT /dashboard/{id}/widget/{widgetID}
func (s *DashboardsService) EditWidget(ctx context.Context, dashboardID, widgetID string, req WidgetEditRequest) error {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return err
	}
	if req.Label == nil && req.Type == nil && req.Display == nil && req.Data == nil && req.Resource == nil &&
		req.Realtime == nil && req.AnalysisRun == nil {
		return invalidf("widget edit", "sets no field")
	}
	if req.Label != nil {
		if err := checkName("label", *req.Label); err != nil {
			return err
		}
	}
	if req.Type != nil {
		if err := checkName("type", *req.Type); err != nil {
			return err
		}
	}
	if req.AnalysisRun != nil {
		if err := checkAnalysisRun(*req.AnalysisRun); err != nil {
			return err
		}
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: widgetPath(dashboardID, widgetID), body: req, kinds: accountOnly})
}

// DeleteWidget removes a widget from a dashboard. Its place in the dashboard's
// Arrangement is not removed.
//
// TagoIO API: DELETE /dashboard/{id}/widget/{widgetID}
func (s *DashboardsService) DeleteWidget(ctx context.Context, dashboardID, widgetID string) error {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: widgetPath(dashboardID, widgetID), kinds: accountOnly})
}

// WidgetDataOptions tunes [DashboardsService.WidgetData]. Every field is optional.
type WidgetDataOptions struct {
	// StartDate overrides the start of the widget's date range.
	StartDate time.Time
	// EndDate overrides the end of the widget's date range.
	EndDate time.Time
	// Timezone overrides the time zone, such as "America/Sao_Paulo".
	Timezone string
	// BlueprintDevices fills a blueprint dashboard's device slots.
	BlueprintDevices []BlueprintDevice
	// Page is the 1-based page of a paged widget (tables, device lists); 0 for none.
	Page int
	// Amount is the page size of a paged widget; 0 for the platform's default.
	Amount int
}

// BlueprintDevice fills one blueprint device slot with a device.
type BlueprintDevice struct {
	// Origin is the blueprint slot's ID.
	Origin string
	// ID is the device's ID.
	ID string
}

// WidgetDataResult is what a widget shows: the widget and its content per data
// source, as the platform sends it.
type WidgetDataResult struct {
	// Widget is the widget.
	Widget Widget `json:"widget"`
	// Content is the widget's data per source (objects with "data" and "result"), as
	// raw JSON: its shape depends on the widget type.
	Content json.RawMessage `json:"content,omitempty"`
}

// widgetDataPath returns /data/{dashboardID}/{widgetID}.
func widgetDataPath(dashboardID, widgetID string) string {
	return "/data/" + escape(dashboardID) + "/" + escape(widgetID)
}

// WidgetData returns the data a widget shows, as a viewer of the dashboard sees it.
// opts may be nil.
//
// TagoIO API: GET /data/{dashboardID}/{widgetID}
func (s *DashboardsService) WidgetData(ctx context.Context, dashboardID, widgetID string, opts *WidgetDataOptions) (WidgetDataResult, error) {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return WidgetDataResult{}, err
	}
	var o WidgetDataOptions
	if opts != nil {
		o = *opts
	}
	if o.Page < 0 || o.Amount < 0 {
		return WidgetDataResult{}, invalidf("page", "page and amount must not be negative")
	}
	q := &query{}
	q.addTime("overwrite[start_date]", o.StartDate)
	q.addTime("overwrite[end_date]", o.EndDate)
	q.addString("overwrite[timezone]", o.Timezone)
	for i, d := range o.BlueprintDevices {
		if strings.TrimSpace(d.Origin) == "" {
			return WidgetDataResult{}, invalidf(fmt.Sprintf("blueprint devices[%d].origin", i), "must not be empty")
		}
		if err := checkID(fmt.Sprintf("blueprint devices[%d].id", i), d.ID); err != nil {
			return WidgetDataResult{}, err
		}
		q.add(indexKey("blueprint_devices", i, "origin"), d.Origin)
		q.add(indexKey("blueprint_devices", i, "id"), d.ID)
	}
	if o.Page > 0 {
		q.addInt("page", o.Page)
	}
	if o.Amount > 0 {
		q.addInt("amount", o.Amount)
	}
	return do[WidgetDataResult](ctx, s.cl(), &call{method: "GET", path: widgetDataPath(dashboardID, widgetID), query: q, kinds: accountOnly})
}

// WidgetRecord is a data record sent or edited through a widget, as an input form
// does: a variable of the device Origin.
type WidgetRecord struct {
	// ID is the record's ID; required when editing, empty when sending.
	ID string `json:"id,omitempty"`
	// Origin is the ID of the device the record belongs to.
	Origin string `json:"origin"`
	// Variable is the variable's name.
	Variable string `json:"variable"`
	// Value is the value: a string, number or boolean.
	Value any `json:"value,omitempty"`
	// Unit is the value's unit.
	Unit string `json:"unit,omitempty"`
	// Group ties records sent together.
	Group string `json:"group,omitempty"`
	// Time is the record's time; zero lets the platform use the time of arrival.
	Time time.Time `json:"time,omitzero"`
	// Location is where the value was measured.
	Location *WidgetLocation `json:"location,omitempty"`
	// Metadata is free-form data attached to the record.
	Metadata map[string]any `json:"metadata,omitempty"`
}

// WidgetLocation is a record's position.
type WidgetLocation struct {
	// Lat is the latitude in degrees.
	Lat float64 `json:"lat"`
	// Lng is the longitude in degrees.
	Lng float64 `json:"lng"`
}

// checkWidgetRecords validates records; editing requires their IDs.
func checkWidgetRecords(records []WidgetRecord, editing bool) error {
	if len(records) == 0 {
		return invalidf("records", "must not be empty")
	}
	for i, r := range records {
		if err := checkID(fmt.Sprintf("records[%d].origin", i), r.Origin); err != nil {
			return err
		}
		if editing {
			if strings.TrimSpace(r.ID) == "" {
				return invalidf(fmt.Sprintf("records[%d].id", i), "must not be empty when editing")
			}
		} else if strings.TrimSpace(r.Variable) == "" {
			return invalidf(fmt.Sprintf("records[%d].variable", i), "must not be empty")
		}
	}
	return nil
}

// SendWidgetData stores records through a widget, as the widget's input form does,
// running the dashboard's analyses and actions.
//
// TagoIO API: POST /data/{dashboardID}/{widgetID}
func (s *DashboardsService) SendWidgetData(ctx context.Context, dashboardID, widgetID string, records ...WidgetRecord) error {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return err
	}
	if err := checkWidgetRecords(records, false); err != nil {
		return err
	}
	q := &query{}
	q.addBool("bypass_bucket", false)
	return exec(ctx, s.cl(), &call{method: "POST", path: widgetDataPath(dashboardID, widgetID), query: q, body: records, kinds: accountOnly})
}

// EditWidgetData edits records through a widget; each record needs its ID and Origin.
//
// TagoIO API: PUT /data/{dashboardID}/{widgetID}/data
func (s *DashboardsService) EditWidgetData(ctx context.Context, dashboardID, widgetID string, records ...WidgetRecord) error {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return err
	}
	if err := checkWidgetRecords(records, true); err != nil {
		return err
	}
	q := &query{}
	q.addBool("bypass_bucket", false)
	return exec(ctx, s.cl(), &call{method: "PUT", path: widgetDataPath(dashboardID, widgetID) + "/data", query: q, body: records, kinds: accountOnly})
}

// WidgetDataRef names one record shown by a widget: the record's ID and its device's.
type WidgetDataRef struct {
	// DataID is the record's ID.
	DataID string
	// DeviceID is the ID of the device holding the record.
	DeviceID string
}

// DeleteWidgetData deletes records through a widget.
//
// TagoIO API: DELETE /data/{dashboardID}/{widgetID}
func (s *DashboardsService) DeleteWidgetData(ctx context.Context, dashboardID, widgetID string, refs ...WidgetDataRef) error {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return err
	}
	if len(refs) == 0 {
		return invalidf("refs", "must not be empty")
	}
	ids := make([]string, len(refs))
	for i, r := range refs {
		if strings.TrimSpace(r.DataID) == "" || strings.Contains(r.DataID, ":") {
			return invalidf(fmt.Sprintf("refs[%d].data ID", i), "must be a non-empty ID without ':'")
		}
		if err := checkID(fmt.Sprintf("refs[%d].device ID", i), r.DeviceID); err != nil {
			return err
		}
		ids[i] = r.DataID + ":" + r.DeviceID
	}
	q := &query{}
	q.addList("ids", ids)
	return exec(ctx, s.cl(), &call{method: "DELETE", path: widgetDataPath(dashboardID, widgetID), query: q, kinds: accountOnly})
}
