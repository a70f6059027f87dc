package tago

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnalysesOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)
	script := []byte("export default async function (context, scope) { console.log(scope) }\n")
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/analysis/",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&orderBy=name,asc",
			result: `[{"id":"` + resAnalysisID + `","name":"Alarm"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Analyses.List(ctx, nil) },
			want:   []Analysis{{ID: resAnalysisID, Name: "Alarm"}},
		},
		{
			name: "list with every filter", method: "GET", path: "/analysis/",
			query: "page=2&amount=5&fields[0]=id&fields[1]=last_run&filter[name]=*alarm*&filter[active]=true&filter[run_on]=external" +
				"&filter[tags][0][key]=site&filter[tags][0][value]=north&orderBy=last_run,desc",
			result: `[{"id":"` + resAnalysisID + `","last_run":"never"},{"id":"` + resDataID + `","last_run":"2024-02-03T04:05:06.000Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Analyses.List(ctx, &AnalysisListOptions{
					ListOptions: ListOptions{Page: 2, Amount: 5, Fields: []string{"id", "last_run"}, OrderBy: Desc("last_run")},
					Name:        "*alarm*", Active: Ptr(true), RunOn: RunOnExternal, Tags: []Tag{{Key: "site", Value: "north"}},
				})
			},
			want: []Analysis{{ID: resAnalysisID}, {ID: resDataID, LastRun: created}},
		},
		{
			name: "create", method: "POST", path: "/analysis", status: http.StatusCreated,
			body: `{"name":"Alarm","description":"hot","active":true,"run_on":"tago","runtime":"node-rt2025","interval":"1 hour",` +
				`"file_name":"main.js","variables":[{"key":"LIMIT","value":"30"}],"tags":[{"key":"kind","value":"alarm"}]}`,
			result: `{"id":"` + resAnalysisID + `","token":"` + resToken + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Analyses.Create(ctx, AnalysisCreateRequest{Name: "Alarm", Description: Ptr("hot"), Active: Ptr(true), RunOn: RunOnTago,
					Runtime: RuntimeNode, Interval: "1 hour", FileName: "main.js", Variables: []AnalysisVariable{{Key: "LIMIT", Value: "30"}},
					Tags: []Tag{{Key: "kind", Value: "alarm"}}})
			},
			want: AnalysisCreateResult{ID: resAnalysisID, Token: resToken},
		},
		{
			name: "info", method: "GET", path: "/analysis/" + resAnalysisID,
			result: `{"id":"` + resAnalysisID + `","name":"Alarm","active":true,"run_on":"tago","runtime":"python-rt2025","token":"` + resToken + `",` +
				`"variables":[{"key":"LIMIT","value":30},{"key":"ON","value":true}],"version":3,"versions":{"3":{"file_name":"main.py",` +
				`"created_at":"2024-02-03T04:05:06.000Z","created_by":"Ops (ops@example.com)"}},"console":["ok"],"last_run":"2024-02-03T04:05:06.000Z",` +
				`"locked_at":null,"created_at":"2024-02-03T04:05:06.000Z","updated_at":"2024-02-03T04:05:06Z","profile":"` + resProfileID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Analyses.Info(ctx, resAnalysisID) },
			want: Analysis{ID: resAnalysisID, Name: "Alarm", Active: true, RunOn: RunOnTago, Runtime: RuntimePython, Token: resToken,
				Profile: resProfileID, Variables: []AnalysisVariable{{Key: "LIMIT", Value: "30"}, {Key: "ON", Value: "true"}}, Version: "3",
				Versions: map[string]AnalysisVersion{"3": {FileName: "main.py", CreatedBy: "Ops (ops@example.com)", CreatedAt: created}},
				Console:  []string{"ok"}, LastRun: created, CreatedAt: created, UpdatedAt: created},
		},
		{
			name: "edit", method: "PUT", path: "/analysis/" + resAnalysisID, result: `"Successfully Updated"`,
			body: `{"name":"Alarm 2","run_on":"external","runtime":"deno-rt2025","variables":[],"tags":[{"key":"a","value":"b"}]}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Analyses.Edit(ctx, resAnalysisID, AnalysisEditRequest{Name: Ptr("Alarm 2"), RunOn: Ptr(RunOnExternal),
					Runtime: Ptr(RuntimeDeno), Variables: []AnalysisVariable{}, Tags: []Tag{{Key: "a", Value: "b"}}}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/analysis/" + resAnalysisID, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Analyses.Delete(ctx, resAnalysisID))
			},
		},
		{
			name: "run without a scope", method: "POST", path: "/analysis/" + resAnalysisID + "/run", body: `{}`,
			result: `{"analysis_token":"` + resToken2 + `"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Analyses.Run(ctx, resAnalysisID) },
			want:   AnalysisRunResult{AnalysisToken: resToken2},
		},
		{
			name: "run with a scope", method: "POST", path: "/analysis/" + resAnalysisID + "/run",
			body: `{"scope":[{"variable":"temperature","value":31.5,"unit":"°C","device":"` + resDeviceID + `"},` +
				`{"variable":"alarm","value":true,"time":"2024-02-03T04:05:06.000Z","metadata":{"source":"test"}}]}`,
			result: `"Analysis added to the queue"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Analyses.Run(ctx, resAnalysisID,
					Data{Variable: "temperature", Value: 31.5, Unit: "°C", Device: resDeviceID},
					Data{Variable: "alarm", Value: true, Time: created, Metadata: map[string]any{"source": "test"}})
			},
			want: AnalysisRunResult{Message: "Analysis added to the queue"},
		},
		{
			name: "generate a token", method: "GET", path: "/analysis/" + resAnalysisID + "/token",
			result: `{"analysis_token":"` + resToken2 + `"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Analyses.GenerateToken(ctx, resAnalysisID) },
			want:   Secret(resToken2),
		},
		{
			name: "upload a script", method: "POST", path: "/analysis/" + resAnalysisID + "/upload", result: `"Script uploaded"`,
			body: `{"file":"` + base64.StdEncoding.EncodeToString(script) + `","file_name":"main.ts","language":"deno-rt2025"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Analyses.UploadScript(ctx, resAnalysisID, Script{Name: "main.ts", Runtime: RuntimeDeno, Content: script}))
			},
		},
		{
			name: "upload a script from a reader", method: "POST", path: "/analysis/" + resAnalysisID + "/upload", result: `"Script uploaded"`,
			body: `{"file":"` + base64.StdEncoding.EncodeToString(script) + `","file_name":"main \"1\".py","language":"python-legacy"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Analyses.UploadScriptFrom(ctx, resAnalysisID, `main "1".py`, RuntimePythonLegacy, iotest.OneByteReader(bytes.NewReader(script))))
			},
		},
		{
			name: "the link to the current script", method: "GET", path: "/analysis/" + resAnalysisID + "/download",
			result: `{"url":"https://files.tago.test/a.js?sig=abc","size_unit":"KB","size":1.5,"expire_at":"2024-02-03T04:05:06.000Z"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Analyses.ScriptLink(ctx, resAnalysisID, 0) },
			want:   ScriptLink{URL: "https://files.tago.test/a.js?sig=abc", Size: 1.5, SizeUnit: "KB", ExpireAt: created},
		},
		{
			name: "the link to a version", method: "GET", path: "/analysis/" + resAnalysisID + "/download", query: "version=2",
			result: `{"url":"https://files.tago.test/a.js","size_unit":"B","size":10,"expire_at":"never"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Analyses.ScriptLink(ctx, resAnalysisID, 2) },
			want:   ScriptLink{URL: "https://files.tago.test/a.js", Size: 10, SizeUnit: "B"},
		},
		{
			name: "analyses of a dashboard", method: "GET", path: "/dashboard/" + resDashboardID + "/analysis",
			result: `[{"id":"` + resAnalysisID + `","name":"Analysis 001"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Analyses.RelatedToDashboard(ctx, resDashboardID)
			},
			want: []AnalysisRef{{ID: resAnalysisID, Name: "Analysis 001"}},
		},
		{
			name: "run a widget's button", method: "POST", path: "/analysis/" + resAnalysisID + "/run/" + resDashboardID + "/" + resWidgetID,
			body: `{"scope":[{"variable":"button","value":"pressed"}]}`, result: `"Analysis added to the queue"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Analyses.RunFromWidget(ctx, resAnalysisID, resDashboardID, resWidgetID, Data{Variable: "button", Value: "pressed"}))
			},
		},
	})
}

// scriptLinkAnswer is the platform's download answer pointing at link.
func scriptLinkAnswer(link string) string {
	return `{"status":true,"result":{"url":"` + link + `","size_unit":"KB","size":1,"expire_at":"2030-01-01T00:00:00.000Z"}}`
}

// fileResponder answers a link fetch, recording its requests.
func fileResponder(c *capture, status int, body string, headerKV ...string) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		c.record(r)
		resp := httpmock.NewStringResponse(status, body)
		resp.ContentLength = int64(len(body))
		for i := 0; i+1 < len(headerKV); i += 2 {
			resp.Header.Set(headerKV[i], headerKV[i+1])
		}
		return resp, nil
	}
}

func TestDownloadScriptFetchesTheLinkWithoutTheToken(t *testing.T) {
	t.Parallel()
	code := strings.Repeat("console.log('hi');\n", 500)
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	api := expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 200, scriptLinkAnswer("https://files.tago.test/scripts/a.js?X-Amz-Signature=sig123"))
	file := &capture{}
	mt.RegisterResponder("GET", "https://files.tago.test/scripts/a.js", fileResponder(file, 200, code))

	var out bytes.Buffer
	n, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, &out)
	require.NoError(t, err)
	assert.Equal(t, int64(len(code)), n)
	assert.Equal(t, code, out.String())
	assert.Equal(t, testAccountToken, api.last(t).Header.Get("Account-Token"))
	req := file.last(t)
	assert.Equal(t, "X-Amz-Signature=sig123", req.Query)
	for _, h := range tokenHeaders {
		assert.Empty(t, req.Header.Values(h), "the link's host must not see header %s", h)
	}
	assert.Contains(t, req.Header.Get("User-Agent"), "tago-go/")
}

func TestDownloadScriptRedirects(t *testing.T) {
	t.Parallel()
	t.Run("followed to another host, still without the token", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 200, scriptLinkAnswer("https://files.tago.test/a.js"))
		first, second := &capture{}, &capture{}
		mt.RegisterResponder("GET", "https://files.tago.test/a.js", fileResponder(first, 302, "", "Location", "https://cdn.tago.test/b.js?s=1"))
		mt.RegisterResponder("GET", "https://cdn.tago.test/b.js", fileResponder(second, 200, "code"))
		var out bytes.Buffer
		_, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, &out)
		require.NoError(t, err)
		assert.Equal(t, "code", out.String())
		for _, h := range tokenHeaders {
			assert.Empty(t, second.last(t).Header.Values(h))
		}
	})
	t.Run("to plain http is refused", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 200, scriptLinkAnswer("https://files.tago.test/a.js"))
		mt.RegisterResponder("GET", "https://files.tago.test/a.js", fileResponder(&capture{}, 301, "", "Location", "http://evil.example/a.js"))
		_, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, io.Discard)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 301, apiErr.HTTPStatus)
		assert.Contains(t, apiErr.Message, "redirect refused")
		assert.Equal(t, 2, mt.GetTotalCallCount(), "the http URL is never fetched")
	})
	t.Run("a loop stops", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 200, scriptLinkAnswer("https://files.tago.test/a.js"))
		loop := &capture{}
		mt.RegisterResponder("GET", "https://files.tago.test/a.js", fileResponder(loop, 302, "", "Location", "/a.js"))
		_, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, io.Discard)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, apiErr.Message, "more than 5 redirects")
		assert.Equal(t, 6, loop.count())
	})
}

func TestDownloadScriptFailures(t *testing.T) {
	t.Parallel()
	t.Run("the link's host refuses, without quoting the signature", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 200, scriptLinkAnswer("https://files.tago.test/a.js?sig=topsecret"))
		mt.RegisterResponder("GET", "https://files.tago.test/a.js", fileResponder(&capture{}, 403, "<Error>AccessDenied for sig=topsecret</Error>"))
		var out bytes.Buffer
		n, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, &out)
		require.ErrorIs(t, err, ErrForbidden)
		assert.Zero(t, n)
		assert.Empty(t, out.Bytes())
		assert.NotContains(t, err.Error(), "topsecret")
		assert.Contains(t, err.Error(), "GET /analysis/"+resAnalysisID+"/download (script link): 403")
	})
	t.Run("a 503 before any byte is retried", func(t *testing.T) {
		t.Parallel()
		c, mt, rec := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 200, scriptLinkAnswer("https://files.tago.test/a.js"))
		var calls atomic.Int32
		mt.RegisterResponder("GET", "https://files.tago.test/a.js", func(r *http.Request) (*http.Response, error) {
			if calls.Add(1) == 1 {
				return httpmock.NewStringResponse(503, "busy"), nil
			}
			return httpmock.NewStringResponse(200, "code"), nil
		})
		var out bytes.Buffer
		_, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, &out)
		require.NoError(t, err)
		assert.Equal(t, "code", out.String(), "written once")
		assert.Equal(t, int32(2), calls.Load())
		assert.Len(t, rec.recorded(), 1)
	})
	t.Run("a body cut short is not retried once bytes were written", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 200, scriptLinkAnswer("https://files.tago.test/a.js"))
		var calls atomic.Int32
		mt.RegisterResponder("GET", "https://files.tago.test/a.js", func(r *http.Request) (*http.Response, error) {
			calls.Add(1)
			return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: -1,
				Body: io.NopCloser(io.MultiReader(strings.NewReader("half"), iotest.ErrReader(errors.New("connection reset"))))}, nil
		})
		var out bytes.Buffer
		n, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, &out)
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.Equal(t, int64(4), n)
		assert.Equal(t, "half", out.String())
		assert.Equal(t, int32(1), calls.Load())
	})
	t.Run("the platform gives no link", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 200, `{"status":true,"result":{"size":0}}`)
		_, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, io.Discard)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, apiErr.Message, `holds no "url"`)
	})
	t.Run("a link that is not https", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 200, scriptLinkAnswer("ftp://files.tago.test/a.js"))
		_, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, io.Discard)
		require.ErrorIs(t, err, ErrInvalidInput)
		assert.Equal(t, 1, mt.GetTotalCallCount())
	})
	t.Run("the analysis does not exist", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/download", 404, `{"status":false,"message":"Analysis not found"}`)
		_, err := c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, io.Discard)
		require.ErrorIs(t, err, ErrNotFound)
	})
}

func TestAnalysisSnippets(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	list, file := &capture{}, &capture{}
	mt.RegisterResponder("GET", "https://snippets.tago.io/node-rt2025.json", fileResponder(list, 200,
		`{"runtime":"node-rt2025","schema_version":1,"generated_at":"2025-01-02T03:04:05.000Z","snippets":[{"id":"hello","title":"Hello",`+
			`"description":"Logs","language":"typescript","tags":["basic"],"filename":"hello.ts","file_path":"node-rt2025/hello.ts"}]}`))
	mt.RegisterResponder("GET", "https://snippets.tago.io/node-rt2025/basics/hello.ts", fileResponder(file, 200, "console.log('hi')"))

	got, err := c.Analyses.ListSnippets(t.Context(), RuntimeNode)
	require.NoError(t, err)
	assert.Equal(t, SnippetList{Runtime: RuntimeNode, SchemaVersion: 1, GeneratedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Snippets: []Snippet{{ID: "hello", Title: "Hello", Description: "Logs", Language: "typescript", Tags: []string{"basic"},
			Filename: "hello.ts", FilePath: "node-rt2025/hello.ts"}}}, got)
	code, err := c.Analyses.SnippetFile(t.Context(), RuntimeNode, "basics/hello.ts")
	require.NoError(t, err)
	assert.Equal(t, "console.log('hi')", code)
	for _, req := range []capturedRequest{list.last(t), file.last(t)} {
		for _, h := range tokenHeaders {
			assert.Empty(t, req.Header.Values(h))
		}
	}

	mt.RegisterResponder("GET", "https://snippets.tago.io/deno-rt2025.json", fileResponder(&capture{}, 200, `<html>`))
	_, err = c.Analyses.ListSnippets(t.Context(), RuntimeDeno)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "decoding the catalogue")
}

func TestUploadScriptSizeLimit(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expect(mt, "POST", "/analysis/"+resAnalysisID+"/upload", 200, `{"status":true,"result":"ok"}`)
	big := bytes.Repeat([]byte{'x'}, MaxScriptSize)
	require.NoError(t, c.Analyses.UploadScript(t.Context(), resAnalysisID, Script{Name: "a.js", Runtime: RuntimeNode, Content: big}))
	// Sliced rather than unmarshalled: encoding/json over 7 MB is slow under -race, and
	// TestUploadBodyMatchesEncodingJSON already checks the framing.
	sent := got.last(t).Body
	require.True(t, bytes.HasPrefix(sent, []byte(`{"file":"`)))
	b64, _, ok := bytes.Cut(sent[len(`{"file":"`):], []byte(`"`))
	require.True(t, ok)
	decoded, err := base64.StdEncoding.DecodeString(string(b64))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(big, decoded), "the largest script travels intact")

	tooBig := append(big, 'y')
	err = c.Analyses.UploadScript(t.Context(), resAnalysisID, Script{Name: "a.js", Runtime: RuntimeNode, Content: tooBig})
	var in *InputError
	require.ErrorAs(t, err, &in)
	assert.Equal(t, "script", in.Field)
	err = c.Analyses.UploadScriptFrom(t.Context(), resAnalysisID, "a.js", RuntimeNode, bytes.NewReader(tooBig))
	require.ErrorAs(t, err, &in)
	assert.Equal(t, "script", in.Field)
	assert.Equal(t, 1, got.count(), "oversized scripts send nothing")

	err = c.Analyses.UploadScriptFrom(t.Context(), resAnalysisID, "a.js", RuntimeNode, iotest.ErrReader(errors.New("disk gone")))
	require.ErrorContains(t, err, "disk gone")
	assert.Equal(t, 1, got.count())
}

func TestAnalysesBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	code := []byte("x")
	upload := func(s Script) func(ctx context.Context, c *Client) error {
		return func(ctx context.Context, c *Client) error { return c.Analyses.UploadScript(ctx, resAnalysisID, s) }
	}
	create := func(r AnalysisCreateRequest) func(ctx context.Context, c *Client) error {
		return func(ctx context.Context, c *Client) error { _, err := c.Analyses.Create(ctx, r); return err }
	}
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"list with a bad run-on", "run on", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.List(ctx, &AnalysisListOptions{RunOn: "mars"})
			return err
		}},
		{"all with a keyless tag", "tags[0].key", func(ctx context.Context, c *Client) error {
			return firstErr(c.Analyses.All(ctx, &AnalysisListOptions{Tags: []Tag{{Value: "v"}}}))
		}},
		{"create without a name", "name", create(AnalysisCreateRequest{})},
		{"create with an unknown runtime", "runtime", create(AnalysisCreateRequest{Name: "a", Runtime: "ruby"})},
		{"create with a path as file name", "file name", create(AnalysisCreateRequest{Name: "a", FileName: "../a.js"})},
		{"create with a keyless variable", "variables[0].key", create(AnalysisCreateRequest{Name: "a", Variables: []AnalysisVariable{{Value: "1"}}})},
		{"info with a bad ID", "analysis ID", func(ctx context.Context, c *Client) error { _, err := c.Analyses.Info(ctx, "x"); return err }},
		{"edit nothing", "analysis edit", func(ctx context.Context, c *Client) error {
			return c.Analyses.Edit(ctx, resAnalysisID, AnalysisEditRequest{})
		}},
		{"edit to an empty run-on", "run on", func(ctx context.Context, c *Client) error {
			return c.Analyses.Edit(ctx, resAnalysisID, AnalysisEditRequest{RunOn: Ptr(RunOn(""))})
		}},
		{"edit to no runtime", "runtime", func(ctx context.Context, c *Client) error {
			return c.Analyses.Edit(ctx, resAnalysisID, AnalysisEditRequest{Runtime: Ptr(Runtime(""))})
		}},
		{"delete with a bad ID", "analysis ID", func(ctx context.Context, c *Client) error { return c.Analyses.Delete(ctx, "") }},
		{"run with a nameless record", "scope[1].variable", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.Run(ctx, resAnalysisID, Data{Variable: "a"}, Data{Value: 1})
			return err
		}},
		{"run with an unsupported value", "scope[0].value", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.Run(ctx, resAnalysisID, Data{Variable: "a", Value: []int{1}})
			return err
		}},
		{"token of a bad ID", "analysis ID", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.GenerateToken(ctx, "x")
			return err
		}},
		{"upload without a name", "script name", upload(Script{Runtime: RuntimeNode, Content: code})},
		{"upload without a runtime", "runtime", upload(Script{Name: "a.js", Content: code})},
		{"upload for the other runtime", "runtime", upload(Script{Name: "a.js", Runtime: RuntimeOther, Content: code})},
		{"upload nothing", "script", upload(Script{Name: "a.js", Runtime: RuntimeNode})},
		{"upload from no reader", "script", func(ctx context.Context, c *Client) error {
			return c.Analyses.UploadScriptFrom(ctx, resAnalysisID, "a.js", RuntimeNode, nil)
		}},
		{"upload a control character in the name", "script name", upload(Script{Name: "a\x00.js", Runtime: RuntimeNode, Content: code})},
		{"link to a negative version", "version", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.ScriptLink(ctx, resAnalysisID, -1)
			return err
		}},
		{"download into no writer", "writer", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.DownloadScript(ctx, resAnalysisID, 0, nil)
			return err
		}},
		{"dashboard analyses of a bad ID", "dashboard ID", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.RelatedToDashboard(ctx, "x")
			return err
		}},
		{"widget run with a bad widget", "widget ID", func(ctx context.Context, c *Client) error {
			return c.Analyses.RunFromWidget(ctx, resAnalysisID, resDashboardID, "x")
		}},
		{"snippets of an unknown runtime", "runtime", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.ListSnippets(ctx, "cobol")
			return err
		}},
		{"a snippet outside the runtime", "filename", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.SnippetFile(ctx, RuntimeNode, "../secrets.json")
			return err
		}},
		{"a snippet with an empty segment", "filename", func(ctx context.Context, c *Client) error {
			_, err := c.Analyses.SnippetFile(ctx, RuntimeNode, "a//b.ts")
			return err
		}},
	})
}

func TestAnalysesResultShapes(t *testing.T) {
	t.Parallel()
	t.Run("a create without an ID", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "POST", "/analysis", 201, `{"status":true,"result":{"token":"`+resToken+`"}}`)
		_, err := c.Analyses.Create(t.Context(), AnalysisCreateRequest{Name: "a"})
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.NotContains(t, err.Error(), resToken)
	})
	t.Run("a token under its short name", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/token", 200, `{"status":true,"result":{"token":"`+resToken+`"}}`)
		tok, err := c.Analyses.GenerateToken(t.Context(), resAnalysisID)
		require.NoError(t, err)
		assert.Equal(t, Secret(resToken), tok)
	})
	t.Run("no token at all", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/analysis/"+resAnalysisID+"/token", 200, `{"status":true,"result":{}}`)
		_, err := c.Analyses.GenerateToken(t.Context(), resAnalysisID)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, apiErr.Message, "holds no token")
	})
	t.Run("a run is never replayed", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		got := expect(mt, "POST", "/analysis/"+resAnalysisID+"/run", 502, `{"status":false,"message":"bad gateway"}`)
		_, err := c.Analyses.Run(t.Context(), resAnalysisID)
		require.ErrorIs(t, err, ErrServer)
		assert.Equal(t, 1, got.count())
		assert.True(t, MayBeStored(err))
	})
}

func TestAnalysesNeedAnAccountToken(t *testing.T) {
	t.Parallel()
	for _, tok := range []Token{Anonymous(), DeviceToken(testDeviceToken), AnalysisToken(testAnalysisToken)} {
		t.Run(tok.Kind().String(), func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, tok)
			_, err := c.Analyses.Run(t.Context(), resAnalysisID)
			require.ErrorIs(t, err, ErrTokenKind)
			_, err = c.Analyses.DownloadScript(t.Context(), resAnalysisID, 0, io.Discard)
			require.ErrorIs(t, err, ErrTokenKind)
			require.ErrorIs(t, firstErr(c.Analyses.All(t.Context(), nil)), ErrTokenKind)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
}

// uploadBodyMarshal is the straightforward encoding uploadBody replaces: base64 into a
// string, then encoding/json over a struct, which copies and scans the code again.
func uploadBodyMarshal(s Script) []byte {
	b, _ := json.Marshal(struct {
		File     string `json:"file"`
		FileName string `json:"file_name"`
		Language string `json:"language"`
	}{base64.StdEncoding.EncodeToString(s.Content), s.Name, string(s.Runtime)})
	return b
}

func TestUploadBodyMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range []Script{
		{Name: "main.js", Runtime: RuntimeNode, Content: []byte("a")},
		{Name: `we"ird<>&\name.py`, Runtime: RuntimePython, Content: bytes.Repeat([]byte{0, 0xff, '"'}, 1000)},
	} {
		assert.JSONEq(t, string(uploadBodyMarshal(s)), string(uploadBody(s)))
	}
}

func BenchmarkUploadBody(b *testing.B) {
	s := Script{Name: "main.js", Runtime: RuntimeNode, Content: bytes.Repeat([]byte("console.log(1);\n"), MaxScriptSize/16)}
	b.Run("in place", func(b *testing.B) {
		b.SetBytes(int64(len(s.Content)))
		b.ReportAllocs()
		for b.Loop() {
			_ = uploadBody(s)
		}
	})
	b.Run("baseline encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(s.Content)))
		b.ReportAllocs()
		for b.Loop() {
			_ = uploadBodyMarshal(s)
		}
	})
}
