package tago

import (
	"bytes"
	"context"
	"log/slog"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNetworkBridgeOperations(t *testing.T) {
	t.Parallel()
	devices := "/integration/network/" + resConnectorID + "/devices"
	runOps(t, NetworkToken(testNetworkToken), "Token", []opCase{
		{
			name: "list devices with defaults", method: "GET", path: devices,
			query:  "page=1&amount=20&orderBy=name,asc",
			result: `[{"id":"` + resDeviceID + `","name":"Field sensor","active":true,"network":"` + resNetworkID + `","token":"` + resToken + `"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.ListDevices(ctx, resConnectorID, nil)
			},
			want: []NetworkDevice{{Device: Device{ID: resDeviceID, Name: "Field sensor", Active: true, Network: resNetworkID}, Token: resToken}},
		},
		{
			name: "list devices with filters", method: "GET", path: devices,
			query: "page=3&amount=50&filter[name]=field*&filter[tags][0][key]=site&filter[tags][0][value]=north" +
				"&filter[active]=true&filter[visible]=false&orderBy=created_at,desc",
			result: `[]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.ListDevices(ctx, resConnectorID, &NetworkDeviceListOptions{
					ListOptions: ListOptions{Page: 3, Amount: 50, OrderBy: Desc("created_at")},
					Name:        "field*", Tags: []Tag{{Key: "site", Value: "north"}}, Active: Ptr(true), Visible: Ptr(false)})
			},
			want: []NetworkDevice{},
		},
		{
			name: "set device params", method: "POST", path: "/integration/network/" + resDeviceID + "/params",
			body:   `[{"id":"` + resParamID + `","key":"downlink_url","value":"https://mydownlink.url.io","sent":true}]`,
			result: `"Device Configuration Parameter Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.SetDeviceParams(ctx, resDeviceID,
					ConfigParam{ID: resParamID, Key: "downlink_url", Value: "https://mydownlink.url.io", Sent: true}))
			},
		},
		{
			name: "publish to the relay", method: "POST", path: "/integration/network/publish",
			body:   `{"device":"` + resDeviceID + `","topic":"devices/field/down","message":"0100","qos":1,"retain":false}`,
			result: `"Message published"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.PublishToRelay(ctx, RelayMessage{Device: resDeviceID, Topic: "devices/field/down",
					Message: "0100", QoS: Ptr(1), Retain: Ptr(false)}))
			},
		},
		{
			name: "publish a bare topic", method: "POST", path: "/integration/network/publish",
			body: `{"device":"` + resDeviceID + `","topic":"ping"}`, result: `"Message published"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.PublishToRelay(ctx, RelayMessage{Device: resDeviceID, Topic: "ping"}))
			},
		},
		{
			name: "send data", method: "POST", path: "/integration/network/data", query: "authorization_token=" + resAuthKey,
			body:   `[{"variable":"payload","value":"41BC7E1F2A","metadata":{"serial":"` + resDevEUI + `"}}]`,
			result: `"1 Data Added"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.SendData(ctx, resAuthKey,
					Data{Variable: "payload", Value: "41BC7E1F2A", Metadata: map[string]any{"serial": resDevEUI}}))
			},
		},
		{
			name: "send data answered without a count", method: "POST", path: "/integration/network/data",
			query:  "authorization_token=" + resAuthKey,
			body:   `[{"variable":"a","value":1,"metadata":{"serial":"s1"}},{"variable":"b","value":true,"metadata":{"serial":"s2"}}]`,
			result: `true`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.SendData(ctx, resAuthKey,
					Data{Variable: "a", Value: 1, Metadata: map[string]any{"serial": "s1"}},
					Data{Variable: "b", Value: true, Metadata: map[string]any{"serial": "s2"}}))
			},
		},
	})
}

func TestNetworkSendPayloadIsPlainText(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, NetworkToken(testNetworkToken))
	got := expect(mt, "POST", "/integration/network/data", 200, `{"status":true,"result":"2 Data Added"}`)
	payload := []byte("SN123456789;41BC7E1F2A")
	require.NoError(t, c.Networks.SendPayload(t.Context(), resAuthKey, payload))
	req := got.last(t)
	assert.Equal(t, "authorization_token="+resAuthKey, req.Query)
	assert.Equal(t, "text/plain; charset=utf-8", req.Header.Get("Content-Type"))
	assert.Equal(t, testNetworkToken, req.Header.Get("Token"))
	assert.Equal(t, payload, req.Body)
}

// TestAuthorizationKeyNeverInNetworkDataErrors: the key travels in the query of
// POST /integration/network/data; no error or log line of the call shows it.
func TestAuthorizationKeyNeverInNetworkDataErrors(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, _ := newTestClient(t, NetworkToken(testNetworkToken), WithLogger(logger), WithRetryPolicy(NoRetries()))
	expectSeq(mt, "POST", "/integration/network/data",
		reply(401, `{"status":false,"message":"Invalid Authorization `+resAuthKey+`"}`),
		fail(syscall.ECONNRESET))
	errs := []error{
		c.Networks.SendData(t.Context(), resAuthKey, Data{Variable: "payload", Value: "00"}),
		c.Networks.SendPayload(t.Context(), resAuthKey, []byte("00")),
	}
	require.ErrorIs(t, errs[0], ErrUnauthorized)
	for i, err := range errs {
		require.Error(t, err, i)
		assert.NotContains(t, err.Error(), resAuthKey, i)
		assert.NotContains(t, err.Error(), testNetworkToken, i)
	}
	assert.NotEmpty(t, logs.String())
	assert.NotContains(t, logs.String(), resAuthKey)
	assert.NotContains(t, logs.String(), testNetworkToken)
}

func TestNetworkBridgeBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	big := make([]Data, maxBatchPoints+1)
	for i := range big {
		big[i] = Data{Variable: "v", Value: i}
	}
	heavy := make([]Data, 100) // 100 points of 2.5 kB: each fine, together over 200 kB
	for i := range heavy {
		heavy[i] = Data{Variable: "v", Value: string(bytes.Repeat([]byte("x"), 2500))}
	}
	runBadInput(t, NetworkToken(testNetworkToken), []badInputCase{
		{"devices of a bad connector", "connector ID", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ListDevices(ctx, "c", nil)
			return err
		}},
		{"devices with fields", "fields", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ListDevices(ctx, resConnectorID, &NetworkDeviceListOptions{ListOptions: ListOptions{Fields: []string{"id"}}})
			return err
		}},
		{"devices with a keyless tag", "tags[0].key", func(ctx context.Context, c *Client) error {
			return firstErr(c.Networks.AllDevices(ctx, resConnectorID, &NetworkDeviceListOptions{Tags: []Tag{{Value: "v"}}}))
		}},
		{"all devices with a bad amount", "amount", func(ctx context.Context, c *Client) error {
			return firstErr(c.Networks.AllDevices(ctx, resConnectorID, &NetworkDeviceListOptions{ListOptions: ListOptions{Amount: -1}}))
		}},
		{"params of a bad device", "device ID", func(ctx context.Context, c *Client) error {
			return c.Networks.SetDeviceParams(ctx, "d", ConfigParam{Key: "k"})
		}},
		{"no params", "params", func(ctx context.Context, c *Client) error { return c.Networks.SetDeviceParams(ctx, resDeviceID) }},
		{"a keyless param", "params[0].key", func(ctx context.Context, c *Client) error {
			return c.Networks.SetDeviceParams(ctx, resDeviceID, ConfigParam{Value: "v"})
		}},
		{"publish for a bad device", "device", func(ctx context.Context, c *Client) error {
			return c.Networks.PublishToRelay(ctx, RelayMessage{Topic: "t"})
		}},
		{"publish to no topic", "topic", func(ctx context.Context, c *Client) error {
			return c.Networks.PublishToRelay(ctx, RelayMessage{Device: resDeviceID, Topic: " "})
		}},
		{"publish to a wildcard", "topic", func(ctx context.Context, c *Client) error {
			return c.Networks.PublishToRelay(ctx, RelayMessage{Device: resDeviceID, Topic: "a/#"})
		}},
		{"publish with a bad qos", "qos", func(ctx context.Context, c *Client) error {
			return c.Networks.PublishToRelay(ctx, RelayMessage{Device: resDeviceID, Topic: "t", QoS: Ptr(3)})
		}},
		{"send no points", "points", func(ctx context.Context, c *Client) error { return c.Networks.SendData(ctx, resAuthKey) }},
		{"send a bad point", "points[1].variable", func(ctx context.Context, c *Client) error {
			return c.Networks.SendData(ctx, resAuthKey, Data{Variable: "a"}, Data{})
		}},
		{"send too many points", "points", func(ctx context.Context, c *Client) error { return c.Networks.SendData(ctx, resAuthKey, big...) }},
		{"send too many bytes", "points", func(ctx context.Context, c *Client) error {
			return c.Networks.SendData(ctx, resAuthKey, heavy...)
		}},
		{"send without an authorization", "authorization", func(ctx context.Context, c *Client) error {
			return c.Networks.SendData(ctx, "", Data{Variable: "a"})
		}},
		{"send with a malformed authorization", "authorization", func(ctx context.Context, c *Client) error {
			return c.Networks.SendPayload(ctx, "at&x=1&y=2", []byte("x"))
		}},
		{"send an empty payload", "payload", func(ctx context.Context, c *Client) error { return c.Networks.SendPayload(ctx, resAuthKey, nil) }},
		{"send a payload too large", "payload", func(ctx context.Context, c *Client) error {
			return c.Networks.SendPayload(ctx, resAuthKey, make([]byte, maxBatchBytes+1))
		}},
	})
}

func TestNetworkBridgeNeedsANetworkToken(t *testing.T) {
	t.Parallel()
	calls := []func(ctx context.Context, c *Client) error{
		func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ListDevices(ctx, resConnectorID, nil)
			return err
		},
		func(ctx context.Context, c *Client) error {
			return c.Networks.SetDeviceParams(ctx, resDeviceID, ConfigParam{Key: "k"})
		},
		func(ctx context.Context, c *Client) error {
			return c.Networks.PublishToRelay(ctx, RelayMessage{Device: resDeviceID, Topic: "t"})
		},
		func(ctx context.Context, c *Client) error {
			return c.Networks.SendData(ctx, resAuthKey, Data{Variable: "v"})
		},
		func(ctx context.Context, c *Client) error {
			return c.Networks.SendPayload(ctx, resAuthKey, []byte("x"))
		},
	}
	for _, tok := range []Token{AccountToken(testAccountToken), DeviceToken(testDeviceToken)} {
		for i, run := range calls {
			c, mt, _ := newTestClient(t, tok)
			err := run(t.Context(), c)
			require.ErrorIs(t, err, ErrTokenKind, i)
			assert.NotContains(t, err.Error(), resAuthKey)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		}
	}
}
