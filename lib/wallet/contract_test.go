package wallet

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

func contractStateOf(t *testing.T, w *Wallet, id game.ID) string {
	t.Helper()
	ci, err := w.Contract(id)
	if err != nil {
		t.Fatal(err)
	}
	return ci.State
}

// TestContractLifecycle: A (account default) publishes — its coin is
// reserved — B (account bob) signs, fulfils and claims with the secret;
// the blocks move both views. Then the contracts bucket is dropped and a
// rescan rebuilds the chain-derived state from the blocks alone.
func TestContractLifecycle(t *testing.T) {
	w, c, _ := startedWallet(t, 2)
	ctx := context.Background()
	if _, err := w.CreateAccount("bob"); err != nil {
		t.Fatal(err)
	}
	bkey, err := w.ContractKey("bob")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := w.ContractKey("bob"); string(again) != string(bkey) {
		t.Fatal("contract key changed")
	}
	secret := []byte("the secret, thirty-two bytes lon")
	h := sha256.Sum256(secret)
	var submitted *ContractOffer
	off, err := w.PublishContract(ctx, GameOptions{}, ContractSpec{BKey: bkey, AGold: int64(gg(1)), Hash: h[:], Expiry: 150, Nonce: 1},
		func(o *ContractOffer) error { submitted = o; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if submitted != off || contractStateOf(t, w, off.ID) != ContractPublished {
		t.Fatal("not submitted or not recorded")
	}
	if b := mustBalance(t, w, ""); b.Reserved == 0 {
		t.Fatalf("nothing reserved: %+v", b)
	}
	if _, err := w.SignContract("default", &off.Terms); err == nil {
		t.Fatal("A signed as B")
	}
	if _, err := w.SignContract("bob", &off.Terms); err != nil {
		t.Fatal(err)
	}
	if s := contractStateOf(t, w, off.ID); s != ContractSigned {
		t.Fatalf("state %s", s)
	}
	ful, _, err := w.FulfilContract(ctx, GameOptions{Account: "bob"}, off.Tx)
	if err != nil {
		t.Fatal(err)
	}
	c.connect(nil, ful.Tx)
	if s := contractStateOf(t, w, off.ID); s != ContractFulfilled {
		t.Fatalf("state after fulfil %s", s)
	}
	if b := mustBalance(t, w, ""); b.Reserved != 0 {
		t.Fatalf("still reserved: %+v", b)
	}
	esc := EscrowCoin{Value: int64(gg(1))}
	esc.OutPoint.Hash, esc.OutPoint.Index = ful.TxID, 1
	if _, err := w.ExecuteContract(ctx, GameOptions{Account: "bob"}, ExecuteRequest{Terms: off.Terms, Escrow: []EscrowCoin{esc},
		Path: game.PathClaim, Preimage: []byte("wrong")}); err == nil {
		t.Fatal("claim with a wrong secret built")
	}
	claim, err := w.ExecuteContract(ctx, GameOptions{Account: "bob"}, ExecuteRequest{Terms: off.Terms, Escrow: []EscrowCoin{esc},
		Path: game.PathClaim, Preimage: secret})
	if err != nil {
		t.Fatal(err)
	}
	c.connect(nil, claim.Tx)
	ci, _ := w.Contract(off.ID)
	if ci.State != ContractExchanged || string(ci.Preimage) != string(secret) || ci.Role != "AB" {
		t.Fatalf("after claim %+v", ci)
	}

	// Forget everything, rescan: the blocks say fulfilled then exchanged.
	if err := w.update(func(tx *store.Tx) error {
		if err := tx.DeleteBucket(bktContracts); err != nil {
			return err
		}
		_, err := tx.CreateBucket(bktContracts)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Contract(off.ID); err == nil {
		t.Fatal("still known")
	}
	if err := w.Rescan(ctx, 0, nil); err != nil {
		t.Fatal(err)
	}
	ci, err = w.Contract(off.ID)
	if err != nil || ci.State != ContractExchanged || string(ci.Preimage) != string(secret) || ci.AAccount != "default" || ci.BAccount != "bob" {
		t.Fatalf("after rescan %+v %v", ci, err)
	}
}

// TestContractExpiryReleases: an offer nobody fulfils expires when the
// tip reaches expiry-1, and A's coins come back.
func TestContractExpiryReleases(t *testing.T) {
	w, c, _ := startedWallet(t, 1)
	ctx := context.Background()
	bkey := keyFromSeed(t)
	before := mustBalance(t, w, "")
	tip := c.tip().Height
	off, err := w.PublishContract(ctx, GameOptions{}, ContractSpec{BKey: bkey, AGold: int64(gg(2)), Expiry: uint32(tip + 3), Nonce: 9}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b := mustBalance(t, w, ""); b.Reserved != before.Confirmed || b.Confirmed != 0 {
		t.Fatalf("after publish %+v", b)
	}
	c.connect(nil)
	if s := contractStateOf(t, w, off.ID); s != ContractPublished {
		t.Fatalf("expired early: %s", s)
	}
	c.connect(nil)
	if s := contractStateOf(t, w, off.ID); s != ContractExpired {
		t.Fatalf("state %s", s)
	}
	if b := mustBalance(t, w, ""); b != before {
		t.Fatalf("after expiry %+v, want %+v", b, before)
	}
}

func keyFromSeed(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, 33)
	k[0] = 2
	// The generator's x coordinate: a valid compressed key no wallet owns.
	copy(k[1:], []byte{0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07,
		0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98})
	return k
}

// restoredWallet creates a wallet from mnemonic m (a restore: birthday
// 0), unlocks it and starts it on c: the first sync rescans the chain.
func restoredWallet(t *testing.T, m string, c *fakeChain) *Wallet {
	t.Helper()
	w, _, _ := newTestWallet(t, func(o *CreateOptions) { o.Mnemonic = m })
	mustUnlock(t, w)
	if err := w.Start(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestContractRestoreB: B is party to two pure escrows (B pays nothing on
// chain, so no fulfil or refund touches B's coins), one with the contract
// key of its default account, one with that of account "bob", which has
// never been paid. A wallet restored from B's mnemonic finds both from the
// blocks alone — the fulfil record names B's keys (bob's account is
// discovered through it) — in state fulfilled, claims the first with the
// secret (its contract key is the one the record names: exchanged) and
// sees A's refund of the second (refunded); a second restore after that
// rebuilds the end states.
func TestContractRestoreB(t *testing.T) {
	a, c, _ := startedWallet(t, 2)
	ctx := context.Background()
	b, m, _ := newTestWallet(t, func(o *CreateOptions) { o.Mnemonic = "" })
	mustUnlock(t, b)
	if err := b.Start(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateAccount("bob"); err != nil {
		t.Fatal(err)
	}
	// An address handed out first: the contract key is not index 0, the
	// key a restored wallet would derive as a new contract key.
	if _, err := b.NewAddress("", false); err != nil {
		t.Fatal(err)
	}
	secret := []byte("B's secret, thirty-two bytes....")
	h := sha256.Sum256(secret)
	expiry := uint32(c.tip().Height + 10)
	var ids [2]game.ID
	var terms [2]game.Terms
	var ful [2]*GameTx
	var bkeys [2][]byte
	for i, acct := range []string{"", "bob"} {
		bkey, err := b.ContractKey(acct)
		if err != nil {
			t.Fatal(err)
		}
		bkeys[i] = bkey
		off, err := a.PublishContract(ctx, GameOptions{}, ContractSpec{BKey: bkey, AGold: int64(gg(1)), Hash: h[:],
			Expiry: expiry, Nonce: uint64(i + 1)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.SignContract(acct, &off.Terms); err != nil {
			t.Fatal(err)
		}
		if ful[i], _, err = b.FulfilContract(ctx, GameOptions{Account: acct}, off.Tx); err != nil {
			t.Fatal(err)
		}
		ids[i], terms[i] = off.ID, off.Terms
	}
	c.connect(nil, ful[0].Tx, ful[1].Tx)
	if bal := mustBalance(t, b, AllAccounts); bal.Total() != 0 {
		t.Fatalf("B's balance %+v: B paid nothing", bal)
	}

	r := restoredWallet(t, m, c)
	want := [2]string{"default", "account-1"}
	for i, id := range ids {
		ci, err := r.Contract(id)
		if err != nil {
			t.Fatalf("restored B does not know contract %d: %v", i, err)
		}
		if ci.State != ContractFulfilled || ci.Role != "B" || ci.BAccount != want[i] || ci.FulfilTxid != ful[i].TxID ||
			len(ci.Escrow) != 1 || ci.Escrow[0] != (wire.OutPoint{Hash: ful[i].TxID, Index: 1}) {
			t.Fatalf("restored contract %d: %+v", i, ci)
		}
		// The account's contract key is the one the record names.
		if k, err := r.ContractKey(want[i]); err != nil || string(k) != string(bkeys[i]) {
			t.Fatalf("restored contract key of %s: %x %v, want %x", want[i], k, err, bkeys[i])
		}
	}
	if mine, err := r.Contracts(AllAccounts); err != nil || len(mine) != 2 {
		t.Fatalf("restored B's contracts: %d, %v", len(mine), err)
	}

	// The restored wallet claims the first with the secret.
	esc := EscrowCoin{Value: int64(gg(1)), OutPoint: wire.OutPoint{Hash: ful[0].TxID, Index: 1}}
	claim, err := r.ExecuteContract(ctx, GameOptions{}, ExecuteRequest{Terms: terms[0], Escrow: []EscrowCoin{esc},
		Path: game.PathClaim, Preimage: secret})
	if err != nil {
		t.Fatalf("restored B claims: %v", err)
	}
	c.connect(nil, claim.Tx)
	if ci, _ := r.Contract(ids[0]); ci.State != ContractExchanged || string(ci.Preimage) != string(secret) {
		t.Fatalf("after the claim %+v", ci)
	}
	// A refunds the second after expiry.
	for c.tip().Height < int32(expiry) {
		c.connect(nil)
	}
	esc = EscrowCoin{Value: int64(gg(1)), OutPoint: wire.OutPoint{Hash: ful[1].TxID, Index: 1}}
	refund, err := a.ExecuteContract(ctx, GameOptions{}, ExecuteRequest{Terms: terms[1], Escrow: []EscrowCoin{esc}, Path: game.PathRefund})
	if err != nil {
		t.Fatal(err)
	}
	c.connect(nil, refund.Tx)
	if ci, _ := r.Contract(ids[1]); ci.State != ContractRefunded || ci.SettleTxid != refund.TxID {
		t.Fatalf("after the refund %+v", ci)
	}

	// A second restore sees the end states.
	r2 := restoredWallet(t, m, c)
	for i, st := range []string{ContractExchanged, ContractRefunded} {
		ci, err := r2.Contract(ids[i])
		if err != nil || ci.State != st || ci.BAccount != want[i] {
			t.Fatalf("second restore, contract %d: %+v %v", i, ci, err)
		}
	}
	if bal := mustBalance(t, r2, ""); bal.Total() == 0 || bal.Total() >= gg(1) {
		t.Fatalf("second restore: B's balance %+v", bal)
	}
}
