package tago

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Credentials used by the account tests; tests assert they never leak.
const (
	testEmail    = "ops@example.com"
	testPassword = "s3cret-pass-word"
	testPIN      = "402913"
)

// tokenHeaders are every header a token may travel in.
var tokenHeaders = []string{"Account-Token", "Device-Token", "Analysis-Token", "Token", "Authorization"}

// anonymousOps runs cases with a token-less client and checks that no token header is
// sent.
func anonymousOps(t *testing.T, cases []opCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, Anonymous())
			status := tc.status
			if status == 0 {
				status = http.StatusOK
			}
			got := expect(mt, tc.method, tc.path, status, `{"status":true,"result":`+tc.result+`}`)
			out, err := tc.run(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, tc.want, out)
			require.Equal(t, 1, mt.GetTotalCallCount())
			req := got.last(t)
			assert.Equal(t, tc.method, req.Method)
			assert.Equal(t, tc.path, req.Path)
			assert.Equal(t, tc.query, req.Query)
			for _, h := range tokenHeaders {
				assert.Empty(t, req.Header.Values(h), "header %s", h)
			}
			if tc.body == "" {
				assert.Empty(t, req.Body)
			} else {
				assert.JSONEq(t, tc.body, string(req.Body))
			}
		})
	}
}

func TestAccountOperations(t *testing.T) {
	t.Parallel()
	accountOps(t, []opCase{
		{
			name: "info", method: "GET", path: "/account",
			result: `{"active":true,"blocked":false,"company":"Acme","created_at":"2021-08-31T21:34:22.107Z","email":"` + testEmail + `",` +
				`"id":"` + resProfileID + `","language":"en","last_login":"2021-09-13T17:59:30.983Z","name":"Ops","newsletter":true,` +
				`"options":{"decimal_separator":",","last_whats_new":"2021-08-02T18:00:00.000Z","thousand_separator":".","user_view_welcome":true},` +
				`"otp":{"authenticator":true,"sms":false,"email":true},"phone":null,"plan":"free","send_invoice":false,"stripe_id":null,` +
				`"timezone":"America/Sao_Paulo","type":"user","updated_at":"2021-09-09T19:21:52.049Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Account.Info(ctx) },
			want: Account{ID: resProfileID, Name: "Ops", Email: testEmail, Company: "Acme", Timezone: "America/Sao_Paulo",
				Language: "en", Type: "user", Plan: "free", Active: true, Newsletter: true,
				Options: AccountOptions{UserViewWelcome: true, DecimalSeparator: ",", ThousandSeparator: ".",
					LastWhatsNew: time.Date(2021, 8, 2, 18, 0, 0, 0, time.UTC)},
				OTP:       AccountOTP{Authenticator: true, Email: true},
				LastLogin: time.Date(2021, 9, 13, 17, 59, 30, 983e6, time.UTC), CreatedAt: time.Date(2021, 8, 31, 21, 34, 22, 107e6, time.UTC),
				UpdatedAt: time.Date(2021, 9, 9, 19, 21, 52, 49e6, time.UTC)},
		},
		{
			name: "edit", method: "PUT", path: "/account", result: `"Account Successfully Updated"`,
			body: `{"name":"New Name","newsletter":false,"options":{"decimal_separator":","}}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.Edit(ctx, AccountEditRequest{Name: Ptr("New Name"), Newsletter: Ptr(false),
					Options: &AccountOptionsEdit{DecimalSeparator: Ptr(",")}}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/account", result: `"Account Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Account.Delete(ctx)) },
		},
		{
			name: "change the password", method: "POST", path: "/account/passwordreset", result: `"Password Changed"`,
			body: `{"password":"` + testPassword + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.ChangePassword(ctx, testPassword))
			},
		},
		{
			name: "enable OTP by SMS", method: "POST", path: "/account/otp/sms/enable", result: `"Code sent"`,
			body: `{"email":"` + testEmail + `","password":"` + testPassword + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.EnableOTP(ctx, OTPSMS, Credentials{Email: testEmail, Password: testPassword}))
			},
		},
		{
			name: "disable the authenticator", method: "POST", path: "/account/otp/authenticator/disable", result: `"OTP disabled"`,
			body: `{"email":"` + testEmail + `","password":"` + testPassword + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.DisableOTP(ctx, OTPAuthenticator, Credentials{Email: testEmail, Password: testPassword}))
			},
		},
		{
			name: "confirm OTP by e-mail", method: "POST", path: "/account/otp/email/confirm", result: `"OTP enabled"`,
			body: `{"pin_code":"` + testPIN + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.ConfirmOTP(ctx, OTPEmail, testPIN))
			},
		},
	})
}

func TestAccountAnonymousOperations(t *testing.T) {
	t.Parallel()
	loginResult := `{"type":"user","id":"` + resProfileID + `","email":"` + testEmail + `","name":"Ops","company":"Acme","phone":"+155501",` +
		`"profiles":[{"account":"` + resProfileID + `","id":"` + resProfileID + `","logo_url":null,"name":"Main"},` +
		`{"id":"` + resDashboardID + `","name":"Customer","from_share":true}]}`
	login := LoginResult{ID: resProfileID, Type: "user", Email: testEmail, Name: "Ops", Company: "Acme", Phone: "+155501",
		Profiles: []Profile{{ID: resProfileID, Name: "Main", Account: resProfileID}, {ID: resDashboardID, Name: "Customer", FromShare: true}}}
	anonymousOps(t, []opCase{
		{
			name: "log in", method: "POST", path: "/account/login", result: loginResult,
			body: `{"email":"` + testEmail + `","password":"` + testPassword + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Account.Login(ctx, LoginRequest{Email: testEmail, Password: testPassword})
			},
			want: login,
		},
		{
			name: "log in with a one-time code", method: "POST", path: "/account/login", result: loginResult,
			body: `{"email":"` + testEmail + `","password":"` + testPassword + `","otp_type":"authenticator","pin_code":"` + testPIN + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Account.Login(ctx, LoginRequest{Email: testEmail, Password: testPassword, OTPType: OTPAuthenticator, PinCode: testPIN})
			},
			want: login,
		},
		{
			name: "request a login PIN", method: "POST", path: "/account/login/otp", result: `"PIN code sent"`,
			body: `{"email":"` + testEmail + `","password":"` + testPassword + `","otp_type":"sms"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.RequestLoginPIN(ctx, LoginPINRequest{Email: testEmail, Password: testPassword, OTPType: OTPSMS}))
			},
		},
		{
			name: "create a profile token from credentials", method: "POST", path: "/account/profile/token",
			body: `{"profile_id":"` + resProfileID + `","email":"` + testEmail + `","password":"` + testPassword + `",` +
				`"name":"ci","expire_time":"3 months","otp_type":"email","pin_code":"` + testPIN + `"}`,
			result: `{"token":"` + resToken + `","name":"ci","permission":"full","profile":"` + resProfileID + `","created_by":"` + resProfileID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Account.CreateToken(ctx, AccountTokenRequest{ProfileID: resProfileID, Email: testEmail, Password: testPassword,
					Name: "ci", ExpireTime: ExpiresIn("3 months"), OTPType: OTPEmail, PinCode: testPIN})
			},
			want: TokenInfo{Token: resToken, Name: "ci", Permission: PermissionFull, CreatedBy: resProfileID},
		},
		{
			name: "create an account", method: "POST", path: "/account", result: `"Account Successfully Created"`,
			body: `{"name":"Ops","email":"` + testEmail + `","password":"` + testPassword + `","cpassword":"` + testPassword + `",` +
				`"timezone":"America/New_York","company":"Acme","newsletter":false}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.Create(ctx, AccountCreateRequest{Name: "Ops", Email: testEmail, Password: testPassword,
					Timezone: "America/New_York", Company: "Acme", Newsletter: Ptr(false)}))
			},
		},
		{
			name: "recover the password", method: "GET", path: "/account/passwordreset/ops@example.com", result: `"Email sent"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.RecoverPassword(ctx, testEmail))
			},
		},
		{
			name: "resend the confirmation", method: "GET", path: "/account/resend_confirmation/a+b@example.com", result: `"Email sent"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.ResendConfirmation(ctx, "a+b@example.com"))
			},
		},
		{
			name: "confirm the account", method: "GET", path: "/account/confirm/conf-" + resToken, result: `"Account confirmed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.ConfirmAccount(ctx, "conf-"+resToken))
			},
		},
		{
			name: "accept a team invitation", method: "GET", path: "/profile/team/accept/" + resToken, result: `"Invitation accepted"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.AcceptTeamInvitation(ctx, resToken))
			},
		},
		{
			name: "decline a team invitation", method: "GET", path: "/profile/team/decline/" + resToken, result: `"Invitation declined"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Account.DeclineTeamInvitation(ctx, resToken))
			},
		},
	})
}

func TestLoginTwoFactorChallenge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, message string
		want          OTPRequiredError
	}{
		{"channels listed", `{\"otp_enabled\":[\"email\",\"authenticator\"],\"otp_autosend\":\"email\",\"phone\":\"+55*****1234\"}`,
			OTPRequiredError{Enabled: []OTPType{OTPEmail, OTPAuthenticator}, AutoSent: OTPEmail, Phone: "+55*****1234"}},
		{"enabled as a flag", `{\"otp_enabled\":true,\"otp_autosend\":\"sms\"}`,
			OTPRequiredError{Enabled: []OTPType{OTPSMS}, AutoSent: OTPSMS}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, Anonymous())
			got := expect(mt, "POST", "/account/login", 400, `{"status":false,"message":"`+tt.message+`"}`)
			_, err := c.Account.Login(t.Context(), LoginRequest{Email: testEmail, Password: testPassword})
			require.ErrorIs(t, err, ErrOTPRequired)
			assert.ErrorIs(t, err, ErrBadRequest, "the platform's refusal is still reachable")
			var otp *OTPRequiredError
			require.ErrorAs(t, err, &otp)
			assert.Equal(t, tt.want.Enabled, otp.Enabled)
			assert.Equal(t, tt.want.AutoSent, otp.AutoSent)
			assert.Equal(t, tt.want.Phone, otp.Phone)
			require.NotNil(t, otp.Err)
			assert.Equal(t, 400, otp.Err.HTTPStatus)
			assert.Contains(t, err.Error(), "POST /account/login: one-time code required")
			assert.NotContains(t, err.Error(), testPassword)
			assert.Equal(t, 1, got.count(), "a refused login is not retried")
		})
	}
	t.Run("the token route answers the same challenge", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, Anonymous())
		expect(mt, "POST", "/account/profile/token", 400, `{"status":false,"message":"{\"otp_enabled\":[\"authenticator\"]}"}`)
		_, err := c.Account.CreateToken(t.Context(), AccountTokenRequest{ProfileID: resProfileID, Email: testEmail, Password: testPassword, Name: "x"})
		var otp *OTPRequiredError
		require.ErrorAs(t, err, &otp)
		assert.Equal(t, []OTPType{OTPAuthenticator}, otp.Enabled)
		assert.Empty(t, otp.AutoSent)
	})
}

func TestLoginErrors(t *testing.T) {
	t.Parallel()
	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, Anonymous())
		expect(mt, "POST", "/account/login", 401, `{"status":false,"message":"Invalid credentials for `+testPassword+`"}`)
		_, err := c.Account.Login(t.Context(), LoginRequest{Email: testEmail, Password: testPassword})
		require.ErrorIs(t, err, ErrUnauthorized)
		assert.NotErrorIs(t, err, ErrOTPRequired)
		assert.Equal(t, "tago: POST /account/login: 401 Invalid credentials for [redacted]", err.Error())
	})
	t.Run("a message mentioning otp_enabled that is not a challenge", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, Anonymous())
		expect(mt, "POST", "/account/login", 400, `{"status":false,"message":"otp_enabled must be an array"}`)
		_, err := c.Account.Login(t.Context(), LoginRequest{Email: testEmail, Password: testPassword})
		require.ErrorIs(t, err, ErrBadRequest)
		assert.NotErrorIs(t, err, ErrOTPRequired)
	})
	t.Run("a token answer without a token", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, Anonymous())
		expect(mt, "POST", "/account/profile/token", 200, `{"status":true,"result":{"name":"x"}}`)
		_, err := c.Account.CreateToken(t.Context(), AccountTokenRequest{ProfileID: resProfileID, Email: testEmail, Password: testPassword, Name: "x"})
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, apiErr.Message, "holds no token")
		assert.True(t, MayBeStored(err), "the platform answered 200: a token may exist")
	})
	t.Run("transport failure", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, Anonymous(), WithRetryPolicy(NoRetries()))
		expectSeq(mt, "POST", "/account/login", fail(errors.New("connection reset")))
		_, err := c.Account.Login(t.Context(), LoginRequest{Email: testEmail, Password: testPassword})
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.NotErrorIs(t, err, ErrOTPRequired)
	})
}

func TestAccountTokenKinds(t *testing.T) {
	t.Parallel()
	managed := []func(ctx context.Context, c *Client) error{
		func(ctx context.Context, c *Client) error { _, err := c.Account.Info(ctx); return err },
		func(ctx context.Context, c *Client) error { return c.Account.Delete(ctx) },
		func(ctx context.Context, c *Client) error { return c.Account.ChangePassword(ctx, testPassword) },
		func(ctx context.Context, c *Client) error { return c.Account.ConfirmOTP(ctx, OTPSMS, testPIN) },
	}
	for i, run := range managed {
		for _, tok := range []Token{Anonymous(), DeviceToken(testDeviceToken), AnalysisToken(testAnalysisToken)} {
			t.Run("managed op "+string(rune('a'+i))+" with "+tok.Kind().String(), func(t *testing.T) {
				t.Parallel()
				c, mt, _ := newTestClient(t, tok)
				require.ErrorIs(t, run(t.Context(), c), ErrTokenKind)
				assert.Equal(t, 0, mt.GetTotalCallCount())
			})
		}
	}
	t.Run("an account client may still log in", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "POST", "/account/login", 200, `{"status":true,"result":{"id":"`+resProfileID+`","email":"`+testEmail+`","profiles":[]}}`)
		res, err := c.Account.Login(t.Context(), LoginRequest{Email: testEmail, Password: testPassword})
		require.NoError(t, err)
		assert.Equal(t, resProfileID, res.ID)
	})
}

func TestAccountBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	cred := Credentials{Email: testEmail, Password: testPassword}
	token := func(f func(r *AccountTokenRequest)) func(ctx context.Context, c *Client) error {
		r := AccountTokenRequest{ProfileID: resProfileID, Email: testEmail, Password: testPassword, Name: "ci"}
		f(&r)
		return func(ctx context.Context, c *Client) error { _, err := c.Account.CreateToken(ctx, r); return err }
	}
	create := func(f func(r *AccountCreateRequest)) func(ctx context.Context, c *Client) error {
		r := AccountCreateRequest{Name: "Ops", Email: testEmail, Password: testPassword, Timezone: "UTC"}
		f(&r)
		return func(ctx context.Context, c *Client) error { return c.Account.Create(ctx, r) }
	}
	login := func(r LoginRequest) func(ctx context.Context, c *Client) error {
		return func(ctx context.Context, c *Client) error { _, err := c.Account.Login(ctx, r); return err }
	}
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"edit nothing", "account edit", func(ctx context.Context, c *Client) error { return c.Account.Edit(ctx, AccountEditRequest{}) }},
		{"edit a blank name", "name", func(ctx context.Context, c *Client) error {
			return c.Account.Edit(ctx, AccountEditRequest{Name: Ptr(" ")})
		}},
		{"edit a bad e-mail", "email", func(ctx context.Context, c *Client) error {
			return c.Account.Edit(ctx, AccountEditRequest{Email: Ptr("not-an-email")})
		}},
		{"edit empty options", "options", func(ctx context.Context, c *Client) error {
			return c.Account.Edit(ctx, AccountEditRequest{Options: &AccountOptionsEdit{}})
		}},
		{"an empty new password", "password", func(ctx context.Context, c *Client) error { return c.Account.ChangePassword(ctx, "") }},
		{"enable an unknown channel", "otp type", func(ctx context.Context, c *Client) error {
			return c.Account.EnableOTP(ctx, "pigeon", cred)
		}},
		{"enable without a channel", "otp type", func(ctx context.Context, c *Client) error { return c.Account.EnableOTP(ctx, "", cred) }},
		{"enable without a password", "password", func(ctx context.Context, c *Client) error {
			return c.Account.EnableOTP(ctx, OTPSMS, Credentials{Email: testEmail})
		}},
		{"disable with a bad e-mail", "email", func(ctx context.Context, c *Client) error {
			return c.Account.DisableOTP(ctx, OTPSMS, Credentials{Email: "a@", Password: testPassword})
		}},
		{"confirm with a path in the channel", "otp type", func(ctx context.Context, c *Client) error {
			return c.Account.ConfirmOTP(ctx, "sms/../../account", testPIN)
		}},
		{"confirm without a code", "pin code", func(ctx context.Context, c *Client) error { return c.Account.ConfirmOTP(ctx, OTPSMS, "") }},
		{"log in without an e-mail", "email", login(LoginRequest{Password: testPassword})},
		{"log in with two @", "email", login(LoginRequest{Email: "a@b@c", Password: testPassword})},
		{"log in with a space in the e-mail", "email", login(LoginRequest{Email: "a b@c.com", Password: testPassword})},
		{"log in without a password", "password", login(LoginRequest{Email: testEmail})},
		{"log in with a code but no channel", "otp type", login(LoginRequest{Email: testEmail, Password: testPassword, PinCode: testPIN})},
		{"log in with a channel but no code", "pin code", login(LoginRequest{Email: testEmail, Password: testPassword, OTPType: OTPSMS})},
		{"log in with an unknown channel", "otp type", login(LoginRequest{Email: testEmail, Password: testPassword, OTPType: "fax", PinCode: testPIN})},
		{"request a PIN for an authenticator", "otp type", func(ctx context.Context, c *Client) error {
			return c.Account.RequestLoginPIN(ctx, LoginPINRequest{Email: testEmail, Password: testPassword, OTPType: OTPAuthenticator})
		}},
		{"request a PIN without a channel", "otp type", func(ctx context.Context, c *Client) error {
			return c.Account.RequestLoginPIN(ctx, LoginPINRequest{Email: testEmail, Password: testPassword})
		}},
		{"token for a bad profile", "profile ID", token(func(r *AccountTokenRequest) { r.ProfileID = "current" })},
		{"token without a name", "name", token(func(r *AccountTokenRequest) { r.Name = "" })},
		{"token without a password", "password", token(func(r *AccountTokenRequest) { r.Password = "" })},
		{"token with two expiries", "expire time", token(func(r *AccountTokenRequest) { r.ExpireTime = Expiry{Never: true, Relative: "1 day"} })},
		{"token with a lone code", "otp type", token(func(r *AccountTokenRequest) { r.PinCode = testPIN })},
		{"create without a name", "name", create(func(r *AccountCreateRequest) { r.Name = "" })},
		{"create without a time zone", "timezone", create(func(r *AccountCreateRequest) { r.Timezone = "" })},
		{"create with a bad e-mail", "email", create(func(r *AccountCreateRequest) { r.Email = "ops" })},
		{"create with mismatched passwords", "password confirmation", create(func(r *AccountCreateRequest) { r.PasswordConfirmation = "other" })},
		{"recover a bad e-mail", "email", func(ctx context.Context, c *Client) error { return c.Account.RecoverPassword(ctx, "/etc/passwd") }},
		{"resend to a blank e-mail", "email", func(ctx context.Context, c *Client) error { return c.Account.ResendConfirmation(ctx, " ") }},
		{"confirm a blank token", "confirmation token", func(ctx context.Context, c *Client) error { return c.Account.ConfirmAccount(ctx, "") }},
		{"accept a token with a newline", "invitation token", func(ctx context.Context, c *Client) error {
			return c.Account.AcceptTeamInvitation(ctx, "abc\ndef")
		}},
		{"decline a blank token", "invitation token", func(ctx context.Context, c *Client) error {
			return c.Account.DeclineTeamInvitation(ctx, "  ")
		}},
	})
}

func TestAccountSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, _ := newTestClient(t, Anonymous(), WithLogger(logger))
	const invite = "inv-0a1b2c3d4e5f"
	expect(mt, "GET", "/profile/team/accept/"+invite, 404, `{"status":false,"message":"Invitation `+invite+` not found"}`)
	err := c.Account.AcceptTeamInvitation(t.Context(), invite)
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, "tago: GET /profile/team/accept/[redacted]: 404 Invitation [redacted] not found", err.Error())
	assert.NotContains(t, logs.String(), invite)

	req := LoginRequest{Email: testEmail, Password: testPassword, OTPType: OTPSMS, PinCode: testPIN}
	logger.Info("login", "req", req, "cred", Credentials{Email: testEmail, Password: testPassword},
		"token", AccountTokenRequest{Password: testPassword, PinCode: testPIN}, "create", AccountCreateRequest{Password: testPassword})
	assert.NotContains(t, logs.String(), testPassword)
	assert.NotContains(t, logs.String(), testPIN)
}
