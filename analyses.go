package tago

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"strings"
	"time"
	"unicode"
)

// AnalysesService manages analyses, the platform's scripts: create them, upload and
// download their code, run them with a scope of data records, and generate their
// tokens (account token).
type AnalysesService service

func (s *AnalysesService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// Runtime is the environment an analysis script runs in.
type Runtime string

// The analysis runtimes.
const (
	// RuntimeNode is Node.js (the 2025 runtime).
	RuntimeNode Runtime = "node-rt2025"
	// RuntimePython is Python (the 2025 runtime).
	RuntimePython Runtime = "python-rt2025"
	// RuntimeDeno is Deno (the 2025 runtime).
	RuntimeDeno Runtime = "deno-rt2025"
	// RuntimeNodeLegacy is the older Node.js runtime.
	RuntimeNodeLegacy Runtime = "node-legacy"
	// RuntimePythonLegacy is the older Python runtime.
	RuntimePythonLegacy Runtime = "python-legacy"
	// RuntimeOther marks an analysis whose script runs elsewhere (external), in a
	// language the platform does not run.
	RuntimeOther Runtime = "other"
)

// checkRuntime validates a runtime; scripts excludes RuntimeOther (a script the
// platform runs), and empty passes when optional is set.
func checkRuntime(field string, r Runtime, scripts, optional bool) error {
	switch r {
	case RuntimeNode, RuntimePython, RuntimeDeno, RuntimeNodeLegacy, RuntimePythonLegacy:
		return nil
	case RuntimeOther:
		if !scripts {
			return nil
		}
		return invalidf(field, "%q runs no script on the platform; use node, python or deno", string(r))
	case "":
		if optional {
			return nil
		}
		return invalidf(field, "must be set (such as RuntimeNode, RuntimePython or RuntimeDeno)")
	}
	return invalidf(field, "unknown runtime %q", string(r))
}

// RunOn says where an analysis runs.
type RunOn string

// Where analyses run.
const (
	// RunOnTago runs the analysis on the platform.
	RunOnTago RunOn = "tago"
	// RunOnExternal runs the analysis on the user's own machine, which listens for
	// triggers with the analysis token.
	RunOnExternal RunOn = "external"
)

// checkRunOn validates where an analysis runs; empty passes.
func checkRunOn(r RunOn) error {
	switch r {
	case "", RunOnTago, RunOnExternal:
		return nil
	}
	return invalidf("run on", "unknown value %q (want tago or external)", string(r))
}

// AnalysisVariable is one of an analysis's environment variables.
type AnalysisVariable struct {
	// Key is the variable's name.
	Key string `json:"key"`
	// Value is the variable's value.
	Value string `json:"value"`
}

// UnmarshalJSON accepts a value sent as a JSON string, number or boolean.
func (v *AnalysisVariable) UnmarshalJSON(b []byte) error {
	var raw struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*v = AnalysisVariable{Key: raw.Key}
	if len(raw.Value) > 0 && string(raw.Value) != "null" {
		if err := json.Unmarshal(raw.Value, &v.Value); err != nil {
			v.Value = string(raw.Value) // a number or boolean, kept as its JSON text
		}
	}
	return nil
}

// checkVariables rejects environment variables without a key.
func checkVariables(vars []AnalysisVariable) error {
	for i, v := range vars {
		if strings.TrimSpace(v.Key) == "" {
			return invalidf(fmt.Sprintf("variables[%d].key", i), "must not be empty")
		}
	}
	return nil
}

// Analysis is an analysis as the platform describes it. List calls fill only the fields
// they were asked for.
type Analysis struct {
	// ID is the analysis's ID.
	ID string `json:"id"`
	// Name is the analysis's name.
	Name string `json:"name"`
	// Description is a free-text description.
	Description string `json:"description,omitempty"`
	// Active says whether the analysis may run.
	Active bool `json:"active"`
	// RunOn says where the analysis runs.
	RunOn RunOn `json:"run_on,omitempty"`
	// Runtime is the script's runtime.
	Runtime Runtime `json:"runtime,omitempty"`
	// FileName is the name of the current script.
	FileName string `json:"file_name,omitempty"`
	// Interval is how often the platform runs the analysis on its own, such as
	// "1 hour"; empty or "Never" when it does not.
	Interval string `json:"interval,omitempty"`
	// Profile is the ID of the profile owning the analysis.
	Profile string `json:"profile,omitempty"`
	// Token is the analysis token, for running the analysis externally.
	Token Secret `json:"token,omitempty"`
	// Variables are the analysis's environment variables.
	Variables []AnalysisVariable `json:"variables,omitempty"`
	// Tags are the analysis's tags.
	Tags []Tag `json:"tags,omitempty"`
	// Version is the current script version, when the platform keeps versions.
	Version string `json:"version,omitempty"`
	// Versions describes the script's stored versions by version number.
	Versions map[string]AnalysisVersion `json:"versions,omitempty"`
	// Console holds the latest console lines, when the platform includes them.
	Console []string `json:"console,omitempty"`
	// LastRun is when the analysis last ran; zero if never.
	LastRun time.Time `json:"last_run,omitzero"`
	// LockedAt is when the analysis was locked, if it is.
	LockedAt time.Time `json:"locked_at,omitzero"`
	// CreatedAt is when the analysis was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the analysis was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// AnalysisVersion is one stored version of an analysis's script.
type AnalysisVersion struct {
	// FileName is the version's script name.
	FileName string `json:"file_name"`
	// CreatedBy says who uploaded it, such as "John Doe (john.doe@example.com)".
	CreatedBy string `json:"created_by,omitempty"`
	// CreatedAt is when it was uploaded.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// UnmarshalJSON reads the version's date leniently.
func (v *AnalysisVersion) UnmarshalJSON(b []byte) error {
	type plain AnalysisVersion
	var raw struct {
		plain
		CreatedAt looseTime `json:"created_at"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*v = AnalysisVersion(raw.plain)
	v.CreatedAt = time.Time(raw.CreatedAt)
	return nil
}

// looseTime reads a platform date that may also be "never", null, empty or unreadable
// (all zero).
type looseTime time.Time

// UnmarshalJSON reads the date or leaves the zero time.
func (t *looseTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		tm, _ := parseTime(s)
		*t = looseTime(tm)
	}
	return nil
}

// UnmarshalJSON reads last_run and locked_at leniently ("never" is no time) and a
// version sent as a number or a string.
func (a *Analysis) UnmarshalJSON(b []byte) error {
	type plain Analysis
	var raw struct {
		plain
		LastRun   looseTime       `json:"last_run"`
		LockedAt  looseTime       `json:"locked_at"`
		CreatedAt looseTime       `json:"created_at"`
		UpdatedAt looseTime       `json:"updated_at"`
		Version   json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*a = Analysis(raw.plain)
	a.LastRun, a.LockedAt = time.Time(raw.LastRun), time.Time(raw.LockedAt)
	a.CreatedAt, a.UpdatedAt = time.Time(raw.CreatedAt), time.Time(raw.UpdatedAt)
	a.Version = rawText(raw.Version)
	return nil
}

// rawText returns a JSON string's value, or a number's text; "" for null or anything
// else.
func rawText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// LogValue logs the analysis with its token masked.
func (a Analysis) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", a.ID), slog.String("name", a.Name),
		slog.String("runtime", string(a.Runtime)), slog.String("token", a.Token.String()))
}

// AnalysisListOptions filters and pages [AnalysesService.List] and
// [AnalysesService.All]. Every filter is optional.
type AnalysisListOptions struct {
	ListOptions
	// Name keeps analyses whose name matches, * wildcards allowed.
	Name string
	// Active keeps only active (true) or only inactive (false) analyses.
	Active *bool
	// RunOn keeps analyses that run there.
	RunOn RunOn
	// Tags keeps analyses carrying every one of these tags.
	Tags []Tag
}

// analysesDefaults are the official SDKs' defaults for analysis lists.
var analysesDefaults = listDefaults{fields: []string{"id", "name"}, order: Asc("name")}

// List returns one page of the profile's analyses. Without Fields it asks for id and
// name; the default order is by name, ascending.
//
// TagoIO API: GET /analysis/
func (s *AnalysesService) List(ctx context.Context, opts *AnalysisListOptions) ([]Analysis, error) {
	var o AnalysisListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkRunOn(o.RunOn); err != nil {
		return nil, err
	}
	if err := checkTags("tags", o.Tags); err != nil {
		return nil, err
	}
	q, err := listQuery(&o.ListOptions, analysesDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addBoolPtr("filter[active]", o.Active)
		q.addString("filter[run_on]", string(o.RunOn))
		q.addTags("filter[tags]", o.Tags)
	})
	if err != nil {
		return nil, err
	}
	return do[[]Analysis](ctx, s.cl(), &call{method: "GET", path: "/analysis/", query: q, kinds: accountOnly})
}

// All returns an iterator over every analysis matching opts, fetching pages as the
// caller ranges.
//
// TagoIO API: GET /analysis/
func (s *AnalysesService) All(ctx context.Context, opts *AnalysisListOptions) iter.Seq2[Analysis, error] {
	var o AnalysisListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Analysis, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// AnalysisCreateRequest describes a new analysis. Name is required; Runtime defaults
// to the platform's choice. Upload the script with [AnalysesService.UploadScript].
type AnalysisCreateRequest struct {
	// Name is the analysis's name.
	Name string `json:"name"`
	// Description is a free-text description.
	Description *string `json:"description,omitempty"`
	// Active says whether the analysis may run (the platform's default is true).
	Active *bool `json:"active,omitempty"`
	// RunOn says where the analysis runs; empty lets the platform choose (tago).
	RunOn RunOn `json:"run_on,omitempty"`
	// Runtime is the script's runtime.
	Runtime Runtime `json:"runtime,omitempty"`
	// Interval makes the platform run the analysis on its own, such as "1 hour".
	Interval string `json:"interval,omitempty"`
	// FileName is the script's name.
	FileName string `json:"file_name,omitempty"`
	// Variables are the analysis's environment variables.
	Variables []AnalysisVariable `json:"variables,omitempty"`
	// Tags are the analysis's tags.
	Tags []Tag `json:"tags,omitempty"`
}

// AnalysisCreateResult is a new analysis's ID and token.
type AnalysisCreateResult struct {
	// ID is the new analysis's ID.
	ID string `json:"id"`
	// Token is the analysis token, for running it externally.
	Token Secret `json:"token"`
}

// UnmarshalJSON fails when the result names no ID.
func (r *AnalysisCreateResult) UnmarshalJSON(b []byte) error {
	type plain AnalysisCreateResult
	var raw plain
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw.ID == "" {
		return errors.New(`the result names no "id"`)
	}
	*r = AnalysisCreateResult(raw)
	return nil
}

// LogValue logs the result with its token masked.
func (r AnalysisCreateResult) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", r.ID), slog.String("token", r.Token.String()))
}

// Create creates an analysis and returns its ID and token.
//
// TagoIO API: POST /analysis
func (s *AnalysesService) Create(ctx context.Context, req AnalysisCreateRequest) (AnalysisCreateResult, error) {
	if err := checkName("name", req.Name); err != nil {
		return AnalysisCreateResult{}, err
	}
	if err := checkRunOn(req.RunOn); err != nil {
		return AnalysisCreateResult{}, err
	}
	if err := checkRuntime("runtime", req.Runtime, false, true); err != nil {
		return AnalysisCreateResult{}, err
	}
	if req.FileName != "" {
		if err := checkScriptName("file name", req.FileName); err != nil {
			return AnalysisCreateResult{}, err
		}
	}
	if err := checkVariables(req.Variables); err != nil {
		return AnalysisCreateResult{}, err
	}
	if err := checkTags("tags", req.Tags); err != nil {
		return AnalysisCreateResult{}, err
	}
	return do[AnalysisCreateResult](ctx, s.cl(), &call{method: "POST", path: "/analysis", body: req, kinds: accountOnly})
}

// Info returns one analysis.
//
// TagoIO API: GET /analysis/{id}
func (s *AnalysesService) Info(ctx context.Context, id string) (Analysis, error) {
	if err := checkID("analysis ID", id); err != nil {
		return Analysis{}, err
	}
	return do[Analysis](ctx, s.cl(), &call{method: "GET", path: "/analysis/" + escape(id), kinds: accountOnly})
}

// AnalysisEditRequest lists the analysis fields to change; nil fields are left as
// they are.
type AnalysisEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Description is the new description.
	Description *string `json:"description,omitempty"`
	// Active enables or disables the analysis.
	Active *bool `json:"active,omitempty"`
	// RunOn moves the analysis; the platform then issues a new analysis token.
	RunOn *RunOn `json:"run_on,omitempty"`
	// Runtime is the new runtime.
	Runtime *Runtime `json:"runtime,omitempty"`
	// Interval is the new automatic run interval; "Never" stops automatic runs.
	Interval *string `json:"interval,omitempty"`
	// FileName is the new script name.
	FileName *string `json:"file_name,omitempty"`
	// Variables replaces the environment variables; an empty non-nil slice removes
	// them all.
	Variables []AnalysisVariable `json:"variables,omitzero"`
	// Tags replaces the tags; an empty non-nil slice removes them all.
	Tags []Tag `json:"tags,omitzero"`
}

// check validates the edit.
func (r *AnalysisEditRequest) check() error {
	if r.Name == nil && r.Description == nil && r.Active == nil && r.RunOn == nil && r.Runtime == nil &&
		r.Interval == nil && r.FileName == nil && r.Variables == nil && r.Tags == nil {
		return invalidf("analysis edit", "sets no field")
	}
	if r.Name != nil {
		if err := checkName("name", *r.Name); err != nil {
			return err
		}
	}
	if r.RunOn != nil {
		if *r.RunOn == "" {
			return invalidf("run on", "must not be empty")
		}
		if err := checkRunOn(*r.RunOn); err != nil {
			return err
		}
	}
	if r.Runtime != nil {
		if err := checkRuntime("runtime", *r.Runtime, false, false); err != nil {
			return err
		}
	}
	if r.FileName != nil {
		if err := checkScriptName("file name", *r.FileName); err != nil {
			return err
		}
	}
	if err := checkVariables(r.Variables); err != nil {
		return err
	}
	return checkTags("tags", r.Tags)
}

// Edit changes an analysis's fields.
//
// TagoIO API: PUT /analysis/{id}
func (s *AnalysesService) Edit(ctx context.Context, id string, req AnalysisEditRequest) error {
	if err := checkID("analysis ID", id); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/analysis/" + escape(id), body: req, kinds: accountOnly})
}

// Delete deletes an analysis with its scripts.
//
// TagoIO API: DELETE /analysis/{id}
func (s *AnalysesService) Delete(ctx context.Context, id string) error {
	if err := checkID("analysis ID", id); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/analysis/" + escape(id), kinds: accountOnly})
}

// scopeBody encodes a run's {"scope": [...]} with the data records exactly as
// [DataService.Send] encodes them, validating each (errors name "scope[i].field"). No
// records encode as {}, as the official SDKs send.
func scopeBody(scope []Data) ([]byte, error) {
	if len(scope) == 0 {
		return []byte("{}"), nil
	}
	body := append(make([]byte, 0, 64*len(scope)), `{"scope":[`...)
	for i := range scope {
		if i > 0 {
			body = append(body, ',')
		}
		// Send leaves out the record's ID and device (the platform assigns them); an
		// analysis's scope carries them, so they come first here.
		rec := &scope[i]
		if rec.ID != "" || rec.Device != "" {
			body = append(body, '{')
			if rec.ID != "" {
				body = appendString(append(body, `"id":`...), rec.ID)
				body = append(body, ',')
			}
			if rec.Device != "" {
				body = appendString(append(body, `"device":`...), rec.Device)
				body = append(body, ',')
			}
			mark := len(body)
			var err error
			if body, err = appendPoint(body, rec, i); err != nil {
				return nil, scopeError(err)
			}
			body = append(body[:mark], body[mark+1:]...) // drop the record's own '{'
			continue
		}
		var err error
		if body, err = appendPoint(body, rec, i); err != nil {
			return nil, scopeError(err)
		}
	}
	if len(body) > maxBatchBytes {
		return nil, invalidf("scope", "encodes to %d bytes, more than the platform's %d-byte request limit", len(body), maxBatchBytes)
	}
	return append(body, "]}"...), nil
}

// scopeError renames the record in an *InputError from points[i] to scope[i].
func scopeError(err error) error {
	var in *InputError
	if errors.As(err, &in) {
		in.Field = "scope" + strings.TrimPrefix(in.Field, "points")
	}
	return err
}

// AnalysisRunResult is the platform's answer to running an analysis: the run's analysis
// token when it returns one, or its message.
type AnalysisRunResult struct {
	// AnalysisToken is the token of the run, when the platform returns one.
	AnalysisToken Secret `json:"analysis_token,omitempty"`
	// Message is the platform's message, when it answers with text.
	Message string `json:"message,omitempty"`
}

// UnmarshalJSON reads an object with analysis_token or a plain message.
func (r *AnalysisRunResult) UnmarshalJSON(b []byte) error {
	var msg string
	if json.Unmarshal(b, &msg) == nil {
		*r = AnalysisRunResult{Message: msg}
		return nil
	}
	type plain AnalysisRunResult
	var raw plain
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = AnalysisRunResult(raw)
	return nil
}

// LogValue logs the result with its token masked.
func (r AnalysisRunResult) LogValue() slog.Value {
	return slog.GroupValue(slog.String("analysis_token", r.AnalysisToken.String()), slog.String("message", r.Message))
}

// Run runs an analysis now. The scope records are what the script receives as its
// scope, encoded and checked as [DataService.Send] does; the call is sent once, never
// repeated by the retry policy.
//
// TagoIO API: POST /analysis/{id}/run
func (s *AnalysesService) Run(ctx context.Context, id string, scope ...Data) (AnalysisRunResult, error) {
	if err := checkID("analysis ID", id); err != nil {
		return AnalysisRunResult{}, err
	}
	body, err := scopeBody(scope)
	if err != nil {
		return AnalysisRunResult{}, err
	}
	return do[AnalysisRunResult](ctx, s.cl(), &call{method: "POST", path: "/analysis/" + escape(id) + "/run", body: body, kinds: accountOnly})
}

// GenerateToken issues a new token for an analysis (replacing the one an external
// analysis ran with) and returns it.
//
// TagoIO API: GET /analysis/{id}/token
func (s *AnalysesService) GenerateToken(ctx context.Context, id string) (Secret, error) {
	if err := checkID("analysis ID", id); err != nil {
		return "", err
	}
	res, err := do[struct {
		AnalysisToken Secret `json:"analysis_token"`
		Token         Secret `json:"token"`
	}](ctx, s.cl(), &call{method: "GET", path: "/analysis/" + escape(id) + "/token", kinds: accountOnly})
	if err != nil {
		return "", err
	}
	if res.AnalysisToken != "" {
		return res.AnalysisToken, nil
	}
	if res.Token != "" {
		return res.Token, nil
	}
	return "", &APIError{HTTPStatus: 200, Method: "GET", Path: "/analysis/" + id + "/token", Message: "the result holds no token", Attempts: 1}
}

// MaxScriptSize is the largest script [AnalysesService.UploadScript] sends: the
// platform's documented 5 MB limit on an analysis's code.
const MaxScriptSize = 5 << 20

// checkScriptName validates a script's file name: not blank, no directories, no control
// characters, at most 255 bytes.
func checkScriptName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return invalidf(field, "must not be empty")
	}
	if len(name) > 255 {
		return invalidf(field, "must be at most 255 bytes, got %d", len(name))
	}
	if strings.ContainsAny(name, `/\`) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return invalidf(field, "must be a file name without directories or control characters")
	}
	return nil
}

// Script is an analysis script to upload: its file name, runtime and code.
type Script struct {
	// Name is the script's file name, such as "main.ts".
	Name string
	// Runtime is the runtime it is written for.
	Runtime Runtime
	// Content is the script's code, at most [MaxScriptSize] bytes.
	Content []byte
}

// UploadScript replaces an analysis's script. The code travels base64-encoded in JSON,
// as the platform takes it; a script larger than [MaxScriptSize] is refused before any
// request.
//
// TagoIO API: POST /analysis/{id}/upload
func (s *AnalysesService) UploadScript(ctx context.Context, id string, script Script) error {
	if err := checkID("analysis ID", id); err != nil {
		return err
	}
	if err := checkScriptName("script name", script.Name); err != nil {
		return err
	}
	if err := checkRuntime("runtime", script.Runtime, true, false); err != nil {
		return err
	}
	if len(script.Content) == 0 {
		return invalidf("script", "must not be empty")
	}
	if len(script.Content) > MaxScriptSize {
		return invalidf("script", "is %d bytes, more than the platform's %d-byte limit", len(script.Content), MaxScriptSize)
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/analysis/" + escape(id) + "/upload",
		body: uploadBody(script), kinds: accountOnly})
}

// UploadScriptFrom replaces an analysis's script with the code read from r, as
// [AnalysesService.UploadScript] does. It reads at most [MaxScriptSize] bytes and one
// more: a longer script is refused and nothing is sent.
//
// TagoIO API: POST /analysis/{id}/upload
func (s *AnalysesService) UploadScriptFrom(ctx context.Context, id, name string, runtime Runtime, r io.Reader) error {
	if err := checkID("analysis ID", id); err != nil {
		return err
	}
	if r == nil {
		return invalidf("script", "reader must not be nil")
	}
	if err := checkScriptName("script name", name); err != nil {
		return err
	}
	if err := checkRuntime("runtime", runtime, true, false); err != nil {
		return err
	}
	code, err := io.ReadAll(io.LimitReader(r, MaxScriptSize+1))
	if err != nil {
		return fmt.Errorf("tago: reading the script: %w", err)
	}
	return s.UploadScript(ctx, id, Script{Name: name, Runtime: runtime, Content: code})
}

// uploadBody writes {"file": base64, "file_name": name, "language": runtime} in one
// buffer: base64 needs no JSON escaping, so the code is encoded once, in place.
func uploadBody(script Script) []byte {
	name, _ := json.Marshal(script.Name) // a string always marshals
	lang, _ := json.Marshal(string(script.Runtime))
	n := base64.StdEncoding.EncodedLen(len(script.Content))
	body := make([]byte, 0, n+len(name)+len(lang)+40)
	body = append(body, `{"file":"`...)
	body = base64.StdEncoding.AppendEncode(body, script.Content)
	body = append(body, `","file_name":`...)
	body = append(body, name...)
	body = append(body, `,"language":`...)
	body = append(body, lang...)
	return append(body, '}')
}

// ScriptLink is the platform's answer to a download request: a signed link to the
// script, valid until ExpireAt. The link itself is a credential (anyone holding it
// can download the code until it expires), so it is a [Secret].
type ScriptLink struct {
	// URL is the signed download link.
	URL Secret `json:"url"`
	// Size is the script's size, in SizeUnit.
	Size float64 `json:"size"`
	// SizeUnit is Size's unit, such as "KB".
	SizeUnit string `json:"size_unit"`
	// ExpireAt is when the link stops working.
	ExpireAt time.Time `json:"expire_at,omitzero"`
}

// UnmarshalJSON reads the expiry leniently and fails when there is no link.
func (l *ScriptLink) UnmarshalJSON(b []byte) error {
	type plain ScriptLink
	var raw struct {
		plain
		ExpireAt looseTime `json:"expire_at"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw.URL == "" {
		return errors.New(`the result holds no "url"`)
	}
	*l = ScriptLink(raw.plain)
	l.ExpireAt = time.Time(raw.ExpireAt)
	return nil
}

// LogValue logs the link masked.
func (l ScriptLink) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", l.URL.String()), slog.Float64("size", l.Size), slog.String("size_unit", l.SizeUnit))
}

// ScriptLink returns a signed link to download an analysis's script: version 0 is the
// current script, a positive version a stored one (see [Analysis.Versions]).
//
// TagoIO API: GET /analysis/{id}/download
func (s *AnalysesService) ScriptLink(ctx context.Context, id string, version int) (ScriptLink, error) {
	if err := checkID("analysis ID", id); err != nil {
		return ScriptLink{}, err
	}
	if version < 0 {
		return ScriptLink{}, invalidf("version", "must not be negative, got %d", version)
	}
	var q query
	if version > 0 {
		q.addInt("version", version)
	}
	return do[ScriptLink](ctx, s.cl(), &call{method: "GET", path: "/analysis/" + escape(id) + "/download", query: &q, kinds: accountOnly})
}

// DownloadScript writes an analysis's script to w and returns how many bytes it wrote:
// version 0 is the current script, a positive version a stored one. It asks the
// platform for a signed link ([AnalysesService.ScriptLink]) and fetches it with the
// client's HTTP client but without the token, which never leaves for the link's host.
// Redirects are followed (at most 5, https only unless the client itself talks plain
// http); the fetch is retried only while nothing was written to w.
//
// TagoIO API: GET /analysis/{id}/download
func (s *AnalysesService) DownloadScript(ctx context.Context, id string, version int, w io.Writer) (int64, error) {
	if w == nil {
		return 0, invalidf("writer", "must not be nil")
	}
	link, err := s.ScriptLink(ctx, id, version)
	if err != nil {
		return 0, err
	}
	return s.cl().fetchTo(ctx, link.URL.Reveal(), w, 0, "/analysis/"+id+"/download (script link)")
}

// AnalysisRef names an analysis, as dashboards list the analyses they run.
type AnalysisRef struct {
	// ID is the analysis's ID.
	ID string `json:"id"`
	// Name is the analysis's name.
	Name string `json:"name"`
}

// RelatedToDashboard lists the analyses a dashboard's widgets run.
//
// TagoIO API: GET /dashboard/{id}/analysis
func (s *AnalysesService) RelatedToDashboard(ctx context.Context, dashboardID string) ([]AnalysisRef, error) {
	if err := checkID("dashboard ID", dashboardID); err != nil {
		return nil, err
	}
	return do[[]AnalysisRef](ctx, s.cl(), &call{method: "GET", path: "/dashboard/" + escape(dashboardID) + "/analysis", kinds: accountOnly})
}

// RunFromWidget runs the analysis of a widget's header button, as pressing the button
// does, with the scope records the script receives.
//
// TagoIO API: POST /analysis/{id}/run/{dashboardID}/{widgetID}
func (s *AnalysesService) RunFromWidget(ctx context.Context, analysisID, dashboardID, widgetID string, scope ...Data) error {
	if err := checkID("analysis ID", analysisID); err != nil {
		return err
	}
	if err := checkWidgetIDs(dashboardID, widgetID); err != nil {
		return err
	}
	body, err := scopeBody(scope)
	if err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/analysis/" + escape(analysisID) + "/run/" + escape(dashboardID) + "/" + escape(widgetID),
		body: body, kinds: accountOnly})
}
