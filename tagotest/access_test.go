package tagotest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSecrets(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	var made struct{ ID string }
	r := asAccount(t, srv, "POST", "/secrets", map[string]any{"key": "API_KEY", "value": "s3cr3t-välue", "tags": []Tag{{"env", "prod"}}})
	require.Equal(t, http.StatusOK, r.code, string(r.body))
	r.decode(t, &made)
	require.Regexp(t, hexID, made.ID)
	asAccount(t, srv, "POST", "/secrets", map[string]any{"key": "DB_URL", "value": "postgres://x"})

	var info map[string]any
	r = asAccount(t, srv, "GET", "/secrets/"+made.ID, nil)
	r.decode(t, &info)
	assert.Equal(t, map[string]any{"id": made.ID, "key": "API_KEY", "value_length": 12.0,
		"tags":       []any{map[string]any{"key": "env", "value": "prod"}},
		"created_at": "2025-03-10T12:00:00.000Z", "updated_at": "2025-03-10T12:00:00.000Z"}, info)
	var items []map[string]any
	r = asAccount(t, srv, "GET", "/secrets", nil)
	r.decode(t, &items)
	assert.Equal(t, []map[string]any{{"id": items[0]["id"], "key": "API_KEY"}, {"id": items[1]["id"], "key": "DB_URL"}}, items)
	r2 := asAccount(t, srv, "GET", "/secrets?fields=id,key,value,value_length", nil)
	assert.False(t, strings.Contains(string(r.body)+string(r2.body), "s3cr3t"), "the value is never printed")
	assert.Equal(t, []string{"API_KEY", "DB_URL"}, names(t, r2, "key"))
	assert.Equal(t, []string{"DB_URL"}, names(t, asAccount(t, srv, "GET", "/secrets?filter[key]=db*", nil), "key"))
	var keys []string
	asAccount(t, srv, "GET", "/tags/keys/secrets", nil).decode(t, &keys)
	assert.Equal(t, []string{"env"}, keys)

	assert.Equal(t, map[string][]string{"key": {"a secret with this key already exists"}},
		asAccount(t, srv, "POST", "/secrets", map[string]any{"key": "api_key", "value": "x"}).env.FieldErrors)
	assert.Equal(t, map[string][]string{"value": {"is required"}}, asAccount(t, srv, "POST", "/secrets", map[string]any{"key": "K"}).env.FieldErrors)
	assert.Equal(t, map[string][]string{"value": {"must be a string"}}, asAccount(t, srv, "POST", "/secrets", map[string]any{"key": "K", "value": 5}).env.FieldErrors)

	assert.Equal(t, "Successfully Updated", asAccount(t, srv, "PUT", "/secrets/"+made.ID, map[string]any{"value": "new"}).str(t))
	asAccount(t, srv, "GET", "/secrets/"+made.ID, nil).decode(t, &info)
	assert.Equal(t, 3.0, info["value_length"])
	assert.Equal(t, map[string][]string{"key": {"cannot be changed"}}, asAccount(t, srv, "PUT", "/secrets/"+made.ID, map[string]any{"key": "OTHER"}).env.FieldErrors)
	assert.Equal(t, http.StatusOK, asAccount(t, srv, "PUT", "/secrets/"+made.ID, map[string]any{"key": "API_KEY", "value_length": 99}).code,
		"the same key and read-only fields pass")

	other := srv.AddProfile("other")
	assert.Equal(t, http.StatusNotFound, send(t, srv, "GET", "/secrets/"+made.ID, "Account-Token", other.Token, nil).code)
	assert.Equal(t, http.StatusOK, send(t, srv, "POST", "/secrets", "Account-Token", other.Token, map[string]any{"key": "API_KEY", "value": "theirs"}).code,
		"keys are unique per profile")
	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", "/secrets/"+made.ID, nil).str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "DELETE", "/secrets/"+made.ID, nil).code)
}

func TestAccessPolicies(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	an := srv.AddAnalysis(AnalysisSpec{Name: "a"})
	policy := map[string]any{
		"name":        "Analysis reads devices",
		"permissions": []any{map[string]any{"effect": "allow", "action": []string{"access"}, "resource": []string{"device"}}},
		"targets":     []any{[]string{"analysis", "id", an.ID}},
		"tags":        []Tag{{"scope", "read"}},
	}
	r := asAccount(t, srv, "POST", "/am", policy)
	require.Equal(t, http.StatusCreated, r.code, string(r.body))
	var made struct {
		ID string `json:"am_id"`
	}
	r.decode(t, &made)
	require.Regexp(t, hexID, made.ID)

	var items []map[string]any
	asAccount(t, srv, "GET", "/am", nil).decode(t, &items)
	assert.Equal(t, []map[string]any{{"id": made.ID, "name": "Analysis reads devices", "tags": []any{map[string]any{"key": "scope", "value": "read"}}}}, items)
	var info map[string]any
	asAccount(t, srv, "GET", "/am/"+made.ID, nil).decode(t, &info)
	assert.Equal(t, true, info["active"])
	assert.Equal(t, []any{[]any{"analysis", "id", an.ID}}, info["targets"])

	bad := func(field string, set func(m map[string]any)) {
		t.Helper()
		m := map[string]any{"name": "x", "permissions": []any{map[string]any{"effect": "allow", "action": []string{"a"}, "resource": []string{"r"}}},
			"targets": []any{[]string{"analysis", "id", an.ID}}}
		set(m)
		r := asAccount(t, srv, "POST", "/am", m)
		assert.Equal(t, http.StatusBadRequest, r.code, field)
		assert.Contains(t, r.env.FieldErrors, field, string(r.body))
	}
	bad("permissions", func(m map[string]any) { delete(m, "permissions") })
	bad("targets", func(m map[string]any) { m["targets"] = "all" })
	bad("permissions[0].effect", func(m map[string]any) { m["permissions"].([]any)[0].(map[string]any)["effect"] = "maybe" })
	bad("permissions[0].action", func(m map[string]any) { m["permissions"].([]any)[0].(map[string]any)["action"] = []string{} })
	bad("permissions[0].resource", func(m map[string]any) { m["permissions"].([]any)[0].(map[string]any)["resource"] = "device" })
	bad("permissions[0]", func(m map[string]any) { m["permissions"] = []any{"allow all"} })
	bad("targets[0]", func(m map[string]any) { m["targets"] = []any{[]string{}} })
	bad("targets[0]", func(m map[string]any) { m["targets"] = []any{[]string{"device"}} })
	bad("targets[0]", func(m map[string]any) { m["targets"] = []any{[]string{"analysis", "id"}} })
	bad("targets[1]", func(m map[string]any) { m["targets"] = []any{[]string{"run_user"}, []string{"run_user", "name", "x"}} })

	// The documented global targets are one element long: every run user, every
	// analysis; tag matches name a key.
	for _, target := range [][]string{{"run_user"}, {"analysis"}, {"run_user", "tag_match", "company"}} {
		m := map[string]any{"name": "global", "permissions": policy["permissions"], "targets": []any{target}}
		r := asAccount(t, srv, "POST", "/am", m)
		assert.Equal(t, http.StatusCreated, r.code, "%v: %s", target, r.body)
	}

	assert.Equal(t, "Access Management Successfully Updated", asAccount(t, srv, "PUT", "/am/"+made.ID, map[string]any{"active": false}).str(t))
	r = asAccount(t, srv, "PUT", "/am/"+made.ID, map[string]any{"permissions": []any{map[string]any{"effect": "deny"}}})
	assert.Contains(t, r.env.FieldErrors, "permissions[0].action", "an edit's rules are checked too")
	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", "/am/"+made.ID, nil).str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/am/"+made.ID, nil).code)
}
