package tagotest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// TagoRUN. Each profile has one run, created on first use, whose address (its url
// field, "<profile ID>.run.tagotest" unless an edit changes it) names it in the
// run-user routes /run/{url}/... Run users are a collection (/run/users); each keeps
// an account-like state (password, two-factor methods, codes, confirmation) and its
// own key/value store (SDB) in ext. A login answers a run-user token that expires
// after the run's auth_token_ttl (8 hours unless edited). The run's notifications
// for its users are the run_notification collection.

// The run collections' keys.
const (
	keyRunUsers        = "run_users"
	keyRunNotification = "run_notification"
)

// runSpec stores the runs, one per profile, keyed by profile ID; it serves no routes
// of its own (GET and PUT /run are below).
var runSpec = &spec{key: "run", noTimes: true}

// runUserSpec is the run users.
var runUserSpec = register(&spec{
	key: keyRunUsers, noun: "Run User", path: "/run/users", kinds: accountOnly, tagType: "run_users",
	order: "name,asc", listFields: []string{"id", "name"}, required: []string{"name", "email", "password", "timezone"},
	fields: map[string]ftype{"name": fString, "email": fString, "password": fString, "timezone": fString,
		"company": fNullString, "phone": fNullString, "language": fString, "active": fBool, "newsletter": fBool,
		"options": fObject},
	strict: true, hidden: []string{"password"}, readOnly: []string{"profile", "last_login", "otp"},
	created: http.StatusCreated, updated: "Run User Successfully Updated",
	defaults: func(c *call) obj {
		return obj{"profile": c.profile(), "company": nil, "phone": nil, "language": "en", "active": true,
			"newsletter": false, "options": obj{}, "tags": []Tag{}, "last_login": nil}
	},
	validate: func(c *call, f obj, old *doc) (reply, bool) {
		email, given := f["email"].(string)
		if !given {
			return reply{}, true
		}
		if !strings.Contains(email, "@") {
			return bad("email", "is not an e-mail address"), false
		}
		if u := c.s.runUserByEmailLocked(c.profile(), email); u != nil && (old == nil || u.id != old.id) {
			return bad("email", "a user with this e-mail already exists"), false
		}
		return reply{}, true
	},
	inserted: func(c *call, d *doc) {
		st := &runUser{account: account{id: d.id, email: d.str("email"), password: d.str("password"),
			otp: map[string]bool{}, confirmed: true, authenticator: c.s.newPIN()}, sdb: map[string]string{}}
		d.ext = st
		delete(d.fields, "password")
	},
	edited: func(c *call, d *doc, f obj) {
		st := d.ext.(*runUser)
		if e, given := f["email"].(string); given {
			st.email = e
		}
		if p, given := f["password"].(string); given {
			st.password = p
			delete(d.fields, "password")
		}
	},
	result: func(c *call, d *doc) any { return obj{"user": d.id} },
	view: func(c *call, d *doc) obj {
		out := obj{}
		for k, v := range d.fields {
			out[k] = v
		}
		st := d.ext.(*runUser)
		out["otp"] = obj{"authenticator": st.otp["authenticator"], "sms": st.otp["sms"], "email": st.otp["email"]}
		return out
	},
	deleted: func(c *call, d *doc) { c.s.dropRunUserLocked(d) },
})

// runNotificationSpec is the notifications a run's administrator sends its users.
var runNotificationSpec = register(&spec{
	key: keyRunNotification, noun: "Notification", path: "/run/notification", kinds: accountOnly,
	ops: opCreate | opEdit | opDelete, order: "created_at,desc", required: []string{"run_user", "title", "message"},
	fields:   notificationFields(true),
	strict:   true,
	fixed:    []string{"run_user"},
	updated:  "Notification Successfully Updated",
	defaults: notificationDefaults,
	validate: func(c *call, f obj, old *doc) (reply, bool) {
		if id, given := f["run_user"].(string); given && old == nil {
			if u := c.s.table(keyRunUsers)[id]; u == nil || u.profile != c.profile() {
				return bad("run_user", "run user %s not found", id), false
			}
		}
		return validateButtons(f)
	},
})

// runUser is a run user's state beyond its printed fields.
type runUser struct {
	account                   // credentials, two-factor methods and codes
	sdb     map[string]string // the user's key/value store
}

// tagoRunLocked returns a profile's run, creating it with the platform's defaults.
func (s *Server) tagoRunLocked(prof string) *doc {
	if d := s.table(runSpec.key)[prof]; d != nil {
		return d
	}
	f := obj{"profile": prof, "active": true, "name": "TagoRUN", "sub_title": "", "url": prof + ".run.tagotest",
		"email_domain": nil, "signup_method": "default", "favicon": nil, "logo": nil, "signup_logo": nil,
		"signup_logo_options": obj{}, "sidebar_buttons": []any{}, "signup_fields": []any{}, "email_templates": obj{},
		"feature_devicewifisetup": obj{}, "feature_geolocation": obj{}, "theme": obj{}, "integration": obj{},
		"sso_saml_active": false, "security": obj{"otp": obj{"authenticator": true, "sms": true, "email": true}},
		"signin_buttons": []any{}, "anonymous_token": s.newToken(), "auth_token_ttl": "8 hours", "dictionary": nil}
	d := s.insertLocked(runSpec, prof, prof, f)
	delete(d.fields, "id")
	return d
}

// runByURLLocked finds the run whose address is url.
func (s *Server) runByURLLocked(url string) *doc {
	for _, d := range s.table(runSpec.key) {
		if strings.EqualFold(d.str("url"), url) {
			return d
		}
	}
	// A profile's run exists from its first use; its default address names it.
	if prof, found := strings.CutSuffix(url, ".run.tagotest"); found && s.table("profile")[prof] != nil {
		return s.tagoRunLocked(prof)
	}
	return nil
}

// runUserByEmailLocked finds a run user of a profile by e-mail, any case.
func (s *Server) runUserByEmailLocked(prof, email string) *doc {
	for _, d := range s.table(keyRunUsers) {
		if d.profile == prof && strings.EqualFold(d.str("email"), strings.TrimSpace(email)) {
			return d
		}
	}
	return nil
}

// dropRunUserLocked removes a run user's tokens and notifications.
func (s *Server) dropRunUserLocked(d *doc) {
	for v, t := range s.tokens {
		if t.kind == kindRunUser && t.runUser == d.id {
			delete(s.tokens, v)
		}
	}
	for _, n := range s.docsLocked(keyRunNotification, func(n *doc) bool { return n.fields["run_user"] == d.id }) {
		s.removeLocked(specs[keyRunNotification], n)
	}
}

// runSettings answers GET /run.
func (s *Server) runSettings(c *call) reply { return ok(s.tagoRunLocked(c.profile()).fields) }

// runEditableFields are what PUT /run may change.
var runEditableFields = map[string]ftype{"active": fBool, "name": fString, "sub_title": fString, "url": fString,
	"email_domain": fNullString, "signup_method": fString, "favicon": fNullString, "logo": fNullString,
	"signup_logo": fNullString, "signup_logo_options": fObject, "sidebar_buttons": fArray, "signup_fields": fArray,
	"email_templates": fObject, "feature_devicewifisetup": fObject, "feature_geolocation": fObject, "theme": fObject,
	"integration": fObject, "security": fObject, "signin_buttons": fArray, "auth_token_ttl": fString,
	"dictionary": fNullString}

// editRun answers PUT /run: the given fields replace the run's; objects are merged one
// level deep, as the platform merges a partial theme or template list.
func (s *Server) editRun(c *call) reply {
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	for _, k := range []string{"profile", "anonymous_token", "sso_saml_active"} {
		delete(f, k)
	}
	if rep, good := checkFields(f, runEditableFields, true); !good {
		return rep
	}
	if u, given := f["url"].(string); given {
		if other := s.runByURLLocked(u); other != nil && other.profile != c.profile() {
			return bad("url", "%s is taken", u)
		}
	}
	if ttl, given := f["auth_token_ttl"].(string); given {
		if _, err := parseDate(ttl, s.now(), true); err != nil {
			return bad("auth_token_ttl", "must be a span such as 8 hours")
		}
	}
	run := s.tagoRunLocked(c.profile())
	for k, v := range f {
		if m, isObj := v.(map[string]any); isObj {
			if old, wasObj := run.fields[k].(obj); wasObj {
				merged := obj{}
				for kk, vv := range old {
					merged[kk] = vv
				}
				for kk, vv := range m {
					merged[kk] = vv
				}
				run.fields[k] = merged
				continue
			}
		}
		run.fields[k] = v
	}
	return ok("TagoRUN Successfully Updated")
}

// runEmailTest answers POST /run/email_test {subject, body}: the e-mail goes to the
// administrator's account, through the outbox.
func (s *Server) runEmailTest(c *call) reply {
	var b struct {
		Subject *string `json:"subject"`
		Body    *string `json:"body"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if deref(b.Subject) == "" {
		return bad("subject", "is required")
	}
	if deref(b.Body) == "" {
		return bad("body", "is required")
	}
	if a := c.callerAccount(); a != nil {
		s.sendLocked(a.email, "email", "email_test", *b.Subject)
	}
	return ok("E-mail sent")
}

// addRunUserTokenLocked issues a run-user token that expires at expire.
func (s *Server) addRunUserTokenLocked(u *doc, name string, expire time.Time) *tokenRec {
	t := &tokenRec{value: s.newToken(), kind: kindRunUser, name: name, permission: "full", expire: expire,
		profile: u.profile, runUser: u.id, createdAt: s.now(), seq: s.nextSeq()}
	s.tokens[t.value] = t
	return t
}

// loginAsRunUser answers GET /run/users/{id}/login[?expire_time=]: a token for the
// user, 8 hours by default.
func (s *Server) loginAsRunUser(c *call) reply {
	u, rep, good := runUserSpec.lookup(c, c.arg(0), true)
	if !good {
		return rep
	}
	span := c.q.str("expire_time")
	if span == "" {
		span = "8 hours"
	}
	exp, err := parseExpire(span, s.now())
	if err != nil {
		return bad("expire_time", "%v", err)
	}
	t := s.addRunUserTokenLocked(u, "Login as user", exp)
	return ok(obj{"token": t.value, "name": t.name, "run_user": u.id, "expire_date": expireOut(exp), "created_at": jsTime(t.createdAt)})
}

// runUserNotifications answers GET /run/notification/{userID}.
func (s *Server) runUserNotifications(c *call) reply {
	u, rep, good := runUserSpec.lookup(c, c.arg(0), false)
	if !good {
		return rep
	}
	out := []obj{}
	for _, n := range s.docsLocked(keyRunNotification, func(n *doc) bool { return n.fields["run_user"] == u.id }) {
		out = append(out, runNotificationSpec.render(c, n))
	}
	slices.Reverse(out) // newest first
	return ok(out)
}

// samlInfo answers GET /run/sso/saml.
func (s *Server) samlInfo(c *call) reply {
	run := s.tagoRunLocked(c.profile())
	saml, _ := run.ext.(obj)
	mapping := obj{}
	issuer := ""
	if saml != nil {
		mapping, _ = saml["mapping"].(obj)
		issuer, _ = saml["issuer"].(string)
	}
	base := "https://api.tagotest/run/sso/saml/" + c.profile()
	return ok(obj{"sp": obj{"entity_id": base, "acs_url": base + "/acs", "metadata": "<EntityDescriptor entityID=\"" + base + "\"/>"},
		"idp": obj{"issuer": issuer}, "mapping": mapping})
}

// editSAML answers PUT /run/sso/saml {idp_metadata (base64 XML), mapping}.
func (s *Server) editSAML(c *call) reply {
	var b struct {
		IDPMetadata *[]byte        `json:"idp_metadata"`
		Mapping     map[string]any `json:"mapping"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	run := s.tagoRunLocked(c.profile())
	saml, _ := run.ext.(obj)
	if saml == nil {
		saml = obj{"mapping": obj{}}
	}
	if b.IDPMetadata != nil {
		xml := string(*b.IDPMetadata)
		if !strings.Contains(xml, "<") {
			return bad("idp_metadata", "must be the identity provider's XML metadata, base64 encoded")
		}
		issuer := "idp"
		if i := strings.Index(xml, `entityID="`); i >= 0 {
			rest := xml[i+len(`entityID="`):]
			if j := strings.IndexByte(rest, '"'); j >= 0 {
				issuer = rest[:j]
			}
		}
		saml["issuer"] = issuer
		run.fields["sso_saml_active"] = true
	}
	if b.Mapping != nil {
		if e, _ := b.Mapping["email"].(string); e == "" {
			return bad("mapping.email", "is required")
		}
		if n, _ := b.Mapping["firstName"].(string); n == "" {
			return bad("mapping.firstName", "is required")
		}
		saml["mapping"] = obj(b.Mapping)
	}
	run.ext = saml
	return ok("TagoRUN SSO SAML Successfully Updated")
}

// customDomain answers POST, GET and DELETE /run/customdomain/{profileID} and PUT
// /run/customdomain/regenerate/{profileID}. The DNS records are never "found": the
// fake has no DNS, so a domain stays inactive.
func (s *Server) customDomain(c *call) reply {
	prof := c.arg(0)
	if prof != c.profile() {
		return notFound("Profile")
	}
	run := s.tagoRunLocked(prof)
	dom, _ := run.fields["custom_domain"].(obj)
	switch c.r.Method {
	case http.MethodPost:
		var b struct {
			Domain, Subdomain, Email *string
		}
		if rep, good := c.decodeBody(&b); !good {
			return rep
		}
		for name, v := range map[string]*string{"domain": b.Domain, "subdomain": b.Subdomain, "email": b.Email} {
			if deref(v) == "" {
				return bad(name, "is required")
			}
		}
		if dom != nil {
			return fail(http.StatusBadRequest, "The run already has a custom domain")
		}
		host := *b.Subdomain + "." + *b.Domain
		rec := func(typ, key, value string) obj { return obj{"status": false, "type": typ, "key": key, "value": value} }
		run.fields["custom_domain"] = obj{"active": false, "domain": *b.Domain, "subdomain": *b.Subdomain, "email": *b.Email,
			"dns_ssl": rec("CNAME", "_acme-challenge."+host, "acme.tagotest"), "dns_page": rec("CNAME", host, "run.tagotest"),
			"dns_email_1": rec("TXT", host, "v=spf1 include:tagotest ~all"), "dns_email_2": rec("CNAME", "s1._domainkey."+host, "dkim1.tagotest"),
			"dns_email_3": rec("CNAME", "s2._domainkey."+host, "dkim2.tagotest"), "created_at": jsTime(s.now())}
		return ok("Custom domain created")
	case http.MethodGet:
		if dom == nil {
			return notFound("Custom domain")
		}
		return ok(dom)
	case http.MethodDelete:
		if dom == nil {
			return notFound("Custom domain")
		}
		delete(run.fields, "custom_domain")
		return ok("Custom domain deleted")
	default: // PUT regenerate
		if dom == nil {
			return notFound("Custom domain")
		}
		dom["created_at"] = jsTime(s.now())
		return ok("Custom domain regenerated")
	}
}

// runPath resolves the run of a run-user route, /run/{url}/...; a token must belong to
// that run.
func (s *Server) runPath(c *call) (*doc, reply, bool) {
	run := s.runByURLLocked(c.arg(0))
	if run == nil {
		return nil, notFound("TagoRUN"), false
	}
	if c.tok != nil && c.tok.profile != run.profile {
		return nil, fail(http.StatusUnauthorized, msgInvalidToken), false
	}
	return run, reply{}, true
}

// caller returns the run user of a run-user route's token.
func (s *Server) runCaller(c *call) (*doc, *runUser, reply, bool) {
	if _, rep, good := s.runPath(c); !good {
		return nil, nil, rep, false
	}
	u := s.table(keyRunUsers)[c.tok.runUser]
	if u == nil {
		return nil, nil, fail(http.StatusUnauthorized, msgInvalidToken), false
	}
	return u, u.ext.(*runUser), reply{}, true
}

// runSignup answers POST /run/{url}/signup (no token): a new user who must confirm the
// e-mail address (the confirmation goes to the outbox) before logging in.
func (s *Server) runSignup(c *call) reply {
	run, rep, good := s.runPath(c)
	if !good {
		return rep
	}
	if run.str("signup_method") == "none" || run.fields["active"] == false {
		return fail(http.StatusForbidden, "Sign-up is disabled for this TagoRUN")
	}
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	delete(f, "active")
	delete(f, "tags")
	f["active"] = false
	d, rep := runUserSpec.createLocked(s.seedCall(run.profile), nil, f)
	if d == nil {
		return rep
	}
	st := d.ext.(*runUser)
	st.confirmed, st.confirmToken = false, uuidFrom(s.arng)
	s.sendLocked(st.email, "email", "confirmation", st.confirmToken)
	return ok(obj{"user": d.id})
}

// runConfirm answers GET /run/{url}/confirm/{token} (no token).
func (s *Server) runConfirm(c *call) reply {
	run, rep, good := s.runPath(c)
	if !good {
		return rep
	}
	for _, d := range s.docsLocked(keyRunUsers, func(d *doc) bool { return d.profile == run.profile }) {
		st := d.ext.(*runUser)
		if st.confirmToken != "" && st.confirmToken == c.arg(1) {
			st.confirmed, st.confirmToken = true, ""
			d.fields["active"] = true
			return ok("Account Successfully Confirmed")
		}
	}
	return notFound("Confirmation token")
}

// runLogin answers POST /run/{url}/login (no token): the user's credentials (and code)
// give a token that lives for the run's auth_token_ttl. An inactive user is refused.
func (s *Server) runLogin(c *call) reply {
	run, rep, good := s.runPath(c)
	if !good {
		return rep
	}
	b, rep, good := c.decodeCredentials()
	if !good {
		return rep
	}
	if deref(b.Email) == "" {
		return bad("email", "is required")
	}
	if deref(b.Password) == "" {
		return bad("password", "is required")
	}
	d := s.runUserByEmailLocked(run.profile, *b.Email)
	var acct *account
	if d != nil {
		acct = &d.ext.(*runUser).account
	}
	if _, rep, good := s.verifyLoginLocked(acct, b); !good {
		return rep
	}
	if d.fields["active"] != true {
		return fail(http.StatusUnauthorized, "User is not active")
	}
	exp, err := parseDate(run.str("auth_token_ttl"), s.now(), true)
	if err != nil {
		exp = s.now().Add(8 * time.Hour)
	}
	d.fields["last_login"] = jsTime(s.now())
	t := s.addRunUserTokenLocked(d, "Login", exp)
	return ok(obj{"token": t.value, "expire_date": expireOut(exp)})
}

// runLoginPIN answers POST /run/{url}/login/otp (no token): a code for the method.
func (s *Server) runLoginPIN(c *call) reply {
	run, rep, good := s.runPath(c)
	if !good {
		return rep
	}
	b, rep, good := c.decodeCredentials()
	if !good {
		return rep
	}
	d := s.runUserByEmailLocked(run.profile, deref(b.Email))
	if d == nil || d.ext.(*runUser).password != deref(b.Password) {
		return fail(http.StatusUnauthorized, msgInvalidCredentials)
	}
	st := d.ext.(*runUser)
	if typ := deref(b.OTPType); !st.otp[typ] {
		return bad("otp_type", "two-factor method %q is not enabled", typ)
	}
	s.sendPINLocked(&st.account, deref(b.OTPType))
	return ok("PIN code sent")
}

// runPasswordRecover answers GET /run/{url}/passwordreset/{email} (no token).
func (s *Server) runPasswordRecover(c *call) reply {
	run, rep, good := s.runPath(c)
	if !good {
		return rep
	}
	if d := s.runUserByEmailLocked(run.profile, c.arg(1)); d != nil {
		s.sendLocked(d.str("email"), "email", "password_reset", uuidFrom(s.arng))
	}
	return ok("If the e-mail is registered, a message was sent to reset the password")
}

// runSelf answers the run-user routes on the caller itself: GET and PUT
// /run/{url}/info, DELETE /run/{url}/delete, POST /run/{url}/passwordreset.
func (s *Server) runSelf(c *call) reply {
	d, st, rep, good := s.runCaller(c)
	if !good {
		return rep
	}
	switch {
	case c.r.Method == http.MethodGet:
		return ok(runUserSpec.render(c, d))
	case c.r.Method == http.MethodDelete:
		s.dropRunUserLocked(d)
		s.removeLocked(runUserSpec, d)
		return ok("Account Successfully Removed")
	case strings.HasSuffix(c.r.URL.Path, "/passwordreset"):
		var b struct {
			Password *string `json:"password"`
		}
		if rep, good := c.decodeBody(&b); !good {
			return rep
		}
		if deref(b.Password) == "" {
			return bad("password", "is required")
		}
		st.password = *b.Password
		return ok("Password Successfully Changed")
	}
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	for _, k := range []string{"id", "email", "password", "active", "tags", "profile", "created_at", "updated_at", "last_login", "otp"} {
		delete(f, k) // a user may not change these about themselves
	}
	if rep, good := checkFields(f, runUserSpec.fields, true); !good {
		return rep
	}
	for k, v := range f {
		d.fields[k] = v
	}
	d.fields["updated_at"] = jsTime(s.now())
	return ok("User Successfully Updated")
}

// runOTP answers POST /run/{url}/otp/{type}/enable|disable|confirm.
func (s *Server) runOTP(c *call) reply {
	_, st, rep, good := s.runCaller(c)
	if !good {
		return rep
	}
	typ, action := c.arg(1), c.arg(2)
	if !slices.Contains(otpTypes, typ) {
		return fail(http.StatusBadRequest, "Invalid OTP type %q", typ)
	}
	if action == "confirm" {
		return s.otpConfirmLocked(c, &st.account, typ)
	}
	b, rep, good := c.decodeCredentials()
	if !good {
		return rep
	}
	return s.otpChangeLocked(&st.account, typ, action, b)
}

// runOwnNotifications answers GET /run/{url}/notification (paged, filter[read]) and
// PUT /run/{url}/notification {notification_ids, read}.
func (s *Server) runOwnNotifications(c *call) reply {
	d, _, rep, good := s.runCaller(c)
	if !good {
		return rep
	}
	mine := func(n *doc) bool { return n.fields["run_user"] == d.id }
	if c.r.Method == http.MethodPut {
		return s.markNotificationsLocked(c, keyRunNotification, mine)
	}
	o, rep, good := c.listOptions("created_at,desc")
	if !good {
		return rep
	}
	var items []obj
	for _, n := range s.docsLocked(keyRunNotification, mine) {
		items = append(items, runNotificationSpec.render(c, n))
	}
	return ok(applyList(items, o))
}

// runNotification answers PUT /run/{url}/notification/markallread, PUT
// /run/{url}/notification/{id}/{button} and DELETE /run/{url}/notification/{id}.
func (s *Server) runNotification(c *call) reply {
	d, _, rep, good := s.runCaller(c)
	if !good {
		return rep
	}
	mine := func(n *doc) bool { return n.fields["run_user"] == d.id }
	if len(c.args) == 1 { // PUT .../notification/markallread
		for _, n := range s.docsLocked(keyRunNotification, mine) {
			n.fields["read"] = true
		}
		return ok("All notifications marked as read")
	}
	n := s.table(keyRunNotification)[c.arg(1)]
	if n == nil || !mine(n) {
		return notFound("Notification")
	}
	if c.r.Method == http.MethodDelete {
		s.removeLocked(runNotificationSpec, n)
		return ok("Notification Successfully Removed")
	}
	return s.pressButtonLocked(c, n, c.arg(2))
}

// runSDB answers GET, POST and DELETE /run/{url}/sdb/{key}: the user's own key/value
// store. POST stores the raw body (text, as the official SDKs send it); GET answers
// it as a string; an unknown key is a 404.
func (s *Server) runSDB(c *call) reply {
	_, st, rep, good := s.runCaller(c)
	if !good {
		return rep
	}
	key := c.arg(1)
	switch c.r.Method {
	case http.MethodPost:
		st.sdb[key] = string(c.body)
		return ok("Key Successfully Stored")
	case http.MethodDelete:
		if _, found := st.sdb[key]; !found {
			return notFound("Key")
		}
		delete(st.sdb, key)
		return ok("Key Successfully Removed")
	}
	v, found := st.sdb[key]
	if !found {
		return notFound("Key")
	}
	return ok(v)
}
