package node

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// mineWith mines a block on the node's tip holding txs (and none of the
// mempool's), as another miner would, and submits it to the chain.
func mineWith(t *testing.T, n *Node, txs ...*wire.MsgTx) {
	t.Helper()
	tmpl, err := n.Template.NewBlockTemplate([]byte{0x51}, uint64(time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	blk := tmpl.Block
	cb := blk.Transactions[0].Copy()
	cb.TxOut[0].Value = n.cfg.Params.Subsidy(tmpl.Height) // no fees claimed: a lower value is valid
	all := append([]*wire.MsgTx{cb}, txs...)
	last := cb.TxOut[len(cb.TxOut)-1]
	if tmpl.WitnessCommitment == nil || len(last.PkScript) != 38 {
		t.Fatal("template without a witness commitment")
	}
	zero := append([]*wire.MsgTx{{}}, txs...)
	root := wire.WitnessMerkleRoot(zero)
	commit := chainhash.DoubleHashH(append(root[:], make([]byte, 32)...))
	last.PkScript = append(append([]byte(nil), last.PkScript[:6]...), commit[:]...)
	blk.Transactions = all
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(all)
	if !mining.SolveBlock(context.Background(), &blk.Header) {
		t.Fatal("block not solved")
	}
	if _, _, err := n.Chain.ProcessBlock(blk, chain.BFNone); err != nil {
		t.Fatalf("process block: %v", err)
	}
}

// TestWalletGameConflict: a producer register pending in the node's
// wallet whose name a competing register takes in a block (not the same
// coins, a game rule) leaves the mempool, and the wallet hears it: the
// register ends conflicted and the coins it spent are spendable again.
func TestWalletGameConflict(t *testing.T) {
	n := startGameNode(t)
	bob := unquote(t, n.must(t, "address.create", "bob"))
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "tx.send", bob, "5")
	n.must(t, "generatetoaddress", 1, mine)

	// Bob's register is signed but kept back; the default account's goes
	// to the mempool.
	rival := gameRes(t, n.must(t, "cp.create", "starfall", "", "", "", 0, "bob", true))
	rivalTx, err := wire.DecodeTxHex(rival.Hex)
	if err != nil {
		t.Fatal(err)
	}
	reg := gameRes(t, n.must(t, "cp.create", "starfall", "", "", "", 0, "default"))
	regID, _ := chainhash.NewHashFromStr(reg.TxID)
	d, ok := n.node.Mempool.Fetch(regID)
	if !ok {
		t.Fatal("register not in the mempool")
	}
	for _, in := range d.Tx.TxIn {
		for _, r := range rivalTx.TxIn {
			if r.PreviousOutPoint == in.PreviousOutPoint {
				t.Fatalf("register and rival share input %v: not a game conflict", in.PreviousOutPoint)
			}
		}
	}
	status := func() string {
		var txs []struct{ TxID, Status string }
		json.Unmarshal(n.must(t, "tx.list", "*", 100), &txs)
		for _, tx := range txs {
			if tx.TxID == reg.TxID {
				return tx.Status
			}
		}
		return "missing"
	}
	if s := status(); s != "pending" {
		t.Fatalf("register status %s before the block", s)
	}

	mineWith(t, n.node, rivalTx)
	if _, ok := n.node.Mempool.Fetch(regID); ok {
		t.Fatal("register still in the mempool after the rival's block")
	}
	if s := status(); s != "conflicted" {
		t.Errorf("register status %s after the rival's block, want conflicted", s)
	}
	var coins []struct {
		TxID         string `json:"txid"`
		Vout         uint32 `json:"vout"`
		Spendable    bool   `json:"spendable"`
		SpentPending bool   `json:"spent_pending"`
	}
	json.Unmarshal(n.must(t, "coin.list", "default"), &coins)
	for _, in := range d.Tx.TxIn {
		found := false
		for _, c := range coins {
			if c.TxID == in.PreviousOutPoint.Hash.String() && c.Vout == in.PreviousOutPoint.Index {
				found = true
				if !c.Spendable || c.SpentPending {
					t.Errorf("coin %v: spendable %v, spent_pending %v", in.PreviousOutPoint, c.Spendable, c.SpentPending)
				}
			}
		}
		if !found {
			t.Errorf("coin %v spent by the conflicted register is not listed", in.PreviousOutPoint)
		}
	}
	var p []struct{ TxID string }
	json.Unmarshal(n.must(t, "tx.pending"), &p)
	for _, x := range p {
		if x.TxID == reg.TxID {
			t.Error("conflicted register still pending for rebroadcast")
		}
	}
	// The name is bob's, and the freed coins pay for something else.
	if out := string(n.must(t, "cp.byName", "starfall")); !json.Valid([]byte(out)) {
		t.Fatalf("cp.byName: %s", out)
	}
	n.must(t, "tx.send", bob, "1")
}

// dropRecorder is a recorder that also takes TxDropped.
type dropRecorder struct{ recorder }

func (r *dropRecorder) TxDropped(id chainhash.Hash, why wallet.DropReason) {
	r.add("dropped " + id.String()[:8] + " " + why.String())
}

// TestRemoteChainGameDrop: the RPC adapter sees a game transaction
// vanish from the node's mempool without a block holding it or spending
// its inputs, offers it again, and reports the game-rule refusal as
// DropConflict.
func TestRemoteChainGameDrop(t *testing.T) {
	n := startGameNode(t)
	bob := unquote(t, n.must(t, "address.create", "bob"))
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "tx.send", bob, "5")
	n.must(t, "generatetoaddress", 1, mine)

	rc := NewRemoteChain(n.client, nil)
	rc.PollInterval = 5 * time.Millisecond
	rc.Follow = FollowPoll // the polling path (the events one: TestRemoteChainEvents*)
	rec := &dropRecorder{}
	cancel, err := rc.Subscribe(t.Context(), rec)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()

	rival := gameRes(t, n.must(t, "cp.create", "starfall", "", "", "", 0, "bob", true))
	rivalTx, err := wire.DecodeTxHex(rival.Hex)
	if err != nil {
		t.Fatal(err)
	}
	reg := gameRes(t, n.must(t, "cp.create", "starfall", "", "", "", 0, "default"))
	rec.waitFor(t, "tx "+reg.TxID[:8])
	mineWith(t, n.node, rivalTx)
	// The drop may come before the block: a poll reads the tip, then the
	// mempool, and the block can land in between.
	rec.waitSeen(t, "dropped "+reg.TxID[:8]+" conflict")
}

// TestGameRejectionText: a game rejection's RPC message names its code
// once, first (it used to read "game-name-taken: wallet: register
// producer: broadcast <txid>: game-name-taken: ..."), from a wallet
// action and from sendrawtransaction alike.
func TestGameRejectionText(t *testing.T) {
	n := startGameNode(t)
	bob := unquote(t, n.must(t, "address.create", "bob"))
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "tx.send", bob, "5")
	n.must(t, "generatetoaddress", 1, mine)
	rival := gameRes(t, n.must(t, "cp.create", "starfall", "", "", "", 0, "bob", true))
	n.must(t, "cp.create", "starfall", "", "", "", 0, "default")
	check := func(what string, re *rpc.Error) {
		t.Helper()
		if re == nil || re.Code != rpc.CodeVerifyRejected {
			t.Fatalf("%s: error %v, want code %d", what, re, rpc.CodeVerifyRejected)
		}
		if !strings.HasPrefix(re.Message, "game-name-taken: ") || strings.Count(re.Message, "game-name-taken") != 1 || strings.Contains(re.Message, "wallet:") {
			t.Errorf("%s: message %q", what, re.Message)
		}
	}
	_, re := n.call(t, "cp.create", "StarFall", "", "", "", 0, "default")
	check("cp.create", re)
	_, re = n.call(t, "sendrawtransaction", rival.Hex)
	check("sendrawtransaction", re)
}
