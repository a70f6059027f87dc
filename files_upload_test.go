package tago

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testUploadLimits lets tests split a few bytes into parts.
var testUploadLimits = uploadLimits{minPart: 4, maxPart: 1 << 20, maxParts: MaxFileParts}

// unsized hides a reader's Len, so the upload cannot know the size ahead.
type unsized struct{ r io.Reader }

func (u unsized) Read(p []byte) (int, error) { return u.r.Read(p) }

func TestFilesUploadMultipart(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	fake := newFakeUploads(t, mt, "/files")
	content := []byte("0123456789abcdefghijklmnopqrstuvwxyz!") // 37 bytes: parts of 8, 8, 8, 8, 5
	var progress []FileUploadProgress
	res, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "reports/a b.csv", small: true}, bytes.NewReader(content),
		&FileUploadOptions{Public: Ptr(true), ContentType: "text/csv", PartSize: 8, Parallel: 2, SmallFileMax: 4,
			Progress: func(p FileUploadProgress) { progress = append(progress, p) }}, testUploadLimits)
	require.NoError(t, err)
	assert.Equal(t, FileUploadResult{URL: "https://api.tago.io/file/" + resProfileID + "/reports/a b.csv", Size: 37, Parts: 5}, res)

	starts, parts, ends, smalls := fake.counts()
	assert.Equal(t, []int{1, 5, 1, 0}, []int{starts, parts, ends, smalls})
	start := fake.starts[0]
	assert.Equal(t, []formField{{Name: "multipart_action", Value: "start"}, {Name: "filename", Value: "reports/a b.csv"},
		{Name: "public", Value: "true"}, {Name: "contentType", Value: "text/csv"}}, start.Fields)
	assert.True(t, strings.HasPrefix(start.ContentType, "multipart/form-data; boundary="), start.ContentType)
	assert.Empty(t, start.Query)

	byPart := map[string]formRequest{}
	for _, p := range fake.partReqs {
		byPart[p.field("part")] = p
		assert.Equal(t, []string{"multipart_action", "filename", "public", "upload_id", "part", "file"}, p.names())
		assert.Equal(t, "reports/a b.csv", p.Fields[5].FileName)
		assert.Equal(t, start.ContentType, p.ContentType, "one boundary for the whole upload")
	}
	for i, want := range []string{"01234567", "89abcdef", "ghijklmn", "opqrstuv", "wxyz!"} {
		p := byPart[strconv.Itoa(i+1)]
		assert.Equal(t, []formField{{Name: "multipart_action", Value: "upload"}, {Name: "filename", Value: "reports/a b.csv"},
			{Name: "public", Value: "true"}, {Name: "upload_id", Value: "UPLOAD-ID.1"}, {Name: "part", Value: strconv.Itoa(i + 1)},
			{Name: "file", FileName: "reports/a b.csv", Value: want}}, p.Fields, "part %d", i+1)
	}
	etag := func(s string) string { sum := md5.Sum([]byte(s)); return `\"` + hex.EncodeToString(sum[:]) + `\"` }
	assert.JSONEq(t, `{"multipart_action":"end","filename":"reports/a b.csv","public":true,"upload_id":"UPLOAD-ID.1","parts":[`+
		`{"ETag":"`+etag("01234567")+`","PartNumber":1},{"ETag":"`+etag("89abcdef")+`","PartNumber":2},`+
		`{"ETag":"`+etag("ghijklmn")+`","PartNumber":3},{"ETag":"`+etag("opqrstuv")+`","PartNumber":4},`+
		`{"ETag":"`+etag("wxyz!")+`","PartNumber":5}]}`, fake.ends[0].JSON)
	stored, ok := fake.file("reports/a b.csv")
	require.True(t, ok)
	assert.Equal(t, content, stored)

	require.Len(t, progress, 5)
	for i, p := range progress {
		assert.Equal(t, int64(37), p.Total)
		assert.Equal(t, i+1, p.Parts)
		if i > 0 {
			assert.Greater(t, p.Sent, progress[i-1].Sent)
		}
	}
	assert.Equal(t, FileUploadProgress{Sent: 37, Total: 37, Parts: 5}, progress[4])
}

func TestFilesUploadSizes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		size     int
		smallMax int
		sized    bool
		parts    []int // part sizes; nil for the one-request form
	}{
		{"empty, one request", 0, 4, true, nil},
		{"empty, multipart", 0, -1, false, []int{0}},
		{"at the small limit", 4, 4, false, nil},
		{"just over it", 5, 4, false, []int{5}},
		{"exactly one part", 8, 4, false, []int{8}},
		{"exactly two parts", 16, 4, true, []int{8, 8}},
		{"two parts and a byte", 17, -1, false, []int{8, 8, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
			fake := newFakeUploads(t, mt, "/files")
			content := bytes.Repeat([]byte("x"), tc.size)
			var r io.Reader = unsized{bytes.NewReader(content)}
			if tc.sized {
				r = bytes.NewReader(content)
			}
			var last FileUploadProgress
			res, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f", small: true}, r,
				&FileUploadOptions{PartSize: 8, SmallFileMax: tc.smallMax, Progress: func(p FileUploadProgress) { last = p }}, testUploadLimits)
			require.NoError(t, err)
			starts, parts, ends, smalls := fake.counts()
			assert.Equal(t, int64(tc.size), res.Size)
			assert.Equal(t, FileUploadProgress{Sent: int64(tc.size), Total: int64(tc.size), Parts: len(tc.parts)}, last,
				"the total is known at the end when the reader ended within the first part, or when it tells its size")
			if tc.parts == nil {
				assert.Equal(t, []int{0, 0, 0, 1}, []int{starts, parts, ends, smalls})
				assert.JSONEq(t, `[{"filename":"f","file":"`+strings.Repeat("eHh4", tc.size/3)+map[int]string{0: "", 1: "eA=="}[tc.size%3]+`"}]`,
					fake.smalls[0].JSON)
				assert.Equal(t, FileUploadResult{Size: int64(tc.size)}, res)
				return
			}
			assert.Equal(t, []int{1, len(tc.parts), 1, 0}, []int{starts, parts, ends, smalls})
			assert.Equal(t, len(tc.parts), res.Parts)
			for i, n := range tc.parts {
				assert.Len(t, fake.parts[i+1], n, "part %d", i+1)
			}
			stored, _ := fake.file("f")
			assert.Equal(t, content, append([]byte{}, stored...))
		})
	}
}

func TestFilesUploadUnknownSize(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	newFakeUploads(t, mt, "/files")
	var progress []FileUploadProgress
	_, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f", small: true}, unsized{strings.NewReader("0123456789")},
		&FileUploadOptions{PartSize: 4, Parallel: 1, SmallFileMax: -1, Progress: func(p FileUploadProgress) { progress = append(progress, p) }}, testUploadLimits)
	require.NoError(t, err)
	// With one part in flight and one read ahead, the end of the reader is seen while
	// part 2 is sent: from then on the total is known.
	assert.Equal(t, []FileUploadProgress{{Sent: 4, Total: -1, Parts: 1}, {Sent: 8, Total: 10, Parts: 2}, {Sent: 10, Total: 10, Parts: 3}}, progress)
}

func TestFilesUploadToWidget(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	path := "/data/files/" + resDashboardID + "/" + resWidgetID
	fake := newFakeUploads(t, mt, path)
	res, err := c.Files.UploadToWidget(t.Context(), WidgetField{DashboardID: resDashboardID, WidgetID: resWidgetID, FieldID: "photo",
		BlueprintDevices: []BlueprintDevice{{Origin: resParamID, ID: resDeviceID}}},
		"uploads/p.jpg", strings.NewReader("tiny"), &FileUploadOptions{ContentType: "image/jpeg"})
	require.NoError(t, err)
	wantQuery := "blueprint_devices[0][origin]=" + resParamID + "&blueprint_devices[0][id]=" + resDeviceID
	for _, q := range []string{fake.starts[0].Query, fake.partReqs[0].Query, fake.ends[0].Query} {
		decoded, err := url.QueryUnescape(q)
		require.NoError(t, err)
		assert.Equal(t, wantQuery, decoded, "every request of the upload names the blueprint devices")
	}
	assert.Equal(t, 1, res.Parts, "widget uploads are multipart, however small")
	starts, parts, ends, smalls := fake.counts()
	assert.Equal(t, []int{1, 1, 1, 0}, []int{starts, parts, ends, smalls})
	assert.Equal(t, path, fake.starts[0].Path)
	assert.Equal(t, []formField{{Name: "multipart_action", Value: "start"}, {Name: "filename", Value: "uploads/p.jpg"},
		{Name: "field_id", Value: "photo"}, {Name: "contentType", Value: "image/jpeg"}}, fake.starts[0].Fields)
	assert.Equal(t, []string{"multipart_action", "filename", "field_id", "upload_id", "part", "file"}, fake.partReqs[0].names())
	assert.Equal(t, "photo", fake.partReqs[0].field("field_id"))
	sum := md5.Sum([]byte("tiny"))
	assert.JSONEq(t, `{"multipart_action":"end","filename":"uploads/p.jpg","field_id":"photo","upload_id":"UPLOAD-ID.1",`+
		`"parts":[{"ETag":"\"`+hex.EncodeToString(sum[:])+`\"","PartNumber":1}]}`, fake.ends[0].JSON)
}

// TestFilesUploadPartRetried checks that a part that failed in a way the platform may
// have carried out is sent again, unchanged, and the file completes with each part once.
func TestFilesUploadPartRetried(t *testing.T) {
	t.Parallel()
	for name, failure := range map[string]func(r *http.Request) (*http.Response, error){
		"502": func(*http.Request) (*http.Response, error) {
			return envelopeResponse(502, `<html>bad gateway</html>`), nil
		},
		"connection reset":  func(*http.Request) (*http.Response, error) { return nil, errReset },
		"attempt timed out": func(*http.Request) (*http.Response, error) { return nil, context.DeadlineExceeded },
		"429 with RetryAfter": func(*http.Request) (*http.Response, error) {
			return reply(429, `{"status":false,"message":"Too many requests (Retry-After: 2)"}`)(nil)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newTestClient(t, AccountToken(testAccountToken))
			fake := newFakeUploads(t, mt, "/files")
			var failedBody, retriedBody []byte
			lastFile := func() []byte {
				fake.mu.Lock()
				defer fake.mu.Unlock()
				return []byte(fake.partReqs[len(fake.partReqs)-1].field("file"))
			}
			fake.partAnswer = func(part, attempt int, r *http.Request) *http.Response {
				if part != 2 {
					return nil
				}
				if attempt == 1 {
					failedBody = lastFile()
					resp, err := failure(r)
					if err != nil {
						panic(failAsResponse{err})
					}
					return resp
				}
				retriedBody = lastFile()
				return nil
			}
			mt.RegisterResponder("POST", testBaseURL+"/files", failingResponder(fake))
			content := []byte("aaaabbbbccccdd")
			res, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, bytes.NewReader(content),
				&FileUploadOptions{PartSize: 4, Parallel: 1}, testUploadLimits)
			require.NoError(t, err)
			assert.Equal(t, 4, res.Parts)
			assert.Equal(t, 2, fake.attempts[2])
			assert.Equal(t, []byte("bbbb"), failedBody)
			assert.Equal(t, failedBody, retriedBody)
			assert.Len(t, rec.recorded(), 1)
			stored, _ := fake.file("f")
			assert.Equal(t, content, stored, "each part once")
		})
	}
}

// TestFilesUploadStartAndEndNotReplayed checks that the start and end requests, POSTs
// the platform may have carried out, are not sent twice, and what MayBeStored says.
func TestFilesUploadStartAndEndNotReplayed(t *testing.T) {
	t.Parallel()
	t.Run("start", func(t *testing.T) {
		t.Parallel()
		c, mt, rec := newTestClient(t, AccountToken(testAccountToken))
		fake := newFakeUploads(t, mt, "/files")
		fake.startAnswer = func() *http.Response { return envelopeResponse(502, `<html>bad gateway</html>`) }
		_, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, strings.NewReader("aaaabbbb"),
			&FileUploadOptions{PartSize: 4}, testUploadLimits)
		var ue *FileUploadError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, UploadStageStart, ue.Stage)
		assert.ErrorIs(t, err, ErrServer)
		assert.False(t, MayBeStored(err), "no file exists before the end")
		assert.EqualError(t, err, `tago: upload of "f": start: POST /files: 502 <html>bad gateway</html>`)
		starts, parts, ends, _ := fake.counts()
		assert.Equal(t, []int{1, 0, 0}, []int{starts, parts, ends})
		assert.Empty(t, rec.recorded())
	})
	t.Run("end", func(t *testing.T) {
		t.Parallel()
		c, mt, rec := newTestClient(t, AccountToken(testAccountToken))
		fake := newFakeUploads(t, mt, "/files")
		fake.endAnswer = func() *http.Response { return envelopeResponse(504, ``) }
		_, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, strings.NewReader("aaaabbbb"),
			&FileUploadOptions{PartSize: 4}, testUploadLimits)
		var ue *FileUploadError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, UploadStageEnd, ue.Stage)
		assert.True(t, MayBeStored(err), "the end may have completed the file")
		_, _, ends, _ := fake.counts()
		assert.Equal(t, 1, ends)
		assert.Empty(t, rec.recorded())
	})
	t.Run("small file", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(NoRetries()))
		expect(mt, "POST", "/files", 500, `{"status":false,"message":"boom"}`)
		_, err := c.Files.Upload(t.Context(), "f", strings.NewReader("x"), nil)
		var ue *FileUploadError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, UploadStageSmall, ue.Stage)
		assert.True(t, MayBeStored(err))
	})
}

func TestFilesUploadPartFailsForGood(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	fake := newFakeUploads(t, mt, "/files")
	fake.partAnswer = func(part, _ int, _ *http.Request) *http.Response {
		if part == 3 {
			return envelopeResponse(400, `{"status":false,"message":"You have exceeded the maximum limit of files"}`)
		}
		return nil
	}
	var progress []FileUploadProgress
	_, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, strings.NewReader(strings.Repeat("z", 40)),
		&FileUploadOptions{PartSize: 4, Parallel: 1, Progress: func(p FileUploadProgress) { progress = append(progress, p) }}, testUploadLimits)
	var ue *FileUploadError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, FileUploadError{Filename: "f", Stage: UploadStagePart, Part: 3, Err: ue.Err}, *ue)
	assert.ErrorIs(t, err, ErrBadRequest)
	assert.False(t, MayBeStored(err))
	assert.EqualError(t, err, `tago: upload of "f": part 3: POST /files: 400 You have exceeded the maximum limit of files`)
	starts, parts, ends, _ := fake.counts()
	assert.Equal(t, []int{1, 3, 0}, []int{starts, parts, ends}, "nothing is sent after the failed part, no end")
	assert.Len(t, progress, 2)
}

func TestFilesUploadBadAnswers(t *testing.T) {
	t.Parallel()
	t.Run("no upload ID", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		fake := newFakeUploads(t, mt, "/files")
		fake.startAnswer = func() *http.Response { return envelopeResponse(200, `""`) }
		_, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, strings.NewReader("aaaabbbb"),
			&FileUploadOptions{PartSize: 4}, testUploadLimits)
		assert.EqualError(t, err, `tago: upload of "f": start: POST /files: the platform opened the upload without an upload ID`)
	})
	t.Run("no ETag", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		fake := newFakeUploads(t, mt, "/files")
		fake.partAnswer = func(int, int, *http.Request) *http.Response { return envelopeResponse(200, `{}`) }
		_, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, strings.NewReader("aaaa"),
			&FileUploadOptions{PartSize: 4, SmallFileMax: -1}, testUploadLimits)
		assert.EqualError(t, err, `tago: upload of "f": part 1: POST /files: the platform acknowledged part 1 without an ETag`)
	})
	t.Run("a long upload ID", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		fake := newFakeUploads(t, mt, "/files")
		fake.uploadID = strings.Repeat("L", 5000) // longer than the room kept before a part's data
		content := "aaaabbbbcc"
		res, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, strings.NewReader(content),
			&FileUploadOptions{PartSize: 4}, testUploadLimits)
		require.NoError(t, err)
		assert.Equal(t, 3, res.Parts)
		stored, _ := fake.file("f")
		assert.Equal(t, content, string(stored))
	})
}

func TestFilesUploadReadErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	t.Run("in the first part", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		_, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, io.MultiReader(strings.NewReader("ab"), errReader{boom}),
			&FileUploadOptions{PartSize: 4}, testUploadLimits)
		var ue *FileUploadError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, FileUploadError{Filename: "f", Stage: UploadStageRead, Part: 1, Err: boom}, *ue)
		assert.Zero(t, mt.GetTotalCallCount(), "nothing is sent")
	})
	t.Run("later", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		fake := newFakeUploads(t, mt, "/files")
		_, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, io.MultiReader(strings.NewReader("aaaabbbbc"), errReader{boom}),
			&FileUploadOptions{PartSize: 4, Parallel: 1}, testUploadLimits)
		require.ErrorIs(t, err, boom)
		assert.EqualError(t, err, `tago: upload of "f": read 3: disk on fire`)
		_, _, ends, _ := fake.counts()
		assert.Zero(t, ends)
	})
	t.Run("too many parts", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		fake := newFakeUploads(t, mt, "/files")
		lim := testUploadLimits
		lim.maxParts = 3
		_, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, unsized{strings.NewReader(strings.Repeat("q", 13))},
			&FileUploadOptions{PartSize: 4}, lim)
		assert.EqualError(t, err, `tago: upload of "f": read 4: the file needs more than 3 parts of 4 bytes; choose larger parts`)
		_, parts, ends, _ := fake.counts()
		assert.LessOrEqual(t, parts, 3, "the parts in flight are cancelled, part 4 is never sent")
		assert.Zero(t, ends)
	})
}

// errReader fails every Read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestFilesUploadParallelism checks that Parallel parts, and no more, are in flight at
// once, in a synctest bubble where the platform takes a second per part.
func TestFilesUploadParallelism(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mt := httpmock.NewMockTransport()
		c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(testBaseURL), WithHTTPClient(&http.Client{Transport: mt}))
		require.NoError(t, err)
		fake := newFakeUploads(t, mt, "/files")
		var mu sync.Mutex
		inflight, peak := 0, 0
		fake.partAnswer = func(int, int, *http.Request) *http.Response {
			mu.Lock()
			inflight++
			peak = max(peak, inflight)
			mu.Unlock()
			time.Sleep(time.Second)
			mu.Lock()
			inflight--
			mu.Unlock()
			return nil
		}
		start := time.Now()
		res, err := c.Files.upload(t.Context(), uploadTarget{path: "/files", filename: "f"}, strings.NewReader(strings.Repeat("p", 4*9)),
			&FileUploadOptions{PartSize: 4, Parallel: 3}, testUploadLimits)
		require.NoError(t, err)
		assert.Equal(t, 9, res.Parts)
		assert.Equal(t, 3, peak)
		assert.Equal(t, 3*time.Second, time.Since(start), "nine parts, three at a time, a second each")
	})
}

// TestFilesUploadCanceled checks that an upload whose context ends stops at once,
// cancels the parts in flight and leaves no goroutine behind: every request it started
// has returned when Upload returns, and synctest.Test fails if a goroutine of the
// bubble is still blocked when the test function returns.
func TestFilesUploadCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mt := httpmock.NewMockTransport()
		ct := &countingTransport{rt: mt}
		c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(testBaseURL), WithHTTPClient(&http.Client{Transport: ct}))
		require.NoError(t, err)
		fake := newFakeUploads(t, mt, "/files")
		ctx, cancel := context.WithCancel(t.Context())
		var mu sync.Mutex
		started := 0
		fake.partAnswer = func(part, _ int, r *http.Request) *http.Response {
			mu.Lock()
			started++
			if started == 3 {
				cancel() // the third part in flight: cancel while two others wait
			}
			mu.Unlock()
			<-r.Context().Done()
			panic(failAsResponse{r.Context().Err()})
		}
		mt.RegisterResponder("POST", testBaseURL+"/files", failingResponder(fake))
		read := 0
		r := readFunc(func(p []byte) (int, error) {
			read++
			for i := range p {
				p[i] = 'c'
			}
			return len(p), nil
		})
		_, err = c.Files.upload(ctx, uploadTarget{path: "/files", filename: "f"}, r, &FileUploadOptions{PartSize: 4, Parallel: 3}, testUploadLimits)
		active, total := ct.counts()
		assert.Equal(t, []int{0, 4}, []int{active, total}, "the start and the three parts all returned before Upload did")
		require.ErrorIs(t, err, context.Canceled)
		var ue *FileUploadError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, UploadStagePart, ue.Stage)
		assert.False(t, MayBeStored(err))
		_, parts, ends, _ := fake.counts()
		assert.Equal(t, 3, parts)
		assert.Zero(t, ends)
		assert.LessOrEqual(t, read, 4, "the reader is not drained: three parts in flight and one read ahead")
	})
}

func TestFilesUploadCanceledBeforeStart(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	newFakeUploads(t, mt, "/files")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Files.upload(ctx, uploadTarget{path: "/files", filename: "f"}, strings.NewReader("aaaabbbb"), &FileUploadOptions{PartSize: 4}, testUploadLimits)
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestReaderSize(t *testing.T) {
	t.Parallel()
	f, err := os.Create(filepath.Join(t.TempDir(), "x"))
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteString("0123456789")
	require.NoError(t, err)
	_, err = f.Seek(3, io.SeekStart)
	require.NoError(t, err)
	br := bytes.NewReader([]byte("abcdef"))
	_, _ = br.Read(make([]byte, 2))
	for name, tc := range map[string]struct {
		r    io.Reader
		want int64
	}{
		"file from its offset": {f, 7},
		"bytes.Reader":         {br, 4},
		"strings.Reader":       {strings.NewReader("abc"), 3},
		"bytes.Buffer":         {bytes.NewBufferString("ab"), 2},
		"section":              {io.NewSectionReader(strings.NewReader("abcdef"), 1, 4), 4},
		"a plain reader":       {unsized{strings.NewReader("abc")}, -1},
		"a pipe":               {mustPipe(t), -1},
	} {
		assert.Equal(t, tc.want, readerSize(tc.r), name)
	}
}

func mustPipe(t *testing.T) *os.File {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { r.Close(); w.Close() })
	return r
}

// BenchmarkFilesUploadMemory uploads 64 MiB in 5 MiB parts through httpmock and reports
// the peak heap seen after each part; compare with the baseline of reading the same
// bytes whole into memory.
func BenchmarkFilesUploadMemory(b *testing.B) {
	const size = 64 << 20
	b.Run("streamed", func(b *testing.B) {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("POST", testBaseURL+"/files", func(r *http.Request) (*http.Response, error) {
			head := make([]byte, 256)
			n, _ := io.ReadFull(r.Body, head)
			_, _ = io.Copy(io.Discard, r.Body)
			switch {
			case strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
				return envelopeResponse(200, `{"file":"u"}`), nil
			case bytes.Contains(head[:n], []byte("\r\n\r\nstart\r\n")):
				return envelopeResponse(200, `"id"`), nil
			}
			return envelopeResponse(200, `{"ETag":"e"}`), nil
		})
		c, err := NewClient(AccountToken(testAccountToken), WithBaseURL(testBaseURL), WithHTTPClient(&http.Client{Transport: mt}))
		require.NoError(b, err)
		b.SetBytes(size)
		b.ReportAllocs()
		var peak uint64
		for b.Loop() {
			_, err := c.Files.Upload(b.Context(), "f", io.LimitReader(zeros{}, size), &FileUploadOptions{PartSize: MinFilePartSize,
				Progress: func(FileUploadProgress) { peak = max(peak, heapInUse()) }})
			require.NoError(b, err)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
	b.Run("baseline-whole-file", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		var peak uint64
		for b.Loop() {
			whole, _ := io.ReadAll(io.LimitReader(zeros{}, size))
			peak = max(peak, heapInUse())
			_ = whole[len(whole)-1]
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// heapInUse returns the bytes of heap spans in use, garbage not yet collected included.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
