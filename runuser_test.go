package tago

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const resRunURL = "plant.run.tago.io"

func TestRunUserOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	base := "/run/" + resRunURL
	runOps(t, RunUserToken(testRunUserToken), "Token", []opCase{
		{
			name: "info", method: "GET", path: base + "/info",
			result: `{"id":"` + resRunUserID + `","name":"Ana","email":"ana@x.com","timezone":"UTC","active":true,` +
				`"newsletter":true,"otp":{"authenticator":false,"sms":true,"email":false},"created_at":"2024-03-04T05:06:07.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.RunUser(resRunURL).Info(ctx) },
			want: RunUserInfo{ID: resRunUserID, Name: "Ana", Email: "ana@x.com", Timezone: "UTC", Active: true, Newsletter: true,
				OTP: &OTPMethods{SMS: true}, CreatedAt: created},
		},
		{
			name: "edit", method: "PUT", path: base + "/info",
			body: `{"name":"Ana B","options":{"date_format":"DD/MM/YYYY"}}`, result: `"User Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).Edit(ctx, RunUserSelfEditRequest{Name: Ptr("Ana B"),
					Options: &RunUserOptions{DateFormat: "DD/MM/YYYY"}}))
			},
		},
		{
			name: "delete", method: "DELETE", path: base + "/delete", result: `"Account Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.RunUser(resRunURL).Delete(ctx)) },
		},
		{
			name: "change password", method: "POST", path: base + "/passwordreset",
			body: `{"password":"n3w-pass"}`, result: `"Password Successfully Changed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).ChangePassword(ctx, "n3w-pass"))
			},
		},
		{
			name: "notifications with defaults", method: "GET", path: base + "/notification",
			query:  "page=1&amount=20&orderBy=created_at,desc",
			result: `[{"id":"` + resNotificationID + `","title":"Hi","message":"Up","read":false,"created_at":"2024-03-04T05:06:07.000Z"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.RunUser(resRunURL).Notifications(ctx, nil) },
			want:   []Notification{{ID: resNotificationID, Title: "Hi", Message: "Up", CreatedAt: created}},
		},
		{
			name: "unread notifications", method: "GET", path: base + "/notification",
			query:  "page=2&amount=10&fields[0]=id&fields[1]=title&filter[read]=false&orderBy=created_at,asc",
			result: `[]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.RunUser(resRunURL).Notifications(ctx, &NotificationListOptions{Read: Ptr(false),
					ListOptions: ListOptions{Page: 2, Amount: 10, Fields: []string{"id", "title"}, OrderBy: Asc("created_at")}})
			},
			want: []Notification{},
		},
		{
			name: "mark read", method: "PUT", path: base + "/notification",
			body:   `{"notification_ids":["` + resNotificationID + `","` + resDataID + `"],"read":true}`,
			result: `"2 notifications marked as read"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).MarkRead(ctx, resNotificationID, resDataID))
			},
		},
		{
			name: "mark unread", method: "PUT", path: base + "/notification",
			body: `{"notification_ids":["` + resNotificationID + `"],"read":false}`, result: `"1 notification marked as unread"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).MarkUnread(ctx, resNotificationID))
			},
		},
		{
			name: "mark all read", method: "PUT", path: base + "/notification/markallread", result: `"All read"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).MarkAllRead(ctx))
			},
		},
		{
			name: "press a button", method: "PUT", path: base + "/notification/" + resNotificationID + "/ok%20now",
			result: `{"analysis":"started"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.RunUser(resRunURL).PressButton(ctx, resNotificationID, "ok now")
			},
			want: json.RawMessage(`{"analysis":"started"}`),
		},
		{
			name: "delete a notification", method: "DELETE", path: base + "/notification/" + resNotificationID, result: `"Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).DeleteNotification(ctx, resNotificationID))
			},
		},
		{
			name: "enable otp", method: "POST", path: base + "/otp/sms/enable",
			body: `{"email":"ana@x.com","password":"p4ss"}`, result: `"Code sent"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).EnableOTP(ctx, OTPSMS, "ana@x.com", "p4ss"))
			},
		},
		{
			name: "disable otp", method: "POST", path: base + "/otp/authenticator/disable",
			body: `{"email":"ana@x.com","password":"p4ss"}`, result: `"Disabled"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).DisableOTP(ctx, OTPAuthenticator, "ana@x.com", "p4ss"))
			},
		},
		{
			name: "confirm otp", method: "POST", path: base + "/otp/email/confirm",
			body: `{"pin_code":"123456"}`, result: `"Enabled"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).ConfirmOTP(ctx, OTPEmail, "123456"))
			},
		},
		{
			name: "sdb get", method: "GET", path: base + "/sdb/theme%2Fcolor", result: `"dark"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.RunUser(resRunURL).SDBGet(ctx, "theme/color")
			},
			want: json.RawMessage(`"dark"`),
		},
		{
			name: "sdb delete", method: "DELETE", path: base + "/sdb/theme", result: `"Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RunUser(resRunURL).SDBDelete(ctx, "theme"))
			},
		},
	})
}

// TestRunUserSDBSetSendsPlainText checks that an SDB value travels as the raw text the
// official SDKs send, not as JSON.
func TestRunUserSDBSetSendsPlainText(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, RunUserToken(testRunUserToken))
	got := expect(mt, "POST", "/run/"+resRunURL+"/sdb/theme", 200, `{"status":true,"result":"Successfully Updated"}`)
	require.NoError(t, c.RunUser(resRunURL).SDBSet(t.Context(), "theme", `{"mode":"dark"}`))
	req := got.last(t)
	assert.Equal(t, `{"mode":"dark"}`, string(req.Body))
	assert.Equal(t, "text/plain; charset=utf-8", req.Header.Get("Content-Type"))
	assert.Equal(t, testRunUserToken, req.Header.Get("Token"))
}

// TestRunUserAnonymousRoutesSendNoToken checks the run-user routes that need no token:
// an anonymous client makes them, with no token header, and gets typed results.
func TestRunUserAnonymousRoutesSendNoToken(t *testing.T) {
	t.Parallel()
	base := "/run/" + resRunURL
	confirmToken := "c0ffee00-1111-4111-8111-c0nf1rm0c0de"
	tests := []struct {
		name, method, path, body, result string
		run                              func(ctx context.Context, u *RunUserService) (any, error)
		want                             any
	}{
		{
			name: "signup", method: "POST", path: base + "/signup",
			body:   `{"name":"Ana","email":"ana@x.com","password":"p4ss","timezone":"UTC","newsletter":false}`,
			result: `{"user":"` + resRunUserID + `"}`,
			run: func(ctx context.Context, u *RunUserService) (any, error) {
				return u.Signup(ctx, RunUserSignupRequest{Name: "Ana", Email: "ana@x.com", Password: "p4ss", Timezone: "UTC", Newsletter: Ptr(false)})
			},
			want: resRunUserID,
		},
		{
			name: "login", method: "POST", path: base + "/login",
			body:   `{"email":"ana@x.com","password":"p4ss"}`,
			result: `{"token":"` + resToken + `","expire_date":"2024-03-04T13:06:07.000Z"}`,
			run: func(ctx context.Context, u *RunUserService) (any, error) {
				return u.Login(ctx, RunUserLoginRequest{Email: "ana@x.com", Password: "p4ss"})
			},
			want: RunUserSession{Token: Secret(resToken), ExpireDate: ExpiresAt(time.Date(2024, 3, 4, 13, 6, 7, 0, time.UTC))},
		},
		{
			name: "login with a one-time code", method: "POST", path: base + "/login",
			body:   `{"email":"ana@x.com","password":"p4ss","otp_type":"email","pin_code":"654321"}`,
			result: `{"token":"` + resToken + `","expire_date":"never"}`,
			run: func(ctx context.Context, u *RunUserService) (any, error) {
				return u.Login(ctx, RunUserLoginRequest{Email: "ana@x.com", Password: "p4ss", OTPType: OTPEmail, PINCode: "654321"})
			},
			want: RunUserSession{Token: Secret(resToken), ExpireDate: ExpiresNever()},
		},
		{
			name: "request a login PIN", method: "POST", path: base + "/login/otp",
			body: `{"email":"ana@x.com","password":"p4ss","otp_type":"sms"}`, result: `"PIN sent"`,
			run: func(ctx context.Context, u *RunUserService) (any, error) {
				return noResult(u.RequestLoginPIN(ctx, "ana@x.com", "p4ss", OTPSMS))
			},
		},
		{
			name: "confirm", method: "GET", path: base + "/confirm/" + confirmToken, result: `"Account confirmed"`,
			run: func(ctx context.Context, u *RunUserService) (any, error) {
				return noResult(u.Confirm(ctx, Secret(confirmToken)))
			},
		},
		{
			name: "request a password reset", method: "GET", path: base + "/passwordreset/ana+test@x.com", result: `"E-mail sent"`,
			run: func(ctx context.Context, u *RunUserService) (any, error) {
				return noResult(u.RequestPasswordReset(ctx, "ana+test@x.com"))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, Anonymous())
			got := expect(mt, tt.method, tt.path, 200, `{"status":true,"result":`+tt.result+`}`)
			out, err := tt.run(t.Context(), c.RunUser(resRunURL))
			require.NoError(t, err)
			assert.Equal(t, tt.want, out)
			req := got.last(t)
			assert.Equal(t, tt.path, req.Path)
			assert.Empty(t, req.Query)
			for _, h := range []string{"Account-Token", "Device-Token", "Analysis-Token", "Token", "Authorization"} {
				assert.Empty(t, req.Header.Values(h), h)
			}
			if tt.body == "" {
				assert.Empty(t, req.Body)
			} else {
				assert.JSONEq(t, tt.body, string(req.Body))
			}
		})
	}
}

// TestRunUserTokenRoutesRefuseAnonymous checks that the routes needing the user's
// token fail before any request on an anonymous client.
func TestRunUserTokenRoutesRefuseAnonymous(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, Anonymous())
	u := c.RunUser(resRunURL)
	_, err := u.Info(t.Context())
	require.ErrorIs(t, err, ErrTokenKind)
	assert.EqualError(t, err, "tago: wrong token kind: GET /run/plant.run.tago.io/info needs a run-user token; the client holds no token")
	require.ErrorIs(t, u.SDBSet(t.Context(), "k", "v"), ErrTokenKind)
	require.ErrorIs(t, u.MarkAllRead(t.Context()), ErrTokenKind)
	assert.Zero(t, mt.GetTotalCallCount())
}

// TestRunUserLoginFailureIsTyped checks that a wrong password comes back as a typed
// API error that names neither the password nor the token.
func TestRunUserLoginFailureIsTyped(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, Anonymous())
	expect(mt, "POST", "/run/"+resRunURL+"/login", 401, `{"status":false,"message":"Invalid credentials"}`)
	_, err := c.RunUser(resRunURL).Login(t.Context(), RunUserLoginRequest{Email: "ana@x.com", Password: "wr0ng-pass"})
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.EqualError(t, err, "tago: POST /run/plant.run.tago.io/login: 401 Invalid credentials")
}

// TestRunUserConfirmTokenNeverInErrors checks that a confirmation token, which travels
// in the path, is redacted from errors.
func TestRunUserConfirmTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, Anonymous())
	tok := "c0ffee00-1111-4111-8111-c0nf1rm0c0de"
	expect(mt, "GET", "/run/"+resRunURL+"/confirm/"+tok, 404, `{"status":false,"message":"Token `+tok+` not found"}`)
	err := c.RunUser(resRunURL).Confirm(t.Context(), Secret(tok))
	require.ErrorIs(t, err, ErrNotFound)
	assert.NotContains(t, err.Error(), tok)
	assert.Equal(t, "tago: GET /run/plant.run.tago.io/confirm/[redacted]: 404 Token [redacted] not found", err.Error())
}

// TestRunUserBadInputSendsNothing checks the run-user side's local checks.
func TestRunUserBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		runURL string
		run    func(ctx context.Context, u *RunUserService) error
		field  string
	}{
		{"empty run URL", "", func(ctx context.Context, u *RunUserService) error { _, err := u.Info(ctx); return err }, "run URL"},
		{"run URL with a scheme", "https://plant.run.tago.io", func(ctx context.Context, u *RunUserService) error { _, err := u.Info(ctx); return err }, "run URL"},
		{"run URL with a path", "plant.run.tago.io/x", func(ctx context.Context, u *RunUserService) error { return u.Delete(ctx) }, "run URL"},
		{"dot-dot run URL", "..", func(ctx context.Context, u *RunUserService) error { return u.MarkAllRead(ctx) }, "run URL"},
		{"login without password", resRunURL, func(ctx context.Context, u *RunUserService) error {
			_, err := u.Login(ctx, RunUserLoginRequest{Email: "a@x.com"})
			return err
		}, "password"},
		{"login PIN without method", resRunURL, func(ctx context.Context, u *RunUserService) error {
			_, err := u.Login(ctx, RunUserLoginRequest{Email: "a@x.com", Password: "p", PINCode: "1"})
			return err
		}, "otp type"},
		{"unknown otp method", resRunURL, func(ctx context.Context, u *RunUserService) error {
			return u.EnableOTP(ctx, "carrier-pigeon", "a@x.com", "p")
		}, "otp type"},
		{"login PIN request without method", resRunURL, func(ctx context.Context, u *RunUserService) error {
			return u.RequestLoginPIN(ctx, "a@x.com", "p", "")
		}, "otp type"},
		{"signup without e-mail", resRunURL, func(ctx context.Context, u *RunUserService) error {
			_, err := u.Signup(ctx, RunUserSignupRequest{Name: "A", Password: "p", Timezone: "UTC"})
			return err
		}, "email"},
		{"no notification IDs", resRunURL, func(ctx context.Context, u *RunUserService) error { return u.MarkRead(ctx) }, "notification IDs"},
		{"bad notification ID", resRunURL, func(ctx context.Context, u *RunUserService) error {
			return u.MarkUnread(ctx, resNotificationID, "nope")
		}, "notification IDs[1]"},
		{"empty SDB key", resRunURL, func(ctx context.Context, u *RunUserService) error { return u.SDBSet(ctx, "", "v") }, "key"},
		{"dot SDB key", resRunURL, func(ctx context.Context, u *RunUserService) error { _, err := u.SDBGet(ctx, "."); return err }, "key"},
		{"empty button ID", resRunURL, func(ctx context.Context, u *RunUserService) error {
			_, err := u.PressButton(ctx, resNotificationID, "")
			return err
		}, "button ID"},
		{"empty confirmation token", resRunURL, func(ctx context.Context, u *RunUserService) error { return u.Confirm(ctx, "") }, "confirmation token"},
		{"empty new password", resRunURL, func(ctx context.Context, u *RunUserService) error { return u.ChangePassword(ctx, "") }, "password"},
		{"empty OTP PIN", resRunURL, func(ctx context.Context, u *RunUserService) error { return u.ConfirmOTP(ctx, OTPSMS, "") }, "pin code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, RunUserToken(testRunUserToken))
			err := tt.run(t.Context(), c.RunUser(tt.runURL))
			require.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
	var nilClient *Client
	_, err := nilClient.RunUser(resRunURL).Info(t.Context())
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "nil Client"), err.Error())
}
