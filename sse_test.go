package tago

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parsed is what a parser made of a stream: its events (an oversized one as
// "<too large>") and the last retry field.
type parsed struct {
	events []string
	retry  time.Duration
	lastID string
}

func (e sseEvent) String() string {
	return fmt.Sprintf("%s|%s|%q", e.typ, e.id, e.data)
}

// parseAll runs the parser over r until the stream ends.
func parseAll(t testing.TB, r io.Reader, max int) parsed {
	t.Helper()
	p := newSSEParser(r, max)
	var out parsed
	for {
		ev, err := p.next()
		if errors.Is(err, errSSEEventTooLarge) {
			out.events = append(out.events, "<too large>")
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parser: %v", err)
		}
		out.events = append(out.events, ev.String())
	}
	out.retry, out.lastID = p.retry, p.lastID
	return out
}

// readers returns the ways a test reads the same stream: whole, a byte at a time,
// in halves, and with the final error arriving with the last bytes.
func readers(s string) map[string]io.Reader {
	return map[string]io.Reader{
		"whole":     strings.NewReader(s),
		"one byte":  iotest.OneByteReader(strings.NewReader(s)),
		"half":      iotest.HalfReader(strings.NewReader(s)),
		"data+EOF":  iotest.DataErrReader(strings.NewReader(s)),
		"3 at once": &chunkReader{s: s, n: 3},
	}
}

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}

func TestSSEParserSpecExamples(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []string
		retry  time.Duration
		lastID string
	}{
		{
			// The standard's stock-ticker example: data lines join with LF.
			name:   "multi-line data",
			stream: "data: YHOO\ndata: +2\ndata: 10\n\n",
			want:   []string{`message||"YHOO\n+2\n10"`},
		},
		{
			// Comments, id set and reset by an empty "id", one space stripped only.
			name:   "comments and ids",
			stream: ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
			want:   []string{`message|1|"first event"`, `message||"second event"`, `message||" third event"`},
		},
		{
			// An empty data line makes an event with empty data; two make "\n"; the
			// block the stream ends in the middle of is discarded.
			name:   "empty data and unterminated block",
			stream: "data\n\ndata\ndata\n\ndata:",
			want:   []string{`message||""`, `message||"\n"`},
		},
		{
			name:   "space after colon is optional",
			stream: "data:test\n\ndata: test\n\n",
			want:   []string{`message||"test"`, `message||"test"`},
		},
		{
			name:   "CRLF line ends",
			stream: "event: add\r\ndata: 73857293\r\nid: 7\r\n\r\n",
			want:   []string{`add|7|"73857293"`},
		},
		{
			name:   "CR line ends",
			stream: "data: a\rdata: b\r\rdata: c\r\r",
			want:   []string{`message||"a\nb"`, `message||"c"`},
		},
		{
			name:   "mixed line ends",
			stream: "data: a\r\ndata: b\ndata: c\r\n\rdata: d\n\r\n",
			want:   []string{`message||"a\nb\nc"`, `message||"d"`},
		},
		{
			name:   "CR then LF is one line end, LF then CR two",
			stream: "data: x\r\n\n\r",
			want:   []string{`message||"x"`},
		},
		{
			name:   "event type resets after dispatch",
			stream: "event: ping\ndata: 1\n\ndata: 2\n\n",
			want:   []string{`ping||"1"`, `message||"2"`},
		},
		{
			name:   "event type without data dispatches nothing and is reset",
			stream: "event: ping\n\ndata: 2\n\n",
			want:   []string{`message||"2"`},
		},
		{
			name:   "id persists across events and survives an event without data",
			stream: "id: 5\ndata: a\n\ndata: b\n\nid: 6\n\ndata: c\n\n",
			want:   []string{`message|5|"a"`, `message|5|"b"`, `message|6|"c"`},
			lastID: "6",
		},
		{
			name:   "the ID of an event cut short does not count",
			stream: "id: 1\ndata: a\n\nid: 2\ndata: b\n",
			want:   []string{`message|1|"a"`},
			lastID: "1",
		},
		{
			name:   "id with NUL is ignored",
			stream: "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
			want:   []string{`message|1|"a"`, `message|1|"b"`},
			lastID: "1",
		},
		{
			name:   "retry sets the reconnection time",
			stream: "retry: 1500\ndata: a\n\n",
			want:   []string{`message||"a"`},
			retry:  1500 * time.Millisecond,
		},
		{
			name:   "retry that is not all digits is ignored",
			stream: "retry: 700\n\nretry: 10a\nretry: -1\nretry: \nretry:  5\nretry\n\n",
			retry:  700 * time.Millisecond,
		},
		{
			name:   "huge retry is capped",
			stream: "retry: 99999999999999999999999999\n\n",
			retry:  maxRetryField,
		},
		{
			name:   "unknown fields and field names are exact",
			stream: "Data: no\ndata : no\nfoo: bar\n data: no\ndata: yes\n\n",
			want:   []string{`message||"yes"`},
		},
		{
			name:   "colons after the first stay in the value",
			stream: "data: {\"a\":1}\n\n",
			want:   []string{`message||"{\"a\":1}"`},
		},
		{
			name:   "byte-order mark dropped once",
			stream: "\xef\xbb\xbfdata: a\n\n\xef\xbb\xbfdata: b\n\n",
			want:   []string{`message||"a"`},
		},
		{
			name:   "event named message",
			stream: "event: message\ndata: a\n\n",
			want:   []string{`message||"a"`},
		},
		{
			name:   "stream ending without the blank line discards the event",
			stream: "data: a\n\ndata: b\n",
			want:   []string{`message||"a"`},
		},
		{
			name:   "empty stream",
			stream: "",
		},
	}
	for _, tt := range tests {
		for rname, r := range readers(tt.stream) {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				got := parseAll(t, r, 1<<20)
				assert.Equal(t, tt.want, got.events)
				assert.Equal(t, tt.retry, got.retry)
				if tt.lastID != "" {
					assert.Equal(t, tt.lastID, got.lastID)
				}
			})
		}
	}
}

func TestSSEParserSizeLimit(t *testing.T) {
	const max = 16
	long := strings.Repeat("x", 40)
	tests := []struct {
		name   string
		stream string
		want   []string
	}{
		{"line at the limit", "data: " + strings.Repeat("y", max-6) + "\n\n", []string{`message||"yyyyyyyyyy"`}},
		{"long data line skipped, next event kept", "data: " + long + "\nid: 3\n\ndata: ok\n\n", []string{"<too large>", `message|3|"ok"`}},
		{"long comment ignored", ":" + long + "\ndata: ok\n\n", []string{`message||"ok"`}},
		{"data over the limit in several lines", "data: 0123456\ndata: 0123456\ndata: 0123456\n\ndata: ok\n\n", []string{"<too large>", `message||"ok"`}},
		{"long unknown line still drops its event", "data: a\n" + long + "\n\ndata: ok\n\n", []string{"<too large>", `message||"ok"`}},
	}
	for _, tt := range tests {
		for rname, r := range readers(tt.stream) {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				assert.Equal(t, tt.want, parseAll(t, r, max).events)
			})
		}
	}
}

func TestSSEParserGrowsBufferForLongLines(t *testing.T) {
	big := strings.Repeat("z", 3*sseBufSize)
	stream := "data: " + big + "\n\ndata: after\n\n"
	got := parseAll(t, strings.NewReader(stream), 1<<20)
	require.Len(t, got.events, 2)
	assert.Equal(t, fmt.Sprintf("message||%q", big), got.events[0])
	assert.Equal(t, `message||"after"`, got.events[1])
}

func TestSSEParserReadError(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("data: a\n\ndata: partial\n"), iotest.ErrReader(boom))
	p := newSSEParser(r, 1024)
	ev, err := p.next()
	require.NoError(t, err)
	assert.Equal(t, "a", string(ev.data))
	_, err = p.next()
	assert.ErrorIs(t, err, boom) // the partial event is never delivered
	_, err = p.next()
	assert.ErrorIs(t, err, boom)
}

func TestSSEParserZeroReads(t *testing.T) {
	p := newSSEParser(zeroReader{}, 1024)
	_, err := p.next()
	assert.ErrorIs(t, err, io.ErrNoProgress)
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// refParse is a plain transcription of the standard's algorithm, with the parser's
// size rule, for differential fuzzing: it splits the whole stream into lines first.
func refParse(in []byte, max int) parsed {
	in = bytes.TrimPrefix(in, []byte("\xef\xbb\xbf"))
	var lines [][]byte
	for len(in) > 0 {
		i := bytes.IndexAny(in, "\r\n")
		if i < 0 {
			break // a line the stream ends in the middle of
		}
		lines = append(lines, in[:i])
		if in[i] == '\r' && i+1 < len(in) && in[i+1] == '\n' {
			i++
		}
		in = in[i+1:]
	}
	var (
		out      parsed
		idBuf    string
		typ      string
		data     []byte
		nData    int
		oversize bool
	)
	for _, line := range lines {
		if len(line) > max {
			if line[0] != ':' {
				oversize = true
			}
			continue
		}
		if len(line) == 0 {
			out.lastID = idBuf
			switch {
			case oversize:
				out.events = append(out.events, "<too large>")
			case nData > 0:
				t := typ
				if t == "" {
					t = "message"
				}
				out.events = append(out.events, sseEvent{typ: t, id: idBuf, data: data}.String())
			}
			typ, data, nData, oversize = "", nil, 0, false
			continue
		}
		if line[0] == ':' {
			continue
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(name) {
		case "event":
			typ = string(value)
		case "data":
			if nData > 0 {
				data = append(data, '\n')
			}
			data = append(data, value...)
			nData++
			if len(data) > max {
				oversize = true
			}
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				idBuf = string(value)
			}
		case "retry":
			if d, ok := parseDigits(value); ok {
				out.retry = d
			}
		}
	}
	return out
}

func FuzzSSEParser(f *testing.F) {
	for _, s := range []string{
		"data: YHOO\ndata: +2\ndata: 10\n\n",
		": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
		"data\n\ndata\ndata\n\ndata:",
		"event: add\r\ndata: 73857293\r\nid: 7\r\n\r\n",
		"data: a\rdata: b\r\rretry: 10\r\r",
		"\xef\xbb\xbfdata: a\n\n",
		"id: 2\x003\ndata: b\n\n",
		"data: 0123456789abcdefghij\n\n:0123456789abcdefghij\ndata: x\n\n",
		"data: {\"payload\":[{\"variable\":\"t\",\"value\":1}]}\n\n",
	} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		const max = 24
		want := refParse(in, max)
		whole := parseAll(t, bytes.NewReader(in), max)
		if !equalParsed(whole, want) {
			t.Fatalf("whole read:\n got %+v\nwant %+v", whole, want)
		}
		n := int(chunk%16) + 1
		pieces := parseAll(t, &chunkReader{s: string(in), n: n}, max)
		if !equalParsed(pieces, want) {
			t.Fatalf("reads of %d bytes:\n got %+v\nwant %+v", n, pieces, want)
		}
	})
}

func equalParsed(a, b parsed) bool {
	if len(a.events) != len(b.events) || a.retry != b.retry || a.lastID != b.lastID {
		return false
	}
	for i := range a.events {
		if a.events[i] != b.events[i] {
			return false
		}
	}
	return true
}
