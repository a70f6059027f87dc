package tagotest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// runtimes are the analysis runtimes the platform knows (RunTypeOptions in the
// official SDK).
var runtimes = []string{"node-legacy", "python-legacy", "node-rt2025", "python-rt2025", "deno-rt2025", "other"}

// scriptLink is how long a download URL works.
const scriptLink = time.Hour

// Analyses are a collection; their scripts (versions) and tokens are their own.
var analysisSpec = register(&spec{
	key: "analysis", noun: "Analysis", path: "/analysis", kinds: accountOnly, tagType: "analysis",
	order: "name,asc", listFields: []string{"id", "name"}, required: []string{"name"},
	fields: map[string]ftype{"name": fString, "description": fNullString, "interval": fString, "run_on": fString,
		"file_name": fNullString, "runtime": fString, "active": fBool, "variables": fArray},
	strict:   true,
	readOnly: []string{"profile", "token", "last_run", "locked_at", "console", "version", "versions"},
	defaults: func(c *call) obj {
		return obj{"profile": c.profile(), "description": nil, "interval": "Never", "run_on": "tago", "file_name": nil,
			"runtime": "node-rt2025", "active": true, "variables": []any{}, "tags": []Tag{}, "last_run": nil,
			"locked_at": nil, "console": []any{}, "version": nil, "versions": obj{}}
	},
	validate: func(c *call, f obj, _ *doc) (reply, bool) {
		if v, given := f["run_on"]; given && v != "tago" && v != "external" {
			return bad("run_on", "must be tago or external"), false
		}
		if v, given := f["runtime"].(string); given && !slices.Contains(runtimes, v) {
			return bad("runtime", "must be one of %s", strings.Join(runtimes, ", ")), false
		}
		vars, _ := f["variables"].([]any)
		for i, v := range vars {
			m, _ := v.(map[string]any)
			if k, _ := m["key"].(string); k == "" {
				return bad("variables["+itoa(i)+"].key", "is required"), false
			}
			switch m["value"].(type) {
			case string, float64, bool:
			default:
				return bad("variables["+itoa(i)+"].value", "must be a string, a number or a boolean"), false
			}
		}
		return reply{}, true
	},
	inserted: func(c *call, d *doc) {
		d.ext = &scripts{}
		d.fields["token"] = c.s.addAnalysisTokenLocked(d).value
	},
	result: func(c *call, d *doc) any { return obj{"id": d.id, "token": d.fields["token"]} },
	deleted: func(c *call, d *doc) {
		for k, t := range c.s.tokens {
			if t.kind == kindAnalysis && t.analysis == d.id {
				delete(c.s.tokens, k)
			}
		}
	},
})

// scripts are an analysis's uploaded script versions, oldest first (version i+1 is
// scripts.versions[i]).
type scripts struct {
	versions []scriptVersion
}

type scriptVersion struct {
	fileName, language, by string
	content                []byte
	at                     time.Time
}

func (s *Server) addAnalysisTokenLocked(d *doc) *tokenRec {
	t := &tokenRec{value: s.newToken(), kind: kindAnalysis, name: "Analysis Token", permission: "full",
		profile: d.profile, analysis: d.id, createdAt: s.now(), seq: s.nextSeq()}
	s.tokens[t.value] = t
	return t
}

// AnalysisRun is one run of an analysis the server was asked for: by POST
// /analysis/{id}/run, by a dashboard widget's button, or by an action whose trigger
// matched. The fake runs no script; it records the run, which is what an analysis
// running "external" would be sent over the analysis_trigger channel.
type AnalysisRun struct {
	// Analysis is the analysis's ID; Profile its profile's.
	Analysis, Profile string
	// Token is the analysis token the run carries.
	Token string
	// Scope is the scope as sent (for an action, the records that matched), JSON;
	// "null" when none was given.
	Scope json.RawMessage
	// Environment is the analysis's environment variables at the time of the run.
	Environment []AnalysisVariable
	// Origin says who asked: "api", "action:<actionID>",
	// "widget:<dashboardID>/<widgetID>" or "test" ([Server.TriggerAnalysis]).
	Origin string
	// Time is when the run was asked for, by the server's clock.
	Time time.Time
}

// AnalysisVariable is one environment variable of an analysis, its value as text.
type AnalysisVariable struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// AnalysisRuns returns the analysis runs asked for so far, oldest first.
func (s *Server) AnalysisRuns() []AnalysisRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AnalysisRun, len(s.runs))
	for i, r := range s.runs {
		out[i] = r
		out[i].Scope = append(json.RawMessage(nil), r.Scope...)
		out[i].Environment = append([]AnalysisVariable(nil), r.Environment...)
	}
	return out
}

// onAnalysisRun registers f to hear of every analysis run the server records, and
// returns the function that unregisters it. It is the seam for the realtime events
// (the analysis_trigger channel): f is called once per run, in the goroutine that
// served the request, after the store's lock is released and before the response is
// written, so it may call the Server's methods; it must not block for long. Runs
// recorded by a seeding helper call f when the helper returns.
func (s *Server) onAnalysisRun(f func(AnalysisRun)) (remove func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hookSeq++
	id := s.hookSeq
	s.runHooks[id] = f
	return func() {
		s.mu.Lock()
		delete(s.runHooks, id)
		s.mu.Unlock()
	}
}

// runLocked records a run of an analysis and queues the hooks.
func (s *Server) runLocked(d *doc, scope json.RawMessage, origin string) AnalysisRun {
	scope = append(json.RawMessage(nil), scope...)
	if len(scope) == 0 {
		scope = json.RawMessage("null")
	}
	run := AnalysisRun{Analysis: d.id, Profile: d.profile, Token: d.str("token"), Scope: scope,
		Origin: origin, Time: s.now()}
	vars, _ := d.fields["variables"].([]any)
	for _, v := range vars {
		m, _ := v.(map[string]any)
		key, _ := m["key"].(string)
		val := m["value"]
		if str, isStr := val.(string); isStr {
			run.Environment = append(run.Environment, AnalysisVariable{Key: key, Value: str})
		} else {
			b, _ := json.Marshal(val)
			run.Environment = append(run.Environment, AnalysisVariable{Key: key, Value: string(b)})
		}
	}
	s.runs = append(s.runs, run)
	d.fields["last_run"] = jsTime(run.Time)
	s.meterLocked(d.profile, "analysis", 1)
	for _, f := range s.runHooks {
		f := f
		s.after = append(s.after, func() { f(run) })
	}
	return run
}

// scopeBody reads {"scope": ...} from a run's body, which may be empty.
func (c *call) scopeBody() (json.RawMessage, reply, bool) {
	var b struct {
		Scope json.RawMessage `json:"scope"`
	}
	if len(strings.TrimSpace(string(c.body))) == 0 {
		return nil, reply{}, true
	}
	if rep, good := c.decodeBody(&b); !good {
		return nil, rep, false
	}
	return b.Scope, reply{}, true
}

// runnable returns an analysis of the caller that can run.
func (c *call) runnable(id string) (*doc, reply, bool) {
	d, rep, good := analysisSpec.lookup(c, id, true)
	if !good {
		return nil, rep, false
	}
	if active, _ := d.fields["active"].(bool); !active {
		return nil, fail(http.StatusBadRequest, "Analysis is not active"), false
	}
	return d, reply{}, true
}

// runAnalysis answers POST /analysis/{id}/run {scope}: {analysis_token}.
func (s *Server) runAnalysis(c *call) reply {
	d, rep, good := c.runnable(c.arg(0))
	if !good {
		return rep
	}
	scope, rep, good := c.scopeBody()
	if !good {
		return rep
	}
	run := s.runLocked(d, scope, "api")
	return ok(obj{"analysis_token": run.Token})
}

// runWidgetAnalysis answers POST /analysis/{id}/run/{dashboardID}/{widgetID}, a
// widget header button's run.
func (s *Server) runWidgetAnalysis(c *call) reply {
	d, rep, good := c.runnable(c.arg(0))
	if !good {
		return rep
	}
	if _, _, rep, good := c.ownWidget(c.arg(1), c.arg(2)); !good {
		return rep
	}
	scope, rep, good := c.scopeBody()
	if !good {
		return rep
	}
	s.runLocked(d, scope, "widget:"+c.arg(1)+"/"+c.arg(2))
	return ok("Analysis Successfully Run")
}

// analysisToken answers GET /analysis/{id}/token: a new token replaces the
// analysis's; only for analyses that run on external, as on the platform.
func (s *Server) analysisToken(c *call) reply {
	d, rep, good := analysisSpec.lookup(c, c.arg(0), true)
	if !good {
		return rep
	}
	if d.fields["run_on"] != "external" {
		return fail(http.StatusBadRequest, "A token can only be generated for an analysis that runs on external")
	}
	if old := s.tokens[d.str("token")]; old != nil {
		delete(s.tokens, old.value)
	}
	t := s.addAnalysisTokenLocked(d)
	d.fields["token"] = t.value
	return ok(obj{"analysis_token": t.value})
}

// uploadScript answers POST /analysis/{id}/upload {file: base64, file_name,
// language}: a new version of the script, which becomes the analysis's.
func (s *Server) uploadScript(c *call) reply {
	d, rep, good := analysisSpec.lookup(c, c.arg(0), true)
	if !good {
		return rep
	}
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	if rep, good := checkFields(f, map[string]ftype{"file": fString, "file_name": fString, "language": fString}, true); !good {
		return rep
	}
	for _, k := range []string{"file", "file_name", "language"} {
		if v, _ := f[k].(string); strings.TrimSpace(v) == "" {
			return bad(k, "is required")
		}
	}
	lang := f["language"].(string)
	if !slices.Contains(runtimes, lang) {
		return bad("language", "must be one of %s", strings.Join(runtimes, ", "))
	}
	content, err := base64.StdEncoding.DecodeString(f["file"].(string))
	if err != nil {
		return bad("file", "must be the script encoded in base64")
	}
	sc := d.ext.(*scripts)
	by := ""
	if a := c.callerAccount(); a != nil {
		by = fmt.Sprintf("%v (%s)", a.fields["name"], a.email)
	}
	v := scriptVersion{fileName: f["file_name"].(string), language: lang, by: by, content: content, at: s.now()}
	sc.versions = append(sc.versions, v)
	n := len(sc.versions)
	versions := obj{}
	for i, sv := range sc.versions {
		versions[strconv.Itoa(i+1)] = obj{"file_name": sv.fileName, "created_at": jsTime(sv.at), "created_by": sv.by}
	}
	d.fields["version"], d.fields["versions"] = float64(n), versions
	d.fields["file_name"], d.fields["runtime"] = v.fileName, lang
	d.fields["updated_at"] = jsTime(s.now())
	s.auditLocked(c, "analysis", d.id, "script uploaded")
	return ok("Successfully Uploaded")
}

// download is a script download link.
type download struct {
	analysis string
	version  int
	until    time.Time
}

// downloadScript answers GET /analysis/{id}/download[?version=N]: a link to the
// script (the latest version by default) with its size and when the link expires:
// {url, size_unit: "KB", size, expire_at}. The URL is served by this server without a
// token and answers the script's bytes.
func (s *Server) downloadScript(c *call) reply {
	d, rep, good := analysisSpec.lookup(c, c.arg(0), true)
	if !good {
		return rep
	}
	sc := d.ext.(*scripts)
	if len(sc.versions) == 0 {
		return fail(http.StatusBadRequest, "Analysis has no script")
	}
	n := len(sc.versions)
	if v := c.q.str("version"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil || i < 1 {
			return fail(http.StatusBadRequest, "version must be a positive integer, got %q", v)
		}
		if i > n {
			return notFound("Version")
		}
		n = i
	}
	key := s.newToken()
	until := s.now().Add(scriptLink)
	s.downloads[key] = download{analysis: d.id, version: n, until: until}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	size := float64(len(sc.versions[n-1].content)) / 1024
	return ok(obj{"url": scheme + "://" + c.r.Host + "/tagotest/script/" + key, "size_unit": "KB",
		"size": math.Round(size*100) / 100, "expire_at": jsTime(until)})
}

// scriptFile answers GET /tagotest/script/{key}, a download link: the script's bytes.
func (s *Server) scriptFile(c *call) reply {
	dl, found := s.downloads[c.arg(0)]
	d := s.table("analysis")[dl.analysis]
	if !found || d == nil || s.now().After(dl.until) {
		return notFound("File")
	}
	v := d.ext.(*scripts).versions[dl.version-1]
	h := http.Header{}
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", v.fileName))
	return reply{status: http.StatusOK, header: h, raw: append([]byte{}, v.content...)}
}

// analysisInfo is GET /info for an analysis token.
func (s *Server) analysisInfo(c *call) reply {
	d := s.table("analysis")[c.tok.analysis]
	if d == nil {
		return notFound("Analysis")
	}
	return ok(obj{"id": d.id, "name": d.fields["name"], "active": d.fields["active"], "run_on": d.fields["run_on"]})
}

// AnalysisSpec describes an analysis to seed with [Server.AddAnalysis].
type AnalysisSpec struct {
	// Profile is the owning profile's ID; empty means the default profile.
	Profile string
	// Name is the analysis's name.
	Name string
	// External makes it run on "external" (your own process) instead of "tago".
	External bool
	// Inactive creates it inactive (runs are refused).
	Inactive bool
	// Variables are its environment variables.
	Variables []AnalysisVariable
	// Tags are its tags.
	Tags []Tag
}

// Analysis is a seeded analysis.
type Analysis struct {
	// ID is the analysis's ID.
	ID string
	// Token is its analysis token, for /info and the analysis services.
	Token string
}

// AddAnalysis seeds an analysis and its token.
func (s *Server) AddAnalysis(spec AnalysisSpec) Analysis {
	s.mu.Lock()
	defer s.mu.Unlock()
	prof := s.profileLocked(spec.Profile)
	vars := make([]any, len(spec.Variables))
	for i, v := range spec.Variables {
		vars[i] = map[string]any{"key": v.Key, "value": v.Value}
	}
	f := obj{"name": spec.Name, "active": !spec.Inactive, "variables": vars, "run_on": "tago"}
	if spec.External {
		f["run_on"] = "external"
	}
	if spec.Tags != nil {
		f["tags"] = spec.Tags
	}
	d, rep := analysisSpec.createLocked(s.seedCall(prof), nil, f)
	if d == nil {
		panic("tagotest: AddAnalysis: " + describe(rep))
	}
	return Analysis{ID: d.id, Token: d.str("token")}
}

// dashboardAnalyses answers GET /dashboard/{id}/analysis: the analyses its widgets
// run (a widget's analysis_run, a header button's analysis), as [{id, name}].
func (s *Server) dashboardAnalyses(c *call) reply {
	dash, rep, good := c.ownDashboard(c.arg(0))
	if !good {
		return rep
	}
	seen := map[string]bool{}
	out := []obj{}
	add := func(id any) {
		str, _ := id.(string)
		if a := s.table("analysis")[str]; a != nil && a.profile == dash.profile && !seen[str] {
			seen[str] = true
			out = append(out, obj{"id": a.id, "name": a.fields["name"]})
		}
	}
	for _, w := range s.widgetsOfLocked(dash.id) {
		add(w.fields["analysis_run"])
		display, _ := w.fields["display"].(map[string]any)
		buttons, _ := display["header_buttons"].([]any)
		for _, b := range buttons {
			if m, isObj := b.(map[string]any); isObj {
				add(m["analysis"])
			}
		}
	}
	return ok(out)
}
