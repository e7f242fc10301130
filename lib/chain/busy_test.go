package chain

import (
	"context"
	"testing"
	"time"
)

// TestWaitIdle: WaitIdle returns at once on an idle chain, waits while a
// block is processed and returns when it ends, or when its context ends.
func TestWaitIdle(t *testing.T) {
	tc := openChain(t)
	tc.WaitIdle(context.Background(), time.Hour) // idle: returns at once
	if tc.Busy() {
		t.Fatal("busy before any block")
	}
	tc.enterBusy()
	if !tc.Busy() {
		t.Fatal("not busy while processing")
	}
	done := make(chan struct{})
	go func() {
		tc.WaitIdle(context.Background(), time.Hour)
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("WaitIdle returned while busy")
	default:
	}
	tc.enterBusy() // nested: idle only when both end
	tc.leaveBusy()
	tc.leaveBusy()
	<-done // returns once idle (an hour's max would time the test out)
	tc.enterBusy()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tc.WaitIdle(ctx, time.Hour) // a cancelled context returns at once
	tc.leaveBusy()
	// ProcessBlock marks the chain busy while it runs: a subscriber (run
	// inside ProcessBlock's notification delivery) sees it so.
	g := newBlockGen()
	var sawBusy bool
	tc.Subscribe(func(*Notification) { sawBusy = tc.Busy() })
	tc.mustAccept(t, matureBase(g)[0])
	if !sawBusy || tc.Busy() {
		t.Fatalf("busy during notifications %v, after %v", sawBusy, tc.Busy())
	}
}
