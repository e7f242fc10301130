package wallet

import (
	"context"
	"reflect"
	"testing"

	"github.com/gamegold/gg/lib/game"
)

// TestGameRescanIdempotent: replaying the chain (a rescan, blocks seen
// twice) leaves the wallet's game objects and balance exactly as they
// were — each coin is keyed by its outpoint, (txid, vout).
func TestGameRescanIdempotent(t *testing.T) {
	w, c, _ := startedWallet(t, 2)
	ctx := context.Background()
	reg, err := w.RegisterProducer(ctx, GameOptions{}, game.ProducerInfo{Name: "replayer"})
	if err != nil {
		t.Fatal(err)
	}
	c.connect(nil, reg.Tx)
	cr, err := w.CreateProps(ctx, GameOptions{}, reg.Objects[0].ID, []PropSpec{{OID: "a", Gold: 20_000}, {OID: "b", Gold: 30_000}})
	if err != nil {
		t.Fatal(err)
	}
	c.connect(nil, cr.Tx)
	snd, err := w.SendProps(ctx, GameOptions{}, []PropMoveSpec{{Prop: cr.Objects[0].ID, PkScript: extScript}})
	if err != nil {
		t.Fatal(err)
	}
	c.connect(nil, snd.Tx)
	coins, _ := w.GameCoins(AllAccounts)
	bal := mustBalance(t, w, AllAccounts)
	if len(coins) != 2 || bal.Game != game.ProducerFee+30_000 {
		t.Fatalf("before: %d objects, %+v", len(coins), bal)
	}
	for range 2 {
		if err := w.Rescan(ctx, 0, nil); err != nil {
			t.Fatal(err)
		}
		// The last block delivered again, as after a reconnect.
		w.BlockConnected(c.tip())
		again, _ := w.GameCoins(AllAccounts)
		if !reflect.DeepEqual(again, coins) {
			t.Fatalf("after rescan: %+v, want %+v", again, coins)
		}
		if b := mustBalance(t, w, AllAccounts); b != bal {
			t.Fatalf("balance after rescan %+v, want %+v", b, bal)
		}
	}
}
