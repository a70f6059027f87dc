package spool

import (
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-tago/tago"
	bolt "go.etcd.io/bbolt"
)

// The file's layout (format 1), in bbolt buckets:
//
//	meta               "format" → uint32 (big-endian); "id" → 8 random bytes naming the
//	                   file; its bucket sequence numbers batches across all targets
//	targets            target name → target ID (uint32, big-endian, never reused)
//	q                  target ID | point sequence (uint64, one sequence for all
//	                   targets) → point record
//	b                  target ID | batch number → batch record
//
// Points live in one bucket, not one per target, so that a commit rewrites as few
// pages as possible: a nested bucket costs a page per level.
//
//	memory/<scope>/k   SHA-256[:16] of a key → recorded at (int64 Unix ns) | value
//	memory/<scope>/t   recorded at | key hash → nothing (the order, for pruning)
//	memory/<scope>     "n" → how many keys (uint64)
//
// A point record is crc32c(rest) | enqueue time (int64 Unix ns) | a bound on the
// point's size in a request body (uint32) | the point's fields (see encodePoint). A batch record is crc32c(rest) | first
// point | last point | point count (uint32) | time recorded (int64 Unix ns).
const (
	formatVersion = 1
	pointHeader   = 16
	batchRecLen   = 4 + 8 + 8 + 4 + 8
)

var (
	bucketMeta     = []byte("meta")
	bucketTargets  = []byte("targets")
	bucketMemory   = []byte("memory")
	bucketMemKeys  = []byte("k")
	bucketMemOrder = []byte("t")
	keyMemCount    = []byte("n")
	bucketQueue    = []byte("q")
	bucketBatches  = []byte("b")
	keyFormat      = []byte("format")
	keyID          = []byte("id")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// groupEncoding writes the file's ID into batch groups: lower-case, no padding.
var groupEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// Point record fields after the header: flags, then the variable, the value (a kind
// byte, and for numbers and strings their text), unit, group and serie, each string a
// uvarint length and its bytes; then, as the flags say, the time (varint Unix seconds,
// uvarint nanoseconds), the location (latitude and longitude as float64 bits) and the
// metadata (its JSON).
const (
	flagTime = 1 << iota
	flagLocation
	flagMetadata
)

// Value kinds in a point record.
const (
	valNone = iota
	valNumber
	valString
	valTrue
	valFalse
)

// encodePoint returns the point record of p, enqueued at enq. p has passed
// tago.ValidateData; a zero Time becomes enq, so that the platform stores when the
// reading was taken rather than when it was delivered.
func encodePoint(p *tago.Data, enq time.Time) ([]byte, error) {
	rec := make([]byte, pointHeader, pointHeader+32+len(p.Variable)+len(p.Unit)+len(p.Group)+len(p.Serie))
	t := p.Time
	if t.IsZero() {
		t = enq
	}
	flags := byte(flagTime)
	var meta []byte
	if p.Location != nil {
		flags |= flagLocation
	}
	if p.Metadata != nil {
		m, err := json.Marshal(p.Metadata)
		if err != nil {
			return nil, err
		}
		meta, flags = m, flags|flagMetadata
	}
	rec = append(rec, flags)
	rec = appendStr(rec, p.Variable)
	// wire: {"variable":..,"value":..,"unit":..,"group":..,"serie":..,
	// "time":"2006-01-02T15:04:05.000Z","location":{...},"metadata":...} and a comma.
	wire := 2 + 11 + jsonLen(p.Variable) + 1
	switch v := p.Value.(type) {
	case nil:
		rec = append(rec, valNone)
	case string:
		rec = append(rec, valString)
		rec = appendStr(rec, v)
		wire += 9 + jsonLen(v)
	case bool:
		if v {
			rec = append(rec, valTrue)
		} else {
			rec = append(rec, valFalse)
		}
		wire += 9 + 5
	default:
		var buf [32]byte
		num, err := appendValue(buf[:0], p.Value)
		if err != nil {
			return nil, err
		}
		switch {
		case num[0] == '"': // a named string type
			var s string
			if err := json.Unmarshal(num, &s); err != nil {
				return nil, err
			}
			rec = append(rec, valString)
			rec = appendStr(rec, s)
		case string(num) == "true": // a named bool type
			rec = append(rec, valTrue)
		case string(num) == "false":
			rec = append(rec, valFalse)
		default:
			rec = append(rec, valNumber)
			rec = binary.AppendUvarint(rec, uint64(len(num)))
			rec = append(rec, num...)
		}
		wire += 9 + len(num)
	}
	rec = appendStr(rec, p.Unit)
	rec = appendStr(rec, p.Group)
	rec = appendStr(rec, p.Serie)
	wire += 8 + jsonLen(p.Unit) + 9 + max(jsonLen(p.Group), maxGroupLen) + 9 + jsonLen(p.Serie) + 8 + 26
	rec = binary.AppendVarint(rec, t.Unix())
	rec = binary.AppendUvarint(rec, uint64(t.Nanosecond()))
	if p.Location != nil {
		rec = binary.BigEndian.AppendUint64(rec, math.Float64bits(p.Location.Lat))
		rec = binary.BigEndian.AppendUint64(rec, math.Float64bits(p.Location.Lng))
		wire += 12 + 64
	}
	if meta != nil {
		rec = appendStr(rec, string(meta))
		wire += 12 + len(meta)
	}
	binary.BigEndian.PutUint64(rec[4:12], uint64(enq.UnixNano()))
	binary.BigEndian.PutUint32(rec[12:16], uint32(wire))
	binary.BigEndian.PutUint32(rec[:4], crc32.Checksum(rec[4:], castagnoli))
	return rec, nil
}

// maxGroupLen is the length of the longest group the spool gives a batch, in JSON.
const maxGroupLen = 2 + 2 + 13 + 1 + 13

// appendStr appends s with its uvarint length.
func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// jsonLen bounds the length of s as a JSON string (quotes included), as tago or
// encoding/json writes it.
func jsonLen(s string) int {
	n := 2 + len(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			n++
		case c < 0x20 || c == '<' || c == '>' || c == '&' || c >= 0x80:
			n += 5 // \u00XX; a multi-byte rune escapes to at most 6 bytes for its 2-4
		}
	}
	return n
}

// appendValue appends a value tago.ValidateData accepted as JSON, by its kind, so that
// a type with its own MarshalJSON is stored as the number, string or bool Send sends.
func appendValue(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case json.Number:
		return append(dst, x...), nil
	case string:
		return json.Marshal(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, rv.Uint(), 10), nil
	case reflect.Float32:
		return appendFloat(dst, rv.Float(), 32)
	case reflect.Float64:
		return appendFloat(dst, rv.Float(), 64)
	case reflect.String:
		return json.Marshal(rv.String())
	case reflect.Bool:
		return strconv.AppendBool(dst, rv.Bool()), nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// appendFloat appends f in its shortest form for its size.
func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("value %v is not a finite number", f)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, bits), nil
}

// checkPoint verifies a point record's checksum and returns its enqueue time and body.
func checkPoint(rec []byte) (time.Time, []byte, error) {
	if len(rec) < pointHeader+2 {
		return time.Time{}, nil, errors.New("point record too short")
	}
	if crc32.Checksum(rec[4:], castagnoli) != binary.BigEndian.Uint32(rec[:4]) {
		return time.Time{}, nil, errors.New("point record checksum mismatch")
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(rec[4:12]))), rec[pointHeader:], nil
}

// wireSize bounds the size of a point record's point in a request body, with its
// batch group and the separating comma.
func wireSize(rec []byte) int { return int(binary.BigEndian.Uint32(rec[12:16])) }

// errPointRecord is a point record whose checksum holds but whose fields do not.
var errPointRecord = errors.New("point record malformed")

// reader reads a point record's fields. s holds the same bytes as b did at the
// start, so that strings are slices of one allocation rather than one each.
type reader struct {
	b   []byte
	s   string
	err error
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errPointRecord
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) str() string {
	n, k := binary.Uvarint(r.b)
	if r.err != nil || k <= 0 || n > uint64(len(r.b)-k) {
		r.err = errPointRecord
		return ""
	}
	start := len(r.s) - len(r.b) + k
	s := r.s[start : start+int(n)]
	r.b = r.b[k+int(n):]
	return s
}

func (r *reader) varint() int64 {
	n, k := binary.Varint(r.b)
	if r.err != nil || k <= 0 {
		r.err = errPointRecord
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *reader) uvarint() uint64 {
	n, k := binary.Uvarint(r.b)
	if r.err != nil || k <= 0 {
		r.err = errPointRecord
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *reader) float() float64 {
	if r.err != nil || len(r.b) < 8 {
		r.err = errPointRecord
		return 0
	}
	f := math.Float64frombits(binary.BigEndian.Uint64(r.b))
	r.b = r.b[8:]
	return f
}

// decodePoint turns a point record back into the point Send receives. Numbers come
// back as json.Number, so that they are sent exactly as they were given.
func decodePoint(rec []byte) (tago.Data, error) {
	_, body, err := checkPoint(rec)
	if err != nil {
		return tago.Data{}, err
	}
	r := reader{b: body, s: string(body)}
	flags := r.byte()
	p := tago.Data{Variable: r.str()}
	switch r.byte() {
	case valNone:
	case valNumber:
		p.Value = json.Number(r.str())
	case valString:
		p.Value = r.str()
	case valTrue:
		p.Value = true
	case valFalse:
		p.Value = false
	default:
		r.err = errPointRecord
	}
	p.Unit, p.Group, p.Serie = r.str(), r.str(), r.str()
	if flags&flagTime != 0 {
		sec := r.varint()
		p.Time = time.Unix(sec, int64(r.uvarint())).UTC()
	}
	if flags&flagLocation != 0 {
		p.Location = &tago.Location{Lat: r.float(), Lng: r.float()}
	}
	if flags&flagMetadata != 0 {
		m := r.str()
		if r.err == nil {
			d := json.NewDecoder(strings.NewReader(m))
			d.UseNumber()
			if err := d.Decode(&p.Metadata); err != nil {
				return tago.Data{}, fmt.Errorf("point record metadata: %w", err)
			}
		}
	}
	if r.err != nil || len(r.b) != 0 {
		return tago.Data{}, errPointRecord
	}
	return p, nil
}

// batchRec is a batch recorded before it is sent: its points are the queue's keys
// first..last (n of them), sent with the group the batch's number gives.
type batchRec struct {
	seq         uint64 // the batch's number, unique in the file
	first, last uint64
	n           int
	at          time.Time
}

// encodeBatch returns the record of b.
func encodeBatch(b batchRec) []byte {
	rec := make([]byte, batchRecLen)
	binary.BigEndian.PutUint64(rec[4:12], b.first)
	binary.BigEndian.PutUint64(rec[12:20], b.last)
	binary.BigEndian.PutUint32(rec[20:24], uint32(b.n))
	binary.BigEndian.PutUint64(rec[24:32], uint64(b.at.UnixNano()))
	binary.BigEndian.PutUint32(rec[:4], crc32.Checksum(rec[4:], castagnoli))
	return rec
}

// decodeBatch reads the record of batch seq.
func decodeBatch(seq uint64, rec []byte) (batchRec, error) {
	if len(rec) != batchRecLen || crc32.Checksum(rec[4:], castagnoli) != binary.BigEndian.Uint32(rec[:4]) {
		return batchRec{}, errors.New("batch record damaged")
	}
	b := batchRec{seq: seq, first: binary.BigEndian.Uint64(rec[4:12]), last: binary.BigEndian.Uint64(rec[12:20]),
		n: int(binary.BigEndian.Uint32(rec[20:24])), at: time.Unix(0, int64(binary.BigEndian.Uint64(rec[24:32])))}
	if b.first > b.last || b.n <= 0 || uint64(b.n) > b.last-b.first+1 {
		return batchRec{}, errors.New("batch record inconsistent")
	}
	return b, nil
}

// tidLen is the length of a target ID, the prefix of the target's keys in the q and b
// buckets.
const tidLen = 4

// view is one target's part of the q or b bucket: keys are its ID and a sequence.
type view struct {
	b   *bolt.Bucket
	tid uint32
}

// key returns the bucket key of seq.
func (v view) key(seq uint64) []byte {
	k := make([]byte, tidLen+8)
	binary.BigEndian.PutUint32(k, v.tid)
	binary.BigEndian.PutUint64(k[tidLen:], seq)
	return k
}

func (v view) get(seq uint64) []byte            { return v.b.Get(v.key(seq)) }
func (v view) put(seq uint64, val []byte) error { return v.b.Put(v.key(seq), val) }
func (v view) del(seq uint64) error             { return v.b.Delete(v.key(seq)) }

// cursor returns a cursor over the target's keys.
func (v view) cursor() *vcursor { return &vcursor{c: v.b.Cursor(), v: v} }

// vcursor walks one target's keys in order.
type vcursor struct {
	c *bolt.Cursor
	v view
}

// at decodes a bucket key, reporting false past the target's keys.
func (c *vcursor) at(k, val []byte) (uint64, []byte, bool) {
	if len(k) != tidLen+8 || binary.BigEndian.Uint32(k) != c.v.tid {
		return 0, nil, false
	}
	return binary.BigEndian.Uint64(k[tidLen:]), val, true
}

func (c *vcursor) seek(seq uint64) (uint64, []byte, bool) { return c.at(c.c.Seek(c.v.key(seq))) }
func (c *vcursor) first() (uint64, []byte, bool)          { return c.seek(0) }
func (c *vcursor) next() (uint64, []byte, bool)           { return c.at(c.c.Next()) }
func (c *vcursor) delete() error                          { return c.c.Delete() }

// splitKey splits a q or b bucket key into target ID and sequence.
func splitKey(k []byte) (uint32, uint64, bool) {
	if len(k) != tidLen+8 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint32(k), binary.BigEndian.Uint64(k[tidLen:]), true
}

// fillPercent is how full bbolt fills a page before it splits one in the q and b
// buckets. Their keys only ever grow (target ID, then a sequence), so a split page
// is never written into again: filling pages to 90% rather than bbolt's default 50%
// writes fewer pages per commit and keeps the file smaller.
const fillPercent = 0.9
