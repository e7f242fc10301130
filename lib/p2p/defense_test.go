package p2p

import (
	"bytes"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// recDialer records the addresses a Host dials, then dials them.
type recDialer struct {
	inner Dialer
	dials []netip.AddrPort
}

func (d *recDialer) Dial(a netip.AddrPort) {
	d.dials = append(d.dials, a)
	d.inner.Dial(a)
}

func recordDials(rec *recDialer) func(*Config) {
	return func(c *Config) { rec.inner = c.Dialer; c.Dialer = rec }
}

// groupAddr is an address in the /16 20.g.0.0.
func groupAddr(g int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{20, byte(g), 0, 1}), 2200)
}

func feelers(h *Host) int {
	k := 0
	for _, p := range h.Peers() {
		if p.Feeler {
			k++
		}
	}
	return k
}

// TestFeelers: with its outbound slots full, a Host makes a feeler
// connection about every FeelerInterval to an address of the new
// table, one at a time and beside the slots; an address that completes
// the handshake moves to the tried table and is disconnected, without
// the Protocol seeing it. An address that does not answer stays in
// new. With TestNoFeelers nothing of this happens.
func TestFeelers(t *testing.T) {
	for _, off := range []bool{false, true} {
		n := newMemNet(t)
		pr := &recProto{}
		rec := &recDialer{}
		a := n.host("10.0.0.1:2200", func(c *Config) { c.MaxOutbound = 2; c.Protocol = pr; c.TestNoFeelers = off; c.StaleTipAfter = -1 }, recordDials(rec))
		var addrs []KnownAddr
		for g := range 8 {
			if g != 7 { // 20.7.0.1 has no host: its dials fail
				n.host(groupAddr(g).String(), passive)
			}
			addrs = append(addrs, KnownAddr{Addr: groupAddr(g), Seen: n.clock.t})
		}
		a.Book().Add(addrs, netip.MustParseAddr("30.0.0.1"), n.clock.t)
		maxFeelers := 0
		for range 180 { // an hour in 20 s steps
			n.advance(20 * time.Second)
			if _, out := a.counts(); out != 2 {
				t.Fatalf("feelers off=%v: %d automatic outbound peers, want 2", off, out)
			}
			maxFeelers = max(maxFeelers, feelers(a))
		}
		tried := 0
		for _, k := range addrs {
			if _, tr := a.Book().Has(k.Addr); tr {
				tried++
			}
		}
		if off {
			if len(rec.dials) != 2 || tried != 2 {
				t.Errorf("feelers off: %d dials, %d tried addresses, want 2 and 2", len(rec.dials), tried)
			}
			continue
		}
		// Every answering address was felt out within the hour (about
		// 30 feelers, 6 addresses to try); 20.7.0.1 stays in new.
		if tried != 7 {
			t.Errorf("feelers on: %d of the 7 answering addresses tried after an hour", tried)
		}
		if _, tr := a.Book().Has(groupAddr(7)); tr {
			t.Error("an address that never answered moved to the tried table")
		}
		if !slices.Contains(rec.dials, groupAddr(7)) {
			t.Error("the unanswering address was never felt out")
		}
		if maxFeelers != 0 || feelers(a) != 0 {
			t.Errorf("a feeler connection outlived its handshake (%d seen at a step's end)", maxFeelers)
		}
		if len(pr.ready) != 2 || pr.ready[0].Inbound || pr.ready[1].Inbound {
			t.Errorf("the protocol saw %d peers ready, want the 2 outbound ones (feelers are not its)", len(pr.ready))
		}
		if len(rec.dials) < 10 || len(rec.dials) > 80 {
			t.Errorf("%d dials in an hour: want about 2 outbound and 30 feelers", len(rec.dials))
		}
	}
}

// TestFeelerOneAtATime: while a feeler attempt is on the way no other
// starts, however much time passes, until it connects or fails (or
// HandshakeTimeout passes without an answer).
func TestFeelerOneAtATime(t *testing.T) {
	n := newMemNet(t)
	a := n.host("10.0.0.1:2200", func(c *Config) { c.MaxOutbound = 1; c.FeelerInterval = time.Second })
	n.host(groupAddr(0).String())
	a.Book().Add([]KnownAddr{{Addr: groupAddr(0), Seen: n.clock.t}}, netip.MustParseAddr("30.0.0.1"), n.clock.t)
	n.advance(time.Second)
	if _, out := a.counts(); out != 1 {
		t.Fatalf("%d outbound", out)
	}
	// A dialler that never answers: the feeler attempt hangs.
	var dials []netip.AddrPort
	a.cfg.Dialer = dialFunc(func(x netip.AddrPort) { dials = append(dials, x) })
	for g := 1; g < 5; g++ {
		a.Book().Add([]KnownAddr{{Addr: groupAddr(g), Seen: n.clock.t}}, netip.MustParseAddr("30.0.0.1"), n.clock.t)
	}
	for range 50 {
		n.advance(time.Second)
	}
	if len(dials) != 1 {
		t.Fatalf("%d feeler attempts while one hung (want 1): %v", len(dials), dials)
	}
	n.advance(HandshakeTimeout)
	n.advance(5 * time.Second)
	if len(dials) < 2 {
		t.Fatal("no feeler after a hung attempt's HandshakeTimeout")
	}
	// A failure clears the attempt at once.
	k := len(dials)
	a.DialFailed(dials[k-1], nil)
	n.advance(30 * time.Second)
	if len(dials) == k {
		t.Fatal("no feeler after the last attempt failed")
	}
}

type dialFunc func(netip.AddrPort)

func (f dialFunc) Dial(a netip.AddrPort) { f(a) }

// TestStaleTip: when the best height has not moved for StaleTipAfter
// (three target block intervals), one outbound connection beyond
// MaxOutbound is opened, to a network group none of the others is in;
// while the tip stays stale the extra one is replaced now and then;
// once the tip moves the peer that gave us a block least recently is
// disconnected and the count is MaxOutbound again. Before that, or
// with StaleTipAfter negative, never more than MaxOutbound.
func TestStaleTip(t *testing.T) {
	for _, off := range []bool{false, true} {
		n := newMemNet(t)
		height := int32(5)
		rec := &recDialer{}
		a := n.host("10.0.0.1:2200", func(c *Config) {
			c.MaxOutbound = 2
			c.TestNoFeelers = true
			c.BestHeight = func() int32 { return height }
			if off {
				c.StaleTipAfter = -1
			}
		}, recordDials(rec))
		if !off && a.cfg.StaleTipAfter != 30*time.Minute {
			t.Fatalf("StaleTipAfter %v, want 3 × regtest's 10 minutes", a.cfg.StaleTipAfter)
		}
		var addrs []KnownAddr
		for g := range 16 {
			n.host(groupAddr(g).String(), passive)
			addrs = append(addrs, KnownAddr{Addr: groupAddr(g), Seen: n.clock.t})
		}
		a.Book().Add(addrs, netip.MustParseAddr("30.0.0.1"), n.clock.t)
		run := func(d time.Duration, most int) int {
			t.Helper()
			hi := 0
			for end := n.clock.t.Add(d); n.clock.t.Before(end); {
				n.advance(10 * time.Second)
				_, out := a.counts()
				if out > most {
					t.Fatalf("stale off=%v: %d outbound peers, at most %d here", off, out, most)
				}
				hi = max(hi, out)
			}
			return hi
		}
		// 29 minutes: the tip is not stale yet (and height changes
		// meanwhile restart the wait).
		run(20*time.Minute, 2)
		height++
		run(29*time.Minute, 2)
		if off {
			if hi := run(2*time.Hour, 2); hi != 2 {
				t.Fatalf("stale tip off: %d outbound", hi)
			}
			continue
		}
		if hi := run(5*time.Minute, 3); hi != 3 {
			t.Fatalf("tip stale for 34 minutes: at most %d outbound peers, want the extra third", hi)
		}
		// The first two peers deliver blocks; the extra one is rotated
		// while the tip stays stale.
		first := rec.dials[:2]
		for _, p := range a.Peers() {
			if slices.Contains(first, p.Addr) {
				p.NoteBlock(n.clock.t)
			}
		}
		before := len(rec.dials)
		run(5*time.Minute, 3)
		if len(rec.dials) < before+2 {
			t.Logf("dials %v peers %v", rec.dials, a.Peers())
			t.Errorf("stale for 5 more minutes: %d new dials, want the extra peer replaced", len(rec.dials)-before)
		}
		height++
		run(2*time.Minute, 3)
		_, out := a.counts()
		if out != 2 {
			t.Fatalf("tip moved: %d outbound peers, want 2", out)
		}
		for _, p := range a.Peers() {
			if !p.Inbound && !slices.Contains(first, p.Addr) {
				t.Errorf("tip moved: kept %v, not one of the peers that gave blocks %v", p.Addr, first)
			}
		}
	}
}

// TestAnchorsDialledFirst: a Host dials its anchors before any address
// of the book, each once, skipping a banned one; Anchors returns the
// longest-connected automatic outbound peers, at most MaxAnchors.
func TestAnchorsDialledFirst(t *testing.T) {
	n := newMemNet(t)
	rec := &recDialer{}
	anchors := []netip.AddrPort{groupAddr(10), groupAddr(11), groupAddr(12)} // the third is one too many
	a := n.host("10.0.0.1:2200", func(c *Config) { c.MaxOutbound = 4; c.Anchors = anchors; c.TestNoFeelers = true }, recordDials(rec))
	for g := range 13 {
		n.host(groupAddr(g).String(), passive)
	}
	var addrs []KnownAddr
	for g := range 6 {
		addrs = append(addrs, KnownAddr{Addr: groupAddr(g), Seen: n.clock.t})
	}
	a.Book().Add(addrs, netip.MustParseAddr("30.0.0.1"), n.clock.t)
	n.advance(time.Second)
	n.advance(time.Second)
	if len(rec.dials) < 2 || rec.dials[0] != anchors[0] || rec.dials[1] != anchors[1] {
		t.Fatalf("dials %v: want the anchors %v first", rec.dials, anchors[:2])
	}
	if slices.Contains(rec.dials, anchors[2]) {
		t.Fatalf("an anchor beyond MaxAnchors was dialled: %v", rec.dials)
	}
	got := a.Anchors()
	if len(got) != MaxAnchors || got[0] != anchors[0] || got[1] != anchors[1] {
		t.Fatalf("Anchors() = %v, want the two connected longest %v", got, anchors[:2])
	}
	// Inbound and persistent peers are never anchors.
	b := n.host("10.0.0.2:2200", func(c *Config) { c.AddNodes = []netip.AddrPort{groupAddr(0)} })
	n.connect(groupHost(n, 1), groupAddr(1), b, netip.MustParseAddrPort("10.0.0.2:2200"))
	n.advance(time.Second)
	if got := b.Anchors(); len(got) != 0 {
		t.Fatalf("anchors of a node with inbound and addnode peers only: %v", got)
	}
	// A banned anchor is not dialled.
	m := newMemNet(t)
	rec2 := &recDialer{}
	c := m.host("10.0.0.1:2200", func(c *Config) { c.Anchors = anchors[:1] }, recordDials(rec2))
	m.host(anchors[0].String())
	c.Bans().Add(netip.PrefixFrom(anchors[0].Addr(), 32), m.clock.t, time.Hour, "test")
	m.advance(time.Second)
	if slices.Contains(rec2.dials, anchors[0]) {
		t.Fatal("a banned anchor was dialled")
	}
}

// passive makes a Host that dials no one and never finds its tip stale.
func passive(c *Config) { c.Dialer = nil; c.StaleTipAfter = -1 }

func groupHost(n *memNet, g int) *Host { return n.hosts[groupAddr(g)] }

// TestAnchorsFile: the anchors file round-trips and is deleted once
// read; a missing file gives none silently; one too large, corrupt, of
// another version, with too many or bad addresses gives none, a
// warning, and is deleted too.
func TestAnchorsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, AnchorsFile)
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	want := []netip.AddrPort{netip.MustParseAddrPort("20.1.0.1:8333"), netip.MustParseAddrPort("[2001:db8::1]:8333")}
	if err := SaveAnchors(path, append(want, groupAddr(3))); err != nil {
		t.Fatal(err)
	}
	got := LoadAnchors(path, log)
	if !slices.Equal(got, want) {
		t.Fatalf("loaded %v, want %v (at most MaxAnchors)", got, want)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the anchors file is still there after loading: %v", err)
	}
	if got := LoadAnchors(path, log); got != nil || logBuf.Len() != 0 {
		t.Fatalf("missing file: %v, log %q", got, logBuf.String())
	}
	for _, c := range []struct{ name, data, why string }{
		{"corrupt", "{\"version\":1,\"anch", "corrupt"},
		{"version", `{"version":2,"anchors":[]}`, "unknown version"},
		{"too many", `{"version":1,"anchors":["1.2.3.4:1","1.2.3.5:1","1.2.3.6:1"]}`, "3 addresses"},
		{"bad address", `{"version":1,"anchors":["1.2.3.4"]}`, "bad address"},
		{"port 0", `{"version":1,"anchors":["1.2.3.4:0"]}`, "bad address"},
		{"too large", `{"version":1,"anchors":["1.2.3.4:1"]}` + strings.Repeat(" ", maxAnchorsFileSize), "larger than"},
	} {
		logBuf.Reset()
		if err := os.WriteFile(path, []byte(c.data), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := LoadAnchors(path, log); got != nil {
			t.Errorf("%s: loaded %v", c.name, got)
		}
		if !strings.Contains(logBuf.String(), "anchors ignored") || !strings.Contains(logBuf.String(), c.why) {
			t.Errorf("%s: log %q, want a warning with %q", c.name, logBuf.String(), c.why)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s: the bad file was not deleted", c.name)
		}
	}
}

// TestTCPFeelerAndAnchor: on real sockets, a Host dials its anchor
// first, fills its one outbound slot with it, then makes a feeler
// connection to the address in its new table: the address moves to
// tried and the connection is closed (one outbound peer remains).
func TestTCPFeelerAndAnchor(t *testing.T) {
	b := startTCPNode(t, passive)
	c := startTCPNode(t, passive)
	a := startTCPNode(t, func(cf *Config) {
		cf.MaxOutbound = 1
		cf.StaleTipAfter = -1
		cf.FeelerInterval = 20 * time.Millisecond
		cf.Anchors = []netip.AddrPort{b.addr}
	})
	a.tcp.Do(func() {
		a.host.Book().Add([]KnownAddr{{Addr: c.addr, Seen: time.Now()}}, netip.MustParseAddr("127.0.0.9"), time.Now())
	})
	a.waitFor(t, "the feeler to move c to tried", func() bool { _, tried := a.host.Book().Has(c.addr); return tried })
	c.waitFor(t, "c to see the feeler go", func() bool { return len(c.host.Peers()) == 0 })
	a.waitFor(t, "the feeler to close", func() bool { return feelers(a.host) == 0 })
	var peers []*Peer
	a.tcp.Do(func() { peers = a.host.Peers() })
	if len(peers) != 1 || peers[0].Addr != b.addr || peers[0].Inbound {
		t.Fatalf("a's peers after the feeler: %+v, want one outbound to the anchor %v", peers, b.addr)
	}
	var anchors []netip.AddrPort
	a.tcp.Do(func() { anchors = a.host.Anchors() })
	path := filepath.Join(t.TempDir(), AnchorsFile)
	if err := SaveAnchors(path, anchors); err != nil {
		t.Fatal(err)
	}
	if got := LoadAnchors(path, nil); len(got) != 1 || got[0] != b.addr {
		t.Fatalf("anchors saved and loaded: %v, want %v", got, b.addr)
	}
}

// TestOneTryNotEvicted: a peer dialled by DialOnce (addnode onetry)
// beyond full outbound slots stays: the rule that trims outbound
// peers beyond MaxOutbound (TestStaleTip) leaves it alone.
func TestOneTryNotEvicted(t *testing.T) {
	n := newMemNet(t)
	a := n.host("10.0.0.1:2200", func(c *Config) { c.MaxOutbound = 2; c.TestNoFeelers = true })
	var addrs []KnownAddr
	for g := range 3 {
		n.host(groupAddr(g).String(), passive)
		if g < 2 {
			addrs = append(addrs, KnownAddr{Addr: groupAddr(g), Seen: n.clock.t})
		}
	}
	a.Book().Add(addrs, netip.MustParseAddr("30.0.0.1"), n.clock.t)
	n.advance(time.Second)
	a.DialOnce(groupAddr(2))
	n.flush()
	for range 30 {
		n.advance(10 * time.Second)
	}
	if outboundTo(a, groupAddr(2)) != 1 {
		t.Fatal("the onetry peer was disconnected as an outbound peer too many")
	}
	if _, out := a.counts(); out != 2 {
		t.Fatalf("%d automatic outbound peers, want 2 (the onetry one is not counted)", out)
	}
}

// TestStaleTipWithOneTry: an addnode onetry peer neither counts as
// automatic outbound nor keeps the stale-tip extra peer away, and is
// never saved as an anchor.
func TestStaleTipWithOneTry(t *testing.T) {
	n := newMemNet(t)
	a := n.host("10.0.0.1:2200", func(c *Config) {
		c.MaxOutbound = 2
		c.TestNoFeelers = true
		c.BestHeight = func() int32 { return 5 }
	})
	var addrs []KnownAddr
	for g := range 8 {
		n.host(groupAddr(g).String(), passive)
		if g > 0 {
			addrs = append(addrs, KnownAddr{Addr: groupAddr(g), Seen: n.clock.t})
		}
	}
	a.DialOnce(groupAddr(0))
	n.flush()
	a.Book().Add(addrs, netip.MustParseAddr("30.0.0.1"), n.clock.t)
	hi := 0
	for range 6 * 40 { // 40 minutes: the tip goes stale after 30
		n.advance(10 * time.Second)
		_, out := a.counts()
		hi = max(hi, out)
		for _, x := range a.Anchors() {
			if x == groupAddr(0) {
				t.Fatal("the onetry peer was given as an anchor")
			}
		}
	}
	if outboundTo(a, groupAddr(0)) != 1 {
		t.Fatal("the onetry peer is gone")
	}
	if hi != 3 {
		t.Fatalf("tip stale with a onetry peer: at most %d automatic outbound peers, want the 2 and the extra one", hi)
	}
}

// TestFeelerIgnoresGroupRule: a feeler tests a new-table address even
// in the network group of an outbound peer (it takes no slot).
func TestFeelerIgnoresGroupRule(t *testing.T) {
	n := newMemNet(t)
	rec := &recDialer{}
	a := n.host("10.0.0.1:2200", func(c *Config) { c.MaxOutbound = 1 }, recordDials(rec))
	n.host("20.1.0.1:8444", passive)
	n.host("20.1.0.2:8444", passive)
	first := netip.MustParseAddrPort("20.1.0.1:8444")
	same := netip.MustParseAddrPort("20.1.0.2:8444")
	a.Book().Add([]KnownAddr{{Addr: first, Seen: n.clock.t}}, netip.MustParseAddr("30.0.0.1"), n.clock.t)
	for range 6 {
		n.advance(10 * time.Second)
	}
	if outboundTo(a, first) != 1 {
		t.Fatalf("no outbound peer: dials %v", rec.dials)
	}
	a.Book().Add([]KnownAddr{{Addr: same, Seen: n.clock.t}}, netip.MustParseAddr("30.0.0.2"), n.clock.t)
	for range 6 * 60 { // an hour: feelers every ~2 minutes
		n.advance(10 * time.Second)
		if slices.Contains(rec.dials, same) {
			return
		}
	}
	t.Fatalf("no feeler to %v in the group of the outbound peer %v in an hour: dials %v", same, first, rec.dials)
}

// TestAddAnchorsRoutable: anchors pass the address book's rule for
// addresses it may dial (no link-local, multicast, unspecified or port
// 0 address is queued).
func TestAddAnchorsRoutable(t *testing.T) {
	n := newMemNet(t)
	a := n.host("10.0.0.1:2200")
	a.AddAnchors([]netip.AddrPort{netip.MustParseAddrPort("[fe80::1]:8444"), netip.MustParseAddrPort("224.0.0.1:8444"),
		netip.MustParseAddrPort("0.0.0.0:8444"), netip.MustParseAddrPort("20.1.0.1:0"), netip.MustParseAddrPort("20.1.0.1:8444")})
	if len(a.anchors) != 1 || a.anchors[0] != netip.MustParseAddrPort("20.1.0.1:8444") {
		t.Fatalf("anchors queued %v, want only 20.1.0.1:8444", a.anchors)
	}
}
