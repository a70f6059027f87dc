package spool

import (
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// MarshalPoints checks like Enqueue, stamps untimed points, and round-trips.
func TestMarshalPoints(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	pts := []tago.Data{{Variable: "a", Value: 1.5}, {Variable: "b", Value: "x", Group: "g", Time: now.Add(-time.Hour)}}
	b, err := MarshalPoints(pts, now)
	require.NoError(t, err)
	got, size, err := UnmarshalPoints(b)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.True(t, got[0].Time.Equal(now))
	assert.Equal(t, "g", got[1].Group)
	assert.Positive(t, size)

	_, err = MarshalPoints([]tago.Data{{Variable: ""}}, now)
	require.ErrorIs(t, err, tago.ErrInvalidInput)
	_, _, err = UnmarshalPoints(b[:len(b)-1])
	require.Error(t, err)

	withG := WithGroup(got, "batch")
	assert.Equal(t, "batch", withG[0].Group)
	assert.Equal(t, "g", withG[1].Group)
	assert.Empty(t, got[0].Group, "WithGroup copies")
}
