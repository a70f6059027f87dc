package tago

import (
	"context"
	"encoding/base64"
	"fmt"
	"iter"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
)

// FilesService manages the files of the profile in TagoIO Files (account token):
// listing, uploads of any size (see [FilesService.Upload]), moves, copies, deletions,
// public or private permissions, and signed links.
//
// Paths name a file inside the profile's storage, such as "reports/2024/may.csv"; a
// leading "/" is optional. A file's URL, as uploads return it, has the form
// https://api.tago.io/file/{profileID}/{path}.
type FilesService service

// File is a file in a listing.
type File struct {
	// Filename is the file's full path in the profile's storage, such as
	// "reports/may.csv".
	Filename string `json:"filename"`
	// Size is the file's size in bytes.
	Size int64 `json:"size"`
	// LastModified is when the file was last written; zero when the platform did not
	// say.
	LastModified time.Time `json:"last_modified,omitzero"`
	// Public says whether anyone with the file's URL may download it.
	Public bool `json:"public"`
}

// FileList is one page of a listing.
type FileList struct {
	// Files are the files of the page.
	Files []File `json:"files"`
	// Folders are the sub-folders of the page, each by its last path segment ("2024"
	// for reports/2024/).
	Folders []string `json:"folders"`
	// Total is the profile's file storage allocation, in megabytes.
	Total float64 `json:"total"`
	// Usage is the file storage in use, in megabytes.
	Usage float64 `json:"usage"`
	// PaginationToken names the next page (see [FileListOptions]); empty on the last
	// page.
	PaginationToken string `json:"pagination_token,omitempty"`
}

// FileListOptions selects what [FilesService.List] and [FilesService.All] list. The zero
// value lists the first page of the storage's root.
type FileListOptions struct {
	// Path is the prefix to list, as the storage understands it: "reports/" lists the
	// folder reports, while "reports" lists the entries of the root whose names start
	// with "reports" (the folder among them). Empty means the root ("/").
	Path string
	// Quantity is the page size, files and folders counted together; 0 means 300, the
	// official SDKs' default.
	Quantity int
	// PaginationToken continues a listing from the page a previous [FileList] named;
	// empty starts at the first page.
	PaginationToken string
}

// defaultFileQuantity is the page size of a files listing in the official SDKs.
const defaultFileQuantity = 300

// query builds the listing's query: path, pagination_token and qty, in the official
// SDKs' order.
func (o *FileListOptions) query() (*query, error) {
	var opts FileListOptions
	if o != nil {
		opts = *o
	}
	if opts.Quantity < 0 {
		return nil, invalidf("quantity", "must not be negative, got %d", opts.Quantity)
	}
	if opts.Path != "" {
		if err := checkFilePath("path", opts.Path); err != nil {
			return nil, err
		}
	}
	if strings.IndexFunc(opts.PaginationToken, unicode.IsControl) >= 0 {
		return nil, invalidf("pagination token", "must not contain control characters")
	}
	q := &query{}
	p := opts.Path
	if p == "" {
		p = "/"
	}
	q.add("path", p)
	q.addString("pagination_token", opts.PaginationToken)
	if opts.Quantity == 0 {
		opts.Quantity = defaultFileQuantity
	}
	q.addInt("qty", opts.Quantity)
	return q, nil
}

// List returns one page of the files and folders under a path; opts may be nil. The
// page's PaginationToken names the next one.
//
// TagoIO API: GET /files
func (s *FilesService) List(ctx context.Context, opts *FileListOptions) (FileList, error) {
	q, err := opts.query()
	if err != nil {
		return FileList{}, err
	}
	return do[FileList](ctx, s.cl(), &call{method: "GET", path: "/files", query: q, kinds: accountOnly})
}

// FileEntry is one entry of a listing walked by [FilesService.All]: a file, or a
// sub-folder.
type FileEntry struct {
	// File is the file; zero for a folder.
	File File
	// Folder is the sub-folder's last path segment, as in [FileList.Folders]; empty
	// for a file.
	Folder string
}

// IsFolder reports whether the entry is a sub-folder.
func (e FileEntry) IsFolder() bool { return e.Folder != "" }

// All returns an iterator over every file and folder under a path, following the
// pagination tokens from opts' (if any) on; opts may be nil and is not modified. Each
// page yields its files first, then its folders. A server that sends a token twice, or
// the same page twice, ends the iteration with a [*PagingError] rather than a loop.
//
// TagoIO API: GET /files
func (s *FilesService) All(ctx context.Context, opts *FileListOptions) iter.Seq2[FileEntry, error] {
	if ctx == nil {
		return errSeq[FileEntry](invalidf("context", "must not be nil"))
	}
	var o FileListOptions
	if opts != nil {
		o = *opts
	}
	if _, err := o.query(); err != nil {
		return errSeq[FileEntry](err)
	}
	size := o.Quantity
	if size == 0 {
		size = defaultFileQuantity
	}
	return cursorPages(ctx, size, o.PaginationToken, func(ctx context.Context, token string) ([]FileEntry, string, error) {
		page := o
		page.PaginationToken = token
		list, err := s.List(ctx, &page)
		if err != nil {
			return nil, "", err
		}
		entries := make([]FileEntry, 0, len(list.Files)+len(list.Folders))
		for _, f := range list.Files {
			entries = append(entries, FileEntry{File: f})
		}
		for _, d := range list.Folders {
			if d != "" {
				entries = append(entries, FileEntry{Folder: d})
			}
		}
		return entries, list.PaginationToken, nil
	})
}

// FileContent is a small file held in memory, for [FilesService.UploadBatch].
type FileContent struct {
	// Filename is the file's path in the profile's storage, such as "reports/may.csv".
	Filename string
	// Content is the file's bytes.
	Content []byte
	// Public makes the file downloadable by anyone with its URL; nil leaves it
	// private, the platform's default.
	Public *bool
}

// base64File is one file of the platform's JSON upload form.
type base64File struct {
	Filename string `json:"filename"`
	File     string `json:"file"`
	Public   *bool  `json:"public,omitempty"`
}

// UploadBatch uploads small files held in memory in one request, base64-encoded in
// the platform's JSON form; a file that exists is overwritten. The request grows by a
// third over the files' sizes: for large files use [FilesService.Upload], which streams.
// The platform answers with a message only, not the files' URLs.
//
// The request is retried like a PUT: sending the same files again rewrites the same
// bytes.
//
// TagoIO API: POST /files
func (s *FilesService) UploadBatch(ctx context.Context, files []FileContent) error {
	if len(files) == 0 {
		return invalidf("files", "must not be empty")
	}
	body := make([]base64File, len(files))
	for i, f := range files {
		if err := checkFilePath(fmt.Sprintf("files[%d].filename", i), f.Filename); err != nil {
			return err
		}
		body[i] = base64File{Filename: f.Filename, File: base64.StdEncoding.EncodeToString(f.Content), Public: f.Public}
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/files", body: body, kinds: accountOnly, idempotent: true})
}

// FileTransfer names a source and a destination path, for [FilesService.Move] and
// [FilesService.Copy].
type FileTransfer struct {
	// From is the path of the existing file.
	From string `json:"from"`
	// To is the path it moves or is copied to.
	To string `json:"to"`
}

// checkTransfers validates a batch of moves or copies.
func checkTransfers(pairs []FileTransfer) error {
	if len(pairs) == 0 {
		return invalidf("files", "must not be empty")
	}
	for i, p := range pairs {
		if err := checkFilePath(fmt.Sprintf("files[%d].from", i), p.From); err != nil {
			return err
		}
		if err := checkFilePath(fmt.Sprintf("files[%d].to", i), p.To); err != nil {
			return err
		}
	}
	return nil
}

// Move moves or renames files; a file at a destination is replaced.
//
// A move is not repeated once the platform may have carried it out: the second
// attempt would find no source and report a failure for a move that happened, so an
// ambiguous failure (see [MayBeStored]) is returned to the caller instead.
//
// TagoIO API: PUT /files
func (s *FilesService) Move(ctx context.Context, files []FileTransfer) error {
	if err := checkTransfers(files); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/files", body: files, kinds: accountOnly, noReplay: true})
}

// Copy copies files; a file at a destination is replaced.
//
// The copy is retried like any PUT unless a destination is also a source in the same
// batch: copying again after such a batch was carried out would copy the new content,
// so an ambiguous failure of it is returned to the caller instead.
//
// TagoIO API: PUT /files/copy
func (s *FilesService) Copy(ctx context.Context, files []FileTransfer) error {
	if err := checkTransfers(files); err != nil {
		return err
	}
	sources := make(map[string]bool, len(files))
	for _, f := range files {
		sources[cleanFilePath(f.From)] = true
	}
	chained := false
	for _, f := range files {
		chained = chained || sources[cleanFilePath(f.To)]
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/files/copy", body: files, kinds: accountOnly, noReplay: chained})
}

// Delete deletes files and folders. Beware the platform's rule: a path that names no
// file is taken as a folder, and everything under it is deleted, without an error when
// nothing matched. A path that names the whole storage ("", "/") is refused locally.
//
// TagoIO API: DELETE /files
func (s *FilesService) Delete(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return invalidf("paths", "must not be empty")
	}
	for i, p := range paths {
		field := fmt.Sprintf("paths[%d]", i)
		if strings.Trim(p, "/ ") == "" {
			return invalidf(field, "names the whole storage; delete its folders one by one")
		}
		if err := checkFilePath(field, p); err != nil {
			return err
		}
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/files", body: paths, kinds: accountOnly})
}

// FilePermission says whether a file is public: downloadable by anyone with its URL.
type FilePermission struct {
	// File is the file's path.
	File string `json:"file"`
	// Public is true for a public file, false for a private one.
	Public bool `json:"public"`
}

// CheckPermission reports whether a file is public.
//
// TagoIO API: GET /files/permission
func (s *FilesService) CheckPermission(ctx context.Context, file string) (FilePermission, error) {
	if err := checkFilePath("file", file); err != nil {
		return FilePermission{}, err
	}
	q := &query{}
	q.add("file", file)
	res, err := do[struct {
		Public bool `json:"public"`
	}](ctx, s.cl(), &call{method: "GET", path: "/files/permission", query: q, kinds: accountOnly})
	if err != nil {
		return FilePermission{}, err
	}
	return FilePermission{File: file, Public: res.Public}, nil
}

// ChangePermission makes files public or private.
//
// TagoIO API: PUT /files/permission
func (s *FilesService) ChangePermission(ctx context.Context, files []FilePermission) error {
	if len(files) == 0 {
		return invalidf("files", "must not be empty")
	}
	for i, f := range files {
		if err := checkFilePath(fmt.Sprintf("files[%d].file", i), f.File); err != nil {
			return err
		}
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/files/permission", body: files, kinds: accountOnly})
}

// SignedURL returns a time-limited download address for a file, private ones
// included. It is a [Secret]: anyone holding it can download the file until it
// expires. fileURL is the file's URL as an upload returned it
// (https://api.tago.io/file/{profileID}/{path}); only its path is used, and the request
// goes to the client's own base URL, never to the URL's host.
//
// TagoIO API: GET /file/{profileID}/{path}?noRedirect=true
func (s *FilesService) SignedURL(ctx context.Context, fileURL string) (Secret, error) {
	p, err := filePathFromURL(fileURL)
	if err != nil {
		return "", err
	}
	q := &query{}
	q.addBool("noRedirect", true)
	return do[Secret](ctx, s.cl(), &call{method: "GET", path: p, query: q, kinds: accountOnly})
}

// MD5 returns the MD5 digest of a file as the platform computes it (hexadecimal), to
// check an upload or a download; private files included. fileURL is as for
// [FilesService.SignedURL].
//
// TagoIO API: GET /file/{profileID}/{path}?md5=true&noRedirect=true
func (s *FilesService) MD5(ctx context.Context, fileURL string) (string, error) {
	p, err := filePathFromURL(fileURL)
	if err != nil {
		return "", err
	}
	q := &query{}
	q.addBool("md5", true)
	q.addBool("noRedirect", true)
	return do[string](ctx, s.cl(), &call{method: "GET", path: p, query: q, kinds: accountOnly})
}

// filePathFromURL returns the escaped path of a TagoIO Files URL: an absolute http(s)
// URL, or a bare path, whose path starts with /file/ and names a file under it.
func filePathFromURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", invalidf("file URL", "must not be empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", invalidf("file URL", "is not a valid URL")
	}
	if u.Scheme != "" || u.Host != "" {
		if u.Scheme != "https" && u.Scheme != "http" {
			return "", invalidf("file URL", "must be an http(s) URL, got scheme %q", u.Scheme)
		}
		if u.Host == "" {
			return "", invalidf("file URL", "has no host")
		}
	}
	if u.User != nil {
		return "", invalidf("file URL", "must not carry credentials")
	}
	p := u.EscapedPath()
	rest, ok := strings.CutPrefix(p, "/file/")
	if !ok || strings.Trim(rest, "/") == "" {
		return "", invalidf("file URL", "must have a path of the form /file/{profileID}/{path}")
	}
	if err := checkFilePath("file URL", u.Path); err != nil {
		return "", err
	}
	return p, nil
}

// checkFilePath validates a path in the profile's storage: not blank, no control
// characters, and no "..", which the platform strips from paths (so the file used would
// not be the one named).
func checkFilePath(field, p string) error {
	if strings.TrimSpace(p) == "" {
		return invalidf(field, "must not be empty")
	}
	if strings.IndexFunc(p, unicode.IsControl) >= 0 {
		return invalidf(field, "must not contain control characters")
	}
	if strings.Contains(p, "..") {
		return invalidf(field, "must not contain \"..\" (the platform removes it from paths)")
	}
	return nil
}

// cleanFilePath returns a path in one canonical form, to compare paths.
func cleanFilePath(p string) string {
	return strings.TrimPrefix(path.Clean("/"+strings.TrimSpace(p)), "/")
}
