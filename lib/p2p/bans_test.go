package p2p

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// misbehaveInbound connects an inbound peer from addr to h and scores it
// to BanScore; it returns the peer's link.
func misbehaveInbound(t *testing.T, n *memNet, h *Host, addr netip.AddrPort) *memLink {
	t.Helper()
	l := &memLink{n: n, from: h, remote: addr}
	l.peer = h.Connected(l, true)
	if l.peer == nil {
		t.Fatalf("%v refused", addr)
	}
	h.Misbehaving(l.peer, BanScore, "test")
	if !l.closed {
		t.Fatalf("%v kept at the ban score", addr)
	}
	return l
}

// TestScoreBansNotPersisted: addresses banned by score are refused but
// never written to the ban file (an attacker with many addresses would
// grow it, and the loop would write it each time); setban bans are.
func TestScoreBansNotPersisted(t *testing.T) {
	n := newMemNet(t)
	path := filepath.Join(t.TempDir(), BanFile)
	a := n.host("10.0.0.1:2200", func(c *Config) { c.Bans = NewBanList(path) })
	var offenders []netip.AddrPort
	for i := range 200 {
		ap := netip.AddrPortFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)}), 1)
		offenders = append(offenders, ap)
		misbehaveInbound(t, n, a, ap)
		n.flush()
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		b, _ := os.ReadFile(path)
		t.Fatalf("score bans written to the ban file (%d bytes)", len(b))
	}
	for _, ap := range offenders {
		again := &memLink{n: n, from: a, remote: ap}
		if a.Connected(again, true) != nil {
			t.Fatalf("%v accepted after its score ban", ap)
		}
	}
	if got := len(a.Bans().List(n.clock.t)); got != len(offenders) {
		t.Fatalf("%d bans listed, want %d", got, len(offenders))
	}
	// setban is persisted; the score bans are not.
	manual := netip.MustParsePrefix("198.51.100.0/24")
	if err := a.Ban(manual, time.Hour, "manually added"); err != nil {
		t.Fatal(err)
	}
	back, err := LoadBanList(path, n.clock.t)
	if err != nil {
		t.Fatal(err)
	}
	if bans := back.List(n.clock.t); len(bans) != 1 || bans[0].Subnet != manual {
		t.Fatalf("the ban file holds %+v, want only the setban", bans)
	}
}

// TestScoreBansBounded: score bans beyond maxDiscouraged push out the
// oldest; the newest stay refused.
func TestScoreBansBounded(t *testing.T) {
	n := newMemNet(t)
	a := n.host("10.0.0.1:2200")
	addr := func(i int) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 13: byte(i >> 16), 14: byte(i >> 8), 15: byte(i)}), 1)
	}
	const extra = 10
	for i := range maxDiscouraged + extra {
		misbehaveInbound(t, n, a, addr(i))
		n.flush()
		n.clock.t = n.clock.t.Add(time.Millisecond)
	}
	now := n.clock.t
	if got := len(a.Bans().List(now)); got != maxDiscouraged {
		t.Fatalf("%d score bans kept, bound %d", got, maxDiscouraged)
	}
	for i := range extra {
		if a.Bans().Banned(addr(i).Addr(), now) {
			t.Fatalf("offender %d (among the oldest) still banned", i)
		}
	}
	for _, i := range []int{extra, maxDiscouraged, maxDiscouraged + extra - 1} {
		if !a.Bans().Banned(addr(i).Addr(), now) {
			t.Fatalf("offender %d not banned", i)
		}
	}
}

// TestMisbehavingOnce: calls past the ban score (before the transport
// reports the disconnection) do not ban the address again.
func TestMisbehavingOnce(t *testing.T) {
	n := newMemNet(t)
	a := n.host("10.0.0.1:2200")
	l := misbehaveInbound(t, n, a, netip.MustParseAddrPort("10.0.0.9:1"))
	first := n.clock.t
	n.clock.t = n.clock.t.Add(time.Hour)
	a.Misbehaving(l.peer, 1, "again")
	bans := a.Bans().List(n.clock.t)
	if len(bans) != 1 || !bans[0].Created.Equal(first) || bans[0].Reason != "test" {
		t.Fatalf("bans after a second offence: %+v", bans)
	}
}

// TestScoreBannedNotDialled: an address banned by score is not dialled
// automatically.
func TestScoreBannedNotDialled(t *testing.T) {
	n := newMemNet(t)
	a := n.host("10.0.4.1:2200", func(c *Config) { c.MaxOutbound = 1 })
	bad := netip.MustParseAddrPort("20.0.4.2:2200")
	n.host(bad.String())
	misbehaveInbound(t, n, a, netip.AddrPortFrom(bad.Addr(), 40000))
	n.flush()
	a.Book().Add([]KnownAddr{{Addr: bad, Seen: n.clock.t}}, netip.MustParseAddr("30.0.0.1"), n.clock.t)
	for range 5 {
		n.advance(time.Minute)
		if outboundTo(a, bad) != 0 {
			t.Fatal("an address banned by score was dialled")
		}
	}
}

// TestBanListLookup: host bans, subnets and score bans match their
// addresses (IPv4-mapped too) and nothing else; remove and clear lift
// them.
func TestBanListLookup(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := NewBanList("")
	l.Add(netip.MustParsePrefix("10.1.2.3/32"), now, time.Hour, "host")
	l.Add(netip.MustParsePrefix("10.9.0.0/16"), now, time.Hour, "subnet")
	l.Add(netip.MustParsePrefix("2001:db8::1/128"), now, time.Hour, "host6")
	l.Discourage(netip.MustParseAddr("10.5.5.5"), now, time.Hour, "score")
	cases := []struct {
		addr string
		want bool
	}{
		{"10.1.2.3", true},
		{"::ffff:10.1.2.3", true},
		{"10.1.2.4", false},
		{"10.9.200.1", true},
		{"10.10.0.1", false},
		{"2001:db8::1", true},
		{"2001:db8::2", false},
		{"10.5.5.5", true},
		{"::ffff:10.5.5.5", true},
		{"10.5.5.6", false},
	}
	for _, c := range cases {
		if got := l.Banned(netip.MustParseAddr(c.addr), now); got != c.want {
			t.Errorf("Banned(%s) = %v, want %v", c.addr, got, c.want)
		}
	}
	for _, a := range []string{"10.1.2.3", "10.9.0.1", "10.5.5.5"} {
		if l.Banned(netip.MustParseAddr(a), now.Add(time.Hour)) {
			t.Errorf("%s banned after the ban ended", a)
		}
	}
	if ok, _ := l.Remove(netip.MustParsePrefix("10.5.5.5/32")); !ok || l.Banned(netip.MustParseAddr("10.5.5.5"), now) {
		t.Error("setban remove did not lift a score ban")
	}
	if ok, _ := l.Remove(netip.MustParsePrefix("10.9.0.0/16")); !ok || l.Banned(netip.MustParseAddr("10.9.200.1"), now) {
		t.Error("the subnet ban not lifted")
	}
	l.Discourage(netip.MustParseAddr("10.5.5.5"), now, time.Hour, "score")
	if err := l.Clear(); err != nil {
		t.Fatal(err)
	}
	if len(l.List(now)) != 0 || l.Banned(netip.MustParseAddr("10.5.5.5"), now) || l.Banned(netip.MustParseAddr("10.1.2.3"), now) {
		t.Error("clear left bans")
	}
}
