package spool

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Memory keeps records in the spool's file across a reopen, forgets them after the
// window, and keeps at most its bound, oldest out first.
func TestMemory(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "spool.db")
	s, err := Open(path, nil)
	require.NoError(t, err)
	m, err := s.Memory("uplinks", time.Hour, 3)
	require.NoError(t, err)
	now := time.Now()
	require.NoError(t, m.Put("a", []byte("stored"), now))
	v, at, ok, err := m.Get("a")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "stored", string(v))
	assert.True(t, at.Equal(now))
	_, _, ok, _ = m.Get("b")
	assert.False(t, ok)

	require.NoError(t, m.Put("old", []byte("x"), now.Add(-2*time.Hour)))
	_, _, ok, _ = m.Get("old")
	assert.False(t, ok, "older than the window")
	require.NoError(t, s.Close())

	s = openAt(t, path, nil)
	m, err = s.Memory("uplinks", time.Hour, 3)
	require.NoError(t, err)
	_, _, ok, _ = m.Get("a")
	assert.True(t, ok, "kept across a reopen")
	for _, k := range []string{"b", "c", "d"} {
		require.NoError(t, m.Put(k, nil, time.Now()))
	}
	n, err := m.Len()
	require.NoError(t, err)
	assert.Equal(t, 3, n, "bounded: the expired record and then the oldest went")
	_, _, ok, _ = m.Get("a")
	assert.False(t, ok, "the oldest went first")
	require.NoError(t, m.Delete("b"))
	_, _, ok, _ = m.Get("b")
	assert.False(t, ok)
	n, _ = m.Len()
	assert.Equal(t, 2, n)
	other, err := s.Memory("other", 0, 0)
	require.NoError(t, err)
	_, _, ok, _ = other.Get("c")
	assert.False(t, ok, "scopes are separate")
	_, err = s.Memory("", 0, 0)
	require.ErrorIs(t, err, tago.ErrInvalidInput)
}

// EnqueueOnce stores a message's points and records it in one commit; a second
// delivery of the same message stores nothing.
func TestEnqueueOnce(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil)
	m, err := s.Memory("uplinks", 0, 0)
	require.NoError(t, err)
	already, err := m.EnqueueOnce(t.Context(), "dev1/42", []byte("queued"), "dev1", readings("level", 0, 3)...)
	require.NoError(t, err)
	assert.False(t, already)
	already, err = m.EnqueueOnce(t.Context(), "dev1/42", []byte("queued"), "dev1", readings("level", 0, 3)...)
	require.NoError(t, err)
	assert.True(t, already)
	assert.Equal(t, 3, s.Stats().Points)
	v, _, ok, _ := m.Get("dev1/42")
	require.True(t, ok)
	assert.Equal(t, "queued", string(v))

	// A refused enqueue records nothing.
	bad := readings("level", 0, 1)
	bad[0].Value = struct{}{}
	_, err = m.EnqueueOnce(t.Context(), "dev1/43", nil, "dev1", bad...)
	require.ErrorIs(t, err, tago.ErrInvalidInput)
	_, _, ok, _ = m.Get("dev1/43")
	assert.False(t, ok)
}
