package tago

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
)

// The platform's multipart upload in miniature, over httpmock, for the upload tests.

// formField is one field of a multipart request as the fake received it.
type formField struct {
	Name     string
	FileName string // the file part's file name, empty for a plain field
	Value    string
}

// formRequest is one multipart or JSON request to the fake.
type formRequest struct {
	Path        string
	Query       string
	ContentType string
	Fields      []formField // multipart requests
	JSON        string      // JSON requests
}

// field returns the value of the named field.
func (r formRequest) field(name string) string {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// names returns the fields' names in the order sent.
func (r formRequest) names() []string {
	var out []string
	for _, f := range r.Fields {
		out = append(out, f.Name)
	}
	return out
}

// fakeUploads is the platform's multipart upload in miniature, over httpmock: it keeps
// the last copy of every part and assembles them at the end.
type fakeUploads struct {
	t        *testing.T
	uploadID string
	// partAnswer, when set, may answer a part's attempt (1-based) instead of the fake.
	partAnswer func(part, attempt int, r *http.Request) *http.Response
	// startAnswer and endAnswer, when set, answer those requests instead of the fake.
	startAnswer, endAnswer func() *http.Response

	mu       sync.Mutex
	starts   []formRequest
	partReqs []formRequest
	parts    map[int][]byte
	attempts map[int]int
	ends     []formRequest
	smalls   []formRequest
	stored   map[string][]byte
}

func newFakeUploads(t *testing.T, mt *httpmock.MockTransport, path string) *fakeUploads {
	f := &fakeUploads{t: t, uploadID: "UPLOAD-ID.1", parts: map[int][]byte{}, attempts: map[int]int{}, stored: map[string][]byte{}}
	mt.RegisterResponder("POST", testBaseURL+path, f.respond)
	return f
}

func envelopeResponse(status int, result string) *http.Response {
	resp := httpmock.NewStringResponse(status, `{"status":true,"result":`+result+`}`)
	if status >= 300 {
		resp = httpmock.NewStringResponse(status, result)
	}
	resp.Header.Set("Content-Type", "application/json")
	return resp
}

func (f *fakeUploads) respond(r *http.Request) (*http.Response, error) {
	req := formRequest{Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type")}
	mt, params, err := mime.ParseMediaType(req.ContentType)
	if err != nil {
		return envelopeResponse(400, `{"status":false,"message":"bad content type"}`), nil
	}
	if mt == "application/json" {
		body, _ := io.ReadAll(r.Body)
		req.JSON = string(body)
		return f.json(req)
	}
	if mt != "multipart/form-data" {
		return envelopeResponse(400, `{"status":false,"message":"unexpected content type"}`), nil
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return envelopeResponse(400, `{"status":false,"message":"bad form: `+err.Error()+`"}`), nil
		}
		v, err := io.ReadAll(p)
		if err != nil {
			return envelopeResponse(400, `{"status":false,"message":"bad form part"}`), nil
		}
		// Part.FileName keeps only the base name; the raw header shows what was sent.
		_, disp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		req.Fields = append(req.Fields, formField{Name: p.FormName(), FileName: disp["filename"], Value: string(v)})
	}
	switch req.field("multipart_action") {
	case "start":
		f.mu.Lock()
		f.starts = append(f.starts, req)
		f.mu.Unlock()
		if f.startAnswer != nil {
			return f.startAnswer(), nil
		}
		return envelopeResponse(200, strconv.Quote(f.uploadID)), nil
	case "upload":
		part, err := strconv.Atoi(req.field("part"))
		if err != nil || req.field("upload_id") != f.uploadID {
			return envelopeResponse(400, `{"status":false,"message":"bad part or upload ID"}`), nil
		}
		f.mu.Lock()
		f.attempts[part]++
		attempt := f.attempts[part]
		f.partReqs = append(f.partReqs, req)
		f.mu.Unlock()
		if f.partAnswer != nil {
			if resp := f.partAnswer(part, attempt, r); resp != nil {
				return resp, nil
			}
		}
		data := []byte(req.field("file"))
		f.mu.Lock()
		f.parts[part] = data
		f.mu.Unlock()
		sum := md5.Sum(data)
		return envelopeResponse(200, `{"$metadata":{"httpStatusCode":200},"ETag":"\"`+hex.EncodeToString(sum[:])+`\"","ServerSideEncryption":"AES256"}`), nil
	}
	return envelopeResponse(400, `{"status":false,"message":"unknown multipart_action"}`), nil
}

func (f *fakeUploads) json(req formRequest) (*http.Response, error) {
	if strings.HasPrefix(req.JSON, "[") {
		f.mu.Lock()
		f.smalls = append(f.smalls, req)
		f.mu.Unlock()
		return envelopeResponse(200, `"1 Files Uploaded"`), nil
	}
	var end struct {
		Action   string `json:"multipart_action"`
		Filename string `json:"filename"`
		UploadID string `json:"upload_id"`
		Parts    []struct {
			ETag       string
			PartNumber int
		} `json:"parts"`
	}
	if err := json.Unmarshal([]byte(req.JSON), &end); err != nil || end.Action != "end" || end.UploadID != f.uploadID {
		return envelopeResponse(400, `{"status":false,"message":"bad end"}`), nil
	}
	f.mu.Lock()
	f.ends = append(f.ends, req)
	f.mu.Unlock()
	if f.endAnswer != nil {
		return f.endAnswer(), nil
	}
	var file []byte
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, p := range end.Parts {
		data, ok := f.parts[p.PartNumber]
		sum := md5.Sum(data)
		if !ok || p.PartNumber != i+1 || p.ETag != `"`+hex.EncodeToString(sum[:])+`"` {
			return envelopeResponse(400, `{"status":false,"message":"bad part list"}`), nil
		}
		file = append(file, data...)
	}
	f.stored[end.Filename] = file
	return envelopeResponse(200, `{"file":"https://api.tago.io/file/`+resProfileID+`/`+end.Filename+`"}`), nil
}

// file returns what the fake stored under name.
func (f *fakeUploads) file(name string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.stored[name]
	return b, ok
}

func (f *fakeUploads) counts() (starts, parts, ends, smalls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.starts), len(f.partReqs), len(f.ends), len(f.smalls)
}

// failAsResponse carries a transport error out of a partAnswer.
type failAsResponse struct{ err error }

// failingResponder wraps the fake so that a partAnswer can fail at the transport level.
func failingResponder(f *fakeUploads) httpmock.Responder {
	return func(r *http.Request) (resp *http.Response, err error) {
		defer func() {
			if p := recover(); p != nil {
				fa, ok := p.(failAsResponse)
				if !ok {
					panic(p)
				}
				resp, err = nil, fa.err
			}
		}()
		return f.respond(r)
	}
}

// countingTransport counts the round trips in progress and in all.
type countingTransport struct {
	rt            http.RoundTripper
	mu            sync.Mutex
	active, total int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.active++
	c.total++
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.active--
		c.mu.Unlock()
	}()
	return c.rt.RoundTrip(r)
}

func (c *countingTransport) counts() (active, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.active, c.total
}
