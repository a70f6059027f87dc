package actility

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// deliveryFileHeader is the first line of a delivery file.
const deliveryFileHeader = "actility-deliveries 1\n"

// DeliveryFile is a [DeliveryLog] kept in memory and in an append-only file, so that
// a [Bridge] restarted with the same file remembers what it sent: a message stored
// before the restart is not stored again, and one whose send was cut by the restart is
// checked on the platform before it is sent again.
//
// The file holds one line per record ("P", "S" or "F" for pending, stored and
// forgotten, the time in Unix milliseconds, and the first 16 bytes of the key's
// SHA-256 in hexadecimal: about 50 bytes), never a key or a token. A pending record is
// flushed to the disk (fsync) before Record returns, unless NoSync is set, so that
// even a crash of the machine during a send leaves it; concurrent records share one
// flush. Records are bounded as in [MemoryLog] (the Window and MaxEntries of the
// configuration); when the file holds more than twice the live records (and at least
// 4,096 dead ones), it is rewritten with the live ones only, which blocks records for
// the time of writing them (about 0.1 s per 100,000). Opening rewrites it too, which
// also drops a last line cut by a crash.
//
// One process at a time may use a file. A DeliveryFile is safe for concurrent use.
type DeliveryFile struct {
	mem     *MemoryLog // its mutex guards the fields below as well
	path    string
	noSync  bool
	f       *os.File
	written uint64 // records appended since opening
	lines   int    // record lines in the file
	err     error  // set when the file can no longer be written
	closed  bool

	syncMu sync.Mutex // serializes flushes and rewrites; taken before mem.mu
	synced uint64     // records known to be on the disk
}

// DeliveryFileOptions configures [OpenDeliveryFile].
type DeliveryFileOptions struct {
	// DeliveryLogConfig bounds the records kept.
	DeliveryLogConfig
	// NoSync skips the flush to disk after a pending record: faster, but a crash of
	// the machine (not of the process) during a send can then lead to that message
	// being stored twice.
	NoSync bool
}

// OpenDeliveryFile opens the delivery file at path, creating it (mode 0600) when it
// does not exist, and loads the records it holds that are still within the Window.
// It fails when the file exists and is not a delivery file.
func OpenDeliveryFile(path string, opts DeliveryFileOptions) (*DeliveryFile, error) {
	d := &DeliveryFile{mem: NewMemoryLog(opts.DeliveryLogConfig), path: path, noSync: opts.NoSync}
	if err := d.load(); err != nil {
		return nil, err
	}
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	d.mem.mu.Lock()
	defer d.mem.mu.Unlock()
	if err := d.rewriteLocked(); err != nil {
		return nil, err
	}
	return d, nil
}

// load reads the records of an existing file into memory.
func (d *DeliveryFile) load() error {
	f, err := os.Open(d.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("actility: delivery file: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	first, err := r.ReadString('\n')
	switch {
	case err == io.EOF && first == "":
		return nil // empty
	case err != nil && err != io.EOF:
		return fmt.Errorf("actility: delivery file: %w", err)
	case first != deliveryFileHeader:
		return fmt.Errorf("actility: %s is not a delivery file", d.path)
	}
	now := time.Now()
	d.mem.mu.Lock()
	defer d.mem.mu.Unlock()
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull { // a line that long is not a record: skip it
				_, err = r.ReadSlice('\n')
			}
			continue
		}
		if err != nil { // io.EOF: a last line without its newline was cut; drop it
			if err != io.EOF {
				return fmt.Errorf("actility: delivery file: %w", err)
			}
			return nil
		}
		kind, k, at, ok := parseRecord(line)
		switch {
		case !ok:
		case kind == 'F':
			delete(d.mem.entries, k)
		default:
			d.mem.setLocked(k, logEntry{state: stateOf(kind), at: at}, now)
		}
	}
}

// parseRecord reads one record line: "P 1736772390201 <32 hex>\n".
func parseRecord(line []byte) (kind byte, k logKey, at int64, ok bool) {
	f := bytes.Fields(line)
	if len(f) != 3 || len(f[0]) != 1 || (f[0][0] != 'P' && f[0][0] != 'S' && f[0][0] != 'F') || len(f[2]) != 2*len(k) {
		return 0, k, 0, false
	}
	at, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return 0, k, 0, false
	}
	if _, err := hex.Decode(k[:], f[2]); err != nil {
		return 0, k, 0, false
	}
	return f[0][0], k, at, true
}

// stateOf maps a record letter to its state.
func stateOf(kind byte) DeliveryState {
	if kind == 'P' {
		return DeliveryPending
	}
	return DeliveryStored
}

// appendRecord appends a record line to b.
func appendRecord(b []byte, kind byte, k logKey, at int64) []byte {
	b = append(b, kind, ' ')
	b = strconv.AppendInt(b, at, 10)
	b = append(b, ' ')
	b = hex.AppendEncode(b, k[:])
	return append(b, '\n')
}

// Lookup returns key's record, unless it is older than the Window.
func (d *DeliveryFile) Lookup(key string) (DeliveryState, time.Time, bool, error) {
	return d.mem.Lookup(key)
}

// Record appends key's record to the file, flushing a pending one to the disk, and
// sets it in memory.
func (d *DeliveryFile) Record(key string, state DeliveryState, at time.Time) error {
	kind := byte('S')
	switch state {
	case DeliveryPending:
		kind = 'P'
	case DeliveryStored:
	default:
		return fmt.Errorf("actility: cannot record %v", state)
	}
	seq, err := d.append(kind, keyOf(key), at.UnixMilli())
	if err != nil {
		return err
	}
	if state == DeliveryPending && !d.noSync {
		return d.syncTo(seq)
	}
	return nil
}

// Forget appends a forget record and removes key's record from memory.
func (d *DeliveryFile) Forget(key string) error {
	_, err := d.append('F', keyOf(key), time.Now().UnixMilli())
	return err
}

// append writes one record and applies it in memory; it returns the record's
// sequence number, and rewrites the file when it has grown too large.
func (d *DeliveryFile) append(kind byte, k logKey, at int64) (uint64, error) {
	var buf [64]byte
	line := appendRecord(buf[:0], kind, k, at)
	d.mem.mu.Lock()
	if d.closed {
		d.mem.mu.Unlock()
		return 0, fmt.Errorf("actility: delivery file: %w", os.ErrClosed)
	}
	if d.err != nil {
		d.mem.mu.Unlock()
		return 0, d.err
	}
	if _, err := d.f.Write(line); err != nil {
		d.mem.mu.Unlock()
		return 0, fmt.Errorf("actility: delivery file: %w", err)
	}
	if kind == 'F' {
		delete(d.mem.entries, k)
	} else {
		d.mem.setLocked(k, logEntry{state: stateOf(kind), at: at}, time.Now())
	}
	d.written++
	d.lines++
	seq := d.written
	grown := d.lines > 2*len(d.mem.entries) && d.lines-len(d.mem.entries) >= 4096
	d.mem.mu.Unlock()
	if grown {
		d.syncMu.Lock()
		d.mem.mu.Lock()
		if !d.closed && d.err == nil && d.lines > 2*len(d.mem.entries) {
			if d.rewriteLocked() != nil && d.err == nil {
				// The old file is still open and written to: try again later, not at
				// every record. (When no file is left open, d.err stops the log.)
				d.lines = len(d.mem.entries)
			}
		}
		d.mem.mu.Unlock()
		d.syncMu.Unlock()
	}
	return seq, nil
}

// syncTo flushes the file to the disk unless a flush since record seq was written
// already did; concurrent callers share one flush.
func (d *DeliveryFile) syncTo(seq uint64) error {
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	if d.synced >= seq {
		return nil
	}
	d.mem.mu.Lock()
	f, target, closed := d.f, d.written, d.closed
	d.mem.mu.Unlock()
	if closed {
		return fmt.Errorf("actility: delivery file: %w", os.ErrClosed)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("actility: delivery file: %w", err)
	}
	d.synced = target
	return nil
}

// rewriteLocked replaces the file with one holding the live records only, flushed to
// the disk, and reopens it for appending. The caller holds syncMu and mem.mu.
func (d *DeliveryFile) rewriteLocked() error {
	live := d.mem.snapshotLocked(time.Now())
	tmp := d.path + ".tmp"
	w, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return d.failLocked(err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	_, _ = bw.WriteString(deliveryFileHeader)
	var buf [64]byte
	for _, q := range live {
		e := d.mem.entries[q.key]
		kind := byte('S')
		if e.state == DeliveryPending {
			kind = 'P'
		}
		_, _ = bw.Write(appendRecord(buf[:0], kind, q.key, e.at))
	}
	err = bw.Flush()
	if err == nil {
		err = w.Sync()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return d.failLocked(err)
	}
	if d.f != nil {
		_ = d.f.Close() // renaming over an open file fails on some systems
		d.f = nil
	}
	if err := os.Rename(tmp, d.path); err != nil {
		_ = os.Remove(tmp)
		return d.failLocked(errors.Join(err, d.reopenLocked()))
	}
	syncDir(filepath.Dir(d.path))
	if err := d.reopenLocked(); err != nil {
		return d.failLocked(err)
	}
	d.lines = len(live)
	d.synced = d.written
	return nil
}

// reopenLocked opens the file for appending.
func (d *DeliveryFile) reopenLocked() error {
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	d.f = f
	return nil
}

// failLocked records why the file cannot be written when it has no open descriptor
// left, and returns the error.
func (d *DeliveryFile) failLocked(err error) error {
	err = fmt.Errorf("actility: delivery file: %w", err)
	if d.f == nil {
		d.err = err
	}
	return err
}

// syncDir flushes a directory entry change (a rename) to the disk, where the system
// supports it.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		_ = f.Close()
	}
}

// Len returns how many records the log holds.
func (d *DeliveryFile) Len() int { return d.mem.Len() }

// Close flushes the file to the disk and closes it. Record and Forget fail after it;
// Lookup still answers from memory. Close may be called more than once.
func (d *DeliveryFile) Close() error {
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	d.mem.mu.Lock()
	defer d.mem.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	if d.f == nil {
		return nil
	}
	err := d.f.Sync()
	if cerr := d.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("actility: delivery file: %w", err)
	}
	return nil
}
