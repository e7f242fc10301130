package netsim

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/gamegold/gg/lib/p2p"
)

// Faults are a scenario's network faults ([faults] in the TOML). Their
// times count from the start of the measurement (after the warm-up).
type Faults struct {
	// Loss is the chance that one transmission of a message is lost.
	// gg speaks TCP, which loses nothing: a lost segment is sent again
	// after the retransmission timeout, and the messages behind it on
	// the connection wait (head-of-line blocking). So a loss delays the
	// message by one timeout — 200 ms (Linux's minimum) plus the round
	// trip — and each further loss of the same message doubles it.
	Loss float64 `toml:"loss"`
	// Partition splits the nodes in two for a while.
	Partition *Partition `toml:"partition"`
	// Churn takes nodes off the network and brings them back.
	Churn *Churn `toml:"churn"`
}

// Partition splits the network in two at At and heals it at Heal: no
// message crosses between (TCP holds it and delivers it after the heal;
// a connection quiet for InactivityTimeout is dropped by its Host on
// the way) and dials across fail after p2p.TCP's dial timeout.
type Partition struct {
	At   Duration `toml:"at"`
	Heal Duration `toml:"heal"`
	// Share is the fraction of nodes on the second side, drawn at
	// random (default 0.5).
	Share float64 `toml:"share"`
}

// Churn: nodes leave at Rate per node per hour (Poisson, a random node
// each time) and come back after an exponential downtime of mean
// Downtime (default 10 minutes). A leaving node closes its connections
// and refuses new ones; it comes back with its address book and chain
// and reconnects from the book.
type Churn struct {
	Rate     float64  `toml:"rate"`
	Downtime Duration `toml:"downtime"`
}

// crossDialTimeout is how long a dial across a partition takes to fail
// (p2p.TCP's DialTimeout).
const crossDialTimeout = 10 * time.Second

// minRTO and maxRTO bound the TCP retransmission timeout (Linux's
// TCP_RTO_MIN and TCP_RTO_MAX): it doubles per loss up to maxRTO.
const (
	minRTO = 200 * time.Millisecond
	maxRTO = 120 * time.Second
)

func (f *Faults) defaults() {
	if f.Partition != nil && f.Partition.Share == 0 {
		f.Partition.Share = 0.5
	}
	if f.Churn != nil && f.Churn.Downtime.Duration == 0 {
		f.Churn.Downtime.Duration = 10 * time.Minute
	}
}

func (f *Faults) check(s *Scenario) error {
	end := s.Duration.Duration + s.Drain.Duration
	if f.Loss < 0 || f.Loss > 0.5 {
		return fmt.Errorf("loss %g: need 0 to 0.5", f.Loss)
	}
	if p := f.Partition; p != nil {
		switch {
		case p.At.Duration < 0 || p.Heal.Duration <= p.At.Duration:
			return errors.New("partition: need 0 <= at < heal")
		case p.Heal.Duration > end:
			return fmt.Errorf("partition: heal %v after the run's end (%v)", p.Heal, end)
		case p.Share <= 0 || p.Share >= 1:
			return fmt.Errorf("partition: share %g: need more than 0 and less than 1", p.Share)
		}
	}
	if c := f.Churn; c != nil {
		if c.Rate <= 0 || c.Rate > 100 {
			return fmt.Errorf("churn: rate %g: need more than 0 and at most 100 departures per node per hour", c.Rate)
		}
		if c.Downtime.Duration < time.Second {
			return errors.New("churn: downtime: need at least 1s")
		}
	}
	return nil
}

// FaultReport is what the faults did.
type FaultReport struct {
	Loss float64 `json:"loss,omitempty"`
	// Retransmissions is how many transmissions were lost and sent
	// again (during the measurement).
	Retransmissions uint64           `json:"retransmissions,omitempty"`
	Partition       *PartitionReport `json:"partition,omitempty"`
	Churn           *ChurnReport     `json:"churn,omitempty"`
}

// PartitionReport: the two sides' sizes, the heal time — from the heal
// until every online node has validated one and the same tip (-1: not
// within the run) — and the blocks mined from the split until then,
// with how many of them ended stale.
type PartitionReport struct {
	AtSeconds   float64 `json:"at_s"`
	HealSeconds float64 `json:"heal_s"`
	SideA       int     `json:"side_a"`
	SideB       int     `json:"side_b"`
	HealTimeMs  int64   `json:"heal_time_ms"`
	Blocks      int     `json:"blocks"`
	StaleBlocks int     `json:"stale_blocks"`
}

// ChurnReport: departures and returns, and how long a returning node
// took to reach the best height any online node had when it came back
// (p50/p90 over those that did).
type ChurnReport struct {
	Departures   int   `json:"departures"`
	Returns      int   `json:"returns"`
	CaughtUp     int   `json:"caught_up"`
	CatchUpP50Ms int64 `json:"catch_up_p50_ms"`
	CatchUpP90Ms int64 `json:"catch_up_p90_ms"`
}

// faultState is the engine's side of the faults.
type faultState struct {
	on              bool
	side            []bool // partition: on the second side
	cutFrom, cutTo  time.Time
	healWatch       bool
	healedAt        time.Time // zero until healed
	retransmissions uint64
	departures      int
	returns         int
	catchUp         []time.Duration
}

// faultDialer is a node's Dialer: a dial across a partition fails after
// the dial timeout; others go to the SimNet.
type faultDialer struct {
	n     *simNode
	inner p2p.Dialer
}

func (d *faultDialer) Dial(to netip.AddrPort) {
	s := d.n.sim
	if t := s.byAddr[to.Addr()]; t != nil && s.cut(d.n, t, s.net.Now()) {
		host := d.n.host
		s.net.After(crossDialTimeout, func() { host.DialFailed(to, errors.New("partitioned")) })
		return
	}
	d.inner.Dial(to)
}

// cut reports whether a message between a and b arriving at t is held
// by the partition.
func (s *Sim) cut(a, b *simNode, t time.Time) bool {
	f := &s.faults
	return f.side != nil && f.side[a.i] != f.side[b.i] && !t.Before(f.cutFrom) && t.Before(f.cutTo)
}

// faultArrival applies the partition and message loss to a message from
// a to b that would arrive at arrive over a link of latency lat.
func (s *Sim) faultArrival(a, b *simNode, arrive time.Time, lat time.Duration) time.Time {
	if s.cut(a, b, arrive) {
		arrive = s.faults.cutTo.Add(lat) // TCP delivers it once the path is back
	}
	if p := s.sc.Faults.Loss; p > 0 {
		rto := minRTO + 2*lat
		for s.lossRng.Float64() < p {
			arrive = arrive.Add(rto)
			rto = min(2*rto, maxRTO)
			if s.measuring {
				s.faults.retransmissions++
			}
		}
	}
	return arrive
}

// startFaults schedules the faults at the start of the measurement.
func (s *Sim) startFaults() {
	f := &s.sc.Faults
	if p := f.Partition; p != nil {
		s.faults.cutFrom, s.faults.cutTo = s.start.Add(p.At.Duration), s.start.Add(p.Heal.Duration)
		s.faults.side = make([]bool, len(s.nodes))
		for i := range s.faults.side {
			s.faults.side[i] = s.faultRng.Float64() < p.Share
		}
		s.net.At(s.faults.cutTo, func() {
			s.faults.healWatch = true
			s.checkHeal()
		})
	}
	if c := f.Churn; c != nil {
		s.net.After(expo(s.faultRng, 3600/(c.Rate*float64(len(s.nodes)))), s.churn)
	}
}

// checkHeal notes when, after the heal, every online node has one tip.
func (s *Sim) checkHeal() {
	if !s.faults.healWatch {
		return
	}
	var tip *bnode
	done := s.net.Now()
	for _, n := range s.nodes {
		if n.offline {
			continue
		}
		t := n.chain.tip
		if tip != nil && t.hash != tip.hash {
			return
		}
		tip = t
		if n.chain.busy.After(done) {
			done = n.chain.busy
		}
	}
	s.faults.healWatch = false
	s.faults.healedAt = done
}

// churn takes a random online node off the network for a while.
func (s *Sim) churn() {
	c := s.sc.Faults.Churn
	if !s.net.Now().Before(s.stopMining) {
		return
	}
	defer s.net.After(expo(s.faultRng, 3600/(c.Rate*float64(len(s.nodes)))), s.churn)
	n := s.nodes[s.faultRng.IntN(len(s.nodes))]
	down := expo(s.faultRng, c.Downtime.Seconds())
	if n.offline || n.attacker {
		return
	}
	s.faults.departures++
	s.goOffline(n)
	s.net.After(down, func() {
		s.comeBack(n)
		s.faults.returns++
	})
}

// goOffline closes n's connections and takes it off the network.
func (s *Sim) goOffline(n *simNode) {
	n.offline = true
	for _, p := range n.host.Peers() {
		n.host.Disconnect(p, "going offline")
	}
	s.net.Remove(n.addr)
}

// comeBack puts n back on the network; it reconnects from its book.
func (s *Sim) comeBack(n *simNode) {
	n.offline = false
	s.net.Add(n.addr, n.host)
	n.backAt, n.backTarget = s.net.Now(), 0
	for _, m := range s.nodes {
		if !m.offline && m.chain.tip.height > n.backTarget {
			n.backTarget = m.chain.tip.height
		}
	}
	n.catchingUp = true
	s.caughtUp(n)
}

// caughtUp records a returning node's catch-up once it has the height.
func (s *Sim) caughtUp(n *simNode) {
	if n.catchingUp && n.chain.tip.height >= n.backTarget {
		n.catchingUp = false
		done := s.net.Now()
		if n.chain.busy.After(done) {
			done = n.chain.busy
		}
		s.faults.catchUp = append(s.faults.catchUp, done.Sub(n.backAt))
	}
}

// faultReport fills the report's faults section.
func (s *Sim) faultReport(r *Report, stale map[[32]byte]bool) {
	f := s.sc.Faults
	if !s.faults.on {
		return
	}
	fr := &FaultReport{Loss: f.Loss, Retransmissions: s.faults.retransmissions}
	if p := f.Partition; p != nil {
		pr := &PartitionReport{AtSeconds: p.At.Seconds(), HealSeconds: p.Heal.Seconds(), HealTimeMs: -1}
		for _, b := range s.faults.side {
			if b {
				pr.SideB++
			} else {
				pr.SideA++
			}
		}
		until := s.net.Now()
		if !s.faults.healedAt.IsZero() {
			pr.HealTimeMs = s.faults.healedAt.Sub(s.faults.cutTo).Milliseconds()
			until = s.faults.healedAt
		}
		for _, b := range s.blocks {
			if !b.mined.Before(s.faults.cutFrom) && !b.mined.After(until) {
				pr.Blocks++
				if stale[b.hash] {
					pr.StaleBlocks++
				}
			}
		}
		fr.Partition = pr
	}
	if f.Churn != nil {
		ts := slices.Clone(s.faults.catchUp)
		slices.Sort(ts)
		fr.Churn = &ChurnReport{Departures: s.faults.departures, Returns: s.faults.returns, CaughtUp: len(ts),
			CatchUpP50Ms: rank(ts, 0.5), CatchUpP90Ms: rank(ts, 0.9)}
	}
	r.Faults = fr
}
