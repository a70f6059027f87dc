package tago_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each kind of token reaches what it may reach, in the header the SDK chooses, and a
// call that needs another kind fails before anything is sent.
func TestFlowTokenKinds(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	network := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN"})
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Meter", Network: network.ID, SerieNumber: "0004A30B001C0530"})

	account := accountClient(t, srv)
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	bridge, _ := flowClient(t, srv, tago.NetworkToken(network.Token))

	// Every kind may ask for the status, which needs no token.
	for _, c := range []*tago.Client{account, device, bridge} {
		st, err := c.Status(ctx)
		require.NoError(t, err)
		assert.NotEmpty(t, st.Version)
	}

	// The right calls succeed, in the headers each kind travels in.
	srv.ClearRequests()
	_, err := account.Devices.List(ctx, nil)
	require.NoError(t, err)
	_, err = device.Data.Send(ctx, tago.Data{Variable: "level", Value: 3})
	require.NoError(t, err)
	_, err = bridge.Networks.ResolveToken(ctx, "0004A30B001C0530", "")
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, [2]string{"Account-Token", "account"}, [2]string{reqs[0].TokenHeader, reqs[0].TokenKind})
	assert.Equal(t, [2]string{"Device-Token", "device"}, [2]string{reqs[1].TokenHeader, reqs[1].TokenKind})
	assert.Equal(t, [2]string{"Token", "network"}, [2]string{reqs[2].TokenHeader, reqs[2].TokenKind})

	// The wrong calls fail locally with ErrTokenKind: the fake hears nothing.
	srv.ClearRequests()
	_, err = device.Devices.List(ctx, nil)
	require.ErrorIs(t, err, tago.ErrTokenKind)
	_, err = account.Data.Send(ctx, tago.Data{Variable: "level", Value: 3})
	require.ErrorIs(t, err, tago.ErrTokenKind)
	_, err = bridge.Devices.Data(dev.ID).Get(ctx, nil)
	require.ErrorIs(t, err, tago.ErrTokenKind)
	_, err = device.Networks.ResolveToken(ctx, "0004A30B001C0530", "")
	require.ErrorIs(t, err, tago.ErrTokenKind)
	_, err = account.Dashboards.Create(ctx, tago.DashboardCreateRequest{Label: "x"})
	require.NoError(t, err, "control: the account's own call goes through")
	assert.Len(t, srv.Requests(), 1)

	// The plain token header, as the official SDKs send it, works for every kind: the
	// platform tells the kinds apart by the token, not by the header.
	plainAccount := accountClient(t, srv, tago.WithAuthHeader(tago.AuthHeaderToken))
	plainDevice, _ := flowClient(t, srv, tago.DeviceToken(dev.Token), tago.WithAuthHeader(tago.AuthHeaderToken))
	srv.ClearRequests()
	_, err = plainAccount.Devices.Info(ctx, dev.ID)
	require.NoError(t, err)
	_, err = plainDevice.Data.Info(ctx)
	require.NoError(t, err)
	for _, r := range srv.Requests() {
		assert.Equal(t, "Token", r.TokenHeader)
	}
}

// The platform's own refusals: an unknown token, a token used where its kind has no
// access, a read-only token writing, a write-only token reading.
func TestFlowTokenRefusals(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	dev := createDevice(t, account, "Meter")

	unknown, _ := flowClient(t, srv, tago.AccountToken("a0b1c2d3-0000-4000-8000-000000000000"))
	_, err := unknown.Devices.List(ctx, nil)
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	var apiErr *tago.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Invalid Token", apiErr.Message)
	assert.Equal(t, 1, apiErr.Attempts, "a 401 is not retried")

	// A device token dressed up as an account token: the platform knows better.
	disguised, _ := flowClient(t, srv, tago.AccountToken(dev.Token.Reveal()))
	_, err = disguised.Devices.List(ctx, nil)
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Authorization Denied", apiErr.Message)

	readOnly, err := account.Tokens.Create(ctx, dev.ID, tago.DeviceTokenCreateRequest{Name: "dashboard", Permission: tago.PermissionRead})
	require.NoError(t, err)
	writeOnly, err := account.Tokens.Create(ctx, dev.ID, tago.DeviceTokenCreateRequest{Name: "sensor", Permission: tago.PermissionWrite})
	require.NoError(t, err)
	reader, _ := flowClient(t, srv, tago.DeviceToken(readOnly.Token.Reveal()))
	writer, _ := flowClient(t, srv, tago.DeviceToken(writeOnly.Token.Reveal()))

	_, err = writer.Data.Send(ctx, tago.Data{Variable: "level", Value: 3})
	require.NoError(t, err)
	_, err = reader.Data.Get(ctx, nil)
	require.NoError(t, err)
	_, err = reader.Data.Send(ctx, tago.Data{Variable: "level", Value: 4})
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	_, err = writer.Data.Get(ctx, nil)
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	assert.Len(t, srv.Data(dev.ID), 1)

	list, err := account.Tokens.List(ctx, dev.ID, &tago.TokenListOptions{Permission: tago.PermissionRead})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "dashboard", list[0].Name)
	var names []string
	for tok, err := range account.Tokens.All(ctx, dev.ID, &tago.TokenListOptions{ListOptions: tago.ListOptions{Amount: 2}}) {
		require.NoError(t, err)
		names = append(names, tok.Name)
	}
	assert.Len(t, names, 3, "the first token and the two made here")
	assert.Equal(t, []string{"sensor", "dashboard"}, names[:2], "newest first")
}

// clock is a settable clock for tagotest.WithClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// A token with an expiry works until then and is refused after.
func TestFlowTokenExpiry(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clk := &clock{t: at(12, 0)}
	srv := tagotest.NewServer(t, tagotest.WithClock(clk.now))
	account := accountClient(t, srv)
	dev := createDevice(t, account, "Rental")

	tok, err := account.Tokens.Create(ctx, dev.ID, tago.DeviceTokenCreateRequest{
		Name: "weekend", Permission: tago.PermissionFull, ExpireTime: tago.ExpiresAt(at(18, 0)),
	})
	require.NoError(t, err)
	assert.True(t, tok.ExpireTime.Time.Equal(at(18, 0)), "expiry %v", tok.ExpireTime)
	relative, err := account.Tokens.Create(ctx, dev.ID, tago.DeviceTokenCreateRequest{
		Name: "a day", Permission: tago.PermissionFull, ExpireTime: tago.ExpiresIn("1 day"),
	})
	require.NoError(t, err)
	assert.True(t, relative.ExpireTime.Time.Equal(at(12, 0).Add(24*time.Hour)), "expiry %v", relative.ExpireTime)

	renter, _ := flowClient(t, srv, tago.DeviceToken(tok.Token.Reveal()))
	_, err = renter.Data.Info(ctx)
	require.NoError(t, err)
	clk.advance(7 * time.Hour)
	_, err = renter.Data.Info(ctx)
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	day, _ := flowClient(t, srv, tago.DeviceToken(relative.Token.Reveal()))
	_, err = day.Data.Info(ctx)
	require.NoError(t, err)
}

// TestFlowTokenNeverInErrors collects the errors of failing calls made with real
// tokens and keys and checks that none shows a secret.
func TestFlowTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	network := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN"})
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "Meter", Network: network.ID})
	key := srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})
	account := accountClient(t, srv)
	device, _ := flowClient(t, srv, tago.DeviceToken(dev.Token))
	bridge, _ := flowClient(t, srv, tago.NetworkToken(network.Token))
	wrongKind, _ := flowClient(t, srv, tago.AccountToken(dev.Token))
	srv.FailNext(1, "GET", "/data", 500, `{"status":false,"message":"crash while serving token `+dev.Token+`"}`)

	var errs []error
	collect := func(_ any, err error) { errs = append(errs, err) }
	collect(device.Data.Get(ctx, nil))
	collect(device.Devices.List(ctx, nil))
	collect(wrongKind.Devices.List(ctx, nil))
	collect(bridge.Networks.ResolveToken(ctx, "0004A30B001C0599", key.Key))
	collect(nil, account.Tokens.Delete(ctx, "00000000-0000-4000-8000-000000000000"))
	collect(nil, account.Authorizations.Delete(ctx, "at00000000000000000000000000000000"))
	collect(nil, account.Tokens.Delete(ctx, dev.Token))
	collect(device.Data.Info(ctx)) // the token is gone now

	secrets := []string{dev.Token, srv.AccountToken(), network.Token, key.Key, "00000000-0000-4000-8000-000000000000"}
	failed := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		failed++
		for _, s := range secrets {
			assert.NotContains(t, err.Error(), s)
		}
		var apiErr *tago.APIError
		if errors.As(err, &apiErr) {
			for _, s := range secrets {
				assert.NotContains(t, apiErr.Path, s)
				assert.NotContains(t, apiErr.Message, s)
			}
		}
	}
	assert.Equal(t, 7, failed, "every call but the token delete fails: %v", errs)
}

// Profile tokens: the account lists its profile's tokens, creates one for a CI job,
// which then works like the first, and deletes it, after which it is refused.
func TestFlowProfileTokens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)

	toks, err := account.Tokens.ListProfile(ctx, srv.ProfileID(), nil)
	require.NoError(t, err)
	require.Len(t, toks, 1)
	assert.Equal(t, srv.AccountToken(), toks[0].Token.Reveal())

	ci, err := account.Tokens.CreateProfile(ctx, srv.ProfileID(), tago.ProfileTokenCreateRequest{
		Name: "ci", Permission: tago.PermissionFull, ExpireTime: tago.ExpiresNever(), Email: "ops@example.com", Password: "s3cret",
	})
	require.NoError(t, err)
	assert.True(t, ci.ExpireTime.Never)
	job, _ := flowClient(t, srv, tago.AccountToken(ci.Token.Reveal()))
	created := createDevice(t, job, "Made by CI")
	_, err = account.Devices.Info(ctx, created.ID)
	require.NoError(t, err, "the CI token acts for the same profile")

	var names []string
	for tok, err := range account.Tokens.AllProfile(ctx, srv.ProfileID(), nil) {
		require.NoError(t, err)
		names = append(names, tok.Name)
	}
	assert.Equal(t, []string{"ci", "Token #1"}, names)

	require.NoError(t, account.Tokens.DeleteProfile(ctx, srv.ProfileID(), ci.Token.Reveal()))
	_, err = job.Devices.List(ctx, nil)
	require.ErrorIs(t, err, tago.ErrUnauthorized)
}
