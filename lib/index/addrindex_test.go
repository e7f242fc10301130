package index

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

func newAllEnv(t *testing.T) *env {
	e := &env{t: t, dir: t.TempDir(), g: chaingen.New(chaincfg.RegTestParams), outs: map[wire.OutPoint][]byte{}, all: true}
	e.open(true)
	return e
}

// chained gives a block whose spending transaction (position 1) two
// more transactions spending within the block: the first splits its
// output into a P2WSH and a bare OP_TRUE output, the second spends the
// P2WSH one to P2SH with an OP_RETURN output beside it (not indexed).
func (e *env) chained(b *wire.MsgBlock) {
	if len(b.Transactions) < 2 {
		return
	}
	t1 := b.Transactions[1]
	s1 := chaingen.SpendableOutFromTx(t1, 0, -1)
	t2 := e.g.SpendTx([]chaingen.SpendableOut{s1}, []*wire.TxOut{
		{Value: s1.Amount / 2, PkScript: chaingen.OpTrueP2WSH},
		{Value: s1.Amount - s1.Amount/2, PkScript: chaingen.OpTrueScript}})
	s2 := chaingen.SpendableOutFromTx(t2, 0, -1)
	t3 := e.g.SpendTx([]chaingen.SpendableOut{s2}, []*wire.TxOut{
		{Value: s2.Amount, PkScript: chaingen.OpTrueP2SH}, {PkScript: []byte{0x6a, 0x01, 0x02}}})
	b.Transactions = append(b.Transactions, t2, t3)
}

// nextChained is next with chained transactions.
func (e *env) nextChained(name string) *wire.MsgBlock {
	var spend *chaingen.SpendableOut
	if e.g.NextHeight() > 101 {
		if s, ok := e.g.TryOldestCoinbaseOut(); ok {
			spend = &s
		}
	}
	return e.g.NextBlock(name, spend, unique(name), e.chained)
}

func (e *env) buildChained(prefix string, n int) {
	for i := range n {
		e.process(e.nextChained(fmt.Sprintf("%s%d", prefix, i)))
	}
}

// scriptModel is what the address index should hold for one script,
// computed by the test from the active chain's blocks.
type scriptModel struct {
	pk    []byte
	hist  []AddrTx
	utxos map[wire.OutPoint]AddrUTXO
	sum   AddrSummary
}

// model walks the active chain and computes every script's history,
// unspent outputs and totals, and every transaction's place.
func (e *env) model() (map[[scriptKeyLen]byte]*scriptModel, map[chainhash.Hash]TxLocation) {
	t := e.t
	t.Helper()
	type coin struct {
		pk     []byte
		amount int64
		height int32
		cb     bool
	}
	coins := map[wire.OutPoint]coin{}
	m := map[[scriptKeyLen]byte]*scriptModel{}
	txs := map[chainhash.Hash]TxLocation{}
	get := func(pk []byte) *scriptModel {
		k := ScriptKey(pk)
		if m[k] == nil {
			m[k] = &scriptModel{pk: pk, utxos: map[wire.OutPoint]AddrUTXO{}}
		}
		return m[k]
	}
	for h := int32(0); h <= e.c.Best().Height; h++ {
		hash := mustHash(e.c, h)
		blk, err := e.c.BlockByHash(hash)
		if err != nil {
			t.Fatal(err)
		}
		for pos, tx := range blk.Transactions {
			id := tx.TxHash()
			txs[id] = TxLocation{Block: hash, Height: h, Position: uint32(pos)}
			line := map[*scriptModel]*AddrTx{}
			var order []*scriptModel
			touch := func(sm *scriptModel) *AddrTx {
				if line[sm] == nil {
					line[sm] = &AddrTx{Txid: id, Block: hash, Height: h, Position: uint32(pos)}
					order = append(order, sm)
				}
				return line[sm]
			}
			if pos > 0 {
				for _, in := range tx.TxIn {
					c, ok := coins[in.PreviousOutPoint]
					if !ok {
						t.Fatalf("block %d spends unknown %v", h, in.PreviousOutPoint)
					}
					delete(coins, in.PreviousOutPoint)
					if !indexed(c.pk) {
						continue
					}
					sm := get(c.pk)
					touch(sm).Sent += c.amount
					delete(sm.utxos, in.PreviousOutPoint)
				}
			}
			for i, o := range tx.TxOut {
				op := wire.OutPoint{Hash: id, Index: uint32(i)}
				coins[op] = coin{o.PkScript, o.Value, h, pos == 0}
				if !indexed(o.PkScript) {
					continue
				}
				sm := get(o.PkScript)
				touch(sm).Received += o.Value
				sm.utxos[op] = AddrUTXO{OutPoint: op, Height: h, Amount: o.Value, Coinbase: pos == 0}
			}
			for _, sm := range order {
				l := line[sm]
				sm.hist = append(sm.hist, *l)
				sm.sum.Txs++
				sm.sum.Received += l.Received
				sm.sum.Sent += l.Sent
			}
		}
	}
	for _, sm := range m {
		sm.sum.UTXOs = int64(len(sm.utxos))
	}
	return m, txs
}

// keyCount is the number of keys in bucket b.
func (e *env) keyCount(b []byte) int {
	n := 0
	if err := e.db.View(func(tx *store.Tx) error { n = tx.Bucket(b).Stats().KeyN; return nil }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// checkAll compares the transaction and address indexes with the model
// of the active chain: every record expected, and no other.
func (e *env) checkAll() {
	t := e.t
	t.Helper()
	m, txs := e.model()
	best := e.c.Best()
	nHist, nUtxo := 0, 0
	for _, sm := range m {
		got, tip, err := e.ai.Txs(sm.pk, nil, 0, false)
		if err != nil || tip.Height != best.Height || tip.Hash != best.Hash {
			t.Fatalf("txs of %x: tip %+v, %v", sm.pk, tip, err)
		}
		if !slices.EqualFunc(got, sm.hist, sameLine) {
			t.Fatalf("history of %x:\n got %+v\nwant %+v", sm.pk, got, sm.hist)
		}
		us, _, err := e.ai.UTXOs(sm.pk, nil, 0)
		if err != nil || len(us) != len(sm.utxos) {
			t.Fatalf("utxos of %x: %d, want %d (%v)", sm.pk, len(us), len(sm.utxos), err)
		}
		for _, u := range us {
			want := sm.utxos[u.OutPoint]
			if u.OutPoint != want.OutPoint || u.Height != want.Height || u.Amount != want.Amount || u.Coinbase != want.Coinbase {
				t.Fatalf("utxo of %x: %+v, want %+v", sm.pk, u, want)
			}
		}
		sum, _, err := e.ai.Summary(sm.pk)
		if err != nil || sum != sm.sum {
			t.Fatalf("totals of %x: %+v, want %+v (%v)", sm.pk, sum, sm.sum, err)
		}
		nHist += len(sm.hist)
		nUtxo += len(sm.utxos)
	}
	if got := e.keyCount(bucketAddrHist); got != nHist {
		t.Fatalf("%d history records, want %d", got, nHist)
	}
	if got := e.keyCount(bucketAddrUtxo); got != nUtxo {
		t.Fatalf("%d utxo records, want %d", got, nUtxo)
	}
	if got := e.keyCount(bucketAddrSum); got != len(m) {
		t.Fatalf("%d totals records, want %d", got, len(m))
	}
	for id, want := range txs {
		got, ok, err := e.ti.Locate(id)
		if err != nil || !ok || got != want {
			t.Fatalf("tx %v: %+v %v %v, want %+v", id, got, ok, err, want)
		}
	}
	if got := e.keyCount(bucketTxs); got != len(txs) {
		t.Fatalf("%d tx records, want %d", got, len(txs))
	}
}

func sameLine(a, b AddrTx) bool {
	return a.Txid == b.Txid && a.Block == b.Block && a.Height == b.Height && a.Position == b.Position &&
		a.Received == b.Received && a.Sent == b.Sent
}

// dump is every record of the transaction and address indexes.
func (e *env) dump() map[string]string {
	out := map[string]string{}
	err := e.db.View(func(tx *store.Tx) error {
		for _, b := range append([][]byte{bucketTxs}, addrBuckets...) {
			if err := tx.Bucket(b).ForEach(func(k, v []byte) error {
				out[string(b)+"/"+string(k)] = string(v)
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestAddrIndexFollowsChain: the transaction and address indexes follow
// blocks connected, a reorganisation and an invalidation, record for
// record as the test computes them from the active chain's blocks
// (outputs created and spent within a block, OP_RETURN outputs left
// out); and what a reorganisation leaves equals a fresh rebuild byte for
// byte.
func TestAddrIndexFollowsChain(t *testing.T) {
	e := newAllEnv(t)
	e.catchUp()
	e.buildChained("a", 106)
	e.checkAll()
	old := e.g.Tip()
	e.g.SetTip("a102")
	var fork []*wire.MsgBlock
	for i := range 5 {
		fork = append(fork, e.nextChained(fmt.Sprintf("b%d", i)))
	}
	e.process(fork...)
	if e.c.Best().Hash != fork[4].BlockHash() {
		t.Fatal("no reorganisation")
	}
	e.checkAll()
	if _, ok, err := e.ti.Locate(old.Transactions[2].TxHash()); ok || err != nil {
		t.Fatalf("a transaction of the old branch still indexed: %v %v", ok, err)
	}
	if err := e.c.InvalidateBlock(fork[3].BlockHash()); err != nil {
		t.Fatal(err)
	}
	e.checkAll()
	reorged := e.dump()
	if err := Reset(e.db, e.ti, e.ai); err != nil {
		t.Fatal(err)
	}
	if len(e.dump()) != 0 {
		t.Fatal("Reset left records")
	}
	e.catchUp()
	rebuilt := e.dump()
	if len(rebuilt) != len(reorged) {
		t.Fatalf("rebuilt %d records, the reorganised index %d", len(rebuilt), len(reorged))
	}
	for k, v := range rebuilt {
		if reorged[k] != v {
			t.Fatalf("record %x: rebuilt %x, reorganised %x", k, v, reorged[k])
		}
	}
	e.checkAll()
}

// TestAddrIndexPages: history pages in both orders and UTXO pages join
// up to the whole list, each starting after its cursor.
func TestAddrIndexPages(t *testing.T) {
	e := newAllEnv(t)
	e.catchUp()
	e.buildChained("a", 110)
	pk := chaingen.OpTrueP2SH
	all, _, err := e.ai.Txs(pk, nil, 0, false)
	if err != nil || len(all) < 100 {
		t.Fatalf("%d lines, %v", len(all), err)
	}
	for _, desc := range []bool{false, true} {
		var got []AddrTx
		var after []byte
		for {
			page, _, err := e.ai.Txs(pk, after, 7, desc)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if len(page) < 7 {
				break
			}
			after = page[len(page)-1].Cursor
		}
		want := slices.Clone(all)
		if desc {
			slices.Reverse(want)
		}
		if !slices.EqualFunc(got, want, func(a, b AddrTx) bool { return a.Txid == b.Txid && a.Position == b.Position }) {
			t.Fatalf("desc=%v: pages give %d lines, want %d", desc, len(got), len(want))
		}
	}
	us, _, _ := e.ai.UTXOs(pk, nil, 0)
	var paged []AddrUTXO
	var after []byte
	for {
		page, _, err := e.ai.UTXOs(pk, after, 5)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page...)
		if len(page) < 5 {
			break
		}
		after = page[len(page)-1].Cursor
	}
	if len(paged) != len(us) || len(us) == 0 {
		t.Fatalf("utxo pages give %d, want %d", len(paged), len(us))
	}
	for i := range us {
		if paged[i].OutPoint != us[i].OutPoint {
			t.Fatalf("utxo %d: %v, want %v", i, paged[i].OutPoint, us[i].OutPoint)
		}
	}
	// A script nobody paid: empty answers, zero totals.
	if l, _, err := e.ai.Txs([]byte{0x51, 0x51}, nil, 10, true); err != nil || len(l) != 0 {
		t.Fatalf("unknown script: %v %v", l, err)
	}
	if s, tip, err := e.ai.Summary([]byte{0x51, 0x51}); err != nil || s != (AddrSummary{}) || tip.Height != e.c.Best().Height {
		t.Fatalf("unknown script: %+v %+v %v", s, tip, err)
	}
}

// TestAddrIndexErrors: cursors of the wrong length are refused; a block
// whose spent outputs do not match its inputs is refused as corrupt,
// not indexed halfway.
func TestAddrIndexErrors(t *testing.T) {
	e := newAllEnv(t)
	e.catchUp()
	e.buildChained("a", 103)
	pk := chaingen.OpTrueP2SH
	for _, c := range [][]byte{{}, make([]byte, AddrTxCursorLen-1), make([]byte, AddrTxCursorLen+1)} {
		if _, _, err := e.ai.Txs(pk, c, 10, false); !errors.Is(err, ErrBadCursor) {
			t.Errorf("history cursor of %d bytes: %v", len(c), err)
		}
	}
	if _, _, err := e.ai.UTXOs(pk, make([]byte, AddrTxCursorLen), 10); !errors.Is(err, ErrBadCursor) {
		t.Errorf("a history cursor for utxos: %v", err)
	}
	tip := e.c.Best()
	blk, err := e.c.BlockByHash(tip.Hash)
	if err != nil {
		t.Fatal(err)
	}
	spent, err := e.c.SpentOutputs(tip.Hash)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string][]*chain.UtxoEntry{"one short": spent[1:], "one over": append(slices.Clone(spent), spent[0])} {
		b := &Block{Block: blk, Hash: tip.Hash, Height: tip.Height, Spent: s}
		before := e.dump()
		err := e.db.Update(func(tx *store.Tx) error {
			if err := e.ai.Disconnect(tx, b); err != nil {
				return err
			}
			return errors.New("rolled back")
		})
		if !errors.Is(err, errCorrupt) {
			t.Errorf("disconnect, spent %s: %v", name, err)
		}
		if after := e.dump(); len(after) != len(before) {
			t.Errorf("disconnect, spent %s: records changed", name)
		}
		err = e.db.Update(func(tx *store.Tx) error { return e.ai.Connect(tx, b) })
		if !errors.Is(err, errCorrupt) {
			t.Errorf("connect, spent %s: %v", name, err)
		}
	}
	if !bytes.Equal(prefixEnd([]byte{1, 0xff}), []byte{2}) || prefixEnd([]byte{0xff}) != nil {
		t.Error("prefixEnd")
	}
}
