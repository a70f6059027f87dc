package tago

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
			name: "get data of a blueprint with buckets", method: "GET", path: dataPath,
			query: "blueprint_devices[0][origin]=bp-1&blueprint_devices[0][id]=" + resDeviceID + "&blueprint_devices[0][bucket]=" + resDevice2ID +
				"&blueprint_devices[1][origin]=bp-2&blueprint_devices[1][id]=" + resDevice2ID,
			result: `{"widget":{"id":"` + resWidgetID + `","label":"T","type":"table"},"content":[]}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.WidgetData(ctx, resDashboardID, resWidgetID, &WidgetDataOptions{BlueprintDevices: []BlueprintDevice{
					{Origin: "bp-1", ID: resDeviceID, Bucket: resDevice2ID}, {Origin: "bp-2", ID: resDevice2ID}}})
			},
			want: WidgetDataResult{Widget: Widget{ID: resWidgetID, Label: "T", Type: "table"}, Content: json.RawMessage(`[]`)},
		},
		{
			name: "get data answered with a bare array", method: "GET", path: dataPath,
			result: `[{"data":{"origin":"` + resDeviceID + `","query":"last_value","variables":["temperature"]},` +
				`"result":[{"id":"` + resDataID + `","variable":"temperature","value":71}]}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.WidgetData(ctx, resDashboardID, resWidgetID, nil)
			},
			want: WidgetDataResult{Content: json.RawMessage(`[{"data":{"origin":"` + resDeviceID + `","query":"last_value","variables":["temperature"]},` +
				`"result":[{"id":"` + resDataID + `","variable":"temperature","value":71}]}]`)},
		},
		{
			name: "send data", method: "POST", path: dataPath, query: "bypass_bucket=false",
			body: `[{"origin":"` + resDeviceID + `","variable":"setpoint","value":21.5,"unit":"C","time":"2024-01-02T03:04:05Z",` +
				`"location":{"lat":-23.5,"lng":-46.6},"metadata":{"source":"form"}},{"origin":"` + resDeviceID + `","variable":"mode","value":"eco"}]`,
			result: `["1 Data Added","1 Data Added"]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.SendWidgetData(ctx, resDashboardID, resWidgetID, []WidgetRecord{
					{Origin: resDeviceID, Variable: "setpoint", Value: 21.5, Unit: "C",
						Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Location: &WidgetLocation{Lat: -23.5, Lng: -46.6},
						Metadata: map[string]any{"source": "form"}},
					{Origin: resDeviceID, Variable: "mode", Value: "eco"}}, nil))
			},
		},
		{
			name: "send data bypassing the bucket", method: "POST", path: dataPath, query: "bypass_bucket=true",
			body:   `[{"origin":"` + resDeviceID + `","variable":"reset","value":true}]`,
			result: `{"message":"1 Data Added"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.SendWidgetData(ctx, resDashboardID, resWidgetID,
					[]WidgetRecord{{Origin: resDeviceID, Variable: "reset", Value: true}}, &WidgetSendOptions{BypassBucket: true}))
			},
		},
		{
			name: "edit data bypassing the bucket", method: "PUT", path: dataPath + "/data", query: "bypass_bucket=true",
			body:   `[{"id":"` + resDataID + `","origin":"` + resDeviceID + `","variable":"setpoint","value":1}]`,
			result: `{"message":"1 item(s) updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.EditWidgetData(ctx, resDashboardID, resWidgetID,
					[]WidgetRecord{{ID: resDataID, Origin: resDeviceID, Variable: "setpoint", Value: 1}}, &WidgetSendOptions{BypassBucket: true}))
			},
		},
		{
			name: "edit data", method: "PUT", path: dataPath + "/data", query: "bypass_bucket=false",
			body:   `[{"id":"` + resDataID + `","origin":"` + resDeviceID + `","variable":"setpoint","value":0}]`,
			result: `"Device Data Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.EditWidgetData(ctx, resDashboardID, resWidgetID,
					[]WidgetRecord{{ID: resDataID, Origin: resDeviceID, Variable: "setpoint", Value: 0}}, nil))
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

func TestWidgetResourceAndToken(t *testing.T) {
	t.Parallel()
	dataPath := "/data/" + resDashboardID + "/" + resWidgetID
	accountOps(t, []opCase{
		{
			name: "edit resources", method: "PUT", path: dataPath + "/resource",
			body: `[{"device":"` + resDeviceID + `","name":"Boiler 2","active":false,"tags.site":"south","param.interval":"60"},` +
				`{"device":"` + resDevice2ID + `","tags.site":"north"}]`,
			result: `{"message":"2 Resources Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.EditWidgetResource(ctx, resDashboardID, resWidgetID, []WidgetResourceEdit{
					{Device: resDeviceID, Name: Ptr("Boiler 2"), Active: Ptr(false), Tags: map[string]string{"site": "south"},
						Params: map[string]string{"interval": "60"}},
					{Device: resDevice2ID, Tags: map[string]string{"site": "north"}},
				}, nil))
			},
		},
		{
			name: "edit resources for an analysis", method: "PUT", path: dataPath + "/resource", query: "widget_exec=rename button",
			body:   `[{"device":"` + resDeviceID + `","name":"x"}]`,
			result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dashboards.EditWidgetResource(ctx, resDashboardID, resWidgetID,
					[]WidgetResourceEdit{{Device: resDeviceID, Name: Ptr("x")}}, &WidgetResourceOptions{Identifier: "rename button"}))
			},
		},
		{
			name: "token", method: "GET", path: "/dashboard/" + resDashboardID + "/widget/" + resWidgetID + "/token",
			result: `{"widget_token":"` + resToken + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dashboards.WidgetToken(ctx, resDashboardID, resWidgetID)
			},
			want: Secret(resToken),
		},
	})
	t.Run("a token answer without a token", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/dashboard/"+resDashboardID+"/widget/"+resWidgetID+"/token", 200, `{"status":true,"result":{}}`)
		tok, err := c.Dashboards.WidgetToken(t.Context(), resDashboardID, resWidgetID)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no widget_token")
		assert.Empty(t, tok.Reveal())
	})
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"edit no resources", "edits", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidgetResource(ctx, resDashboardID, resWidgetID, nil, nil)
		}},
		{"edit resources of a bad widget", "widget ID", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidgetResource(ctx, resDashboardID, "w", []WidgetResourceEdit{{Device: resDeviceID, Name: Ptr("x")}}, nil)
		}},
		{"edit a bad device", "edits[1].device", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidgetResource(ctx, resDashboardID, resWidgetID,
				[]WidgetResourceEdit{{Device: resDeviceID, Name: Ptr("x")}, {Device: "d", Name: Ptr("y")}}, nil)
		}},
		{"edit nothing", "edits[0].device", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidgetResource(ctx, resDashboardID, resWidgetID, []WidgetResourceEdit{{Device: resDeviceID}}, nil)
		}},
		{"edit to an empty name", "edits[0].name", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidgetResource(ctx, resDashboardID, resWidgetID, []WidgetResourceEdit{{Device: resDeviceID, Name: Ptr(" ")}}, nil)
		}},
		{"edit a keyless tag", "edits[0].tags", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidgetResource(ctx, resDashboardID, resWidgetID,
				[]WidgetResourceEdit{{Device: resDeviceID, Tags: map[string]string{"": "v"}}}, nil)
		}},
		{"edit a keyless param", "edits[0].params", func(ctx context.Context, c *Client) error {
			return c.Dashboards.EditWidgetResource(ctx, resDashboardID, resWidgetID,
				[]WidgetResourceEdit{{Device: resDeviceID, Params: map[string]string{" ": "v"}}}, nil)
		}},
		{"token of a bad dashboard", "dashboard ID", func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.WidgetToken(ctx, "d", resWidgetID)
			return err
		}},
	})
}
