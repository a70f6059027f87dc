package tago

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTagKeys(t *testing.T) {
	t.Parallel()
	accountOps(t, []opCase{
		{
			name: "device tag keys", method: "GET", path: "/tags/keys/device", result: `["site","type"]`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Tags.Keys(ctx, TagDevices) },
			want: []string{"site", "type"},
		},
		{
			name: "run user tag keys", method: "GET", path: "/tags/keys/run_users", result: `[]`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Tags.Keys(ctx, TagRunUsers) },
			want: []string{},
		},
	})
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"an unknown resource type", "resource type", func(ctx context.Context, c *Client) error {
			_, err := c.Tags.Keys(ctx, "device/../../account")
			return err
		}},
	})
	c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
	_, err := c.Tags.Keys(t.Context(), TagDevices)
	require.ErrorIs(t, err, ErrTokenKind)
	assert.Equal(t, 0, mt.GetTotalCallCount())
}
