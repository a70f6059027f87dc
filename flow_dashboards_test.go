package tago_test

import (
	"encoding/json"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// widgetContent is the content of a widget that shows device data: per source, the
// source and the records it selects.
type widgetContent []struct {
	Data struct {
		Origin string `json:"origin"`
	} `json:"data"`
	Result []tago.Data `json:"result"`
}

// A dashboard's whole life: created, found, edited, given widgets that show a device's
// data, used as an input form, duplicated, shared, and deleted.
func TestFlowDashboardsAndWidgets(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	dev := createDevice(t, account, "Boiler")
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token.Reveal()))
	_, err := device.Data.Send(ctx,
		tago.Data{Variable: "pressure", Value: 1.2, Unit: "bar", Time: at(9, 0)},
		tago.Data{Variable: "pressure", Value: 1.4, Unit: "bar", Time: at(10, 0)},
		tago.Data{Variable: "flame", Value: true, Time: at(10, 0)},
	)
	require.NoError(t, err)

	// Create and find it.
	id, err := account.Dashboards.Create(ctx, tago.DashboardCreateRequest{
		Label: "Boiler room", Tags: []tago.Tag{{Key: "site", Value: "lyon"}}, Visible: tago.Ptr(true),
	})
	require.NoError(t, err)
	assert.Regexp(t, hexID, id)
	other, err := account.Dashboards.Create(ctx, tago.DashboardCreateRequest{Label: "Fleet overview"})
	require.NoError(t, err)

	dash, err := account.Dashboards.Info(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, id, dash.ID)
	assert.Equal(t, "Boiler room", dash.Label)
	assert.Equal(t, []tago.Tag{{Key: "site", Value: "lyon"}}, dash.Tags)
	assert.True(t, dash.Visible)

	list, err := account.Dashboards.List(ctx, &tago.DashboardListOptions{Label: "boiler*"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, id, list[0].ID)
	var labels []string
	for d, err := range account.Dashboards.All(ctx, &tago.DashboardListOptions{ListOptions: tago.ListOptions{Amount: 1}}) {
		require.NoError(t, err)
		labels = append(labels, d.Label)
	}
	assert.Equal(t, []string{"Boiler room", "Fleet overview"}, labels)

	require.NoError(t, account.Dashboards.Edit(ctx, id, tago.DashboardEditRequest{
		Label: tago.Ptr("Boiler room 2"), Tags: []tago.Tag{{Key: "site", Value: "paris"}},
	}))
	held, ok := srv.Dashboard(id)
	require.True(t, ok)
	assert.Equal(t, "Boiler room 2", held.Label)
	assert.Equal(t, []tagotest.Tag{{Key: "site", Value: "paris"}}, held.Tags)
	tagged, err := account.Dashboards.List(ctx, &tago.DashboardListOptions{Tags: []tago.Tag{{Key: "site", Value: "paris"}}})
	require.NoError(t, err)
	require.Len(t, tagged, 1)
	assert.Equal(t, id, tagged[0].ID)

	// A widget showing the device's last pressure.
	wid, err := account.Dashboards.CreateWidget(ctx, id, tago.WidgetCreateRequest{
		Label: "Pressure", Type: "display",
		Data:    []tago.WidgetSource{{Origin: dev.ID, Variables: []string{"pressure"}, Query: "last_value"}},
		Display: map[string]any{"show_units": true},
	})
	require.NoError(t, err)
	assert.Regexp(t, hexID, wid)
	w, err := account.Dashboards.WidgetInfo(ctx, id, wid)
	require.NoError(t, err)
	assert.Equal(t, "Pressure", w.Label)
	assert.Equal(t, "display", w.Type)
	require.Len(t, w.Data, 1)
	assert.Equal(t, dev.ID, w.Data[0].Origin)
	assert.Equal(t, []string{"pressure"}, w.Data[0].Variables)
	assert.JSONEq(t, `{"show_units":true}`, string(w.Display))

	wd, err := account.Dashboards.WidgetData(ctx, id, wid, nil)
	require.NoError(t, err)
	assert.Equal(t, wid, wd.Widget.ID)
	var content widgetContent
	require.NoError(t, json.Unmarshal(wd.Content, &content))
	require.Len(t, content, 1)
	assert.Equal(t, dev.ID, content[0].Data.Origin)
	require.Len(t, content[0].Result, 1)
	v, _ := content[0].Result[0].Float()
	assert.Equal(t, 1.4, v)

	// Turn it into a table of every pressure and flame reading; the date range
	// override narrows it.
	require.NoError(t, account.Dashboards.EditWidget(ctx, id, wid, tago.WidgetEditRequest{
		Label: tago.Ptr("History"), Type: tago.Ptr("table"),
		Data: []tago.WidgetSource{{Origin: dev.ID, Variables: []string{"pressure", "flame"}, Qty: tago.Ptr(10)}},
	}))
	wd, err = account.Dashboards.WidgetData(ctx, id, wid, &tago.WidgetDataOptions{StartDate: at(9, 30), EndDate: at(11, 0)})
	require.NoError(t, err)
	assert.Equal(t, "History", wd.Widget.Label)
	content = nil
	require.NoError(t, json.Unmarshal(wd.Content, &content))
	require.Len(t, content, 1)
	assert.ElementsMatch(t, []string{"pressure@10:00", "flame@10:00"}, describe(content[0].Result))

	// The widget as an input form: send a record, correct it, delete it.
	require.NoError(t, account.Dashboards.SendWidgetData(ctx, id, wid,
		[]tago.WidgetRecord{{Origin: dev.ID, Variable: "setpoint", Value: 1.6, Unit: "bar", Time: at(10, 30)}}, nil))
	set, err := device.Data.Get(ctx, &tago.DataQuery{Variables: []string{"setpoint"}})
	require.NoError(t, err)
	require.Len(t, set, 1)
	require.NoError(t, account.Dashboards.EditWidgetData(ctx, id, wid,
		[]tago.WidgetRecord{{ID: set[0].ID, Origin: dev.ID, Variable: "setpoint", Value: 1.5}}, nil))
	set, err = device.Data.Get(ctx, &tago.DataQuery{Variables: []string{"setpoint"}})
	require.NoError(t, err)
	require.Len(t, set, 1)
	v, _ = set[0].Float()
	assert.Equal(t, 1.5, v)
	require.NoError(t, account.Dashboards.DeleteWidgetData(ctx, id, wid, tago.WidgetDataRef{DataID: set[0].ID, DeviceID: dev.ID}))
	n, err := device.Data.Count(ctx, &tago.DataQuery{Variables: []string{"setpoint"}})
	require.NoError(t, err)
	assert.Zero(t, n)

	related, err := account.Dashboards.RelatedDevices(ctx, id)
	require.NoError(t, err)
	require.Len(t, related, 1)
	assert.Equal(t, dev.ID, related[0].ID)

	// Duplicate it with its widget, share it, then delete the widget and the
	// dashboards.
	dup, err := account.Dashboards.Duplicate(ctx, id, &tago.DashboardDuplicateRequest{NewLabel: "Boiler room (copy)"})
	require.NoError(t, err)
	copied, ok := srv.Dashboard(dup)
	require.True(t, ok)
	assert.Equal(t, "Boiler room (copy)", copied.Label)
	require.Len(t, copied.Widgets, 1)
	assert.Equal(t, "History", copied.Widgets[0].Label)
	assert.NotEqual(t, wid, copied.Widgets[0].ID)

	key, err := account.Dashboards.PublicKey(ctx, id, tago.ExpiresNever())
	require.NoError(t, err)
	assert.NotEmpty(t, key.Token.Reveal())

	require.NoError(t, account.Dashboards.DeleteWidget(ctx, id, wid))
	_, err = account.Dashboards.WidgetInfo(ctx, id, wid)
	require.ErrorIs(t, err, tago.ErrNotFound)
	held, _ = srv.Dashboard(id)
	assert.Empty(t, held.Widgets)

	for _, d := range []string{id, dup, other} {
		require.NoError(t, account.Dashboards.Delete(ctx, d))
	}
	_, err = account.Dashboards.Info(ctx, id)
	require.ErrorIs(t, err, tago.ErrNotFound)
	left, err := account.Dashboards.List(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, left)
	_, err = account.Dashboards.WidgetData(ctx, dup, copied.Widgets[0].ID, nil)
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// Another profile's dashboards and devices are invisible: not found, not listed.
func TestFlowDashboardsPerProfile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	mine := accountClient(t, srv)
	theirs := srv.AddProfile("Other company")
	foreign := srv.AddDashboard(tagotest.DashboardSpec{Profile: theirs.ID, Label: "Secret"})
	foreignDev := srv.AddDevice(tagotest.DeviceSpec{Profile: theirs.ID, Name: "Their sensor"})

	_, err := mine.Dashboards.Info(ctx, foreign.ID)
	require.ErrorIs(t, err, tago.ErrNotFound)
	list, err := mine.Dashboards.List(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, list)
	_, err = mine.Devices.Info(ctx, foreignDev.ID)
	require.ErrorIs(t, err, tago.ErrNotFound)

	own, err := mine.Dashboards.Create(ctx, tago.DashboardCreateRequest{Label: "Mine"})
	require.NoError(t, err)
	_, err = mine.Dashboards.CreateWidget(ctx, own, tago.WidgetCreateRequest{Label: "Spy", Type: "display",
		Data: []tago.WidgetSource{{Origin: foreignDev.ID, Variables: []string{"x"}}}})
	require.NoError(t, err, "the platform stores the source; it just shows nothing")
	held, _ := srv.Dashboard(own)
	require.Len(t, held.Widgets, 1)
	wd, err := mine.Dashboards.WidgetData(ctx, own, held.Widgets[0].ID, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `[]`, string(wd.Content))

	them, _ := flowClient(t, srv, tago.AccountToken(theirs.Token))
	theirList, err := them.Dashboards.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, theirList, 1)
	assert.Equal(t, "Secret", theirList[0].Label)
}
