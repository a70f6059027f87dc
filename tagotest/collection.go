package tagotest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// The generic collection. A resource type (dashboards, analyses, secrets, ...) is
// described by a spec: where it lives, which tokens may call it, what its fields are
// and how they are checked. The handlers in this file serve every spec the same way,
// as the platform does: a list with page, amount, fields, filter and orderBy; info;
// create (required and typed fields, 400 with field_errors); a partial edit; delete
// (404 for an unknown ID); and the tag keys of the type. Hooks hold only what really
// differs between resources (a validation rule, a side effect, another result shape).
//
// Resources are docs: a JSON-like object (fields) as the API prints it, plus the
// owning profile and a creation sequence. A resource with state of its own beyond its
// fields (a device's data, an analysis's scripts) keeps it in doc.ext.

// ftype is the JSON type a field must have when a body gives it.
type ftype uint8

const (
	fAny        ftype = iota
	fString           // a string
	fNullString       // a string or null
	fBool             // a boolean
	fNumber           // a number
	fInt              // an integer number
	fObject           // an object
	fNullObject       // an object or null
	fArray            // an array
	fTags             // an array of {key, value}, stored as []Tag
	fStrings          // an array of strings, stored as []string
)

func (t ftype) String() string {
	switch t {
	case fString:
		return "a string"
	case fNullString:
		return "a string or null"
	case fBool:
		return "a boolean"
	case fNumber:
		return "a number"
	case fInt:
		return "an integer"
	case fObject:
		return "an object"
	case fNullObject:
		return "an object or null"
	case fArray:
		return "an array"
	case fTags:
		return "an array of {key, value}"
	case fStrings:
		return "an array of strings"
	default:
		return "any value"
	}
}

// ops selects the routes a spec serves.
type ops uint8

const (
	opList ops = 1 << iota
	opInfo
	opCreate
	opEdit
	opDelete
	opAll = opList | opInfo | opCreate | opEdit | opDelete
)

// spec describes one collection of resources.
type spec struct {
	key     string // the table's name, the audit log's resourceName: "dashboard"
	noun    string // as in "Dashboard not found"
	path    string // the route prefix; a nested collection's starts with its parent's path and ":parent"
	kinds   []kind // token kinds allowed on every route
	ops     ops    // routes served; zero means all
	tagType string // the type of GET /tags/keys/{type}; empty: none

	order      string   // default orderBy, "name,asc"
	listFields []string // what a list prints when no fields are asked for; nil: every field
	infoFields bool     // info honours ?fields= too

	required []string         // fields a create must give (strings must not be blank)
	fields   map[string]ftype // the fields checked when a body gives them
	strict   bool             // refuse fields not in fields (400 "is not allowed")
	fixed    []string         // given at create only: an edit may not change them
	readOnly []string         // ignored in bodies (id, created_at and updated_at always are)
	hidden   []string         // write-only: stored, never printed
	noTimes  bool             // no created_at / updated_at

	created          int    // create's status: 200 (zero) or 201
	bodyless         bool   // create takes no body: an empty one reads as {}
	updated, removed string // the edit's and the delete's answers
	updatedResult    any    // the edit's answer when it is not a string ({"message": ...}); nil: updated

	parent      string // nested collection: the parent spec's key
	parentField string // the field naming the parent ("dashboard")

	// owns reports whether the caller may change d (default: d is the caller
	// profile's); visible whether it may see it (default: owns).
	owns, visible func(c *call, d *doc) bool
	// resolve maps an ID of the path to a stored one ("current"); nil: as is.
	resolve func(c *call, id string) string
	// defaults returns the fields a new resource starts with, before the body's.
	defaults func(c *call) obj
	// validate checks a create (old nil) or edit body after the generic checks; it may
	// change f (drop a field that is not stored, normalise one).
	validate func(c *call, f obj, old *doc) (reply, bool)
	// inserted runs after a create stored d (side effects: tokens, state in ext).
	inserted func(c *call, d *doc)
	// result is create's result; default {"id": ID}.
	result func(c *call, d *doc) any
	// edited runs after an edit merged f into d.
	edited func(c *call, d *doc, f obj)
	// deleted runs before d is removed (cascades); children are removed generically.
	deleted func(c *call, d *doc)
	// view prints d; default: its fields without the hidden ones.
	view func(c *call, d *doc) obj
	// infoView prints d for info when it differs from the list's items; default view.
	infoView func(c *call, d *doc) obj
	// keep filters a list beyond filter[...] (GET /device?serial=).
	keep func(c *call, d *doc) bool
}

// specs is every collection, by key; filled by register.
var specs = map[string]*spec{}

// specOrder is the registration order, which the route table follows.
var specOrder []*spec

// register adds a collection; called from package variable initialisers.
func register(sp *spec) *spec {
	if sp.ops == 0 {
		sp.ops = opAll
	}
	if sp.updated == "" {
		sp.updated = "Successfully Updated"
	}
	if sp.removed == "" {
		sp.removed = "Successfully Removed"
	}
	if sp.tagType != "" {
		if sp.fields == nil {
			sp.fields = map[string]ftype{}
		}
		if _, ok := sp.fields["tags"]; !ok {
			sp.fields["tags"] = fTags
		}
	}
	specs[sp.key] = sp
	specOrder = append(specOrder, sp)
	return sp
}

// table returns the docs of a collection by ID.
func (s *Server) table(key string) map[string]*doc {
	t := s.tables[key]
	if t == nil {
		t = map[string]*doc{}
		s.tables[key] = t
	}
	return t
}

// docsLocked returns a collection's docs in creation order.
func (s *Server) docsLocked(key string, keep func(*doc) bool) []*doc {
	var out []*doc
	for _, d := range s.table(key) {
		if keep == nil || keep(d) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// insertLocked stores a new doc of a collection with fields f (the platform's defaults
// are the caller's business) under id, or a new ID when id is empty.
func (s *Server) insertLocked(sp *spec, prof, id string, f obj) *doc {
	if id == "" {
		id = s.newID()
	}
	f["id"] = id
	if !sp.noTimes {
		now := jsTime(s.now())
		f["created_at"], f["updated_at"] = now, now
	}
	d := &doc{id: id, profile: prof, fields: f, seq: s.nextSeq()}
	s.table(sp.key)[id] = d
	return d
}

// removeLocked deletes a doc and, recursively, the docs of the collections nested in
// its own.
func (s *Server) removeLocked(sp *spec, d *doc) {
	for _, child := range specOrder {
		if child.parent != sp.key {
			continue
		}
		for _, cd := range s.docsLocked(child.key, func(x *doc) bool { return x.fields[child.parentField] == d.id }) {
			s.removeLocked(child, cd)
		}
	}
	delete(s.table(sp.key), d.id)
}

func (sp *spec) has(o ops) bool { return sp.ops&o != 0 }

func (sp *spec) owner(c *call, d *doc) bool {
	if sp.owns != nil {
		return sp.owns(c, d)
	}
	return d.profile == c.profile()
}

func (sp *spec) canSee(c *call, d *doc) bool {
	if sp.visible != nil {
		return sp.visible(c, d)
	}
	return sp.owner(c, d)
}

// routes returns the generic routes of a collection.
func (sp *spec) routes(s *Server) []route {
	var out []route
	add := func(o ops, method, pattern string, h func(*call) reply) {
		if sp.has(o) {
			out = append(out, route{method: method, segs: splitPath(pattern), kinds: sp.kinds, h: h})
		}
	}
	item := sp.path + "/:id"
	add(opList, http.MethodGet, sp.path, sp.list)
	add(opCreate, http.MethodPost, sp.path, sp.create)
	add(opInfo, http.MethodGet, item, sp.info)
	add(opEdit, http.MethodPut, item, sp.edit)
	add(opDelete, http.MethodDelete, item, sp.remove)
	return out
}

// parentDoc returns the parent named by the path's first wildcard (nested collections).
func (sp *spec) parentDoc(c *call) (*doc, reply, bool) {
	if sp.parent == "" {
		return nil, reply{}, true
	}
	return specs[sp.parent].lookup(c, c.arg(0), true)
}

// idArg is the index of the resource's ID among the path's wildcards.
func (sp *spec) idArg() int {
	if sp.parent != "" {
		return 1
	}
	return 0
}

// lookup finds a resource the caller may see (write false) or change (write true).
func (sp *spec) lookup(c *call, id string, write bool) (*doc, reply, bool) {
	if sp.resolve != nil {
		id = sp.resolve(c, id)
	}
	d := c.s.table(sp.key)[id]
	if d == nil || (write && !sp.owner(c, d)) || (!write && !sp.canSee(c, d)) {
		return nil, notFound(sp.noun), false
	}
	return d, reply{}, true
}

// item finds the resource of an item route, checking the parent of a nested one.
func (sp *spec) item(c *call, write bool) (*doc, reply, bool) {
	p, rep, good := sp.parentDoc(c)
	if !good {
		return nil, rep, false
	}
	d, rep, good := sp.lookup(c, c.arg(sp.idArg()), write)
	if !good {
		return nil, rep, false
	}
	if p != nil && d.fields[sp.parentField] != p.id {
		return nil, notFound(sp.noun), false
	}
	return d, reply{}, true
}

// render prints a resource.
func (sp *spec) render(c *call, d *doc) obj {
	if sp.view != nil {
		return sp.view(c, d)
	}
	out := make(obj, len(d.fields))
	for k, v := range d.fields {
		if !slices.Contains(sp.hidden, k) {
			out[k] = v
		}
	}
	return out
}

// list answers GET {path}.
func (sp *spec) list(c *call) reply {
	p, rep, good := sp.parentDoc(c)
	if !good {
		return rep
	}
	o, rep, good := c.listOptions(sp.order)
	if !good {
		return rep
	}
	if len(o.fields) == 0 {
		o.fields = sp.listFields
	}
	ds := c.s.docsLocked(sp.key, func(d *doc) bool {
		return sp.canSee(c, d) && (p == nil || d.fields[sp.parentField] == p.id) && (sp.keep == nil || sp.keep(c, d))
	})
	items := make([]obj, len(ds))
	for i, d := range ds {
		items[i] = sp.render(c, d)
	}
	return ok(applyList(items, o))
}

// info answers GET {path}/{id}.
func (sp *spec) info(c *call) reply {
	d, rep, good := sp.item(c, false)
	if !good {
		return rep
	}
	out := sp.render(c, d)
	if sp.infoView != nil {
		out = sp.infoView(c, d)
	}
	if sp.infoFields {
		out = project(out, c.fieldsParam())
	}
	return ok(out)
}

// create answers POST {path}.
func (sp *spec) create(c *call) reply {
	p, rep, good := sp.parentDoc(c)
	if !good {
		return rep
	}
	f := obj{}
	if !sp.bodyless || len(bytes.TrimSpace(c.body)) > 0 {
		var rep reply
		var good bool
		if f, rep, good = c.bodyFields(); !good {
			return rep
		}
	}
	d, rep := sp.createLocked(c, p, f)
	if d == nil {
		return rep
	}
	var res any = obj{"id": d.id}
	if sp.result != nil {
		res = sp.result(c, d)
	}
	if sp.created == http.StatusCreated {
		return created(res)
	}
	return ok(res)
}

// createLocked checks a create body and stores the resource, for the handler and the
// seeding helpers alike; it returns nil and the refusal on bad input.
func (sp *spec) createLocked(c *call, p *doc, f obj) (*doc, reply) {
	if rep, good := sp.check(f, nil); !good {
		return nil, rep
	}
	for _, name := range sp.required {
		v, given := f[name]
		if !given || v == nil {
			return nil, bad(name, "is required")
		}
		if s, isStr := v.(string); isStr && strings.TrimSpace(s) == "" {
			return nil, bad(name, "is required")
		}
	}
	if sp.validate != nil {
		if rep, good := sp.validate(c, f, nil); !good {
			return nil, rep
		}
	}
	all := obj{}
	if sp.defaults != nil {
		all = sp.defaults(c)
	}
	for k, v := range f {
		all[k] = v
	}
	if p != nil {
		all[sp.parentField] = p.id
	}
	d := c.s.insertLocked(sp, c.profile(), "", all)
	if sp.inserted != nil {
		sp.inserted(c, d)
	}
	c.s.auditLocked(c, sp.key, d.id, "created")
	return d, reply{}
}

// seedCall is the call a seeding helper acts through: the profile's owner, unlogged.
func (s *Server) seedCall(prof string) *call {
	return &call{s: s, tok: &tokenRec{kind: kindAccount, profile: prof, permission: "full"}, seed: true}
}

// edit answers PUT {path}/{id}: the given fields replace the stored ones.
func (sp *spec) edit(c *call) reply {
	d, rep, good := sp.item(c, true)
	if !good {
		return rep
	}
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	if rep, good := sp.checkEdit(c, d, f); !good {
		return rep
	}
	sp.applyEdit(c, d, f)
	if sp.updatedResult != nil {
		return ok(sp.updatedResult)
	}
	return ok(sp.updated)
}

// checkEdit checks an edit body f of d (and may normalise it, as check and validate
// do) without changing anything, so that a route editing several resources at once
// checks them all first (PUT /data/{dashboard}/{widget}/resource).
func (sp *spec) checkEdit(c *call, d *doc, f obj) (reply, bool) {
	if rep, good := sp.check(f, d); !good {
		return rep, false
	}
	for _, name := range sp.required {
		if s, isStr := f[name].(string); isStr && strings.TrimSpace(s) == "" {
			return bad(name, "must not be empty"), false
		}
		if v, given := f[name]; given && v == nil {
			return bad(name, "must not be null"), false
		}
	}
	if sp.validate != nil {
		if rep, good := sp.validate(c, f, d); !good {
			return rep, false
		}
	}
	return reply{}, true
}

// applyEdit merges a checked edit body f into d.
func (sp *spec) applyEdit(c *call, d *doc, f obj) {
	delete(f, sp.parentField)
	for k, v := range f {
		d.fields[k] = v
	}
	if !sp.noTimes {
		d.fields["updated_at"] = jsTime(c.s.now())
	}
	if sp.edited != nil {
		sp.edited(c, d, f)
	}
	c.s.auditLocked(c, sp.key, d.id, "updated")
}

// remove answers DELETE {path}/{id}.
func (sp *spec) remove(c *call) reply {
	d, rep, good := sp.item(c, true)
	if !good {
		return rep
	}
	if sp.deleted != nil {
		sp.deleted(c, d)
	}
	c.s.removeLocked(sp, d)
	c.s.auditLocked(c, sp.key, d.id, "deleted")
	return ok(sp.removed)
}

// alwaysReadOnly are fields no body sets.
var alwaysReadOnly = []string{"id", "created_at", "updated_at"}

// check applies the spec's field rules to a create (old nil) or edit body: read-only
// fields are dropped, unknown fields refused when the spec is strict, fixed fields
// refused on edit when they differ, and every known field type-checked (tags become
// []Tag, string arrays []string).
func (sp *spec) check(f obj, old *doc) (reply, bool) {
	for k := range f {
		if slices.Contains(alwaysReadOnly, k) || slices.Contains(sp.readOnly, k) {
			delete(f, k)
		}
	}
	for _, k := range sortedKeys(f) {
		t, known := sp.fields[k]
		if !known && sp.strict && k != sp.parentField {
			return bad(k, "is not allowed"), false
		}
		if old != nil && slices.Contains(sp.fixed, k) && !sameJSON(f[k], old.fields[k]) {
			return bad(k, "cannot be changed"), false
		}
		if f[k] == nil && old == nil && slices.Contains(sp.required, k) {
			continue // "is required", said by the caller
		}
		v, rep, good := checkType(k, f[k], t)
		if !good {
			return rep, false
		}
		f[k] = v
	}
	return reply{}, true
}

// checkFields type-checks a body against a field table without a collection (the
// account, a login): the one validator every handler shares.
func checkFields(f obj, types map[string]ftype, strict bool) (reply, bool) {
	sp := spec{fields: types, strict: strict}
	return sp.check(f, nil)
}

// checkType checks one field's value and returns it in its stored form.
func checkType(name string, v any, t ftype) (any, reply, bool) {
	wrong := func() (any, reply, bool) { return nil, bad(name, "must be %s", t), false }
	switch t {
	case fString:
		if _, good := v.(string); !good {
			return wrong()
		}
	case fNullString:
		if _, good := v.(string); !good && v != nil {
			return wrong()
		}
	case fBool:
		if _, good := v.(bool); !good {
			return wrong()
		}
	case fNumber, fInt:
		n, good := v.(float64)
		if !good || (t == fInt && n != float64(int64(n))) {
			return wrong()
		}
	case fObject, fNullObject:
		if _, good := v.(map[string]any); !good && (t == fObject || v != nil) {
			return wrong()
		}
	case fArray:
		if _, good := v.([]any); !good {
			return wrong()
		}
	case fStrings:
		if strs, good := v.([]string); good {
			return strs, reply{}, true
		}
		arr, good := v.([]any)
		if !good {
			return wrong()
		}
		out := make([]string, len(arr))
		for i, e := range arr {
			if out[i], good = e.(string); !good {
				return wrong()
			}
		}
		return out, reply{}, true
	case fTags:
		return toTags(name, v)
	}
	return v, reply{}, true
}

// toTags turns a decoded tags array into []Tag; every tag needs a key.
func toTags(name string, v any) (any, reply, bool) {
	if tags, good := v.([]Tag); good {
		v = jsonValue(tags)
	}
	arr, good := v.([]any)
	if !good {
		return nil, bad(name, "must be an array of {key, value}"), false
	}
	tags := make([]Tag, 0, len(arr))
	for i, e := range arr {
		m, _ := e.(map[string]any)
		key, _ := m["key"].(string)
		val, valOK := m["value"].(string)
		if _, given := m["value"]; !given || m["value"] == nil {
			valOK = true
		}
		if m == nil || !valOK {
			return nil, bad(name, "must be an array of {key, value}"), false
		}
		if key == "" {
			return nil, bad(name+"["+itoa(i)+"].key", "is required"), false
		}
		tags = append(tags, Tag{Key: key, Value: val})
	}
	return tags, reply{}, true
}

// bodyFields decodes a JSON object body.
func (c *call) bodyFields() (obj, reply, bool) {
	var f obj
	if rep, good := c.decodeBody(&f); !good {
		return nil, rep, false
	}
	if f == nil {
		return nil, bad("body", "must be a JSON object"), false
	}
	return f, reply{}, true
}

// fieldsParam reads ?fields= in any of its spellings.
func (c *call) fieldsParam() []string {
	var out []string
	for _, f := range c.q.strs("fields") {
		for _, p := range strings.Split(f, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func sortedKeys(m obj) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonValue returns v as encoding/json decodes it into an any (numbers as float64,
// objects as maps), the form bodies arrive in.
func jsonValue(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// sameJSON reports whether two field values print the same.
func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// tagTypes are the types GET /tags/keys/{type} knows, and the collection each reads
// ("bucket" is the devices' older name). A known type without a collection in the
// fake (run_users, tcore) has no tags.
var tagTypes = map[string]string{
	"device": "device", "bucket": "device", "dashboard": "dashboard", "action": "action",
	"analysis": "analysis", "secrets": "secrets", "run_users": "run_users", "tcore": "tcore",
}

// tagKeys answers GET /tags/keys/{type}: the distinct tag keys of the caller's
// resources of that type, sorted.
func (s *Server) tagKeys(c *call) reply {
	typ, known := tagTypes[c.arg(0)]
	if !known {
		return fail(http.StatusBadRequest, "Invalid tag type %q", c.arg(0))
	}
	keys := []string{}
	for _, sp := range specOrder {
		if sp.tagType != typ {
			continue
		}
		seen := map[string]bool{}
		for _, d := range s.docsLocked(sp.key, func(d *doc) bool { return sp.owner(c, d) }) {
			tags, _ := d.fields["tags"].([]Tag)
			for _, t := range tags {
				if !seen[t.Key] {
					seen[t.Key] = true
					keys = append(keys, t.Key)
				}
			}
		}
	}
	sort.Strings(keys)
	return ok(keys)
}
