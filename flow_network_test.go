package tago_test

import (
	"strings"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What a LoRaWAN network-server bridge (Actility ThingPark, say) does: the account
// creates a device with its DevEUI on the network and a service authorization; the
// bridge, holding the network's token, resolves each uplink's DevEUI and key to the
// device token, and the token remembers the key as its last authorization.
func TestFlowServiceAuthorizationResolve(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	account := accountClient(t, srv)
	network := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility", MiddlewareEndpoint: "actility.middleware.tago.io"})
	connector := srv.AddConnector(tagotest.ConnectorSpec{Name: "Adeunis Temp", Networks: []string{network.ID}})

	// The account side.
	nets, err := account.Networks.List(ctx, &tago.NetworkListOptions{Name: "*actility*"})
	require.NoError(t, err)
	require.Len(t, nets, 1)
	assert.Equal(t, network.ID, nets[0].ID)
	netInfo, err := account.Networks.Info(ctx, network.ID)
	require.NoError(t, err)
	assert.Equal(t, "actility.middleware.tago.io", netInfo.MiddlewareEndpoint)
	conn, err := account.Networks.ConnectorInfo(ctx, connector.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{network.ID}, conn.Networks)

	const devEUI = "70B3D57ED0041234"
	dev, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{
		Name: "Cold room 3", Network: network.ID, Connector: connector.ID, SerieNumber: devEUI,
	})
	require.NoError(t, err)
	other, err := account.Devices.Create(ctx, tago.DeviceCreateRequest{
		Name: "Cold room 4", Network: network.ID, Connector: connector.ID, SerieNumber: "70B3D57ED0049999",
	})
	require.NoError(t, err)

	auth, err := account.Authorizations.Create(ctx, tago.AuthorizationCreateRequest{Name: "Actility ThingPark"})
	require.NoError(t, err)
	assert.Regexp(t, `^at[0-9a-f]{32}$`, auth.Token.Reveal())
	assert.Equal(t, "Actility ThingPark", auth.Name)
	auths, err := account.Authorizations.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, auths, 1)
	assert.Equal(t, auth.Token, auths[0].Token)

	// A bridge token for the network, created through the SDK.
	bridgeTok, err := account.Networks.CreateToken(ctx, network.ID, tago.NetworkTokenCreateRequest{Name: "bridge", Permission: tago.PermissionFull})
	require.NoError(t, err)
	toks, err := account.Networks.ListTokens(ctx, network.ID, nil)
	require.NoError(t, err)
	assert.Len(t, toks, 2, "the seeded token and the bridge's")

	// The bridge side.
	bridge, _ := flowClient(t, srv, tago.NetworkToken(bridgeTok.Token.Reveal()))
	current, err := bridge.Networks.Current(ctx)
	require.NoError(t, err)
	assert.Equal(t, network.ID, current.ID)
	assert.Equal(t, "LoRaWAN Actility", current.Name)

	got, err := bridge.Networks.ResolveToken(ctx, devEUI, auth.Token.Reveal())
	require.NoError(t, err)
	assert.Equal(t, dev.Token, got)
	held, ok := srv.LookupDeviceToken(got.Reveal())
	require.True(t, ok)
	assert.Equal(t, dev.ID, held.Device)
	assert.Equal(t, auth.Token.Reveal(), held.LastAuthorization)
	seen, err := account.Tokens.FindByName(ctx, dev.ID, held.Name)
	require.NoError(t, err)
	assert.Equal(t, auth.Token, seen.LastAuthorization, "the account sees which key resolved the device")
	assert.Equal(t, devEUI, seen.SerieNumber)
	untouched, _ := srv.LookupDeviceToken(other.Token.Reveal())
	assert.Empty(t, untouched.LastAuthorization)

	// DevEUIs match in any case; without a key any profile's device matches.
	got, err = bridge.Networks.ResolveToken(ctx, strings.ToLower(devEUI), auth.Token.Reveal())
	require.NoError(t, err)
	assert.Equal(t, dev.Token, got)
	got, err = bridge.Networks.ResolveToken(ctx, "70B3D57ED0049999", "")
	require.NoError(t, err)
	assert.Equal(t, other.Token, got)

	// The resolved token sends the uplink's data.
	uplink, _ := flowClient(t, srv, tago.DeviceToken(got.Reveal()))
	_, err = uplink.Data.Send(ctx, tago.Data{Variable: "temperature", Value: 4.5})
	require.NoError(t, err)
	assert.Len(t, srv.Data(other.ID), 1)

	// Failures a bridge must tell apart.
	_, err = bridge.Networks.ResolveToken(ctx, "70B3D57ED00499FF", auth.Token.Reveal())
	require.ErrorIs(t, err, tago.ErrNotFound)
	require.NoError(t, account.Authorizations.Edit(ctx, auth.Token.Reveal(), tago.AuthorizationEditRequest{VerificationCode: tago.Ptr(tago.Secret("downlink-secret"))}))
	require.NoError(t, account.Authorizations.Delete(ctx, auth.Token.Reveal()))
	_, err = bridge.Networks.ResolveToken(ctx, devEUI, auth.Token.Reveal())
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	assert.NotContains(t, err.Error(), auth.Token.Reveal(), "the key never shows in errors")
	assert.Contains(t, err.Error(), "[redacted]")

	// A deleted network token stops working.
	require.NoError(t, account.Networks.DeleteToken(ctx, bridgeTok.Token.Reveal()))
	_, err = bridge.Networks.Current(ctx)
	require.ErrorIs(t, err, tago.ErrUnauthorized)
}

// A network only resolves its own devices, and with a key only the key's profile.
func TestFlowResolveScopes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := tagotest.NewServer(t)
	lora := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN Actility"})
	other := srv.AddNetwork(tagotest.NetworkSpec{Name: "LoRaWAN TTN"})
	mine := srv.AddDevice(tagotest.DeviceSpec{Name: "mine", Network: lora.ID, SerieNumber: "0004A30B001C0530"})
	srv.AddDevice(tagotest.DeviceSpec{Name: "ttn", Network: other.ID, SerieNumber: "0004A30B001C0531"})
	rival := srv.AddProfile("Rival")
	srv.AddDevice(tagotest.DeviceSpec{Profile: rival.ID, Name: "theirs", Network: lora.ID, SerieNumber: "0004A30B001C0532"})
	key := srv.AddAuthorization(tagotest.AuthorizationSpec{Name: "ThingPark"})

	bridge, _ := flowClient(t, srv, tago.NetworkToken(lora.Token))
	got, err := bridge.Networks.ResolveToken(ctx, "0004A30B001C0530", key.Key)
	require.NoError(t, err)
	assert.Equal(t, mine.Token, got.Reveal())
	_, err = bridge.Networks.ResolveToken(ctx, "0004A30B001C0531", key.Key)
	require.ErrorIs(t, err, tago.ErrNotFound, "a device of another network")
	_, err = bridge.Networks.ResolveToken(ctx, "0004A30B001C0532", key.Key)
	require.ErrorIs(t, err, tago.ErrNotFound, "a device of another profile")
	_, err = bridge.Networks.ResolveToken(ctx, "0004A30B001C0532", "")
	require.NoError(t, err, "without a key every profile using the network counts")
}
