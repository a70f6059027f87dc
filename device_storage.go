package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// DeviceChunk is one time chunk of an immutable or hybrid device's data.
type DeviceChunk struct {
	// ID names the chunk, such as "1657497600_1658102399".
	ID string `json:"id"`
	// From is the chunk's first instant.
	From time.Time `json:"from"`
	// To is the chunk's last instant.
	To time.Time `json:"to"`
	// Amount is how many records the chunk holds; nil when the platform does not know.
	Amount *int64 `json:"amount"`
}

// UnmarshalJSON accepts the chunk's dates as RFC 3339 timestamps, with or without a
// zone, or as plain dates.
func (c *DeviceChunk) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID     string   `json:"id"`
		From   string   `json:"from"`
		To     string   `json:"to"`
		Amount *float64 `json:"amount"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = DeviceChunk{ID: raw.ID}
	var ok bool
	if c.From, ok = parseTime(raw.From); !ok && raw.From != "" {
		return fmt.Errorf("chunk %q: unreadable from date %q", raw.ID, raw.From)
	}
	if c.To, ok = parseTime(raw.To); !ok && raw.To != "" {
		return fmt.Errorf("chunk %q: unreadable to date %q", raw.ID, raw.To)
	}
	if raw.Amount != nil {
		n := int64(*raw.Amount)
		c.Amount = &n
	}
	return nil
}

// Chunks lists the data chunks of an immutable or hybrid device.
//
// TagoIO API: GET /device/{id}/chunk
func (s *DevicesService) Chunks(ctx context.Context, id string) ([]DeviceChunk, error) {
	if err := checkID("device ID", id); err != nil {
		return nil, err
	}
	return do[[]DeviceChunk](ctx, s.cl(), &call{method: "GET", path: "/device/" + escape(id) + "/chunk", kinds: accountOnly})
}

// DeleteChunk deletes one data chunk of an immutable or hybrid device.
//
// TagoIO API: DELETE /device/{id}/chunk/{chunkID}
func (s *DevicesService) DeleteChunk(ctx context.Context, id, chunkID string) error {
	if err := checkID("device ID", id); err != nil {
		return err
	}
	if err := checkName("chunk ID", chunkID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/device/" + escape(id) + "/chunk/" + escape(chunkID), kinds: accountOnly})
}
