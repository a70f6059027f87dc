package tago_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlowNotifications runs the profile's notifications on tagotest: create, list
// unread, press a button that runs an analysis, mark all read, remove; push phones.
func TestFlowNotifications(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()
	an := srv.AddAnalysis(tagotest.AnalysisSpec{Name: "Acknowledge"})

	id, err := c.Notifications.Create(ctx, tago.NotificationCreateRequest{Title: "Low battery", Message: "Boiler at 5%",
		Buttons: []tago.NotificationButton{{ID: "ack", Label: "Acknowledge",
			Triggers: []json.RawMessage{json.RawMessage(`{"analysis_id":"` + an.ID + `","scope":[{"variable":"ack","value":true}]}`)}}},
		ButtonsAutodisable: tago.Ptr(true)})
	require.NoError(t, err)
	_, err = c.Notifications.Create(ctx, tago.NotificationCreateRequest{Title: "Second", Message: "m"})
	require.NoError(t, err)

	unread, err := c.Notifications.List(ctx, &tago.NotificationListOptions{Read: tago.Ptr(false)})
	require.NoError(t, err)
	assert.Len(t, unread, 2)

	require.NoError(t, c.Notifications.PressButton(ctx, id, "ack"))
	runs := srv.AnalysisRuns()
	require.Len(t, runs, 1)
	assert.Equal(t, an.ID, runs[0].Analysis)
	assert.JSONEq(t, `[{"variable":"ack","value":true}]`, string(runs[0].Scope))
	assert.Equal(t, []tagotest.PressedButton{{Notification: id, Button: "ack"}}, srv.PressedButtons())
	err = c.Notifications.PressButton(ctx, id, "ack")
	require.ErrorIs(t, err, tago.ErrBadRequest, "an autodisabling button works once")

	require.NoError(t, c.Notifications.MarkAllRead(ctx))
	unread, err = c.Notifications.List(ctx, &tago.NotificationListOptions{Read: tago.Ptr(false)})
	require.NoError(t, err)
	assert.Empty(t, unread)
	require.NoError(t, c.Notifications.MarkUnread(ctx, id))
	var all []string
	for n, err := range c.Notifications.All(ctx, &tago.NotificationListOptions{ListOptions: tago.ListOptions{Amount: 1}}) {
		require.NoError(t, err)
		all = append(all, n.ID)
	}
	assert.Len(t, all, 2)
	require.NoError(t, c.Notifications.Remove(ctx, id))
	err = c.Notifications.Remove(ctx, id)
	require.ErrorIs(t, err, tago.ErrNotFound)

	require.NoError(t, c.Notifications.RegisterPushDevice(ctx, "fcm-1", tago.PushAndroid))
	assert.Equal(t, []tagotest.PushDevice{{Profile: srv.ProfileID(), Token: "fcm-1", Platform: "android"}}, srv.PushDevices())
	require.NoError(t, c.Notifications.UnregisterPushDevice(ctx, "fcm-1"))
	assert.Empty(t, srv.PushDevices())
}

// TestFlowDictionaries creates a dictionary with two languages on tagotest and
// translates text with it, from the profile and from a run without a token.
func TestFlowDictionaries(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()
	id, err := c.Dictionaries.Create(ctx, tago.DictionaryCreateRequest{Name: "Plant", Slug: "PLANT", Fallback: "en-US"})
	require.NoError(t, err)
	_, err = c.Dictionaries.Create(ctx, tago.DictionaryCreateRequest{Name: "Again", Slug: "PLANT", Fallback: "en-US"})
	require.ErrorIs(t, err, tago.ErrBadRequest, "slugs are unique")
	require.NoError(t, c.Dictionaries.EditLanguage(ctx, id, "en-US", map[string]string{"TITLE": "Boiler $0"}, true))
	require.NoError(t, c.Dictionaries.EditLanguage(ctx, id, "pt-BR", map[string]string{"TITLE": "Caldeira $0"}, true))

	d, err := c.Dictionaries.Info(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, []tago.DictionaryLanguage{{Code: "en-US", Active: true}, {Code: "pt-BR", Active: true}}, d.Languages)

	out, err := c.Dictionaries.Translator("pt-BR").Apply(ctx, "#PLANT.TITLE,3#")
	require.NoError(t, err)
	assert.Equal(t, "Caldeira 3", out)
	out, err = c.Dictionaries.Translator("pt-BR").Resolve(ctx, tago.Expression{Dictionary: "PLANT", Key: "TITLE", Params: []string{"7"}})
	require.NoError(t, err)
	assert.Equal(t, "Caldeira 7", out)
	out, err = c.Dictionaries.Translator("fr-FR").Apply(ctx, "#PLANT.TITLE,3#")
	require.NoError(t, err)
	assert.Equal(t, "Boiler 3", out, "the fallback language stands in")
	_, err = c.Dictionaries.LanguageInfo(ctx, id, "fr-FR", false)
	require.ErrorIs(t, err, tago.ErrNotFound, "without fallback a missing language is an error")

	run, err := c.Run.Info(ctx)
	require.NoError(t, err)
	anon, _ := flowClient(t, srv, tago.Anonymous())
	out, err = anon.Dictionaries.RunTranslator(run.URL, "pt-BR").Apply(ctx, "#PLANT.TITLE,1#!")
	require.NoError(t, err)
	assert.Equal(t, "Caldeira 1!", out)

	require.NoError(t, c.Dictionaries.DeleteLanguage(ctx, id, "pt-BR"))
	require.NoError(t, c.Dictionaries.Delete(ctx, id))
	_, err = c.Dictionaries.Info(ctx, id)
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// TestFlowTemplatesAndTagoCores makes a template of a dashboard and installs it, and
// manages a TagoCore instance, on tagotest.
func TestFlowTemplatesAndTagoCores(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()
	dash, err := c.Dashboards.Create(ctx, tago.DashboardCreateRequest{Label: "Plant"})
	require.NoError(t, err)
	tid, err := c.Templates.Generate(ctx, tago.TemplateGenerateRequest{Dashboard: dash, Name: "Plant template"})
	require.NoError(t, err)
	info, err := c.Templates.Info(ctx, tid)
	require.NoError(t, err)
	assert.Equal(t, "Plant template", info.Name)
	assert.Equal(t, "dashboard", info.Type)
	got, err := c.Templates.Install(ctx, tid, nil)
	require.NoError(t, err)
	require.NotEmpty(t, got.Dashboard)
	assert.NotEqual(t, dash, got.Dashboard)
	copied, err := c.Dashboards.Info(ctx, got.Dashboard)
	require.NoError(t, err)
	assert.Equal(t, "Plant", copied.Label)

	tc := srv.AddTagoCore("Edge 1")
	list, err := c.TagoCores.List(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, []tago.TagoCore{{ID: tc.ID, Name: "Edge 1"}}, list)
	full, err := c.TagoCores.Info(ctx, tc.ID, true)
	require.NoError(t, err)
	assert.Equal(t, tago.Secret(tc.Token), full.Token)
	assert.NotNil(t, full.Summary)
	bare, err := c.TagoCores.Info(ctx, tc.ID, false)
	require.NoError(t, err)
	assert.Nil(t, bare.Summary)
	tok, err := c.TagoCores.GenerateToken(ctx, tc.ID)
	require.NoError(t, err)
	assert.NotEqual(t, tago.Secret(tc.Token), tok)
	// A standalone instance's devices are its own: listed and read with its ID, not
	// among the profile's.
	own := srv.AddDevice(tagotest.DeviceSpec{Name: "Cloud meter"})
	edge := srv.AddDevice(tagotest.DeviceSpec{Name: "Edge meter", TagoCore: tc.ID})
	devs, err := c.TagoCores.Devices(ctx, tc.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []tago.Device{{ID: edge.ID, Name: "Edge meter"}}, devs)
	var all []string
	for d, err := range c.TagoCores.AllDevices(ctx, tc.ID, &tago.DeviceListOptions{Name: "Edge*"}) {
		require.NoError(t, err)
		all = append(all, d.Name)
	}
	assert.Equal(t, []string{"Edge meter"}, all)
	dev, err := c.TagoCores.DeviceInfo(ctx, tc.ID, edge.ID)
	require.NoError(t, err)
	assert.Equal(t, "Edge meter", dev.Name)
	_, err = c.TagoCores.DeviceInfo(ctx, tc.ID, own.ID)
	require.ErrorIs(t, err, tago.ErrNotFound, "the profile's own device is not the instance's")
	_, err = c.Devices.Info(ctx, edge.ID)
	require.ErrorIs(t, err, tago.ErrNotFound, "the instance's device is not the profile's")
	cloud, err := c.Devices.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, cloud, 1)
	assert.Equal(t, own.ID, cloud[0].ID)

	require.NoError(t, c.TagoCores.Edit(ctx, tc.ID, tago.TagoCoreEditRequest{Name: tago.Ptr("Edge 2"), Tags: []tago.Tag{{Key: "site", Value: "n"}}}))
	require.NoError(t, c.TagoCores.Delete(ctx, tc.ID))
	_, err = c.TagoCores.Info(ctx, tc.ID, false)
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// TestFlowSQLRowsIntoStructs stores a TagoSQL query on tagotest, executes it with a
// parameter and decodes its rows into structs (issue 14's SQL story), then edits it
// and reads its first version back.
func TestFlowSQLRowsIntoStructs(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()
	dev := createDevice(t, c, "Boiler")
	at := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	_, err := c.Devices.Data(dev.ID).Send(ctx,
		tago.Data{Variable: "temp", Value: 21.5, Unit: "C", Time: at},
		tago.Data{Variable: "temp", Value: 35.0, Unit: "C", Time: at.Add(time.Minute)},
		tago.Data{Variable: "temp", Value: 41.0, Unit: "C", Time: at.Add(2 * time.Minute)},
		tago.Data{Variable: "hum", Value: 60.0, Time: at})
	require.NoError(t, err)

	q, err := c.SQL.Create(ctx, tago.SQLQueryRequest{Name: "Hot",
		Query:  "SELECT variable, value, time FROM data WHERE variable = 'temp' AND value > {{min}} ORDER BY time DESC",
		Params: []tago.SQLParam{{Key: "min", Value: "30"}}})
	require.NoError(t, err)
	assert.Equal(t, 1, q.Version)

	res, err := c.SQL.Execute(ctx, q.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []tago.SQLColumn{{Name: "variable", Type: tago.SQLString}, {Name: "value", Type: tago.SQLJSON},
		{Name: "time", Type: tago.SQLTimestamp}}, res.Columns)
	type reading struct {
		Variable string    `json:"variable"`
		Value    float64   `json:"value"`
		Time     time.Time `json:"time"`
	}
	rows, err := tago.SQLRows[reading](res)
	require.NoError(t, err)
	assert.Equal(t, []reading{{"temp", 41, at.Add(2 * time.Minute)}, {"temp", 35, at.Add(time.Minute)}}, rows)
	assert.Equal(t, 2, res.RowCount)

	res, err = c.SQL.Execute(ctx, q.ID, &tago.SQLExecuteOptions{Params: []tago.SQLParam{{Key: "min", Value: "40"}}})
	require.NoError(t, err)
	assert.Len(t, res.Rows, 1, "the execute parameters override the stored ones")

	edited, err := c.SQL.Edit(ctx, q.ID, tago.SQLQueryRequest{Name: "Count", Query: "SELECT COUNT(*) FROM data"})
	require.NoError(t, err)
	assert.Equal(t, 2, edited.Version)
	res, err = c.SQL.Execute(ctx, q.ID, nil)
	require.NoError(t, err)
	counts, err := res.Maps()
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{"count": 4.0}}, counts)
	v1, err := c.SQL.Version(ctx, q.ID, 1)
	require.NoError(t, err)
	assert.Contains(t, v1.Query, "{{min}}")

	_, err = c.SQL.Create(ctx, tago.SQLQueryRequest{Name: "Bad", Query: "DROP TABLE data"})
	require.ErrorIs(t, err, tago.ErrBadRequest)
	tables, err := c.SQL.Tables(ctx, nil)
	require.NoError(t, err)
	require.Len(t, tables.Tables, 1)
	assert.Equal(t, []tago.SQLResource{{ID: dev.ID, Name: "Boiler"}}, tables.Resources.Devices)
	require.NoError(t, c.SQL.Delete(ctx, q.ID))
	_, err = c.SQL.Info(ctx, q.ID)
	require.ErrorIs(t, err, tago.ErrNotFound)
}
