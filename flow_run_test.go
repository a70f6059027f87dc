package tago_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlowRunUserStory runs issue 15's story on tagotest: an administrator creates a
// run user; the user logs in with the run-user client, stores and reads SDB values,
// receives the notification the administrator created and marks it read; the
// administrator logs in as the user; a wrong password and an expired token are typed
// errors.
func TestFlowRunUserStory(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := now
	srv := tagotest.NewServer(t, tagotest.WithClock(func() time.Time { return clock }))
	admin := accountClient(t, srv)
	ctx := t.Context()

	run, err := admin.Run.Info(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, run.URL)
	require.NoError(t, admin.Run.Edit(ctx, tago.RunEditRequest{Name: tago.Ptr("Plant app")}))

	userID, err := admin.Run.CreateUser(ctx, tago.RunUserCreateRequest{Name: "Ana", Email: "ana@example.com",
		Password: "an4-pass", Timezone: "UTC", Tags: []tago.Tag{{Key: "plan", Value: "gold"}}})
	require.NoError(t, err)
	users, err := admin.Run.Users(ctx, &tago.RunUserListOptions{Tags: []tago.Tag{{Key: "plan", Value: "gold"}}})
	require.NoError(t, err)
	assert.Equal(t, []tago.RunUser{{ID: userID, Name: "Ana"}}, users)

	// The user's app logs in without a token.
	anon, _ := flowClient(t, srv, tago.Anonymous())
	_, err = anon.RunUser(run.URL).Login(ctx, tago.RunUserLoginRequest{Email: "ana@example.com", Password: "wrong"})
	require.ErrorIs(t, err, tago.ErrUnauthorized, "a wrong password is refused")
	session, err := anon.RunUser(run.URL).Login(ctx, tago.RunUserLoginRequest{Email: "ana@example.com", Password: "an4-pass"})
	require.NoError(t, err)
	assert.Equal(t, tago.ExpiresAt(now.Add(8*time.Hour)), session.ExpireDate)

	userClient, _ := flowClient(t, srv, tago.RunUserToken(session.Token.Reveal()))
	me := userClient.RunUser(run.URL)
	info, err := me.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, userID, info.ID)
	assert.Equal(t, "ana@example.com", info.Email)

	// SDB: the user's own key/value store.
	require.NoError(t, me.SDBSet(ctx, "theme", `{"mode":"dark"}`))
	v, err := me.SDBGet(ctx, "theme")
	require.NoError(t, err)
	var stored string
	require.NoError(t, json.Unmarshal(v, &stored))
	assert.Equal(t, `{"mode":"dark"}`, stored)
	require.NoError(t, me.SDBDelete(ctx, "theme"))
	_, err = me.SDBGet(ctx, "theme")
	require.ErrorIs(t, err, tago.ErrNotFound)

	// A notification from the administrator reaches the user, who marks it read.
	nid, err := admin.Run.CreateNotification(ctx, userID, tago.NotificationCreateRequest{Title: "Welcome", Message: "Hello Ana"})
	require.NoError(t, err)
	unread, err := me.Notifications(ctx, &tago.NotificationListOptions{Read: tago.Ptr(false)})
	require.NoError(t, err)
	require.Len(t, unread, 1)
	assert.Equal(t, nid, unread[0].ID)
	assert.Equal(t, "Welcome", unread[0].Title)
	require.NoError(t, me.MarkRead(ctx, nid))
	unread, err = me.Notifications(ctx, &tago.NotificationListOptions{Read: tago.Ptr(false)})
	require.NoError(t, err)
	assert.Empty(t, unread)
	seen, err := admin.Run.UserNotifications(ctx, userID)
	require.NoError(t, err)
	require.Len(t, seen, 1)
	assert.True(t, seen[0].Read)

	// The administrator logs in as the user; the token works on the user's side.
	as, err := admin.Run.LoginAsUser(ctx, userID, tago.ExpiresIn("1 day"))
	require.NoError(t, err)
	assert.Equal(t, userID, as.RunUser)
	asClient, _ := flowClient(t, srv, tago.RunUserToken(as.Token.Reveal()))
	_, err = asClient.RunUser(run.URL).Info(ctx)
	require.NoError(t, err)

	// The session expires after the run's token lifetime.
	clock = now.Add(9 * time.Hour)
	_, err = me.Info(ctx)
	require.ErrorIs(t, err, tago.ErrUnauthorized, "an expired token is refused")
	_, err = asClient.RunUser(run.URL).Info(ctx)
	require.NoError(t, err, "the day-long token still works")

	// A run-user token is not a key to another run, nor to the administration.
	_, err = asClient.Run.Info(ctx)
	require.ErrorIs(t, err, tago.ErrTokenKind)
	_, err = asClient.RunUser("other.run.tagotest").Info(ctx)
	require.ErrorIs(t, err, tago.ErrNotFound)
}

// TestFlowRunSignupNeedsConfirmation checks the self-service path: a user who signs up
// cannot log in until the e-mailed confirmation is used.
func TestFlowRunSignupNeedsConfirmation(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	admin := accountClient(t, srv)
	ctx := t.Context()
	run, err := admin.Run.Info(ctx)
	require.NoError(t, err)
	anon, _ := flowClient(t, srv, tago.Anonymous())
	u := anon.RunUser(run.URL)

	id, err := u.Signup(ctx, tago.RunUserSignupRequest{Name: "Bo", Email: "bo@example.com", Password: "b0-pass", Timezone: "UTC"})
	require.NoError(t, err)
	require.NotEmpty(t, id)
	_, err = u.Signup(ctx, tago.RunUserSignupRequest{Name: "Bo 2", Email: "BO@example.com", Password: "x", Timezone: "UTC"})
	require.ErrorIs(t, err, tago.ErrBadRequest, "an e-mail signs up once")

	_, err = u.Login(ctx, tago.RunUserLoginRequest{Email: "bo@example.com", Password: "b0-pass"})
	require.ErrorIs(t, err, tago.ErrUnauthorized, "an unconfirmed user cannot log in")

	var token string
	for _, m := range srv.Outbox() {
		if m.To == "bo@example.com" && m.Kind == "confirmation" {
			token = m.Code
		}
	}
	require.NotEmpty(t, token)
	require.NoError(t, u.Confirm(ctx, tago.Secret(token)))
	_, err = u.Login(ctx, tago.RunUserLoginRequest{Email: "bo@example.com", Password: "b0-pass"})
	require.NoError(t, err)

	got, err := admin.Run.UserInfo(ctx, id)
	require.NoError(t, err)
	assert.True(t, got.Active)
}

// TestFlowRunUserOneTimeCode checks a run user's two-factor login: enabling e-mail
// codes, the login refused without a code, and accepted with the one sent.
func TestFlowRunUserOneTimeCode(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	admin := accountClient(t, srv)
	ctx := t.Context()
	run, err := admin.Run.Info(ctx)
	require.NoError(t, err)
	id, err := admin.Run.CreateUser(ctx, tago.RunUserCreateRequest{Name: "Cy", Email: "cy@example.com", Password: "cy-pass", Timezone: "UTC"})
	require.NoError(t, err)
	session, err := admin.Run.LoginAsUser(ctx, id, tago.Expiry{})
	require.NoError(t, err)
	userClient, _ := flowClient(t, srv, tago.RunUserToken(session.Token.Reveal()))
	me := userClient.RunUser(run.URL)

	lastCode := func() string {
		out := srv.Outbox()
		require.NotEmpty(t, out)
		return out[len(out)-1].Code
	}
	require.NoError(t, me.EnableOTP(ctx, tago.OTPEmail, "cy@example.com", "cy-pass"))
	require.NoError(t, me.ConfirmOTP(ctx, tago.OTPEmail, tago.Secret(lastCode())))
	info, err := me.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, &tago.OTPMethods{Email: true}, info.OTP)

	anon, _ := flowClient(t, srv, tago.Anonymous())
	u := anon.RunUser(run.URL)
	_, err = u.Login(ctx, tago.RunUserLoginRequest{Email: "cy@example.com", Password: "cy-pass"})
	require.ErrorIs(t, err, tago.ErrUnauthorized, "a login without the code is challenged")
	var challenge *tago.OTPRequiredError
	require.ErrorAs(t, err, &challenge)
	assert.Equal(t, []tago.OTPType{tago.OTPEmail}, challenge.Enabled)
	assert.Equal(t, tago.OTPEmail, challenge.AutoSent)
	_, err = u.Login(ctx, tago.RunUserLoginRequest{Email: "cy@example.com", Password: "cy-pass", OTPType: tago.OTPEmail, PINCode: tago.Secret(lastCode())})
	require.NoError(t, err)
}
