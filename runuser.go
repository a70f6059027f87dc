package tago

import (
	"context"
	"encoding/json"
	"iter"
	"strings"
	"time"
)

// RunUserService is the side of a TagoRUN that its end users' apps talk to, for the
// run at one address (the run's URL, such as "myapp.run.tago.io"). Signing up, logging
// in, confirming an account and recovering a password need no token (use a client made
// with [Anonymous]); the other methods need the user's own token ([RunUserToken]), which
// Login returns. Get one with [Client.RunUser].
type RunUserService struct {
	client *Client
	runURL string
	err    error // an invalid run URL, returned by every method
}

// RunUser returns the run-user side of the run at runURL, the run's address such as
// "myapp.run.tago.io" (see [Run.URL]). An invalid address makes every method fail with
// ErrInvalidInput.
func (c *Client) RunUser(runURL string) *RunUserService {
	return &RunUserService{client: c, runURL: runURL, err: checkRunURL(runURL)}
}

// checkRunURL validates a run's address, which the routes take as one path segment.
func checkRunURL(u string) error {
	switch {
	case strings.TrimSpace(u) == "":
		return invalidf("run URL", "must not be empty")
	case u == "." || u == "..":
		return invalidf("run URL", "%q is not a run's address", u)
	case strings.Contains(u, "://"):
		return invalidf("run URL", "%q must be the run's host name, such as myapp.run.tago.io, without a scheme", u)
	case strings.ContainsAny(u, "/?# \t\r\n"):
		return invalidf("run URL", "%q must be the run's host name, such as myapp.run.tago.io", u)
	}
	return nil
}

// runUserOnly is the call.kinds of the run-user routes that need the user's token.
var runUserOnly = []TokenKind{KindRunUser}

// path returns the route under the run, /run/{runURL}/rest, or the invalid URL's error.
func (s *RunUserService) path(rest string) (string, error) {
	if s == nil || s.client == nil {
		return "", errNilClient
	}
	if s.err != nil {
		return "", s.err
	}
	return "/run/" + escape(s.runURL) + "/" + rest, nil
}

// exec performs a run-user call whose result is only a message.
func (s *RunUserService) exec(ctx context.Context, cl *call, rest string) error {
	p, err := s.path(rest)
	if err != nil {
		return err
	}
	cl.path = p
	return exec(ctx, s.client, cl)
}

// runDo performs a run-user call and decodes its result.
func runDo[T any](ctx context.Context, s *RunUserService, cl *call, rest string) (T, error) {
	p, err := s.path(rest)
	if err != nil {
		var zero T
		return zero, err
	}
	cl.path = p
	return do[T](ctx, s.client, cl)
}

// RunUserSignupRequest describes a user signing up to a run. Name, Email, Password and
// Timezone are required; the run's sign-up fields may ask for more.
type RunUserSignupRequest struct {
	// Name is the user's name.
	Name string `json:"name"`
	// Email is the address the user signs in with.
	Email string `json:"email"`
	// Password is the user's password.
	Password Secret `json:"password"`
	// Timezone is the user's time zone, such as "America/Sao_Paulo".
	Timezone string `json:"timezone"`
	// Company is the user's company.
	Company string `json:"company,omitempty"`
	// Phone is the user's phone number.
	Phone string `json:"phone,omitempty"`
	// Language is the user's language, such as "en".
	Language string `json:"language,omitempty"`
	// Newsletter subscribes the user to the newsletter.
	Newsletter *bool `json:"newsletter,omitempty"`
	// Options are the user's display preferences.
	Options *RunUserOptions `json:"options,omitempty"`
}

// Signup creates a user of the run and returns the new user's ID. Unless the run says
// otherwise, the user must confirm the e-mail address before logging in. It needs no
// token.
//
// TagoIO API: POST /run/{runURL}/signup
func (s *RunUserService) Signup(ctx context.Context, req RunUserSignupRequest) (string, error) {
	create := RunUserCreateRequest{Name: req.Name, Email: req.Email, Password: req.Password, Timezone: req.Timezone}
	if err := create.check(); err != nil {
		return "", err
	}
	res, err := runDo[struct {
		User string `json:"user"`
	}](ctx, s, &call{method: "POST", body: req, anonymous: true}, "signup")
	return res.User, err
}

// RunUserLoginRequest is a run user's credentials. When the user enabled a one-time
// code, set OTPType and PINCode too: for SMS and e-mail codes, ask the platform to
// send one first with [RunUserService.RequestLoginPIN].
type RunUserLoginRequest struct {
	// Email is the user's e-mail address.
	Email string `json:"email"`
	// Password is the user's password.
	Password Secret `json:"password"`
	// OTPType is the one-time-code method of PINCode.
	OTPType OTPType `json:"otp_type,omitempty"`
	// PINCode is the one-time code.
	PINCode Secret `json:"pin_code,omitempty"`
}

// check validates credentials.
func (r *RunUserLoginRequest) check() error {
	if err := checkEmail("email", r.Email); err != nil {
		return err
	}
	if r.Password == "" {
		return invalidf("password", "must not be empty")
	}
	if r.PINCode != "" && r.OTPType == "" {
		return invalidf("otp type", "must be set with a PIN code")
	}
	if r.OTPType != "" {
		return checkOTPType("otp type", r.OTPType, false)
	}
	return nil
}

// Login signs a run user in and returns their token. A wrong password or unknown user
// is an error matching ErrUnauthorized (or ErrBadRequest, as the platform answers).
// When the user enabled a one-time code and req carries none, the error is an
// [*OTPRequiredError] (matching [ErrOTPRequired]) naming the channels: log in again
// with OTPType and PINCode set. It needs no token.
//
// TagoIO API: POST /run/{runURL}/login
func (s *RunUserService) Login(ctx context.Context, req RunUserLoginRequest) (RunUserSession, error) {
	if err := req.check(); err != nil {
		return RunUserSession{}, err
	}
	res, err := runDo[RunUserSession](ctx, s, &call{method: "POST", body: req, anonymous: true}, "login")
	return res, otpChallenge(err)
}

// RequestLoginPIN asks the platform to send the user a one-time code by SMS or e-mail,
// for the next [RunUserService.Login]. It needs no token.
//
// TagoIO API: POST /run/{runURL}/login/otp
func (s *RunUserService) RequestLoginPIN(ctx context.Context, email string, password Secret, otp OTPType) error {
	req := RunUserLoginRequest{Email: email, Password: password, OTPType: otp}
	if err := req.check(); err != nil {
		return err
	}
	if otp == "" {
		return invalidf("otp type", "must not be empty")
	}
	return s.exec(ctx, &call{method: "POST", body: req, anonymous: true}, "login/otp")
}

// Confirm confirms a user's e-mail address with the token the platform e-mailed them.
// It needs no token of its own.
//
// TagoIO API: GET /run/{runURL}/confirm/{token}
func (s *RunUserService) Confirm(ctx context.Context, token Secret) error {
	if err := checkSecretSegment("confirmation token", token); err != nil {
		return err
	}
	return s.exec(ctx, &call{method: "GET", anonymous: true, secrets: []string{token.Reveal()}}, "confirm/"+escape(token.Reveal()))
}

// RequestPasswordReset e-mails a user a link to choose a new password. It needs no
// token.
//
// TagoIO API: GET /run/{runURL}/passwordreset/{email}
func (s *RunUserService) RequestPasswordReset(ctx context.Context, email string) error {
	if err := checkEmail("email", email); err != nil {
		return err
	}
	return s.exec(ctx, &call{method: "GET", anonymous: true}, "passwordreset/"+escape(email))
}

// ChangePassword sets the user's password.
//
// TagoIO API: POST /run/{runURL}/passwordreset
func (s *RunUserService) ChangePassword(ctx context.Context, password Secret) error {
	if password == "" {
		return invalidf("password", "must not be empty")
	}
	return s.exec(ctx, &call{method: "POST", body: map[string]Secret{"password": password}, kinds: runUserOnly}, "passwordreset")
}

// RunUserInfo is a run user's own description, as their token sees it.
type RunUserInfo struct {
	// ID is the user's ID.
	ID string `json:"id"`
	// Name is the user's name.
	Name string `json:"name,omitempty"`
	// Email is the user's e-mail address.
	Email string `json:"email,omitempty"`
	// Timezone is the user's time zone.
	Timezone string `json:"timezone,omitempty"`
	// Company is the user's company.
	Company string `json:"company,omitempty"`
	// Phone is the user's phone number.
	Phone string `json:"phone,omitempty"`
	// Language is the user's language.
	Language string `json:"language,omitempty"`
	// Active says whether the user is active.
	Active bool `json:"active"`
	// Newsletter says whether the user receives the newsletter.
	Newsletter bool `json:"newsletter"`
	// Options are the user's display preferences.
	Options *RunUserOptions `json:"options,omitempty"`
	// OTP says which one-time-code methods the user enabled.
	OTP *OTPMethods `json:"otp,omitempty"`
	// Tags are the user's tags.
	Tags []Tag `json:"tags,omitempty"`
	// CreatedAt is when the user was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// Info returns the user's own description.
//
// TagoIO API: GET /run/{runURL}/info
func (s *RunUserService) Info(ctx context.Context) (RunUserInfo, error) {
	return runDo[RunUserInfo](ctx, s, &call{method: "GET", kinds: runUserOnly}, "info")
}

// RunUserSelfEditRequest is what a run user may change about themselves; nil fields
// are left unchanged.
type RunUserSelfEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Timezone is the new time zone.
	Timezone *string `json:"timezone,omitempty"`
	// Company is the new company.
	Company *string `json:"company,omitempty"`
	// Phone is the new phone number.
	Phone *string `json:"phone,omitempty"`
	// Language is the new language.
	Language *string `json:"language,omitempty"`
	// Newsletter subscribes or unsubscribes.
	Newsletter *bool `json:"newsletter,omitempty"`
	// Options replace the display preferences.
	Options *RunUserOptions `json:"options,omitempty"`
}

// Edit changes the user's own description.
//
// TagoIO API: PUT /run/{runURL}/info
func (s *RunUserService) Edit(ctx context.Context, req RunUserSelfEditRequest) error {
	if req.Name != nil {
		if err := checkName("name", *req.Name); err != nil {
			return err
		}
	}
	if req.Timezone != nil {
		if err := checkName("timezone", *req.Timezone); err != nil {
			return err
		}
	}
	return s.exec(ctx, &call{method: "PUT", body: req, kinds: runUserOnly}, "info")
}

// Delete deletes the user's own account.
//
// TagoIO API: DELETE /run/{runURL}/delete
func (s *RunUserService) Delete(ctx context.Context) error {
	return s.exec(ctx, &call{method: "DELETE", kinds: runUserOnly}, "delete")
}

// Notifications returns one page of the user's notifications, newest first unless
// opts says otherwise.
//
// TagoIO API: GET /run/{runURL}/notification
func (s *RunUserService) Notifications(ctx context.Context, opts *NotificationListOptions) ([]Notification, error) {
	q, err := notificationQuery(opts)
	if err != nil {
		return nil, err
	}
	return runDo[[]Notification](ctx, s, &call{method: "GET", query: q, kinds: runUserOnly}, "notification")
}

// AllNotifications returns an iterator over every notification of the user matching
// opts, fetching pages as the caller ranges.
//
// TagoIO API: GET /run/{runURL}/notification
func (s *RunUserService) AllNotifications(ctx context.Context, opts *NotificationListOptions) iter.Seq2[Notification, error] {
	var o NotificationListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Notification, error) {
		p := o
		p.ListOptions = page
		return s.Notifications(ctx, &p)
	})
}

// MarkRead marks the given notifications read.
//
// TagoIO API: PUT /run/{runURL}/notification
func (s *RunUserService) MarkRead(ctx context.Context, notificationIDs ...string) error {
	return s.markRead(ctx, true, notificationIDs)
}

// MarkUnread marks the given notifications unread.
//
// TagoIO API: PUT /run/{runURL}/notification
func (s *RunUserService) MarkUnread(ctx context.Context, notificationIDs ...string) error {
	return s.markRead(ctx, false, notificationIDs)
}

func (s *RunUserService) markRead(ctx context.Context, read bool, ids []string) error {
	body, err := notificationReadBody(read, ids)
	if err != nil {
		return err
	}
	return s.exec(ctx, &call{method: "PUT", body: body, kinds: runUserOnly}, "notification")
}

// MarkAllRead marks every notification of the user read.
//
// TagoIO API: PUT /run/{runURL}/notification/markallread
func (s *RunUserService) MarkAllRead(ctx context.Context) error {
	return s.exec(ctx, &call{method: "PUT", kinds: runUserOnly}, "notification/markallread")
}

// PressButton presses a button of one of the user's notifications, firing its
// triggers, and returns the platform's answer as raw JSON.
//
// TagoIO API: PUT /run/{runURL}/notification/{id}/{buttonID}
func (s *RunUserService) PressButton(ctx context.Context, notificationID, buttonID string) (json.RawMessage, error) {
	if err := checkID("notification ID", notificationID); err != nil {
		return nil, err
	}
	if err := checkSegment("button ID", buttonID); err != nil {
		return nil, err
	}
	return runDo[json.RawMessage](ctx, s, &call{method: "PUT", kinds: runUserOnly, noReplay: true},
		"notification/"+notificationID+"/"+escape(buttonID))
}

// DeleteNotification deletes one of the user's notifications.
//
// TagoIO API: DELETE /run/{runURL}/notification/{id}
func (s *RunUserService) DeleteNotification(ctx context.Context, notificationID string) error {
	if err := checkID("notification ID", notificationID); err != nil {
		return err
	}
	return s.exec(ctx, &call{method: "DELETE", kinds: runUserOnly}, "notification/"+notificationID)
}

// EnableOTP starts enabling a one-time-code method for the user, who proves their
// identity with email and password; finish with [RunUserService.ConfirmOTP] and the
// code the method delivered.
//
// TagoIO API: POST /run/{runURL}/otp/{type}/enable
func (s *RunUserService) EnableOTP(ctx context.Context, otp OTPType, email string, password Secret) error {
	return s.otpCredentials(ctx, otp, email, password, "enable")
}

// DisableOTP disables a one-time-code method of the user, who proves their identity
// with email and password.
//
// TagoIO API: POST /run/{runURL}/otp/{type}/disable
func (s *RunUserService) DisableOTP(ctx context.Context, otp OTPType, email string, password Secret) error {
	return s.otpCredentials(ctx, otp, email, password, "disable")
}

func (s *RunUserService) otpCredentials(ctx context.Context, otp OTPType, email string, password Secret, action string) error {
	if err := checkOTPType("otp type", otp, false); err != nil {
		return err
	}
	creds := RunUserLoginRequest{Email: email, Password: password}
	if err := creds.check(); err != nil {
		return err
	}
	return s.exec(ctx, &call{method: "POST", body: creds, kinds: runUserOnly}, "otp/"+string(otp)+"/"+action)
}

// ConfirmOTP confirms a one-time-code method being enabled with the code it delivered.
//
// TagoIO API: POST /run/{runURL}/otp/{type}/confirm
func (s *RunUserService) ConfirmOTP(ctx context.Context, otp OTPType, pinCode Secret) error {
	if err := checkOTPType("otp type", otp, false); err != nil {
		return err
	}
	if pinCode == "" {
		return invalidf("pin code", "must not be empty")
	}
	return s.exec(ctx, &call{method: "POST", body: map[string]Secret{"pin_code": pinCode}, kinds: runUserOnly}, "otp/"+string(otp)+"/confirm")
}

// SDBGet returns the value stored under key in the user's own key/value store (SDB),
// as raw JSON: a JSON string for values stored by [RunUserService.SDBSet]. A key never
// set is an error matching ErrNotFound, or a null result, as the platform answers.
//
// TagoIO API: GET /run/{runURL}/sdb/{key}
func (s *RunUserService) SDBGet(ctx context.Context, key string) (json.RawMessage, error) {
	if err := checkSegment("key", key); err != nil {
		return nil, err
	}
	return runDo[json.RawMessage](ctx, s, &call{method: "GET", kinds: runUserOnly}, "sdb/"+escape(key))
}

// SDBSet stores value under key in the user's own key/value store (SDB), replacing any
// value there. The value travels as plain text, as the official SDKs send it.
//
// TagoIO API: POST /run/{runURL}/sdb/{key}
func (s *RunUserService) SDBSet(ctx context.Context, key, value string) error {
	if err := checkSegment("key", key); err != nil {
		return err
	}
	return s.exec(ctx, &call{method: "POST", body: []byte(value), contentType: "text/plain; charset=utf-8", kinds: runUserOnly},
		"sdb/"+escape(key))
}

// SDBDelete removes key from the user's own key/value store (SDB).
//
// TagoIO API: DELETE /run/{runURL}/sdb/{key}
func (s *RunUserService) SDBDelete(ctx context.Context, key string) error {
	if err := checkSegment("key", key); err != nil {
		return err
	}
	return s.exec(ctx, &call{method: "DELETE", kinds: runUserOnly}, "sdb/"+escape(key))
}

// checkSegment rejects a value that cannot be one path segment: empty, ".", "..".
func checkSegment(field, v string) error {
	switch {
	case v == "":
		return invalidf(field, "must not be empty")
	case v == "." || v == "..":
		return invalidf(field, "must not be %q", v)
	}
	return nil
}

// checkSecretSegment is checkSegment for a secret, which the error never shows.
func checkSecretSegment(field string, v Secret) error {
	switch v {
	case "":
		return invalidf(field, "must not be empty")
	case ".", "..":
		return invalidf(field, "must not be a dot segment")
	}
	return nil
}
