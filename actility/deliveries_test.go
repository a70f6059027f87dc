package actility

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lookup returns a record's state and whether there is one.
func lookup(t testing.TB, l DeliveryLog, key string) (DeliveryState, bool) {
	t.Helper()
	st, _, ok, err := l.Lookup(key)
	require.NoError(t, err)
	return st, ok
}

func TestMemoryLogWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewMemoryLog(DeliveryLogConfig{Window: time.Hour})
		require.NoError(t, l.Record("a", DeliveryPending, time.Now()))
		require.NoError(t, l.Record("a", DeliveryStored, time.Now()))
		st, ok := lookup(t, l, "a")
		assert.True(t, ok)
		assert.Equal(t, DeliveryStored, st)
		_, at, _, _ := l.Lookup("a")
		assert.Equal(t, time.Now().UnixMilli(), at.UnixMilli())

		time.Sleep(59 * time.Minute)
		_, ok = lookup(t, l, "a")
		assert.True(t, ok, "within the window")
		time.Sleep(2 * time.Minute)
		_, ok = lookup(t, l, "a")
		assert.False(t, ok, "past the window")

		// Expired records are dropped as new ones come.
		require.NoError(t, l.Record("b", DeliveryStored, time.Now()))
		assert.Equal(t, 1, l.Len())
		require.NoError(t, l.Forget("b"))
		assert.Zero(t, l.Len())
		assert.Error(t, l.Record("c", 0, time.Now()))
	})
}

func TestMemoryLogEvictsOldestFirst(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewMemoryLog(DeliveryLogConfig{MaxEntries: 3})
		for _, k := range []string{"a", "b", "c"} {
			require.NoError(t, l.Record(k, DeliveryStored, time.Now()))
			time.Sleep(time.Second)
		}
		// Updating a keeps its place (messages are ordered by their first record): d
		// evicts a, the oldest; then e evicts b.
		require.NoError(t, l.Record("a", DeliveryStored, time.Now()))
		time.Sleep(time.Second)
		require.NoError(t, l.Record("d", DeliveryPending, time.Now()))
		assert.Equal(t, 3, l.Len())
		_, ok := lookup(t, l, "a")
		assert.False(t, ok)
		require.NoError(t, l.Record("e", DeliveryPending, time.Now()))
		for k, want := range map[string]bool{"a": false, "b": false, "c": true, "d": true, "e": true} {
			_, ok := lookup(t, l, k)
			assert.Equal(t, want, ok, k)
		}
		// Many updates of few keys keep the queue bounded.
		for i := range 10000 {
			require.NoError(t, l.Record("a", DeliveryState(1+i%2), time.Now()))
		}
		l.mu.Lock()
		assert.LessOrEqual(t, len(l.order)-l.head, 3*len(l.entries)+1024)
		l.mu.Unlock()
	})
}

func TestDeliveryFileSurvivesReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deliveries")
	f, err := OpenDeliveryFile(path, DeliveryFileOptions{})
	require.NoError(t, err)
	const key = "0018B20000000BEE/1734427015911-368/0123456789abcdef"
	require.NoError(t, f.Record(key, DeliveryPending, time.Now()))
	require.NoError(t, f.Record("other", DeliveryStored, time.Now()))
	require.NoError(t, f.Record("gone", DeliveryStored, time.Now()))
	require.NoError(t, f.Forget("gone"))
	require.NoError(t, f.Close())
	require.NoError(t, f.Close())
	assert.ErrorIs(t, f.Record("x", DeliveryStored, time.Now()), os.ErrClosed)

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(raw), deliveryFileHeader))
	assert.NotContains(t, string(raw), "0018B20000000BEE", "the file holds hashes, not keys")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	g, err := OpenDeliveryFile(path, DeliveryFileOptions{})
	require.NoError(t, err)
	defer g.Close()
	st, ok := lookup(t, g, key)
	assert.True(t, ok)
	assert.Equal(t, DeliveryPending, st)
	st, ok = lookup(t, g, "other")
	assert.True(t, ok)
	assert.Equal(t, DeliveryStored, st)
	_, ok = lookup(t, g, "gone")
	assert.False(t, ok)
	assert.Equal(t, 2, g.Len())
}

func TestDeliveryFileDropsACutLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deliveries")
	f, err := OpenDeliveryFile(path, DeliveryFileOptions{})
	require.NoError(t, err)
	require.NoError(t, f.Record("a", DeliveryStored, time.Now()))
	require.NoError(t, f.Close())
	// A crash in the middle of a write leaves half a line; a stray line is garbage.
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = fh.WriteString("junk line\nS 17344270159")
	require.NoError(t, err)
	require.NoError(t, fh.Close())

	g, err := OpenDeliveryFile(path, DeliveryFileOptions{})
	require.NoError(t, err)
	require.NoError(t, g.Record("b", DeliveryStored, time.Now()))
	require.NoError(t, g.Close())
	h, err := OpenDeliveryFile(path, DeliveryFileOptions{})
	require.NoError(t, err)
	defer h.Close()
	for _, k := range []string{"a", "b"} {
		_, ok := lookup(t, h, k)
		assert.True(t, ok, k)
	}
	assert.Equal(t, 2, h.Len())
}

func TestDeliveryFileRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(path, []byte("my notes\n"), 0o600))
	_, err := OpenDeliveryFile(path, DeliveryFileOptions{})
	assert.EqualError(t, err, "actility: "+path+" is not a delivery file")
	raw, _ := os.ReadFile(path)
	assert.Equal(t, "my notes\n", string(raw), "left alone")
}

func TestDeliveryFileRewritesWhenGrown(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deliveries")
	f, err := OpenDeliveryFile(path, DeliveryFileOptions{NoSync: true, DeliveryLogConfig: DeliveryLogConfig{MaxEntries: 100}})
	require.NoError(t, err)
	defer f.Close()
	for i := range 20000 {
		require.NoError(t, f.Record(fmt.Sprint("k", i), DeliveryStored, time.Now()))
	}
	assert.Equal(t, 100, f.Len())
	info, err := os.Stat(path)
	require.NoError(t, err)
	// Never more than the live records plus 4,096 dead ones and a few more, ~50 bytes each.
	assert.Less(t, info.Size(), int64((100+2*4096+200)*52))
	for i := 19900; i < 20000; i++ {
		_, ok := lookup(t, f, fmt.Sprint("k", i))
		require.True(t, ok, i)
	}
}

func TestDeliveryFileConcurrentRecords(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deliveries")
	f, err := OpenDeliveryFile(path, DeliveryFileOptions{})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				k := fmt.Sprint(g, "/", i)
				assert.NoError(t, f.Record(k, DeliveryPending, time.Now()))
				assert.NoError(t, f.Record(k, DeliveryStored, time.Now()))
			}
		})
	}
	wg.Wait()
	require.NoError(t, f.Close())
	g, err := OpenDeliveryFile(path, DeliveryFileOptions{})
	require.NoError(t, err)
	defer g.Close()
	assert.Equal(t, 400, g.Len())
}

// BenchmarkDeliveryLogRecord measures one message's records (pending, then stored)
// in each log: in memory, in a file flushed to disk for each pending record (shared by
// concurrent records), and in a file without flushes.
func BenchmarkDeliveryLogRecord(b *testing.B) {
	logs := map[string]func(b *testing.B) DeliveryLog{
		"memory": func(*testing.B) DeliveryLog { return NewMemoryLog(DeliveryLogConfig{}) },
		"file": func(b *testing.B) DeliveryLog {
			f, err := OpenDeliveryFile(filepath.Join(b.TempDir(), "d"), DeliveryFileOptions{})
			require.NoError(b, err)
			b.Cleanup(func() { _ = f.Close() })
			return f
		},
		"file-nosync": func(b *testing.B) DeliveryLog {
			f, err := OpenDeliveryFile(filepath.Join(b.TempDir(), "d"), DeliveryFileOptions{NoSync: true})
			require.NoError(b, err)
			b.Cleanup(func() { _ = f.Close() })
			return f
		},
	}
	for _, name := range []string{"memory", "file", "file-nosync"} {
		b.Run(name, func(b *testing.B) {
			l := logs[name](b)
			var mu sync.Mutex
			n := 0
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					n++
					k := fmt.Sprint("0018B20000000BEE/", n)
					mu.Unlock()
					_ = l.Record(k, DeliveryPending, time.Now())
					_ = l.Record(k, DeliveryStored, time.Now())
				}
			})
		})
	}
}

// BenchmarkMemoryLogSize reports the memory a full MemoryLog of a million records
// holds, per record.
func BenchmarkMemoryLogSize(b *testing.B) {
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		l := NewMemoryLog(DeliveryLogConfig{})
		now := time.Now()
		for i := range 1_000_000 {
			k := "0018B20000000BEE/" + fmt.Sprint(i)
			_ = l.Record(k, DeliveryPending, now)
			_ = l.Record(k, DeliveryStored, now)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "bytes/record")
		runtime.KeepAlive(l)
	}
}
