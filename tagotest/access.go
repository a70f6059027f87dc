package tagotest

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// Secrets and access policies are collections with no state of their own.
var (
	// A secret's value is write-only: no answer prints it; lists and info give its
	// value_length instead, as the official SDK's types say. Its key cannot change
	// and is unique in the profile.
	_ = register(&spec{
		key: "secrets", noun: "Secret", path: "/secrets", kinds: accountOnly, tagType: "secrets",
		order: "key,asc", listFields: []string{"id", "key"}, required: []string{"key", "value"},
		fields: map[string]ftype{"key": fString, "value": fString}, strict: true,
		fixed: []string{"key"}, hidden: []string{"value"}, readOnly: []string{"value_length", "profile"},
		defaults: func(c *call) obj { return obj{"tags": []Tag{}} },
		validate: func(c *call, f obj, old *doc) (reply, bool) {
			key, given := f["key"].(string)
			if !given || old != nil {
				return reply{}, true
			}
			for _, d := range c.s.table("secrets") {
				if d.profile == c.profile() && strings.EqualFold(d.str("key"), key) {
					return bad("key", "a secret with this key already exists"), false
				}
			}
			return reply{}, true
		},
		view: func(c *call, d *doc) obj {
			out := obj{}
			for k, v := range d.fields {
				out[k] = v
			}
			delete(out, "value")
			out["value_length"] = utf8.RuneCountInString(d.str("value"))
			return out
		},
	})

	// An access policy gives targets (run users, analyses) permissions on resources.
	// The fake stores and checks policies; it does not enforce them.
	_ = register(&spec{
		key: "am", noun: "Access Management", path: "/am", kinds: accountOnly,
		order: "name,asc", listFields: []string{"id", "name", "tags"}, required: []string{"name", "permissions", "targets"},
		fields: map[string]ftype{"name": fString, "permissions": fArray, "targets": fArray, "active": fBool, "tags": fTags},
		strict: true, readOnly: []string{"profile"}, created: http.StatusCreated,
		updated:  "Access Management Successfully Updated",
		defaults: func(c *call) obj { return obj{"active": true, "tags": []Tag{}} },
		validate: validatePolicy,
		result:   func(c *call, d *doc) any { return obj{"am_id": d.id} },
	})
)

// validatePolicy checks a policy's rules: each permission {effect: allow|deny,
// action: [...], resource: [...]}, each target an array of strings such as
// ["analysis", "id", "<analysisID>"].
func validatePolicy(c *call, f obj, _ *doc) (reply, bool) {
	perms, _ := f["permissions"].([]any)
	for i, p := range perms {
		name := "permissions[" + itoa(i) + "]"
		m, isObj := p.(map[string]any)
		if !isObj {
			return bad(name, "must be an object {effect, action, resource}"), false
		}
		if e := m["effect"]; e != "allow" && e != "deny" {
			return bad(name+".effect", "must be allow or deny"), false
		}
		for _, k := range []string{"action", "resource"} {
			if v, _, good := checkType(name+"."+k, m[k], fStrings); !good || len(v.([]string)) == 0 {
				return bad(name+"."+k, "must be a non-empty array of strings"), false
			}
		}
	}
	targets, _ := f["targets"].([]any)
	for i, t := range targets {
		name := "targets[" + itoa(i) + "]"
		v, _, good := checkType(name, t, fStrings)
		if !good || !validTarget(v.([]string)) {
			return bad(name, "must be [\"run_user\"] or [\"analysis\"] (every one), with \"id\", \"<ID>\" (one) "+
				"or \"tag_match\", \"<tag key>\" (those whose tag matches)"), false
		}
	}
	return reply{}, true
}

// validTarget reports whether t is one of the documented target forms: ["run_user"]
// (every run user; "analysis" likewise), ["run_user", "id", ID] and ["run_user",
// "tag_match", key].
func validTarget(t []string) bool {
	if len(t) == 0 || (t[0] != "run_user" && t[0] != "analysis") {
		return false
	}
	switch len(t) {
	case 1:
		return true
	case 3:
		return (t[1] == "id" || t[1] == "tag_match") && strings.TrimSpace(t[2]) != ""
	}
	return false
}
