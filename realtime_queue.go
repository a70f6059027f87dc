package tago

import (
	"context"
	"sync"
)

// eventQueue hands events from a subscription's reader to its consumer. It holds at
// most max items; the consumer takes everything waiting at once, so the two goroutines
// meet once per burst rather than once per event, and the reader wakes the consumer
// only when it is about to wait for the network, when a burst grows long, or for an
// error. Its waits are channel operations, which end with the context.
type eventQueue struct {
	mu       sync.Mutex
	items    []queued
	spare    []queued // the consumer's previous batch, reused
	max      int
	drop     bool // DropOldest: make room by discarding the oldest item
	dropped  int  // events discarded, not yet reported
	large    int  // oversized events whose report was discarded, not yet reported
	fresh    int  // items added since the consumer was last woken
	notEmpty chan struct{}
	notFull  chan struct{}
}

// wakeAfter is how many events the reader adds before it wakes the consumer even
// though more are coming.
const wakeAfter = 64

func newEventQueue(max int, drop bool) *eventQueue {
	return &eventQueue{max: max, drop: drop, items: make([]queued, 0, min(max, 1024)),
		notEmpty: make(chan struct{}, 1), notFull: make(chan struct{}, 1)}
}

// signal makes a non-blocking send on a channel of capacity one.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// push adds an item, waiting for room (BlockWhenFull) or discarding the oldest item
// (DropOldest) when the queue is full; errors always wake the consumer. It reports
// false when ctx ended first.
func (q *eventQueue) push(ctx context.Context, it queued) bool {
	q.mu.Lock()
	for len(q.items) >= q.max {
		if q.drop {
			old := q.items[0]
			q.items = q.items[1:]
			if g, ok := old.err.(*GapError); ok {
				q.large += g.TooLarge // its news travels with the next report
			} else if old.err == nil {
				q.dropped++
			}
			continue
		}
		q.mu.Unlock()
		signal(q.notEmpty) // the consumer may be waiting for a wake that has not come
		select {
		case <-q.notFull:
		case <-ctx.Done():
			return false
		}
		q.mu.Lock()
	}
	q.items = append(q.items, it)
	q.fresh++
	wake := q.fresh >= wakeAfter || it.err != nil
	if wake {
		q.fresh = 0
	}
	q.mu.Unlock()
	if wake {
		signal(q.notEmpty)
	}
	return true
}

// flush wakes the consumer for what was added since it was last woken; the reader
// calls it before it waits for the network.
func (q *eventQueue) flush() {
	q.mu.Lock()
	n := q.fresh
	q.fresh = 0
	q.mu.Unlock()
	if n > 0 {
		signal(q.notEmpty)
	}
}

// take waits for items and returns all of them, with the events discarded since the
// last call, if any. The slice is the consumer's until its next call. ok is false when
// ctx ended.
func (q *eventQueue) take(ctx context.Context) (gap *GapError, items []queued, ok bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 || q.dropped > 0 || q.large > 0 {
			if q.dropped > 0 || q.large > 0 {
				gap = &GapError{Dropped: q.dropped, TooLarge: q.large}
				q.dropped, q.large = 0, 0
			}
			items = q.items
			clear(q.spare) // the consumer is done with its previous batch
			q.items, q.spare = q.spare[:0], items
			q.fresh = 0
			q.mu.Unlock()
			signal(q.notFull)
			return gap, items, true
		}
		q.mu.Unlock()
		select {
		case <-q.notEmpty:
		case <-ctx.Done():
			return nil, nil, false
		}
	}
}
