package tagotest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnalysesCRUD(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	var made struct{ ID, Token string }
	r := asAccount(t, srv, "POST", "/analysis", map[string]any{"name": "Alerts", "run_on": "external",
		"variables": []map[string]any{{"key": "LIMIT", "value": 30}}, "tags": []Tag{{"team", "ops"}}})
	require.Equal(t, http.StatusOK, r.code, string(r.body))
	r.decode(t, &made)
	assert.Regexp(t, hexID, made.ID)
	assert.Regexp(t, uuidRe, made.Token)

	var info map[string]any
	asAccount(t, srv, "GET", "/analysis/"+made.ID, nil).decode(t, &info)
	assert.Equal(t, map[string]any{
		"id": made.ID, "name": "Alerts", "profile": srv.ProfileID(), "description": nil, "interval": "Never",
		"run_on": "external", "file_name": nil, "runtime": "node-rt2025", "active": true,
		"variables": []any{map[string]any{"key": "LIMIT", "value": 30.0}}, "tags": []any{map[string]any{"key": "team", "value": "ops"}},
		"last_run": nil, "locked_at": nil, "console": []any{}, "version": nil, "versions": map[string]any{},
		"token": made.Token, "created_at": "2025-03-10T12:00:00.000Z", "updated_at": "2025-03-10T12:00:00.000Z",
	}, info)

	var items []map[string]any
	asAccount(t, srv, "GET", "/analysis/", nil).decode(t, &items)
	assert.Equal(t, []map[string]any{{"id": made.ID, "name": "Alerts"}}, items, "the official SDK's default fields")
	var keys []string
	asAccount(t, srv, "GET", "/tags/keys/analysis", nil).decode(t, &keys)
	assert.Equal(t, []string{"team"}, keys)

	tests := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "run_on": "moon"}, "run_on"},
		{map[string]any{"name": "x", "runtime": "cobol"}, "runtime"},
		{map[string]any{"name": "x", "variables": []any{map[string]any{"value": 1}}}, "variables[0].key"},
		{map[string]any{"name": "x", "variables": []any{map[string]any{"key": "k", "value": []any{}}}}, "variables[0].value"},
		{map[string]any{"name": "x", "token": "mine", "colour": "red"}, "colour"},
		{map[string]any{}, "name"},
	}
	for _, tt := range tests {
		r := asAccount(t, srv, "POST", "/analysis", tt.body)
		assert.Equal(t, http.StatusBadRequest, r.code, tt.field)
		assert.Contains(t, r.env.FieldErrors, tt.field)
	}

	// Edits accept what info printed back (read-only fields are ignored).
	info["name"], info["token"] = "Alerts 2", "forged"
	assert.Equal(t, "Successfully Updated", asAccount(t, srv, "PUT", "/analysis/"+made.ID, info).str(t))
	asAccount(t, srv, "GET", "/analysis/"+made.ID, nil).decode(t, &info)
	assert.Equal(t, "Alerts 2", info["name"])
	assert.Equal(t, made.Token, info["token"])

	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", "/analysis/"+made.ID, nil).str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/analysis/"+made.ID, nil).code)
	assert.Equal(t, http.StatusUnauthorized, send(t, srv, "GET", "/info", "Token", made.Token, nil).code, "its token went with it")
}

func TestAnalysisRunAndTokens(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	a := srv.AddAnalysis(AnalysisSpec{Name: "Report", External: true, Variables: []AnalysisVariable{{Key: "MODE", Value: "fast"}}})
	off := srv.AddAnalysis(AnalysisSpec{Name: "Off", Inactive: true})

	var mu sync.Mutex
	var heard []AnalysisRun
	remove := srv.onAnalysisRun(func(run AnalysisRun) {
		_ = srv.AnalysisRuns() // the store's lock is free in a hook
		mu.Lock()
		heard = append(heard, run)
		mu.Unlock()
	})
	heardSoFar := func() []AnalysisRun {
		mu.Lock()
		defer mu.Unlock()
		return append([]AnalysisRun(nil), heard...)
	}

	var out struct {
		AnalysisToken string `json:"analysis_token"`
	}
	scope := []map[string]any{{"variable": "t", "value": 5}}
	asAccount(t, srv, "POST", "/analysis/"+a.ID+"/run", map[string]any{"scope": scope}).decode(t, &out)
	assert.Equal(t, a.Token, out.AnalysisToken)
	asAccount(t, srv, "POST", "/analysis/"+a.ID+"/run", nil).decode(t, &out)
	runs := srv.AnalysisRuns()
	require.Len(t, runs, 2)
	assert.Equal(t, AnalysisRun{Analysis: a.ID, Profile: srv.ProfileID(), Token: a.Token,
		Scope: json.RawMessage(`[{"value":5,"variable":"t"}]`), Environment: []AnalysisVariable{{Key: "MODE", Value: "fast"}},
		Origin: "api", Time: t0}, runs[0])
	assert.Equal(t, json.RawMessage("null"), runs[1].Scope)
	assert.Equal(t, runs, heardSoFar(), "the hook heard every run")
	remove()
	var info map[string]any
	asAccount(t, srv, "GET", "/analysis/"+a.ID, nil).decode(t, &info)
	assert.Equal(t, "2025-03-10T12:00:00.000Z", info["last_run"])

	r := asAccount(t, srv, "POST", "/analysis/"+off.ID+"/run", nil)
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.Equal(t, "Analysis is not active", r.env.Message)
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "POST", "/analysis/0123456789abcdef01234567/run", nil).code)
	assert.Len(t, srv.AnalysisRuns(), 2)
	assert.Len(t, heardSoFar(), 2, "a removed hook hears nothing")

	// The analysis token: /info, and nothing of the account's.
	var me map[string]any
	send(t, srv, "GET", "/info", "Token", a.Token, nil).decode(t, &me)
	assert.Equal(t, map[string]any{"id": a.ID, "name": "Report", "active": true, "run_on": "external"}, me)
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/info", "Analysis-Token", a.Token, nil).code)
	r = send(t, srv, "GET", "/device", "Token", a.Token, nil)
	assert.Equal(t, http.StatusUnauthorized, r.code)
	assert.Equal(t, "Authorization Denied", r.env.Message)
	assert.Equal(t, "analysis", srv.Requests()[len(srv.Requests())-1].TokenKind)

	// A new token replaces the old one, for external analyses only.
	asAccount(t, srv, "GET", "/analysis/"+a.ID+"/token", nil).decode(t, &out)
	assert.Regexp(t, uuidRe, out.AnalysisToken)
	assert.NotEqual(t, a.Token, out.AnalysisToken)
	assert.Equal(t, http.StatusUnauthorized, send(t, srv, "GET", "/info", "Token", a.Token, nil).code)
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/info", "Token", out.AnalysisToken, nil).code)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "GET", "/analysis/"+off.ID+"/token", nil).code, "runs on tago")
}

func TestAnalysisScripts(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	a := srv.AddAnalysis(AnalysisSpec{Name: "Script"})
	base := "/analysis/" + a.ID

	r := asAccount(t, srv, "GET", base+"/download", nil)
	assert.Equal(t, http.StatusBadRequest, r.code, "no script yet")
	v1 := []byte("console.log('v1')\n")
	v2 := []byte{0, 1, 2, 0xff, 'p', 'y'}
	upload := func(content []byte, name, lang string) resp {
		return asAccount(t, srv, "POST", base+"/upload", map[string]any{"file": base64.StdEncoding.EncodeToString(content), "file_name": name, "language": lang})
	}
	assert.Equal(t, "Successfully Uploaded", upload(v1, "main.js", "node-rt2025").str(t))
	clock.t = t0.Add(time.Minute)
	assert.Equal(t, "Successfully Uploaded", upload(v2, "main.py", "python-rt2025").str(t))
	assert.Equal(t, map[string][]string{"file": {"must be the script encoded in base64"}},
		asAccount(t, srv, "POST", base+"/upload", map[string]any{"file": "%%%", "file_name": "x.js", "language": "node-rt2025"}).env.FieldErrors)
	assert.Equal(t, map[string][]string{"language": {"must be one of node-legacy, python-legacy, node-rt2025, python-rt2025, deno-rt2025, other"}},
		upload(v1, "x.js", "ruby").env.FieldErrors)
	assert.Equal(t, map[string][]string{"file_name": {"is required"}}, upload(v1, "", "node-rt2025").env.FieldErrors)

	var info map[string]any
	asAccount(t, srv, "GET", base, nil).decode(t, &info)
	assert.Equal(t, 2.0, info["version"])
	assert.Equal(t, "main.py", info["file_name"])
	assert.Equal(t, "python-rt2025", info["runtime"])
	assert.Equal(t, map[string]any{
		"1": map[string]any{"file_name": "main.js", "created_at": "2025-03-10T12:00:00.000Z", "created_by": "Tagotest (" + DefaultEmail + ")"},
		"2": map[string]any{"file_name": "main.py", "created_at": "2025-03-10T12:01:00.000Z", "created_by": "Tagotest (" + DefaultEmail + ")"},
	}, info["versions"])

	fetch := func(q string) ([]byte, string, map[string]any) {
		t.Helper()
		var link map[string]any
		asAccount(t, srv, "GET", base+"/download"+q, nil).decode(t, &link)
		res, err := srv.Client().Get(link["url"].(string)) // no token
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, string(b))
		return b, res.Header.Get("Content-Type"), link
	}
	got, ctype, link := fetch("")
	assert.Equal(t, v2, got, "the latest version, byte for byte")
	assert.Equal(t, "application/octet-stream", ctype)
	assert.Equal(t, "KB", link["size_unit"])
	assert.Equal(t, 0.01, link["size"])
	assert.Equal(t, "2025-03-10T13:01:00.000Z", link["expire_at"])
	got, _, _ = fetch("?version=1")
	assert.Equal(t, v1, got)
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", base+"/download?version=3", nil).code)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "GET", base+"/download?version=x", nil).code)

	clock.t = t0.Add(3 * time.Hour)
	res, err := srv.Client().Get(link["url"].(string))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "an expired link")
	assert.Equal(t, http.StatusNotFound, anon(t, srv, "GET", "/tagotest/script/unknown", nil).code)
}

func TestAnalysisFromDashboards(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	a := srv.AddAnalysis(AnalysisSpec{Name: "Button"})
	b := srv.AddAnalysis(AnalysisSpec{Name: "Refresh"})
	dash := srv.AddDashboard(DashboardSpec{Label: "Plant"})
	w := srv.AddWidget(dash.ID, WidgetSpec{Label: "w"})
	asAccount(t, srv, "PUT", "/dashboard/"+dash.ID+"/widget/"+w.ID, map[string]any{"analysis_run": b.ID,
		"display": map[string]any{"header_buttons": []any{map[string]any{"analysis": a.ID}, map[string]any{"analysis": b.ID}}}})

	var related []map[string]any
	asAccount(t, srv, "GET", "/dashboard/"+dash.ID+"/analysis", nil).decode(t, &related)
	assert.Equal(t, []map[string]any{{"id": b.ID, "name": "Refresh"}, {"id": a.ID, "name": "Button"}}, related)

	r := asAccount(t, srv, "POST", "/analysis/"+a.ID+"/run/"+dash.ID+"/"+w.ID, map[string]any{"scope": map[string]any{"x": 1}})
	assert.Equal(t, "Analysis Successfully Run", r.str(t))
	runs := srv.AnalysisRuns()
	require.Len(t, runs, 1)
	assert.Equal(t, "widget:"+dash.ID+"/"+w.ID, runs[0].Origin)
	assert.JSONEq(t, `{"x":1}`, string(runs[0].Scope))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "POST", "/analysis/"+a.ID+"/run/"+dash.ID+"/"+a.ID, nil).code, "no such widget")
}
