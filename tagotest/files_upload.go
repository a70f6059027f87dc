package tagotest

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
)

// Uploads: POST /files (and a widget's POST /data/files/{dashboard}/{widget}) takes
// either a JSON body, the base64 form of small files or the end of a multipart upload,
// or a multipart/form-data body, the start of a multipart upload or one of its parts.
// A form is read as it arrives, its file streamed to a blob (on disk with
// [WithFileDir]), so parts are neither buffered whole nor kept in the request log.

// Limits of the fake's uploads, the storage's own.
const (
	// minUploadPart is the smallest part but the last of a multipart upload.
	minUploadPart = 5 << 20
	// maxUploadPart is the largest part the fake reads.
	maxUploadPart = 1 << 30
	// maxUploadParts is the most parts of one upload.
	maxUploadParts = 10000
	// maxFormField bounds a form's text field.
	maxFormField = 64 << 10
)

// uploadForm is a multipart/form-data body as read: its text fields and its file.
type uploadForm struct {
	fields url.Values
	file   *blob  // the "file" field's content, nil when absent
	sum    string // the file's hexadecimal MD5
	name   string // the file field's file name
}

// logValues returns the form for the request log: the text fields, and the file's
// size under "file".
func (f *uploadForm) logValues() url.Values {
	v := url.Values{}
	for k, vs := range f.fields {
		v[k] = append([]string(nil), vs...)
	}
	if f.file != nil {
		v.Set("file", strconv.FormatInt(f.file.size, 10))
	}
	return v
}

// discard removes the form's file from disk unless a handler kept it.
func (f *uploadForm) discard() {
	if f != nil && f.file != nil && f.file.disk != "" {
		_ = os.Remove(f.file.disk)
	}
}

// take hands the form's file to the caller, who keeps it.
func (f *uploadForm) take() *blob {
	b := f.file
	f.file = nil
	return b
}

// isUploadForm reports whether r is a multipart form sent to an upload route.
func isUploadForm(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return false
	}
	if r.URL.Path == "/files" {
		return true
	}
	m, _ := path.Match("/data/files/*/*", strings.TrimSuffix(r.URL.Path, "/"))
	return m
}

// errPartTooLarge reports a file field above maxUploadPart.
var errPartTooLarge = errors.New("the file is larger than the largest part")

// readUploadForm reads a multipart form, streaming its "file" field to a blob. The
// body is read to its end whatever happens, so the client has sent it all.
func (s *Server) readUploadForm(r *http.Request) (*uploadForm, error) {
	defer func() { _, _ = io.Copy(io.Discard, r.Body) }()
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	f := &uploadForm{fields: url.Values{}}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			f.discard()
			return nil, err
		}
		name := p.FormName()
		_, disp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if fn, isFile := disp["filename"]; isFile && name == "file" && f.file == nil {
			f.name = fn
			if f.file, f.sum, err = s.newBlob(p); err != nil {
				f.discard()
				return nil, err
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(p, maxFormField))
		if err != nil {
			f.discard()
			return nil, err
		}
		f.fields.Add(name, string(v))
	}
}

// newBlob copies r into a blob, on disk when the server has a file directory, and
// returns it with its hexadecimal MD5.
func (s *Server) newBlob(r io.Reader) (*blob, string, error) {
	h := md5.New()
	lr := io.LimitReader(r, maxUploadPart+1)
	var b blob
	if s.fileDir == "" {
		var buf bytes.Buffer
		n, err := buf.ReadFrom(io.TeeReader(lr, h))
		if err != nil {
			return nil, "", err
		}
		b.data, b.size = buf.Bytes(), n
	} else {
		fh, err := os.CreateTemp(s.fileDir, "tagotest-part-*")
		if err != nil {
			return nil, "", err
		}
		n, err := io.Copy(io.MultiWriter(fh, h), lr)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(fh.Name())
			return nil, "", err
		}
		b.disk, b.size = fh.Name(), n
	}
	if b.size > maxUploadPart {
		if b.disk != "" {
			_ = os.Remove(b.disk)
		}
		return nil, "", errPartTooLarge
	}
	return &b, hex.EncodeToString(h.Sum(nil)), nil
}

// multipartUpload is an upload between its start and its end: its parts are held
// until the end puts them together.
type multipartUpload struct {
	id          string
	key         fileKey
	route       string // the path it was started on
	contentType string
	public      *bool
	fieldID     string
	parts       map[int]*uploadedPart
}

// uploadedPart is the last copy received of a part number.
type uploadedPart struct {
	data *blob
	etag string
}

// postFiles answers POST /files: the base64 form ([{filename, file, public}]), or a
// multipart upload's start (multipart/form-data: multipart_action=start, filename,
// public, contentType; answers the upload ID), part (multipart_action=upload,
// upload_id, part 1 to 10,000, file; answers {ETag} and replaces an earlier copy of the
// part) or end (JSON {multipart_action: "end", upload_id, parts: [{ETag, PartNumber}]};
// answers {file: <the file's URL>}). The end checks the parts as the storage does:
// listed in ascending order, each received with that ETag, each but the last at least
// 5 MiB; it then stores the file and forgets the upload, so a second end of it is 404.
func (s *Server) postFiles(c *call) reply { return s.upload(c, "") }

// postWidgetFiles answers POST /data/files/{dashboard}/{widget}, an upload through a
// widget's file field: like POST /files (multipart only) on a dashboard and widget the
// caller owns, with field_id required. blueprint_devices is accepted and not used.
func (s *Server) postWidgetFiles(c *call) reply {
	if _, _, rep, good := c.ownWidget(c.arg(0), c.arg(1)); !good {
		return rep
	}
	return s.upload(c, c.r.URL.Path)
}

// upload serves both upload routes; widget is the widget route's path, "" for /files.
func (s *Server) upload(c *call, widget string) reply {
	if c.form != nil {
		switch a := c.form.fields.Get("multipart_action"); a {
		case "start":
			return s.startUpload(c, widget)
		case "upload":
			return s.uploadPart(c)
		case "":
			return bad("multipart_action", "is required")
		default:
			return bad("multipart_action", "must be start, upload or end, got %q", a)
		}
	}
	if t := bytes.TrimSpace(c.body); len(t) > 0 && t[0] == '[' {
		if widget != "" {
			return bad("multipart_action", "is required")
		}
		return s.uploadBase64(c)
	}
	return s.endUpload(c)
}

// uploadBase64 stores the files of the base64 form, all or none.
func (s *Server) uploadBase64(c *call) reply {
	var files []struct {
		Filename *string `json:"filename"`
		File     *string `json:"file"`
		Public   *bool   `json:"public"`
	}
	if rep, good := c.decodeBody(&files); !good {
		return rep
	}
	if len(files) == 0 {
		return bad("body", "must be a non-empty array of {filename, file}")
	}
	contents := make([][]byte, len(files))
	for i, f := range files {
		if f.Filename == nil || strings.Trim(*f.Filename, "/ ") == "" {
			return bad(strconv.Itoa(i)+".filename", "is required")
		}
		if f.File == nil {
			return bad(strconv.Itoa(i)+".file", "is required")
		}
		b, err := base64.StdEncoding.DecodeString(*f.File)
		if err != nil {
			return bad(strconv.Itoa(i)+".file", "must be base64: %v", err)
		}
		contents[i] = b
	}
	for i, f := range files {
		k := fileKey{c.profile(), cleanFilePath(*f.Filename)}
		s.storeFileLocked(k, &storedFile{chunks: []*blob{{data: contents[i], size: int64(len(contents[i]))}},
			size: int64(len(contents[i])), public: f.Public != nil && *f.Public, contentType: "application/octet-stream", modified: s.now()})
	}
	return ok(strconv.Itoa(len(files)) + " Files Uploaded")
}

// formBool reads a form's "true"/"false" field; absent is nil.
func formBool(form *uploadForm, name string) (*bool, reply, bool) {
	v, given := form.fields[name]
	if !given {
		return nil, reply{}, true
	}
	b, err := strconv.ParseBool(v[0])
	if err != nil {
		return nil, bad(name, "must be true or false, got %q", v[0]), false
	}
	return &b, reply{}, true
}

// startUpload opens a multipart upload and answers its ID.
func (s *Server) startUpload(c *call, widget string) reply {
	name := c.form.fields.Get("filename")
	if strings.Trim(name, "/ ") == "" {
		return bad("filename", "is required")
	}
	public, rep, good := formBool(c.form, "public")
	if !good {
		return rep
	}
	fieldID := c.form.fields.Get("field_id")
	if widget != "" && fieldID == "" {
		return bad("field_id", "is required to upload through a widget")
	}
	ct := c.form.fields.Get("contentType")
	if ct == "" {
		ct = "application/octet-stream"
	}
	if s.uploads == nil {
		s.uploads = map[string]*multipartUpload{}
	}
	id := strings.ReplaceAll(base64.RawURLEncoding.EncodeToString([]byte(s.newToken()+"."+s.newToken())), "-", ".")
	s.uploads[id] = &multipartUpload{id: id, key: fileKey{c.profile(), cleanFilePath(name)}, route: c.r.URL.Path,
		contentType: ct, public: public, fieldID: fieldID, parts: map[int]*uploadedPart{}}
	return ok(id)
}

// uploadLocked returns the caller's upload named id, as started on this route.
func (s *Server) uploadLocked(c *call, id string) (*multipartUpload, reply, bool) {
	u := s.uploads[id]
	if id == "" || u == nil || u.key.profile != c.profile() || u.route != c.r.URL.Path {
		return nil, fail(http.StatusNotFound, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."), false
	}
	return u, reply{}, true
}

// uploadPart keeps one part of an upload, replacing an earlier copy.
func (s *Server) uploadPart(c *call) reply {
	u, rep, good := s.uploadLocked(c, c.form.fields.Get("upload_id"))
	if !good {
		return rep
	}
	if cleanFilePath(c.form.fields.Get("filename")) != u.key.path {
		return bad("filename", "must be the upload's, %q", u.key.path)
	}
	n, err := strconv.Atoi(c.form.fields.Get("part"))
	if err != nil || n < 1 || n > maxUploadParts {
		return bad("part", "must be a part number from 1 to %d", maxUploadParts)
	}
	if c.form.file == nil {
		return bad("file", "is required")
	}
	if old := u.parts[n]; old != nil && old.data.disk != "" {
		_ = os.Remove(old.data.disk)
	}
	etag := `"` + c.form.sum + `"`
	u.parts[n] = &uploadedPart{data: c.form.take(), etag: etag}
	return ok(obj{"$metadata": obj{"httpStatusCode": 200, "attempts": 1, "totalRetryDelay": 0},
		"ETag": etag, "ServerSideEncryption": "AES256"})
}

// endUpload completes an upload: the file is stored from its parts, in order.
func (s *Server) endUpload(c *call) reply {
	var b struct {
		Action   string  `json:"multipart_action"`
		UploadID string  `json:"upload_id"`
		Filename *string `json:"filename"`
		Public   *bool   `json:"public"`
		Parts    []struct {
			ETag       string `json:"ETag"`
			PartNumber int    `json:"PartNumber"`
		} `json:"parts"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if b.Action != "end" {
		return bad("multipart_action", "must be end in a JSON body, got %q", b.Action)
	}
	u, rep, good := s.uploadLocked(c, b.UploadID)
	if !good {
		return rep
	}
	if b.Filename != nil && cleanFilePath(*b.Filename) != u.key.path {
		return bad("filename", "must be the upload's, %q", u.key.path)
	}
	if len(b.Parts) == 0 {
		return bad("parts", "is required")
	}
	f := &storedFile{contentType: u.contentType, modified: s.now(), public: u.public != nil && *u.public}
	if b.Public != nil {
		f.public = *b.Public
	}
	for i, p := range b.Parts {
		if i > 0 && p.PartNumber <= b.Parts[i-1].PartNumber {
			return fail(http.StatusBadRequest, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
		}
		got := u.parts[p.PartNumber]
		if got == nil || got.etag != p.ETag {
			return fail(http.StatusBadRequest, "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.")
		}
		if i < len(b.Parts)-1 && got.data.size < minUploadPart {
			return fail(http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed size (part %d: %d bytes)", p.PartNumber, got.data.size)
		}
		f.chunks = append(f.chunks, got.data)
		f.size += got.data.size
	}
	for n, p := range u.parts { // parts received but not listed are dropped
		if !containsPart(f.chunks, p.data) && p.data.disk != "" {
			_ = os.Remove(p.data.disk)
		}
		delete(u.parts, n)
	}
	delete(s.uploads, u.id)
	s.storeFileLocked(u.key, f)
	return ok(obj{"file": s.fileLink(c, u.key)})
}

// containsPart reports whether b is one of chunks.
func containsPart(chunks []*blob, b *blob) bool {
	for _, c := range chunks {
		if c == b {
			return true
		}
	}
	return false
}

// fileLink returns a file's URL on this server, as uploads answer it:
// {server}/file/{profileID}/{path}.
func (s *Server) fileLink(c *call, k fileKey) string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/file/%s/%s", scheme, c.r.Host, k.profile, (&url.URL{Path: k.path}).EscapedPath())
}
