package main

import (
	"bytes"
	"net/http"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// env returns a getenv over a fixed set of variables.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// The README's command: no TAGO_TOKEN, so the tour starts the fake and says so.
func TestQuickstartOnTheFake(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, env(nil)))

	want := []string{
		`^No TAGO_TOKEN set: using tagotest, an in-memory fake of the TagoIO API, at http://127\.0\.0\.1:\d+\.$`,
		`^\(Set TAGO_TOKEN to an account token to take this tour on your TagoIO account\.\)$`,
		`^TagoIO API http://127\.0\.0\.1:\d+ \(version tagotest\), with account token \*{4}[0-9a-f]{4}$`,
		`^Created device "Go SDK quickstart" \(([0-9a-f]{24})\)$`,
		`^Created device token \*{4}[0-9a-f]{4} \(full permission\)$`,
		`^Sent 6 temperature readings with the device token$`,
		`^Count: the device holds 6 temperature readings$`,
		`^Last value: 22\.6 °C at \d\d:\d\d:\d\d UTC$`,
		`^Average over the last hour: 21\.7 °C$`,
		`^Created dashboard "Go SDK quickstart" \([0-9a-f]{24}\)$`,
		`^Cleaning up\.$`,
		`^Deleted dashboard [0-9a-f]{24}$`,
		`^Deleted device token \*{4}[0-9a-f]{4}$`,
		`^Deleted device [0-9a-f]{24} and its data$`,
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, len(want), "output:\n%s", out.String())
	for i, re := range want {
		assert.Regexp(t, regexp.MustCompile(re), lines[i])
	}
}

// With TAGO_TOKEN and TAGO_API_URL the tour goes to that API, here a fake standing in
// for the platform: it uses the given token, leaves nothing behind and never prints a
// token in full.
func TestQuickstartWithToken(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	net := srv.AddNetwork(tagotest.NetworkSpec{Name: "HTTPs (custom)"})
	conn := srv.AddConnector(tagotest.ConnectorSpec{Name: "Custom", Networks: []string{net.ID}})
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, env(map[string]string{
		"TAGO_TOKEN": srv.AccountToken(), "TAGO_API_URL": srv.URL,
		"TAGO_NETWORK_ID": net.ID, "TAGO_CONNECTOR_ID": conn.ID,
	})))
	assert.NotContains(t, out.String(), "No TAGO_TOKEN")
	assert.Contains(t, out.String(), "TagoIO API "+srv.URL+" (version tagotest), with account token ****")

	// Every request carried the account token or the device token made on the way,
	// and the device was on the network asked for.
	var secrets []string
	for _, r := range srv.Requests() {
		if r.Path == "/status" {
			continue
		}
		assert.Contains(t, []string{"account", "device"}, r.TokenKind, "%s %s", r.Method, r.Path)
		if r.Method == http.MethodDelete && strings.HasPrefix(r.Path, "/device/token/") {
			secrets = append(secrets, path.Base(r.Path))
		}
		if r.Method == http.MethodPost && r.Path == "/device" {
			assert.Contains(t, string(r.Body), `"network":"`+net.ID+`"`)
			assert.Contains(t, string(r.Body), `"connector":"`+conn.ID+`"`)
		}
	}
	require.Len(t, secrets, 1, "the device token was deleted")
	secrets = append(secrets, srv.AccountToken())
	for _, s := range secrets {
		assert.NotContains(t, out.String(), s)
	}

	// Nothing is left behind.
	assert.Empty(t, srv.Devices())
	account, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	require.NoError(t, err)
	dashboards, err := account.Dashboards.List(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, dashboards)
}

// A failure half-way ends the tour with a clear error, and what was created is
// deleted all the same.
func TestQuickstartFailureCleansUp(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	srv.FailNext(1, "POST", "/dashboard", http.StatusForbidden, `{"status":false,"message":"Your plan does not allow more dashboards"}`)
	var out bytes.Buffer
	err := run(t.Context(), &out, env(map[string]string{"TAGO_TOKEN": srv.AccountToken(), "TAGO_API_URL": srv.URL}))
	require.Error(t, err)
	assert.Equal(t, "creating a dashboard: tago: POST /dashboard: 403 Your plan does not allow more dashboards", err.Error())
	assert.Contains(t, out.String(), "Deleted device token ****")
	assert.Contains(t, out.String(), "and its data")
	assert.Empty(t, srv.Devices())
}

// Bad configuration is reported before anything is sent.
func TestQuickstartBadConfiguration(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(t.Context(), &out, env(map[string]string{"TAGO_TOKEN": "a-token", "TAGO_REGION": "mars"}))
	require.ErrorIs(t, err, tago.ErrInvalidInput)
	assert.Contains(t, err.Error(), `unknown region "mars"`)
	assert.Empty(t, out.String())

	srv := tagotest.NewServer(t)
	err = run(t.Context(), &out, env(map[string]string{"TAGO_TOKEN": "00000000-0000-4000-8000-000000000000", "TAGO_API_URL": srv.URL}))
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	assert.Equal(t, "creating the device: tago: POST /device: 401 Invalid Token", err.Error())
}
