package testscripts

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
)

// TestConsoleTmux drives the real gg-console in tmux, as a new user
// would: a regtest node with a funded wallet of three accounts; in the
// console a producer is registered, a prop created and put on sale, and
// bob bids on it; carol outbids him from another shell and the auctions
// page shows it without a key; bob bids the buy-now price, a block mined
// from the shell settles the sale and the page shows the auction gone;
// gg-prop then finds the prop with bob at that price. The node stopped
// under the console is shown as unreachable; restarted (a new port, a
// new cookie) the console finds it again. Every step's screen is logged
// under go test -v (a failure shows the screen it failed on), and written to GG_CONSOLE_CAPTURES when that names a
// directory.
func TestConsoleTmux(t *testing.T) {
	tmuxBin, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux not found: the console's end-to-end test drives it through tmux (apt-get install tmux)")
	}
	root := t.TempDir()
	datadir := filepath.Join(root, "node")
	passFile := filepath.Join(root, "pass.txt")
	const pass = "console e2e passphrase"
	if err := os.WriteFile(passFile, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(readmeEnv(root), "GG_NETWORK=regtest", "GG_DATADIR="+datadir, "TERM=xterm-256color")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	// run runs a gg binary to its end and returns its stdout.
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	// The node, in the background; stopNode ends it as Ctrl-C does.
	var node *exec.Cmd
	nodeLog := &lockedBuffer{}
	startNode := func() {
		t.Helper()
		os.Remove(filepath.Join(datadir, "rpc.addr"))
		node = exec.Command("gg-node", "--rpc-listen=127.0.0.1:0", "--listen=127.0.0.1:0")
		node.Env, node.Stdout, node.Stderr = env, nodeLog, nodeLog
		if err := node.Start(); err != nil {
			t.Fatal(err)
		}
		waitForFile(t, filepath.Join(datadir, "rpc.addr"), 30*time.Second, nodeLog)
	}
	stopNode := func() {
		t.Helper()
		node.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- node.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			node.Process.Kill()
			t.Fatalf("gg-node did not stop\n%s", nodeLog.String())
		}
	}
	startNode()
	defer func() {
		if node.ProcessState == nil {
			stopNode()
		}
	}()

	// A node with activity: a funded wallet, accounts bob and carol with
	// 10 GG each, the wallet locked again.
	outside := address.NewP2WPKH(make([]byte, 20), chaincfg.RegTestParams).String()
	run("gg-wallet", "create", "--passphrase-file", passFile)
	run("gg-wallet", "unlock", "--passphrase-file", passFile)
	mine := run("gg-wallet", "address", "new")
	run("gg-node", "rpc", "generatetoaddress", "101", mine)
	bob := run("gg-wallet", "address", "new", "--account", "bob")
	carol := run("gg-wallet", "address", "new", "--account", "carol")
	run("gg-wallet", "send", bob, "10")
	run("gg-wallet", "send", carol, "10")
	run("gg-node", "rpc", "generatetoaddress", "1", outside)
	run("gg-wallet", "lock")

	// The console in a tmux pane of 100 × 30, on a server of its own.
	sock := filepath.Join(root, "tmux.sock")
	tmux := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, tmuxBin, append([]string{"-S", sock, "-f", "/dev/null"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// The pane's TERM is set here, not left to tmux, whose default is
	// screen or tmux-256color by version and installed terminfo: plain
	// screen, the one that says least, must still get colours.
	if out, err := tmux("set-option", "-g", "default-terminal", "screen", ";",
		"new-session", "-d", "-s", "console", "-x", "100", "-y", "30", "gg-console"); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	defer tmux("kill-server")
	captures := os.Getenv("GG_CONSOLE_CAPTURES")
	step := 0
	screen := func() string {
		out, _ := tmux("capture-pane", "-p", "-t", "console")
		return out
	}
	// waitScreen waits until the screen shows each of want, logs it as
	// step what and returns it.
	waitScreen := func(what string, want ...string) string {
		t.Helper()
		var s string
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			s = screen()
			if containsAll(s, want...) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("step %q: the screen never showed %q:\n%s\nnode log:\n%s", what, want, s, nodeLog.String())
			}
		}
		step++
		if testing.Verbose() {
			t.Logf("screen %d, %s:\n%s", step, what, s)
		}
		if captures != "" {
			name := strings.Trim(reNotWord.ReplaceAllString(what, "-"), "-")
			os.WriteFile(filepath.Join(captures, fmt.Sprintf("%02d-%s.txt", step, name)), []byte(s), 0o644)
		}
		return s
	}
	typeText := func(s string) {
		t.Helper()
		if out, err := tmux("send-keys", "-t", "console", "-l", s); err != nil {
			t.Fatalf("send-keys: %v %s", err, out)
		}
	}
	press := func(keys ...string) {
		t.Helper()
		if out, err := tmux(append([]string{"send-keys", "-t", "console"}, keys...)...); err != nil {
			t.Fatalf("send-keys: %v %s", err, out)
		}
	}
	// unlockAndConfirm answers the passphrase prompt, checks the
	// confirmation shows want, and broadcasts.
	unlockAndConfirm := func(what string, want ...string) {
		t.Helper()
		waitScreen(what+": passphrase", "The wallet is locked", "to "+what)
		typeText(pass)
		press("Enter")
		waitScreen(what+": confirmation", append([]string{"y broadcast", what, "fee"}, want...)...)
		press("y")
		waitScreen(what+": done", "done: "+what)
	}

	waitScreen("dashboard", "[1 Dashboard]", "height 102", "● live")

	// register a producer
	press("5")
	waitScreen("producers", "Producers: 0 registered")
	press("n")
	typeText("starfall")
	press("Enter")
	typeText("https://starfall.example")
	press("Enter", "Enter", "Enter", "Enter", "Enter")
	unlockAndConfirm("register producer starfall", "locks", "1.0 GG")
	waitScreen("producer pending", "starfall", "pending")
	run("gg-node", "rpc", "generatetoaddress", "1", outside)
	waitScreen("producer mined", "Producers: 1 registered", "103")

	// create a prop
	press("6")
	waitScreen("props", "Props: the wallet's (0)")
	press("n")
	typeText("starfall")
	press("Enter")
	typeText("sword-001")
	press("Enter", "Enter", "Enter", "Enter")
	unlockAndConfirm("create prop sword-001", "0.0001 GG")
	run("gg-node", "rpc", "generatetoaddress", "1", outside)
	waitScreen("prop mined", "Props: the wallet's (1)", "sword-001", "live")
	var props []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(run("gg-prop", "--json", "list")), &props); err != nil || len(props) != 1 {
		t.Fatalf("gg-prop list: %v %v", props, err)
	}
	prop := props[0].ID

	// put it on sale
	press("a")
	typeText("5")
	press("Enter")
	typeText("1")
	press("Enter", "Enter", "Enter")
	unlockAndConfirm("sell prop "+prop[:4], "buy now", "5.0 GG", "reserve", "1.0 GG")

	// bob bids
	press("7")
	waitScreen("auction listed", "Auctions: 1 live", prop[:4])
	press("b")
	typeText("2")
	press("Enter")
	typeText("bob")
	press("Enter")
	unlockAndConfirm("bid on prop "+prop[:4], "2.0 GG (paid to the seller)", "bob")
	waitScreen("bob's bid", "1.0     2.0      rg1q")

	// carol outbids him from another shell: the page follows
	run("gg-wallet", "unlock", "--passphrase-file", passFile)
	run("gg-prop", "bid", "--account", "carol", prop, "3")
	run("gg-wallet", "lock")
	waitScreen("carol's bid, live", "1.0     3.0      rg1q")

	// bob bids the buy-now price; a block from the shell settles it
	press("b")
	typeText("5")
	press("Enter")
	typeText("bob")
	press("Enter")
	unlockAndConfirm("bid on prop "+prop[:4], "5.0 GG (paid to the seller)")
	waitScreen("buy-now bid", "5.0 (final)")
	run("gg-node", "rpc", "generatetoaddress", "1", outside)
	waitScreen("auction settled", "Auctions: 0 live", "(no live auctions)")

	// the chain agrees
	var shown struct {
		Owner     string          `json:"owner"`
		LastPrice json.RawMessage `json:"last_price"`
		Auction   json.RawMessage `json:"auction"`
	}
	if err := json.Unmarshal([]byte(run("gg-prop", "--json", "show", prop)), &shown); err != nil {
		t.Fatal(err)
	}
	if string(shown.LastPrice) != "5.00000000" || shown.Auction != nil {
		t.Errorf("gg-prop show: last_price %s, auction %s; want 5.00000000 and none", shown.LastPrice, shown.Auction)
	}
	if !strings.Contains(run("gg-prop", "--json", "list", "--account", "bob"), prop) {
		t.Errorf("bob does not own prop %s", prop)
	}
	if strings.Contains(run("gg-prop", "--json", "list", "--account", "default"), prop) {
		t.Errorf("the seller still owns prop %s", prop)
	}

	// the node stops under the console, and comes back
	press("1")
	waitScreen("dashboard again", "[1 Dashboard]", "height 105")
	stopNode()
	waitScreen("node stopped", "node unreachable")
	startNode()
	run("gg-node", "rpc", "generatetoaddress", "1", outside)
	s := waitScreen("node back", "height 106", "● live")
	if strings.Contains(s, "unreachable") {
		t.Errorf("the banner stayed after the node came back:\n%s", s)
	}
	press("0")
	waitScreen("node log", "The node's log, newest last (live)", "rpc listening")
	press("s")
	waitScreen("log", "connection lost", "reconnected")

	// NO_COLOR: a second console draws without any attribute; the first
	// one (the control) has colours
	if out, err := tmux("new-window", "-d", "-t", "console", "-n", "plain", "NO_COLOR=1 gg-console"); err != nil {
		t.Fatalf("tmux new-window: %v\n%s", err, out)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if out, _ := tmux("capture-pane", "-p", "-t", "console:plain"); strings.Contains(out, "● live") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the NO_COLOR console never came up")
		}
	}
	plain, _ := tmux("capture-pane", "-p", "-e", "-t", "console:plain")
	colour, _ := tmux("capture-pane", "-p", "-e", "-t", "console:0")
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("NO_COLOR: the console drew attributes: %q", plain)
	}
	if !strings.Contains(colour, "\x1b[") {
		t.Errorf("without NO_COLOR the console drew no attributes (the control): %q", colour)
	}
	tmux("send-keys", "-t", "console:plain", "q")

	press("q")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := tmux("has-session", "-t", "console"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("q did not end the console:\n%s", screen())
		}
	}
}

var reNotWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

func containsAll(s string, want ...string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
