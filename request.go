package tago

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// call describes one API operation for [do]: what to send and how it may be retried.
// Services build a call and hand it to do; nothing else in the package talks HTTP.
type call struct {
	method string
	// path is the escaped request path, starting with "/", such as "/device/" + id.
	path string
	// secrets are path segments that must never appear in errors or logs (tokens,
	// authorization keys); they are replaced by "[redacted]".
	secrets []string
	// query is the query string builder; nil for none.
	query *query
	// body is sent as JSON: a []byte or json.RawMessage as it is, anything else
	// marshalled with encoding/json. Nil for no body.
	body any
	// contentType is the body's media type when it is not JSON (a []byte body of
	// text, say); empty means application/json.
	contentType string
	// kinds lists the token kinds the operation accepts; empty means any kind of token.
	kinds []TokenKind
	// anonymous marks a route that needs no token: an [Anonymous] client may call it.
	// Every other call of an anonymous client fails before any request.
	anonymous bool
	// noReplay marks a non-POST call that must not be repeated once the platform may
	// have processed it (deleting "the latest N records", say). POST always is.
	noReplay bool
	// idempotent marks a POST that may be repeated like a PUT: one that only reads (a
	// stored query's execution) or rewrites the same bytes (a file part's upload).
	idempotent bool
	// tokenHeader sends the token in this header instead of the client's own (a service
	// that reads only one header); empty for the client's.
	tokenHeader string
	// baseURL overrides the client's base URL (an absolute scheme://host); empty for the
	// client's own.
	baseURL string
}

// replaySafe reports whether repeating the call after the platform processed it is
// harmless.
func (cl *call) replaySafe() bool {
	return (cl.method != "POST" || cl.idempotent) && !cl.noReplay
}

// do performs cl with retries and decodes the envelope's result into a T.
func do[T any](ctx context.Context, c *Client, cl *call) (T, error) {
	ans, err := c.roundTrip(ctx, cl)
	if err != nil {
		var zero T
		return zero, err
	}
	out, apiErr := decodeAnswer[T](ans, func(s string) string { return c.redact(s, cl) })
	if apiErr != nil {
		apiErr.Method, apiErr.Path, apiErr.Attempts = cl.method, c.redactPath(cl), ans.attempts
		return out, apiErr
	}
	return out, nil
}

// exec performs cl for calls whose result is only the platform's message ("Successfully
// Updated"): the result is checked to be JSON, not kept.
func exec(ctx context.Context, c *Client, cl *call) error {
	_, err := do[ignored](ctx, c, cl)
	return err
}

// ignored is a result that is validated and dropped. Like every resultDecoder it
// rejects data after the value, so fastResult's shortcut stays safe.
type ignored struct{}

func (ignored) decodeResult(raw []byte) error {
	if !json.Valid(raw) {
		return errors.New("the result is not valid JSON")
	}
	return nil
}

// roundTrip sends cl, retrying per the client's policy, and returns the successful
// answer. It is the only place that talks HTTP.
func (c *Client) roundTrip(ctx context.Context, cl *call) (answer, error) {
	if err := c.precheck(ctx, cl); err != nil {
		return answer{}, err
	}
	var body []byte
	switch b := cl.body.(type) {
	case nil:
	case []byte:
		body = b
	case json.RawMessage:
		body = b
	default:
		var (
			revealed []string
			err      error
		)
		if body, revealed, err = marshalBody(b); err != nil {
			return answer{}, invalidf("request body", "%s", c.redact(err.Error(), cl))
		}
		cl.secrets = append(cl.secrets, revealed...) // the body's secrets stay out of errors and logs
	}
	base := c.baseURL
	if cl.baseURL != "" {
		base = cl.baseURL
	}
	target := base + cl.path
	if q := cl.query.encode(); q != "" {
		target += "?" + q
	}

	maybe := false // some attempt may have been carried out by the platform
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil { // ended before this attempt: nothing more was sent
			return answer{}, &RequestError{Method: cl.method, Path: c.redactPath(cl), Attempts: attempt - 1, Err: err, maybe: maybe}
		}
		ans, apiErr, transportErr, notSent := c.attempt(ctx, cl, target, body, attempt)
		if apiErr == nil && transportErr == nil {
			ans.attempts = attempt
			return ans, nil
		}
		var (
			err       error
			retryable bool
			wait      time.Duration
		)
		if transportErr != nil {
			maybe = maybe || (!notSent && !permanentTransportError(transportErr))
			if ctx.Err() != nil { // the caller's context ended: stop now
				return answer{}, &RequestError{Method: cl.method, Path: c.redactPath(cl), Attempts: attempt, Err: ctx.Err(), maybe: maybe}
			}
			err = &RequestError{Method: cl.method, Path: c.redactPath(cl), Attempts: attempt, Err: transportErr, maybe: maybe}
			retryable = retryableTransport(transportErr, cl.replaySafe(), notSent)
		} else {
			maybe = maybe || apiErr.maybe
			apiErr.Method, apiErr.Path, apiErr.Attempts, apiErr.maybe = cl.method, c.redactPath(cl), attempt, maybe
			err = apiErr
			retryable = retryableStatus(apiErr.HTTPStatus, apiErr.RetryAfter, cl.replaySafe())
			wait = apiErr.RetryAfter
			if retryable && wait > c.retry.MaxRetryAfter {
				return answer{}, err // longer than we are willing to wait: let the caller decide
			}
		}
		if !retryable || attempt > c.retry.MaxRetries {
			return answer{}, err
		}
		if wait <= 0 {
			wait = c.retry.backoff(attempt)
		}
		if c.logger.Enabled(ctx, slog.LevelDebug) {
			c.logger.LogAttrs(ctx, slog.LevelDebug, "tago: retrying",
				slog.String("method", cl.method), slog.String("path", c.redactPath(cl)),
				slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("error", err.Error()))
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return answer{}, err // the context would end before the retry: fail now
		}
		if serr := c.retry.Sleep(ctx, wait); serr != nil {
			return answer{}, &RequestError{Method: cl.method, Path: c.redactPath(cl), Attempts: attempt,
				Err: &retryAbortedError{ctxErr: serr, last: err}, maybe: maybe}
		}
	}
}

// precheck rejects a call that cannot be made at all: a nil client or context, or a
// token of the wrong kind. Loops over several calls (batches) use it to fail before the
// first one.
func (c *Client) precheck(ctx context.Context, cl *call) error {
	if c == nil || c.hc == nil {
		return errNilClient
	}
	if ctx == nil {
		return invalidf("context", "must not be nil")
	}
	switch {
	case c.kind == KindAnonymous && !cl.anonymous:
		return tokenKindError(cl.method+" "+c.redactPath(cl), c.kind, cl.kinds...)
	case c.kind != KindAnonymous && len(cl.kinds) > 0 && !slices.Contains(cl.kinds, c.kind):
		return tokenKindError(cl.method+" "+c.redactPath(cl), c.kind, cl.kinds...)
	}
	return nil
}

// attempt makes one HTTP attempt. It returns the answer on success, or an *APIError
// for an HTTP-level failure, or a transport error; notSent reports that a transport
// error happened before any byte of the request was written.
func (c *Client) attempt(ctx context.Context, cl *call, target string, body []byte, n int) (ans answer, apiErr *APIError, transportErr error, notSent bool) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	// Only a call that must not be replayed needs to know whether its request was
	// written before a failure; tracing the others would cost every GET for nothing.
	// A transport that does not report to httptrace (a test double, instrumentation)
	// never calls GotConn, so only a connection seen without its headers written counts
	// as not sent.
	var sent *sendTrace // allocated only when traced
	if !cl.replaySafe() {
		sent = &sendTrace{}
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			GotConn:      func(httptrace.GotConnInfo) { sent.gotConn.Store(true) },
			WroteHeaders: func() { sent.wrote.Store(true) },
		})
	}

	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body) // net/http reads it as it is; a []byte would be copied
	}
	req, err := http.NewRequestWithContext(actx, cl.method, target, rd)
	if err != nil {
		return answer{}, nil, c.redactError(err, cl), true
	}
	// Header keys are canonical already; direct assignment skips canonicalising them.
	req.Header["User-Agent"] = c.uaHeader
	req.Header["Accept"] = jsonContentType
	if hdr := c.authHeader; hdr != "" {
		if cl.tokenHeader != "" {
			hdr = cl.tokenHeader // a service that reads the token from one header only
		}
		req.Header[http.CanonicalHeaderKey(hdr)] = []string{*c.secret}
	}
	if body != nil {
		if cl.contentType != "" {
			req.Header["Content-Type"] = []string{cl.contentType}
		} else {
			req.Header["Content-Type"] = jsonContentType
		}
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	elapsed := time.Since(start)

	status := 0
	var respBody []byte
	if err == nil {
		status = resp.StatusCode
		respBody, err = readBody(resp)
	}
	if err == nil {
		ans, apiErr = readAnswer(status, resp.Header, respBody, func(s string) string { return c.redact(s, cl) })
	} else {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text repeats the URL, which may hold secrets
		}
		// net/http quotes what a server or proxy answered ("malformed HTTP response
		// \"DELETE /device/token/... HTTP/1.1\"" from one echoing the request line).
		err = c.redactError(err, cl)
		transportErr = err
		notSent = isDialError(err) || (sent != nil && sent.gotConn.Load() && !sent.wrote.Load())
	}
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("method", cl.method), slog.String("path", c.redactPath(cl)),
			slog.Int("status", status), slog.Int("attempt", n), slog.Duration("duration", elapsed),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "tago: request", attrs...)
	}
	return ans, apiErr, transportErr, notSent
}

// sendTrace records how far an attempt got in sending its request.
type sendTrace struct {
	gotConn, wrote atomic.Bool
}

// maxResponseBytes bounds a response body; the API's largest answers (10,000 data
// records) are a few megabytes.
const maxResponseBytes = 256 << 20

// preallocBytes caps what readBody allocates on the word of Content-Length before any
// byte arrived: a server announcing 256 MiB for a 10-byte answer costs 1 MiB, not 256.
const preallocBytes = 1 << 20

// readBody reads and closes a response body, failing on a body cut short or larger
// than maxResponseBytes.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	return readLimited(resp.Body, resp.ContentLength, maxResponseBytes)
}

// readLimited reads r to its end. announced is the Content-Length (-1 when unknown):
// it sizes the first buffer up to preallocBytes, and then each growth (at most doubling
// the bytes already received) stops at it, so an honest length is read into a buffer of
// exactly its size and a lying one allocates only as bytes arrive. More than limit bytes,
// announced or received, is an error.
func readLimited(r io.Reader, announced, limit int64) ([]byte, error) {
	if announced > limit {
		return nil, fmt.Errorf("the response announces %d bytes, more than the %d-byte limit", announced, limit)
	}
	size := int64(512)
	if announced >= 0 {
		// One byte more than announced leaves room for the read that reports the end.
		size = min(announced+1, preallocBytes)
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			n := int64(len(buf))
			if n > limit {
				return nil, fmt.Errorf("the response body is larger than the %d-byte limit", limit)
			}
			if n == announced || n == limit {
				// All that was announced, or all that is allowed, is here: look for
				// the end without growing the buffer.
				var probe [1]byte
				m, err := io.ReadFull(r, probe[:])
				switch {
				case m == 0 && (err == io.EOF || err == io.ErrUnexpectedEOF):
					return buf, nil
				case m == 0:
					return nil, fmt.Errorf("reading the response body: %w", err)
				case n == limit:
					return nil, fmt.Errorf("the response body is larger than the %d-byte limit", limit)
				}
				buf = append(buf, probe[0]) // more than announced: read on, up to the limit
				announced = -1
				continue
			}
			next := max(2*int64(cap(buf)), 512)
			if announced >= int64(len(buf)) {
				next = min(next, announced+1)
			}
			next = min(next, limit)
			grown := make([]byte, len(buf), next) // exactly next: an honest length wastes nothing
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the response body: %w", err)
		}
	}
	if int64(len(buf)) > limit { // an announced length of limit left one byte of room
		return nil, fmt.Errorf("the response body is larger than the %d-byte limit", limit)
	}
	if announced >= 0 && int64(len(buf)) < announced {
		return nil, fmt.Errorf("reading the response body: %w (%d of %d bytes)", io.ErrUnexpectedEOF, len(buf), announced)
	}
	return buf, nil
}

// jsonContentType is the Content-Type header value of every request body.
var jsonContentType = []string{"application/json"}

// redactedMark replaces secrets in errors and logs.
const redactedMark = "[redacted]"

// redact removes the client's token and the call's secrets from s.
func (c *Client) redact(s string, cl *call) string {
	if c.secret != nil {
		s = replaceSecret(s, *c.secret)
	}
	if cl != nil {
		for _, sec := range cl.secrets {
			s = replaceSecret(s, sec)
		}
	}
	return s
}

// replaceSecret replaces sec, raw or path-escaped, in s.
func replaceSecret(s, sec string) string {
	if sec == "" {
		return s
	}
	s = strings.ReplaceAll(s, sec, redactedMark)
	if esc := url.PathEscape(sec); esc != sec {
		s = strings.ReplaceAll(s, esc, redactedMark)
	}
	return s
}

// redactError returns err, or when its text holds a secret a *redactedError that reads
// redacted and unwraps to err.
func (c *Client) redactError(err error, cl *call) error {
	if text := err.Error(); c.redact(text, cl) != text {
		return &redactedError{err: err, text: c.redact(text, cl)}
	}
	return err
}

// redactedError is an error whose text held a secret: Error reads redacted, and Unwrap
// returns the original so that errors.Is and errors.As still see the cause.
type redactedError struct {
	err  error
	text string
}

func (e *redactedError) Error() string { return e.text }

func (e *redactedError) Unwrap() error { return e.err }

// redactPath returns the call's path (without query) safe to show.
func (c *Client) redactPath(cl *call) string {
	return c.redact(cl.path, cl)
}

// retryAbortedError reports a context that ended while waiting to retry; it unwraps to
// the context's error and says what failed last.
type retryAbortedError struct {
	ctxErr error
	last   error
}

func (e *retryAbortedError) Error() string {
	return e.ctxErr.Error() + " while waiting to retry after: " + strings.TrimPrefix(e.last.Error(), "tago: ")
}

func (e *retryAbortedError) Unwrap() []error { return []error{e.ctxErr, e.last} }

// escape path-escapes one path segment.
func escape(segment string) string { return url.PathEscape(segment) }
