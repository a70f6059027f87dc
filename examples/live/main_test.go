package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLiveOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, func(string) string { return "" }))
	want := []string{
		`^No TAGO_TOKEN set: watching a device on tagotest, an in-memory fake of TagoIO, at http://127\.0\.0\.1:\d+\.$`,
		`^Watching device [0-9a-f]{24} on http://127\.0\.0\.1:\d+/events \(Ctrl-C stops\)\.$`,
		`^\d\d:\d\d:\d\d  temperature  21\.5 °C$`,
		`^\d\d:\d\d:\d\d  humidity     48 %$`,
		`^\d\d:\d\d:\d\d  temperature  21\.7 °C$`,
		`^\d\d:\d\d:\d\d  door         open$`,
		`^\d\d:\d\d:\d\d  temperature  22 °C$`,
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, len(want), out.String())
	for i, re := range want {
		assert.Regexp(t, regexp.MustCompile(re), lines[i])
	}
}

func TestLiveNeedsADevice(t *testing.T) {
	err := run(t.Context(), &bytes.Buffer{}, func(k string) string {
		if k == "TAGO_TOKEN" {
			return "a1b2c3d4-0000-4000-8000-acc0acc0acc0"
		}
		return ""
	})
	assert.EqualError(t, err, "set TAGO_DEVICE_ID to the device to watch")
}
