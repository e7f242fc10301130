package mempool

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

type oneKey struct{ k *btcec.PrivateKey }

func (o oneKey) GetKey(h []byte) (*btcec.PrivateKey, bool, bool) {
	return o.k, true, bytes.Equal(h, script.Hash160(o.k.PubKey().SerializeCompressed()))
}

type bookFixture struct {
	a, b   *btcec.PrivateKey
	utxo   map[wire.OutPoint]*wire.TxOut
	tip    int32
	book   *Book
	events []string
}

func newBookFixture(t *testing.T, path string) *bookFixture {
	f := &bookFixture{a: keyN(1), b: keyN(2), utxo: map[wire.OutPoint]*wire.TxOut{}, tip: 10}
	f.book = NewBook(BookConfig{Params: chaincfg.RegTestParams, Path: path, Tip: func() int32 { return f.tip },
		PrevOut: func(op wire.OutPoint) (*wire.TxOut, bool) { o, ok := f.utxo[op]; return o, ok }})
	f.book.Listen(func(e BookEvent) { f.events = append(f.events, e.Kind) })
	return f
}

func keyN(n byte) *btcec.PrivateKey {
	var b [32]byte
	b[31] = n
	k, _ := btcec.PrivKeyFromBytes(b[:])
	return k
}

// offer builds A's offer: nonce n, one coin of A's (index n) staked.
func (f *bookFixture) offer(t *testing.T, n uint64, expiry uint32) *Offer {
	t.Helper()
	apk := f.a.PubKey().SerializeCompressed()
	terms := game.Terms{AKey: apk, BKey: f.b.PubKey().SerializeCompressed(), AGold: 100_000_000, Expiry: expiry, Nonce: n,
		Hash: bytes.Repeat([]byte{7}, 32)}
	rec := &game.ContractFulfil{Terms: terms, AChangeScript: game.P2WPKHOf(apk), AChangeValue: 50_000_000}
	outs, err := game.FulfilOutputs(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	op := wire.OutPoint{Index: uint32(n)}
	op.Hash[0] = 1
	f.utxo[op] = &wire.TxOut{Value: 150_010_000, PkScript: game.P2WPKHOf(apk)}
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: op, Sequence: wire.MaxTxInSequenceNum})
	tx.TxOut = outs
	if ok, err := script.SignInput(tx, 0, f.utxo[op].PkScript, f.utxo[op].Value, script.SigHashAll|script.SigHashAnyoneCanPay,
		oneKey{f.a}, nil, nil); err != nil || !ok {
		t.Fatal(ok, err)
	}
	id, _ := game.ContractID(&terms)
	return &Offer{ID: id, Terms: terms, ASig: ecdsa.Sign(f.a, id[:]).Serialize(), Tx: tx}
}

func TestBookLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contracts.dat")
	f := newBookFixture(t, path)
	o := f.offer(t, 1, 50)
	if err := f.book.Submit(o); err != nil {
		t.Fatal(err)
	}
	if err := f.book.Submit(f.offer(t, 1, 50)); !errors.Is(err, ErrOfferDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	// Tampered: the amount in the record differs from A's signed outputs.
	bad := f.offer(t, 2, 50)
	bad.Tx.TxOut[1].Value++
	if err := f.book.Submit(bad); !errors.Is(err, ErrOfferInvalid) && !errors.Is(err, ErrOfferBadSig) {
		t.Fatalf("tampered: %v", err)
	}
	// Wrong sighash: signed ALL.
	all := f.offer(t, 3, 50)
	all.Tx.TxIn[0].Witness = nil
	po := f.utxo[all.Tx.TxIn[0].PreviousOutPoint]
	script.SignInput(all.Tx, 0, po.PkScript, po.Value, script.SigHashAll, oneKey{f.a}, nil, nil)
	if err := f.book.Submit(all); !errors.Is(err, ErrOfferBadSig) {
		t.Fatalf("SIGHASH_ALL: %v", err)
	}
	// Spent input.
	spent := f.offer(t, 4, 50)
	delete(f.utxo, spent.Tx.TxIn[0].PreviousOutPoint)
	if err := f.book.Submit(spent); !errors.Is(err, ErrOfferInvalid) {
		t.Fatalf("spent input: %v", err)
	}
	// Expiry too near.
	if err := f.book.Submit(f.offer(t, 5, 11)); !errors.Is(err, ErrOfferInvalid) {
		t.Fatalf("near expiry: %v", err)
	}
	// B signs; a bad signature and a second signature are refused.
	if _, err := f.book.Sign(o.ID, ecdsa.Sign(f.a, o.ID[:]).Serialize()); !errors.Is(err, ErrOfferBadSig) {
		t.Fatalf("A signing as B: %v", err)
	}
	if _, err := f.book.Sign(o.ID, ecdsa.Sign(f.b, o.ID[:]).Serialize()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.book.Sign(o.ID, ecdsa.Sign(f.b, o.ID[:]).Serialize()); !errors.Is(err, ErrOfferState) {
		t.Fatalf("second sign: %v", err)
	}
	o2 := f.offer(t, 6, 40)
	if err := f.book.Submit(o2); err != nil {
		t.Fatal(err)
	}
	if l, total := f.book.List(BookQuery{State: OfferSigned}); total != 1 || l[0].ID != o.ID {
		t.Fatalf("signed list %d", total)
	}
	if l, total := f.book.List(BookQuery{Key: f.b.PubKey().SerializeCompressed(), Offset: 1, Limit: 1}); total != 2 || len(l) != 1 {
		t.Fatalf("paged list %d %d", total, len(l))
	}

	// Restart: both offers come back, states kept.
	f2 := newBookFixture(t, path)
	f2.utxo = f.utxo
	if kept, dropped, err := f2.book.Load(); err != nil || kept != 2 || dropped != 0 {
		t.Fatalf("load %d %d %v", kept, dropped, err)
	}
	if g := f2.book.Get(o.ID); g == nil || g.State != OfferSigned {
		t.Fatalf("after load %+v", g)
	}

	// Withdraw needs A's signature over "withdraw" ‖ id.
	if _, err := f2.book.Withdraw(o2.ID, ecdsa.Sign(f2.a, o2.ID[:]).Serialize()); !errors.Is(err, ErrOfferBadSig) {
		t.Fatalf("withdraw signed over the id: %v", err)
	}
	if _, err := f2.book.Withdraw(o2.ID, ecdsa.Sign(f2.a, WithdrawHash(o2.ID)).Serialize()); err != nil {
		t.Fatal(err)
	}
	// The fulfil transaction entering the pool removes the offer.
	full := o.Tx.Copy()
	f2.book.SawTx(full)
	if f2.book.Count() != 0 {
		t.Fatalf("offer left after its fulfil")
	}
	o3 := f2.offer(t, 7, 20)
	if err := f2.book.Submit(o3); err != nil {
		t.Fatal(err)
	}
	f2.book.Prune(18)
	if f2.book.Count() != 1 {
		t.Fatal("pruned early")
	}
	f2.book.Prune(19)
	if f2.book.Count() != 0 {
		t.Fatal("not pruned at expiry-1")
	}
	want := []string{"withdrawn", "fulfilled", "published", "expired"}
	if len(f2.events) != len(want) {
		t.Fatalf("events %v", f2.events)
	}
	for i := range want {
		if f2.events[i] != want[i] {
			t.Fatalf("events %v, want %v", f2.events, want)
		}
	}
}

// FuzzDecodeBook feeds arbitrary contracts.dat bodies (a valid checksum
// appended) to the decoder: it must not panic, and what it accepts must
// encode back to the same bytes.
func FuzzDecodeBook(f *testing.F) {
	net := chaincfg.RegTestParams.Net
	fx := &bookFixture{a: keyN(1), b: keyN(2), utxo: map[wire.OutPoint]*wire.TxOut{}}
	t := &testing.T{}
	o := fx.offer(t, 1, 50)
	o.Added = time.Unix(0, 99)
	good, _ := encodeBook(net, []*Offer{o})
	f.Add(good[:len(good)-sha256.Size])
	o.State, o.BSig = OfferSigned, ecdsa.Sign(fx.b, o.ID[:]).Serialize()
	signed, _ := encodeBook(net, []*Offer{o})
	f.Add(signed[:len(signed)-sha256.Size])
	empty, _ := encodeBook(net, nil)
	f.Add(empty[:bookHeaderSize])
	f.Fuzz(func(t *testing.T, body []byte) {
		sum := sha256.Sum256(body)
		b := append(append([]byte{}, body...), sum[:]...)
		offers, err := decodeBook(b, net)
		if err != nil {
			return
		}
		again, err := encodeBook(net, offers)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted file does not re-encode identically (%v)", err)
		}
	})
}
