package tago

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// RemoveDropdownValues takes options out of the stored answers of a dashboard input
// form's multiple-choice dropdown, as the official SDK's updateMultipleDropdown does
// when an option no longer exists. Such an answer is a record of the field's variable
// whose value holds the chosen options joined by ";" and whose metadata.sentValues
// lists them as {value, label}. In every record of variables whose sentValues holds
// one of values, those options leave sentValues, and their values and labels leave the
// record's value; other records are left alone.
//
// The records are edited in place by ID (the official SDK deletes and sends them
// again, which loses an answer when the second call fails), so the device must accept
// edits: mutable, or hybrid for variables its mutable regex matches. Records are read
// with [DataService.Stream] and edited with [DataService.Edit], whose batching and
// error reports apply; it returns how many records were changed.
//
// TagoIO API: GET /data, then PUT /data (device token); GET, then PUT /device/{id}/data
// (account token)
func (s *DataService) RemoveDropdownValues(ctx context.Context, variables []string, values ...string) (int, error) {
	if _, _, err := s.dataTarget(); err != nil {
		return 0, err
	}
	if len(variables) == 0 {
		return 0, invalidf("variables", "must not be empty")
	}
	if len(values) == 0 {
		return 0, invalidf("values", "must not be empty")
	}
	for i, v := range values {
		if v == "" {
			return 0, invalidf(fmt.Sprintf("values[%d]", i), "must not be empty")
		}
	}
	var edits []DataEdit
	for d, err := range s.Stream(ctx, &DataQuery{Variables: variables}) {
		if err != nil {
			return 0, err
		}
		if e, ok := dropdownEdit(d, values); ok {
			edits = append(edits, e)
		}
	}
	if len(edits) == 0 {
		return 0, nil
	}
	return s.Edit(ctx, edits...)
}

// dropdownEdit returns the edit that takes values out of the dropdown answer d, and
// whether d holds one of them.
func dropdownEdit(d Data, values []string) (DataEdit, bool) {
	sent, ok := d.Metadata["sentValues"].([]any)
	if !ok || d.ID == "" {
		return DataEdit{}, false
	}
	gone := map[string]bool{}
	kept := make([]any, 0, len(sent))
	for _, o := range sent {
		opt, _ := o.(map[string]any)
		v, _ := opt["value"].(string)
		if opt == nil || !slices.Contains(values, v) {
			kept = append(kept, o)
			continue
		}
		gone[v] = true
		if label, _ := opt["label"].(string); label != "" {
			gone[label] = true
		}
	}
	if len(gone) == 0 {
		return DataEdit{}, false
	}
	md := maps.Clone(d.Metadata)
	md["sentValues"] = kept
	e := DataEdit{ID: d.ID, Metadata: md}
	if text, ok := d.Text(); ok {
		chosen := strings.Split(text, ";")
		chosen = slices.DeleteFunc(chosen, func(c string) bool { return gone[c] || slices.Contains(values, c) })
		e.Value = strings.Join(chosen, ";")
	}
	return e, true
}
