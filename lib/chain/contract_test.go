package chain

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// contractEnv is a gameEnv with parties A and B: A owns props pa (two),
// B owns prop pb, and both have plain P2WPKH coins.
type contractEnv struct {
	*gameEnv
	a, b   *chaingen.Key
	pa     []game.ID
	paOut  []chaingen.SpendableOut
	pb     game.ID
	pbOut  chaingen.SpendableOut
	secret []byte
	hash   [32]byte
	nonce  uint64
}

func newContractEnv(t *testing.T) *contractEnv {
	e := &contractEnv{gameEnv: newGameEnv(t), a: chaingen.NewKey("party A"), b: chaingen.NewKey("party B"),
		secret: []byte("open sesame, thirty-two bytes...")}
	e.hash = sha256.Sum256(e.secret)
	owner := chaingen.NewKey("producer owner")
	reg, pid := e.register("Acme", owner)
	e.mine(reg)
	cr := e.create(gout(reg, 1), owner, pid, e.a, 20_000, 30_000, 40_000)
	e.mine(cr)
	ids := []game.ID{game.PropID(cr.TxHash(), 2), game.PropID(cr.TxHash(), 3), game.PropID(cr.TxHash(), 4)}
	// Prop 4 goes to B.
	snd := e.send(e.a, e.b, []chaingen.SpendableOut{gout(cr, 4)}, ids[2:])
	e.mine(snd)
	e.pa, e.paOut = ids[:2], []chaingen.SpendableOut{gout(cr, 2), gout(cr, 3)}
	e.pb, e.pbOut = ids[2], gout(snd, 1)
	return e
}

// fund pays v to key's P2WPKH from a coinbase output, mined.
func (e *contractEnv) fund(key *chaingen.Key, v int64) chaingen.SpendableOut {
	c := e.coin()
	tx := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: c}}, []*wire.TxOut{{Value: v, PkScript: key.P2WPKH()}, change(c.Amount - v - 1000)})
	e.mine(tx)
	return gout(tx, 0)
}

func (e *contractEnv) terms(aGold uint64, aProps []game.ID, bGold uint64, bProps []game.ID, hashed bool, expiry int32) *game.Terms {
	e.nonce++
	t := &game.Terms{AKey: e.a.PubKey, BKey: e.b.PubKey, AGold: aGold, AProps: aProps, BGold: bGold, BProps: bProps,
		Memo: "test", Expiry: uint32(expiry), Nonce: e.nonce}
	if hashed {
		t.Hash = e.hash[:]
	}
	game.CanonicalizeTerms(t)
	return t
}

// fulfilTx builds a fulfil of t: A's inputs (aCoin for the gold and the
// fee, A's props) signed ALL|ANYONECANPAY, B's inputs (a coinbase output
// and B's props) signed ALL. mod may change the outputs before signing.
func (e *contractEnv) fulfilTx(t *game.Terms, aCoin chaingen.SpendableOut, aProps []chaingen.SpendableOut,
	bProps []chaingen.SpendableOut, mod func(r *game.ContractFulfil, outs []*wire.TxOut)) *wire.MsgTx {
	e.t.Helper()
	r := &game.ContractFulfil{Terms: *t, AChangeScript: e.a.P2WPKH(), AChangeValue: uint64(aCoin.Amount) - t.AGold - 1000}
	if t.BGold > 0 || len(t.BProps) > 0 {
		r.AReceiveScript = e.a.P2WPKH()
	}
	outs, err := game.FulfilOutputs(r, func(id game.ID) (int64, error) {
		p, err := e.tc.Prop(id)
		if err != nil || p == nil {
			return 0, errors.New("no prop")
		}
		return p.Gold, nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	bCoin := e.coin()
	outs = append(outs, change(bCoin.Amount-int64(t.BGold)-1000))
	if mod != nil {
		mod(r, outs)
	}
	acp := script.SigHashAll | script.SigHashAnyoneCanPay
	ins := []chaingen.SignedIn{{Out: aCoin, Key: e.a, HashType: acp}}
	for _, p := range aProps {
		ins = append(ins, chaingen.SignedIn{Out: p, Key: e.a, HashType: acp})
	}
	ins = append(ins, chaingen.SignedIn{Out: bCoin})
	for _, p := range bProps {
		ins = append(ins, chaingen.SignedIn{Out: p, Key: e.b})
	}
	return e.g.CreateSignedTx(ins, outs)
}

type escrowSigner func(t *game.Terms, s []byte) func(tx *wire.MsgTx, idx int, h *script.SigHashes) wire.TxWitness

func (e *contractEnv) claim(secret []byte) escrowSigner {
	return func(t *game.Terms, s []byte) func(*wire.MsgTx, int, *script.SigHashes) wire.TxWitness {
		return func(tx *wire.MsgTx, idx int, h *script.SigHashes) wire.TxWitness {
			w, err := game.ClaimWitness(t, e.b.WitnessScriptSignature(tx, idx, s, e.escrowValue(tx, idx), 0, h), secret)
			if err != nil {
				e.t.Fatal(err)
			}
			return w
		}
	}
}

func (e *contractEnv) refund(t *game.Terms, s []byte) func(*wire.MsgTx, int, *script.SigHashes) wire.TxWitness {
	return func(tx *wire.MsgTx, idx int, h *script.SigHashes) wire.TxWitness {
		w, _ := game.RefundWitness(t, e.a.WitnessScriptSignature(tx, idx, s, e.escrowValue(tx, idx), 0, h))
		return w
	}
}

func (e *contractEnv) coop(t *game.Terms, s []byte) func(*wire.MsgTx, int, *script.SigHashes) wire.TxWitness {
	return func(tx *wire.MsgTx, idx int, h *script.SigHashes) wire.TxWitness {
		v := e.escrowValue(tx, idx)
		w, _ := game.CoopWitness(t, e.a.WitnessScriptSignature(tx, idx, s, v, 0, h), e.b.WitnessScriptSignature(tx, idx, s, v, 0, h))
		return w
	}
}

// escrowValue is the value of the output input idx of tx spends (0 when
// it is spent already: the signature is then moot).
func (e *contractEnv) escrowValue(tx *wire.MsgTx, idx int) int64 {
	ent, err := e.tc.FetchUtxoEntry(tx.TxIn[idx].PreviousOutPoint)
	if err != nil {
		e.t.Fatalf("escrow input %d: %v", idx, err)
	}
	if ent == nil {
		return 0
	}
	return ent.Amount
}

// executeTx spends the escrow outputs of fulfil (the first n after the
// record) with the signer's witness, recording path and moving every
// escrowed prop to `to`; the GG goes to `to` less a fee.
func (e *contractEnv) executeTx(t *game.Terms, fulfil *wire.MsgTx, n int, path game.ContractPath, sign escrowSigner,
	lockTime uint32, nonFinal bool, to *chaingen.Key) *wire.MsgTx {
	id, _ := game.ContractID(t)
	s, _ := game.EscrowScript(t)
	r := &game.ContractExecute{Contract: id, Path: path}
	outs := []*wire.TxOut{nil}
	var ins []chaingen.SignedIn
	gg := int64(0)
	for i := 1; i <= n; i++ {
		o := gout(fulfil, uint32(i))
		ins = append(ins, chaingen.SignedIn{Out: o, Witness: sign(t, s), NonFinal: nonFinal})
		if ent, _ := e.tc.FetchUtxoEntry(o.PrevOut); ent != nil {
			if obj, _ := game.DecodeObject(ent.Game); obj.Kind == game.KindProp {
				r.Moves = append(r.Moves, game.PropMove{Prop: obj.ID, Out: uint32(len(outs))})
				outs = append(outs, &wire.TxOut{Value: o.Amount, PkScript: to.P2WPKH()})
				continue
			}
		}
		gg += o.Amount
	}
	outs[0] = recOut(e.t, r)
	if gg > 0 {
		outs = append(outs, &wire.TxOut{Value: gg - 1000, PkScript: to.P2WPKH()})
	} else {
		c := e.coin()
		ins = append(ins, chaingen.SignedIn{Out: c})
		outs = append(outs, change(c.Amount-1000))
	}
	return e.g.CreateSignedTxLocked(lockTime, ins, outs)
}

func (e *contractEnv) contract(t *game.Terms) *game.Contract {
	e.t.Helper()
	id, _ := game.ContractID(t)
	c, err := e.tc.Contract(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestContractFulfil(t *testing.T) {
	e := newContractEnv(t)
	aCoin := e.fund(e.a, 200_000)
	expiry := e.height() + 20

	// Escrow mode: A stakes 50,000 dust and prop pa[0]; hash lock; B
	// gives prop pb on chain.
	tm := e.terms(50_000, e.pa[:1], 0, []game.ID{e.pb}, true, expiry)
	escrowPk, _ := game.EscrowPkScript(tm)
	good := e.fulfilTx(tm, aCoin, e.paOut[:1], []chaingen.SpendableOut{e.pbOut}, nil)

	// Tampered fulfilments, each re-signed by both parties so only the
	// game rules can object.
	tamper := func(f func(outs []*wire.TxOut)) *wire.MsgTx {
		return e.fulfilTx(tm, aCoin, e.paOut[:1], []chaingen.SpendableOut{e.pbOut}, func(_ *game.ContractFulfil, outs []*wire.TxOut) { f(outs) })
	}
	other := func(f func(*game.Terms)) []byte {
		o := *tm
		f(&o)
		pk, _ := game.EscrowPkScript(&o)
		return pk
	}
	e.refuse(game.CodeBadFulfil, tamper(func(outs []*wire.TxOut) { outs[1].Value-- }))
	e.refuse(game.CodeBadFulfil, tamper(func(outs []*wire.TxOut) { outs[1].Value++ }))
	e.refuse(game.CodeBadFulfil, tamper(func(outs []*wire.TxOut) { outs[1].PkScript = other(func(t *game.Terms) { t.Expiry++ }) }))
	e.refuse(game.CodeBadFulfil, tamper(func(outs []*wire.TxOut) {
		outs[1].PkScript = other(func(t *game.Terms) { t.Hash = bytes.Repeat([]byte{1}, 32) })
	}))
	e.refuse(game.CodeBadFulfil, tamper(func(outs []*wire.TxOut) {
		outs[1].PkScript = other(func(t *game.Terms) { t.BKey = e.a.PubKey; t.AKey = e.b.PubKey })
	}))
	e.refuse(game.CodeBadFulfil, tamper(func(outs []*wire.TxOut) { outs[2].PkScript = e.b.P2WPKH() }))    // A's prop not escrowed
	e.refuse(game.CodeGoldChanged, tamper(func(outs []*wire.TxOut) { outs[4].Value--; outs[5].Value++ })) // B's prop gold
	// The record's terms changed after A signed (B lowers the stake in
	// the record and the escrow): A's ALL|ANYONECANPAY signature breaks.
	changed := good.Copy()
	low := *tm
	low.AGold = 40_000
	lowPk, _ := game.EscrowPkScript(&low)
	changed.TxOut[0] = recOut(t, &game.ContractFulfil{Terms: low, AChangeScript: e.a.P2WPKH(), AChangeValue: uint64(aCoin.Amount) - 51_000,
		AReceiveScript: e.a.P2WPKH()})
	changed.TxOut[1] = &wire.TxOut{Value: 40_000, PkScript: lowPk}
	changed.TxOut[5].Value += 10_000 // B keeps the difference
	e.refuseKind(ErrScriptValidation, changed)
	// Only the memo changed (same escrow script): the signature still
	// breaks.
	memo := good.Copy()
	m := *tm
	m.Memo = "deliver nothing"
	memo.TxOut[0] = recOut(t, &game.ContractFulfil{Terms: m, AChangeScript: e.a.P2WPKH(), AChangeValue: uint64(aCoin.Amount) - 51_000,
		AReceiveScript: e.a.P2WPKH()})
	e.refuseKind(ErrScriptValidation, memo)

	e.mine(good)
	c := e.contract(tm)
	id, _ := game.ContractID(tm)
	txid := good.TxHash()
	if c == nil || c.State != game.ContractFulfilled || c.FulfilTxid != txid || c.Height != e.height()-1 ||
		len(c.Escrow) != 2 || c.Escrow[0] != (wire.OutPoint{Hash: txid, Index: 1}) || c.Escrow[1] != (wire.OutPoint{Hash: txid, Index: 2}) {
		t.Fatalf("contract %+v", c)
	}
	if ent, _ := e.tc.FetchUtxoEntry(c.Escrow[0]); ent == nil || !bytes.Equal(ent.Game, game.Object{Kind: game.KindContract, ID: id}.Bytes()) {
		t.Fatalf("escrow annotation %+v", ent)
	}
	p, _ := e.tc.Prop(e.pa[0])
	if p.Status != game.PropEscrow || p.Contract != id || !bytes.Equal(p.Owner, escrowPk) {
		t.Fatalf("escrowed prop %+v", p)
	}
	if p, _ := e.tc.Prop(e.pb); p.Status != game.PropLive || !bytes.Equal(p.Owner, e.a.P2WPKH()) {
		t.Fatalf("B's prop %+v", p)
	}
	if got, _ := e.tc.PropsByOwner(e.a.P2WPKH()); len(got) != 2 { // pa[1] and pb
		t.Fatalf("A's props %+v", got)
	}
	if h, _ := e.tc.PropHistory(id); len(h) != 1 || h[0].Op != game.TypeContractFulfil || h[0].Vout != 1 || h[0].Object.Kind != game.KindContract {
		t.Fatalf("contract history %+v", h)
	}

	// A second fulfil of the same terms (gold-only, so no prop is in
	// the way) with other coins.
	gold := e.terms(30_000, nil, 0, nil, true, expiry)
	e.mine(e.fulfilTx(gold, e.fund(e.a, 100_000), nil, nil, nil))
	e.refuse(game.CodeContractExists, e.fulfilTx(gold, e.fund(e.a, 100_000), nil, nil, nil))
	// Fulfil at the expiry height, and one block before it.
	coin := e.fund(e.a, 100_000)
	e.refuse(game.CodeContractExpired, e.fulfilTx(e.terms(30_000, nil, 0, nil, true, e.height()), coin, nil, nil, nil))
	e.mine(e.fulfilTx(e.terms(30_000, nil, 0, nil, true, e.height()+1), coin, nil, nil, nil))

	// Swap mode: A gives prop pa[1], B pays 70,000 dust; it settles at
	// once.
	sw := e.terms(0, e.pa[1:], 70_000, nil, false, e.height()+10)
	swTx := e.fulfilTx(sw, e.fund(e.a, 10_000), e.paOut[1:], nil, nil)
	if !bytes.Equal(swTx.TxOut[1].PkScript, game.P2WPKHOf(e.b.PubKey)) || swTx.TxOut[3].Value != 70_000 {
		t.Fatalf("swap outputs %v", swTx.TxOut)
	}
	// B underpays: refused.
	under := e.fulfilTx(sw, e.fund(e.a, 10_000), e.paOut[1:], nil, func(_ *game.ContractFulfil, outs []*wire.TxOut) { outs[3].Value-- })
	e.refuse(game.CodeBadFulfil, under)
	e.mine(swTx)
	if c := e.contract(sw); c == nil || c.State != game.ContractExchanged || len(c.Escrow) != 0 {
		t.Fatalf("swap contract %+v", c)
	}
	if p, _ := e.tc.Prop(e.pa[1]); p.Status != game.PropLive || !bytes.Equal(p.Owner, e.b.P2WPKH()) {
		t.Fatalf("swapped prop %+v", p)
	}
	// Listing.
	all, total, err := e.tc.Contracts(ContractQuery{})
	if err != nil || total != 4 || len(all) != 4 {
		t.Fatalf("Contracts = %d/%d %v", len(all), total, err)
	}
	if got, n, _ := e.tc.Contracts(ContractQuery{State: game.ContractExchanged}); n != 1 || got[0].ID != e.contract(sw).ID {
		t.Fatalf("exchanged contracts %+v", got)
	}
	if got, n, _ := e.tc.Contracts(ContractQuery{Key: e.b.PubKey, Offset: 1, Limit: 2}); n != 4 || len(got) != 2 {
		t.Fatalf("B's contracts page %d/%d", len(got), n)
	}
	if _, n, _ := e.tc.Contracts(ContractQuery{Key: chaingen.NewKey("nobody").PubKey}); n != 0 {
		t.Fatal("contracts of a stranger")
	}
}

func TestContractExecute(t *testing.T) {
	e := newContractEnv(t)
	expiry := e.height() + 12
	// Contract 1: A stakes 50,000 and pa[0], hash-locked.
	t1 := e.terms(50_000, e.pa[:1], 0, nil, true, expiry)
	f1 := e.fulfilTx(t1, e.fund(e.a, 100_000), e.paOut[:1], nil, nil)
	// Contract 2: A stakes 40,000 and pa[1], hash-locked (refunded).
	t2 := e.terms(40_000, e.pa[1:], 0, nil, true, expiry)
	f2 := e.fulfilTx(t2, e.fund(e.a, 100_000), e.paOut[1:], nil, nil)
	// Contract 3: gold only, without a hash lock (cooperative).
	t3 := e.terms(30_000, nil, 0, nil, false, expiry)
	f3 := e.fulfilTx(t3, e.fund(e.a, 100_000), nil, nil, nil)
	e.mine(f1, f2, f3)

	// The escrowed props cannot be sent, sold or destroyed, even with both
	// parties' signatures on the escrow.
	s2, _ := game.EscrowScript(t2)
	carrier := gout(f2, 2)
	coopIn := chaingen.SignedIn{Out: carrier, Witness: e.coop(t2, s2)}
	sendEsc := e.g.CreateSignedTx([]chaingen.SignedIn{coopIn}, []*wire.TxOut{
		recOut(t, &game.PropSend{Moves: []game.PropMove{{Prop: e.pa[1], Out: 1}}}), {Value: carrier.Amount, PkScript: e.b.P2WPKH()}})
	e.refuse(game.CodePropInEscrow, sendEsc)
	destroyEsc := e.g.CreateSignedTx([]chaingen.SignedIn{coopIn}, []*wire.TxOut{
		recOut(t, &game.PropDestroy{Props: []game.ID{e.pa[1]}}), {Value: carrier.Amount - 1000, PkScript: e.b.P2WPKH()}})
	e.refuse(game.CodePropInEscrow, destroyEsc)
	buyer := e.coin()
	saleEsc := e.g.CreateSignedTx([]chaingen.SignedIn{coopIn, {Out: buyer}}, []*wire.TxOut{
		recOut(t, &game.Sale{Prop: e.pa[1], BuyNow: 100_000, End: uint32(e.height())}), {Value: 100_000, PkScript: carrier.PkScript},
		{Value: carrier.Amount, PkScript: e.b.P2WPKH()}, change(buyer.Amount - 101_000)})
	e.refuse(game.CodePropInEscrow, saleEsc)
	// Spending the GG escrow without a record.
	s3, _ := game.EscrowScript(t3)
	noRec := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: gout(f3, 1), Witness: e.coop(t3, s3)}}, []*wire.TxOut{{Value: 29_000, PkScript: e.b.P2WPKH()}})
	e.refuse(game.CodeObjectNoRecord, noRec)

	// An execute leaving the prop carrier unspent.
	half := e.executeTx(t1, f1, 1, game.PathClaim, e.claim(e.secret), 0, false, e.b)
	e.refuse(game.CodeObjectNotCarried, half)
	// The record names a path the witnesses do not use.
	e.refuse(game.CodeEscrowPath, e.executeTx(t1, f1, 2, game.PathCoop, e.claim(e.secret), 0, false, e.b))
	e.refuse(game.CodeEscrowPath, e.executeTx(t1, f1, 2, game.PathClaim, func(t *game.Terms, s []byte) func(*wire.MsgTx, int, *script.SigHashes) wire.TxWitness {
		return e.coop(t, s)
	}, 0, false, e.b))
	// A wrong preimage passes the game layer but not the script.
	e.refuseKind(ErrScriptValidation, e.executeTx(t1, f1, 2, game.PathClaim, e.claim([]byte("guess")), 0, false, e.b))
	// Refund before expiry: the game rule, whatever the lock time. With
	// nLockTime 0, or with a high nLockTime and final sequences (the tx
	// is final, CHECKLOCKTIMEVERIFY would fail in the script), the game
	// rule fires first; with a non-final sequence the lock time itself
	// keeps the tx out of the block.
	refund := func(t *game.Terms, s []byte) func(*wire.MsgTx, int, *script.SigHashes) wire.TxWitness {
		return e.refund(t, s)
	}
	e.refuse(game.CodeContractNotExpired, e.executeTx(t2, f2, 2, game.PathRefund, refund, 0, true, e.a))
	e.refuse(game.CodeContractNotExpired, e.executeTx(t2, f2, 2, game.PathRefund, refund, uint32(expiry), false, e.a))
	e.refuseKind(ErrUnfinalizedTx, e.executeTx(t2, f2, 2, game.PathRefund, refund, uint32(expiry), true, e.a))

	// B claims contract 1 before expiry with the secret.
	regBefore := e.regHash()
	cl := e.executeTx(t1, f1, 2, game.PathClaim, e.claim(e.secret), 0, false, e.b)
	e.mine(cl)
	c1 := e.contract(t1)
	if c1.State != game.ContractExchanged || c1.Path != game.PathClaim || !bytes.Equal(c1.Preimage, e.secret) ||
		c1.SettleTxid != cl.TxHash() || c1.SettleHeight != e.height()-1 {
		t.Fatalf("claimed contract %+v", c1)
	}
	if p, _ := e.tc.Prop(e.pa[0]); p.Status != game.PropLive || !p.Contract.IsZero() || !bytes.Equal(p.Owner, e.b.P2WPKH()) {
		t.Fatalf("claimed prop %+v", p)
	}
	// The secret is on chain, in the claim's witness.
	blk, _ := e.tc.BlockByHash(e.tc.Best().Hash)
	if !bytes.Equal(blk.Transactions[1].TxIn[0].Witness[1], e.secret) {
		t.Fatal("preimage not in the mined witness")
	}
	// Settled: A's refund (or anything else) is impossible now.
	e.refuseKind(ErrMissingTxOut, e.executeTx(t1, f1, 2, game.PathRefund, refund, 0, false, e.a))
	if regBefore == e.regHash() {
		t.Fatal("registry unchanged by the claim")
	}

	// Cooperative settlement of contract 3 before expiry.
	coop := func(t *game.Terms, s []byte) func(*wire.MsgTx, int, *script.SigHashes) wire.TxWitness {
		return e.coop(t, s)
	}
	co := e.executeTx(t3, f3, 1, game.PathCoop, coop, 0, false, e.b)
	e.mine(co)
	if c3 := e.contract(t3); c3.State != game.ContractSettled || c3.Path != game.PathCoop || c3.Preimage != nil {
		t.Fatalf("cooperative contract %+v", c3)
	}

	// Up to the expiry: B's claim of contract 2 is refused from it on,
	// though the script would accept it.
	for e.height() < expiry {
		e.mine()
	}
	e.refuse(game.CodeContractExpired, e.executeTx(t2, f2, 2, game.PathClaim, e.claim(e.secret), 0, false, e.b))
	// At the expiry height the lock time expiry is not final yet.
	e.refuseKind(ErrUnfinalizedTx, e.executeTx(t2, f2, 2, game.PathRefund, refund, uint32(expiry), true, e.a))
	e.mine()
	e.refuse(game.CodeContractExpired, e.executeTx(t2, f2, 2, game.PathClaim, e.claim(e.secret), 0, false, e.b))
	// A refunds.
	rf := e.executeTx(t2, f2, 2, game.PathRefund, refund, uint32(expiry), true, e.a)
	e.mine(rf)
	c2 := e.contract(t2)
	if c2.State != game.ContractRefunded || c2.Path != game.PathRefund || c2.SettleTxid != rf.TxHash() {
		t.Fatalf("refunded contract %+v", c2)
	}
	if p, _ := e.tc.Prop(e.pa[1]); p.Status != game.PropLive || !bytes.Equal(p.Owner, e.a.P2WPKH()) {
		t.Fatalf("refunded prop %+v", p)
	}
	h, _ := e.tc.PropHistory(e.pa[1])
	if len(h) != 3 || h[1].Op != game.TypeContractFulfil || h[2].Op != game.TypeContractExecute {
		t.Fatalf("prop history %+v", h)
	}
	if h, _ := e.tc.PropHistory(c2.ID); len(h) != 2 || h[1].Op != game.TypeContractExecute || h[1].Vout != game.DestroyedVout {
		t.Fatalf("contract history %+v", h)
	}
}

// TestContractReorg disconnects fulfil and execute blocks one by one:
// each restores the registries byte for byte; reconnecting and a replay
// into a fresh chain give the same registries.
func TestContractReorg(t *testing.T) {
	e := newContractEnv(t)
	fundA := []chaingen.SpendableOut{e.fund(e.a, 100_000), e.fund(e.a, 100_000), e.fund(e.a, 100_000)}
	expiry := e.height() + 6
	type step struct{ hash, reg, utx chainhash.Hash }
	var steps []step
	record := func(txs ...*wire.MsgTx) {
		u, _ := e.tc.utxoHash(t)
		reg := e.regHash()
		blk := e.mine(txs...)
		steps = append(steps, step{blk.BlockHash(), reg, u})
	}
	t1 := e.terms(50_000, e.pa[:1], 0, []game.ID{e.pb}, true, expiry)
	f1 := e.fulfilTx(t1, fundA[0], e.paOut[:1], []chaingen.SpendableOut{e.pbOut}, nil)
	t2 := e.terms(0, e.pa[1:], 0, nil, false, expiry)
	f2 := e.fulfilTx(t2, fundA[1], e.paOut[1:], nil, nil)
	t3 := e.terms(0, nil, 0, nil, false, expiry)
	t3.AGold = 20_000
	t3.BGold = 30_000 // a swap
	f3 := e.fulfilTx(t3, fundA[2], nil, nil, nil)
	record(f1, f2)
	record(f3)
	cl := e.executeTx(t1, f1, 2, game.PathClaim, e.claim(e.secret), 0, false, e.b)
	record(cl)
	for e.height() <= expiry {
		record()
	}
	refund := func(t *game.Terms, s []byte) func(*wire.MsgTx, int, *script.SigHashes) wire.TxWitness {
		return e.refund(t, s)
	}
	rf := e.executeTx(t2, f2, 1, game.PathRefund, refund, uint32(expiry), true, e.a)
	record(rf)
	final := e.regHash()
	if c := e.contract(t2); c.State != game.ContractRefunded {
		t.Fatalf("contract 2 %+v", c)
	}
	for i := len(steps) - 1; i >= 0; i-- {
		e.tc.disconnectTip(t)
		if got := e.regHash(); got != steps[i].reg {
			t.Fatalf("disconnecting block %d: registry hash differs", i)
		}
		if got, _ := e.tc.utxoHash(t); got != steps[i].utx {
			t.Fatalf("disconnecting block %d: utxo hash differs", i)
		}
		if i == len(steps)-1 {
			if c := e.contract(t2); c == nil || c.State != game.ContractFulfilled || c.Path != 0 {
				t.Fatalf("after disconnecting the refund, contract 2 is %+v", c)
			}
			if p, _ := e.tc.Prop(e.pa[1]); p.Status != game.PropEscrow {
				t.Fatalf("after disconnecting the refund, prop %+v", p)
			}
		}
	}
	for _, tm := range []*game.Terms{t1, t2, t3} {
		if c := e.contract(tm); c != nil {
			t.Fatalf("contract survived the disconnection of its fulfil: %+v", c)
		}
	}
	if p, _ := e.tc.Prop(e.pa[0]); p.Status != game.PropLive || !bytes.Equal(p.Owner, e.a.P2WPKH()) {
		t.Fatalf("prop after disconnecting everything %+v", p)
	}
	for _, s := range steps {
		e.tc.reconnect(t, s.hash)
	}
	if e.regHash() != final {
		t.Fatal("registry hash after reconnecting differs")
	}
	if err := e.tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	// A fresh chain fed the same blocks has the same registries.
	fresh := openChain(t)
	for h := int32(1); h <= e.tc.Best().Height; h++ {
		hash, _ := e.tc.BlockHashByHeight(h)
		blk, err := e.tc.BlockByHash(hash)
		if err != nil {
			t.Fatal(err)
		}
		fresh.mustAccept(t, blk)
	}
	if a, _ := fresh.RegistryHash(); a != final {
		t.Fatal("replayed registries differ")
	}
}

func TestContractRecords(t *testing.T) {
	a, b := chaingen.NewKey("a"), chaingen.NewKey("b")
	c := &game.Contract{ID: game.ID{7}, Terms: game.Terms{AKey: a.PubKey, BKey: b.PubKey, AGold: 10_000, AProps: []game.ID{{1}, {2}},
		Memo: "m", Hash: bytes.Repeat([]byte{5}, 32), Expiry: 99, Nonce: 3},
		State: game.ContractExchanged, FulfilTxid: chainhash.Hash{1}, Height: 40,
		Escrow:     []wire.OutPoint{{Hash: chainhash.Hash{1}, Index: 1}, {Hash: chainhash.Hash{1}, Index: 2}, {Hash: chainhash.Hash{1}, Index: 3}},
		SettleTxid: chainhash.Hash{2}, SettleHeight: 50, Path: game.PathClaim, Preimage: []byte("secret")}
	v, err := encodeContract(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeContract(c.ID, v)
	if err != nil || fmt.Sprint(*back) != fmt.Sprint(*c) {
		t.Fatalf("contract %+v %v", back, err)
	}
	open := &game.Contract{ID: game.ID{8}, Terms: c.Terms, State: game.ContractFulfilled, Height: 3}
	v2, _ := encodeContract(open)
	if back, err := decodeContract(open.ID, v2); err != nil || fmt.Sprint(*back) != fmt.Sprint(*open) {
		t.Fatalf("open contract %+v %v", back, err)
	}
	for _, bad := range [][]byte{nil, v[:20], v[:len(v)-1], append(bytes.Clone(v), 0), append([]byte{3}, v[1:]...)} {
		if _, err := decodeContract(c.ID, bad); err == nil {
			t.Errorf("contract %x decoded", bad)
		}
	}
	// Unknown states and paths are corrupt records, never a contract the
	// rules would then judge.
	for _, mod := range []func(*game.Contract){
		func(x *game.Contract) { x.State = 0 },
		func(x *game.Contract) { x.State = game.ContractSettled + 1 },
		func(x *game.Contract) { x.Path = game.PathCoop + 1 },
		func(x *game.Contract) { x.Path = 0xff },
	} {
		x := *c
		mod(&x)
		bad, err := encodeContract(&x)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeContract(x.ID, bad); !errors.Is(err, errCorrupt) {
			t.Errorf("contract state %d path %d: err = %v, want errCorrupt", x.State, x.Path, err)
		}
	}
	// An escrowed prop's record carries the contract id; others are
	// unchanged (existing records stay valid).
	pr := &game.Prop{ID: game.ID{2}, Producer: game.ID{1}, Gold: 20_000, Owner: []byte{0, 32}, Status: game.PropEscrow, Contract: game.ID{9}}
	if back, err := decodeProp(pr.ID, encodeProp(pr)); err != nil || fmt.Sprint(*back) != fmt.Sprint(*pr) {
		t.Fatalf("escrowed prop %+v %v", back, err)
	}
	live := *pr
	live.Status, live.Contract = game.PropLive, game.ID{}
	if len(encodeProp(&live)) != len(encodeProp(pr))-32 {
		t.Fatal("a live prop's record grew")
	}
}
