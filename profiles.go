package tago

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"time"
)

// ProfilesService manages the account's profiles: their details, usage, audit log,
// add-ons, service providers and team (account token). A profile's tokens are managed
// by [TokensService] ([TokensService.ListProfile], [TokensService.CreateProfile],
// [TokensService.DeleteProfile]); a token from e-mail and password, without holding one
// yet, comes from [AccountService.CreateToken].
type ProfilesService service

func (s *ProfilesService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// CurrentProfile names, in [ProfilesService.Info], the profile the client's token
// belongs to.
const CurrentProfile = "current"

// checkProfileID validates a profile ID, allowing [CurrentProfile] when current is set.
func checkProfileID(id string, current bool) error {
	if current && id == CurrentProfile {
		return nil
	}
	return checkID("profile ID", id)
}

// List returns every profile of the account, with those shared with it. The platform
// does not page this listing.
//
// TagoIO API: GET /profile
func (s *ProfilesService) List(ctx context.Context) ([]Profile, error) {
	return do[[]Profile](ctx, s.cl(), &call{method: "GET", path: "/profile", kinds: accountOnly})
}

// ProfileInfo is a profile's description: its details, resource allocation, add-ons and
// the account's plan.
type ProfileInfo struct {
	// Info holds the profile's own fields.
	Info ProfileDetails `json:"info"`
	// Allocation is how much of each service the profile may use per billing period.
	Allocation ProfileLimits `json:"allocation"`
	// AddOns says which add-ons the profile has.
	AddOns ProfileAddOns `json:"addons"`
	// AccountPlan is the account's plan, such as "starter".
	AccountPlan string `json:"account_plan,omitempty"`
}

// ProfileDetails are a profile's own fields.
type ProfileDetails struct {
	// ID is the profile's ID.
	ID string `json:"id"`
	// Account is the ID of the account owning the profile.
	Account string `json:"account"`
	// Name is the profile's name.
	Name string `json:"name"`
	// LogoURL is the profile's logo, if any.
	LogoURL string `json:"logo_url,omitempty"`
	// BannerURL is the profile's banner, if any.
	BannerURL string `json:"banner_url,omitempty"`
	// Region is the profile's database region, such as "us-1".
	Region string `json:"region,omitempty"`
	// RPM holds the profile's request-per-minute limits, when the platform says.
	RPM *DeviceRPM `json:"rpm,omitempty"`
	// CreatedAt is when the profile was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the profile was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// ProfileLimits are amounts per service: a profile's allocation, its plan's limits, or
// what it used of them. Numbers are counts, except FileStorage (megabytes); a service
// the platform does not mention is zero.
type ProfileLimits struct {
	Input            float64 `json:"input"`             // Input is data records received.
	Output           float64 `json:"output"`            // Output is data records read.
	DashboardOutput  float64 `json:"dashboard_output"`  // DashboardOutput is data records read by dashboards.
	DataRecords      float64 `json:"data_records"`      // DataRecords is data records stored.
	Analysis         float64 `json:"analysis"`          // Analysis is analysis run time.
	SMS              float64 `json:"sms"`               // SMS is text messages sent.
	Email            float64 `json:"email"`             // Email is e-mails sent.
	RunUsers         float64 `json:"run_users"`         // RunUsers is TagoRUN users.
	PushNotification float64 `json:"push_notification"` // PushNotification is push notifications sent.
	FileStorage      float64 `json:"file_storage"`      // FileStorage is file storage in megabytes.
	TCore            float64 `json:"tcore"`             // TCore is TagoCore instances.
	TCoreCluster     float64 `json:"tcore_cluster"`     // TCoreCluster is TagoCore clusters.
}

// ProfileAddOns says which add-ons a profile has.
type ProfileAddOns struct {
	// CustomDNS is the custom domain add-on.
	CustomDNS bool `json:"custom_dns"`
	// Mobile is the custom mobile app add-on.
	Mobile bool `json:"mobile"`
	// ControlTower is the Control Tower add-on.
	ControlTower bool `json:"control_tower"`
}

// Info returns a profile's description; id may be [CurrentProfile] for the profile of
// the client's token.
//
// TagoIO API: GET /profile/{id}
func (s *ProfilesService) Info(ctx context.Context, id string) (ProfileInfo, error) {
	if err := checkProfileID(id, true); err != nil {
		return ProfileInfo{}, err
	}
	return do[ProfileInfo](ctx, s.cl(), &call{method: "GET", path: "/profile/" + escape(id), kinds: accountOnly})
}

// ProfileSummary is how much a profile holds and uses of what its plan allows.
type ProfileSummary struct {
	// Limit is the profile's limit per service.
	Limit ProfileLimits `json:"limit"`
	// LimitUsed is how much of each limit the profile used this billing period.
	LimitUsed ProfileLimits `json:"limit_used"`
	// Amount counts the profile's resources.
	Amount ProfileAmounts `json:"amount"`
	// AddOns says which add-ons the profile has.
	AddOns ProfileAddOns `json:"addons"`
	// TagoRun is the profile's TagoRUN domain, if any.
	TagoRun string `json:"tago_run,omitempty"`
}

// ProfileAmounts count a profile's resources.
type ProfileAmounts struct {
	Device          int64 `json:"device"`           // Device counts devices.
	Bucket          int64 `json:"bucket"`           // Bucket counts buckets (legacy device storage).
	Dashboard       int64 `json:"dashboard"`        // Dashboard counts dashboards.
	DashboardShared int64 `json:"dashboard_shared"` // DashboardShared counts dashboards shared with the profile.
	Analysis        int64 `json:"analysis"`         // Analysis counts analyses.
	Action          int64 `json:"action"`           // Action counts actions.
	AM              int64 `json:"am"`               // AM counts access policies.
	RunUsers        int64 `json:"run_users"`        // RunUsers counts TagoRUN users.
	Dictionary      int64 `json:"dictionary"`       // Dictionary counts dictionaries.
	Connectors      int64 `json:"connectors"`       // Connectors counts connectors.
	Networks        int64 `json:"networks"`         // Networks counts networks.
	TCore           int64 `json:"tcore"`            // TCore counts TagoCore instances.
	TCoreCluster    int64 `json:"tcore_cluster"`    // TCoreCluster counts TagoCore clusters.
}

// Summary returns a profile's resource counts and its usage of the plan's limits.
// With onlyAmount the platform fills only Amount, which is cheaper.
//
// TagoIO API: GET /profile/{id}/summary
func (s *ProfilesService) Summary(ctx context.Context, id string, onlyAmount bool) (ProfileSummary, error) {
	if err := checkProfileID(id, false); err != nil {
		return ProfileSummary{}, err
	}
	var q query
	if onlyAmount {
		q.addBool("onlyAmount", true)
	}
	return do[ProfileSummary](ctx, s.cl(), &call{method: "GET", path: "/profile/" + escape(id) + "/summary", query: &q, kinds: accountOnly})
}

// ProfileCreateRequest describes a new profile. Name is required.
type ProfileCreateRequest struct {
	// Name is the profile's name.
	Name string `json:"name"`
	// AllocateFreeResources gives the new profile the account's unallocated resources;
	// it is sent as the allocate_free_resources query parameter.
	AllocateFreeResources bool `json:"-"`
}

// Create creates a profile and returns its ID.
//
// TagoIO API: POST /profile/
func (s *ProfilesService) Create(ctx context.Context, req ProfileCreateRequest) (string, error) {
	if err := checkName("name", req.Name); err != nil {
		return "", err
	}
	var q query
	if req.AllocateFreeResources {
		q.addBool("allocate_free_resources", true)
	}
	id, err := do[createdID[idKey]](ctx, s.cl(), &call{method: "POST", path: "/profile/", query: &q, body: req, kinds: accountOnly})
	return string(id), err
}

// ProfileEditRequest lists the profile fields to change; nil fields are left as they
// are.
type ProfileEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// LogoURL is the new logo's URL.
	LogoURL *string `json:"logo_url,omitempty"`
	// BannerURL is the new banner's URL.
	BannerURL *string `json:"banner_url,omitempty"`
}

// Edit changes a profile's fields.
//
// TagoIO API: PUT /profile/{id}
func (s *ProfilesService) Edit(ctx context.Context, id string, req ProfileEditRequest) error {
	if err := checkProfileID(id, false); err != nil {
		return err
	}
	if req.Name == nil && req.LogoURL == nil && req.BannerURL == nil {
		return invalidf("profile edit", "sets no field")
	}
	if req.Name != nil {
		if err := checkName("name", *req.Name); err != nil {
			return err
		}
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/profile/" + escape(id), body: req, kinds: accountOnly})
}

// ProfileDeleteRequest confirms a profile's deletion with the account's password, and
// the one-time code when the account has two-factor authentication.
type ProfileDeleteRequest struct {
	// Password is the account's password.
	Password Secret `json:"password"`
	// PinCode is the one-time code, for accounts with two-factor authentication.
	PinCode Secret `json:"pin_code,omitempty"`
	// OTPType is the channel PinCode came from.
	OTPType OTPType `json:"otp_type,omitempty"`
}

// LogValue logs the request with its secrets masked.
func (r ProfileDeleteRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("password", r.Password.String()), slog.String("pin_code", r.PinCode.String()))
}

// Delete deletes a profile with all its resources. It cannot be undone.
//
// TagoIO API: DELETE /profile/{id}
func (s *ProfilesService) Delete(ctx context.Context, id string, req ProfileDeleteRequest) error {
	if err := checkProfileID(id, false); err != nil {
		return err
	}
	if err := checkSecretSet("password", req.Password); err != nil {
		return err
	}
	if err := checkOTPType("otp type", req.OTPType, true); err != nil {
		return err
	}
	if req.OTPType != "" && req.PinCode == "" {
		return invalidf("pin code", "must be set with an otp type")
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/profile/" + escape(id), body: req,
		secrets: []string{req.Password.Reveal(), req.PinCode.Reveal()}, kinds: accountOnly})
}

// Periodicity is the span of one entry of usage statistics.
type Periodicity string

// The statistics periodicities.
const (
	PerHour  Periodicity = "hour"  // PerHour is one entry per hour (the platform's default).
	PerDay   Periodicity = "day"   // PerDay is one entry per day.
	PerMonth Periodicity = "month" // PerMonth is one entry per month.
)

// StatisticsOptions chooses which usage statistics [ProfilesService.Statistics]
// returns: the hours of one day (Date), or a range (Start and End) at a Periodicity.
// The zero value asks for the platform's default, today's hours.
type StatisticsOptions struct {
	// Date asks for the hourly statistics of the day holding it.
	Date time.Time
	// Start is the first instant of a range; End is required with it.
	Start time.Time
	// End is the last instant of a range; Start is required with it.
	End time.Time
	// Periodicity is the span of one entry of a range; empty means per hour.
	Periodicity Periodicity
	// Timezone is the time zone of the entries, such as "America/Sao_Paulo"; empty
	// means UTC.
	Timezone string
}

// query builds the statistics query.
func (o *StatisticsOptions) query() (*query, error) {
	q := &query{}
	if o == nil {
		return q, nil
	}
	ranged := !o.Start.IsZero() || !o.End.IsZero()
	switch {
	case !o.Date.IsZero() && ranged:
		return nil, invalidf("statistics", "set Date or a Start-End range, not both")
	case ranged && (o.Start.IsZero() || o.End.IsZero()):
		return nil, invalidf("statistics", "a range needs both Start and End")
	case ranged && o.End.Before(o.Start):
		return nil, invalidf("statistics", "End is before Start")
	case !ranged && o.Periodicity != "":
		return nil, invalidf("periodicity", "applies to a Start-End range only")
	}
	switch o.Periodicity {
	case "", PerHour, PerDay, PerMonth:
	default:
		return nil, invalidf("periodicity", "unknown periodicity %q (want hour, day or month)", string(o.Periodicity))
	}
	q.addTime("date", o.Date)
	q.addTime("start_date", o.Start)
	q.addTime("end_date", o.End)
	q.addString("periodicity", string(o.Periodicity))
	q.addString("timezone", o.Timezone)
	return q, nil
}

// UsageStatistic is a profile's usage of each service over one period. A service not
// used in the period is zero.
type UsageStatistic struct {
	// Time is the period's start.
	Time time.Time `json:"time"`
	ProfileLimits
}

// Statistics returns a profile's usage statistics, per hour of a day or per period of
// a range (see [StatisticsOptions]; nil means today's hours).
//
// TagoIO API: GET /profile/{id}/statistics
func (s *ProfilesService) Statistics(ctx context.Context, id string, opts *StatisticsOptions) ([]UsageStatistic, error) {
	if err := checkProfileID(id, false); err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	return do[[]UsageStatistic](ctx, s.cl(), &call{method: "GET", path: "/profile/" + escape(id) + "/statistics", query: q, kinds: accountOnly})
}

// AuditLogFilter narrows an audit log query. Every field is optional.
type AuditLogFilter struct {
	// ResourceID keeps events of one resource.
	ResourceID string
	// ResourceName keeps events of one kind of resource: "action", "am", "analysis",
	// "connector", "dashboard", "device", "dictionary", "network", "profile", "run" or
	// "runuser".
	ResourceName string
	// Find keeps events whose message matches, * wildcards allowed.
	Find string
	// Start keeps events at or after it.
	Start time.Time
	// End keeps events at or before it.
	End time.Time
	// Limit caps the number of events; 0 lets the platform choose.
	Limit int
}

// auditResources are the resource names an audit log filter takes.
var auditResources = []string{"action", "am", "analysis", "connector", "dashboard", "device", "dictionary", "network", "profile", "run", "runuser"}

// query builds the audit log query, in the order the official SDKs send it.
func (f *AuditLogFilter) query() (*query, error) {
	q := &query{}
	if f == nil {
		return q, nil
	}
	if err := checkOptionalID("resource ID", f.ResourceID); err != nil {
		return nil, err
	}
	if f.ResourceName != "" && !slices.Contains(auditResources, f.ResourceName) {
		return nil, invalidf("resource name", "unknown resource %q", f.ResourceName)
	}
	if f.Limit < 0 {
		return nil, invalidf("limit", "must not be negative, got %d", f.Limit)
	}
	if !f.Start.IsZero() && !f.End.IsZero() && f.End.Before(f.Start) {
		return nil, invalidf("audit log filter", "End is before Start")
	}
	q.addString("resourceID", f.ResourceID)
	q.addString("resourceName", f.ResourceName)
	q.addString("find", f.Find)
	q.addTime("start_date", f.Start)
	q.addTime("end_date", f.End)
	if f.Limit > 0 {
		q.addInt("limit", f.Limit)
	}
	return q, nil
}

// AuditLog is the answer to an audit log query: events so far, and the query's state.
// A query that is still Running is read again with [ProfilesService.AuditLogQuery].
type AuditLog struct {
	// Events are the matching events.
	Events []AuditEvent `json:"events,omitempty"`
	// Statistics describe the search.
	Statistics *AuditStatistics `json:"statistics,omitempty"`
	// Status is "Running", "Complete", "Failed", "Timeout" or "Unknown".
	Status string `json:"status,omitempty"`
	// QueryID names the query for [ProfilesService.AuditLogQuery].
	QueryID string `json:"queryId"`
}

// AuditEvent is one entry of a profile's audit log.
type AuditEvent struct {
	// ResourceName is the kind of resource, such as "device".
	ResourceName string `json:"resourceName"`
	// ResourceID is the resource's ID.
	ResourceID string `json:"resourceID"`
	// Message says what happened.
	Message string `json:"message"`
	// Who is the ID of the account, token or user that did it.
	Who string `json:"who"`
	// Date is when it happened.
	Date time.Time `json:"date"`
}

// AuditStatistics describe an audit log search.
type AuditStatistics struct {
	RecordsMatched int64 `json:"recordsMatched"` // RecordsMatched counts matching events.
	RecordsScanned int64 `json:"recordsScanned"` // RecordsScanned counts events read.
	BytesScanned   int64 `json:"bytesScanned"`   // BytesScanned counts bytes read.
}

// AuditLog starts a query of a profile's audit log and returns its first answer; read
// a query still running again with [ProfilesService.AuditLogQuery].
//
// TagoIO API: GET /profile/{id}/auditlog
func (s *ProfilesService) AuditLog(ctx context.Context, id string, filter *AuditLogFilter) (AuditLog, error) {
	if err := checkProfileID(id, false); err != nil {
		return AuditLog{}, err
	}
	q, err := filter.query()
	if err != nil {
		return AuditLog{}, err
	}
	return do[AuditLog](ctx, s.cl(), &call{method: "GET", path: "/profile/" + escape(id) + "/auditlog", query: q, kinds: accountOnly})
}

// AuditLogQuery reads an audit log query started by [ProfilesService.AuditLog].
//
// TagoIO API: GET /profile/{id}/auditlog/{queryID}
func (s *ProfilesService) AuditLogQuery(ctx context.Context, id, queryID string) (AuditLog, error) {
	if err := checkProfileID(id, false); err != nil {
		return AuditLog{}, err
	}
	if err := checkPathToken("query ID", queryID); err != nil {
		return AuditLog{}, err
	}
	return do[AuditLog](ctx, s.cl(), &call{method: "GET", path: "/profile/" + escape(id) + "/auditlog/" + escape(queryID), kinds: accountOnly})
}

// ProfileAddOn is an add-on as the platform's older add-on routes describe it.
type ProfileAddOn struct {
	// ID is the add-on's ID.
	ID string `json:"id"`
	// Name is the add-on's name.
	Name string `json:"name"`
	// LogoURL is the add-on's logo, if any.
	LogoURL string `json:"logo_url,omitempty"`
}

// addOnList decodes the add-on answer, which the official SDK types as one object: a
// list or a single object both decode.
type addOnList []ProfileAddOn

// UnmarshalJSON reads a list or one object.
func (l *addOnList) UnmarshalJSON(b []byte) error {
	var list []ProfileAddOn
	if err := json.Unmarshal(b, &list); err == nil {
		*l = list
		return nil
	}
	var one ProfileAddOn
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*l = addOnList{one}
	return nil
}

// AddOns returns a profile's add-ons. The platform marks the route deprecated;
// [ProfilesService.Info] reports the add-ons too.
//
// TagoIO API: GET /profile/{id}/addons
func (s *ProfilesService) AddOns(ctx context.Context, id string) ([]ProfileAddOn, error) {
	if err := checkProfileID(id, false); err != nil {
		return nil, err
	}
	l, err := do[addOnList](ctx, s.cl(), &call{method: "GET", path: "/profile/" + escape(id) + "/addons", kinds: accountOnly})
	return []ProfileAddOn(l), err
}

// ProfileAddOnEditRequest lists the add-on fields to change; nil fields are left as
// they are.
type ProfileAddOnEditRequest struct {
	// ID is the add-on's ID.
	ID *string `json:"id,omitempty"`
	// Name is the add-on's new name.
	Name *string `json:"name,omitempty"`
	// LogoURL is the add-on's new logo.
	LogoURL *string `json:"logo_url,omitempty"`
}

// EditAddOn changes a profile's add-on configuration. The platform marks the route
// deprecated.
//
// TagoIO API: POST /profile/{id}/addons
func (s *ProfilesService) EditAddOn(ctx context.Context, id string, req ProfileAddOnEditRequest) error {
	if err := checkProfileID(id, false); err != nil {
		return err
	}
	if req.ID == nil && req.Name == nil && req.LogoURL == nil {
		return invalidf("add-on edit", "sets no field")
	}
	if req.ID != nil {
		if err := checkID("add-on ID", *req.ID); err != nil {
			return err
		}
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/profile/" + escape(id) + "/addons", body: req, kinds: accountOnly})
}

// AddOn is an add-on that can be removed from a profile.
type AddOn string

// The removable add-ons.
const (
	// AddOnMobile is the custom mobile app.
	AddOnMobile AddOn = "mobile"
	// AddOnCustomDNS is the custom domain.
	AddOnCustomDNS AddOn = "custom_dns"
)

// RemoveAddOn removes an add-on from a profile at the end of the billing cycle.
//
// TagoIO API: DELETE /profile/{id}/{addon}
func (s *ProfilesService) RemoveAddOn(ctx context.Context, id string, addOn AddOn) error {
	if err := checkProfileID(id, false); err != nil {
		return err
	}
	// The add-on is a path segment beside /token and /team: only known names pass.
	if addOn != AddOnMobile && addOn != AddOnCustomDNS {
		return invalidf("add-on", "unknown add-on %q (want mobile or custom_dns)", string(addOn))
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/profile/" + escape(id) + "/" + escape(string(addOn)), kinds: accountOnly})
}

// EmailProvider is a service that sends a profile's e-mails.
type EmailProvider string

// The e-mail providers.
const (
	EmailSendGrid EmailProvider = "sendgrid" // EmailSendGrid sends through SendGrid.
	EmailSES      EmailProvider = "ses"      // EmailSES sends through Amazon SES.
	EmailSMTP     EmailProvider = "smtp"     // EmailSMTP sends through an SMTP server.
)

// SMSProvider is a service that sends a profile's text messages.
type SMSProvider string

// The SMS providers.
const (
	SMSTwilio SMSProvider = "twilio" // SMSTwilio sends through Twilio.
	SMSSNS    SMSProvider = "sns"    // SMSSNS sends through Amazon SNS.
)

// ProfileServicesRequest configures the providers that send a profile's e-mails and
// text messages. Credentials are never sent: they live in [SecretsService] secrets,
// named here by ID.
type ProfileServicesRequest struct {
	// Email configures the e-mail provider; nil leaves it.
	Email *EmailService `json:"email,omitempty"`
	// SMS configures the SMS provider; nil leaves it.
	SMS *SMSService `json:"sms,omitempty"`
}

// EmailService is an e-mail provider and its credentials.
type EmailService struct {
	// Provider is the provider.
	Provider EmailProvider `json:"provider"`
	// From is the sender address.
	From string `json:"from,omitempty"`
	// Secrets names the credentials.
	Secrets EmailServiceSecrets `json:"secrets"`
}

// EmailServiceSecrets name an e-mail provider's credentials by secret ID.
type EmailServiceSecrets struct {
	// Data is the secret with the SMTP configuration (smtp) or the AWS credentials (ses).
	Data string `json:"data,omitempty"`
	// APIKeySecret is the ID of the secret with the SendGrid API key (sendgrid).
	APIKeySecret string `json:"api_key,omitempty"`
}

// SMSService is an SMS provider and its credentials.
type SMSService struct {
	// Provider is the provider.
	Provider SMSProvider `json:"provider"`
	// From is the sender number in E.164 form, required for Twilio.
	From string `json:"from,omitempty"`
	// Secrets names the credentials.
	Secrets SMSServiceSecrets `json:"secrets"`
}

// SMSServiceSecrets name an SMS provider's credentials by secret ID.
type SMSServiceSecrets struct {
	// TwilioSIDSecret is the ID of the secret with the Twilio account SID (twilio).
	TwilioSIDSecret string `json:"twilio_sid,omitempty"`
	// TwilioTokenSecret is the ID of the secret with the Twilio auth token (twilio).
	TwilioTokenSecret string `json:"twilio_token,omitempty"`
	// Data is the secret with the AWS credentials (sns).
	Data string `json:"data,omitempty"`
}

// check validates the providers and that each names the secrets it needs.
func (r *ProfileServicesRequest) check() error {
	if r.Email == nil && r.SMS == nil {
		return invalidf("services", "configures no service")
	}
	if e := r.Email; e != nil {
		switch e.Provider {
		case EmailSMTP, EmailSES:
			if err := checkID("email.secrets.data", e.Secrets.Data); err != nil {
				return err
			}
		case EmailSendGrid:
			if err := checkID("email.secrets.api_key", e.Secrets.APIKeySecret); err != nil {
				return err
			}
		default:
			return invalidf("email.provider", "unknown provider %q (want sendgrid, ses or smtp)", string(e.Provider))
		}
		if e.From != "" {
			if err := checkEmail("email.from", e.From); err != nil {
				return err
			}
		}
	}
	if m := r.SMS; m != nil {
		switch m.Provider {
		case SMSTwilio:
			if err := checkID("sms.secrets.twilio_sid", m.Secrets.TwilioSIDSecret); err != nil {
				return err
			}
			if err := checkID("sms.secrets.twilio_token", m.Secrets.TwilioTokenSecret); err != nil {
				return err
			}
			if err := checkName("sms.from", m.From); err != nil {
				return err
			}
		case SMSSNS:
			if err := checkID("sms.secrets.data", m.Secrets.Data); err != nil {
				return err
			}
		default:
			return invalidf("sms.provider", "unknown provider %q (want twilio or sns)", string(m.Provider))
		}
	}
	return nil
}

// EditServices configures the providers that send a profile's e-mails and text
// messages.
//
// TagoIO API: POST /profile/{id}/services
func (s *ProfilesService) EditServices(ctx context.Context, id string, req ProfileServicesRequest) error {
	if err := checkProfileID(id, false); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/profile/" + escape(id) + "/services", body: req, kinds: accountOnly})
}

// TransferToken moves the client's profile token to another profile of the account:
// afterwards the token acts on targetID.
//
// TagoIO API: PUT /profile/switch/{targetID}
func (s *ProfilesService) TransferToken(ctx context.Context, targetID string) error {
	if err := checkProfileID(targetID, false); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/profile/switch/" + escape(targetID), kinds: accountOnly})
}

// TeamMember is an account a profile is shared with.
type TeamMember struct {
	// ID is the member's account ID.
	ID string `json:"id"`
	// Name is the member's name.
	Name string `json:"name"`
	// Email is the member's e-mail address.
	Email string `json:"email"`
	// Active is false while the invitation is not accepted.
	Active bool `json:"active"`
	// CreatedAt is when the member was invited.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// TeamMembers returns the accounts a profile is shared with. The platform does not
// page this listing.
//
// TagoIO API: GET /profile/{id}/team
func (s *ProfilesService) TeamMembers(ctx context.Context, id string) ([]TeamMember, error) {
	if err := checkProfileID(id, false); err != nil {
		return nil, err
	}
	return do[[]TeamMember](ctx, s.cl(), &call{method: "GET", path: "/profile/" + escape(id) + "/team", kinds: accountOnly})
}

// AddTeamMember invites an account, by e-mail, to a profile's team; the invitation is
// accepted with [AccountService.AcceptTeamInvitation].
//
// TagoIO API: POST /profile/{id}/team
func (s *ProfilesService) AddTeamMember(ctx context.Context, id, email string) error {
	if err := checkProfileID(id, false); err != nil {
		return err
	}
	if err := checkEmail("email", email); err != nil {
		return err
	}
	body := struct {
		Email string `json:"email"`
	}{email}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/profile/" + escape(id) + "/team", body: body, kinds: accountOnly})
}

// RemoveTeamMember removes an account from a profile's team.
//
// TagoIO API: DELETE /profile/{id}/team/{accountID}
func (s *ProfilesService) RemoveTeamMember(ctx context.Context, id, accountID string) error {
	if err := checkProfileID(id, false); err != nil {
		return err
	}
	if err := checkID("account ID", accountID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/profile/" + escape(id) + "/team/" + escape(accountID), kinds: accountOnly})
}
