package tagotest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileList is the result of GET /files as the tests read it.
type fileList struct {
	Files []struct {
		Filename     string `json:"filename"`
		Size         int64  `json:"size"`
		LastModified string `json:"last_modified"`
		Public       bool   `json:"public"`
	} `json:"files"`
	Folders         []string `json:"folders"`
	Total           float64  `json:"total"`
	Usage           float64  `json:"usage"`
	PaginationToken string   `json:"pagination_token"`
}

// filenames lists a page's file names, then its folders with a trailing "/".
func (l fileList) names() []string {
	out := []string{}
	for _, f := range l.Files {
		out = append(out, f.Filename)
	}
	for _, d := range l.Folders {
		out = append(out, d+"/")
	}
	return out
}

func listFilesPage(t *testing.T, srv *Server, query string) fileList {
	t.Helper()
	r := asAccount(t, srv, "GET", "/files?"+query, nil)
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	var l fileList
	r.decode(t, &l)
	return l
}

func TestFilesListing(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	for _, p := range []string{"a.txt", "reports/2024/may.csv", "reports/june.csv", "reports.csv", "/b.bin", "zeta/x"} {
		srv.AddFile("", p, []byte("12345"))
	}
	other := srv.AddProfile("other")
	srv.AddFile(other.ID, "secret.txt", []byte("not yours"))

	root := listFilesPage(t, srv, "path=/&qty=300")
	assert.Equal(t, []string{"a.txt", "b.bin", "reports.csv", "reports/", "zeta/"}, root.names())
	assert.Empty(t, root.PaginationToken)
	assert.Equal(t, float64(1024), root.Total)
	assert.Equal(t, "2025-03-10T12:00:00.000Z", root.Files[0].LastModified)
	assert.False(t, root.Files[0].Public)
	assert.Equal(t, int64(5), root.Files[0].Size)

	assert.Equal(t, []string{"reports/june.csv", "2024/"}, listFilesPage(t, srv, "path=reports/").names(),
		"a file reports its whole path, a folder its last segment")
	assert.Equal(t, []string{"reports.csv", "reports/"}, listFilesPage(t, srv, "path=/reports").names(),
		"the path is a prefix")
	theirs := send(t, srv, "GET", "/files?path=/", "Account-Token", other.Token, nil)
	var l fileList
	theirs.decode(t, &l)
	assert.Equal(t, []string{"secret.txt"}, l.names(), "each profile sees its own files")

	// Pages of two, files and folders counted together, following the tokens.
	var all []string
	query := "path=/&qty=2"
	for range 10 {
		page := listFilesPage(t, srv, query)
		assert.LessOrEqual(t, len(page.names()), 2)
		all = append(all, page.names()...)
		if page.PaginationToken == "" {
			break
		}
		query = "path=/&qty=2&pagination_token=" + url.QueryEscape(page.PaginationToken)
	}
	assert.Equal(t, root.names(), sortedByKey(all))

	for _, bad := range []string{"qty=0", "qty=x", "pagination_token=%%%", "pagination_token=bm9wZQ"} {
		r := asAccount(t, srv, "GET", "/files?"+bad, nil)
		assert.Equal(t, http.StatusBadRequest, r.code, bad)
	}
}

// sortedByKey puts a listing's names (folders with their "/", as their keys end) back
// in key order: files come before folders within a page, so pages of mixed entries
// interleave.
func sortedByKey(names []string) []string {
	out := append([]string(nil), names...)
	sort.Strings(out)
	return out
}

func TestFilesBase64Upload(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	r := asAccount(t, srv, "POST", "/files", []map[string]any{
		{"filename": "/notes/a.txt", "file": "aGVsbG8="},
		{"filename": "b.bin", "file": "AAEC", "public": true},
	})
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	assert.Equal(t, "2 Files Uploaded", r.str(t))
	got, ok := srv.File("", "notes/a.txt")
	require.True(t, ok)
	assert.Equal(t, "hello", string(got))
	assert.True(t, filePublic(t, srv, "b.bin"))
	assert.False(t, filePublic(t, srv, "/notes/a.txt"))

	r = asAccount(t, srv, "POST", "/files", []map[string]any{{"filename": "c.txt", "file": "aGk="}, {"filename": "d.txt", "file": "not base64!"}})
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.Contains(t, r.env.FieldErrors, "1.file")
	_, ok = srv.File("", "c.txt")
	assert.False(t, ok, "one bad file refuses them all")
	r = asAccount(t, srv, "POST", "/files", []map[string]any{{"file": "aGk="}})
	assert.Contains(t, r.env.FieldErrors, "0.filename")
}

func filePublic(t *testing.T, srv *Server, name string) bool {
	t.Helper()
	r := asAccount(t, srv, "GET", "/files/permission?file="+url.QueryEscape(name), nil)
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	var p struct{ Public bool }
	r.decode(t, &p)
	return p.Public
}

// form builds a multipart/form-data body: fields in order, then a file when content is
// not nil.
func form(t *testing.T, fields [][2]string, fileName string, content []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		require.NoError(t, w.WriteField(f[0], f[1]))
	}
	if content != nil {
		fw, err := w.CreateFormFile("file", fileName)
		require.NoError(t, err)
		_, _ = fw.Write(content)
	}
	require.NoError(t, w.Close())
	return w.FormDataContentType(), b.Bytes()
}

// postForm sends a form with the account token.
func postForm(t *testing.T, srv *Server, target, token, contentType string, body []byte) resp {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL+target, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Account-Token", token)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := resp{code: res.StatusCode, header: res.Header, body: raw}
	require.NoError(t, json.Unmarshal(raw, &out.env), "body: %s", raw)
	return out
}

// uploadSteps drives a multipart upload by hand.
type uploadSteps struct {
	t      *testing.T
	srv    *Server
	target string
	token  string
	name   string
	id     string
	extra  [][2]string // fields every form carries (field_id)
}

func (u *uploadSteps) start(contentType string) resp {
	fields := append([][2]string{{"multipart_action", "start"}, {"filename", u.name}}, u.extra...)
	fields = append(fields, [2]string{"contentType", contentType})
	ct, body := form(u.t, fields, "", nil)
	r := postForm(u.t, u.srv, u.target, u.token, ct, body)
	if r.code == http.StatusOK {
		u.id = r.str(u.t)
	}
	return r
}

func (u *uploadSteps) part(n int, content []byte) (resp, string) {
	fields := append([][2]string{{"multipart_action", "upload"}, {"filename", u.name}}, u.extra...)
	fields = append(fields, [2]string{"upload_id", u.id}, [2]string{"part", strconv.Itoa(n)})
	ct, body := form(u.t, fields, u.name, content)
	r := postForm(u.t, u.srv, u.target, u.token, ct, body)
	var res struct{ ETag string }
	if r.code == http.StatusOK {
		r.decode(u.t, &res)
	}
	return r, res.ETag
}

func (u *uploadSteps) end(parts ...any) resp {
	var list []map[string]any
	for i := 0; i+1 < len(parts); i += 2 {
		list = append(list, map[string]any{"ETag": parts[i+1], "PartNumber": parts[i]})
	}
	body := map[string]any{"multipart_action": "end", "filename": u.name, "upload_id": u.id, "parts": list}
	return send(u.t, u.srv, "POST", u.target, "Account-Token", u.token, body)
}

func etagOf(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func TestFilesMultipartUpload(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	u := &uploadSteps{t: t, srv: srv, target: "/files", token: srv.AccountToken(), name: "/big/file.bin"}
	require.Equal(t, http.StatusOK, u.start("application/x-tar").code)
	assert.NotEmpty(t, u.id)

	p1 := bytes.Repeat([]byte("a"), minUploadPart)
	p2 := []byte("the last part may be small")
	r, firstTag := u.part(1, []byte("a first copy of part 1, replaced below"))
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	r, tag1 := u.part(1, p1)
	require.Equal(t, http.StatusOK, r.code)
	assert.Equal(t, etagOf(p1), tag1)
	assert.NotEqual(t, firstTag, tag1)
	var full map[string]any
	r.decode(t, &full)
	assert.Equal(t, "AES256", full["ServerSideEncryption"])
	r, tag2 := u.part(2, p2)
	require.Equal(t, http.StatusOK, r.code)

	log := srv.Requests()
	last := log[len(log)-1]
	assert.Empty(t, last.Body, "a part's bytes stay out of the log")
	assert.Equal(t, url.Values{"multipart_action": {"upload"}, "filename": {"/big/file.bin"}, "upload_id": {u.id},
		"part": {"2"}, "file": {strconv.Itoa(len(p2))}}, last.Form)

	assert.Equal(t, http.StatusBadRequest, u.end(1, firstTag, 2, tag2).code, "an ETag of a replaced copy")
	assert.Equal(t, http.StatusBadRequest, u.end(2, tag2, 1, tag1).code, "parts out of order")
	assert.Equal(t, http.StatusBadRequest, u.end(1, tag1, 3, tag2).code, "a part never sent")
	assert.Equal(t, http.StatusBadRequest, u.end().code, "no parts")
	assert.Empty(t, srv.Files(""), "refused ends store nothing")

	r = u.end(1, tag1, 2, tag2)
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	var done struct{ File string }
	r.decode(t, &done)
	assert.Equal(t, srv.URL+"/file/"+srv.ProfileID()+"/big/file.bin", done.File)
	got, ok := srv.File("", "big/file.bin")
	require.True(t, ok)
	assert.Equal(t, append(append([]byte{}, p1...), p2...), got)
	assert.Equal(t, http.StatusNotFound, u.end(1, tag1, 2, tag2).code, "a completed upload is gone: a second end fails")
	r, _ = u.part(3, p2)
	assert.Equal(t, http.StatusNotFound, r.code)
}

func TestFilesMultipartRefusals(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	u := &uploadSteps{t: t, srv: srv, target: "/files", token: srv.AccountToken(), name: "f.bin"}
	require.Equal(t, http.StatusOK, u.start("").code)

	r, tag1 := u.part(1, []byte("too small to be followed"))
	require.Equal(t, http.StatusOK, r.code)
	_, tag2 := u.part(2, []byte("last"))
	r = u.end(1, tag1, 2, tag2)
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.Contains(t, r.env.Message, "smaller than the minimum allowed size")
	assert.Empty(t, srv.Files(""))

	for name, fields := range map[string][][2]string{
		"no action":      {{"filename", "f.bin"}},
		"unknown action": {{"multipart_action", "abort"}, {"filename", "f.bin"}},
		"part 0":         {{"multipart_action", "upload"}, {"filename", "f.bin"}, {"upload_id", u.id}, {"part", "0"}},
		"part 10001":     {{"multipart_action", "upload"}, {"filename", "f.bin"}, {"upload_id", u.id}, {"part", "10001"}},
		"another file":   {{"multipart_action", "upload"}, {"filename", "g.bin"}, {"upload_id", u.id}, {"part", "1"}},
		"bad public":     {{"multipart_action", "start"}, {"filename", "f.bin"}, {"public", "yes"}},
		"no filename":    {{"multipart_action", "start"}},
	} {
		ct, body := form(t, fields, "f.bin", []byte("x"))
		assert.Equal(t, http.StatusBadRequest, postForm(t, srv, "/files", srv.AccountToken(), ct, body).code, name)
	}
	ct, body := form(t, [][2]string{{"multipart_action", "upload"}, {"filename", "f.bin"}, {"upload_id", u.id}, {"part", "1"}}, "", nil)
	assert.Equal(t, http.StatusBadRequest, postForm(t, srv, "/files", srv.AccountToken(), ct, body).code, "no file")
	ct, body = form(t, [][2]string{{"multipart_action", "upload"}, {"filename", "f.bin"}, {"upload_id", "nope"}, {"part", "1"}}, "f.bin", []byte("x"))
	assert.Equal(t, http.StatusNotFound, postForm(t, srv, "/files", srv.AccountToken(), ct, body).code, "unknown upload")

	other := srv.AddProfile("other")
	theirs := *u
	theirs.token = other.Token
	r, _ = theirs.part(1, []byte("x"))
	assert.Equal(t, http.StatusNotFound, r.code, "another profile's upload")
	r = send(t, srv, "POST", "/files", "Account-Token", srv.AccountToken(), map[string]any{"multipart_action": "finish", "upload_id": u.id})
	assert.Equal(t, http.StatusBadRequest, r.code)
	r = postForm(t, srv, "/files", srv.AccountToken(), "multipart/form-data; boundary=xyz", []byte("--xyz\r\nbroken"))
	assert.Equal(t, http.StatusBadRequest, r.code)
}

func TestFilesWidgetUpload(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	d := srv.AddDashboard(DashboardSpec{Label: "Plant"})
	w := srv.AddWidget(d.ID, WidgetSpec{Label: "Form", Type: "form"})
	target := "/data/files/" + d.ID + "/" + w.ID + "?blueprint_devices[0][origin]=x&blueprint_devices[0][id]=y"
	u := &uploadSteps{t: t, srv: srv, target: target, token: srv.AccountToken(), name: "uploads/p.jpg", extra: [][2]string{{"field_id", "photo"}}}
	require.Equal(t, http.StatusOK, u.start("image/jpeg").code)
	r, tag := u.part(1, []byte("jpeg"))
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	r = u.end(1, tag)
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	got, _ := srv.File("", "uploads/p.jpg")
	assert.Equal(t, "jpeg", string(got))

	noField := &uploadSteps{t: t, srv: srv, target: target, token: srv.AccountToken(), name: "x"}
	assert.Equal(t, http.StatusBadRequest, noField.start("").code, "field_id is required")
	other := &uploadSteps{t: t, srv: srv, target: "/data/files/" + d.ID + "/" + d.ID, token: srv.AccountToken(), name: "x", extra: u.extra}
	assert.Equal(t, http.StatusNotFound, other.start("").code, "unknown widget")
	cross := &uploadSteps{t: t, srv: srv, target: "/files", token: srv.AccountToken(), name: "uploads/p.jpg", id: u.id}
	require.Equal(t, http.StatusOK, u.start("").code)
	cross.id = u.id
	r, _ = cross.part(1, []byte("x"))
	assert.Equal(t, http.StatusNotFound, r.code, "a widget's upload goes on through its route")
}

func TestFilesMoveCopyDelete(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	for _, p := range []string{"a.txt", "reports/x.csv", "reports/sub/y.csv", "reports.csv"} {
		srv.AddFile("", p, []byte(p))
	}
	r := asAccount(t, srv, "PUT", "/files", []map[string]string{{"from": "/a.txt", "to": "/moved/a.txt"}})
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	assert.Equal(t, "Successfully Updated", r.str(t))
	assert.Equal(t, []string{"moved/a.txt", "reports.csv", "reports/sub/y.csv", "reports/x.csv"}, srv.Files(""))

	r = asAccount(t, srv, "PUT", "/files", []map[string]string{{"from": "reports.csv", "to": "r.csv"}, {"from": "nope", "to": "b"}})
	assert.Equal(t, http.StatusNotFound, r.code)
	assert.Equal(t, []string{"moved/a.txt", "reports.csv", "reports/sub/y.csv", "reports/x.csv"}, srv.Files(""), "a refusal changes nothing")

	r = asAccount(t, srv, "PUT", "/files/copy", []map[string]string{{"from": "reports.csv", "to": "c1.csv"}, {"from": "c1.csv", "to": "c2.csv"}})
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	got, _ := srv.File("", "c2.csv")
	assert.Equal(t, "reports.csv", string(got), "copies apply in order")
	assert.Contains(t, srv.Files(""), "reports.csv")

	r = asAccount(t, srv, "PUT", "/files/copy", []map[string]string{{"from": "a"}})
	assert.Contains(t, r.env.FieldErrors, "0.to")

	// A path naming a file deletes it; any other is a folder, deleted with everything in it.
	r = asAccount(t, srv, "DELETE", "/files", []string{"reports"})
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	assert.Equal(t, "Successfully Removed", r.str(t))
	assert.Equal(t, []string{"c1.csv", "c2.csv", "moved/a.txt", "reports.csv"}, srv.Files(""))
	r = asAccount(t, srv, "DELETE", "/files", []string{" c1.csv ", "//moved/ a.txt ", "nothing/here"})
	require.Equal(t, http.StatusOK, r.code)
	assert.Equal(t, []string{"c2.csv", "reports.csv"}, srv.Files(""), "paths are normalised as the platform does; no match is no error")
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "DELETE", "/files", []string{}).code)
}

func TestFilesPermissions(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	srv.AddFile("", "a.txt", []byte("a"))
	srv.AddFile("", "b.txt", []byte("b"))
	assert.False(t, filePublic(t, srv, "a.txt"))
	r := asAccount(t, srv, "PUT", "/files/permission", []map[string]any{{"file": "/a.txt", "public": true}})
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	assert.True(t, filePublic(t, srv, "a.txt"))
	l := listFilesPage(t, srv, "path=/")
	assert.True(t, l.Files[0].Public)

	r = asAccount(t, srv, "PUT", "/files/permission", []map[string]any{{"file": "b.txt", "public": true}, {"file": "c.txt", "public": true}})
	assert.Equal(t, http.StatusNotFound, r.code)
	assert.False(t, filePublic(t, srv, "b.txt"), "a refusal changes nothing")
	r = asAccount(t, srv, "PUT", "/files/permission", []map[string]any{{"file": "b.txt"}})
	assert.Contains(t, r.env.FieldErrors, "0.public")
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/files/permission?file=c.txt", nil).code)
}

func TestFilesSignedLinksAndMD5(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	content := []byte("hello, files")
	srv.AddFile("", "docs/my report.txt", content)
	base := "/file/" + srv.ProfileID() + "/docs/my%20report.txt"

	r := asAccount(t, srv, "GET", base+"?md5=true&noRedirect=true", nil)
	require.Equal(t, http.StatusOK, r.code, "%s", r.body)
	sum := md5.Sum(content)
	assert.Equal(t, hex.EncodeToString(sum[:]), r.str(t))

	r = asAccount(t, srv, "GET", base+"?noRedirect=true", nil)
	require.Equal(t, http.StatusOK, r.code)
	link := r.str(t)
	assert.True(t, strings.HasPrefix(link, srv.URL+"/tagotest/file/"), link)
	res, err := http.Get(link) // no token
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, content, body)

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", srv.URL+base, nil)
	req.Header.Set("Account-Token", srv.AccountToken())
	res, err = noFollow.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusFound, res.StatusCode)
	assert.True(t, strings.HasPrefix(res.Header.Get("Location"), srv.URL+"/tagotest/file/"))

	clock.t = t0.Add(2 * time.Hour)
	res, err = http.Get(link)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "the link expires after an hour")

	other := srv.AddProfile("other")
	assert.Equal(t, http.StatusNotFound, send(t, srv, "GET", base+"?noRedirect=true", "Account-Token", other.Token, nil).code,
		"another profile's file")
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/file/"+srv.ProfileID()+"/nope.txt?noRedirect=true", nil).code)
	assert.Equal(t, http.StatusUnauthorized, send(t, srv, "GET", base+"?noRedirect=true", "", "", nil).code)
}

func TestFilesOnDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := NewServer(t, WithFileDir(dir))
	u := &uploadSteps{t: t, srv: srv, target: "/files", token: srv.AccountToken(), name: "d.bin"}
	require.Equal(t, http.StatusOK, u.start("").code)
	p1 := bytes.Repeat([]byte{7}, minUploadPart)
	_, tag1 := u.part(1, p1)
	_, tag2 := u.part(2, []byte("end"))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "the parts are on disk")
	var size int64
	for _, e := range entries {
		fi, err := os.Stat(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		size += fi.Size()
	}
	assert.Equal(t, int64(minUploadPart+3), size)
	require.Equal(t, http.StatusOK, u.end(1, tag1, 2, tag2).code)
	got, ok := srv.File("", "d.bin")
	require.True(t, ok)
	assert.Equal(t, append(p1, "end"...), got)
	l := listFilesPage(t, srv, "path=")
	assert.Equal(t, int64(minUploadPart+3), l.Files[0].Size)
	assert.Equal(t, 5.0, l.Usage)
}

func TestFaultSkip(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	h := srv.Inject(Fault{Method: "GET", Path: "/status", Skip: 2, Status: http.StatusServiceUnavailable})
	var codes []int
	for range 4 {
		codes = append(codes, send(t, srv, "GET", "/status", "", "", nil).code)
	}
	assert.Equal(t, []int{200, 200, 503, 200}, codes)
	assert.Equal(t, 1, h.Hits())
	log := srv.Requests()
	assert.Equal(t, "status 503, after 2 skipped", log[2].Fault)
	assert.Empty(t, log[1].Fault)
}

func TestFilesFaultMidUpload(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	srv.Inject(Fault{Method: "POST", Path: "/files", Skip: 2, Reset: true, Process: true})
	u := &uploadSteps{t: t, srv: srv, target: "/files", token: srv.AccountToken(), name: "f"}
	require.Equal(t, http.StatusOK, u.start("").code)
	p1 := bytes.Repeat([]byte("1"), minUploadPart)
	_, tag1 := u.part(1, p1)
	fields := [][2]string{{"multipart_action", "upload"}, {"filename", "f"}, {"upload_id", u.id}, {"part", "2"}}
	ct, body := form(t, fields, "f", []byte("two"))
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/files", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Account-Token", srv.AccountToken())
	_, err := srv.Client().Do(req)
	require.Error(t, err, "the third POST /files is reset after it was processed")
	log := srv.Requests()
	assert.True(t, log[len(log)-1].Applied)
	r := u.end(1, tag1, 2, etagOf([]byte("two")))
	require.Equal(t, http.StatusOK, r.code, "the part the client never heard of was stored: %s", r.body)
}

func TestNormalizeFilePath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/a/b.txt":                "a/b.txt",
		" a / b .txt ":            "a/b .txt",
		"archive..bak/report.csv": "archivebak/report.csv",
		"x/../y":                  "x/y",
		"//":                      "",
	} {
		assert.Equal(t, want, normalizeFilePath(in), in)
	}
}
