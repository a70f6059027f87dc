package tago_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// uploadMiB sizes TestFlowFilesUploadWithFault. The default keeps the test run short;
// the proof is the 256 MiB run:
//
//	go test -run TestFlowFilesUploadWithFault -files.upload-mib=256 .
var uploadMiB = flag.Int("files.upload-mib", 24, "size in MiB of the multipart upload in TestFlowFilesUploadWithFault")

// noise returns a reader of n pseudo-random bytes, the same for the same seed, so a
// test can check an upload against a second pass without holding the file.
func noise(seed uint64, n int64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	return io.LimitReader(rand.NewChaCha8(s), n)
}

// md5Of returns the hexadecimal MD5 of r's bytes.
func md5Of(t testing.TB, r io.Reader) string {
	t.Helper()
	h := md5.New()
	_, err := io.Copy(h, r)
	require.NoError(t, err)
	return hex.EncodeToString(h.Sum(nil))
}

// partNumbers returns the part number of each multipart part request srv received,
// in order, and which of them a fault hit.
func partNumbers(srv *tagotest.Server) (parts []int, faulted []int) {
	for _, r := range requestsTo(srv, "POST", "/files") {
		if r.Form.Get("multipart_action") != "upload" {
			continue
		}
		n, _ := strconv.Atoi(r.Form.Get("part"))
		parts = append(parts, n)
		if r.Fault != "" {
			faulted = append(faulted, n)
		}
	}
	return parts, faulted
}

// TestFlowFilesUploadWithFault uploads a file through the multipart upload against
// tagotest while a fault cuts a part in the middle, and checks that the upload
// finishes with every part stored once and the file byte-identical (by MD5).
func TestFlowFilesUploadWithFault(t *testing.T) {
	t.Parallel()
	size := int64(*uploadMiB) << 20
	nParts := int((size + tago.DefaultFilePartSize - 1) / tago.DefaultFilePartSize)
	require.GreaterOrEqual(t, nParts, 3, "the upload needs a middle part")
	want := md5Of(t, noise(1, size))

	for _, tc := range []struct {
		name     string
		parallel int
		fault    tagotest.Fault
	}{
		// One part at a time, so the fault hits exactly the middle part: the platform
		// stores it, then the connection is reset; the part is sent again.
		{"reset after the part was stored", 1, tagotest.Fault{Reset: true, Process: true}},
		// Three at a time: a proxy's 502 in place of a part near the middle.
		{"502 in parallel", 3, tagotest.Fault{Status: http.StatusBadGateway, Body: tagotest.BadGatewayHTML}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := tagotest.NewServer(t, tagotest.WithFileDir(t.TempDir()))
			c, rec := flowClient(t, srv, tago.AccountToken(srv.AccountToken()))
			middle := nParts/2 + 1
			f := tc.fault
			f.Method, f.Path, f.Skip = "POST", "/files", middle // the start, then middle-1 parts pass
			hit := srv.Inject(f)

			var last tago.FileUploadProgress
			calls := 0
			res, err := c.Files.Upload(t.Context(), "backups/big.bin", noise(1, size), &tago.FileUploadOptions{
				Parallel: tc.parallel, Progress: func(p tago.FileUploadProgress) { last = p; calls++ }})
			require.NoError(t, err)
			assert.Equal(t, 1, hit.Hits())
			assert.Equal(t, srv.URL+"/file/"+srv.ProfileID()+"/backups/big.bin", res.URL)
			assert.Equal(t, tago.FileUploadResult{URL: res.URL, Size: size, Parts: nParts}, res)
			assert.Equal(t, tago.FileUploadProgress{Sent: size, Total: size, Parts: nParts}, last)
			assert.Equal(t, nParts, calls)
			assert.Len(t, rec.recorded(), 1, "one backoff before the part was sent again")

			parts, faulted := partNumbers(srv)
			require.Len(t, faulted, 1)
			if tc.parallel == 1 {
				assert.Equal(t, []int{middle}, faulted)
			}
			assert.Len(t, parts, nParts+1, "one part was sent twice")
			seen := map[int]int{}
			for _, n := range parts {
				seen[n]++
			}
			assert.Len(t, seen, nParts)
			assert.Equal(t, 2, seen[faulted[0]])

			ends := 0
			for _, r := range requestsTo(srv, "POST", "/files") {
				var end struct {
					Action string `json:"multipart_action"`
					Parts  []struct{ PartNumber int }
				}
				if json.Unmarshal(r.Body, &end) != nil || end.Action != "end" {
					continue
				}
				ends++
				require.Len(t, end.Parts, nParts, "each part listed once")
				for i, p := range end.Parts {
					assert.Equal(t, i+1, p.PartNumber)
				}
			}
			assert.Equal(t, 1, ends)

			got, err := c.Files.MD5(t.Context(), res.URL)
			require.NoError(t, err)
			assert.Equal(t, want, got, "the stored file is byte-identical")
			list, err := c.Files.List(t.Context(), &tago.FileListOptions{Path: "backups/"})
			require.NoError(t, err)
			require.Len(t, list.Files, 1)
			assert.Equal(t, size, list.Files[0].Size, "no part stored twice")
		})
	}
}

func TestFlowFiles(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	ctx := t.Context()

	small, err := c.Files.Upload(ctx, "/notes/hello.txt", bytes.NewReader([]byte("hello")), &tago.FileUploadOptions{Public: tago.Ptr(true)})
	require.NoError(t, err)
	assert.Equal(t, tago.FileUploadResult{Size: 5}, small, "one request, no URL back")
	got, ok := srv.File("", "notes/hello.txt")
	require.True(t, ok)
	assert.Equal(t, "hello", string(got))

	res, err := c.Files.Upload(ctx, "notes/forced.txt", bytes.NewReader([]byte("multipart")), &tago.FileUploadOptions{SmallFileMax: -1, ContentType: "text/plain"})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Parts)
	require.NoError(t, c.Files.UploadBatch(ctx, []tago.FileContent{{Filename: "notes/a.csv", Content: []byte("a,b")}, {Filename: "top.txt", Content: []byte("t")}}))

	perm, err := c.Files.CheckPermission(ctx, "notes/hello.txt")
	require.NoError(t, err)
	assert.True(t, perm.Public)
	require.NoError(t, c.Files.ChangePermission(ctx, []tago.FilePermission{{File: "notes/hello.txt", Public: false}}))
	perm, err = c.Files.CheckPermission(ctx, "notes/hello.txt")
	require.NoError(t, err)
	assert.False(t, perm.Public)

	require.NoError(t, c.Files.Copy(ctx, []tago.FileTransfer{{From: "top.txt", To: "notes/top-copy.txt"}}))
	require.NoError(t, c.Files.Move(ctx, []tago.FileTransfer{{From: "top.txt", To: "archive/top.txt"}}))

	// Every entry, two per page, following the platform's tokens.
	var entries []string
	for e, err := range c.Files.All(ctx, &tago.FileListOptions{Path: "notes/", Quantity: 2}) {
		require.NoError(t, err)
		entries = append(entries, e.File.Filename)
	}
	assert.Equal(t, []string{"notes/a.csv", "notes/forced.txt", "notes/hello.txt", "notes/top-copy.txt"}, entries)
	root, err := c.Files.List(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"archive", "notes"}, root.Folders)
	assert.Empty(t, root.Files)

	link, err := c.Files.SignedURL(ctx, res.URL)
	require.NoError(t, err)
	resp, err := http.Get(link.Reveal())
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "multipart", string(body))
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	sum, err := c.Files.MD5(ctx, res.URL)
	require.NoError(t, err)
	assert.Equal(t, md5Of(t, bytes.NewReader([]byte("multipart"))), sum)

	require.NoError(t, c.Files.Delete(ctx, []string{"notes"}))
	assert.Equal(t, []string{"archive/top.txt"}, srv.Files(""), "a path naming no file deletes the folder")
	_, err = c.Files.CheckPermission(ctx, "notes/hello.txt")
	assert.ErrorIs(t, err, tago.ErrNotFound)
}

func TestFlowFilesWidgetUpload(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	d := srv.AddDashboard(tagotest.DashboardSpec{Label: "Field reports"})
	w := srv.AddWidget(d.ID, tagotest.WidgetSpec{Label: "Report form", Type: "form"})
	res, err := c.Files.UploadToWidget(t.Context(), tago.WidgetField{DashboardID: d.ID, WidgetID: w.ID, FieldID: "photo"},
		"reports/photo.jpg", bytes.NewReader([]byte("jpeg bytes")), nil)
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/file/"+srv.ProfileID()+"/reports/photo.jpg", res.URL)
	got, _ := srv.File("", "reports/photo.jpg")
	assert.Equal(t, "jpeg bytes", string(got))

	_, err = c.Files.UploadToWidget(t.Context(), tago.WidgetField{DashboardID: d.ID, WidgetID: d.ID, FieldID: "photo"},
		"reports/x.jpg", bytes.NewReader([]byte("x")), nil)
	assert.ErrorIs(t, err, tago.ErrNotFound)
	assert.False(t, tago.MayBeStored(err))
}

// TestFlowFilesUploadCanceled cancels an upload while the platform is slow to take its
// parts: Upload returns at once with the context's error, and nothing is stored.
func TestFlowFilesUploadCanceled(t *testing.T) {
	t.Parallel()
	srv := tagotest.NewServer(t)
	c := accountClient(t, srv)
	srv.Inject(tagotest.Fault{Method: "POST", Path: "/files", Skip: 1, Times: -1, Delay: time.Hour}) // every part
	ctx, cancel := context.WithCancel(t.Context())
	src := noise(2, 3*tago.DefaultFilePartSize)
	reads := 0
	r := readerFunc(func(p []byte) (int, error) {
		if reads++; reads == 3 {
			cancel() // parts 1 and 2 are on their way, and held by the fault
		}
		return src.Read(p)
	})
	_, err := c.Files.Upload(ctx, "slow.bin", r, nil)
	require.ErrorIs(t, err, context.Canceled)
	var ue *tago.FileUploadError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, tago.UploadStagePart, ue.Stage)
	assert.Empty(t, srv.Files(""))
}

// readerFunc adapts a function to io.Reader.
type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// BenchmarkFilesUploadTagotest uploads 256 MiB to tagotest (keeping contents on disk,
// so that the heap is the client's) and reports the peak heap in use, sampled after
// every part and every 10 ms, next to the baseline of uploading the same bytes held in
// memory. Run it by hand:
//
//	go test -run '^$' -bench FilesUploadTagotest -benchtime 1x .
func BenchmarkFilesUploadTagotest(b *testing.B) {
	const size = 256 << 20
	run := func(b *testing.B, reader func() io.Reader) {
		srv := tagotest.NewServer(b, tagotest.WithFileDir(b.TempDir()), tagotest.WithRequestLogLimit(0))
		c, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
		require.NoError(b, err)
		b.SetBytes(size)
		b.ReportAllocs()
		var peak atomic.Uint64
		for b.Loop() {
			runtime.GC()
			r := reader()
			stop := sampleHeap(&peak)
			_, err := c.Files.Upload(b.Context(), "bench.bin", r, &tago.FileUploadOptions{
				Progress: func(tago.FileUploadProgress) { raise(&peak, heapInUse()) }})
			stop()
			require.NoError(b, err)
		}
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	}
	b.Run("streamed", func(b *testing.B) { run(b, func() io.Reader { return noise(3, size) }) })
	b.Run("baseline-in-memory", func(b *testing.B) {
		run(b, func() io.Reader {
			whole, err := io.ReadAll(noise(3, size))
			require.NoError(b, err)
			return bytes.NewReader(whole)
		})
	})
}

// sampleHeap raises peak to the heap in use every 10 ms until stop is called; stop
// waits for the sampler to end.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				raise(peak, heapInUse())
			}
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}

// raise sets p to v when v is larger.
func raise(p *atomic.Uint64, v uint64) {
	for {
		old := p.Load()
		if v <= old || p.CompareAndSwap(old, v) {
			return
		}
	}
}

// heapInUse returns the bytes of heap spans in use, garbage not yet collected included.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
