package spv

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// recorder is a wallet.ChainHandler with the watcher methods a wallet
// has: it watches walletScript from birthday on.
type recorder struct {
	mu       sync.Mutex
	birthday int32
	conn     []*wallet.Block
	disc     []*wallet.Block
}

func (r *recorder) BlockConnected(b *wallet.Block) {
	r.mu.Lock()
	r.conn = append(r.conn, b)
	r.mu.Unlock()
}
func (r *recorder) BlockDisconnected(b *wallet.Block) {
	r.mu.Lock()
	r.disc = append(r.disc, b)
	r.mu.Unlock()
}
func (r *recorder) RelevantTx(*wire.MsgTx)            {}
func (r *recorder) WatchedScripts() ([][]byte, error) { return [][]byte{walletScript}, nil }
func (r *recorder) Birthday() (int32, error)          { return r.birthday, nil }

func (r *recorder) last() int32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.conn) == 0 {
		return -1
	}
	return r.conn[len(r.conn)-1].Height
}

// runUntil drives the simulated network while another goroutine (the
// feed, a rescan) works, until cond holds or a minute passes.
func (e *simEnv) runUntil(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		e.net.RunFor(100 * time.Millisecond)
		time.Sleep(time.Millisecond) // let the other goroutine queue its requests
	}
}

// TestWalletClientFeed: the feed hands a subscribed wallet every new
// block in order, with the transactions of those whose filter matches
// the wallet's own scripts (asked of the handler) and none for the
// others, follows a reorg with disconnections, and Rescan finds the
// older payments.
func TestWalletClientFeed(t *testing.T) {
	e := newSimEnv(t)
	g := chaingen.New(params)
	chain := append([]*wire.MsgBlock{params.GenesisBlock}, buildChain(g, "a", 30, map[int32]bool{5: true, 17: true})...)
	s := newTestServer(params.GenesisBlock, nil)
	s.setChain(chain)
	n, _ := e.light(e.server("10.0.0.1:2200", s))
	e.syncedTo(n, chain[30].BlockHash())
	c, err := NewWalletClient(n, WalletClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := &recorder{}
	if _, err := c.Subscribe(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	// New blocks, one paying the wallet.
	chain = append(chain, buildChain(g, "a", 10, map[int32]bool{35: true})...)
	s.setChain(chain)
	s.announce()
	e.runUntil("blocks 31-40 fed", func() bool { return r.last() == 40 })
	r.mu.Lock()
	for i, b := range r.conn {
		if b.Height != int32(31+i) {
			t.Fatalf("block %d fed at position %d", b.Height, i)
		}
		if (len(b.Txs) > 0) != (b.Height == 35) {
			t.Fatalf("block %d fed with %d transactions", b.Height, len(b.Txs))
		}
	}
	r.mu.Unlock()

	// A reorg from 38: 39 and 40 are disconnected, the new branch fed.
	g.SetTip("a038")
	branch := append(append([]*wire.MsgBlock(nil), chain[:39]...), buildChain(g, "b", 3, nil)...)
	s.setChain(branch)
	s.announce()
	e.runUntil("the new branch fed", func() bool { return r.last() == 41 })
	r.mu.Lock()
	if len(r.disc) != 2 || r.disc[0].Height != 40 || r.disc[1].Height != 39 {
		t.Fatalf("disconnected %d blocks, want 40 then 39", len(r.disc))
	}
	r.mu.Unlock()

	// Rescan from 0 finds the payments at 5, 17 and 35.
	var got []int32
	done := make(chan error, 1)
	go func() {
		done <- c.Rescan(context.Background(), 0, nil, nil, func(rb wallet.RescanBlock) error {
			if len(rb.Txs) > 0 {
				got = append(got, rb.Height)
			}
			return nil
		})
	}()
	var rerr error
	e.runUntil("rescan", func() bool {
		select {
		case rerr = <-done:
			return true
		default:
			return false
		}
	})
	if rerr != nil || len(got) != 3 || got[0] != 5 || got[1] != 17 || got[2] != 35 {
		t.Fatalf("rescan found %v (%v), want [5 17 35]", got, rerr)
	}
	// A second rescan finds them again from the cache: nothing fetched.
	fetched := n.Stats().Blocks
	got = nil
	go func() {
		done <- c.Rescan(context.Background(), 0, nil, nil, func(rb wallet.RescanBlock) error {
			if len(rb.Txs) > 0 {
				got = append(got, rb.Height)
			}
			return nil
		})
	}()
	e.runUntil("second rescan", func() bool {
		select {
		case rerr = <-done:
			return true
		default:
			return false
		}
	})
	if rerr != nil || len(got) != 3 || n.Stats().Blocks != fetched {
		t.Fatalf("second rescan found %v (%v), fetching %d blocks", got, rerr, n.Stats().Blocks-fetched)
	}
}
