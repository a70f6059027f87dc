package tago_test

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// headerRecorder is a transport that records the headers of every request by path.
type headerRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen map[string][]http.Header
}

func (r *headerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	if r.seen == nil {
		r.seen = map[string][]http.Header{}
	}
	r.seen[req.URL.Path] = append(r.seen[req.URL.Path], req.Header.Clone())
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// except returns the headers of the requests sent to paths outside prefix.
func (r *headerRecorder) except(prefix string) []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []http.Header
	for path, hs := range r.seen {
		if !strings.HasPrefix(path, prefix) {
			out = append(out, hs...)
		}
	}
	return out
}

// to returns the headers of the requests sent to path.
func (r *headerRecorder) to(path string) []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[path]
}

// anonymousClient returns a token-less client talking to srv.
func anonymousClient(t *testing.T, srv *tagotest.Server) *tago.Client {
	t.Helper()
	c, _ := flowClient(t, srv, tago.Anonymous())
	return c
}

// lastCode returns the newest one-time code or link token the fake sent of kind.
func lastCode(t *testing.T, srv *tagotest.Server, kind string) string {
	t.Helper()
	msgs := srv.Outbox()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Kind == kind {
			return msgs[i].Code
		}
	}
	t.Fatalf("no %s message in the outbox: %+v", kind, msgs)
	return ""
}

// A program holding no token logs in with e-mail and password, picks a profile from the
// answer, creates a profile token for it and works with that token.
func TestFlowLoginPickProfileCreateTokenUseIt(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	anon := anonymousClient(t, srv)
	ctx := t.Context()

	_, err := anon.Account.Login(ctx, tago.LoginRequest{Email: tagotest.DefaultEmail, Password: "wrong-password"})
	require.ErrorIs(t, err, tago.ErrUnauthorized)
	assert.NotErrorIs(t, err, tago.ErrOTPRequired)

	login, err := anon.Account.Login(ctx, tago.LoginRequest{Email: tagotest.DefaultEmail, Password: tagotest.DefaultPassword})
	require.NoError(t, err)
	assert.Equal(t, tagotest.DefaultEmail, login.Email)
	require.NotEmpty(t, login.Profiles)
	i := slices.IndexFunc(login.Profiles, func(p tago.Profile) bool { return p.ID == srv.ProfileID() })
	require.GreaterOrEqual(t, i, 0, "the account's profile is listed")
	profile := login.Profiles[i]

	tok, err := anon.Account.CreateToken(ctx, tago.AccountTokenRequest{ProfileID: profile.ID, Email: tagotest.DefaultEmail,
		Password: tagotest.DefaultPassword, Name: "flow", ExpireTime: tago.ExpiresIn("3 months")})
	require.NoError(t, err)
	require.NotEmpty(t, tok.Token.Reveal())
	assert.NotContains(t, tok.Token.String(), tok.Token.Reveal()[:30], "the token prints masked")
	for _, r := range requestsTo(srv, "POST", "/account/login") {
		assert.Empty(t, r.TokenHeader, "logins carry no token")
	}

	c, _ := flowClient(t, srv, tago.AccountToken(tok.Token.Reveal()))
	info, err := c.Profiles.Info(ctx, tago.CurrentProfile)
	require.NoError(t, err)
	assert.Equal(t, profile.ID, info.Info.ID)
	assert.Equal(t, profile.Name, info.Info.Name)
	dev := createDevice(t, c, "Made with a login token")
	_, ok := srv.Device(dev.ID)
	assert.True(t, ok)

	// The token is one of the profile's tokens: listed, then deleted, then refused.
	toks, err := c.Tokens.ListProfile(ctx, profile.ID, &tago.TokenListOptions{Name: "flow"})
	require.NoError(t, err)
	require.Len(t, toks, 1)
	require.NoError(t, accountClient(t, srv).Tokens.DeleteProfile(ctx, profile.ID, tok.Token.Reveal()))
	_, err = c.Profiles.Info(ctx, tago.CurrentProfile)
	require.ErrorIs(t, err, tago.ErrUnauthorized)
}

// An account turns on two-factor authentication; logging in then answers the
// challenge, and succeeds with the code the platform sent.
func TestFlowLoginWithTwoFactorAuthentication(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	anon := anonymousClient(t, srv)
	ctx := t.Context()
	cred := tago.Credentials{Email: tagotest.DefaultEmail, Password: tagotest.DefaultPassword}

	require.NoError(t, c.Account.EnableOTP(ctx, tago.OTPEmail, cred))
	require.NoError(t, c.Account.ConfirmOTP(ctx, tago.OTPEmail, tago.Secret(lastCode(t, srv, "pin_code"))))
	acct, err := c.Account.Info(ctx)
	require.NoError(t, err)
	assert.True(t, acct.OTP.Email)

	_, err = anon.Account.Login(ctx, tago.LoginRequest{Email: cred.Email, Password: cred.Password})
	var otp *tago.OTPRequiredError
	require.ErrorAs(t, err, &otp)
	assert.Contains(t, otp.Enabled, tago.OTPEmail)
	require.ErrorIs(t, err, tago.ErrOTPRequired)

	require.NoError(t, anon.Account.RequestLoginPIN(ctx, tago.LoginPINRequest{Email: cred.Email, Password: cred.Password, OTPType: tago.OTPEmail}))
	pin := tago.Secret(lastCode(t, srv, "pin_code"))
	login, err := anon.Account.Login(ctx, tago.LoginRequest{Email: cred.Email, Password: cred.Password, OTPType: tago.OTPEmail, PinCode: pin})
	require.NoError(t, err)
	require.NotEmpty(t, login.Profiles)

	_, err = anon.Account.CreateToken(ctx, tago.AccountTokenRequest{ProfileID: login.Profiles[0].ID, Email: cred.Email, Password: cred.Password, Name: "no code"})
	require.ErrorIs(t, err, tago.ErrOTPRequired)
	tok, err := anon.Account.CreateToken(ctx, tago.AccountTokenRequest{ProfileID: login.Profiles[0].ID, Email: cred.Email, Password: cred.Password,
		Name: "with code", OTPType: tago.OTPEmail, PinCode: pin})
	require.NoError(t, err)
	assert.NotEmpty(t, tok.Token.Reveal())

	require.NoError(t, c.Account.DisableOTP(ctx, tago.OTPEmail, cred))
	_, err = anon.Account.Login(ctx, tago.LoginRequest{Email: cred.Email, Password: cred.Password})
	require.NoError(t, err)
}

// The token-less account routes: creating an account, confirming it, recovering a
// password, and a team invitation accepted by the invited account.
func TestFlowAccountLifecycleWithoutATokenOfItsOwn(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	anon := anonymousClient(t, srv)
	ctx := t.Context()

	const email, password = "new.user@example.com", tago.Secret("a-long-password-1")
	require.NoError(t, anon.Account.Create(ctx, tago.AccountCreateRequest{Name: "New User", Email: email, Password: password, Timezone: "UTC"}))
	require.NoError(t, anon.Account.ResendConfirmation(ctx, email))
	require.NoError(t, anon.Account.ConfirmAccount(ctx, lastCode(t, srv, "confirmation")))
	login, err := anon.Account.Login(ctx, tago.LoginRequest{Email: email, Password: password})
	require.NoError(t, err)
	assert.Equal(t, email, login.Email)
	require.ErrorIs(t, anon.Account.ConfirmAccount(ctx, "not-a-confirmation"), tago.ErrBadRequest)

	require.NoError(t, anon.Account.RecoverPassword(ctx, tagotest.DefaultEmail))
	assert.NotEmpty(t, lastCode(t, srv, "password_reset"))

	require.NoError(t, c.Profiles.AddTeamMember(ctx, srv.ProfileID(), email))
	require.NoError(t, anon.Account.AcceptTeamInvitation(ctx, lastCode(t, srv, "team_invitation")))
	login, err = anon.Account.Login(ctx, tago.LoginRequest{Email: email, Password: password})
	require.NoError(t, err)
	shared := slices.IndexFunc(login.Profiles, func(p tago.Profile) bool { return p.ID == srv.ProfileID() })
	require.GreaterOrEqual(t, shared, 0, "the shared profile is listed after accepting")
	assert.True(t, login.Profiles[shared].FromShare)
	team, err := c.Profiles.TeamMembers(ctx, srv.ProfileID())
	require.NoError(t, err)
	require.Len(t, team, 1)
	assert.Equal(t, email, team[0].Email)
	require.NoError(t, c.Profiles.RemoveTeamMember(ctx, srv.ProfileID(), team[0].ID))
}

// A profile is created, described, renamed, summarised and deleted with the account's
// password.
func TestFlowProfileLifecycle(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()

	id, err := c.Profiles.Create(ctx, tago.ProfileCreateRequest{Name: "Staging", AllocateFreeResources: true})
	require.NoError(t, err)
	profiles, err := c.Profiles.List(ctx)
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(profiles, func(p tago.Profile) bool { return p.ID == id && p.Name == "Staging" }))
	require.NoError(t, c.Profiles.Edit(ctx, id, tago.ProfileEditRequest{Name: tago.Ptr("Staging 2")}))
	info, err := c.Profiles.Info(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Staging 2", info.Info.Name)

	createDevice(t, c, "Counted")
	sum, err := c.Profiles.Summary(ctx, srv.ProfileID(), true)
	require.NoError(t, err)
	assert.Equal(t, int64(1), sum.Amount.Device)
	_, err = c.Profiles.Statistics(ctx, srv.ProfileID(), nil)
	require.NoError(t, err)

	err = c.Profiles.Delete(ctx, id, tago.ProfileDeleteRequest{Password: "wrong"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "wrong")
	require.NoError(t, c.Profiles.Delete(ctx, id, tago.ProfileDeleteRequest{Password: tagotest.DefaultPassword}))
	_, err = c.Profiles.Info(ctx, id)
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// An analysis is created, its script uploaded, run with a scope, and the script
// downloaded back byte for byte, through a link fetched without the token.
func TestFlowAnalysisScriptRunAndDownload(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	rec := &headerRecorder{next: http.DefaultTransport}
	c := accountClient(t, srv, tago.WithHTTPClient(&http.Client{Transport: rec}))
	ctx := t.Context()

	created, err := c.Analyses.Create(ctx, tago.AnalysisCreateRequest{Name: "Alarm", Runtime: tago.RuntimeDeno,
		Variables: []tago.AnalysisVariable{{Key: "LIMIT", Value: "30"}}, Tags: []tago.Tag{{Key: "kind", Value: "alarm"}}})
	require.NoError(t, err)
	require.NotEmpty(t, created.Token.Reveal())

	script := []byte("// alarm\nexport default async (ctx: unknown, scope: unknown[]) => {\n  console.log(\"é\", scope);\n}\n\x00\xff")
	require.NoError(t, c.Analyses.UploadScript(ctx, created.ID, tago.Script{Name: "main.ts", Runtime: tago.RuntimeDeno, Content: script}))
	v2 := append(bytes.Clone(script), "// v2\n"...)
	require.NoError(t, c.Analyses.UploadScriptFrom(ctx, created.ID, "main.ts", tago.RuntimeDeno, bytes.NewReader(v2)))

	res, err := c.Analyses.Run(ctx, created.ID, tago.Data{Variable: "temperature", Value: 31.5, Unit: "C"})
	require.NoError(t, err)
	runs := srv.AnalysisRuns()
	require.Len(t, runs, 1)
	assert.Equal(t, created.ID, runs[0].Analysis)
	assert.Equal(t, "api", runs[0].Origin)
	assert.JSONEq(t, `[{"variable":"temperature","value":31.5,"unit":"C"}]`, string(runs[0].Scope))
	if res.AnalysisToken != "" {
		assert.Equal(t, runs[0].Token, res.AnalysisToken.Reveal())
	}

	var latest, first bytes.Buffer
	n, err := c.Analyses.DownloadScript(ctx, created.ID, 0, &latest)
	require.NoError(t, err)
	assert.Equal(t, int64(len(v2)), n)
	assert.Equal(t, v2, latest.Bytes(), "the current script, byte for byte")
	_, err = c.Analyses.DownloadScript(ctx, created.ID, 1, &first)
	require.NoError(t, err)
	assert.Equal(t, script, first.Bytes(), "the first version, byte for byte")
	// Every request but the API's is a fetch of a link: two downloads, two fetches,
	// none of them with the token.
	fetches := rec.except("/analysis")
	require.Len(t, fetches, 2, "each download fetched its link once")
	for _, hdr := range fetches {
		for _, h := range []string{"Account-Token", "Device-Token", "Analysis-Token", "Token", "Authorization"} {
			assert.Empty(t, hdr.Values(h), "the link is fetched without the token (%s)", h)
		}
	}
	assert.Len(t, rec.to("/analysis/"+created.ID+"/download"), 2, "the API gave two links")

	info, err := c.Analyses.Info(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, "main.ts", info.FileName)
	assert.Equal(t, tago.RuntimeDeno, info.Runtime)
	assert.Equal(t, []tago.AnalysisVariable{{Key: "LIMIT", Value: "30"}}, info.Variables)

	list, err := c.Analyses.List(ctx, &tago.AnalysisListOptions{Tags: []tago.Tag{{Key: "kind", Value: "alarm"}}})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.NoError(t, c.Analyses.Delete(ctx, created.ID))
	_, err = c.Analyses.DownloadScript(ctx, created.ID, 0, &bytes.Buffer{})
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// A dashboard's widget button runs an analysis; the dashboard lists the analysis.
func TestFlowWidgetButtonRunsAnAnalysis(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()
	an := srv.AddAnalysis(tagotest.AnalysisSpec{Name: "Reset"})
	dash := srv.AddDashboard(tagotest.DashboardSpec{Label: "Ops"})
	w, err := c.Dashboards.CreateWidget(ctx, dash.ID, tago.WidgetCreateRequest{Label: "Reset", Type: "header", AnalysisRun: an.ID})
	require.NoError(t, err)

	require.NoError(t, c.Analyses.RunFromWidget(ctx, an.ID, dash.ID, w, tago.Data{Variable: "button", Value: "reset"}))
	runs := srv.AnalysisRuns()
	require.Len(t, runs, 1)
	assert.Equal(t, "widget:"+dash.ID+"/"+w, runs[0].Origin)
	related, err := c.Analyses.RelatedToDashboard(ctx, dash.ID)
	require.NoError(t, err)
	assert.Equal(t, []tago.AnalysisRef{{ID: an.ID, Name: "Reset"}}, related)
}

// An action runs an analysis when a device's temperature passes a threshold, and
// reads back with its typed trigger and task.
func TestFlowActionRunsAnAnalysisOnAThreshold(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()
	dev := createDevice(t, c, "Freezer")
	an, err := c.Analyses.Create(ctx, tago.AnalysisCreateRequest{Name: "Alarm"})
	require.NoError(t, err)

	hot := tago.VariableTrigger{Device: dev.ID, Variable: "temperature", Is: tago.CondGreater, Value: "30", ValueType: tago.CompareNumber}
	id, err := c.Actions.Create(ctx, tago.ActionCreateRequest{Name: "Too hot", Active: tago.Ptr(true),
		Triggers: []tago.ActionTrigger{hot}, Task: tago.RunAnalysis{Analyses: []string{an.ID}}, Tags: []tago.Tag{{Key: "kind", Value: "alarm"}}})
	require.NoError(t, err)

	devClient, _ := flowClient(t, srv, tago.DeviceToken(dev.Token.Reveal()))
	_, err = devClient.Data.Send(ctx, tago.Data{Variable: "temperature", Value: 25})
	require.NoError(t, err)
	assert.Empty(t, srv.AnalysisRuns(), "25 does not pass 30")
	_, err = devClient.Data.Send(ctx, tago.Data{Variable: "temperature", Value: 31})
	require.NoError(t, err)
	runs := srv.AnalysisRuns()
	require.Len(t, runs, 1)
	assert.Equal(t, an.ID, runs[0].Analysis)
	assert.Equal(t, "action:"+id, runs[0].Origin)
	assert.Contains(t, string(runs[0].Scope), `"temperature"`)

	got, err := c.Actions.Info(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, tago.ActionByVariable, got.Type)
	assert.Equal(t, []tago.ActionTrigger{hot}, got.Triggers)
	assert.Equal(t, tago.RunAnalysis{Analyses: []string{an.ID}}, got.Task)
	assert.False(t, got.LastTriggered.IsZero())

	require.NoError(t, c.Actions.Edit(ctx, id, tago.ActionEditRequest{Active: tago.Ptr(false)}))
	_, err = devClient.Data.Send(ctx, tago.Data{Variable: "temperature", Value: 40})
	require.NoError(t, err)
	assert.Len(t, srv.AnalysisRuns(), 1, "an inactive action does not run")

	keys, err := c.Tags.Keys(ctx, tago.TagActions)
	require.NoError(t, err)
	assert.Equal(t, []string{"kind"}, keys)
	n := 0
	for a, err := range c.Actions.All(ctx, &tago.ActionListOptions{Type: tago.ActionByVariable}) {
		require.NoError(t, err)
		assert.Equal(t, id, a.ID)
		n++
	}
	assert.Equal(t, 1, n)
	require.NoError(t, c.Actions.Delete(ctx, id))
	_, err = c.Actions.Info(ctx, id)
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// A secret is stored, read back (its key and length; never its value), changed and
// deleted.
func TestFlowSecretCreateAndReadBack(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()
	const value = tago.Secret("SG.0123456789abcdef")

	id, err := c.Secrets.Create(ctx, tago.SecretCreateRequest{Key: "SENDGRID_KEY", Value: value, Tags: []tago.Tag{{Key: "env", Value: "prod"}}})
	require.NoError(t, err)
	got, err := c.Secrets.Info(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "SENDGRID_KEY", got.Key)
	assert.Equal(t, len(value), got.ValueLength)
	assert.Equal(t, []tago.Tag{{Key: "env", Value: "prod"}}, got.Tags)
	for _, r := range srv.Requests() {
		if r.Method == "GET" {
			assert.NotContains(t, string(r.Body), value.Reveal())
		}
	}

	_, err = c.Secrets.Create(ctx, tago.SecretCreateRequest{Key: "SENDGRID_KEY", Value: "other"})
	require.ErrorIs(t, err, tago.ErrBadRequest, "keys are unique")

	require.NoError(t, c.Secrets.Edit(ctx, id, tago.SecretEditRequest{Value: "short"}))
	got, err = c.Secrets.Info(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 5, got.ValueLength)
	list, err := c.Secrets.List(ctx, &tago.SecretListOptions{Key: "SENDGRID*"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, id, list[0].ID)

	require.NoError(t, c.Secrets.Delete(ctx, id))
	_, err = c.Secrets.Info(ctx, id)
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// An access policy lets TagoRUN users read the devices whose tag matches theirs.
func TestFlowAccessPolicy(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()
	perms := []tago.AccessPermission{{Effect: tago.Allow, Actions: []tago.AccessAction{tago.AccessRead},
		Resource: tago.MatchTagKey("device", "customer")}}
	targets := []tago.AccessMatch{tago.MatchTagKey(tago.TargetRunUsers, "customer")}

	id, err := c.Access.Create(ctx, tago.AccessCreateRequest{Name: "Customers see their devices", Permissions: perms, Targets: targets})
	require.NoError(t, err)
	got, err := c.Access.Info(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Customers see their devices", got.Name)
	assert.True(t, got.Active)
	assert.Equal(t, perms, got.Permissions)
	assert.Equal(t, targets, got.Targets)

	// The platform documents ["run_user"] (every run user) as a target, next to one
	// user by ID.
	every, user := tago.MatchAll(tago.TargetRunUsers), tago.MatchID(tago.TargetRunUsers, srv.ProfileID())
	require.NoError(t, c.Access.Edit(ctx, id, tago.AccessEditRequest{Active: tago.Ptr(false), Targets: []tago.AccessMatch{every, user}}))
	list, err := c.Access.List(ctx, &tago.AccessListOptions{Active: tago.Ptr(false), ListOptions: tago.ListOptions{Fields: []string{"id", "targets"}}})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, []tago.AccessMatch{every, user}, list[0].Targets)
	global, err := c.Access.Create(ctx, tago.AccessCreateRequest{Name: "Every analysis reads devices",
		Targets:     []tago.AccessMatch{tago.MatchAll(tago.TargetAnalyses)},
		Permissions: []tago.AccessPermission{{Effect: tago.Allow, Actions: []tago.AccessAction{tago.AccessRead}, Resource: tago.MatchAll("device")}}})
	require.NoError(t, err)
	require.NoError(t, c.Access.Delete(ctx, global))
	require.NoError(t, c.Access.Delete(ctx, id))
	_, err = c.Access.Info(ctx, id)
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// Every trigger and task the SDK types is taken by the fake, which checks actions as
// the platform documents them, and reads back as the same typed value.
func TestFlowEveryActionKindRoundTrips(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()
	dev := createDevice(t, c, "Watched")
	an, err := c.Analyses.Create(ctx, tago.AnalysisCreateRequest{Name: "Target"})
	require.NoError(t, err)
	secret, err := c.Secrets.Create(ctx, tago.SecretCreateRequest{Key: "API_KEY", Value: "v"})
	require.NoError(t, err)
	run := tago.RunAnalysis{Analyses: []string{an.ID}}
	hot := tago.VariableTrigger{Device: dev.ID, Variable: "temperature", Is: tago.CondGreater, Value: "30", ValueType: tago.CompareNumber}

	triggers := map[string]tago.ActionTrigger{
		"variable by tag":  tago.VariableTrigger{TagKey: "site", TagValue: "north", Variable: "level", Is: tago.CondGreater, Value: "80", ValueType: tago.CompareNumber},
		"variable between": tago.VariableTrigger{Device: dev.ID, Variable: "level", Is: tago.CondBetween, Value: "1", SecondValue: "5", ValueType: tago.CompareNumber},
		"resource":         tago.ResourceTrigger{Resource: tago.ResourceDevice, When: tago.OnCreate},
		"interval":         tago.IntervalTrigger{Interval: "15 minutes"},
		"schedule":         tago.ScheduleTrigger{Cron: "0 8 * * 1", Timezone: "UTC"},
		"mqtt topic":       tago.MQTTTopicTrigger{Device: dev.ID, Topic: "up/#"},
		"usage alert":      tago.UsageAlertTrigger{ServiceOrResource: tago.UsageDataRecords, Condition: ">", ConditionValue: 90},
		"geofence":         tago.GeofenceTrigger{Device: dev.ID, Variable: "location", Is: tago.Outside, Value: tago.Geofence{Center: []float64{-46.6, -23.5}, Radius: 500}},
	}
	for name, trig := range triggers {
		id, err := c.Actions.Create(ctx, tago.ActionCreateRequest{Name: name, Triggers: []tago.ActionTrigger{trig}, Task: run})
		require.NoError(t, err, name)
		got, err := c.Actions.Info(ctx, id)
		require.NoError(t, err, name)
		assert.Equal(t, trig.TriggerType(), got.Type, name)
		assert.Equal(t, []tago.ActionTrigger{trig}, got.Triggers, name)
	}
	tasks := map[string]tago.ActionTask{
		"notify":      tago.NotifyAccount{Subject: "S", Message: "M"},
		"e-mail":      tago.SendEmail{To: "a@example.com", Subject: "S", Message: "M"},
		"sms":         tago.SendSMS{To: "+15551234567", Message: "M"},
		"mqtt":        tago.PublishMQTT{Device: dev.ID, Topic: "down", Payload: "$VALUE$"},
		"webhook":     tago.PostWebhook{URL: "https://example.com/hook", Headers: map[string]string{"X-Key": "k"}},
		"twilio":      tago.SendSMSTwilio{To: "+1555", From: "+1666", Message: "M", SIDSecret: secret, TokenSecret: secret},
		"sendgrid":    tago.SendEmailSendGrid{From: "n@example.com", To: "a@example.com", Subject: "S", Message: "M", APIKeySecret: secret},
		"smtp":        tago.SendEmailSMTP{From: "n@example.com", To: "a@example.com", Subject: "S", Message: "M", SMTPSecret: secret},
		"sqs":         tago.SendSQS{SQSSecret: secret, BatchEnabled: true},
		"two scripts": tago.RunAnalysis{Analyses: []string{an.ID, an.ID}},
	}
	for name, task := range tasks {
		id, err := c.Actions.Create(ctx, tago.ActionCreateRequest{Name: name, Triggers: []tago.ActionTrigger{hot}, Task: task})
		require.NoError(t, err, name)
		got, err := c.Actions.Info(ctx, id)
		require.NoError(t, err, name)
		assert.Equal(t, task, got.Task, name)
	}
}

// Arguments the SDK refuses never reach the fake.
func TestFlowAutomationBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	anon := anonymousClient(t, srv)
	ctx := t.Context()
	srv.ClearRequests()
	calls := map[string]func() error{
		"login without a password": func() error {
			_, err := anon.Account.Login(ctx, tago.LoginRequest{Email: tagotest.DefaultEmail})
			return err
		},
		"an account route without a token": func() error { _, err := anon.Account.Info(ctx); return err },
		"a script over 5 MB": func() error {
			return c.Analyses.UploadScript(ctx, srv.ProfileID(), tago.Script{Name: "a.js", Runtime: tago.RuntimeNode, Content: make([]byte, tago.MaxScriptSize+1)})
		},
		"an action mixing trigger kinds": func() error {
			_, err := c.Actions.Create(ctx, tago.ActionCreateRequest{Name: "x", Task: tago.NotifyAccount{Message: "m"},
				Triggers: []tago.ActionTrigger{tago.IntervalTrigger{Interval: "1 hour"}, tago.ScheduleTrigger{Cron: "* * * * *"}}})
			return err
		},
		"a secret without a value": func() error { _, err := c.Secrets.Create(ctx, tago.SecretCreateRequest{Key: "K"}); return err },
		"a policy targeting devices": func() error {
			_, err := c.Access.Create(ctx, tago.AccessCreateRequest{Name: "p", Targets: []tago.AccessMatch{tago.MatchAll("device")},
				Permissions: []tago.AccessPermission{{Effect: tago.Allow, Actions: []tago.AccessAction{tago.AccessRead}, Resource: tago.MatchAll("device")}}})
			return err
		},
		"an add-on that is a route": func() error { return c.Profiles.RemoveAddOn(ctx, srv.ProfileID(), "token") },
	}
	for name, call := range calls {
		err := call()
		require.Error(t, err, name)
		assert.True(t, errors.Is(err, tago.ErrInvalidInput) || errors.Is(err, tago.ErrTokenKind), "%s: %v", name, err)
	}
	assert.Empty(t, srv.Requests())
}
