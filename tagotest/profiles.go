package tagotest

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Profiles are a collection owned by accounts rather than by a profile: an account
// token sees and changes the profiles of its account, and sees those shared with it
// through a team. Delete needs the password (and a code with two-factor
// authentication), so it is its own handler below.
var profileSpec = register(&spec{
	key: "profile", noun: "Profile", path: "/profile", kinds: accountOnly, ops: opList | opInfo | opCreate | opEdit,
	order: "name,asc", listFields: []string{"id", "name", "logo_url", "account", "from_share"}, required: []string{"name"},
	fields:   map[string]ftype{"name": fString, "logo_url": fNullString, "banner_url": fNullString},
	strict:   true,
	readOnly: []string{"account", "info", "allocation", "addons", "account_plan", "from_share"},
	owns:     func(c *call, d *doc) bool { return d.fields["account"] == c.s.accountOfLocked(c.profile()) },
	visible: func(c *call, d *doc) bool {
		return d.fields["account"] == c.s.accountOfLocked(c.profile()) || c.s.memberLocked(d.id, c.callerAccount()) != nil
	},
	resolve: func(c *call, id string) string {
		if id == "current" {
			return c.profile()
		}
		return id
	},
	defaults: func(c *call) obj {
		alloc := obj{}
		if c.q != nil && c.q.str("allocate_free_resources") == "true" {
			alloc = freeAllocation()
		} else {
			for k := range freeAllocation() {
				alloc[k] = 0.0
			}
		}
		return profileDefaults(c.s.accountOfLocked(c.profile()), alloc)
	},
	view: func(c *call, d *doc) obj {
		return obj{"id": d.id, "name": d.fields["name"], "logo_url": d.fields["logo_url"],
			"account": d.fields["account"], "from_share": d.fields["account"] != c.s.accountOfLocked(c.profile())}
	},
	infoView: func(c *call, d *doc) obj {
		info := obj{}
		for _, k := range []string{"id", "account", "name", "logo_url", "banner_url", "created_at", "updated_at"} {
			info[k] = d.fields[k]
		}
		return obj{"info": info, "allocation": d.fields["allocation"], "addons": d.fields["addons"],
			"account_plan": c.s.accounts[d.str("account")].fields["plan"]}
	},
})

// freeAllocation is what a profile gets of the free plan's resources (the fake's
// figures; the platform's depend on the plan).
func freeAllocation() obj {
	return obj{"input": 100000.0, "output": 100000.0, "sms": 10.0, "email": 100.0, "analysis": 1000.0,
		"data_records": 50000.0, "run_users": 10.0, "push_notification": 100.0, "file_storage": 200.0}
}

func profileDefaults(accountID string, alloc obj) obj {
	return obj{"account": accountID, "logo_url": nil, "banner_url": nil, "allocation": alloc,
		"addons": obj{"custom_dns": false, "mobile": false}}
}

// addProfileLocked adds a profile to an account with a first account token (token,
// or a new one when empty).
func (s *Server) addProfileLocked(accountID, name, token string) Profile {
	f := profileDefaults(accountID, freeAllocation())
	f["name"] = name
	p := s.insertLocked(profileSpec, "", "", f)
	if token == "" {
		token = s.newToken()
	}
	s.tokens[token] = &tokenRec{value: token, kind: kindAccount, name: "Token #1", permission: "full",
		profile: p.id, createdAt: s.now(), seq: s.nextSeq()}
	return Profile{ID: p.id, Name: name, Token: token, Email: s.accounts[accountID].email}
}

// addAccountTokenLocked creates an account (profile) token.
func (s *Server) addAccountTokenLocked(prof, name, perm string, expire time.Time) *tokenRec {
	t := &tokenRec{value: s.newToken(), kind: kindAccount, name: name, permission: perm, expire: expire,
		profile: prof, createdAt: s.now(), seq: s.nextSeq()}
	s.tokens[t.value] = t
	return t
}

// dropProfileLocked deletes a profile with everything it owns and every token of it.
func (s *Server) dropProfileLocked(p *doc) {
	for _, sp := range specOrder {
		if sp.parent != "" || sp == profileSpec {
			continue // nested docs go with their parent
		}
		for _, d := range s.docsLocked(sp.key, func(d *doc) bool { return d.profile == p.id }) {
			s.removeLocked(sp, d)
		}
	}
	for k, t := range s.tokens {
		if t.profile == p.id {
			delete(s.tokens, k)
		}
	}
	s.team = slices.DeleteFunc(s.team, func(m *member) bool { return m.profile == p.id })
	for k := range s.files {
		if k.profile == p.id {
			delete(s.files, k)
		}
	}
	s.removeLocked(profileSpec, p) // with its nested collections (backups)
}

// deleteProfile answers DELETE /profile/{id} with a body {password, pin_code?}.
func (s *Server) deleteProfile(c *call) reply {
	p, rep, good := profileSpec.lookup(c, c.arg(0), true)
	if !good {
		return rep
	}
	if rep, good := c.confirmLocked(); !good {
		return rep
	}
	a := c.callerAccount()
	if len(s.docsLocked("profile", func(d *doc) bool { return d.fields["account"] == a.id })) == 1 {
		return fail(http.StatusBadRequest, "An account keeps at least one profile")
	}
	s.dropProfileLocked(p)
	s.auditLocked(c, "profile", p.id, "deleted")
	return ok("Successfully Removed")
}

// confirmLocked checks a body {password, otp_type?, pin_code?} against the caller's
// account, as the routes that delete or hand out a profile's data ask: the password
// and, with two-factor authentication, a code (otp_type defaults to the first method
// enabled).
func (c *call) confirmLocked() (reply, bool) {
	a := c.callerAccount()
	var b credentials
	if rep, good := c.decodeBody(&b); !good {
		return rep, false
	}
	b.Email = &a.email
	if b.OTPType == nil {
		for _, t := range otpTypes {
			if a.otp[t] {
				b.OTPType = &t
				break
			}
		}
	}
	if _, rep, good := c.s.authenticateLocked(b); !good {
		return rep, false
	}
	return reply{}, true
}

// ownProfile resolves a profile path segment ("current" or an ID) among the caller
// account's profiles.
func (c *call) ownProfile(id string) (*doc, reply, bool) {
	return profileSpec.lookup(c, id, true)
}

// summary answers GET /profile/{id}/summary[?onlyAmount=true]: the profile's
// allocation (limit), what it holds (amount) and what it used this month
// (limit_used). amount counts the fake's collections; the services the fake does not
// meter count zero.
func (s *Server) summary(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	count := func(key string) int {
		return len(s.docsLocked(key, func(d *doc) bool { return d.profile == p.id }))
	}
	amount := obj{"device": count("device"), "bucket": count("device"), "dashboard": count("dashboard"),
		"dashboard_shared": 0, "analysis": count("analysis"), "action": count("action"), "am": count("am"),
		"run_users": count("run_user"), "dictionary": count("dictionary"), "connectors": count("connector"),
		"networks": count("network"), "tcore": count("tcore")}
	if c.q.str("onlyAmount") == "true" {
		return ok(obj{"amount": amount})
	}
	month := time.Date(s.now().Year(), s.now().Month(), 1, 0, 0, 0, 0, time.UTC)
	used := obj{"input": 0.0, "output": 0.0, "analysis": 0.0, "sms": 0.0, "email": 0.0, "data_records": 0.0,
		"run_users": float64(count("run_user")), "push_notification": 0.0, "file_storage": 0.0, "tcore": float64(count("tcore"))}
	for _, u := range s.usage {
		if u.profile == p.id && !u.hour.Before(month) {
			for k, v := range u.counts {
				used[k] = used[k].(float64) + v
			}
		}
	}
	records := 0
	for _, d := range s.docsLocked("device", func(d *doc) bool { return d.profile == p.id }) {
		records += len(d.ext.(*device).data)
	}
	used["data_records"] = float64(records)
	return ok(obj{"limit": p.fields["allocation"], "amount": amount, "limit_used": used, "addons": p.fields["addons"]})
}

// usage is what a profile used in one hour.
type usage struct {
	profile string
	hour    time.Time
	counts  map[string]float64
}

// meterLocked adds n to a service's usage ("input", "output", "analysis") in the
// current hour.
func (s *Server) meterLocked(prof, service string, n int) {
	if prof == "" || n == 0 {
		return
	}
	hour := s.now().UTC().Truncate(time.Hour)
	for _, u := range s.usage {
		if u.profile == prof && u.hour.Equal(hour) {
			u.counts[service] += float64(n)
			return
		}
	}
	s.usage = append(s.usage, &usage{profile: prof, hour: hour, counts: map[string]float64{service: float64(n)}})
}

// statistics answers GET /profile/{id}/statistics: the usage per hour of a date
// (date=...), or per hour, day or month (periodicity) between start_date and
// end_date; only periods and services with usage appear, as on the platform. Times
// are UTC (timezone is accepted and ignored).
func (s *Server) statistics(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	now := s.now()
	var from, to time.Time
	period := c.q.str("periodicity")
	if date := c.q.str("date"); date != "" || c.q.str("start_date") == "" {
		day := now
		if date != "" {
			t, err := parseDate(date, now, false)
			if err != nil {
				return fail(http.StatusBadRequest, "date: %v", err)
			}
			day = t
		}
		from = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
		to, period = from.Add(24*time.Hour-time.Nanosecond), "hour"
	} else {
		var err error
		if from, err = parseDate(c.q.str("start_date"), now, false); err != nil {
			return fail(http.StatusBadRequest, "start_date: %v", err)
		}
		if to, err = parseDate(c.q.str("end_date"), now, false); err != nil {
			return fail(http.StatusBadRequest, "end_date: %v", err)
		}
	}
	if period == "" {
		period = "hour"
	}
	if period != "hour" && period != "day" && period != "month" {
		return fail(http.StatusBadRequest, "periodicity must be hour, day or month, got %q", period)
	}
	buckets := map[time.Time]obj{}
	for _, u := range s.usage {
		if u.profile != p.id || u.hour.Before(from) || u.hour.After(to) {
			continue
		}
		k := u.hour
		switch period {
		case "day":
			k = time.Date(k.Year(), k.Month(), k.Day(), 0, 0, 0, 0, time.UTC)
		case "month":
			k = time.Date(k.Year(), k.Month(), 1, 0, 0, 0, 0, time.UTC)
		}
		b := buckets[k]
		if b == nil {
			b = obj{"time": jsTime(k)}
			buckets[k] = b
		}
		for svc, n := range u.counts {
			v, _ := b[svc].(float64)
			b[svc] = v + n
		}
	}
	keys := make([]time.Time, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	out := make([]obj, len(keys))
	for i, k := range keys {
		out[i] = buckets[k]
	}
	return ok(out)
}

// auditQuery is an audit log query's answer, kept for GET .../auditlog/{queryId}.
type auditQuery struct {
	id, profile string
	result      obj
}

// auditLog answers GET /profile/{id}/auditlog: it runs a query over the profile's
// changes (resourceID, resourceName, find with "*" wildcards on the message,
// start_date, end_date, limit) and answers {events, statistics, status, queryId}.
func (s *Server) auditLog(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	now := s.now()
	from, to := now.AddDate(0, 0, -30), now
	if v := c.q.str("start_date"); v != "" {
		t, err := parseDate(v, now, false)
		if err != nil {
			return fail(http.StatusBadRequest, "start_date: %v", err)
		}
		from = t
	}
	if v := c.q.str("end_date"); v != "" {
		t, err := parseDate(v, now, false)
		if err != nil {
			return fail(http.StatusBadRequest, "end_date: %v", err)
		}
		to = t
	}
	limit := 10000
	if v := c.q.str("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fail(http.StatusBadRequest, "limit must be a positive integer, got %q", v)
		}
		limit = n
	}
	id, name, find := c.q.str("resourceID"), c.q.str("resourceName"), c.q.str("find")
	events, scanned := []obj{}, 0
	for i := len(s.audit) - 1; i >= 0; i-- { // newest first
		e := s.audit[i]
		if e.profile != p.id {
			continue
		}
		scanned++
		if (id != "" && e.resourceID != id) || (name != "" && e.resourceName != name) ||
			e.date.Before(from) || e.date.After(to) || (find != "" && find != "*" && !wildcard("*"+find+"*", e.message)) {
			continue
		}
		if len(events) < limit {
			events = append(events, obj{"resourceName": e.resourceName, "message": e.message,
				"resourceID": e.resourceID, "who": e.who, "date": jsTime(e.date)})
		}
	}
	q := &auditQuery{id: s.newID(), profile: p.id}
	q.result = obj{"events": events, "status": "Complete", "queryId": q.id,
		"statistics": obj{"recordsMatched": len(events), "recordsScanned": scanned, "bytesScanned": scanned * 200}}
	s.auditQueries = append(s.auditQueries, q)
	return ok(q.result)
}

// auditLogQuery answers GET /profile/{id}/auditlog/{queryId}.
func (s *Server) auditLogQuery(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	for _, q := range s.auditQueries {
		if q.id == c.arg(1) && q.profile == p.id {
			return ok(q.result)
		}
	}
	return notFound("Query")
}

// addons answers GET /profile/{id}/addons: {custom_dns, mobile}.
func (s *Server) addons(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	return ok(p.fields["addons"])
}

var addonNames = []string{"custom_dns", "mobile"}

// editAddons answers POST /profile/{id}/addons with {custom_dns?, mobile?}.
func (s *Server) editAddons(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	if rep, good := checkFields(f, map[string]ftype{"custom_dns": fBool, "mobile": fBool}, true); !good {
		return rep
	}
	for k, v := range f {
		p.fields["addons"].(obj)[k] = v
	}
	return ok("Profile add-ons Successfully Updated")
}

// removeAddon answers DELETE /profile/{id}/{addon}.
func (s *Server) removeAddon(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	if !slices.Contains(addonNames, c.arg(1)) {
		return fail(http.StatusBadRequest, "Invalid add-on %q: custom_dns or mobile", c.arg(1))
	}
	p.fields["addons"].(obj)[c.arg(1)] = false
	return ok("Add-on Successfully Removed")
}

// editServices answers POST /profile/{id}/services: the body sets the profile's
// allocation of services ({"input": 1000, ...}; each a number, at least zero).
func (s *Server) editServices(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	types := map[string]ftype{}
	for k := range freeAllocation() {
		types[k] = fNumber
	}
	if rep, good := checkFields(f, types, true); !good {
		return rep
	}
	alloc := p.fields["allocation"].(obj)
	for _, k := range sortedKeys(f) {
		if f[k].(float64) < 0 {
			return bad(k, "must not be negative")
		}
	}
	for k, v := range f {
		alloc[k] = v
	}
	return ok("Profile resource allocation Successfully Updated")
}

// switchProfile answers PUT /profile/switch/{id}: the calling token now acts for
// another profile of its account.
func (s *Server) switchProfile(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	c.tok.profile = p.id
	return ok("Token Successfully Switched")
}

// member is a person invited into a profile's team.
type member struct {
	id, profile, email, token string
	account                   string // the invited account, when the address has one
	active                    bool
	created                   time.Time
}

// memberLocked returns an account's accepted membership of a profile's team, or nil.
func (s *Server) memberLocked(profileID string, a *account) *member {
	if a == nil {
		return nil
	}
	for _, m := range s.team {
		if m.profile == profileID && m.active && m.account == a.id {
			return m
		}
	}
	return nil
}

// teamList answers GET /profile/{id}/team: [{id, active, name, email, created_at}],
// id being the member's account.
func (s *Server) teamList(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	out := []obj{}
	for _, m := range s.team {
		if m.profile != p.id {
			continue
		}
		name := any(nil)
		if a := s.accounts[m.account]; a != nil {
			name = a.fields["name"]
		}
		out = append(out, obj{"id": m.id, "active": m.active, "name": name, "email": m.email, "created_at": jsTime(m.created)})
	}
	return ok(out)
}

// teamAdd answers POST /profile/{id}/team {email}: the invitation goes to the address.
func (s *Server) teamAdd(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	var b struct {
		Email *string `json:"email"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	email := strings.TrimSpace(deref(b.Email))
	if !strings.Contains(email, "@") {
		return bad("email", "must be an e-mail address")
	}
	owner := s.accounts[p.str("account")]
	for _, m := range s.team {
		if m.profile == p.id && strings.EqualFold(m.email, email) {
			return bad("email", "is already in the team")
		}
	}
	if strings.EqualFold(owner.email, email) {
		return bad("email", "is the profile's owner")
	}
	m := &member{id: s.idFrom(s.arng), profile: p.id, email: email, token: uuidFrom(s.arng), created: s.now()}
	if a := s.accountByEmailLocked(email); a != nil {
		m.id, m.account = a.id, a.id
	}
	s.team = append(s.team, m)
	s.sendLocked(email, "email", "team_invitation", m.token)
	return ok("User invited")
}

// teamRemove answers DELETE /profile/{id}/team/{accountID}.
func (s *Server) teamRemove(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	n := len(s.team)
	s.team = slices.DeleteFunc(s.team, func(m *member) bool { return m.profile == p.id && m.id == c.arg(1) })
	if len(s.team) == n {
		return notFound("Team member")
	}
	return ok("Account Successfully Removed")
}

// teamAnswer answers GET /profile/team/accept/{token} and /decline/{token} (no
// token): the invited person accepts (the profile is then shared with their account)
// or declines (the invitation goes).
func (s *Server) teamAnswer(accept bool) func(*call) reply {
	return func(c *call) reply {
		for i, m := range s.team {
			if m.token == "" || m.token != c.arg(0) {
				continue
			}
			m.token = ""
			if !accept {
				s.team = slices.Delete(s.team, i, i+1)
				return ok("Invitation declined")
			}
			if a := s.accountByEmailLocked(m.email); a != nil {
				m.id, m.account = a.id, a.id
			}
			m.active = true
			return ok("Invitation accepted")
		}
		return fail(http.StatusBadRequest, "Invalid or expired invitation")
	}
}

// Profile tokens.

func (s *Server) listProfileTokens(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	return c.listTokens(s.tokensWhereLocked(func(t *tokenRec) bool { return t.kind == kindAccount && t.profile == p.id }))
}

// createProfileToken answers POST /profile/{id}/token: the body repeats the account's
// e-mail and password (and a code with two-factor authentication), as on the platform.
func (s *Server) createProfileToken(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	var b tokenCreateBody
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	name, perm, expire, rep, good := b.common(s.now())
	if !good {
		return rep
	}
	a, rep, good := s.authenticateLocked(b.credentials())
	if !good {
		return rep
	}
	if a.id != p.fields["account"] {
		return fail(http.StatusUnauthorized, msgInvalidCredentials)
	}
	t := s.addAccountTokenLocked(p.id, name, perm, expire)
	return ok(obj{"token": t.value, "permission": perm, "expire_date": expireOut(expire)})
}

func (s *Server) deleteProfileToken(c *call) reply {
	p, rep, good := c.ownProfile(c.arg(0))
	if !good {
		return rep
	}
	t := s.tokens[c.arg(1)]
	if t == nil || t.kind != kindAccount || t.profile != p.id {
		return notFound("Token")
	}
	delete(s.tokens, t.value)
	return ok("Token Successfully Removed")
}
