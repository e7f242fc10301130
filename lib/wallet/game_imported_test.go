package wallet

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// importedOwner gives the wallet an account "bob" of one imported key
// (no chain to derive from), moves a producer of the default account to
// that key and pays bob 2 GG for fees; it returns the producer and bob's
// script.
func importedOwner(t *testing.T, w *Wallet, c *fakeChain, l *gameLedger) (game.ID, []byte) {
	t.Helper()
	ctx := context.Background()
	k, _ := btcec.PrivKeyFromBytes([]byte("an outside key, imported later.."))
	if _, err := w.ImportWIF(keys.EncodeWIF(k, true, regtest), "bob"); err != nil {
		t.Fatal(err)
	}
	bobScript := script.PayToWitnessPubKeyHash(keys.Hash160(k.PubKey().SerializeCompressed()))
	reg, err := w.RegisterProducer(ctx, GameOptions{}, game.ProducerInfo{Name: "starfall"})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, reg.Tx)
	pid := reg.Objects[0].ID
	mv, err := w.ChangeProducer(ctx, GameOptions{}, pid, game.ProducerInfo{Name: "starfall"}, bobScript)
	if err != nil {
		t.Fatal(err)
	}
	pay, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(2)), PkScript: bobScript}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, mv.Tx, pay.Tx)
	if _, ok := gameObjects(t, w, "bob")[game.Object{Kind: game.KindProducer, ID: pid}]; !ok {
		t.Fatal("bob does not own the producer")
	}
	return pid, bobScript
}

// TestGameProducerImportedKeys: an account of imported keys only can
// change its producer (kept at its own key's address) and transfer it to
// a given address; the fee's change returns to its key's address.
func TestGameProducerImportedKeys(t *testing.T) {
	w, c, _ := startedWallet(t, 3)
	l := newGameLedger(t, c)
	ctx := context.Background()
	pid, bobScript := importedOwner(t, w, c, l)
	obj := game.Object{Kind: game.KindProducer, ID: pid}

	// Change without an address: the producer stays at bob's key.
	chg, err := w.ChangeProducer(ctx, GameOptions{Account: "bob"}, pid, game.ProducerInfo{Name: "starfall2", Class: "rpg"}, nil)
	if err != nil {
		t.Fatalf("change by an imported-keys account: %v", err)
	}
	l.mine(c, chg.Tx)
	if l.names["starfall2"] != pid {
		t.Errorf("names after rename: %v", l.names)
	}
	for i, o := range chg.Tx.TxOut[1:] {
		if string(o.PkScript) != string(bobScript) {
			t.Errorf("output %d pays %x, want bob's key %x", i+1, o.PkScript, bobScript)
		}
	}
	if gc, ok := gameObjects(t, w, "bob")[obj]; !ok || string(gc.PkScript) != string(bobScript) {
		t.Fatalf("producer after change: %+v %v", gc, ok)
	}
	if b := mustBalance(t, w, "bob"); b.Confirmed != gg(2)-chg.Fee {
		t.Errorf("bob's plain coins %s, want 2 GG less the fee %s", b.Confirmed, chg.Fee)
	}

	// Transfer to a given address: the producer leaves the wallet.
	tr, err := w.ChangeProducer(ctx, GameOptions{Account: "bob"}, pid, game.ProducerInfo{Name: "starfall2"}, extScript)
	if err != nil {
		t.Fatalf("transfer by an imported-keys account: %v", err)
	}
	l.mine(c, tr.Tx)
	if _, ok := gameObjects(t, w, "bob")[obj]; ok {
		t.Error("bob still owns the transferred producer")
	}
	if string(tr.Tx.TxOut[1].PkScript) != string(extScript) {
		t.Errorf("producer carried to %x", tr.Tx.TxOut[1].PkScript)
	}
}

// TestOwnScriptImportedKeys: an account of imported keys receives its
// change and game objects at its first imported key's own address; one
// with watch-only addresses only has none, and says to give an address.
func TestOwnScriptImportedKeys(t *testing.T) {
	w, c, _ := startedWallet(t, 3)
	l := newGameLedger(t, c)
	ctx := context.Background()
	pid, bobScript := importedOwner(t, w, c, l)
	if _, err := w.ImportAddress("rg1q2vfxp232rx0z9rzn0hay9jptagk8c86d8vuzf6", "carol"); err != nil {
		t.Fatal(err)
	}
	err := w.view(func(tx *storeTx) error {
		bob, err := accountByName(tx, "bob")
		if err != nil {
			return err
		}
		if pk, err := w.ownScript(tx, bob, BranchChange, nil); err != nil || string(pk) != string(bobScript) {
			t.Errorf("bob's own script %x, %v; want %x", pk, err, bobScript)
		}
		carol, err := accountByName(tx, "carol")
		if err != nil {
			return err
		}
		if _, err := w.ownScript(tx, carol, BranchChange, nil); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "give an address") {
			t.Errorf("watch-only account's own script: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Props created without an owner, and a plain payment's change, go to
	// bob's key.
	cr, err := w.CreateProps(ctx, GameOptions{Account: "bob"}, pid, []PropSpec{{OID: "gem", Gold: 10_000}})
	if err != nil {
		t.Fatalf("bob creates props: %v", err)
	}
	l.mine(c, cr.Tx)
	if got := cr.Tx.TxOut[2].PkScript; string(got) != string(bobScript) {
		t.Errorf("prop carried to %x", got)
	}
	pay, err := w.Send(ctx, "bob", []*wire.TxOut{{Value: int64(gg(0.5)), PkScript: extScript}}, TxOptions{})
	if err != nil {
		t.Fatalf("bob pays with change: %v", err)
	}
	if pay.ChangeIndex < 0 || string(pay.Tx.TxOut[pay.ChangeIndex].PkScript) != string(bobScript) {
		t.Errorf("bob's change: index %d", pay.ChangeIndex)
	}
	l.mine(c, pay.Tx)
}
