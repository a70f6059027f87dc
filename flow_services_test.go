package tago_test

import (
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A device's data backed up to Files and restored into another device, a chunk of an
// immutable device backed up and copied, and the refusals on the way.
func TestFlowDeviceBackupAndRestore(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	srv := tagotest.NewServer(t, tagotest.WithClock(func() time.Time { return now }))
	account := accountClient(t, srv)

	src := createDevice(t, account, "Boiler")
	sender, _ := flowClient(t, srv, tago.DeviceToken(src.Token.Reveal()))
	sent := []tago.Data{
		{Variable: "temperature", Value: 21.5, Unit: "°C", Time: at(9, 0), Location: &tago.Location{Lat: -23.5, Lng: -46.6}},
		{Variable: "temperature", Value: 22.0, Unit: "°C", Time: at(10, 0), Metadata: map[string]any{"source": "probe, \"A\""}},
		{Variable: "state", Value: "on", Time: at(11, 0)},
		{Variable: "alarm", Value: true, Group: "g1", Time: at(11, 30)},
	}
	_, err := sender.Data.Send(ctx, sent...)
	require.NoError(t, err)

	backup, err := account.Devices.BackupData(ctx, src.ID, tago.DataBackupRequest{FileAddress: "/backups/$DEVICE$/$TIMESTAMP$", Headers: tago.Ptr(true)})
	require.NoError(t, err)
	want := "backups/" + src.ID + "/" + "1741608000000" + ".csv"
	assert.Equal(t, tago.DataBackup{FileAddress: want, Status: "scheduled"}, backup)
	file, found := srv.File("", want)
	require.True(t, found, "the backup is in Files")
	assert.True(t, strings.HasPrefix(string(file), "id,variable,value,unit,group,location,metadata,time,created_at\n"), string(file))

	dst := createDevice(t, account, "Boiler (restored)")
	require.NoError(t, account.Devices.RestoreData(ctx, dst.ID, tago.DataRestoreRequest{FileAddress: "/" + backup.FileAddress}))
	before, after := srv.Data(src.ID), srv.Data(dst.ID)
	require.Len(t, after, len(before))
	for i := range before {
		b, a := before[i], after[i]
		assert.Equal(t, b.Variable, a.Variable, i)
		assert.Equal(t, b.Value, a.Value, i)
		assert.Equal(t, b.Unit, a.Unit, i)
		assert.Equal(t, b.Group, a.Group, i)
		assert.Equal(t, b.Location, a.Location, i)
		assert.Equal(t, b.Metadata, a.Metadata, i)
		assert.True(t, b.Time.Equal(a.Time), i)
		assert.NotEqual(t, b.ID, a.ID, "a restore makes new records")
	}

	// A hand-written CSV with the documented columns only.
	srv.AddFile("", "imports/july.csv", []byte("variable,value,time,extra\nlevel,42,2025-03-09T08:00:00.000Z,x\nnote,,2025-03-09T09:00:00.000Z,y\n"))
	require.NoError(t, account.Devices.RestoreData(ctx, dst.ID, tago.DataRestoreRequest{FileAddress: "imports/july.csv"}))
	assert.Len(t, srv.Data(dst.ID), len(before)+2)

	err = account.Devices.RestoreData(ctx, dst.ID, tago.DataRestoreRequest{FileAddress: "/nowhere.csv"})
	require.ErrorIs(t, err, tago.ErrNotFound)
	srv.AddFile("", "bad.csv", []byte("value\n1\n"))
	err = account.Devices.RestoreData(ctx, dst.ID, tago.DataRestoreRequest{FileAddress: "bad.csv"})
	require.ErrorIs(t, err, tago.ErrBadRequest)

	// An immutable device's chunks.
	imm := srv.AddDevice(tagotest.DeviceSpec{Name: "Meter", Type: "immutable", ChunkPeriod: "day", ChunkRetention: 3})
	srv.AddData(imm.ID, tagotest.Record{Variable: "kwh", Value: 1, Time: at(1, 0)},
		tagotest.Record{Variable: "kwh", Value: 2, Time: at(2, 0)},
		tagotest.Record{Variable: "kwh", Value: 3, Time: at(1, 0).Add(-24 * time.Hour)})
	chunks, err := account.Devices.Chunks(ctx, imm.ID)
	require.NoError(t, err)
	require.Len(t, chunks, 2)
	day := chunks[1]
	got, err := account.Devices.BackupChunk(ctx, imm.ID, day.ID, tago.DataBackupRequest{FileAddress: "/chunks/$DEVICE$/$FROM$_$TO$", Headers: tago.Ptr(false)})
	require.NoError(t, err)
	assert.Equal(t, tago.DataBackup{ChunkID: day.ID, FileAddress: "chunks/" + imm.ID + "/2025-03-10_2025-03-10.csv", Status: "scheduled"}, got)
	file, found = srv.File("", got.FileAddress)
	require.True(t, found)
	assert.Equal(t, 2, strings.Count(string(file), "\n"), "two records, no header line: %s", file)
	copied, err := account.Devices.CopyChunk(ctx, imm.ID, day.ID, tago.DataBackupRequest{FileAddress: "copies/$CHUNK$"})
	require.NoError(t, err)
	assert.Equal(t, "copies/"+day.ID+".csv", copied.FileAddress)
	_, err = account.Devices.BackupChunk(ctx, imm.ID, "1_2", tago.DataBackupRequest{FileAddress: "x"})
	require.ErrorIs(t, err, tago.ErrNotFound)
	_, err = account.Devices.BackupChunk(ctx, src.ID, day.ID, tago.DataBackupRequest{FileAddress: "x"})
	require.ErrorIs(t, err, tago.ErrBadRequest, "a mutable device has no chunks")
	assert.ElementsMatch(t, []string{want, "imports/july.csv", "bad.csv", got.FileAddress, copied.FileAddress}, srv.Files(""))
}

// Converting a device's storage: only an empty, inactive device converts, and its
// token keeps working.
func TestFlowConvertDevice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	dev := createDevice(t, account, "Line 1")
	toImmutable := tago.DeviceConvertRequest{Type: tago.DeviceImmutable, ChunkPeriod: tago.ChunkMonth, ChunkRetention: tago.Ptr(12)}

	err := account.Devices.Convert(ctx, dev.ID, toImmutable)
	require.ErrorIs(t, err, tago.ErrBadRequest, "an active device does not convert")
	require.NoError(t, account.Devices.Edit(ctx, dev.ID, tago.DeviceEditRequest{Active: tago.Ptr(false)}))
	srv.AddData(dev.ID, tagotest.Record{Variable: "v", Value: 1})
	err = account.Devices.Convert(ctx, dev.ID, toImmutable)
	require.ErrorIs(t, err, tago.ErrBadRequest, "a device with data does not convert")
	require.NoError(t, account.Devices.EmptyData(ctx, dev.ID))
	require.NoError(t, account.Devices.Convert(ctx, dev.ID, toImmutable))

	info, err := account.Devices.Info(ctx, dev.ID)
	require.NoError(t, err)
	assert.Equal(t, tago.DeviceImmutable, info.Type)
	assert.Equal(t, tago.ChunkMonth, info.ChunkPeriod)
	assert.Equal(t, 12, info.ChunkRetention)
	require.NoError(t, account.Devices.Edit(ctx, dev.ID, tago.DeviceEditRequest{Active: tago.Ptr(true)}))
	sender, _ := flowClient(t, srv, tago.DeviceToken(dev.Token.Reveal()))
	n, err := sender.Data.Send(ctx, tago.Data{Variable: "v", Value: 2})
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the token survived the conversion")
}

// A device without network or connector goes to the server, which answers with its own
// refusal; device lists resolve bucket names.
func TestFlowDeviceCreateLeavesNetworkToTheServer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	_, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{Name: "No network"})
	require.ErrorIs(t, err, tago.ErrBadRequest)
	var apiErr *tago.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.FieldErrors, "network")
	require.Len(t, requestsTo(srv, "POST", "/device"), 1, "the server decided")

	_, err = account.Devices.Create(ctx, tago.DeviceCreateRequest{Name: "x", Network: "not-an-id", Connector: tagotest.DefaultConnectorID})
	require.ErrorIs(t, err, tago.ErrBadRequest)

	createDevice(t, account, "Boiler")
	devs, err := account.Devices.List(ctx, &tago.DeviceListOptions{ResolveBucketName: true,
		ListOptions: tago.ListOptions{Fields: []string{"id", "name", "bucket_name"}}})
	require.NoError(t, err)
	require.Len(t, devs, 1)
	assert.Equal(t, "Boiler", devs[0].BucketName)
}

// Widgets: blueprint slots and their buckets, data sent without storing it, device
// resources edited through a device list, an embed token.
func TestFlowWidgetOptions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	a := srv.AddDevice(tagotest.DeviceSpec{Name: "A", Tags: []tagotest.Tag{{Key: "site", Value: "north"}}})
	b := srv.AddDevice(tagotest.DeviceSpec{Name: "B"})
	srv.AddData(a.ID, tagotest.Record{Variable: "level", Value: 1})
	srv.AddData(b.ID, tagotest.Record{Variable: "level", Value: 2})
	dash := srv.AddDashboard(tagotest.DashboardSpec{Label: "Tanks"})
	w := srv.AddWidget(dash.ID, tagotest.WidgetSpec{Label: "Level", Data: []tagotest.WidgetData{{Origin: "slot-1", Variables: []string{"level"}, Query: "last_value"}}})

	values := func(opts *tago.WidgetDataOptions) []float64 {
		t.Helper()
		res, err := account.Dashboards.WidgetData(ctx, dash.ID, w.ID, opts)
		require.NoError(t, err)
		var content []struct {
			Result []tago.Data `json:"result"`
		}
		require.NoError(t, json.Unmarshal(res.Content, &content))
		var out []float64
		for _, c := range content {
			for _, d := range c.Result {
				f, _ := d.Float()
				out = append(out, f)
			}
		}
		return out
	}
	assert.Empty(t, values(nil), "an unfilled slot shows nothing")
	assert.Equal(t, []float64{1}, values(&tago.WidgetDataOptions{BlueprintDevices: []tago.BlueprintDevice{{Origin: "slot-1", ID: a.ID}}}))
	assert.Equal(t, []float64{2}, values(&tago.WidgetDataOptions{BlueprintDevices: []tago.BlueprintDevice{{Origin: "slot-1", ID: a.ID, Bucket: b.ID}}}))

	require.NoError(t, account.Dashboards.SendWidgetData(ctx, dash.ID, w.ID,
		[]tago.WidgetRecord{{Origin: a.ID, Variable: "reset", Value: true}}, &tago.WidgetSendOptions{BypassBucket: true}))
	assert.Len(t, srv.Data(a.ID), 1, "bypass_bucket stores nothing")
	require.NoError(t, account.Dashboards.SendWidgetData(ctx, dash.ID, w.ID,
		[]tago.WidgetRecord{{Origin: a.ID, Variable: "reset", Value: true}}, nil))
	assert.Len(t, srv.Data(a.ID), 2)

	require.NoError(t, account.Dashboards.EditWidgetResource(ctx, dash.ID, w.ID, []tago.WidgetResourceEdit{
		{Device: a.ID, Name: tago.Ptr("A (north)"), Tags: map[string]string{"site": "south", "zone": "2"}, Params: map[string]string{"interval": "60"}},
		{Device: b.ID, Active: tago.Ptr(false)},
	}, &tago.WidgetResourceOptions{Identifier: "rename"}))
	gotA, _ := srv.Device(a.ID)
	assert.Equal(t, "A (north)", gotA.Name)
	assert.Equal(t, []tagotest.Tag{{Key: "site", Value: "south"}, {Key: "zone", Value: "2"}}, gotA.Tags)
	params := srv.Params(a.ID)
	require.Len(t, params, 1)
	assert.Equal(t, "interval", params[0].Key)
	assert.Equal(t, "60", params[0].Value)
	gotB, _ := srv.Device(b.ID)
	assert.False(t, gotB.Active)
	other := srv.AddProfile("Other")
	foreign := srv.AddDevice(tagotest.DeviceSpec{Name: "F", Profile: other.ID})
	err := account.Dashboards.EditWidgetResource(ctx, dash.ID, w.ID, []tago.WidgetResourceEdit{{Device: foreign.ID, Name: tago.Ptr("x")}}, nil)
	require.ErrorIs(t, err, tago.ErrNotFound)

	tok, err := account.Dashboards.WidgetToken(ctx, dash.ID, w.ID)
	require.NoError(t, err)
	assert.Len(t, tok.Reveal(), 36)
}

// Managing integrations with an account token, then what a bridge with the network's
// token does: list the connector's devices, set a parameter, publish to the relay and
// send data with an authorization key; and what a client holding that key sees.
func TestFlowIntegrationsAndNetworkSide(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)

	netID, err := account.Networks.Create(ctx, tago.NetworkCreateRequest{Name: "My LoRa server", RequireDevicesAccess: tago.Ptr(true),
		SerialNumber: &tago.SerialNumberFormat{Label: "DevEUI", Required: true}})
	require.NoError(t, err)
	require.NoError(t, account.Networks.Edit(ctx, netID, tago.NetworkEditRequest{Description: tago.Ptr("on premises")}))
	net, err := account.Networks.Info(ctx, netID)
	require.NoError(t, err)
	assert.Equal(t, "on premises", net.Description)
	assert.True(t, net.RequireDevicesAccess)

	connID, err := account.Networks.CreateConnector(ctx, tago.ConnectorCreateRequest{Name: "EM300", Networks: []string{netID}})
	require.NoError(t, err)
	require.NoError(t, account.Networks.EditConnector(ctx, connID, tago.ConnectorEditRequest{InstallText: tago.Ptr("Scan the QR code")}))
	conns, err := account.Networks.ListConnectors(ctx, &tago.ConnectorListOptions{Networks: []string{netID}})
	require.NoError(t, err)
	require.Len(t, conns, 1, "only the connector of the new network")
	assert.Equal(t, connID, conns[0].ID)
	_, err = account.Networks.CreateConnector(ctx, tago.ConnectorCreateRequest{Name: "x", Networks: []string{"ffffffffffffffffffffffff"}})
	require.ErrorIs(t, err, tago.ErrBadRequest, "an unknown network in the body is a field error, as for a device's network")
	var fieldErr *tago.APIError
	require.ErrorAs(t, err, &fieldErr)
	assert.Contains(t, fieldErr.FieldErrors, "networks[0]")

	const devEUI = "70B3D57ED0041234"
	dev, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{Name: "Field sensor", Network: netID, Connector: connID, SerieNumber: devEUI})
	require.NoError(t, err)
	createDevice(t, account, "Not on the network")
	auth, err := account.Authorizations.Create(ctx, tago.AuthorizationCreateRequest{Name: "LoRa server"})
	require.NoError(t, err)
	bridgeTok, err := account.Networks.CreateToken(ctx, netID, tago.NetworkTokenCreateRequest{Name: "bridge"})
	require.NoError(t, err)
	bridge, _ := flowClient(t, srv, tago.NetworkToken(bridgeTok.Token.Reveal()))

	devs, err := bridge.Networks.ListDevices(ctx, connID, nil)
	require.NoError(t, err)
	require.Len(t, devs, 1)
	assert.Equal(t, dev.ID, devs[0].ID)
	assert.Equal(t, dev.Token, devs[0].Token)
	n := 0
	for d, err := range bridge.Networks.AllDevices(ctx, connID, &tago.NetworkDeviceListOptions{Name: "field*"}) {
		require.NoError(t, err)
		assert.Equal(t, dev.ID, d.ID)
		n++
	}
	assert.Equal(t, 1, n)

	require.NoError(t, bridge.Networks.SetDeviceParams(ctx, dev.ID, tago.ConfigParam{Key: "downlink_url", Value: "https://down.example"}))
	params, err := account.Devices.Params(ctx, dev.ID, tago.ParamsAll)
	require.NoError(t, err)
	require.Len(t, params, 1)
	assert.Equal(t, "https://down.example", params[0].Value)

	require.NoError(t, bridge.Networks.PublishToRelay(ctx, tago.RelayMessage{Device: dev.ID, Topic: "down/" + devEUI, Message: "0100", QoS: tago.Ptr(1)}))
	assert.Equal(t, []tagotest.RelayMessage{{Network: netID, Device: dev.ID, Topic: "down/" + devEUI, Message: "0100", QoS: 1}}, srv.Published())

	require.NoError(t, bridge.Networks.SendData(ctx, auth.Token.Reveal(),
		tago.Data{Variable: "payload", Value: "41BC7E1F2A", Metadata: map[string]any{"serial": devEUI}}))
	stored := srv.Data(dev.ID)
	require.Len(t, stored, 1)
	assert.Equal(t, "41BC7E1F2A", stored[0].Value)
	err = bridge.Networks.SendData(ctx, "at00000000000000000000000000000000", tago.Data{Variable: "payload", Metadata: map[string]any{"serial": devEUI}})
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "at00000000000000000000000000000000")

	keyHolder, _ := flowClient(t, srv, tago.AuthorizationToken(auth.Token.Reveal()))
	self, err := keyHolder.Authorizations.CurrentWith(ctx, &tago.InfoOptions{Details: true})
	require.NoError(t, err)
	assert.Equal(t, "LoRa server", self.Name)
	assert.Equal(t, srv.ProfileID(), self.RefID)
	current, err := bridge.Networks.CurrentWith(ctx, &tago.InfoOptions{Details: true})
	require.NoError(t, err)
	assert.Equal(t, netID, current.ID)
	tok, err := bridge.Networks.ResolveTokenWith(ctx, devEUI, auth.Token.Reveal(), &tago.ResolveOptions{Details: true})
	require.NoError(t, err)
	assert.Equal(t, dev.Token, tok)

	// Without require_devices_access the listing is refused.
	require.NoError(t, account.Networks.Edit(ctx, netID, tago.NetworkEditRequest{RequireDevicesAccess: tago.Ptr(false)}))
	_, err = bridge.Networks.ListDevices(ctx, connID, nil)
	require.ErrorIs(t, err, tago.ErrUnauthorized)

	require.NoError(t, account.Networks.DeleteConnector(ctx, connID))
	_, err = account.Networks.ConnectorInfo(ctx, connID)
	require.ErrorIs(t, err, tago.ErrNotFound)
	require.NoError(t, account.Networks.Delete(ctx, netID))
	_, err = bridge.Networks.Current(ctx)
	require.ErrorIs(t, err, tago.ErrUnauthorized, "the network's tokens went with it")
}

// Profile backups: one a day, listed, downloaded and deleted with the password.
func TestFlowProfileBackups(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	var clock atomic.Int64 // Unix nanoseconds; the server reads it while handling requests
	clock.Store(now.UnixNano())
	srv := tagotest.NewServer(t, tagotest.WithClock(func() time.Time { return time.Unix(0, clock.Load()).UTC() }))
	account := accountClient(t, srv)
	prof := srv.ProfileID()

	created, err := account.ProfileBackups.Create(ctx, prof)
	require.NoError(t, err)
	assert.Equal(t, prof, created.Profile)
	_, err = account.ProfileBackups.Create(ctx, "current")
	require.ErrorIs(t, err, tago.ErrForbidden, "one backup a day")

	list, err := account.ProfileBackups.List(ctx, prof, nil)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, created.ID, list[0].ID)
	assert.Equal(t, tago.BackupCompleted, list[0].Status)
	assert.True(t, list[0].CreatedAt.Equal(now))

	wrong := tago.BackupCredentials{Password: "not-the-password"}
	_, err = account.ProfileBackups.Download(ctx, prof, created.ID, wrong)
	require.ErrorIs(t, err, tago.ErrUnauthorized, "the account's password is checked")
	assert.NotContains(t, err.Error(), wrong.Password)
	require.ErrorIs(t, account.ProfileBackups.Delete(ctx, prof, created.ID, wrong), tago.ErrUnauthorized)
	cred := tago.BackupCredentials{Password: tagotest.DefaultPassword}
	dl, err := account.ProfileBackups.Download(ctx, prof, created.ID, cred)
	require.NoError(t, err)
	assert.Equal(t, created.ID, dl.BackupID)
	assert.True(t, strings.HasPrefix(dl.URL.Reveal(), "https://"))
	assert.True(t, dl.ExpireAt.Equal(now.Add(2*time.Hour)))

	err = account.ProfileBackups.Delete(ctx, prof, "ffffffffffffffffffffffff", cred)
	require.ErrorIs(t, err, tago.ErrNotFound)
	require.NoError(t, account.ProfileBackups.Delete(ctx, prof, created.ID, cred))
	n := 0
	for _, err := range account.ProfileBackups.All(ctx, prof, nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 0, n)
	var apiErr *tago.APIError
	_, err = account.ProfileBackups.Create(ctx, prof)
	assert.True(t, errors.As(err, &apiErr) && apiErr.HTTPStatus == 403, "still one a day after deleting: %v", err)
	clock.Store(now.Add(24 * time.Hour).UnixNano())
	next, err := account.ProfileBackups.Create(ctx, prof)
	require.NoError(t, err, "a new day, a new backup")
	assert.NotEqual(t, created.ID, next.ID)
}
