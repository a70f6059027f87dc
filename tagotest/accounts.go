package tagotest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// DefaultEmail and DefaultPassword are the credentials of the account owning the
// default profile (see [WithCredentials]).
const (
	DefaultEmail    = "ops@example.com"
	DefaultPassword = "s3cret"
)

// pinLifetime is how long a one-time code stays valid.
const pinLifetime = 10 * time.Minute

// otpTypes are the two-factor methods an account can enable.
var otpTypes = []string{"authenticator", "email", "sms"}

// account is a TagoIO account: credentials, two-factor settings and its profiles
// (profile docs whose "account" field is its ID).
type account struct {
	id, email, password string
	fields              obj             // what GET /account prints beyond id, email and otp
	otp                 map[string]bool // the enabled two-factor methods
	otpPending          string          // the method waiting for its confirmation code
	authenticator       string          // the code the "authenticator app" shows
	pins                []pin           // codes sent by e-mail or SMS
	confirmed           bool
	confirmToken        string
}

type pin struct {
	channel, code string
	until         time.Time
}

// Message is something the fake platform sent to a person instead of answering it: a
// one-time code, a password reset link, an account confirmation, a team invitation.
// Tests read them with [Server.Outbox] to go on with the flow.
type Message struct {
	// To is the account's (or the invited person's) e-mail address.
	To string
	// Channel is "email", "sms" or "authenticator" (a code the authenticator app
	// shows, listed here because the fake has no app).
	Channel string
	// Kind is "pin_code", "password_reset", "confirmation" or "team_invitation".
	Kind string
	// Code is the one-time code, or the token of the link (reset, confirmation,
	// invitation) the message carries.
	Code string
	// Time is when it was sent, by the server's clock.
	Time time.Time
}

// Outbox returns the messages the server has sent, oldest first.
func (s *Server) Outbox() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.outbox...)
}

func (s *Server) sendLocked(to, channel, kind, code string) {
	s.outbox = append(s.outbox, Message{To: to, Channel: channel, Kind: kind, Code: code, Time: s.now()})
}

// newPIN returns a six-digit code. Callers hold s.mu.
func (s *Server) newPIN() string {
	return strings.TrimPrefix(itoa(1000000+int(s.arng.Uint64()%1000000)), "1")
}

func (s *Server) addAccountLocked(name, email, password string) *account {
	now := jsTime(s.now())
	a := &account{id: s.idFrom(s.arng), email: email, password: password, otp: map[string]bool{}, confirmed: true,
		authenticator: s.newPIN(),
		fields: obj{"name": name, "timezone": "America/New_York", "company": nil, "newsletter": false,
			"developer": false, "active": true, "blocked": false, "language": "en-US", "last_login": nil,
			"options": obj{"user_view_welcome": false, "decimal_separator": ".", "thousand_separator": ",",
				"last_whats_new": nil},
			"phone": nil, "send_invoice": false, "stripe_id": nil, "type": "user", "plan": "free",
			"created_at": now, "updated_at": now}}
	s.accounts[a.id] = a
	return a
}

// accountByEmailLocked finds an account by e-mail address, any case.
func (s *Server) accountByEmailLocked(email string) *account {
	for _, a := range s.accounts {
		if strings.EqualFold(a.email, strings.TrimSpace(email)) {
			return a
		}
	}
	return nil
}

// callerAccount returns the account of the calling token's profile.
func (c *call) callerAccount() *account {
	return c.s.accounts[c.s.accountOfLocked(c.profile())]
}

func (a *account) view() obj {
	out := obj{}
	for k, v := range a.fields {
		out[k] = v
	}
	out["id"], out["email"] = a.id, a.email
	out["otp"] = obj{"authenticator": a.otp["authenticator"], "sms": a.otp["sms"], "email": a.otp["email"]}
	return out
}

// The account's editable fields; the rest of what GET /account prints is ignored in an
// edit body (so a caller may send back what it read).
var accountFields = map[string]ftype{
	"name": fString, "timezone": fString, "company": fNullString, "newsletter": fBool, "developer": fBool,
	"language": fString, "phone": fNullString, "options": fObject, "send_invoice": fBool,
}

var accountReadOnly = []string{"email", "active", "blocked", "last_login", "stripe_id", "type", "plan", "otp"}

// accountInfo answers GET /account.
func (s *Server) accountInfo(c *call) reply {
	return ok(c.callerAccount().view())
}

// editAccount answers PUT /account.
func (s *Server) editAccount(c *call) reply {
	a := c.callerAccount()
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	sp := spec{fields: accountFields, strict: true, readOnly: accountReadOnly}
	if rep, good := sp.check(f, nil); !good {
		return rep
	}
	if n, given := f["name"].(string); given && strings.TrimSpace(n) == "" {
		return bad("name", "must not be empty")
	}
	for k, v := range f {
		a.fields[k] = v
	}
	a.fields["updated_at"] = jsTime(s.now())
	return ok("Account Successfully Updated")
}

// deleteAccount answers DELETE /account: the account goes with its profiles, their
// resources and tokens.
func (s *Server) deleteAccount(c *call) reply {
	a := c.callerAccount()
	for _, p := range s.docsLocked("profile", func(d *doc) bool { return d.fields["account"] == a.id }) {
		s.dropProfileLocked(p)
	}
	delete(s.accounts, a.id)
	return ok("Account Successfully Deleted")
}

// credentials is a body carrying an account's credentials and, with two-factor
// authentication, a one-time code.
type credentials struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
	OTPType  *string `json:"otp_type"`
	PinCode  *string `json:"pin_code"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// msgInvalidCredentials answers a wrong e-mail or password.
const msgInvalidCredentials = "Invalid email or password"

// authenticateLocked checks credentials: the account exists, is confirmed, the
// password matches and, when two-factor authentication is on, the code does. Without a
// code it answers the platform's challenge: a 401 whose message is the JSON object
// {"otp_enabled": [methods], "otp_autosend": method}, after sending a code for that
// method when it is e-mail or SMS.
func (s *Server) authenticateLocked(b credentials) (*account, reply, bool) {
	if b.Email == nil || strings.TrimSpace(*b.Email) == "" {
		return nil, bad("email", "is required"), false
	}
	if b.Password == nil || *b.Password == "" {
		return nil, bad("password", "is required"), false
	}
	return s.verifyLoginLocked(s.accountByEmailLocked(*b.Email), b)
}

// verifyLoginLocked checks credentials against an account (nil when the e-mail is
// unknown): the password, the confirmation and, with two-factor authentication on, the
// code or the challenge. TagoRUN users log in through it too.
func (s *Server) verifyLoginLocked(a *account, b credentials) (*account, reply, bool) {
	if a == nil || a.password != deref(b.Password) {
		return nil, fail(http.StatusUnauthorized, msgInvalidCredentials), false
	}
	if !a.confirmed {
		return nil, fail(http.StatusUnauthorized, "Account not confirmed"), false
	}
	var enabled []string
	for _, t := range otpTypes {
		if a.otp[t] {
			enabled = append(enabled, t)
		}
	}
	if len(enabled) == 0 {
		return a, reply{}, true
	}
	if deref(b.PinCode) == "" {
		auto := enabled[0]
		for _, t := range []string{"email", "sms"} {
			if a.otp[t] {
				auto = t
				break
			}
		}
		if auto != "authenticator" {
			s.sendPINLocked(a, auto)
		}
		msg, _ := json.Marshal(obj{"otp_enabled": enabled, "otp_autosend": auto})
		return nil, fail(http.StatusUnauthorized, "%s", msg), false
	}
	typ := deref(b.OTPType)
	if !a.otp[typ] {
		return nil, bad("otp_type", "must be one of the account's two-factor methods: %s", strings.Join(enabled, ", ")), false
	}
	if !s.pinValidLocked(a, typ, *b.PinCode) {
		return nil, fail(http.StatusUnauthorized, "Invalid PIN code"), false
	}
	return a, reply{}, true
}

// sendPINLocked sends a one-time code by e-mail or SMS, or shows the authenticator's.
func (s *Server) sendPINLocked(a *account, channel string) {
	if channel == "authenticator" {
		s.sendLocked(a.email, channel, "pin_code", a.authenticator)
		return
	}
	p := pin{channel: channel, code: s.newPIN(), until: s.now().Add(pinLifetime)}
	a.pins = append(a.pins, p)
	s.sendLocked(a.email, channel, "pin_code", p.code)
}

// pinValidLocked reports whether code is a valid one-time code of a method. Codes
// stay valid for their lifetime (a login and the token creation after it share one).
func (s *Server) pinValidLocked(a *account, channel, code string) bool {
	if channel == "authenticator" {
		return code == a.authenticator
	}
	now := s.now()
	for _, p := range a.pins {
		if p.channel == channel && p.code == code && now.Before(p.until) {
			return true
		}
	}
	return false
}

func (c *call) decodeCredentials() (credentials, reply, bool) {
	var b credentials
	rep, good := c.decodeBody(&b)
	return b, rep, good
}

// login answers POST /account/login (no token): the account and the profiles it can
// use, its own and those shared with it (from_share). It returns no token.
func (s *Server) login(c *call) reply {
	b, rep, good := c.decodeCredentials()
	if !good {
		return rep
	}
	a, rep, good := s.authenticateLocked(b)
	if !good {
		return rep
	}
	a.fields["last_login"] = jsTime(s.now())
	return ok(obj{"type": "user", "id": a.id, "email": a.email, "name": a.fields["name"],
		"company": a.fields["company"], "phone": a.fields["phone"], "profiles": s.loginProfilesLocked(a)})
}

// loginProfilesLocked lists the profiles an account can use.
func (s *Server) loginProfilesLocked(a *account) []obj {
	out := []obj{}
	for _, p := range s.docsLocked("profile", nil) {
		switch {
		case p.fields["account"] == a.id:
			out = append(out, obj{"id": p.id, "name": p.fields["name"], "logo_url": p.fields["logo_url"],
				"account": a.id, "from_share": false})
		case s.memberLocked(p.id, a) != nil:
			out = append(out, obj{"id": p.id, "name": p.fields["name"], "logo_url": p.fields["logo_url"],
				"account": p.fields["account"], "from_share": true})
		}
	}
	return out
}

// accountProfileToken answers POST /account/profile/token (no token): the credentials
// (and code) of an account create a token for one of the profiles it can use.
func (s *Server) accountProfileToken(c *call) reply {
	var b tokenCreateBody
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	a, rep, good := s.authenticateLocked(b.credentials())
	if !good {
		return rep
	}
	if deref(b.ProfileID) == "" {
		return bad("profile_id", "is required")
	}
	p := s.table("profile")[*b.ProfileID]
	if p == nil || (p.fields["account"] != a.id && s.memberLocked(p.id, a) == nil) {
		return notFound("Profile")
	}
	name, perm, expire, rep, good := b.common(s.now())
	if !good {
		return rep
	}
	t := s.addAccountTokenLocked(p.id, name, perm, expire)
	return ok(obj{"token": t.value, "name": t.name, "permission": perm, "profile": p.id, "expire_date": expireOut(expire)})
}

// requestLoginPIN answers POST /account/login/otp (no token): a code for the method
// is sent (e-mail, SMS) or shown (authenticator).
func (s *Server) requestLoginPIN(c *call) reply {
	b, rep, good := c.decodeCredentials()
	if !good {
		return rep
	}
	b.PinCode = nil
	a := s.accountByEmailLocked(deref(b.Email))
	if a == nil || a.password != deref(b.Password) {
		return fail(http.StatusUnauthorized, msgInvalidCredentials)
	}
	typ := deref(b.OTPType)
	if !a.otp[typ] {
		return bad("otp_type", "two-factor method %q is not enabled", typ)
	}
	s.sendPINLocked(a, typ)
	return ok("PIN code sent")
}

// otpChange answers POST /account/otp/{type}/enable and /disable: the body repeats the
// account's e-mail and password. Enabling sends a code that /confirm takes.
func (s *Server) otpChange(c *call) reply {
	typ, action := c.arg(0), c.arg(1)
	if !slices.Contains(otpTypes, typ) {
		return fail(http.StatusBadRequest, "Invalid OTP type %q", typ)
	}
	b, rep, good := c.decodeCredentials()
	if !good {
		return rep
	}
	return s.otpChangeLocked(c.callerAccount(), typ, action, b)
}

// otpChangeLocked enables or disables a two-factor method of an account (or a TagoRUN
// user) whose credentials b repeats.
func (s *Server) otpChangeLocked(a *account, typ, action string, b credentials) reply {
	if !strings.EqualFold(deref(b.Email), a.email) || deref(b.Password) != a.password {
		return fail(http.StatusUnauthorized, msgInvalidCredentials)
	}
	switch action {
	case "enable":
		if a.otp[typ] {
			return fail(http.StatusBadRequest, "OTP %s is already enabled", typ)
		}
		a.otpPending = typ
		if typ == "authenticator" {
			a.authenticator = s.newPIN()
		}
		s.sendPINLocked(a, typ)
		return ok("OTP " + typ + " enabled: confirm it with the PIN code sent")
	case "disable":
		if !a.otp[typ] {
			return fail(http.StatusBadRequest, "OTP %s is not enabled", typ)
		}
		a.otp[typ] = false
		return ok("OTP " + typ + " Successfully Disabled")
	}
	return notFound("Route")
}

// otpConfirm answers POST /account/otp/{type}/confirm {pin_code}.
func (s *Server) otpConfirm(c *call) reply {
	return s.otpConfirmLocked(c, c.callerAccount(), c.arg(0))
}

// otpConfirmLocked answers a {pin_code} body confirming a method being enabled.
func (s *Server) otpConfirmLocked(c *call, a *account, typ string) reply {
	var b struct {
		PinCode *string `json:"pin_code"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if deref(b.PinCode) == "" {
		return bad("pin_code", "is required")
	}
	if a.otpPending != typ {
		return fail(http.StatusBadRequest, "OTP %s was not requested", typ)
	}
	if !s.pinValidLocked(a, typ, *b.PinCode) {
		return fail(http.StatusUnauthorized, "Invalid PIN code")
	}
	a.otp[typ], a.otpPending = true, ""
	return ok("OTP " + typ + " Successfully Enabled")
}

// changePassword answers POST /account/passwordreset {password}.
func (s *Server) changePassword(c *call) reply {
	var b struct {
		Password *string `json:"password"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if deref(b.Password) == "" {
		return bad("password", "is required")
	}
	c.callerAccount().password = *b.Password
	return ok("Password Successfully Changed")
}

// passwordRecover answers GET /account/passwordreset/{email} (no token): a reset link
// goes to the address when an account has it; the answer is the same either way.
func (s *Server) passwordRecover(c *call) reply {
	if a := s.accountByEmailLocked(c.arg(0)); a != nil {
		s.sendLocked(a.email, "email", "password_reset", uuidFrom(s.arng))
	}
	return ok("Email sent")
}

// createAccount answers POST /account (no token): an unconfirmed account with one
// profile; the confirmation link goes to its address.
func (s *Server) createAccount(c *call) reply {
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	types := map[string]ftype{"name": fString, "email": fString, "password": fString, "cpassword": fString,
		"timezone": fString, "country": fNullString, "company": fNullString, "newsletter": fBool, "developer": fBool}
	if rep, good := checkFields(f, types, true); !good {
		return rep
	}
	for _, k := range []string{"name", "email", "password", "cpassword", "timezone"} {
		if v, _ := f[k].(string); strings.TrimSpace(v) == "" {
			return bad(k, "is required")
		}
	}
	if f["password"] != f["cpassword"] {
		return bad("cpassword", "must match password")
	}
	email := strings.TrimSpace(f["email"].(string))
	if !strings.Contains(email, "@") {
		return bad("email", "must be an e-mail address")
	}
	if s.accountByEmailLocked(email) != nil {
		return bad("email", "is already in use")
	}
	a := s.addAccountLocked(f["name"].(string), email, f["password"].(string))
	for _, k := range []string{"timezone", "company", "newsletter", "developer"} {
		if v, given := f[k]; given {
			a.fields[k] = v
		}
	}
	a.confirmed, a.confirmToken = false, uuidFrom(s.arng)
	s.addProfileLocked(a.id, "Default Profile", "")
	s.sendLocked(a.email, "email", "confirmation", a.confirmToken)
	return ok("Account Successfully Created")
}

// resendConfirmation answers GET /account/resend_confirmation/{email} (no token).
func (s *Server) resendConfirmation(c *call) reply {
	a := s.accountByEmailLocked(c.arg(0))
	if a == nil {
		return notFound("Account")
	}
	if a.confirmed {
		return fail(http.StatusBadRequest, "Account already confirmed")
	}
	s.sendLocked(a.email, "email", "confirmation", a.confirmToken)
	return ok("Confirmation email sent")
}

// confirmAccount answers GET /account/confirm/{token} (no token).
func (s *Server) confirmAccount(c *call) reply {
	for _, a := range s.accounts {
		if !a.confirmed && a.confirmToken != "" && a.confirmToken == c.arg(0) {
			a.confirmed, a.confirmToken = true, ""
			return ok("Account Successfully Confirmed")
		}
	}
	return fail(http.StatusBadRequest, "Invalid or expired confirmation token")
}
