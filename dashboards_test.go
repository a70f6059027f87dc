package tago

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func TestDashboardsOperations(t *testing.T) {
	t.Parallel()
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/dashboard",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=label&orderBy=label,asc",
			result: `[{"id":"` + resDashboardID + `","label":"Plant"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Dashboards.List(ctx, nil) },
			want:   []Dashboard{{ID: resDashboardID, Label: "Plant"}},
		},
		{
			name: "list with filters", method: "GET", path: "/dashboard",
			query: "page=1&amount=20&fields[0]=id&fields[1]=label&fields[2]=tags&filter[label]=*plant*" +
				"&filter[tags][0][key]=site&filter[tags][0][value]=north&orderBy=created_at,desc",
			result: `[{"id":"` + resDashboardID + `","label":"Plant","tags":[{"key":"site","value":"north"}]}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.List(ctx, &DashboardListOptions{Label: "*plant*", Tags: []Tag{{Key: "site", Value: "north"}},
					ListOptions: ListOptions{Fields: []string{"id", "label", "tags"}, OrderBy: Desc("created_at")}})
			},
			want: []Dashboard{{ID: resDashboardID, Label: "Plant", Tags: []Tag{{Key: "site", Value: "north"}}}},
		},
		{
			name: "create", method: "POST", path: "/dashboard", status: http.StatusCreated,
			body: `{"label":"Plant","type":"dashboard","tags":[{"key":"site","value":"north"}],"visible":true,` +
				`"arrangement":[{"widget_id":"` + resWidgetID + `","x":0,"y":1,"width":2,"height":3}],"icon":{"url":"https://x/i.png"}}`,
			result: `{"dashboard":"` + resDashboardID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.Create(ctx, DashboardCreateRequest{Label: "Plant", Tags: []Tag{{Key: "site", Value: "north"}},
					Visible: Ptr(true), Arrangement: []Arrangement{{WidgetID: resWidgetID, Y: 1, Width: 2, Height: 3}},
					Icon: &DashboardIcon{URL: "https://x/i.png"}})
			},
			want: resDashboardID,
		},
		{
			name: "create a blueprint", method: "POST", path: "/dashboard", status: http.StatusCreated,
			body:   `{"label":"Fleet","type":"blueprint","tabs":[{"key":"0","value":"Main","link":""}]}`,
			result: `{"dashboard":"` + resDashboardID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.Create(ctx, DashboardCreateRequest{Label: "Fleet", Type: DashboardBlueprint,
					Tabs: json.RawMessage(`[{"key":"0","value":"Main","link":""}]`)})
			},
			want: resDashboardID,
		},
		{
			name: "info", method: "GET", path: "/dashboard/" + resDashboardID,
			result: `{"id":"` + resDashboardID + `","label":"Plant","type":"dashboard","visible":true,"tags":[],` +
				`"arrangement":[{"widget_id":"` + resWidgetID + `","x":1,"y":2,"width":3,"height":4,"tab":null}],` +
				`"icon":{"url":"https://x/i.png","color":"#fff"},"theme":{"color":"dark"},"last_access":null,` +
				`"created_at":"2024-01-01T00:00:00.000Z","updated_at":"2024-01-02T00:00:00.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Dashboards.Info(ctx, resDashboardID) },
			want: Dashboard{ID: resDashboardID, Label: "Plant", Type: DashboardNormal, Visible: true, Tags: []Tag{},
				Arrangement: []Arrangement{{WidgetID: resWidgetID, X: 1, Y: 2, Width: 3, Height: 4}},
				Icon:        &DashboardIcon{URL: "https://x/i.png", Color: "#fff"}, Theme: json.RawMessage(`{"color":"dark"}`),
				CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
		},
		{
			name: "edit", method: "PUT", path: "/dashboard/" + resDashboardID,
			body:   `{"label":"Plant 2","arrangement":[],"visible":false}`,
			result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.Edit(ctx, resDashboardID, DashboardEditRequest{Label: Ptr("Plant 2"),
					Arrangement: []Arrangement{}, Visible: Ptr(false)}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/dashboard/" + resDashboardID, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.Delete(ctx, resDashboardID))
			},
		},
		{
			name: "duplicate with defaults", method: "POST", path: "/dashboard/" + resDashboardID + "/duplicate",
			status: http.StatusCreated, body: `{}`,
			result: `{"dashboard_id":"` + resWidgetID + `","message":"Copy sent"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.Duplicate(ctx, resDashboardID, nil)
			},
			want: resWidgetID,
		},
		{
			name: "duplicate with a label", method: "POST", path: "/dashboard/" + resDashboardID + "/duplicate",
			status: http.StatusCreated, body: `{"new_label":"Plant copy","setup":{"is_configured":true,"config":[]}}`,
			result: `{"dashboard_id":"` + resWidgetID + `","message":"Copy sent"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.Duplicate(ctx, resDashboardID, &DashboardDuplicateRequest{NewLabel: "Plant copy",
					Setup: json.RawMessage(`{"is_configured":true,"config":[]}`)})
			},
			want: resWidgetID,
		},
		{
			name: "public key that never expires", method: "GET", path: "/dashboard/" + resDashboardID + "/share/public",
			query: "expire_time=never", result: `{"token":"` + resToken + `","expire_time":"never"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.PublicKey(ctx, resDashboardID, Expiry{})
			},
			want: DashboardPublicKey{Token: resToken, ExpireTime: ExpiresNever()},
		},
		{
			name: "public key for a day", method: "GET", path: "/dashboard/" + resDashboardID + "/share/public",
			query: "expire_time=1 day", result: `{"token":"` + resToken + `","expire_time":"2024-01-02T00:00:00.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.PublicKey(ctx, resDashboardID, ExpiresIn("1 day"))
			},
			want: DashboardPublicKey{Token: resToken, ExpireTime: ExpiresAt(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC))},
		},
		{
			name: "related devices", method: "GET", path: "/dashboard/" + resDashboardID + "/devices",
			result: `[{"id":"` + resDeviceID + `","bucket":"` + resDeviceID + `","name":"Boiler"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.RelatedDevices(ctx, resDashboardID)
			},
			want: []Device{{ID: resDeviceID, Name: "Boiler"}},
		},
	})
}

func TestDashboardsBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	rec := WidgetRecord{Origin: resDeviceID, Variable: "v"}
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"list with a keyless tag", "tags[0].key", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.List(ctx, &DashboardListOptions{Tags: []Tag{{}}})
			return err
		}},
		{"list with a bad amount", "amount", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.List(ctx, &DashboardListOptions{ListOptions: ListOptions{Amount: -3}})
			return err
		}},
		{"create without a label", "label", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.Create(ctx, DashboardCreateRequest{})
			return err
		}},
		{"create with a bad type", "type", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.Create(ctx, DashboardCreateRequest{Label: "x", Type: "report"})
			return err
		}},
		{"info with a bad ID", "dashboard ID", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.Info(ctx, "x")
			return err
		}},
		{"edit with nothing to change", "dashboard edit", func(ctx context.Context, c *Client) error {
			return c.Dashboards.Edit(ctx, resDashboardID, DashboardEditRequest{})
		}},
		{"edit with an empty label", "label", func(ctx context.Context, c *Client) error {
			return c.Dashboards.Edit(ctx, resDashboardID, DashboardEditRequest{Label: Ptr(" ")})
		}},
		{"delete with a bad ID", "dashboard ID", func(ctx context.Context, c *Client) error {
			return c.Dashboards.Delete(ctx, "x")
		}},
		{"duplicate with a bad ID", "dashboard ID", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.Duplicate(ctx, "x", nil)
			return err
		}},
		{"public key with a conflicting expiry", "expire", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.PublicKey(ctx, resDashboardID, Expiry{Never: true, Time: time.Now()})
			return err
		}},
		{"related devices with a bad ID", "dashboard ID", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.RelatedDevices(ctx, "x")
			return err
		}},
		{"create a widget without a type", "type", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.CreateWidget(ctx, resDashboardID, WidgetCreateRequest{Label: "x"})
			return err
		}},
		{"create a widget with a bad analysis", "analysis run", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.CreateWidget(ctx, resDashboardID, WidgetCreateRequest{Label: "x", Type: "display", AnalysisRun: "a"})
			return err
		}},
		{"widget info with a bad widget ID", "widget ID", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.WidgetInfo(ctx, resDashboardID, "w")
			return err
		}},
		{"edit a widget with nothing to change", "widget edit", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidget(ctx, resDashboardID, resWidgetID, WidgetEditRequest{})
		}},
		{"delete a widget of a bad dashboard", "dashboard ID", func(ctx context.Context, c *Client) error {
			return c.Dashboards.DeleteWidget(ctx, "", resWidgetID)
		}},
		{"widget data with a bad blueprint device", "blueprint devices[0].id", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.WidgetData(ctx, resDashboardID, resWidgetID,
				&WidgetDataOptions{BlueprintDevices: []BlueprintDevice{{Origin: "bp", ID: "x"}}})
			return err
		}},
		{"widget data with a bad bucket", "blueprint devices[0].bucket", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.WidgetData(ctx, resDashboardID, resWidgetID,
				&WidgetDataOptions{BlueprintDevices: []BlueprintDevice{{Origin: "bp", ID: resDeviceID, Bucket: "b"}}})
			return err
		}},
		{"widget data with a negative page", "page", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.WidgetData(ctx, resDashboardID, resWidgetID, &WidgetDataOptions{Page: -1})
			return err
		}},
		{"send no records", "records", func(ctx context.Context, c *Client) error {
			return c.Dashboards.SendWidgetData(ctx, resDashboardID, resWidgetID, nil, nil)
		}},
		{"send a record of a bad device", "records[1].origin", func(ctx context.Context, c *Client) error {
			return c.Dashboards.SendWidgetData(ctx, resDashboardID, resWidgetID, []WidgetRecord{rec, {Origin: "x", Variable: "v"}}, nil)
		}},
		{"send a record without a variable", "records[0].variable", func(ctx context.Context, c *Client) error {
			return c.Dashboards.SendWidgetData(ctx, resDashboardID, resWidgetID, []WidgetRecord{{Origin: resDeviceID}}, nil)
		}},
		{"edit a record without an ID", "records[0].id", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidgetData(ctx, resDashboardID, resWidgetID, []WidgetRecord{rec}, nil)
		}},
		{"delete no records", "refs", func(ctx context.Context, c *Client) error {
			return c.Dashboards.DeleteWidgetData(ctx, resDashboardID, resWidgetID)
		}},
		{"delete a record with a colon in its ID", "refs[0].data ID", func(ctx context.Context, c *Client) error {
			return c.Dashboards.DeleteWidgetData(ctx, resDashboardID, resWidgetID, WidgetDataRef{DataID: "a:b", DeviceID: resDeviceID})
		}},
		{"delete a record of a bad device", "refs[0].device ID", func(ctx context.Context, c *Client) error {
			return c.Dashboards.DeleteWidgetData(ctx, resDashboardID, resWidgetID, WidgetDataRef{DataID: resDataID})
		}},
	})
}
