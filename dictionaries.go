package tago

import (
	"context"
	"iter"
	"strings"
	"time"
)

// DictionariesService manages the profile's dictionaries, the translated strings that
// dashboards and TagoRUN show in each user's language (account token), and reads a
// language's strings for applications ([DictionariesService.Language],
// [DictionariesService.RunLanguage]); [Translator] applies them to text.
type DictionariesService service

// cl returns the service's client, or nil for a nil service.
func (s *DictionariesService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// Dictionary is a dictionary as the platform describes it. List calls fill only the
// fields they were asked for.
type Dictionary struct {
	// ID is the dictionary's ID.
	ID string `json:"id"`
	// Name is the dictionary's name.
	Name string `json:"name,omitempty"`
	// Slug is the upper-case name expressions use, as in #SLUG.KEY#.
	Slug string `json:"slug,omitempty"`
	// Fallback is the language used when a user's language has no strings, such as
	// "en-US".
	Fallback string `json:"fallback,omitempty"`
	// Languages are the dictionary's languages.
	Languages []DictionaryLanguage `json:"languages,omitempty"`
	// CreatedAt is when the dictionary was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// UpdatedAt is when the dictionary was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// DictionaryLanguage is one language of a dictionary.
type DictionaryLanguage struct {
	// Code is the language's code, such as "pt-BR".
	Code string `json:"code"`
	// Active says whether the language is used.
	Active bool `json:"active"`
}

// DictionaryListOptions filters and pages [DictionariesService.List] and
// [DictionariesService.All].
type DictionaryListOptions struct {
	ListOptions
	// Name keeps dictionaries whose name matches, * wildcards allowed.
	Name string
	// Slug keeps dictionaries whose slug matches, * wildcards allowed.
	Slug string
}

// dictionariesDefaults are the official SDKs' defaults for dictionary lists.
var dictionariesDefaults = listDefaults{fields: []string{"id", "name", "slug", "languages"}, order: Asc("name")}

// List returns one page of the profile's dictionaries. Without Fields it asks for id,
// name, slug and languages; the default order is by name, ascending.
//
// TagoIO API: GET /dictionary
func (s *DictionariesService) List(ctx context.Context, opts *DictionaryListOptions) ([]Dictionary, error) {
	var o DictionaryListOptions
	if opts != nil {
		o = *opts
	}
	q, err := listQuery(&o.ListOptions, dictionariesDefaults, func(q *query) {
		q.addString("filter[name]", o.Name)
		q.addString("filter[slug]", o.Slug)
	})
	if err != nil {
		return nil, err
	}
	return do[[]Dictionary](ctx, s.cl(), &call{method: "GET", path: "/dictionary", query: q, kinds: accountOnly})
}

// All returns an iterator over every dictionary matching opts, fetching pages as the
// caller ranges.
//
// TagoIO API: GET /dictionary
func (s *DictionariesService) All(ctx context.Context, opts *DictionaryListOptions) iter.Seq2[Dictionary, error] {
	var o DictionaryListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Dictionary, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// DictionaryCreateRequest describes a new dictionary. All fields are required.
type DictionaryCreateRequest struct {
	// Name is the dictionary's name.
	Name string `json:"name"`
	// Slug is the name expressions use: upper-case letters and digits, as in
	// #SLUG.KEY#.
	Slug string `json:"slug"`
	// Fallback is the language used when a user's language has no strings, such as
	// "en-US".
	Fallback string `json:"fallback"`
}

// checkSlug validates a dictionary slug: upper-case letters and digits.
func checkSlug(field, slug string) error {
	if slug == "" {
		return invalidf(field, "must not be empty")
	}
	for _, r := range slug {
		if !('A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return invalidf(field, "%q must hold only upper-case letters and digits", slug)
		}
	}
	return nil
}

// checkLocale validates a language code used as a path segment, such as "en-US".
func checkLocale(field, locale string) error {
	if locale == "" {
		return invalidf(field, "must not be empty")
	}
	if strings.ContainsAny(locale, "/?#% ") || locale == "." || locale == ".." {
		return invalidf(field, "%q is not a language code such as en-US", locale)
	}
	return nil
}

// Create creates a dictionary and returns its ID.
//
// TagoIO API: POST /dictionary
func (s *DictionariesService) Create(ctx context.Context, req DictionaryCreateRequest) (string, error) {
	if err := checkName("name", req.Name); err != nil {
		return "", err
	}
	if err := checkSlug("slug", req.Slug); err != nil {
		return "", err
	}
	if err := checkLocale("fallback", req.Fallback); err != nil {
		return "", err
	}
	res, err := do[struct {
		Dictionary string `json:"dictionary"`
	}](ctx, s.cl(), &call{method: "POST", path: "/dictionary", body: req, kinds: accountOnly})
	return res.Dictionary, err
}

// DictionaryEditRequest changes a dictionary; nil fields are left unchanged.
type DictionaryEditRequest struct {
	// Name is the new name.
	Name *string `json:"name,omitempty"`
	// Slug is the new slug.
	Slug *string `json:"slug,omitempty"`
	// Fallback is the new fallback language.
	Fallback *string `json:"fallback,omitempty"`
}

// Edit changes a dictionary.
//
// TagoIO API: PUT /dictionary/{id}
func (s *DictionariesService) Edit(ctx context.Context, dictionaryID string, req DictionaryEditRequest) error {
	if err := checkID("dictionary ID", dictionaryID); err != nil {
		return err
	}
	if req.Name != nil {
		if err := checkName("name", *req.Name); err != nil {
			return err
		}
	}
	if req.Slug != nil {
		if err := checkSlug("slug", *req.Slug); err != nil {
			return err
		}
	}
	if req.Fallback != nil {
		if err := checkLocale("fallback", *req.Fallback); err != nil {
			return err
		}
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/dictionary/" + dictionaryID, body: req, kinds: accountOnly})
}

// Delete deletes a dictionary with all its languages.
//
// TagoIO API: DELETE /dictionary/{id}
func (s *DictionariesService) Delete(ctx context.Context, dictionaryID string) error {
	if err := checkID("dictionary ID", dictionaryID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/dictionary/" + dictionaryID, kinds: accountOnly})
}

// Info returns one dictionary.
//
// TagoIO API: GET /dictionary/{id}
func (s *DictionariesService) Info(ctx context.Context, dictionaryID string) (Dictionary, error) {
	if err := checkID("dictionary ID", dictionaryID); err != nil {
		return Dictionary{}, err
	}
	return do[Dictionary](ctx, s.cl(), &call{method: "GET", path: "/dictionary/" + dictionaryID, kinds: accountOnly})
}

// EditLanguage replaces the strings of one language of a dictionary (key → text) and
// says whether the language is active; a language not there yet is added.
//
// TagoIO API: PUT /dictionary/{id}/{locale}
func (s *DictionariesService) EditLanguage(ctx context.Context, dictionaryID, locale string, entries map[string]string, active bool) error {
	if err := checkID("dictionary ID", dictionaryID); err != nil {
		return err
	}
	if err := checkLocale("locale", locale); err != nil {
		return err
	}
	for k := range entries {
		if k == "" {
			return invalidf("entries", "a key must not be empty")
		}
	}
	if entries == nil {
		entries = map[string]string{}
	}
	body := struct {
		Dictionary map[string]string `json:"dictionary"`
		Active     bool              `json:"active"`
	}{entries, active}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/dictionary/" + dictionaryID + "/" + escape(locale), body: body, kinds: accountOnly})
}

// DeleteLanguage removes one language from a dictionary.
//
// TagoIO API: DELETE /dictionary/{id}/{locale}
func (s *DictionariesService) DeleteLanguage(ctx context.Context, dictionaryID, locale string) error {
	if err := checkID("dictionary ID", dictionaryID); err != nil {
		return err
	}
	if err := checkLocale("locale", locale); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/dictionary/" + dictionaryID + "/" + escape(locale), kinds: accountOnly})
}

// LanguageInfo returns the strings of one language of a dictionary, by the
// dictionary's ID, for editing: without fallback, a language the dictionary lacks is
// an error; with it, the fallback language's strings are returned instead.
//
// TagoIO API: GET /dictionary/{id}/{locale}
func (s *DictionariesService) LanguageInfo(ctx context.Context, dictionaryID, locale string, fallback bool) (map[string]string, error) {
	if err := checkID("dictionary ID", dictionaryID); err != nil {
		return nil, err
	}
	return s.language(ctx, dictionaryID, locale, fallback)
}

// Language returns the strings of one language of a dictionary, by its slug, as an
// application uses them: with fallback, the fallback language's strings stand in for
// a language the dictionary lacks.
//
// TagoIO API: GET /dictionary/{slug}/{locale}
func (s *DictionariesService) Language(ctx context.Context, slug, locale string, fallback bool) (map[string]string, error) {
	if err := checkSlug("slug", slug); err != nil {
		return nil, err
	}
	return s.language(ctx, slug, locale, fallback)
}

func (s *DictionariesService) language(ctx context.Context, dict, locale string, fallback bool) (map[string]string, error) {
	if err := checkLocale("locale", locale); err != nil {
		return nil, err
	}
	var q query
	q.addBool("fallback", fallback)
	return do[map[string]string](ctx, s.cl(), &call{method: "GET", path: "/dictionary/" + dict + "/" + escape(locale),
		query: &q, kinds: accountOnly})
}

// RunLanguage returns the strings of one language of a dictionary, by its slug, for
// the TagoRUN at runURL (such as "myapp.run.tago.io"). It needs no token: a client
// made with [Anonymous] works, as an end user's app before login.
//
// TagoIO API: GET /dictionary/{runURL}/{slug}/{locale}
func (s *DictionariesService) RunLanguage(ctx context.Context, runURL, slug, locale string) (map[string]string, error) {
	if err := checkRunURL(runURL); err != nil {
		return nil, err
	}
	if err := checkSlug("slug", slug); err != nil {
		return nil, err
	}
	if err := checkLocale("locale", locale); err != nil {
		return nil, err
	}
	return do[map[string]string](ctx, s.cl(), &call{method: "GET",
		path: "/dictionary/" + escape(runURL) + "/" + slug + "/" + escape(locale), anonymous: true})
}
