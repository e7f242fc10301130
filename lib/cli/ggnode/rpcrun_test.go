package ggnode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

// recordingNode is a real rpc.Server on 127.0.0.1 with a cookie and
// rpc.addr in its datadir: a regtest node answering getblockchaininfo
// and the methods given, recording the params of each call.
type recordingNode struct {
	dir      string
	mu       sync.Mutex
	calls    map[string][]json.RawMessage
	requests int // HTTP requests
}

// startRecordingNode starts a node answering each method of answers with
// its value (an *rpc.Error value is returned as the error).
func startRecordingNode(t *testing.T, answers map[string]any) *recordingNode {
	t.Helper()
	n := &recordingNode{dir: t.TempDir(), calls: map[string][]json.RawMessage{}}
	cookie, err := rpc.NewCookie(n.dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := rpc.NewServer(&rpc.Auth{Cookie: cookie}, rpc.Limits{}, nil)
	if _, ok := answers["getblockchaininfo"]; !ok {
		answers["getblockchaininfo"] = map[string]any{"chain": "regtest"}
	}
	for m, answer := range answers {
		srv.Register(rpc.Method{Name: m, Help: "test", Handler: func(_ context.Context, p json.RawMessage) (any, error) {
			n.mu.Lock()
			defer n.mu.Unlock()
			n.calls[m] = append(n.calls[m], p)
			if e, ok := answer.(*rpc.Error); ok {
				return nil, e
			}
			return answer, nil
		}})
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.mu.Lock()
		n.requests++
		n.mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	u, _ := url.Parse(ts.URL)
	if err := os.WriteFile(filepath.Join(n.dir, rpc.AddrFile), []byte(u.Host+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRPCSecretFileReadOnce: gg-node rpc reads a secret file once, so a
// pipe (--passphrase-file <(pass gg), here /dev/fd/N) works: it holds its
// secret for one read only.
func TestRPCSecretFileReadOnce(t *testing.T) {
	if _, err := os.Stat("/dev/fd/0"); err != nil {
		t.Skip("no /dev/fd")
	}
	n := startRecordingNode(t, map[string]any{"wallet.unlock": nil})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := w.WriteString("s3cret\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var out, errb bytes.Buffer
	app := NewApp(cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	code := cli.Run(app, []string{"gg-node", "--network=regtest", "--datadir", n.dir,
		"rpc", "--passphrase-file", fmt.Sprintf("/dev/fd/%d", r.Fd()), "wallet.unlock", "60"})
	n.mu.Lock()
	defer n.mu.Unlock()
	if got := n.calls["wallet.unlock"]; code != cli.ExitOK || len(got) != 1 || string(got[0]) != `["s3cret",60]` {
		t.Fatalf("code %d, params %s, stderr %q", code, got, errb.String())
	}
}

// TestStatusAsksChainInfoOnce: gg-node status reuses the
// getblockchaininfo that checked the node's network.
func TestStatusAsksChainInfoOnce(t *testing.T) {
	n := startRecordingNode(t, map[string]any{
		"getblockchaininfo": map[string]any{"chain": "regtest", "blocks": 7, "headers": 7, "bestblockhash": "00ab"},
		"getmempoolinfo":    map[string]any{"size": 1, "bytes": 200},
		"wallet.info":       rpc.Errorf(-18, "no wallet loaded"),
	})
	var out, errb bytes.Buffer
	app := NewApp(cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	code := cli.Run(app, []string{"gg-node", "--network=regtest", "--datadir", n.dir, "--json", "status"})
	var st nodeStatus
	if err := json.Unmarshal(out.Bytes(), &st); code != cli.ExitOK || err != nil {
		t.Fatalf("code %d, %v, stdout %q, stderr %q", code, err, out.String(), errb.String())
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if calls := len(n.calls["getblockchaininfo"]); calls != 1 || st.Blocks != 7 || st.BestBlockHash != "00ab" || st.Mempool.Size != 1 {
		t.Errorf("%d getblockchaininfo calls, status %+v", calls, st)
	}
}

// TestRPCRequests: gg-node rpc makes one HTTP request for a call without
// ARGs of a method that only reads (the network check and the call in one
// batch), two for one with ARGs (the check and sys.params, then the call)
// or of a method that changes things (the check, then the call); a node of
// another network is refused before anything is printed, and a method
// that changes things is never called on it.
func TestRPCRequests(t *testing.T) {
	for _, c := range []struct {
		network  string
		args     []string
		requests int
		stdout   string
		code     int
	}{
		{"regtest", []string{"getblockcount"}, 1, "7\n", cli.ExitOK},
		{"regtest", []string{"getblockhash", "3"}, 2, "00ab\n", cli.ExitOK},
		{"regtest", []string{"stop"}, 2, "gg-node stopping\n", cli.ExitOK},
		{"testnet", []string{"getblockcount"}, 1, "", cli.ExitUsage},
		{"testnet", []string{"stop"}, 1, "", cli.ExitUsage},
		{"testnet", []string{"getblockhash", "3"}, 1, "", cli.ExitUsage},
	} {
		t.Run(c.network+" "+strings.Join(c.args, " "), func(t *testing.T) {
			n := startRecordingNode(t, map[string]any{"getblockcount": 7, "getblockhash": "00ab", "stop": "gg-node stopping"})
			var out, errb bytes.Buffer
			app := NewApp(cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
			code := cli.Run(app, append([]string{"gg-node", "--network=" + c.network, "--datadir", n.dir, "rpc"}, c.args...))
			n.mu.Lock()
			defer n.mu.Unlock()
			if code != c.code || out.String() != c.stdout || n.requests != c.requests {
				t.Errorf("exit %d, stdout %q, %d HTTP requests; want %d, %q, %d (stderr %q)",
					code, out.String(), n.requests, c.code, c.stdout, c.requests, errb.String())
			}
			if c.code != cli.ExitOK && len(n.calls["stop"]) > 0 {
				t.Errorf("stop called on a node of another network")
			}
		})
	}
}
