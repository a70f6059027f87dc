package tago

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"
)

// InfoOptions tunes the calls in which a token describes itself (GET /info):
// [NetworksService.CurrentWith] and [AuthorizationsService.CurrentWith]. nil or the
// zero value sends no option.
type InfoOptions struct {
	// Details sends details=true, as the official SDKs do for a client made with
	// details.
	Details bool
}

// query returns the options as a query; nil when there are none.
func (o *InfoOptions) query() *query {
	if o == nil || !o.Details {
		return nil
	}
	q := &query{}
	q.addBool("details", true)
	return q
}

// authorizationOnly is the call.kinds of operations that need a service authorization
// used as a token ([AuthorizationToken]).
var authorizationOnly = []TokenKind{KindAuthorization}

// AuthorizationInfo is what the platform says of a service authorization to a client
// that carries it as its token ([AuthorizationsService.Current]). It does not hold the
// key itself.
type AuthorizationInfo struct {
	// Name is the authorization's name.
	Name string `json:"name"`
	// Type is the kind of token, "authorization".
	Type string `json:"type,omitempty"`
	// Permission is what the authorization may do.
	Permission Permission `json:"permission,omitempty"`
	// SerieNumber is the serial the authorization is tied to, if any.
	SerieNumber string `json:"serie_number,omitempty"`
	// LastAuthorization is when the authorization was last used; zero if never.
	LastAuthorization time.Time `json:"last_authorization,omitzero"`
	// VerificationCode is the authorization's "additional parameter", if any.
	VerificationCode Secret `json:"verification_code,omitempty"`
	// ExpireTime is when the authorization expires.
	ExpireTime Expiry `json:"expire_time,omitzero"`
	// RefID is the ID of the profile the authorization belongs to.
	RefID string `json:"ref_id,omitempty"`
	// CreatedBy says who created the authorization, when known.
	CreatedBy string `json:"created_by,omitempty"`
	// CreatedAt is when the authorization was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// UnmarshalJSON reads the dates leniently (null or an unreadable last_authorization
// leaves it zero) and created_by as an ID or an object with an id.
func (a *AuthorizationInfo) UnmarshalJSON(b []byte) error {
	type plain AuthorizationInfo
	var raw struct {
		plain
		LastAuthorization *string `json:"last_authorization"`
		CreatedBy         any     `json:"created_by"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*a = AuthorizationInfo(raw.plain)
	if raw.LastAuthorization != nil {
		a.LastAuthorization, _ = parseTime(*raw.LastAuthorization)
	}
	a.CreatedBy = createdByID(raw.CreatedBy)
	return nil
}

// createdByID reads a created_by field: an ID, an object with an id, or nothing.
func createdByID(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		id, _ := v["id"].(string)
		return id
	}
	return ""
}

// LogValue logs the description with its verification code masked.
func (a AuthorizationInfo) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", a.Name), slog.String("permission", string(a.Permission)),
		slog.String("ref_id", a.RefID), slog.String("verification_code", a.VerificationCode.String()))
}

// Current returns what the platform knows of the service authorization the client
// carries as its token ([AuthorizationToken]): its name, permission, expiry, the
// profile it belongs to and when it was last used.
//
// TagoIO API: GET /info
func (s *AuthorizationsService) Current(ctx context.Context) (AuthorizationInfo, error) {
	return s.CurrentWith(ctx, nil)
}

// CurrentWith is [AuthorizationsService.Current] with options; opts may be nil.
//
// TagoIO API: GET /info
func (s *AuthorizationsService) CurrentWith(ctx context.Context, opts *InfoOptions) (AuthorizationInfo, error) {
	return do[AuthorizationInfo](ctx, s.cl(), &call{method: "GET", path: "/info", query: opts.query(), kinds: authorizationOnly})
}
