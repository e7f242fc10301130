package wallet

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/store"
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
	secret := []byte("the secret")
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
	if err := w.update(func(tx *store.Tx) error { return tx.DeleteBucket(bktContracts) }); err != nil {
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
