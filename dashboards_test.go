package tago

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestWidgetsOperations(t *testing.T) {
	t.Parallel()
	widgetPath := "/dashboard/" + resDashboardID + "/widget/" + resWidgetID
	dataPath := "/data/" + resDashboardID + "/" + resWidgetID
	accountOps(t, []opCase{
		{
			name: "create", method: "POST", path: "/dashboard/" + resDashboardID + "/widget/",
			body: `{"label":"Temperature","type":"display","display":{"show_units":true},` +
				`"data":[{"origin":"` + resDeviceID + `","variables":["temperature"],"query":"last_value","qty":1}],"realtime":true}`,
			result: `{"widget":"` + resWidgetID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.CreateWidget(ctx, resDashboardID, WidgetCreateRequest{Label: "Temperature", Type: "display",
					Display: map[string]any{"show_units": true}, Realtime: Ptr(true),
					Data: []WidgetSource{{Origin: resDeviceID, Variables: []string{"temperature"}, Query: "last_value", Qty: Ptr(1)}}})
			},
			want: resWidgetID,
		},
		{
			name: "info", method: "GET", path: widgetPath,
			result: `{"id":"` + resWidgetID + `","label":"Temperature","type":"display","dashboard":"` + resDashboardID + `",` +
				`"display":{"show_units":true},"data":[{"origin":"` + resDeviceID + `","variables":"temperature","timezone":"UTC"}],` +
				`"resource":[{"type":"device","view":"tags.site","editable":"name","filter":[{"key":"site","value":"north"}]}],` +
				`"realtime":null,"analysis_run":null}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.WidgetInfo(ctx, resDashboardID, resWidgetID)
			},
			want: Widget{ID: resWidgetID, Label: "Temperature", Type: "display", Dashboard: resDashboardID,
				Display: json.RawMessage(`{"show_units":true}`),
				Data:    []WidgetSource{{Origin: resDeviceID, Variables: []string{"temperature"}, Timezone: "UTC"}},
				Resource: []WidgetResource{{Type: "device", View: "tags.site", Editable: "name",
					Filter: []Tag{{Key: "site", Value: "north"}}}}},
		},
		{
			name: "edit", method: "PUT", path: widgetPath,
			body:   `{"label":"Temp","display":{"show_units":false},"data":[],"analysis_run":"` + resAnalysisID + `"}`,
			result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.EditWidget(ctx, resDashboardID, resWidgetID, WidgetEditRequest{Label: Ptr("Temp"),
					Display: json.RawMessage(`{"show_units":false}`), Data: []WidgetSource{}, AnalysisRun: Ptr(resAnalysisID)}))
			},
		},
		{
			name: "delete", method: "DELETE", path: widgetPath, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.DeleteWidget(ctx, resDashboardID, resWidgetID))
			},
		},
		{
			name: "get data with defaults", method: "GET", path: dataPath,
			result: `{"widget":{"id":"` + resWidgetID + `","label":"T","type":"display"},"content":[{"data":{},"result":[]}]}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.WidgetData(ctx, resDashboardID, resWidgetID, nil)
			},
			want: WidgetDataResult{Widget: Widget{ID: resWidgetID, Label: "T", Type: "display"},
				Content: json.RawMessage(`[{"data":{},"result":[]}]`)},
		},
		{
			name: "get data with overrides", method: "GET", path: dataPath,
			query: "overwrite[start_date]=2024-01-01T00:00:00.000Z&overwrite[end_date]=2024-01-31T23:59:59.000Z" +
				"&overwrite[timezone]=America/Sao_Paulo&blueprint_devices[0][origin]=bp-1&blueprint_devices[0][id]=" + resDeviceID +
				"&page=2&amount=25",
			result: `{"widget":{"id":"` + resWidgetID + `","label":"T","type":"table"},"content":[]}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.WidgetData(ctx, resDashboardID, resWidgetID, &WidgetDataOptions{
					StartDate: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), EndDate: time.Date(2024, 1, 31, 23, 59, 59, 0, time.UTC),
					Timezone: "America/Sao_Paulo", BlueprintDevices: []BlueprintDevice{{Origin: "bp-1", ID: resDeviceID}},
					Page: 2, Amount: 25,
				})
			},
			want: WidgetDataResult{Widget: Widget{ID: resWidgetID, Label: "T", Type: "table"}, Content: json.RawMessage(`[]`)},
		},
		{
			name: "send data", method: "POST", path: dataPath, query: "bypass_bucket=false",
			body: `[{"origin":"` + resDeviceID + `","variable":"setpoint","value":21.5,"unit":"C","time":"2024-01-02T03:04:05Z",` +
				`"location":{"lat":-23.5,"lng":-46.6},"metadata":{"source":"form"}},{"origin":"` + resDeviceID + `","variable":"mode","value":"eco"}]`,
			result: `["1 Data Added","1 Data Added"]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.SendWidgetData(ctx, resDashboardID, resWidgetID,
					WidgetRecord{Origin: resDeviceID, Variable: "setpoint", Value: 21.5, Unit: "C",
						Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Location: &WidgetLocation{Lat: -23.5, Lng: -46.6},
						Metadata: map[string]any{"source": "form"}},
					WidgetRecord{Origin: resDeviceID, Variable: "mode", Value: "eco"}))
			},
		},
		{
			name: "edit data", method: "PUT", path: dataPath + "/data", query: "bypass_bucket=false",
			body:   `[{"id":"` + resDataID + `","origin":"` + resDeviceID + `","variable":"setpoint","value":0}]`,
			result: `"Device Data Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.EditWidgetData(ctx, resDashboardID, resWidgetID,
					WidgetRecord{ID: resDataID, Origin: resDeviceID, Variable: "setpoint", Value: 0}))
			},
		},
		{
			name: "delete data", method: "DELETE", path: dataPath,
			query:  "ids[0]=" + resDataID + ":" + resDeviceID + "&ids[1]=" + resParamID + ":" + resDevice2ID,
			result: `"2 Data Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.DeleteWidgetData(ctx, resDashboardID, resWidgetID,
					WidgetDataRef{DataID: resDataID, DeviceID: resDeviceID}, WidgetDataRef{DataID: resParamID, DeviceID: resDevice2ID}))
			},
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
		{"widget data with a negative page", "page", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.WidgetData(ctx, resDashboardID, resWidgetID, &WidgetDataOptions{Page: -1})
			return err
		}},
		{"send no records", "records", func(ctx context.Context, c *Client) error {
			return c.Dashboards.SendWidgetData(ctx, resDashboardID, resWidgetID)
		}},
		{"send a record of a bad device", "records[1].origin", func(ctx context.Context, c *Client) error {
			return c.Dashboards.SendWidgetData(ctx, resDashboardID, resWidgetID, rec, WidgetRecord{Origin: "x", Variable: "v"})
		}},
		{"send a record without a variable", "records[0].variable", func(ctx context.Context, c *Client) error {
			return c.Dashboards.SendWidgetData(ctx, resDashboardID, resWidgetID, WidgetRecord{Origin: resDeviceID})
		}},
		{"edit a record without an ID", "records[0].id", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidgetData(ctx, resDashboardID, resWidgetID, rec)
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

func TestWidgetSourceVariables(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"origin":"o","variables":["a","b"]}`, `["a","b"]`},
		{`{"origin":"o","variables":"a"}`, `["a"]`},
		{`{"origin":"o","variables":""}`, `null`},
		{`{"origin":"o","variables":null}`, `null`},
		{`{"origin":"o"}`, `null`},
	}
	for _, tt := range tests {
		var w WidgetSource
		require.NoError(t, json.Unmarshal([]byte(tt.in), &w), tt.in)
		assert.Equal(t, "o", w.Origin)
		got, err := json.Marshal(w.Variables)
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(got), tt.in)
	}
	var w WidgetSource
	assert.Error(t, json.Unmarshal([]byte(`{"variables":7}`), &w))
}
