package tago

import (
	"encoding/json"
	"fmt"
)

// Tag is a key/value label the platform attaches to devices, dashboards and other
// resources.
type Tag struct {
	// Key is the tag's name.
	Key string `json:"key"`
	// Value is the tag's value.
	Value string `json:"value"`
}

// Ptr returns a pointer to v, for filling optional fields in request literals.
func Ptr[T any](v T) *T { return &v }

// resultKey names the key under which a create result carries the new ID.
type resultKey interface{ key() string }

// The keys create results name their IDs under.
type (
	idKey        struct{}
	amIDKey      struct{}
	actionKey    struct{}
	networkKey   struct{}
	connectorKey struct{}
)

func (idKey) key() string        { return "id" }
func (amIDKey) key() string      { return "am_id" }
func (actionKey) key() string    { return "action" }
func (networkKey) key() string   { return "network" }
func (connectorKey) key() string { return "connector" }

// createdID is the answer to a create: {"<key>": ID}, {"id": ID}, or a bare ID. An
// answer that names no ID fails to decode: the platform carried the create out, so the
// error says what it answered.
type createdID[K resultKey] string

// UnmarshalJSON reads the ID.
func (c *createdID[K]) UnmarshalJSON(b []byte) error {
	var k K
	var s string
	if json.Unmarshal(b, &s) != nil {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		for _, name := range []string{k.key(), "id"} {
			if v, found := m[name]; found {
				if err := json.Unmarshal(v, &s); err != nil {
					return fmt.Errorf("%q is not an ID: %w", name, err)
				}
				if s != "" {
					break
				}
			}
		}
	}
	if s == "" {
		return fmt.Errorf("the result names no %q ID", k.key())
	}
	*c = createdID[K](s)
	return nil
}
