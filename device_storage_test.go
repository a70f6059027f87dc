package tago

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeviceChunkTimesAreInstants(t *testing.T) {
	t.Parallel()
	var c DeviceChunk
	require.NoError(t, json.Unmarshal([]byte(`{"id":"a","from":"2022-07-11T00:00:00.000+00:00","to":"2022-07-11T02:00:00+02:00"}`), &c))
	assert.True(t, c.From.Equal(time.Date(2022, 7, 11, 0, 0, 0, 0, time.UTC)))
	assert.True(t, c.To.Equal(c.From))
	assert.Nil(t, c.Amount)
	require.Error(t, json.Unmarshal([]byte(`{"id":"a","from":"yesterday"}`), &c))
}

func TestDeviceStorageOperations(t *testing.T) {
	t.Parallel()
	const chunk = "1657497600_1658102399"
	dev := "/device/" + resDeviceID
	accountOps(t, []opCase{
		{
			name: "back up every record", method: "POST", path: dev + "/data/backup",
			body:   `{"file_address":"/backups/$DEVICE$/$TIMESTAMP$","headers":true}`,
			result: `{"file_address":"backups/` + resDeviceID + `/1732039901282.csv","status":"scheduled"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.BackupData(ctx, resDeviceID, DataBackupRequest{FileAddress: "/backups/$DEVICE$/$TIMESTAMP$", Headers: Ptr(true)})
			},
			want: DataBackup{FileAddress: "backups/" + resDeviceID + "/1732039901282.csv", Status: "scheduled"},
		},
		{
			name: "back up every record, platform's headers", method: "POST", path: dev + "/data/backup",
			body:   `{"file_address":"/b"}`,
			result: `{"file_address":"b.csv"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.BackupData(ctx, resDeviceID, DataBackupRequest{FileAddress: "/b"})
			},
			want: DataBackup{FileAddress: "b.csv"},
		},
		{
			name: "back up a chunk", method: "POST", path: dev + "/chunk/backup",
			body:   `{"chunk_id":"` + chunk + `","file_address":"/device/$DEVICE$/$FROM$_$TO$","headers":false}`,
			result: `{"chunk_id":"` + chunk + `","file_address":"device/` + resDeviceID + `/2022-07-11_2022-07-17.csv","status":"scheduled"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.BackupChunk(ctx, resDeviceID, chunk, DataBackupRequest{FileAddress: "/device/$DEVICE$/$FROM$_$TO$", Headers: Ptr(false)})
			},
			want: DataBackup{ChunkID: chunk, FileAddress: "device/" + resDeviceID + "/2022-07-11_2022-07-17.csv", Status: "scheduled"},
		},
		{
			name: "copy a chunk", method: "POST", path: dev + "/chunk/copy",
			body:   `{"chunk_id":"` + chunk + `","file_address":"/copies/$CHUNK$","headers":true}`,
			result: `{"chunk_id":"` + chunk + `","file_address":"copies/` + chunk + `.csv","status":"scheduled"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.CopyChunk(ctx, resDeviceID, chunk, DataBackupRequest{FileAddress: "/copies/$CHUNK$", Headers: Ptr(true)})
			},
			want: DataBackup{ChunkID: chunk, FileAddress: "copies/" + chunk + ".csv", Status: "scheduled"},
		},
		{
			name: "restore", method: "POST", path: dev + "/data/restore",
			body:   `{"file_address":"/July_data/31072024_data.csv"}`,
			result: `"Data import added to the queue successfully!"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Devices.RestoreData(ctx, resDeviceID, DataRestoreRequest{FileAddress: "/July_data/31072024_data.csv"}))
			},
		},
		{
			name: "convert to immutable", method: "POST", path: dev + "/convert",
			body:   `{"type":"immutable","chunk_period":"quarter","chunk_retention":4}`,
			result: `"Device type/chunk was converted"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Devices.Convert(ctx, resDeviceID, DeviceConvertRequest{Type: DeviceImmutable, ChunkPeriod: ChunkQuarter, ChunkRetention: Ptr(4)}))
			},
		},
		{
			name: "convert to mutable", method: "POST", path: dev + "/convert",
			body: `{"type":"mutable"}`, result: `"Device type/chunk was converted"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Devices.Convert(ctx, resDeviceID, DeviceConvertRequest{Type: DeviceMutable}))
			},
		},
	})
}

func TestDeviceStorageBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	backup := DataBackupRequest{FileAddress: "/b"}
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"back up a bad device", "device ID", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.BackupData(ctx, "x", backup)
			return err
		}},
		{"back up to no file", "file address", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.BackupData(ctx, resDeviceID, DataBackupRequest{FileAddress: " "})
			return err
		}},
		{"back up no chunk", "chunk ID", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.BackupChunk(ctx, resDeviceID, "", backup)
			return err
		}},
		{"back up a chunk to no file", "file address", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.BackupChunk(ctx, resDeviceID, "1_2", DataBackupRequest{})
			return err
		}},
		{"copy a chunk of a bad device", "device ID", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.CopyChunk(ctx, "../x", "1_2", backup)
			return err
		}},
		{"restore into a bad device", "device ID", func(ctx context.Context, c *Client) error {
			return c.Devices.RestoreData(ctx, "x", DataRestoreRequest{FileAddress: "/a.csv"})
		}},
		{"restore no file", "file address", func(ctx context.Context, c *Client) error {
			return c.Devices.RestoreData(ctx, resDeviceID, DataRestoreRequest{})
		}},
		{"convert a bad device", "device ID", func(ctx context.Context, c *Client) error {
			return c.Devices.Convert(ctx, "x", DeviceConvertRequest{Type: DeviceMutable})
		}},
		{"convert to no type", "type", func(ctx context.Context, c *Client) error {
			return c.Devices.Convert(ctx, resDeviceID, DeviceConvertRequest{})
		}},
		{"convert to an unknown type", "type", func(ctx context.Context, c *Client) error {
			return c.Devices.Convert(ctx, resDeviceID, DeviceConvertRequest{Type: "solid"})
		}},
		{"convert to immutable without a period", "chunk period", func(ctx context.Context, c *Client) error {
			return c.Devices.Convert(ctx, resDeviceID, DeviceConvertRequest{Type: DeviceImmutable, ChunkRetention: Ptr(1)})
		}},
		{"convert to immutable without a retention", "chunk retention", func(ctx context.Context, c *Client) error {
			return c.Devices.Convert(ctx, resDeviceID, DeviceConvertRequest{Type: DeviceImmutable, ChunkPeriod: ChunkDay})
		}},
		{"convert with a bad period", "chunk period", func(ctx context.Context, c *Client) error {
			return c.Devices.Convert(ctx, resDeviceID, DeviceConvertRequest{Type: DeviceImmutable, ChunkPeriod: "year", ChunkRetention: Ptr(1)})
		}},
		{"convert with a retention over 36", "chunk retention", func(ctx context.Context, c *Client) error {
			return c.Devices.Convert(ctx, resDeviceID, DeviceConvertRequest{Type: DeviceMutable, ChunkRetention: Ptr(40)})
		}},
	})
}
