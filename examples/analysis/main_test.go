package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/analysis"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, demo(t.Context(), &out))
	want := []string{
		`^No ANALYSIS_TOKEN set: running on tagotest, an in-memory fake of TagoIO, at http://127\.0\.0\.1:\d+\.$`,
		`^Analysis "Temperature report" \(run on external\) is listening; the fake triggers it with 4 readings\.$`,
		`^Console:$`,
		`^  temperatures count=3 average=27\.7 max=31\.5$`,
		`^  WARN over the limit: e-mailing max=31\.5 limit=30 to=ops@example\.com$`,
		`^Stored on the device: temperature_avg = 27\.7 °C$`,
		`^Stored on the device: temperature_max = 31\.5 °C$`,
		`^E-mail to ops@example\.com: "Temperature 31\.5 °C": 3 readings, average 27\.7 °C, maximum 31\.5 °C \(limit 30\.0 °C\)\.$`,
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, len(want), out.String())
	for i, re := range want {
		assert.Regexp(t, regexp.MustCompile(re), lines[i])
	}
}

// TestAsTagoCoreRunsIt runs the analysis the way TagoCore starts it: one run from the
// environment, no token (so no e-mail), the device token in the analysis's variables.
func TestAsTagoCoreRunsIt(t *testing.T) {
	srv := tagotest.NewServer(t)
	dev := srv.AddDevice(tagotest.DeviceSpec{Name: "d"})
	vars := map[string]string{
		"T_ANALYSIS_CONTEXT": "tago-io", "T_ANALYSIS_ID": "65a0a0a0a0a0a0a0a0a0a0a0", "T_ANALYSIS_TOKEN": "",
		"T_ANALYSIS_ENV":  `[{"key":"DEVICE_TOKEN","value":"` + dev.Token + `"},{"key":"EMAIL","value":"ops@example.com"}]`,
		"T_ANALYSIS_DATA": `[{"variable":"analysis_run_nonce","value":"n1"},{"variable":"temperature","value":35,"unit":"C"}]`,
		"TAGOIO_API":      srv.URL,
	}
	var stdout bytes.Buffer
	err := analysis.Run(context.Background(), tago.Token{}, report, analysis.WithOutput(&stdout, io.Discard),
		analysis.WithLookupEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok }))
	require.NoError(t, err)
	assert.Equal(t, "temperatures count=1 average=35 max=35\n"+
		"WARN over the limit, but no e-mail: needs EMAIL and an analysis token max=35 limit=30\n", stdout.String())
	recs := srv.Data(dev.ID)
	require.Len(t, recs, 2)
	assert.Equal(t, "temperature_avg", recs[0].Variable)
	assert.Empty(t, srv.Emails())
}
