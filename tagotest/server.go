package tagotest

import (
	"bytes"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultNetworkID and DefaultConnectorID are the IDs of the network ("HTTPs") and
// connector ("Custom HTTPs") every Server starts with, so a device can be created without
// seeding an integration first. They are the IDs the platform's API documentation shows
// for a plain HTTPS device.
const (
	DefaultNetworkID   = "62336c32ab6e0d0012e06c04"
	DefaultConnectorID = "62333bd36977fc001a2990c8"
)

// DefaultDataLimit is how many records a mutable device holds, as on the platform.
const DefaultDataLimit = 50000

// maxBody bounds the request bodies the server reads; maxDataBody is the platform's
// limit for one POST of data.
const (
	maxBody     = 8 << 20
	maxDataBody = 200 << 10
)

// Server is an in-memory fake of the TagoIO API served over HTTP on the loopback
// interface. Create one with [NewServer] in tests or [Start] elsewhere. All its methods
// are safe for concurrent use, also while requests are being served.
type Server struct {
	// URL is the server's base URL, such as "http://127.0.0.1:41234", to give to a client.
	URL string

	hs       *httptest.Server
	closeMu  sync.Once
	routes   []route
	logLimit int
	fileDir  string // where file contents live (WithFileDir); "" for memory

	mu             sync.Mutex // guards everything below
	now            func() time.Time
	rng            *rand.ChaCha8
	arng           *rand.ChaCha8 // accounts' IDs and codes: a stream of its own, so they leave the others' sequence as it was
	seq            int64
	groupSeq       int64
	dataLimit      int
	defaultProfile string
	accountToken   string
	accounts       map[string]*account
	tokens         map[string]*tokenRec
	tables         map[string]map[string]*doc // the collections' docs, by spec key and ID
	audit          []auditEvent
	auditQueries   []*auditQuery
	usage          []*usage
	outbox         []Message
	team           []*member
	runs           []AnalysisRun
	runHooks       map[int]func(AnalysisRun)
	hookSeq        int
	downloads      map[string]download
	firings        []*ActionFiring
	after          []func()                    // work for after s.mu is released (see unlock)
	files          map[fileKey]*storedFile     // files.go; created on first use
	uploads        map[string]*multipartUpload // multipart uploads between start and end, by ID
	signed         map[string]signedLink       // file download links, by key
	published      []RelayMessage              // integrations.go
	pressed        []PressedButton             // notifications.go
	push           []PushDevice                // notifications.go
	templates      []*template                 // templates.go

	fmu     sync.Mutex // guards faults and latency
	faults  []*faultState
	latency time.Duration

	lmu sync.Mutex // guards log
	log []Request

	rt *realtime // /events and the analysis services (events.go, services.go)
}

// Option configures a [Server].
type Option func(*config)

type config struct {
	accountToken string
	email        string
	password     string
	now          func() time.Time
	seed         *uint64
	dataLimit    int
	latency      time.Duration
	logLimit     int
	heartbeat    *time.Duration
	fileDir      string
}

// WithAccountToken sets the account token of the default profile instead of a random
// one, for output that does not change between runs.
func WithAccountToken(token string) Option {
	return func(c *config) { c.accountToken = token }
}

// WithCredentials sets the e-mail address and password of the account owning the
// default profile (default [DefaultEmail] and [DefaultPassword]), which logins and
// token creations check.
func WithCredentials(email, password string) Option {
	return func(c *config) { c.email, c.password = email, password }
}

// WithClock makes the server read the time from now: record times, created_at, relative
// dates such as "1 day" and token expiry all follow it.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithSeed makes IDs, tokens and authorization keys come from a generator seeded with
// seed; with a fixed clock (see [WithClock]) they are then the same on every run.
func WithSeed(seed uint64) Option {
	return func(c *config) { c.seed = &seed }
}

// WithDataLimit sets how many records a mutable device holds (default
// [DefaultDataLimit]); zero or less means no limit.
func WithDataLimit(n int) Option {
	return func(c *config) { c.dataLimit = n }
}

// WithLatency delays every response by d (see also [Server.SetLatency]).
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = d }
}

// WithRequestLogLimit sets how many requests [Server.Requests] keeps (default 10,000;
// the oldest are dropped first). Zero or less keeps none.
func WithRequestLogLimit(n int) Option {
	return func(c *config) { c.logLimit = n }
}

// WithFileDir keeps the contents of uploaded files, and the parts of multipart uploads
// until their end, in files under dir instead of memory, so that large uploads cost
// the fake little memory (to measure a client's, say). dir must exist; the files are
// left there for the caller to remove (give a temporary directory, such as
// t.TempDir()).
func WithFileDir(dir string) Option {
	return func(c *config) { c.fileDir = dir }
}

// NewServer starts a fake server for a test and closes it when the test ends (through
// tb.Cleanup). It has one profile whose account token is [Server.AccountToken], plus the
// default network and connector. tb must not be nil; outside tests use [Start].
func NewServer(tb testing.TB, opts ...Option) *Server {
	if tb == nil {
		panic("tagotest: NewServer needs a testing.TB; use Start outside tests")
	}
	tb.Helper()
	s := newServer(opts)
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake server outside of tests, for examples and demos; call Close when
// done. It never fails today; the error is there for future options that can.
func Start(opts ...Option) (*Server, error) {
	return newServer(opts), nil
}

func newServer(opts []Option) *Server {
	c := config{dataLimit: DefaultDataLimit, logLimit: 10000, now: time.Now, email: DefaultEmail, password: DefaultPassword}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	var seed [32]byte
	if c.seed != nil {
		binary.LittleEndian.PutUint64(seed[:], *c.seed)
	} else {
		_, _ = crand.Read(seed[:])
	}
	s := &Server{
		now:       c.now,
		rng:       rand.NewChaCha8(seed),
		arng:      rand.NewChaCha8(accountSeed(seed)),
		dataLimit: c.dataLimit,
		logLimit:  c.logLimit,
		fileDir:   c.fileDir,
		latency:   c.latency,
		accounts:  map[string]*account{},
		runHooks:  map[int]func(AnalysisRun){},
		downloads: map[string]download{},
		tokens:    map[string]*tokenRec{},
		tables:    map[string]map[string]*doc{},
		rt:        newRealtime(),
	}
	if c.heartbeat != nil {
		s.rt.heartbeat = *c.heartbeat
	}
	s.routes = append(s.routeTable(), s.serviceRoutes()...)
	s.onAnalysisRun(s.publishRun) // runs go out on analysis_trigger (services.go)
	s.mu.Lock()
	a := s.addAccountLocked("Tagotest", c.email, c.password)
	p := s.addProfileLocked(a.id, "Default Profile", c.accountToken)
	s.defaultProfile = p.ID
	s.accountToken = p.Token
	s.addNetworkLocked(NetworkSpec{Name: "HTTPs", Description: "Devices that send data over HTTPS"}, DefaultNetworkID, "")
	s.addConnectorLocked(ConnectorSpec{Name: "Custom HTTPs", Networks: []string{DefaultNetworkID}}, DefaultConnectorID, "")
	s.mu.Unlock()
	s.hs = httptest.NewServer(s)
	s.URL = s.hs.URL
	return s
}

// accountSeed derives the seed of the accounts' stream from the server's.
func accountSeed(seed [32]byte) [32]byte {
	for i := range seed {
		seed[i] ^= 0x5a
	}
	return seed
}

// Close shuts the server down, closing open connections. It is safe to call twice.
func (s *Server) Close() {
	s.closeMu.Do(func() {
		s.rt.shutdown() // open event streams end, so the listener can close
		s.hs.Close()
	})
}

// Client returns an *http.Client whose transport talks to this server.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// AccountToken returns the account (profile) token of the default profile.
func (s *Server) AccountToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accountToken
}

// ProfileID returns the ID of the default profile.
func (s *Server) ProfileID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.defaultProfile
}

// Request is one request the server received, as [Server.Requests] reports it.
type Request struct {
	// Method and Path are the request's method and URL path.
	Method, Path string
	// RawQuery is the query string as sent; Query is it decoded (brackets included in
	// the keys, such as "filter[tags][0][key]").
	RawQuery string
	Query    url.Values
	// TokenHeader is the canonical name of the header that carried the token
	// ("Account-Token", "Device-Token", "Token", ...), empty when none was sent.
	TokenHeader string
	// TokenKind is the kind of a token the server knows ("account", "device",
	// "network", "authorization", "analysis", "run-user"; for GET /events the token in
	// the query), "unknown" for one it does not, and "" when none was sent.
	TokenKind string
	// Body is the request body as received (empty when a fault answered before reading
	// it, and for a multipart file upload, whose fields are in Form).
	Body []byte
	// Form holds the fields of a multipart/form-data upload (POST /files and a
	// widget's file route): the text fields, and under "file" the file's size in bytes.
	// Nil for other requests.
	Form url.Values
	// Status is the HTTP status answered, 0 when the connection was reset.
	Status int
	// Applied says whether the fake platform handled the request (whatever it answered,
	// a 401 included): false when a fault answered in its place or the client gave up
	// during a delay.
	Applied bool
	// Fault describes the fault injected into this request, empty when none was.
	Fault string
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	return append([]Request(nil), s.log...)
}

// ClearRequests forgets the requests received so far.
func (s *Server) ClearRequests() {
	s.lmu.Lock()
	s.log = nil
	s.lmu.Unlock()
}

func (s *Server) record(r Request) {
	if s.logLimit <= 0 {
		return
	}
	s.lmu.Lock()
	if len(s.log) >= s.logLimit {
		n := copy(s.log, s.log[len(s.log)-s.logLimit+1:])
		s.log = s.log[:n]
	}
	s.log = append(s.log, r)
	s.lmu.Unlock()
}

// reply is a handler's answer before it is written.
type reply struct {
	status      int
	result      any
	message     string
	fieldErrors map[string][]string
	header      http.Header
	raw         []byte // a body that is not an envelope (a file download)
}

func ok(v any) reply      { return reply{status: http.StatusOK, result: v} }
func created(v any) reply { return reply{status: http.StatusCreated, result: v} }

func fail(status int, format string, args ...any) reply {
	return reply{status: status, message: fmt.Sprintf(format, args...)}
}

// bad is a 400 with the platform's validation shape: a message and field_errors.
func bad(field, format string, args ...any) reply {
	msg := fmt.Sprintf(format, args...)
	return reply{status: http.StatusBadRequest, message: "Error on Body parameters",
		fieldErrors: map[string][]string{field: {msg}}}
}

func notFound(what string) reply { return fail(http.StatusNotFound, "%s not found", what) }

// The platform's authentication failures.
const (
	msgInvalidToken = "Invalid Token"
	msgDenied       = "Authorization Denied"
)

// encode writes the envelope for a reply.
func (r reply) encode() []byte {
	if r.raw != nil {
		return r.raw
	}
	var buf bytes.Buffer
	if r.status >= 200 && r.status < 300 {
		res, err := json.Marshal(r.result)
		if err != nil {
			return encodeError(http.StatusInternalServerError, "tagotest: cannot encode result: "+err.Error(), nil)
		}
		buf.WriteString(`{"status":true,"result":`)
		buf.Write(res)
		buf.WriteByte('}')
		return buf.Bytes()
	}
	return encodeError(r.status, r.message, r.fieldErrors)
}

func encodeError(status int, msg string, fe map[string][]string) []byte {
	if msg == "" {
		msg = http.StatusText(status)
	}
	v := struct {
		Status      bool                `json:"status"`
		Message     string              `json:"message"`
		FieldErrors map[string][]string `json:"field_errors,omitempty"`
	}{false, msg, fe}
	b, _ := json.Marshal(v)
	return b
}

// tokenHeaders are the headers a token is read from, in order; the first non-empty one
// wins (the literal "null" counts as empty), as on the platform.
var tokenHeaders = []string{"Account-Token", "Profile-Token", "Device-Token", "Analysis-Token", "Token", "Authorization"}

func tokenFrom(h http.Header) (value, header string) {
	for _, name := range tokenHeaders {
		v := strings.TrimSpace(h.Get(name))
		if v != "" && v != "null" {
			return v, name
		}
	}
	return "", ""
}

// call is one request being handled.
type call struct {
	s    *Server
	r    *http.Request
	args []string // the path's wildcard segments, in order
	body []byte
	form *uploadForm // a multipart upload's form; body is then empty
	q    *qnode
	tok  *tokenRec
	seed bool // a seeding helper's call: not in the audit log
	// stash carries what a collection's validate hook parsed to its inserted or edited
	// hook (a device's configuration parameters).
	stash any
}

func (c *call) arg(i int) string { return c.args[i] }

// profile returns the caller's profile ID.
func (c *call) profile() string {
	if c.tok == nil {
		return ""
	}
	return c.tok.profile
}

// ServeHTTP answers one request: it applies any injected fault and latency, then routes
// the request to the fake platform. It is what the server's httptest listener calls;
// it can also be mounted in another mux.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	rec.Query, _ = url.ParseQuery(r.URL.RawQuery)
	tok, hdr := tokenFrom(r.Header)
	rec.TokenHeader = hdr
	if tok != "" {
		rec.TokenKind = "unknown"
		s.mu.Lock()
		if t := s.tokens[tok]; t != nil {
			rec.TokenKind = t.kind.String()
		}
		s.mu.Unlock()
	}

	// Read the whole body first: the client has then sent everything, and the server
	// notices a client that hangs up during a delay. An upload's form is read as it
	// arrives, its file to a blob, and kept out of the log.
	var (
		body []byte
		form *uploadForm
		err  error
	)
	if isUploadForm(r) {
		if form, err = s.readUploadForm(r); form != nil {
			rec.Form = form.logValues()
			defer form.discard() // unless a handler kept the file
		}
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		rec.Body = body
	}

	f, latency := s.takeFault(r.Method, r.URL.Path)
	if f != nil {
		rec.Fault = f.describe()
	}
	if !sleepCtx(r, latency+f.delay()) {
		s.record(rec) // the client gave up: nothing applied, nothing answered
		return
	}
	if f != nil && !f.Process && (f.Reset || f.Status != 0) {
		// The fault answers in the request's place; the request is not applied.
		if f.Reset {
			s.record(rec)
			resetConn(w)
			return
		}
		rec.Status = f.write(w)
		s.record(rec)
		return
	}

	if r.URL.Path == "/events" && r.Method == http.MethodGet {
		s.serveEvents(w, r, &rec) // a stream, not an envelope (events.go)
		return
	}

	var status int
	var hdrs http.Header
	var out []byte
	if errors.Is(err, errPartTooLarge) {
		status, out = http.StatusRequestEntityTooLarge, encodeError(http.StatusRequestEntityTooLarge, "Request Entity Too Large", nil)
	} else if err != nil {
		status, out = http.StatusBadRequest, encodeError(http.StatusBadRequest, "cannot read the request body", nil)
	} else if len(body) > maxBody {
		status, out = http.StatusRequestEntityTooLarge, encodeError(http.StatusRequestEntityTooLarge, "Request Entity Too Large", nil)
	} else {
		status, hdrs, out = s.handle(r, tok, body, form)
		rec.Applied = true
	}

	switch {
	case f != nil && f.Reset:
		s.record(rec)
		resetConn(w)
		return
	case f != nil && f.Status != 0:
		rec.Status = f.write(w)
		s.record(rec)
		return
	case f != nil && f.Truncate:
		rec.Status = status
		s.record(rec)
		truncate(w, status, out, f.TruncateAfter) // panics with http.ErrAbortHandler
		return
	}
	h := w.Header()
	for k, v := range hdrs {
		h[k] = v
	}
	if f != nil && f.RetryAfter > 0 {
		h.Set("Retry-After", retryAfterValue(f.RetryAfter))
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
	rec.Status = status
	s.record(rec)
}

// handle routes and runs one request against the store.
func (s *Server) handle(r *http.Request, tok string, body []byte, form *uploadForm) (int, http.Header, []byte) {
	rt, args, allowed := s.match(r.Method, r.URL.Path)
	if rt == nil {
		if allowed {
			return http.StatusMethodNotAllowed, nil, encodeError(http.StatusMethodNotAllowed, "Cannot "+r.Method+" "+r.URL.Path, nil)
		}
		return http.StatusNotFound, nil, encodeError(http.StatusNotFound, "Cannot "+r.Method+" "+r.URL.Path, nil)
	}
	c := &call{s: s, r: r, args: args, body: body, form: form, q: parseQS(r.URL.RawQuery)}
	s.mu.Lock()
	defer s.unlock()
	var rep reply
	if msg, status := s.authorize(c, rt, tok); msg != "" {
		rep = fail(status, "%s", msg)
	} else {
		rep = rt.h(c)
	}
	return rep.status, rep.header, rep.encode()
}

// authorize resolves the request's token for a route; it returns the failure message
// and status, or "" when the call may proceed.
func (s *Server) authorize(c *call, rt *route, tok string) (string, int) {
	if len(rt.kinds) == 0 {
		return "", 0
	}
	t := s.tokens[tok]
	if tok == "" || t == nil || s.expiredLocked(t) {
		return msgInvalidToken, http.StatusUnauthorized
	}
	kindOK := false
	for _, k := range rt.kinds {
		kindOK = kindOK || k == t.kind
	}
	if !kindOK || !t.allows(c.r.Method != http.MethodGet) {
		return msgDenied, http.StatusUnauthorized
	}
	c.tok = t
	return "", 0
}

// unlock releases s.mu, then runs the work queued for after it (webhooks an action
// posts, analysis-run hooks), so that work can block or call the Server's methods. A
// request's queued work is done before its response is written.
func (s *Server) unlock() {
	fns := s.after
	s.after = nil
	s.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// sleepCtx waits for d unless the client goes away first; it reports whether it waited
// the whole time.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// decodeBody decodes a JSON body into v, reporting a platform-style error.
func (c *call) decodeBody(v any) (reply, bool) {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return bad("body", "a JSON body is required"), false
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return bad(ute.Field, "must be %s", jsonKind(ute.Type.Kind().String())), false
		}
		return fail(http.StatusBadRequest, "Invalid JSON body: %v", err), false
	}
	return reply{}, true
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	default:
		return "a number"
	}
}
