package tago

import (
	"context"
	"encoding/json"
	"iter"
	"strings"
	"time"
)

// RunService administers the profile's TagoRUN, the application its end users sign in
// to: the run's settings, its users and their notifications, SAML single sign-on and
// the custom domain (account token). The end users' own side is [Client.RunUser].
type RunService service

// cl returns the service's client, or nil for a nil service.
func (s *RunService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// Run is a profile's TagoRUN settings. Appearance and feature settings the SDK does not
// model are kept as raw JSON.
type Run struct {
	// Profile is the ID of the profile the run belongs to.
	Profile string `json:"profile,omitempty"`
	// Active says whether the run is online.
	Active bool `json:"active"`
	// Name is the run's name.
	Name string `json:"name,omitempty"`
	// SubTitle is the run's subtitle.
	SubTitle string `json:"sub_title,omitempty"`
	// URL is the run's address, such as "myapp.run.tago.io": the runURL the run-user
	// routes take.
	URL string `json:"url,omitempty"`
	// EmailDomain is the domain the run's e-mails are sent from, if set.
	EmailDomain string `json:"email_domain,omitempty"`
	// SignupMethod is how users join: "default" (anyone signs up), "none", ...
	SignupMethod string `json:"signup_method,omitempty"`
	// Favicon is the address of the run's favicon.
	Favicon string `json:"favicon,omitempty"`
	// Logo is the address of the run's logo.
	Logo string `json:"logo,omitempty"`
	// SignupLogo is the address of the logo on the sign-up page.
	SignupLogo string `json:"signup_logo,omitempty"`
	// SignupFields are the extra fields of the sign-up form.
	SignupFields []RunSignupField `json:"signup_fields,omitempty"`
	// EmailTemplates are the run's e-mails by template key.
	EmailTemplates map[string]RunEmailTemplate `json:"email_templates,omitempty"`
	// Theme maps theme options (such as "primary") to colours.
	Theme map[string]string `json:"theme,omitempty"`
	// SSOSAMLActive says whether users sign in through SAML.
	SSOSAMLActive bool `json:"sso_saml_active"`
	// Security holds the run's two-factor settings.
	Security *RunSecurity `json:"security,omitempty"`
	// AnonymousToken is the token of the run's anonymous (public) access.
	AnonymousToken Secret `json:"anonymous_token,omitempty"`
	// AuthTokenTTL is how long a user's login token lives, such as "8 hours".
	AuthTokenTTL string `json:"auth_token_ttl,omitempty"`
	// Dictionary is the ID of the run's dictionary.
	Dictionary string `json:"dictionary,omitempty"`
	// SidebarButtons are the run's sidebar buttons, as the platform sends them.
	SidebarButtons json.RawMessage `json:"sidebar_buttons,omitempty"`
	// SigninButtons are the extra buttons of the sign-in page, as the platform sends them.
	SigninButtons json.RawMessage `json:"signin_buttons,omitempty"`
	// SignupLogoOptions are the sign-up logo's options, as the platform sends them.
	SignupLogoOptions json.RawMessage `json:"signup_logo_options,omitempty"`
	// FeatureDeviceWifiSetup is the device Wi-Fi setup feature, as the platform sends it.
	FeatureDeviceWifiSetup json.RawMessage `json:"feature_devicewifisetup,omitempty"`
	// FeatureGeolocation is the geolocation feature, as the platform sends it.
	FeatureGeolocation json.RawMessage `json:"feature_geolocation,omitempty"`
	// Integration holds the run's integrations, as the platform sends them.
	Integration json.RawMessage `json:"integration,omitempty"`
}

// RunSignupField is an extra field of a run's sign-up form.
type RunSignupField struct {
	// Name is the field's key.
	Name string `json:"name"`
	// Placeholder is the field's hint text.
	Placeholder string `json:"placeholder,omitempty"`
	// Required says whether the field must be filled.
	Required bool `json:"required"`
	// Type is the field's input type, such as "text".
	Type string `json:"type,omitempty"`
}

// RunEmailTemplate is one of a run's e-mails.
type RunEmailTemplate struct {
	// Subject is the e-mail's subject.
	Subject string `json:"subject"`
	// Value is the e-mail's body.
	Value string `json:"value"`
}

// RunSecurity holds a run's two-factor settings.
type RunSecurity struct {
	// OTP says which one-time-code methods users may enable.
	OTP OTPMethods `json:"otp"`
}

// OTPMethods says which one-time-code methods are enabled.
type OTPMethods struct {
	// Authenticator is an authenticator app.
	Authenticator bool `json:"authenticator"`
	// SMS is a code sent by text message.
	SMS bool `json:"sms"`
	// Email is a code sent by e-mail.
	Email bool `json:"email"`
}

// RunEditRequest changes a run's settings; nil fields are left unchanged.
type RunEditRequest struct {
	// Active puts the run online or offline.
	Active *bool `json:"active,omitempty"`
	// Name is the run's new name.
	Name *string `json:"name,omitempty"`
	// SubTitle is the run's new subtitle.
	SubTitle *string `json:"sub_title,omitempty"`
	// EmailDomain is the new e-mail domain.
	EmailDomain *string `json:"email_domain,omitempty"`
	// SignupMethod is the new sign-up method.
	SignupMethod *string `json:"signup_method,omitempty"`
	// Favicon is the new favicon's address.
	Favicon *string `json:"favicon,omitempty"`
	// Logo is the new logo's address.
	Logo *string `json:"logo,omitempty"`
	// SignupLogo is the new sign-up logo's address.
	SignupLogo *string `json:"signup_logo,omitempty"`
	// SignupFields replace the sign-up form's extra fields.
	SignupFields []RunSignupField `json:"signup_fields,omitzero"`
	// EmailTemplates replace the given e-mail templates.
	EmailTemplates map[string]RunEmailTemplate `json:"email_templates,omitzero"`
	// Theme sets the given theme options.
	Theme map[string]string `json:"theme,omitzero"`
	// Security replaces the two-factor settings.
	Security *RunSecurity `json:"security,omitempty"`
	// AuthTokenTTL is how long a user's login token lives, such as "8 hours".
	AuthTokenTTL *string `json:"auth_token_ttl,omitempty"`
	// Dictionary is the ID of the run's dictionary.
	Dictionary *string `json:"dictionary,omitempty"`
	// SidebarButtons replace the sidebar buttons, as JSON.
	SidebarButtons json.RawMessage `json:"sidebar_buttons,omitempty"`
	// SigninButtons replace the sign-in page's buttons, as JSON.
	SigninButtons json.RawMessage `json:"signin_buttons,omitempty"`
	// FeatureDeviceWifiSetup replaces the device Wi-Fi setup feature, as JSON.
	FeatureDeviceWifiSetup json.RawMessage `json:"feature_devicewifisetup,omitempty"`
	// FeatureGeolocation replaces the geolocation feature, as JSON.
	FeatureGeolocation json.RawMessage `json:"feature_geolocation,omitempty"`
}

// Info returns the profile's run settings.
//
// TagoIO API: GET /run
func (s *RunService) Info(ctx context.Context) (Run, error) {
	return do[Run](ctx, s.cl(), &call{method: "GET", path: "/run", kinds: accountOnly})
}

// Edit changes the profile's run settings.
//
// TagoIO API: PUT /run
func (s *RunService) Edit(ctx context.Context, req RunEditRequest) error {
	if req.Name != nil {
		if err := checkName("name", *req.Name); err != nil {
			return err
		}
	}
	for _, raw := range []struct {
		field string
		v     json.RawMessage
	}{{"sidebar buttons", req.SidebarButtons}, {"signin buttons", req.SigninButtons},
		{"device wifi setup", req.FeatureDeviceWifiSetup}, {"geolocation", req.FeatureGeolocation}} {
		if raw.v != nil && !json.Valid(raw.v) {
			return invalidf(raw.field, "is not valid JSON")
		}
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/run", body: req, kinds: accountOnly})
}

// RunUser is an end user of a run, as the run's administrator sees it. List calls fill
// only the fields they were asked for.
type RunUser struct {
	// ID is the user's ID.
	ID string `json:"id"`
	// Profile is the ID of the profile whose run the user belongs to.
	Profile string `json:"profile,omitempty"`
	// Name is the user's name.
	Name string `json:"name,omitempty"`
	// Email is the user's e-mail address, which they sign in with.
	Email string `json:"email,omitempty"`
	// Timezone is the user's time zone, such as "America/Sao_Paulo".
	Timezone string `json:"timezone,omitempty"`
	// Company is the user's company.
	Company string `json:"company,omitempty"`
	// Phone is the user's phone number.
	Phone string `json:"phone,omitempty"`
	// Language is the user's language, such as "en".
	Language string `json:"language,omitempty"`
	// Tags are the user's tags.
	Tags []Tag `json:"tags,omitempty"`
	// Active says whether the user may sign in (a user who has not confirmed their
	// e-mail is inactive).
	Active bool `json:"active"`
	// Newsletter says whether the user receives the newsletter.
	Newsletter bool `json:"newsletter"`
	// Options are the user's display preferences.
	Options *RunUserOptions `json:"options,omitempty"`
	// OTP says which one-time-code methods the user enabled.
	OTP *OTPMethods `json:"otp,omitempty"`
	// LastLogin is when the user last signed in; zero if never.
	LastLogin time.Time `json:"last_login,omitzero"`
	// CreatedAt is when the user was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the user was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// RunUserOptions are a run user's display preferences.
type RunUserOptions struct {
	// DecimalSeparator is the decimal separator, such as ",".
	DecimalSeparator string `json:"decimal_separator,omitempty"`
	// ThousandSeparator is the thousands separator, such as ".".
	ThousandSeparator string `json:"thousand_separator,omitempty"`
	// DateFormat is the date format, such as "DD/MM/YYYY".
	DateFormat string `json:"date_format,omitempty"`
	// TimeFormat is the time format, such as "24".
	TimeFormat string `json:"time_format,omitempty"`
	// ShowLastUpdatedAt says whether widgets show when their data last changed.
	ShowLastUpdatedAt string `json:"show_last_updated_at,omitempty"`
}

// RunUserListOptions filters and pages [RunService.Users] and [RunService.AllUsers].
type RunUserListOptions struct {
	ListOptions
	// Name keeps users whose name matches, * wildcards allowed.
	Name string
	// Email keeps users whose e-mail matches, * wildcards allowed.
	Email string
	// Active keeps active (true) or inactive (false) users; nil keeps both.
	Active *bool
	// Tags keeps users carrying every one of these tags.
	Tags []Tag
}

// runUsersDefaults are the official SDKs' defaults for user lists.
var runUsersDefaults = listDefaults{fields: []string{"id", "name"}, order: Asc("name")}

// Users returns one page of the run's users. Without Fields it asks for id and name;
// the default order is by name, ascending.
//
// TagoIO API: GET /run/users
func (s *RunService) Users(ctx context.Context, opts *RunUserListOptions) ([]RunUser, error) {
	var o RunUserListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, runUsersDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addString("filter[email]", o.Email)
		q.addBoolPtr("filter[active]", o.Active)
		q.addTags("filter[tags]", o.Tags)
	})
	if err != nil {
		return nil, err
	}
	return do[[]RunUser](ctx, s.cl(), &call{method: "GET", path: "/run/users", query: q, kinds: accountOnly})
}

// AllUsers returns an iterator over every run user matching opts, fetching pages as
// the caller ranges.
//
// TagoIO API: GET /run/users
func (s *RunService) AllUsers(ctx context.Context, opts *RunUserListOptions) iter.Seq2[RunUser, error] {
	var o RunUserListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]RunUser, error) {
		p := o
		p.ListOptions = page
		return s.Users(ctx, &p)
	})
}

// UserInfo returns one run user.
//
// TagoIO API: GET /run/users/{id}
func (s *RunService) UserInfo(ctx context.Context, userID string) (RunUser, error) {
	if err := checkID("user ID", userID); err != nil {
		return RunUser{}, err
	}
	return do[RunUser](ctx, s.cl(), &call{method: "GET", path: "/run/users/" + userID, kinds: accountOnly})
}

// RunUserCreateRequest describes a new run user. Name, Email, Password and Timezone
// are required.
type RunUserCreateRequest struct {
	// Name is the user's name.
	Name string `json:"name"`
	// Email is the address the user signs in with.
	Email string `json:"email"`
	// Password is the user's password.
	Password Secret `json:"password"`
	// Timezone is the user's time zone, such as "America/Sao_Paulo".
	Timezone string `json:"timezone"`
	// Company is the user's company.
	Company string `json:"company,omitempty"`
	// Phone is the user's phone number.
	Phone string `json:"phone,omitempty"`
	// Language is the user's language, such as "en".
	Language string `json:"language,omitempty"`
	// Tags are the user's tags.
	Tags []Tag `json:"tags,omitempty"`
	// Active lets the user sign in at once, without confirming the e-mail.
	Active *bool `json:"active,omitempty"`
	// Newsletter subscribes the user to the newsletter.
	Newsletter *bool `json:"newsletter,omitempty"`
	// Options are the user's display preferences.
	Options *RunUserOptions `json:"options,omitempty"`
}

// check validates a user to create.
func (r *RunUserCreateRequest) check() error {
	if err := checkName("name", r.Name); err != nil {
		return err
	}
	if err := checkEmail("email", r.Email); err != nil {
		return err
	}
	if r.Password == "" {
		return invalidf("password", "must not be empty")
	}
	if err := checkName("timezone", r.Timezone); err != nil {
		return err
	}
	return checkTags("tags", r.Tags)
}

// CreateUser creates a run user and returns its ID.
//
// TagoIO API: POST /run/users
func (s *RunService) CreateUser(ctx context.Context, req RunUserCreateRequest) (string, error) {
	if err := req.check(); err != nil {
		return "", err
	}
	res, err := do[struct {
		User string `json:"user"`
	}](ctx, s.cl(), &call{method: "POST", path: "/run/users", body: req, kinds: accountOnly})
	return res.User, err
}

// RunUserEditRequest changes a run user; nil fields are left unchanged.
type RunUserEditRequest struct {
	// Name is the user's new name.
	Name *string `json:"name,omitempty"`
	// Email is the user's new e-mail address.
	Email *string `json:"email,omitempty"`
	// Timezone is the user's new time zone.
	Timezone *string `json:"timezone,omitempty"`
	// Company is the user's new company.
	Company *string `json:"company,omitempty"`
	// Phone is the user's new phone number.
	Phone *string `json:"phone,omitempty"`
	// Language is the user's new language.
	Language *string `json:"language,omitempty"`
	// Tags replace the user's tags; an empty, non-nil slice removes them all.
	Tags []Tag `json:"tags,omitzero"`
	// Active activates or deactivates the user.
	Active *bool `json:"active,omitempty"`
	// Newsletter subscribes or unsubscribes the user.
	Newsletter *bool `json:"newsletter,omitempty"`
	// Options replace the user's display preferences.
	Options *RunUserOptions `json:"options,omitempty"`
}

// check validates a user edit.
func (r *RunUserEditRequest) check() error {
	if r.Name != nil {
		if err := checkName("name", *r.Name); err != nil {
			return err
		}
	}
	if r.Email != nil {
		if err := checkEmail("email", *r.Email); err != nil {
			return err
		}
	}
	if r.Timezone != nil {
		if err := checkName("timezone", *r.Timezone); err != nil {
			return err
		}
	}
	return checkTags("tags", r.Tags)
}

// EditUser changes a run user.
//
// TagoIO API: PUT /run/users/{id}
func (s *RunService) EditUser(ctx context.Context, userID string, req RunUserEditRequest) error {
	if err := checkID("user ID", userID); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/run/users/" + userID, body: req, kinds: accountOnly})
}

// DeleteUser deletes a run user.
//
// TagoIO API: DELETE /run/users/{id}
func (s *RunService) DeleteUser(ctx context.Context, userID string) error {
	if err := checkID("user ID", userID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/run/users/" + userID, kinds: accountOnly})
}

// RunUserSession is a run user's login token with its expiry. Create a client for the
// user with tago.NewClient(tago.RunUserToken(session.Token.Reveal())).
type RunUserSession struct {
	// Token is the user's token.
	Token Secret `json:"token"`
	// ExpireDate is when the token expires.
	ExpireDate Expiry `json:"expire_date"`
	// Name is the token's name (from an administrator's login as the user).
	Name string `json:"name,omitempty"`
	// RunUser is the user's ID (from an administrator's login as the user).
	RunUser string `json:"run_user,omitempty"`
	// CreatedAt is when the token was created (from an administrator's login as the
	// user).
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// LoginAsUser creates a login token for a run user, as if they had signed in, so an
// administrator or a backend can act as them. A zero expiry leaves the platform's
// default (8 hours); a relative one such as ExpiresIn("1 day") sets it.
//
// TagoIO API: GET /run/users/{id}/login
func (s *RunService) LoginAsUser(ctx context.Context, userID string, expiry Expiry) (RunUserSession, error) {
	if err := checkID("user ID", userID); err != nil {
		return RunUserSession{}, err
	}
	if err := expiry.check("expire time"); err != nil {
		return RunUserSession{}, err
	}
	var q query
	if !expiry.IsZero() {
		q.add("expire_time", expiry.text())
	}
	return do[RunUserSession](ctx, s.cl(), &call{method: "GET", path: "/run/users/" + userID + "/login", query: &q, kinds: accountOnly})
}

// EmailTest sends a test e-mail with the given subject and body through the run's
// e-mail settings.
//
// TagoIO API: POST /run/email_test
func (s *RunService) EmailTest(ctx context.Context, subject, body string) error {
	if err := checkName("subject", subject); err != nil {
		return err
	}
	if err := checkName("body", body); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/run/email_test",
		body: map[string]string{"subject": subject, "body": body}, kinds: accountOnly})
}

// UserNotifications returns a run user's notifications.
//
// TagoIO API: GET /run/notification/{userID}
func (s *RunService) UserNotifications(ctx context.Context, userID string) ([]Notification, error) {
	if err := checkID("user ID", userID); err != nil {
		return nil, err
	}
	return do[[]Notification](ctx, s.cl(), &call{method: "GET", path: "/run/notification/" + userID, kinds: accountOnly})
}

// CreateNotification sends a notification to a run user and returns its ID.
//
// TagoIO API: POST /run/notification/
func (s *RunService) CreateNotification(ctx context.Context, userID string, req NotificationCreateRequest) (string, error) {
	if err := checkID("user ID", userID); err != nil {
		return "", err
	}
	if err := req.check(); err != nil {
		return "", err
	}
	body := struct {
		RunUser string `json:"run_user"`
		NotificationCreateRequest
	}{userID, req}
	res, err := do[struct {
		ID string `json:"id"`
	}](ctx, s.cl(), &call{method: "POST", path: "/run/notification/", body: body, kinds: accountOnly})
	return res.ID, err
}

// EditNotification changes a run user's notification.
//
// TagoIO API: PUT /run/notification/{id}
func (s *RunService) EditNotification(ctx context.Context, notificationID string, req NotificationEditRequest) error {
	if err := checkID("notification ID", notificationID); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/run/notification/" + notificationID, body: req, kinds: accountOnly})
}

// DeleteNotification deletes a run user's notification.
//
// TagoIO API: DELETE /run/notification/{id}
func (s *RunService) DeleteNotification(ctx context.Context, notificationID string) error {
	if err := checkID("notification ID", notificationID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/run/notification/" + notificationID, kinds: accountOnly})
}

// RunSAML is a run's SAML single sign-on setup.
type RunSAML struct {
	// SP describes TagoIO as the service provider, to configure in the identity provider.
	SP struct {
		// EntityID is the service provider's entity ID.
		EntityID string `json:"entity_id"`
		// ACSURL is the assertion consumer service address.
		ACSURL string `json:"acs_url"`
		// Metadata is the service provider's XML metadata.
		Metadata string `json:"metadata"`
	} `json:"sp"`
	// IDP is what TagoIO read from the identity provider's metadata.
	IDP struct {
		// Issuer is the identity provider's issuer.
		Issuer string `json:"issuer"`
	} `json:"idp"`
	// Mapping maps the identity provider's attributes to the user's fields.
	Mapping SAMLMapping `json:"mapping"`
}

// SAMLMapping names the identity provider's attribute for each of a run user's fields.
type SAMLMapping struct {
	// Email is the attribute holding the e-mail address; required.
	Email string `json:"email"`
	// FirstName is the attribute holding the first name; required.
	FirstName string `json:"firstName"`
	// LastName is the attribute holding the last name.
	LastName string `json:"lastName,omitempty"`
	// Phone is the attribute holding the phone number.
	Phone string `json:"phone,omitempty"`
	// Company is the attribute holding the company.
	Company string `json:"company,omitempty"`
	// Language is the attribute holding the language.
	Language string `json:"language,omitempty"`
	// Timezone is the attribute holding the time zone.
	Timezone string `json:"timezone,omitempty"`
	// Tags maps tag keys to the attributes holding their values.
	Tags map[string]string `json:"tags,omitempty"`
}

// RunSAMLEditRequest changes a run's SAML setup; nil fields are left unchanged.
type RunSAMLEditRequest struct {
	// IDPMetadata is the identity provider's XML metadata. The SDK sends it base64
	// encoded, as the platform wants it.
	IDPMetadata []byte `json:"idp_metadata,omitzero"`
	// Mapping replaces the attribute mapping.
	Mapping *SAMLMapping `json:"mapping,omitempty"`
}

// SAMLInfo returns the run's SAML single sign-on setup.
//
// TagoIO API: GET /run/sso/saml
func (s *RunService) SAMLInfo(ctx context.Context) (RunSAML, error) {
	return do[RunSAML](ctx, s.cl(), &call{method: "GET", path: "/run/sso/saml", kinds: accountOnly})
}

// EditSAML changes the run's SAML single sign-on setup.
//
// TagoIO API: PUT /run/sso/saml
func (s *RunService) EditSAML(ctx context.Context, req RunSAMLEditRequest) error {
	if req.IDPMetadata == nil && req.Mapping == nil {
		return invalidf("saml edit", "changes nothing; set the metadata or the mapping")
	}
	if req.Mapping != nil {
		if err := checkName("mapping.email", req.Mapping.Email); err != nil {
			return err
		}
		if err := checkName("mapping.firstName", req.Mapping.FirstName); err != nil {
			return err
		}
	}
	// []byte marshals as base64, the encoding the platform wants.
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/run/sso/saml", body: req, kinds: accountOnly})
}

// CustomDomain is a run's custom domain and the DNS records it needs.
type CustomDomain struct {
	// Active is true once every DNS record below is in place.
	Active bool `json:"active"`
	// Domain is the domain, such as "mycompany.com".
	Domain string `json:"domain"`
	// Subdomain is the subdomain, such as "portal".
	Subdomain string `json:"subdomain"`
	// Email is the run's mailing address on the domain.
	Email string `json:"email"`
	// DNSSSL is the record for the TLS certificate.
	DNSSSL DNSRecord `json:"dns_ssl"`
	// DNSPage is the record for the run's page.
	DNSPage DNSRecord `json:"dns_page"`
	// DNSEmail1 is the first record for e-mail.
	DNSEmail1 DNSRecord `json:"dns_email_1"`
	// DNSEmail2 is the second record for e-mail.
	DNSEmail2 DNSRecord `json:"dns_email_2"`
	// DNSEmail3 is the third record for e-mail.
	DNSEmail3 DNSRecord `json:"dns_email_3"`
	// CreatedAt is when the domain was configured.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// DNSRecord is a DNS record a custom domain needs at the domain's DNS provider.
type DNSRecord struct {
	// Status is true when the record is in place with the expected value.
	Status bool `json:"status"`
	// Type is the record's type, such as "CNAME".
	Type string `json:"type"`
	// Key is the record's name.
	Key string `json:"key"`
	// Value is the value the record must have.
	Value string `json:"value"`
	// CurrentValue is the value the provider holds now, when the record exists.
	CurrentValue string `json:"current_value,omitempty"`
}

// CustomDomainCreateRequest describes a run's custom domain: for portal.mycompany.com,
// Domain "mycompany.com" and Subdomain "portal". All fields are required.
type CustomDomainCreateRequest struct {
	// Domain is the domain, such as "mycompany.com".
	Domain string `json:"domain"`
	// Subdomain is the subdomain, such as "portal".
	Subdomain string `json:"subdomain"`
	// Email is the run's mailing address, on the domain or the subdomain.
	Email string `json:"email"`
}

// CreateCustomDomain configures a custom domain for the run of the given profile; the
// DNS records it needs are then in [RunService.CustomDomain].
//
// TagoIO API: POST /run/customdomain/{profileID}
func (s *RunService) CreateCustomDomain(ctx context.Context, profileID string, req CustomDomainCreateRequest) error {
	if err := checkID("profile ID", profileID); err != nil {
		return err
	}
	for _, f := range []struct{ field, v string }{{"domain", req.Domain}, {"subdomain", req.Subdomain}} {
		if err := checkName(f.field, f.v); err != nil {
			return err
		}
		if strings.ContainsAny(f.v, "/ :") {
			return invalidf(f.field, "%q is not a domain name", f.v)
		}
	}
	if err := checkEmail("email", req.Email); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/run/customdomain/" + profileID, body: req, kinds: accountOnly})
}

// CustomDomain returns the custom domain of the given profile's run.
//
// TagoIO API: GET /run/customdomain/{profileID}
func (s *RunService) CustomDomain(ctx context.Context, profileID string) (CustomDomain, error) {
	if err := checkID("profile ID", profileID); err != nil {
		return CustomDomain{}, err
	}
	return do[CustomDomain](ctx, s.cl(), &call{method: "GET", path: "/run/customdomain/" + profileID, kinds: accountOnly})
}

// DeleteCustomDomain removes the custom domain of the given profile's run.
//
// TagoIO API: DELETE /run/customdomain/{profileID}
func (s *RunService) DeleteCustomDomain(ctx context.Context, profileID string) error {
	if err := checkID("profile ID", profileID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/run/customdomain/" + profileID, kinds: accountOnly})
}

// RegenerateCustomDomain regenerates the DNS records of the given profile's run's
// custom domain, for a domain whose setup failed or expired.
//
// TagoIO API: PUT /run/customdomain/regenerate/{profileID}
func (s *RunService) RegenerateCustomDomain(ctx context.Context, profileID string) error {
	if err := checkID("profile ID", profileID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/run/customdomain/regenerate/" + profileID, kinds: accountOnly})
}
