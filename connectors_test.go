package tago

import (
	"context"
	"testing"
)

func TestConnectorsCreateEditDelete(t *testing.T) {
	t.Parallel()
	path := "/integration/connector/" + resConnectorID
	accountOps(t, []opCase{
		{
			name: "create", method: "POST", path: "/integration/connector/",
			body: `{"name":"EM300","description":"Milesight","networks":["` + resNetworkID + `"],"payload_decoder":"Ly8=",` +
				`"install_text":"Scan it","device_annotation":"QR on the back"}`,
			result: `{"connector":"` + resConnectorID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.CreateConnector(ctx, ConnectorCreateRequest{Name: "EM300", Description: "Milesight",
					Networks: []string{resNetworkID}, PayloadDecoder: "Ly8=", InstallText: "Scan it", DeviceAnnotation: "QR on the back"})
			},
			want: resConnectorID,
		},
		{
			name: "edit", method: "PUT", path: path,
			body: `{"networks":[],"install_end_text":"Done"}`, result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.EditConnector(ctx, resConnectorID, ConnectorEditRequest{Networks: []string{}, InstallEndText: Ptr("Done")}))
			},
		},
		{
			name: "delete", method: "DELETE", path: path, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Networks.DeleteConnector(ctx, resConnectorID))
			},
		},
	})
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"create without a name", "name", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.CreateConnector(ctx, ConnectorCreateRequest{Name: " "})
			return err
		}},
		{"create with a bad network", "networks[0]", func(ctx context.Context, c *Client) error {
			_, err := c.Networks.CreateConnector(ctx, ConnectorCreateRequest{Name: "c", Networks: []string{"lora"}})
			return err
		}},
		{"edit a bad connector", "connector ID", func(ctx context.Context, c *Client) error {
			return c.Networks.EditConnector(ctx, "c", ConnectorEditRequest{Name: Ptr("n")})
		}},
		{"edit nothing", "connector edit", func(ctx context.Context, c *Client) error {
			return c.Networks.EditConnector(ctx, resConnectorID, ConnectorEditRequest{})
		}},
		{"edit to an empty name", "name", func(ctx context.Context, c *Client) error {
			return c.Networks.EditConnector(ctx, resConnectorID, ConnectorEditRequest{Name: Ptr("")})
		}},
		{"edit with a bad network", "networks[1]", func(ctx context.Context, c *Client) error {
			return c.Networks.EditConnector(ctx, resConnectorID, ConnectorEditRequest{Networks: []string{resNetworkID, "x"}})
		}},
		{"delete a bad connector", "connector ID", func(ctx context.Context, c *Client) error {
			return c.Networks.DeleteConnector(ctx, "x")
		}},
	})
}
