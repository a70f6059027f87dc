package tago

import (
	"bytes"
	"errors"
	"io"
	"time"
)

// This file holds the event-stream parser behind [RealtimeService.Subscribe]. It follows
// the "Server-sent events" section of the WHATWG HTML standard ("Interpreting an event
// stream"): lines end in CRLF, LF or CR; a line starting with a colon is a comment;
// "field: value" loses one space after the colon; data lines join with LF; id sets the
// last event ID (not reset between events; ignored when it holds NUL); retry sets the
// reconnection time when it is all ASCII digits; an empty line dispatches the event,
// unless no data line came; a leading byte-order mark is dropped; an event the stream
// ends in the middle of is discarded.
//
// The parser reads from a buffer it owns and hands out the data of an event without
// copying when the event has one data line, as almost every event has. What it hands
// out is valid until the next call.

// sseBufSize is the parser's initial read buffer; it grows up to the event size limit
// for longer lines.
const sseBufSize = 64 << 10

// errSSEEventTooLarge reports an event (or a line) longer than the parser's limit; the
// parser skipped it and can go on reading.
var errSSEEventTooLarge = errors.New("event larger than the size limit")

// sseEvent is one dispatched event. data is valid until the parser's next call.
type sseEvent struct {
	typ  string // the event type; "message" when the stream named none
	data []byte // the data lines joined with LF
	id   string // the last event ID buffer at dispatch
}

// byteFinder remembers where the next occurrence of one byte is in the parser's
// buffer, so that a stream whose lines end in CR alone is not rescanned for an LF on
// every line.
type byteFinder struct {
	pos   int  // the byte's position when found, else how far the buffer was scanned
	found bool // pos holds the byte
}

// shift follows the buffer's unread bytes moving off bytes to the front.
func (f *byteFinder) shift(off int) {
	if f.pos < off {
		f.pos, f.found = 0, false
		return
	}
	f.pos -= off
}

// find returns the position of c in buf[start:end], or -1.
func (f *byteFinder) find(buf []byte, start, end int, c byte) int {
	if f.pos < start {
		f.pos, f.found = start, false
	}
	if f.found {
		return f.pos
	}
	if i := bytes.IndexByte(buf[f.pos:end], c); i >= 0 {
		f.pos, f.found = f.pos+i, true
		return f.pos
	}
	f.pos = end
	return -1
}

// sseParser reads events from an event stream.
type sseParser struct {
	r          io.Reader
	buf        []byte
	start, end int // the unread bytes are buf[start:end]
	max        int // largest line and largest event data, in bytes
	err        error
	started    bool // the first line was read (and a byte-order mark dropped)
	skipLF     bool // the last line ended in CR: an LF that follows belongs to it
	discarding bool // skipping the rest of a line longer than max
	lf, cr     byteFinder
	beforeRead func() // called before each read of the stream; nil for none

	// The event being read.
	typ      []byte
	dataRef  []byte // the only data line so far, still in buf
	data     []byte // the data so far, once it is more than one line (or buf moved)
	nData    int    // data lines so far
	oversize bool   // a line or the data went over max: the event is dropped

	// idBuf is the stream's last event ID buffer; lastID the event source's last event
	// ID, which takes idBuf's value at each dispatch, so the ID of an event the stream
	// was cut in the middle of never counts. retry is the latest valid retry field
	// (hasRetry says one came).
	idBuf    string
	lastID   string
	retry    time.Duration
	hasRetry bool
}

// newSSEParser returns a parser reading r, refusing lines and events larger than max
// bytes.
func newSSEParser(r io.Reader, max int) *sseParser {
	return &sseParser{r: r, buf: make([]byte, min(sseBufSize, max+1)), max: max}
}

// next returns the next event. It returns errSSEEventTooLarge, once, for an event it
// skipped (the parser stays usable), and the reader's error, io.EOF included, when the
// stream ends; a partly read event is then discarded.
func (p *sseParser) next() (sseEvent, error) {
	for {
		line, cut, err := p.line()
		if err != nil {
			return sseEvent{}, err
		}
		if cut {
			continue // line marked the event oversized unless the line was a comment
		}
		if len(line) == 0 {
			if ev, ok, err := p.dispatch(); ok || err != nil {
				return ev, err
			}
			continue
		}
		p.field(line)
	}
}

// dispatch ends the event being read. ok reports an event; err an event that was
// dropped for its size.
func (p *sseParser) dispatch() (ev sseEvent, ok bool, err error) {
	defer func() {
		p.typ, p.dataRef, p.data, p.nData, p.oversize = p.typ[:0], nil, p.data[:0], 0, false
	}()
	p.lastID = p.idBuf
	if p.oversize {
		return sseEvent{}, false, errSSEEventTooLarge
	}
	if p.nData == 0 {
		return sseEvent{}, false, nil
	}
	ev.id = p.idBuf
	ev.typ = "message"
	if len(p.typ) > 0 && string(p.typ) != "message" {
		ev.typ = string(p.typ)
	}
	ev.data = p.data
	if p.dataRef != nil {
		ev.data = p.dataRef
	}
	return ev, true, nil
}

// field applies one non-empty line.
func (p *sseParser) field(line []byte) {
	if line[0] == ':' {
		return // a comment
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "data":
		if p.oversize {
			return
		}
		p.nData++
		if p.nData == 1 {
			p.dataRef = value
			return
		}
		if p.dataRef != nil {
			p.data = append(p.data[:0], p.dataRef...)
			p.dataRef = nil
		}
		if len(p.data)+1+len(value) > p.max {
			p.oversize = true
			return
		}
		p.data = append(p.data, '\n')
		p.data = append(p.data, value...)
	case "event":
		p.typ = append(p.typ[:0], value...)
	case "id":
		if bytes.IndexByte(value, 0) < 0 && string(value) != p.idBuf {
			p.idBuf = string(value)
		}
	case "retry":
		if ms, ok := parseDigits(value); ok {
			p.retry, p.hasRetry = ms, true
		}
	}
}

// maxRetryField caps the reconnection time a retry field can set, so that a huge
// number cannot overflow; nobody waits a day to reconnect.
const maxRetryField = 24 * time.Hour

// parseDigits reads a retry field's value: one or more ASCII digits, in milliseconds.
func parseDigits(b []byte) (time.Duration, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var ms int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if ms < int64(maxRetryField/time.Millisecond) {
			ms = ms*10 + int64(c-'0')
		}
	}
	return min(time.Duration(ms)*time.Millisecond, maxRetryField), true
}

// line returns the next line without its end. cut reports a line longer than max,
// skipped (line is then empty); unless it was a comment, the event it belongs to is
// marked oversized.
func (p *sseParser) line() (line []byte, cut bool, err error) {
	for {
		if p.skipLF && p.start < p.end {
			if p.buf[p.start] == '\n' {
				p.start++
			}
			p.skipLF = false
		}
		if p.start < p.end {
			lf := p.lf.find(p.buf, p.start, p.end, '\n')
			crEnd := p.end
			if lf >= 0 {
				crEnd = lf
			}
			cr := p.cr.find(p.buf, p.start, crEnd, '\r')
			if cr >= crEnd {
				cr = -1 // found beyond the LF, or not at all
			}
			eol := lf
			if cr >= 0 {
				eol = cr
			}
			if eol >= 0 {
				line = p.buf[p.start:eol]
				p.start = eol + 1
				if cr >= 0 {
					if p.start < p.end {
						if p.buf[p.start] == '\n' {
							p.start++
						}
					} else {
						p.skipLF = true
					}
				}
				if !p.started {
					p.started = true // a byte-order mark may start the stream
					line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
				}
				if p.discarding {
					p.discarding = false
					return line[:0], true, nil
				}
				return line, false, nil
			}
			if p.end-p.start > p.max {
				// No line end within the limit: drop what is buffered and skip to the
				// line's end, remembering only whether it was a comment.
				comment := p.buf[p.start] == ':'
				p.start = p.end
				if !p.discarding {
					p.discarding = true
					p.dropRef()
					if !comment {
						p.oversize = true
					}
				}
			}
		}
		if err := p.fill(); err != nil {
			return nil, false, err
		}
	}
}

// dropRef moves the single data line out of the buffer before the buffer changes.
func (p *sseParser) dropRef() {
	if p.dataRef != nil {
		p.data = append(p.data[:0], p.dataRef...)
		p.dataRef = nil
	}
}

// fill reads more of the stream, first moving the unread bytes to the front of the
// buffer and growing it (up to max+1 bytes) when it is full.
func (p *sseParser) fill() error {
	if p.err != nil {
		return p.err
	}
	if p.start > 0 {
		p.dropRef()
		n := copy(p.buf, p.buf[p.start:p.end])
		p.lf.shift(p.start)
		p.cr.shift(p.start)
		p.start, p.end = 0, n
	}
	if p.end == len(p.buf) {
		p.dropRef()
		grown := make([]byte, min(2*len(p.buf), p.max+1))
		if len(grown) <= len(p.buf) {
			grown = make([]byte, len(p.buf)+sseBufSize) // max+1 is full: room to skip on
		}
		p.end = copy(grown, p.buf[:p.end])
		p.buf = grown
	}
	if p.beforeRead != nil {
		p.beforeRead()
	}
	for tries := 0; ; tries++ {
		n, err := p.r.Read(p.buf[p.end:])
		if n < 0 || n > len(p.buf)-p.end {
			p.err = errors.New("event stream: invalid read count")
			return p.err
		}
		p.end += n
		if err != nil {
			p.err = err
			if n > 0 {
				return nil // use what came before the error
			}
			return err
		}
		if n > 0 {
			return nil
		}
		if tries >= 100 {
			p.err = io.ErrNoProgress
			return p.err
		}
	}
}
