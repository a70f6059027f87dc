package tagotest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProfilesCRUD(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	other := srv.AddProfile("someone else")

	var made struct{ ID string }
	r := asAccount(t, srv, "POST", "/profile/?allocate_free_resources=true", map[string]any{"name": "Staging"})
	require.Equal(t, http.StatusOK, r.code, string(r.body))
	r.decode(t, &made)
	require.Regexp(t, hexID, made.ID)
	var bare struct{ ID string }
	asAccount(t, srv, "POST", "/profile", map[string]any{"name": "Bare"}).decode(t, &bare)
	assert.Equal(t, map[string][]string{"name": {"is required"}}, asAccount(t, srv, "POST", "/profile", map[string]any{}).env.FieldErrors)

	assert.Equal(t, []string{"Bare", "Default Profile", "Staging"}, names(t, asAccount(t, srv, "GET", "/profile", nil), "name"),
		"the account's profiles, not the other account's")

	var info struct {
		Info        map[string]any
		Allocation  map[string]float64
		Addons      map[string]bool
		AccountPlan string `json:"account_plan"`
	}
	asAccount(t, srv, "GET", "/profile/current", nil).decode(t, &info)
	assert.Equal(t, srv.ProfileID(), info.Info["id"])
	assert.Equal(t, "Default Profile", info.Info["name"])
	assert.Equal(t, "2025-03-10T12:00:00.000Z", info.Info["created_at"])
	assert.Equal(t, "free", info.AccountPlan)
	assert.Equal(t, map[string]bool{"custom_dns": false, "mobile": false}, info.Addons)
	asAccount(t, srv, "GET", "/profile/"+made.ID, nil).decode(t, &info)
	assert.Equal(t, 100000.0, info.Allocation["input"], "allocated the free resources")
	asAccount(t, srv, "GET", "/profile/"+bare.ID, nil).decode(t, &info)
	assert.Equal(t, 0.0, info.Allocation["input"])
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/profile/"+other.ID, nil).code)

	assert.Equal(t, "Successfully Updated", asAccount(t, srv, "PUT", "/profile/"+made.ID, map[string]any{"name": "Stage"}).str(t))
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "PUT", "/profile/"+made.ID, map[string]any{"owner": "x"}).code)
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "PUT", "/profile/"+other.ID, map[string]any{"name": "mine now"}).code)

	// Delete needs the password; the profile's resources and tokens go with it.
	var tok struct{ Token string }
	asAccount(t, srv, "POST", "/profile/"+made.ID+"/token", map[string]any{"name": "stage", "email": DefaultEmail, "password": DefaultPassword}).decode(t, &tok)
	dev := srv.AddDevice(DeviceSpec{Name: "staging device", Profile: made.ID})
	r = asAccount(t, srv, "DELETE", "/profile/"+made.ID, map[string]any{"password": "wrong"})
	assert.Equal(t, http.StatusUnauthorized, r.code)
	assert.Equal(t, map[string][]string{"password": {"is required"}}, asAccount(t, srv, "DELETE", "/profile/"+made.ID, map[string]any{}).env.FieldErrors)
	assert.Equal(t, "Successfully Removed", asAccount(t, srv, "DELETE", "/profile/"+made.ID, map[string]any{"password": DefaultPassword}).str(t))
	assert.Equal(t, http.StatusUnauthorized, send(t, srv, "GET", "/device", "Account-Token", tok.Token, nil).code)
	_, found := srv.Device(dev.ID)
	assert.False(t, found)
	asAccount(t, srv, "DELETE", "/profile/"+bare.ID, map[string]any{"password": DefaultPassword})
	r = asAccount(t, srv, "DELETE", "/profile/"+srv.ProfileID(), map[string]any{"password": DefaultPassword})
	assert.Equal(t, http.StatusBadRequest, r.code, "the last profile stays")
}

func TestProfileSwitchAddonsServices(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	var p2 struct{ ID string }
	asAccount(t, srv, "POST", "/profile", map[string]any{"name": "Second"}).decode(t, &p2)
	srv.AddDevice(DeviceSpec{Name: "in default"})

	assert.Equal(t, http.StatusOK, asAccount(t, srv, "POST", "/profile/current/addons", map[string]any{"mobile": true}).code)
	var addons map[string]bool
	asAccount(t, srv, "GET", "/profile/current/addons", nil).decode(t, &addons)
	assert.Equal(t, map[string]bool{"custom_dns": false, "mobile": true}, addons)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", "/profile/current/addons", map[string]any{"mobile": "yes"}).code)
	assert.Equal(t, "Add-on Successfully Removed", asAccount(t, srv, "DELETE", "/profile/current/mobile", nil).str(t))
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "DELETE", "/profile/current/jukebox", nil).code)

	assert.Equal(t, http.StatusOK, asAccount(t, srv, "POST", "/profile/"+p2.ID+"/services", map[string]any{"input": 500, "sms": 2}).code)
	var info struct{ Allocation map[string]float64 }
	asAccount(t, srv, "GET", "/profile/"+p2.ID, nil).decode(t, &info)
	assert.Equal(t, 500.0, info.Allocation["input"])
	assert.Equal(t, 2.0, info.Allocation["sms"])
	assert.Equal(t, map[string][]string{"input": {"must not be negative"}}, asAccount(t, srv, "POST", "/profile/"+p2.ID+"/services", map[string]any{"input": -1}).env.FieldErrors)
	assert.Equal(t, map[string][]string{"cpu": {"is not allowed"}}, asAccount(t, srv, "POST", "/profile/"+p2.ID+"/services", map[string]any{"cpu": 1}).env.FieldErrors)

	assert.Len(t, names(t, asAccount(t, srv, "GET", "/device", nil), "name"), 1)
	assert.Equal(t, "Token Successfully Switched", asAccount(t, srv, "PUT", "/profile/switch/"+p2.ID, nil).str(t))
	assert.Empty(t, names(t, asAccount(t, srv, "GET", "/device", nil), "name"), "the token now acts for the second profile")
	var cur struct{ Info struct{ ID string } }
	asAccount(t, srv, "GET", "/profile/current", nil).decode(t, &cur)
	assert.Equal(t, p2.ID, cur.Info.ID)
	other := srv.AddProfile("x")
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "PUT", "/profile/switch/"+other.ID, nil).code)
}

func TestProfileSummaryStatistics(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	srv.AddDashboard(DashboardSpec{Label: "x"})
	srv.AddAnalysis(AnalysisSpec{Name: "a"})
	srv.AddData(dev.ID, Record{Variable: "t", Value: 1}, Record{Variable: "t", Value: 2})
	clock.t = t0.Add(2 * time.Hour)
	asDevice(t, srv, dev.Token, "POST", "/data", []map[string]any{{"variable": "t", "value": 3}})
	asDevice(t, srv, dev.Token, "GET", "/data?variable=t&qty=2", nil)

	var sum struct {
		Limit     map[string]float64
		Amount    map[string]float64
		LimitUsed map[string]float64 `json:"limit_used"`
		Addons    map[string]bool
	}
	asAccount(t, srv, "GET", "/profile/current/summary", nil).decode(t, &sum)
	assert.Equal(t, 1.0, sum.Amount["device"])
	assert.Equal(t, 1.0, sum.Amount["bucket"])
	assert.Equal(t, 1.0, sum.Amount["dashboard"])
	assert.Equal(t, 1.0, sum.Amount["analysis"])
	assert.Equal(t, 0.0, sum.Amount["action"])
	assert.Equal(t, 3.0, sum.LimitUsed["input"])
	assert.Equal(t, 2.0, sum.LimitUsed["output"])
	assert.Equal(t, 3.0, sum.LimitUsed["data_records"])
	assert.Equal(t, 100000.0, sum.Limit["input"])
	r := asAccount(t, srv, "GET", "/profile/current/summary?onlyAmount=true", nil)
	var only map[string]any
	r.decode(t, &only)
	assert.Equal(t, []string{"amount"}, sortedKeys(only))

	var stats []map[string]any
	asAccount(t, srv, "GET", "/profile/current/statistics?date=2025-03-10", nil).decode(t, &stats)
	assert.Equal(t, []map[string]any{
		{"time": "2025-03-10T12:00:00.000Z", "input": 2.0},
		{"time": "2025-03-10T14:00:00.000Z", "input": 1.0, "output": 2.0},
	}, stats)
	asAccount(t, srv, "GET", "/profile/current/statistics?start_date=2025-03-01&end_date=2025-03-31&periodicity=day", nil).decode(t, &stats)
	assert.Equal(t, []map[string]any{{"time": "2025-03-10T00:00:00.000Z", "input": 3.0, "output": 2.0}}, stats)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "GET", "/profile/current/statistics?start_date=2025-03-01&end_date=2025-03-31&periodicity=week", nil).code)
}

func TestProfileAuditLog(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	var dev struct {
		DeviceID string `json:"device_id"`
	}
	asAccount(t, srv, "POST", "/device", map[string]any{"name": "d", "network": DefaultNetworkID, "connector": DefaultConnectorID}).decode(t, &dev)
	asAccount(t, srv, "PUT", "/device/"+dev.DeviceID, map[string]any{"name": "d2"})
	asAccount(t, srv, "POST", "/dashboard", map[string]any{"label": "x"})
	srv.AddDevice(DeviceSpec{Name: "seeded"}) // seeding is not an API change

	var log struct {
		Events []map[string]any
		Status string
		ID     string `json:"queryId"`
	}
	asAccount(t, srv, "GET", "/profile/current/auditlog?resourceName=device", nil).decode(t, &log)
	assert.Equal(t, "Complete", log.Status)
	var who struct{ ID string }
	asAccount(t, srv, "GET", "/account", nil).decode(t, &who)
	assert.Equal(t, []map[string]any{
		{"resourceName": "device", "resourceID": dev.DeviceID, "message": "device updated", "who": who.ID, "date": "2025-03-10T12:00:00.000Z"},
		{"resourceName": "device", "resourceID": dev.DeviceID, "message": "device created", "who": who.ID, "date": "2025-03-10T12:00:00.000Z"},
	}, log.Events, "newest first")
	id := log.ID
	asAccount(t, srv, "GET", "/profile/current/auditlog?find=created", nil).decode(t, &log)
	assert.Len(t, log.Events, 2)
	asAccount(t, srv, "GET", "/profile/current/auditlog?limit=1", nil).decode(t, &log)
	assert.Len(t, log.Events, 1)
	log.Events = nil
	asAccount(t, srv, "GET", "/profile/current/auditlog/"+id, nil).decode(t, &log)
	assert.Len(t, log.Events, 2, "a query's answer is kept")
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/profile/current/auditlog/nope", nil).code)
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "GET", "/profile/current/auditlog?limit=0", nil).code)
}

func TestProfileTeam(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	friend := srv.AddProfile("Friend's profile")
	base := "/profile/" + srv.ProfileID() + "/team"

	assert.Equal(t, "User invited", asAccount(t, srv, "POST", base, map[string]any{"email": friend.Email}).str(t))
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", base, map[string]any{"email": friend.Email}).code, "already invited")
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", base, map[string]any{"email": DefaultEmail}).code, "the owner")
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "POST", base, map[string]any{"email": "not an address"}).code)
	asAccount(t, srv, "POST", base, map[string]any{"email": "stranger@example.com"})

	var team []map[string]any
	asAccount(t, srv, "GET", base, nil).decode(t, &team)
	require.Len(t, team, 2)
	assert.Equal(t, friend.Email, team[0]["email"])
	assert.Equal(t, false, team[0]["active"])
	assert.Equal(t, "Friend's profile", team[0]["name"])

	invite := srv.Outbox()
	require.Len(t, invite, 2)
	assert.Equal(t, "team_invitation", invite[0].Kind)
	assert.Equal(t, "Invitation declined", anon(t, srv, "GET", "/profile/team/decline/"+invite[1].Code, nil).str(t))
	assert.Equal(t, http.StatusBadRequest, anon(t, srv, "GET", "/profile/team/accept/"+invite[1].Code, nil).code, "answered already")
	assert.Equal(t, "Invitation accepted", anon(t, srv, "GET", "/profile/team/accept/"+invite[0].Code, nil).str(t))
	asAccount(t, srv, "GET", base, nil).decode(t, &team)
	require.Len(t, team, 1)
	assert.Equal(t, true, team[0]["active"])

	// The friend now sees the profile as shared, and can get a token for it.
	var login struct{ Profiles []map[string]any }
	anon(t, srv, "POST", "/account/login", map[string]any{"email": friend.Email, "password": DefaultPassword}).decode(t, &login)
	require.Len(t, login.Profiles, 2)
	assert.Equal(t, srv.ProfileID(), login.Profiles[0]["id"])
	assert.Equal(t, true, login.Profiles[0]["from_share"])
	var tok struct{ Token string }
	anon(t, srv, "POST", "/account/profile/token", map[string]any{"email": friend.Email, "password": DefaultPassword,
		"profile_id": srv.ProfileID(), "name": "shared"}).decode(t, &tok)
	srv.AddDevice(DeviceSpec{Name: "owner's"})
	assert.Equal(t, []string{"owner's"}, names(t, send(t, srv, "GET", "/device", "Account-Token", tok.Token, nil), "name"))
	var profiles []map[string]any
	send(t, srv, "GET", "/profile", "Account-Token", friend.Token, nil).decode(t, &profiles)
	assert.Len(t, profiles, 2, "a shared profile is listed too")

	assert.Equal(t, "Account Successfully Removed", asAccount(t, srv, "DELETE", base+"/"+team[0]["id"].(string), nil).str(t))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "DELETE", base+"/"+team[0]["id"].(string), nil).code)
	anon(t, srv, "POST", "/account/login", map[string]any{"email": friend.Email, "password": DefaultPassword}).decode(t, &login)
	assert.Len(t, login.Profiles, 1)
}
