package chain

import (
	"errors"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// reSolve recomputes the merkle root and nonce after a block was edited
// past finish.
func reSolve(blk *wire.MsgBlock) {
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(blk.Transactions)
	solve(&blk.Header)
}

func TestProcessBlockErrors(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	base := matureBase(g)
	tc.mustAccept(t, base...)
	tip := base[len(base)-1]
	key, wrong := newTestKey("owner"), newTestKey("thief")
	// A confirmed P2WPKH output and a fresh OP_TRUE output to spend.
	fund := spend([]spendOut{cbOut(base[0])}, nil, 40_000, 50_000)
	fund.TxOut[0].PkScript = key.pk
	funded := g.next(tip, []*wire.MsgTx{fund}, cbOut(base[0]).amount-90_000)
	tc.mustAccept(t, funded)
	tip = funded
	mature := cbOut(base[1])

	tests := []struct {
		name    string
		build   func() *wire.MsgBlock
		kind    ErrorKind
		reason  string
		invalid bool // the header is remembered as invalid
	}{
		{"high hash", func() *wire.MsgBlock {
			b := g.next(tip, nil, 0)
			target := chaincfg.CompactToBig(b.Header.Bits)
			for {
				b.Header.Nonce++
				h := b.Header.BlockHash()
				if chaincfg.HashToBig(&h).Cmp(target) > 0 {
					return b
				}
			}
		}, ErrHighHash, "high-hash", false},
		{"bits above limit", func() *wire.MsgBlock {
			return g.next(tip, nil, 0, func(b *wire.MsgBlock) { b.Header.Bits = 0x2100ffff })
		}, ErrHighHash, "high-hash", false},
		{"unexpected bits", func() *wire.MsgBlock {
			return g.next(tip, nil, 0, func(b *wire.MsgBlock) { b.Header.Bits = 0x207ffffe })
		}, ErrBadBits, "bad-diffbits", false},
		{"bad merkle root", func() *wire.MsgBlock {
			b := g.next(tip, nil, 0)
			b.Header.MerkleRoot[0] ^= 1
			solve(&b.Header)
			return b
		}, ErrBadMerkleRoot, "bad-txnmrklroot", false},
		{"time too old", func() *wire.MsgBlock {
			return g.next(tip, nil, 0, func(b *wire.MsgBlock) { b.Header.Timestamp = uint32(tc.MedianTimePast()) })
		}, ErrTimeTooOld, "time-too-old", false},
		{"time too new", func() *wire.MsgBlock {
			return g.next(tip, nil, 0, func(b *wire.MsgBlock) {
				b.Header.Timestamp = uint32(time.Now().Add(MaxFutureBlockTime + time.Hour).Unix())
			})
		}, ErrTimeTooNew, "time-too-new", false},
		{"old version", func() *wire.MsgBlock {
			return g.next(tip, nil, 0, func(b *wire.MsgBlock) { b.Header.Version = 3 })
		}, ErrBadVersion, "bad-version", false},
		{"no transactions", func() *wire.MsgBlock {
			b := g.next(tip, nil, 0)
			b.Transactions = nil
			solve(&b.Header)
			return b
		}, ErrNoTransactions, "bad-blk-length", false},
		{"first not coinbase", func() *wire.MsgBlock {
			return g.next(tip, nil, 0, func(b *wire.MsgBlock) {
				b.Transactions[0] = spend([]spendOut{mature}, nil, 1)
			})
		}, ErrFirstTxNotCoinbase, "bad-cb-missing", false},
		{"two coinbases", func() *wire.MsgBlock {
			return g.next(tip, nil, 0, func(b *wire.MsgBlock) {
				b.Transactions = append(b.Transactions, b.Transactions[0].Copy())
				b.Transactions[1].TxIn[0].SignatureScript = append(b.Transactions[1].TxIn[0].SignatureScript, 1)
			})
		}, ErrMultipleCoinbases, "bad-cb-multiple", false},
		{"coinbase height", func() *wire.MsgBlock {
			return g.next(tip, nil, 0, func(b *wire.MsgBlock) {
				b.Transactions[0].TxIn[0].SignatureScript = coinbaseScript(g.height(tip)+2, 99)
			})
		}, ErrBadCoinbaseHeight, "bad-cb-height", true},
		{"coinbase pays too much", func() *wire.MsgBlock { return g.next(tip, nil, 1) },
			ErrBadCoinbaseValue, "bad-cb-amount", true},
		{"missing input", func() *wire.MsgBlock {
			return g.next(tip, []*wire.MsgTx{spend([]spendOut{{op: wire.OutPoint{Hash: hashOf("nope")}, amount: 5, pk: opTrue}}, nil, 1)}, 4)
		}, ErrMissingTxOut, "bad-txns-inputs-missingorspent", true},
		{"immature coinbase", func() *wire.MsgBlock {
			return g.next(tip, []*wire.MsgTx{spend([]spendOut{cbOut(base[5])}, nil, 1)}, cbOut(base[5]).amount-1)
		}, ErrImmatureSpend, "bad-txns-premature-spend-of-coinbase", true},
		{"double spend in block", func() *wire.MsgBlock {
			return g.next(tip, []*wire.MsgTx{spend([]spendOut{mature}, nil, 1), spend([]spendOut{mature}, nil, 2)}, 0)
		}, ErrDoubleSpendInBlock, "bad-txns-inputs-missingorspent", true},
		{"overspend", func() *wire.MsgBlock {
			return g.next(tip, []*wire.MsgTx{spend([]spendOut{mature}, nil, mature.amount+1)}, 0)
		}, ErrSpendTooHigh, "bad-txns-in-belowout", true},
		{"wrong signature", func() *wire.MsgBlock {
			tx := spend([]spendOut{outOf(fund, 0)}, nil, 39_000)
			wrong.signP2WPKH(tx, script.NewSigHashes(tx), 0, 40_000)
			return g.next(tip, []*wire.MsgTx{tx}, 1000)
		}, ErrScriptValidation, "mandatory-script-verify-flag-failed", true},
		{"signature for another amount", func() *wire.MsgBlock {
			tx := spend([]spendOut{outOf(fund, 0)}, nil, 39_000)
			key.signP2WPKH(tx, script.NewSigHashes(tx), 0, 40_001)
			return g.next(tip, []*wire.MsgTx{tx}, 1000)
		}, ErrScriptValidation, "mandatory-script-verify-flag-failed", true},
		{"not final", func() *wire.MsgBlock {
			tx := spend([]spendOut{mature}, nil, 1)
			tx.LockTime = uint32(g.height(tip) + 1)
			tx.TxIn[0].Sequence = 0
			return g.next(tip, []*wire.MsgTx{tx}, mature.amount-1)
		}, ErrUnfinalizedTx, "bad-txns-nonfinal", true},
		{"sequence locked by height", func() *wire.MsgBlock {
			tx := spend([]spendOut{outOf(fund, 1)}, nil, 1)
			tx.TxIn[0].Sequence = 2 // needs two confirmations, has one
			return g.next(tip, []*wire.MsgTx{tx}, 50_000-1)
		}, ErrSequenceLocked, "bad-txns-nonfinal", true},
		{"sequence locked by time", func() *wire.MsgBlock {
			tx := spend([]spendOut{outOf(fund, 1)}, nil, 1)
			tx.TxIn[0].Sequence = wire.SequenceLockTimeIsSeconds | 1
			return g.next(tip, []*wire.MsgTx{tx}, 50_000-1)
		}, ErrSequenceLocked, "bad-txns-nonfinal", true},
		{"too many legacy sigops", func() *wire.MsgBlock {
			tx := spend([]spendOut{mature}, nil, 1)
			tx.TxOut[0].PkScript = make([]byte, MaxBlockSigOpsCost/4+1)
			for i := range tx.TxOut[0].PkScript {
				tx.TxOut[0].PkScript[i] = script.OP_CHECKSIG
			}
			return g.next(tip, []*wire.MsgTx{tx}, mature.amount-1)
		}, ErrTooManySigOps, "bad-blk-sigops", false},
		{"witness without commitment", func() *wire.MsgBlock {
			tx := spend([]spendOut{outOf(fund, 0)}, key, 39_000)
			b := g.next(tip, []*wire.MsgTx{tx}, 1000)
			b.Transactions[0].TxOut = b.Transactions[0].TxOut[:1]
			b.Transactions[0].TxIn[0].Witness = nil
			reSolve(b)
			return b
		}, ErrUnexpectedWitness, "unexpected-witness", false},
		{"bad witness commitment", func() *wire.MsgBlock {
			tx := spend([]spendOut{outOf(fund, 0)}, key, 39_000)
			b := g.next(tip, []*wire.MsgTx{tx}, 1000)
			b.Transactions[0].TxOut[1].PkScript[10] ^= 1
			reSolve(b)
			return b
		}, ErrBadWitnessCommitment, "bad-witness-merkle-match", false},
		{"bad witness nonce", func() *wire.MsgBlock {
			tx := spend([]spendOut{outOf(fund, 0)}, key, 39_000)
			b := g.next(tip, []*wire.MsgTx{tx}, 1000)
			b.Transactions[0].TxIn[0].Witness = wire.TxWitness{make([]byte, 31)}
			reSolve(b)
			return b
		}, ErrBadWitnessCommitment, "bad-witness-nonce-size", false},
		{"negative output", func() *wire.MsgBlock {
			return g.next(tip, []*wire.MsgTx{spend([]spendOut{mature}, nil, -1)}, 0)
		}, ErrBadTxOutValue, "bad-txns-vout-negative", false},
	}
	before, _ := tc.utxoHash(t)
	for _, tc2 := range tests {
		t.Run(tc2.name, func(t *testing.T) {
			blk := tc2.build()
			_, _, err := tc.ProcessBlock(blk, BFNone)
			checkRule(t, err, tc2.kind, tc2.reason)
			if tc.Best().Hash != tip.BlockHash() {
				t.Fatal("tip moved")
			}
			// Resubmitting: remembered-invalid headers are refused at once;
			// others (a possibly corrupted tx list, or header failures that
			// are cheap to produce and so are not stored) are judged again.
			_, _, err = tc.ProcessBlock(blk, BFNone)
			if tc2.invalid {
				checkRule(t, err, ErrKnownInvalid, "duplicate-invalid")
				child := g.next(blk, nil, 0)
				_, _, err := tc.ProcessBlock(child, BFNone)
				checkRule(t, err, ErrInvalidAncestor, "bad-prevblk")
			} else {
				checkRule(t, err, tc2.kind, tc2.reason)
				if tc.HaveBlock(blk.BlockHash()) {
					t.Fatal("rejected block is stored")
				}
			}
		})
	}
	if h, _ := tc.utxoHash(t); h != before {
		t.Fatal("rejected blocks changed the UTXO set")
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	// A valid block after all that, then a duplicate.
	good := g.next(tip, []*wire.MsgTx{spend([]spendOut{outOf(fund, 0)}, key, 39_000)}, 1000)
	tc.mustAccept(t, good)
	_, _, err := tc.ProcessBlock(good, BFNone)
	checkRule(t, err, ErrDuplicateBlock, "duplicate")
}

func TestProcessBlockMutated(t *testing.T) {
	// CVE-2012-2459: [cb, t1, t2, t2] has the merkle root of
	// [cb, t1, t2]. The mutated block must be refused without marking
	// the header invalid, so the real block is accepted afterwards.
	g := newBlockGen()
	tc := openChain(t)
	base := matureBase(g)
	tc.mustAccept(t, base...)
	tip := base[len(base)-1]
	t1 := spend([]spendOut{cbOut(base[0])}, nil, 1000)
	t2 := spend([]spendOut{cbOut(base[1])}, nil, 1000)
	real := g.next(tip, []*wire.MsgTx{t1, t2}, cbOut(base[0]).amount+cbOut(base[1]).amount-2000)
	mutated := &wire.MsgBlock{Header: real.Header, Transactions: append(append([]*wire.MsgTx(nil), real.Transactions...), t2)}
	if mutated.BlockHash() != real.BlockHash() {
		t.Fatal("test setup: hashes differ")
	}
	_, _, err := tc.ProcessBlock(mutated, BFNone)
	checkRule(t, err, ErrDuplicateTx, "bad-txns-duplicate")
	tc.mustAccept(t, real)
	if tc.Best().Hash != real.BlockHash() {
		t.Fatal("real block not connected after its mutation was refused")
	}
}

func TestProcessBlockBIP30(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	tc.mustAccept(t, g.chainOf(g.params.GenesisBlock, 3)...)
	tip, _ := tc.BlockByHash(tc.Best().Hash)
	blk := g.next(tip, nil, 0)
	// Plant an unspent output with the new coinbase's txid.
	op := wire.OutPoint{Hash: blk.Transactions[0].TxHash()}
	if err := tc.db.Update(func(tx *store.Tx) error {
		k := outpointKey(op)
		return tx.Bucket(bucketUtxo).Put(k[:], appendEntry(nil, &UtxoEntry{Amount: 1, PkScript: opTrue, Height: 1}))
	}); err != nil {
		t.Fatal(err)
	}
	_, _, err := tc.ProcessBlock(blk, BFNone)
	checkRule(t, err, ErrOverwriteTx, "bad-txns-BIP30")
}

func TestProcessBlockOrphans(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t, func(c *Config) { c.MaxOrphanBlocks = 3 })
	blks := g.chainOf(g.params.GenesisBlock, 4)
	for _, b := range blks[1:] {
		main, orphan, err := tc.ProcessBlock(b, BFNone)
		if err != nil || !orphan || main {
			t.Fatalf("orphan: main=%v orphan=%v err=%v", main, orphan, err)
		}
	}
	if !tc.IsKnownOrphan(blks[3].BlockHash()) || !tc.HaveBlock(blks[3].BlockHash()) {
		t.Fatal("orphan not held")
	}
	if r := tc.OrphanRoot(blks[3].BlockHash()); r != blks[1].BlockHash() {
		t.Fatalf("orphan root = %v, want block 2", r)
	}
	if _, _, err := tc.ProcessBlock(blks[2], BFNone); !errors.Is(err, ErrDuplicateBlock) {
		t.Fatalf("duplicate orphan: %v", err)
	}
	var accepted []int32
	tc.Subscribe(func(n *Notification) {
		if n.Type == NTBlockAccepted {
			accepted = append(accepted, n.Height)
		}
	})
	main, orphan, err := tc.ProcessBlock(blks[0], BFNone)
	if err != nil || orphan || !main {
		t.Fatalf("parent: main=%v orphan=%v err=%v", main, orphan, err)
	}
	if b := tc.Best(); b.Height != 4 || b.Hash != blks[3].BlockHash() {
		t.Fatalf("tip after orphans = %d %v", b.Height, b.Hash)
	}
	if len(accepted) != 4 || accepted[0] != 1 || accepted[3] != 4 {
		t.Fatalf("accepted heights = %v", accepted)
	}
	if tc.IsKnownOrphan(blks[3].BlockHash()) {
		t.Fatal("connected block still an orphan")
	}
	// The pool is bounded: the oldest orphan goes first.
	more := g.chainOf(blks[3], 6)
	for _, b := range more[1:] {
		tc.ProcessBlock(b, BFNone)
	}
	if tc.IsKnownOrphan(more[1].BlockHash()) || tc.IsKnownOrphan(more[2].BlockHash()) || !tc.IsKnownOrphan(more[5].BlockHash()) {
		t.Fatal("orphan pool did not evict the oldest")
	}
}

func TestChainRestart(t *testing.T) {
	g := newBlockGen()
	dir := t.TempDir()
	tc := openChainAt(t, dir)
	base := matureBase(g)
	tc.mustAccept(t, base...)
	tip := base[len(base)-1]
	a := g.next(tip, []*wire.MsgTx{spend([]spendOut{cbOut(base[0])}, nil, 1000)}, cbOut(base[0]).amount-1000)
	side := g.next(tip, nil, 0)
	tc.mustAccept(t, a, side)
	best := tc.Best()
	uh, un := tc.utxoHash(t)
	tips := tc.Tips()
	tc.close()

	// A second open of the locked file fails with "datadir in use".
	tc2 := openChainAt(t, dir)
	if _, err := store.Open(tc2.db.Path(), store.Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	b2 := tc2.Best()
	if b2.Hash != best.Hash || b2.Height != best.Height || b2.TotalTxns != best.TotalTxns ||
		b2.BlockWeight != best.BlockWeight || b2.NumTxns != best.NumTxns || b2.Work.Cmp(best.Work) != 0 || b2.MedianTime != best.MedianTime {
		t.Fatalf("best after restart = %+v, want %+v", b2, best)
	}
	if h, n := tc2.utxoHash(t); h != uh || n != un {
		t.Fatal("UTXO set changed across restart")
	}
	if got := tc2.Tips(); len(got) != len(tips) || got[1] != tips[1] {
		t.Fatalf("tips after restart = %+v, want %+v", got, tips)
	}
	if err := tc2.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	// The reloaded index keeps working: extend the side chain past the tip.
	tc2.mustAccept(t, g.chainOf(side, 2)...)
	if tc2.Best().Height != 104 || tc2.MainChainHasBlock(a.BlockHash()) {
		t.Fatal("reorg after restart failed")
	}
}

func TestChainQueries(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	base := matureBase(g)
	tc.mustAccept(t, base...)
	tip := base[len(base)-1]
	h, err := tc.BlockHashByHeight(50)
	if err != nil || h != base[49].BlockHash() {
		t.Fatalf("BlockHashByHeight(50) = %v, %v", h, err)
	}
	if _, err := tc.BlockHashByHeight(1000); !errors.Is(err, ErrBlockNotFound) {
		t.Fatalf("BlockHashByHeight(1000): %v", err)
	}
	if hd, ht, err := tc.HeaderByHash(tip.BlockHash()); err != nil || ht != 101 || hd != tip.Header {
		t.Fatalf("HeaderByHash = %v %d %v", hd, ht, err)
	}
	if _, _, err := tc.HeaderByHash(hashOf("x")); !errors.Is(err, ErrBlockNotFound) {
		t.Fatalf("HeaderByHash(unknown): %v", err)
	}
	if ht, err := tc.BlockHeightByHash(base[9].BlockHash()); err != nil || ht != 10 {
		t.Fatalf("BlockHeightByHash = %d, %v", ht, err)
	}
	if _, err := tc.BlockHeightByHash(hashOf("x")); err == nil {
		t.Fatal("BlockHeightByHash(unknown) succeeded")
	}
	if blk, err := tc.BlockByHash(base[3].BlockHash()); err != nil || blk.BlockHash() != base[3].BlockHash() {
		t.Fatalf("BlockByHash: %v", err)
	}
	if _, err := tc.BlockByHash(hashOf("x")); !errors.Is(err, ErrBlockNotFound) {
		t.Fatalf("BlockByHash(unknown): %v", err)
	}
	if bits, err := tc.NextRequiredBits(tip.Header.Timestamp + 1); err != nil || bits != chaincfg.RegTestParams.PowLimitBits {
		t.Fatalf("NextRequiredBits = %08x, %v", bits, err)
	}
	// FetchUtxoView: inputs and the tx's own confirmed outputs.
	cb := base[0].Transactions[0]
	tx := spend([]spendOut{cbOut(base[0]), {op: wire.OutPoint{Hash: hashOf("none")}}}, nil, 1)
	view, err := tc.FetchUtxoView(tx)
	if err != nil || view.LookupEntry(cbOut(base[0]).op) == nil || len(view.Entries()) != 1 {
		t.Fatalf("FetchUtxoView: %d entries, %v", len(view.Entries()), err)
	}
	view, _ = tc.FetchUtxoView(cb)
	if view.LookupEntry(wire.OutPoint{Hash: cb.TxHash()}) == nil {
		t.Fatal("FetchUtxoView misses the tx's own confirmed output")
	}
	// Sequence locks: mempool inputs count as mined in the next block.
	seqTx := spend([]spendOut{cbOut(base[0])}, nil, 1)
	seqTx.TxIn[0].Sequence = 5
	v := NewUtxoViewpoint()
	v.AddEntry(cbOut(base[0]).op, &UtxoEntry{Amount: 1, PkScript: opTrue, Height: UnconfirmedHeight})
	lock, err := tc.CalcSequenceLock(seqTx, v, true)
	if err != nil || lock.BlockHeight != 102+5-1 || lock.Seconds != -1 {
		t.Fatalf("mempool lock = %+v, %v", lock, err)
	}
	v.AddEntry(cbOut(base[0]).op, &UtxoEntry{Amount: 1, PkScript: opTrue, Height: 1})
	seqTx.TxIn[0].Sequence = wire.SequenceLockTimeIsSeconds | 2
	lock, _ = tc.CalcSequenceLock(seqTx, v, false)
	want := int64(chaincfg.RegTestParams.GenesisBlock.Header.Timestamp) + 2*512 - 1
	if lock.Seconds != want || lock.BlockHeight != -1 {
		t.Fatalf("time lock = %+v, want seconds %d", lock, want)
	}
	seqTx.Version = 1
	if lock, _ = tc.CalcSequenceLock(seqTx, v, false); lock.Seconds != -1 || lock.BlockHeight != -1 {
		t.Fatalf("version 1 lock = %+v", lock)
	}
	seqTx.Version = -1 // 0xffffffff as unsigned: BIP68 applies
	if lock, _ = tc.CalcSequenceLock(seqTx, v, false); lock.Seconds != want {
		t.Fatalf("version -1 lock = %+v", lock)
	}
	seqTx.Version = 2
	if _, err := tc.CalcSequenceLock(seqTx, NewUtxoViewpoint(), false); !errors.Is(err, ErrMissingTxOut) {
		t.Fatalf("lock with missing input: %v", err)
	}
}

func TestCheckConnectBlockTemplate(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	base := matureBase(g)
	tc.mustAccept(t, base...)
	tip := base[len(base)-1]
	good := g.next(tip, []*wire.MsgTx{spend([]spendOut{cbOut(base[0])}, nil, 1000)}, cbOut(base[0]).amount-1000)
	good.Header.Nonce++ // proof of work is not checked
	if err := tc.CheckConnectBlockTemplate(good); err != nil {
		t.Fatalf("valid template: %v", err)
	}
	if tc.Best().Hash != tip.BlockHash() || tc.HaveBlock(good.BlockHash()) {
		t.Fatal("template check changed the chain")
	}
	bad := g.next(tip, []*wire.MsgTx{spend([]spendOut{cbOut(base[0])}, nil, 1000)}, cbOut(base[0]).amount)
	checkRule(t, tc.CheckConnectBlockTemplate(bad), ErrBadCoinbaseValue, "bad-cb-amount")
	checkRule(t, tc.CheckConnectBlockTemplate(base[50]), ErrNotExtendingTip, "inconclusive-not-best-prevblk")
	bits := g.next(tip, nil, 0, func(b *wire.MsgBlock) { b.Header.Bits = 0x207ffffe })
	checkRule(t, tc.CheckConnectBlockTemplate(bits), ErrBadBits, "bad-diffbits")
}

func TestNextRequiredBits(t *testing.T) {
	// Build index nodes by hand on mainnet-like parameters.
	mk := func(p *chaincfg.Params, n int, spacing uint32, bits uint32) (*Chain, *blockNode) {
		c := &Chain{params: p, index: newBlockIndex()}
		var prev *blockNode
		ts := uint32(1_700_000_000)
		for i := 0; i < n; i++ {
			h := wire.BlockHeader{Version: 4, Timestamp: ts, Bits: bits, Nonce: uint32(i)}
			if prev != nil {
				h.PrevBlock = prev.hash
			}
			node := newBlockNode(&h, prev)
			c.index.add(node)
			c.index.main = append(c.index.main, node)
			prev = node
			ts += spacing
		}
		return c, prev
	}
	main := chaincfg.MainNetParams
	interval := int(main.BlocksPerRetarget())
	const bits = 0x1d00ffff
	tests := []struct {
		name    string
		params  *chaincfg.Params
		blocks  int
		spacing uint32
		bits    uint32
		nextTS  uint32 // offset after the last block
		want    func() uint32
	}{
		{"mid window keeps bits", main, 100, 600, bits, 600, func() uint32 { return bits }},
		{"on-time window keeps bits", main, interval, 600, bits, 600, func() uint32 {
			// Window is interval-1 spacings long, slightly short of target.
			t := chaincfg.CompactToBig(bits)
			t.Mul(t, bigN(int64(600*(interval-1))))
			t.Div(t, bigN(int64(main.TargetTimespan.Seconds())))
			return chaincfg.BigToCompact(t)
		}},
		{"fast window clamps to /4", main, interval, 1, bits, 1, func() uint32 {
			t := chaincfg.CompactToBig(bits)
			t.Div(t, bigN(4))
			return chaincfg.BigToCompact(t)
		}},
		{"slow window clamps at the limit", main, interval, 6000, main.PowLimitBits, 600, func() uint32 { return main.PowLimitBits }},
		{"testnet min difficulty after 20 min", chaincfg.TestNetParams, 10, 600, 0x1d00ffff, 1201, func() uint32 { return chaincfg.TestNetParams.PowLimitBits }},
		{"testnet normal within 20 min", chaincfg.TestNetParams, 10, 600, 0x1d00ffff, 1200, func() uint32 { return 0x1d00ffff }},
		{"regtest never retargets", chaincfg.RegTestParams, interval, 1, chaincfg.RegTestParams.PowLimitBits, 1, func() uint32 { return chaincfg.RegTestParams.PowLimitBits }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, last := mk(tt.params, tt.blocks, tt.spacing, tt.bits)
			got := c.nextRequiredBits(last, last.header.Timestamp+tt.nextTS)
			if want := tt.want(); got != want {
				t.Fatalf("bits = %08x, want %08x", got, want)
			}
		})
	}
	// Testnet: after a min-difficulty exception the next normal block
	// goes back to the last real difficulty.
	c, last := mk(chaincfg.TestNetParams, 10, 600, 0x1d00ffff)
	h := wire.BlockHeader{Version: 4, PrevBlock: last.hash, Timestamp: last.header.Timestamp + 1300, Bits: chaincfg.TestNetParams.PowLimitBits}
	easy := newBlockNode(&h, last)
	if got := c.nextRequiredBits(easy, easy.header.Timestamp+600); got != 0x1d00ffff {
		t.Fatalf("after exception: bits = %08x, want 1d00ffff", got)
	}
}

func bigN(n int64) *bigInt { return newBig(n) }

// TestTimewarpBIP94: on main and testnet the first block of a retarget
// window may not be dated more than 600 s before its parent, and a
// retarget scales the window's first bits; regtest (no retargeting) and
// blocks inside a window keep Bitcoin's rules.
func TestTimewarpBIP94(t *testing.T) {
	mk := func(p *chaincfg.Params, n int, bits uint32) (*Chain, *blockNode) {
		c := &Chain{params: p, index: newBlockIndex()}
		var prev *blockNode
		ts := uint32(1_700_000_000)
		for i := 0; i < n; i++ {
			h := wire.BlockHeader{Version: 4, Timestamp: ts, Bits: bits, Nonce: uint32(i)}
			if prev != nil {
				h.PrevBlock = prev.hash
			}
			node := newBlockNode(&h, prev)
			c.index.add(node)
			c.index.main = append(c.index.main, node)
			prev, ts = node, ts+600
		}
		return c, prev
	}
	interval := int(chaincfg.MainNetParams.BlocksPerRetarget())
	for _, tt := range []struct {
		name   string
		params *chaincfg.Params
		blocks int // the next block is at this height
		offset int64
		bits   uint32
		err    ErrorKind
	}{
		{"main window opens 601 s early", chaincfg.MainNetParams, interval, -601, 0x1d00ffff, ErrTimewarp},
		{"main window opens 600 s early", chaincfg.MainNetParams, interval, -600, 0x1d00ffff, ""},
		{"main window opens 2 h before a future-dated parent", chaincfg.MainNetParams, 2 * interval, -7200, 0x1d00ffff, ErrTimewarp},
		{"testnet window opens 601 s early", chaincfg.TestNetParams, interval, -601, 0x1d00ffff, ErrTimewarp},
		{"main mid-window 601 s early", chaincfg.MainNetParams, interval - 1, -601, 0x1d00ffff, ""},
		{"regtest boundary 601 s early", chaincfg.RegTestParams, interval, -601, chaincfg.RegTestParams.PowLimitBits, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, last := mk(tt.params, tt.blocks, tt.bits)
			if tt.offset == -7200 {
				last.header.Timestamp += 7200 // the attack: the window's last block dated ahead
			}
			ts := uint32(int64(last.header.Timestamp) + tt.offset)
			h := wire.BlockHeader{Version: 4, PrevBlock: last.hash, Timestamp: ts, Bits: c.nextRequiredBits(last, ts)}
			err := c.checkHeaderContext(&h, last)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			checkRule(t, err, tt.err, "time-timewarp-attack")
			// The earliest acceptable time is what templates use.
			if min := c.minNextTime(last); min != int64(last.header.Timestamp)-MaxTimewarp {
				t.Errorf("minNextTime %d, want parent - %d", min, MaxTimewarp)
			}
		})
	}
	// Testnet: a window whose last block is a minimum-difficulty exception
	// retargets from the window's first bits, not from the exception's.
	tn := chaincfg.TestNetParams
	c, last := mk(tn, interval, 0x1d00ffff)
	last.header.Bits = tn.PowLimitBits
	got := c.nextRequiredBits(last, last.header.Timestamp+600)
	want := chaincfg.CompactToBig(0x1d00ffff)
	want.Mul(want, bigN(int64(600*(interval-1))))
	want.Div(want, bigN(int64(tn.TargetTimespan.Seconds())))
	if got != chaincfg.BigToCompact(want) {
		t.Errorf("testnet retarget after an exception: bits %08x, want %08x", got, chaincfg.BigToCompact(want))
	}
}

func TestBlockSanityHelpers(t *testing.T) {
	// CheckBlockSanity is usable on its own.
	g := newBlockGen()
	b := g.next(g.params.GenesisBlock, nil, 0)
	if err := CheckBlockSanity(b, g.params, BFNone); err != nil {
		t.Fatal(err)
	}
	b.Header.Nonce++
	for {
		h := b.Header.BlockHash()
		if chaincfg.HashToBig(&h).Cmp(chaincfg.CompactToBig(b.Header.Bits)) > 0 {
			break
		}
		b.Header.Nonce++
	}
	if err := CheckBlockSanity(b, g.params, BFNone); !errors.Is(err, ErrHighHash) {
		t.Fatalf("err = %v", err)
	}
	if err := CheckBlockSanity(b, g.params, BFNoPoWCheck); err != nil {
		t.Fatalf("BFNoPoWCheck: %v", err)
	}
}
