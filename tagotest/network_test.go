package tagotest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// actilitySetup seeds an Actility network, an authorization and a LoRaWAN device.
func actilitySetup(t *testing.T, srv *Server) (Network, Authorization, Device) {
	t.Helper()
	netw := srv.AddNetwork(NetworkSpec{Name: "LoRaWAN Actility", MiddlewareEndpoint: "actility.middleware.tago.io"})
	conn := srv.AddConnector(ConnectorSpec{Name: "Adeunis Field Test", Networks: []string{netw.ID}})
	auth := srv.AddAuthorization(AuthorizationSpec{Name: "ThingPark"})
	dev := srv.AddDevice(DeviceSpec{Name: "Field tester", Network: netw.ID, Connector: conn.ID, SerieNumber: "0018B20000000BEE"})
	return netw, auth, dev
}

func TestResolveToken(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	netw, auth, dev := actilitySetup(t, srv)
	assert.Regexp(t, authKeyR, auth.Key)

	r := asNetwork(t, srv, netw.Token, "GET", "/integration/network/resolve/0018B20000000BEE", nil)
	assert.JSONEq(t, `{"status":true,"result":"`+dev.Token+`"}`, string(r.body))
	tok, ok := srv.LookupDeviceToken(dev.Token)
	require.True(t, ok)
	assert.Empty(t, tok.LastAuthorization, "no authorization, nothing remembered")

	r = asNetwork(t, srv, netw.Token, "GET", "/integration/network/resolve/0018b20000000bee/"+auth.Key+"?details=true", nil)
	assert.Equal(t, dev.Token, r.str(t), "serials match in any case")
	tok, _ = srv.LookupDeviceToken(dev.Token)
	assert.Equal(t, auth.Key, tok.LastAuthorization)
	var list []map[string]any
	asAccount(t, srv, "GET", "/device/token/"+dev.ID+"?fields=name,serie_number,last_authorization", nil).decode(t, &list)
	assert.Equal(t, []map[string]any{{"name": "Default", "serie_number": "0018B20000000BEE", "last_authorization": auth.Key}}, list)

	// The downlink helper's flow reads the network's middleware endpoint.
	var info map[string]any
	asAccount(t, srv, "GET", "/integration/network/"+netw.ID+"?fields=id,middleware_endpoint,name", nil).decode(t, &info)
	assert.Equal(t, map[string]any{"id": netw.ID, "middleware_endpoint": "actility.middleware.tago.io", "name": "LoRaWAN Actility"}, info)

	r = asNetwork(t, srv, netw.Token, "GET", "/integration/network/resolve/FFFFFFFFFFFFFFFF", nil)
	assert.Equal(t, http.StatusNotFound, r.code)
	assert.JSONEq(t, `{"status":false,"message":"Device not found"}`, string(r.body))
	r = asNetwork(t, srv, netw.Token, "GET", "/integration/network/resolve/0018B20000000BEE/at00000000000000000000000000000000", nil)
	assert.Equal(t, http.StatusUnauthorized, r.code)
	assert.JSONEq(t, `{"status":false,"message":"Invalid Authorization"}`, string(r.body))

	// A network resolves only its own devices.
	other := srv.AddNetwork(NetworkSpec{Name: "Everynet"})
	r = asNetwork(t, srv, other.Token, "GET", "/integration/network/resolve/0018B20000000BEE", nil)
	assert.Equal(t, http.StatusNotFound, r.code)
}

func TestResolveTokenAcrossProfiles(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	netw, authA, devA := actilitySetup(t, srv)
	b := srv.AddProfile("customer B")
	authB := srv.AddAuthorization(AuthorizationSpec{Profile: b.ID, Name: "B's key"})
	devB := srv.AddDevice(DeviceSpec{Profile: b.ID, Name: "same EUI", Network: netw.ID, Connector: DefaultConnectorID, SerieNumber: "0018B20000000BEE"})
	onlyA := srv.AddDevice(DeviceSpec{Name: "only in A", Network: netw.ID, SerieNumber: "70B3D57ED0000001"})

	resolve := func(path string) resp {
		t.Helper()
		return asNetwork(t, srv, netw.Token, "GET", "/integration/network/resolve/"+path, nil)
	}
	assert.Equal(t, devB.Token, resolve("0018B20000000BEE").str(t), "without a key the newest device wins")
	assert.Equal(t, devA.Token, resolve("0018B20000000BEE/"+authA.Key).str(t), "the key scopes to its profile")
	assert.Equal(t, devB.Token, resolve("0018B20000000BEE/"+authB.Key).str(t))
	assert.Equal(t, onlyA.Token, resolve("70B3D57ED0000001/"+authA.Key).str(t))
	assert.Equal(t, http.StatusNotFound, resolve("70B3D57ED0000001/"+authB.Key).code)

	// A token of its own with the serial is preferred over the default one.
	extra := srv.AddDeviceToken(devA.ID, TokenSpec{Name: "ns", SerieNumber: "0018B20000000BEE"})
	assert.Equal(t, extra.Token, resolve("0018B20000000BEE/"+authA.Key).str(t))

	// Deleting the authorization makes it invalid at once.
	asAccount(t, srv, "DELETE", "/serviceauth/"+authA.Key, nil)
	assert.Equal(t, http.StatusUnauthorized, resolve("0018B20000000BEE/"+authA.Key).code)
}

func TestInfoIsPolymorphic(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	netw, auth, dev := actilitySetup(t, srv)

	var d map[string]any
	asDevice(t, srv, dev.Token, "GET", "/info", nil).decode(t, &d)
	assert.Equal(t, dev.ID, d["id"])
	assert.Equal(t, "Field tester", d["name"])
	assert.Equal(t, netw.ID, d["network"])

	var n map[string]any
	asNetwork(t, srv, netw.Token, "GET", "/info", nil).decode(t, &n)
	assert.Equal(t, netw.ID, n["id"])
	assert.Equal(t, "actility.middleware.tago.io", n["middleware_endpoint"])
	assert.Equal(t, true, n["public"])

	var a map[string]any
	send(t, srv, "GET", "/info", "Token", auth.Key, nil).decode(t, &a)
	assert.Equal(t, "authorization", a["type"])
	assert.Equal(t, "ThingPark", a["name"])
	assert.NotContains(t, a, "token")

	assert.Equal(t, http.StatusUnauthorized, asAccount(t, srv, "GET", "/info", nil).code)
}

func TestNetworksAndConnectors(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	netw, _, _ := actilitySetup(t, srv)
	other := srv.AddProfile("other")
	hidden := srv.AddNetwork(NetworkSpec{Profile: other.ID, Name: "Private net", Private: true})

	assert.Equal(t, []string{"HTTPs", "LoRaWAN Actility"}, names(t, asAccount(t, srv, "GET", "/integration/network/?fields=id,name", nil), "name"))
	assert.Equal(t, []string{"HTTPs", "LoRaWAN Actility", "Private net"}, names(t, send(t, srv, "GET", "/integration/network", "Account-Token", other.Token, nil), "name"))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/integration/network/"+hidden.ID, nil).code)
	assert.Equal(t, []string{"LoRaWAN Actility"}, names(t, asAccount(t, srv, "GET", "/integration/network?filter[name]=*lora*", nil), "name"))

	assert.Equal(t, []string{"Adeunis Field Test", "Custom HTTPs"}, names(t, asAccount(t, srv, "GET", "/integration/connector/", nil), "name"))
	var conn map[string]any
	asAccount(t, srv, "GET", "/integration/connector/"+DefaultConnectorID+"?fields=id,name,networks", nil).decode(t, &conn)
	assert.Equal(t, map[string]any{"id": DefaultConnectorID, "name": "Custom HTTPs", "networks": []any{DefaultNetworkID}}, conn)

	// Network tokens.
	r := asAccount(t, srv, "POST", "/integration/network/token", map[string]any{"network": netw.ID, "name": "middleware"})
	var created struct{ Token, Name, Network string }
	r.decode(t, &created)
	assert.Regexp(t, uuidRe, created.Token)
	assert.Equal(t, "middleware", created.Name)
	assert.Equal(t, netw.ID, created.Network)
	assert.Equal(t, []string{"middleware", "Token #1"}, names(t, asAccount(t, srv, "GET", "/integration/network/token/"+netw.ID, nil), "name"))
	assert.Equal(t, http.StatusOK, asNetwork(t, srv, created.Token, "GET", "/info", nil).code)
	r = asAccount(t, srv, "DELETE", "/integration/network/token/"+created.Token, nil)
	assert.Equal(t, "Token Successfully Removed", r.str(t))
	assert.Equal(t, http.StatusUnauthorized, asNetwork(t, srv, created.Token, "GET", "/info", nil).code)
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/integration/network/token/"+DefaultNetworkID, nil).code, "not ours")

	// Create, edit and delete a network.
	r = asAccount(t, srv, "POST", "/integration/network/", map[string]any{"name": "Mine", "middleware_endpoint": "mw.example.com", "public": false})
	var made struct{ Network string }
	r.decode(t, &made)
	assert.Regexp(t, hexID, made.Network)
	assert.Equal(t, "Successfully Updated", asAccount(t, srv, "PUT", "/integration/network/"+made.Network, map[string]any{"description": "x"}).str(t))
	var mine map[string]any
	asAccount(t, srv, "GET", "/integration/network/"+made.Network, nil).decode(t, &mine)
	assert.Equal(t, "x", mine["description"])
	assert.Equal(t, "mw.example.com", mine["middleware_endpoint"])
	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", "/integration/network/"+made.Network, nil).str(t))
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", "/integration/network", map[string]any{"description": "no name"}).code)
}

func TestServiceAuthorizations(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	r := asAccount(t, srv, "POST", "/serviceauth", map[string]any{"name": "ThingPark"})
	var a struct {
		Token, Name, Profile string
	}
	r.decode(t, &a)
	assert.Regexp(t, authKeyR, a.Token)
	assert.Equal(t, srv.ProfileID(), a.Profile)
	assert.NotContains(t, string(r.body), "verification_code")

	clock.t = t0.Add(time.Second)
	r = asAccount(t, srv, "POST", "/serviceauth", map[string]any{"name": "Loriot", "verification_code": "lns-token"})
	assert.Contains(t, string(r.body), `"verification_code":"lns-token"`)
	assert.Contains(t, string(r.body), `"additional_parameters":"lns-token"`)
	var b struct{ Token string }
	r.decode(t, &b)

	assert.Equal(t, []string{"Loriot", "ThingPark"}, names(t, asAccount(t, srv, "GET", "/serviceauth", nil), "name"), "newest first")
	var list []map[string]any
	asAccount(t, srv, "GET", "/serviceauth?fields=name,token,verification_code&filter[name]=thing*", nil).decode(t, &list)
	assert.Equal(t, []map[string]any{{"name": "ThingPark", "token": a.Token, "verification_code": nil}}, list)

	assert.Equal(t, "Successfully Updated", asAccount(t, srv, "PUT", "/serviceauth/"+a.Token, map[string]any{"verification_code": "x"}).str(t))
	list = nil
	asAccount(t, srv, "GET", "/serviceauth?fields=verification_code&filter[token]="+a.Token, nil).decode(t, &list)
	assert.Equal(t, []map[string]any{{"verification_code": "x"}}, list)

	assert.Equal(t, "Token Successfully Removed", asAccount(t, srv, "DELETE", "/serviceauth/"+b.Token, nil).str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "DELETE", "/serviceauth/"+b.Token, nil).code)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", "/serviceauth", map[string]any{}).code)
}

func TestNetworkParamsAndData(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	netw, auth, dev := actilitySetup(t, srv)

	r := asNetwork(t, srv, netw.Token, "POST", "/integration/network/"+dev.ID+"/params", []map[string]any{{"key": "downlink", "value": "0a", "sent": false}})
	assert.JSONEq(t, `{"status":true,"result":"Device Configuration Parameter Updated"}`, string(r.body))
	assert.Equal(t, "downlink", srv.Params(dev.ID)[0].Key)
	other := srv.AddDevice(DeviceSpec{Name: "https device"})
	assert.Equal(t, http.StatusNotFound, asNetwork(t, srv, netw.Token, "POST", "/integration/network/"+other.ID+"/params", map[string]any{"key": "k"}).code)

	r = asNetwork(t, srv, netw.Token, "POST", "/integration/network/data?authorization_token="+auth.Key,
		[]map[string]any{{"variable": "payload", "value": "9e18", "metadata": map[string]any{"serial": "0018B20000000BEE"}}})
	assert.Equal(t, "1 Data Added", r.str(t))
	assert.Equal(t, "9e18", srv.Data(dev.ID)[0].Value)
	tok, _ := srv.LookupDeviceToken(dev.Token)
	assert.Equal(t, auth.Key, tok.LastAuthorization)

	r = asNetwork(t, srv, netw.Token, "POST", "/integration/network/data?authorization_token="+auth.Key, map[string]any{"variable": "payload"})
	assert.Equal(t, http.StatusBadRequest, r.code)
	r = asNetwork(t, srv, netw.Token, "POST", "/integration/network/data", map[string]any{"variable": "payload"})
	assert.Equal(t, http.StatusBadRequest, r.code)
	r = asNetwork(t, srv, netw.Token, "POST", "/integration/network/data?authorization_token=nope", map[string]any{"variable": "payload"})
	assert.Equal(t, http.StatusUnauthorized, r.code)
}

func TestProfileTokens(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithAccountToken("11111111-2222-4333-8444-555555555555"))
	assert.Equal(t, "11111111-2222-4333-8444-555555555555", srv.AccountToken())

	var profiles []map[string]any
	asAccount(t, srv, "GET", "/profile", nil).decode(t, &profiles)
	require.Len(t, profiles, 1)
	assert.Equal(t, srv.ProfileID(), profiles[0]["id"])
	var info struct {
		Info struct{ ID, Name string }
	}
	asAccount(t, srv, "GET", "/profile/current", nil).decode(t, &info)
	assert.Equal(t, srv.ProfileID(), info.Info.ID)

	base := "/profile/" + srv.ProfileID() + "/token"
	r := asAccount(t, srv, "POST", base, map[string]any{"name": "ci", "permission": "full", "email": DefaultEmail, "password": DefaultPassword})
	var tok struct{ Token, Permission, ExpireDate string }
	r.decode(t, &tok)
	assert.Regexp(t, uuidRe, tok.Token)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", base, map[string]any{"name": "no credentials"}).code)
	assert.ElementsMatch(t, []string{"ci", "Token #1"}, names(t, asAccount(t, srv, "GET", base, nil), "name"))
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/device", "Account-Token", tok.Token, nil).code)
	assert.Equal(t, "Token Successfully Removed", asAccount(t, srv, "DELETE", base+"/"+tok.Token, nil).str(t))
	assert.Equal(t, http.StatusUnauthorized, send(t, srv, "GET", "/device", "Account-Token", tok.Token, nil).code)
	other := srv.AddProfile("x")
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/profile/"+other.ID+"/token", nil).code)
}

func TestConnectorsCRUD(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	lora := srv.AddNetwork(NetworkSpec{Name: "LoRaWAN", Private: true})
	other := srv.AddProfile("other")

	r := asAccount(t, srv, "POST", "/integration/connector/", map[string]any{"name": "My decoder", "networks": []string{lora.ID}})
	require.Equal(t, http.StatusOK, r.code, string(r.body))
	var made struct{ Connector string }
	r.decode(t, &made)
	require.Regexp(t, hexID, made.Connector)
	var info map[string]any
	asAccount(t, srv, "GET", "/integration/connector/"+made.Connector+"?fields=name,networks,public", nil).decode(t, &info)
	assert.Equal(t, map[string]any{"name": "My decoder", "networks": []any{lora.ID}, "public": false}, info)
	assert.Equal(t, []string{"My decoder"}, names(t, asAccount(t, srv, "GET", "/integration/connector?filter[networks]="+lora.ID, nil), "name"))

	r = send(t, srv, "POST", "/integration/connector", "Account-Token", other.Token, map[string]any{"name": "x", "networks": []string{lora.ID}})
	assert.Equal(t, map[string][]string{"networks[0]": {"network " + lora.ID + " not found"}}, r.env.FieldErrors, "a private network of another profile")
	assert.Equal(t, http.StatusNotFound, send(t, srv, "GET", "/integration/connector/"+made.Connector, "Account-Token", other.Token, nil).code)
	assert.Equal(t, http.StatusNotFound, send(t, srv, "PUT", "/integration/connector/"+DefaultConnectorID, "Account-Token", other.Token, map[string]any{"name": "mine"}).code,
		"the built-in connector is seen by all, changed by none")

	assert.Equal(t, "Successfully Updated", asAccount(t, srv, "PUT", "/integration/connector/"+made.Connector, map[string]any{"public": true}).str(t))
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/integration/connector/"+made.Connector, "Account-Token", other.Token, nil).code, "public now")
	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", "/integration/connector/"+made.Connector, nil).str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/integration/connector/"+made.Connector, nil).code)
}
