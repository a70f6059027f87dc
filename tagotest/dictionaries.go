package tagotest

import (
	"net/http"
	"sort"
	"strings"
)

// Dictionaries are a collection; each keeps its languages' strings (locale → key →
// text) in ext. GET /dictionary/{x}/{locale} takes a dictionary's ID or its slug, as
// the platform's one route does; ?fallback=true answers the fallback language's
// strings for a locale the dictionary lacks. A run's users read the dictionaries of
// its profile without a token, at /dictionary/{run url}/{slug}/{locale}.

var dictionarySpec = register(&spec{
	key: "dictionary", noun: "Dictionary", path: "/dictionary", kinds: accountOnly,
	order: "name,asc", listFields: []string{"id", "name", "slug", "languages"}, required: []string{"name", "slug", "fallback"},
	fields: map[string]ftype{"name": fString, "slug": fString, "fallback": fString}, strict: true,
	readOnly: []string{"languages", "profile"}, created: http.StatusCreated,
	updated: "Dictionary Successfully Updated",
	validate: func(c *call, f obj, old *doc) (reply, bool) {
		slug, given := f["slug"].(string)
		if !given {
			return reply{}, true
		}
		for _, r := range slug {
			if !('A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
				return bad("slug", "must hold only upper-case letters and digits"), false
			}
		}
		if d := c.s.dictionaryBySlugLocked(c.profile(), slug); d != nil && (old == nil || d.id != old.id) {
			return bad("slug", "a dictionary with this slug already exists"), false
		}
		return reply{}, true
	},
	inserted: func(c *call, d *doc) { d.ext = map[string]*language{} },
	result:   func(c *call, d *doc) any { return obj{"dictionary": d.id} },
	view: func(c *call, d *doc) obj {
		out := obj{}
		for k, v := range d.fields {
			out[k] = v
		}
		langs := d.ext.(map[string]*language)
		codes := make([]string, 0, len(langs))
		for code := range langs {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		list := make([]obj, len(codes))
		for i, code := range codes {
			list[i] = obj{"code": code, "active": langs[code].active}
		}
		out["languages"] = list
		return out
	},
})

// language is one language of a dictionary.
type language struct {
	entries map[string]string
	active  bool
}

// dictionaryBySlugLocked finds a profile's dictionary by slug.
func (s *Server) dictionaryBySlugLocked(prof, slug string) *doc {
	for _, d := range s.table("dictionary") {
		if d.profile == prof && d.str("slug") == slug {
			return d
		}
	}
	return nil
}

// dictionaryLanguage answers GET, PUT and DELETE /dictionary/{id or slug}/{locale}.
func (s *Server) dictionaryLanguage(c *call) reply {
	d := s.table(dictionarySpec.key)[c.arg(0)]
	if d == nil || d.profile != c.profile() {
		if d = s.dictionaryBySlugLocked(c.profile(), c.arg(0)); d == nil || c.r.Method != http.MethodGet {
			return notFound("Dictionary")
		}
	}
	langs := d.ext.(map[string]*language)
	locale := c.arg(1)
	switch c.r.Method {
	case http.MethodPut:
		var b struct {
			Dictionary map[string]string `json:"dictionary"`
			Active     *bool             `json:"active"`
		}
		if rep, good := c.decodeBody(&b); !good {
			return rep
		}
		if b.Dictionary == nil {
			return bad("dictionary", "is required")
		}
		for k := range b.Dictionary {
			if strings.TrimSpace(k) == "" {
				return bad("dictionary", "a key must not be empty")
			}
		}
		l := &language{entries: b.Dictionary, active: true}
		if b.Active != nil {
			l.active = *b.Active
		}
		langs[locale] = l
		d.fields["updated_at"] = jsTime(s.now())
		return ok("Dictionary language Successfully Updated")
	case http.MethodDelete:
		if langs[locale] == nil {
			return notFound("Language")
		}
		delete(langs, locale)
		return ok("Dictionary language Successfully Removed")
	}
	return languageAnswer(d, locale, c.q.str("fallback") == "true")
}

// languageAnswer answers a language's strings, or its fallback's.
func languageAnswer(d *doc, locale string, fallback bool) reply {
	langs := d.ext.(map[string]*language)
	if l := langs[locale]; l != nil {
		return ok(l.entries)
	}
	if l := langs[d.str("fallback")]; fallback && l != nil {
		return ok(l.entries)
	}
	return notFound("Language")
}

// runDictionaryLanguage answers GET /dictionary/{run url}/{slug}/{locale} (no token),
// with the fallback.
func (s *Server) runDictionaryLanguage(c *call) reply {
	run := s.runByURLLocked(c.arg(0))
	if run == nil {
		return notFound("TagoRUN")
	}
	d := s.dictionaryBySlugLocked(run.profile, c.arg(1))
	if d == nil {
		return notFound("Dictionary")
	}
	return languageAnswer(d, c.arg(2), true)
}
