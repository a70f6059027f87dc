package tagotest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Device data backups, restores and storage-type conversion. The platform runs
// backups and restores in the background; the fake runs them at once, against its
// minimal Files (see [Server.AddFile] and [Server.File]), and still answers as the
// platform does ("scheduled", "added to the queue").

// backupColumns are the columns a backup writes, in order; a restore reads the ones
// the platform documents for imports (variable, value, group, unit, location,
// metadata, time) and ignores the others.
var backupColumns = []string{"id", "variable", "value", "unit", "group", "location", "metadata", "time", "created_at"}

// backupBody is the body of the backup, chunk backup and chunk copy routes.
type backupBody struct {
	ChunkID     *string `json:"chunk_id"`
	FileAddress *string `json:"file_address"`
	Headers     *bool   `json:"headers"`
}

// expandAddress fills a file address template and adds ".csv", as the platform does.
func expandAddress(tmpl string, vars map[string]string) string {
	for k, v := range vars {
		tmpl = strings.ReplaceAll(tmpl, "$"+k+"$", v)
	}
	tmpl = cleanFilePath(tmpl)
	if !strings.HasSuffix(strings.ToLower(tmpl), ".csv") {
		tmpl += ".csv"
	}
	return tmpl
}

// writeCSV writes records as a backup file: a header line when headers is set, then
// one line per record (value as text, location {lat, lng} and metadata as JSON, times
// in the platform's ISO form).
func writeCSV(rs []*record, headers bool) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if headers {
		_ = w.Write(backupColumns)
	}
	for _, r := range rs {
		value := ""
		switch v := r.value.(type) {
		case string:
			value = v
		case float64:
			value = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			value = strconv.FormatBool(v)
		}
		loc := ""
		if r.location != nil {
			b, _ := json.Marshal(map[string]float64{"lat": r.location.Lat, "lng": r.location.Lng})
			loc = string(b)
		}
		_ = w.Write([]string{r.id, r.variable, value, r.unit, r.group, loc, string(r.metadata),
			r.t.UTC().Format(jsLayout), r.created.UTC().Format(jsLayout)})
	}
	w.Flush()
	return buf.Bytes()
}

// decodeBackup reads a backup body; chunk says whether chunk_id is required.
func (c *call) decodeBackup(chunk bool) (backupBody, reply, bool) {
	var b backupBody
	if rep, good := c.decodeBody(&b); !good {
		return b, rep, false
	}
	if b.FileAddress == nil || strings.TrimSpace(*b.FileAddress) == "" {
		return b, bad("file_address", "is required"), false
	}
	if chunk && (b.ChunkID == nil || *b.ChunkID == "") {
		return b, bad("chunk_id", "is required"), false
	}
	return b, reply{}, true
}

// backupData answers POST /device/{id}/data/backup: every record of the device goes to
// a CSV file ($DEVICE$ and $TIMESTAMP$ expanded), oldest first, and the answer is
// {file_address, status: "scheduled"}.
func (s *Server) backupData(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	b, rep, good := c.decodeBackup(false)
	if !good {
		return rep
	}
	addr := expandAddress(*b.FileAddress, map[string]string{"DEVICE": d.id, "TIMESTAMP": strconv.FormatInt(s.now().UnixMilli(), 10)})
	rs := append([]*record(nil), d.data...)
	byTime(rs, true)
	s.putFileLocked(d.profile, addr, writeCSV(rs, b.Headers == nil || *b.Headers))
	return ok(obj{"file_address": addr, "status": "scheduled"})
}

// backupChunk answers POST /device/{id}/chunk/backup and /chunk/copy: the chunk's
// records (see GET /device/{id}/chunk) go to a CSV file ($DEVICE$, $CHUNK$, $FROM$ and
// $TO$ expanded, the dates as YYYY-MM-DD), and the answer is {chunk_id, file_address,
// status: "scheduled"}. An unknown chunk is a 404; a mutable device has no chunks (400).
func (s *Server) backupChunk(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	if t := d.typ(); t != "immutable" && t != "hybrid" {
		return fail(http.StatusBadRequest, "Chunks are only available on immutable and hybrid devices")
	}
	b, rep, good := c.decodeBackup(true)
	if !good {
		return rep
	}
	from, to, valid := parseChunkID(*b.ChunkID)
	if !valid {
		return fail(http.StatusBadRequest, "Invalid chunk ID %q", *b.ChunkID)
	}
	rs := d.chunkRecords(from, to)
	if len(rs) == 0 {
		return notFound("Chunk")
	}
	byTime(rs, true)
	addr := expandAddress(*b.FileAddress, map[string]string{"DEVICE": d.id, "CHUNK": *b.ChunkID,
		"FROM": time.Unix(from, 0).UTC().Format("2006-01-02"), "TO": time.Unix(to, 0).UTC().Format("2006-01-02")})
	s.putFileLocked(d.profile, addr, writeCSV(rs, b.Headers == nil || *b.Headers))
	return ok(obj{"chunk_id": *b.ChunkID, "file_address": addr, "status": "scheduled"})
}

// chunkRecords returns the records of the chunk from-to (Unix seconds, inclusive): the
// immutable ones in that span, in insertion order.
func (d *device) chunkRecords(from, to int64) []*record {
	var out []*record
	for _, r := range d.data {
		if u := r.t.Unix(); u >= from && u <= to && (d.typ() == "immutable" || !d.mutable(r.variable)) {
			out = append(out, r)
		}
	}
	return out
}

// parseChunkID reads "<from>_<to>" (Unix seconds).
func parseChunkID(id string) (from, to int64, ok bool) {
	a, b, found := strings.Cut(id, "_")
	from, err1 := strconv.ParseInt(a, 10, 64)
	to, err2 := strconv.ParseInt(b, 10, 64)
	return from, to, found && err1 == nil && err2 == nil
}

// restoreData answers POST /device/{id}/data/restore {file_address}: the CSV file is
// read from Files (404 when missing) and its rows stored as data points, all or none,
// with the same checks as POST /data. The header line is required and must name a
// variable column; value, group, unit, location (JSON {lat, lng}), metadata (a JSON
// object) and time are read when present and other columns ignored. A value that
// reads as a number is stored as a number, "true" and "false" as booleans, an empty one
// as no value. The answer is "Data import added to the queue successfully!".
func (s *Server) restoreData(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	var b struct {
		FileAddress *string `json:"file_address"`
	}
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	if b.FileAddress == nil || strings.TrimSpace(*b.FileAddress) == "" {
		return bad("file_address", "is required")
	}
	content, found := s.fileLocked(d.profile, *b.FileAddress)
	if !found {
		return notFound("File")
	}
	points, err := csvPoints(content)
	if err != nil {
		return fail(http.StatusBadRequest, "Invalid CSV file: %v", err)
	}
	body, _ := json.Marshal(points)
	in, rep, good := decodeDataPoints(body, s.now())
	if !good {
		return rep
	}
	if len(in) > 0 {
		if stored, rep := s.storeLocked(d, in); stored == nil {
			return rep
		}
	}
	return ok("Data import added to the queue successfully!")
}

// csvPoints turns an import file into data points as a client would send them.
func csvPoints(content []byte) ([]map[string]json.RawMessage, error) {
	r := csv.NewReader(bytes.NewReader(content))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, errors.New("no header line")
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := col["variable"]; !ok {
		return nil, errors.New("the header names no variable column")
	}
	var out []map[string]json.RawMessage
	for line := 2; ; line++ {
		row, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(row) {
				return row[i]
			}
			return ""
		}
		p := map[string]json.RawMessage{"variable": jsonString(get("variable"))}
		if v := get("value"); v != "" {
			switch {
			case v == "true" || v == "false":
				p["value"] = json.RawMessage(v)
			default:
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					p["value"] = json.RawMessage(strconv.FormatFloat(f, 'f', -1, 64))
				} else {
					p["value"] = jsonString(v)
				}
			}
		}
		for _, name := range []string{"unit", "group", "time"} {
			if v := get(name); v != "" {
				p[name] = jsonString(v)
			}
		}
		for _, name := range []string{"location", "metadata"} {
			if v := get(name); v != "" {
				if !json.Valid([]byte(v)) {
					return nil, errors.New("line " + strconv.Itoa(line) + ": " + name + " is not JSON")
				}
				p[name] = json.RawMessage(v)
			}
		}
		out = append(out, p)
	}
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// convertDevice answers POST /device/{id}/convert {type, chunk_period, chunk_retention}
// with "Device type/chunk was converted". As documented, only an empty, inactive device
// converts (400 otherwise), to mutable or immutable (which needs chunk_period and
// chunk_retention); its tokens stay.
func (s *Server) convertDevice(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	f, rep, good := c.bodyFields()
	if !good {
		return rep
	}
	if rep, good := checkFields(f, map[string]ftype{"type": fString, "chunk_period": fString, "chunk_retention": fInt}, false); !good {
		return rep
	}
	typ, _ := f["type"].(string)
	if typ != "mutable" && typ != "immutable" {
		return bad("type", "must be mutable or immutable")
	}
	if len(d.data) > 0 {
		return fail(http.StatusBadRequest, "The device must be empty to be converted")
	}
	if d.active() {
		return fail(http.StatusBadRequest, "The device must be inactive to be converted")
	}
	period, _ := f["chunk_period"].(string)
	retention, given := f["chunk_retention"].(float64)
	if typ == "immutable" {
		if !chunkPeriods[period] {
			return bad("chunk_period", "is required to convert to immutable: day, week, month or quarter")
		}
		if !given || retention < 0 || retention > 36 {
			return bad("chunk_retention", "is required to convert to immutable: 0 to 36")
		}
	}
	delete(d.fields, "chunk_period")
	delete(d.fields, "chunk_retention")
	if typ == "immutable" {
		d.fields["chunk_period"], d.fields["chunk_retention"] = period, retention
	}
	d.fields["type"] = typ
	delete(d.fields, "mutable_variable_regex")
	d.re = nil
	d.fields["updated_at"] = jsTime(s.now())
	s.auditLocked(c, deviceSpec.key, d.id, "updated")
	return ok("Device type/chunk was converted")
}

// Chunks: the periods an immutable (or hybrid) device's data is kept in.

// chunkBounds returns the chunk (start, end inclusive) a time falls in.
func chunkBounds(t time.Time, period string) (time.Time, time.Time) {
	t = t.UTC()
	var start, next time.Time
	switch period {
	case "day":
		start = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 1)
	case "week":
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		start = time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 7)
	case "quarter":
		start, _ = truncateTo(t, "quarter")
		next = start.AddDate(0, 3, 0)
	default: // month
		start, _ = truncateTo(t, "month")
		next = start.AddDate(0, 1, 0)
	}
	return start, next.Add(-time.Second)
}

type chunkJSON struct {
	ID     string `json:"id"`
	From   string `json:"from"`
	To     string `json:"to"`
	Amount int    `json:"amount"`
}

const offsetLayout = "2006-01-02T15:04:05.000-07:00"

// listChunks answers GET /device/{id}/chunk for immutable and hybrid devices.
func (s *Server) listChunks(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	if d.typ() != "immutable" && d.typ() != "hybrid" {
		return fail(http.StatusBadRequest, "Chunks are only available on immutable and hybrid devices")
	}
	counts := map[int64]*chunkJSON{}
	var keys []int64
	for _, r := range d.data {
		if !d.mutable(r.variable) || d.typ() == "immutable" {
			from, to := chunkBounds(r.t, d.chunkPeriod())
			ch := counts[from.Unix()]
			if ch == nil {
				ch = &chunkJSON{ID: strconv.FormatInt(from.Unix(), 10) + "_" + strconv.FormatInt(to.Unix(), 10),
					From: from.Format(offsetLayout), To: to.Format(offsetLayout)}
				counts[from.Unix()] = ch
				keys = append(keys, from.Unix())
			}
			ch.Amount++
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	out := make([]chunkJSON, len(keys))
	for i, k := range keys {
		out[i] = *counts[k]
	}
	return ok(out)
}

// deleteChunk answers DELETE /device/{id}/chunk/{chunkID}.
func (s *Server) deleteChunk(c *call) reply {
	d, rep, good := c.ownDevice(c.arg(0))
	if !good {
		return rep
	}
	id := c.arg(1)
	from, to, valid := parseChunkID(id)
	if !valid {
		return fail(http.StatusBadRequest, "Invalid chunk ID %q", id)
	}
	gone := map[*record]bool{}
	for _, r := range d.chunkRecords(from, to) {
		gone[r] = true
	}
	if len(gone) == 0 {
		return notFound("Chunk")
	}
	s.removeRecords(d, gone)
	return ok("Chunk " + id + " deleted")
}
