package wallet

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// checkCoinBuckets checks the coin buckets agree: no game coin among the
// plain ones, every game coin flagged and indexed by its object, every
// index entry pointing at a game coin of that object.
func checkCoinBuckets(t *testing.T, w *Wallet) {
	t.Helper()
	err := w.view(func(tx *store.Tx) error {
		if err := tx.Bucket(bktCoins).ForEach(func(k, v []byte) error {
			c, err := decodeCoin(v)
			if err != nil {
				return err
			}
			if c.Flags&coinFlagGame != 0 {
				return fmt.Errorf("game coin %s among the plain coins", opFromKey(k))
			}
			return nil
		}); err != nil {
			return err
		}
		idx := tx.Bucket(bktObjCoins)
		if err := tx.Bucket(bktGameCoins).ForEach(func(k, v []byte) error {
			c, err := decodeCoin(v)
			if err != nil {
				return err
			}
			if c.Flags&coinFlagGame == 0 {
				return fmt.Errorf("plain coin %s among the game coins", opFromKey(k))
			}
			if tx.Bucket(bktCoins).Get(k) != nil {
				return fmt.Errorf("coin %s in both buckets", opFromKey(k))
			}
			if len(c.GameID) > 0 && idx.Get(objCoinKey(c.GameID, k)) == nil {
				return fmt.Errorf("game coin %s not indexed", opFromKey(k))
			}
			return nil
		}); err != nil {
			return err
		}
		return idx.ForEach(func(k, _ []byte) error {
			if len(k) < 36 {
				return fmt.Errorf("index key %x", k)
			}
			ck := k[len(k)-36:]
			v := tx.Bucket(bktGameCoins).Get(ck)
			if v == nil {
				return fmt.Errorf("index entry %x without its coin", k)
			}
			c, err := decodeCoin(v)
			if err != nil {
				return err
			}
			if !bytes.Equal(c.GameID, k[:len(k)-36]) {
				return fmt.Errorf("index entry %x names another object than its coin's %x", k, c.GameID)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSchemaMigrationGameCoins: a wallet written at the schema before
// the game coin buckets, holding plain and game coins in one bucket,
// opens with the game coins moved and indexed, the plain ones in place,
// and the same coins, balance and objects as before.
func TestSchemaMigrationGameCoins(t *testing.T) {
	old := len(store.Migrations) + 2
	path := walletPath(t)
	pk := walletAtVersion(t, old, path)
	db, err := store.Open(path, store.Options{NoSync: true, Migrations: migrations[:old]})
	if err != nil {
		t.Fatal(err)
	}
	prop := game.Object{Kind: game.KindProp, ID: game.ID(chainhash.HashH([]byte("prop")))}
	producer := game.Object{Kind: game.KindProducer, ID: game.ID(chainhash.HashH([]byte("producer")))}
	coins := map[wire.OutPoint]*coinRecord{
		{Hash: chainhash.HashH([]byte("a")), Index: 0}: {Value: 5e8, Height: 1, PkScript: pk},
		{Hash: chainhash.HashH([]byte("b")), Index: 1}: {Value: 1e8, Height: 2, Flags: coinFlagGame, PkScript: pk, GameID: producer.Bytes()},
		{Hash: chainhash.HashH([]byte("c")), Index: 2}: {Value: 1e4, Height: 3, Flags: coinFlagGame, PkScript: pk, GameID: prop.Bytes()},
		{Hash: chainhash.HashH([]byte("d")), Index: 0}: {Value: 7e8, Height: 4, Flags: coinFlagChange, PkScript: pk},
	}
	err = db.Update(func(tx *store.Tx) error {
		if tx.Bucket(bktGameCoins) != nil || tx.Bucket(bktObjCoins) != nil {
			return fmt.Errorf("version %d has the game coin buckets", old)
		}
		for op, c := range coins {
			if err := tx.Bucket(bktCoins).Put(opKey(op), encodeCoin(c)); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	w, err := Open(path, regtest, testOpenOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if v, err := w.db.SchemaVersion(); err != nil || v != SchemaVersion {
		t.Fatalf("after open: version %d, %v; want %d", v, err, SchemaVersion)
	}
	checkCoinBuckets(t, w)
	err = w.view(func(tx *store.Tx) error {
		for op, c := range coins {
			got, err := getCoin(tx, op)
			if err != nil || got == nil || got.Value != c.Value || got.Flags != c.Flags || !bytes.Equal(got.GameID, c.GameID) {
				return fmt.Errorf("coin %s after the migration: %+v, %v; want %+v", op, got, err, c)
			}
			inGame := tx.Bucket(bktGameCoins).Get(opKey(op)) != nil
			if inGame != (c.Flags&coinFlagGame != 0) {
				return fmt.Errorf("coin %s in the game bucket: %v", op, inGame)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := w.Coins(AllAccounts)
	if err != nil || len(list) != len(coins) {
		t.Fatalf("coins after the migration: %d, %v", len(list), err)
	}
	for i := 1; i < len(list); i++ {
		if bytes.Compare(opKey(list[i-1].OutPoint), opKey(list[i].OutPoint)) >= 0 {
			t.Fatal("coins not listed in outpoint order")
		}
	}
	gc, err := w.GameCoins(AllAccounts)
	if err != nil || len(gc) != 2 {
		t.Fatalf("game coins after the migration: %+v, %v", gc, err)
	}
	b := mustBalance(t, w, AllAccounts)
	if b.Game != 1e8+1e4 {
		t.Errorf("game balance %s", b.Game)
	}
}

// objectCoins returns the game coins of the default account carrying obj.
func objectCoins(t *testing.T, w *Wallet, obj game.Object) []GameCoin {
	t.Helper()
	all, err := w.GameCoins("")
	if err != nil {
		t.Fatal(err)
	}
	var out []GameCoin
	for _, gc := range all {
		if gc.Object == obj {
			out = append(out, gc)
		}
	}
	return out
}

// TestGameCoinsReorg moves a prop through a reorg, an abandon, a second
// send and the first send confirming after all: at each step the prop's
// coins are the ones the chain says, found through the object index (the
// coin buckets are checked at the end of the test).
func TestGameCoinsReorg(t *testing.T) {
	w, c, _ := startedWallet(t, 3)
	l := newGameLedger(t, c)
	ctx := context.Background()
	reg, err := w.RegisterProducer(ctx, GameOptions{}, game.ProducerInfo{Name: "reorgs"})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, reg.Tx)
	cr, err := w.CreateProps(ctx, GameOptions{}, reg.Objects[0].ID, []PropSpec{{OID: "sword", Gold: 100_000}})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, cr.Tx)
	sword := cr.Objects[0]
	created := wire.OutPoint{Hash: cr.TxID, Index: cr.Vouts[0]}
	addr, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	snd, err := w.SendProps(ctx, GameOptions{}, []PropMoveSpec{{Prop: sword.ID, PkScript: addr.PkScript()}})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, snd.Tx)
	moved := wire.OutPoint{Hash: snd.TxID, Index: snd.Vouts[0]}
	at := func(step string, want wire.OutPoint, confirmed bool) {
		t.Helper()
		var free []GameCoin
		for _, gc := range objectCoins(t, w, sword) {
			if gc.Spender.IsZero() {
				free = append(free, gc)
			}
		}
		if len(free) != 1 || free[0].OutPoint != want || (free[0].Height >= 0) != confirmed {
			t.Fatalf("%s: free coins of the sword %+v, want %s (confirmed %v)", step, free, want, confirmed)
		}
	}
	at("after the send", moved, true)

	c.disconnect()
	at("send's block disconnected", moved, false)
	if err := w.Abandon(snd.TxID); err != nil {
		t.Fatal(err)
	}
	at("send abandoned", created, true)
	snd2, err := w.SendProps(ctx, GameOptions{}, []PropMoveSpec{{Prop: sword.ID, PkScript: extScript}})
	if err != nil {
		t.Fatal(err)
	}
	if cs := objectCoins(t, w, sword); len(cs) != 1 || cs[0].Spender != snd2.TxID {
		t.Fatalf("second send pending: %+v", cs)
	}
	c.connect(nil, snd.Tx) // the abandoned send confirms after all
	at("first send confirmed", moved, true)
}
