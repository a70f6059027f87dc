package actility

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-tago/tago"
)

// check says why a delivery must look for the message on the platform before it
// sends it.
type check uint8

const (
	noCheck      check = iota
	checkUnknown       // an earlier send had an unknown outcome
	checkRestart       // the message may have been stored by an earlier process
)

// deliver resolves the device and stores the message's records on it, at most once.
func (b *Bridge) deliver(ctx context.Context, source, key, devEUI string, m Message) outcome {
	tk := tokenKey{devEUI: devEUI, key: sha256.Sum256([]byte(key))}
	c, err := b.deviceClient(ctx, source, tk, key)
	if err != nil {
		return b.resolveFailure(err, devEUI)
	}
	group := m.Group()
	lk := devEUI + "/" + group + "/" + hex.EncodeToString(tk.key[:8])
	if b.spooled != nil {
		return b.enqueue(ctx, tk, m, lk)
	}
	why, early := b.claim(lk, messageTime(m))
	if early != nil {
		return *early
	}
	defer b.unclaim(lk)
	return b.store(ctx, source, tk, key, c, m, group, lk, why)
}

// messageTime returns the time of a message.
func messageTime(m Message) time.Time {
	switch m := m.(type) {
	case Uplink:
		return m.Time
	case LocationMessage:
		return m.Time
	}
	return time.Time{}
}

// claim marks the message in flight and reads what the log knows of it. why says what
// the delivery must check before sending; a non-nil early outcome answers it without
// sending (and leaves it unclaimed).
func (b *Bridge) claim(lk string, msgTime time.Time) (why check, early *outcome) {
	b.mu.Lock()
	if b.inflight[lk] {
		b.mu.Unlock()
		return noCheck, &outcome{status: http.StatusServiceUnavailable, retryAfter: b.settle,
			message: "this message is being handled; try again later"}
	}
	b.inflight[lk] = true
	b.mu.Unlock()

	state, at, ok, err := b.deliveries.Lookup(lk)
	switch {
	case err != nil:
		b.unclaim(lk)
		return noCheck, &outcome{status: http.StatusServiceUnavailable, retryAfter: b.retry, err: err,
			message: "the bridge cannot read its delivery log; try again later"}
	case ok && state == DeliveryStored:
		b.unclaim(lk)
		return noCheck, &outcome{status: http.StatusOK, message: "already stored"}
	case ok && state == DeliveryPending:
		if wait := b.settle - time.Since(at); wait > 0 {
			b.unclaim(lk)
			return noCheck, &outcome{status: http.StatusServiceUnavailable, retryAfter: wait,
				message: "an earlier delivery of this message may have been stored; it is checked once the platform has settled"}
		}
		return checkUnknown, nil
	case !ok && b.volatile && b.olderThanProcess(msgTime):
		return checkRestart, nil
	}
	return noCheck, nil
}

// olderThanProcess reports whether a message may have reached an earlier run of the
// bridge: its time is before the process started (with a minute for clock skew), or
// it has none and the process is less than a day old.
func (b *Bridge) olderThanProcess(t time.Time) bool {
	if t.IsZero() {
		return time.Since(b.started) < 24*time.Hour
	}
	return t.Before(b.started.Add(time.Minute))
}

// unclaim ends the handling of a message.
func (b *Bridge) unclaim(lk string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.inflight, lk)
}

// store sends the message's records, after looking for an earlier delivery on the
// platform when why says so, and keeps the log up to date.
func (b *Bridge) store(ctx context.Context, source string, tk tokenKey, key string, c *tago.Client, m Message, group, lk string, why check) outcome {
	if why != noCheck {
		found, err := stored(ctx, c, group)
		if errors.Is(err, tago.ErrUnauthorized) {
			// The cached token was revoked: resolve anew once, and look again.
			b.forget(tk, c)
			if c, err = b.deviceClient(ctx, source, tk, key); err != nil {
				return b.resolveFailure(err, tk.devEUI)
			}
			found, err = stored(ctx, c, group)
		}
		switch {
		case err == nil && found:
			b.record(lk, DeliveryStored)
			return outcome{status: http.StatusOK, message: "already stored"}
		case err == nil: // not there: send it below
		case errors.Is(err, tago.ErrUnauthorized):
			b.forget(tk, c)
			return b.unavailable(err, 0, "the device token was rejected; try again")
		case transient(err):
			return b.unavailable(err, retryAfterOf(err), "the platform is unavailable; try again later")
		case why == checkUnknown:
			b.record(lk, DeliveryStored)
			return outcome{status: http.StatusOK,
				err:     fmt.Errorf("not sent again, since whether an earlier delivery was stored cannot be checked: %w", err),
				message: "not sent again: an earlier delivery may have been stored"}
		default:
			// Only a guess that an earlier process stored it: sending is the lesser risk.
			b.log.Warn("actility: sending without checking for an earlier delivery", slog.String("deveui", tk.devEUI),
				slog.String("error", redactAll(err.Error(), key)))
		}
	}
	if err := b.deliveries.Record(lk, DeliveryPending, time.Now()); err != nil {
		return b.unavailable(err, 0, "the bridge cannot write its delivery log; try again later")
	}

	points := ToData(m)
	n, err := c.Data.Send(ctx, points...)
	if errors.Is(err, tago.ErrUnauthorized) {
		// The cached token was revoked; the platform processed nothing. Resolve anew once.
		b.forget(tk, c)
		if c, err = b.deviceClient(ctx, source, tk, key); err != nil {
			b.forgetDelivery(lk)
			return b.resolveFailure(err, tk.devEUI)
		}
		n, err = c.Data.Send(ctx, points...)
	}
	if err == nil {
		b.record(lk, DeliveryStored)
		return outcome{status: http.StatusOK, stored: n, message: strconv.Itoa(n) + " Data Added"}
	}
	out, maybe := b.sendFailure(err, tk, c)
	if maybe {
		b.record(lk, DeliveryPending) // the settle time counts from now
	} else {
		b.forgetDelivery(lk)
	}
	return out
}

// record writes a state to the log; a failure is logged, since the message was handled
// and its answer stands.
func (b *Bridge) record(lk string, state DeliveryState) {
	if err := b.deliveries.Record(lk, state, time.Now()); err != nil {
		b.log.Error("actility: the delivery log cannot be written", slog.String("state", state.String()), slog.String("error", err.Error()))
	}
}

// forgetDelivery removes a message the platform certainly did not store from the log.
func (b *Bridge) forgetDelivery(lk string) {
	if err := b.deliveries.Forget(lk); err != nil {
		b.log.Error("actility: the delivery log cannot be written", slog.String("error", err.Error()))
	}
}

// resolveFailure maps a failed device token resolve to an answer.
func (b *Bridge) resolveFailure(err error, devEUI string) outcome {
	var thr *throttledError
	switch {
	case errors.As(err, &thr):
		return b.unavailable(err, thr.wait, "too many rejected authorization keys from this address; try again later")
	case errors.Is(err, tago.ErrNotFound), errors.Is(err, tago.ErrBadRequest):
		return outcome{status: http.StatusNotFound, err: err,
			message: "no TagoIO device with serial " + devEUI + " for this authorization key"}
	case keyRejected(err):
		return outcome{status: http.StatusUnauthorized, err: err, message: "the TagoIO authorization key was rejected"}
	case transient(err):
		return b.unavailable(err, retryAfterOf(err), "the platform is unavailable; try again later")
	}
	return b.unavailable(err, 0, "resolving the device failed; try again later")
}

// sendFailure maps a failed send to an answer; maybe says the platform may have stored
// the records, so that the next delivery checks before it sends again.
func (b *Bridge) sendFailure(err error, tk tokenKey, c *tago.Client) (out outcome, maybe bool) {
	var apiErr *tago.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatus >= 400 && apiErr.HTTPStatus < 500 {
		switch apiErr.HTTPStatus {
		case http.StatusTooManyRequests:
			return b.unavailable(err, apiErr.RetryAfter, "the platform is rate-limiting; try again later"), false
		case http.StatusUnauthorized:
			b.forget(tk, c)
			return outcome{status: http.StatusUnauthorized, err: err, message: "the device token was rejected"}, false
		case http.StatusNotFound:
			b.forget(tk, c)
			return outcome{status: http.StatusNotFound, err: err, message: "the device no longer exists"}, false
		case http.StatusForbidden:
			return outcome{status: http.StatusForbidden, err: err, message: "the platform refused the data: " + apiErr.Message}, false
		}
		return outcome{status: http.StatusBadRequest, err: err, message: "the platform refused the data: " + apiErr.Message}, false
	}
	if errors.Is(err, tago.ErrInvalidInput) { // nothing was sent
		return outcome{status: http.StatusBadRequest, err: err, message: "the message's data cannot be stored: " + err.Error()}, false
	}
	if notSent(err) {
		return b.unavailable(err, retryAfterOf(err), "the platform is unavailable; try again later"), false
	}
	return b.unavailable(err, max(b.settle, retryAfterOf(err)), "the platform did not confirm the data; it is checked before being sent again"), true
}

// unavailable answers 503 with Retry-After: wait, or the bridge's default.
func (b *Bridge) unavailable(err error, wait time.Duration, msg string) outcome {
	if wait <= 0 {
		wait = b.retry
	}
	return outcome{status: http.StatusServiceUnavailable, retryAfter: wait, err: err, message: msg}
}

// transient reports an error worth retrying later: rate limits, server errors, no
// answer, or our own deadline.
func transient(err error) bool {
	var reqErr *tago.RequestError
	return errors.Is(err, tago.ErrRateLimited) || errors.Is(err, tago.ErrServer) || errors.As(err, &reqErr) ||
		errors.Is(err, context.DeadlineExceeded)
}

// notSent reports a send error after which the platform certainly holds nothing: a
// 503 with Retry-After (refused before processing) or a connection that was never
// opened.
func notSent(err error) bool {
	var apiErr *tago.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatus == http.StatusServiceUnavailable && apiErr.RetryAfter > 0
	}
	var reqErr *tago.RequestError
	if !errors.As(err, &reqErr) {
		return false
	}
	var op *net.OpError
	if errors.As(reqErr.Err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(reqErr.Err, &dns)
}

// retryAfterOf returns the platform's Retry-After carried by err, if any.
func retryAfterOf(err error) time.Duration {
	var apiErr *tago.APIError
	if errors.As(err, &apiErr) {
		return apiErr.RetryAfter
	}
	return 0
}

// stored reports whether the device holds a record of group.
func stored(ctx context.Context, c *tago.Client, group string) (bool, error) {
	recs, err := c.Data.Get(ctx, &tago.DataQuery{Groups: []string{group}, Qty: 1})
	return len(recs) > 0, err
}
