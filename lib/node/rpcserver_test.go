package node

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
)

// TestSendRawTransactionListingFee: a sale listing sent raw passes the
// default maxfeerate (0.10 GG/kvB) although its "fee" is the prop's gold,
// 5 GG on some 150 vbytes.
func TestSendRawTransactionListingFee(t *testing.T) {
	n := startGameNode(t)
	mine := unquote(t, n.must(t, "getnewaddress"))
	gen := func() { n.must(t, "generatetoaddress", 1, mine) }
	n.must(t, "cp.create", "starfall", "https://starfall.example", "", "rpg", 15)
	gen()
	ring := gameRes(t, n.must(t, "prop.create", "starfall", "ring", "5")).Objects[0].ID
	gen()
	listing := gameRes(t, n.must(t, "prop.sale", ring, "10", "0", 0, "default", true))
	if listing.Sent || listing.Hex == "" {
		t.Fatalf("dry-run listing: %+v", listing)
	}
	if _, re := n.call(t, "sendrawtransaction", listing.Hex); re != nil {
		t.Fatalf("raw listing: %v", re)
	}
}

// TestNewRefusesNegativeRPCLimits: a negative request body or batch
// limit stops the node before it opens anything, instead of a server
// that answers every request 413 or refuses every batch.
func TestNewRefusesNegativeRPCLimits(t *testing.T) {
	for _, cfg := range []Config{{RPCMaxRequest: -1}, {RPCLimits: rpc.Limits{MaxBatch: -1}}} {
		dir := filepath.Join(t.TempDir(), "data")
		cfg.Params, cfg.DataDir, cfg.RPCListen, cfg.NoSync = chaincfg.RegTestParams, dir, "127.0.0.1:0", true
		n, err := New(cfg)
		if err == nil {
			n.Close()
			t.Fatalf("%+v: node started", cfg.RPCLimits)
		}
		if !errors.Is(err, rpc.ErrBadLimit) {
			t.Errorf("error %v, want rpc.ErrBadLimit", err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the datadir was created: %v", err)
		}
	}
}
