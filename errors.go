package tago

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Sentinel errors, matched with [errors.Is]. An [*APIError] matches the sentinel for its
// HTTP status; an [*InputError] matches ErrInvalidInput.
var (
	// ErrBadRequest matches an API error with HTTP status 400 or 422, and a refusal the
	// platform answered with a 2xx status and "status": false (TagoCore answers
	// validation errors with HTTP 200).
	ErrBadRequest = errors.New("tago: bad request")
	// ErrUnauthorized matches an API error with HTTP status 401: a missing, unknown or
	// expired token.
	ErrUnauthorized = errors.New("tago: unauthorized")
	// ErrForbidden matches an API error with HTTP status 403: the token may not do this,
	// or the plan does not allow it.
	ErrForbidden = errors.New("tago: forbidden")
	// ErrNotFound matches an API error with HTTP status 404.
	ErrNotFound = errors.New("tago: not found")
	// ErrRateLimited matches an API error with HTTP status 429; its RetryAfter field says
	// when the platform accepts requests again, when known.
	ErrRateLimited = errors.New("tago: rate limited")
	// ErrServer matches an API error with an HTTP status of 500 or above.
	ErrServer = errors.New("tago: server error")
	// ErrInvalidInput matches arguments rejected locally, before any request was sent.
	ErrInvalidInput = errors.New("tago: invalid input")
	// ErrTokenKind matches a call made with a kind of token it cannot use, rejected
	// before any request was sent.
	ErrTokenKind = errors.New("tago: wrong token kind")
)

// APIError is an error reported by the TagoIO API: a response with "status": false, a
// non-2xx HTTP status, or a body that is not the platform's envelope. Its text names the
// method, the path (secrets redacted), the HTTP status and the platform's message.
type APIError struct {
	// HTTPStatus is the response's HTTP status code.
	HTTPStatus int
	// Message is the platform's error text (from "message", else "result"), or a short
	// snippet of a body that was not the platform's JSON envelope. Secrets are redacted.
	Message string
	// Method is the request's HTTP method.
	Method string
	// Path is the request's path with secrets (tokens, authorization keys) redacted.
	Path string
	// RetryAfter is how long the platform asked us to wait, from the Retry-After header
	// or the rate-limit message; zero when it did not say.
	RetryAfter time.Duration
	// FieldErrors holds per-field validation messages when the platform sends them
	// ("field_errors"); the error text names these fields.
	FieldErrors map[string][]string
	// Code is the envelope's error "code", when the platform sends one.
	Code string
	// Extra holds the envelope's other members ("result" among them, but not
	// "status", "message", "code" or "field_errors") as raw JSON, secrets redacted; nil
	// when there are none or the body was not the platform's envelope.
	Extra map[string]json.RawMessage
	// Attempts is how many attempts were made, retries included.
	Attempts int

	maybe   bool // the platform may have carried the call out; see MayBeStored
	refused bool // the envelope said "status": false
}

// Error returns "tago: METHOD /path: STATUS message", followed by the offending fields
// and their messages when the platform named them: " (name: required; qty: too large)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("tago: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	fmt.Fprintf(&b, "%d", e.HTTPStatus)
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.HTTPStatus)
	}
	if msg != "" {
		b.WriteByte(' ')
		b.WriteString(msg)
	}
	if len(e.FieldErrors) > 0 {
		b.WriteString(" (")
		for i, k := range slices.Sorted(maps.Keys(e.FieldErrors)) {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(k)
			if v := e.FieldErrors[k]; len(v) > 0 {
				b.WriteString(": ")
				b.WriteString(strings.Join(v, ", "))
			}
		}
		b.WriteByte(')')
	}
	if e.RetryAfter > 0 && !strings.Contains(msg, "Retry-After") {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	return b.String()
}

// Is reports whether target is the sentinel error for e's HTTP status; a refusal
// answered with a 2xx status ("status": false) is a bad request.
func (e *APIError) Is(target error) bool {
	switch s := e.HTTPStatus; {
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity || (e.refused && s >= 200 && s <= 299):
		return target == ErrBadRequest
	case s == http.StatusUnauthorized:
		return target == ErrUnauthorized
	case s == http.StatusForbidden:
		return target == ErrForbidden
	case s == http.StatusNotFound:
		return target == ErrNotFound
	case s == http.StatusTooManyRequests:
		return target == ErrRateLimited
	case s >= 500:
		return target == ErrServer
	}
	return false
}

// InputError reports an argument rejected before any request was sent. It matches
// [ErrInvalidInput].
type InputError struct {
	// Field names the argument or field at fault, such as "device ID" or "points[3].value".
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns "tago: invalid input: field: reason".
func (e *InputError) Error() string {
	return "tago: invalid input: " + e.Field + ": " + e.Reason
}

// Unwrap returns [ErrInvalidInput].
func (e *InputError) Unwrap() error { return ErrInvalidInput }

// invalidf returns an *InputError for field with a formatted reason.
func invalidf(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// RequestError reports a request that got no HTTP response: the connection failed, an
// attempt timed out, or the context ended. Err is the cause, so errors.Is(err,
// context.DeadlineExceeded) and errors.As(err, **net.OpError) see through it.
type RequestError struct {
	// Method is the request's HTTP method.
	Method string
	// Path is the request's path with secrets redacted.
	Path string
	// Attempts is how many attempts were made, retries included.
	Attempts int
	// Err is the underlying transport or context error.
	Err error

	maybe bool // the request may have reached the platform; see MayBeStored
}

// Error returns "tago: METHOD /path: cause".
func (e *RequestError) Error() string {
	return "tago: " + e.Method + " " + e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying transport or context error.
func (e *RequestError) Unwrap() error { return e.Err }

func (e *APIError) mayBeStored() bool     { return e.maybe }
func (e *RequestError) mayBeStored() bool { return e.maybe }

// MayBeStored reports whether a call that failed with err may nonetheless have been
// carried out by the platform: data stored, a record changed or deleted. It is the rule
// the retry policy applies to POST, so it is false exactly when sending the same request
// again cannot store anything twice:
//   - false: an argument refused locally ([ErrInvalidInput], [ErrTokenKind]), a
//     connection that failed before the request was written, an answer with a 4xx status
//     (429 included) or with "status": false, and a 503 carrying Retry-After;
//   - true: a connection lost or an attempt timed out after the request was written,
//     HTTP 500, 502, 504 and other 5xx, and a 2xx answer that was cut short or is not
//     the platform's envelope.
//
// For calls the client retried (GET, PUT, DELETE), it is true when any attempt may have
// been carried out. For a [*BatchError] it describes the failed batch only.
func MayBeStored(err error) bool {
	var m interface{ mayBeStored() bool }
	return errors.As(err, &m) && m.mayBeStored()
}

// tokenKindError reports a call that needs another kind of token.
func tokenKindError(op string, have TokenKind, need ...TokenKind) error {
	names := make([]string, len(need))
	for i, k := range need {
		names[i] = k.String()
	}
	needs := "a token"
	if len(names) > 0 {
		needs = article(strings.Join(names, " or ")) + " token"
	}
	holds := article(have.String()) + " token"
	if have == KindAnonymous {
		holds = "no token"
	}
	return fmt.Errorf("%w: %s needs %s; the client holds %s", ErrTokenKind, op, needs, holds)
}

// article prefixes a token kind with "a" or "an".
func article(kind string) string {
	if strings.HasPrefix(kind, "a") {
		return "an " + kind
	}
	return "a " + kind
}
