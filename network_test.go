package tago

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The query every network and connector Info sends by default.
const (
	networkInfoQuery = "fields[0]=id&fields[1]=name&fields[2]=description&fields[3]=logo_url&fields[4]=icon_url" +
		"&fields[5]=banner_url&fields[6]=device_parameters&fields[7]=middleware_endpoint&fields[8]=payload_encoder" +
		"&fields[9]=payload_decoder&fields[10]=public&fields[11]=documentation_url&fields[12]=serial_number" +
		"&fields[13]=require_devices_access&fields[14]=created_at&fields[15]=updated_at"
	connectorInfoQuery = "fields[0]=id&fields[1]=name&fields[2]=description&fields[3]=logo_url&fields[4]=public" +
		"&fields[5]=networks&fields[6]=device_parameters&fields[7]=payload_encoder&fields[8]=payload_decoder" +
		"&fields[9]=install_text&fields[10]=install_end_text&fields[11]=device_annotation&fields[12]=created_at&fields[13]=updated_at"
)

// actilityNetwork is a network as the platform describes the LoRaWAN Actility one.
const actilityNetwork = `{"id":"` + resNetworkID + `","name":"LoRaWAN Actility","description":"ThingPark",` +
	`"middleware_endpoint":"actility.middleware.tago.io","public":true,"require_devices_access":false,` +
	`"serial_number":{"mask":"FF-FF-FF-FF-FF-FF-FF-FF","label":"Device EUI","case":"upper","required":true},` +
	`"device_parameters":[{"name":"fport","label":"Port","type":"number","default":1,"group":"main"},` +
	`{"name":"class","type":"dropdown","options":["A","C"]}],"created_at":"2020-01-02T03:04:05.000Z"}`

// actilityWant is actilityNetwork decoded.
var actilityWant = Network{
	ID: resNetworkID, Name: "LoRaWAN Actility", Description: "ThingPark", MiddlewareEndpoint: "actility.middleware.tago.io",
	Public: true, SerialNumber: &SerialNumberFormat{Mask: "FF-FF-FF-FF-FF-FF-FF-FF", Label: "Device EUI", Case: "upper", Required: true},
	DeviceParameters: []DeviceParameter{
		{Name: "fport", Label: "Port", Type: "number", Default: float64(1), Group: "main"},
		{Name: "class", Type: "dropdown", Options: []any{"A", "C"}},
	},
	CreatedAt: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC),
}

func TestNetworksAccountOperations(t *testing.T) {
	t.Parallel()
	accountOps(t, []opCase{
		{
			name: "list networks", method: "GET", path: "/integration/network/",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&orderBy=name,asc",
			result: `[{"id":"` + resNetworkID + `","name":"LoRaWAN Actility"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Networks.List(ctx, nil) },
			want:   []Network{{ID: resNetworkID, Name: "LoRaWAN Actility"}},
		},
		{
			name: "list networks with a filter and fields", method: "GET", path: "/integration/network/",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=middleware_endpoint&filter[name]=*Actility*&orderBy=name,asc",
			result: `[{"id":"` + resNetworkID + `","name":"LoRaWAN Actility","middleware_endpoint":"actility.middleware.tago.io"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.List(ctx, &NetworkListOptions{Name: "*Actility*",
					ListOptions: ListOptions{Fields: []string{"id", "name", "middleware_endpoint"}}})
			},
			want: []Network{{ID: resNetworkID, Name: "LoRaWAN Actility", MiddlewareEndpoint: "actility.middleware.tago.io"}},
		},
		{
			name: "network info", method: "GET", path: "/integration/network/" + resNetworkID, query: networkInfoQuery,
			result: actilityNetwork,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Networks.Info(ctx, resNetworkID) },
			want:   actilityWant,
		},
		{
			name: "network info with fields", method: "GET", path: "/integration/network/" + resNetworkID,
			query:  "fields[0]=id&fields[1]=middleware_endpoint",
			result: `{"id":"` + resNetworkID + `","middleware_endpoint":"actility.middleware.eu-w1.tago.io"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.Info(ctx, resNetworkID, "id", "middleware_endpoint")
			},
			want: Network{ID: resNetworkID, MiddlewareEndpoint: "actility.middleware.eu-w1.tago.io"},
		},
		{
			name: "list connectors", method: "GET", path: "/integration/connector/",
			query:  "page=2&amount=10&fields[0]=id&fields[1]=name&filter[name]=Milesight*&orderBy=created_at,desc",
			result: `[{"id":"` + resConnectorID + `","name":"Milesight EM300"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.ListConnectors(ctx, &ConnectorListOptions{Name: "Milesight*",
					ListOptions: ListOptions{Page: 2, Amount: 10, OrderBy: Desc("created_at")}})
			},
			want: []Connector{{ID: resConnectorID, Name: "Milesight EM300"}},
		},
		{
			name: "list the connectors of networks", method: "GET", path: "/integration/connector/",
			query: "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=networks&filter[networks][0]=" + resNetworkID +
				"&filter[networks][1]=" + resDevice2ID + "&orderBy=name,asc",
			result: `[{"id":"` + resConnectorID + `","name":"Milesight EM300","networks":["` + resNetworkID + `"]}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.ListConnectors(ctx, &ConnectorListOptions{Networks: []string{resNetworkID, resDevice2ID},
					ListOptions: ListOptions{Fields: []string{"id", "name", "networks"}}})
			},
			want: []Connector{{ID: resConnectorID, Name: "Milesight EM300", Networks: []string{resNetworkID}}},
		},
		{
			name: "connector info", method: "GET", path: "/integration/connector/" + resConnectorID, query: connectorInfoQuery,
			result: `{"id":"` + resConnectorID + `","name":"Milesight EM300","public":true,"networks":["` + resNetworkID + `"],` +
				`"payload_decoder":"Ly8g","install_text":"Scan the QR code","updated_at":"2023-03-04T05:06:07Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.ConnectorInfo(ctx, resConnectorID)
			},
			want: Connector{ID: resConnectorID, Name: "Milesight EM300", Public: true, Networks: []string{resNetworkID},
				PayloadDecoder: "Ly8g", InstallText: "Scan the QR code", UpdatedAt: time.Date(2023, 3, 4, 5, 6, 7, 0, time.UTC)},
		},
		{
			name: "list network tokens", method: "GET", path: "/integration/network/token/" + resNetworkID,
			query:  "page=1&amount=20&fields[0]=name&fields[1]=token&fields[2]=permission&orderBy=created_at,desc",
			result: `[{"name":"bridge","token":"` + resToken + `","permission":"full"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.ListTokens(ctx, resNetworkID, nil)
			},
			want: []TokenInfo{{Name: "bridge", Token: resToken, Permission: PermissionFull}},
		},
		{
			name: "create a network token", method: "POST", path: "/integration/network/token",
			body:   `{"network":"` + resNetworkID + `","name":"bridge","permission":"full","expire_time":"never"}`,
			result: `{"token":"` + resToken + `","name":"bridge","network":"` + resNetworkID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.CreateToken(ctx, resNetworkID, NetworkTokenCreateRequest{Name: "bridge", Permission: PermissionFull, ExpireTime: ExpiresNever()})
			},
			want: TokenInfo{Token: resToken, Name: "bridge", NetworkID: resNetworkID},
		},
		{
			name: "delete a network token", method: "DELETE", path: "/integration/network/token/" + resToken,
			result: `"Token Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.DeleteToken(ctx, resToken))
			},
		},
	})
}

func TestNetworksNetworkTokenOperations(t *testing.T) {
	t.Parallel()
	runOps(t, NetworkToken(testNetworkToken), "Token", []opCase{
		{
			name: "resolve a DevEUI with an authorization", method: "GET",
			path:   "/integration/network/resolve/" + resDevEUI + "/" + resAuthKey,
			result: `"` + resToken + `"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.ResolveToken(ctx, resDevEUI, resAuthKey)
			},
			want: Secret(resToken),
		},
		{
			name: "resolve a DevEUI in any profile", method: "GET", path: "/integration/network/resolve/" + resDevEUI,
			result: `"` + resToken + `"`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Networks.ResolveToken(ctx, resDevEUI, "") },
			want:   Secret(resToken),
		},
		{
			name: "current network", method: "GET", path: "/info", result: actilityNetwork,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Networks.Current(ctx) },
			want: actilityWant,
		},
	})
}

func TestResolveTokenEscapesTheSerie(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, NetworkToken(testNetworkToken))
	got := &capture{}
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		got.record(r)
		return httpmock.NewStringResponse(200, `{"status":true,"result":"`+resToken+`"}`), nil
	})
	tok, err := c.Networks.ResolveToken(t.Context(), "70-B3 D5%7E", resAuthKey)
	require.NoError(t, err)
	assert.Equal(t, Secret(resToken), tok)
	assert.Equal(t, "/integration/network/resolve/70-B3%20D5%257E/"+resAuthKey, got.last(t).Path)
}

func TestResolveTokenErrorsTellCausesApart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answer   func(*http.Request) (*http.Response, error)
		sentinel error
		status   int
	}{
		{"unknown device (404)", reply(404, `{"status":false,"message":"Device not found"}`), ErrNotFound, 404},
		{"unknown device (400)", reply(400, `{"status":false,"message":"Invalid serie number"}`), ErrBadRequest, 400},
		{"bad key (401)", reply(401, `{"status":false,"message":"Authorization denied"}`), ErrUnauthorized, 401},
		{"platform down (503)", reply(503, `<html>Service Unavailable</html>`), ErrServer, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, NetworkToken(testNetworkToken), WithRetryPolicy(NoRetries()))
			expectSeq(mt, "GET", "/integration/network/resolve/"+resDevEUI+"/"+resAuthKey, tt.answer)
			tok, err := c.Networks.ResolveToken(t.Context(), resDevEUI, resAuthKey)
			assert.Empty(t, tok.Reveal())
			require.ErrorIs(t, err, tt.sentinel)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.HTTPStatus)
			for _, other := range []error{ErrNotFound, ErrBadRequest, ErrUnauthorized, ErrServer} {
				if other != tt.sentinel {
					assert.NotErrorIs(t, err, other)
				}
			}
			assert.NotContains(t, err.Error(), resAuthKey)
		})
	}
	t.Run("no answer at all", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, NetworkToken(testNetworkToken), WithRetryPolicy(NoRetries()))
		expectSeq(mt, "GET", "/integration/network/resolve/"+resDevEUI+"/"+resAuthKey, fail(syscall.ECONNREFUSED))
		_, err := c.Networks.ResolveToken(t.Context(), resDevEUI, resAuthKey)
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.True(t, errors.Is(err, syscall.ECONNREFUSED))
		var apiErr *APIError
		assert.False(t, errors.As(err, &apiErr))
		assert.NotContains(t, err.Error(), resAuthKey)
	})
}

func TestNetworksBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"list with a bad amount", "amount", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.List(ctx, &NetworkListOptions{ListOptions: ListOptions{Amount: -1}})
			return err
		}},
		{"all with a bad page", "page", func(ctx context.Context, c *Client) error {
			return firstErr(c.Networks.All(ctx, &NetworkListOptions{ListOptions: ListOptions{Page: -1}}))
		}},
		{"info with a bad ID", "network ID", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.Info(ctx, "lorawan")
			return err
		}},
		{"info with an empty field", "fields", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.Info(ctx, resNetworkID, "id", "")
			return err
		}},
		{"connectors with a bad order", "order by", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ListConnectors(ctx, &ConnectorListOptions{ListOptions: ListOptions{OrderBy: Asc("a b")}})
			return err
		}},
		{"connectors of a bad network", "networks[1]", func(ctx context.Context, c *Client) error {
			return firstErr(c.Networks.AllConnectors(ctx, &ConnectorListOptions{Networks: []string{resNetworkID, "lorawan"}}))
		}},
		{"connector info with a bad ID", "connector ID", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ConnectorInfo(ctx, "x")
			return err
		}},
		{"tokens of a bad network", "network ID", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ListTokens(ctx, "x", nil)
			return err
		}},
		{"create a token for a bad network", "network ID", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.CreateToken(ctx, "x", NetworkTokenCreateRequest{Name: "n"})
			return err
		}},
		{"create a token without a name", "name", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.CreateToken(ctx, resNetworkID, NetworkTokenCreateRequest{})
			return err
		}},
		{"create a token with a bad permission", "permission", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.CreateToken(ctx, resNetworkID, NetworkTokenCreateRequest{Name: "n", Permission: "all"})
			return err
		}},
		{"delete a malformed token", "token", func(ctx context.Context, c *Client) error {
			return c.Networks.DeleteToken(ctx, "abc")
		}},
	})
	runBadInput(t, NetworkToken(testNetworkToken), []badInputCase{
		{"resolve an empty serie", "serie", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ResolveToken(ctx, " ", resAuthKey)
			return err
		}},
		{"resolve a serie with a slash", "serie", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ResolveToken(ctx, "70B3/../x", resAuthKey)
			return err
		}},
		{"resolve with a malformed authorization", "authorization", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ResolveToken(ctx, resDevEUI, "at 123456789")
			return err
		}},
	})
}

func TestNetworksCreateEditDelete(t *testing.T) {
	t.Parallel()
	netPath := "/integration/network/" + resNetworkID
	accountOps(t, []opCase{
		{
			name: "create", method: "POST", path: "/integration/network/",
			body: `{"name":"My LoRa server","description":"on premises","middleware_endpoint":"lora.example.com","public":false,` +
				`"serial_number":{"mask":"FF-FF","label":"DevEUI","required":true},"require_devices_access":true,` +
				`"device_parameters":[{"name":"fport","type":"number","default":1}],"payload_decoder":"Ly8="}`,
			result: `{"network":"` + resNetworkID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.Create(ctx, NetworkCreateRequest{Name: "My LoRa server", Description: "on premises",
					MiddlewareEndpoint: "lora.example.com", Public: Ptr(false), RequireDevicesAccess: Ptr(true),
					SerialNumber:     &SerialNumberFormat{Mask: "FF-FF", Label: "DevEUI", Required: true},
					DeviceParameters: []DeviceParameter{{Name: "fport", Type: "number", Default: 1}}, PayloadDecoder: "Ly8="})
			},
			want: resNetworkID,
		},
		{
			name: "create with a name only", method: "POST", path: "/integration/network/",
			body: `{"name":"n"}`, result: `{"id":"` + resNetworkID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.Create(ctx, NetworkCreateRequest{Name: "n"})
			},
			want: resNetworkID,
		},
		{
			name: "edit", method: "PUT", path: netPath,
			body: `{"name":"Renamed","device_parameters":[],"middleware_endpoint":"","require_devices_access":false}`, result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.Edit(ctx, resNetworkID, NetworkEditRequest{Name: Ptr("Renamed"),
					DeviceParameters: []DeviceParameter{}, MiddlewareEndpoint: Ptr(""), RequireDevicesAccess: Ptr(false)}))
			},
		},
		{
			name: "delete", method: "DELETE", path: netPath, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.Delete(ctx, resNetworkID))
			},
		},
	})
	t.Run("a create answer without an ID", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "POST", "/integration/network/", 200, `{"status":true,"result":{"message":"ok"}}`)
		id, err := c.Networks.Create(t.Context(), NetworkCreateRequest{Name: "n"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `names no "network" ID`)
		assert.Empty(t, id)
	})
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"create without a name", "name", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.Create(ctx, NetworkCreateRequest{Description: "d"})
			return err
		}},
		{"edit a bad network", "network ID", func(ctx context.Context, c *Client) error {
			return c.Networks.Edit(ctx, "lorawan", NetworkEditRequest{Name: Ptr("n")})
		}},
		{"edit nothing", "network edit", func(ctx context.Context, c *Client) error {
			return c.Networks.Edit(ctx, resNetworkID, NetworkEditRequest{})
		}},
		{"edit to an empty name", "name", func(ctx context.Context, c *Client) error {
			return c.Networks.Edit(ctx, resNetworkID, NetworkEditRequest{Name: Ptr("")})
		}},
		{"delete a bad network", "network ID", func(ctx context.Context, c *Client) error { return c.Networks.Delete(ctx, "") }},
	})
}
