package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// TokensService manages device tokens and profile tokens (account token).
type TokensService service

// AuthorizationsService manages service authorizations (account token). A service
// authorization is the "Authorization" key a LoRaWAN network server, such as Actility
// ThingPark, The Things Stack, Everynet or Loriot, is configured with and sends with
// every uplink; the network's middleware presents it to TagoIO to find the device the
// uplink belongs to (see [NetworksService.ResolveToken]). It is not an API token: the
// SDK never sends it in a header.
type AuthorizationsService service

// Secret is a token or key returned by the platform: a device, profile or network
// token, a service authorization key or a verification code. Printing it with fmt (any
// verb, %#v included), String, slog (text or JSON handler, alone or inside a struct, a
// slice or a map) or encoding/json shows at most its last four characters; only Reveal
// returns the value. Unmarshalling JSON reads the plain string, and the SDK sends the
// real value in request bodies, so secrets still reach the platform; to store one (a
// device token in a file, say), store its Reveal. One exception: encoding/json writes a
// map's string-typed keys as they are, so do not key a map you log or marshal by Secret.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns the secret masked, such as "****3f9a", or "" when it is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return maskSecret(string(s))
}

// GoString returns the masked secret as Go syntax, for %#v.
func (s Secret) GoString() string { return "tago.Secret(" + strconv.Quote(s.String()) + ")" }

// Format writes the masked secret for every fmt verb, so %s, %v, %q, %x, %d and %#v
// never reveal it.
func (s Secret) Format(f fmt.State, verb rune) { formatMasked(f, verb, s.String(), s.GoString()) }

// LogValue logs the masked secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the masked secret as a JSON string: slog's JSON handler marshals
// the structs, slices and maps it logs with encoding/json, so a plain string would print
// the value. Request bodies still send the real value: the SDK encodes a body through a
// copy of its type in which every Secret is a string (wire.go).
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// formatMasked writes a masked description for any fmt verb: goSyntax for %#v, the
// quoted text for %q, the text otherwise (never the hex of the secret, nor its digits).
func formatMasked(f fmt.State, verb rune, text, goSyntax string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, goSyntax)
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(text))
	default:
		_, _ = io.WriteString(f, text)
	}
}

// Permission is what a token or authorization may do.
type Permission string

// The token permissions.
const (
	// PermissionRead allows reading only.
	PermissionRead Permission = "read"
	// PermissionWrite allows writing only.
	PermissionWrite Permission = "write"
	// PermissionFull allows reading and writing.
	PermissionFull Permission = "full"
)

// checkTokenRequest validates what every token or authorization request carries: a
// name, a permission (which may be left to the platform when optional) and an expiry.
func checkTokenRequest(name string, p Permission, optionalPermission bool, exp Expiry) error {
	if err := checkName("name", name); err != nil {
		return err
	}
	if err := checkPermission(p, optionalPermission); err != nil {
		return err
	}
	return exp.check("expire time")
}

// checkPermission validates a permission; empty passes when optional is set.
func checkPermission(p Permission, optional bool) error {
	switch p {
	case PermissionRead, PermissionWrite, PermissionFull:
		return nil
	case "":
		if optional {
			return nil
		}
		return invalidf("permission", "must be set (read, write or full)")
	}
	return invalidf("permission", "unknown permission %q (want read, write or full)", string(p))
}

// Expiry says when a token expires: never, at a time, or (in requests) after a span the
// platform understands, such as "1 day". The zero value means "not set": in a request
// the platform picks its default, in a result the platform did not say.
type Expiry struct {
	// Never is set when the token does not expire.
	Never bool
	// Time is when the token expires, when it does.
	Time time.Time
	// Relative is a span from now in the platform's words, such as "3 hours", "1 day"
	// or "1 month". In results it holds any text the platform sent that is neither
	// "never" nor a date.
	Relative string
}

// ExpiresNever returns an expiry for a token that does not expire.
func ExpiresNever() Expiry { return Expiry{Never: true} }

// ExpiresAt returns an expiry at t.
func ExpiresAt(t time.Time) Expiry { return Expiry{Time: t} }

// ExpiresIn returns an expiry after a span in the platform's words, such as "1 day".
func ExpiresIn(span string) Expiry { return Expiry{Relative: span} }

// IsZero reports whether the expiry is unset.
func (e Expiry) IsZero() bool { return !e.Never && e.Time.IsZero() && e.Relative == "" }

// String returns "never", the time in RFC 3339, the relative span, or "" when unset.
func (e Expiry) String() string {
	switch {
	case e.Never:
		return "never"
	case !e.Time.IsZero():
		return e.Time.Format(time.RFC3339Nano)
	default:
		return e.Relative
	}
}

// text is the expiry as the platform takes it in a body or query.
func (e Expiry) text() string {
	if !e.Never && !e.Time.IsZero() {
		return formatTime(e.Time)
	}
	return e.String()
}

// check validates a requested expiry: at most one form, and no blank span.
func (e Expiry) check(field string) error {
	n := 0
	if e.Never {
		n++
	}
	if !e.Time.IsZero() {
		n++
	}
	if e.Relative != "" {
		n++
		if strings.TrimSpace(e.Relative) == "" {
			return invalidf(field, "relative span must not be blank")
		}
	}
	if n > 1 {
		return invalidf(field, "set only one of Never, Time and Relative")
	}
	return nil
}

// MarshalJSON writes "never", the time as an ISO-8601 UTC string, the relative span,
// or null when unset.
func (e Expiry) MarshalJSON() ([]byte, error) {
	if e.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(e.text())
}

// UnmarshalJSON reads "never", a date, or any other text (kept in Relative). It never
// fails on the platform's value: null, numbers and other JSON leave what it can read.
func (e *Expiry) UnmarshalJSON(b []byte) error {
	*e = Expiry{}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n json.Number
		if json.Unmarshal(b, &n) == nil {
			e.Relative = n.String()
		}
		return nil
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
	case strings.EqualFold(s, "never"):
		e.Never = true
	default:
		if t, ok := parseTime(s); ok {
			e.Time = t
		} else {
			e.Relative = s
		}
	}
	return nil
}

// TokenInfo is a device, profile or network token as the platform lists it, or as it
// returns a newly created one. List calls fill only the fields they were asked for.
// The token itself and any authorization or verification code are [Secret] values.
type TokenInfo struct {
	// Token is the token's value.
	Token Secret `json:"token"`
	// Name is the token's name.
	Name string `json:"name,omitempty"`
	// Type is the kind of token, for profile tokens.
	Type string `json:"type,omitempty"`
	// Permission is what the token may do.
	Permission Permission `json:"permission,omitempty"`
	// ExpireTime is when the token expires (create results call it expire_date).
	ExpireTime Expiry `json:"expire_time,omitzero"`
	// DeviceID is the device a device token belongs to.
	DeviceID string `json:"device_id,omitempty"`
	// NetworkID is the network of a device token, or the network a network token
	// belongs to.
	NetworkID string `json:"network_id,omitempty"`
	// SerieNumber is the serial (LoRaWAN DevEUI) a device token answers to.
	SerieNumber string `json:"serie_number,omitempty"`
	// LastAuthorization is the service authorization key a network server last used
	// with this device token; a downlink to the device needs it.
	LastAuthorization Secret `json:"last_authorization,omitempty"`
	// VerificationCode is the token's verification code, if any.
	VerificationCode Secret `json:"verification_code,omitempty"`
	// Middleware is the middleware the device token was made for, if any.
	Middleware string `json:"middleware,omitempty"`
	// RefID is the ID of the object a profile token refers to, if any.
	RefID string `json:"ref_id,omitempty"`
	// CreatedBy says who created a profile token, when known.
	CreatedBy string `json:"created_by,omitempty"`
	// CreatedAt is when the token was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// UnmarshalJSON also accepts "expire_date" for ExpireTime and "network" for NetworkID,
// the names create results use.
func (t *TokenInfo) UnmarshalJSON(b []byte) error {
	type plain TokenInfo
	var raw struct {
		plain
		ExpireDate Expiry `json:"expire_date"`
		Network    string `json:"network"`
		CreatedBy  any    `json:"created_by"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*t = TokenInfo(raw.plain)
	if t.ExpireTime.IsZero() {
		t.ExpireTime = raw.ExpireDate
	}
	if t.NetworkID == "" {
		t.NetworkID = raw.Network
	}
	t.CreatedBy = createdByID(raw.CreatedBy)
	return nil
}

// LogValue logs the token's public fields with its secrets masked.
func (t TokenInfo) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", t.Name), slog.String("token", t.Token.String()),
		slog.String("permission", string(t.Permission)), slog.String("expire_time", t.ExpireTime.String()),
		slog.String("serie_number", t.SerieNumber), slog.String("last_authorization", t.LastAuthorization.String()),
	)
}

// TokenListOptions filters and pages lists of tokens and service authorizations.
type TokenListOptions struct {
	ListOptions
	// Name keeps tokens whose name matches, * wildcards allowed.
	Name string
	// Permission keeps tokens with this permission.
	Permission Permission
	// SerieNumber keeps device tokens with this serial (DevEUI).
	SerieNumber string
}

// tokensDefaults are the official SDKs' defaults for token lists.
var tokensDefaults = listDefaults{fields: []string{"name", "token", "permission"}, order: Desc("created_at")}

// query builds the list query of a token listing.
func (o *TokenListOptions) query() (*query, error) {
	if err := checkPermission(o.Permission, true); err != nil {
		return nil, err
	}
	return listQuery(&o.ListOptions, tokensDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addString("filter[permission]", string(o.Permission))
		q.addString("filter[serie_number]", o.SerieNumber)
	})
}

// allTokens is the All of every token listing.
func allTokens[T any](ctx context.Context, opts *TokenListOptions, list func(ctx context.Context, o *TokenListOptions) ([]T, error)) iter.Seq2[T, error] {
	var o TokenListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]T, error) {
		p := o
		p.ListOptions = page
		return list(ctx, &p)
	})
}

// checkToken validates a TagoIO token (device, profile or network): a UUID, 36
// characters of hexadecimal digits and hyphens. The error never quotes the token.
func checkToken(field, tok string) error {
	if len(tok) != 36 {
		return invalidf(field, "must be a 36-character token, got %d characters", len(tok))
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return invalidf(field, "must be a token in UUID form (hyphen expected at position %d)", i+1)
			}
		default:
			if !isHex(c) {
				return invalidf(field, "must be a token in UUID form (non-hexadecimal character at position %d)", i+1)
			}
		}
	}
	return nil
}

// checkAuthorizationKey validates a service authorization key. The platform's keys
// look like "at" and 32 hexadecimal digits, but that is not documented as a rule, so
// any 8 to 128 letters, digits, '-', '_' and '.' pass. The error never quotes the key.
func checkAuthorizationKey(field, key string) error {
	if len(key) < 8 || len(key) > 128 {
		return invalidf(field, "must be 8 to 128 characters, got %d", len(key))
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(isHex(c) || 'g' <= c && c <= 'z' || 'G' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return invalidf(field, "must hold only letters, digits, '-', '_' and '.' (bad character at position %d)", i+1)
		}
	}
	return nil
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// List returns one page of a device's tokens. Without Fields it asks for name, token
// and permission; the default order is by creation, newest first.
//
// TagoIO API: GET /device/token/{deviceID}
func (s *TokensService) List(ctx context.Context, deviceID string, opts *TokenListOptions) ([]TokenInfo, error) {
	if err := checkID("device ID", deviceID); err != nil {
		return nil, err
	}
	var o TokenListOptions
	if opts != nil {
		o = *opts
	}
	q, err := o.query()
	if err != nil {
		return nil, err
	}
	return do[[]TokenInfo](ctx, s.cl(), &call{method: "GET", path: "/device/token/" + escape(deviceID), query: q, kinds: accountOnly})
}

// All returns an iterator over every token of a device matching opts, fetching pages
// as the caller ranges.
//
// TagoIO API: GET /device/token/{deviceID}
func (s *TokensService) All(ctx context.Context, deviceID string, opts *TokenListOptions) iter.Seq2[TokenInfo, error] {
	if err := checkID("device ID", deviceID); err != nil {
		return errSeq[TokenInfo](err)
	}
	return allTokens(ctx, opts, func(ctx context.Context, o *TokenListOptions) ([]TokenInfo, error) {
		return s.List(ctx, deviceID, o)
	})
}

// tokenFinderFields are the fields FindByName asks for: everything a device token has.
var tokenFinderFields = []string{"name", "token", "permission", "serie_number", "last_authorization", "expire_time", "created_at"}

// FindByName returns the device's token named name (the newest, if several share it).
// It lists the device's tokens filtered by that name; when none matches exactly, the
// error matches [ErrNotFound].
//
// TagoIO API: GET /device/token/{deviceID}
func (s *TokensService) FindByName(ctx context.Context, deviceID, name string) (TokenInfo, error) {
	if err := checkID("device ID", deviceID); err != nil {
		return TokenInfo{}, err
	}
	if err := checkName("token name", name); err != nil {
		return TokenInfo{}, err
	}
	opts := &TokenListOptions{ListOptions: ListOptions{Amount: 100, Fields: tokenFinderFields}, Name: name}
	for tok, err := range s.All(ctx, deviceID, opts) {
		if err != nil {
			return TokenInfo{}, err
		}
		if tok.Name == name {
			return tok, nil
		}
	}
	return TokenInfo{}, fmt.Errorf("%w: device %s has no token named %q", ErrNotFound, deviceID, name)
}

// DeviceTokenCreateRequest describes a new device token. Name and Permission are
// required.
type DeviceTokenCreateRequest struct {
	// Name is the token's name.
	Name string `json:"name"`
	// Permission is what the token may do.
	Permission Permission `json:"permission"`
	// ExpireTime is when the token expires; unset lets the platform choose.
	ExpireTime Expiry `json:"expire_time,omitzero"`
	// SerieNumber is the serial the token answers to: a LoRaWAN DevEUI, for network
	// servers resolving the device.
	SerieNumber string `json:"serie_number,omitempty"`
	// VerificationCode is a code middleware requests must present, if any.
	VerificationCode Secret `json:"verification_code,omitempty"`
	// Middleware names the middleware or device type the token is for, if any.
	Middleware string `json:"middleware,omitempty"`
}

// Create creates a token for a device and returns it with its permission and expiry.
//
// TagoIO API: POST /device/token
func (s *TokensService) Create(ctx context.Context, deviceID string, req DeviceTokenCreateRequest) (TokenInfo, error) {
	if err := checkID("device ID", deviceID); err != nil {
		return TokenInfo{}, err
	}
	if err := checkTokenRequest(req.Name, req.Permission, false, req.ExpireTime); err != nil {
		return TokenInfo{}, err
	}
	body := struct {
		Device string `json:"device"`
		DeviceTokenCreateRequest
	}{deviceID, req}
	return do[TokenInfo](ctx, s.cl(), &call{method: "POST", path: "/device/token", body: body, kinds: accountOnly})
}

// Delete deletes a device token.
//
// TagoIO API: DELETE /device/token/{token}
func (s *TokensService) Delete(ctx context.Context, token string) error {
	if err := checkToken("token", token); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/device/token/" + escape(token),
		secrets: []string{token}, kinds: accountOnly})
}

// ListProfile returns one page of a profile's tokens. Without Fields it asks for name,
// token and permission; the default order is by creation, newest first.
//
// TagoIO API: GET /profile/{id}/token
func (s *TokensService) ListProfile(ctx context.Context, profileID string, opts *TokenListOptions) ([]TokenInfo, error) {
	if err := checkID("profile ID", profileID); err != nil {
		return nil, err
	}
	var o TokenListOptions
	if opts != nil {
		o = *opts
	}
	q, err := o.query()
	if err != nil {
		return nil, err
	}
	return do[[]TokenInfo](ctx, s.cl(), &call{method: "GET", path: "/profile/" + escape(profileID) + "/token", query: q, kinds: accountOnly})
}

// AllProfile returns an iterator over every token of a profile matching opts, fetching
// pages as the caller ranges.
//
// TagoIO API: GET /profile/{id}/token
func (s *TokensService) AllProfile(ctx context.Context, profileID string, opts *TokenListOptions) iter.Seq2[TokenInfo, error] {
	if err := checkID("profile ID", profileID); err != nil {
		return errSeq[TokenInfo](err)
	}
	return allTokens(ctx, opts, func(ctx context.Context, o *TokenListOptions) ([]TokenInfo, error) {
		return s.ListProfile(ctx, profileID, o)
	})
}

// ProfileTokenCreateRequest describes a new profile token. Name and Permission are
// required; the platform also asks for the account's credentials.
type ProfileTokenCreateRequest struct {
	// Name is the token's name.
	Name string `json:"name"`
	// Permission is what the token may do.
	Permission Permission `json:"permission"`
	// ExpireTime is when the token expires; unset lets the platform choose.
	ExpireTime Expiry `json:"expire_time,omitzero"`
	// Email is the account's e-mail address.
	Email string `json:"email,omitempty"`
	// Password is the account's password.
	Password Secret `json:"password,omitempty"`
	// PinCode is the one-time code, when the account uses two-factor authentication.
	PinCode Secret `json:"pin_code,omitempty"`
	// OTPType is how the one-time code was obtained: "sms", "email" or "authenticator".
	OTPType string `json:"otp_type,omitempty"`
}

// LogValue logs the request without its credentials.
func (r ProfileTokenCreateRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", r.Name), slog.String("permission", string(r.Permission)),
		slog.String("email", r.Email), slog.String("password", r.Password.String()))
}

// CreateProfile creates a token for a profile and returns it with its permission and
// expiry.
//
// TagoIO API: POST /profile/{id}/token
func (s *TokensService) CreateProfile(ctx context.Context, profileID string, req ProfileTokenCreateRequest) (TokenInfo, error) {
	if err := checkID("profile ID", profileID); err != nil {
		return TokenInfo{}, err
	}
	if err := checkTokenRequest(req.Name, req.Permission, false, req.ExpireTime); err != nil {
		return TokenInfo{}, err
	}
	return do[TokenInfo](ctx, s.cl(), &call{method: "POST", path: "/profile/" + escape(profileID) + "/token", body: req,
		kinds: accountOnly})
}

// DeleteProfile deletes a profile token.
//
// TagoIO API: DELETE /profile/{id}/token/{token}
func (s *TokensService) DeleteProfile(ctx context.Context, profileID, token string) error {
	if err := checkID("profile ID", profileID); err != nil {
		return err
	}
	if err := checkToken("token", token); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/profile/" + escape(profileID) + "/token/" + escape(token),
		secrets: []string{token}, kinds: accountOnly})
}

// Authorization is a service authorization: the "Authorization" key a LoRaWAN network
// server such as Actility ThingPark sends with every uplink, so that TagoIO can tell
// which profile the uplink's device belongs to. Token is that key.
type Authorization struct {
	// Token is the authorization key to configure in the network server.
	Token Secret `json:"token"`
	// Name is the authorization's name.
	Name string `json:"name,omitempty"`
	// Permission is what the authorization may do.
	Permission Permission `json:"permission,omitempty"`
	// VerificationCode is the "additional parameter" some integrations need (the
	// network server's own downlink credentials, for example).
	VerificationCode Secret `json:"verification_code,omitempty"`
	// ExpireTime is when the authorization expires.
	ExpireTime Expiry `json:"expire_time,omitzero"`
	// Profile is the ID of the profile owning the authorization (create results).
	Profile string `json:"profile,omitempty"`
	// CreatedAt is when the authorization was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// UnmarshalJSON also accepts "additional_parameters" for VerificationCode, the name
// create results use.
func (a *Authorization) UnmarshalJSON(b []byte) error {
	type plain Authorization
	var raw struct {
		plain
		AdditionalParameters Secret `json:"additional_parameters"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*a = Authorization(raw.plain)
	if a.VerificationCode == "" {
		a.VerificationCode = raw.AdditionalParameters
	}
	return nil
}

// LogValue logs the authorization with its key and verification code masked.
func (a Authorization) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", a.Name), slog.String("token", a.Token.String()),
		slog.String("verification_code", a.VerificationCode.String()), slog.String("profile", a.Profile))
}

// List returns one page of the profile's service authorizations. Without Fields it
// asks for name, token and permission; the default order is by creation, newest first.
//
// TagoIO API: GET /serviceauth
func (s *AuthorizationsService) List(ctx context.Context, opts *TokenListOptions) ([]Authorization, error) {
	var o TokenListOptions
	if opts != nil {
		o = *opts
	}
	q, err := o.query()
	if err != nil {
		return nil, err
	}
	return do[[]Authorization](ctx, s.cl(), &call{method: "GET", path: "/serviceauth", query: q, kinds: accountOnly})
}

// All returns an iterator over every service authorization matching opts, fetching
// pages as the caller ranges.
//
// TagoIO API: GET /serviceauth
func (s *AuthorizationsService) All(ctx context.Context, opts *TokenListOptions) iter.Seq2[Authorization, error] {
	return allTokens(ctx, opts, s.List)
}

// AuthorizationCreateRequest describes a new service authorization. Name is required.
type AuthorizationCreateRequest struct {
	// Name is the authorization's name, such as "Actility ThingPark".
	Name string `json:"name"`
	// Permission is what the authorization may do; empty lets the platform choose.
	Permission Permission `json:"permission,omitempty"`
	// ExpireTime is when the authorization expires; unset lets the platform choose.
	ExpireTime Expiry `json:"expire_time,omitzero"`
	// VerificationCode is the "additional parameter" some integrations require.
	VerificationCode Secret `json:"verification_code,omitempty"`
}

// Create creates a service authorization and returns it with its key. Configure the
// key (Authorization.Token.Reveal()) in the network server, such as the
// authorizationKey of an Actility ThingPark connection to TagoIO.
//
// TagoIO API: POST /serviceauth
func (s *AuthorizationsService) Create(ctx context.Context, req AuthorizationCreateRequest) (Authorization, error) {
	if err := checkTokenRequest(req.Name, req.Permission, true, req.ExpireTime); err != nil {
		return Authorization{}, err
	}
	return do[Authorization](ctx, s.cl(), &call{method: "POST", path: "/serviceauth", body: req, kinds: accountOnly})
}

// AuthorizationEditRequest holds the one field of a service authorization that can
// change.
type AuthorizationEditRequest struct {
	// VerificationCode replaces the "additional parameter" when set: tago.Ptr(code) sets
	// it, tago.Ptr(tago.Secret("")) clears it, and nil leaves it as it is.
	VerificationCode *Secret `json:"verification_code,omitempty"`
}

// Edit changes a service authorization's verification code. key is the
// authorization's key (its Token). A request without a VerificationCode sends an empty
// edit, which leaves the code as it is.
//
// TagoIO API: PUT /serviceauth/{token}
func (s *AuthorizationsService) Edit(ctx context.Context, key string, req AuthorizationEditRequest) error {
	if err := checkAuthorizationKey("authorization", key); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/serviceauth/" + escape(key), body: req,
		secrets: []string{key}, kinds: accountOnly})
}

// Delete deletes a service authorization; network servers using its key can no longer
// deliver uplinks. key is the authorization's key (its Token).
//
// TagoIO API: DELETE /serviceauth/{token}
func (s *AuthorizationsService) Delete(ctx context.Context, key string) error {
	if err := checkAuthorizationKey("authorization", key); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/serviceauth/" + escape(key),
		secrets: []string{key}, kinds: accountOnly})
}
