package tago

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// envelope is the platform's response wrapper {"status": bool, "result": ..., "message":
// ...}, kept raw: each field is the exact JSON text of its value, nil when absent.
type envelope struct {
	status      []byte
	result      []byte
	message     []byte
	fieldErrors []byte
	code        []byte
	// other holds every other member, key and raw value, in the body's order.
	other []member
}

// member is one object member: its (unescaped) key and raw value.
type member struct {
	key   string
	value []byte
}

// errNotJSON reports a body that does not start like a JSON object.
var errNotJSON = errors.New("not a JSON object")

// parseEnvelope splits a response body into its envelope fields without decoding the
// result, so a large result is scanned once here and decoded once by its own decoder.
// It checks the object's structure (strings, nesting, literals) and rejects trailing
// data; it never panics, whatever the input.
func parseEnvelope(body []byte) (envelope, error) {
	var env envelope
	err := objectMembers(body, func(key, value []byte) {
		switch string(key) {
		case "status":
			env.status = value
		case "result":
			env.result = value
		case "message":
			env.message = value
		case "field_errors":
			env.fieldErrors = value
		case "code":
			env.code = value
		default:
			env.other = append(env.other, member{string(key), value})
		}
	})
	return env, err
}

// objectMembers calls fn with each key (unescaped) and raw value of the JSON object
// that body holds, in order, checking the object's structure and rejecting trailing
// data. Values are slices of body. It never panics, whatever the input.
func objectMembers(body []byte, fn func(key, value []byte)) error {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return errNotJSON
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			if i >= len(body) || body[i] != '"' {
				return errors.New("expected an object key")
			}
			keyEnd, err := skipString(body, i)
			if err != nil {
				return err
			}
			key := body[i+1 : keyEnd-1]
			if bytes.IndexByte(key, '\\') >= 0 {
				var k string
				if json.Unmarshal(body[i:keyEnd], &k) != nil {
					return errors.New("invalid object key")
				}
				key = []byte(k)
			}
			i = skipSpace(body, keyEnd)
			if i >= len(body) || body[i] != ':' {
				return errors.New("expected ':' after an object key")
			}
			i = skipSpace(body, i+1)
			end, err := skipValue(body, i)
			if err != nil {
				return err
			}
			fn(key, body[i:end])
			i = skipSpace(body, end)
			if i >= len(body) {
				return errors.New("unexpected end of JSON")
			}
			if body[i] == '}' {
				i++
				break
			}
			if body[i] != ',' {
				return errors.New("expected ',' or '}' in object")
			}
			i = skipSpace(body, i+1)
		}
	}
	if skipSpace(body, i) != len(body) {
		return errors.New("data after the JSON object")
	}
	return nil
}

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the JSON string that starts at b[i] == '"'.
// It jumps from quote to quote (bytes.IndexByte is vectorised) and counts the
// backslashes before each one: an odd count means the quote is escaped.
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			break
		}
		j += k
		n := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1, nil
		}
		j++
	}
	return 0, errors.New("unterminated string")
}

// skipValue returns the index just past the JSON value that starts at b[i]. Containers
// are checked for balanced, correctly paired brackets; scalars for their shape.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("unexpected end of JSON")
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '{' || c == '[':
		return skipContainer(b, i)
	case c == 't':
		return skipLiteral(b, i, "true")
	case c == 'f':
		return skipLiteral(b, i, "false")
	case c == 'n':
		return skipLiteral(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
			j++
		}
		return j, nil
	default:
		return 0, fmt.Errorf("invalid character %q looking for a value", c)
	}
}

// skipLiteral checks that b[i:] starts with lit and returns the index past it.
func skipLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, errors.New("invalid literal")
	}
	return i + len(lit), nil
}

// structural marks the bytes skipContainer must look at; it passes over the rest.
var structural = [256]bool{'{': true, '}': true, '[': true, ']': true, '"': true}

// skipContainer returns the index just past the object or array starting at b[i]. It
// tracks nesting with a stack of expected closing brackets, so "[}" is rejected.
func skipContainer(b []byte, i int) (int, error) {
	var small [32]byte
	stack := small[:0]
	for j := i; j < len(b); j++ {
		for j < len(b) && !structural[b[j]] {
			j++
		}
		if j == len(b) {
			break
		}
		switch b[j] {
		case '{':
			stack = append(stack, '}')
		case '[':
			stack = append(stack, ']')
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != b[j] {
				return 0, errors.New("mismatched brackets")
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, nil
			}
		case '"':
			// Most strings inside records are short: step over them byte by byte,
			// handing longer ones to skipString's vectorised search.
			k := j + 1
			for k < len(b) && k < j+32 && b[k] != '"' {
				if b[k] == '\\' {
					k++
				}
				k++
			}
			if k < len(b) && k < j+32 {
				j = k
				continue
			}
			end, err := skipString(b, j)
			if err != nil {
				return 0, err
			}
			j = end - 1
		}
	}
	return 0, errors.New("unexpected end of JSON")
}

// successPrefix is how the platform starts nearly every successful answer.
const successPrefix = `{"status":true,"result":`

// fastResult returns X for a 2xx body of the form {"status":true,"result":X} without
// scanning X, so a large result is read once, by its decoder, instead of twice. The
// guess is right whenever X is one JSON value; when the object holds more keys after
// "result", X also holds them and cannot decode as one value (every decoder behind
// decodeResult rejects data after a value), and the caller falls back to
// checkResponse.
func fastResult(status int, body []byte) ([]byte, bool) {
	if !isSuccess(status) {
		return nil, false
	}
	i := skipSpace(body, 0)
	if !bytes.HasPrefix(body[i:], []byte(successPrefix)) {
		return nil, false
	}
	j := len(body) - 1
	for j > i && (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r') {
		j--
	}
	if j < i+len(successPrefix) || body[j] != '}' {
		return nil, false
	}
	res := bytes.TrimSpace(body[i+len(successPrefix) : j])
	if len(res) == 0 {
		return nil, false
	}
	return res, true
}

// answer is a successful response: what roundTrip returns and decodeAnswer decodes.
type answer struct {
	result []byte // the envelope's raw result
	// shortcut says result was cut from body by fastResult without scanning it; a
	// result that does not decode must then be read again from the whole envelope.
	shortcut bool
	body     []byte
	status   int
	header   http.Header
	attempts int
}

// readAnswer turns one HTTP response into an answer, or an *APIError (without Method,
// Path and Attempts). The common {"status":true,"result":X} shape takes fastResult's
// shortcut; everything else is scanned by checkResponse.
func readAnswer(status int, header http.Header, body []byte, redact func(string) string) (answer, *APIError) {
	ans := answer{body: body, status: status, header: header}
	if res, ok := fastResult(status, body); ok {
		ans.result, ans.shortcut = res, true
		return ans, nil
	}
	var apiErr *APIError
	ans.result, apiErr = checkResponse(status, header, body, redact)
	return ans, apiErr
}

// decodeAnswer decodes an answer's result into a T. When the shortcut's guess at the
// result does not decode, the whole envelope is read again: it may hold more keys (a
// late "status", a warning "message") or be malformed. A result that does not fit T is
// an *APIError saying so.
func decodeAnswer[T any](ans answer, redact func(string) string) (T, *APIError) {
	var out T
	err := decodeResult(ans.result, &out)
	if err != nil && ans.shortcut {
		raw, apiErr := checkResponse(ans.status, ans.header, ans.body, redact)
		if apiErr != nil {
			var zero T
			return zero, apiErr
		}
		var fresh T
		err = decodeResult(raw, &fresh)
		out = fresh
	}
	if err != nil {
		var zero T
		// The platform answered 2xx with "status": true: it carried the call out.
		return zero, &APIError{HTTPStatus: ans.status, Message: "decoding the result: " + redact(err.Error()), maybe: true}
	}
	return out, nil
}

// resultDecoder is implemented by result types that decode themselves faster than
// encoding/json can (data records); decodeResult prefers it. Like encoding/json, an
// implementation must reject anything after the one value it decodes: fastResult
// relies on it.
type resultDecoder interface {
	decodeResult(raw []byte) error
}

// decodeResult decodes a raw "result" value into out. An absent or null result leaves
// out at its zero value.
func decodeResult[T any](raw []byte, out *T) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if d, ok := any(out).(resultDecoder); ok {
		return d.decodeResult(raw)
	}
	return json.Unmarshal(raw, out)
}

// isSuccess reports whether an HTTP status is 2xx.
func isSuccess(status int) bool { return status >= 200 && status <= 299 }

// checkResponse turns one HTTP response into the raw result on success, or an
// *APIError (without Method, Path and Attempts, which the caller fills in). redact
// removes secrets from any text taken from the body.
func checkResponse(status int, header http.Header, body []byte, redact func(string) string) ([]byte, *APIError) {
	if len(bytes.TrimSpace(body)) == 0 {
		if status == http.StatusNoContent || (isSuccess(status) && status != http.StatusOK) {
			return nil, nil
		}
		msg := ""
		if isSuccess(status) {
			msg = "empty response body where the platform's JSON envelope was expected"
		}
		apiErr := &APIError{HTTPStatus: status, Message: msg, RetryAfter: retryAfter(header, "")}
		apiErr.maybe = isSuccess(status) || serverMayHaveApplied(apiErr)
		return nil, apiErr
	}
	env, err := parseEnvelope(body)
	if err != nil {
		msg := snippet(body, redact)
		if isSuccess(status) {
			msg = "response is not the platform's JSON envelope (" + err.Error() + "): " + msg
		}
		apiErr := &APIError{HTTPStatus: status, Message: msg, RetryAfter: retryAfter(header, "")}
		apiErr.maybe = isSuccess(status) || serverMayHaveApplied(apiErr)
		return nil, apiErr
	}
	st := string(env.status)
	statusKnown := st == "true" || st == "false"
	if isSuccess(status) && st == "true" {
		return env.result, nil
	}
	apiErr := &APIError{HTTPStatus: status, refused: st == "false"}
	apiErr.Message = errorText(env, status, statusKnown, redact)
	apiErr.FieldErrors = fieldErrors(env.fieldErrors, redact)
	apiErr.Code = errorCode(env.code, redact)
	apiErr.Extra = extraMembers(env, redact)
	apiErr.RetryAfter = retryAfter(header, apiErr.Message)
	// A 2xx answer is a refusal only when the platform said "status": false.
	apiErr.maybe = (isSuccess(status) && st != "false") || serverMayHaveApplied(apiErr)
	return nil, apiErr
}

// fieldErrors decodes the envelope's field_errors, {"field": ["why", ...]}, redacted. A
// field whose value is one string instead of a list keeps it; other shapes are dropped
// (the raw member stays in nothing: field_errors is never in Extra).
func fieldErrors(raw []byte, redact func(string) string) map[string][]string {
	if len(raw) == 0 {
		return nil
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil || len(members) == 0 {
		return nil
	}
	out := make(map[string][]string, len(members))
	for k, v := range members {
		var list []string
		if json.Unmarshal(v, &list) != nil {
			var one string
			if json.Unmarshal(v, &one) != nil {
				continue
			}
			list = []string{one}
		}
		for i := range list {
			list[i] = redact(list[i])
		}
		out[redact(k)] = list
	}
	return out
}

// errorCode reads the envelope's "code": a string, or a number's digits.
func errorCode(raw []byte, redact func(string) string) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return redact(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return redact(string(raw))
}

// extraMembers returns the envelope's members other than status, message, code and
// field_errors as raw JSON, redacted; nil when there are none.
func extraMembers(env envelope, redact func(string) string) map[string]json.RawMessage {
	n := len(env.other)
	if env.result != nil {
		n++
	}
	if n == 0 {
		return nil
	}
	out := make(map[string]json.RawMessage, n)
	if env.result != nil {
		out["result"] = json.RawMessage(redact(string(env.result)))
	}
	for _, m := range env.other {
		out[redact(m.key)] = json.RawMessage(redact(string(m.value)))
	}
	return out
}

// serverMayHaveApplied reports whether a server error may come after the platform
// carried the call out: every 5xx but a 503 with Retry-After, which is a refusal.
func serverMayHaveApplied(e *APIError) bool {
	return e.HTTPStatus >= 500 && !(e.HTTPStatus == http.StatusServiceUnavailable && e.RetryAfter > 0)
}

// errorText extracts the error message from an envelope in the order the official SDKs
// use: "message", then "result" (a string, or an object's "message"), then the status.
// redact is applied before a long result is cut.
func errorText(env envelope, status int, statusKnown bool, redact func(string) string) string {
	if !statusKnown && isSuccess(status) {
		return "response envelope has no boolean status"
	}
	var s string
	if json.Unmarshal(env.message, &s) == nil && s != "" {
		return redact(s)
	}
	if json.Unmarshal(env.result, &s) == nil && s != "" {
		return redact(s)
	}
	var obj struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(env.result, &obj) == nil && obj.Message != "" {
		return redact(obj.Message)
	}
	if r := bytes.TrimSpace(env.result); len(r) > 0 && string(r) != "null" {
		var compact bytes.Buffer
		if json.Compact(&compact, r) == nil {
			return truncate(redact(compact.String()), maxSnippet)
		}
	}
	if isSuccess(status) {
		return "the platform answered status false without a message"
	}
	return http.StatusText(status)
}

// maxSnippet bounds how much of an unexpected body an error message quotes.
const maxSnippet = 200

// snippet returns a short, printable, redacted excerpt of a body for an error message.
// The whole body is redacted before any cut: a secret cut at the excerpt's edge would
// no longer match, and show most of itself.
func snippet(body []byte, redact func(string) string) string {
	s := redact(string(body))
	s = strings.ToValidUTF8(s[:min(len(s), 4*maxSnippet)], "?")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	return truncate(s, maxSnippet)
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// maxRetryAfterSeconds is the longest Retry-After a time.Duration holds in whole
// seconds (about 292 years); longer ones are clamped to it instead of overflowing.
const maxRetryAfterSeconds = int64(math.MaxInt64 / time.Second)

// retryAfter reads how long the platform asked us to wait: the Retry-After header
// (seconds or an HTTP date), else "Retry-After: N" in the error message. A number of
// seconds too large for a time.Duration is clamped, never wrapped: 18446744074 seconds
// must not become 0.29 s, nor 9300000000 a negative wait.
func retryAfter(h http.Header, msg string) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if d, ok := parseSeconds(v); ok {
			return d
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := time.Until(t); d > 0 {
				return d.Round(time.Second)
			}
			return 0
		}
	}
	const marker = "Retry-After:"
	if i := strings.Index(msg, marker); i >= 0 {
		rest := strings.TrimLeft(msg[i+len(marker):], " ")
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if d, ok := parseSeconds(rest[:j]); ok {
			return d
		}
	}
	return 0
}

// parseSeconds reads a non-negative whole number of seconds, clamped to
// maxRetryAfterSeconds however many digits it has.
func parseSeconds(s string) (time.Duration, bool) {
	secs, err := strconv.ParseUint(s, 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	if err != nil || secs > uint64(maxRetryAfterSeconds) {
		secs = uint64(maxRetryAfterSeconds)
	}
	return time.Duration(secs) * time.Second, true
}
