package tagotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// addDashboardLocked creates a dashboard from fields, filling the platform's defaults.
func (s *Server) addDashboardLocked(prof string, f obj) *doc {
	now := jsTime(s.now())
	id := s.newID()
	out := obj{
		"id": id, "label": "", "type": "dashboard", "tags": []Tag{}, "visible": true,
		"arrangement": []any{}, "tabs": []any{}, "group_by": []any{}, "icon": nil, "background": nil,
		"theme": nil, "setup": nil, "blueprint_devices": []any{}, "blueprint_device_behavior": nil,
		"blueprint_selector_behavior": nil, "shared": []any{}, "last_access": nil,
	}
	for k, v := range f {
		out[k] = v
	}
	out["id"], out["created_at"], out["updated_at"] = id, now, now
	d := &doc{id: id, profile: prof, fields: out, seq: s.nextSeq()}
	s.dashboards[id] = d
	return d
}

func (s *Server) addWidgetLocked(dash *doc, f obj) *doc {
	id := s.newID()
	out := obj{"id": id, "label": "", "type": "", "display": obj{}, "data": []any{}, "resource": []any{},
		"realtime": nil, "analysis_run": nil}
	for k, v := range f {
		out[k] = v
	}
	out["id"], out["dashboard"] = id, dash.id
	w := &doc{id: id, profile: dash.profile, fields: out, seq: s.nextSeq()}
	s.widgets[id] = w
	return w
}

// widgetsOfLocked returns a dashboard's widgets, oldest first.
func (s *Server) widgetsOfLocked(dashID string) []*doc {
	var out []*doc
	for _, w := range s.widgets {
		if w.fields["dashboard"] == dashID {
			out = append(out, w)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func (c *call) ownDashboard(id string) (*doc, reply, bool) {
	d := c.s.dashboards[id]
	if d == nil || d.profile != c.profile() {
		return nil, notFound("Dashboard"), false
	}
	return d, reply{}, true
}

func (c *call) ownWidget(dashID, widgetID string) (*doc, *doc, reply, bool) {
	d, rep, good := c.ownDashboard(dashID)
	if !good {
		return nil, nil, rep, false
	}
	w := c.s.widgets[widgetID]
	if w == nil || w.fields["dashboard"] != d.id {
		return nil, nil, notFound("Widget"), false
	}
	return d, w, reply{}, true
}

// listDashboards answers GET /dashboard (orderBy defaults to label,asc).
func (s *Server) listDashboards(c *call) reply {
	return c.listDocs(s.dashboards, func(d *doc) bool { return d.profile == c.profile() }, "label,asc")
}

// createDashboard answers POST /dashboard with 201 and {dashboard: ID}.
func (s *Server) createDashboard(c *call) reply {
	f, rep, good := c.docFields()
	if !good {
		return rep
	}
	if l, _ := f["label"].(string); strings.TrimSpace(l) == "" {
		return bad("label", "is required")
	}
	if t, ok := f["type"]; ok && t != "dashboard" && t != "blueprint" {
		return bad("type", "must be dashboard or blueprint")
	}
	d := s.addDashboardLocked(c.profile(), f)
	return created(obj{"dashboard": d.id})
}

func (s *Server) dashboardInfo(c *call) reply {
	d, rep, good := c.ownDashboard(c.arg(0))
	if !good {
		return rep
	}
	return ok(docView(d))
}

// editDashboard answers PUT /dashboard/{id}: the given fields replace the stored ones.
func (s *Server) editDashboard(c *call) reply {
	d, rep, good := c.ownDashboard(c.arg(0))
	if !good {
		return rep
	}
	f, rep, good := c.docFields()
	if !good {
		return rep
	}
	if l, ok := f["label"]; ok {
		if ls, _ := l.(string); strings.TrimSpace(ls) == "" {
			return bad("label", "must not be empty")
		}
	}
	for k, v := range f {
		d.fields[k] = v
	}
	d.fields["updated_at"] = jsTime(s.now())
	return ok("Successfully Updated")
}

func (s *Server) deleteDashboard(c *call) reply {
	d, rep, good := c.ownDashboard(c.arg(0))
	if !good {
		return rep
	}
	for _, w := range s.widgetsOfLocked(d.id) {
		delete(s.widgets, w.id)
	}
	delete(s.dashboards, d.id)
	return ok("Successfully Removed")
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

// dashboardAnalyses answers GET /dashboard/{id}/analysis; the fake has no analyses.
func (s *Server) dashboardAnalyses(c *call) reply {
	if _, rep, good := c.ownDashboard(c.arg(0)); !good {
		return rep
	}
	return ok([]obj{})
}

// createWidget answers POST /dashboard/{id}/widget with {widget: ID}. The widget is not
// added to the dashboard's arrangement, as on the platform.
func (s *Server) createWidget(c *call) reply {
	d, rep, good := c.ownDashboard(c.arg(0))
	if !good {
		return rep
	}
	f, rep, good := c.docFields()
	if !good {
		return rep
	}
	if t, _ := f["type"].(string); t == "" {
		return bad("type", "is required")
	}
	delete(f, "dashboard")
	w := s.addWidgetLocked(d, f)
	return ok(obj{"widget": w.id})
}

func (s *Server) widgetInfo(c *call) reply {
	_, w, rep, good := c.ownWidget(c.arg(0), c.arg(1))
	if !good {
		return rep
	}
	return ok(docView(w))
}

func (s *Server) editWidget(c *call) reply {
	_, w, rep, good := c.ownWidget(c.arg(0), c.arg(1))
	if !good {
		return rep
	}
	f, rep, good := c.docFields()
	if !good {
		return rep
	}
	delete(f, "dashboard")
	for k, v := range f {
		w.fields[k] = v
	}
	return ok("Successfully Updated")
}

func (s *Server) deleteWidget(c *call) reply {
	_, w, rep, good := c.ownWidget(c.arg(0), c.arg(1))
	if !good {
		return rep
	}
	delete(s.widgets, w.id)
	return ok("Successfully Removed")
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
		d := s.devices[origin]
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
	return ok(obj{"widget": docView(w), "content": content})
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
		d := c.s.devices[o.Origin]
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
		stored, rep := s.storeLocked(s.devices[id], batches[id])
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
		d := s.devices[devID]
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
