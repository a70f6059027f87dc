package tagotest

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The fake's TagoIO Files: per profile, a flat map of paths to files, listed the way
// the platform's storage (S3) lists them, by prefix with "/" as the folder delimiter. A
// path is kept without its leading "/". A file's content is a list of blobs (one per
// part of a multipart upload), in memory or, with [WithFileDir], on disk, so that a
// large upload costs no memory and its end no copy.

// fileKey is a profile's file path.
type fileKey struct{ profile, path string }

// cleanFilePath drops the leading slashes of a Files path.
func cleanFilePath(p string) string { return strings.TrimLeft(p, "/") }

// blob is a piece of a file's content: bytes in memory, or a file on disk. Blobs are
// never changed once made, so files copied from one another share them.
type blob struct {
	data []byte
	disk string // the file holding the content when set
	size int64
}

// open returns the blob's content.
func (b *blob) open() (io.ReadCloser, error) {
	if b.disk == "" {
		return io.NopCloser(bytes.NewReader(b.data)), nil
	}
	return os.Open(b.disk)
}

// storedFile is one file of a profile's Files.
type storedFile struct {
	chunks      []*blob
	size        int64
	sum         *[md5.Size]byte // the content's MD5, computed on first use
	public      bool
	contentType string
	modified    time.Time
}

// writeTo copies the file's content to w.
func (f *storedFile) writeTo(w io.Writer) error {
	for _, b := range f.chunks {
		r, err := b.open()
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// content returns the file's bytes.
func (f *storedFile) content() ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(f.size))
	err := f.writeTo(&buf)
	return buf.Bytes(), err
}

// md5 returns the hexadecimal MD5 of the file's content.
func (f *storedFile) md5() (string, error) {
	if f.sum == nil {
		h := md5.New()
		if err := f.writeTo(h); err != nil {
			return "", err
		}
		var sum [md5.Size]byte
		h.Sum(sum[:0])
		f.sum = &sum
	}
	return hex.EncodeToString(f.sum[:]), nil
}

// putFileLocked stores a file of a profile.
func (s *Server) putFileLocked(prof, path string, content []byte) {
	data := append([]byte(nil), content...)
	s.storeFileLocked(fileKey{prof, cleanFilePath(path)}, &storedFile{chunks: []*blob{{data: data, size: int64(len(data))}},
		size: int64(len(data)), contentType: "application/octet-stream", modified: s.now()})
}

// storeFileLocked stores f under k, replacing any file there.
func (s *Server) storeFileLocked(k fileKey, f *storedFile) {
	if s.files == nil {
		s.files = map[fileKey]*storedFile{}
	}
	s.files[k] = f
}

// fileLocked returns a file of a profile and whether it exists.
func (s *Server) fileLocked(prof, path string) ([]byte, bool) {
	f := s.files[fileKey{prof, cleanFilePath(path)}]
	if f == nil {
		return nil, false
	}
	b, err := f.content()
	return b, err == nil
}

// AddFile stores a file in a profile's Files (empty profile: the default one), such as
// a CSV for a device data restore. The path's leading "/" is optional. The file is
// private, as uploads are by default.
func (s *Server) AddFile(profileID, path string, content []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putFileLocked(s.profileLocked(profileID), path, content)
}

// File returns a file of a profile's Files (empty profile: the default one), such as
// one a device data backup or an upload wrote, and whether it exists.
func (s *Server) File(profileID, path string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.fileLocked(s.profileLocked(profileID), path)
	return append([]byte(nil), b...), ok
}

// Files lists the paths of a profile's files (empty profile: the default one), sorted.
func (s *Server) Files(profileID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	prof := s.profileLocked(profileID)
	var out []string
	for k := range s.files {
		if k.profile == prof {
			out = append(out, k.path)
		}
	}
	sort.Strings(out)
	return out
}

// fileAllocationMB is the file storage every profile of the fake is allotted, as the
// listing reports it ("total"); the fake enforces no limit.
const fileAllocationMB = 1024

// maxFileListQty is the largest page of a files listing (the storage's own limit).
const maxFileListQty = 1000

// listEntry is a file or a folder of a listing, by its key: a file's path, or a
// folder's path with its trailing "/".
type listEntry struct {
	key    string
	file   *storedFile
	folder string
}

// listFiles answers GET /files?path=&pagination_token=&qty=: the files and folders
// whose keys start with path (one leading "/" dropped), one level deep, sorted by key
// and paged together, qty at a time (default 300, at most 1000). A file reports its
// full path; a folder its last segment. pagination_token, present when more entries
// remain, names the next page; total and usage are the allocation and the space used,
// in megabytes.
func (s *Server) listFiles(c *call) reply {
	prefix := strings.TrimPrefix(c.q.str("path"), "/")
	qty := 300
	if v := c.q.str("qty"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fail(http.StatusBadRequest, "qty must be a positive integer, got %q", v)
		}
		qty = min(n, maxFileListQty)
	}
	after := ""
	if tok := c.q.str("pagination_token"); tok != "" {
		k, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || !strings.HasPrefix(string(k), "k:") {
			return fail(http.StatusBadRequest, "Invalid pagination_token")
		}
		after = string(k[2:])
	}
	prof := c.profile()
	var used int64
	folders := map[string]bool{}
	var entries []listEntry
	for k, f := range s.files {
		if k.profile != prof {
			continue
		}
		used += f.size
		rest, ok := strings.CutPrefix(k.path, prefix)
		if !ok {
			continue
		}
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			key := prefix + rest[:i+1]
			if !folders[key] {
				folders[key] = true
				entries = append(entries, listEntry{key: key, folder: lastSegment(key)})
			}
			continue
		}
		entries = append(entries, listEntry{key: k.path, file: f})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	start := sort.Search(len(entries), func(i int) bool { return entries[i].key > after })
	if after == "" {
		start = 0
	}
	page := entries[start:min(start+qty, len(entries))]
	res := obj{"files": []obj{}, "folders": []string{}, "total": fileAllocationMB,
		"usage": float64(used*100/(1<<20)) / 100}
	files, dirs := []obj{}, []string{}
	for _, e := range page {
		if e.file == nil {
			dirs = append(dirs, e.folder)
			continue
		}
		files = append(files, obj{"filename": e.key, "size": e.file.size, "last_modified": jsTime(e.file.modified), "public": e.file.public})
	}
	res["files"], res["folders"] = files, dirs
	if start+qty < len(entries) {
		res["pagination_token"] = base64.RawURLEncoding.EncodeToString([]byte("k:" + page[len(page)-1].key))
	}
	return ok(res)
}

// lastSegment returns the last segment of a folder key such as "a/b/".
func lastSegment(key string) string {
	key = strings.TrimSuffix(key, "/")
	return key[strings.LastIndexByte(key, '/')+1:]
}

// fileTransfer is one pair of PUT /files and PUT /files/copy.
type fileTransfer struct {
	From *string `json:"from"`
	To   *string `json:"to"`
}

// moveFiles answers PUT /files [{from, to}]: moves files, in order; a destination is
// replaced. A source that is not a file refuses the whole request (404), changing
// nothing.
func (s *Server) moveFiles(c *call) reply { return s.transferFiles(c, true) }

// copyFiles answers PUT /files/copy [{from, to}] like PUT /files, keeping the sources.
// A copy shares its permission and content with its source.
func (s *Server) copyFiles(c *call) reply { return s.transferFiles(c, false) }

func (s *Server) transferFiles(c *call, move bool) reply {
	var pairs []fileTransfer
	if rep, good := c.decodeBody(&pairs); !good {
		return rep
	}
	if len(pairs) == 0 {
		return bad("body", "must be a non-empty array of {from, to}")
	}
	prof := c.profile()
	// Apply to an overlay first, so that a refusal changes nothing.
	overlay := map[fileKey]*storedFile{}
	get := func(k fileKey) *storedFile {
		if f, ok := overlay[k]; ok {
			return f
		}
		return s.files[k]
	}
	for i, p := range pairs {
		if p.From == nil || strings.Trim(*p.From, "/ ") == "" {
			return bad(strconv.Itoa(i)+".from", "is required")
		}
		if p.To == nil || strings.Trim(*p.To, "/ ") == "" {
			return bad(strconv.Itoa(i)+".to", "is required")
		}
		from, to := fileKey{prof, cleanFilePath(*p.From)}, fileKey{prof, cleanFilePath(*p.To)}
		f := get(from)
		if f == nil {
			return fail(http.StatusNotFound, "file can't be found: %s", from.path)
		}
		cp := *f
		cp.modified = s.now()
		overlay[to] = &cp
		if move && from != to {
			overlay[from] = nil
		}
	}
	for k, f := range overlay {
		if f == nil {
			delete(s.files, k)
			continue
		}
		s.storeFileLocked(k, f)
	}
	return ok("Successfully Updated")
}

// deleteFiles answers DELETE /files [paths]: a path naming a file deletes it; any other
// path is taken as a folder, and every file under it is deleted, without an error when
// nothing matched, as on the platform. Paths are normalised first, as the platform
// does: "..", blank segments and the spaces around segments are dropped.
func (s *Server) deleteFiles(c *call) reply {
	var paths []string
	if rep, good := c.decodeBody(&paths); !good {
		return rep
	}
	if len(paths) == 0 {
		return bad("body", "must be a non-empty array of paths")
	}
	prof := c.profile()
	for _, raw := range paths {
		p := normalizeFilePath(raw)
		if p == "" {
			continue
		}
		if s.files[fileKey{prof, p}] != nil {
			delete(s.files, fileKey{prof, p})
			continue
		}
		for k := range s.files {
			if k.profile == prof && strings.HasPrefix(k.path, p+"/") {
				delete(s.files, k)
			}
		}
	}
	return ok("Successfully Removed")
}

// normalizeFilePath rewrites a path as the platform's delete route does.
func normalizeFilePath(p string) string {
	p = strings.ReplaceAll(strings.ReplaceAll(p, "../", "/"), "..", "")
	var segs []string
	for _, seg := range strings.Split(p, "/") {
		if seg = strings.TrimSpace(seg); seg != "" {
			segs = append(segs, seg)
		}
	}
	return strings.Join(segs, "/")
}

// filePermission answers GET /files/permission?file= with {public}.
func (s *Server) filePermission(c *call) reply {
	name := c.q.str("file")
	if strings.Trim(name, "/ ") == "" {
		return fail(http.StatusBadRequest, "file is required")
	}
	f := s.files[fileKey{c.profile(), cleanFilePath(name)}]
	if f == nil {
		return fail(http.StatusNotFound, "file can't be found")
	}
	return ok(obj{"public": f.public})
}

// setFilePermissions answers PUT /files/permission [{file, public}]; a file that does
// not exist refuses the whole request (404), changing nothing.
func (s *Server) setFilePermissions(c *call) reply {
	var items []struct {
		File   *string `json:"file"`
		Public *bool   `json:"public"`
	}
	if rep, good := c.decodeBody(&items); !good {
		return rep
	}
	if len(items) == 0 {
		return bad("body", "must be a non-empty array of {file, public}")
	}
	prof := c.profile()
	files := make([]*storedFile, len(items))
	for i, it := range items {
		if it.File == nil || strings.Trim(*it.File, "/ ") == "" {
			return bad(strconv.Itoa(i)+".file", "is required")
		}
		if it.Public == nil {
			return bad(strconv.Itoa(i)+".public", "is required")
		}
		if files[i] = s.files[fileKey{prof, cleanFilePath(*it.File)}]; files[i] == nil {
			return fail(http.StatusNotFound, "file can't be found: %s", cleanFilePath(*it.File))
		}
	}
	for i, f := range files {
		f.public = *items[i].Public
	}
	return ok("Successfully Updated")
}

// signedLink is a download link GET /file/... handed out.
type signedLink struct {
	key   fileKey
	until time.Time
}

// signedLinkLife is how long a signed link works.
const signedLinkLife = time.Hour

// fileURL answers GET /file/{profileID}/{path}: with noRedirect=true a signed link to
// the file (a bare string) or, with md5=true too, the content's hexadecimal MD5;
// without noRedirect a 302 redirect to the signed link. The profile must be the
// caller's (404 otherwise, as for a missing file). The link is served by this server,
// without a token, for an hour.
func (s *Server) fileURL(c *call) reply {
	prof, p := c.arg(0), cleanFilePath(c.arg(1))
	f := s.files[fileKey{prof, p}]
	if prof != c.profile() || f == nil {
		return fail(http.StatusNotFound, "file can't be found")
	}
	if c.q.str("noRedirect") == "true" && c.q.str("md5") == "true" {
		sum, err := f.md5()
		if err != nil {
			return fail(http.StatusInternalServerError, "tagotest: reading the file: %v", err)
		}
		return ok(sum)
	}
	if s.signed == nil {
		s.signed = map[string]signedLink{}
	}
	key := s.newToken()
	s.signed[key] = signedLink{key: fileKey{prof, p}, until: s.now().Add(signedLinkLife)}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	link := scheme + "://" + c.r.Host + "/tagotest/file/" + key + "/" + (&url.URL{Path: p}).EscapedPath()
	if c.q.str("noRedirect") == "true" {
		return ok(link)
	}
	h := http.Header{}
	h.Set("Location", link)
	return reply{status: http.StatusFound, header: h, raw: []byte{}}
}

// signedFile answers GET /tagotest/file/{key}/{path}, a signed link: the file's bytes,
// with the Content-Type it was uploaded with.
func (s *Server) signedFile(c *call) reply {
	link, found := s.signed[c.arg(0)]
	f := s.files[link.key]
	if !found || f == nil || s.now().After(link.until) {
		return reply{status: http.StatusForbidden, raw: []byte("Request has expired or the signature does not match")}
	}
	b, err := f.content()
	if err != nil {
		return fail(http.StatusInternalServerError, "tagotest: reading the file: %v", err)
	}
	h := http.Header{}
	h.Set("Content-Type", f.contentType)
	return reply{status: http.StatusOK, header: h, raw: b}
}
