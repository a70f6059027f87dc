package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"
)

// AccessService manages access policies (Access Management): what TagoRUN users and
// analyses may do with the profile's resources (account token).
type AccessService service

func (s *AccessService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// Effect says whether a permission allows or denies. A deny overrides any allow of the
// same condition.
type Effect string

// The permission effects.
const (
	Allow Effect = "allow" // Allow grants the actions.
	Deny  Effect = "deny"  // Deny refuses the actions.
)

// AccessAction is something a permission allows or denies on its resources. The
// platform offers actions per resource; these are the common ones.
type AccessAction string

// The common access actions.
const (
	AccessRead   AccessAction = "access" // AccessRead is reading (the platform calls it access).
	AccessEdit   AccessAction = "edit"   // AccessEdit is changing.
	AccessDelete AccessAction = "delete" // AccessDelete is deleting.
	AccessCreate AccessAction = "create" // AccessCreate is creating.
)

// The kinds of policy targets the platform supports.
const (
	// TargetRunUsers is TagoRUN users.
	TargetRunUsers = "run_user"
	// TargetAnalyses is analyses.
	TargetAnalyses = "analysis"
)

// AccessMatch selects what a policy applies to (its targets) or what a permission
// covers (its resource): every one of a kind, one by ID, or those carrying a tag key
// the target also carries. Build it with [MatchAll], [MatchID] or [MatchTagKey]. On
// the wire it is the platform's array form: ["device"], ["device", "id", ID],
// ["device", "tag_match", key].
type AccessMatch struct {
	// Kind is the kind of resource or target, such as "device", "dashboard",
	// [TargetRunUsers] or [TargetAnalyses].
	Kind string
	// ID selects one by ID.
	ID string
	// TagKey selects those whose tag with this key matches the target's.
	TagKey string
	// Other holds the elements after Kind of a form this SDK does not model, kept so
	// that an edit sends it back unchanged.
	Other []string
}

// MatchAll selects every resource or target of a kind.
func MatchAll(kind string) AccessMatch { return AccessMatch{Kind: kind} }

// MatchID selects one resource or target by ID.
func MatchID(kind, id string) AccessMatch { return AccessMatch{Kind: kind, ID: id} }

// MatchTagKey selects the resources or targets whose tag with key matches the
// target's tag of the same key (the platform's "tag match").
func MatchTagKey(kind, key string) AccessMatch { return AccessMatch{Kind: kind, TagKey: key} }

// MarshalJSON writes the platform's array form.
func (m AccessMatch) MarshalJSON() ([]byte, error) {
	form := []string{m.Kind}
	switch {
	case m.ID != "":
		form = append(form, "id", m.ID)
	case m.TagKey != "":
		form = append(form, "tag_match", m.TagKey)
	default:
		form = append(form, m.Other...)
	}
	return json.Marshal(form)
}

// UnmarshalJSON reads the platform's array form.
func (m *AccessMatch) UnmarshalJSON(b []byte) error {
	var form []string
	if err := json.Unmarshal(b, &form); err != nil {
		return err
	}
	*m = AccessMatch{}
	if len(form) == 0 {
		return nil
	}
	m.Kind = form[0]
	switch rest := form[1:]; {
	case len(rest) == 2 && rest[0] == "id":
		m.ID = rest[1]
	case len(rest) == 2 && rest[0] == "tag_match":
		m.TagKey = rest[1]
	case len(rest) > 0:
		m.Other = rest
	}
	return nil
}

// check validates a match; targets are limited to the kinds the platform supports.
func (m AccessMatch) check(field string, target bool) error {
	if !isIdentifier(m.Kind) {
		return invalidf(field, "kind %q must be a resource name such as \"device\"", m.Kind)
	}
	if target && m.Kind != TargetRunUsers && m.Kind != TargetAnalyses {
		return invalidf(field, "kind %q cannot be a target (want %q or %q)", m.Kind, TargetRunUsers, TargetAnalyses)
	}
	if m.ID != "" && m.TagKey != "" {
		return invalidf(field, "set ID or TagKey, not both")
	}
	if m.ID != "" {
		return checkID(field+".id", m.ID)
	}
	return nil
}

// isIdentifier reports whether s is a lower-case name such as "run_user".
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// AccessPermission allows or denies actions on a resource.
type AccessPermission struct {
	// Effect allows or denies.
	Effect Effect `json:"effect"`
	// Actions are what is allowed or denied.
	Actions []AccessAction `json:"action"`
	// Resource is what the actions apply to.
	Resource AccessMatch `json:"resource"`
}

// checkPermissions validates a policy's permissions.
func checkPermissions(perms []AccessPermission) error {
	if len(perms) == 0 {
		return invalidf("permissions", "must not be empty")
	}
	for i, p := range perms {
		field := fmt.Sprintf("permissions[%d]", i)
		if p.Effect != Allow && p.Effect != Deny {
			return invalidf(field+".effect", "must be allow or deny, got %q", string(p.Effect))
		}
		if len(p.Actions) == 0 {
			return invalidf(field+".actions", "must not be empty")
		}
		for j, a := range p.Actions {
			if !isIdentifier(string(a)) {
				return invalidf(fmt.Sprintf("%s.actions[%d]", field, j), "%q is not an action name", string(a))
			}
		}
		if err := p.Resource.check(field+".resource", false); err != nil {
			return err
		}
	}
	return nil
}

// checkTargets validates a policy's targets.
func checkTargets(targets []AccessMatch) error {
	if len(targets) == 0 {
		return invalidf("targets", "must not be empty")
	}
	for i, t := range targets {
		if err := t.check(fmt.Sprintf("targets[%d]", i), true); err != nil {
			return err
		}
	}
	return nil
}

// AccessPolicy is an access policy: permissions granted to targets.
type AccessPolicy struct {
	// ID is the policy's ID.
	ID string `json:"id"`
	// Name is the policy's name.
	Name string `json:"name"`
	// Active says whether the policy applies.
	Active bool `json:"active"`
	// Profile is the ID of the profile owning the policy.
	Profile string `json:"profile,omitempty"`
	// Permissions are what the policy allows or denies.
	Permissions []AccessPermission `json:"permissions,omitempty"`
	// Targets are who the policy applies to.
	Targets []AccessMatch `json:"targets,omitempty"`
	// Tags are the policy's tags.
	Tags []Tag `json:"tags,omitempty"`
	// CreatedAt is when the policy was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the policy was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// AccessListOptions filters and pages [AccessService.List] and [AccessService.All].
type AccessListOptions struct {
	ListOptions
	// Name keeps policies whose name matches, * wildcards allowed.
	Name string
	// Active keeps only active (true) or only inactive (false) policies.
	Active *bool
	// Tags keeps policies carrying every one of these tags.
	Tags []Tag
}

// accessDefaults are the official SDKs' defaults for policy lists.
var accessDefaults = listDefaults{fields: []string{"id", "name", "tags"}, order: Asc("name")}

// List returns one page of the profile's access policies. Without Fields it asks for
// id, name and tags; the default order is by name, ascending.
//
// TagoIO API: GET /am
func (s *AccessService) List(ctx context.Context, opts *AccessListOptions) ([]AccessPolicy, error) {
	var o AccessListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, accessDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addBoolPtr("filter[active]", o.Active)
		q.addTags("filter[tags]", o.Tags)
	})
	if err != nil {
		return nil, err
	}
	return do[[]AccessPolicy](ctx, s.cl(), &call{method: "GET", path: "/am", query: q, kinds: accountOnly})
}

// All returns an iterator over every access policy matching opts, fetching pages as
// the caller ranges.
//
// TagoIO API: GET /am
func (s *AccessService) All(ctx context.Context, opts *AccessListOptions) iter.Seq2[AccessPolicy, error] {
	var o AccessListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]AccessPolicy, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// Info returns one access policy.
//
// TagoIO API: GET /am/{id}
func (s *AccessService) Info(ctx context.Context, id string) (AccessPolicy, error) {
	if err := checkID("policy ID", id); err != nil {
		return AccessPolicy{}, err
	}
	return do[AccessPolicy](ctx, s.cl(), &call{method: "GET", path: "/am/" + escape(id), kinds: accountOnly})
}

// AccessCreateRequest describes a new access policy. Name, Permissions and Targets are
// required.
type AccessCreateRequest struct {
	// Name is the policy's name.
	Name string `json:"name"`
	// Permissions are what the policy allows or denies.
	Permissions []AccessPermission `json:"permissions"`
	// Targets are who the policy applies to: TagoRUN users or analyses.
	Targets []AccessMatch `json:"targets"`
	// Tags are the policy's tags.
	Tags []Tag `json:"tags,omitempty"`
	// Active says whether the policy applies; nil means true (the platform requires
	// the field, so it is always sent).
	Active *bool `json:"active"`
}

// Create creates an access policy and returns its ID.
//
// TagoIO API: POST /am
func (s *AccessService) Create(ctx context.Context, req AccessCreateRequest) (string, error) {
	if err := checkName("name", req.Name); err != nil {
		return "", err
	}
	if err := checkPermissions(req.Permissions); err != nil {
		return "", err
	}
	if err := checkTargets(req.Targets); err != nil {
		return "", err
	}
	if err := checkTags("tags", req.Tags); err != nil {
		return "", err
	}
	if req.Active == nil {
		req.Active = Ptr(true)
	}
	id, err := do[createdID[amIDKey]](ctx, s.cl(), &call{method: "POST", path: "/am", body: req, kinds: accountOnly})
	return string(id), err
}

// AccessEditRequest lists the policy fields to change; nil fields are left as they are.
type AccessEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Active enables or disables the policy.
	Active *bool `json:"active,omitempty"`
	// Permissions replaces the permissions.
	Permissions []AccessPermission `json:"permissions,omitzero"`
	// Targets replaces the targets.
	Targets []AccessMatch `json:"targets,omitzero"`
	// Tags replaces the tags; an empty non-nil slice removes them all.
	Tags []Tag `json:"tags,omitzero"`
}

// check validates the edit.
func (r *AccessEditRequest) check() error {
	if r.Name == nil && r.Active == nil && r.Permissions == nil && r.Targets == nil && r.Tags == nil {
		return invalidf("policy edit", "sets no field")
	}
	if r.Name != nil {
		if err := checkName("name", *r.Name); err != nil {
			return err
		}
	}
	if r.Permissions != nil {
		if err := checkPermissions(r.Permissions); err != nil {
			return err
		}
	}
	if r.Targets != nil {
		if err := checkTargets(r.Targets); err != nil {
			return err
		}
	}
	return checkTags("tags", r.Tags)
}

// Edit changes an access policy.
//
// TagoIO API: PUT /am/{id}
func (s *AccessService) Edit(ctx context.Context, id string, req AccessEditRequest) error {
	if err := checkID("policy ID", id); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/am/" + escape(id), body: req, kinds: accountOnly})
}

// Delete deletes an access policy.
//
// TagoIO API: DELETE /am/{id}
func (s *AccessService) Delete(ctx context.Context, id string) error {
	if err := checkID("policy ID", id); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/am/" + escape(id), kinds: accountOnly})
}
