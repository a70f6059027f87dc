package tagotest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Device edits through a widget are device edits: several items on one device add
// up, a parameter with the key keeps its ID, and one bad item changes nothing.
func TestWidgetResourceEdit(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	a := srv.AddDevice(DeviceSpec{Name: "A", Tags: []Tag{{"site", "north"}}})
	b := srv.AddDevice(DeviceSpec{Name: "B"})
	interval := srv.AddParams(a.ID, Param{Key: "interval", Value: "30"})[0]
	dash := srv.AddDashboard(DashboardSpec{Label: "Tanks"})
	w := srv.AddWidget(dash.ID, WidgetSpec{Label: "Devices", Type: "device_list"})
	path := "/data/" + dash.ID + "/" + w.ID + "/resource"

	clock.t = t0.Add(time.Hour)
	r := asAccount(t, srv, "PUT", path, []map[string]any{
		{"device": a.ID, "tags.site": "south"},
		{"device": a.ID, "param.interval": "60", "param.mode": true, "tags.zone": "2"},
		{"device": b.ID, "name": "B2", "active": false},
	})
	assert.Equal(t, "Successfully Updated", r.str(t))
	gotA, _ := srv.Device(a.ID)
	assert.Equal(t, []Tag{{"site", "south"}, {"zone", "2"}}, gotA.Tags)
	assert.Equal(t, t0.Add(time.Hour), gotA.UpdatedAt)
	assert.Equal(t, []Param{{ID: interval.ID, Key: "interval", Value: "60"}, {ID: srv.Params(a.ID)[1].ID, Key: "mode", Value: "true"}}, srv.Params(a.ID))
	gotB, _ := srv.Device(b.ID)
	assert.Equal(t, "B2", gotB.Name)
	assert.False(t, gotB.Active)

	r = asAccount(t, srv, "PUT", path, []map[string]any{{"device": a.ID, "name": "A2"}, {"device": b.ID, "color": "red"}})
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.Equal(t, map[string][]string{"[1].color": {"is not an editable resource"}}, r.env.FieldErrors)
	r = asAccount(t, srv, "PUT", path, []map[string]any{{"device": a.ID, "name": "A2"}, {"device": b.ID, "tags.x": 1}})
	assert.Equal(t, map[string][]string{"[1].tags.x": {"must be a string or a boolean"}}, r.env.FieldErrors)
	r = asAccount(t, srv, "PUT", path, []map[string]any{{"device": a.ID, "name": "A2"}, {"device": "ffffffffffffffffffffffff", "name": "x"}})
	assert.Equal(t, http.StatusNotFound, r.code)
	r = asAccount(t, srv, "PUT", path, map[string]any{"name": "x"})
	assert.Equal(t, map[string][]string{"[0].device": {"is required"}}, r.env.FieldErrors)
	gotA, _ = srv.Device(a.ID)
	assert.Equal(t, "A", gotA.Name, "a refused edit changes nothing")

	r = asAccount(t, srv, "PUT", path, map[string]any{"device": a.ID, "name": "A (north)"})
	assert.Equal(t, "Successfully Updated", r.str(t), "one object is one item")
	gotA, _ = srv.Device(a.ID)
	assert.Equal(t, "A (north)", gotA.Name)
}

// Profile backups: a collection under the profile, no body on create, one a day
// (deleted ones count), and the account's password for download and delete.
func TestProfileBackups(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	prof := srv.ProfileID()
	base := "/profile/" + prof + "/backup"

	r := asAccount(t, srv, "POST", base, map[string]any{"note": "x"})
	assert.Equal(t, map[string][]string{"note": {"is not allowed"}}, r.env.FieldErrors)
	var made struct {
		Profile  string `json:"profile"`
		BackupID string `json:"backup_id"`
	}
	asAccount(t, srv, "POST", base, nil).decode(t, &made)
	assert.Equal(t, prof, made.Profile)
	require.Regexp(t, hexID, made.BackupID)
	r = asAccount(t, srv, "POST", "/profile/current/backup", nil)
	assert.Equal(t, http.StatusForbidden, r.code, "one a day")

	r = asAccount(t, srv, "GET", base, nil)
	assert.JSONEq(t, `{"status":true,"result":[{"id":"`+made.BackupID+`","profile":"`+prof+`",
		"file_path":"profile/`+prof+`/versioning/backup/backup-`+made.BackupID+`.zip","version_id":"`+made.BackupID[12:]+`",
		"file_size":0,"status":"completed","error_message":null,"created_at":"2025-03-10T12:00:00.000Z"}]}`, string(r.body))

	dl := base + "/" + made.BackupID + "/download"
	r = asAccount(t, srv, "POST", dl, map[string]any{"password": "wrong"})
	assert.Equal(t, http.StatusUnauthorized, r.code)
	r = asAccount(t, srv, "POST", dl, map[string]any{})
	assert.Equal(t, map[string][]string{"password": {"is required"}}, r.env.FieldErrors)
	var link struct {
		URL      string `json:"url"`
		ExpireAt string `json:"expire_at"`
	}
	asAccount(t, srv, "POST", dl, map[string]any{"password": DefaultPassword}).decode(t, &link)
	assert.Contains(t, link.URL, made.BackupID)
	assert.Equal(t, "2025-03-10T14:00:00.000Z", link.ExpireAt)

	other := srv.AddProfile("Other")
	assert.Equal(t, http.StatusNotFound, send(t, srv, "GET", base, "Account-Token", other.Token, nil).code)
	assert.Equal(t, http.StatusNotFound, send(t, srv, "POST", dl, "Account-Token", other.Token, map[string]any{"password": DefaultPassword}).code)

	gone := base + "/" + made.BackupID
	assert.Equal(t, http.StatusUnauthorized, asAccount(t, srv, "DELETE", gone, map[string]any{"password": "wrong"}).code)
	assert.Equal(t, "Backup successfully removed", asAccount(t, srv, "DELETE", gone, map[string]any{"password": DefaultPassword}).str(t))
	assert.JSONEq(t, `{"status":true,"result":[]}`, string(asAccount(t, srv, "GET", base, nil).body))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "POST", dl, map[string]any{"password": DefaultPassword}).code)
	assert.Equal(t, http.StatusForbidden, asAccount(t, srv, "POST", base, nil).code, "a deleted backup still counts")
	clock.t = t0.Add(24 * time.Hour)
	assert.Equal(t, http.StatusOK, asAccount(t, srv, "POST", base, nil).code, "a new day")

	// A deleted profile takes its backups and files with it.
	var second struct{ ID string }
	asAccount(t, srv, "POST", "/profile", map[string]any{"name": "Second"}).decode(t, &second)
	require.Equal(t, http.StatusOK, asAccount(t, srv, "POST", "/profile/"+second.ID+"/backup", nil).code)
	srv.AddFile(second.ID, "a.csv", []byte("variable\n"))
	require.Equal(t, http.StatusOK, asAccount(t, srv, "DELETE", "/profile/"+second.ID, map[string]any{"password": DefaultPassword}).code)
	srv.mu.Lock()
	left := srv.docsLocked("profile_backup", func(d *doc) bool { return d.fields["profile"] == second.ID })
	_, kept := srv.fileLocked(second.ID, "a.csv")
	srv.mu.Unlock()
	assert.Empty(t, left)
	assert.False(t, kept)
}

// A conversion that is refused changes nothing; one that goes through sets the storage
// fields of the new type.
func TestConvertDevice(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	d := srv.AddDevice(DeviceSpec{Name: "Line", Type: "hybrid", MutableVariableRegex: "^cfg", Inactive: true})
	path := "/device/" + d.ID + "/convert"
	info := func() map[string]any {
		var m map[string]any
		asAccount(t, srv, "GET", "/device/"+d.ID, nil).decode(t, &m)
		return m
	}
	before := info()

	r := asAccount(t, srv, "POST", path, map[string]any{"type": "immutable", "chunk_period": "day"})
	assert.Equal(t, map[string][]string{"chunk_retention": {"is required to convert to immutable: 0 to 36"}}, r.env.FieldErrors)
	r = asAccount(t, srv, "POST", path, map[string]any{"type": "immutable", "chunk_period": "day", "chunk_retention": 1.5})
	assert.Equal(t, map[string][]string{"chunk_retention": {"must be an integer"}}, r.env.FieldErrors)
	r = asAccount(t, srv, "POST", path, map[string]any{"type": "hybrid"})
	assert.Equal(t, map[string][]string{"type": {"must be mutable or immutable"}}, r.env.FieldErrors)
	assert.Equal(t, before, info(), "refusals change nothing")

	assert.Equal(t, "Device type/chunk was converted",
		asAccount(t, srv, "POST", path, map[string]any{"type": "immutable", "chunk_period": "day", "chunk_retention": 2}).str(t))
	got := info()
	assert.Equal(t, []any{"immutable", "day", 2.0, nil}, []any{got["type"], got["chunk_period"], got["chunk_retention"], got["mutable_variable_regex"]})
	asAccount(t, srv, "POST", path, map[string]any{"type": "mutable"}).str(t)
	got = info()
	assert.Equal(t, "mutable", got["type"])
	assert.NotContains(t, got, "chunk_period")
	assert.NotContains(t, got, "chunk_retention")
}

// resolveBucketName adds each device's bucket name (its own) to a device list.
func TestDeviceListBucketName(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	srv.AddDevice(DeviceSpec{Name: "Boiler"})
	r := asAccount(t, srv, "GET", "/device?resolveBucketName=true&fields=name,bucket_name", nil)
	assert.JSONEq(t, `{"status":true,"result":[{"name":"Boiler","bucket_name":"Boiler"}]}`, string(r.body))
	r = asAccount(t, srv, "GET", "/device?fields=name,bucket_name", nil)
	assert.JSONEq(t, `{"status":true,"result":[{"name":"Boiler"}]}`, string(r.body))
}
