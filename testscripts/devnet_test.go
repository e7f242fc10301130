package testscripts

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
)

// TestDevnet runs `make devnet` as a user does (the Makefile's recipe with
// bin/ holding the binaries, ports moved away from the defaults): three
// nodes come up connected, a block mined at a reaches b and c, and one
// SIGINT to the process group (Ctrl-C) stops them all.
func TestDevnet(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("make devnet needs bash")
	}
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for name := range binaries {
		exe, err := exec.LookPath(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(exe, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(root, ".devnet")
	port := freeDevnetPorts(t)
	mk = []byte(strings.NewReplacer("$(DEVNET_PORT)", fmt.Sprint(port), "$(DEVNET)", dir).Replace(string(mk)))
	recipe, err := makeRecipe(mk, "devnet", "bin", dir)
	if err != nil {
		t.Fatal(err)
	}
	script := strings.Join(recipe, "\n")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir, cmd.Env = root, readmeEnv(root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	node := func(n string, args ...string) (string, error) {
		c := exec.CommandContext(ctx, filepath.Join(bin, "gg-node"), append([]string{"--network=regtest", "--datadir=" + filepath.Join(dir, n)}, args...)...)
		c.Env = readmeEnv(root)
		b, err := c.Output()
		return strings.TrimSpace(string(b)), err
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("devnet: timed out waiting for %s\n%s", what, out.String())
			}
		}
	}
	waitFor("three nodes with peers", func() bool {
		for _, n := range []string{"a", "b", "c"} {
			if c, err := node(n, "rpc", "getconnectioncount"); err != nil || c == "0" {
				return false
			}
		}
		return true
	})
	payTo := address.NewP2WPKH(make([]byte, 20), chaincfg.RegTestParams).String()
	if _, err = node("a", "rpc", "generatetoaddress", "3", payTo); err != nil {
		t.Fatalf("mine at a: %v\n%s", err, out.String())
	}
	waitFor("b and c at height 3", func() bool {
		hb, _ := node("b", "rpc", "getblockcount")
		hc, _ := node("c", "rpc", "getblockcount")
		return hb == "3" && hc == "3"
	})
	// Ctrl-C: SIGINT to the whole foreground process group.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("devnet still running 30 s after Ctrl-C\n%s", out.String())
	}
	for _, n := range []string{"a", "b", "c"} {
		if _, err := os.Stat(filepath.Join(dir, n, "rpc.addr")); !os.IsNotExist(err) {
			t.Errorf("node %s did not shut down cleanly (rpc.addr left)", n)
		}
	}
}

// freeDevnetPorts picks a base port for make devnet (P2P base, base+10,
// base+20; RPC each +2) below the kernel's ephemeral range, so another
// test's outgoing connections cannot be holding one, and checks that all
// six are free to bind now.
func freeDevnetPorts(t *testing.T) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		base := 20000 + rand.IntN(1200)*10
		free := true
		for _, off := range []int{0, 2, 10, 12, 20, 22} {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+off))
			if err != nil {
				free = false
				break
			}
			l.Close()
		}
		if free {
			return base
		}
	}
	t.Fatal("no free devnet ports in 20000-32000")
	return 0
}
