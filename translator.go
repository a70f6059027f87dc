package tago

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Translator applies the strings of one language of the profile's dictionaries to text
// holding expressions, as TagoIO's dashboards and TagoRUN do: #SLUG.KEY# is replaced by
// the string under KEY in the dictionary whose slug is SLUG, and #SLUG.KEY,a,"b, c"#
// also replaces $0, $1, ... in that string by the comma-separated parameters (quoted
// as in CSV). A Translator loads each dictionary once and keeps its strings for an
// hour; it is safe for concurrent use. Get one with [DictionariesService.Translator]
// or [DictionariesService.RunTranslator].
type Translator struct {
	load func(ctx context.Context, slug string) (map[string]string, error)
	ttl  time.Duration
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]cachedLanguage
}

// cachedLanguage is one dictionary's strings and when they were loaded.
type cachedLanguage struct {
	entries map[string]string
	at      time.Time
}

// translatorTTL is how long a Translator keeps a dictionary's strings, as the official
// SDK does.
const translatorTTL = time.Hour

// Translator returns a Translator for locale (such as "pt-BR") that reads the
// profile's dictionaries by slug, falling back to each dictionary's fallback language
// (account token). Making it sends nothing; its Apply reads each dictionary with
// GET /dictionary/{slug}/{locale}.
func (s *DictionariesService) Translator(locale string) *Translator {
	return newTranslator(func(ctx context.Context, slug string) (map[string]string, error) {
		return s.Language(ctx, slug, locale, true)
	})
}

// RunTranslator returns a Translator for locale that reads the dictionaries of the
// TagoRUN at runURL without a token, as an end user's app does before login. Its Apply
// reads each dictionary with GET /dictionary/{runURL}/{slug}/{locale}.
func (s *DictionariesService) RunTranslator(runURL, locale string) *Translator {
	return newTranslator(func(ctx context.Context, slug string) (map[string]string, error) {
		return s.RunLanguage(ctx, runURL, slug, locale)
	})
}

func newTranslator(load func(ctx context.Context, slug string) (map[string]string, error)) *Translator {
	return &Translator{load: load, ttl: translatorTTL, now: time.Now, cache: map[string]cachedLanguage{}}
}

// Apply returns text with every expression replaced. An expression whose dictionary
// has no such key is left as it is, as on the platform; a dictionary that cannot be
// loaded (unknown slug, network failure) is an error, with the text returned
// unchanged.
func (t *Translator) Apply(ctx context.Context, text string) (string, error) {
	if !strings.Contains(text, "#") {
		return text, nil
	}
	var b strings.Builder
	rest := text
	for {
		i := strings.IndexByte(rest, '#')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		expr, ok := ParseExpression(rest[i:])
		if !ok {
			b.WriteByte('#')
			rest = rest[i+1:]
			continue
		}
		entries, err := t.entries(ctx, expr.Dictionary)
		if err != nil {
			return text, err
		}
		if v, found := entries[expr.Key]; found {
			b.WriteString(substitute(v, expr.Params))
		} else {
			b.WriteString(expr.Raw)
		}
		rest = rest[i+len(expr.Raw):]
	}
	return b.String(), nil
}

// Resolve returns the string of one expression: the string under e.Key in the
// dictionary whose slug is e.Dictionary, with $0, $1, ... replaced by e.Params. When the
// dictionary has no such key it returns the expression as written (e.Raw, or
// #DICTIONARY.KEY# for an Expression built by hand), as [Translator.Apply] leaves it; a
// dictionary that cannot be loaded is an error. With no Params it looks up one key.
// The dictionary is read, and kept, as Apply does.
func (t *Translator) Resolve(ctx context.Context, e Expression) (string, error) {
	if err := checkSlug("dictionary", e.Dictionary); err != nil {
		return "", err
	}
	if e.Key == "" {
		return "", invalidf("key", "must not be empty")
	}
	entries, err := t.entries(ctx, e.Dictionary)
	if err != nil {
		return "", err
	}
	if v, found := entries[e.Key]; found {
		return substitute(v, e.Params), nil
	}
	if e.Raw != "" {
		return e.Raw, nil
	}
	return "#" + e.Dictionary + "." + e.Key + "#", nil
}

// entries returns a dictionary's strings, from the cache while they are fresh.
func (t *Translator) entries(ctx context.Context, slug string) (map[string]string, error) {
	t.mu.Lock()
	c, ok := t.cache[slug]
	t.mu.Unlock()
	if ok && t.now().Sub(c.at) < t.ttl {
		return c.entries, nil
	}
	e, err := t.load(ctx, slug)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.cache[slug] = cachedLanguage{entries: e, at: t.now()}
	t.mu.Unlock()
	return e, nil
}

// Expression is a dictionary expression found in text, such as #PLANT.TITLE,3#.
type Expression struct {
	// Raw is the expression as it appears in the text, delimiters included.
	Raw string
	// Dictionary is the dictionary's slug, such as "PLANT".
	Dictionary string
	// Key is the string's key, such as "TITLE".
	Key string
	// Params are the expression's parameters, which replace $0, $1, ... in the string.
	Params []string
}

// ParseExpression reads the dictionary expression at the start of s, which must begin
// with '#', and reports whether there is one. The slug is upper-case letters and
// digits, the key upper-case letters, digits and underscores; parameters follow the
// key after commas, quoted as in CSV where they hold commas or '#'.
func ParseExpression(s string) (Expression, bool) {
	if !strings.HasPrefix(s, "#") {
		return Expression{}, false
	}
	dot := -1
	i := 1
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' && dot < 0 {
			dot = i
			continue
		}
		if dot < 0 {
			if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return Expression{}, false
			}
			continue
		}
		if c == '#' || c == ',' {
			break
		}
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return Expression{}, false
		}
	}
	if dot <= 1 || i == dot+1 || i >= len(s) {
		return Expression{}, false
	}
	e := Expression{Dictionary: s[1:dot], Key: s[dot+1 : i]}
	if s[i] == '#' {
		e.Raw = s[:i+1]
		return e, true
	}
	// Parameters: up to the first '#' outside double quotes.
	inQuotes := false
	j := i + 1
	for ; j < len(s); j++ {
		if s[j] == '"' {
			inQuotes = !inQuotes
		} else if s[j] == '#' && !inQuotes {
			break
		}
	}
	if j >= len(s) {
		return Expression{}, false
	}
	params := []string{""}
	if raw := s[i+1 : j]; raw != "" {
		r := csv.NewReader(strings.NewReader(raw))
		r.LazyQuotes = true
		r.FieldsPerRecord = -1
		var err error
		if params, err = r.Read(); err != nil {
			return Expression{}, false
		}
		if _, err := r.Read(); err != io.EOF { // a line break split the parameters
			return Expression{}, false
		}
	}
	e.Params, e.Raw = params, s[:j+1]
	return e, true
}

// FindExpressions returns the dictionary expressions in text, in order, as
// [Translator.Apply] finds them; other text, and a '#' that starts no expression, is
// skipped. It reads nothing from the platform.
func FindExpressions(text string) []Expression {
	var out []Expression
	for rest := text; ; {
		i := strings.IndexByte(rest, '#')
		if i < 0 {
			return out
		}
		e, ok := ParseExpression(rest[i:])
		if !ok {
			rest = rest[i+1:]
			continue
		}
		out = append(out, e)
		rest = rest[i+len(e.Raw):]
	}
}

// maxParam bounds the parameter numbers substitute replaces, as the official SDK does.
const maxParam = 100

// substitute replaces $N in v by params[N] for every N below len(params) and maxParam;
// $10 is parameter ten, never parameter one followed by a zero.
func substitute(v string, params []string) string {
	if len(params) == 0 || !strings.Contains(v, "$") {
		return v
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(v, '$')
		if i < 0 {
			b.WriteString(v)
			return b.String()
		}
		b.WriteString(v[:i])
		j := i + 1
		for j < len(v) && '0' <= v[j] && v[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(v[i+1 : j])
		if err == nil && n < len(params) && n < maxParam {
			b.WriteString(params[n])
		} else {
			b.WriteString(v[i:j])
		}
		v = v[j:]
	}
}
