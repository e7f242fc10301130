package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/rpc"
)

// TestNodePrune: a node with --prune advertises NODE_NETWORK_LIMITED,
// not NODE_NETWORK; getblockchaininfo reports pruned, pruneheight,
// prune_target_size and size_on_disk; getblock of a pruned block is
// the -1 "pruned" error, of a kept one the block; a reindex is refused
// with chain.ErrReindexPruned.
func TestNodePrune(t *testing.T) {
	dir := t.TempDir()
	n, c := startNodeCfg(t, Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true,
		NoSync: true, P2P: P2PConfig{Listen: []string{"127.0.0.1:0"}}, Prune: 8192, BlockFileSize: 2048})
	closed := false
	defer func() {
		if !closed {
			n.Close()
		}
	}()
	ctx := context.Background()
	_, addr := benchKey()
	if err := c.Call(ctx, "generatetoaddress", nil, 400, addr.String()); err != nil {
		t.Fatal(err)
	}
	var ni struct {
		LocalServices string `json:"localservices"`
	}
	if err := c.Call(ctx, "getnetworkinfo", &ni); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%016x", msg.SFNodeNetworkLimited|msg.SFNodeWitness)
	if ni.LocalServices != want {
		t.Fatalf("pruned node's services %s, want %s (NODE_NETWORK_LIMITED, no NODE_NETWORK)", ni.LocalServices, want)
	}
	var info map[string]json.RawMessage
	if err := c.Call(ctx, "getblockchaininfo", &info); err != nil {
		t.Fatal(err)
	}
	var pruneHeight int32
	var size, target int64
	if string(info["pruned"]) != "true" || json.Unmarshal(info["pruneheight"], &pruneHeight) != nil || pruneHeight <= 0 ||
		json.Unmarshal(info["prune_target_size"], &target) != nil || target != 8192 ||
		json.Unmarshal(info["size_on_disk"], &size) != nil || size <= 0 {
		t.Fatalf("getblockchaininfo %v", info)
	}
	old, _ := n.Chain.BlockHashByHeight(1)
	var hexBlk string
	err := c.Call(ctx, "getblock", &hexBlk, old.String(), 0)
	var re *rpc.Error
	if !errors.As(err, &re) || re.Code != rpc.CodeMisc || re.Message != "block not available (pruned data): "+old.String() {
		t.Fatalf("getblock of a pruned block: %v", err)
	}
	recent, _ := n.Chain.BlockHashByHeight(390)
	if err := c.Call(ctx, "getblock", &hexBlk, recent.String(), 0); err != nil || hexBlk == "" {
		t.Fatalf("getblock of a kept block: %v", err)
	}
	n.Close()
	closed = true

	cfg := Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true, NoSync: true,
		P2P: P2PConfig{Disabled: true}, Prune: 8192, BlockFileSize: 2048, Reindex: true}
	if _, err := New(cfg); !errors.Is(err, chain.ErrReindexPruned) {
		t.Fatalf("reindex of a pruned node: %v, want chain.ErrReindexPruned", err)
	}
}

// TestNodeServices: an unpruned node advertises NODE_NETWORK.
func TestNodeServices(t *testing.T) {
	n := &Node{cfg: Config{}}
	if s := n.services(); s&msg.SFNodeNetwork == 0 || s&msg.SFNodeNetworkLimited != 0 {
		t.Fatalf("services %x", s)
	}
}
