package tagotest

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// editWidgetResource answers PUT /data/{dashboardID}/{widgetID}/resource: one object or
// an array of {device, name?, active?, "tags.<key>"?, "param.<key>"?}, each changing a
// device of the profile (404 for another): its name, whether it is active, a tag's
// value (added when the device has no tag with that key) and a configuration
// parameter's value (added likewise). Nothing changes when one item is bad. The answer
// is "Successfully Updated"; widget_exec is accepted and ignored (no analyses run).
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
	type change struct {
		d    *device
		item map[string]any
	}
	var changes []change
	for i, it := range items {
		id, _ := it["device"].(string)
		if id == "" {
			return bad(fmt.Sprintf("[%d].device", i), "is required")
		}
		d := s.devices[id]
		if d == nil || d.profile != c.profile() {
			return notFound("Device")
		}
		for k, v := range it {
			field := fmt.Sprintf("[%d].%s", i, k)
			switch {
			case k == "device":
			case k == "name":
				if str, _ := v.(string); strings.TrimSpace(str) == "" {
					return bad(field, "must be a non-empty string")
				}
			case k == "active":
				if _, isBool := v.(bool); !isBool {
					return bad(field, "must be a boolean")
				}
			case strings.HasPrefix(k, "tags.") && len(k) > len("tags."), strings.HasPrefix(k, "param.") && len(k) > len("param."):
				switch v.(type) {
				case string, bool:
				default:
					return bad(field, "must be a string or a boolean")
				}
			default:
				return bad(field, "is not an editable resource")
			}
		}
		changes = append(changes, change{d, it})
	}
	for _, ch := range changes {
		d := ch.d
		keys := make([]string, 0, len(ch.item))
		for k := range ch.item {
			keys = append(keys, k)
		}
		sort.Strings(keys) // new tags and params are added in key order
		for _, k := range keys {
			v := ch.item[k]
			text := fmt.Sprint(v)
			switch {
			case k == "name":
				d.name = text
			case k == "active":
				d.active = v.(bool)
			case strings.HasPrefix(k, "tags."):
				key, found := k[len("tags."):], false
				for i := range d.tags {
					if d.tags[i].Key == key {
						d.tags[i].Value, found = text, true
					}
				}
				if !found {
					d.tags = append(d.tags, Tag{Key: key, Value: text})
				}
			case strings.HasPrefix(k, "param."):
				key, found := k[len("param."):], false
				for _, p := range d.params {
					if p.key == key {
						p.value, found = text, true
					}
				}
				if !found {
					d.params = append(d.params, &param{id: s.newID(), key: key, value: text})
				}
			}
		}
		d.updatedAt = s.now()
	}
	return ok("Successfully Updated")
}
