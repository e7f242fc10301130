package node

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/rpc"
)

// TestWalletBackupImport: wallet.backup on one node, wallet.import on a
// node with a copy of the chain but no wallet: the same accounts,
// addresses and balances (including an imported key's coin and a
// time-locked coin) come back; a wrong backup passphrase is refused and
// leaves no wallet behind. Then wallet.rescan runs in the background
// and wallet.info reports it finished at the tip.
func TestWalletBackupImport(t *testing.T) {
	dir := t.TempDir()
	n := startWalletNode(t, dir)
	n.must(t, "wallet.create", "pw")
	n.must(t, "wallet.unlock", "pw", 0)
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "generatetoaddress", 101, mine)
	bob := unquote(t, n.must(t, "address.create", "bob"))
	n.must(t, "tx.send", bob, 2)
	var locked rpc.WalletTimeLockJSON
	json.Unmarshal(n.must(t, "address.create", "vault", 500), &locked)
	n.must(t, "tx.send", locked.Address, 3)
	n.must(t, "account.rename", "vault", "savings")
	n.must(t, "generatetoaddress", 1, mine)
	// A backup passphrase under 8 characters is refused.
	if _, re := n.call(t, "wallet.backup", "bpw"); re == nil || re.Code != rpc.CodeInvalidParam ||
		re.Message != "backup passphrase too short: use at least 8 characters (this one has 3)" {
		t.Fatalf("wallet.backup with a 3-character passphrase: %v", re)
	}
	var bk rpc.WalletBackupJSON
	json.Unmarshal(n.must(t, "wallet.backup", "backup pw"), &bk)
	if bk.Backup == "" || bk.Accounts != 3 || bk.Scripts != 1 {
		t.Fatalf("backup %+v", bk)
	}
	wantBal := string(n.must(t, "balance.all"))
	wantSavings := string(n.must(t, "balance.all", "savings"))
	wantAddrs := string(n.must(t, "address.list"))
	if !strings.Contains(wantSavings, `"locked":3.00000000`) {
		t.Fatalf("savings %s", wantSavings)
	}

	// A second node: the chain copied over, no wallet.
	n.node.Close()
	dir2 := t.TempDir()
	copyChain(t, dir, dir2)
	n2 := startWalletNode(t, dir2)
	defer func() { n2.node.Close() }()
	if _, re := n2.call(t, "wallet.import", bk.Backup, "wrong", "pw2"); re == nil || re.Code != rpc.CodeWalletPass || !strings.Contains(re.Message, "backup passphrase") {
		t.Fatalf("wrong backup passphrase: %v", re)
	}
	if _, re := n2.call(t, "wallet.info"); re == nil || re.Code != rpc.CodeWalletNotFound {
		t.Fatalf("after a failed import: %v", re)
	}
	if _, re := n2.call(t, "wallet.import", "not base64!", "backup pw", "pw2"); re == nil || re.Code != rpc.CodeInvalidParams {
		t.Fatalf("bad base64: %v", re)
	}
	n2.must(t, "wallet.import", bk.Backup, "backup pw", "pw2")
	if got := string(n2.must(t, "balance.all")); got != wantBal {
		t.Errorf("balance %s, want %s", got, wantBal)
	}
	if got := string(n2.must(t, "balance.all", "savings")); got != wantSavings {
		t.Errorf("savings %s, want %s", got, wantSavings)
	}
	if got := string(n2.must(t, "address.list")); got != wantAddrs {
		t.Errorf("addresses %s, want %s", got, wantAddrs)
	}
	if out := string(n2.must(t, "wallet.info")); !strings.Contains(out, `"locked":true`) {
		t.Errorf("imported wallet not locked: %s", out)
	}
	n2.must(t, "wallet.unlock", "pw2", 0)

	// A background rescan from 0; wallet.info shows it end at the tip.
	var st rpc.WalletRescanJSON
	json.Unmarshal(n2.must(t, "wallet.rescan", 0), &st)
	if st.From != 0 || st.Tip != 102 {
		t.Fatalf("rescan started %+v", st)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var info rpc.WalletInfoJSON
		json.Unmarshal(n2.must(t, "wallet.info"), &info)
		if info.Rescan == nil {
			t.Fatal("wallet.info without rescan")
		}
		if !info.Rescan.Running {
			if info.Rescan.Height != 102 || info.Rescan.Error != "" {
				t.Fatalf("rescan ended %+v", info.Rescan)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rescan still running: %+v", info.Rescan)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := string(n2.must(t, "balance.all")); got != wantBal {
		t.Errorf("balance after rescan %s, want %s", got, wantBal)
	}
}

// copyChain copies a stopped node's datadir to dst without its wallet
// and RPC files (the block files included).
func copyChain(t *testing.T, src, dst string) {
	t.Helper()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() && e.Name() == "blocks" {
			if err := os.Mkdir(filepath.Join(dst, "blocks"), 0o700); err != nil {
				t.Fatal(err)
			}
			copyChain(t, filepath.Join(src, "blocks"), filepath.Join(dst, "blocks"))
			continue
		}
		if e.IsDir() || e.Name() == WalletDBFile || e.Name() == "rpc.addr" || e.Name() == ".cookie" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
