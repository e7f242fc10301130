package netsim

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/p2p/msg"
)

func runFile(t *testing.T, path string) *Report {
	t.Helper()
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	return New(sc).Run()
}

// TestSmallGolden: the 50-node scenario's report equals the golden
// file (refresh with GG_UPDATE=1 go test ./lib/netsim -run TestSmallGolden).
func TestSmallGolden(t *testing.T) {
	got := runFile(t, "testdata/small.toml")
	for _, f := range []struct {
		path string
		data []byte
	}{{"testdata/small.golden.json", got.JSON()}, {"testdata/small.golden.csv", got.CSV()}} {
		if os.Getenv("GG_UPDATE") == "1" {
			if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatalf("%v (create it with GG_UPDATE=1)", err)
		}
		if !bytes.Equal(f.data, want) {
			t.Errorf("%s differs from this run:\n%s", f.path, f.data)
		}
	}
}

// tiny is a short scenario for the tests that run twice.
const tiny = `
name = "tiny"
seed = %d
nodes = 20
outbound = 4
block_interval = "30s"
block_size = 20000
tx_rate = 1.0
compact_blocks = %v
warmup = "1m"
duration = "3m"
drain = "30s"
`

func runTiny(t *testing.T, seed int, compact bool) *Report {
	t.Helper()
	sc, err := ParseScenario(fmt.Sprintf(tiny, seed, compact))
	if err != nil {
		t.Fatal(err)
	}
	return New(sc).Run()
}

// TestSameSeedSameReport: a scenario run twice with one seed gives
// byte-identical reports; another seed gives another report.
func TestSameSeedSameReport(t *testing.T) {
	a, b := runTiny(t, 7, true), runTiny(t, 7, true)
	if !bytes.Equal(a.JSON(), b.JSON()) || !bytes.Equal(a.CSV(), b.CSV()) {
		t.Fatalf("same seed, different reports:\n%s\n%s", a.JSON(), b.JSON())
	}
	if a.Blocks == 0 || a.Propagation[0].Reached == 0 {
		t.Fatalf("nothing measured: %s", a.JSON())
	}
	if c := runTiny(t, 8, true); bytes.Equal(a.JSON(), c.JSON()) {
		t.Fatal("seeds 7 and 8 gave the same report")
	}
}

// TestCompactBlocksOff: with compact blocks off no block travels as a
// compact block; with them on, most are rebuilt without a round trip.
func TestCompactBlocksOff(t *testing.T) {
	off := runTiny(t, 3, false)
	if off.Compact.NoRoundTrip != 0 || off.Compact.WithGetBlockTxn != 0 || off.Compact.FullBlock == 0 {
		t.Fatalf("compact blocks off: %+v", off.Compact)
	}
	for _, tr := range off.Traffic {
		if tr.Command == "cmpctblock" || tr.Command == "sendcmpct" {
			t.Fatalf("compact blocks off, yet %s was sent: %+v", tr.Command, tr)
		}
	}
	on := runTiny(t, 3, true)
	if on.Compact.NoRoundTrip == 0 || on.Compact.NoRoundTripPct < 50 {
		t.Fatalf("compact blocks on: %+v", on.Compact)
	}
	// The switch changes the traffic, not when and where blocks and
	// transactions appear: the two runs compare block for block.
	if on.Blocks != off.Blocks || on.Transactions != off.Transactions {
		t.Fatalf("on: %d blocks, %d transactions; off: %d, %d", on.Blocks, on.Transactions, off.Blocks, off.Transactions)
	}
}

// TestScenarioRefusals: unknown keys and bad values (faults and
// attackers too) are refused with an error naming them, never ignored.
func TestScenarioRefusals(t *testing.T) {
	base := "nodes = 10\nblock_interval = \"60s\"\nblock_size = 10000\nduration = \"1m\"\n"
	if _, err := ParseScenario(base); err != nil {
		t.Fatalf("the base scenario: %v", err)
	}
	for _, c := range []struct{ extra, want string }{
		{"[faults]\npartition = 0.5\n", "faults"},
		{"[faults]\nloss = 0.9\n", "loss 0.9"},
		{"[faults]\nlosss = 0.1\n", "unknown keys: faults.losss"},
		{"[faults.partition]\nat = \"2m\"\nheal = \"1m\"\n", "need 0 <= at < heal"},
		{"[faults.partition]\nat = \"10s\"\nheal = \"5m\"\n", "after the run's end"},
		{"[faults.partition]\nat = \"10s\"\nheal = \"20s\"\nshare = 1.0\n", "share 1"},
		{"[faults.churn]\nrate = 0.0\n", "churn: rate 0"},
		{"[attackers]\neclipse = 1\n", "attackers"},
		{"nodez = 3\n", "unknown keys: nodez"},
		{"outbound = 10\n", "outbound 10"},
		{"tx_size = 50\n", "tx_size 50"},
		{"jitter = -1.0\n", "jitter -1"},
	} {
		_, err := ParseScenario(base + c.extra)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.extra, err, c.want)
		}
		if strings.Contains(c.want, "not implemented") && !errors.Is(err, ErrNotImplemented) {
			t.Errorf("%q: %v is not ErrNotImplemented", c.extra, err)
		}
	}
	if _, err := ParseScenario("nodes = 10\nduration = \"1m\"\nblock_size = 10000\n"); err == nil || !strings.Contains(err.Error(), "block_interval") {
		t.Errorf("no block interval: %v", err)
	}
}

// TestTransitModel: a transfer takes size ÷ min(sender's upload,
// receiver's download), queues behind the link's earlier transfers, then
// takes the regions' latency; other links do not wait for it, unless the
// uplink is shared.
func TestTransitModel(t *testing.T) {
	for _, shared := range []bool{false, true} {
		sc, err := ParseScenario(fmt.Sprintf("nodes = 3\noutbound = 2\nblock_interval = \"60s\"\nblock_size = 10000\nduration = \"1m\"\njitter = 0.0\nshared_uplink = %v\n", shared))
		if err != nil {
			t.Fatal(err)
		}
		s := New(sc)
		a, b, c := s.nodes[0], s.nodes[1], s.nodes[2]
		a.region, b.region, c.region = 0, 1, 1 // North America to Europe: 124 ms
		a.up, b.down, c.down = 8e6, 80e6, 80e6 // 1 MB/s: the sender's upload binds
		m := &msg.Ping{}
		d1 := s.transit(a.addr, b.addr, m, 1_000_000)
		d2 := s.transit(a.addr, b.addr, m, 1_000_000)
		d3 := s.transit(a.addr, c.addr, m, 1_000_000)
		if want := time.Second + 124*time.Millisecond; d1 != want {
			t.Errorf("shared %v: first 1 MB arrives after %v, want %v", shared, d1, want)
		}
		if want := 2*time.Second + 124*time.Millisecond; d2 != want {
			t.Errorf("shared %v: second 1 MB on the link after %v, want %v (queued)", shared, d2, want)
		}
		want := time.Second + 124*time.Millisecond
		if shared {
			want = 3*time.Second + 124*time.Millisecond
		}
		if d3 != want {
			t.Errorf("shared %v: 1 MB on another link after %v, want %v", shared, d3, want)
		}
		// A node validating a block sends nothing until it is done.
		b.chain.busy = s.net.Now().Add(5 * time.Second)
		if d := s.transit(b.addr, a.addr, m, 100); d < 5*time.Second {
			t.Errorf("shared %v: a message from a node validating for 5 s left after %v", shared, d)
		}
		b.down = 4e6 // now the receiver's download binds: 2 s per MB
		if d := s.transit(c.addr, b.addr, m, 1_000_000); d < 2*time.Second {
			t.Errorf("shared %v: download of 4 Mbit/s took %v for 1 MB", shared, d)
		}
	}
}

// TestStopEarly: a stopped run ends before its duration and says so in
// its report; a run to the end does not.
func TestStopEarly(t *testing.T) {
	sc, err := ParseScenario(fmt.Sprintf(tiny, 1, true))
	if err != nil {
		t.Fatal(err)
	}
	s := New(sc)
	s.Stop()
	r := s.Run()
	if !r.StoppedEarly || r.MeasuredSeconds != 0 || !strings.Contains(string(r.CSV()), "stopped_early,true") {
		t.Fatalf("stopped run: stopped_early %v after %v s", r.StoppedEarly, r.MeasuredSeconds)
	}
	if full := runTiny(t, 1, true); full.StoppedEarly || strings.Contains(string(full.JSON()), "stopped_early") {
		t.Fatal("a full run reports stopped_early")
	}
}

// TestTxRelayReport: the report gives, per share of nodes, how long
// transactions took to reach that share's pools; the times grow with
// the share, most transactions reach every node, and a run without
// transactions has no such section.
func TestTxRelayReport(t *testing.T) {
	r := runTiny(t, 3, true)
	if len(r.TxRelay) != len(shares) || r.Transactions == 0 {
		t.Fatalf("tx relay rows %d, transactions %d: %s", len(r.TxRelay), r.Transactions, r.JSON())
	}
	prev := int64(0)
	for i, row := range r.TxRelay {
		if row.SharePct != shares[i] || row.Reached > r.Transactions || row.P50Ms < prev || row.P90Ms < row.P50Ms || row.P99Ms < row.P90Ms {
			t.Fatalf("row %+v out of order (previous p50 %d ms, %d transactions)", row, prev, r.Transactions)
		}
		prev = row.P50Ms
	}
	if first, last := r.TxRelay[0], r.TxRelay[len(r.TxRelay)-1]; first.P50Ms <= 0 || last.Reached < r.Transactions*8/10 {
		t.Fatalf("to 50 %%: p50 %d ms; to 100 %%: %d of %d transactions", first.P50Ms, last.Reached, r.Transactions)
	}
	if !strings.Contains(string(r.CSV()), "\ntx_relay_100_p90_ms,") {
		t.Fatalf("no tx relay rows in the CSV:\n%s", r.CSV())
	}
	sc, err := ParseScenario(strings.Replace(fmt.Sprintf(tiny, 3, true), "tx_rate = 1.0", "tx_rate = 0.000001", 1))
	if err != nil {
		t.Fatal(err)
	}
	if r := New(sc).Run(); r.Transactions != 0 || r.TxRelay != nil || strings.Contains(string(r.JSON()), "tx_relay") {
		t.Fatalf("a run without transactions reports tx relay: %s", r.JSON())
	}
}

// TestBlockTemplate: a block holds only transactions its miner had at
// its last template — made at its last tip change, then every
// template_refresh — so none newer than that; with a refresh of 1 ms the
// template is the pool at the moment the block is found.
func TestBlockTemplate(t *testing.T) {
	for _, refresh := range []time.Duration{time.Minute, time.Millisecond} {
		sc, err := ParseScenario(fmt.Sprintf(tiny, 5, true) + fmt.Sprintf("template_refresh = %q\n", refresh))
		if err != nil {
			t.Fatal(err)
		}
		s := New(sc)
		s.Run()
		created := map[chainhash.Hash]time.Time{}
		for _, x := range s.txRecs {
			created[x.txid] = x.created
		}
		txs, oldest := 0, time.Duration(0)
		for _, r := range s.blocks {
			oldest = max(oldest, r.mined.Sub(r.tmpl))
			if r.tmpl.After(r.mined) || r.mined.Sub(r.tmpl) >= refresh {
				t.Fatalf("refresh %v: block mined at %v from a template of %v", refresh, r.mined, r.tmpl)
			}
			b := s.nodes[r.miner].chain.index[r.hash]
			for _, tx := range b.blk.Transactions[1:] {
				c, ok := created[tx.TxHash()]
				if !ok || c.After(r.tmpl) {
					t.Fatalf("refresh %v: a block of %v (template %v) holds a transaction created at %v", refresh, r.mined, r.tmpl, c)
				}
				txs++
			}
		}
		if txs == 0 || (refresh == time.Minute && oldest < 10*time.Second) {
			t.Fatalf("refresh %v: %d transactions in blocks, the oldest template %v before its block", refresh, txs, oldest)
		}
	}
}

// TestHighBandwidthPeers: nodes ask the peers that gave them a new block
// first to push compact blocks (BIP152 high bandwidth, at most three
// each): the simulated chain tells netsync that such a block is its new
// best (it used to say no, having made it the tip already, so no node
// ever asked).
func TestHighBandwidthPeers(t *testing.T) {
	sc, err := ParseScenario(fmt.Sprintf(tiny, 5, true))
	if err != nil {
		t.Fatal(err)
	}
	s := New(sc)
	s.Run()
	hb := 0
	for _, n := range s.nodes {
		asked := 0
		for _, p := range n.host.Peers() {
			if p.CmpctHB {
				hb++ // n pushes to p
			}
		}
		for _, other := range s.nodes {
			for _, p := range other.host.Peers() {
				if p.CmpctHB && s.byAddr[p.Addr.Addr()] == n {
					asked++
				}
			}
		}
		if asked > 3 {
			t.Fatalf("node %d has %d peers pushing compact blocks to it, at most 3", n.i, asked)
		}
	}
	if hb < len(s.nodes) {
		t.Fatalf("%d high-bandwidth links among %d nodes", hb, len(s.nodes))
	}
}
