package tago

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// Limits of uploads through [FilesService.Upload].
const (
	// DefaultFilePartSize is the part size of a multipart upload unless
	// [FileUploadOptions.PartSize] says otherwise: 7 MiB, as the official SDKs use.
	DefaultFilePartSize = 7 << 20
	// MinFilePartSize is the smallest part size: the storage refuses parts under 5 MiB
	// other than the last.
	MinFilePartSize = 5 << 20
	// MaxFilePartSize is the largest part size the SDK accepts, 512 MiB.
	MaxFilePartSize = 512 << 20
	// DefaultFileParallel is how many parts are sent at once unless
	// [FileUploadOptions.Parallel] says otherwise, as in the official SDKs.
	DefaultFileParallel = 3
	// MaxFileParallel is the most parts the SDK sends at once.
	MaxFileParallel = 16
	// DefaultSmallFileMax is the size up to which a file is uploaded in one request
	// unless [FileUploadOptions.SmallFileMax] says otherwise: 1 MiB.
	DefaultSmallFileMax = 1 << 20
	// MaxFileParts is the most parts one multipart upload may have (the storage's
	// limit): with 7 MiB parts, files up to about 68 GiB.
	MaxFileParts = 10000
)

// FileUploadOptions tunes [FilesService.Upload] and [FilesService.UploadToWidget]. The
// zero value uploads a private file of type application/octet-stream in 7 MiB parts,
// three at a time.
type FileUploadOptions struct {
	// Public makes the file downloadable by anyone with its URL; nil leaves it
	// private, the platform's default.
	Public *bool
	// ContentType is the file's media type, such as "text/csv"; empty means
	// application/octet-stream.
	ContentType string
	// PartSize is the size of each part of a multipart upload but the last, between
	// [MinFilePartSize] and [MaxFilePartSize]; 0 means [DefaultFilePartSize]. Each
	// part must reach the platform within the client's per-attempt timeout
	// ([WithTimeout]).
	PartSize int
	// Parallel is how many parts are sent at once, at most [MaxFileParallel]; 0 means
	// [DefaultFileParallel]. An upload holds (Parallel+1) × PartSize bytes of memory.
	Parallel int
	// SmallFileMax is the size up to which a file is sent in one request, in the
	// platform's base64 JSON form, instead of a multipart upload (three requests at
	// least); at most PartSize. 0 means [DefaultSmallFileMax]; a negative value sends
	// every file through the multipart upload, whose answer carries the file's URL.
	// Widget uploads are always multipart.
	SmallFileMax int
	// Progress, when set, is called after each part the platform acknowledged (once
	// for a file sent in one request), from the goroutine that called Upload, never
	// concurrently.
	Progress func(FileUploadProgress)
}

// FileUploadProgress reports how far an upload got.
type FileUploadProgress struct {
	// Sent is how many bytes of the file the platform has acknowledged.
	Sent int64
	// Total is the file's size when the reader tells it ahead (an *os.File, a
	// bytes.Reader, anything with a Len method), else -1.
	Total int64
	// Parts is how many parts the platform has acknowledged.
	Parts int
}

// FileUploadResult is a completed upload.
type FileUploadResult struct {
	// URL is the file's address as the platform returned it, such as
	// https://api.tago.io/file/{profileID}/{path}. The one-request form of small files
	// gets no URL from the platform: it is then empty (see
	// [FileUploadOptions.SmallFileMax]).
	URL string
	// Size is the file's size in bytes.
	Size int64
	// Parts is how many parts the multipart upload had; 0 for a file sent in one
	// request.
	Parts int
}

// The stages of an upload an [*FileUploadError] names.
const (
	// UploadStageRead is reading the caller's reader.
	UploadStageRead = "read"
	// UploadStageSmall is the one request of a small file.
	UploadStageSmall = "upload"
	// UploadStageStart is the request opening a multipart upload.
	UploadStageStart = "start"
	// UploadStagePart is the request sending one part.
	UploadStagePart = "part"
	// UploadStageEnd is the request completing a multipart upload.
	UploadStageEnd = "end"
)

// FileUploadError reports an upload that did not complete: where it stopped, and why.
// Err is the cause ([*APIError], [*RequestError], the reader's error, or the context's),
// so errors.Is and errors.As see through it. [MayBeStored] is true only when the file
// may nonetheless exist: a failure of the one request of a small file, or of the
// multipart upload's end, that the platform may have carried out. A failure before the
// end leaves no file; the parts already sent are discarded by the storage.
type FileUploadError struct {
	// Filename is the file's path.
	Filename string
	// Stage is where the upload stopped: one of the UploadStage constants.
	Stage string
	// Part is the number (from 1) of the part that failed, for [UploadStagePart] and
	// [UploadStageRead]; 0 otherwise.
	Part int
	// Err is the cause.
	Err error
}

// Error returns `tago: upload of "path": stage: cause`.
func (e *FileUploadError) Error() string {
	stage := e.Stage
	if e.Part > 0 {
		stage += " " + strconv.Itoa(e.Part)
	}
	return fmt.Sprintf("tago: upload of %q: %s: %s", e.Filename, stage, strings.TrimPrefix(e.Err.Error(), "tago: "))
}

// Unwrap returns the cause.
func (e *FileUploadError) Unwrap() error { return e.Err }

func (e *FileUploadError) mayBeStored() bool {
	return (e.Stage == UploadStageEnd || e.Stage == UploadStageSmall) && MayBeStored(e.Err)
}

// WidgetField names the file field of a dashboard widget (an input form's upload
// field), for [FilesService.UploadToWidget].
type WidgetField struct {
	// DashboardID is the dashboard's ID.
	DashboardID string
	// WidgetID is the widget's ID.
	WidgetID string
	// FieldID is the ID of the widget's file field.
	FieldID string
	// BlueprintDevices fills a blueprint dashboard's device slots, so that a path
	// naming a slot's device names the real one.
	BlueprintDevices []BlueprintDevice
}

// Upload uploads a file of any size, read from r until io.EOF, and returns its URL;
// a file that exists is overwritten. opts may be nil.
//
// A file of at most [FileUploadOptions.SmallFileMax] bytes (1 MiB by default) is sent in
// one request. Larger ones go through the platform's multipart upload: a start request,
// then parts of PartSize bytes (7 MiB by default, the last one shorter), Parallel of
// them at once (3 by default), then an end request. Memory stays bounded whatever the
// size: the upload holds (Parallel+1) × PartSize bytes, reading the next part while
// the others are sent.
//
// Retries follow the client's [RetryPolicy]. A part may be sent again (the storage
// keeps the last copy of each part number), so its requests are retried like a PUT;
// the start and end requests are POSTs that are not repeated once the platform may
// have carried them out. When the context ends or a part fails for good, the parts in
// flight are cancelled and Upload returns, leaving no goroutine behind, with a
// [*FileUploadError]; a Read of r that blocks is not interrupted, though (close r to
// end it). The platform has no call to abandon a multipart upload: the parts already
// sent are discarded by the storage.
//
// TagoIO API: POST /files (multipart_action start, upload, end; or the base64 JSON
// form)
func (s *FilesService) Upload(ctx context.Context, filename string, r io.Reader, opts *FileUploadOptions) (FileUploadResult, error) {
	return s.upload(ctx, uploadTarget{path: "/files", filename: filename, small: true}, r, opts, defaultUploadLimits)
}

// UploadToWidget uploads a file through a dashboard widget's file field, as a viewer
// of the dashboard does through an input form; it works like [FilesService.Upload],
// always with the multipart upload. opts may be nil.
//
// TagoIO API: POST /data/files/{dashboardID}/{widgetID}
func (s *FilesService) UploadToWidget(ctx context.Context, field WidgetField, filename string, r io.Reader, opts *FileUploadOptions) (FileUploadResult, error) {
	if err := checkWidgetIDs(field.DashboardID, field.WidgetID); err != nil {
		return FileUploadResult{}, err
	}
	if err := checkName("field ID", field.FieldID); err != nil {
		return FileUploadResult{}, err
	}
	if strings.IndexFunc(field.FieldID, unicode.IsControl) >= 0 {
		return FileUploadResult{}, invalidf("field ID", "must not contain control characters")
	}
	t := uploadTarget{
		path:     "/data/files/" + escape(field.DashboardID) + "/" + escape(field.WidgetID),
		filename: filename,
		fieldID:  field.FieldID,
	}
	if len(field.BlueprintDevices) > 0 {
		t.query = &query{}
		if err := addBlueprintDevices(t.query, field.BlueprintDevices); err != nil {
			return FileUploadResult{}, err
		}
	}
	return s.upload(ctx, t, r, opts, defaultUploadLimits)
}

// uploadTarget is where an upload goes.
type uploadTarget struct {
	path     string // "/files" or a widget's file route
	query    *query // nil for none
	filename string
	fieldID  string // a widget's file field; empty for /files
	small    bool   // small files may take the one-request form
}

// uploadLimits bounds part sizes and counts; tests shrink them to split small inputs
// into parts.
type uploadLimits struct {
	minPart, maxPart, maxParts int
}

var defaultUploadLimits = uploadLimits{minPart: MinFilePartSize, maxPart: MaxFilePartSize, maxParts: MaxFileParts}

// uploader is one upload in progress.
type uploader struct {
	c           *Client
	t           uploadTarget
	public      *bool
	contentType string
	partSize    int
	maxParts    int
	parallel    int
	progress    func(FileUploadProgress)
	boundary    string
	head        int // bytes reserved before a part's data for its form header
	tail        int // bytes reserved after it for the closing boundary
	uploadID    string
}

// upload checks its arguments, then sends the file in one request or as a multipart
// upload.
func (s *FilesService) upload(ctx context.Context, t uploadTarget, r io.Reader, opts *FileUploadOptions, lim uploadLimits) (FileUploadResult, error) {
	c := s.cl()
	if err := c.precheck(ctx, &call{method: "POST", path: t.path, kinds: accountOnly}); err != nil {
		return FileUploadResult{}, err
	}
	if err := checkFilePath("filename", t.filename); err != nil {
		return FileUploadResult{}, err
	}
	if r == nil {
		return FileUploadResult{}, invalidf("reader", "must not be nil")
	}
	var o FileUploadOptions
	if opts != nil {
		o = *opts
	}
	if o.PartSize == 0 {
		o.PartSize = max(DefaultFilePartSize, lim.minPart)
	}
	if o.PartSize < lim.minPart || o.PartSize > lim.maxPart {
		return FileUploadResult{}, invalidf("part size", "must be between %d and %d bytes, got %d", lim.minPart, lim.maxPart, o.PartSize)
	}
	if o.Parallel == 0 {
		o.Parallel = DefaultFileParallel
	}
	if o.Parallel < 1 || o.Parallel > MaxFileParallel {
		return FileUploadResult{}, invalidf("parallel", "must be between 1 and %d, got %d", MaxFileParallel, o.Parallel)
	}
	if o.SmallFileMax == 0 {
		o.SmallFileMax = min(DefaultSmallFileMax, o.PartSize)
	}
	if o.SmallFileMax > o.PartSize {
		return FileUploadResult{}, invalidf("small file max", "must not exceed the part size (%d), got %d", o.PartSize, o.SmallFileMax)
	}
	if strings.IndexFunc(o.ContentType, unicode.IsControl) >= 0 {
		return FileUploadResult{}, invalidf("content type", "must not contain control characters")
	}
	if o.ContentType == "" {
		o.ContentType = "application/octet-stream"
	}
	total := readerSize(r)
	if total > 0 && (total+int64(o.PartSize)-1)/int64(o.PartSize) > int64(lim.maxParts) {
		return FileUploadResult{}, invalidf("part size", "a file of %d bytes needs more than %d parts of %d bytes; choose larger parts", total, lim.maxParts, o.PartSize)
	}

	u := &uploader{c: c, t: t, public: o.Public, contentType: o.ContentType, partSize: o.PartSize,
		maxParts: lim.maxParts, parallel: o.Parallel, progress: o.Progress}
	u.boundary = multipart.NewWriter(io.Discard).Boundary()
	u.tail = len("\r\n--") + len(u.boundary) + len("--\r\n")
	// The form's header: the fields, each with its own boundary and headers, and the
	// file part's headers. The upload ID, unknown until the start answers, is allowed
	// a generous kilobyte; a longer one makes partBody copy instead.
	u.head = 2048 + 3*len(t.filename) + 2*len(t.fieldID)

	first := u.newBuffer()
	n, eof, err := readPart(r, u.data(first))
	if err != nil {
		return FileUploadResult{}, &FileUploadError{Filename: t.filename, Stage: UploadStageRead, Part: 1, Err: err}
	}
	if eof && total < 0 {
		total = int64(n)
	}
	if eof && t.small && o.SmallFileMax >= 0 && n <= o.SmallFileMax {
		return u.sendSmall(ctx, u.data(first)[:n])
	}
	return u.multipart(ctx, r, first, n, eof, total)
}

// readPart fills buf from r; eof reports that r has no more data.
func readPart(r io.Reader, buf []byte) (n int, eof bool, err error) {
	n, err = io.ReadFull(r, buf)
	switch {
	case err == nil:
		return n, false, nil
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return n, true, nil
	}
	return n, false, err
}

// readerSize returns how many bytes r holds ahead when it can tell without reading
// (a Len method, a regular *os.File, a Size method with Seek), else -1.
func readerSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		if pos, err := v.Seek(0, io.SeekCurrent); err == nil && pos <= fi.Size() {
			return fi.Size() - pos
		}
	case interface {
		Size() int64
		io.Seeker
	}:
		if pos, err := v.Seek(0, io.SeekCurrent); err == nil && pos <= v.Size() {
			return v.Size() - pos
		}
	}
	return -1
}

// sendSmall uploads a whole small file in the one-request base64 JSON form.
func (u *uploader) sendSmall(ctx context.Context, content []byte) (FileUploadResult, error) {
	body := []base64File{{Filename: u.t.filename, File: base64.StdEncoding.EncodeToString(content), Public: u.public}}
	err := exec(ctx, u.c, &call{method: "POST", path: u.t.path, query: u.t.query, body: body, kinds: accountOnly, idempotent: true})
	if err != nil {
		return FileUploadResult{}, &FileUploadError{Filename: u.t.filename, Stage: UploadStageSmall, Err: err}
	}
	size := int64(len(content))
	if u.progress != nil {
		u.progress(FileUploadProgress{Sent: size, Total: size})
	}
	return FileUploadResult{Size: size}, nil
}

// newBuffer returns a part buffer: room for the form's header, the part's data and
// the closing boundary.
func (u *uploader) newBuffer() []byte { return make([]byte, u.head+u.partSize+u.tail) }

// data returns the region of buf that holds a part's data.
func (u *uploader) data(buf []byte) []byte { return buf[u.head : u.head+u.partSize] }

// fields writes the form fields every multipart request starts with, in the official
// SDKs' order.
func (u *uploader) fields(w *multipart.Writer, action string) {
	_ = w.WriteField("multipart_action", action) // a bytes.Buffer never fails
	_ = w.WriteField("filename", u.t.filename)
	if u.public != nil {
		_ = w.WriteField("public", strconv.FormatBool(*u.public))
	}
	if u.t.fieldID != "" {
		_ = w.WriteField("field_id", u.t.fieldID)
	}
}

// newForm returns a multipart writer with the upload's boundary.
func (u *uploader) newForm(b *bytes.Buffer) *multipart.Writer {
	w := multipart.NewWriter(b)
	_ = w.SetBoundary(u.boundary) // a boundary NewWriter made is valid
	return w
}

// contentTypeHeader is the Content-Type of the upload's multipart requests.
func (u *uploader) contentTypeHeader() string { return "multipart/form-data; boundary=" + u.boundary }

// start opens the multipart upload and keeps its ID.
func (u *uploader) start(ctx context.Context) error {
	var b bytes.Buffer
	w := u.newForm(&b)
	u.fields(w, "start")
	_ = w.WriteField("contentType", u.contentType)
	_ = w.Close()
	id, err := do[string](ctx, u.c, &call{method: "POST", path: u.t.path, query: u.t.query, body: b.Bytes(),
		contentType: u.contentTypeHeader(), kinds: accountOnly})
	if err == nil && strings.TrimSpace(id) == "" {
		err = errors.New("tago: POST " + u.t.path + ": the platform opened the upload without an upload ID")
	}
	u.uploadID = id
	return err
}

// partBody lays a part's form around its n bytes of data, in place in buf when the
// header fits the room reserved for it, and returns the request body.
func (u *uploader) partBody(buf []byte, n, part int) []byte {
	var b bytes.Buffer
	w := u.newForm(&b)
	u.fields(w, "upload")
	_ = w.WriteField("upload_id", u.uploadID)
	_ = w.WriteField("part", strconv.Itoa(part))
	_, _ = w.CreateFormFile("file", u.t.filename)
	headLen := b.Len()
	_ = w.Close()
	head, tail := b.Bytes()[:headLen], b.Bytes()[headLen:]
	data := buf[u.head : u.head+n]
	if len(head) > u.head {
		out := make([]byte, 0, len(head)+n+len(tail))
		return append(append(append(out, head...), data...), tail...)
	}
	from := u.head - len(head)
	copy(buf[from:], head)
	copy(buf[u.head+n:], tail)
	return buf[from : u.head+n+len(tail)]
}

// sendPart sends one part and returns the ETag the platform acknowledged it with.
// Sending a part again replaces it, so the call may be retried like a PUT; the body
// is a slice the caller keeps unchanged until sendPart returns.
func (u *uploader) sendPart(ctx context.Context, body []byte, part int) (string, error) {
	res, err := do[struct {
		ETag string `json:"ETag"`
	}](ctx, u.c, &call{method: "POST", path: u.t.path, query: u.t.query, body: body,
		contentType: u.contentTypeHeader(), kinds: accountOnly, idempotent: true})
	if err != nil {
		return "", err
	}
	if res.ETag == "" {
		return "", fmt.Errorf("tago: POST %s: the platform acknowledged part %d without an ETag", u.t.path, part)
	}
	return res.ETag, nil
}

// uploadedPart is one acknowledged part, as the end request lists it.
type uploadedPart struct {
	ETag       string `json:"ETag"`
	PartNumber int    `json:"PartNumber"`
}

// end completes the multipart upload and returns the file's URL. It is a POST that is
// not repeated once the platform may have carried it out: a second end of a completed
// upload fails, which would report a stored file as lost.
func (u *uploader) end(ctx context.Context, parts []uploadedPart) (string, error) {
	body := struct {
		Action   string         `json:"multipart_action"`
		Filename string         `json:"filename"`
		FieldID  string         `json:"field_id,omitempty"`
		Public   *bool          `json:"public,omitempty"`
		UploadID string         `json:"upload_id"`
		Parts    []uploadedPart `json:"parts"`
	}{"end", u.t.filename, u.t.fieldID, u.public, u.uploadID, parts}
	res, err := do[struct {
		File string `json:"file"`
	}](ctx, u.c, &call{method: "POST", path: u.t.path, query: u.t.query, body: body, kinds: accountOnly})
	return res.File, err
}

// partDone is a part's outcome, sent back by the goroutine that sent it.
type partDone struct {
	part int
	n    int
	buf  []byte
	etag string
	err  error
}

// multipart runs the multipart upload: first holds the first part's n bytes (eof set
// when they are all of it). The calling goroutine reads the parts, one ahead of those
// in flight, and hands each to a goroutine of its own, at most u.parallel at once; it
// alone touches the upload's state and calls Progress. A buffer is reused once its
// part is acknowledged, so at most u.parallel+1 exist. A buffer is rewritten only after
// the platform acknowledged its part with a 2xx answer, which comes after the whole
// part was read; an early error answer either makes the part be sent again unchanged
// or stops the upload, so the bytes a transport may still be writing never change.
func (u *uploader) multipart(ctx context.Context, r io.Reader, first []byte, n int, eof bool, total int64) (FileUploadResult, error) {
	fail := func(stage string, part int, err error) (FileUploadResult, error) {
		return FileUploadResult{}, &FileUploadError{Filename: u.t.filename, Stage: stage, Part: part, Err: err}
	}
	if err := u.start(ctx); err != nil {
		return fail(UploadStageStart, 0, err)
	}

	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan partDone, u.parallel)
	read := int64(n)
	var (
		etags    []string // by part number - 1
		free     [][]byte
		inflight int
		sent     int64
		acked    int
		firstErr *FileUploadError
		pending  = &partDone{buf: first, n: n} // read, not sent yet
	)
	stop := func(stage string, part int, err error) {
		if firstErr == nil {
			firstErr = &FileUploadError{Filename: u.t.filename, Stage: stage, Part: part, Err: err}
			cancel()
		}
	}
	for {
		switch {
		case firstErr == nil && pending != nil && inflight < u.parallel:
			etags = append(etags, "")
			part, p := len(etags), pending
			body := u.partBody(p.buf, p.n, part)
			pending = nil
			inflight++
			go func() {
				etag, err := u.sendPart(pctx, body, part)
				done <- partDone{part: part, n: p.n, buf: p.buf, etag: etag, err: err}
			}()
			continue
		case firstErr == nil && pending == nil && !eof:
			// At most u.parallel buffers are in flight, so one is free or may be made.
			if err := ctx.Err(); err != nil {
				stop(UploadStagePart, len(etags)+1, err)
				continue
			}
			var buf []byte
			if len(free) > 0 {
				buf, free = free[len(free)-1], free[:len(free)-1]
			} else {
				buf = u.newBuffer()
			}
			m, last, err := readPart(r, u.data(buf))
			read += int64(m)
			if eof = last; eof && total < 0 {
				total = read // known now, for the progress reports to come
			}
			switch {
			case err != nil:
				stop(UploadStageRead, len(etags)+1, err)
			case m == 0 && last:
				free = append(free, buf)
			case len(etags) == u.maxParts:
				stop(UploadStageRead, len(etags)+1,
					fmt.Errorf("the file needs more than %d parts of %d bytes; choose larger parts", u.maxParts, u.partSize))
			default:
				pending = &partDone{buf: buf, n: m}
			}
			continue
		case inflight == 0:
		default:
			d := <-done
			inflight--
			free = append(free, d.buf)
			if d.err != nil {
				if cerr := ctx.Err(); cerr != nil {
					d.err = cerr // the caller's context ended: that is the cause
				}
				stop(UploadStagePart, d.part, d.err)
				continue
			}
			etags[d.part-1] = d.etag
			sent += int64(d.n)
			acked++
			if u.progress != nil && firstErr == nil {
				tot := total
				if tot >= 0 {
					tot = max(tot, sent)
				}
				u.progress(FileUploadProgress{Sent: sent, Total: tot, Parts: acked})
			}
			continue
		}
		break
	}
	if firstErr != nil {
		return FileUploadResult{}, firstErr
	}

	parts := make([]uploadedPart, len(etags))
	for i, e := range etags {
		parts[i] = uploadedPart{ETag: e, PartNumber: i + 1}
	}
	fileURL, err := u.end(ctx, parts)
	if err != nil {
		return fail(UploadStageEnd, 0, err)
	}
	return FileUploadResult{URL: fileURL, Size: sent, Parts: len(parts)}, nil
}
