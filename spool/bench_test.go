package spool

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	bolt "go.etcd.io/bbolt"
)

// Durable Enqueue of single points from 16 goroutines: the spool's group commit
// against a naive store that commits (and syncs) each point on its own, on the same
// disk, in the same bbolt layout (one q bucket, target ID and sequence as key).
func BenchmarkEnqueue16(b *testing.B) {
	point := tago.Data{Variable: "temperature", Value: 21.5, Unit: "°C", Time: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	b.Run("spool", func(b *testing.B) {
		s := openTemp(b, &Options{MaxPoints: 100_000_000})
		b.SetParallelism(max(1, 16/ncpu()))
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := s.Enqueue(context.Background(), "a", point); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
	})
	b.Run("naive", func(b *testing.B) {
		db, err := bolt.Open(filepath.Join(b.TempDir(), "naive.db"), 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bucketQueue); return err }); err != nil {
			b.Fatal(err)
		}
		b.SetParallelism(max(1, 16/ncpu()))
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := tago.ValidateData(point); err != nil {
					b.Error(err)
					return
				}
				rec, _ := encodePoint(&point, time.Now())
				err := db.Update(func(tx *bolt.Tx) error {
					q := tx.Bucket(bucketQueue)
					n, _ := q.NextSequence()
					return view{q, 1}.put(n, rec)
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
	})
}

// ncpu is the benchmark's GOMAXPROCS, which RunParallel multiplies by the parallelism.
func ncpu() int { return runtime.GOMAXPROCS(0) }

// The same comparison, alternating the two in every iteration so that both meet the
// same disk load: 16 goroutines enqueue 100 single points each with the spool, then
// with the naive store. Reports both rates and their ratio.
func BenchmarkEnqueue16VsNaive(b *testing.B) {
	point := tago.Data{Variable: "temperature", Value: 21.5, Unit: "°C", Time: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	var commits atomic.Int64
	s := openTemp(b, &Options{MaxPoints: 100_000_000, hook: func(ev string) {
		if ev == "commit" {
			commits.Add(1)
		}
	}})
	db, err := bolt.Open(filepath.Join(b.TempDir(), "naive.db"), 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bucketQueue); return err }); err != nil {
		b.Fatal(err)
	}
	naive := func() error {
		if err := tago.ValidateData(point); err != nil {
			return err
		}
		rec, _ := encodePoint(&point, time.Now())
		return db.Update(func(tx *bolt.Tx) error {
			q := tx.Bucket(bucketQueue)
			n, _ := q.NextSequence()
			return view{q, 1}.put(n, rec)
		})
	}
	spooled := func() error { return s.Enqueue(context.Background(), "a", point) }
	const goroutines, each = 16, 100
	run := func(f func() error) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					if err := f(); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	var spoolTime, naiveTime time.Duration
	for i := 0; i < b.N; i++ {
		spoolTime += run(spooled)
		naiveTime += run(naive)
	}
	points := float64(b.N * goroutines * each)
	b.ReportMetric(points/spoolTime.Seconds(), "spool-points/s")
	b.ReportMetric(points/naiveTime.Seconds(), "naive-points/s")
	b.ReportMetric(naiveTime.Seconds()/spoolTime.Seconds(), "x-naive")
	b.ReportMetric(points/float64(commits.Load()), "points/commit")
}

// Durable Enqueue of 1,000-point slices from one goroutine.
func BenchmarkEnqueueSlice1000(b *testing.B) {
	s := openTemp(b, &Options{MaxPoints: 100_000_000})
	pts := readings("temperature", 0, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Enqueue(context.Background(), "a", pts...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(pts))/b.Elapsed().Seconds(), "points/s")
}

// Delivering 10,000 queued points to tagotest: the spool's Drain (recording each batch
// before sending it and removing it after) against calling Send directly with the same
// batches, which keeps nothing durable.
func BenchmarkDrain(b *testing.B) {
	const n, batch = 10_000, 1000
	pts := readings("temperature", 0, n)
	b.Run("spool", func(b *testing.B) {
		srv := tagotest.NewServer(b, tagotest.WithDataLimit(1<<30), tagotest.WithRequestLogLimit(1))
		dev := addDevice(b, srv, "a")
		s := openTemp(b, &Options{MaxBatch: batch, MaxPoints: 100_000_000})
		route := Routes(map[string]*tago.DataService{"a": dev.client.Data})
		var sent atomic.Int64
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			if err := s.Enqueue(context.Background(), "a", pts...); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := s.Drain(context.Background(), route); err != nil {
				b.Fatal(err)
			}
			sent.Add(n)
		}
		b.ReportMetric(float64(sent.Load())/b.Elapsed().Seconds(), "points/s")
	})
	b.Run("send", func(b *testing.B) {
		srv := tagotest.NewServer(b, tagotest.WithDataLimit(1<<30), tagotest.WithRequestLogLimit(1))
		dev := addDevice(b, srv, "a")
		var sent atomic.Int64
		b.ReportAllocs()
		for b.Loop() {
			for i := 0; i < n; i += batch {
				if _, err := dev.client.Data.Send(context.Background(), pts[i:i+batch]...); err != nil {
					b.Fatal(err)
				}
			}
			sent.Add(n)
		}
		b.ReportMetric(float64(sent.Load())/b.Elapsed().Seconds(), "points/s")
	})
}

// The same comparison, alternating the two in every iteration so that both meet the
// same machine load: reports both rates and the spool's share of Send's.
func BenchmarkDrainVsSend(b *testing.B) {
	const n, batch = 10_000, 1000
	pts := readings("temperature", 0, n)
	srv := tagotest.NewServer(b, tagotest.WithDataLimit(1<<30), tagotest.WithRequestLogLimit(1))
	dev := addDevice(b, srv, "a")
	s := openTemp(b, &Options{MaxBatch: batch, MaxPoints: 100_000_000})
	route := Routes(map[string]*tago.DataService{"a": dev.client.Data})
	var spoolTime, sendTime time.Duration
	for i := 0; i < b.N; i++ {
		if err := s.Enqueue(context.Background(), "a", pts...); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := s.Drain(context.Background(), route); err != nil {
			b.Fatal(err)
		}
		spoolTime += time.Since(start)
		start = time.Now()
		for j := 0; j < n; j += batch {
			if _, err := dev.client.Data.Send(context.Background(), pts[j:j+batch]...); err != nil {
				b.Fatal(err)
			}
		}
		sendTime += time.Since(start)
	}
	b.ReportMetric(float64(b.N*n)/spoolTime.Seconds(), "spool-points/s")
	b.ReportMetric(float64(b.N*n)/sendTime.Seconds(), "send-points/s")
	b.ReportMetric(100*sendTime.Seconds()/spoolTime.Seconds(), "%-of-send")
}
