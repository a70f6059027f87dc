package tagotest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func anon(t *testing.T, srv *Server, method, target string, body any) resp {
	t.Helper()
	return send(t, srv, method, target, "", "", body)
}

// lastCode returns the code of the newest outbox message of a kind.
func lastCode(t *testing.T, srv *Server, kind string) Message {
	t.Helper()
	box := srv.Outbox()
	for i := len(box) - 1; i >= 0; i-- {
		if box[i].Kind == kind {
			return box[i]
		}
	}
	t.Fatalf("no %s message in %+v", kind, box)
	return Message{}
}

func TestAccountInfoEditDelete(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	var info map[string]any
	asAccount(t, srv, "GET", "/account", nil).decode(t, &info)
	assert.Equal(t, DefaultEmail, info["email"])
	assert.Equal(t, "Tagotest", info["name"])
	assert.Equal(t, map[string]any{"authenticator": false, "sms": false, "email": false}, info["otp"])
	assert.Equal(t, "free", info["plan"])
	assert.Equal(t, "2025-03-10T12:00:00.000Z", info["created_at"])
	id := info["id"]

	info["name"], info["company"] = "Acme", "Acme Inc."
	info["email"] = "changed@example.com" // read-only: ignored
	r := asAccount(t, srv, "PUT", "/account", info)
	assert.Equal(t, "Account Successfully Updated", r.str(t), "what GET printed can be sent back")
	asAccount(t, srv, "GET", "/account", nil).decode(t, &info)
	assert.Equal(t, "Acme", info["name"])
	assert.Equal(t, "Acme Inc.", info["company"])
	assert.Equal(t, DefaultEmail, info["email"])
	assert.Equal(t, id, info["id"])
	r = asAccount(t, srv, "PUT", "/account", map[string]any{"nickname": "x"})
	assert.Equal(t, map[string][]string{"nickname": {"is not allowed"}}, r.env.FieldErrors)
	r = asAccount(t, srv, "PUT", "/account", map[string]any{"name": ""})
	assert.Equal(t, map[string][]string{"name": {"must not be empty"}}, r.env.FieldErrors)

	other := srv.AddProfile("other")
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	assert.Equal(t, http.StatusUnauthorized, asDevice(t, srv, dev.Token, "GET", "/account", nil).code, "a device token is not an account's")
	assert.Equal(t, "Account Successfully Deleted", asAccount(t, srv, "DELETE", "/account", nil).str(t))
	assert.Equal(t, http.StatusUnauthorized, asAccount(t, srv, "GET", "/device", nil).code, "its tokens went with it")
	assert.Equal(t, http.StatusUnauthorized, asDevice(t, srv, dev.Token, "GET", "/info", nil).code, "and its devices' tokens")
	assert.Empty(t, srv.Devices())
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/account", "Account-Token", other.Token, nil).code, "another account is untouched")
	assert.Equal(t, http.StatusUnauthorized, anon(t, srv, "POST", "/account/login", map[string]any{"email": DefaultEmail, "password": DefaultPassword}).code)
}

func TestLoginAndProfileToken(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithCredentials("me@example.com", "pw-1"))
	other := srv.AddProfile("theirs")

	r := anon(t, srv, "POST", "/account/login", map[string]any{"email": "me@example.com", "password": "wrong"})
	assert.Equal(t, http.StatusUnauthorized, r.code)
	assert.JSONEq(t, `{"status":false,"message":"Invalid email or password"}`, string(r.body))
	r = anon(t, srv, "POST", "/account/login", map[string]any{"email": "nobody@example.com", "password": "pw-1"})
	assert.Equal(t, http.StatusUnauthorized, r.code, "an unknown address reads the same")
	r = anon(t, srv, "POST", "/account/login", map[string]any{"password": "pw-1"})
	assert.Equal(t, map[string][]string{"email": {"is required"}}, r.env.FieldErrors)

	var login struct {
		Type, ID, Email, Name string
		Profiles              []map[string]any
	}
	anon(t, srv, "POST", "/account/login", map[string]any{"email": "ME@example.com", "password": "pw-1"}).decode(t, &login)
	assert.Equal(t, "user", login.Type)
	assert.Equal(t, "me@example.com", login.Email)
	require.Len(t, login.Profiles, 1)
	assert.Equal(t, map[string]any{"id": srv.ProfileID(), "name": "Default Profile", "logo_url": nil, "account": login.ID, "from_share": false}, login.Profiles[0])

	body := map[string]any{"email": "me@example.com", "password": "pw-1", "profile_id": srv.ProfileID(), "name": "laptop", "expire_time": "1 month"}
	var out map[string]any
	anon(t, srv, "POST", "/account/profile/token", body).decode(t, &out)
	require.Regexp(t, uuidRe, out["token"])
	assert.Equal(t, "laptop", out["name"])
	assert.Equal(t, "full", out["permission"])
	assert.Equal(t, srv.ProfileID(), out["profile"])
	assert.NotEqual(t, "never", out["expire_date"])
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/device", "Account-Token", out["token"].(string), nil).code)

	body["profile_id"] = other.ID
	assert.Equal(t, http.StatusNotFound, anon(t, srv, "POST", "/account/profile/token", body).code, "another account's profile")
	delete(body, "profile_id")
	assert.Equal(t, map[string][]string{"profile_id": {"is required"}}, anon(t, srv, "POST", "/account/profile/token", body).env.FieldErrors)
	body["profile_id"], body["password"] = srv.ProfileID(), "nope"
	assert.Equal(t, http.StatusUnauthorized, anon(t, srv, "POST", "/account/profile/token", body).code)
}

func TestLoginTwoFactor(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	creds := map[string]any{"email": DefaultEmail, "password": DefaultPassword}

	// Enable e-mail codes: enable sends one, confirm takes it.
	r := asAccount(t, srv, "POST", "/account/otp/email/enable", map[string]any{"email": DefaultEmail, "password": "wrong"})
	assert.Equal(t, http.StatusUnauthorized, r.code, "enabling repeats the credentials")
	r = asAccount(t, srv, "POST", "/account/otp/email/enable", creds)
	require.Equal(t, http.StatusOK, r.code, string(r.body))
	setup := lastCode(t, srv, "pin_code")
	assert.Equal(t, Message{To: DefaultEmail, Channel: "email", Kind: "pin_code", Code: setup.Code, Time: setup.Time}, setup)
	assert.Regexp(t, `^\d{6}$`, setup.Code)
	assert.Equal(t, http.StatusUnauthorized, asAccount(t, srv, "POST", "/account/otp/email/confirm", map[string]any{"pin_code": "000000x"}).code)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", "/account/otp/sms/confirm", map[string]any{"pin_code": setup.Code}).code, "sms was not requested")
	assert.Equal(t, "OTP email Successfully Enabled", asAccount(t, srv, "POST", "/account/otp/email/confirm", map[string]any{"pin_code": setup.Code}).str(t))
	var info struct{ OTP map[string]bool }
	asAccount(t, srv, "GET", "/account", nil).decode(t, &info)
	assert.Equal(t, map[string]bool{"authenticator": false, "sms": false, "email": true}, info.OTP)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", "/account/otp/pigeon/enable", creds).code)

	// Login without a code: the challenge, and a code sent.
	before := len(srv.Outbox())
	r = anon(t, srv, "POST", "/account/login", creds)
	assert.Equal(t, http.StatusUnauthorized, r.code)
	assert.JSONEq(t, `{"otp_enabled":["email"],"otp_autosend":"email"}`, r.env.Message)
	require.Len(t, srv.Outbox(), before+1)
	code := lastCode(t, srv, "pin_code").Code

	withPin := map[string]any{"email": DefaultEmail, "password": DefaultPassword, "otp_type": "email", "pin_code": code}
	assert.Equal(t, http.StatusOK, anon(t, srv, "POST", "/account/login", withPin).code)
	withPin["pin_code"] = "999999x"
	assert.Equal(t, http.StatusUnauthorized, anon(t, srv, "POST", "/account/login", withPin).code)
	withPin["otp_type"], withPin["pin_code"] = "sms", code
	assert.Equal(t, http.StatusBadRequest, anon(t, srv, "POST", "/account/login", withPin).code, "sms is not enabled")

	// Another code on request; a token from credentials needs one too.
	assert.Equal(t, "PIN code sent", anon(t, srv, "POST", "/account/login/otp", map[string]any{"email": DefaultEmail, "password": DefaultPassword, "otp_type": "email"}).str(t))
	code = lastCode(t, srv, "pin_code").Code
	tokBody := map[string]any{"email": DefaultEmail, "password": DefaultPassword, "profile_id": srv.ProfileID(), "name": "cli"}
	assert.Equal(t, http.StatusUnauthorized, anon(t, srv, "POST", "/account/profile/token", tokBody).code)
	tokBody["otp_type"], tokBody["pin_code"] = "email", code
	assert.Equal(t, http.StatusOK, anon(t, srv, "POST", "/account/profile/token", tokBody).code)
	assert.Equal(t, http.StatusUnauthorized, asAccount(t, srv, "POST", "/profile/current/token", map[string]any{"name": "x", "email": DefaultEmail, "password": DefaultPassword}).code,
		"a profile token needs the code as well")

	// An authenticator: its code comes from the app, listed in the outbox.
	require.Equal(t, http.StatusOK, asAccount(t, srv, "POST", "/account/otp/authenticator/enable", creds).code)
	app := lastCode(t, srv, "pin_code")
	assert.Equal(t, "authenticator", app.Channel)
	asAccount(t, srv, "POST", "/account/otp/authenticator/confirm", map[string]any{"pin_code": app.Code})
	r = anon(t, srv, "POST", "/account/login", creds)
	assert.JSONEq(t, `{"otp_enabled":["authenticator","email"],"otp_autosend":"email"}`, r.env.Message)
	assert.Equal(t, http.StatusOK, anon(t, srv, "POST", "/account/login", map[string]any{"email": DefaultEmail, "password": DefaultPassword, "otp_type": "authenticator", "pin_code": app.Code}).code)

	assert.Equal(t, "OTP email Successfully Disabled", asAccount(t, srv, "POST", "/account/otp/email/disable", creds).str(t))
	asAccount(t, srv, "POST", "/account/otp/authenticator/disable", creds)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", "/account/otp/sms/disable", creds).code)
	assert.Equal(t, http.StatusOK, anon(t, srv, "POST", "/account/login", creds).code, "no code needed any more")
}

func TestPinCodesExpire(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	creds := map[string]any{"email": DefaultEmail, "password": DefaultPassword}
	asAccount(t, srv, "POST", "/account/otp/sms/enable", creds)
	asAccount(t, srv, "POST", "/account/otp/sms/confirm", map[string]any{"pin_code": lastCode(t, srv, "pin_code").Code})
	anon(t, srv, "POST", "/account/login", creds)
	code := lastCode(t, srv, "pin_code")
	assert.Equal(t, "sms", code.Channel)
	withPin := map[string]any{"email": DefaultEmail, "password": DefaultPassword, "otp_type": "sms", "pin_code": code.Code}
	clock.t = t0.Add(9 * time.Minute)
	assert.Equal(t, http.StatusOK, anon(t, srv, "POST", "/account/login", withPin).code, "a code serves more than once while valid")
	clock.t = t0.Add(11 * time.Minute)
	assert.Equal(t, http.StatusUnauthorized, anon(t, srv, "POST", "/account/login", withPin).code)
}

func TestAccountCreateConfirmPassword(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	body := map[string]any{"name": "Ann", "email": "ann@example.com", "password": "pw-ann", "cpassword": "pw-ann", "timezone": "Europe/Paris"}
	bad := map[string]any{"name": "Ann", "email": "ann@example.com", "password": "pw-ann", "cpassword": "other", "timezone": "Europe/Paris"}
	assert.Equal(t, map[string][]string{"cpassword": {"must match password"}}, anon(t, srv, "POST", "/account", bad).env.FieldErrors)
	assert.Equal(t, "Account Successfully Created", anon(t, srv, "POST", "/account", body).str(t))
	assert.Equal(t, map[string][]string{"email": {"is already in use"}}, anon(t, srv, "POST", "/account", body).env.FieldErrors)
	body["email"] = DefaultEmail
	assert.Equal(t, map[string][]string{"email": {"is already in use"}}, anon(t, srv, "POST", "/account", body).env.FieldErrors)
	delete(body, "timezone")
	assert.Equal(t, map[string][]string{"timezone": {"is required"}}, anon(t, srv, "POST", "/account", body).env.FieldErrors)

	creds := map[string]any{"email": "ann@example.com", "password": "pw-ann"}
	r := anon(t, srv, "POST", "/account/login", creds)
	assert.Equal(t, http.StatusUnauthorized, r.code)
	assert.Equal(t, "Account not confirmed", r.env.Message)
	first := lastCode(t, srv, "confirmation")
	assert.Equal(t, "ann@example.com", first.To)
	assert.Equal(t, "Confirmation email sent", anon(t, srv, "GET", "/account/resend_confirmation/ann@example.com", nil).str(t))
	assert.Equal(t, first.Code, lastCode(t, srv, "confirmation").Code)
	assert.Equal(t, http.StatusBadRequest, anon(t, srv, "GET", "/account/confirm/not-a-token", nil).code)
	assert.Equal(t, "Account Successfully Confirmed", anon(t, srv, "GET", "/account/confirm/"+first.Code, nil).str(t))
	assert.Equal(t, http.StatusBadRequest, anon(t, srv, "GET", "/account/confirm/"+first.Code, nil).code, "once")
	assert.Equal(t, http.StatusBadRequest, anon(t, srv, "GET", "/account/resend_confirmation/ann@example.com", nil).code)
	var login struct{ Profiles []struct{ ID, Name string } }
	anon(t, srv, "POST", "/account/login", creds).decode(t, &login)
	require.Len(t, login.Profiles, 1, "a new account has a profile")
	assert.Equal(t, "Default Profile", login.Profiles[0].Name)

	// Password recovery answers the same for any address; a mail goes to known ones.
	n := len(srv.Outbox())
	assert.Equal(t, "Email sent", anon(t, srv, "GET", "/account/passwordreset/nobody@example.com", nil).str(t))
	assert.Len(t, srv.Outbox(), n)
	assert.Equal(t, "Email sent", anon(t, srv, "GET", "/account/passwordreset/"+DefaultEmail, nil).str(t))
	assert.Equal(t, DefaultEmail, lastCode(t, srv, "password_reset").To)

	// Changing the password.
	assert.Equal(t, map[string][]string{"password": {"is required"}}, asAccount(t, srv, "POST", "/account/passwordreset", map[string]any{}).env.FieldErrors)
	assert.Equal(t, "Password Successfully Changed", asAccount(t, srv, "POST", "/account/passwordreset", map[string]any{"password": "new-pw"}).str(t))
	assert.Equal(t, http.StatusUnauthorized, anon(t, srv, "POST", "/account/login", map[string]any{"email": DefaultEmail, "password": DefaultPassword}).code)
	assert.Equal(t, http.StatusOK, anon(t, srv, "POST", "/account/login", map[string]any{"email": DefaultEmail, "password": "new-pw"}).code)
}
