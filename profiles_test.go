package tago

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resProfile2ID is a second profile for transfers.
const resProfile2ID = "63cc00dd11ee22ff33004499"

func TestProfilesOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2022, 2, 2, 16, 44, 9, 134e6, time.UTC)
	day := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "list", method: "GET", path: "/profile",
			result: `[{"id":"` + resProfileID + `","name":"Main","logo_url":null},{"id":"` + resProfile2ID + `","name":"Shared","from_share":true,"account":"` + resDeviceID + `"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Profiles.List(ctx) },
			want:   []Profile{{ID: resProfileID, Name: "Main"}, {ID: resProfile2ID, Name: "Shared", FromShare: true, Account: resDeviceID}},
		},
		{
			name: "info", method: "GET", path: "/profile/" + resProfileID,
			result: `{"account_plan":"starter","addons":{"control_tower":true,"custom_dns":false,"mobile":false,"profile":"` + resProfileID + `"},` +
				`"allocation":{"analysis":5,"data_records":250000,"email":10,"file_storage":132.5,"input":350000,"output":342153,"push_notification":58,"run_users":5,"sms":60},` +
				`"info":{"account":"` + resDeviceID + `","banner_url":null,"created_at":"2022-02-02T16:44:09.134Z","id":"` + resProfileID + `","logo_url":"",` +
				`"name":"Test Profile","region":"us-1","rpm":{"data_input":98283293,"data_output":10},"updated_at":"2022-02-02T16:44:09.134Z"}}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Profiles.Info(ctx, resProfileID) },
			want: ProfileInfo{
				Info: ProfileDetails{ID: resProfileID, Account: resDeviceID, Name: "Test Profile", Region: "us-1",
					RPM: &DeviceRPM{DataInput: 98283293, DataOutput: 10}, CreatedAt: created, UpdatedAt: created},
				Allocation: ProfileLimits{Analysis: 5, DataRecords: 250000, Email: 10, FileStorage: 132.5, Input: 350000, Output: 342153,
					PushNotification: 58, RunUsers: 5, SMS: 60},
				AddOns: ProfileAddOns{ControlTower: true}, AccountPlan: "starter",
			},
		},
		{
			name: "info of the current profile", method: "GET", path: "/profile/current",
			result: `{"info":{"id":"` + resProfileID + `","name":"Main"}}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Profiles.Info(ctx, CurrentProfile) },
			want:   ProfileInfo{Info: ProfileDetails{ID: resProfileID, Name: "Main"}},
		},
		{
			name: "summary", method: "GET", path: "/profile/" + resProfileID + "/summary",
			result: `{"addons":{"mobile":true},"amount":{"action":37,"am":5,"analysis":18,"connectors":32,"dashboard":231,"device":79,` +
				`"dictionary":7,"networks":9,"run_users":5,"tcore":2,"tcore_cluster":2},"limit":{"input":350000,"tcore":1},` +
				`"limit_used":{"dashboard_output":65,"input":43463,"file_storage":49.89},"tago_run":"acme.tago.run"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Profiles.Summary(ctx, resProfileID, false) },
			want: ProfileSummary{Limit: ProfileLimits{Input: 350000, TCore: 1}, LimitUsed: ProfileLimits{DashboardOutput: 65, Input: 43463, FileStorage: 49.89},
				Amount: ProfileAmounts{Action: 37, AM: 5, Analysis: 18, Connectors: 32, Dashboard: 231, Device: 79, Dictionary: 7,
					Networks: 9, RunUsers: 5, TCore: 2, TCoreCluster: 2},
				AddOns: ProfileAddOns{Mobile: true}, TagoRun: "acme.tago.run"},
		},
		{
			name: "summary, amounts only", method: "GET", path: "/profile/" + resProfileID + "/summary", query: "onlyAmount=true",
			result: `{"amount":{"device":3}}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Profiles.Summary(ctx, resProfileID, true) },
			want:   ProfileSummary{Amount: ProfileAmounts{Device: 3}},
		},
		{
			name: "create", method: "POST", path: "/profile/", status: http.StatusCreated,
			body: `{"name":"Staging"}`, result: `{"id":"` + resProfile2ID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Profiles.Create(ctx, ProfileCreateRequest{Name: "Staging"})
			},
			want: resProfile2ID,
		},
		{
			name: "create with the free resources", method: "POST", path: "/profile/", query: "allocate_free_resources=true",
			body: `{"name":"Staging"}`, result: `{"id":"` + resProfile2ID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Profiles.Create(ctx, ProfileCreateRequest{Name: "Staging", AllocateFreeResources: true})
			},
			want: resProfile2ID,
		},
		{
			name: "edit", method: "PUT", path: "/profile/" + resProfileID, result: `"Successfully Updated"`,
			body: `{"name":"Renamed","logo_url":"https://example.com/logo.png"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Profiles.Edit(ctx, resProfileID, ProfileEditRequest{Name: Ptr("Renamed"), LogoURL: Ptr("https://example.com/logo.png")}))
			},
		},
		{
			name: "delete with password and code", method: "DELETE", path: "/profile/" + resProfileID, result: `"Successfully Removed"`,
			body: `{"password":"` + testPassword + `","pin_code":"` + testPIN + `","otp_type":"authenticator"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Profiles.Delete(ctx, resProfileID, ProfileDeleteRequest{Password: testPassword, PinCode: testPIN, OTPType: OTPAuthenticator}))
			},
		},
		{
			name: "statistics of today", method: "GET", path: "/profile/" + resProfileID + "/statistics",
			result: `[{"data_records":151611,"file_storage":49.89,"input":39933,"output":1272,"time":"2023-11-08T04:01:36.124Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Profiles.Statistics(ctx, resProfileID, nil)
			},
			want: []UsageStatistic{{Time: time.Date(2023, 11, 8, 4, 1, 36, 124e6, time.UTC),
				ProfileLimits: ProfileLimits{DataRecords: 151611, FileStorage: 49.89, Input: 39933, Output: 1272}}},
		},
		{
			name: "statistics of a day", method: "GET", path: "/profile/" + resProfileID + "/statistics",
			query: "date=2024-09-01T00:00:00.000Z&timezone=America/Sao_Paulo", result: `[]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Profiles.Statistics(ctx, resProfileID, &StatisticsOptions{Date: day, Timezone: "America/Sao_Paulo"})
			},
			want: []UsageStatistic{},
		},
		{
			name: "statistics of a range", method: "GET", path: "/profile/" + resProfileID + "/statistics",
			query:  "start_date=2024-09-01T00:00:00.000Z&end_date=2024-12-31T00:00:00.000Z&periodicity=day",
			result: `[{"time":"2024-09-02T00:01:29.749Z","analysis":0.07}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Profiles.Statistics(ctx, resProfileID, &StatisticsOptions{Start: day, End: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), Periodicity: PerDay})
			},
			want: []UsageStatistic{{Time: time.Date(2024, 9, 2, 0, 1, 29, 749e6, time.UTC), ProfileLimits: ProfileLimits{Analysis: 0.07}}},
		},
		{
			name: "audit log", method: "GET", path: "/profile/" + resProfileID + "/auditlog",
			query: "resourceID=" + resDeviceID + "&resourceName=device&find=*created*&start_date=2024-09-01T00:00:00.000Z" +
				"&end_date=2024-09-08T00:00:00.000Z&limit=50",
			result: `{"events":[{"resourceName":"device","message":"Device created","resourceID":"` + resDeviceID + `","who":"` + resProfileID + `",` +
				`"date":"2024-09-02T10:00:00.000Z"}],"statistics":{"recordsMatched":1,"recordsScanned":10,"bytesScanned":2048},"status":"Complete","queryId":"q-1"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Profiles.AuditLog(ctx, resProfileID, &AuditLogFilter{ResourceID: resDeviceID, ResourceName: "device", Find: "*created*",
					Start: day, End: day.AddDate(0, 0, 7), Limit: 50})
			},
			want: AuditLog{Events: []AuditEvent{{ResourceName: "device", Message: "Device created", ResourceID: resDeviceID, Who: resProfileID,
				Date: time.Date(2024, 9, 2, 10, 0, 0, 0, time.UTC)}},
				Statistics: &AuditStatistics{RecordsMatched: 1, RecordsScanned: 10, BytesScanned: 2048}, Status: "Complete", QueryID: "q-1"},
		},
		{
			name: "audit log query", method: "GET", path: "/profile/" + resProfileID + "/auditlog/q-1",
			result: `{"status":"Running","queryId":"q-1"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Profiles.AuditLogQuery(ctx, resProfileID, "q-1")
			},
			want: AuditLog{Status: "Running", QueryID: "q-1"},
		},
		{
			name: "add-ons as one object", method: "GET", path: "/profile/" + resProfileID + "/addons",
			result: `{"id":"` + resWidgetID + `","name":"Mobile","logo_url":null}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Profiles.AddOns(ctx, resProfileID) },
			want:   []ProfileAddOn{{ID: resWidgetID, Name: "Mobile"}},
		},
		{
			name: "add-ons as a list", method: "GET", path: "/profile/" + resProfileID + "/addons",
			result: `[{"id":"` + resWidgetID + `","name":"Mobile","logo_url":"https://x/l.png"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Profiles.AddOns(ctx, resProfileID) },
			want:   []ProfileAddOn{{ID: resWidgetID, Name: "Mobile", LogoURL: "https://x/l.png"}},
		},
		{
			name: "edit an add-on", method: "POST", path: "/profile/" + resProfileID + "/addons", result: `"Add-on updated"`,
			body: `{"id":"` + resWidgetID + `","name":"Mobile app"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Profiles.EditAddOn(ctx, resProfileID, ProfileAddOnEditRequest{ID: Ptr(resWidgetID), Name: Ptr("Mobile app")}))
			},
		},
		{
			name: "remove an add-on", method: "DELETE", path: "/profile/" + resProfileID + "/custom_dns", result: `"Add-on removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Profiles.RemoveAddOn(ctx, resProfileID, AddOnCustomDNS))
			},
		},
		{
			name: "configure services", method: "POST", path: "/profile/" + resProfileID + "/services", result: `"Service provider configured successfully"`,
			body: `{"email":{"provider":"smtp","from":"noreply@example.com","secrets":{"data":"` + resDataID + `"}},` +
				`"sms":{"provider":"twilio","from":"+15551234567","secrets":{"twilio_sid":"` + resParamID + `","twilio_token":"` + resWidgetID + `"}}}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Profiles.EditServices(ctx, resProfileID, ProfileServicesRequest{
					Email: &EmailService{Provider: EmailSMTP, From: "noreply@example.com", Secrets: EmailServiceSecrets{Data: resDataID}},
					SMS:   &SMSService{Provider: SMSTwilio, From: "+15551234567", Secrets: SMSServiceSecrets{TwilioSIDSecret: resParamID, TwilioTokenSecret: resWidgetID}},
				}))
			},
		},
		{
			name: "configure SendGrid only", method: "POST", path: "/profile/" + resProfileID + "/services", result: `"ok"`,
			body: `{"email":{"provider":"sendgrid","secrets":{"api_key":"` + resDataID + `"}}}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Profiles.EditServices(ctx, resProfileID, ProfileServicesRequest{
					Email: &EmailService{Provider: EmailSendGrid, Secrets: EmailServiceSecrets{APIKeySecret: resDataID}}}))
			},
		},
		{
			name: "transfer the token", method: "PUT", path: "/profile/switch/" + resProfile2ID, result: `"Token switched"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Profiles.TransferToken(ctx, resProfile2ID))
			},
		},
		{
			name: "team members", method: "GET", path: "/profile/" + resProfileID + "/team",
			result: `[{"active":false,"created_at":"2024-01-02T03:04:05.000Z","email":"dev@example.com","id":"` + resDeviceID + `","name":"Dev"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Profiles.TeamMembers(ctx, resProfileID) },
			want: []TeamMember{{ID: resDeviceID, Name: "Dev", Email: "dev@example.com",
				CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		},
		{
			name: "add a team member", method: "POST", path: "/profile/" + resProfileID + "/team", result: `"Invitation sent"`,
			body: `{"email":"dev@example.com"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Profiles.AddTeamMember(ctx, resProfileID, "dev@example.com"))
			},
		},
		{
			name: "remove a team member", method: "DELETE", path: "/profile/" + resProfileID + "/team/" + resDeviceID, result: `"Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Profiles.RemoveTeamMember(ctx, resProfileID, resDeviceID))
			},
		},
	})
}

func TestProfileCreateWithoutIDIsAnError(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "POST", "/profile/", 201, `{"status":true,"result":{"profile":"x"}}`)
	_, err := c.Profiles.Create(t.Context(), ProfileCreateRequest{Name: "x"})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, `names no "id"`)
	assert.True(t, MayBeStored(err))
}

func TestProfileErrorsMapToSentinels(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "DELETE", "/profile/"+resProfileID, 400, `{"status":false,"message":"Wrong password `+testPassword+`"}`)
	err := c.Profiles.Delete(t.Context(), resProfileID, ProfileDeleteRequest{Password: testPassword})
	require.ErrorIs(t, err, ErrBadRequest)
	assert.Equal(t, "tago: DELETE /profile/"+resProfileID+": 400 Wrong password [redacted]", err.Error())

	expect(mt, "GET", "/profile/"+resProfile2ID, 404, `{"status":false,"message":"Profile not found"}`)
	_, err = c.Profiles.Info(t.Context(), resProfile2ID)
	require.ErrorIs(t, err, ErrNotFound)
}

func TestProfilesBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	stats := func(o StatisticsOptions) func(ctx context.Context, c *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, err := c.Profiles.Statistics(ctx, resProfileID, &o)
			return err
		}
	}
	audit := func(f AuditLogFilter) func(ctx context.Context, c *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, err := c.Profiles.AuditLog(ctx, resProfileID, &f)
			return err
		}
	}
	services := func(r ProfileServicesRequest) func(ctx context.Context, c *Client) error {
		return func(ctx context.Context, c *Client) error { return c.Profiles.EditServices(ctx, resProfileID, r) }
	}
	now := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"info with a bad ID", "profile ID", func(ctx context.Context, c *Client) error { _, err := c.Profiles.Info(ctx, "me"); return err }},
		{"summary of current", "profile ID", func(ctx context.Context, c *Client) error {
			_, err := c.Profiles.Summary(ctx, CurrentProfile, false)
			return err
		}},
		{"create without a name", "name", func(ctx context.Context, c *Client) error {
			_, err := c.Profiles.Create(ctx, ProfileCreateRequest{})
			return err
		}},
		{"edit nothing", "profile edit", func(ctx context.Context, c *Client) error {
			return c.Profiles.Edit(ctx, resProfileID, ProfileEditRequest{})
		}},
		{"edit a blank name", "name", func(ctx context.Context, c *Client) error {
			return c.Profiles.Edit(ctx, resProfileID, ProfileEditRequest{Name: Ptr("")})
		}},
		{"delete without a password", "password", func(ctx context.Context, c *Client) error {
			return c.Profiles.Delete(ctx, resProfileID, ProfileDeleteRequest{})
		}},
		{"delete with a channel but no code", "pin code", func(ctx context.Context, c *Client) error {
			return c.Profiles.Delete(ctx, resProfileID, ProfileDeleteRequest{Password: testPassword, OTPType: OTPSMS})
		}},
		{"delete with a bad ID", "profile ID", func(ctx context.Context, c *Client) error {
			return c.Profiles.Delete(ctx, "x", ProfileDeleteRequest{Password: testPassword})
		}},
		{"statistics with a date and a range", "statistics", stats(StatisticsOptions{Date: now, Start: now, End: now})},
		{"statistics with half a range", "statistics", stats(StatisticsOptions{Start: now})},
		{"statistics with a reversed range", "statistics", stats(StatisticsOptions{Start: now, End: now.Add(-time.Hour)})},
		{"statistics with a bad periodicity", "periodicity", stats(StatisticsOptions{Start: now, End: now, Periodicity: "week"})},
		{"statistics with a periodicity and no range", "periodicity", stats(StatisticsOptions{Periodicity: PerDay})},
		{"audit with a bad resource ID", "resource ID", audit(AuditLogFilter{ResourceID: "x"})},
		{"audit with an unknown resource", "resource name", audit(AuditLogFilter{ResourceName: "files"})},
		{"audit with a negative limit", "limit", audit(AuditLogFilter{Limit: -1})},
		{"audit with a reversed range", "audit log filter", audit(AuditLogFilter{Start: now, End: now.Add(-time.Hour)})},
		{"audit query without an ID", "query ID", func(ctx context.Context, c *Client) error {
			_, err := c.Profiles.AuditLogQuery(ctx, resProfileID, "")
			return err
		}},
		{"add-ons of a bad profile", "profile ID", func(ctx context.Context, c *Client) error {
			_, err := c.Profiles.AddOns(ctx, "")
			return err
		}},
		{"edit no add-on field", "add-on edit", func(ctx context.Context, c *Client) error {
			return c.Profiles.EditAddOn(ctx, resProfileID, ProfileAddOnEditRequest{})
		}},
		{"edit an add-on with a bad ID", "add-on ID", func(ctx context.Context, c *Client) error {
			return c.Profiles.EditAddOn(ctx, resProfileID, ProfileAddOnEditRequest{ID: Ptr("x")})
		}},
		{"remove a route as an add-on", "add-on", func(ctx context.Context, c *Client) error {
			return c.Profiles.RemoveAddOn(ctx, resProfileID, "team")
		}},
		{"configure nothing", "services", services(ProfileServicesRequest{})},
		{"configure an unknown e-mail provider", "email.provider", services(ProfileServicesRequest{Email: &EmailService{Provider: "mailgun"}})},
		{"configure SMTP without its secret", "email.secrets.data", services(ProfileServicesRequest{Email: &EmailService{Provider: EmailSMTP}})},
		{"configure SendGrid without its key", "email.secrets.api_key", services(ProfileServicesRequest{
			Email: &EmailService{Provider: EmailSendGrid, Secrets: EmailServiceSecrets{Data: resDataID}}})},
		{"configure a bad sender", "email.from", services(ProfileServicesRequest{
			Email: &EmailService{Provider: EmailSES, From: "noreply", Secrets: EmailServiceSecrets{Data: resDataID}}})},
		{"configure Twilio without a number", "sms.from", services(ProfileServicesRequest{
			SMS: &SMSService{Provider: SMSTwilio, Secrets: SMSServiceSecrets{TwilioSIDSecret: resDataID, TwilioTokenSecret: resDataID}}})},
		{"configure Twilio without its token", "sms.secrets.twilio_token", services(ProfileServicesRequest{
			SMS: &SMSService{Provider: SMSTwilio, From: "+1555", Secrets: SMSServiceSecrets{TwilioSIDSecret: resDataID}}})},
		{"configure SNS without its secret", "sms.secrets.data", services(ProfileServicesRequest{SMS: &SMSService{Provider: SMSSNS}})},
		{"configure an unknown SMS provider", "sms.provider", services(ProfileServicesRequest{SMS: &SMSService{Provider: "nexmo"}})},
		{"transfer to current", "profile ID", func(ctx context.Context, c *Client) error {
			return c.Profiles.TransferToken(ctx, CurrentProfile)
		}},
		{"team of a bad profile", "profile ID", func(ctx context.Context, c *Client) error {
			_, err := c.Profiles.TeamMembers(ctx, "x")
			return err
		}},
		{"invite a bad e-mail", "email", func(ctx context.Context, c *Client) error {
			return c.Profiles.AddTeamMember(ctx, resProfileID, "dev")
		}},
		{"remove a bad account", "account ID", func(ctx context.Context, c *Client) error {
			return c.Profiles.RemoveTeamMember(ctx, resProfileID, "../token")
		}},
	})
}

func TestProfilesNeedAnAccountToken(t *testing.T) {
	t.Parallel()
	for _, tok := range []Token{Anonymous(), DeviceToken(testDeviceToken), NetworkToken(testNetworkToken)} {
		t.Run(tok.Kind().String(), func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, tok)
			_, err := c.Profiles.List(t.Context())
			require.ErrorIs(t, err, ErrTokenKind)
			require.ErrorIs(t, c.Profiles.TransferToken(t.Context(), resProfileID), ErrTokenKind)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
}
