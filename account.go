package tago

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode"
)

// AccountService manages the account behind a profile token (info, edit, password,
// two-factor authentication) and offers the routes that need no token at all: logging
// in, creating a profile token from e-mail and password, password recovery, account
// confirmation and team invitations. Call those from a client made with [Anonymous].
type AccountService service

func (s *AccountService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// OTPType is a way of receiving one-time codes for two-factor authentication.
type OTPType string

// The one-time code channels.
const (
	// OTPAuthenticator is an authenticator app (TOTP).
	OTPAuthenticator OTPType = "authenticator"
	// OTPSMS is a code sent by SMS.
	OTPSMS OTPType = "sms"
	// OTPEmail is a code sent by e-mail.
	OTPEmail OTPType = "email"
)

// checkOTPType validates a one-time code channel; empty passes when optional is set.
func checkOTPType(field string, t OTPType, optional bool) error {
	switch t {
	case OTPAuthenticator, OTPSMS, OTPEmail:
		return nil
	case "":
		if optional {
			return nil
		}
		return invalidf(field, "must be set (authenticator, sms or email)")
	}
	return invalidf(field, "unknown one-time code type %q (want authenticator, sms or email)", string(t))
}

// checkEmail validates an e-mail address loosely: text on both sides of one '@', no
// white space or control characters.
func checkEmail(field, email string) error {
	if strings.TrimSpace(email) == "" {
		return invalidf(field, "must not be empty")
	}
	if strings.IndexFunc(email, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return invalidf(field, "must not contain white space or control characters")
	}
	at := strings.IndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || strings.Count(email, "@") != 1 {
		return invalidf(field, "%q is not an e-mail address", email)
	}
	return nil
}

// checkSecretSet rejects an empty password, PIN or key. The error never quotes it.
func checkSecretSet(field string, s Secret) error {
	if s == "" {
		return invalidf(field, "must not be empty")
	}
	return nil
}

// checkPathToken validates a token that travels as a path segment (a confirmation or
// invitation token): not blank, no white space or control characters. The error never
// quotes it.
func checkPathToken(field, tok string) error {
	if strings.TrimSpace(tok) == "" {
		return invalidf(field, "must not be empty")
	}
	if strings.IndexFunc(tok, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return invalidf(field, "must not contain white space or control characters")
	}
	return nil
}

// checkOTPPair validates the optional one-time code of a credential: a PIN needs its
// channel and a channel needs its PIN.
func checkOTPPair(pin Secret, t OTPType) error {
	if err := checkOTPType("otp type", t, true); err != nil {
		return err
	}
	switch {
	case pin != "" && t == "":
		return invalidf("otp type", "must be set with a PIN code")
	case pin == "" && t != "":
		return invalidf("pin code", "must be set with an otp type")
	}
	return nil
}

// Account is the account behind a profile token.
type Account struct {
	// ID is the account's ID.
	ID string `json:"id"`
	// Name is the account holder's name.
	Name string `json:"name"`
	// Email is the account's e-mail address, its login.
	Email string `json:"email"`
	// Company is the account's company, if any.
	Company string `json:"company,omitempty"`
	// Phone is the account's phone number, if any.
	Phone string `json:"phone,omitempty"`
	// Timezone is the account's time zone, such as "America/Sao_Paulo".
	Timezone string `json:"timezone,omitempty"`
	// Language is the account's language, such as "en-us".
	Language string `json:"language,omitempty"`
	// Type is the kind of account, such as "user".
	Type string `json:"type,omitempty"`
	// Plan is the account's plan, such as "free", "starter" or "scale".
	Plan string `json:"plan,omitempty"`
	// Active says whether the account is active.
	Active bool `json:"active"`
	// Blocked says whether the account is blocked.
	Blocked bool `json:"blocked"`
	// Newsletter says whether the account receives the newsletter.
	Newsletter bool `json:"newsletter"`
	// Developer marks a developer account.
	Developer bool `json:"developer"`
	// SendInvoice says whether invoices are e-mailed.
	SendInvoice bool `json:"send_invoice"`
	// StripeID is the account's billing customer ID, if any.
	StripeID string `json:"stripe_id,omitempty"`
	// Options are the account's display preferences.
	Options AccountOptions `json:"options"`
	// OTP says which two-factor channels are enabled.
	OTP AccountOTP `json:"otp"`
	// LastLogin is when the account last logged in; zero if never.
	LastLogin time.Time `json:"last_login,omitzero"`
	// CreatedAt is when the account was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the account was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// AccountOptions are an account's display preferences.
type AccountOptions struct {
	// UserViewWelcome says whether the welcome screen was seen.
	UserViewWelcome bool `json:"user_view_welcome"`
	// DecimalSeparator separates decimals in numbers shown to the account.
	DecimalSeparator string `json:"decimal_separator,omitempty"`
	// ThousandSeparator separates thousands in numbers shown to the account.
	ThousandSeparator string `json:"thousand_separator,omitempty"`
	// LastWhatsNew is when the account last saw the platform's news.
	LastWhatsNew time.Time `json:"last_whats_new,omitzero"`
}

// AccountOTP says which two-factor channels an account has enabled.
type AccountOTP struct {
	// Authenticator is set when an authenticator app is enabled.
	Authenticator bool `json:"authenticator"`
	// SMS is set when codes by SMS are enabled.
	SMS bool `json:"sms"`
	// Email is set when codes by e-mail are enabled.
	Email bool `json:"email"`
}

// Info returns the account behind the client's profile token.
//
// TagoIO API: GET /account
func (s *AccountService) Info(ctx context.Context) (Account, error) {
	return do[Account](ctx, s.cl(), &call{method: "GET", path: "/account", kinds: accountOnly})
}

// AccountEditRequest lists the account fields to change; nil fields are left as they
// are.
type AccountEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Email is the new e-mail address.
	Email *string `json:"email,omitempty"`
	// Company is the new company.
	Company *string `json:"company,omitempty"`
	// Phone is the new phone number.
	Phone *string `json:"phone,omitempty"`
	// Timezone is the new time zone, such as "Europe/Lisbon".
	Timezone *string `json:"timezone,omitempty"`
	// Language is the new language, such as "en-us".
	Language *string `json:"language,omitempty"`
	// Newsletter subscribes to or unsubscribes from the newsletter.
	Newsletter *bool `json:"newsletter,omitempty"`
	// Developer marks or unmarks a developer account.
	Developer *bool `json:"developer,omitempty"`
	// SendInvoice turns invoice e-mails on or off.
	SendInvoice *bool `json:"send_invoice,omitempty"`
	// Options replaces the display preferences.
	Options *AccountOptionsEdit `json:"options,omitempty"`
}

// AccountOptionsEdit lists the display preferences to change.
type AccountOptionsEdit struct {
	// UserViewWelcome marks the welcome screen as seen or not.
	UserViewWelcome *bool `json:"user_view_welcome,omitempty"`
	// DecimalSeparator is the new decimal separator.
	DecimalSeparator *string `json:"decimal_separator,omitempty"`
	// ThousandSeparator is the new thousands separator.
	ThousandSeparator *string `json:"thousand_separator,omitempty"`
}

// check validates the edit.
func (r *AccountEditRequest) check() error {
	if r.Name == nil && r.Email == nil && r.Company == nil && r.Phone == nil && r.Timezone == nil &&
		r.Language == nil && r.Newsletter == nil && r.Developer == nil && r.SendInvoice == nil && r.Options == nil {
		return invalidf("account edit", "sets no field")
	}
	if r.Name != nil {
		if err := checkName("name", *r.Name); err != nil {
			return err
		}
	}
	if r.Email != nil {
		if err := checkEmail("email", *r.Email); err != nil {
			return err
		}
	}
	if r.Options != nil && r.Options.UserViewWelcome == nil && r.Options.DecimalSeparator == nil && r.Options.ThousandSeparator == nil {
		return invalidf("options", "sets no field")
	}
	return nil
}

// Edit changes the account's fields.
//
// TagoIO API: PUT /account
func (s *AccountService) Edit(ctx context.Context, req AccountEditRequest) error {
	if err := req.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/account", body: req, kinds: accountOnly})
}

// Delete deletes the account with all its profiles and resources. It cannot be undone.
//
// TagoIO API: DELETE /account
func (s *AccountService) Delete(ctx context.Context) error {
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/account", kinds: accountOnly})
}

// ChangePassword sets a new password for the account.
//
// TagoIO API: POST /account/passwordreset
func (s *AccountService) ChangePassword(ctx context.Context, password Secret) error {
	if err := checkSecretSet("password", password); err != nil {
		return err
	}
	body := struct {
		Password Secret `json:"password"`
	}{password}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/account/passwordreset", body: body,
		secrets: []string{password.Reveal()}, kinds: accountOnly})
}

// Credentials are an account's e-mail and password, which the platform asks for again
// before changing two-factor authentication.
type Credentials struct {
	// Email is the account's e-mail address.
	Email string `json:"email"`
	// Password is the account's password.
	Password Secret `json:"password"`
}

// check validates the credentials.
func (c Credentials) check() error {
	if err := checkEmail("email", c.Email); err != nil {
		return err
	}
	return checkSecretSet("password", c.Password)
}

// LogValue logs the credentials with the password masked.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", c.Email), slog.String("password", c.Password.String()))
}

// otpCall builds the call of one of the two-factor routes.
func otpCall(t OTPType, verb string, body any, secrets ...string) *call {
	return &call{method: "POST", path: "/account/otp/" + escape(string(t)) + "/" + verb, body: body,
		secrets: secrets, kinds: accountOnly}
}

// EnableOTP starts enabling a two-factor channel; the platform sends a code through it
// (or, for an authenticator, shows the secret in the admin), which [AccountService.ConfirmOTP]
// takes to finish.
//
// TagoIO API: POST /account/otp/{type}/enable
func (s *AccountService) EnableOTP(ctx context.Context, t OTPType, cred Credentials) error {
	if err := checkOTPType("otp type", t, false); err != nil {
		return err
	}
	if err := cred.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), otpCall(t, "enable", cred, cred.Password.Reveal()))
}

// DisableOTP disables a two-factor channel.
//
// TagoIO API: POST /account/otp/{type}/disable
func (s *AccountService) DisableOTP(ctx context.Context, t OTPType, cred Credentials) error {
	if err := checkOTPType("otp type", t, false); err != nil {
		return err
	}
	if err := cred.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), otpCall(t, "disable", cred, cred.Password.Reveal()))
}

// ConfirmOTP finishes enabling a two-factor channel with the code it delivered.
//
// TagoIO API: POST /account/otp/{type}/confirm
func (s *AccountService) ConfirmOTP(ctx context.Context, t OTPType, pinCode Secret) error {
	if err := checkOTPType("otp type", t, false); err != nil {
		return err
	}
	if err := checkSecretSet("pin code", pinCode); err != nil {
		return err
	}
	body := struct {
		PinCode Secret `json:"pin_code"`
	}{pinCode}
	return exec(ctx, s.cl(), otpCall(t, "confirm", body, pinCode.Reveal()))
}

// LoginRequest holds what logging in takes: e-mail and password, and for an account
// with two-factor authentication the one-time code and its channel.
type LoginRequest struct {
	// Email is the account's e-mail address.
	Email string `json:"email"`
	// Password is the account's password.
	Password Secret `json:"password"`
	// OTPType is the channel PinCode came from; required with PinCode.
	OTPType OTPType `json:"otp_type,omitempty"`
	// PinCode is the one-time code, for accounts with two-factor authentication.
	PinCode Secret `json:"pin_code,omitempty"`
}

// check validates the request.
func (r LoginRequest) check() error {
	if err := (Credentials{r.Email, r.Password}).check(); err != nil {
		return err
	}
	return checkOTPPair(r.PinCode, r.OTPType)
}

// LogValue logs the request with its password and code masked.
func (r LoginRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", r.Email), slog.String("password", r.Password.String()),
		slog.String("otp_type", string(r.OTPType)), slog.String("pin_code", r.PinCode.String()))
}

// Profile is a profile as listings name it: in [LoginResult.Profiles] and
// [ProfilesService.List].
type Profile struct {
	// ID is the profile's ID.
	ID string `json:"id"`
	// Name is the profile's name.
	Name string `json:"name"`
	// LogoURL is the profile's logo, if any.
	LogoURL string `json:"logo_url,omitempty"`
	// Account is the ID of the account owning the profile.
	Account string `json:"account,omitempty"`
	// FromShare is set for a profile another account shares with this one.
	FromShare bool `json:"from_share,omitempty"`
}

// LoginResult is the platform's answer to a login: who logged in and the profiles they
// may open. It holds no token: create one for a profile with
// [AccountService.CreateToken].
type LoginResult struct {
	// ID is the account's ID.
	ID string `json:"id"`
	// Type is the kind of account, such as "user".
	Type string `json:"type,omitempty"`
	// Email is the account's e-mail address.
	Email string `json:"email"`
	// Name is the account holder's name.
	Name string `json:"name,omitempty"`
	// Company is the account's company, if any.
	Company string `json:"company,omitempty"`
	// Phone is the account's phone number, if any.
	Phone string `json:"phone,omitempty"`
	// Profiles are the profiles the account owns or that are shared with it.
	Profiles []Profile `json:"profiles"`
}

// ErrOTPRequired matches the error of a login (or token creation) the platform refuses
// until it gets a one-time code; see [OTPRequiredError].
var ErrOTPRequired = errors.New("tago: one-time code required")

// OTPRequiredError is the platform's two-factor challenge: the account needs a one-time
// code to log in. Repeat the call with LoginRequest.OTPType and PinCode set, after
// [AccountService.RequestLoginPIN] for a channel the platform did not send a code
// through already. It matches [ErrOTPRequired] and unwraps to the [*APIError] the
// platform answered with.
type OTPRequiredError struct {
	// Enabled lists the channels the account has enabled.
	Enabled []OTPType
	// AutoSent is the channel the platform already sent a code through, if any.
	AutoSent OTPType
	// Phone is the (masked) phone number SMS codes go to, when the platform says.
	Phone string
	// Err is the platform's refusal.
	Err *APIError
}

// Error says that a one-time code is required and which channels can deliver it.
func (e *OTPRequiredError) Error() string {
	var b strings.Builder
	b.WriteString("tago: ")
	if e.Err != nil {
		b.WriteString(e.Err.Method + " " + e.Err.Path + ": ")
	}
	b.WriteString("one-time code required")
	if len(e.Enabled) > 0 {
		names := make([]string, len(e.Enabled))
		for i, t := range e.Enabled {
			names[i] = string(t)
		}
		b.WriteString(" (enabled: " + strings.Join(names, ", ") + ")")
	}
	if e.AutoSent != "" {
		b.WriteString("; a code was sent by " + string(e.AutoSent))
	}
	return b.String()
}

// Is reports whether target is [ErrOTPRequired].
func (e *OTPRequiredError) Is(target error) bool { return target == ErrOTPRequired }

// Unwrap returns the platform's refusal.
func (e *OTPRequiredError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// otpChallenge turns the platform's two-factor refusal into an *OTPRequiredError; other
// errors are returned as they are. The platform writes the challenge as a JSON object
// in its error message: {"otp_enabled": [...], "otp_autosend": "email", "phone": ...}.
func otpChallenge(err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, "otp_enabled") {
		return err
	}
	var raw struct {
		Enabled  json.RawMessage `json:"otp_enabled"`
		AutoSend OTPType         `json:"otp_autosend"`
		Phone    string          `json:"phone"`
	}
	if json.Unmarshal([]byte(apiErr.Message), &raw) != nil {
		return err
	}
	var enabled []OTPType
	var on bool
	switch {
	case json.Unmarshal(raw.Enabled, &enabled) == nil && len(enabled) > 0:
	case json.Unmarshal(raw.Enabled, &on) == nil && on:
		if raw.AutoSend != "" {
			enabled = []OTPType{raw.AutoSend}
		}
	default:
		return err
	}
	return &OTPRequiredError{Enabled: enabled, AutoSent: raw.AutoSend, Phone: raw.Phone, Err: apiErr}
}

// Login checks an account's e-mail and password and returns the account with its
// profiles. It needs no token (use a client made with [Anonymous]). When the account
// has two-factor authentication and req carries no code, the error is an
// [*OTPRequiredError] (matching [ErrOTPRequired]) saying which channels can deliver one.
//
// TagoIO API: POST /account/login
func (s *AccountService) Login(ctx context.Context, req LoginRequest) (LoginResult, error) {
	if err := req.check(); err != nil {
		return LoginResult{}, err
	}
	res, err := do[LoginResult](ctx, s.cl(), &call{method: "POST", path: "/account/login", body: req,
		secrets: []string{req.Password.Reveal(), req.PinCode.Reveal()}, anonymous: true})
	if err != nil {
		return LoginResult{}, otpChallenge(err)
	}
	return res, nil
}

// LoginPINRequest asks the platform to send a login code through a channel.
type LoginPINRequest struct {
	// Email is the account's e-mail address.
	Email string `json:"email"`
	// Password is the account's password.
	Password Secret `json:"password"`
	// OTPType is the channel to send the code through: [OTPSMS] or [OTPEmail].
	OTPType OTPType `json:"otp_type"`
}

// RequestLoginPIN asks the platform to send a one-time login code by SMS or e-mail, for
// a login that answered with an [*OTPRequiredError]. It needs no token.
//
// TagoIO API: POST /account/login/otp
func (s *AccountService) RequestLoginPIN(ctx context.Context, req LoginPINRequest) error {
	if err := (Credentials{req.Email, req.Password}).check(); err != nil {
		return err
	}
	if err := checkOTPType("otp type", req.OTPType, false); err != nil {
		return err
	}
	if req.OTPType == OTPAuthenticator {
		return invalidf("otp type", "an authenticator app makes its own codes; request sms or email")
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/account/login/otp", body: req,
		secrets: []string{req.Password.Reveal()}, anonymous: true})
}

// AccountTokenRequest asks for a new token of one profile, with the account's
// credentials. ProfileID, Email, Password and Name are required; OTPType and PinCode
// are for accounts with two-factor authentication.
type AccountTokenRequest struct {
	// ProfileID is the profile the token is for (see [LoginResult.Profiles]).
	ProfileID string `json:"profile_id"`
	// Email is the account's e-mail address.
	Email string `json:"email"`
	// Password is the account's password.
	Password Secret `json:"password"`
	// Name is the token's name.
	Name string `json:"name"`
	// ExpireTime is when the token expires, such as [ExpiresIn]("3 months"); unset lets
	// the platform choose.
	ExpireTime Expiry `json:"expire_time,omitzero"`
	// OTPType is the channel PinCode came from; required with PinCode.
	OTPType OTPType `json:"otp_type,omitempty"`
	// PinCode is the one-time code, for accounts with two-factor authentication.
	PinCode Secret `json:"pin_code,omitempty"`
}

// LogValue logs the request with its password and code masked.
func (r AccountTokenRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("profile_id", r.ProfileID), slog.String("email", r.Email),
		slog.String("name", r.Name), slog.String("password", r.Password.String()), slog.String("pin_code", r.PinCode.String()))
}

// CreateToken creates a profile token from the account's e-mail and password: how a
// program that holds no token yet obtains one, after [AccountService.Login] named the
// profiles. It needs no token. The token in the result is a [Secret]; build a client
// with [AccountToken](res.Token.Reveal()). An account with two-factor authentication
// and no code in req gets an [*OTPRequiredError].
//
// TagoIO API: POST /account/profile/token
func (s *AccountService) CreateToken(ctx context.Context, req AccountTokenRequest) (TokenInfo, error) {
	if err := checkID("profile ID", req.ProfileID); err != nil {
		return TokenInfo{}, err
	}
	if err := (Credentials{req.Email, req.Password}).check(); err != nil {
		return TokenInfo{}, err
	}
	if err := checkName("name", req.Name); err != nil {
		return TokenInfo{}, err
	}
	if err := req.ExpireTime.check("expire time"); err != nil {
		return TokenInfo{}, err
	}
	if err := checkOTPPair(req.PinCode, req.OTPType); err != nil {
		return TokenInfo{}, err
	}
	tok, err := do[TokenInfo](ctx, s.cl(), &call{method: "POST", path: "/account/profile/token", body: req,
		secrets: []string{req.Password.Reveal(), req.PinCode.Reveal()}, anonymous: true})
	if err != nil {
		return TokenInfo{}, otpChallenge(err)
	}
	if tok.Token == "" {
		return TokenInfo{}, &APIError{HTTPStatus: 200, Method: "POST", Path: "/account/profile/token",
			Message: "the result holds no token", maybe: true}
	}
	return tok, nil
}

// AccountCreateRequest describes a new account. Name, Email, Password and Timezone are
// required.
type AccountCreateRequest struct {
	// Name is the account holder's name.
	Name string `json:"name"`
	// Email is the account's e-mail address, its login.
	Email string `json:"email"`
	// Password is the account's password.
	Password Secret `json:"password"`
	// PasswordConfirmation repeats Password; empty means the same as Password.
	PasswordConfirmation Secret `json:"cpassword"`
	// Timezone is the account's time zone, such as "America/New_York".
	Timezone string `json:"timezone"`
	// Country is the account's country, if given.
	Country string `json:"country,omitempty"`
	// Company is the account's company, if given.
	Company string `json:"company,omitempty"`
	// Newsletter subscribes the account to the newsletter.
	Newsletter *bool `json:"newsletter,omitempty"`
	// Developer marks a developer account.
	Developer *bool `json:"developer,omitempty"`
}

// LogValue logs the request with its passwords masked.
func (r AccountCreateRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", r.Name), slog.String("email", r.Email),
		slog.String("password", r.Password.String()), slog.String("timezone", r.Timezone))
}

// Create creates an account; the platform e-mails a confirmation link (see
// [AccountService.ConfirmAccount]). It needs no token.
//
// TagoIO API: POST /account
func (s *AccountService) Create(ctx context.Context, req AccountCreateRequest) error {
	if err := checkName("name", req.Name); err != nil {
		return err
	}
	if err := (Credentials{req.Email, req.Password}).check(); err != nil {
		return err
	}
	switch req.PasswordConfirmation {
	case "":
		req.PasswordConfirmation = req.Password
	case req.Password:
	default:
		return invalidf("password confirmation", "does not match the password")
	}
	if err := checkName("timezone", req.Timezone); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/account", body: req,
		secrets: []string{req.Password.Reveal()}, anonymous: true})
}

// RecoverPassword asks the platform to e-mail a password reset link. It needs no
// token.
//
// TagoIO API: GET /account/passwordreset/{email}
func (s *AccountService) RecoverPassword(ctx context.Context, email string) error {
	if err := checkEmail("email", email); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "GET", path: "/account/passwordreset/" + escape(email), anonymous: true})
}

// ResendConfirmation asks the platform to e-mail the account confirmation link again.
// It needs no token.
//
// TagoIO API: GET /account/resend_confirmation/{email}
func (s *AccountService) ResendConfirmation(ctx context.Context, email string) error {
	if err := checkEmail("email", email); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "GET", path: "/account/resend_confirmation/" + escape(email), anonymous: true})
}

// ConfirmAccount confirms a new account with the token of its confirmation e-mail. It
// needs no token of its own; the confirmation token never appears in errors or logs.
//
// TagoIO API: GET /account/confirm/{token}
func (s *AccountService) ConfirmAccount(ctx context.Context, token string) error {
	if err := checkPathToken("confirmation token", token); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "GET", path: "/account/confirm/" + escape(token),
		secrets: []string{token}, anonymous: true})
}

// AcceptTeamInvitation accepts an invitation to a profile's team, with the token of the
// invitation e-mail. It needs no token of its own.
//
// TagoIO API: GET /profile/team/accept/{token}
func (s *AccountService) AcceptTeamInvitation(ctx context.Context, token string) error {
	if err := checkPathToken("invitation token", token); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "GET", path: "/profile/team/accept/" + escape(token),
		secrets: []string{token}, anonymous: true})
}

// DeclineTeamInvitation declines an invitation to a profile's team, with the token of
// the invitation e-mail. It needs no token of its own.
//
// TagoIO API: GET /profile/team/decline/{token}
func (s *AccountService) DeclineTeamInvitation(ctx context.Context, token string) error {
	if err := checkPathToken("invitation token", token); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "GET", path: "/profile/team/decline/" + escape(token),
		secrets: []string{token}, anonymous: true})
}
