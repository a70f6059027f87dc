package actility

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-tago/tago"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fromSource makes the bridge take a request's source from its X-Source header, so
// that one test can speak for several addresses.
func fromSource(c *BridgeConfig) {
	c.Source = func(r *http.Request) string { return r.Header.Get("X-Source") }
}

// postFrom sends body with key in the query, from source.
func (e *bridgeEnv) postFrom(t testing.TB, source, key string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest("POST", e.url+"?authorization="+key, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Source", source)
	return do(t, req)
}

// forged returns the i-th forged key: well-formed, unknown to the platform.
func forged(i int) string { return fmt.Sprintf("at%032x", 0xf00d0000+i) }

// TestBridgeForgedKeysCostNothing: 50 deliveries with forged keys make at most
// SourceBurst resolves, 50 with one forged key make one, and neither slows down the
// traffic of real keys.
func TestBridgeForgedKeysCostNothing(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, fromSource)
	dev := e.addDevice("d", "0018B20000000BEE")
	body := fixture(t, "uplink_typed_2024.json")
	resolves := func() int { return e.requests("GET", "/integration/network/resolve/") }

	// 50 different forged keys from one address: 10 resolves (the default budget),
	// then 503 without asking the platform.
	statuses := map[int]int{}
	for i := range 50 {
		a := e.postFrom(t, "203.0.113.9", forged(i), body)
		statuses[a.status]++
		if a.status == http.StatusServiceUnavailable {
			assert.Equal(t, "too many rejected authorization keys from this address; try again later", a.body["message"])
			assert.NotEmpty(t, a.retryAfter)
		}
	}
	assert.Equal(t, map[int]int{401: 10, 503: 40}, statuses)
	assert.Equal(t, 10, resolves())

	// 50 deliveries with one forged key from another address: one resolve; the
	// refusal is remembered.
	for range 50 {
		a := e.postFrom(t, "198.51.100.7", forged(999), body)
		assert.Equal(t, http.StatusUnauthorized, a.status)
	}
	assert.Equal(t, 11, resolves())
	// ... for every DevEUI.
	a := e.postFrom(t, "198.51.100.7", forged(999), uplinkFor(t, "0018B20000000B20", 1))
	assert.Equal(t, http.StatusUnauthorized, a.status)
	assert.Equal(t, 11, resolves())

	// The real key from ThingPark's address is served at once, and once the platform
	// accepted it, even from the flooding address.
	a = e.postFrom(t, "192.0.2.1", e.auth.Key, body)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	other := e.addDevice("other", "0018B20000000B20")
	a = e.postFrom(t, "203.0.113.9", e.auth.Key, uplinkFor(t, "0018B20000000B20", 1))
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Len(t, e.srv.Data(dev.ID), 29)
	assert.Len(t, e.srv.Data(other.ID), 29)
	assert.Zero(t, e.requests("POST", "/data")-2)

	logs := e.logs.String()
	for i := range 50 {
		assert.NotContains(t, logs, forged(i))
	}
	assert.NotContains(t, logs, forged(999))
}

// TestBridgeUnknownDevicesOfARealKey: uplinks of devices that are not on TagoIO, under
// a key the platform accepts, are not charged to the source, and each unknown device
// is resolved once per FailedResolveTTL.
func TestBridgeUnknownDevicesOfARealKey(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, fromSource)
	e.addDevice("d", "0018B20000000BEE")
	require.Equal(t, http.StatusOK, e.postFrom(t, "192.0.2.1", e.auth.Key, fixture(t, "uplink_typed_2024.json")).status)
	for i := range 20 {
		a := e.postFrom(t, "192.0.2.1", e.auth.Key, uplinkFor(t, fmt.Sprintf("70B3D57ED00000%02X", i), 1))
		assert.Equal(t, http.StatusNotFound, a.status)
	}
	for range 5 {
		a := e.postFrom(t, "192.0.2.1", e.auth.Key, uplinkFor(t, "70B3D57ED0000000", 2))
		assert.Equal(t, http.StatusNotFound, a.status)
	}
	assert.Equal(t, 21, e.requests("GET", "/integration/network/resolve/"))
}

// TestBridgeFailedResolveExpires: once FailedResolveTTL has passed, the device is
// looked up again, and found when it was added meanwhile.
func TestBridgeFailedResolveExpires(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, func(c *BridgeConfig) { c.FailedResolveTTL = time.Nanosecond })
	body := fixture(t, "uplink_typed_2024.json")
	assert.Equal(t, http.StatusNotFound, e.post(t, e.auth.Key, body).status)
	dev := e.addDevice("d", "0018B20000000BEE")
	assert.Equal(t, http.StatusOK, e.post(t, e.auth.Key, body).status)
	assert.Len(t, e.srv.Data(dev.ID), 29)
	assert.Equal(t, 2, e.requests("GET", "/integration/network/resolve/"))
}

func TestBridgeConcurrentForgedKeys(t *testing.T) {
	t.Parallel()
	e := newBridgeEnv(t, fromSource)
	body := fixture(t, "uplink_typed_2024.json")
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			a := e.postFrom(t, "203.0.113.9", forged(i), body)
			assert.Contains(t, []int{401, 503}, a.status)
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, e.requests("GET", "/integration/network/resolve/"), 10)
}

// TestSourceBudgetRefills: a spent budget earns one resolve every SourceRefill.
func TestSourceBudgetRefills(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b, err := NewBridge(BridgeConfig{NetworkToken: "net", SourceBurst: 2, SourceRefill: 6 * time.Second})
		require.NoError(t, err)
		ctx := context.Background()
		kh := sha256.Sum256([]byte("forged"))
		for range 2 {
			s, err := b.admit(ctx, "src", kh)
			require.NoError(t, err)
			require.NotNil(t, s)
			b.settleSource(s, true)
		}
		_, err = b.admit(ctx, "src", kh)
		var thr *throttledError
		require.ErrorAs(t, err, &thr)
		assert.Equal(t, 6*time.Second, thr.wait)
		_, err = b.admit(ctx, "elsewhere", kh)
		assert.NoError(t, err, "another source has its own budget")

		time.Sleep(6 * time.Second)
		s, err := b.admit(ctx, "src", kh)
		require.NoError(t, err)
		b.settleSource(s, false) // accepted: nothing spent
		s, err = b.admit(ctx, "src", kh)
		require.NoError(t, err)
		b.settleSource(s, true)
		_, err = b.admit(ctx, "src", kh)
		assert.ErrorAs(t, err, &thr)

		// A key the platform accepted is never charged.
		b.mu.Lock()
		b.accepted[kh] = time.Now().Add(time.Hour)
		b.mu.Unlock()
		s, err = b.admit(ctx, "src", kh)
		assert.NoError(t, err)
		assert.Nil(t, s)
	})
}

// TestSourceBudgetWaitsForReservations: concurrent resolves of unknown keys take what
// is left of the budget and wait for each other's outcome, rather than all asking at
// once.
func TestSourceBudgetWaitsForReservations(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b, err := NewBridge(BridgeConfig{NetworkToken: tago.Secret("net"), SourceBurst: 1})
		require.NoError(t, err)
		kh := sha256.Sum256([]byte("k"))
		first, err := b.admit(context.Background(), "src", kh)
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() {
			_, err := b.admit(context.Background(), "src", kh)
			done <- err
		}()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("the second resolve did not wait")
		default:
		}
		b.settleSource(first, true) // refused: the budget is spent, the waiter is throttled
		var thr *throttledError
		assert.ErrorAs(t, <-done, &thr)
		assert.True(t, strings.Contains(thr.Error(), "try again in"))
	})
}
