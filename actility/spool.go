package actility

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/spool"
)

// How long the spool's memories keep their records: messages for as long as ThingPark
// redelivers (a day), device tokens for a month after they were last resolved.
const (
	spoolMessageWindow = 24 * time.Hour
	spoolTokenWindow   = 30 * 24 * time.Hour
)

// spooled is the bridge's state when it was given a spool.
type spooled struct {
	sp       *spool.Spool
	messages *spool.Memory // messages accepted, by log key
	tokens   *spool.Memory // resolved device tokens, encrypted, by target
	aead     cipher.AEAD   // encrypts the tokens, keyed by the network token
	clients  map[string]*tago.Client
}

// newSpooled opens the bridge's memories in sp's file.
func newSpooled(sp *spool.Spool, networkToken string) (*spooled, error) {
	messages, err := sp.Memory("actility-messages", spoolMessageWindow, 0)
	if err != nil {
		return nil, err
	}
	tokens, err := sp.Memory("actility-tokens", spoolTokenWindow, 0)
	if err != nil {
		return nil, err
	}
	key := sha256.Sum256([]byte("actility bridge: device tokens in the spool\x00" + networkToken))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &spooled{sp: sp, messages: messages, tokens: tokens, aead: aead, clients: map[string]*tago.Client{}}, nil
}

// spoolTarget names a device in the spool: its DevEUI and a hash of the key it was
// resolved with, never the key or the token.
func spoolTarget(tk tokenKey) string {
	return "eui-" + tk.devEUI + "-" + hex.EncodeToString(tk.key[:8])
}

// rememberToken keeps a freshly resolved device token, encrypted, in the spool's file,
// so that the spool can deliver the device's queued records after a restart.
func (b *Bridge) rememberToken(tk tokenKey, token string, c *tago.Client) {
	sp := b.spooled
	target := spoolTarget(tk)
	b.mu.Lock()
	sp.clients[target] = c
	b.mu.Unlock()
	nonce := make([]byte, sp.aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := sp.aead.Seal(nonce, nonce, []byte(token), []byte(target))
	if err := sp.tokens.Put(target, sealed, time.Now()); err != nil {
		b.log.Error("actility: the spool cannot keep a device token; its queued records wait for its next message after a restart",
			slog.String("deveui", tk.devEUI), slog.String("error", err.Error()))
	}
}

// Route returns the route that delivers the bridge's spool ([BridgeConfig.Spool]):
//
//	go sp.Run(ctx, bridge.Route())
//
// It sends each device's records with the device token the bridge resolved for it
// (from memory, or after a restart from the spool's file, where tokens are kept
// encrypted with a key derived from the network token). A device whose token is not
// known (the bridge never resolved it, or the platform rejected it) waits for its next
// message, whose resolve the route then uses. Route is nil without a spool.
func (b *Bridge) Route() spool.Route {
	if b.spooled == nil {
		return nil
	}
	sp := b.spooled
	return func(ctx context.Context, target string) (*tago.DataService, error) {
		b.mu.Lock()
		c := sp.clients[target]
		b.mu.Unlock()
		if c != nil {
			return c.Data, nil
		}
		sealed, _, ok, err := sp.tokens.Get(target)
		if err != nil {
			return nil, err
		}
		n := sp.aead.NonceSize()
		if !ok || len(sealed) < n {
			return nil, fmt.Errorf("actility: device %s has not been resolved; its records wait for its next message", target)
		}
		token, err := sp.aead.Open(nil, sealed[:n], sealed[n:], []byte(target))
		if err != nil {
			return nil, fmt.Errorf("actility: the device token kept for %s cannot be read (another network token?): %w", target, err)
		}
		c, err = tago.NewClient(tago.DeviceToken(string(token)), b.devOpts...)
		if err != nil {
			return nil, err
		}
		b.mu.Lock()
		if cur := sp.clients[target]; cur != nil {
			c = cur // resolved meanwhile: the newer token wins
		} else {
			sp.clients[target] = c
		}
		b.mu.Unlock()
		return c.Data, nil
	}
}

// enqueue hands a message's records to the spool, once: a message the spool already
// accepted (a redelivery) is answered without storing it again.
func (b *Bridge) enqueue(ctx context.Context, tk tokenKey, m Message, lk string) outcome {
	points := ToData(m)
	already, err := b.spooled.messages.EnqueueOnce(ctx, lk, nil, spoolTarget(tk), points...)
	switch {
	case err == nil && already:
		return outcome{status: http.StatusOK, message: "already stored"}
	case err == nil:
		return outcome{status: http.StatusOK, stored: len(points), message: strconv.Itoa(len(points)) + " Data queued"}
	case errors.Is(err, tago.ErrInvalidInput):
		return outcome{status: http.StatusBadRequest, err: err, message: "the message's data cannot be stored: " + err.Error()}
	case errors.Is(err, spool.ErrFull), errors.Is(err, spool.ErrDiskFull):
		return b.unavailable(err, 0, "the bridge's spool is full; try again later")
	}
	return b.unavailable(err, 0, "the bridge cannot write its spool; try again later")
}
