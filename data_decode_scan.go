package tago

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// The data decoder's scanner: strings, numbers, times and arbitrary JSON values.

// strSafe marks the bytes a string can hold without a closer look: not a quote, not a
// backslash, not a control character, not the start of a multi-byte sequence.
var strSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// stringBytes reads a JSON string at the position and returns its contents: a slice of
// buf when the string holds no escapes and valid UTF-8, else the unescaped text in
// scratch (valid until the next call).
func (d *dataDecoder) stringBytes() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.syntaxError("a string")
	}
	start := d.pos + 1
	ascii := true
	for i := start; i < len(d.buf); i++ {
		c := d.buf[i]
		if strSafe[c] {
			continue
		}
		switch {
		case c == '"':
			d.pos = i + 1
			s := d.buf[start:i]
			if ascii || utf8.Valid(s) {
				return s, nil
			}
			return d.unescape(start)
		case c == '\\':
			return d.unescape(start)
		case c < 0x20:
			d.pos = i
			return nil, d.syntaxError("a string")
		default:
			ascii = false
		}
	}
	d.pos = len(d.buf)
	return nil, d.syntaxError("a string")
}

// unescape decodes the string whose contents start at buf[start] into scratch, the way
// encoding/json does: invalid UTF-8 bytes and unpaired surrogates become U+FFFD.
func (d *dataDecoder) unescape(start int) ([]byte, error) {
	out := d.scratch[:0]
	i := start
	for i < len(d.buf) {
		c := d.buf[i]
		switch {
		case c == '"':
			d.pos = i + 1
			d.scratch = out
			return out, nil
		case c < 0x20:
			d.pos = i
			return nil, d.syntaxError("a string")
		case c < utf8.RuneSelf && c != '\\':
			out = append(out, c)
			i++
		case c == '\\':
			if i+1 >= len(d.buf) {
				d.pos = len(d.buf)
				return nil, d.syntaxError("a string")
			}
			switch e := d.buf[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
				i += 2
			case 'b':
				out = append(out, '\b')
				i += 2
			case 'f':
				out = append(out, '\f')
				i += 2
			case 'n':
				out = append(out, '\n')
				i += 2
			case 'r':
				out = append(out, '\r')
				i += 2
			case 't':
				out = append(out, '\t')
				i += 2
			case 'u':
				r, ok := hex4(d.buf, i+2)
				if !ok {
					d.pos = i
					return nil, d.syntaxError("a \\u escape")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if i+1 < len(d.buf) && d.buf[i] == '\\' && d.buf[i+1] == 'u' {
						r2, ok = hex4(d.buf, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				d.pos = i
				return nil, d.syntaxError("an escape sequence")
			}
		default:
			r, size := utf8.DecodeRune(d.buf[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, d.buf[i:i+size]...)
			}
			i += size
		}
	}
	d.pos = len(d.buf)
	return nil, d.syntaxError("a string")
}

// hex4 reads four hexadecimal digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if len(b)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// nullableBytes reads a string field's contents, or nil for null.
func (d *dataDecoder) nullableBytes() ([]byte, error) {
	if isNull, err := d.null(); isNull || err != nil {
		return nil, err
	}
	return d.stringBytes()
}

// str reads a string field (null gives ""). A slot of -1 allocates the string; other
// slots intern it, so a device ID repeated in every record is allocated once.
func (d *dataDecoder) str(slot int) (string, error) {
	if isNull, err := d.null(); isNull || err != nil {
		return "", err
	}
	b, err := d.stringBytes()
	if err != nil {
		return "", err
	}
	if slot < 0 {
		return string(b), nil
	}
	return d.intern(slot, b), nil
}

// intern returns b as a string, reusing an earlier allocation of the same text.
func (d *dataDecoder) intern(slot int, b []byte) string {
	if s := d.last[slot]; s == string(b) {
		return s
	}
	if len(b) > maxInternedLen {
		return string(b)
	}
	if d.strs == nil && d.misses < slotCount {
		// One record (an event, an Info) repeats no string: a map would cost more than
		// it saves. It is made once a decode has shown it reads many strings.
		d.misses++
		d.last[slot] = string(b)
		return d.last[slot]
	}
	s, ok := d.strs[string(b)]
	if !ok {
		s = string(b)
		if d.strs == nil {
			d.strs = make(map[string]string, 16)
		}
		if len(d.strs) < maxInterned {
			d.strs[s] = s
		}
	}
	d.last[slot] = s
	return s
}

// value reads a record's value: a number (a float64, or a json.Number for one out of a
// float64's range), a string, a boolean, null, or an object or array (kept as
// json.RawMessage: the platform stores scalars, another client may not have).
func (d *dataDecoder) value() (any, error) {
	switch c := d.peek(); {
	case c == '"':
		b, err := d.stringBytes()
		if err != nil {
			return nil, err
		}
		if len(b) > maxInternedLen {
			return string(b), nil
		}
		if v, ok := d.vals[string(b)]; ok {
			return v, nil
		}
		var v any = string(b)
		if d.vals == nil {
			d.vals = make(map[string]any, 16)
		}
		if len(d.vals) < maxInterned {
			d.vals[v.(string)] = v
		}
		return v, nil
	case c == '{' || c == '[':
		start := d.pos
		if err := d.skip(); err != nil {
			return nil, err
		}
		return append(json.RawMessage(nil), d.buf[start:d.pos]...), nil
	case c == '-' || '0' <= c && c <= '9':
		start := d.pos
		f, err := d.number()
		if err == nil {
			return f, nil
		}
		d.pos = start
		if _, _, _, serr := d.scanNumber(); serr != nil {
			return nil, serr
		}
		return json.Number(d.buf[start:d.pos]), nil
	}
	return d.literalOrNumber()
}

// literalOrNumber reads true, false, null or a number (as a float64).
func (d *dataDecoder) literalOrNumber() (any, error) {
	switch c := d.peek(); {
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		f, err := d.number()
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	return nil, d.syntaxError("a value")
}

// number reads a JSON number as a float64, checking the exact JSON grammar first.
func (d *dataDecoder) number() (float64, error) {
	start := d.pos
	digits, intEnd, plain, err := d.scanNumber()
	if err != nil {
		return 0, err
	}
	b := d.buf
	// Integers of up to 15 digits are exact in a float64: no need for ParseFloat.
	if plain && intEnd-digits <= 15 {
		var n int64
		for _, c := range b[digits:intEnd] {
			n = n*10 + int64(c-'0')
		}
		f := float64(n)
		if digits > start { // a leading minus sign
			f = -f
		}
		return f, nil
	}
	f, perr := strconv.ParseFloat(string(b[start:d.pos]), 64)
	if perr != nil {
		return 0, errors.New("number " + string(b[start:d.pos]) + " is out of range")
	}
	return f, nil
}

// scanNumber passes over a number, checking the JSON grammar: an optional minus, an
// integer part without leading zeros, an optional fraction and exponent. It returns
// where the integer digits start and end, and whether the number is a plain integer.
func (d *dataDecoder) scanNumber() (digits, intEnd int, plain bool, err error) {
	b := d.buf
	i := d.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits = i
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		return 0, 0, false, d.syntaxError("a number")
	}
	intEnd = i
	plain = true
	if i < len(b) && b[i] == '.' {
		plain = false
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			d.pos = i
			return 0, 0, false, d.syntaxError("a number")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		plain = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			d.pos = i
			return 0, 0, false, d.syntaxError("a number")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	d.pos = i
	return digits, intEnd, plain, nil
}

// time reads a timestamp string (null gives the zero time). The platform's own form,
// 2006-01-02T15:04:05.000Z, is parsed by hand; anything else goes through
// time.Time.UnmarshalJSON, exactly as encoding/json would.
func (d *dataDecoder) time() (time.Time, error) {
	if isNull, err := d.null(); isNull || err != nil {
		return time.Time{}, err
	}
	if d.peek() != '"' {
		if _, err := d.any(); err != nil {
			return time.Time{}, err
		}
		return time.Time{}, errors.New("must be a time string")
	}
	start := d.pos
	s, err := d.stringBytes()
	if err != nil {
		return time.Time{}, err
	}
	raw := d.buf[start:d.pos]
	if len(raw) == len(s)+2 { // no escapes: s is the literal's contents
		if t, ok := parseUTCTime(s); ok {
			return t, nil
		}
	}
	var t time.Time
	if err := t.UnmarshalJSON(raw); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// parseUTCTime parses YYYY-MM-DDTHH:MM:SS[.fraction]Z with 1 to 9 fraction digits,
// checking every range; it reports false for anything else.
func parseUTCTime(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	var bad byte // any byte that is not a digit sets a bit above 9
	digit := func(i int) int {
		c := b[i] - '0'
		bad |= c &^ 15
		if c > 9 {
			bad |= 16
		}
		return int(c)
	}
	year := digit(0)*1000 + digit(1)*100 + digit(2)*10 + digit(3)
	month := digit(5)*10 + digit(6)
	day := digit(8)*10 + digit(9)
	hour := digit(11)*10 + digit(12)
	minute := digit(14)*10 + digit(15)
	sec := digit(17)*10 + digit(18)
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		for i := 20; i < len(b)-1; i++ {
			nsec = nsec*10 + digit(i)
		}
		for k := len(frac) - 1; k < 9; k++ {
			nsec *= 10
		}
	}
	if bad != 0 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	// The same instant and representation time.Date(..., time.UTC) gives, without its
	// zone lookup and normalisation.
	secs := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec)
	return time.Unix(secs, int64(nsec)).UTC(), true
}

// daysFromCivil returns the days from 1970-01-01 to a valid proleptic Gregorian date.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// daysIn returns the number of days in a month of a (proleptic Gregorian) year.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// metadata reads a record's metadata object (null gives nil).
func (d *dataDecoder) metadata() (map[string]any, error) {
	if isNull, err := d.null(); isNull || err != nil {
		return nil, err
	}
	if d.peek() != '{' {
		if _, err := d.any(); err != nil {
			return nil, err
		}
		return nil, errors.New("must be an object")
	}
	return d.object()
}

// any reads any JSON value into the types encoding/json uses for an interface:
// map[string]any, []any, string, float64, bool or nil.
func (d *dataDecoder) any() (any, error) {
	switch c := d.peek(); {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		b, err := d.stringBytes()
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
	return d.literalOrNumber()
}

// enter and leave track nesting depth.
func (d *dataDecoder) enter() error {
	d.depth++
	if d.depth > maxDecodeDepth {
		return errors.New("exceeded max depth")
	}
	return nil
}

func (d *dataDecoder) leave() { d.depth-- }

// object reads a JSON object into a map.
func (d *dataDecoder) object() (map[string]any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	d.pos++ // '{'
	m := make(map[string]any)
	d.ws()
	if d.peek() == '}' {
		d.pos++
		return m, nil
	}
	for {
		d.ws()
		kb, err := d.stringBytes()
		if err != nil {
			return nil, err
		}
		key := d.intern(slotKey, kb)
		d.ws()
		if d.peek() != ':' {
			return nil, d.syntaxError("an object")
		}
		d.pos++
		d.ws()
		v, err := d.any()
		if err != nil {
			return nil, err
		}
		m[key] = v
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case '}':
			d.pos++
			return m, nil
		}
		return nil, d.syntaxError("an object")
	}
}

// array reads a JSON array into a slice.
func (d *dataDecoder) array() ([]any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	d.pos++ // '['
	out := []any{}
	d.ws()
	if d.peek() == ']' {
		d.pos++
		return out, nil
	}
	for {
		d.ws()
		v, err := d.any()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case ']':
			d.pos++
			return out, nil
		}
		return nil, d.syntaxError("an array")
	}
}

// skip checks and passes over any JSON value without keeping it.
func (d *dataDecoder) skip() error {
	switch c := d.peek(); {
	case c == '{' || c == '[':
		if err := d.enter(); err != nil {
			return err
		}
		defer d.leave()
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		d.pos++
		d.ws()
		if d.peek() == closer {
			d.pos++
			return nil
		}
		for {
			d.ws()
			if closer == '}' {
				if _, err := d.stringBytes(); err != nil {
					return err
				}
				d.ws()
				if d.peek() != ':' {
					return d.syntaxError("an object")
				}
				d.pos++
				d.ws()
			}
			if err := d.skip(); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.pos++
				continue
			case closer:
				d.pos++
				return nil
			}
			return d.syntaxError("a container")
		}
	case c == '"':
		_, err := d.stringBytes()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		_, _, _, err := d.scanNumber()
		return err
	}
	return d.syntaxError("a value")
}
