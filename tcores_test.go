package tago

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const resTagoCoreID = "6add0011223344556677ee05"

func TestTagoCoresOperations(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/tcore/instance",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&orderBy=name,asc",
			result: `[{"id":"` + resTagoCoreID + `","name":"Edge 1"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.TagoCores.List(ctx, nil) },
			want:   []TagoCore{{ID: resTagoCoreID, Name: "Edge 1"}},
		},
		{
			name: "list active ones", method: "GET", path: "/tcore/instance",
			query: "page=1&amount=20&fields[0]=id&fields[1]=connected&fields[2]=last_connection&filter[name]=Edge*&filter[active]=true" +
				"&filter[tags][0][key]=site&filter[tags][0][value]=north&orderBy=last_connection,desc",
			result: `[{"id":"` + resTagoCoreID + `","connected":true,"last_connection":"2024-03-04T05:06:07.000Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.TagoCores.List(ctx, &TagoCoreListOptions{Name: "Edge*", Active: Ptr(true), Tags: []Tag{{Key: "site", Value: "north"}},
					ListOptions: ListOptions{Fields: []string{"id", "connected", "last_connection"}, OrderBy: Desc("last_connection")}})
			},
			want: []TagoCore{{ID: resTagoCoreID, Connected: true, LastConnection: at}},
		},
		{
			name: "info with summary", method: "GET", path: "/tcore/instance/" + resTagoCoreID, query: "summary=true",
			result: `{"id":"` + resTagoCoreID + `","name":"Edge 1","active":true,"connected":false,"token":"` + resToken + `",` +
				`"os":{"name":"Debian","arch":"arm64","version":"12"},"computer_usage":[{"total":4,"used":1.5,"title":"Memory",` +
				`"type":"memory","description":"RAM","detail":"GiB"}],"summary":{"device":3,"action":1,"analysis":2},` +
				`"tcore_version":"0.7.0","tcore_start_time":"2024-03-04T05:06:07.000Z","created_at":"2024-03-04T05:06:07.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.TagoCores.Info(ctx, resTagoCoreID, true) },
			want: TagoCore{ID: resTagoCoreID, Name: "Edge 1", Active: true, Token: Secret(resToken),
				OS:            &TagoCoreOS{Name: "Debian", Arch: "arm64", Version: "12"},
				ComputerUsage: []TagoCoreUsage{{Total: 4, Used: 1.5, Title: "Memory", Type: "memory", Description: "RAM", Detail: "GiB"}},
				Summary:       &TagoCoreSummary{Device: 3, Action: 1, Analysis: 2}, Version: "0.7.0", StartTime: at, CreatedAt: at},
		},
		{
			name: "info without summary", method: "GET", path: "/tcore/instance/" + resTagoCoreID,
			result: `{"id":"` + resTagoCoreID + `"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.TagoCores.Info(ctx, resTagoCoreID, false) },
			want:   TagoCore{ID: resTagoCoreID},
		},
		{
			name: "edit", method: "PUT", path: "/tcore/instance/" + resTagoCoreID,
			body: `{"name":"Edge 2","active":false}`, result: `"TagoCore Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.TagoCores.Edit(ctx, resTagoCoreID, TagoCoreEditRequest{Name: Ptr("Edge 2"), Active: Ptr(false)}))
			},
		},
		{
			name: "edit removing every tag", method: "PUT", path: "/tcore/instance/" + resTagoCoreID,
			body: `{"tags":[]}`, result: `"TagoCore Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.TagoCores.Edit(ctx, resTagoCoreID, TagoCoreEditRequest{Tags: []Tag{}}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/tcore/instance/" + resTagoCoreID, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.TagoCores.Delete(ctx, resTagoCoreID))
			},
		},
		{
			name: "a standalone instance's devices with defaults", method: "GET", path: "/device",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&orderBy=name,asc&tcore=" + resTagoCoreID,
			result: `[{"id":"` + resDeviceID + `","name":"Boiler"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.TagoCores.Devices(ctx, resTagoCoreID, nil)
			},
			want: []Device{{ID: resDeviceID, Name: "Boiler"}},
		},
		{
			name: "a standalone instance's devices with filters", method: "GET", path: "/device",
			query: "page=2&amount=5&fields[0]=id&fields[1]=last_input&filter[name]=Boil*&filter[active]=true" +
				"&orderBy=last_input,desc&resolveBucketName=true&tcore=" + resTagoCoreID,
			result: `[{"id":"` + resDeviceID + `","last_input":"2024-03-04T05:06:07.000Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.TagoCores.Devices(ctx, resTagoCoreID, &DeviceListOptions{Name: "Boil*", Active: Ptr(true), ResolveBucketName: true,
					ListOptions: ListOptions{Page: 2, Amount: 5, Fields: []string{"id", "last_input"}, OrderBy: Desc("last_input")}})
			},
			want: []Device{{ID: resDeviceID, LastInput: at}},
		},
		{
			name: "a standalone instance's device", method: "GET", path: "/device/" + resDeviceID, query: "tcore=" + resTagoCoreID,
			result: `{"id":"` + resDeviceID + `","name":"Boiler","type":"mutable","last_input":"2024-03-04T05:06:07.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.TagoCores.DeviceInfo(ctx, resTagoCoreID, resDeviceID)
			},
			want: Device{ID: resDeviceID, Name: "Boiler", Type: DeviceMutable, LastInput: at},
		},
		{
			name: "generate a token", method: "GET", path: "/tcore/instance/" + resTagoCoreID + "/token",
			result: `"` + resToken + `"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.TagoCores.GenerateToken(ctx, resTagoCoreID)
			},
			want: Secret(resToken),
		},
	})
}

func TestTagoCoreTokenGenerateIsNotReplayed(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "GET", "/tcore/instance/"+resTagoCoreID+"/token", reply(502, ``), reply(200, `{"status":true,"result":"x"}`))
	_, err := c.TagoCores.GenerateToken(t.Context(), resTagoCoreID)
	require.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 1, got.count(), "a second GET would make a second token")
}

func TestTagoCoresBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	for _, err := range []error{
		func() error { _, err := c.TagoCores.Info(t.Context(), "nope", false); return err }(),
		c.TagoCores.Edit(t.Context(), resTagoCoreID, TagoCoreEditRequest{Name: Ptr(" ")}),
		c.TagoCores.Edit(t.Context(), resTagoCoreID, TagoCoreEditRequest{Tags: []Tag{{}}}),
		c.TagoCores.Delete(t.Context(), ""),
		func() error { _, err := c.TagoCores.GenerateToken(t.Context(), "x"); return err }(),
		func() error { _, err := c.TagoCores.Devices(t.Context(), "x", nil); return err }(),
		func() error {
			_, err := c.TagoCores.Devices(t.Context(), resTagoCoreID, &DeviceListOptions{Network: "nope"})
			return err
		}(),
		func() error {
			_, err := c.TagoCores.Devices(t.Context(), resTagoCoreID, &DeviceListOptions{ListOptions: ListOptions{Page: -1}})
			return err
		}(),
		func() error { _, err := c.TagoCores.DeviceInfo(t.Context(), "x", resDeviceID); return err }(),
		func() error { _, err := c.TagoCores.DeviceInfo(t.Context(), resTagoCoreID, "x"); return err }(),
		func() error {
			for _, err := range c.TagoCores.AllDevices(t.Context(), "x", nil) {
				return err
			}
			return nil
		}(),
	} {
		require.ErrorIs(t, err, ErrInvalidInput)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestTagoCoreAllDevices(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "GET", "/device",
		reply(200, `{"status":true,"result":[{"id":"`+resDeviceID+`"},{"id":"`+resDevice2ID+`"}]}`),
		reply(200, `{"status":true,"result":[]}`))
	var ids []string
	for d, err := range c.TagoCores.AllDevices(t.Context(), resTagoCoreID, &DeviceListOptions{ListOptions: ListOptions{Amount: 2}}) {
		require.NoError(t, err)
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{resDeviceID, resDevice2ID}, ids)
	reqs := got.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "page=2&amount=2&fields[0]=id&fields[1]=name&orderBy=name,asc&tcore="+resTagoCoreID, reqs[1].Query)
}
