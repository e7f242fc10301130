package rpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// countingTemplates counts template builds, to see the cache at work.
type countingTemplates struct {
	TemplateBackend
	n atomic.Int32
}

func (c *countingTemplates) NewBlockTemplate(payTo []byte, extraNonce uint64) (*mining.BlockTemplate, error) {
	c.n.Add(1)
	return c.TemplateBackend.NewBlockTemplate(payTo, extraNonce)
}

// gbtFixture is newNodeFixture with its service, chain and pool in reach:
// a regtest chain of 101 blocks paying addr, so block 1's coinbase is
// spendable.
type gbtFixture struct {
	*nodeFixture
	builds *countingTemplates
	blocks []chainhash.Hash // blocks[i] is at height i+1
}

func newGBTFixture(t *testing.T, opts GBTOptions, notify bool) *gbtFixture {
	t.Helper()
	return newGBTFixtureLimits(t, opts, notify, Limits{})
}

// newGBTFixtureLimits is newGBTFixture with the server's limits.
func newGBTFixtureLimits(t *testing.T, opts GBTOptions, notify bool, limits Limits) *gbtFixture {
	t.Helper()
	f := &gbtFixture{}
	f.nodeFixture = newConfiguredFixture(t, 0x22, func(nf *nodeFixture) {
		nf.limits = limits
		nf.gen.CoinbaseFlags = []byte("/gg/")
		f.builds = &countingTemplates{TemplateBackend: nf.gen}
		nf.svc.Template, nf.svc.GBT = f.builds, opts
		if notify {
			nf.svc.Notifier = nf.chain
		}
	})
	f.blocks = f.mine(t, 101)
	return f
}

func (f *gbtFixture) mine(t *testing.T, n int) []chainhash.Hash {
	t.Helper()
	hs, err := f.svc.Miner.Generate(context.Background(), n, f.addr.PkScript())
	if err != nil {
		t.Fatalf("mine %d: %v", n, err)
	}
	return hs
}

// spend pays prev (worth value, locked to addr) back to addr less fee,
// and adds it to the pool.
func (f *gbtFixture) spend(t *testing.T, prev wire.OutPoint, value, fee int64) *wire.MsgTx {
	t.Helper()
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: prev, Sequence: wire.MaxTxInSequenceNum})
	tx.AddTxOut(&wire.TxOut{Value: value - fee, PkScript: f.addr.PkScript()})
	kdb := keyDBFunc(func([]byte) (*btcec.PrivateKey, bool, bool) { return f.key, true, true })
	if ok, err := script.SignInput(tx, 0, f.addr.PkScript(), value, script.SigHashAll, kdb, nil, nil); !ok || err != nil {
		t.Fatalf("sign: %v %v", ok, err)
	}
	if _, err := f.pool.ProcessTransaction(tx, false); err != nil {
		t.Fatalf("pool refused %v: %v", tx.TxHash(), err)
	}
	return tx
}

// coinbaseOut is the spendable output of the coinbase at height h.
func (f *gbtFixture) coinbaseOut(t *testing.T, h int32) wire.OutPoint {
	t.Helper()
	blk, err := f.chain.BlockByHash(f.blocks[h-1])
	if err != nil {
		t.Fatal(err)
	}
	return wire.OutPoint{Hash: blk.Transactions[0].TxHash(), Index: 0}
}

// template calls the handler directly with req as the positional param.
func (f *gbtFixture) template(ctx context.Context, t *testing.T, req any) (BlockTemplateJSON, *Error) {
	t.Helper()
	params, err := json.Marshal([]any{req})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.getBlockTemplate(ctx, params)
	if err != nil {
		var re *Error
		if !errors.As(err, &re) {
			t.Fatalf("getblocktemplate: untyped error %v", err)
		}
		return BlockTemplateJSON{}, re
	}
	j, ok := out.(BlockTemplateJSON)
	if !ok {
		t.Fatalf("getblocktemplate returned %T", out)
	}
	return j, nil
}

var segwitReq = map[string]any{"rules": []string{"segwit"}}

func longPollReq(id string) map[string]any {
	return map[string]any{"rules": []string{"segwit"}, "capabilities": []string{"longpoll"}, "longpollid": id}
}

// blockFromTemplate builds the block a GBT client would: its own coinbase
// (BIP34 height, extra nonce, payout, witness commitment) and the
// template's transactions.
func blockFromTemplate(t *testing.T, j BlockTemplateJSON, payTo []byte, extraNonce uint64) *wire.MsgBlock {
	t.Helper()
	sig, err := mining.CoinbaseScript(j.Height, extraNonce, nil)
	if err != nil {
		t.Fatal(err)
	}
	cb := &wire.MsgTx{Version: 2,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, SignatureScript: sig,
			Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: j.CoinbaseValue, PkScript: payTo}}}
	if j.DefaultWitnessCommitment != "" {
		commit, err := hex.DecodeString(j.DefaultWitnessCommitment)
		if err != nil {
			t.Fatal(err)
		}
		cb.TxIn[0].Witness = wire.TxWitness{make([]byte, 32)}
		cb.TxOut = append(cb.TxOut, &wire.TxOut{PkScript: commit})
	}
	txs := []*wire.MsgTx{cb}
	for _, tj := range j.Transactions {
		tx, err := wire.DecodeTxHex(tj.Data)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	prev, err := chainhash.NewHashFromStr(j.PreviousBlockHash)
	if err != nil {
		t.Fatal(err)
	}
	bits, err := strconv.ParseUint(j.Bits, 16, 32)
	if err != nil {
		t.Fatal(err)
	}
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: j.Version, PrevBlock: prev, Timestamp: uint32(j.CurTime),
		Bits: uint32(bits)}, Transactions: txs}
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(txs)
	return blk
}

// TestGetBlockTemplate checks every field of a template over a pool with
// a parent and its child, through the HTTP server and both names.
func TestGetBlockTemplate(t *testing.T) {
	f := newGBTFixture(t, GBTOptions{}, true)
	parent := f.spend(t, f.coinbaseOut(t, 1), 50e8, 100_000)
	child := f.spend(t, wire.OutPoint{Hash: parent.TxHash()}, parent.TxOut[0].Value, 300_000)
	lone := f.spend(t, f.coinbaseOut(t, 2), 50e8, 200_000)
	fees := map[chainhash.Hash]int64{parent.TxHash(): 100_000, child.TxHash(): 300_000, lone.TxHash(): 200_000}
	best := f.chain.Best()

	raw := f.must(t, "getblocktemplate", segwitReq)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"capabilities", "version", "rules", "vbavailable", "vbrequired", "previousblockhash",
		"transactions", "coinbaseaux", "coinbasevalue", "longpollid", "target", "mintime", "mutable", "noncerange",
		"sigoplimit", "sizelimit", "weightlimit", "curtime", "bits", "height", "default_witness_commitment"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("reply lacks %q", k)
		}
	}
	var j BlockTemplateJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	var alias BlockTemplateJSON
	json.Unmarshal(f.must(t, "miner.template", segwitReq), &alias)

	pos := map[string]int{}
	var total int64
	for i, tj := range j.Transactions {
		pos[tj.TxID] = i + 1
		h, _ := chainhash.NewHashFromStr(tj.TxID)
		total += tj.Fee
		if tj.Fee != fees[h] {
			t.Errorf("tx %s fee %d, want %d", tj.TxID, tj.Fee, fees[h])
		}
	}
	now := time.Now().Unix()
	wantTarget := fmt.Sprintf("%064x", chaincfg.CompactToBig(best.Bits))
	cases := []struct {
		what      string
		got, want any
	}{
		{"height", j.Height, best.Height + 1},
		{"previousblockhash", j.PreviousBlockHash, best.Hash.String()},
		{"bits", j.Bits, fmt.Sprintf("%08x", best.Bits)},
		{"target", j.Target, wantTarget},
		{"target length", len(j.Target), 64},
		{"version", j.Version, mining.DefaultBlockVersion},
		{"rules", fmt.Sprint(j.Rules), "[csv !segwit]"},
		{"vbavailable", len(j.VBAvailable), 0},
		{"vbrequired", j.VBRequired, 0},
		{"coinbasevalue", j.CoinbaseValue, chaincfg.RegTestParams.Subsidy(best.Height+1) + 600_000},
		{"fee total", total, int64(600_000)},
		{"transactions", len(j.Transactions), 3},
		{"mintime", j.MinTime, best.MedianTime + 1},
		{"curtime >= mintime", j.CurTime >= j.MinTime, true},
		{"curtime is max(now, mintime)", j.CurTime >= max(now-5, j.MinTime) && j.CurTime <= max(now+5, j.MinTime), true},
		{"mutable", fmt.Sprint(j.Mutable), "[time transactions prevblock]"},
		{"noncerange", j.NonceRange, "00000000ffffffff"},
		{"sigoplimit", j.SigOpLimit, 80000},
		{"sizelimit", j.SizeLimit, 4000000},
		{"weightlimit", j.WeightLimit, 4000000},
		{"longpollid tip", strings.HasPrefix(j.LongPollID, best.Hash.String()), true},
		{"capabilities", fmt.Sprint(j.Capabilities), "[proposal]"},
		{"coinbaseaux.flags", j.CoinbaseAux["flags"], hex.EncodeToString(append([]byte{4}, "/gg/"...))},
		{"commitment prefix", strings.HasPrefix(j.DefaultWitnessCommitment, "6a24aa21a9ed"), true},
		{"commitment length", len(j.DefaultWitnessCommitment), 2 * 38},
		{"parent before child", pos[parent.TxHash().String()] < pos[child.TxHash().String()], true},
		{"alias reuses the template", alias.LongPollID, j.LongPollID},
		{"one build", f.builds.n.Load(), int32(1)},
	}
	for _, c := range cases {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	for _, tx := range []*wire.MsgTx{parent, child, lone} {
		i := pos[tx.TxHash().String()]
		if i == 0 {
			t.Fatalf("tx %v missing from the template", tx.TxHash())
		}
		tj := j.Transactions[i-1]
		var want []int
		if tx == child {
			want = []int{pos[parent.TxHash().String()]}
		}
		if fmt.Sprint(tj.Depends) != fmt.Sprint(want) || tj.Depends == nil {
			t.Errorf("tx %d depends %v, want %v", i, tj.Depends, want)
		}
		if tj.Data != hex.EncodeToString(tx.Bytes()) || tj.Hash != tx.WitnessHash().String() || tj.Weight != tx.Weight() {
			t.Errorf("tx %d: data/hash/weight do not match the transaction", i)
		}
		if tj.SigOps != 1 { // one P2WPKH input: witness sigop cost 1
			t.Errorf("tx %d sigops %d, want 1", i, tj.SigOps)
		}
	}
}

// TestGetBlockTemplateSubmit mines on templates the way a GBT client
// does and submits the blocks: they connect and the tip advances.
func TestGetBlockTemplateSubmit(t *testing.T) {
	f := newGBTFixture(t, GBTOptions{MaxAge: time.Nanosecond}, true)
	other := address.NewP2WPKH(bytes.Repeat([]byte{7}, 20), chaincfg.RegTestParams).PkScript()
	cases := []struct {
		name   string
		setup  func()
		txs    int
		commit bool
	}{
		{"coinbase only", func() {}, 0, false},
		{"parent and child", func() {
			p := f.spend(t, f.coinbaseOut(t, 3), 50e8, 100_000)
			f.spend(t, wire.OutPoint{Hash: p.TxHash()}, p.TxOut[0].Value, 100_000)
		}, 2, true},
		{"one more", func() { f.spend(t, f.coinbaseOut(t, 4), 50e8, 150_000) }, 1, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.setup()
			time.Sleep(time.Millisecond) // past MaxAge
			before := f.chain.Best()
			j, re := f.template(t.Context(), t, segwitReq)
			if re != nil {
				t.Fatal(re)
			}
			if len(j.Transactions) != c.txs || (j.DefaultWitnessCommitment != "") != c.commit {
				t.Fatalf("template has %d txs, commitment %q; want %d, %v", len(j.Transactions), j.DefaultWitnessCommitment, c.txs, c.commit)
			}
			blk := blockFromTemplate(t, j, other, uint64(i)+1)
			if !mining.SolveBlock(t.Context(), &blk.Header) {
				t.Fatal("no solution")
			}
			out := f.must(t, "submitblock", hex.EncodeToString(blk.Bytes()))
			if string(out) != "null" {
				t.Fatalf("submitblock: %s", out)
			}
			after := f.chain.Best()
			if after.Hash != blk.BlockHash() || after.Height != before.Height+1 {
				t.Fatalf("tip %v at %d, want %v at %d", after.Hash, after.Height, blk.BlockHash(), before.Height+1)
			}
			if n := f.pool.Count(); n != 0 {
				t.Errorf("pool still holds %d txs", n)
			}
			// The same block again is a duplicate, for submitblock and as
			// a proposal.
			if out := f.must(t, "submitblock", hex.EncodeToString(blk.Bytes())); str(t, out) != "duplicate" {
				t.Errorf("resubmit: %s", out)
			}
			// The next template builds on it.
			next, re := f.template(t.Context(), t, segwitReq)
			if re != nil || next.PreviousBlockHash != blk.BlockHash().String() || next.Height != j.Height+1 {
				t.Errorf("next template on %s at %d (%v)", next.PreviousBlockHash, next.Height, re)
			}
		})
	}
}

// TestGetBlockTemplateProposal checks BIP23 proposals: a good block, and
// one broken per rule.
func TestGetBlockTemplateProposal(t *testing.T) {
	f := newGBTFixture(t, GBTOptions{}, true)
	f.spend(t, f.coinbaseOut(t, 1), 50e8, 100_000)
	j, re := f.template(t.Context(), t, segwitReq)
	if re != nil {
		t.Fatal(re)
	}
	tipBlock, err := f.chain.BlockByHash(f.chain.Best().Hash)
	if err != nil {
		t.Fatal(err)
	}
	payTo := f.addr.PkScript()
	cases := []struct {
		name   string
		mutate func(b *wire.MsgBlock) *wire.MsgBlock
		want   string // "" = accepted (null)
	}{
		{"valid", func(b *wire.MsgBlock) *wire.MsgBlock { return b }, ""},
		{"bad merkle root", func(b *wire.MsgBlock) *wire.MsgBlock { b.Header.MerkleRoot[0] ^= 1; return b }, "bad-txnmrklroot"},
		{"not on the tip", func(b *wire.MsgBlock) *wire.MsgBlock { b.Header.PrevBlock = f.blocks[50]; return b }, "inconclusive-not-best-prevblk"},
		{"unknown parent", func(b *wire.MsgBlock) *wire.MsgBlock { b.Header.PrevBlock[0] ^= 1; return b }, "inconclusive-not-best-prevblk"},
		{"known block", func(*wire.MsgBlock) *wire.MsgBlock { return tipBlock }, "duplicate"},
		{"coinbase overpays", func(b *wire.MsgBlock) *wire.MsgBlock {
			b.Transactions[0].TxOut[0].Value++
			b.Header.MerkleRoot, _ = wire.BlockMerkleRoot(b.Transactions)
			return b
		}, "bad-cb-amount"},
		{"wrong BIP34 height", func(b *wire.MsgBlock) *wire.MsgBlock {
			b.Transactions[0].TxIn[0].SignatureScript, _ = mining.CoinbaseScript(j.Height+1, 0, nil)
			b.Header.MerkleRoot, _ = wire.BlockMerkleRoot(b.Transactions)
			return b
		}, "bad-cb-height"},
		{"missing witness commitment", func(b *wire.MsgBlock) *wire.MsgBlock {
			cb := b.Transactions[0]
			cb.TxOut = cb.TxOut[:1]
			cb.TxIn[0].Witness = nil
			b.Header.MerkleRoot, _ = wire.BlockMerkleRoot(b.Transactions)
			return b
		}, "unexpected-witness"},
		{"wrong bits", func(b *wire.MsgBlock) *wire.MsgBlock { b.Header.Bits = 0x1f00ffff; return b }, "bad-diffbits"},
		{"time too old", func(b *wire.MsgBlock) *wire.MsgBlock { b.Header.Timestamp = uint32(j.MinTime - 1); return b }, "time-too-old"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			blk := c.mutate(blockFromTemplate(t, j, payTo, 1))
			for _, name := range []string{"getblocktemplate", "miner.template"} {
				out := f.must(t, name, map[string]any{"mode": "proposal", "data": hex.EncodeToString(blk.Bytes())})
				got := ""
				if string(out) != "null" {
					got = str(t, out)
				}
				if got != c.want {
					t.Errorf("%s: proposal answered %q, want %q", name, got, c.want)
				}
			}
		})
	}
	if tip := f.chain.Best().Hash; tip != tipBlock.BlockHash() {
		t.Error("a proposal changed the tip")
	}
	// A solved block the chain refused is a known-invalid duplicate.
	bad := blockFromTemplate(t, j, payTo, 2)
	bad.Transactions[0].TxOut[0].Value++
	bad.Header.MerkleRoot, _ = wire.BlockMerkleRoot(bad.Transactions)
	if !mining.SolveBlock(t.Context(), &bad.Header) {
		t.Fatal("no solution")
	}
	data := hex.EncodeToString(bad.Bytes())
	if out := f.must(t, "submitblock", data); str(t, out) != "bad-cb-amount" {
		t.Fatalf("submitblock of an overpaying block: %s", out)
	}
	if out := f.must(t, "getblocktemplate", map[string]any{"mode": "proposal", "data": data}); str(t, out) != "duplicate-invalid" {
		t.Errorf("proposal of a refused block: %s, want duplicate-invalid", out)
	}
}

// TestGetBlockTemplateLongPoll checks what ends a long poll: a new tip
// (notified, or polled without a Notifier), a mempool change once the
// delay has passed, the context, and a stale id; and what does not.
func TestGetBlockTemplateLongPoll(t *testing.T) {
	cases := []struct {
		name    string
		opts    GBTOptions
		notify  bool
		act     func(t *testing.T, f *gbtFixture) // run 100 ms into the wait
		timeout time.Duration                     // of the long poll's context
		id      func(f *gbtFixture, cur string) string
		// want
		newTip, newTx, sameID bool
		// untilDeadline: the poll must end only because its context did;
		// otherwise it must end (on its event, or at once) well before.
		untilDeadline bool
	}{
		{name: "block mined, notified", opts: GBTOptions{LongPollCheck: time.Hour}, notify: true,
			act: func(t *testing.T, f *gbtFixture) { f.mine(t, 1) }, timeout: 10 * time.Second,
			newTip: true},
		{name: "block mined, polled", opts: GBTOptions{LongPollCheck: 10 * time.Millisecond},
			act: func(t *testing.T, f *gbtFixture) { f.mine(t, 1) }, timeout: 10 * time.Second,
			newTip: true},
		{name: "mempool change after the delay",
			opts:   GBTOptions{MaxAge: time.Millisecond, LongPollMempoolDelay: 400 * time.Millisecond, LongPollCheck: 10 * time.Millisecond},
			notify: true, act: func(t *testing.T, f *gbtFixture) { f.spend(t, f.coinbaseOut(t, 1), 50e8, 100_000) },
			timeout: 10 * time.Second, newTx: true},
		{name: "context ends, nothing changed",
			opts:   GBTOptions{LongPollMempoolDelay: time.Millisecond, LongPollCheck: 10 * time.Millisecond},
			notify: true, timeout: 300 * time.Millisecond, sameID: true, untilDeadline: true},
		{name: "mempool change before the delay does not end it",
			opts:   GBTOptions{MaxAge: time.Millisecond, LongPollMempoolDelay: time.Hour, LongPollCheck: 10 * time.Millisecond},
			notify: true, act: func(t *testing.T, f *gbtFixture) { f.spend(t, f.coinbaseOut(t, 1), 50e8, 100_000) },
			timeout: 400 * time.Millisecond, newTx: true, untilDeadline: true},
		{name: "stale tip in id", opts: GBTOptions{LongPollCheck: time.Hour}, notify: true, timeout: 10 * time.Second,
			id:     func(f *gbtFixture, _ string) string { return f.blocks[10].String() + "0" },
			sameID: true},
		{name: "stale generation in id", opts: GBTOptions{LongPollCheck: time.Hour}, notify: true, timeout: 10 * time.Second,
			id:     func(f *gbtFixture, cur string) string { return cur[:64] + "99" },
			sameID: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newGBTFixture(t, c.opts, c.notify)
			first, re := f.template(t.Context(), t, segwitReq)
			if re != nil {
				t.Fatal(re)
			}
			id := first.LongPollID
			if c.id != nil {
				id = c.id(f, id)
			}
			acted := make(chan struct{})
			if c.act != nil {
				go func() {
					defer close(acted)
					time.Sleep(100 * time.Millisecond)
					c.act(t, f)
				}()
			} else {
				close(acted)
			}
			ctx, cancel := context.WithTimeout(t.Context(), c.timeout)
			defer cancel()
			got, re := f.template(ctx, t, longPollReq(id))
			ended := ctx.Err() != nil
			<-acted
			if re != nil {
				t.Fatal(re)
			}
			if ended != c.untilDeadline {
				t.Errorf("long poll ended with its context done = %v, want %v", ended, c.untilDeadline)
			}
			best := f.chain.Best().Hash.String()
			if tipMoved := got.PreviousBlockHash != first.PreviousBlockHash; tipMoved != c.newTip || got.PreviousBlockHash != best {
				t.Errorf("template on %s (first %s, tip %s), want new tip %v", got.PreviousBlockHash, first.PreviousBlockHash, best, c.newTip)
			}
			if hasTx := len(got.Transactions) > 0; hasTx != c.newTx {
				t.Errorf("template has %d txs, want some: %v", len(got.Transactions), c.newTx)
			}
			if (got.LongPollID == first.LongPollID) != c.sameID {
				t.Errorf("longpollid %s after %s, want same: %v", got.LongPollID, first.LongPollID, c.sameID)
			}
		})
	}
}

// TestGetBlockTemplateLongPollHTTP long-polls through the server while a
// block is mined over RPC: the wait holds no chain lock. With read and
// write timeouts shorter than the wait, the poll still gets its answer.
func TestGetBlockTemplateLongPollHTTP(t *testing.T) {
	t.Run("default limits", func(t *testing.T) { testLongPollHTTP(t, Limits{}) })
	t.Run("timeouts shorter than the poll", func(t *testing.T) {
		testLongPollHTTP(t, Limits{ReadTimeout: 20 * time.Millisecond, WriteTimeout: 20 * time.Millisecond})
	})
}

func testLongPollHTTP(t *testing.T, limits Limits) {
	f := newGBTFixtureLimits(t, GBTOptions{LongPollCheck: time.Hour}, true, limits)
	var first BlockTemplateJSON
	json.Unmarshal(f.must(t, "getblocktemplate", segwitReq), &first)
	type result struct {
		raw json.RawMessage
		re  *Error
	}
	done := make(chan result, 1)
	go func() {
		var out json.RawMessage
		err := NewClient(f.url, f.user, f.pass).Call(context.Background(), "getblocktemplate", &out, longPollReq(first.LongPollID))
		re, _ := err.(*Error)
		if err != nil && re == nil {
			re = Errorf(CodeMisc, "transport: %v", err)
		}
		done <- result{out, re}
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("long poll returned before any change: %s %v", r.raw, r.re)
	default:
	}
	var mined []string
	json.Unmarshal(f.must(t, "generatetoaddress", 1, f.addr.String()), &mined)
	select {
	case r := <-done:
		if r.re != nil {
			t.Fatal(r.re)
		}
		var got BlockTemplateJSON
		json.Unmarshal(r.raw, &got)
		if len(mined) != 1 || got.PreviousBlockHash != mined[0] || got.Height != first.Height+1 {
			t.Errorf("long poll answered a template on %s at %d, want %v at %d", got.PreviousBlockHash, got.Height, mined, first.Height+1)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not return after a block was mined")
	}
}

// TestGetBlockTemplateCache checks when the cached template is reused and
// when it is rebuilt.
func TestGetBlockTemplateCache(t *testing.T) {
	f := newGBTFixture(t, GBTOptions{}, true)
	first, re := f.template(t.Context(), t, segwitReq)
	if re != nil {
		t.Fatal(re)
	}
	prev := first
	steps := []struct {
		name   string
		maxAge time.Duration
		act    func()
		builds int32 // new builds in this step
		sameID bool
		txs    int
	}{
		{"nothing changed", time.Hour, func() {}, 0, true, 0},
		{"nothing changed, old template", time.Nanosecond, func() { time.Sleep(time.Millisecond) }, 0, true, 0},
		{"mempool changed, young template", time.Hour, func() { f.spend(t, f.coinbaseOut(t, 1), 50e8, 100_000) }, 0, true, 0},
		{"mempool changed, old template", time.Nanosecond, func() { time.Sleep(time.Millisecond) }, 1, false, 1},
		{"new tip, young template", time.Hour, func() { f.mine(t, 1) }, 1, false, 0},
	}
	for _, s := range steps {
		f.svc.GBT.MaxAge = s.maxAge
		s.act()
		n := f.builds.n.Load()
		got, re := f.template(t.Context(), t, segwitReq)
		if re != nil {
			t.Fatalf("%s: %v", s.name, re)
		}
		if d := f.builds.n.Load() - n; d != s.builds {
			t.Errorf("%s: %d builds, want %d", s.name, d, s.builds)
		}
		if (got.LongPollID == prev.LongPollID) != s.sameID {
			t.Errorf("%s: longpollid %s after %s, want same: %v", s.name, got.LongPollID, prev.LongPollID, s.sameID)
		}
		if len(got.Transactions) != s.txs {
			t.Errorf("%s: %d txs, want %d", s.name, len(got.Transactions), s.txs)
		}
		if got.CurTime < prev.CurTime && got.PreviousBlockHash == prev.PreviousBlockHash {
			t.Errorf("%s: curtime went back from %d to %d", s.name, prev.CurTime, got.CurTime)
		}
		prev = got
	}
}

// TestGetBlockTemplateErrors checks the refusals and their codes.
func TestGetBlockTemplateErrors(t *testing.T) {
	f := newGBTFixture(t, GBTOptions{}, true)
	hex64 := strings.Repeat("ab", 32)
	cases := []struct {
		name   string
		method string
		params []any
		code   int
	}{
		{"no request", "getblocktemplate", nil, CodeInvalidParam},
		{"no request, alias", "miner.template", nil, CodeInvalidParam},
		{"null request", "getblocktemplate", []any{nil}, CodeInvalidParam},
		{"no segwit rule", "getblocktemplate", []any{map[string]any{"rules": []string{"csv"}}}, CodeInvalidParam},
		{"empty rules", "miner.template", []any{map[string]any{"rules": []string{}}}, CodeInvalidParam},
		{"rules not a list", "getblocktemplate", []any{map[string]any{"rules": "segwit"}}, CodeInvalidParams},
		{"capabilities not a list", "getblocktemplate", []any{map[string]any{"rules": []string{"segwit"}, "capabilities": "longpoll"}}, CodeInvalidParams},
		{"request not an object", "getblocktemplate", []any{"segwit"}, CodeInvalidParams},
		{"two params", "getblocktemplate", []any{segwitReq, segwitReq}, CodeInvalidParams},
		{"unknown mode", "getblocktemplate", []any{map[string]any{"rules": []string{"segwit"}, "mode": "submit"}}, CodeInvalidParam},
		{"mode not a string", "getblocktemplate", []any{map[string]any{"rules": []string{"segwit"}, "mode": 1}}, CodeInvalidParams},
		{"longpollid too short", "getblocktemplate", []any{longPollReq("abc")}, CodeInvalidParam},
		{"longpollid without generation", "getblocktemplate", []any{longPollReq(hex64)}, CodeInvalidParam},
		{"longpollid bad generation", "getblocktemplate", []any{longPollReq(hex64 + "x1")}, CodeInvalidParam},
		{"longpollid bad hash", "getblocktemplate", []any{longPollReq(strings.Repeat("zz", 32) + "1")}, CodeInvalidParam},
		{"longpollid in upper case", "getblocktemplate", []any{longPollReq(strings.ToUpper(hex64) + "1")}, CodeInvalidParam},
		{"longpollid with a leading zero", "getblocktemplate", []any{longPollReq(hex64 + "01")}, CodeInvalidParam},
		{"longpollid with a sign", "getblocktemplate", []any{longPollReq(hex64 + "+1")}, CodeInvalidParam},
		{"longpollid not a string", "getblocktemplate", []any{map[string]any{"rules": []string{"segwit"}, "longpollid": 5}}, CodeInvalidParams},
		{"proposal without data", "getblocktemplate", []any{map[string]any{"mode": "proposal"}}, CodeInvalidParams},
		{"proposal bad hex", "getblocktemplate", []any{map[string]any{"mode": "proposal", "data": "zz"}}, CodeDeserialize},
		{"proposal truncated block", "miner.template", []any{map[string]any{"mode": "proposal", "data": "0100"}}, CodeDeserialize},
	}
	for _, c := range cases {
		if out, re := f.call(t, c.method, c.params...); re == nil || re.Code != c.code {
			t.Errorf("%s: got %.100s %v, want code %d", c.name, out, re, c.code)
		}
	}
	// Named params, which Client.Call cannot send.
	named := []struct {
		params string
		code   int // 0 = success
	}{
		{`{"template_request":{"rules":["segwit"],"unknownkey":1}}`, 0},
		{`{"template_request":{"rules":["segwit"]},"bogus":1}`, CodeInvalidParams},
		{`{"template_request":{}}`, CodeInvalidParam},
	}
	for _, c := range named {
		_, err := f.svc.getBlockTemplate(t.Context(), json.RawMessage(c.params))
		var re *Error
		errors.As(err, &re)
		if (c.code == 0) != (err == nil) || (re != nil && re.Code != c.code) {
			t.Errorf("%s: error %v, want code %d", c.params, err, c.code)
		}
	}
	// A node without a template builder says so.
	bare := &NodeService{Params: chaincfg.RegTestParams, Chain: f.chain, Mempool: f.pool}
	params, _ := json.Marshal([]any{segwitReq})
	if _, err := bare.getBlockTemplate(t.Context(), params); err == nil || err.(*Error).Code != CodeMisc {
		t.Errorf("no template backend: %v", err)
	}
}
