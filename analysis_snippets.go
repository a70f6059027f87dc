package tago

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"
)

// The platform's analysis code examples, published beside the API.

// snippetsURL is where the platform publishes its analysis code examples.
const snippetsURL = "https://snippets.tago.io"

// maxSnippetBytes bounds a snippet catalogue or file.
const maxSnippetBytes = 8 << 20

// SnippetList is the catalogue of the platform's code examples for one runtime.
type SnippetList struct {
	// Runtime is the catalogue's runtime.
	Runtime Runtime `json:"runtime"`
	// SchemaVersion is the catalogue format's version.
	SchemaVersion int `json:"schema_version"`
	// GeneratedAt is when the catalogue was made.
	GeneratedAt time.Time `json:"generated_at,omitzero"`
	// Snippets are the examples.
	Snippets []Snippet `json:"snippets"`
}

// Snippet describes one code example.
type Snippet struct {
	ID          string   `json:"id"`          // ID names the example.
	Title       string   `json:"title"`       // Title is its title.
	Description string   `json:"description"` // Description says what it does.
	Language    string   `json:"language"`    // Language is its language, such as "typescript".
	Tags        []string `json:"tags"`        // Tags categorise it.
	Filename    string   `json:"filename"`    // Filename is its file name, for [AnalysesService.SnippetFile].
	FilePath    string   `json:"file_path"`   // FilePath is its path in the runtime's directory.
}

// ListSnippets returns the catalogue of the platform's analysis code examples for a
// runtime. It fetches the public catalogue without the client's token.
//
// TagoIO API: GET https://snippets.tago.io/{runtime}.json
func (s *AnalysesService) ListSnippets(ctx context.Context, runtime Runtime) (SnippetList, error) {
	if err := checkRuntime("runtime", runtime, true, false); err != nil {
		return SnippetList{}, err
	}
	var buf bytes.Buffer
	what := "snippets.tago.io/" + string(runtime) + ".json"
	if _, err := s.cl().fetchTo(ctx, snippetsURL+"/"+escape(string(runtime))+".json", &buf, maxSnippetBytes, what); err != nil {
		return SnippetList{}, err
	}
	var list SnippetList
	if err := json.Unmarshal(buf.Bytes(), &list); err != nil {
		return SnippetList{}, &APIError{HTTPStatus: 200, Method: "GET", Path: what, Message: "decoding the catalogue: " + err.Error()}
	}
	return list, nil
}

// SnippetFile returns the code of one of the platform's examples (a [Snippet]'s
// Filename or FilePath). It fetches the public file without the client's token.
//
// TagoIO API: GET https://snippets.tago.io/{runtime}/{filename}
func (s *AnalysesService) SnippetFile(ctx context.Context, runtime Runtime, filename string) (string, error) {
	if err := checkRuntime("runtime", runtime, true, false); err != nil {
		return "", err
	}
	segments := strings.Split(filename, "/")
	for i, seg := range segments {
		if err := checkScriptName("filename", seg); err != nil || seg == "." || seg == ".." {
			return "", invalidf("filename", "%q is not a relative file path", filename)
		}
		segments[i] = escape(seg)
	}
	var buf bytes.Buffer
	path := "/" + escape(string(runtime)) + "/" + strings.Join(segments, "/")
	if _, err := s.cl().fetchTo(ctx, snippetsURL+path, &buf, maxSnippetBytes, "snippets.tago.io"+path); err != nil {
		return "", err
	}
	return buf.String(), nil
}
