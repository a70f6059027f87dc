package tagotest

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strconv"
	"time"
)

// kind is the kind of a token the server knows.
type kind int

const (
	kindNone kind = iota
	kindAccount
	kindDevice
	kindNetwork
	kindAuthorization
	kindAnalysis
	kindRunUser
)

func (k kind) String() string {
	switch k {
	case kindAccount:
		return "account"
	case kindDevice:
		return "device"
	case kindNetwork:
		return "network"
	case kindAuthorization:
		return "authorization"
	case kindAnalysis:
		return "analysis"
	case kindRunUser:
		return "run-user"
	default:
		return "none"
	}
}

// tokenRec is any secret the server knows: account (profile) tokens, device tokens,
// network tokens and service authorizations.
type tokenRec struct {
	value        string
	kind         kind
	name         string
	permission   string // full, read, write or deny
	expire       time.Time
	profile      string
	device       string // device tokens
	network      string // network tokens
	analysis     string // analysis tokens
	runUser      string // run-user tokens: the user's ID
	serie        string // device tokens: serie_number
	verification string
	lastAuth     string // device tokens: last_authorization
	middleware   string
	createdAt    time.Time
	seq          int64
}

// allows reports whether the token's permission covers a read (GET) or a write.
func (t *tokenRec) allows(write bool) bool {
	switch t.permission {
	case "full", "":
		return true
	case "read":
		return !write
	case "write":
		return write
	default:
		return false
	}
}

// device is a device's state beyond its printed fields, which are its doc's (see
// deviceSpec): data, configuration parameters, input and output times.
type device struct {
	*doc
	re         *regexp.Regexp // hybrid devices: the mutable variables
	lastInput  time.Time
	lastOutput time.Time
	params     []*param
	data       []*record // in insertion order
	tcore      string    // the standalone TagoCore instance holding the device; empty for the profile's own
}

// str returns a string field of a doc, "" when absent.
func (d *doc) str(name string) string {
	s, _ := d.fields[name].(string)
	return s
}

func (d *device) typ() string         { return d.str("type") }
func (d *device) network() string     { return d.str("network") }
func (d *device) serie() string       { return d.str("serie_number") }
func (d *device) chunkPeriod() string { return d.str("chunk_period") }
func (d *device) active() bool        { a, _ := d.fields["active"].(bool); return a }

// mutable reports whether records of variable v can be edited and deleted.
func (d *device) mutable(v string) bool {
	switch d.typ() {
	case "immutable":
		return false
	case "hybrid":
		return d.re != nil && d.re.MatchString(v)
	default:
		return true
	}
}

// param is a configuration parameter.
type param struct {
	id, key, value string
	sent           bool
}

// record is one stored data point. value is nil (no value), a float64, a string or a bool.
type record struct {
	id       string
	variable string
	value    any
	unit     string
	group    string
	location *Location
	metadata json.RawMessage
	t        time.Time
	created  time.Time
	seq      int64
}

// doc is a resource of a collection (see collection.go), kept as the JSON object the
// API prints: edits merge fields into it.
type doc struct {
	id      string
	profile string
	fields  map[string]any
	seq     int64
	ext     any // state beyond the printed fields (a device's data, an analysis's scripts)
}

// newID returns a platform-style object ID: 24 hexadecimal characters, the first eight
// the creation time in seconds (as MongoDB ObjectIDs are). Callers hold s.mu.
func (s *Server) newID() string { return s.idFrom(s.rng) }

func (s *Server) idFrom(rng *rand.ChaCha8) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(s.now().Unix()))
	binary.BigEndian.PutUint64(b[4:], rng.Uint64())
	return hex.EncodeToString(b[:])
}

// newToken returns a random UUID (version 4), the shape of every platform token.
// Callers hold s.mu.
func (s *Server) newToken() string { return uuidFrom(s.rng) }

func uuidFrom(rng *rand.ChaCha8) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], rng.Uint64())
	binary.BigEndian.PutUint64(b[8:], rng.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newAuthKey returns a service authorization key: "at" and 32 hexadecimal characters.
// Callers hold s.mu.
func (s *Server) newAuthKey() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.rng.Uint64())
	binary.BigEndian.PutUint64(b[8:], s.rng.Uint64())
	return "at" + hex.EncodeToString(b[:])
}

// nextSeq returns an increasing number used to break ties in creation order.
// Callers hold s.mu.
func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}

// newGroup returns an automatic group ID for the points of one request, a
// millisecond-timestamp-like number as the platform assigns. Callers hold s.mu.
func (s *Server) newGroup() string {
	s.groupSeq++
	return strconv.FormatInt(s.now().UnixMilli()*1000+s.groupSeq%1000, 10)
}

// auditEvent is one entry of a profile's audit log: a resource created, updated or
// deleted through the API.
type auditEvent struct {
	profile      string
	resourceName string // the collection's key: "device", "analysis", ...
	resourceID   string
	message      string
	who          string // the account that made the change
	date         time.Time
}

// auditLocked records a change in the caller profile's audit log.
func (s *Server) auditLocked(c *call, resource, id, what string) {
	if c.tok == nil || c.seed {
		return
	}
	s.audit = append(s.audit, auditEvent{profile: c.profile(), resourceName: resource, resourceID: id,
		message: resource + " " + what, who: s.accountOfLocked(c.profile()), date: s.now()})
}

// accountOfLocked returns the ID of the account owning a profile.
func (s *Server) accountOfLocked(profileID string) string {
	if p := s.table("profile")[profileID]; p != nil {
		a, _ := p.fields["account"].(string)
		return a
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }
