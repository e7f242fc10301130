package netsim

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
)

// Eclipse is the eclipse experiment ([attackers.eclipse]), after
// Heilman et al., "Eclipse Attacks on Bitcoin's Peer-to-Peer Network"
// (USENIX Security 2015): an attacker holding Addresses addresses in
// Netgroups /16s floods a victim's address book, then the victim
// restarts and refills its outbound slots from the book. A trial
// succeeds when every one of the victim's outbound slots is the
// attacker's. Each variant runs Trials trials (the same seeds for
// every variant, so they compare trial for trial).
type Eclipse struct {
	Trials    int `toml:"trials"`
	Addresses int `toml:"addresses"`
	Netgroups int `toml:"netgroups"`
	// Connections is how many inbound connections the attacker opens to
	// the victim to send its addr messages from (default 100).
	Connections int `toml:"connections"`
	// Flood is how long it floods (default 2m); Downtime is the victim's
	// restart (default 10s); Observe is how long after the restart its
	// outbound slots are judged (default 30s).
	Flood    Duration `toml:"flood"`
	Downtime Duration `toml:"downtime"`
	Observe  Duration `toml:"observe"`
	// Variants to run (default "all", "none" and each countermeasure
	// off alone): "all" (every countermeasure on, as gg-node runs),
	// "none", "no_X" (all but X) and "only_X" (X alone), X one of
	// buckets, netgroup_limit, feelers, anchors.
	Variants []string `toml:"variants"`
}

// The countermeasures of gg's peer layer, each switchable for the
// victim (lib/p2p's AddrBook.TestNoBuckets, Config.TestNoNetgroupLimit,
// Config.TestNoFeelers; anchors are the addresses the victim saves at
// the restart and dials first).
type countermeasures struct{ buckets, netgroup, feelers, anchors bool }

var countermeasureNames = []string{"buckets", "netgroup_limit", "feelers", "anchors"}

func (c *countermeasures) set(name string, on bool) {
	switch name {
	case "buckets":
		c.buckets = on
	case "netgroup_limit":
		c.netgroup = on
	case "feelers":
		c.feelers = on
	case "anchors":
		c.anchors = on
	}
}

// eclipseVariant parses a variant's name.
func eclipseVariant(name string) (countermeasures, bool) {
	all := countermeasures{true, true, true, true}
	switch name {
	case "all":
		return all, true
	case "none":
		return countermeasures{}, true
	}
	for _, x := range countermeasureNames {
		switch name {
		case "no_" + x:
			all.set(x, false)
			return all, true
		case "only_" + x:
			var c countermeasures
			c.set(x, true)
			return c, true
		}
	}
	return countermeasures{}, false
}

func (e *Eclipse) defaults() {
	if e.Trials == 0 {
		e.Trials = 20
	}
	if e.Addresses == 0 {
		e.Addresses = 1000
	}
	if e.Netgroups == 0 {
		e.Netgroups = 4
	}
	if e.Connections == 0 {
		e.Connections = 100
	}
	if e.Flood.Duration == 0 {
		e.Flood.Duration = 2 * time.Minute
	}
	if e.Downtime.Duration == 0 {
		e.Downtime.Duration = 10 * time.Second
	}
	if e.Observe.Duration == 0 {
		e.Observe.Duration = 30 * time.Second
	}
	if len(e.Variants) == 0 {
		e.Variants = []string{"all", "none", "no_buckets", "no_netgroup_limit", "no_feelers", "no_anchors"}
	}
}

func (e *Eclipse) check(s *Scenario) error {
	switch {
	case e.Trials < 1 || e.Trials > 100_000:
		return fmt.Errorf("trials %d: need 1 to 100000", e.Trials)
	case e.Addresses < 1 || e.Addresses > 60_000:
		return fmt.Errorf("addresses %d: need 1 to 60000", e.Addresses)
	case e.Netgroups < 1 || e.Netgroups > 50 || e.Netgroups > e.Addresses:
		return fmt.Errorf("netgroups %d: need 1 to 50, at most addresses", e.Netgroups)
	case e.Connections < 1 || e.Connections > e.Addresses || e.Connections > 100:
		return fmt.Errorf("connections %d: need 1 to 100, at most addresses", e.Connections)
	case s.Nodes > 40_000:
		return fmt.Errorf("nodes %d: at most 40000 with an eclipse attacker", s.Nodes)
	case e.Flood.Duration < 10*time.Second || e.Downtime.Duration < 0 || e.Observe.Duration < time.Second:
		return errors.New("need flood >= 10s, downtime >= 0, observe >= 1s")
	}
	for _, v := range e.Variants {
		if _, ok := eclipseVariant(v); !ok {
			return fmt.Errorf("variant %q: want all, none, no_X or only_X (X: %s)", v, strings.Join(countermeasureNames, ", "))
		}
	}
	return nil
}

// EclipseReport is the eclipse experiment's outcome.
type EclipseReport struct {
	Trials      int              `json:"trials"`
	Addresses   int              `json:"addresses"`
	Netgroups   int              `json:"netgroups"`
	Connections int              `json:"connections"`
	Variants    []EclipseVariant `json:"variants"`
}

// EclipseVariant is one set of countermeasures' outcome: successes
// (every outbound slot the attacker's), and the attacker's mean share
// of the victim's outbound peers after the restart.
type EclipseVariant struct {
	Name              string  `json:"name"`
	Trials            int     `json:"trials"` // run (fewer than asked if stopped early)
	Buckets           bool    `json:"buckets"`
	NetgroupLimit     bool    `json:"netgroup_limit"`
	Feelers           bool    `json:"feelers"`
	Anchors           bool    `json:"anchors"`
	Successes         int     `json:"successes"`
	SuccessRate       float64 `json:"success_rate"`
	AttackerOutbound  float64 `json:"attacker_outbound_share"`
	VictimBookPercent float64 `json:"attacker_book_share"`
}

// attackerAddr is the attacker's address j: group j mod groups, each
// group a /16 of 201.x (above every honest node's with at most 40,000
// nodes).
func attackerAddr(j, groups int) netip.AddrPort {
	g, k := j%groups, j/groups
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{201, byte(g + 1), byte(k / 250), byte(k%250 + 1)}), listenPort)
}

// runEclipse runs every variant's trials.
func (s *Sim) runEclipse() *Report {
	e := s.sc.Attackers.Eclipse
	r := s.baseReport()
	er := &EclipseReport{Trials: e.Trials, Addresses: e.Addresses, Netgroups: e.Netgroups, Connections: e.Connections}
	for _, name := range e.Variants {
		v, _ := eclipseVariant(name)
		out := EclipseVariant{Name: name, Buckets: v.buckets, NetgroupLimit: v.netgroup, Feelers: v.feelers, Anchors: v.anchors}
		share, book := 0.0, 0.0
		done := 0
		for k := 0; k < e.Trials; k++ {
			if s.stop.Load() {
				r.StoppedEarly = true
				break
			}
			ok, sh, bk := s.eclipseTrial(v, s.sc.Seed+uint64(k))
			done++
			if ok {
				out.Successes++
			}
			share += sh
			book += bk
			if (k+1)%max(e.Trials/10, 1) == 0 {
				s.progress("eclipse %s: %d of %d trials, %d successes", name, k+1, e.Trials, out.Successes)
			}
		}
		out.Trials = done
		if done > 0 {
			out.SuccessRate = round(float64(out.Successes)/float64(done), 6)
			out.AttackerOutbound = round(share/float64(done), 4)
			out.VictimBookPercent = round(book/float64(done), 4)
		}
		er.Variants = append(er.Variants, out)
		if r.StoppedEarly {
			break
		}
	}
	r.Eclipse = er
	return r
}

// eclipseTrial runs one trial in a world of its own: it reports whether
// the victim's outbound slots were all the attacker's after the
// restart, the attacker's share of them, and its share of the victim's
// address book before the restart.
func (s *Sim) eclipseTrial(v countermeasures, seed uint64) (bool, float64, float64) {
	e := s.sc.Attackers.Eclipse
	sc := *s.sc
	sc.Seed = seed
	sc.Attackers, sc.Faults = Attackers{}, Faults{}
	t := newSim(&sc, func(n *simNode, cfg *p2p.Config, book *p2p.AddrBook) {
		if n.i == 0 {
			cfg.TestNoNetgroupLimit = !v.netgroup
			cfg.TestNoFeelers = !v.feelers
			book.TestNoBuckets = !v.buckets
		}
	})
	victim := t.nodes[0]
	// The attacker: one Host answering at all its addresses (an inbound
	// peer to whoever dials them), on a fast North American link.
	atk := &simNode{i: len(t.nodes), sim: t, region: 0, up: 1e9, down: 1e9}
	atk.chain = newSimChain(atk, t.params.GenesisBlock)
	// Its own book must be keyed from the seed too: it answers the
	// victim's getaddr from it.
	atk.host = p2p.NewHost(p2p.Config{Params: t.params, Clock: t.net.Clock(), MaxPeers: 1 << 20, ListenPort: listenPort,
		Book:     p2p.NewAddrBookKeyed("", false, [32]byte{0xec, byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)}),
		Services: msg.SFNodeNetwork | msg.SFNodeWitness, Rand: mrand.New(mrand.NewPCG(seed, 0xec)), Nonce: 1 << 62})
	addrs := make([]netip.AddrPort, e.Addresses)
	for j := range addrs {
		addrs[j] = attackerAddr(j, e.Netgroups)
		t.net.Add(addrs[j], atk.host)
		t.byAddr[addrs[j].Addr()] = atk
	}
	t.net.RunFor(sc.Warmup.Duration)
	// The flood: Connections inbound connections, each sending one of
	// its share of the addresses every 10 s (the victim takes 0.1 a
	// second from a peer), freshly seen.
	for c := 0; c < e.Connections; c++ {
		out, _ := t.net.Connect(addrs[c], victim.addr)
		next := c
		var send func()
		send = func() {
			if out.Closed() || !t.net.Now().Before(t.floodEnd) {
				return
			}
			a := addrs[next]
			next += e.Connections
			if next >= len(addrs) {
				next = c
			}
			out.Send(&msg.Addr{List: []msg.TimedAddress{{Time: uint32(t.net.Now().Unix()),
				NetAddress: msg.NetAddress{Services: msg.SFNodeNetwork | msg.SFNodeWitness, Addr: a.Addr(), Port: a.Port()}}}})
			t.net.After(10*time.Second, send)
		}
		t.net.After(10*time.Second, send)
	}
	t.floodEnd = t.net.Now().Add(e.Flood.Duration)
	t.net.RunFor(e.Flood.Duration)
	inBook := 0
	for _, a := range addrs {
		if known, _ := victim.host.Book().Has(a); known {
			inBook++
		}
	}
	nNew, nTried := victim.host.Book().Size()
	bookShare := float64(inBook) / float64(max(nNew+nTried, 1))
	// The restart: the victim keeps its book (peers.json) and refills
	// its outbound slots from it — with anchors, after dialling the two
	// outbound peers it saved as it stopped (anchors.json).
	var anchors []netip.AddrPort
	if v.anchors {
		anchors = victim.host.Anchors()
	}
	t.goOffline(victim)
	t.net.RunFor(e.Downtime.Duration)
	t.comeBack(victim)
	victim.host.AddAnchors(anchors)
	t.net.RunFor(e.Observe.Duration)
	out, bad := 0, 0
	for _, p := range victim.host.Peers() {
		if p.Inbound || !p.Ready() {
			continue
		}
		out++
		if t.byAddr[p.Addr.Addr()] == atk {
			bad++
		}
	}
	return out == sc.Outbound && bad == out, float64(bad) / float64(max(out, 1)), bookShare
}
