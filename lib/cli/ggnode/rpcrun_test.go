package ggnode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
// rpc.addr in its datadir: a regtest node answering getblockchaininfo,
// and method, whose params it records.
type recordingNode struct {
	dir    string
	mu     sync.Mutex
	params []json.RawMessage
}

func startRecordingNode(t *testing.T, method string) *recordingNode {
	t.Helper()
	n := &recordingNode{dir: t.TempDir()}
	cookie, err := rpc.NewCookie(n.dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := rpc.NewServer(&rpc.Auth{Cookie: cookie}, rpc.Limits{}, nil)
	srv.Register(rpc.Method{Name: "getblockchaininfo", Help: "test", Handler: func(context.Context, json.RawMessage) (any, error) {
		return map[string]any{"chain": "regtest"}, nil
	}})
	srv.Register(rpc.Method{Name: method, Help: "test", Handler: func(_ context.Context, p json.RawMessage) (any, error) {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.params = append(n.params, p)
		return nil, nil
	}})
	ts := httptest.NewServer(srv)
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
	n := startRecordingNode(t, "wallet.unlock")
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
	if code != cli.ExitOK || len(n.params) != 1 || string(n.params[0]) != `["s3cret",60]` {
		t.Fatalf("code %d, params %s, stderr %q", code, n.params, errb.String())
	}
}
