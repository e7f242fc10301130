package chain

import (
	"context"
	"time"
)

// Busy tracking: while the chain validates and connects blocks, work
// that can wait (event delivery to subscribers) may yield to it, so
// consensus work gets the CPU first. See WaitIdle.

// enterBusy marks the start of block processing.
func (c *Chain) enterBusy() {
	c.idleMu.Lock()
	if c.busyN == 0 {
		c.idleCh = make(chan struct{})
	}
	c.busyN++
	c.idleMu.Unlock()
}

// leaveBusy marks its end; the last one wakes WaitIdle's callers.
func (c *Chain) leaveBusy() {
	c.idleMu.Lock()
	c.busyN--
	if c.busyN == 0 {
		close(c.idleCh)
	}
	c.idleMu.Unlock()
}

// Busy reports whether a block is being processed now.
func (c *Chain) Busy() bool {
	c.idleMu.Lock()
	defer c.idleMu.Unlock()
	return c.busyN > 0
}

// WaitIdle returns at once when no block is being processed, else when
// processing ends, max passes or ctx ends, whichever is first. Callers
// with deferrable work (delivering events) call it between pieces of
// that work so that block validation gets the CPU first; max bounds how
// long they defer.
func (c *Chain) WaitIdle(ctx context.Context, max time.Duration) {
	c.idleMu.Lock()
	if c.busyN == 0 {
		c.idleMu.Unlock()
		return
	}
	ch := c.idleCh
	c.idleMu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
}
