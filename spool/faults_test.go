package spool

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// writeSpool makes a closed spool file holding n points of target "a", values 0..n-1.
func writeSpool(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spool.db")
	s, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Enqueue(t.Context(), "a", readings("level", 0, n)...))
	require.NoError(t, s.Close())
	return path
}

// A flipped byte inside a point is found at Open (the record's checksum), and Salvage
// recovers every other point, which then reach the platform.
func TestDamagedPointFoundAtOpen(t *testing.T) {
	t.Parallel()
	path := writeSpool(t, 20)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	i := bytes.Index(raw, []byte{valNumber, 1, '7', 0}) // the value 7, then no unit
	require.Positive(t, i)
	raw[i+2] = '8' // still a well-formed record, and a valid bbolt page: only the checksum sees it
	require.NoError(t, os.WriteFile(path, raw, 0o600))

	_, err = Open(path, nil)
	var dmg *DamageError
	require.ErrorAs(t, err, &dmg)
	require.ErrorIs(t, err, ErrDamaged)
	assert.Contains(t, err.Error(), "checksum mismatch")
	assert.Contains(t, err.Error(), "spool.Salvage")

	dst := path + ".salvaged"
	rep, err := Salvage(path, dst)
	require.NoError(t, err)
	assert.Equal(t, SalvageReport{Targets: 1, Points: 19, Lost: 1}, rep)
	_, err = Salvage(path, dst)
	require.Error(t, err, "Salvage never overwrites")

	srv := tagotest.NewServer(t)
	dev := addDevice(t, srv, "a")
	s := openAt(t, dst, fastOptions())
	assert.Equal(t, 19, s.Stats().Points)
	drain(t, s, Routes(map[string]*tago.DataService{"a": dev.client.Data}))
	assert.Equal(t, append(seq(0, 7), seq(8, 12)...), values(srv, dev.ID))
}

// Salvage keeps the batches in doubt and the file's identity, so a salvaged batch is
// still looked up before it is resent.
func TestSalvageKeepsBatchesInDoubt(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	dev := addDevice(t, srv, "a")
	path := filepath.Join(t.TempDir(), "spool.db")
	s, err := Open(path, fastOptions())
	require.NoError(t, err)
	require.NoError(t, s.Enqueue(t.Context(), "a", readings("level", 0, 5)...))
	m, err := s.Memory("uplinks", 0, 0)
	require.NoError(t, err)
	require.NoError(t, m.Put("dev/1", []byte("v"), time.Now()))
	srv.ResetNext(1, "POST", "/data", true)
	// Record and send the batch once, then stop: stored on the platform, in doubt here.
	w := &worker{s: s, target: "a", route: Routes(map[string]*tago.DataService{"a": dev.client.Data}), sem: make(chan struct{}, 1), known: map[uint64][]tago.Data{}, limit: 1000}
	recs, pts, err := w.prepare(0, 1, 1000, nil)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	w.known[recs[0].seq] = pts[0]
	_, batches := w.snapshot()
	require.Len(t, batches, 1)
	require.NoError(t, w.send(t.Context(), batches[0], true))
	require.NoError(t, s.Close())
	require.Len(t, srv.Data(dev.ID), 5)

	dst := path + ".salvaged"
	rep, err := Salvage(path, dst)
	require.NoError(t, err)
	assert.Equal(t, SalvageReport{Targets: 1, Points: 5, Batches: 1}, rep)
	s = openAt(t, dst, fastOptions())
	m, err = s.Memory("uplinks", 0, 0)
	require.NoError(t, err)
	v, _, ok, err := m.Get("dev/1")
	require.NoError(t, err)
	assert.True(t, ok && string(v) == "v", "the memory is salvaged too")
	drain(t, s, Routes(map[string]*tago.DataService{"a": dev.client.Data}))
	assertOnce(t, srv, dev.ID, seq(0, 5))
	assert.Equal(t, uint64(5), s.Stats().Found)
}

// Damage to bbolt's own structure is found at Open: a truncated file, garbage over
// both meta pages, a file that is not a spool.
func TestDamagedFileFoundAtOpen(t *testing.T) {
	t.Parallel()
	t.Run("truncated", func(t *testing.T) {
		path := writeSpool(t, 200)
		require.NoError(t, os.Truncate(path, 6000))
		_, err := Open(path, nil)
		require.ErrorIs(t, err, ErrDamaged)
	})
	t.Run("meta pages overwritten", func(t *testing.T) {
		path := writeSpool(t, 10)
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		for i := 0; i < 8192; i++ {
			raw[i] = byte(i * 7)
		}
		require.NoError(t, os.WriteFile(path, raw, 0o600))
		_, err = Open(path, nil)
		require.ErrorIs(t, err, ErrDamaged)
		_, err = Salvage(path, path+".new")
		require.ErrorIs(t, err, ErrDamaged, "beyond salvage")
	})
	t.Run("branch page damaged", func(t *testing.T) {
		path := writeSpool(t, 3000) // enough points for several leaf pages
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		// Zero every page after the metas and the first few: bbolt's check (or its
		// reader) sees pages that are not what the tree says.
		for i := 4096 * 4; i+4096 <= len(raw); i += 4096 * 3 {
			copy(raw[i:i+16], make([]byte, 16))
		}
		require.NoError(t, os.WriteFile(path, raw, 0o600))
		_, err = Open(path, nil)
		require.ErrorIs(t, err, ErrDamaged)
	})
	t.Run("not a spool", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		db, err := bolt.Open(path, 0o600, nil)
		require.NoError(t, err)
		require.NoError(t, db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err }))
		require.NoError(t, db.Close())
		_, err = Open(path, nil)
		require.ErrorIs(t, err, ErrDamaged)
		assert.Contains(t, err.Error(), "not a spool file")
	})
}

// A file written by a newer version is refused with a *VersionError and left
// byte for byte as it was.
func TestNewerVersionRefused(t *testing.T) {
	t.Parallel()
	path := writeSpool(t, 5)
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte{0, 0, 0, 2})
	}))
	require.NoError(t, db.Close())
	before := fileSum(t, path)

	_, err = Open(path, nil)
	var ve *VersionError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, err, ErrNewerVersion)
	assert.Equal(t, uint32(2), ve.Found)
	assert.Equal(t, uint32(1), ve.Supported)
	assert.Equal(t, before, fileSum(t, path), "the file is not touched")
	_, err = Salvage(path, path+".new")
	require.ErrorIs(t, err, ErrNewerVersion)
}

func fileSum(t *testing.T, path string) [32]byte {
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return sha256.Sum256(raw)
}

// A full disk fails Enqueue with ErrDiskFull and stores nothing of that call; the file
// stays intact (it opens and holds exactly what was acknowledged), and Enqueue works
// again once there is room. It needs a small tmpfs, so root.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "small")
	require.NoError(t, os.Mkdir(dir, 0o700))
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a small tmpfs (%v): run as root to test a full disk", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	path := filepath.Join(dir, "spool.db")
	s, err := Open(path, nil)
	require.NoError(t, err)
	defer s.Close()

	big := strings.Repeat("x", 4000)
	acked := 0
	var full error
	for i := 0; i < 1000 && full == nil; i++ {
		p := tago.Data{Variable: "blob", Value: i, Metadata: map[string]any{"pad": big}}
		if err := s.Enqueue(t.Context(), "a", p); err != nil {
			full = err
			break
		}
		acked++
	}
	require.ErrorIs(t, full, ErrDiskFull)
	require.True(t, errors.Is(full, syscall.ENOSPC) || errors.Is(full, syscall.EFBIG), "%v", full)
	assert.Equal(t, acked, s.Stats().Points, "nothing of the failed call is counted")
	require.ErrorIs(t, s.Enqueue(t.Context(), "a", tago.Data{Variable: "blob", Metadata: map[string]any{"pad": big}}), ErrDiskFull)
	require.NoError(t, s.Close())

	// The file is intact and holds exactly what was acknowledged.
	s2, err := Open(path, nil)
	require.NoError(t, err)
	assert.Equal(t, acked, s2.Stats().Points)
	require.NoError(t, s2.Close())

	// With room again (a bigger tmpfs over the same file), Enqueue works again.
	require.NoError(t, syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, "size=8m"))
	s3, err := Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s3.Enqueue(t.Context(), "a", tago.Data{Variable: "blob", Value: -1, Metadata: map[string]any{"pad": big}}))
	assert.Equal(t, acked+1, s3.Stats().Points)
	require.NoError(t, s3.Close())
}

// With SkipCheck a damaged point is found when it is read for sending: it is removed,
// counted as rejected and logged, and every other point is delivered.
func TestDamagedPointFoundAtRead(t *testing.T) {
	t.Parallel()
	path := writeSpool(t, 20)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	i := bytes.Index(raw, []byte{valNumber, 1, '7', 0})
	require.Positive(t, i)
	raw[i+2] = '8'
	require.NoError(t, os.WriteFile(path, raw, 0o600))

	srv := tagotest.NewServer(t)
	dev := addDevice(t, srv, "a")
	logger, logs := newLogger()
	opts := fastOptions()
	opts.SkipCheck, opts.Logger = true, logger
	s := openAt(t, path, opts)
	assert.Equal(t, 20, s.Stats().Points)
	drain(t, s, Routes(map[string]*tago.DataService{"a": dev.client.Data}))
	assert.Equal(t, append(seq(0, 7), seq(8, 12)...), values(srv, dev.ID))
	assert.Equal(t, uint64(1), s.Stats().Rejected)
	assert.Contains(t, logs.String(), "spool: damaged points removed")
}
