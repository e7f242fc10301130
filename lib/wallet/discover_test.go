package wallet

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/wire"
)

func accountNames(t *testing.T, w *Wallet) []string {
	t.Helper()
	as, err := w.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%d:%s", a.Number, a.Name))
	}
	return out
}

func handedOut(t *testing.T, w *Wallet, acct string) []string {
	t.Helper()
	as, err := w.Addresses(acct)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		out = append(out, a.Address.String())
	}
	return out
}

// TestAccountDiscovery: a wallet restored from the mnemonic finds, on
// rescan, the BIP44 accounts that were paid (as "account-<n>"), with the
// same addresses and balances, and no account past the last used one.
func TestAccountDiscovery(t *testing.T) {
	ctx := context.Background()
	w, c, _ := startedWallet(t, 2)
	bob, err := w.CreateAccount("bob")
	if err != nil {
		t.Fatal(err)
	}
	carol, err := w.CreateAccount("carol")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateAccount("dave"); err != nil { // never paid
		t.Fatal(err)
	}
	bobAddr, _ := w.NewAddress("bob", false)
	bobAddr2, _ := w.NewAddress("bob", false)
	carolAddr, _ := w.NewAddress("carol", true)
	sent, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(2)), PkScript: bobAddr2.PkScript()}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.connect(carolAddr.PkScript(), sent.Tx)
	c.connect(bobAddr.PkScript())

	w2, _, _ := newTestWallet(t, nil)
	c2 := &fakeChain{blocks: c.blocks, reject: map[chainhash.Hash]error{}}
	// Locked: the first sync finds account 0 only.
	if err := w2.Start(ctx, c2); err != nil {
		t.Fatal(err)
	}
	if got := accountNames(t, w2); fmt.Sprint(got) != "[0:default]" {
		t.Fatalf("locked restore accounts %v", got)
	}
	mustUnlock(t, w2)
	if err := w2.Rescan(ctx, -1, nil); err != nil {
		t.Fatal(err)
	}
	if got := accountNames(t, w2); fmt.Sprint(got) != "[0:default 1:account-1 2:account-2]" {
		t.Fatalf("restored accounts %v", got)
	}
	for _, p := range [][2]string{{"", ""}, {"bob", "account-1"}, {"carol", "account-2"}} {
		if got, want := mustBalance(t, w2, p[1]), mustBalance(t, w, p[0]); got != want || want.Total() == 0 && p[0] != "" {
			t.Fatalf("account %q restored balance %+v, want %+v", p[1], got, want)
		}
	}
	a1, _ := w2.Account("account-1")
	if a1.Xpub != bob.Xpub || a1.ReceiveUsed != 2 {
		t.Fatalf("account-1 = %+v, want bob's xpub and 2 used receive addresses", a1)
	}
	if a2, _ := w2.Account("account-2"); a2.Xpub != carol.Xpub || a2.ChangeUsed != 1 {
		t.Fatalf("account-2 = %+v", a2)
	}
	// Handed-out addresses match up to what was used.
	if got, want := handedOut(t, w2, "account-1"), handedOut(t, w, "bob"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("account-1 addresses %v, want %v", got, want)
	}
	// A second rescan changes nothing.
	if err := w2.Rescan(ctx, -1, nil); err != nil {
		t.Fatal(err)
	}
	if got := accountNames(t, w2); len(got) != 3 {
		t.Fatalf("accounts after a second rescan %v", got)
	}
}

// TestAccountDiscoveryNone: nothing is discovered when only the default
// account was used, and a failing chain client's error comes back.
func TestAccountDiscoveryNone(t *testing.T) {
	ctx := context.Background()
	w, c, _ := startedWallet(t, 1)
	if err := w.Rescan(ctx, -1, nil); err != nil {
		t.Fatal(err)
	}
	if got := accountNames(t, w); fmt.Sprint(got) != "[0:default]" {
		t.Fatalf("accounts %v", got)
	}
	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	_ = c
	if err := w.Rescan(ctx2, -1, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("rescan with a cancelled context: %v", err)
	}
}

// TestRescanRecentBlocks: a rescan looks again at blocks the wallet has
// already processed (the recent ones too), so an address imported after
// it was paid finds its coin. Regression: recent blocks were skipped as
// replays.
func TestRescanRecentBlocks(t *testing.T) {
	ctx := context.Background()
	w, c, _ := startedWallet(t, 1)
	stranger := address.NewP2WPKH(keys.PubKeyHash(testKey(t, 11).PubKey()), regtest)
	c.connect(stranger.PkScript())
	c.connect(nil)
	if _, err := w.ImportAddress(stranger.String(), "watch"); err != nil {
		t.Fatal(err)
	}
	if b := mustBalance(t, w, "watch"); b.Total() != 0 {
		t.Fatalf("before the rescan: %+v", b)
	}
	if err := w.Rescan(ctx, -1, nil); err != nil {
		t.Fatal(err)
	}
	if b := mustBalance(t, w, "watch"); b.Immature != gg(50) {
		t.Fatalf("after the rescan: %+v, want the 50 GG coinbase (immature)", b)
	}
	before := mustBalance(t, w, "")
	if err := w.Rescan(ctx, -1, nil); err != nil {
		t.Fatal(err)
	}
	if after := mustBalance(t, w, ""); after != before {
		t.Fatalf("a second rescan changed the balance: %+v, was %+v", after, before)
	}
}
