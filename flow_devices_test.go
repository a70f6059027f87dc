package tago_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// A device's whole life: created with an account token, given a token, fed readings
// with that token, read back, edited, emptied of a record, then deleted with its tokens.
func TestFlowDeviceLifecycle(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)

	// Create the device.
	dev, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{
		Name: "Greenhouse 1", Network: tagotest.DefaultNetworkID, Connector: tagotest.DefaultConnectorID,
		Description: tago.Ptr("north wing"), Tags: []tago.Tag{{Key: "site", Value: "lyon"}},
	})
	require.NoError(t, err)
	assert.Regexp(t, hexID, dev.ID)
	require.NotEmpty(t, dev.Token.Reveal())
	held, ok := srv.Device(dev.ID)
	require.True(t, ok)
	assert.Equal(t, "Greenhouse 1", held.Name)
	assert.Equal(t, "north wing", held.Description)
	assert.Equal(t, []tagotest.Tag{{Key: "site", Value: "lyon"}}, held.Tags)
	assert.Equal(t, dev.Token.Reveal(), held.Token)

	info, err := account.Devices.Info(ctx, dev.ID)
	require.NoError(t, err)
	assert.Equal(t, dev.ID, info.ID)
	assert.Equal(t, "Greenhouse 1", info.Name)
	assert.Equal(t, tago.DeviceMutable, info.Type)
	assert.Equal(t, tagotest.DefaultNetworkID, info.Network)
	assert.Equal(t, tagotest.DefaultConnectorID, info.Connector)
	assert.True(t, info.Active)
	assert.Equal(t, []tago.Tag{{Key: "site", Value: "lyon"}}, info.Tags)

	// Give it a token of its own for the gateway.
	tok, err := account.Tokens.Create(ctx, dev.ID, tago.DeviceTokenCreateRequest{
		Name: "gateway", Permission: tago.PermissionFull, ExpireTime: tago.ExpiresNever(),
	})
	require.NoError(t, err)
	assert.Equal(t, tago.PermissionFull, tok.Permission)
	assert.True(t, tok.ExpireTime.Never)
	stored, ok := srv.LookupDeviceToken(tok.Token.Reveal())
	require.True(t, ok)
	assert.Equal(t, dev.ID, stored.Device)
	assert.Equal(t, "gateway", stored.Name)
	assert.Equal(t, "full", stored.Permission)

	found, err := account.Tokens.FindByName(ctx, dev.ID, "gateway")
	require.NoError(t, err)
	assert.Equal(t, tok.Token, found.Token)

	// The gateway sends readings with the device token.
	gateway, _ := flowClient(t, srv, tago.DeviceToken(tok.Token.Reveal()))
	n, err := gateway.Data.Send(ctx,
		tago.Data{Variable: "temperature", Value: 20.5, Unit: "°C", Time: at(9, 0)},
		tago.Data{Variable: "temperature", Value: 21.5, Unit: "°C", Time: at(10, 0)},
		tago.Data{Variable: "temperature", Value: 22.75, Unit: "°C", Time: at(11, 0)},
		tago.Data{Variable: "door", Value: "open", Time: at(11, 5)},
	)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	require.Len(t, srv.Data(dev.ID), 4)

	// Read the last value, the average and the count.
	last, err := gateway.Data.Get(ctx, &tago.DataQuery{Query: tago.QueryLastValue, Variables: []string{"temperature"}})
	require.NoError(t, err)
	require.Len(t, last, 1)
	v, ok := last[0].Float()
	require.True(t, ok)
	assert.Equal(t, 22.75, v)
	assert.Equal(t, "°C", last[0].Unit)
	assert.True(t, last[0].Time.Equal(at(11, 0)), "time %v", last[0].Time)
	lastID := last[0].ID

	avg, err := gateway.Data.Summarize(ctx, &tago.DataQuery{Query: tago.QueryAvg, Variables: []string{"temperature"}, StartDate: at(0, 0)})
	require.NoError(t, err)
	require.Len(t, avg, 1)
	assert.InDelta(t, (20.5+21.5+22.75)/3, avg[0].Value, 1e-9)

	count, err := gateway.Data.Count(ctx, &tago.DataQuery{Variables: []string{"temperature"}})
	require.NoError(t, err)
	assert.Equal(t, 3, count)
	count, err = gateway.Data.Count(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 4, count)

	// Correct the newest temperature, then delete it.
	edited, err := gateway.Data.Edit(ctx, tago.DataEdit{ID: lastID, Value: 23.0})
	require.NoError(t, err)
	assert.Equal(t, 1, edited)
	for _, r := range srv.Data(dev.ID) {
		if r.ID == lastID {
			assert.Equal(t, 23.0, r.Value)
		}
	}
	removed, err := gateway.Data.Delete(ctx, &tago.DataQuery{IDs: []string{lastID}})
	require.NoError(t, err)
	assert.Equal(t, 1, removed)
	require.Len(t, srv.Data(dev.ID), 3)
	amount, err := account.Devices.DataAmount(ctx, dev.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(3), amount)

	// Rename the device; the device token sees the change too.
	require.NoError(t, account.Devices.Edit(ctx, dev.ID, tago.DeviceEditRequest{
		Name: tago.Ptr("Greenhouse 1 (north)"), Tags: []tago.Tag{{Key: "site", Value: "paris"}},
	}))
	self, err := gateway.Data.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, dev.ID, self.ID)
	assert.Equal(t, "Greenhouse 1 (north)", self.Name)
	assert.Equal(t, []tago.Tag{{Key: "site", Value: "paris"}}, self.Tags)

	// Revoke the gateway's token: it stops working, the first token still works.
	require.NoError(t, account.Tokens.Delete(ctx, tok.Token.Reveal()))
	_, err = gateway.Data.Info(ctx)
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	first, _ := flowClient(t, srv, tago.DeviceToken(dev.Token.Reveal()))
	_, err = first.Data.Info(ctx)
	require.NoError(t, err)

	// Delete the device: it is gone, and so are its data and tokens.
	require.NoError(t, account.Devices.Delete(ctx, dev.ID))
	_, err = account.Devices.Info(ctx, dev.ID)
	require.ErrorIs(t, err, tago.ErrNotFound)
	var apiErr *tago.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Device not found", apiErr.Message)
	_, ok = srv.Device(dev.ID)
	assert.False(t, ok)
	assert.Empty(t, srv.DeviceTokens(dev.ID))
	_, err = first.Data.Info(ctx)
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	require.ErrorIs(t, account.Devices.Delete(ctx, dev.ID), tago.ErrNotFound)
}

// Listing devices: every filter the SDK offers narrows the fake's answer the way the
// platform does, and All walks the pages until a short one.
func TestFlowDeviceListFiltersAndPages(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)

	// 25 devices: sensors and pumps on two sites; every fifth one inactive.
	var all []string
	for i := range 25 {
		kind, site := "sensor", "lyon"
		if i%3 == 0 {
			kind = "pump"
		}
		if i%2 == 0 {
			site = "paris"
		}
		spec := tagotest.DeviceSpec{Name: fmt.Sprintf("%s %02d", kind, i), Tags: []tagotest.Tag{{Key: "site", Value: site}}, Inactive: i%5 == 4}
		if i == 7 {
			spec.SerieNumber = "70B3D57ED0041234"
		}
		all = append(all, srv.AddDevice(spec).ID)
	}

	names := func(devs []tago.Device) []string {
		out := make([]string, len(devs))
		for i, d := range devs {
			out[i] = d.Name
		}
		return out
	}

	// The default page: 20 devices by name, with id, name and tags.
	page, err := account.Devices.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, page, 20)
	assert.Equal(t, "pump 00", page[0].Name)
	assert.Equal(t, "sensor 01", page[9].Name)
	assert.Equal(t, []tago.Tag{{Key: "site", Value: "paris"}}, page[0].Tags)
	assert.False(t, page[0].Active, "active was not asked for, so it stays false")

	pumps, err := account.Devices.List(ctx, &tago.DeviceListOptions{Name: "PUMP*"})
	require.NoError(t, err)
	assert.Equal(t, []string{"pump 00", "pump 03", "pump 06", "pump 09", "pump 12", "pump 15", "pump 18", "pump 21", "pump 24"}, names(pumps))

	lyonSensors, err := account.Devices.List(ctx, &tago.DeviceListOptions{
		Name: "*sensor*", Tags: []tago.Tag{{Key: "site", Value: "lyon"}},
		ListOptions: tago.ListOptions{OrderBy: tago.Desc("name")},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"sensor 23", "sensor 19", "sensor 17", "sensor 13", "sensor 11", "sensor 07", "sensor 05", "sensor 01"}, names(lyonSensors))

	inactive, err := account.Devices.List(ctx, &tago.DeviceListOptions{
		Active: tago.Ptr(false), ListOptions: tago.ListOptions{Fields: []string{"id", "name", "active"}},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"pump 09", "pump 24", "sensor 04", "sensor 14", "sensor 19"}, names(inactive))
	for _, d := range inactive {
		assert.False(t, d.Active)
		assert.Empty(t, d.Tags, "tags were not asked for")
	}

	bySerial, err := account.Devices.List(ctx, &tago.DeviceListOptions{Serial: "70B3D57ED0041234"})
	require.NoError(t, err)
	assert.Equal(t, []string{"sensor 07"}, names(bySerial))

	none, err := account.Devices.List(ctx, &tago.DeviceListOptions{Name: "valve*"})
	require.NoError(t, err)
	assert.Empty(t, none)

	// All with pages of 7: 7, 7, 7 and a short page of 4, then it stops.
	srv.ClearRequests()
	var seen []string
	for d, err := range account.Devices.All(ctx, &tago.DeviceListOptions{ListOptions: tago.ListOptions{Amount: 7, Fields: []string{"id", "name"}}}) {
		require.NoError(t, err)
		seen = append(seen, d.ID)
	}
	assert.ElementsMatch(t, all, seen)
	reqs := requestsTo(srv, "GET", "/device")
	require.Len(t, reqs, 4)
	for i, r := range reqs {
		assert.Equal(t, fmt.Sprint(i+1), r.Query.Get("page"))
		assert.Equal(t, "7", r.Query.Get("amount"))
	}

	// Breaking out of the loop fetches no further page.
	srv.ClearRequests()
	taken := 0
	for _, err := range account.Devices.All(ctx, &tago.DeviceListOptions{ListOptions: tago.ListOptions{Amount: 5}}) {
		require.NoError(t, err)
		taken++
		if taken == 6 {
			break
		}
	}
	assert.Len(t, requestsTo(srv, "GET", "/device"), 2)

	// A filter and a starting page combine: pumps from page 2 in pages of 4.
	var later []string
	for d, err := range account.Devices.All(ctx, &tago.DeviceListOptions{Name: "pump*", ListOptions: tago.ListOptions{Page: 2, Amount: 4}}) {
		require.NoError(t, err)
		later = append(later, d.Name)
	}
	assert.Equal(t, []string{"pump 12", "pump 15", "pump 18", "pump 21", "pump 24"}, later)
}

// Configuration parameters: the account sets them, the device lists the unread ones
// and acknowledges them, the account sees which were read, edits and removes one.
func TestFlowConfigParams(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	dev := createDevice(t, account, "Valve")
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token.Reveal()))

	require.NoError(t, account.Devices.SetParams(ctx, dev.ID,
		tago.ConfigParam{Key: "interval", Value: "60"},
		tago.ConfigParam{Key: "mode", Value: "eco"},
		tago.ConfigParam{Key: "threshold", Value: "12.5"},
	))
	params, err := account.Devices.Params(ctx, dev.ID, tago.ParamsAll)
	require.NoError(t, err)
	require.Len(t, params, 3)
	byKey := map[string]tago.ConfigParam{}
	for _, p := range params {
		assert.Regexp(t, hexID, p.ID)
		assert.False(t, p.Sent)
		byKey[p.Key] = p
	}
	assert.Equal(t, "60", byKey["interval"].Value)
	assert.Equal(t, "eco", byKey["mode"].Value)

	// The device fetches what it has not read yet and acknowledges the interval.
	unread, err := device.Data.Params(ctx, tago.ParamsUnread)
	require.NoError(t, err)
	assert.Len(t, unread, 3)
	require.NoError(t, device.Data.MarkParamRead(ctx, byKey["interval"].ID))

	read, err := account.Devices.Params(ctx, dev.ID, tago.ParamsRead)
	require.NoError(t, err)
	require.Len(t, read, 1)
	assert.Equal(t, "interval", read[0].Key)
	assert.True(t, read[0].Sent)

	// The account form marks another one read (read, then written back).
	require.NoError(t, account.Devices.Data(dev.ID).MarkParamRead(ctx, byKey["mode"].ID))
	unread, err = device.Data.Params(ctx, tago.ParamsUnread)
	require.NoError(t, err)
	require.Len(t, unread, 1)
	assert.Equal(t, "threshold", unread[0].Key)
	err = account.Devices.Data(dev.ID).MarkParamRead(ctx, "65a5058c7e4a2f0009a1b0ff")
	require.ErrorIs(t, err, tago.ErrNotFound)

	// Edit a value by ID: the parameter is replaced, unread again (Sent is false).
	require.NoError(t, account.Devices.SetParams(ctx, dev.ID, tago.ConfigParam{ID: byKey["interval"].ID, Key: "interval", Value: "300"}))
	require.NoError(t, account.Devices.RemoveParam(ctx, dev.ID, byKey["threshold"].ID))

	held := srv.Params(dev.ID)
	require.Len(t, held, 2)
	got := map[string]tagotest.Param{}
	for _, p := range held {
		got[p.Key] = p
	}
	assert.Equal(t, "300", got["interval"].Value)
	assert.Equal(t, byKey["interval"].ID, got["interval"].ID)
	assert.False(t, got["interval"].Sent)
	assert.True(t, got["mode"].Sent)
	require.ErrorIs(t, account.Devices.RemoveParam(ctx, dev.ID, byKey["threshold"].ID), tago.ErrNotFound)
}

// TestFlowDeviceClientFor sends data as a device from an account client on tagotest:
// ClientFor finds the device's token and the records are stored under the device.
func TestFlowDeviceClientFor(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	dev := createDevice(t, c, "Boiler")

	dc, err := c.Devices.ClientFor(ctx, dev.ID)
	require.NoError(t, err)
	_, err = dc.Data.Send(ctx, tago.Data{Variable: "temperature", Value: 21.5})
	require.NoError(t, err)
	held := srv.Data(dev.ID)
	require.Len(t, held, 1)
	assert.Equal(t, 21.5, held[0].Value)
	last := srv.Requests()[len(srv.Requests())-1]
	assert.Equal(t, "POST /data", last.Method+" "+last.Path)
	assert.Equal(t, "Device-Token", last.TokenHeader)
	assert.Equal(t, "device", last.TokenKind, "sent with the device's token")

	require.NoError(t, c.Tokens.Delete(ctx, dev.Token.Reveal()))
	_, err = c.Devices.ClientFor(ctx, dev.ID)
	require.ErrorIs(t, err, tago.ErrNotFound, "a device without tokens")
}
