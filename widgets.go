package tago

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

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
	// Bucket is the ID of the device's data bucket, for widgets that read a bucket
	// other than the device's own; empty to leave it to the platform.
	Bucket string
}

// addBlueprintDevices checks blueprint slot fillings and appends them to q as
// blueprint_devices[i][origin], [id] and [bucket].
func addBlueprintDevices(q *query, devices []BlueprintDevice) error {
	for i, d := range devices {
		if strings.TrimSpace(d.Origin) == "" {
			return invalidf(fmt.Sprintf("blueprint devices[%d].origin", i), "must not be empty")
		}
		if err := checkID(fmt.Sprintf("blueprint devices[%d].id", i), d.ID); err != nil {
			return err
		}
		if err := checkOptionalID(fmt.Sprintf("blueprint devices[%d].bucket", i), d.Bucket); err != nil {
			return err
		}
		q.add(indexKey("blueprint_devices", i, "origin"), d.Origin)
		q.add(indexKey("blueprint_devices", i, "id"), d.ID)
		q.addString(indexKey("blueprint_devices", i, "bucket"), d.Bucket)
	}
	return nil
}

// WidgetDataResult is what a widget shows: the widget and its content per data
// source, as the platform sends it.
type WidgetDataResult struct {
	// Widget is the widget; zero when the platform answered with the content alone.
	Widget Widget `json:"widget"`
	// Content is the widget's data per source (objects with "data" and "result"), as
	// raw JSON: its shape depends on the widget type.
	Content json.RawMessage `json:"content,omitempty"`
}

// UnmarshalJSON reads both answers the platform is known to give: an object
// {widget, content}, and a bare array, which is the content alone (Widget stays zero).
func (r *WidgetDataResult) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		if !json.Valid(t) {
			return errors.New("widget data: the array is not valid JSON")
		}
		*r = WidgetDataResult{Content: bytes.Clone(bytes.TrimRight(t, " \t\r\n"))}
		return nil
	}
	type plain WidgetDataResult
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*r = WidgetDataResult(p)
	return nil
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
	if err := addBlueprintDevices(q, o.BlueprintDevices); err != nil {
		return WidgetDataResult{}, err
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

// WidgetSendOptions tunes [DashboardsService.SendWidgetData] and
// [DashboardsService.EditWidgetData]. nil means the defaults.
type WidgetSendOptions struct {
	// BypassBucket sets the platform's bypass_bucket flag, as an input form set not to
	// store its data does: the records reach the dashboard's analyses and actions but
	// are not stored on the devices.
	BypassBucket bool
}

// bypassQuery returns the bypass_bucket query of opts.
func (o *WidgetSendOptions) bypassQuery() *query {
	q := &query{}
	q.addBool("bypass_bucket", o != nil && o.BypassBucket)
	return q
}

// SendWidgetData stores records through a widget, as the widget's input form does,
// running the dashboard's analyses and actions. opts may be nil.
//
// TagoIO API: POST /data/{dashboardID}/{widgetID}
func (s *DashboardsService) SendWidgetData(ctx context.Context, dashboardID, widgetID string, records []WidgetRecord, opts *WidgetSendOptions) error {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return err
	}
	if err := checkWidgetRecords(records, false); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: widgetDataPath(dashboardID, widgetID), query: opts.bypassQuery(), body: records, kinds: accountOnly})
}

// EditWidgetData edits records through a widget; each record needs its ID and Origin.
// opts may be nil.
//
// TagoIO API: PUT /data/{dashboardID}/{widgetID}/data
func (s *DashboardsService) EditWidgetData(ctx context.Context, dashboardID, widgetID string, records []WidgetRecord, opts *WidgetSendOptions) error {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return err
	}
	if err := checkWidgetRecords(records, true); err != nil {
		return err
	}
	q := opts.bypassQuery()
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

// WidgetResourceEdit is one device's change through a widget that shows device
// resources, as a device list widget's editable columns make: the device's name,
// whether it is active, and the values of its tags and configuration parameters.
type WidgetResourceEdit struct {
	// Device is the ID of the device to change.
	Device string
	// Name is the device's new name.
	Name *string
	// Active enables or disables the device.
	Active *bool
	// Tags sets tag values by tag key (sent as "tags.<key>").
	Tags map[string]string
	// Params sets configuration parameter values by parameter key (sent as
	// "param.<key>").
	Params map[string]string
}

// MarshalJSON writes the edit as the platform takes it:
// {"device": ID, "name": ..., "active": ..., "tags.<key>": ..., "param.<key>": ...}.
func (e WidgetResourceEdit) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, 3+len(e.Tags)+len(e.Params))
	m["device"] = e.Device
	if e.Name != nil {
		m["name"] = *e.Name
	}
	if e.Active != nil {
		m["active"] = *e.Active
	}
	for k, v := range e.Tags {
		m["tags."+k] = v
	}
	for k, v := range e.Params {
		m["param."+k] = v
	}
	return json.Marshal(m)
}

// check validates edit i.
func (e *WidgetResourceEdit) check(i int) error {
	field := func(name string) string { return fmt.Sprintf("edits[%d].%s", i, name) }
	if err := checkID(field("device"), e.Device); err != nil {
		return err
	}
	if e.Name == nil && e.Active == nil && len(e.Tags) == 0 && len(e.Params) == 0 {
		return invalidf(field("device"), "the edit sets nothing")
	}
	if e.Name != nil && strings.TrimSpace(*e.Name) == "" {
		return invalidf(field("name"), "must not be empty")
	}
	for k := range e.Tags {
		if strings.TrimSpace(k) == "" {
			return invalidf(field("tags"), "must not hold an empty key")
		}
	}
	for k := range e.Params {
		if strings.TrimSpace(k) == "" {
			return invalidf(field("params"), "must not hold an empty key")
		}
	}
	return nil
}

// WidgetResourceOptions tunes [DashboardsService.EditWidgetResource]. nil means the
// defaults.
type WidgetResourceOptions struct {
	// Identifier is handed to the analysis the widget runs, in its scope's widget_exec;
	// empty sends none.
	Identifier string
}

// EditWidgetResource changes devices through a widget that shows device resources, as
// a viewer editing a device list does; the widget's analysis, if any, runs with the
// change. opts may be nil.
//
// TagoIO API: PUT /data/{dashboardID}/{widgetID}/resource
func (s *DashboardsService) EditWidgetResource(ctx context.Context, dashboardID, widgetID string, edits []WidgetResourceEdit, opts *WidgetResourceOptions) error {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return err
	}
	if len(edits) == 0 {
		return invalidf("edits", "must not be empty")
	}
	for i := range edits {
		if err := edits[i].check(i); err != nil {
			return err
		}
	}
	var q *query
	if opts != nil && opts.Identifier != "" {
		q = &query{}
		q.add("widget_exec", opts.Identifier)
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: widgetDataPath(dashboardID, widgetID) + "/resource", query: q, body: edits, kinds: accountOnly})
}

// WidgetToken generates a token that opens one widget outside TagoIO, for embedding
// it in a web page: https://embed.<region>.tago.io?widget=<widgetID>&dashboard=<dashboardID>&token=<token>.
//
// TagoIO API: GET /dashboard/{id}/widget/{widgetID}/token
func (s *DashboardsService) WidgetToken(ctx context.Context, dashboardID, widgetID string) (Secret, error) {
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return "", err
	}
	res, err := do[widgetTokenResult](ctx, s.cl(), &call{method: "GET", path: widgetPath(dashboardID, widgetID) + "/token", kinds: accountOnly})
	return Secret(res), err
}

// widgetTokenResult is the {widget_token} answer; an answer without one is an error.
type widgetTokenResult Secret

// UnmarshalJSON reads the token.
func (t *widgetTokenResult) UnmarshalJSON(b []byte) error {
	var raw struct {
		WidgetToken Secret `json:"widget_token"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw.WidgetToken == "" {
		return errors.New("the result holds no widget_token")
	}
	*t = widgetTokenResult(raw.WidgetToken)
	return nil
}
