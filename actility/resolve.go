package actility

import (
	"context"
	"crypto/sha256"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-tago/tago"
)

// tokenKey identifies a cached device token: the DevEUI and a hash of the key, so the
// cache holds no key.
type tokenKey struct {
	devEUI string
	key    [sha256.Size]byte
}

// tokenEntry is a resolved device client, a resolve that failed for good (err set,
// remembered until expires), or a resolve in progress (done open).
type tokenEntry struct {
	done    chan struct{}
	client  *tago.Client
	err     error
	expires time.Time
}

// rejection is a key the platform rejected, remembered until a time.
type rejection struct {
	err   error
	until time.Time
}

// sourceBucket is the budget of failed resolves of one source: tokens refill at one
// per interval up to the burst; each resolve with a key not yet accepted reserves one
// while in flight and spends it when the platform refuses.
type sourceBucket struct {
	tokens   float64
	last     time.Time
	inflight int
	wake     chan struct{} // closed when an outcome frees a reservation
}

// Limits of the per-source budget.
const (
	// maxSources is how many sources are tracked; past it, new sources share one
	// budget.
	maxSources = 4096
	// maxInflightPerSource bounds the concurrent resolves of keys not yet accepted
	// from one source.
	maxInflightPerSource = 8
	// acceptedKeyTTL is how long a key stays accepted after its last successful
	// resolve: failures with it (a device that is not on TagoIO yet) are not charged.
	acceptedKeyTTL = 24 * time.Hour
)

// throttledError reports a source whose budget of rejected keys is spent.
type throttledError struct{ wait time.Duration }

func (e *throttledError) Error() string {
	return "too many rejected authorization keys from this address; try again in " + strconv.Itoa(int(e.wait/time.Second)+1) + "s"
}

// definitive reports a resolve failure that asking again soon would not change: the
// key or the device is unknown.
func definitive(err error) bool {
	return errors.Is(err, tago.ErrNotFound) || errors.Is(err, tago.ErrBadRequest) || keyRejected(err)
}

// keyRejected reports a resolve failure that condemns the key, whatever the DevEUI.
func keyRejected(err error) bool {
	return errors.Is(err, tago.ErrUnauthorized) || errors.Is(err, tago.ErrForbidden) || errors.Is(err, tago.ErrInvalidInput)
}

// remoteHost is the default source of a request: the host of its remote address.
func remoteHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// deviceClient returns a client holding the device token for tk, resolving it when it
// is not cached or has expired. Concurrent messages of one device share one resolve. A
// resolve that failed for good is remembered for FailedResolveTTL (and a rejected key
// for every DevEUI), and resolves with keys the platform has not accepted are budgeted
// per source.
func (b *Bridge) deviceClient(ctx context.Context, source string, tk tokenKey, key string) (*tago.Client, error) {
	now := time.Now()
	b.mu.Lock()
	b.sweepLocked(now)
	if rej, ok := b.rejected[tk.key]; ok && now.Before(rej.until) {
		b.mu.Unlock()
		return nil, rej.err
	}
	if e := b.tokens[tk]; e != nil {
		select {
		case <-e.done:
			if now.Before(e.expires) {
				b.mu.Unlock()
				return e.client, e.err
			}
		default:
			b.mu.Unlock()
			select {
			case <-e.done:
				return e.client, e.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	e := &tokenEntry{done: make(chan struct{})}
	b.tokens[tk] = e
	b.mu.Unlock()

	c, err := b.resolve(ctx, source, tk, key)

	b.mu.Lock()
	defer b.mu.Unlock()
	e.client, e.err = c, err
	now = time.Now()
	switch {
	case err == nil:
		e.expires = now.Add(b.tokenTTL)
		b.accepted[tk.key] = now.Add(acceptedKeyTTL)
	case keyRejected(err):
		e.expires = now.Add(b.failTTL)
		b.rejected[tk.key] = rejection{err, now.Add(b.failTTL)}
		delete(b.accepted, tk.key)
	case definitive(err):
		e.expires = now.Add(b.failTTL)
	default: // the platform is down, or the source is throttled: ask again next time
		if b.tokens[tk] == e {
			delete(b.tokens, tk)
		}
	}
	close(e.done)
	return c, err
}

// resolve asks the platform for the device token of tk, within the source's budget.
func (b *Bridge) resolve(ctx context.Context, source string, tk tokenKey, key string) (*tago.Client, error) {
	bucket, err := b.admit(ctx, source, tk.key)
	if err != nil {
		return nil, err
	}
	tok, err := b.network.Networks.ResolveToken(ctx, tk.devEUI, key)
	var c *tago.Client
	if err == nil {
		c, err = tago.NewClient(tago.DeviceToken(tok.Reveal()), b.devOpts...)
	}
	if err == nil && b.spooled != nil {
		b.rememberToken(tk, tok.Reveal(), c)
	}
	if bucket != nil {
		// A malformed key made no request: it costs nothing.
		b.settleSource(bucket, err != nil && definitive(err) && !errors.Is(err, tago.ErrInvalidInput))
	}
	return c, err
}

// admit lets a resolve with key hash kh from source go ahead. A key the platform
// accepted lately goes ahead at once, uncharged (bucket is nil). Another reserves a
// token of the source's budget, returned as bucket: when none is left admit fails with
// a *throttledError, and while the source's reservations take what is left it waits
// for their outcome.
func (b *Bridge) admit(ctx context.Context, source string, kh [sha256.Size]byte) (bucket *sourceBucket, err error) {
	for {
		now := time.Now()
		b.mu.Lock()
		if until, ok := b.accepted[kh]; ok && now.Before(until) {
			b.mu.Unlock()
			return nil, nil
		}
		s := b.bucketLocked(source, now)
		if s.tokens < 1 {
			wait := time.Duration((1 - s.tokens) * float64(b.srcRefill))
			b.mu.Unlock()
			return nil, &throttledError{wait: wait}
		}
		if s.inflight < maxInflightPerSource && float64(s.inflight+1) <= s.tokens {
			s.inflight++
			b.mu.Unlock()
			return s, nil
		}
		wake := s.wake
		b.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// settleSource ends a reservation of bucket s, spending its token when the platform
// refused the key. (A bucket with a reservation is never swept.)
func (b *Bridge) settleSource(s *sourceBucket, refused bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s.inflight = max(s.inflight-1, 0)
	if refused {
		s.tokens = max(s.tokens-1, 0)
	}
	close(s.wake)
	s.wake = make(chan struct{})
}

// bucketLocked returns the source's budget, refilled up to now.
func (b *Bridge) bucketLocked(source string, now time.Time) *sourceBucket {
	s := b.sources[source]
	if s == nil {
		if len(b.sources) >= maxSources {
			source = "*"
			s = b.sources[source]
		}
		if s == nil {
			s = &sourceBucket{tokens: float64(b.srcBurst), last: now, wake: make(chan struct{})}
			b.sources[source] = s
		}
	}
	if d := now.Sub(s.last); d > 0 {
		s.tokens = min(float64(b.srcBurst), s.tokens+float64(d)/float64(b.srcRefill))
		s.last = now
	}
	return s
}

// forget drops the cached client for tk if it is still c.
func (b *Bridge) forget(tk tokenKey, c *tago.Client) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.tokens[tk]; e != nil && e.client == c {
		delete(b.tokens, tk)
	}
}

// sweepLocked drops expired tokens, failures, keys and full idle budgets, at most once
// a minute.
func (b *Bridge) sweepLocked(now time.Time) {
	if now.Sub(b.lastSweep) < time.Minute {
		return
	}
	b.lastSweep = now
	for k, e := range b.tokens {
		select {
		case <-e.done:
			if !now.Before(e.expires) {
				delete(b.tokens, k)
			}
		default:
		}
	}
	for k, r := range b.rejected {
		if !now.Before(r.until) {
			delete(b.rejected, k)
		}
	}
	for k, until := range b.accepted {
		if !now.Before(until) {
			delete(b.accepted, k)
		}
	}
	for k, s := range b.sources {
		if s.inflight == 0 && s.tokens+float64(now.Sub(s.last))/float64(b.srcRefill) >= float64(b.srcBurst) {
			delete(b.sources, k)
		}
	}
}
