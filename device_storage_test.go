package tago

import (
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
