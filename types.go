package tago

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
