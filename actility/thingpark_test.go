package actility

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testBearer  = "eyJhbGciOiJSUzI1NiJ9.thingpark-bearer-token-0123456789"
	testAuthKey = "at1234567890abcdef1234567890abcdef"
)

// recorded is one request a fake ThingPark received.
type recorded struct {
	Method, Path, Auth, ContentType string
	Body                            string
}

// fakeThingPark answers every request with status and body and records it.
type fakeThingPark struct {
	mu     sync.Mutex
	reqs   []recorded
	status int
	body   string
}

func (f *fakeThingPark) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{r.Method, r.URL.EscapedPath(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b)})
	status, body := f.status, f.body
	f.mu.Unlock()
	if body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *fakeThingPark) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// newThingPark starts a fake ThingPark answering status and body, and a client for it.
func newThingPark(t *testing.T, status int, body string) (*ThingParkClient, *fakeThingPark) {
	t.Helper()
	f := &fakeThingPark{status: status, body: body}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := NewThingParkClient(srv.URL+"/thingpark/dx/core/latest/api/", testBearer, srv.Client())
	require.NoError(t, err)
	return c, f
}

const createdConnection = `{"id":"1114","connectorId":"actility-http-iot","brand":"TAGO","name":"Actility To Tago","state":"OPENED",
	"active":true,"configuration":{"destinationURL":"https://actility.middleware.tago.io/uplink?authorization=at1234567890abcdef1234567890abcdef","description":"farm","uplinkTimeValidity":"1h"},
	"alarms":[{"type":"LOW_RATE"}]}`

func TestCreateConnection(t *testing.T) {
	t.Parallel()
	c, f := newThingPark(t, http.StatusCreated, createdConnection)
	got, err := c.CreateConnection(t.Context(), ConnectionRequest{Name: "Actility To Tago", AuthorizationKey: testAuthKey})
	require.NoError(t, err)

	reqs := f.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, "/thingpark/dx/core/latest/api/connections", reqs[0].Path)
	assert.Equal(t, "Bearer "+testBearer, reqs[0].Auth)
	assert.Equal(t, "application/json", reqs[0].ContentType)
	// The key travels in the destination URL's query, as Actility documents it.
	assert.JSONEq(t, `{"name":"Actility To Tago","connectorId":"actility-http-iot","brand":"TAGO",
		"configuration":{"destinationURL":"https://actility.middleware.tago.io/uplink?authorization=at1234567890abcdef1234567890abcdef"}}`, reqs[0].Body)

	assert.Equal(t, Connection{
		ID: "1114", Name: "Actility To Tago", ConnectorID: ConnectorID, Brand: BrandTago, State: "OPENED",
		Active: bp(true), AuthorizationKey: testAuthKey, UplinkURL: "https://actility.middleware.tago.io/uplink", Description: "farm",
		Configuration: map[string]json.RawMessage{"uplinkTimeValidity": raw(`"1h"`)},
		Extra:         map[string]json.RawMessage{"alarms": raw(`[{"type":"LOW_RATE"}]`)},
	}, got)
	assert.NotContains(t, got.String(), testAuthKey)
	assert.NotContains(t, fmt.Sprint(got), testAuthKey)
}

func TestUpdateConnectionSendsWholeConfiguration(t *testing.T) {
	t.Parallel()
	c, f := newThingPark(t, http.StatusOK, createdConnection)
	var existing Connection
	require.NoError(t, json.Unmarshal([]byte(createdConnection), &existing))

	// Change only the key; everything else the connection held is sent again.
	req := existing.Request()
	req.AuthorizationKey = "atfedcba0987654321fedcba0987654321"
	_, err := c.UpdateConnection(t.Context(), existing.ID, req)
	require.NoError(t, err)

	reqs := f.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "PUT", reqs[0].Method)
	assert.Equal(t, "/thingpark/dx/core/latest/api/connections/1114", reqs[0].Path)
	assert.JSONEq(t, `{"name":"Actility To Tago","connectorId":"actility-http-iot","brand":"TAGO","active":true,
		"configuration":{"destinationURL":"https://actility.middleware.tago.io/uplink?authorization=atfedcba0987654321fedcba0987654321","description":"farm","uplinkTimeValidity":"1h"},
		"alarms":[{"type":"LOW_RATE"}]}`, reqs[0].Body)
}

func TestConnectionToSelfHostedBridge(t *testing.T) {
	t.Parallel()
	c, f := newThingPark(t, http.StatusCreated, `{"id":"7","configuration":{"destinationURL":"https://bridge.example.com/uplink?x=1&authorization=`+testAuthKey+`"}}`)
	got, err := c.CreateConnection(t.Context(), ConnectionRequest{Name: "Own bridge", AuthorizationKey: testAuthKey,
		UplinkURL: "https://bridge.example.com/uplink?x=1"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"Own bridge","connectorId":"actility-http-iot","brand":"TAGO",
		"configuration":{"destinationURL":"https://bridge.example.com/uplink?x=1&authorization=`+testAuthKey+`"}}`, f.requests()[0].Body)
	assert.Equal(t, Connection{ID: "7", AuthorizationKey: testAuthKey, UplinkURL: "https://bridge.example.com/uplink?x=1"}, got)

	// A connection made the way Actility documented it until 2022-04 is read too.
	var legacy Connection
	require.NoError(t, json.Unmarshal([]byte(`{"id":"8","configuration":{"authorizationKey":"`+testAuthKey+`"}}`), &legacy))
	assert.Equal(t, Connection{ID: "8", AuthorizationKey: testAuthKey}, legacy)

	for _, tc := range []struct{ url, err string }{
		{"http://bridge.example.com/uplink", "actility: the connection's uplink URL must be an absolute https URL without credentials or fragment"},
		{"bridge.example.com/uplink", "actility: the connection's uplink URL must be an absolute https URL without credentials or fragment"},
		{"https://bridge.example.com/uplink?authorization=" + testAuthKey, "actility: the connection's uplink URL must not hold a key; set AuthorizationKey"},
	} {
		_, err := c.CreateConnection(t.Context(), ConnectionRequest{Name: "n", AuthorizationKey: testAuthKey, UplinkURL: tc.url})
		assert.EqualError(t, err, tc.err, tc.url)
		assert.NotContains(t, err.Error(), testAuthKey)
	}
	assert.Len(t, f.requests(), 1)
}

// TestThingParkNoRedirect: a 307 from ThingPark is an error; the key and the bearer
// token are not posted again to the host it points at, plain http or not.
func TestThingParkNoRedirect(t *testing.T) {
	t.Parallel()
	var elsewhere sync.Mutex
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		elsewhere.Lock()
		leaked = append(leaked, r.Header.Get("Authorization")+" "+string(b))
		elsewhere.Unlock()
	}))
	t.Cleanup(other.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)

	// Even a caller's client that would follow redirects does not, and is left alone.
	follows := &http.Client{}
	c, err := NewThingParkClient(redirect.URL, testBearer, follows)
	require.NoError(t, err)
	_, err = c.CreateConnection(t.Context(), ConnectionRequest{Name: "n", AuthorizationKey: testAuthKey})
	var tpErr *ThingParkError
	require.ErrorAs(t, err, &tpErr)
	assert.Equal(t, http.StatusTemporaryRedirect, tpErr.StatusCode)
	assert.Nil(t, follows.CheckRedirect)
	c, err = NewThingParkClient(redirect.URL, testBearer, nil)
	require.NoError(t, err)
	require.Error(t, c.DeleteConnection(t.Context(), "1"))
	elsewhere.Lock()
	defer elsewhere.Unlock()
	assert.Empty(t, leaked)
}

func TestGetAndDeleteConnection(t *testing.T) {
	t.Parallel()
	c, f := newThingPark(t, http.StatusOK, createdConnection)
	got, err := c.GetConnection(t.Context(), "11/14")
	require.NoError(t, err)
	assert.Equal(t, "1114", got.ID)

	f.mu.Lock()
	f.status, f.body = http.StatusNoContent, ""
	f.mu.Unlock()
	require.NoError(t, c.DeleteConnection(t.Context(), "1114"))

	reqs := f.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, recorded{Method: "GET", Path: "/thingpark/dx/core/latest/api/connections/11%2F14", Auth: "Bearer " + testBearer}, reqs[0])
	assert.Equal(t, recorded{Method: "DELETE", Path: "/thingpark/dx/core/latest/api/connections/1114", Auth: "Bearer " + testBearer}, reqs[1])
}

func TestThingParkErrorsRedactSecrets(t *testing.T) {
	t.Parallel()
	// ThingPark echoing the configuration and the token in its error.
	echo := `{"code":400,"message":"invalid authorizationKey at1234567890abcdef1234567890abcdef for token ` + testBearer + `"}`
	c, _ := newThingPark(t, http.StatusBadRequest, echo)
	_, err := c.CreateConnection(t.Context(), ConnectionRequest{Name: "n", AuthorizationKey: testAuthKey})
	var tpErr *ThingParkError
	require.ErrorAs(t, err, &tpErr)
	assert.Equal(t, http.StatusBadRequest, tpErr.StatusCode)
	assert.Equal(t, "actility: thingpark: POST /connections: 400 invalid authorizationKey [redacted] for token [redacted]", err.Error())

	c, _ = newThingPark(t, http.StatusUnauthorized, `<html>denied</html>`)
	err = c.DeleteConnection(t.Context(), "1114")
	assert.EqualError(t, err, "actility: thingpark: DELETE /connections/1114: 401 <html>denied</html>")

	c, _ = newThingPark(t, http.StatusForbidden, ``)
	err = c.DeleteConnection(t.Context(), "1114")
	assert.EqualError(t, err, "actility: thingpark: DELETE /connections/1114: 403 Forbidden")
}

func TestThingParkTransportErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
	}))
	t.Cleanup(srv.Close)
	c, err := NewThingParkClient(srv.URL, testBearer, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err = c.CreateConnection(ctx, ConnectionRequest{Name: "n", AuthorizationKey: testAuthKey})
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), err.Error())
	assert.NotContains(t, err.Error(), testAuthKey)
	assert.NotContains(t, err.Error(), testBearer)
	assert.True(t, strings.HasPrefix(err.Error(), "actility: thingpark: POST /connections: "), err.Error())
}

func TestThingParkBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	c, f := newThingPark(t, http.StatusOK, createdConnection)
	ctx := t.Context()
	_, err := c.CreateConnection(ctx, ConnectionRequest{AuthorizationKey: testAuthKey})
	assert.EqualError(t, err, "actility: the connection needs a name")
	_, err = c.CreateConnection(ctx, ConnectionRequest{Name: "n"})
	assert.EqualError(t, err, "actility: the connection needs a TagoIO authorization key, without white space")
	_, err = c.UpdateConnection(ctx, "", ConnectionRequest{Name: "n", AuthorizationKey: testAuthKey})
	assert.EqualError(t, err, "actility: a connection ID must be 1 to 128 printable characters")
	assert.Error(t, c.DeleteConnection(ctx, "a\nb"))
	_, err = c.GetConnection(ctx, " ")
	assert.Error(t, err)
	assert.Empty(t, f.requests())

	var nilClient *ThingParkClient
	assert.EqualError(t, nilClient.DeleteConnection(ctx, "1"), "actility: nil ThingParkClient; create one with NewThingParkClient")
}

func TestNewThingParkClient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ base, token, err string }{
		{"https://community.thingpark.io/thingpark/dx/core/latest/api", testBearer, ""},
		{"http://127.0.0.1:8080/api", testBearer, ""},
		{"http://thingpark.example.com/api", testBearer, "actility: the ThingPark base URL must use https (plain http only on loopback hosts)"},
		{"community.thingpark.io", testBearer, "actility: the ThingPark base URL must be an absolute https URL without credentials, query or fragment"},
		{"https://user:pw@tp.example.com", testBearer, "actility: the ThingPark base URL must be an absolute https URL without credentials, query or fragment"},
		{"https://tp.example.com", "", "actility: the ThingPark bearer token must be non-empty, without white space"},
		{"https://tp.example.com", "a b", "actility: the ThingPark bearer token must be non-empty, without white space"},
	} {
		_, err := NewThingParkClient(tc.base, tc.token, nil)
		if tc.err == "" {
			assert.NoError(t, err, tc.base)
		} else {
			assert.EqualError(t, err, tc.err, tc.base)
		}
	}
}

func TestConnectionLoggedForms(t *testing.T) {
	t.Parallel()
	c := Connection{ID: "7", Name: "n", AuthorizationKey: testAuthKey, UplinkURL: "https://bridge.example.com/uplink",
		Configuration: map[string]json.RawMessage{"downlinkAsKey": raw(`"9311e22d7d44fc52215b0dc154aa1d22"`), "uplinkTimeValidity": raw(`"1h"`)}}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"7","name":"n","configuration":{"destinationURL":"https://bridge.example.com/uplink?authorization=%2A%2A%2A%2Acdef",
		"downlinkAsKey":"****1d22","uplinkTimeValidity":"1h"}}`, string(b))
	legacy := Connection{ID: "8", AuthorizationKey: testAuthKey}
	b, err = json.Marshal(legacy)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"8","configuration":{"authorizationKey":"****cdef"}}`, string(b))
	assert.Equal(t, `connection "n" (7, /, )`, fmt.Sprintf("%v", c))
	assert.Equal(t, `actility.Connection({"configuration":{"destinationURL":"https://bridge.example.com/uplink?authorization=%2A%2A%2A%2Acdef","downlinkAsKey":"****1d22","uplinkTimeValidity":"1h"},"id":"7","name":"n"})`, fmt.Sprintf("%#v", c))
}
