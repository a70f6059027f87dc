package tagotest

import (
	"sort"
	"strings"
)

// The fake's files: a minimal stand-in for a profile's TagoIO Files, only as far as
// device data backups and restores need it. A path is kept without its leading "/".

// fileKey is a profile's file path.
type fileKey struct{ profile, path string }

// cleanFilePath drops the leading slashes of a Files path.
func cleanFilePath(p string) string { return strings.TrimLeft(p, "/") }

// putFileLocked stores a file of a profile.
func (s *Server) putFileLocked(prof, path string, content []byte) {
	if s.files == nil {
		s.files = map[fileKey][]byte{}
	}
	s.files[fileKey{prof, cleanFilePath(path)}] = append([]byte(nil), content...)
}

// AddFile stores a file in a profile's Files (empty profile: the default one), such as
// a CSV for a device data restore. The path's leading "/" is optional.
func (s *Server) AddFile(profileID, path string, content []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putFileLocked(s.profileLocked(profileID), path, content)
}

// File returns a file of a profile's Files (empty profile: the default one), such as
// one a device data backup wrote, and whether it exists.
func (s *Server) File(profileID, path string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.files[fileKey{s.profileLocked(profileID), cleanFilePath(path)}]
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
