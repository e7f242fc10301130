package node

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/store"
)

// TestNodeReindex: Config.Reindex rebuilds the chain state at start-up
// and the node comes up on the same tip and UTXO set; a reindex stopped
// by the context fails New, leaves the datadir refused by chain.New, and
// the next start resumes it without the flag.
func TestNodeReindex(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true, NoSync: true}
	n, c := startNodeCfg(t, cfg)
	_, addr := benchKey()
	if err := c.Call(context.Background(), "generatetoaddress", nil, 30, addr.String()); err != nil {
		t.Fatal(err)
	}
	best := n.Chain.Best()
	utxo, _, err := n.Chain.UtxoSetHash()
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	check := func(n *Node, what string) {
		t.Helper()
		got, _, err := n.Chain.UtxoSetHash()
		if err != nil || n.Chain.Best().Hash != best.Hash || got != utxo {
			t.Fatalf("%s: tip %v, utxo hash %v (%v); want %v, %v", what, n.Chain.Best().Hash, got, err, best.Hash, utxo)
		}
	}

	// A full reindex.
	var calls [][2]int32
	rc := cfg
	rc.Reindex = true
	rc.ReindexProgress = func(h, tip int32) { calls = append(calls, [2]int32{h, tip}) }
	n, _ = startNodeCfg(t, rc)
	check(n, "after --reindex")
	n.Close()
	if len(calls) == 0 || calls[len(calls)-1] != [2]int32{best.Height, best.Height} {
		t.Fatalf("progress calls %v", calls)
	}

	// Stopped at once by the context.
	ctx, cancel := context.WithCancel(context.Background())
	rc.Context = ctx
	rc.ReindexProgress = func(int32, int32) { cancel() }
	if _, err := New(rc); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled reindex: %v", err)
	}
	db, err := store.Open(filepath.Join(dir, ChainDBFile), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chain.New(chain.Config{DB: db, Params: cfg.Params}); !errors.Is(err, chain.ErrReindexPending) {
		t.Fatalf("chain.New after a stopped reindex: %v", err)
	}
	db.Close()

	// The next start resumes it without being asked.
	var log bytes.Buffer
	cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
	n, _ = startNodeCfg(t, cfg)
	defer n.Close()
	check(n, "after the resumed reindex")
	if !strings.Contains(log.String(), "resuming an interrupted reindex") || !strings.Contains(log.String(), "reindex finished") {
		t.Fatalf("no resumed reindex in the log:\n%s", log.String())
	}
}

func startNodeCfg(t *testing.T, cfg Config) (*Node, *rpc.Client) {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rpc.Discover("", cfg.DataDir)
	if err != nil {
		n.Close()
		t.Fatal(err)
	}
	return n, c
}
