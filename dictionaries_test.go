package tago

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const resDictionaryID = "68bb0011223344556677cc03"

func TestDictionariesOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/dictionary",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=slug&fields[3]=languages&orderBy=name,asc",
			result: `[{"id":"` + resDictionaryID + `","name":"Plant","slug":"PLANT","languages":[{"code":"en-US","active":true}]}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Dictionaries.List(ctx, nil) },
			want:   []Dictionary{{ID: resDictionaryID, Name: "Plant", Slug: "PLANT", Languages: []DictionaryLanguage{{Code: "en-US", Active: true}}}},
		},
		{
			name: "list by slug", method: "GET", path: "/dictionary",
			query:  "page=1&amount=20&fields[0]=id&filter[slug]=PL*&orderBy=created_at,desc",
			result: `[]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dictionaries.List(ctx, &DictionaryListOptions{Slug: "PL*", ListOptions: ListOptions{Fields: []string{"id"}, OrderBy: Desc("created_at")}})
			},
			want: []Dictionary{},
		},
		{
			name: "create", method: "POST", path: "/dictionary", status: http.StatusCreated,
			body: `{"name":"Plant","slug":"PLANT","fallback":"en-US"}`, result: `{"dictionary":"` + resDictionaryID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dictionaries.Create(ctx, DictionaryCreateRequest{Name: "Plant", Slug: "PLANT", Fallback: "en-US"})
			},
			want: resDictionaryID,
		},
		{
			name: "edit", method: "PUT", path: "/dictionary/" + resDictionaryID,
			body: `{"fallback":"pt-BR"}`, result: `"Dictionary Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dictionaries.Edit(ctx, resDictionaryID, DictionaryEditRequest{Fallback: Ptr("pt-BR")}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/dictionary/" + resDictionaryID, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dictionaries.Delete(ctx, resDictionaryID))
			},
		},
		{
			name: "info", method: "GET", path: "/dictionary/" + resDictionaryID,
			result: `{"id":"` + resDictionaryID + `","name":"Plant","slug":"PLANT","fallback":"en-US","languages":[],` +
				`"created_at":"2024-03-04T05:06:07.000Z","updated_at":"2024-03-04T05:06:07.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Dictionaries.Info(ctx, resDictionaryID) },
			want: Dictionary{ID: resDictionaryID, Name: "Plant", Slug: "PLANT", Fallback: "en-US", Languages: []DictionaryLanguage{},
				CreatedAt: created, UpdatedAt: created},
		},
		{
			name: "edit a language", method: "PUT", path: "/dictionary/" + resDictionaryID + "/pt-BR",
			body: `{"dictionary":{"TITLE":"Caldeira $0"},"active":true}`, result: `"Language Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dictionaries.EditLanguage(ctx, resDictionaryID, "pt-BR", map[string]string{"TITLE": "Caldeira $0"}, true))
			},
		},
		{
			name: "delete a language", method: "DELETE", path: "/dictionary/" + resDictionaryID + "/pt-BR", result: `"Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Dictionaries.DeleteLanguage(ctx, resDictionaryID, "pt-BR"))
			},
		},
		{
			name: "language info for editing", method: "GET", path: "/dictionary/" + resDictionaryID + "/pt-BR",
			query: "fallback=false", result: `{"TITLE":"Caldeira"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dictionaries.LanguageInfo(ctx, resDictionaryID, "pt-BR", false)
			},
			want: map[string]string{"TITLE": "Caldeira"},
		},
		{
			name: "language by slug", method: "GET", path: "/dictionary/PLANT/pt-BR",
			query: "fallback=true", result: `{"TITLE":"Caldeira"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Dictionaries.Language(ctx, "PLANT", "pt-BR", true)
			},
			want: map[string]string{"TITLE": "Caldeira"},
		},
	})
}

func TestDictionariesRunLanguageIsAnonymous(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, Anonymous())
	got := expect(mt, "GET", "/dictionary/plant.run.tago.io/PLANT/en-US", 200, `{"status":true,"result":{"TITLE":"Boiler"}}`)
	entries, err := c.Dictionaries.RunLanguage(t.Context(), "plant.run.tago.io", "PLANT", "en-US")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"TITLE": "Boiler"}, entries)
	req := got.last(t)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Header.Values("Token"))
	assert.Empty(t, req.Header.Values("Account-Token"))

	_, err = c.Dictionaries.Language(t.Context(), "PLANT", "en-US", true)
	require.ErrorIs(t, err, ErrTokenKind, "the profile form needs a token")
}

func TestDictionariesBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		run   func(ctx context.Context, c *Client) error
		field string
	}{
		{"lower-case slug", func(ctx context.Context, c *Client) error {
			_, err := c.Dictionaries.Create(ctx, DictionaryCreateRequest{Name: "n", Slug: "plant", Fallback: "en"})
			return err
		}, "slug"},
		{"no fallback", func(ctx context.Context, c *Client) error {
			_, err := c.Dictionaries.Create(ctx, DictionaryCreateRequest{Name: "n", Slug: "P"})
			return err
		}, "fallback"},
		{"locale with a slash", func(ctx context.Context, c *Client) error {
			return c.Dictionaries.DeleteLanguage(ctx, resDictionaryID, "en/US")
		}, "locale"},
		{"empty key", func(ctx context.Context, c *Client) error {
			return c.Dictionaries.EditLanguage(ctx, resDictionaryID, "en", map[string]string{"": "x"}, true)
		}, "entries"},
		{"bad ID", func(ctx context.Context, c *Client) error { _, err := c.Dictionaries.Info(ctx, "PLANT"); return err }, "dictionary ID"},
		{"edit to a bad slug", func(ctx context.Context, c *Client) error {
			return c.Dictionaries.Edit(ctx, resDictionaryID, DictionaryEditRequest{Slug: Ptr("a-b")})
		}, "slug"},
		{"run language of a bad run", func(ctx context.Context, c *Client) error {
			_, err := c.Dictionaries.RunLanguage(ctx, "https://x", "P", "en")
			return err
		}, "run URL"},
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

func TestParseExpression(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Expression
		ok   bool
	}{
		{"#PLANT.TITLE#", Expression{Raw: "#PLANT.TITLE#", Dictionary: "PLANT", Key: "TITLE"}, true},
		{"#PLANT.TITLE# rest", Expression{Raw: "#PLANT.TITLE#", Dictionary: "PLANT", Key: "TITLE"}, true},
		{"#P1.KEY_2,a,b#", Expression{Raw: "#P1.KEY_2,a,b#", Dictionary: "P1", Key: "KEY_2", Params: []string{"a", "b"}}, true},
		{`#P.K,"a, b","c#d"#x`, Expression{Raw: `#P.K,"a, b","c#d"#`, Dictionary: "P", Key: "K", Params: []string{"a, b", "c#d"}}, true},
		{"#P.K,#", Expression{Raw: "#P.K,#", Dictionary: "P", Key: "K", Params: []string{""}}, true},
		{"#plant.TITLE#", Expression{}, false},
		{"#P.title#", Expression{}, false},
		{"#.K#", Expression{}, false},
		{"#P.#", Expression{}, false},
		{"#P.K", Expression{}, false},
		{"#P.K,a", Expression{}, false},
		{"#PK#", Expression{}, false},
		{"P.K#", Expression{}, false},
		{"#P_X.K#", Expression{}, false},
		{"#P.K,a\nb#", Expression{}, false},
		{"#P.K,\"a\nb\"#", Expression{Raw: "#P.K,\"a\nb\"#", Dictionary: "P", Key: "K", Params: []string{"a\nb"}}, true},
	}
	for _, tt := range tests {
		got, ok := ParseExpression(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestTranslatorApply(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	var loads atomic.Int32
	mt.RegisterResponder("GET", testBaseURL+"/dictionary/PLANT/pt-BR", func(r *http.Request) (*http.Response, error) {
		loads.Add(1)
		assert.Equal(t, "fallback=true", r.URL.RawQuery)
		return httpmock.NewStringResponse(200, `{"status":true,"result":{"TITLE":"Caldeira","TEMP":"$0 °C em $1","ODD":"$1$0$10$"}}`), nil
	})
	mt.RegisterResponder("GET", testBaseURL+"/dictionary/NOPE/pt-BR", httpmock.NewStringResponder(404, `{"status":false,"message":"Dictionary not found"}`))
	tr := c.Dictionaries.Translator("pt-BR")
	ctx := t.Context()

	out, err := tr.Apply(ctx, "#PLANT.TITLE#: #PLANT.TEMP,21.5,\"sala 1\"# (#PLANT.MISSING#) #lower.x# # 100%")
	require.NoError(t, err)
	assert.Equal(t, "Caldeira: 21.5 °C em sala 1 (#PLANT.MISSING#) #lower.x# # 100%", out)

	out, err = tr.Apply(ctx, "#PLANT.ODD,a,b#")
	require.NoError(t, err)
	assert.Equal(t, "ba$10$", out, "$10 is not parameter one followed by 0")
	assert.EqualValues(t, 1, loads.Load(), "a dictionary is loaded once")

	out, err = tr.Apply(ctx, "no expressions here")
	require.NoError(t, err)
	assert.Equal(t, "no expressions here", out)

	in := "#PLANT.TITLE# and #NOPE.X#"
	out, err = tr.Apply(ctx, in)
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, in, out, "the text is returned unchanged on failure")

	// After the cache's lifetime the strings are loaded again.
	now := time.Now()
	tr.now = func() time.Time { return now.Add(2 * translatorTTL) }
	_, err = tr.Apply(ctx, "#PLANT.TITLE#")
	require.NoError(t, err)
	assert.EqualValues(t, 2, loads.Load())
}

func TestTranslatorResolve(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expect(mt, "GET", "/dictionary/PLANT/pt-BR", 200, `{"status":true,"result":{"TITLE":"Caldeira","TEMP":"$0 °C em $1"}}`)
	expect(mt, "GET", "/dictionary/NOPE/pt-BR", 404, `{"status":false,"message":"Dictionary not found"}`)
	tr := c.Dictionaries.Translator("pt-BR")
	ctx := t.Context()

	for _, tt := range []struct {
		e    Expression
		want string
	}{
		{Expression{Dictionary: "PLANT", Key: "TITLE"}, "Caldeira"},
		{Expression{Dictionary: "PLANT", Key: "TEMP", Params: []string{"21.5", "sala 1"}}, "21.5 °C em sala 1"},
		{Expression{Dictionary: "PLANT", Key: "MISSING"}, "#PLANT.MISSING#"},
		{Expression{Raw: "#PLANT.MISSING,x#", Dictionary: "PLANT", Key: "MISSING", Params: []string{"x"}}, "#PLANT.MISSING,x#"},
	} {
		out, err := tr.Resolve(ctx, tt.e)
		require.NoError(t, err, tt.e.Key)
		assert.Equal(t, tt.want, out, tt.e.Key)
	}
	e, ok := ParseExpression("#PLANT.TEMP,3,hall#")
	require.True(t, ok)
	out, err := tr.Resolve(ctx, e)
	require.NoError(t, err)
	assert.Equal(t, "3 °C em hall", out)
	require.Equal(t, 1, got.count(), "the dictionary is read once")
	r := got.last(t)
	assert.Equal(t, "fallback=true", r.Query)
	assert.Equal(t, testAccountToken, r.Header.Get("Account-Token"))

	_, err = tr.Resolve(ctx, Expression{Dictionary: "NOPE", Key: "X"})
	require.ErrorIs(t, err, ErrNotFound)

	before := mt.GetTotalCallCount()
	for _, tt := range []struct {
		e     Expression
		field string
	}{
		{Expression{Key: "TITLE"}, "dictionary"},
		{Expression{Dictionary: "plant", Key: "TITLE"}, "dictionary"},
		{Expression{Dictionary: "OTHER"}, "key"},
	} {
		_, err := tr.Resolve(ctx, tt.e)
		require.ErrorIs(t, err, ErrInvalidInput)
		var ie *InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, tt.field, ie.Field)
	}
	assert.Equal(t, before, mt.GetTotalCallCount(), "bad input sends nothing")
}

func TestFindExpressions(t *testing.T) {
	t.Parallel()
	assert.Nil(t, FindExpressions("no expressions # here"))
	assert.Equal(t, []Expression{
		{Raw: "#PLANT.TITLE#", Dictionary: "PLANT", Key: "TITLE"},
		{Raw: `#PLANT.TEMP,21.5,"sala, 1"#`, Dictionary: "PLANT", Key: "TEMP", Params: []string{"21.5", "sala, 1"}},
		{Raw: "#A.B#", Dictionary: "A", Key: "B"},
	}, FindExpressions(`Words #PLANT.TITLE#: #PLANT.TEMP,21.5,"sala, 1"# #lower.x# ##A.B# 100%`))
}

func TestRunTranslatorIsAnonymous(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, Anonymous())
	expect(mt, "GET", "/dictionary/plant.run.tago.io/PLANT/en-US", 200, `{"status":true,"result":{"HI":"Hello, $0"}}`)
	out, err := c.Dictionaries.RunTranslator("plant.run.tago.io", "en-US").Apply(t.Context(), "#PLANT.HI,Ana#!")
	require.NoError(t, err)
	assert.Equal(t, "Hello, Ana!", out)
}

func FuzzParseExpression(f *testing.F) {
	for _, s := range []string{"#PLANT.TITLE#", `#P.K,"a, b","c#d"#x`, "#P.K,a", "##", "#A.B,\"#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, ok := ParseExpression(s)
		if !ok {
			return
		}
		if len(e.Raw) > len(s) || s[:len(e.Raw)] != e.Raw || e.Raw[0] != '#' || e.Raw[len(e.Raw)-1] != '#' {
			t.Fatalf("Raw %q is not a prefix of %q delimited by #", e.Raw, s)
		}
		_ = substitute("$0 $1 $", e.Params)
	})
}
