package main

import (
	"bytes"
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
		seen[[2]string{r.Group, r.Variable}]++
	}
	for k, n := range seen {
		assert.Equal(t, 1, n, "reading %v stored %d times", k, n)
	}
	return len(recs)
}

// The default run: every failure of the scenario happens, is handled, and the summary
// matches what the fake holds.
func TestGatewayRidesOutFailures(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	var buf bytes.Buffer
	require.NoError(t, run(t.Context(), &buf, defaultConfig(), srv))
	out := buf.String()

	for _, want := range []string{
		`(?m)^ +\d+\.\ds  delivered 15 readings \(0 queued\)$`,
		`(?m)^ +\d+\.\ds  \[fault\] rate limit: the next 2 sends get 429 with Retry-After: 1$`,
		`(?m)^ +\d+\.\ds  rate limited \(HTTP 429 Too Many Requests\): pausing sends for 1s; \d+ readings queued$`,
		`(?m)^ +\d+\.\ds  send of \d+ readings failed \(HTTP 503 Service Unavailable\); will check what the platform holds in \d+ms$`,
		`(?m)^ +\d+\.\ds  platform unreachable \(HTTP 503 Service Unavailable\)`,
		`(?m)^ +\d+\.\ds  send of \d+ readings failed \(no answer: [^)]+\)`,
		`(?m)^ +\d+\.\ds  checked: the platform had stored all \d+ readings of the failed send; not sending them again$`,
		`(?m)^ +\d+\.\ds  send of \d+ readings failed \(HTTP 502 Bad Gateway\)`,
		`(?m)^ +\d+\.\ds  checked: the platform holds none of the \d+ readings of the failed send; sending them again$`,
		`(?m)^Every delivered reading is stored exactly once\.$`,
	} {
		assert.Regexp(t, regexp.MustCompile(want), out)
	}
	assert.Len(t, regexp.MustCompile(`rate limited`).FindAllString(out, -1), 2, "a burst of two 429s")

	f := figures(t, out)
	assert.Equal(t, 150, f["sampled"])
	assert.Equal(t, 150, f["delivered"])
	assert.Zero(t, f["dropped"])
	assert.Zero(t, f["queued"])
	assert.Equal(t, 150, f["platform"])
	assert.Equal(t, 150, heldOnce(t, srv))
}

// A long outage with a small queue: the oldest readings are dropped and counted, and
// what was delivered is still stored exactly once.
func TestGatewayDropsOldestWhenFull(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	cfg := defaultConfig()
	cfg.buffer = 30
	cfg.outage = 2 * time.Second
	var buf bytes.Buffer
	require.NoError(t, run(t.Context(), &buf, cfg, srv))
	out := buf.String()
	assert.Contains(t, out, "[fault] outage: the API answers 503 for 2s")

	f := figures(t, out)
	assert.Equal(t, 150, f["sampled"])
	assert.Positive(t, f["dropped"])
	assert.Equal(t, f["sampled"], f["delivered"]+f["dropped"])
	assert.Zero(t, f["queued"])
	assert.Equal(t, f["delivered"], f["platform"])
	assert.Equal(t, f["delivered"], heldOnce(t, srv))
}
