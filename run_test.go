package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	resRunUserID      = "66ff0011223344556677aa01"
	resNotificationID = "67aa0011223344556677bb02"
)

func TestRunOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "info", method: "GET", path: "/run",
			result: `{"profile":"` + resProfileID + `","active":true,"name":"Plant app","sub_title":"","url":"plant.run.tago.io",` +
				`"email_domain":null,"signup_method":"default","favicon":null,"logo":"https://x/l.png","signup_logo":null,` +
				`"signup_fields":[{"name":"zip","placeholder":"ZIP","required":true,"type":"text"}],` +
				`"email_templates":{"welcome":{"subject":"Hi","value":"Welcome"}},"theme":{"primary":"#123456"},` +
				`"sso_saml_active":false,"security":{"otp":{"authenticator":true,"sms":false,"email":true}},` +
				`"anonymous_token":"` + resToken + `","auth_token_ttl":"8 hours","dictionary":"","sidebar_buttons":[],` +
				`"feature_geolocation":{"enabled":false}}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Run.Info(ctx) },
			want: Run{Profile: resProfileID, Active: true, Name: "Plant app", URL: "plant.run.tago.io", SignupMethod: "default",
				Logo: "https://x/l.png", SignupFields: []RunSignupField{{Name: "zip", Placeholder: "ZIP", Required: true, Type: "text"}},
				EmailTemplates: map[string]RunEmailTemplate{"welcome": {Subject: "Hi", Value: "Welcome"}},
				Theme:          map[string]string{"primary": "#123456"},
				Security:       &RunSecurity{OTP: OTPMethods{Authenticator: true, Email: true}},
				AnonymousToken: Secret(resToken), AuthTokenTTL: "8 hours", SidebarButtons: json.RawMessage(`[]`),
				FeatureGeolocation: json.RawMessage(`{"enabled":false}`)},
		},
		{
			name: "edit", method: "PUT", path: "/run",
			body:   `{"active":false,"name":"Plant app 2","theme":{"primary":"#000000"},"sidebar_buttons":[{"text":"Home"}]}`,
			result: `"TagoRUN Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.Edit(ctx, RunEditRequest{Active: Ptr(false), Name: Ptr("Plant app 2"),
					Theme: map[string]string{"primary": "#000000"}, SidebarButtons: json.RawMessage(`[{"text":"Home"}]`)}))
			},
		},
		{
			name: "users with defaults", method: "GET", path: "/run/users",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&orderBy=name,asc",
			result: `[{"id":"` + resRunUserID + `","name":"Ana"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Run.Users(ctx, nil) },
			want:   []RunUser{{ID: resRunUserID, Name: "Ana"}},
		},
		{
			name: "users with filters", method: "GET", path: "/run/users",
			query: "page=3&amount=5&fields[0]=id&fields[1]=email&fields[2]=last_login&filter[name]=*an*&filter[email]=*@x.com" +
				"&filter[active]=true&filter[tags][0][key]=plan&filter[tags][0][value]=gold&orderBy=last_login,desc",
			result: `[{"id":"` + resRunUserID + `","email":"ana@x.com","last_login":"2024-03-04T05:06:07.000Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Run.Users(ctx, &RunUserListOptions{ListOptions: ListOptions{Page: 3, Amount: 5,
					Fields: []string{"id", "email", "last_login"}, OrderBy: Desc("last_login")},
					Name: "*an*", Email: "*@x.com", Active: Ptr(true), Tags: []Tag{{Key: "plan", Value: "gold"}}})
			},
			want: []RunUser{{ID: resRunUserID, Email: "ana@x.com", LastLogin: created}},
		},
		{
			name: "user info", method: "GET", path: "/run/users/" + resRunUserID,
			result: `{"id":"` + resRunUserID + `","profile":"` + resProfileID + `","name":"Ana","email":"ana@x.com",` +
				`"timezone":"UTC","company":"","phone":null,"language":"en","tags":[{"key":"plan","value":"gold"}],` +
				`"active":true,"newsletter":false,"options":{"decimal_separator":","},"last_login":null,` +
				`"created_at":"2024-03-04T05:06:07.000Z","updated_at":"2024-03-04T05:06:07.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Run.UserInfo(ctx, resRunUserID) },
			want: RunUser{ID: resRunUserID, Profile: resProfileID, Name: "Ana", Email: "ana@x.com", Timezone: "UTC",
				Language: "en", Tags: []Tag{{Key: "plan", Value: "gold"}}, Active: true,
				Options: &RunUserOptions{DecimalSeparator: ","}, CreatedAt: created, UpdatedAt: created},
		},
		{
			name: "create user", method: "POST", path: "/run/users", status: http.StatusCreated,
			body: `{"name":"Ana","email":"ana@x.com","password":"s3cret-pass","timezone":"UTC","language":"pt",` +
				`"tags":[{"key":"plan","value":"gold"}],"active":true}`,
			result: `{"user":"` + resRunUserID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Run.CreateUser(ctx, RunUserCreateRequest{Name: "Ana", Email: "ana@x.com", Password: "s3cret-pass",
					Timezone: "UTC", Language: "pt", Tags: []Tag{{Key: "plan", Value: "gold"}}, Active: Ptr(true)})
			},
			want: resRunUserID,
		},
		{
			name: "edit user", method: "PUT", path: "/run/users/" + resRunUserID,
			body: `{"name":"Ana B","active":false}`, result: `"Run User Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.EditUser(ctx, resRunUserID, RunUserEditRequest{Name: Ptr("Ana B"), Active: Ptr(false)}))
			},
		},
		{
			name: "edit user clearing the tags", method: "PUT", path: "/run/users/" + resRunUserID,
			body: `{"tags":[]}`, result: `"Run User Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.EditUser(ctx, resRunUserID, RunUserEditRequest{Tags: []Tag{}}))
			},
		},
		{
			name: "delete user", method: "DELETE", path: "/run/users/" + resRunUserID, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.DeleteUser(ctx, resRunUserID))
			},
		},
		{
			name: "login as user with the default expiry", method: "GET", path: "/run/users/" + resRunUserID + "/login",
			result: `{"token":"` + resToken + `","name":"Login as user","run_user":"` + resRunUserID + `",` +
				`"expire_date":"2024-03-04T13:06:07.000Z","created_at":"2024-03-04T05:06:07.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Run.LoginAsUser(ctx, resRunUserID, Expiry{})
			},
			want: RunUserSession{Token: Secret(resToken), Name: "Login as user", RunUser: resRunUserID,
				ExpireDate: ExpiresAt(created.Add(8 * time.Hour)), CreatedAt: created},
		},
		{
			name: "login as user for a day", method: "GET", path: "/run/users/" + resRunUserID + "/login",
			query:  "expire_time=1 day",
			result: `{"token":"` + resToken + `","expire_date":"never"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Run.LoginAsUser(ctx, resRunUserID, ExpiresIn("1 day"))
			},
			want: RunUserSession{Token: Secret(resToken), ExpireDate: ExpiresNever()},
		},
		{
			name: "email test", method: "POST", path: "/run/email_test",
			body: `{"subject":"Test","body":"Hello"}`, result: `"E-mail sent"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.EmailTest(ctx, "Test", "Hello"))
			},
		},
		{
			name: "user notifications", method: "GET", path: "/run/notification/" + resRunUserID,
			result: `[{"id":"` + resNotificationID + `","run_user":"` + resRunUserID + `","title":"Hi","message":"Up",` +
				`"read":false,"buttons":[{"id":"ok","label":"OK","triggers":[{"url":"https://x","method":"GET"}]}],` +
				`"buttons_enabled":true,"buttons_autodisable":false,"created_at":"2024-03-04T05:06:07.000Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Run.UserNotifications(ctx, resRunUserID) },
			want: []Notification{{ID: resNotificationID, RunUser: resRunUserID, Title: "Hi", Message: "Up",
				Buttons:        []NotificationButton{{ID: "ok", Label: "OK", Triggers: []json.RawMessage{json.RawMessage(`{"url":"https://x","method":"GET"}`)}}},
				ButtonsEnabled: true, CreatedAt: created}},
		},
		{
			name: "create notification", method: "POST", path: "/run/notification/",
			body:   `{"run_user":"` + resRunUserID + `","title":"Hi","message":"Up","icon":{"svg_url":"https://x/i.svg"}}`,
			result: `{"id":"` + resNotificationID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Run.CreateNotification(ctx, resRunUserID, NotificationCreateRequest{Title: "Hi", Message: "Up",
					Icon: &NotificationIcon{SVGURL: "https://x/i.svg"}})
			},
			want: resNotificationID,
		},
		{
			name: "edit notification", method: "PUT", path: "/run/notification/" + resNotificationID,
			body: `{"read":true}`, result: `"Notification Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.EditNotification(ctx, resNotificationID, NotificationEditRequest{Read: Ptr(true)}))
			},
		},
		{
			name: "delete notification", method: "DELETE", path: "/run/notification/" + resNotificationID,
			result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.DeleteNotification(ctx, resNotificationID))
			},
		},
		{
			name: "saml info", method: "GET", path: "/run/sso/saml",
			result: `{"sp":{"entity_id":"e","acs_url":"https://a","metadata":"<xml/>"},"idp":{"issuer":"idp"},` +
				`"mapping":{"email":"mail","firstName":"given"}}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Run.SAMLInfo(ctx) },
			want: func() RunSAML {
				var r RunSAML
				r.SP.EntityID, r.SP.ACSURL, r.SP.Metadata, r.IDP.Issuer = "e", "https://a", "<xml/>", "idp"
				r.Mapping = SAMLMapping{Email: "mail", FirstName: "given"}
				return r
			}(),
		},
		{
			name: "saml edit encodes the metadata in base64", method: "PUT", path: "/run/sso/saml",
			body:   `{"idp_metadata":"PHhtbC8+","mapping":{"email":"mail","firstName":"given","tags":{"plan":"tier"}}}`,
			result: `"SAML Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.EditSAML(ctx, RunSAMLEditRequest{IDPMetadata: []byte("<xml/>"),
					Mapping: &SAMLMapping{Email: "mail", FirstName: "given", Tags: map[string]string{"plan": "tier"}}}))
			},
		},
		{
			name: "create custom domain", method: "POST", path: "/run/customdomain/" + resProfileID,
			body:   `{"domain":"mycompany.com","subdomain":"portal","email":"portal.mycompany.com@mycompany.com"}`,
			result: `"Custom domain created"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.CreateCustomDomain(ctx, resProfileID, CustomDomainCreateRequest{Domain: "mycompany.com",
					Subdomain: "portal", Email: "portal.mycompany.com@mycompany.com"}))
			},
		},
		{
			name: "custom domain", method: "GET", path: "/run/customdomain/" + resProfileID,
			result: `{"active":false,"domain":"mycompany.com","subdomain":"portal","email":"a@mycompany.com",` +
				`"dns_ssl":{"status":true,"type":"CNAME","key":"_acme","value":"v","current_value":"v"},` +
				`"dns_page":{"status":false,"type":"CNAME","key":"portal","value":"run.tago.io"},` +
				`"dns_email_1":{"status":false,"type":"TXT","key":"k1","value":"v1"},"dns_email_2":{"status":false,"type":"TXT","key":"k2","value":"v2"},` +
				`"dns_email_3":{"status":false,"type":"TXT","key":"k3","value":"v3"},"created_at":"2024-03-04T05:06:07.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Run.CustomDomain(ctx, resProfileID) },
			want: CustomDomain{Domain: "mycompany.com", Subdomain: "portal", Email: "a@mycompany.com",
				DNSSSL:    DNSRecord{Status: true, Type: "CNAME", Key: "_acme", Value: "v", CurrentValue: "v"},
				DNSPage:   DNSRecord{Type: "CNAME", Key: "portal", Value: "run.tago.io"},
				DNSEmail1: DNSRecord{Type: "TXT", Key: "k1", Value: "v1"}, DNSEmail2: DNSRecord{Type: "TXT", Key: "k2", Value: "v2"},
				DNSEmail3: DNSRecord{Type: "TXT", Key: "k3", Value: "v3"}, CreatedAt: created},
		},
		{
			name: "delete custom domain", method: "DELETE", path: "/run/customdomain/" + resProfileID, result: `"Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.DeleteCustomDomain(ctx, resProfileID))
			},
		},
		{
			name: "regenerate custom domain", method: "PUT", path: "/run/customdomain/regenerate/" + resProfileID,
			result: `"Regenerated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Run.RegenerateCustomDomain(ctx, resProfileID))
			},
		},
	})
}

// TestRunBadInputSendsNothing checks that the run administration refuses bad arguments
// locally, naming the field, before any request.
func TestRunBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		run   func(ctx context.Context, c *Client) error
		field string
	}{
		{"user info with a bad ID", func(ctx context.Context, c *Client) error { _, err := c.Run.UserInfo(ctx, "x"); return err }, "user ID"},
		{"user without e-mail", func(ctx context.Context, c *Client) error {
			_, err := c.Run.CreateUser(ctx, RunUserCreateRequest{Name: "A", Password: "p", Timezone: "UTC"})
			return err
		}, "email"},
		{"user with a malformed e-mail", func(ctx context.Context, c *Client) error {
			_, err := c.Run.CreateUser(ctx, RunUserCreateRequest{Name: "A", Email: "ana.x.com", Password: "p", Timezone: "UTC"})
			return err
		}, "email"},
		{"user without password", func(ctx context.Context, c *Client) error {
			_, err := c.Run.CreateUser(ctx, RunUserCreateRequest{Name: "A", Email: "a@x.com", Timezone: "UTC"})
			return err
		}, "password"},
		{"user without time zone", func(ctx context.Context, c *Client) error {
			_, err := c.Run.CreateUser(ctx, RunUserCreateRequest{Name: "A", Email: "a@x.com", Password: "p"})
			return err
		}, "timezone"},
		{"user tag without key", func(ctx context.Context, c *Client) error {
			return c.Run.EditUser(ctx, resRunUserID, RunUserEditRequest{Tags: []Tag{{Value: "x"}}})
		}, "tags[0].key"},
		{"notification without title", func(ctx context.Context, c *Client) error {
			_, err := c.Run.CreateNotification(ctx, resRunUserID, NotificationCreateRequest{Message: "m"})
			return err
		}, "title"},
		{"notification with duplicate buttons", func(ctx context.Context, c *Client) error {
			_, err := c.Run.CreateNotification(ctx, resRunUserID, NotificationCreateRequest{Title: "t", Message: "m",
				Buttons: []NotificationButton{{ID: "a", Label: "A"}, {ID: "a", Label: "B"}}})
			return err
		}, "buttons[1].id"},
		{"notification button trigger not an object", func(ctx context.Context, c *Client) error {
			_, err := c.Run.CreateNotification(ctx, resRunUserID, NotificationCreateRequest{Title: "t", Message: "m",
				Buttons: []NotificationButton{{ID: "a", Label: "A", Triggers: []json.RawMessage{json.RawMessage(`[1]`)}}}})
			return err
		}, "buttons[0].triggers[0]"},
		{"empty notification edit", func(ctx context.Context, c *Client) error {
			return c.Run.EditNotification(ctx, resNotificationID, NotificationEditRequest{})
		}, "notification edit"},
		{"login as user with two expiries", func(ctx context.Context, c *Client) error {
			_, err := c.Run.LoginAsUser(ctx, resRunUserID, Expiry{Never: true, Relative: "1 day"})
			return err
		}, "expire time"},
		{"empty saml edit", func(ctx context.Context, c *Client) error { return c.Run.EditSAML(ctx, RunSAMLEditRequest{}) }, "saml edit"},
		{"saml mapping without e-mail", func(ctx context.Context, c *Client) error {
			return c.Run.EditSAML(ctx, RunSAMLEditRequest{Mapping: &SAMLMapping{FirstName: "g"}})
		}, "mapping.email"},
		{"custom domain with a scheme", func(ctx context.Context, c *Client) error {
			return c.Run.CreateCustomDomain(ctx, resProfileID, CustomDomainCreateRequest{Domain: "https://x.com", Subdomain: "p", Email: "a@x.com"})
		}, "domain"},
		{"custom domain of a bad profile", func(ctx context.Context, c *Client) error {
			_, err := c.Run.CustomDomain(ctx, "current")
			return err
		}, "profile ID"},
		{"run edit with broken JSON", func(ctx context.Context, c *Client) error {
			return c.Run.Edit(ctx, RunEditRequest{SigninButtons: json.RawMessage(`[`)})
		}, "signin buttons"},
		{"email test without subject", func(ctx context.Context, c *Client) error { return c.Run.EmailTest(ctx, " ", "b") }, "subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
			err := tt.run(t.Context(), c)
			require.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestRunNeedsAnAccountToken(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, RunUserToken(testRunUserToken))
	_, err := c.Run.Info(t.Context())
	require.ErrorIs(t, err, ErrTokenKind)
	assert.EqualError(t, err, "tago: wrong token kind: GET /run needs an account token; the client holds a run-user token")
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestRunUserPasswordNeverPrinted(t *testing.T) {
	t.Parallel()
	req := RunUserCreateRequest{Name: "Ana", Email: "ana@x.com", Password: "s3cret-pass-long-enough", Timezone: "UTC"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, req), "s3cret-pass", verb)
	}
}
