package tago

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resPolicyID is an access policy.
const resPolicyID = "654a8bf3fefe2f00099a16a2"

func TestAccessOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2023, 11, 1, 12, 34, 56, 789e6, time.UTC)
	perms := `[{"effect":"allow","action":["access","edit"],"resource":["device","tag_match","account_token"]},` +
		`{"effect":"deny","action":["delete"],"resource":["dashboard"]}]`
	typed := []AccessPermission{
		{Effect: Allow, Actions: []AccessAction{AccessRead, AccessEdit}, Resource: MatchTagKey("device", "account_token")},
		{Effect: Deny, Actions: []AccessAction{AccessDelete}, Resource: MatchAll("dashboard")},
	}
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/am",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=tags&orderBy=name,asc",
			result: `[{"active":true,"id":"` + resPolicyID + `","profile":"` + resProfileID + `","name":"Users","created_at":"2023-11-01T12:34:56.789Z","tags":[]}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Access.List(ctx, nil) },
			want:   []AccessPolicy{{ID: resPolicyID, Name: "Users", Active: true, Profile: resProfileID, Tags: []Tag{}, CreatedAt: created}},
		},
		{
			name: "list with filters", method: "GET", path: "/am",
			query: "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=tags&filter[name]=Users*&filter[active]=false" +
				"&filter[tags][0][key]=team&filter[tags][0][value]=ops&orderBy=name,asc",
			result: `[]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Access.List(ctx, &AccessListOptions{Name: "Users*", Active: Ptr(false), Tags: []Tag{{Key: "team", Value: "ops"}}})
			},
			want: []AccessPolicy{},
		},
		{
			name: "info", method: "GET", path: "/am/" + resPolicyID,
			result: `{"id":"` + resPolicyID + `","name":"Users","active":true,"permissions":` + perms + `,` +
				`"targets":[["run_user"],["run_user","id","` + resDeviceID + `"],["analysis","tag_match","account_token"],["run_user","tag","k","v"]]}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Access.Info(ctx, resPolicyID) },
			want: AccessPolicy{ID: resPolicyID, Name: "Users", Active: true, Permissions: typed,
				Targets: []AccessMatch{MatchAll(TargetRunUsers), MatchID(TargetRunUsers, resDeviceID), MatchTagKey(TargetAnalyses, "account_token"),
					{Kind: TargetRunUsers, Other: []string{"tag", "k", "v"}}}},
		},
		{
			name: "create", method: "POST", path: "/am", status: http.StatusCreated,
			body:   `{"name":"Users","permissions":` + perms + `,"targets":[["run_user"]],"tags":[{"key":"user","value":"admin"}],"active":true}`,
			result: `{"am_id":"` + resPolicyID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Access.Create(ctx, AccessCreateRequest{Name: "Users", Permissions: typed, Targets: []AccessMatch{MatchAll(TargetRunUsers)},
					Tags: []Tag{{Key: "user", Value: "admin"}}})
			},
			want: resPolicyID,
		},
		{
			name: "create inactive", method: "POST", path: "/am", status: http.StatusCreated,
			body: `{"name":"Analyses","permissions":[{"effect":"allow","action":["create"],"resource":["device","id","` + resDeviceID + `"]}],` +
				`"targets":[["analysis","id","` + resAnalysisID + `"]],"active":false}`,
			result: `{"am_id":"` + resPolicyID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Access.Create(ctx, AccessCreateRequest{Name: "Analyses", Active: Ptr(false),
					Permissions: []AccessPermission{{Effect: Allow, Actions: []AccessAction{AccessCreate}, Resource: MatchID("device", resDeviceID)}},
					Targets:     []AccessMatch{MatchID(TargetAnalyses, resAnalysisID)}})
			},
			want: resPolicyID,
		},
		{
			name: "edit", method: "PUT", path: "/am/" + resPolicyID, result: `"Access Management Successfully Updated"`,
			body: `{"name":"Renamed","active":false,"targets":[["run_user","tag_match","site"]],"tags":[]}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Access.Edit(ctx, resPolicyID, AccessEditRequest{Name: Ptr("Renamed"), Active: Ptr(false),
					Targets: []AccessMatch{MatchTagKey(TargetRunUsers, "site")}, Tags: []Tag{}}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/am/" + resPolicyID, result: `"Access Management Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Access.Delete(ctx, resPolicyID)) },
		},
	})
}

func TestAccessMatchRoundTrips(t *testing.T) {
	t.Parallel()
	for _, form := range []string{`["device"]`, `["device","id","` + resDeviceID + `"]`, `["run_user","tag_match","k"]`,
		`["run_user","tag","k","v"]`, `["device","id"]`} {
		var m AccessMatch
		require.NoError(t, json.Unmarshal([]byte(form), &m))
		out, err := json.Marshal(m)
		require.NoError(t, err)
		assert.JSONEq(t, form, string(out))
	}
	var m AccessMatch
	require.Error(t, json.Unmarshal([]byte(`"device"`), &m))
}

func TestAccessBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	perm := AccessPermission{Effect: Allow, Actions: []AccessAction{AccessRead}, Resource: MatchAll("device")}
	create := func(f func(r *AccessCreateRequest)) func(ctx context.Context, c *Client) error {
		r := AccessCreateRequest{Name: "p", Permissions: []AccessPermission{perm}, Targets: []AccessMatch{MatchAll(TargetRunUsers)}}
		f(&r)
		return func(ctx context.Context, c *Client) error { _, err := c.Access.Create(ctx, r); return err }
	}
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"list with a keyless tag", "tags[0].key", func(ctx context.Context, c *Client) error {
			_, err := c.Access.List(ctx, &AccessListOptions{Tags: []Tag{{}}})
			return err
		}},
		{"info with a bad ID", "policy ID", func(ctx context.Context, c *Client) error { _, err := c.Access.Info(ctx, "x"); return err }},
		{"create without a name", "name", create(func(r *AccessCreateRequest) { r.Name = "" })},
		{"create without permissions", "permissions", create(func(r *AccessCreateRequest) { r.Permissions = nil })},
		{"create without targets", "targets", create(func(r *AccessCreateRequest) { r.Targets = nil })},
		{"create with a bad effect", "permissions[0].effect", create(func(r *AccessCreateRequest) {
			r.Permissions = []AccessPermission{{Effect: "denied", Actions: perm.Actions, Resource: perm.Resource}}
		})},
		{"create without actions", "permissions[0].actions", create(func(r *AccessCreateRequest) {
			r.Permissions = []AccessPermission{{Effect: Deny, Resource: perm.Resource}}
		})},
		{"create with a blank action", "permissions[0].actions[1]", create(func(r *AccessCreateRequest) {
			r.Permissions = []AccessPermission{{Effect: Deny, Actions: []AccessAction{AccessRead, " "}, Resource: perm.Resource}}
		})},
		{"create without a resource", "permissions[0].resource", create(func(r *AccessCreateRequest) {
			r.Permissions = []AccessPermission{{Effect: Allow, Actions: perm.Actions}}
		})},
		{"create with a bad resource ID", "permissions[0].resource.id", create(func(r *AccessCreateRequest) {
			r.Permissions = []AccessPermission{{Effect: Allow, Actions: perm.Actions, Resource: MatchID("device", "nope")}}
		})},
		{"create with a device as target", "targets[0]", create(func(r *AccessCreateRequest) { r.Targets = []AccessMatch{MatchAll("device")} })},
		{"create with an ID and a tag key", "targets[0]", create(func(r *AccessCreateRequest) {
			r.Targets = []AccessMatch{{Kind: TargetRunUsers, ID: resDeviceID, TagKey: "k"}}
		})},
		{"create with a keyless tag", "tags[0].key", create(func(r *AccessCreateRequest) { r.Tags = []Tag{{Value: "v"}} })},
		{"edit nothing", "policy edit", func(ctx context.Context, c *Client) error {
			return c.Access.Edit(ctx, resPolicyID, AccessEditRequest{})
		}},
		{"edit to no permissions", "permissions", func(ctx context.Context, c *Client) error {
			return c.Access.Edit(ctx, resPolicyID, AccessEditRequest{Permissions: []AccessPermission{}})
		}},
		{"edit a bad target", "targets[0]", func(ctx context.Context, c *Client) error {
			return c.Access.Edit(ctx, resPolicyID, AccessEditRequest{Targets: []AccessMatch{MatchAll("Run User")}})
		}},
		{"delete a bad ID", "policy ID", func(ctx context.Context, c *Client) error { return c.Access.Delete(ctx, "x") }},
	})
}
