package tagotest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDashboards(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	srv.AddDashboard(DashboardSpec{Label: "Zeta", Tags: []Tag{{"team", "ops"}}})

	r := asAccount(t, srv, "POST", "/dashboard", map[string]any{"label": "Alpha", "tags": []Tag{{"team", "iot"}}, "arrangement": []any{}})
	require.Equal(t, http.StatusCreated, r.code)
	var made struct{ Dashboard string }
	r.decode(t, &made)
	assert.Regexp(t, hexID, made.Dashboard)
	id := made.Dashboard

	assert.Equal(t, []string{"Alpha", "Zeta"}, names(t, asAccount(t, srv, "GET", "/dashboard?fields=id,label", nil), "label"))
	assert.Equal(t, []string{"Zeta"}, names(t, asAccount(t, srv, "GET", "/dashboard?filter[tags][0][key]=team&filter[tags][0][value]=ops", nil), "label"))
	assert.Equal(t, []string{"Alpha"}, names(t, asAccount(t, srv, "GET", "/dashboard?filter[label]=al*", nil), "label"))
	assert.Equal(t, []string{"Zeta", "Alpha"}, names(t, asAccount(t, srv, "GET", "/dashboard?orderBy=label,desc", nil), "label"))

	var info map[string]any
	asAccount(t, srv, "GET", "/dashboard/"+id, nil).decode(t, &info)
	assert.Equal(t, "Alpha", info["label"])
	assert.Equal(t, "dashboard", info["type"])
	assert.Equal(t, true, info["visible"])
	assert.Equal(t, []any{map[string]any{"key": "team", "value": "iot"}}, info["tags"])
	assert.Equal(t, "2025-03-10T12:00:00.000Z", info["created_at"])

	assert.Equal(t, "Successfully Updated", asAccount(t, srv, "PUT", "/dashboard/"+id, map[string]any{"label": "Alpha 2", "visible": false}).str(t))
	d, ok := srv.Dashboard(id)
	require.True(t, ok)
	assert.Equal(t, "Alpha 2", d.Label)
	assert.Equal(t, []Tag{{"team", "iot"}}, d.Tags)

	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", "/dashboard", map[string]any{"type": "dashboard"}).code)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", "/dashboard", map[string]any{"label": "x", "type": "poster"}).code)

	var share struct {
		Token      string `json:"token"`
		ExpireTime string `json:"expire_time"`
	}
	asAccount(t, srv, "GET", "/dashboard/"+id+"/share/public", nil).decode(t, &share)
	assert.Regexp(t, uuidRe, share.Token)
	assert.Equal(t, "never", share.ExpireTime)
	asAccount(t, srv, "GET", "/dashboard/"+id+"/share/public?expire_time=1 day", nil).decode(t, &share)
	assert.Equal(t, "2025-03-11T12:00:00.000Z", share.ExpireTime)

	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", "/dashboard/"+id, nil).str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/dashboard/"+id, nil).code)
	other := srv.AddProfile("other")
	assert.Equal(t, []string{}, names(t, send(t, srv, "GET", "/dashboard", "Account-Token", other.Token, nil), "label"))
}

func TestWidgets(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	dev := srv.AddDevice(DeviceSpec{Name: "sensor"})
	srv.AddData(dev.ID, Record{Variable: "temperature", Value: 20, Time: t0.Add(-time.Minute)}, Record{Variable: "temperature", Value: 21, Time: t0})
	dash := srv.AddDashboard(DashboardSpec{Label: "Plant"})
	base := "/dashboard/" + dash.ID + "/widget"

	r := asAccount(t, srv, "POST", base+"/", map[string]any{
		"label": "Temperature", "type": "display",
		"data": []map[string]any{{"origin": dev.ID, "variables": []string{"temperature"}, "qty": 1, "query": "last_value"}},
	})
	require.Equal(t, http.StatusOK, r.code, string(r.body))
	var made struct{ Widget string }
	r.decode(t, &made)
	wid := made.Widget
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", base, map[string]any{"label": "no type"}).code)

	var info map[string]any
	asAccount(t, srv, "GET", base+"/"+wid, nil).decode(t, &info)
	assert.Equal(t, dash.ID, info["dashboard"])
	assert.Equal(t, "display", info["type"])
	assert.Equal(t, "Successfully Updated", asAccount(t, srv, "PUT", base+"/"+wid, map[string]any{"label": "Temp"}).str(t))
	got, _ := srv.Dashboard(dash.ID)
	require.Len(t, got.Widgets, 1)
	assert.Equal(t, Widget{ID: wid, Dashboard: dash.ID, Label: "Temp", Type: "display",
		Data: []WidgetData{{Origin: dev.ID, Variables: []string{"temperature"}, Qty: 1, Query: "last_value"}}}, got.Widgets[0])

	var tok struct {
		WidgetToken string `json:"widget_token"`
	}
	asAccount(t, srv, "GET", base+"/"+wid+"/token", nil).decode(t, &tok)
	assert.Regexp(t, uuidRe, tok.WidgetToken)

	var devs []map[string]any
	asAccount(t, srv, "GET", "/dashboard/"+dash.ID+"/devices", nil).decode(t, &devs)
	assert.Equal(t, []map[string]any{{"id": dev.ID, "bucket": dev.ID}}, devs)
	assert.JSONEq(t, `{"status":true,"result":[]}`, string(asAccount(t, srv, "GET", "/dashboard/"+dash.ID+"/analysis", nil).body))

	// Widget data.
	var wd struct {
		Widget  map[string]any `json:"widget"`
		Content []struct {
			Data   map[string]any   `json:"data"`
			Result []map[string]any `json:"result"`
		} `json:"content"`
	}
	asAccount(t, srv, "GET", "/data/"+dash.ID+"/"+wid, nil).decode(t, &wd)
	assert.Equal(t, wid, wd.Widget["id"])
	require.Len(t, wd.Content, 1)
	assert.Equal(t, dev.ID, wd.Content[0].Data["origin"])
	require.Len(t, wd.Content[0].Result, 1)
	assert.Equal(t, 21.0, wd.Content[0].Result[0]["value"])

	// Dates of the entry, replaced by overwrite[...].
	ranged := srv.AddWidget(dash.ID, WidgetSpec{Type: "line"})
	asAccount(t, srv, "PUT", base+"/"+ranged.ID, map[string]any{"data": []map[string]any{
		{"origin": dev.ID, "variables": []string{"temperature"}, "start_date": "2025-03-10T11:59:30Z"}}})
	var rd struct {
		Content []struct {
			Result []map[string]any `json:"result"`
		} `json:"content"`
	}
	asAccount(t, srv, "GET", "/data/"+dash.ID+"/"+ranged.ID, nil).decode(t, &rd)
	require.Len(t, rd.Content, 1)
	assert.Len(t, rd.Content[0].Result, 1, "only the reading after start_date")
	rd.Content = nil
	asAccount(t, srv, "GET", "/data/"+dash.ID+"/"+ranged.ID+"?overwrite[start_date]=1 day", nil).decode(t, &rd)
	assert.Len(t, rd.Content[0].Result, 2)
	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", base+"/"+ranged.ID, nil).str(t))

	r = asAccount(t, srv, "POST", "/data/"+dash.ID+"/"+wid, []map[string]any{{"origin": dev.ID, "variable": "setpoint", "value": 5}})
	assert.JSONEq(t, `{"status":true,"result":{"message":"1 Data Added"}}`, string(r.body))
	stored := srv.Data(dev.ID)
	require.Len(t, stored, 3)
	assert.Equal(t, "setpoint", stored[2].Variable)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", "/data/"+dash.ID+"/"+wid, map[string]any{"variable": "x"}).code, "origin is required")

	r = asAccount(t, srv, "PUT", "/data/"+dash.ID+"/"+wid+"/data", map[string]any{"origin": dev.ID, "id": stored[2].ID, "value": 6})
	assert.JSONEq(t, `{"status":true,"result":{"message":"1 item(s) updated"}}`, string(r.body))
	assert.Equal(t, 6.0, srv.Data(dev.ID)[2].Value)

	r = asAccount(t, srv, "DELETE", "/data/"+dash.ID+"/"+wid+"?ids[0]="+stored[2].ID+":"+dev.ID+"&ids[1]="+stored[0].ID+":"+dev.ID, nil)
	assert.Equal(t, "2 Data Removed", r.str(t))
	assert.Len(t, srv.Data(dev.ID), 1)

	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", base+"/"+wid, nil).str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", base+"/"+wid, nil).code)
}

func TestDuplicateDashboard(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dash := srv.AddDashboard(DashboardSpec{Label: "Plant"})
	w := srv.AddWidget(dash.ID, WidgetSpec{Label: "gauge", Type: "dial"})
	asAccount(t, srv, "PUT", "/dashboard/"+dash.ID, map[string]any{
		"arrangement": []map[string]any{{"widget_id": w.ID, "x": 0, "y": 0, "width": 2, "height": 2}},
	})

	r := asAccount(t, srv, "POST", "/dashboard/"+dash.ID+"/duplicate", map[string]any{"new_label": "Plant (Lyon)"})
	require.Equal(t, http.StatusCreated, r.code)
	var dup struct {
		DashboardID string `json:"dashboard_id"`
		Message     string `json:"message"`
	}
	r.decode(t, &dup)
	assert.Equal(t, "Copy sent", dup.Message)
	cp, ok := srv.Dashboard(dup.DashboardID)
	require.True(t, ok)
	assert.Equal(t, "Plant (Lyon)", cp.Label)
	require.Len(t, cp.Widgets, 1)
	assert.NotEqual(t, w.ID, cp.Widgets[0].ID)
	assert.Equal(t, "gauge", cp.Widgets[0].Label)

	var info struct {
		Arrangement []struct {
			WidgetID string `json:"widget_id"`
		} `json:"arrangement"`
	}
	asAccount(t, srv, "GET", "/dashboard/"+dup.DashboardID, nil).decode(t, &info)
	require.Len(t, info.Arrangement, 1)
	assert.Equal(t, cp.Widgets[0].ID, info.Arrangement[0].WidgetID, "the copy's arrangement points at the copied widget")

	r = asAccount(t, srv, "POST", "/dashboard/"+dash.ID+"/duplicate", nil)
	r.decode(t, &dup)
	cp, _ = srv.Dashboard(dup.DashboardID)
	assert.Equal(t, "Plant (copy)", cp.Label)
	orig, _ := srv.Dashboard(dash.ID)
	assert.Equal(t, w.ID, orig.Widgets[0].ID, "the original is untouched")
}
