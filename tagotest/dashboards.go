package tagotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Dashboards and their widgets are collections; a widget lives under its dashboard
// (/dashboard/{id}/widget/{wid}) and goes with it.
var (
	dashboardSpec = register(&spec{
		key: "dashboard", noun: "Dashboard", path: "/dashboard", kinds: accountOnly, tagType: "dashboard",
		order: "label,asc", required: []string{"label"}, created: http.StatusCreated,
		fields:   map[string]ftype{"label": fString, "type": fString, "visible": fBool},
		defaults: func(*call) obj { return dashboardDefaults() },
		validate: func(c *call, f obj, _ *doc) (reply, bool) {
			if t, given := f["type"]; given && t != "dashboard" && t != "blueprint" {
				return bad("type", "must be dashboard or blueprint"), false
			}
			return reply{}, true
		},
		result: func(c *call, d *doc) any { return obj{"dashboard": d.id} },
	})
	widgetSpec = register(&spec{
		key: "widget", noun: "Widget", path: "/dashboard/:parent/widget", kinds: accountOnly,
		ops: opInfo | opCreate | opEdit | opDelete, parent: "dashboard", parentField: "dashboard", noTimes: true,
		required: []string{"type"}, fields: map[string]ftype{"label": fString, "type": fString, "data": fArray},
		defaults: func(*call) obj {
			return obj{"label": "", "display": obj{}, "data": []any{}, "resource": []any{}, "realtime": nil, "analysis_run": nil}
		},
		result: func(c *call, d *doc) any { return obj{"widget": d.id} },
	})
)

func dashboardDefaults() obj {
	return obj{
		"label": "", "type": "dashboard", "tags": []Tag{}, "visible": true,
		"arrangement": []any{}, "tabs": []any{}, "group_by": []any{}, "icon": nil, "background": nil,
		"theme": nil, "setup": nil, "blueprint_devices": []any{}, "blueprint_device_behavior": nil,
		"blueprint_selector_behavior": nil, "shared": []any{}, "last_access": nil,
	}
}

// addDashboardLocked stores a dashboard of fields f over the platform's defaults.
func (s *Server) addDashboardLocked(prof string, f obj) *doc {
	all := dashboardDefaults()
	for k, v := range f {
		all[k] = v
	}
	return s.insertLocked(dashboardSpec, prof, "", all)
}

func (s *Server) addWidgetLocked(dash *doc, f obj) *doc {
	all := widgetSpec.defaults(nil)
	for k, v := range f {
		all[k] = v
	}
	all["dashboard"] = dash.id
	return s.insertLocked(widgetSpec, dash.profile, "", all)
}

// widgetsOfLocked returns a dashboard's widgets, oldest first.
func (s *Server) widgetsOfLocked(dashID string) []*doc {
	return s.docsLocked("widget", func(w *doc) bool { return w.fields["dashboard"] == dashID })
}

func (c *call) ownDashboard(id string) (*doc, reply, bool) {
	return dashboardSpec.lookup(c, id, true)
}

// ownWidget returns the widget of a widget route (/.../{dashboardID}/{widgetID}).
func (c *call) ownWidget(dashID, widgetID string) (*doc, *doc, reply, bool) {
	d, rep, good := c.ownDashboard(dashID)
	if !good {
		return nil, nil, rep, false
	}
	w := c.s.table("widget")[widgetID]
	if w == nil || w.fields["dashboard"] != d.id {
		return nil, nil, notFound("Widget"), false
	}
	return d, w, reply{}, true
}

// duplicateDashboard answers POST /dashboard/{id}/duplicate with 201 and
// {dashboard_id, message: "Copy sent"}; the copy has copies of the widgets, and its
// arrangement points at them.
func (s *Server) duplicateDashboard(c *call) reply {
	d, rep, good := c.ownDashboard(c.arg(0))
	if !good {
		return rep
	}
	var b struct {
		NewLabel *string `json:"new_label"`
		Setup    any     `json:"setup"`
	}
	if len(bytes.TrimSpace(c.body)) > 0 {
		if rep, good := c.decodeBody(&b); !good {
			return rep
		}
	}
	f := deepCopy(d.fields)
	label, _ := f["label"].(string)
	f["label"] = label + " (copy)"
	if b.NewLabel != nil && *b.NewLabel != "" {
		f["label"] = *b.NewLabel
	}
	if b.Setup != nil {
		f["setup"] = b.Setup
	}
	f["tags"] = d.fields["tags"]
	nd := s.addDashboardLocked(d.profile, f)
	idMap := map[string]string{}
	for _, w := range s.widgetsOfLocked(d.id) {
		nw := s.addWidgetLocked(nd, deepCopy(w.fields))
		idMap[w.id] = nw.id
	}
	if arr, ok := nd.fields["arrangement"].([]any); ok {
		for _, a := range arr {
			if m, ok := a.(map[string]any); ok {
				if wid, ok := m["widget_id"].(string); ok && idMap[wid] != "" {
					m["widget_id"] = idMap[wid]
				}
			}
		}
	}
	return created(obj{"dashboard_id": nd.id, "message": "Copy sent"})
}

// deepCopy copies a JSON-like object through JSON, keeping tags and dates typed.
func deepCopy(f obj) obj {
	out := obj{}
	for k, v := range f {
		switch x := v.(type) {
		case []Tag:
			out[k] = append([]Tag{}, x...)
		case jsTime:
			out[k] = x
		default:
			b, _ := json.Marshal(v)
			var cp any
			_ = json.Unmarshal(b, &cp)
			out[k] = cp
		}
	}
	return out
}

// dashboardPublicKey answers GET /dashboard/{id}/share/public[?expire_time=...] with
// {token, expire_time}.
func (s *Server) dashboardPublicKey(c *call) reply {
	if _, rep, good := c.ownDashboard(c.arg(0)); !good {
		return rep
	}
	exp, err := parseExpire(c.q.str("expire_time"), s.now())
	if err != nil {
		return fail(http.StatusBadRequest, "expire_time: %v", err)
	}
	return ok(obj{"token": s.newToken(), "expire_time": expireOut(exp)})
}

// widgetOrigins returns the device IDs a widget's data entries name.
func widgetOrigins(w *doc) []string {
	var out []string
	data, _ := w.fields["data"].([]any)
	for _, e := range data {
		if m, ok := e.(map[string]any); ok {
			if o, ok := m["origin"].(string); ok && o != "" {
				out = append(out, o)
			}
		}
	}
	return out
}

// dashboardDevices answers GET /dashboard/{id}/devices: the devices its widgets show,
// as [{id, bucket}].
func (s *Server) dashboardDevices(c *call) reply {
	d, rep, good := c.ownDashboard(c.arg(0))
	if !good {
		return rep
	}
	seen := map[string]bool{}
	out := []obj{}
	for _, w := range s.widgetsOfLocked(d.id) {
		for _, o := range widgetOrigins(w) {
			if !seen[o] {
				seen[o] = true
				out = append(out, obj{"id": o, "bucket": o})
			}
		}
	}
	return ok(out)
}

// widgetToken answers GET /dashboard/{id}/widget/{wid}/token with {widget_token}.
func (s *Server) widgetToken(c *call) reply {
	if _, _, rep, good := c.ownWidget(c.arg(0), c.arg(1)); !good {
		return rep
	}
	return ok(obj{"widget_token": s.newToken()})
}

// getWidgetData answers GET /data/{dashboardID}/{widgetID} with {widget, content}: one
// content item per data entry of the widget, {data: <the entry>, result: <what GET
// /data with the entry's variables, qty, query, start_date and end_date returns for its
// device>}. overwrite[start_date] and overwrite[end_date] replace the entries' dates.
// blueprint_devices[i][origin|id|bucket] fill blueprint slots: an entry whose origin is
// a slot reads the slot's device, or its bucket when one is given (a bucket is a
// device's storage, so its ID is a device ID).
func (s *Server) getWidgetData(c *call) reply {
	_, w, rep, good := c.ownWidget(c.arg(0), c.arg(1))
	if !good {
		return rep
	}
	now := s.now()
	var start, end string
	if ov := c.q.get("overwrite"); ov != nil {
		start, end = ov.str("start_date"), ov.str("end_date")
	}
	slots := map[string]string{}
	for _, bd := range c.q.objects("blueprint_devices") {
		id := bd.str("id")
		if b := bd.str("bucket"); b != "" {
			id = b
		}
		slots[bd.str("origin")] = id
	}
	content := []obj{}
	data, _ := w.fields["data"].([]any)
	for _, e := range data {
		m, _ := e.(map[string]any)
		origin, _ := m["origin"].(string)
		if id, ok := slots[origin]; ok {
			origin = id
		}
		d := s.device(origin)
		if d == nil || d.profile != c.profile() {
			continue
		}
		start, end := start, end
		if start == "" {
			start, _ = m["start_date"].(string)
		}
		if end == "" {
			end, _ = m["end_date"].(string)
		}
		q := dataQuery{qty: defaultQty}
		if vs, ok := m["variables"].([]any); ok {
			for _, v := range vs {
				if str, ok := v.(string); ok {
					q.variables = append(q.variables, strings.ToLower(str))
				}
			}
		}
		if n, ok := m["qty"].(float64); ok && n >= 1 {
			q.qty = min(int(n), maxQty)
		}
		if mode, ok := m["query"].(string); ok && dataModes[mode] && mode != "aggregate" && mode != "conditional" {
			q.mode = mode
		}
		if start != "" {
			t, err := parseDate(start, now, false)
			if err != nil {
				return fail(http.StatusBadRequest, "overwrite[start_date]: %v", err)
			}
			q.start, q.hasStart = t, true
		}
		if end != "" {
			t, err := parseDate(end, now, false)
			if err != nil {
				return fail(http.StatusBadRequest, "overwrite[end_date]: %v", err)
			}
			q.end, q.hasEnd = t, true
		}
		if q.hasStart && !q.hasEnd {
			q.end, q.hasEnd = now, true
		}
		if (q.mode == "avg" || q.mode == "sum") && !q.hasStart {
			q.mode = ""
		}
		content = append(content, obj{"data": m, "result": q.run(d)})
	}
	return ok(obj{"widget": widgetSpec.render(c, w), "content": content})
}

// widgetPoints decodes points sent through a widget; each names its device in origin.
func (c *call) widgetPoints() (map[string][]json.RawMessage, []string, reply, bool) {
	var raws []json.RawMessage
	t := bytes.TrimSpace(c.body)
	if len(t) > 0 && t[0] == '{' {
		raws = []json.RawMessage{t}
	} else if rep, good := c.decodeBody(&raws); !good {
		return nil, nil, rep, false
	}
	byOrigin := map[string][]json.RawMessage{}
	var order []string
	for i, r := range raws {
		var o struct {
			Origin string `json:"origin"`
			Device string `json:"device"`
		}
		_ = json.Unmarshal(r, &o)
		if o.Origin == "" {
			o.Origin = o.Device
		}
		if o.Origin == "" {
			return nil, nil, bad(fmt.Sprintf("[%d].origin", i), "is required"), false
		}
		d := c.s.device(o.Origin)
		if d == nil || d.profile != c.profile() {
			return nil, nil, notFound("Device"), false
		}
		if _, seen := byOrigin[o.Origin]; !seen {
			order = append(order, o.Origin)
		}
		byOrigin[o.Origin] = append(byOrigin[o.Origin], r)
	}
	return byOrigin, order, reply{}, true
}

// sendWidgetData answers POST /data/{dashboardID}/{widgetID}: points with an origin
// (device ID) are stored on that device. The result is {"message": "N Data Added"}.
// With bypass_bucket=true the points are checked and not stored (the fake runs no
// analyses to hand them to): {"message": "0 Data Added"}.
func (s *Server) sendWidgetData(c *call) reply {
	if _, _, rep, good := c.ownWidget(c.arg(0), c.arg(1)); !good {
		return rep
	}
	byOrigin, order, rep, good := c.widgetPoints()
	if !good {
		return rep
	}
	now := s.now()
	batches := map[string][]dataIn{}
	for _, id := range order {
		body, _ := json.Marshal(byOrigin[id])
		in, rep, good := decodeDataPoints(body, now)
		if !good {
			return rep
		}
		batches[id] = in
	}
	if c.q.str("bypass_bucket") == "true" {
		return ok(obj{"message": "0 Data Added"})
	}
	n := 0
	for _, id := range order {
		stored, rep := s.storeLocked(s.device(id), batches[id])
		if stored == nil {
			return rep
		}
		n += len(stored)
	}
	return ok(obj{"message": fmt.Sprintf("%d Data Added", n)})
}

// editWidgetData answers PUT /data/{dashboardID}/{widgetID}/data: points with an id and
// an origin are edited on that device. The result is {"message": "N item(s) updated"}.
func (s *Server) editWidgetData(c *call) reply {
	if _, _, rep, good := c.ownWidget(c.arg(0), c.arg(1)); !good {
		return rep
	}
	byOrigin, order, rep, good := c.widgetPoints()
	if !good {
		return rep
	}
	n := 0
	for _, id := range order {
		body, _ := json.Marshal(byOrigin[id])
		sub := &call{s: s, r: c.r, body: body, q: c.q, tok: c.tok, args: []string{id}}
		rep := s.editData(sub)
		if rep.status != http.StatusOK {
			return rep
		}
		var k int
		_, _ = fmt.Sscanf(rep.result.(string), "%d", &k)
		n += k
	}
	return ok(obj{"message": fmt.Sprintf("%d item(s) updated", n)})
}

// deleteWidgetData answers DELETE /data/{dashboardID}/{widgetID}?ids[]=<dataID>:<deviceID>.
func (s *Server) deleteWidgetData(c *call) reply {
	if _, _, rep, good := c.ownWidget(c.arg(0), c.arg(1)); !good {
		return rep
	}
	gone := map[string]map[string]bool{}
	for _, pair := range c.q.strs("ids") {
		dataID, devID, found := strings.Cut(pair, ":")
		if !found {
			return fail(http.StatusBadRequest, "ids must be <dataID>:<deviceID>, got %q", pair)
		}
		if gone[devID] == nil {
			gone[devID] = map[string]bool{}
		}
		gone[devID][dataID] = true
	}
	n := 0
	for devID, ids := range gone {
		d := s.device(devID)
		if d == nil || d.profile != c.profile() {
			continue
		}
		rm := map[*record]bool{}
		for _, r := range d.data {
			if ids[r.id] && d.mutable(r.variable) {
				rm[r] = true
			}
		}
		s.removeRecords(d, rm)
		n += len(rm)
	}
	return ok(fmt.Sprintf("%d Data Removed", n))
}

// editWidgetResource answers PUT /data/{dashboardID}/{widgetID}/resource: one object or
// an array of {device, name?, active?, "tags.<key>"?, "param.<key>"?}, each changing a
// device of the profile (404 for another): its name, whether it is active, a tag's
// value (added when the device has no tag with that key) and a configuration
// parameter's value (added likewise). Each device's changes are one device edit,
// checked as PUT /device/{id} checks it; nothing changes when one item is bad. The
// answer is "Successfully Updated"; widget_exec is accepted and ignored (no analyses
// run).
func (s *Server) editWidgetResource(c *call) reply {
	if _, _, rep, good := c.ownWidget(c.arg(0), c.arg(1)); !good {
		return rep
	}
	var items []map[string]any
	if t := bytes.TrimSpace(c.body); len(t) > 0 && t[0] == '{' {
		var one map[string]any
		if rep, good := c.decodeBody(&one); !good {
			return rep
		}
		items = []map[string]any{one}
	} else if rep, good := c.decodeBody(&items); !good {
		return rep
	}
	// One edit body per device, in the order the devices first appear.
	type edit struct {
		d      *doc
		f      obj
		tags   []Tag
		params map[string]obj // configuration_params items by key
		keys   []string       // params' keys in the order they were added
	}
	var edits []*edit
	byDevice := map[string]*edit{}
	for i, it := range items {
		id, _ := it["device"].(string)
		if id == "" {
			return bad(fmt.Sprintf("[%d].device", i), "is required")
		}
		e := byDevice[id]
		if e == nil {
			d, rep, good := deviceSpec.lookup(c, id, true)
			if !good {
				return rep
			}
			tags, _ := d.fields["tags"].([]Tag)
			e = &edit{d: d, f: obj{}, tags: append([]Tag{}, tags...), params: map[string]obj{}}
			byDevice[id] = e
			edits = append(edits, e)
		}
		keys := make([]string, 0, len(it))
		for k := range it {
			keys = append(keys, k)
		}
		sort.Strings(keys) // new tags and params are added in key order
		for _, k := range keys {
			v, field := it[k], fmt.Sprintf("[%d].%s", i, k)
			tag, isTag := strings.CutPrefix(k, "tags.")
			par, isParam := strings.CutPrefix(k, "param.")
			switch {
			case k == "device":
			case k == "name":
				if str, _ := v.(string); strings.TrimSpace(str) == "" {
					return bad(field, "must be a non-empty string")
				}
				e.f["name"] = v
			case k == "active":
				if _, isBool := v.(bool); !isBool {
					return bad(field, "must be a boolean")
				}
				e.f["active"] = v
			case (isTag && tag != "") || (isParam && par != ""):
				switch v.(type) {
				case string, bool:
				default:
					return bad(field, "must be a string or a boolean")
				}
				text := fmt.Sprint(v)
				if isTag {
					e.tags = setTag(e.tags, tag, text)
					e.f["tags"] = e.tags
					continue
				}
				p := e.params[par]
				if p == nil {
					p = obj{"key": par}
					if old := e.d.ext.(*device).paramByKey(par); old != nil {
						p = obj{"id": old.id}
					}
					e.params[par] = p
					e.keys = append(e.keys, par)
				}
				p["value"] = text
			default:
				return bad(field, "is not an editable resource")
			}
		}
	}
	subs := make([]*call, len(edits))
	for i, e := range edits {
		if len(e.keys) > 0 {
			ps := make([]any, len(e.keys))
			for j, k := range e.keys {
				ps[j] = map[string]any(e.params[k])
			}
			e.f["configuration_params"] = ps
		}
		// Each edit is a call of its own: the device's checks carry what they parsed
		// to its edit in the call.
		subs[i] = &call{s: s, r: c.r, q: c.q, tok: c.tok, args: []string{e.d.id}}
		if rep, good := deviceSpec.checkEdit(subs[i], e.d, e.f); !good {
			return rep
		}
	}
	for i, e := range edits {
		deviceSpec.applyEdit(subs[i], e.d, e.f)
	}
	return ok("Successfully Updated")
}

// setTag sets the value of the tag with key, adding the tag when there is none.
func setTag(tags []Tag, key, value string) []Tag {
	found := false
	for i := range tags {
		if tags[i].Key == key {
			tags[i].Value, found = value, true
		}
	}
	if !found {
		tags = append(tags, Tag{Key: key, Value: value})
	}
	return tags
}

// paramByKey returns the device's first configuration parameter with key, or nil.
func (d *device) paramByKey(key string) *param {
	for _, p := range d.params {
		if p.key == key {
			return p
		}
	}
	return nil
}
