package tagotest

import (
	"encoding/json"
	"strings"
)

// Templates: POST /template makes one of a dashboard (with its widgets) or an
// analysis, copied as it is then; GET /template/{id} describes it; POST
// /template/{id} installs it in the caller's profile as new resources. Any profile may
// install a template by its ID, as a shared link allows on the platform.

// template is a template's snapshot.
type template struct {
	id, name, typ, profile string
	imageLogo, imageMain   any
	source                 obj   // the dashboard's or analysis's fields
	widgets                []obj // a dashboard's widgets' fields
	createdAt              jsTime
}

// generateTemplate answers POST /template.
func (s *Server) generateTemplate(c *call) reply {
	var b struct {
		Dashboard *string         `json:"dashboard"`
		Analysis  *string         `json:"analysis"`
		Name      *string         `json:"name"`
		ImageLogo *string         `json:"image_logo"`
		ImageMain *string         `json:"image_main"`
		Setup     json.RawMessage `json:"setup"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if strings.TrimSpace(deref(b.Name)) == "" {
		return bad("name", "is required")
	}
	t := &template{id: s.newID(), name: *b.Name, profile: c.profile(), createdAt: jsTime(s.now())}
	if b.ImageLogo != nil {
		t.imageLogo = *b.ImageLogo
	}
	if b.ImageMain != nil {
		t.imageMain = *b.ImageMain
	}
	switch {
	case deref(b.Dashboard) != "" && deref(b.Analysis) == "":
		d, rep, good := dashboardSpec.lookup(c, *b.Dashboard, false)
		if !good {
			return rep
		}
		t.typ, t.source = "dashboard", copyObj(d.fields)
		for _, w := range s.docsLocked(widgetSpec.key, func(w *doc) bool { return w.fields["dashboard"] == d.id }) {
			t.widgets = append(t.widgets, copyObj(w.fields))
		}
	case deref(b.Analysis) != "" && deref(b.Dashboard) == "":
		a, rep, good := analysisSpec.lookup(c, *b.Analysis, false)
		if !good {
			return rep
		}
		t.typ, t.source = "analysis", copyObj(a.fields)
	default:
		return bad("dashboard", "give a dashboard or an analysis")
	}
	s.templates = append(s.templates, t)
	return ok(t.id)
}

// copyObj copies an object one level deep.
func copyObj(f obj) obj {
	out := make(obj, len(f))
	for k, v := range f {
		out[k] = v
	}
	return out
}

// templateLocked finds a template by ID.
func (s *Server) templateLocked(id string) *template {
	for _, t := range s.templates {
		if t.id == id {
			return t
		}
	}
	return nil
}

// templateInfo answers GET /template/{id}.
func (s *Server) templateInfo(c *call) reply {
	t := s.templateLocked(c.arg(0))
	if t == nil {
		return notFound("Template")
	}
	return ok(obj{"name": t.name, "type": t.typ, "image_logo": t.imageLogo, "image_main": t.imageMain,
		"created_at": t.createdAt, "updated_at": t.createdAt})
}

// installTemplate answers POST /template/{id}: a dashboard template becomes a new
// dashboard with copies of its widgets; an analysis template a new analysis.
func (s *Server) installTemplate(c *call) reply {
	t := s.templateLocked(c.arg(0))
	if t == nil {
		return notFound("Template")
	}
	f := copyObj(t.source)
	for _, k := range []string{"id", "created_at", "updated_at", "token", "last_run", "profile"} {
		delete(f, k)
	}
	if t.typ == "dashboard" {
		d := s.insertLocked(dashboardSpec, c.profile(), "", f)
		for _, w := range t.widgets {
			wf := copyObj(w)
			delete(wf, "id")
			wf["dashboard"] = d.id
			s.insertLocked(widgetSpec, c.profile(), "", wf)
		}
		return ok(obj{"dashboard": d.id})
	}
	d, rep := analysisSpec.createLocked(c, nil, pick(f, "name", "description", "interval", "run_on", "runtime", "active", "variables"))
	if d == nil {
		return rep
	}
	return ok(obj{"analysis": d.id})
}

// pick returns the named fields of f that are set.
func pick(f obj, names ...string) obj {
	out := obj{}
	for _, n := range names {
		if v, given := f[n]; given && v != nil {
			out[n] = v
		}
	}
	return out
}
