package tago

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthorizationCurrent(t *testing.T) {
	t.Parallel()
	info := `{"name":"ThingPark","type":"authorization","permission":"full","serie_number":null,` +
		`"last_authorization":"2024-05-06T07:08:09.000Z","verification_code":"` + resToken2 + `","expire_time":"never",` +
		`"ref_id":"` + resProfileID + `","created_at":"2024-01-02T03:04:05.000Z","created_by":null}`
	want := AuthorizationInfo{Name: "ThingPark", Type: "authorization", Permission: PermissionFull,
		LastAuthorization: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), VerificationCode: resToken2, ExpireTime: ExpiresNever(),
		RefID: resProfileID, CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	runOps(t, AuthorizationToken(testAuthorizationKey), "Token", []opCase{
		{
			name: "info", method: "GET", path: "/info", result: info,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Authorizations.Current(ctx) },
			want: want,
		},
		{
			name: "info with details", method: "GET", path: "/info", query: "details=true", result: info,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Authorizations.CurrentWith(ctx, &InfoOptions{Details: true})
			},
			want: want,
		},
		{
			name: "info never used, created by an account", method: "GET", path: "/info",
			result: `{"name":"x","last_authorization":null,"created_by":{"id":"` + resProfileID + `"}}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Authorizations.CurrentWith(ctx, &InfoOptions{})
			},
			want: AuthorizationInfo{Name: "x", CreatedBy: resProfileID},
		},
	})
}

func TestNetworkDetailsOption(t *testing.T) {
	t.Parallel()
	runOps(t, NetworkToken(testNetworkToken), "Token", []opCase{
		{
			name: "network info with details", method: "GET", path: "/info", query: "details=true", result: actilityNetwork,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.CurrentWith(ctx, &InfoOptions{Details: true})
			},
			want: actilityWant,
		},
		{
			name: "network info without details", method: "GET", path: "/info", result: actilityNetwork,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Networks.CurrentWith(ctx, nil) },
			want: actilityWant,
		},
		{
			name: "resolve with details", method: "GET", path: "/integration/network/resolve/" + resDevEUI + "/" + resAuthKey,
			query: "details=true", result: `"` + resToken + `"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.ResolveTokenWith(ctx, resDevEUI, resAuthKey, &ResolveOptions{Details: true})
			},
			want: Secret(resToken),
		},
		{
			name: "resolve in every profile with details", method: "GET", path: "/integration/network/resolve/" + resDevEUI,
			query: "details=true", result: `"` + resToken + `"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Networks.ResolveTokenWith(ctx, resDevEUI, "", &ResolveOptions{Details: true})
			},
			want: Secret(resToken),
		},
	})
}

func TestAuthorizationCurrentNeedsAnAuthorizationToken(t *testing.T) {
	t.Parallel()
	for _, tok := range []Token{AccountToken(testAccountToken), NetworkToken(testNetworkToken), DeviceToken(testDeviceToken)} {
		c, mt, _ := newTestClient(t, tok)
		_, err := c.Authorizations.Current(t.Context())
		require.ErrorIs(t, err, ErrTokenKind)
		assert.Equal(t, 0, mt.GetTotalCallCount())
	}
}
