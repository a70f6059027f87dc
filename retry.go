package tago

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// RetryPolicy decides how a [Client] retries failed attempts. The zero value makes no
// retries; [DefaultRetryPolicy] is what [NewClient] uses unless told otherwise.
//
// Which failures are retried is fixed, so that retries never store a reading twice:
//   - GET, PUT and DELETE, and the few POSTs that are safe to repeat (a stored query's
//     execution, a part of a file upload, a file upload in one request): HTTP 429, 502,
//     503 and 504, a timed-out attempt, and connection errors (refused, reset, closed
//     early).
//   - POST, and calls that must not be repeated once the platform may have seen them
//     (deleting "the latest N records", moving files): only HTTP 429, HTTP 503 with a
//     Retry-After, and a connection that failed before the request was written.
//
// A Retry-After from the platform (header, or the "Retry-After: N" of its rate-limit
// message) replaces the backoff delay; one longer than MaxRetryAfter ends the call at
// once with the error, whose RetryAfter field says how long to wait.
type RetryPolicy struct {
	// MaxRetries is how many times a call is retried after its first attempt; 0 disables
	// retries.
	MaxRetries int
	// BaseDelay is the backoff before the first retry; it doubles for every further
	// retry. Zero means 500ms.
	BaseDelay time.Duration
	// MaxDelay caps one backoff delay. Zero means 30s.
	MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for. Zero means 60s.
	MaxRetryAfter time.Duration
	// NoJitter disables the random jitter that spreads backoff delays over
	// [delay/2, delay]; Retry-After delays are never jittered.
	NoJitter bool
	// Sleep waits for d or until ctx ends, returning ctx.Err() in the latter case. Nil
	// means a real timer; tests inject their own to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetryPolicy returns the policy clients use by default: 3 retries, backoff from
// 500ms doubling up to 30s with jitter, Retry-After honoured up to 60s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, MaxRetryAfter: 60 * time.Second}
}

// NoRetries returns a policy that makes exactly one attempt per call.
func NoRetries() RetryPolicy { return RetryPolicy{} }

// withDefaults fills the zero durations and the sleeper.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 60 * time.Second
	}
	if p.Sleep == nil {
		p.Sleep = sleepCtx
	}
	return p
}

// backoff returns the delay before retry number n (1-based).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if !p.NoJitter && d > 1 {
		d = d/2 + rand.N(d/2+1)
	}
	return d
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryableStatus reports whether an HTTP error status may be retried. replaySafe says
// whether the call may be repeated even if the platform processed it (GET, PUT, DELETE).
func retryableStatus(status int, retryAfter time.Duration, replaySafe bool) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true // rejected by the rate limiter before any processing
	case http.StatusServiceUnavailable:
		return replaySafe || retryAfter > 0 // with Retry-After: refused, not attempted
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return replaySafe // the platform may have processed it behind the proxy
	}
	return false
}

// retryableTransport reports whether a failed attempt with no response may be retried.
// notSent says the request certainly never reached the server.
func retryableTransport(err error, replaySafe, notSent bool) bool {
	if permanentTransportError(err) {
		return false
	}
	return replaySafe || notSent
}

// permanentTransportError reports errors that a retry cannot fix: bad certificates and
// TLS misconfiguration.
func permanentTransportError(err error) bool {
	var (
		certErr     *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
	)
	return errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) ||
		errors.As(err, &invalidErr) || errors.As(err, &recordErr)
}

// isDialError reports whether err happened while opening the connection, before any
// byte of the request could be written.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
