package node

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wire"
)

// filterChain is a chain fed to a node, with the basic filter and filter
// header of every active-chain block computed by lib/gcs from the blocks
// alone.
type filterChain struct {
	blocks  []*wire.MsgBlock // by height
	filters []*gcs.Filter
	headers []chainhash.Hash
	side    *wire.MsgBlock // a stored side-chain block
}

// buildFilterChain gives the node n blocks above genesis (each spending
// the oldest mature coinbase output once there is one, and paying a
// script of its own) and one side-chain block.
func buildFilterChain(t *testing.T, n *Node, count int) *filterChain {
	t.Helper()
	g := chaingen.New(chaincfg.RegTestParams)
	outs := map[wire.OutPoint][]byte{}
	fc := &filterChain{}
	add := func(b *wire.MsgBlock) {
		var spent [][]byte
		for _, tx := range b.Transactions[1:] {
			for _, in := range tx.TxIn {
				spent = append(spent, outs[in.PreviousOutPoint])
			}
		}
		for _, tx := range b.Transactions {
			for i, o := range tx.TxOut {
				outs[wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}] = o.PkScript
			}
		}
		f, err := gcs.BuildBasic(b, spent)
		if err != nil {
			t.Fatal(err)
		}
		var prev chainhash.Hash
		if len(fc.headers) > 0 {
			prev = fc.headers[len(fc.headers)-1]
		}
		fc.blocks, fc.filters = append(fc.blocks, b), append(fc.filters, f)
		fc.headers = append(fc.headers, gcs.Header(f.Hash(), prev))
	}
	add(chaincfg.RegTestParams.GenesisBlock)
	own := func(tag string) func(*wire.MsgBlock) {
		return func(b *wire.MsgBlock) {
			h := sha256.Sum256([]byte(tag))
			b.Transactions[0].TxOut = append(b.Transactions[0].TxOut, &wire.TxOut{PkScript: append([]byte{0x00, 0x20}, h[:]...)})
		}
	}
	for i := 1; i <= count; i++ {
		var spend *chaingen.SpendableOut
		if i > 101 {
			if s, ok := g.TryOldestCoinbaseOut(); ok {
				spend = &s
			}
		}
		b := g.NextBlock(fmt.Sprintf("b%d", i), spend, own(fmt.Sprintf("b%d", i)))
		if _, _, err := n.Chain.ProcessBlock(b, chain.BFRequested); err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		add(b)
	}
	g.SetTip(fmt.Sprintf("b%d", count-2))
	fc.side = g.NextBlock("side", nil, own("side"))
	if _, _, err := n.Chain.ProcessBlock(fc.side, chain.BFRequested); err != nil {
		t.Fatal(err)
	}
	if n.Chain.Best().Hash != fc.blocks[count].BlockHash() {
		t.Fatal("the side block took over")
	}
	select {
	case <-n.IndexesSynced():
	case <-time.After(30 * time.Second):
		t.Fatal("the filter index did not catch up")
	}
	return fc
}

// startFilterNode starts a P2P node with the filter index and a chain
// of count blocks.
func startFilterNode(t *testing.T, count int, mod ...func(*Config)) (*Node, *filterChain) {
	n := startP2PNode(t, t.TempDir(), append([]func(*Config){func(c *Config) { c.BlockFilterIndex = true }}, mod...)...)
	return n, buildFilterChain(t, n, count)
}

// next reads the node's next message of a known command (answering
// pings), failing after d.
func (f *fakeConn) next(d time.Duration) msg.Message {
	f.t.Helper()
	f.c.SetReadDeadline(time.Now().Add(d))
	for {
		m, _, err := msg.ReadMessage(f.c, f.magic)
		if errors.Is(err, msg.ErrUnknownCommand) {
			continue
		}
		if err != nil {
			f.t.Fatalf("read: %v", err)
		}
		if p, ok := m.(*msg.Ping); ok {
			f.send(&msg.Pong{Nonce: p.Nonce})
			continue
		}
		return m
	}
}

// expect reads up to the node's next cmd message.
func (f *fakeConn) expect(cmd string) msg.Message {
	f.t.Helper()
	for {
		if m := f.next(10 * time.Second); m.Command() == cmd {
			return m
		}
	}
}

// TestP2PCompactFilters: a scripted light client over real TCP finds
// the service bit in the node's version, then gets filter hashes,
// filters and checkpoints that match what lib/gcs computes from the
// blocks.
func TestP2PCompactFilters(t *testing.T) {
	n, fc := startFilterNode(t, 1005)
	f := dialFake(t, n, "127.0.0.41")
	f.handshake()
	v := f.expect(msg.CmdVersion).(*msg.Version)
	if v.Services&msg.SFNodeCompactFilters == 0 {
		t.Fatalf("services %x without NODE_COMPACT_FILTERS", v.Services)
	}
	if ls := (netBackend{n.net}).Network().LocalServices; ls != "0000000000000049" {
		t.Fatalf("getnetworkinfo localservices %s, want 0000000000000049", ls)
	}
	tip := fc.blocks[1005].BlockHash()

	// Filter hashes of the whole chain, checked against the headers.
	f.send(&msg.GetCFilters{Cmd: msg.CmdGetCFHeaders, StartHeight: 0, Stop: tip})
	ch := f.expect(msg.CmdCFHeaders).(*msg.CFHeaders)
	if ch.Stop != tip || !ch.PrevHeader.IsZero() || len(ch.FilterHashes) != 1006 {
		t.Fatalf("cfheaders: stop %v prev %v, %d hashes", ch.Stop, ch.PrevHeader, len(ch.FilterHashes))
	}
	hdr := ch.PrevHeader
	for h, fh := range ch.FilterHashes {
		if hdr = gcs.Header(fh, hdr); hdr != fc.headers[h] {
			t.Fatalf("filter header at %d: %v, want %v", h, hdr, fc.headers[h])
		}
	}
	// A range in the middle carries the header below it.
	stop := fc.blocks[900].BlockHash()
	f.send(&msg.GetCFilters{Cmd: msg.CmdGetCFHeaders, StartHeight: 500, Stop: stop})
	ch = f.expect(msg.CmdCFHeaders).(*msg.CFHeaders)
	if ch.PrevHeader != fc.headers[499] || len(ch.FilterHashes) != 401 || ch.FilterHashes[0] != fc.filters[500].Hash() {
		t.Fatalf("cfheaders 500..900: prev %v, %d hashes", ch.PrevHeader, len(ch.FilterHashes))
	}

	// The most filters one request may ask for: 1000.
	f.send(&msg.GetCFilters{Cmd: msg.CmdGetCFilters, StartHeight: 6, Stop: tip})
	for h := 6; h <= 1005; h++ {
		cf := f.expect(msg.CmdCFilter).(*msg.CFilter)
		if cf.Block != fc.blocks[h].BlockHash() || string(cf.Filter) != string(fc.filters[h].Bytes()) {
			t.Fatalf("cfilter %d: block %v, filter %x", h, cf.Block, cf.Filter)
		}
		dec, err := gcs.DecodeBasic(cf.Filter)
		if err != nil {
			t.Fatalf("cfilter %d: %v", h, err)
		}
		// The block's own output script is in it.
		if own := fc.blocks[h].Transactions[0].TxOut; !dec.Match(gcs.BlockKey(cf.Block), own[len(own)-1].PkScript) {
			t.Fatalf("cfilter %d misses the block's output", h)
		}
	}

	// Checkpoints: the header at 1000.
	f.send(&msg.GetCFCheckpt{Stop: tip})
	cp := f.expect(msg.CmdCFCheckpt).(*msg.CFCheckpt)
	if len(cp.Headers) != 1 || cp.Headers[0] != fc.headers[1000] || cp.Stop != tip {
		t.Fatalf("cfcheckpt: %v", cp.Headers)
	}
	f.send(&msg.GetCFCheckpt{Stop: fc.blocks[999].BlockHash()})
	if cp = f.expect(msg.CmdCFCheckpt).(*msg.CFCheckpt); len(cp.Headers) != 0 {
		t.Fatalf("cfcheckpt up to 999: %v", cp.Headers)
	}
	if banned(n, "127.0.0.41") {
		t.Fatal("the honest client was banned")
	}
}

// TestP2PCompactFiltersRejects: requests no honest light client sends
// get no answer and cost the peer; five of them ban it. A node without
// the index neither advertises nor serves filters.
func TestP2PCompactFiltersRejects(t *testing.T) {
	n, fc := startFilterNode(t, 1005)
	tip := fc.blocks[1005].BlockHash()
	cases := []struct {
		name string
		m    msg.Message
	}{
		{"unknown filter type", &msg.GetCFilters{Cmd: msg.CmdGetCFilters, FilterType: 1, StartHeight: 1, Stop: tip}},
		{"unknown stop block", &msg.GetCFilters{Cmd: msg.CmdGetCFHeaders, StartHeight: 1, Stop: chainhash.Hash{7}}},
		{"stop block on a side chain", &msg.GetCFilters{Cmd: msg.CmdGetCFilters, StartHeight: 1000, Stop: fc.side.BlockHash()}},
		{"start above stop", &msg.GetCFilters{Cmd: msg.CmdGetCFHeaders, StartHeight: 11, Stop: fc.blocks[10].BlockHash()}},
		{"start far above", &msg.GetCFilters{Cmd: msg.CmdGetCFilters, StartHeight: 1 << 31, Stop: tip}},
		{"1001 filters", &msg.GetCFilters{Cmd: msg.CmdGetCFilters, StartHeight: 5, Stop: tip}},
		{"checkpoints to an unknown block", &msg.GetCFCheckpt{Stop: chainhash.Hash{8}}},
		{"checkpoints to a side chain", &msg.GetCFCheckpt{Stop: fc.side.BlockHash()}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from := fmt.Sprintf("127.0.0.%d", 50+i)
			f := dialFake(t, n, from)
			f.handshake()
			f.expect(msg.CmdVerAck)
			for range 5 {
				f.send(c.m)
			}
			// Nothing comes back but the handshake's aftermath, and the
			// peer goes.
			f.c.SetReadDeadline(time.Now().Add(10 * time.Second))
			for {
				m, _, err := msg.ReadMessage(f.c, f.magic)
				if errors.Is(err, msg.ErrUnknownCommand) {
					continue
				}
				if err != nil {
					break
				}
				switch m.(type) {
				case *msg.CFilter, *msg.CFHeaders, *msg.CFCheckpt:
					t.Fatalf("answered with %s", m.Command())
				}
			}
			waitUntil(t, "the ban", 5*time.Second, func() bool { return banned(n, from) })
		})
	}

	// Without the index: no service bit, and asking costs the same.
	plain := startP2PNode(t, t.TempDir())
	f := dialFake(t, plain, "127.0.0.70")
	f.handshake()
	if v := f.expect(msg.CmdVersion).(*msg.Version); v.Services&msg.SFNodeCompactFilters != 0 {
		t.Fatalf("services %x with NODE_COMPACT_FILTERS and no index", v.Services)
	}
	for range 5 {
		f.send(&msg.GetCFCheckpt{Stop: plain.Chain.Best().Hash})
	}
	if !f.closed(10 * time.Second) {
		t.Fatal("still connected")
	}
	waitUntil(t, "the ban", 5*time.Second, func() bool { return banned(plain, "127.0.0.70") })
}

// TestRPCGetBlockFilter: getblockfilter and getindexinfo in bitcoind's
// shapes, and their refusals.
func TestRPCGetBlockFilter(t *testing.T) {
	n, fc := startFilterNode(t, 110)
	c, err := rpc.Discover("", n.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, h := range []int{0, 1, 105, 110} {
		var got struct{ Filter, Header string }
		if err := c.Call(ctx, "getblockfilter", &got, fc.blocks[h].BlockHash().String()); err != nil {
			t.Fatal(err)
		}
		if got.Filter != hex.EncodeToString(fc.filters[h].Bytes()) || got.Header != fc.headers[h].String() {
			t.Fatalf("height %d: %+v", h, got)
		}
	}
	var info map[string]map[string]any
	if err := c.Call(ctx, "getindexinfo", &info); err != nil {
		t.Fatal(err)
	}
	if fi := info["basic block filter index"]; fi["synced"] != true || fi["best_block_height"] != float64(110) {
		t.Fatalf("getindexinfo: %v", info)
	}
	bad := []struct {
		params []any
		code   int
	}{
		{[]any{chainhash.Hash{9}.String()}, rpc.CodeInvalidAddress},
		{[]any{fc.side.BlockHash().String()}, rpc.CodeInvalidAddress},
		{[]any{fc.blocks[3].BlockHash().String(), "extended"}, rpc.CodeInvalidAddress},
		{[]any{"xyz"}, rpc.CodeInvalidParam},
	}
	for _, b := range bad {
		var re *rpc.Error
		if err := c.Call(ctx, "getblockfilter", nil, b.params...); !errors.As(err, &re) || re.Code != b.code {
			t.Errorf("getblockfilter %v: %v, want code %d", b.params, err, b.code)
		}
	}

	// Without the index.
	plain := startP2PNode(t, t.TempDir())
	pc, err := rpc.Discover("", plain.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	var re *rpc.Error
	if err := pc.Call(ctx, "getblockfilter", nil, plain.Chain.Best().Hash.String()); !errors.As(err, &re) || re.Code != rpc.CodeMisc {
		t.Errorf("getblockfilter without the index: %v", err)
	}
	info = nil
	if err := pc.Call(ctx, "getindexinfo", &info); err != nil || len(info) != 0 {
		t.Errorf("getindexinfo without indexes: %v %v", info, err)
	}
}

// TestRESTBlockFilter: bitcoind's REST routes of filters and filter
// headers in their three forms, and their refusals.
func TestRESTBlockFilter(t *testing.T) {
	n, fc := startFilterNode(t, 110)
	rc := newRESTClient(t, n.cfg.DataDir)
	h5 := fc.blocks[5].BlockHash()
	var js struct{ Filter string }
	if err := json.Unmarshal(rc.ok(t, "/rest/blockfilter/basic/"+h5.String()+".json"), &js); err != nil || js.Filter != hex.EncodeToString(fc.filters[5].Bytes()) {
		t.Fatalf("json: %+v %v", js, err)
	}
	bin := rc.ok(t, "/rest/blockfilter/basic/"+h5.String()+".bin")
	want := wire.AppendVarBytes(append([]byte{0}, h5[:]...), fc.filters[5].Bytes())
	if string(bin) != string(want) {
		t.Fatalf("bin %x, want %x", bin, want)
	}
	if hx := strings.TrimSpace(string(rc.ok(t, "/rest/blockfilter/basic/"+h5.String()+".hex"))); hx != hex.EncodeToString(want) {
		t.Fatalf("hex %s", hx)
	}
	var hs []string
	if err := json.Unmarshal(rc.ok(t, "/rest/blockfilterheaders/basic/3/"+h5.String()+".json"), &hs); err != nil ||
		len(hs) != 3 || hs[0] != fc.headers[5].String() || hs[2] != fc.headers[7].String() {
		t.Fatalf("headers json: %v %v", hs, err)
	}
	bin = rc.ok(t, "/rest/blockfilterheaders/basic/"+fc.blocks[108].BlockHash().String()+".bin?count=10")
	if len(bin) != 3*32 || string(bin[64:]) != string(fc.headers[110][:]) {
		t.Fatalf("headers bin up to the tip: %x", bin)
	}
	for path, code := range map[string]int{
		"/rest/blockfilter/extended/" + h5.String() + ".json":              http.StatusBadRequest,
		"/rest/blockfilter/basic/" + h5.String():                           http.StatusBadRequest,
		"/rest/blockfilter/basic/" + h5.String() + ".xml":                  http.StatusBadRequest,
		"/rest/blockfilter/basic/nothex.json":                              http.StatusBadRequest,
		"/rest/blockfilter/basic/" + chainhash.Hash{3}.String() + ".json":  http.StatusNotFound,
		"/rest/blockfilter/basic/" + fc.side.BlockHash().String() + ".bin": http.StatusNotFound,
		"/rest/blockfilterheaders/basic/2001/" + h5.String() + ".json":     http.StatusBadRequest,
		"/rest/blockfilterheaders/basic/0/" + h5.String() + ".json":        http.StatusBadRequest,
		"/rest/blockfilter/basic/a/b/c.json":                               http.StatusNotFound,
	} {
		if got, _, body := rc.get(t, path); got != code {
			t.Errorf("GET %s: %d %s, want %d", path, got, body, code)
		}
	}
}

// TestNodeFilterIndexCatchUp: turning the index on for an existing
// chain builds it at start-up with progress in the log, and --reindex
// drops and rebuilds it to the same filters.
func TestNodeFilterIndexCatchUp(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true, NoSync: true}
	n, c := startNodeCfg(t, cfg)
	_, addr := benchKey()
	if err := c.Call(context.Background(), "generatetoaddress", nil, 40, addr.String()); err != nil {
		t.Fatal(err)
	}
	n.Close()

	filters := func(n *Node) []string {
		t.Helper()
		select {
		case <-n.IndexesSynced():
		case <-time.After(30 * time.Second):
			t.Fatal("the filter index did not catch up")
		}
		fs := filterBackend{chain: n.Chain, x: n.indexes}
		var out []string
		for h := int32(0); h <= n.Chain.Best().Height; h++ {
			hash, _ := n.Chain.BlockHashByHeight(h)
			blk, _ := n.Chain.BlockByHash(hash)
			var spent [][]byte
			if h > 0 {
				es, err := n.Chain.SpentOutputs(hash)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range es {
					spent = append(spent, e.PkScript)
				}
			}
			want, _ := gcs.BuildBasic(blk, spent)
			f, hdr, err := fs.BlockFilter(hash)
			if err != nil || string(f) != string(want.Bytes()) {
				t.Fatalf("height %d: %x %v, want %x", h, f, err, want.Bytes())
			}
			out = append(out, hdr.String())
		}
		return out
	}
	var log syncBuffer
	cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
	cfg.BlockFilterIndex = true
	n, _ = startNodeCfg(t, cfg)
	first := filters(n)
	n.Close()
	if s := log.String(); !strings.Contains(s, `msg="index catching up" sub=index index=cfbasic from=0 tip=40`) || !strings.Contains(s, `msg="index synced" sub=index index=cfbasic height=40`) {
		t.Fatalf("no catch-up in the log (%d bytes):\n%q", len(s), s)
	}

	cfg.Reindex = true
	log.Reset()
	n, _ = startNodeCfg(t, cfg)
	defer n.Close()
	if again := filters(n); fmt.Sprint(again) != fmt.Sprint(first) {
		t.Fatal("the rebuilt index differs")
	}
	if s := log.String(); !strings.Contains(s, `msg="index catching up" sub=index index=cfbasic from=0 tip=40`) {
		t.Fatalf("the index was not rebuilt after --reindex:\n%s", s)
	}
}

// syncBuffer is a log sink written by several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
