package spool

import (
	"bytes"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/go-tago/tago"
)

// The file's layout (format 1), in bbolt buckets:
//
//	meta               "format" → uint32 (big-endian); "id" → 8 random bytes naming the
//	                   file; its bucket sequence numbers batches across all targets
//	targets/<target>/q point sequence (uint64, big-endian) → point record
//	targets/<target>/b batch number (uint64, big-endian) → batch record
//
// A point record is crc32c(rest) | enqueue time (int64 Unix ns) | the point as JSON,
// in the shape the platform receives (variable, value, unit, group, serie, time,
// location as a GeoJSON Point, metadata). A batch record is crc32c(rest) | first
// point | last point | point count (uint32) | time recorded (int64 Unix ns).
const (
	formatVersion = 1
	pointHeader   = 12
	batchRecLen   = 4 + 8 + 8 + 4 + 8
)

var (
	bucketMeta    = []byte("meta")
	bucketTargets = []byte("targets")
	bucketQueue   = []byte("q")
	bucketBatches = []byte("b")
	keyFormat     = []byte("format")
	keyID         = []byte("id")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// groupEncoding writes the file's ID into batch groups: lower-case, no padding.
var groupEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// seqKey encodes a sequence number as a bbolt key that sorts in numeric order.
func seqKey(n uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, n)
	return k
}

// keySeq decodes a key written by seqKey.
func keySeq(k []byte) (uint64, bool) {
	if len(k) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(k), true
}

// wirePoint is a point as stored in the file and sent to the platform.
type wirePoint struct {
	Variable string          `json:"variable"`
	Value    json.RawMessage `json:"value,omitempty"`
	Unit     string          `json:"unit,omitempty"`
	Group    string          `json:"group,omitempty"`
	Serie    string          `json:"serie,omitempty"`
	Time     string          `json:"time,omitempty"`
	Location *geoPoint       `json:"location,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
}

// geoPoint is a location as GeoJSON: coordinates are [lng, lat].
type geoPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// encodePoint returns the point record of p, enqueued at enq. p has passed
// tago.ValidateData; a zero Time becomes enq, so that the platform stores when the
// reading was taken rather than when it was delivered.
func encodePoint(p *tago.Data, enq time.Time) ([]byte, error) {
	w := wirePoint{Variable: p.Variable, Unit: p.Unit, Group: p.Group, Serie: p.Serie}
	if p.Value != nil {
		v, err := appendValue(nil, p.Value)
		if err != nil {
			return nil, err
		}
		w.Value = v
	}
	t := p.Time
	if t.IsZero() {
		t = enq
	}
	w.Time = t.UTC().Format(time.RFC3339Nano)
	if p.Location != nil {
		w.Location = &geoPoint{Type: "Point", Coordinates: [2]float64{p.Location.Lng, p.Location.Lat}}
	}
	if p.Metadata != nil {
		m, err := json.Marshal(p.Metadata)
		if err != nil {
			return nil, err
		}
		w.Metadata = m
	}
	body, err := json.Marshal(&w)
	if err != nil {
		return nil, err
	}
	rec := make([]byte, pointHeader, pointHeader+len(body))
	binary.BigEndian.PutUint64(rec[4:12], uint64(enq.UnixNano()))
	rec = append(rec, body...)
	binary.BigEndian.PutUint32(rec[:4], crc32.Checksum(rec[4:], castagnoli))
	return rec, nil
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

// decodePoint turns a point record back into the point Send receives. Numbers come
// back as json.Number, so that they are sent exactly as they were given.
func decodePoint(rec []byte) (tago.Data, error) {
	_, body, err := checkPoint(rec)
	if err != nil {
		return tago.Data{}, err
	}
	var w wirePoint
	if err := json.Unmarshal(body, &w); err != nil {
		return tago.Data{}, fmt.Errorf("point record: %w", err)
	}
	p := tago.Data{Variable: w.Variable, Unit: w.Unit, Group: w.Group, Serie: w.Serie}
	if len(w.Value) > 0 {
		switch w.Value[0] {
		case '"':
			var s string
			if err := json.Unmarshal(w.Value, &s); err != nil {
				return tago.Data{}, fmt.Errorf("point record value: %w", err)
			}
			p.Value = s
		case 't':
			p.Value = true
		case 'f':
			p.Value = false
		case 'n':
		default:
			p.Value = json.Number(w.Value)
		}
	}
	if w.Time != "" {
		if p.Time, err = time.Parse(time.RFC3339Nano, w.Time); err != nil {
			return tago.Data{}, fmt.Errorf("point record time: %w", err)
		}
	}
	if w.Location != nil {
		p.Location = &tago.Location{Lat: w.Location.Coordinates[1], Lng: w.Location.Coordinates[0]}
	}
	if len(w.Metadata) > 0 {
		d := json.NewDecoder(bytes.NewReader(w.Metadata))
		d.UseNumber()
		if err := d.Decode(&p.Metadata); err != nil {
			return tago.Data{}, fmt.Errorf("point record metadata: %w", err)
		}
	}
	return p, nil
}

// wireSize bounds the size of a point record's point in a request body: the stored
// JSON plus room for the batch's group, a longer time form and the separating comma.
func wireSize(rec []byte) int { return len(rec) - pointHeader + 48 }

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

// decodeBatch reads a batch record stored under key.
func decodeBatch(key, rec []byte) (batchRec, error) {
	seq, ok := keySeq(key)
	if !ok || len(rec) != batchRecLen || crc32.Checksum(rec[4:], castagnoli) != binary.BigEndian.Uint32(rec[:4]) {
		return batchRec{}, errors.New("batch record damaged")
	}
	b := batchRec{seq: seq, first: binary.BigEndian.Uint64(rec[4:12]), last: binary.BigEndian.Uint64(rec[12:20]),
		n: int(binary.BigEndian.Uint32(rec[20:24])), at: time.Unix(0, int64(binary.BigEndian.Uint64(rec[24:32])))}
	if b.first > b.last || b.n <= 0 || uint64(b.n) > b.last-b.first+1 {
		return batchRec{}, errors.New("batch record inconsistent")
	}
	return b, nil
}
