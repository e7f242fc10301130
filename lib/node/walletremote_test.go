package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// recorder logs a subscription's notifications as strings.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(s string) { r.mu.Lock(); r.events = append(r.events, s); r.mu.Unlock() }
func (r *recorder) BlockConnected(b *wallet.Block) {
	r.add(fmt.Sprintf("+%d %s", b.Height, b.Hash.String()[:8]))
}
func (r *recorder) BlockDisconnected(b *wallet.Block) {
	r.add(fmt.Sprintf("-%d %s", b.Height, b.Hash.String()[:8]))
}
func (r *recorder) RelevantTx(tx *wire.MsgTx)    { r.add("tx " + tx.TxHash().String()[:8]) }
func (r *recorder) TxReplaced(id chainhash.Hash) { r.add("replaced " + id.String()[:8]) }

// waitFor waits until the events end with want.
func (r *recorder) waitFor(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		ev := slices.Clone(r.events)
		r.mu.Unlock()
		if len(ev) >= len(want) && slices.Equal(ev[len(ev)-len(want):], want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("events %q, want them to end with %q", ev, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitSeen waits until want is among the events, wherever: for an event
// whose order against another (a block landing mid-poll) is not fixed.
func (r *recorder) waitSeen(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		ev := slices.Clone(r.events)
		r.mu.Unlock()
		if slices.Contains(ev, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("events %q, want %q among them", ev, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *recorder) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.events) }

// TestRemoteChain runs the RPC adapter against a real node: tip, block
// hashes, rescan, fee estimate, and a subscription that sees new blocks,
// a reorg (disconnect first, then the new branch), mempool transactions,
// a replacement (TxReplaced, then the replacing tx) and a confirmation
// (not a replacement). Broadcast passes the node's rejection through and
// marks an unreachable node as a retryable (deadline) error.
func TestRemoteChain(t *testing.T) {
	ctx := context.Background()
	n := startWalletNode(t, t.TempDir())
	defer func() { n.node.Close() }()
	key, addr := benchKey()
	var hashes []string
	n.must(t, "generatetoaddress", 101, addr.String())
	rc := NewRemoteChain(n.client, nil)
	rc.PollInterval = 5 * time.Millisecond
	rc.Follow = FollowPoll // the polling path (the events one: TestRemoteChainEvents*)

	tipHash, tip, err := rc.BestBlock(ctx)
	if err != nil || tip != 101 || tipHash.String() != unquote(t, n.must(t, "getbestblockhash")) || rc.TipHeight() != 101 {
		t.Fatalf("BestBlock %v %d %v", tipHash, tip, err)
	}
	h1, err := rc.BlockHash(ctx, 1)
	if err != nil || h1.String() != unquote(t, n.must(t, "getblockhash", 1)) {
		t.Fatalf("BlockHash(1) %v %v", h1, err)
	}
	var scanned []int32
	err = rc.Rescan(ctx, 99, nil, nil, func(b wallet.RescanBlock) error {
		if b.Tip != 101 || len(b.Txs) != 1 || string(b.Txs[0].TxOut[0].PkScript) != string(addr.PkScript()) || b.Header.BlockHash() != b.Hash {
			t.Errorf("rescan block %d: tip %d, %d txs", b.Height, b.Tip, len(b.Txs))
		}
		scanned = append(scanned, b.Height)
		return nil
	})
	if err != nil || !slices.Equal(scanned, []int32{99, 100, 101}) {
		t.Fatalf("Rescan: %v %v", scanned, err)
	}
	stop := errors.New("stop")
	if err := rc.Rescan(ctx, 0, nil, nil, func(wallet.RescanBlock) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("Rescan stopped by fn: %v", err)
	}
	if r, err := rc.EstimateFee(ctx, 6); err != nil || r < wallet.MinRelayFeeRate {
		t.Fatalf("EstimateFee %v %v", r, err)
	}
	if _, err := rc.EstimateFee(ctx, 0); err == nil {
		t.Fatal("EstimateFee(0) accepted")
	}

	rec := &recorder{}
	cancel, err := rc.Subscribe(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()

	// New blocks.
	n.client.Call(ctx, "generatetoaddress", &hashes, 2, addr.String())
	rec.waitFor(t, "+102 "+hashes[0][:8], "+103 "+hashes[1][:8])

	// A reorg: block 103 invalidated, two blocks on 102 instead.
	n.must(t, "invalidateblock", hashes[1])
	var branch []string
	n.client.Call(ctx, "generatetoaddress", &branch, 2, addr.String())
	rec.waitFor(t, "-103 "+hashes[1][:8], "+103 "+branch[0][:8], "+104 "+branch[1][:8])

	// Mempool: a spend of the first coinbase, then a replacement.
	blk, err := n.node.Chain.BlockByHash(h1)
	if err != nil {
		t.Fatal(err)
	}
	cb := blk.Transactions[0]
	spend := func(fee int64) *wire.MsgTx {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum - 2})
		tx.AddTxOut(&wire.TxOut{Value: cb.TxOut[0].Value - fee, PkScript: addr.PkScript()})
		if ok, err := script.SignInput(tx, 0, cb.TxOut[0].PkScript, cb.TxOut[0].Value, script.SigHashAll, oneKey{key}, nil, nil); !ok || err != nil {
			t.Fatal(ok, err)
		}
		return tx
	}
	tx1, tx2 := spend(10_000), spend(50_000)
	if err := rc.Broadcast(ctx, tx1); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "tx "+tx1.TxHash().String()[:8])
	if err := rc.Broadcast(ctx, tx2); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "replaced "+tx1.TxHash().String()[:8], "tx "+tx2.TxHash().String()[:8])
	// Confirmed: gone from the mempool, but not replaced.
	n.client.Call(ctx, "generatetoaddress", &hashes, 1, addr.String())
	rec.waitFor(t, "+105 "+hashes[0][:8])
	before := rec.count()
	time.Sleep(50 * time.Millisecond)
	if rec.count() != before {
		t.Fatalf("events after the confirmation: %q", rec.events[before:])
	}

	// The node's rejection comes back as its error; an unreachable node
	// is a deadline error (the wallet keeps the payment pending).
	bad := spend(60_000)
	bad.TxIn[0].Witness[0][10] ^= 1
	err = rc.Broadcast(ctx, bad)
	var re *rpc.Error
	if !errors.As(err, &re) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("rejected broadcast: %v", err)
	}
	gone := NewRemoteChain(rpc.NewClient("http://127.0.0.1:1", "", ""), nil)
	if err := gone.Broadcast(ctx, tx1); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("unreachable: %v", err)
	}
}

// TestWalletServe: the wallet service on its own against a node without
// a wallet: create through its RPC, mine to it, pay, confirm; a restart
// of the service catches up with blocks mined while it was down.
func TestWalletServe(t *testing.T) {
	ctx := context.Background()
	n := startWalletNode(t, t.TempDir())
	defer func() { n.node.Close() }()
	dir := t.TempDir()
	cfg := WalletServerConfig{Params: n.node.cfg.Params, Dir: dir, NodeURL: n.client.URL, PollInterval: 5 * time.Millisecond,
		KDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}, NoSync: true}
	if _, err := ServeWallet(ctx, cfg); err == nil {
		t.Fatal("served without the node's credentials")
	}
	cfg.NodeCookie = n.dir + "/.cookie"
	s, err := ServeWallet(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	wc, err := rpc.Discover("", dir)
	if err != nil {
		t.Fatal(err)
	}
	w := &walletNode{dir: dir, client: wc}
	w.must(t, "wallet.create", "pw")
	w.must(t, "wallet.unlock", "pw", 0)
	mine := unquote(t, w.must(t, "getnewaddress"))
	n.must(t, "generatetoaddress", 101, mine)
	waitInfo(t, w, `"synced_height":101`)
	if b := string(w.must(t, "balance.all")); !strings.Contains(b, `"confirmed":50.00000000`) {
		t.Fatalf("balance %s", b)
	}
	_, addr := benchKey()
	txid := unquote(t, w.must(t, "tx.send", addr.String(), 1))
	if mp := string(n.must(t, "getrawmempool")); !strings.Contains(mp, txid) {
		t.Fatalf("mempool %s lacks %s", mp, txid)
	}
	n.must(t, "generatetoaddress", 1, addr.String())
	waitInfo(t, w, `"synced_height":102`)
	if h := string(w.must(t, "tx.list", "*", 1)); !strings.Contains(h, txid) || !strings.Contains(h, `"status":"confirmed"`) {
		t.Fatalf("history %s", h)
	}
	// Down while the node mines; back up, it catches up.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	n.must(t, "generatetoaddress", 3, mine)
	if s, err = ServeWallet(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if w.client, err = rpc.Discover("", dir); err != nil {
		t.Fatal(err)
	}
	waitInfo(t, w, `"synced_height":105`)
	if b := string(w.must(t, "balance.all")); !strings.Contains(b, `"confirmed":248.99999859`) || !strings.Contains(b, `"immature":4950.00000000`) {
		t.Fatalf("balance after restart %s", b)
	}
}

func waitInfo(t *testing.T, w *walletNode, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := string(w.must(t, "wallet.info"))
		if strings.Contains(out, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("wallet.info %s never had %s", out, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
