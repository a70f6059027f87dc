package tago

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	resFileURL   = "https://api.tago.io/file/" + resProfileID + "/reports/may%20report.csv"
	resSignedURL = "https://storage.tago.example/" + resProfileID + "/reports/may%20report.csv?X-Amz-Signature=0123456789abcdef"
)

func TestFilesOperations(t *testing.T) {
	t.Parallel()
	modified := time.Date(2023, 10, 16, 13, 25, 4, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/files", query: "path=/&qty=300",
			result: `{"files":[{"filename":"layer01.png","size":63480,"last_modified":"2023-10-16T13:25:04.000Z","public":true},` +
				`{"filename":"empty.txt","size":0,"last_modified":null,"public":false}],` +
				`"folders":["reports","image"],"total":50,"usage":6.02,"pagination_token":"1"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Files.List(ctx, nil) },
			want: FileList{Files: []File{{Filename: "layer01.png", Size: 63480, LastModified: modified, Public: true}, {Filename: "empty.txt"}},
				Folders: []string{"reports", "image"}, Total: 50, Usage: 6.02, PaginationToken: "1"},
		},
		{
			name: "list a folder from a token", method: "GET", path: "/files",
			query:  "path=reports/2024/&pagination_token=abc+/=&qty=50",
			result: `{"files":[],"folders":[],"total":50,"usage":0}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Files.List(ctx, &FileListOptions{Path: "reports/2024/", Quantity: 50, PaginationToken: "abc+/="})
			},
			want: FileList{Files: []File{}, Folders: []string{}, Total: 50},
		},
		{
			name: "upload a batch", method: "POST", path: "/files",
			body:   `[{"filename":"/a.txt","file":"aGVsbG8="},{"filename":"b/c.bin","file":"AAEC","public":true}]`,
			result: `"2 Files Uploaded"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Files.UploadBatch(ctx, []FileContent{{Filename: "/a.txt", Content: []byte("hello")},
					{Filename: "b/c.bin", Content: []byte{0, 1, 2}, Public: Ptr(true)}}))
			},
		},
		{
			name: "move", method: "PUT", path: "/files", body: `[{"from":"/layer05.png","to":"/images/layer05.png"}]`,
			result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Files.Move(ctx, []FileTransfer{{From: "/layer05.png", To: "/images/layer05.png"}}))
			},
		},
		{
			name: "copy", method: "PUT", path: "/files/copy", body: `[{"from":"/layer05.png","to":"/layer05 - Copy.png"}]`,
			result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Files.Copy(ctx, []FileTransfer{{From: "/layer05.png", To: "/layer05 - Copy.png"}}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/files", body: `["/path/to/file.txt","folder/to/delete"]`,
			result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Files.Delete(ctx, []string{"/path/to/file.txt", "folder/to/delete"}))
			},
		},
		{
			name: "check permission", method: "GET", path: "/files/permission", query: "file=/reports/may report.csv",
			result: `{"public":true}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Files.CheckPermission(ctx, "/reports/may report.csv")
			},
			want: FilePermission{File: "/reports/may report.csv", Public: true},
		},
		{
			name: "change permission", method: "PUT", path: "/files/permission",
			body: `[{"file":"/layer05.png","public":true},{"file":"b.txt","public":false}]`, result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Files.ChangePermission(ctx, []FilePermission{{File: "/layer05.png", Public: true}, {File: "b.txt"}}))
			},
		},
		{
			name: "signed URL", method: "GET", path: "/file/" + resProfileID + "/reports/may%20report.csv", query: "noRedirect=true",
			result: `"` + resSignedURL + `"`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Files.SignedURL(ctx, resFileURL) },
			want:   Secret(resSignedURL),
		},
		{
			name: "signed URL from a path", method: "GET", path: "/file/" + resProfileID + "/a/b.txt", query: "noRedirect=true",
			result: `"` + resSignedURL + `"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Files.SignedURL(ctx, "/file/"+resProfileID+"/a/b.txt")
			},
			want: Secret(resSignedURL),
		},
		{
			name: "MD5 of a TagoIO Deploy file", method: "GET", path: "/file/" + resProfileID + "/x.bin", query: "md5=true&noRedirect=true",
			result: `"d41d8cd98f00b204e9800998ecf8427e"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Files.MD5(ctx, "https://api.project.tagoio.net/file/"+resProfileID+"/x.bin")
			},
			want: "d41d8cd98f00b204e9800998ecf8427e",
		},
		{
			name: "small upload", method: "POST", path: "/files",
			body: `[{"filename":"notes/a.txt","file":"aGVsbG8=","public":false}]`, result: `"1 Files Uploaded"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Files.Upload(ctx, "notes/a.txt", strings.NewReader("hello"), &FileUploadOptions{Public: Ptr(false)})
			},
			want: FileUploadResult{Size: 5},
		},
	})
}

// pagesResponder answers GET /files with the pages in order, each a FileList's JSON,
// and records the requests.
func pagesResponder(mt *httpmock.MockTransport, pages ...string) *capture {
	answers := make([]func(*http.Request) (*http.Response, error), len(pages))
	for i, p := range pages {
		answers[i] = reply(200, `{"status":true,"result":`+p+`}`)
	}
	return expectSeq(mt, "GET", "/files", answers...)
}

func TestFilesAllFollowsTokens(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := pagesResponder(mt,
		`{"files":[{"filename":"r/a.csv","size":1},{"filename":"r/b.csv","size":2}],"folders":["x"],"pagination_token":"t1"}`,
		`{"files":[{"filename":"r/c.csv","size":3}],"folders":[],"pagination_token":"t2"}`,
		`{"files":[],"folders":["y"]}`)
	var entries []FileEntry
	for e, err := range c.Files.All(t.Context(), &FileListOptions{Path: "r/", Quantity: 3}) {
		require.NoError(t, err)
		entries = append(entries, e)
	}
	assert.Equal(t, []FileEntry{
		{File: File{Filename: "r/a.csv", Size: 1}}, {File: File{Filename: "r/b.csv", Size: 2}}, {Folder: "x"},
		{File: File{Filename: "r/c.csv", Size: 3}}, {Folder: "y"},
	}, entries)
	assert.True(t, entries[2].IsFolder())
	assert.False(t, entries[0].IsFolder())
	var queries []string
	for _, r := range got.all() {
		queries = append(queries, r.Query)
	}
	assert.Equal(t, []string{"path=r/&qty=3", "path=r/&pagination_token=t1&qty=3", "path=r/&pagination_token=t2&qty=3"}, queries)
}

func TestFilesAllStartsFromTokenAndStopsEarly(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := pagesResponder(mt, `{"files":[{"filename":"a"},{"filename":"b"}],"pagination_token":"t9"}`, `{"files":[{"filename":"c"}]}`)
	opts := &FileListOptions{PaginationToken: "t8"}
	for e, err := range c.Files.All(t.Context(), opts) {
		require.NoError(t, err)
		assert.Equal(t, "a", e.File.Filename)
		break
	}
	require.Equal(t, 1, got.count(), "breaking out of the loop fetches no more pages")
	assert.Equal(t, "path=/&pagination_token=t8&qty=300", got.last(t).Query)
	assert.Equal(t, "t8", opts.PaginationToken, "the options are not modified")
}

// TestFilesAllRefusesToLoop checks that a server repeating a token or a page ends the
// iteration with a *PagingError instead of fetching pages forever.
func TestFilesAllRefusesToLoop(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		first string
		qty   int
		pages []string
		items int
		want  *PagingError
	}{
		{"the same token again", "", 0, []string{`{"files":[{"filename":"a"}],"pagination_token":"t1"}`,
			`{"files":[{"filename":"b"}],"pagination_token":"t1"}`}, 2, &PagingError{Page: 1, Size: 300, Got: 1, RepeatedToken: true}},
		{"a cycle of tokens", "", 0, []string{`{"files":[{"filename":"a"}],"pagination_token":"t1"}`,
			`{"files":[{"filename":"b"}],"pagination_token":"t2"}`, `{"files":[{"filename":"c"}],"pagination_token":"t1"}`},
			3, &PagingError{Page: 2, Size: 300, Got: 1, RepeatedToken: true}},
		{"the caller's token back", "t0", 0, []string{`{"files":[{"filename":"a"}],"pagination_token":"t0"}`},
			1, &PagingError{Page: 0, Size: 300, Got: 1, RepeatedToken: true}},
		{"a token ignored", "", 5, []string{`{"files":[{"filename":"a"}],"folders":["f"],"pagination_token":"t1"}`,
			`{"files":[{"filename":"a"}],"folders":["f"],"pagination_token":"t2"}`}, 2, &PagingError{Page: 1, Size: 5, Got: 2, Repeated: true}},
		{"empty pages with fresh tokens", "", 0, []string{`{"files":[],"pagination_token":"t1"}`, `{"files":[],"pagination_token":"t2"}`},
			0, &PagingError{Page: 1, Size: 300, Got: 0, Repeated: true}},
		{"a page larger than asked", "", 1, []string{`{"files":[{"filename":"a"}],"folders":["f"],"pagination_token":"t1"}`},
			0, &PagingError{Page: 0, Size: 1, Got: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
			got := pagesResponder(mt, tc.pages...)
			n := 0
			var errs []error
			for _, err := range c.Files.All(t.Context(), &FileListOptions{PaginationToken: tc.first, Quantity: tc.qty}) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				n++
			}
			require.Len(t, errs, 1)
			assert.Equal(t, tc.want, errs[0])
			assert.Equal(t, tc.items, n)
			assert.Equal(t, len(tc.pages), got.count())
		})
	}
	assert.EqualError(t, &PagingError{Page: 1, Size: 300, Got: 1, RepeatedToken: true},
		"tago: the server ignored paging: page 2 names as the next page a token it named before")
}

func TestFilesAllReportsErrorOnce(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expectSeq(mt, "GET", "/files", reply(200, `{"status":true,"result":{"files":[{"filename":"a"}],"pagination_token":"t1"}}`),
		reply(403, `{"status":false,"message":"Authorization Denied"}`))
	var names []string
	var errs []error
	for e, err := range c.Files.All(t.Context(), nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		names = append(names, e.File.Filename)
	}
	assert.Equal(t, []string{"a"}, names)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrForbidden)
}

func TestFilesBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	okReader := strings.NewReader("x")
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"negative quantity", "quantity", func(ctx context.Context, c *Client) error {
			_, err := c.Files.List(ctx, &FileListOptions{Quantity: -1})
			return err
		}},
		{"path with ..", "path", func(ctx context.Context, c *Client) error {
			_, err := c.Files.List(ctx, &FileListOptions{Path: "a/../b"})
			return err
		}},
		{"token with a line break", "pagination token", func(ctx context.Context, c *Client) error {
			return firstErr(c.Files.All(ctx, &FileListOptions{PaginationToken: "a\nb"}))
		}},
		{"no files to upload", "files", func(ctx context.Context, c *Client) error { return c.Files.UploadBatch(ctx, nil) }},
		{"blank file name", "files[1].filename", func(ctx context.Context, c *Client) error {
			return c.Files.UploadBatch(ctx, []FileContent{{Filename: "a"}, {Filename: " "}})
		}},
		{"no moves", "files", func(ctx context.Context, c *Client) error { return c.Files.Move(ctx, nil) }},
		{"move to nowhere", "files[0].to", func(ctx context.Context, c *Client) error {
			return c.Files.Move(ctx, []FileTransfer{{From: "a"}})
		}},
		{"copy from a control character", "files[0].from", func(ctx context.Context, c *Client) error {
			return c.Files.Copy(ctx, []FileTransfer{{From: "a\x00", To: "b"}})
		}},
		{"delete nothing", "paths", func(ctx context.Context, c *Client) error { return c.Files.Delete(ctx, []string{}) }},
		{"delete the whole storage", "paths[1]", func(ctx context.Context, c *Client) error {
			return c.Files.Delete(ctx, []string{"a", "/"})
		}},
		{"delete the root unnamed", "paths[0]", func(ctx context.Context, c *Client) error {
			return c.Files.Delete(ctx, []string{""})
		}},
		{"delete with ..", "paths[0]", func(ctx context.Context, c *Client) error {
			return c.Files.Delete(ctx, []string{"archive..bak/report.csv"})
		}},
		{"check nothing", "file", func(ctx context.Context, c *Client) error {
			_, err := c.Files.CheckPermission(ctx, "")
			return err
		}},
		{"change nothing", "files", func(ctx context.Context, c *Client) error { return c.Files.ChangePermission(ctx, nil) }},
		{"change a blank file", "files[0].file", func(ctx context.Context, c *Client) error {
			return c.Files.ChangePermission(ctx, []FilePermission{{File: ""}})
		}},
		{"signed URL of nothing", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SignedURL(ctx, " ")
			return err
		}},
		{"signed URL of another scheme", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SignedURL(ctx, "ftp://ftp.tago.io/file/x.txt")
			return err
		}},
		{"signed URL of mailto", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SignedURL(ctx, "mailto:test@tago.io/file/x.txt")
			return err
		}},
		{"signed URL outside /file/", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SignedURL(ctx, "https://api.tago.io/files/something.txt")
			return err
		}},
		{"signed URL of /FILE/", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SignedURL(ctx, "https://api.tago.io/FILE/something.txt")
			return err
		}},
		{"signed URL of /file alone", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SignedURL(ctx, "https://api.tago.io/file/")
			return err
		}},
		{"signed URL without a host", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SignedURL(ctx, "https:///file/x.txt")
			return err
		}},
		{"signed URL with credentials", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.SignedURL(ctx, "https://u:p@api.tago.io/file/x.txt")
			return err
		}},
		{"MD5 of a malformed URL", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.MD5(ctx, "https://api.tago.io/file/%zz")
			return err
		}},
		{"MD5 through ..", "file URL", func(ctx context.Context, c *Client) error {
			_, err := c.Files.MD5(ctx, "https://api.tago.io/file/p/../../account")
			return err
		}},
		{"upload without a name", "filename", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "", okReader, nil)
			return err
		}},
		{"upload a nil reader", "reader", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "a", nil, nil)
			return err
		}},
		{"parts too small", "part size", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "a", okReader, &FileUploadOptions{PartSize: MinFilePartSize - 1})
			return err
		}},
		{"parts too large", "part size", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "a", okReader, &FileUploadOptions{PartSize: MaxFilePartSize + 1})
			return err
		}},
		{"too parallel", "parallel", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "a", okReader, &FileUploadOptions{Parallel: MaxFileParallel + 1})
			return err
		}},
		{"negative parallel", "parallel", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "a", okReader, &FileUploadOptions{Parallel: -1})
			return err
		}},
		{"small files larger than a part", "small file max", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "a", okReader, &FileUploadOptions{SmallFileMax: DefaultFilePartSize + 1})
			return err
		}},
		{"content type with a line break", "content type", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "a", okReader, &FileUploadOptions{ContentType: "text/csv\r\nX-Evil: 1"})
			return err
		}},
		{"a file too large for its parts", "part size", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "a", sizedReader{n: MaxFileParts*MinFilePartSize + 1}, &FileUploadOptions{PartSize: MinFilePartSize})
			return err
		}},
		{"widget upload without a dashboard", "dashboard ID", func(ctx context.Context, c *Client) error {
			_, err := c.Files.UploadToWidget(ctx, WidgetField{WidgetID: resWidgetID, FieldID: "f"}, "a", okReader, nil)
			return err
		}},
		{"widget upload with a bad widget ID", "widget ID", func(ctx context.Context, c *Client) error {
			_, err := c.Files.UploadToWidget(ctx, WidgetField{DashboardID: resDashboardID, WidgetID: "w", FieldID: "f"}, "a", okReader, nil)
			return err
		}},
		{"widget upload without a field", "field ID", func(ctx context.Context, c *Client) error {
			_, err := c.Files.UploadToWidget(ctx, WidgetField{DashboardID: resDashboardID, WidgetID: resWidgetID}, "a", okReader, nil)
			return err
		}},
		{"widget upload with a bad field", "field ID", func(ctx context.Context, c *Client) error {
			_, err := c.Files.UploadToWidget(ctx, WidgetField{DashboardID: resDashboardID, WidgetID: resWidgetID, FieldID: "a\nb"}, "a", okReader, nil)
			return err
		}},
		{"widget upload with a bad blueprint device", "blueprint devices[0].id", func(ctx context.Context, c *Client) error {
			_, err := c.Files.UploadToWidget(ctx, WidgetField{DashboardID: resDashboardID, WidgetID: resWidgetID, FieldID: "f",
				BlueprintDevices: []BlueprintDevice{{Origin: "slot", ID: "nope"}}}, "a", okReader, nil)
			return err
		}},
		{"upload with a nil context", "context", func(_ context.Context, c *Client) error {
			//lint:ignore SA1012 a nil context is the bad input under test
			_, err := c.Files.Upload(nil, "a", okReader, nil)
			return err
		}},
		{"All with a nil context", "context", func(_ context.Context, c *Client) error {
			//lint:ignore SA1012 a nil context is the bad input under test
			return firstErr(c.Files.All(nil, nil))
		}},
	})
}

// sizedReader claims to hold n bytes of zeros.
type sizedReader struct{ n int }

func (r sizedReader) Read(p []byte) (int, error) {
	return 0, errors.New("sizedReader must not be read")
}
func (r sizedReader) Len() int { return r.n }

func TestFilesNeedAnAccountToken(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
	mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"status":true,"result":"x"}`))
	read := 0
	r := readFunc(func(p []byte) (int, error) { read++; return 0, errors.New("never read") })
	for name, run := range map[string]func() error{
		"list":   func() error { _, err := c.Files.List(t.Context(), nil); return err },
		"upload": func() error { _, err := c.Files.Upload(t.Context(), "a", r, nil); return err },
		"widget": func() error {
			_, err := c.Files.UploadToWidget(t.Context(), WidgetField{DashboardID: resDashboardID, WidgetID: resWidgetID, FieldID: "f"}, "a", r, nil)
			return err
		},
		"signed URL": func() error { _, err := c.Files.SignedURL(t.Context(), resFileURL); return err },
	} {
		assert.ErrorIs(t, run(), ErrTokenKind, name)
	}
	assert.Zero(t, mt.GetTotalCallCount())
	assert.Zero(t, read, "an upload refused for its token reads nothing")
}

// readFunc adapts a function to io.Reader.
type readFunc func(p []byte) (int, error)

func (f readFunc) Read(p []byte) (int, error) { return f(p) }

// TestFilesRetries checks which file calls are repeated after a failure the platform
// may have carried out (a 502 from its proxy).
func TestFilesRetries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		method  string
		path    string
		run     func(ctx context.Context, c *Client) error
		retried bool
	}{
		{"move is not repeated", "PUT", "/files", func(ctx context.Context, c *Client) error {
			return c.Files.Move(ctx, []FileTransfer{{From: "a", To: "b"}})
		}, false},
		{"a copy is repeated", "PUT", "/files/copy", func(ctx context.Context, c *Client) error {
			return c.Files.Copy(ctx, []FileTransfer{{From: "a", To: "b"}, {From: "a", To: "c"}})
		}, true},
		{"a chained copy is not", "PUT", "/files/copy", func(ctx context.Context, c *Client) error {
			return c.Files.Copy(ctx, []FileTransfer{{From: "b", To: "c"}, {From: "/a", To: "b/"}})
		}, false},
		{"delete is repeated", "DELETE", "/files", func(ctx context.Context, c *Client) error {
			return c.Files.Delete(ctx, []string{"a"})
		}, true},
		{"a permission change is repeated", "PUT", "/files/permission", func(ctx context.Context, c *Client) error {
			return c.Files.ChangePermission(ctx, []FilePermission{{File: "a", Public: true}})
		}, true},
		{"a batch upload is repeated", "POST", "/files", func(ctx context.Context, c *Client) error {
			return c.Files.UploadBatch(ctx, []FileContent{{Filename: "a", Content: []byte("x")}})
		}, true},
		{"a small upload is repeated", "POST", "/files", func(ctx context.Context, c *Client) error {
			_, err := c.Files.Upload(ctx, "a", strings.NewReader("x"), nil)
			return err
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, rec := newTestClient(t, AccountToken(testAccountToken))
			got := expectSeq(mt, tc.method, tc.path, reply(502, `<html>bad gateway</html>`), reply(200, `{"status":true,"result":"ok"}`))
			err := tc.run(t.Context(), c)
			if tc.retried {
				require.NoError(t, err)
				assert.Equal(t, 2, got.count())
				assert.Len(t, rec.recorded(), 1)
				assert.Equal(t, got.all()[0].Body, got.all()[1].Body, "the same body is sent again")
				return
			}
			require.ErrorIs(t, err, ErrServer)
			assert.True(t, MayBeStored(err))
			assert.Equal(t, 1, got.count())
			assert.Empty(t, rec.recorded())
		})
	}
}

// TestFilesSignedURLNeverShown checks that a signed URL, which grants access to a
// file, is masked when printed or logged.
func TestFilesSignedURLNeverShown(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "GET", "/file/"+resProfileID+"/reports/may%20report.csv", 200, `{"status":true,"result":"`+resSignedURL+`"}`)
	u, err := c.Files.SignedURL(t.Context(), resFileURL)
	require.NoError(t, err)
	assert.Equal(t, resSignedURL, u.Reveal())
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("signed", "url", u)
	for _, shown := range []string{fmt.Sprint(u), fmt.Sprintf("%v %s %q %#v %+v", u, u, u, u, u), logged.String()} {
		assert.NotContains(t, shown, "X-Amz-Signature")
		assert.NotContains(t, shown, "storage.tago.example")
	}
}

func TestFilesErrorsNameTheCall(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "GET", "/files/permission", 404, `{"status":false,"message":"File not found"}`)
	_, err := c.Files.CheckPermission(t.Context(), "nope.txt")
	require.ErrorIs(t, err, ErrNotFound)
	assert.EqualError(t, err, "tago: GET /files/permission: 404 File not found")
}

func TestFilesOnAZeroClient(t *testing.T) {
	t.Parallel()
	var zero Client
	_, err := zero.Files.List(t.Context(), nil)
	assert.ErrorIs(t, err, errNilClient)
	assert.ErrorIs(t, firstErr(zero.Files.All(t.Context(), nil)), errNilClient)
	_, err = zero.Files.Upload(t.Context(), "a", strings.NewReader("x"), nil)
	assert.ErrorIs(t, err, errNilClient)
	_, err = zero.Files.UploadToWidget(t.Context(), WidgetField{DashboardID: resDashboardID, WidgetID: resWidgetID, FieldID: "f"}, "a", strings.NewReader("x"), nil)
	assert.ErrorIs(t, err, errNilClient)
	assert.ErrorIs(t, zero.Files.Delete(t.Context(), []string{"a"}), errNilClient)
}
