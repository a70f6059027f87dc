package tago

import (
	"context"
	"iter"
	"log/slog"
	"strings"
	"time"
	"unicode"
)

// SecretsService manages the profile's secrets: named values (API keys, SMTP
// credentials, Twilio tokens) that actions, analyses and service providers use without
// seeing them (account token). The platform never returns a secret's value, only its
// length.
type SecretsService service

func (s *SecretsService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// SecretInfo is a stored secret as the platform describes it: everything but the value.
type SecretInfo struct {
	// ID is the secret's ID; actions and services name secrets by it.
	ID string `json:"id"`
	// Key is the secret's name.
	Key string `json:"key"`
	// Tags are the secret's tags.
	Tags []Tag `json:"tags,omitempty"`
	// ValueLength is how many characters the value has.
	ValueLength int `json:"value_length"`
	// CreatedAt is when the secret was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the secret was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// checkSecretKey validates a secret's name: not blank, no white space or control
// characters.
func checkSecretKey(field, key string) error {
	if strings.TrimSpace(key) == "" {
		return invalidf(field, "must not be empty")
	}
	if strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return invalidf(field, "must not contain white space or control characters")
	}
	return nil
}

// SecretListOptions filters and pages [SecretsService.List] and [SecretsService.All].
type SecretListOptions struct {
	ListOptions
	// Key keeps secrets whose key matches, * wildcards allowed.
	Key string
	// Tags keeps secrets carrying every one of these tags.
	Tags []Tag
}

// secretsDefaults are the official SDKs' defaults for secret lists.
var secretsDefaults = listDefaults{fields: []string{"id", "key"}, order: Asc("key")}

// List returns one page of the profile's secrets. Without Fields it asks for id and
// key; the default order is by key, ascending.
//
// TagoIO API: GET /secrets
func (s *SecretsService) List(ctx context.Context, opts *SecretListOptions) ([]SecretInfo, error) {
	var o SecretListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, secretsDefaults, func(q *query) {
		q.addString("filter[key]", o.Key)
		q.addTags("filter[tags]", o.Tags)
	})
	if err != nil {
		return nil, err
	}
	return do[[]SecretInfo](ctx, s.cl(), &call{method: "GET", path: "/secrets", query: q, kinds: accountOnly})
}

// All returns an iterator over every secret matching opts, fetching pages as the caller
// ranges.
//
// TagoIO API: GET /secrets
func (s *SecretsService) All(ctx context.Context, opts *SecretListOptions) iter.Seq2[SecretInfo, error] {
	var o SecretListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]SecretInfo, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// Info returns a secret's description (never its value).
//
// TagoIO API: GET /secrets/{id}
func (s *SecretsService) Info(ctx context.Context, id string) (SecretInfo, error) {
	if err := checkID("secret ID", id); err != nil {
		return SecretInfo{}, err
	}
	return do[SecretInfo](ctx, s.cl(), &call{method: "GET", path: "/secrets/" + escape(id), kinds: accountOnly})
}

// SecretCreateRequest describes a new secret. Key and Value are required.
type SecretCreateRequest struct {
	// Key is the secret's name.
	Key string `json:"key"`
	// Value is the secret's value; it is sent to the platform and never returned.
	Value Secret `json:"value"`
	// Tags are the secret's tags.
	Tags []Tag `json:"tags,omitempty"`
}

// LogValue logs the request with the value masked.
func (r SecretCreateRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key", r.Key), slog.String("value", r.Value.String()))
}

// Create stores a secret and returns its ID.
//
// TagoIO API: POST /secrets
func (s *SecretsService) Create(ctx context.Context, req SecretCreateRequest) (string, error) {
	if err := checkSecretKey("key", req.Key); err != nil {
		return "", err
	}
	if err := checkSecretSet("value", req.Value); err != nil {
		return "", err
	}
	if err := checkTags("tags", req.Tags); err != nil {
		return "", err
	}
	id, err := do[createdID[idKey]](ctx, s.cl(), &call{method: "POST", path: "/secrets", body: req,
		secrets: []string{req.Value.Reveal()}, kinds: accountOnly})
	return string(id), err
}

// SecretEditRequest lists what to change of a secret; an empty Value and nil Tags are
// left as they are. A secret's key cannot change.
type SecretEditRequest struct {
	// Value is the new value.
	Value Secret `json:"value,omitempty"`
	// Tags replaces the tags; an empty non-nil slice removes them all.
	Tags []Tag `json:"tags,omitzero"`
}

// LogValue logs the request with the value masked.
func (r SecretEditRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("value", r.Value.String()), slog.Int("tags", len(r.Tags)))
}

// Edit changes a secret's value or tags.
//
// TagoIO API: PUT /secrets/{id}
func (s *SecretsService) Edit(ctx context.Context, id string, req SecretEditRequest) error {
	if err := checkID("secret ID", id); err != nil {
		return err
	}
	if req.Value == "" && req.Tags == nil {
		return invalidf("secret edit", "sets no field")
	}
	if err := checkTags("tags", req.Tags); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/secrets/" + escape(id), body: req,
		secrets: []string{req.Value.Reveal()}, kinds: accountOnly})
}

// Delete deletes a secret; actions and services that name it stop working.
//
// TagoIO API: DELETE /secrets/{id}
func (s *SecretsService) Delete(ctx context.Context, id string) error {
	if err := checkID("secret ID", id); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/secrets/" + escape(id), kinds: accountOnly})
}
