package cli

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/rpc"
)

// testNode is a real rpc.Server on a 127.0.0.1 listener with a cookie and
// rpc.addr in its datadir, answering getblockchaininfo (chain) and
// wallet.info (network), counting the calls of each.
type testNode struct {
	dir, url, addr string
	calls          map[string]*atomic.Int32
	requests       atomic.Int32 // HTTP requests
}

func startTestNode(t *testing.T, chain string, users []rpc.User, methods ...string) *testNode {
	t.Helper()
	n := &testNode{dir: t.TempDir(), calls: map[string]*atomic.Int32{}}
	cookie, err := rpc.NewCookie(n.dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := rpc.NewServer(&rpc.Auth{Cookie: cookie, Users: users}, rpc.Limits{}, nil)
	answers := map[string]any{"getblockchaininfo": map[string]any{"chain": chain, "blocks": 7},
		"wallet.info": map[string]any{"network": chain}, "getblockcount": 7, "balance.all": map[string]any{"total": 1}}
	for _, m := range methods {
		n.calls[m] = new(atomic.Int32)
		count, answer := n.calls[m], answers[m]
		srv.Register(rpc.Method{Name: m, Help: "test", Handler: func(context.Context, json.RawMessage) (any, error) {
			count.Add(1)
			if answer == nil {
				return nil, rpc.Errorf(-18, "no wallet loaded")
			}
			return answer, nil
		}})
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.requests.Add(1)
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	u, _ := url.Parse(ts.URL)
	n.url, n.addr = ts.URL, u.Host
	if err := os.WriteFile(filepath.Join(n.dir, rpc.AddrFile), []byte(n.addr+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return n
}

// runClient runs action in a gg-test app with args; it returns stderr as
// Run prints it and the exit code.
func runClient(t *testing.T, args []string, action ucli.ActionFunc) (string, int) {
	t.Helper()
	app, _, errb := testApp(action)
	code := Run(app, append([]string{"gg-test"}, args...))
	return errb.String(), code
}

func callCount(c *ucli.Context) error {
	client, err := NodeClient(c)
	if err != nil {
		return err
	}
	return CallError(client.Call(c.Context, "getblockcount", nil), "", false)
}

// TestNodeClientNetwork: the node's network is asked once per run, and
// a client of another network is refused (exit 2) naming both.
func TestNodeClientNetwork(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	n := startTestNode(t, "regtest", nil, "getblockchaininfo", "getblockcount")
	stderr, code := runClient(t, []string{"--network=regtest", "--datadir", n.dir}, func(c *ucli.Context) error {
		a, err := NodeClient(c)
		if err != nil {
			return err
		}
		b, err := NodeClient(c)
		if a != b {
			t.Error("a second NodeClient is another client")
		}
		return err
	})
	if code != ExitOK || n.calls["getblockchaininfo"].Load() != 1 {
		t.Fatalf("code %d, %d getblockchaininfo calls, stderr %q", code, n.calls["getblockchaininfo"].Load(), stderr)
	}
	for _, args := range [][]string{{"--network=testnet", "--datadir", n.dir}, {"--datadir", n.dir}, {"--network=main", "--rpc-url", "http://" + n.addr, "--datadir", n.dir}} {
		stderr, code = runClient(t, args, callCount)
		want := "gg-test: error: the node at " + n.url + " runs regtest, not "
		if code != ExitUsage || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "gg-test: hint: pass --network=regtest") {
			t.Errorf("%v: code %d stderr %q", args, code, stderr)
		}
	}
	if got := n.calls["getblockcount"].Load(); got != 0 {
		t.Errorf("a refused client called the method %d times", got)
	}
}

// TestNodeCall: a first call of a method that only reads rides with the
// network check in one request, and its answer is used only once the node
// passed it; a method that changes things is called after the check, and
// never on a node of another network; later calls are one request each;
// a wallet served apart is checked through wallet.info, as NodeClient
// does.
func TestNodeCall(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	n := startTestNode(t, "regtest", nil, "getblockchaininfo", "getblockcount", "wallet.create")
	call := func(methods ...string) func(c *ucli.Context) error {
		return func(c *ucli.Context) error {
			for _, m := range methods {
				var out json.RawMessage
				callErr, err := NodeCall(c, m, &out, nil)
				if err != nil {
					return err
				}
				if m == "getblockcount" && (callErr != nil || string(out) != "7") {
					t.Errorf("getblockcount: %s, %v", out, callErr)
				}
			}
			return nil
		}
	}
	for _, c := range []struct {
		network           string
		methods           []string
		code              int
		requests, creates int32
	}{
		{"regtest", []string{"getblockcount"}, ExitOK, 1, 0},
		{"regtest", []string{"getblockcount", "getblockcount", "wallet.create"}, ExitOK, 3, 1},
		{"regtest", []string{"wallet.create"}, ExitOK, 2, 1},
		{"testnet", []string{"getblockcount"}, ExitUsage, 1, 0},
		{"testnet", []string{"wallet.create"}, ExitUsage, 1, 0},
	} {
		reqs, creates := n.requests.Load(), n.calls["wallet.create"].Load()
		stderr, code := runClient(t, []string{"--network=" + c.network, "--datadir", n.dir}, call(c.methods...))
		reqs, creates = n.requests.Load()-reqs, n.calls["wallet.create"].Load()-creates
		if code != c.code || reqs != c.requests || creates != c.creates {
			t.Errorf("%s %v: exit %d, %d requests, %d wallet.create calls; want %d, %d, %d (stderr %q)",
				c.network, c.methods, code, reqs, creates, c.code, c.requests, c.creates, stderr)
		}
	}
	w := startTestNode(t, "regtest", nil, "wallet.info", "balance.all")
	for _, c := range []struct {
		network string
		code    int
	}{{"regtest", ExitOK}, {"testnet", ExitUsage}} {
		stderr, code := runClient(t, []string{"--network=" + c.network, "--datadir", w.dir}, call("balance.all"))
		if code != c.code || c.code == ExitUsage && !strings.Contains(stderr, "runs regtest, not testnet") {
			t.Errorf("wallet server, %s: exit %d, stderr %q", c.network, code, stderr)
		}
	}
	if got := w.requests.Load(); got != 4 { // the batch, then wallet.info: twice
		t.Errorf("wallet server: %d requests, want 4", got)
	}
}

// TestReadOnlyMethods: every method NodeCall may run before the network
// check is one the node serves.
func TestReadOnlyMethods(t *testing.T) {
	srv := rpc.NewServer(nil, rpc.Limits{}, nil)
	srv.Register((&rpc.NodeService{}).Methods()...)
	srv.Register((&rpc.WalletService{}).Methods()...)
	known := map[string]bool{}
	for _, m := range srv.Methods() {
		known[m.Name] = true
	}
	for m := range readOnlyMethods {
		if !known[m] {
			t.Errorf("%s is not a method of the node", m)
		}
	}
	for _, m := range []string{"stop", "sys.stop", "wallet.create", "address.create", "getnewaddress", "tx.send", "miner.generate", "getblocktemplate", "ping"} {
		if ReadOnlyMethod(m) {
			t.Errorf("%s is listed as read-only", m)
		}
	}
}

// TestNodeClientNetworkWalletServer: a wallet served apart (no
// getblockchaininfo) names its network in wallet.info; without a wallet
// nothing can be checked.
func TestNodeClientNetworkWalletServer(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	n := startTestNode(t, "regtest", nil, "wallet.info", "getblockcount")
	if stderr, code := runClient(t, []string{"--network=testnet", "--datadir", n.dir}, callCount); code != ExitUsage ||
		!strings.Contains(stderr, "runs regtest, not testnet") {
		t.Errorf("wallet server of another network: code %d stderr %q", code, stderr)
	}
	if stderr, code := runClient(t, []string{"--network=regtest", "--datadir", n.dir}, callCount); code != ExitOK {
		t.Errorf("wallet server of the network: code %d stderr %q", code, stderr)
	}
	empty := startTestNode(t, "regtest", nil, "getblockcount")
	if stderr, code := runClient(t, []string{"--network=testnet", "--datadir", empty.dir}, callCount); code != ExitOK {
		t.Errorf("nothing to check: code %d stderr %q", code, stderr)
	}
}

// TestNodeClientCredentialErrors: a missing, unreadable or refused cookie
// is named as such, exit 3, with the likely cause.
func TestNodeClientCredentialErrors(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	n := startTestNode(t, "regtest", nil, "getblockchaininfo", "getblockcount")
	cookie := filepath.Join(n.dir, rpc.CookieFile)
	good, _ := os.ReadFile(cookie)
	args := []string{"--network=regtest", "--datadir", n.dir}
	os.Remove(cookie)
	stderr, code := runClient(t, args, callCount)
	if code != ExitUnavailable || stderr != "gg-test: error: no RPC credentials: cookie file "+cookie+" does not exist\n"+
		"gg-test: hint: is gg-node running on this datadir? it writes the cookie when it starts (or give the node's password: --rpc-pass-file FILE or GG_RPC_PASS (or user:password in GG_RPC_URL))\n" {
		t.Errorf("missing cookie: code %d stderr %q", code, stderr)
	}
	os.Mkdir(cookie, 0o700)
	stderr, code = runClient(t, args, callCount)
	if code != ExitUnavailable || !strings.HasPrefix(stderr, "gg-test: error: no RPC credentials: cannot read cookie file "+cookie+": is a directory\n") {
		t.Errorf("unreadable cookie: code %d stderr %q", code, stderr)
	}
	os.Remove(cookie)
	os.WriteFile(cookie, []byte("__cookie__:00"), 0o600)
	stderr, code = runClient(t, args, callCount)
	if code != ExitUnavailable || stderr != "gg-test: error: unauthorized at "+n.url+": the node refused the cookie in "+cookie+"\n"+
		"gg-test: hint: the node writes a new cookie at each start: is this the datadir of the node at that address?\n" {
		t.Errorf("stale cookie: code %d stderr %q", code, stderr)
	}
	os.WriteFile(cookie, good, 0o600)
	if stderr, code = runClient(t, args, callCount); code != ExitOK {
		t.Errorf("good cookie: code %d stderr %q", code, stderr)
	}
	// no node at all: rpc.addr named
	os.Remove(filepath.Join(n.dir, rpc.AddrFile))
	stderr, code = runClient(t, args, callCount)
	if code != ExitUnavailable || !strings.HasPrefix(stderr, "gg-test: error: no running node found: node address file "+filepath.Join(n.dir, rpc.AddrFile)+" does not exist\n") {
		t.Errorf("no node: code %d stderr %q", code, stderr)
	}
}

// TestNodeClientPassword: --rpc-url without a password takes it from
// --rpc-pass-file or GG_RPC_PASS, never needing argv.
func TestNodeClientPassword(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	alice, _ := rpc.NewUser("alice", "s3cret")
	n := startTestNode(t, "regtest", []rpc.User{alice}, "getblockchaininfo", "getblockcount")
	dir := t.TempDir()
	for name, body := range map[string]string{"pass": "s3cret\nignored\n", "userpass": "alice:s3cret\n", "wrong": "nope\n", "empty": "\n"} {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600)
	}
	empty := t.TempDir() // a datadir without a cookie
	base := []string{"--network=regtest", "--datadir", empty}
	for _, tc := range []struct {
		name, env string
		args      []string
		code      int
		stderr    string
	}{
		{"pass file", "", []string{"--rpc-url", "http://alice@" + n.addr, "--rpc-pass-file", filepath.Join(dir, "pass")}, ExitOK, ""},
		{"GG_RPC_PASS", "s3cret", []string{"--rpc-url", "http://alice@" + n.addr}, ExitOK, ""},
		{"user:password file", "", []string{"--rpc-url", n.addr, "--rpc-pass-file", filepath.Join(dir, "userpass")}, ExitOK, ""},
		{"the file beats the environment", "nope", []string{"--rpc-url", "http://alice@" + n.addr, "--rpc-pass-file", filepath.Join(dir, "pass")}, ExitOK, ""},
		{"wrong password", "", []string{"--rpc-url", "http://alice@" + n.addr, "--rpc-pass-file", filepath.Join(dir, "wrong")}, ExitUnavailable,
			"gg-test: error: unauthorized at " + n.url + ": the node refused the password of user \"alice\" (from --rpc-pass-file " + filepath.Join(dir, "wrong") + ")\n" +
				"gg-test: hint: check the user and password (--rpc-url, --rpc-pass-file, GG_RPC_PASS)\n"},
		{"no password", "", []string{"--rpc-url", "http://alice@" + n.addr}, ExitUnavailable,
			"gg-test: error: no RPC credentials: cookie file " + filepath.Join(empty, rpc.CookieFile) + " does not exist\n" +
				"gg-test: hint: give the node's password: --rpc-pass-file FILE or GG_RPC_PASS (or user:password in GG_RPC_URL)\n"},
		{"missing pass file", "", []string{"--rpc-url", "http://alice@" + n.addr, "--rpc-pass-file", filepath.Join(dir, "nosuch")}, ExitUsage,
			"gg-test: error: rpc password file " + filepath.Join(dir, "nosuch") + " does not exist\n" +
				"gg-test: hint: --rpc-pass-file names a file holding the password (or user:password) on its first line\n"},
		{"empty pass file", "", []string{"--rpc-url", "http://alice@" + n.addr, "--rpc-pass-file", filepath.Join(dir, "empty")}, ExitUsage,
			"gg-test: error: rpc password file " + filepath.Join(dir, "empty") + " is empty\n" +
				"gg-test: hint: see 'gg-test --help'\n"},
		{"bad scheme", "", []string{"--rpc-url", "ftp://alice:pw@" + n.addr}, ExitUsage,
			"gg-test: error: bad --rpc-url \"ftp://alice:xxxxx@" + n.addr + "\": want http:// or https://\n" +
				"gg-test: hint: want http://HOST:PORT (or HOST:PORT)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvRPCPass, tc.env)
			stderr, code := runClient(t, append(append([]string{}, base...), tc.args...), callCount)
			if tc.name == "bad scheme" { // the password on argv warns first
				stderr = strings.TrimPrefix(stderr, "gg-test: warning: an RPC password on the command line is visible to other users (ps); use GG_RPC_URL\n")
			}
			if code != tc.code || stderr != tc.stderr {
				t.Errorf("code %d stderr %q, want %d %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
}

// TestWaitNodeClient: -rpcwait gives up after its timeout, naming why,
// and does not wait on errors a starting node does not go through.
func TestWaitNodeClient(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	none := t.TempDir()
	stderr, code := runClient(t, []string{"--network=regtest", "--datadir", none}, func(c *ucli.Context) error {
		_, err := WaitNodeClient(c, 300*time.Millisecond)
		return err
	})
	if code != ExitUnavailable || !strings.HasPrefix(stderr, "gg-test: error: no node answered within 300ms: no running node found: node address file ") {
		t.Errorf("no node: code %d stderr %q", code, stderr)
	}
	n := startTestNode(t, "regtest", nil, "getblockchaininfo")
	stderr, code = runClient(t, []string{"--network=testnet", "--datadir", n.dir}, func(c *ucli.Context) error {
		_, err := WaitNodeClient(c, 0) // no limit: a mismatch must not be waited on
		return err
	})
	if code != ExitUsage || !strings.Contains(stderr, "runs regtest, not testnet") {
		t.Errorf("mismatch: code %d stderr %q", code, stderr)
	}
	if !nodeStarting(&rpc.Error{Code: rpc.CodeWarmingUp}) || nodeStarting(&rpc.Error{Code: rpc.CodeMisc}) || nodeStarting(errors.New("x")) {
		t.Error("nodeStarting")
	}
}
