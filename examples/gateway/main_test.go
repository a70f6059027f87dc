package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// figures reads the summary's numbers from the gateway's output.
func figures(t *testing.T, out string) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, key := range []string{"sampled", "delivered", "dropped", "queued", "platform"} {
		m := regexp.MustCompile(`(?m)^  ` + key + ` +(\d+) readings`).FindStringSubmatch(out)
		require.NotNil(t, m, "no %q line in:\n%s", key, out)
		got[key], _ = strconv.Atoi(m[1])
	}
	return got
}

// heldOnce checks that the fake holds every reading at most once and returns how
// many it holds.
func heldOnce(t *testing.T, srv *tagotest.Server) int {
	t.Helper()
	devs := srv.Devices()
	require.Len(t, devs, 1)
	seen := map[[2]string]int{}
	recs := srv.Data(devs[0].ID)
	for _, r := range recs {
		seen[[2]string{r.Variable, r.Time.Format(time.RFC3339Nano)}]++
	}
	for k, n := range seen {
		assert.Equal(t, 1, n, "reading %v stored %d times", k, n)
	}
	return len(recs)
}

// The default run: every failure of the scenario happens, is handled, the restart
// keeps the queued readings, and the summary matches what the fake holds.
func TestGatewayRidesOutFailures(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	cfg := defaultConfig()
	cfg.path = filepath.Join(t.TempDir(), "spool.db")
	var buf bytes.Buffer
	require.NoError(t, run(t.Context(), &buf, cfg, srv))
	out := buf.String()

	for _, want := range []string{
		`(?m)^Readings are kept in the spool file .*spool\.db until the platform stored them\.$`,
		`(?m)^ +\d+\.\ds  \[fault\] rate limit: the next 2 sends get 429 with Retry-After: 1$`,
		`(?m)^ +\d+\.\ds  spool: rate limited points=\d+ error=.*429 Too many requests \(Retry-After: 1\) retry_in=1s$`,
		`(?m)^ +\d+\.\ds  spool: send failed, outcome unknown; will look before resending points=\d+ error=.*503 Service Unavailable`,
		`(?m)^ +\d+\.\ds  restarted: closed the spool with (\d+) readings queued and opened it again: (\d+) readings in the file$`,
		`(?m)^ +\d+\.\ds  spool: send failed, outcome unknown; .* error=.*connection reset by peer`,
		`(?m)^ +\d+\.\ds  spool: looked up a batch of unknown outcome points=(\d+) found=(\d+) resending=0$`,
		`(?m)^ +\d+\.\ds  spool: send failed, outcome unknown; .* error=.*502 <html>`,
		`(?m)^ +\d+\.\ds  spool: looked up a batch of unknown outcome points=(\d+) found=0 resending=(\d+)$`,
		`(?m)^Every delivered reading is stored exactly once\.$`,
	} {
		assert.Regexp(t, regexp.MustCompile(want), out)
	}
	assert.Len(t, regexp.MustCompile(`spool: rate limited`).FindAllString(out, -1), 2, "a burst of two 429s")
	m := regexp.MustCompile(`restarted: closed the spool with (\d+) readings queued and opened it again: (\d+) readings`).FindStringSubmatch(out)
	require.NotNil(t, m)
	assert.Equal(t, m[1], m[2], "the restart keeps every queued reading")
	assert.NotEqual(t, "0", m[1], "readings were queued during the outage")

	f := figures(t, out)
	assert.Equal(t, 150, f["sampled"])
	assert.Equal(t, 150, f["delivered"])
	assert.Zero(t, f["dropped"])
	assert.Zero(t, f["queued"])
	assert.Equal(t, 150, f["platform"])
	assert.Equal(t, 150, heldOnce(t, srv))
	assert.NotContains(t, out, srv.Devices()[0].Token, "no token in the output")
}

// A long outage with a small queue: the oldest readings are dropped and counted, and
// what was delivered is still stored exactly once.
func TestGatewayDropsOldestWhenFull(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	cfg := defaultConfig()
	cfg.buffer = 30
	cfg.outage = 2 * time.Second
	cfg.path = filepath.Join(t.TempDir(), "spool.db")
	var buf bytes.Buffer
	require.NoError(t, run(t.Context(), &buf, cfg, srv))
	out := buf.String()
	assert.Contains(t, out, "[fault] outage: the API answers 503 for 2s")
	assert.Contains(t, out, "Every delivered reading is stored exactly once.")

	f := figures(t, out)
	assert.Equal(t, 150, f["sampled"])
	assert.Positive(t, f["dropped"])
	assert.Equal(t, f["sampled"], f["delivered"]+f["dropped"])
	assert.Zero(t, f["queued"])
	assert.Equal(t, f["delivered"], f["platform"])
	assert.Equal(t, f["delivered"], heldOnce(t, srv))
}
