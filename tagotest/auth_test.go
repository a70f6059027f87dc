package tagotest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatusNeedsNoToken(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	r := send(t, srv, "GET", "/status", "", "", nil)
	assert.Equal(t, http.StatusOK, r.code)
	assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	assert.JSONEq(t, `{"status":true,"result":{"version":"tagotest"}}`, string(r.body))
}

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	readOnly := srv.AddDeviceToken(dev.ID, TokenSpec{Permission: "read"}).Token
	writeOnly := srv.AddDeviceToken(dev.ID, TokenSpec{Permission: "write"}).Token
	expired := srv.AddDeviceToken(dev.ID, TokenSpec{Expire: t0.Add(-time.Second)}).Token
	netw := srv.AddNetwork(NetworkSpec{Name: "LoRaWAN"})
	auth := srv.AddAuthorization(AuthorizationSpec{Name: "ns"})
	readAccount := ""
	{
		r := asAccount(t, srv, "POST", "/profile/current/token",
			map[string]any{"name": "ro", "permission": "read", "email": DefaultEmail, "password": DefaultPassword})
		var out struct{ Token string }
		r.decode(t, &out)
		readAccount = out.Token
	}

	const invalid = `{"status":false,"message":"Invalid Token"}`
	const denied = `{"status":false,"message":"Authorization Denied"}`
	tests := []struct {
		name, method, path, hdr, token string
		body                           any
		want                           string
	}{
		{"no token", "GET", "/device", "", "", nil, invalid},
		{"unknown token", "GET", "/device", "Account-Token", "00000000-0000-4000-8000-000000000000", nil, invalid},
		{"literal null", "GET", "/device", "Account-Token", "null", nil, invalid},
		{"expired device token", "GET", "/data", "Device-Token", expired, nil, invalid},
		{"device token on account route", "GET", "/device", "Device-Token", dev.Token, nil, denied},
		{"device token sent as account token", "GET", "/device", "Account-Token", dev.Token, nil, denied},
		{"account token on device route", "GET", "/data", "Account-Token", srv.AccountToken(), nil, denied},
		{"network token on account route", "GET", "/device", "Token", netw.Token, nil, denied},
		{"authorization key as a token", "GET", "/device", "Authorization", auth.Key, nil, denied},
		{"account token on resolve", "GET", "/integration/network/resolve/ABC", "Account-Token", srv.AccountToken(), nil, denied},
		{"read-only device token writes", "POST", "/data", "Device-Token", readOnly, map[string]any{"variable": "x"}, denied},
		{"write-only device token reads", "GET", "/data", "Device-Token", writeOnly, nil, denied},
		{"read-only account token writes", "POST", "/dashboard", "Account-Token", readAccount, map[string]any{"label": "x"}, denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, srv, tt.method, tt.path, tt.hdr, tt.token, tt.body)
			assert.Equal(t, http.StatusUnauthorized, r.code)
			assert.JSONEq(t, tt.want, string(r.body))
		})
	}
	// The rejected write stored nothing; the permitted ones work.
	assert.Empty(t, srv.Data(dev.ID))
	assert.Equal(t, "1 Data Added", asDevice(t, srv, writeOnly, "POST", "/data", map[string]any{"variable": "x"}).str(t))
	assert.Equal(t, http.StatusOK, asDevice(t, srv, readOnly, "GET", "/data", nil).code)
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/device", "Account-Token", readAccount, nil).code)

	// A token that expires later stops working when the clock passes it.
	later := srv.AddDeviceToken(dev.ID, TokenSpec{Expire: t0.Add(time.Hour)}).Token
	assert.Equal(t, http.StatusOK, asDevice(t, srv, later, "GET", "/info", nil).code)
	clock.t = t0.Add(2 * time.Hour)
	assert.Equal(t, http.StatusUnauthorized, asDevice(t, srv, later, "GET", "/info", nil).code)
}

func TestTokenHeaders(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	for _, hdr := range []string{"Account-Token", "Profile-Token", "Token", "token", "Authorization", "Device-Token"} {
		r := send(t, srv, "GET", "/device", hdr, srv.AccountToken(), nil)
		assert.Equal(t, http.StatusOK, r.code, hdr)
		r = send(t, srv, "GET", "/info", hdr, dev.Token, nil)
		assert.Equal(t, http.StatusOK, r.code, hdr)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 12)
	assert.Equal(t, "Profile-Token", reqs[2].TokenHeader)
	assert.Equal(t, "account", reqs[2].TokenKind)
	assert.Equal(t, "Token", reqs[6].TokenHeader) // canonical name of "token"
	assert.Equal(t, "device", reqs[9].TokenKind)
	assert.Equal(t, "Authorization", reqs[9].TokenHeader)

	// With two token headers the first in the platform's order wins.
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/info", nil)
	require.NoError(t, err)
	req.Header.Set("Device-Token", dev.Token)
	req.Header.Set("Authorization", "garbage")
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestEnvelopeShapes(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)

	// 201 where the reference says so.
	r := asAccount(t, srv, "POST", "/device", map[string]any{"name": "a", "network": DefaultNetworkID, "connector": DefaultConnectorID, "type": "mutable"})
	assert.Equal(t, http.StatusCreated, r.code)
	var created struct {
		DeviceID string `json:"device_id"`
		BucketID string `json:"bucket_id"`
		Token    string `json:"token"`
	}
	r.decode(t, &created)
	assert.Regexp(t, hexID, created.DeviceID)
	assert.Equal(t, created.DeviceID, created.BucketID)
	assert.Regexp(t, uuidRe, created.Token)

	r = asAccount(t, srv, "POST", "/device/token", map[string]any{"device": created.DeviceID, "name": "t2", "permission": "full"})
	assert.Equal(t, http.StatusCreated, r.code)
	r = asAccount(t, srv, "POST", "/device/"+created.DeviceID+"/params", map[string]any{"key": "k", "value": "v", "sent": false})
	assert.Equal(t, http.StatusCreated, r.code)
	assert.JSONEq(t, `{"status":true,"result":"Params Successfully Updated"}`, string(r.body))
	r = asAccount(t, srv, "POST", "/dashboard", map[string]any{"label": "x"})
	assert.Equal(t, http.StatusCreated, r.code)

	// Validation: 400 with field_errors.
	r = asAccount(t, srv, "POST", "/device", map[string]any{"network": DefaultNetworkID, "connector": DefaultConnectorID})
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.JSONEq(t, `{"status":false,"message":"Error on Body parameters","field_errors":{"name":["is required"]}}`, string(r.body))

	// Not found.
	r = asAccount(t, srv, "GET", "/device/0123456789abcdef01234567", nil)
	assert.Equal(t, http.StatusNotFound, r.code)
	assert.JSONEq(t, `{"status":false,"message":"Device not found"}`, string(r.body))

	// Unknown route and unknown method.
	r = asAccount(t, srv, "GET", "/nope", nil)
	assert.Equal(t, http.StatusNotFound, r.code)
	assert.JSONEq(t, `{"status":false,"message":"Cannot GET /nope"}`, string(r.body))
	r = asAccount(t, srv, "PATCH", "/device", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.code)
	assert.False(t, r.env.Status)

	// Malformed JSON.
	r = asAccount(t, srv, "POST", "/dashboard", "{not json")
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.False(t, r.env.Status)
	assert.Contains(t, r.env.Message, "Invalid JSON body")

	// A wrongly typed field names the field.
	r = asAccount(t, srv, "POST", "/device", map[string]any{"name": 5})
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.Equal(t, map[string][]string{"name": {"must be a string"}}, r.env.FieldErrors)
}

func TestTrailingSlashAndLiteralRoutes(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	// "/integration/network/" with the slash the JS SDK sends.
	assert.Equal(t, http.StatusOK, asAccount(t, srv, "GET", "/integration/network/", nil).code)
	// /device/token/{id} is the token list, not the data of a device called "token".
	r := asAccount(t, srv, "GET", "/device/token/"+dev.ID, nil)
	require.Equal(t, http.StatusOK, r.code)
	var toks []map[string]any
	r.decode(t, &toks)
	require.Len(t, toks, 1)
	assert.Equal(t, dev.Token, toks[0]["token"])
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithRequestLogLimit(3))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	asDevice(t, srv, dev.Token, "POST", "/data", map[string]any{"variable": "t", "value": 1})
	asDevice(t, srv, dev.Token, "GET", "/data?variables%5B0%5D=t&qty=1", nil)
	send(t, srv, "GET", "/status", "", "", nil)
	send(t, srv, "GET", "/device", "Account-Token", "bogus", nil)

	reqs := srv.Requests()
	require.Len(t, reqs, 3, "the oldest request was dropped")
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, "/data", reqs[0].Path)
	assert.Equal(t, "variables%5B0%5D=t&qty=1", reqs[0].RawQuery)
	assert.Equal(t, []string{"t"}, reqs[0].Query["variables[0]"])
	assert.Equal(t, "device", reqs[0].TokenKind)
	assert.True(t, reqs[0].Applied)
	assert.Equal(t, http.StatusOK, reqs[0].Status)
	assert.Equal(t, "", reqs[1].TokenKind)
	assert.Equal(t, "unknown", reqs[2].TokenKind)
	assert.Equal(t, http.StatusUnauthorized, reqs[2].Status)

	srv.ClearRequests()
	assert.Empty(t, srv.Requests())
}

func TestReproducibleWithSeedAndClock(t *testing.T) {
	t.Parallel()
	clock := func() time.Time { return t0 }
	a := NewServer(t, WithSeed(7), WithClock(clock))
	b := NewServer(t, WithSeed(7), WithClock(clock))
	c := NewServer(t, WithSeed(8), WithClock(clock))
	assert.Equal(t, a.AccountToken(), b.AccountToken())
	assert.Equal(t, a.ProfileID(), b.ProfileID())
	assert.Regexp(t, uuidRe, a.AccountToken())
	assert.Regexp(t, hexID, a.ProfileID())
	assert.Equal(t, "67ced440", a.ProfileID()[:8], "IDs start with the creation time, as ObjectIDs do")
	da, db := a.AddDevice(DeviceSpec{Name: "x"}), b.AddDevice(DeviceSpec{Name: "x"})
	assert.Equal(t, da.ID, db.ID)
	assert.Equal(t, da.Token, db.Token)
	assert.NotEqual(t, a.AccountToken(), c.AccountToken())
	assert.Panics(t, func() { NewServer(nil) })
}
