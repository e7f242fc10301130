package node

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
)

// scrape GETs /metrics of the node in dir as user:pass ("" for no login)
// and returns the status and the body.
func scrape(t *testing.T, dir, user, pass string) (int, string) {
	t.Helper()
	addr, err := os.ReadFile(filepath.Join(dir, rpc.AddrFile))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+strings.TrimSpace(string(addr))+MetricsPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// scrapeFamilies scrapes with the cookie and parses the text format.
func scrapeFamilies(t *testing.T, dir string) map[string]*dto.MetricFamily {
	t.Helper()
	user, pass, err := rpc.ReadCookie(dir)
	if err != nil {
		t.Fatal(err)
	}
	status, body := scrape(t, dir, user, pass)
	if status != http.StatusOK {
		t.Fatalf("scrape: HTTP %d: %s", status, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse scrape: %v\n%s", err, body)
	}
	return fams
}

// sample finds the series name{labels} ("k=v" pairs) in fams; ok is false
// when it is absent.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) (m *dto.Metric, ok bool) {
	f := fams[name]
	if f == nil {
		return nil, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, lp := range m.Label {
			have[lp.GetName()] = lp.GetValue()
		}
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			if have[k] != v {
				continue next
			}
		}
		return m, true
	}
	return nil, false
}

// value is the gauge or counter value of a series that must exist.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	m, ok := sample(fams, name, labels...)
	if !ok {
		t.Fatalf("series %s%v missing", name, labels)
	}
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Counter != nil:
		return m.Counter.GetValue()
	}
	t.Fatalf("series %s%v is neither a gauge nor a counter", name, labels)
	return 0
}

// histCount is the observation count of a histogram series that must
// exist.
func histCount(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) uint64 {
	t.Helper()
	m, ok := sample(fams, name, labels...)
	if !ok || m.Histogram == nil {
		t.Fatalf("histogram %s%v missing", name, labels)
	}
	return m.Histogram.GetSampleCount()
}

func wantValue(t *testing.T, fams map[string]*dto.MetricFamily, want float64, name string, labels ...string) {
	t.Helper()
	if got := value(t, fams, name, labels...); got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

// TestMetrics runs a node with its wallet and one inbound peer, mines,
// fills the mempool, registers a producer and makes RPC calls (some
// failing, some to methods that do not exist), then scrapes /metrics with
// the cookie, parses it with the Prometheus text parser and checks every
// gg_ series against the node's RPC answers.
func TestMetrics(t *testing.T) {
	dir := t.TempDir()
	a := startP2PNode(t, dir, func(cfg *Config) {
		cfg.NoWallet = false
		cfg.WalletKDF = wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}
		cfg.Metrics.Subscribers = func() int { return 7 }
	})
	// b dials a and listens nowhere, so a cannot dial back: one inbound.
	b := startP2PNode(t, t.TempDir(), func(cfg *Config) { cfg.P2P.Connect, cfg.P2P.Listen = a.P2PAddrs(), nil })
	c, err := rpc.Discover("", dir)
	if err != nil {
		t.Fatal(err)
	}
	n := &walletNode{dir: dir, node: a, client: c}
	waitUntil(t, "the peer", 10*time.Second, func() bool {
		var ni rpc.NetworkInfo
		return c.Call(t.Context(), "getnetworkinfo", &ni) == nil && ni.ConnectionsIn == 1
	})

	// Without a wallet: loaded 0, no sync height.
	fams := scrapeFamilies(t, dir)
	wantValue(t, fams, 0, "gg_wallet_loaded")
	if _, ok := sample(fams, "gg_wallet_synced_height"); ok {
		t.Error("gg_wallet_synced_height without a wallet")
	}

	n.must(t, "wallet.create", "pw", walletMnemonic)
	n.must(t, "wallet.unlock", "pw", 0)
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "generatetoaddress", 101, mine)
	n.must(t, "sendtoaddress", mine, "1.5")
	n.must(t, "cp.create", "starfall")

	// Calls that fail: a bad height (-8), methods that do not exist
	// (-32601; one "unknown" series for all of them).
	if _, re := n.call(t, "getblockhash", 1000); re == nil || re.Code != rpc.CodeInvalidParam {
		t.Fatalf("getblockhash 1000: %v", re)
	}
	for _, bogus := range []string{"nosuch", "nosuch.either", "getblockcount2"} {
		if _, re := n.call(t, bogus); re == nil || re.Code != rpc.CodeMethodNotFound {
			t.Fatalf("%s: %v", bogus, re)
		}
	}
	var count int32
	json.Unmarshal(n.must(t, "getblockcount"), &count)
	var mi struct{ Size, Bytes, Usage int64 }
	json.Unmarshal(n.must(t, "getmempoolinfo"), &mi)
	if mi.Size != 2 {
		t.Fatalf("mempool holds %d transactions, want 2", mi.Size)
	}

	fams = scrapeFamilies(t, dir)
	wantValue(t, fams, float64(count), "gg_chain_height")
	wantValue(t, fams, float64(count), "gg_chain_headers_height")
	if got := histCount(t, fams, "gg_chain_block_connect_seconds"); got != uint64(count) {
		t.Errorf("gg_chain_block_connect_seconds count %d, want %d (every block connected)", got, count)
	}
	wantValue(t, fams, float64(mi.Size), "gg_mempool_transactions")
	wantValue(t, fams, float64(mi.Bytes), "gg_mempool_bytes")
	wantValue(t, fams, float64(mi.Usage), "gg_mempool_usage_bytes")
	wantValue(t, fams, 0, "gg_mempool_orphans")
	wantValue(t, fams, 1, "gg_rpc_requests_total", "method=getblockcount", "code=0")
	wantValue(t, fams, 1, "gg_rpc_requests_total", "method=getblockhash", "code=-8")
	wantValue(t, fams, 3, "gg_rpc_requests_total", "method=unknown", "code=-32601")
	for _, bogus := range []string{"nosuch", "nosuch.either", "getblockcount2"} {
		if _, ok := sample(fams, "gg_rpc_requests_total", "method="+bogus); ok {
			t.Errorf("a series labelled with the unregistered method %q", bogus)
		}
	}
	if got := histCount(t, fams, "gg_rpc_request_duration_seconds", "method=getblockcount"); got != 1 {
		t.Errorf("getblockcount latency count %d, want 1", got)
	}
	if got := histCount(t, fams, "gg_rpc_request_duration_seconds", "method=unknown"); got != 3 {
		t.Errorf("unknown latency count %d, want 3", got)
	}
	wantValue(t, fams, 1, "gg_p2p_peers", "direction=inbound")
	wantValue(t, fams, 0, "gg_p2p_peers", "direction=outbound")
	if got := value(t, fams, "gg_rpc_connections"); got < 1 {
		t.Errorf("gg_rpc_connections = %v while scraping", got)
	}
	value(t, fams, "gg_rpc_inflight_bytes")
	wantValue(t, fams, 0, "gg_rpc_auth_failing_sources")
	wantValue(t, fams, 7, "gg_ws_subscribers")
	// Before the registration is mined the registries are empty.
	wantValue(t, fams, 0, "gg_game_producers")
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("the Go runtime's series are missing")
	}

	// Mine the mempool: the producer joins the registry, the wallet
	// follows the tip.
	n.must(t, "generatetoaddress", 1, mine)
	json.Unmarshal(n.must(t, "getblockcount"), &count)
	var wi struct {
		SyncedHeight int32 `json:"synced_height"`
	}
	waitUntil(t, "the wallet to sync", 10*time.Second, func() bool {
		json.Unmarshal(n.must(t, "wallet.info"), &wi)
		return wi.SyncedHeight == count
	})
	fams = scrapeFamilies(t, dir)
	wantValue(t, fams, float64(count), "gg_chain_height")
	wantValue(t, fams, 0, "gg_mempool_transactions")
	wantValue(t, fams, 1, "gg_wallet_loaded")
	wantValue(t, fams, float64(wi.SyncedHeight), "gg_wallet_synced_height")
	wantValue(t, fams, 1, "gg_game_producers")
	wantValue(t, fams, 0, "gg_game_props_live")
	wantValue(t, fams, 0, "gg_game_props")
	wantValue(t, fams, 0, "gg_game_contracts")
	wantValue(t, fams, 2, "gg_rpc_requests_total", "method=getblockcount", "code=0")
	if got := histCount(t, fams, "gg_chain_block_connect_seconds"); got != uint64(count) {
		t.Errorf("gg_chain_block_connect_seconds count %d, want %d", got, count)
	}

	// The peer's side: one outbound; its subscribers are its event
	// hub's (no counter injected): none, then one attached.
	bdir := b.cfg.DataDir
	fams = scrapeFamilies(t, bdir)
	wantValue(t, fams, 1, "gg_p2p_peers", "direction=outbound")
	wantValue(t, fams, 0, "gg_ws_subscribers")
	b.Events().Attach()
	fams = scrapeFamilies(t, bdir)
	wantValue(t, fams, 1, "gg_ws_subscribers")
	wantValue(t, fams, 0, "gg_wallet_loaded")
}

// TestMetricsAuth: /metrics needs a login allowed MetricsPerm unless
// --metrics-public, which a non-loopback listener refuses.
func TestMetricsAuth(t *testing.T) {
	ops, _ := rpc.NewUser("ops", "ops-pw", "getblockcount")
	scraper, _ := rpc.NewUser("scraper", "scraper-pw", rpc.MetricsPerm)
	dir := t.TempDir()
	n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true, NoSync: true,
		P2P: P2PConfig{Disabled: true}, RPCUsers: []rpc.User{ops, scraper}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if status, body := scrape(t, dir, "", ""); status != http.StatusUnauthorized {
		t.Errorf("no login: HTTP %d, want 401: %s", status, body)
	}
	if status, body := scrape(t, dir, "scraper", "wrong"); status != http.StatusUnauthorized {
		t.Errorf("wrong password: HTTP %d, want 401: %s", status, body)
	}
	if status, body := scrape(t, dir, "ops", "ops-pw"); status != http.StatusForbidden || !strings.Contains(body, "not allowed") {
		t.Errorf("login without the metrics permission: HTTP %d, want 403: %s", status, body)
	}
	if status, body := scrape(t, dir, "scraper", "scraper-pw"); status != http.StatusOK || !strings.Contains(body, "gg_chain_height 0") {
		t.Errorf("scraper: HTTP %d: %s", status, body)
	}

	// Public on loopback: no login needed.
	pdir := t.TempDir()
	p, err := New(Config{Params: chaincfg.RegTestParams, DataDir: pdir, RPCListen: "127.0.0.1:0", NoWallet: true, NoSync: true,
		P2P: P2PConfig{Disabled: true}, Metrics: MetricsConfig{Public: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if status, body := scrape(t, pdir, "", ""); status != http.StatusOK || !strings.Contains(body, "gg_chain_height 0") {
		t.Errorf("public metrics: HTTP %d: %s", status, body)
	}
	// Public covers /metrics only: JSON-RPC still needs a login.
	if err := rpc.NewClient("http://"+p.rpcAddr(t), "", "").Call(t.Context(), "getblockcount", nil); !errors.Is(err, rpc.ErrUnauthorized) {
		t.Errorf("JSON-RPC without a login next to public metrics: %v", err)
	}

	// Public on an address others can reach: refused before listening.
	for _, listen := range []string{"0.0.0.0:0", "[::]:0"} {
		bad, err := New(Config{Params: chaincfg.RegTestParams, DataDir: t.TempDir(), RPCListen: listen, NoWallet: true, NoSync: true,
			P2P: P2PConfig{Disabled: true}, RPCUsers: []rpc.User{ops}, Metrics: MetricsConfig{Public: true}})
		if err == nil {
			bad.Close()
		}
		if !errors.Is(err, ErrMetricsPublic) {
			t.Errorf("public metrics on %s: %v, want ErrMetricsPublic", listen, err)
		}
	}
}

// rpcAddr is the node's RPC address from its rpc.addr file.
func (n *Node) rpcAddr(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(n.cfg.DataDir, rpc.AddrFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
