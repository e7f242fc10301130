package netsim

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// runFaults runs the tiny scenario with a [faults] section.
func runFaults(t *testing.T, seed int, faults string) (*Sim, *Report) {
	t.Helper()
	sc, err := ParseScenario(fmt.Sprintf(tiny, seed, true) + faults)
	if err != nil {
		t.Fatal(err)
	}
	s := New(sc)
	return s, s.Run()
}

const partitionFault = `
[faults.partition]
at = "20s"
heal = "2m"
`

// TestPartition: while the network is split no block mined on one side
// reaches the other; both sides mine, so blocks go stale; after the
// heal every node comes to one tip, and the report says how fast.
func TestPartition(t *testing.T) {
	s, r := runFaults(t, 2, partitionFault)
	p := r.Faults.Partition
	if p == nil || p.SideA == 0 || p.SideB == 0 || p.SideA+p.SideB != 20 {
		t.Fatalf("partition report %+v", p)
	}
	crossed := 0
	for _, b := range s.blocks {
		if b.mined.Before(s.faults.cutFrom) || !b.mined.Before(s.faults.cutTo) {
			continue
		}
		for i, at := range b.at {
			if at >= 0 && s.faults.side[i] != s.faults.side[b.miner] && b.mined.Add(at).Before(s.faults.cutTo) {
				crossed++
			}
		}
	}
	if crossed > 0 {
		t.Fatalf("%d blocks crossed the partition before the heal", crossed)
	}
	if p.Blocks == 0 || p.StaleBlocks == 0 {
		t.Fatalf("no stale blocks from a 100 s split of 30 s blocks: %+v", p)
	}
	if p.HealTimeMs < 0 || p.HealTimeMs > 60_000 {
		t.Fatalf("heal time %d ms", p.HealTimeMs)
	}
}

// TestMessageLoss: lost transmissions are sent again after the
// retransmission timeout, which slows propagation; blocks and
// transactions appear as without loss (their own random streams).
func TestMessageLoss(t *testing.T) {
	_, clean := runFaults(t, 4, "")
	_, lossy := runFaults(t, 4, "[faults]\nloss = 0.1\n")
	if clean.Faults != nil {
		t.Fatal("a scenario without faults reports faults")
	}
	if lossy.Faults == nil || lossy.Faults.Retransmissions == 0 {
		t.Fatalf("loss 0.1: no retransmissions: %+v", lossy.Faults)
	}
	if lossy.Blocks != clean.Blocks || lossy.Transactions != clean.Transactions {
		t.Fatalf("loss changed the blocks (%d, %d) or transactions (%d, %d)", lossy.Blocks, clean.Blocks, lossy.Transactions, clean.Transactions)
	}
	// The tail pays for the losses: the last node waits on the slowest
	// of many paths. (Over a handful of blocks the median of the time to
	// 100 % may not move: the losses also change which peers push
	// compact blocks to whom.)
	if l, c := lossy.Propagation[4], clean.Propagation[4]; l.P90Ms <= c.P90Ms || l.P99Ms <= c.P99Ms {
		t.Fatalf("propagation to 100 %%: p90/p99 %d/%d ms with loss, %d/%d ms without", l.P90Ms, l.P99Ms, c.P90Ms, c.P99Ms)
	}
}

// TestChurn: nodes leave (closing their connections) and come back,
// reconnecting from their books and catching up with the chain.
func TestChurn(t *testing.T) {
	s, r := runFaults(t, 5, "[faults.churn]\nrate = 6.0\ndowntime = \"30s\"\n")
	c := r.Faults.Churn
	if c == nil || c.Departures == 0 || c.Returns == 0 {
		t.Fatalf("churn report %+v", c)
	}
	if c.CaughtUp != c.Returns {
		t.Fatalf("%d nodes came back, %d caught up", c.Returns, c.CaughtUp)
	}
	for _, n := range s.nodes {
		if n.offline {
			if len(n.host.Peers()) != 0 {
				t.Fatalf("offline node %d has %d peers", n.i, len(n.host.Peers()))
			}
			continue
		}
		if len(n.host.Peers()) == 0 {
			t.Fatalf("online node %d has no peers", n.i)
		}
	}
}

// TestFaultsSameSeed: with every fault on, one seed gives one report.
func TestFaultsSameSeed(t *testing.T) {
	all := "[faults]\nloss = 0.02\n[faults.partition]\nat = \"30s\"\nheal = \"1m\"\n[faults.churn]\nrate = 3.0\ndowntime = \"20s\"\n"
	_, a := runFaults(t, 6, all)
	_, b := runFaults(t, 6, all)
	if !bytes.Equal(a.JSON(), b.JSON()) || !bytes.Equal(a.CSV(), b.CSV()) {
		t.Fatalf("same seed, different reports:\n%s\n%s", a.JSON(), b.JSON())
	}
	if !bytes.Contains(a.CSV(), []byte("partition_heal_time_ms,")) || !bytes.Contains(a.CSV(), []byte("churn_departures,")) {
		t.Fatalf("fault rows missing from the CSV:\n%s", a.CSV())
	}
}

// TestChurnAllOffline: churn may take every node offline at once; the
// simulation still ends (an offline miner's draw is lost, not redrawn
// until an online node comes up — which looped for good when none was).
func TestChurnAllOffline(t *testing.T) {
	done := make(chan *Report, 1)
	go func() {
		_, r := runFaults(t, 3, "[faults.churn]\nrate = 100.0\ndowntime = \"1h\"\n")
		done <- r
	}()
	select {
	case r := <-done:
		if c := r.Faults.Churn; c == nil || c.Departures == 0 {
			t.Fatalf("churn report %+v", c)
		}
	case <-time.After(2 * time.Minute): // a watchdog for the endless loop, not a timing bound
		t.Fatal("the simulation did not end with every node offline")
	}
}

// longPartition splits 20 nodes for 25 minutes, longer than
// p2p.InactivityTimeout: every connection across is dropped on the way.
const longPartition = `
name = "long-partition"
seed = 1
nodes = 20
outbound = 4
block_interval = "60s"
block_size = 5000
tx_rate = 0.05
tick = "500ms"
warmup = "1m"
duration = "50m"
drain = "1m"
stale_tip = %v
[faults.partition]
at = "1m"
heal = "26m"
`

// TestLongPartitionHeals: after a partition long enough that no
// connection crosses it any more, the network comes to one tip again
// because a node whose tip has not moved for three block intervals
// opens an extra outbound connection (to another network group, and
// others in turn while the tip stays stale), which finds the other
// side. With that switched off (stale_tip = false; feelers stay on)
// it never heals.
func TestLongPartitionHeals(t *testing.T) {
	for _, on := range []bool{true, false} {
		sc, err := ParseScenario(fmt.Sprintf(longPartition, on))
		if err != nil {
			t.Fatal(err)
		}
		s := New(sc)
		across := -1
		s.net.At(Epoch.Add(sc.Warmup.Duration+sc.Faults.Partition.Heal.Duration-time.Second), func() {
			across = 0
			for _, n := range s.nodes {
				for _, p := range n.host.Peers() {
					if m := s.byAddr[p.Addr.Addr()]; m != nil && s.faults.side[m.i] != s.faults.side[n.i] {
						across++
					}
				}
			}
		})
		r := s.Run()
		p := r.Faults.Partition
		if across != 0 {
			t.Fatalf("stale tip %v: %d connections crossed the partition at its end; the scenario does not test a long one", on, across)
		}
		if on && p.HealTimeMs < 0 {
			t.Fatalf("stale tip on: a 25-minute partition did not heal in the 25 minutes after: %+v", p)
		}
		if !on && p.HealTimeMs >= 0 {
			t.Fatalf("stale tip off: the partition healed (%d ms); what else mends it? %+v", p.HealTimeMs, p)
		}
		t.Logf("stale tip %v: heal time %d ms, %d of %d blocks from the split to the heal stale", on, p.HealTimeMs, p.StaleBlocks, p.Blocks)
	}
}
