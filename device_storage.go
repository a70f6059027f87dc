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

// DataBackupRequest says where [DevicesService.BackupData], [DevicesService.BackupChunk]
// and [DevicesService.CopyChunk] write a device's data: a CSV file in the profile's
// TagoIO Files.
type DataBackupRequest struct {
	// FileAddress is the file's path in Files, a template that may hold $DEVICE$ (the
	// device ID), $TIMESTAMP$ (whole-device backups), and $CHUNK$, $FROM$ and $TO$
	// (chunk backups: the chunk's ID and its first and last dates), such as
	// "/backups/$DEVICE$/$FROM$_$TO$". The platform adds ".csv".
	FileAddress string `json:"file_address"`
	// Headers asks for a first line naming the columns; nil leaves it to the platform.
	Headers *bool `json:"headers,omitempty"`
}

// check validates the request.
func (r *DataBackupRequest) check() error {
	return checkName("file address", r.FileAddress)
}

// DataBackup is the platform's answer to a backup: where the file will be written and
// the state of the job, which runs in the background.
type DataBackup struct {
	// ChunkID is the chunk backed up; empty for a whole-device backup.
	ChunkID string `json:"chunk_id,omitempty"`
	// FileAddress is the file's path in Files, template expanded, such as
	// "backups/62a2643dcc8dd60012eb4838/2022-07-11_2022-07-17.csv".
	FileAddress string `json:"file_address"`
	// Status is the job's state, "scheduled" when it was queued; empty when the
	// platform did not say.
	Status string `json:"status,omitempty"`
}

// BackupData schedules a backup of every record of a mutable device to a CSV file in
// Files. The file is written in the background: the result says where.
//
// TagoIO API: POST /device/{id}/data/backup
func (s *DevicesService) BackupData(ctx context.Context, id string, req DataBackupRequest) (DataBackup, error) {
	if err := checkID("device ID", id); err != nil {
		return DataBackup{}, err
	}
	if err := req.check(); err != nil {
		return DataBackup{}, err
	}
	return do[DataBackup](ctx, s.cl(), &call{method: "POST", path: "/device/" + escape(id) + "/data/backup", body: req, kinds: accountOnly})
}

// chunkBackupBody is the body of the chunk backup and copy routes.
type chunkBackupBody struct {
	ChunkID string `json:"chunk_id"`
	DataBackupRequest
}

// BackupChunk schedules a backup of one data chunk of an immutable or hybrid device
// (see [DevicesService.Chunks]) to a CSV file in Files, written in the background.
//
// TagoIO API: POST /device/{id}/chunk/backup
func (s *DevicesService) BackupChunk(ctx context.Context, id, chunkID string, req DataBackupRequest) (DataBackup, error) {
	return s.chunkBackup(ctx, "/chunk/backup", id, chunkID, req)
}

// CopyChunk copies one data chunk to a CSV file in Files, as [DevicesService.BackupChunk]
// does, through the platform's older route, which the official SDKs keep for
// compatibility (copyChunk) and deprecate in favour of the backup route.
//
// TagoIO API: POST /device/{id}/chunk/copy
func (s *DevicesService) CopyChunk(ctx context.Context, id, chunkID string, req DataBackupRequest) (DataBackup, error) {
	return s.chunkBackup(ctx, "/chunk/copy", id, chunkID, req)
}

// chunkBackup posts a chunk backup or copy.
func (s *DevicesService) chunkBackup(ctx context.Context, route, id, chunkID string, req DataBackupRequest) (DataBackup, error) {
	if err := checkID("device ID", id); err != nil {
		return DataBackup{}, err
	}
	if err := checkName("chunk ID", chunkID); err != nil {
		return DataBackup{}, err
	}
	if err := req.check(); err != nil {
		return DataBackup{}, err
	}
	return do[DataBackup](ctx, s.cl(), &call{method: "POST", path: "/device/" + escape(id) + route,
		body: chunkBackupBody{ChunkID: chunkID, DataBackupRequest: req}, kinds: accountOnly})
}

// DataRestoreRequest names the CSV file [DevicesService.RestoreData] imports.
type DataRestoreRequest struct {
	// FileAddress is the CSV file's path in Files, such as "/backups/data.csv". The
	// file needs a header line; variable is the one mandatory column, and value, group,
	// unit, location, metadata and time are read when present.
	FileAddress string `json:"file_address"`
}

// RestoreData queues the import of a CSV file from Files into a device, such as a
// file [DevicesService.BackupData] wrote. The import runs in the background; the
// device's payload parser does not run on it. The platform refuses files over
// 200 MB or a million rows, and an import when the profile has fewer than 10,000
// free data records.
//
// TagoIO API: POST /device/{id}/data/restore
func (s *DevicesService) RestoreData(ctx context.Context, id string, req DataRestoreRequest) error {
	if err := checkID("device ID", id); err != nil {
		return err
	}
	if err := checkName("file address", req.FileAddress); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/device/" + escape(id) + "/data/restore", body: req, kinds: accountOnly})
}

// DeviceConvertRequest describes a device's new storage type for
// [DevicesService.Convert]. Converting to immutable (or hybrid) needs ChunkPeriod and
// ChunkRetention, as creating such a device does.
type DeviceConvertRequest struct {
	// Type is the new storage type.
	Type DeviceType `json:"type"`
	// ChunkPeriod is the chunk span of an immutable or hybrid device.
	ChunkPeriod ChunkPeriod `json:"chunk_period,omitempty"`
	// ChunkRetention is how many chunks an immutable or hybrid device keeps, 0 to 36.
	ChunkRetention *int `json:"chunk_retention,omitempty"`
}

// check validates the request.
func (r *DeviceConvertRequest) check() error {
	if err := checkDeviceType("type", r.Type, false); err != nil {
		return err
	}
	if r.Type == DeviceImmutable || r.Type == DeviceHybrid {
		if r.ChunkPeriod == "" {
			return invalidf("chunk period", "is required to convert to %s", r.Type)
		}
		if r.ChunkRetention == nil {
			return invalidf("chunk retention", "is required to convert to %s", r.Type)
		}
	}
	if r.ChunkPeriod != "" {
		if err := checkChunkPeriod(r.ChunkPeriod); err != nil {
			return err
		}
	}
	if r.ChunkRetention != nil && (*r.ChunkRetention < 0 || *r.ChunkRetention > 36) {
		return invalidf("chunk retention", "must be between 0 and 36, got %d", *r.ChunkRetention)
	}
	return nil
}

// Convert changes a device's storage type, such as from mutable to immutable, keeping
// its tokens. The platform converts only a device that is empty (see
// [DevicesService.EmptyData]) and inactive (Active false, see [DevicesService.Edit]).
//
// TagoIO API: POST /device/{id}/convert
func (s *DevicesService) Convert(ctx context.Context, id string, req DeviceConvertRequest) error {
	if err := checkID("device ID", id); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/device/" + escape(id) + "/convert", body: req, kinds: accountOnly})
}
