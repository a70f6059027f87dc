// Package tago is a typed Go client for the TagoIO (formerly Tago) REST API.
//
// A [Client] carries one token of one kind and exposes the platform's resources as
// services: [Client.Data] for device data; [Client.Devices], [Client.Tokens],
// [Client.Authorizations], [Client.Dashboards] and [Client.Networks] for devices,
// dashboards and integrations; [Client.Account], [Client.Profiles],
// [Client.ProfileBackups] and [Client.Billing] for the account and its profiles;
// [Client.Analyses], [Client.Actions], [Client.Secrets], [Client.Access] and
// [Client.Tags] for automation and access; [Client.Files], [Client.Entities],
// [Client.SQL], [Client.Notifications], [Client.Dictionaries], [Client.Templates] and
// [Client.TagoCores] for the rest of the platform; [Client.Run] and [Client.RunUser] for
// TagoRUN, its administration and its end users; [Client.Realtime] for live events
// (Server-Sent Events) and [Client.Services] for the analysis services. The analysis
// subpackage runs a Go program as a TagoIO analysis. Every method takes a
// [context.Context] first, decodes the platform's {"status", "result"} envelope into
// typed results and reports failures as typed errors.
//
// # Authentication
//
// Create a client with the token you hold: [AccountToken] for account and profile tokens,
// [DeviceToken] for a device's token, [NetworkToken] for a network (integration) token,
// [AnalysisToken] inside an analysis, [AuthorizationToken] for a service authorization,
// [RunUserToken] for a TagoRUN end user, or [Anonymous] for the routes that need no token
// (status, login, password recovery). Account tokens are sent in the Account-Token
// header, device tokens in Device-Token and analysis tokens in Analysis-Token; the other
// kinds travel in the plain token header. [WithAuthHeader] switches every kind to the
// plain token header that the official JavaScript and Python SDKs send. A call that needs
// another kind of token fails with [ErrTokenKind] before any request is made.
//
// # Errors
//
// A response whose envelope says "status": false, or whose HTTP status is not 2xx, becomes
// an [*APIError] that matches the sentinels [ErrBadRequest], [ErrUnauthorized],
// [ErrForbidden], [ErrNotFound], [ErrRateLimited] and [ErrServer] with [errors.Is]; a
// refusal answered with a 2xx status and "status": false matches [ErrBadRequest].
// Arguments rejected before any request match [ErrInvalidInput] and can be inspected as
// [*InputError]. Transport failures are wrapped in a [*RequestError], so
// errors.Is(err, context.DeadlineExceeded) holds for a timeout. No error text and no log
// line contains the client's token or an authorization key, and printing a [Token], a
// [Secret] or a Client with fmt or slog shows at most their last four characters.
//
// # Pagination
//
// List methods return one page; their All counterparts return an [iter.Seq2] that fetches
// pages lazily and stops as soon as the caller stops ranging. All asks for pages of at
// most 1000 items, the most the platform is known to serve, and ends with a
// [*PagingError] when a server ignores paging rather than loop or yield items twice.
//
// # Retries
//
// The client retries failed attempts according to its [RetryPolicy] (see
// [DefaultRetryPolicy]): GET, PUT and DELETE on 429, 502, 503, 504 and connection errors;
// POST only when the platform certainly did not process the request (429, 503 with
// Retry-After, or a connection that could not be opened), so a reading is never stored
// twice. Retry-After is honoured up to a cap, and the context bounds the whole call.
package tago

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Version is the version of this SDK, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultTimeout bounds one attempt of a request unless [WithTimeout] says otherwise.
const DefaultTimeout = 60 * time.Second

// TokenKind says which kind of TagoIO token a [Token] is.
type TokenKind int

// The kinds of token a client can carry.
const (
	// KindAccount is an account or profile token, for managing resources.
	KindAccount TokenKind = iota + 1
	// KindDevice is a device token, for sending and reading one device's data.
	KindDevice
	// KindNetwork is a network (integration) token, used by network-server bridges.
	KindNetwork
	// KindAnalysis is an analysis token, with which an analysis calls the platform's
	// services and reads its own description.
	KindAnalysis
	// KindAuthorization is a service authorization key used as a token, to read its
	// own description.
	KindAuthorization
	// KindRunUser is the token of a TagoRUN end user, for the run-user routes.
	KindRunUser
	// KindAnonymous is no token at all, for the routes that need none (status, login,
	// password recovery); see [Anonymous].
	KindAnonymous
)

// String returns the kind's name, such as "account".
func (k TokenKind) String() string {
	switch k {
	case KindAccount:
		return "account"
	case KindDevice:
		return "device"
	case KindNetwork:
		return "network"
	case KindAnalysis:
		return "analysis"
	case KindAuthorization:
		return "authorization"
	case KindRunUser:
		return "run-user"
	case KindAnonymous:
		return "anonymous"
	default:
		return fmt.Sprintf("TokenKind(%d)", int(k))
	}
}

// Token is a TagoIO token together with its kind. Its String method never reveals the
// secret, so a Token is safe to print or log.
type Token struct {
	kind  TokenKind
	value string
}

// AccountToken returns an account (or profile) token, sent in the Account-Token header.
func AccountToken(s string) Token { return Token{kind: KindAccount, value: strings.TrimSpace(s)} }

// DeviceToken returns a device token, sent in the Device-Token header.
func DeviceToken(s string) Token { return Token{kind: KindDevice, value: strings.TrimSpace(s)} }

// NetworkToken returns a network (integration) token, sent in the plain token header.
func NetworkToken(s string) Token { return Token{kind: KindNetwork, value: strings.TrimSpace(s)} }

// AnalysisToken returns an analysis token, sent in the Analysis-Token header.
func AnalysisToken(s string) Token { return Token{kind: KindAnalysis, value: strings.TrimSpace(s)} }

// AuthorizationToken returns a service authorization key used as a token, sent in the
// plain token header.
func AuthorizationToken(s string) Token {
	return Token{kind: KindAuthorization, value: strings.TrimSpace(s)}
}

// RunUserToken returns a TagoRUN end user's token, sent in the plain token header.
func RunUserToken(s string) Token { return Token{kind: KindRunUser, value: strings.TrimSpace(s)} }

// Anonymous returns the absence of a token: a client made with it sends no token header
// and can call only the routes that need none ([Client.Status], logging in, password
// recovery); every other call fails with [ErrTokenKind] before any request.
func Anonymous() Token { return Token{kind: KindAnonymous} }

// Kind reports the token's kind.
func (t Token) Kind() TokenKind { return t.kind }

// String returns a redacted description of the token, such as "device token ****3f9a".
func (t Token) String() string {
	if t.kind == KindAnonymous {
		return "no token (anonymous)"
	}
	if t.value == "" {
		return t.kind.String() + " token (empty)"
	}
	return t.kind.String() + " token " + maskSecret(t.value)
}

// GoString returns the same redacted description as String, for %#v.
func (t Token) GoString() string { return "tago.Token(" + t.String() + ")" }

// Format writes the redacted description for every fmt verb (%d and %x included,
// which would otherwise print the token's fields).
func (t Token) Format(f fmt.State, verb rune) { formatMasked(f, verb, t.String(), t.GoString()) }

// LogValue logs the redacted description.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

// maskSecret shows at most the last four characters of a secret, and only when the secret
// is long enough that doing so reveals little.
func maskSecret(s string) string {
	if len(s) < 16 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}

// Region is a TagoIO cloud region; it decides the API's base URL.
type Region string

// The TagoIO cloud regions.
const (
	// RegionUSE1 is the US East region, the default (https://api.tago.io).
	RegionUSE1 Region = "us-e1"
	// RegionEUW1 is the EU West region (https://api.eu-w1.tago.io).
	RegionEUW1 Region = "eu-w1"
)

// APIURL returns the region's REST API base URL, or "" for an unknown region.
func (r Region) APIURL() string {
	switch r {
	case RegionUSE1, "usa-1":
		return "https://api.tago.io"
	case RegionEUW1:
		return "https://api.eu-w1.tago.io"
	default:
		return ""
	}
}

// AuthHeader chooses the HTTP header that carries the client's token.
type AuthHeader int

const (
	// AuthHeaderByKind sends account tokens in Account-Token, device tokens in
	// Device-Token, analysis tokens in Analysis-Token and the other kinds (network,
	// authorization, run-user) in token. It is the default.
	AuthHeaderByKind AuthHeader = iota
	// AuthHeaderToken sends every kind of token in the plain token header, as the official
	// JavaScript and Python SDKs do.
	AuthHeaderToken
)

// Client talks to the TagoIO API with one token. It is safe for concurrent use by
// multiple goroutines and holds no global state.
type Client struct {
	// Data sends and reads device data: with a device token for the token's own device,
	// or with an account token for any device by ID (see [DevicesService.Data]).
	Data *DataService
	// Devices manages devices, their configuration parameters, chunks, data backups and
	// storage type (account token).
	Devices *DevicesService
	// Tokens manages device tokens and profile tokens (account token).
	Tokens *TokensService
	// Authorizations manages service authorizations, the keys network servers such as
	// Actility ThingPark send with every uplink (account token).
	Authorizations *AuthorizationsService
	// Dashboards manages dashboards, widgets and widget data (account token).
	Dashboards *DashboardsService
	// Networks manages networks, connectors and network tokens (account token); with a
	// network token it resolves device tokens, lists a connector's devices, sets their
	// parameters, publishes to the MQTT relay and sends data through the network.
	Networks *NetworksService
	// Account manages the token's account (account token) and logs in, creates tokens
	// from credentials and recovers passwords (no token: see [Anonymous]).
	Account *AccountService
	// Profiles manages profiles, their usage, audit log, add-ons and team (account token).
	Profiles *ProfilesService
	// Analyses manages analyses: scripts, runs and analysis tokens (account token).
	Analyses *AnalysesService
	// Actions manages actions, typed triggers and tasks (account token).
	Actions *ActionsService
	// Secrets manages the profile's secrets (account token).
	Secrets *SecretsService
	// Access manages access policies for TagoRUN users and analyses (account token).
	Access *AccessService
	// Tags lists the tag keys in use per kind of resource (account token).
	Tags *TagsService
	// ProfileBackups creates, lists, downloads and deletes profile backups (account
	// token).
	ProfileBackups *ProfileBackupsService
	// Notifications reads and sends the profile's notifications and registers phones
	// for push notifications (account token).
	Notifications *NotificationsService
	// Dictionaries manages the profile's dictionaries and reads their strings for
	// applications (account token; the TagoRUN form needs none).
	Dictionaries *DictionariesService
	// Templates makes and installs dashboard and analysis templates (account token).
	Templates *TemplatesService
	// TagoCores manages the profile's TagoCore instances (account token).
	TagoCores *TagoCoresService
	// Billing reads and changes the account's plan, payment method, billing
	// information and allocation (account token).
	Billing *BillingService
	// SQL manages and executes the profile's stored TagoSQL queries (account token).
	SQL *SQLService
	// Entities manages the profile's entities, their schemas and indexes, and reads
	// and writes their records (account token).
	Entities *EntitiesService
	// Run administers the profile's TagoRUN: settings, users, their notifications, SSO
	// and custom domain (account token). The end users' side is [Client.RunUser].
	Run *RunService
	// Realtime subscribes to live events (Server-Sent Events): device data as it is
	// stored, analysis triggers and consoles, dashboards, notifications.
	Realtime *RealtimeService
	// Services are the platform's analysis services (analysis token): the analysis
	// console, e-mail, SMS, WhatsApp, notifications, MQTT, attachments, PDF, SQS.
	Services *ServicesService
	// Files manages the profile's files: listing, uploads of any size, moves, copies,
	// deletions, permissions and signed links (account token).
	Files *FilesService

	// kind and secret are the client's token. The value sits behind a pointer to a
	// string, which fmt prints as an address whatever the verb, so a struct holding a
	// *Client in an unexported field (where fmt cannot call Client's Format) does not
	// print the token. For the same reason the token header is added to each request,
	// not kept in a header set shared by the client's requests.
	kind       TokenKind
	secret     *string
	baseURL    string // scheme://host[/prefix], no trailing slash
	sseURL     string // the realtime (Server-Sent Events) endpoint, no query
	authHeader string
	userAgent  string
	timeout    time.Duration
	retry      RetryPolicy
	logger     *slog.Logger
	hc         *http.Client // the caller's client, copied: redirects are never followed
	uaHeader   []string     // the User-Agent header's value, shared by every request
	plain      bool         // WithAuthHeader(AuthHeaderToken): every kind in the token header
}

// service is the shared state behind every service; each XxxService is defined as service.
type service struct {
	client *Client
}

// The services' cl methods return their client, or nil for a nil service (a Client not
// made by NewClient), which do reports as an error instead of panicking.

func (s *DataService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

func (s *DevicesService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

func (s *TokensService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

func (s *AuthorizationsService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

func (s *DashboardsService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

func (s *NetworksService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

func (s *FilesService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// Option configures a [Client] in [NewClient].
type Option func(*settings) error

// settings collects the options before NewClient validates them as a whole.
type settings struct {
	region     Region
	baseURL    string
	httpClient *http.Client
	timeout    time.Duration
	retry      RetryPolicy
	logger     *slog.Logger
	userAgent  string
	authHeader AuthHeader
	insecure   bool
	sseURL     string
}

// WithRegion selects the TagoIO cloud region (default [RegionUSE1]).
func WithRegion(r Region) Option {
	return func(s *settings) error {
		if r.APIURL() == "" {
			return invalidf("region", "unknown region %q (want %q or %q)", string(r), RegionUSE1, RegionEUW1)
		}
		s.region = r
		return nil
	}
}

// WithBaseURL points the client at another API base URL: a self-hosted or TagoIO Deploy
// instance, or a test server. It takes precedence over [WithRegion].
func WithBaseURL(rawURL string) Option {
	return func(s *settings) error {
		s.baseURL = strings.TrimSpace(rawURL)
		return nil
	}
}

// WithHTTPClient makes the client send its requests through a copy of hc; hc itself is
// never modified. Its transport, when set, is used as it is (and shared by every client
// made with it); without this option, or when hc.Transport is nil, clients share one
// process-wide transport with up to 128 idle connections per host, HTTP/2 where offered
// and the proxy from the environment.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return invalidf("http client", "must not be nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each attempt of a request (default [DefaultTimeout]); the context
// passed to a method bounds the whole call, retries included.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return invalidf("timeout", "must be positive, got %v", d)
		}
		s.timeout = d
		return nil
	}
}

// WithRetryPolicy replaces the [DefaultRetryPolicy]; use [NoRetries] to disable retries.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if p.MaxRetries < 0 {
			return invalidf("retry policy", "MaxRetries must not be negative, got %d", p.MaxRetries)
		}
		s.retry = p
		return nil
	}
}

// WithLogger makes the client log each attempt at debug level (method, path, status,
// attempt, duration) and transport warnings to l. Tokens are never logged. Without it the
// client is silent.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithUserAgent prepends a product token, such as "my-gateway/1.2", to the SDK's
// User-Agent header.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		if strings.IndexFunc(ua, unicode.IsControl) >= 0 {
			return invalidf("user agent", "must not contain control characters or line breaks")
		}
		s.userAgent = strings.TrimSpace(ua)
		return nil
	}
}

// WithAuthHeader chooses the header that carries the token (default [AuthHeaderByKind]).
func WithAuthHeader(h AuthHeader) Option {
	return func(s *settings) error {
		if h != AuthHeaderByKind && h != AuthHeaderToken {
			return invalidf("auth header", "unknown value %d", int(h))
		}
		s.authHeader = h
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// base URL on a non-loopback host. Tokens then
// cross the network unencrypted; use it only on networks you trust.
func WithInsecureHTTP() Option {
	return func(s *settings) error {
		s.insecure = true
		return nil
	}
}

// NewClient returns a client that authenticates with tok. It fails, before any request,
// on an empty token, an unknown region, or a base URL that is malformed or uses plain
// http:// on a non-loopback host without [WithInsecureHTTP].
func NewClient(tok Token, opts ...Option) (*Client, error) {
	if tok.kind < KindAccount || tok.kind > KindAnonymous {
		return nil, invalidf("token", "unknown kind; create it with AccountToken, DeviceToken, NetworkToken, AnalysisToken, AuthorizationToken, RunUserToken or Anonymous")
	}
	if tok.kind != KindAnonymous && tok.value == "" {
		return nil, invalidf("token", "must not be empty (use Anonymous() for a client without a token)")
	}
	if err := checkTokenValue(tok); err != nil {
		return nil, err
	}
	s := settings{region: RegionUSE1, timeout: DefaultTimeout, retry: DefaultRetryPolicy()}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	base := s.baseURL
	if base == "" {
		base = s.region.APIURL()
	}
	base, err := checkBaseURL(base, s.insecure)
	if err != nil {
		return nil, err
	}
	sse, err := realtimeURLFor(base, s.sseURL, s.insecure)
	if err != nil {
		return nil, err
	}

	value := tok.value
	c := &Client{
		kind:      tok.kind,
		secret:    &value,
		baseURL:   base,
		sseURL:    sse,
		timeout:   s.timeout,
		retry:     s.retry.withDefaults(),
		logger:    s.logger,
		userAgent: userAgent(s.userAgent),
		plain:     s.authHeader == AuthHeaderToken,
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	c.authHeader = authHeaderFor(tok.kind, c.plain)
	c.hc = newHTTPClient(s.httpClient)
	c.uaHeader = []string{c.userAgent}
	c.wire()
	return c, nil
}

// checkTokenValue refuses a token holding white space or control characters.
func checkTokenValue(tok Token) error {
	if strings.IndexFunc(tok.value, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return invalidf("token", "must not contain white space or control characters")
	}
	return nil
}

// authHeaderFor returns the header a token of kind travels in: the kind's own, or the
// plain token header when plain is set ([WithAuthHeader]); none for no token.
func authHeaderFor(kind TokenKind, plain bool) string {
	switch {
	case kind == KindAnonymous:
		return ""
	case plain:
		return "Token"
	case kind == KindAccount:
		return "Account-Token"
	case kind == KindDevice:
		return "Device-Token"
	case kind == KindAnalysis:
		return "Analysis-Token"
	default: // network, authorization and run-user tokens
		return "Token"
	}
}

// withToken returns a client like c (base URL, HTTP client, timeout, retry policy,
// logger, User-Agent, auth header choice) that carries tok instead.
func (c *Client) withToken(tok Token) (*Client, error) {
	if tok.kind != KindAnonymous && tok.value == "" {
		return nil, invalidf("token", "must not be empty")
	}
	if err := checkTokenValue(tok); err != nil {
		return nil, err
	}
	value := tok.value
	n := *c // every setting; the token and the services are replaced below
	n.kind, n.secret, n.authHeader = tok.kind, &value, authHeaderFor(tok.kind, c.plain)
	n.wire()
	return &n, nil
}

// wire gives c its services.
func (c *Client) wire() {
	svc := &service{client: c}
	c.Data = &DataService{client: c}
	c.Devices = (*DevicesService)(svc)
	c.Tokens = (*TokensService)(svc)
	c.Authorizations = (*AuthorizationsService)(svc)
	c.Dashboards = (*DashboardsService)(svc)
	c.Networks = (*NetworksService)(svc)
	c.Account = (*AccountService)(svc)
	c.Profiles = (*ProfilesService)(svc)
	c.Analyses = (*AnalysesService)(svc)
	c.Actions = (*ActionsService)(svc)
	c.Secrets = (*SecretsService)(svc)
	c.Access = (*AccessService)(svc)
	c.Tags = (*TagsService)(svc)
	c.ProfileBackups = (*ProfileBackupsService)(svc)
	c.Run = (*RunService)(svc)
	c.Notifications = (*NotificationsService)(svc)
	c.Dictionaries = (*DictionariesService)(svc)
	c.Templates = (*TemplatesService)(svc)
	c.TagoCores = (*TagoCoresService)(svc)
	c.Billing = (*BillingService)(svc)
	c.SQL = (*SQLService)(svc)
	c.Realtime = (*RealtimeService)(svc)
	c.Services = (*ServicesService)(svc)
	c.Files = (*FilesService)(svc)
	c.Entities = (*EntitiesService)(svc)
}

// String describes the client without revealing its token, such as
// "tago.Client(account token ****acc0, https://api.tago.io)".
//
// String, Format and LogValue have value receivers so that a Client printed by value,
// or inside another struct, is described the same way: fmt would otherwise print its
// fields, the token among them.
func (c Client) String() string {
	return "tago.Client(" + c.token().String() + ", " + c.baseURL + ")"
}

// Format writes the client's String for every fmt verb.
func (c Client) Format(f fmt.State, verb rune) {
	s := c.String()
	formatMasked(f, verb, s, s)
}

// LogValue logs the client's token kind (redacted) and base URL.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token", c.token().String()), slog.String("base_url", c.baseURL))
}

// token returns the client's token.
func (c *Client) token() Token {
	if c.secret == nil { // a Client not made by NewClient
		return Token{kind: c.kind}
	}
	return Token{kind: c.kind, value: *c.secret}
}

// TokenKind reports the kind of token the client carries.
func (c *Client) TokenKind() TokenKind { return c.kind }

// BaseURL returns the API base URL the client sends requests to.
func (c *Client) BaseURL() string { return c.baseURL }

// checkBaseURL validates and normalises an API base URL, refusing plain HTTP on
// non-loopback hosts unless insecure is set.
func checkBaseURL(raw string, insecure bool) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", invalidf("base URL", "%q is not an absolute http(s) URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", invalidf("base URL", "must not carry credentials, a query or a fragment")
	}
	if u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()) {
		return "", invalidf("base URL", "%q uses plain http on a non-loopback host; use https, or WithInsecureHTTP() on a network you trust", raw)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// isLoopback reports whether host names this machine: localhost or a loopback IP. Other
// *.localhost names are not loopback for Go's resolver, which asks DNS for them.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// userAgent builds the User-Agent header, with the caller's product token first.
func userAgent(product string) string {
	ua := fmt.Sprintf("tago-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if product != "" {
		return product + " " + ua
	}
	return ua
}

// defaultTransport is the transport of every client made without an *http.Client that
// has one: a single connection pool per host for the whole process, as
// http.DefaultTransport is, but sized for concurrent use.
var defaultTransport = sync.OnceValue(newDefaultTransport)

// defaultMaxIdleConnsPerHost is how many idle connections per host the default
// transport keeps. http.DefaultTransport keeps 2, so 16 goroutines sharing a client over
// TLS opened 380 new connections per 1,000 requests; a gateway's concurrency (tens of
// requests in flight) fits in 128.
const defaultMaxIdleConnsPerHost = 128

// newDefaultTransport returns a transport configured as defaultTransport: the proxy
// from the environment (HTTPS_PROXY, NO_PROXY...), HTTP/2 where the server offers it,
// TLS 1.2 at least, and up to defaultMaxIdleConnsPerHost idle connections per host.
func newDefaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true, // needed since TLSClientConfig and DialContext are set
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		MaxIdleConns:          2 * defaultMaxIdleConnsPerHost,
		MaxIdleConnsPerHost:   defaultMaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// newHTTPClient builds the one *http.Client a Client sends through, a copy of the
// caller's (http.DefaultClient's settings when nil); the caller's is never changed. Without a transport of the
// caller's it uses defaultTransport. A transport is shared, not cloned, so clients made
// for many tokens share one connection pool; only an *http.Transport explicitly
// configured below TLS 1.2 is replaced by a clone that requires TLS 1.2 (Go clients
// default to 1.2 already). Other round trippers (test doubles, instrumentation) are
// used as given.
func newHTTPClient(hc *http.Client) *http.Client {
	var copied http.Client
	if hc != nil {
		copied = *hc
	}
	if copied.Transport == nil {
		copied.Transport = defaultTransport()
	}
	if t, ok := copied.Transport.(*http.Transport); ok {
		// Reading t's fields directly would race with its lazy setup on first use by
		// another goroutine; Clone synchronises with that setup, so read a clone.
		if c := t.Clone(); weakTLS(c) {
			c.TLSClientConfig.MinVersion = tls.VersionTLS12
			copied.Transport = c
		}
	}
	// Redirects would resend the token header to wherever the server points (net/http
	// strips only its own credential headers); the API does not redirect, so a redirect
	// is returned to us as a response.
	copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &copied
}

// weakTLS reports whether t explicitly allows TLS versions below 1.2.
func weakTLS(t *http.Transport) bool {
	return t.TLSClientConfig != nil && t.TLSClientConfig.MinVersion != 0 && t.TLSClientConfig.MinVersion < tls.VersionTLS12
}

// errNilClient is returned by service methods called on a nil or zero Client.
var errNilClient = errors.New("tago: nil Client; create one with NewClient")

// APIStatus is the platform's answer to a health check.
type APIStatus struct {
	// Version is the version of the API server.
	Version string `json:"version"`
}

// Status checks that the API answers and returns its version. It works with any kind of
// token, and without one ([Anonymous]).
//
// TagoIO API: GET /status
func (c *Client) Status(ctx context.Context) (APIStatus, error) {
	return do[APIStatus](ctx, c, &call{method: "GET", path: "/status", anonymous: true})
}
