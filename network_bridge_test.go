package tago

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
