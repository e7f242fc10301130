package node

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
)

func TestNodeLifecycle(t *testing.T) {
	dir := t.TempDir()
	n, c := startNode(t, dir)
	for _, f := range []string{rpc.AddrFile, rpc.CookieFile, ChainDBFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("%s missing: %v", f, err)
		}
	}
	// A second node on the same datadir is refused, and the first keeps running.
	if _, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0"}); !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("second node: %v", err)
	}
	_, addr := benchKey()
	var hashes []string
	if err := c.Call(context.Background(), "generatetoaddress", &hashes, 3, addr.String()); err != nil || len(hashes) != 3 {
		t.Fatalf("generate: %v", err)
	}
	if n.db.NoSync() {
		t.Fatal("fsync not restored after generate")
	}
	if err := c.Call(context.Background(), "stop", nil); err != nil {
		t.Fatal(err)
	}
	<-n.StopRequested()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{rpc.AddrFile, rpc.CookieFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s left behind after Close: %v", f, err)
		}
	}
	// Restart: same tip.
	n2, c2 := startNode(t, dir)
	defer n2.Close()
	var best string
	if err := c2.Call(context.Background(), "getbestblockhash", &best); err != nil || best != hashes[2] {
		t.Fatalf("after restart tip %s, want %s (%v)", best, hashes[2], err)
	}
}

func TestNodeRefusesPublicRPCWithoutUsers(t *testing.T) {
	_, err := New(Config{Params: chaincfg.RegTestParams, DataDir: t.TempDir(), RPCListen: "0.0.0.0:0"})
	if !errors.Is(err, ErrPublicWithoutAuth) {
		t.Fatalf("public bind without users: %v", err)
	}
}
