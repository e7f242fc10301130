package netsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"
)

// Report is a run's figures; the same scenario and seed give the same
// report, byte for byte.
type Report struct {
	Scenario      string  `json:"scenario"`
	Seed          uint64  `json:"seed"`
	Nodes         int     `json:"nodes"`
	Outbound      int     `json:"outbound"`
	BlockInterval string  `json:"block_interval"`
	BlockSize     int     `json:"block_size"`
	TxRate        float64 `json:"tx_rate"`
	CompactBlocks bool    `json:"compact_blocks"`
	// MeasuredSeconds is the simulated time measured (duration + drain).
	MeasuredSeconds float64 `json:"measured_seconds"`
	// StoppedEarly: the run was stopped (Sim.Stop) before its end.
	StoppedEarly bool `json:"stopped_early,omitempty"`
	Transactions int  `json:"transactions"`
	// Blocks mined; Stale ones are not on node 0's best chain at the end.
	Blocks      int     `json:"blocks"`
	StaleBlocks int     `json:"stale_blocks"`
	StaleRate   float64 `json:"stale_rate"`
	// Propagation: for each share of nodes, the time from a best-chain
	// block's mining until that share has validated it, over the blocks
	// (p50, p90, p99, nearest rank), in milliseconds; Reached is how many
	// of the blocks got there within the run.
	Propagation []PropRow    `json:"propagation"`
	Compact     CompactStats `json:"compact"`
	// TxRelay: for each share of nodes, the time from a transaction's
	// creation until that share has it in their pools (the creator
	// counts; a node that gets it only in a block does not), over the
	// transactions (p50, p90, p99, nearest rank), in milliseconds;
	// Reached is how many of them got there within the run.
	TxRelay []PropRow `json:"tx_relay,omitempty"`
	// Traffic is the bytes a node sends per day, by message type
	// (header included; the network's total ÷ nodes ÷ measured days).
	Traffic []TrafficRow `json:"traffic"`
	// Faults, when the scenario has any (faults.go).
	Faults *FaultReport `json:"faults,omitempty"`
	// Eclipse: the eclipse experiment's trials (eclipse.go); such a
	// scenario reports nothing else.
	Eclipse *EclipseReport `json:"eclipse,omitempty"`
	// Selfish: the selfish miner's revenue and the measured γ
	// (selfish.go).
	Selfish *SelfishReport `json:"selfish,omitempty"`
}

// PropRow is the propagation to one share of the nodes.
type PropRow struct {
	SharePct int   `json:"share_pct"`
	Reached  int   `json:"reached"`
	P50Ms    int64 `json:"p50_ms"`
	P90Ms    int64 `json:"p90_ms"`
	P99Ms    int64 `json:"p99_ms"`
}

// CompactStats counts how block data reached the nodes that did not
// mine it: from a compact block rebuilt from the pool alone (no round
// trip), from one that needed getblocktxn, or as a whole block.
type CompactStats struct {
	NoRoundTrip     int     `json:"no_round_trip"`
	WithGetBlockTxn int     `json:"with_getblocktxn"`
	FullBlock       int     `json:"full_block"`
	NoRoundTripPct  float64 `json:"no_round_trip_pct"`
}

// TrafficRow is one message type's traffic.
type TrafficRow struct {
	Command            string  `json:"command"`
	MessagesPerNodeDay float64 `json:"messages_per_node_day"`
	BytesPerNodeDay    float64 `json:"bytes_per_node_day"`
}

var shares = [...]int{50, 90, 95, 99, 100}

// baseReport is the report's scenario part.
func (s *Sim) baseReport() *Report {
	sc := s.sc
	return &Report{Scenario: sc.Name, Seed: sc.Seed, Nodes: sc.Nodes, Outbound: sc.Outbound,
		BlockInterval: sc.BlockInterval.String(), BlockSize: sc.BlockSize, TxRate: round(sc.TxRate, 4),
		CompactBlocks: *sc.CompactBlocks}
}

func (s *Sim) report() *Report {
	measured := s.net.Now().Sub(s.start)
	r := s.baseReport()
	r.MeasuredSeconds, r.Transactions, r.Blocks = round(measured.Seconds(), 3), s.txs, len(s.blocks)
	main := map[[32]byte]bool{}
	for _, b := range s.reference().chain.main {
		main[b.hash] = true
	}
	var best []*blockRec
	stale := map[[32]byte]bool{}
	for _, b := range s.blocks {
		if main[b.hash] {
			if s.selfish == nil || b.miner != s.selfish.node.i { // withheld blocks' propagation says nothing
				best = append(best, b)
			}
		} else {
			r.StaleBlocks++
			stale[b.hash] = true
		}
	}
	s.faultReport(r, stale)
	s.selfishReport(r, main)
	if r.Blocks > 0 {
		r.StaleRate = round(float64(r.StaleBlocks)/float64(r.Blocks), 6)
	}
	for _, pct := range shares {
		k := int(math.Ceil(float64(pct) / 100 * float64(len(s.nodes))))
		var ts []time.Duration
		for _, b := range best {
			at := make([]time.Duration, 0, b.have)
			for _, d := range b.at {
				if d >= 0 {
					at = append(at, d)
				}
			}
			if len(at) >= k {
				slices.Sort(at)
				ts = append(ts, at[k-1])
			}
		}
		slices.Sort(ts)
		r.Propagation = append(r.Propagation, PropRow{SharePct: pct, Reached: len(ts),
			P50Ms: rank(ts, 0.50), P90Ms: rank(ts, 0.90), P99Ms: rank(ts, 0.99)})
	}
	if len(s.txRecs) > 0 {
		for i, pct := range shares {
			var ts []time.Duration
			for _, t := range s.txRecs {
				if t.at[i] >= 0 {
					ts = append(ts, t.at[i])
				}
			}
			slices.Sort(ts)
			r.TxRelay = append(r.TxRelay, PropRow{SharePct: pct, Reached: len(ts),
				P50Ms: rank(ts, 0.50), P90Ms: rank(ts, 0.90), P99Ms: rank(ts, 0.99)})
		}
	}
	c := s.compact
	if total := c.NoRoundTrip + c.WithGetBlockTxn + c.FullBlock; total > 0 {
		c.NoRoundTripPct = round(100*float64(c.NoRoundTrip)/float64(total), 2)
	}
	r.Compact = c
	days := measured.Hours() / 24
	var cmds []string
	for cmd := range s.bytes {
		cmds = append(cmds, cmd)
	}
	sort.Strings(cmds)
	for _, cmd := range cmds {
		b := s.bytes[cmd]
		per := float64(len(s.nodes)) * days
		r.Traffic = append(r.Traffic, TrafficRow{Command: cmd, MessagesPerNodeDay: round(float64(b.msgs)/per, 1),
			BytesPerNodeDay: round(float64(b.bytes)/per, 0)})
	}
	return r
}

// reference is the node whose best chain decides which blocks are
// stale: node 0, or with churn the online node with the highest tip.
func (s *Sim) reference() *simNode {
	ref := s.nodes[0]
	if s.selfish != nil {
		ref = s.nodes[1] // node 0 is the selfish miner
	}
	if s.sc.Faults.Churn == nil {
		return ref
	}
	for _, n := range s.nodes {
		if !n.offline && !n.attacker && (ref.offline || n.chain.tip.height > ref.chain.tip.height) {
			ref = n
		}
	}
	return ref
}

// rank is the nearest-rank percentile of sorted ts in milliseconds (-1
// when empty).
func rank(ts []time.Duration, p float64) int64 {
	if len(ts) == 0 {
		return -1
	}
	i := int(math.Ceil(p*float64(len(ts)))) - 1
	return ts[max(i, 0)].Milliseconds()
}

func round(x float64, digits int) float64 {
	m := math.Pow(10, float64(digits))
	return math.Round(x*m) / m
}

// JSON is the report as indented JSON.
func (r *Report) JSON() []byte {
	b, _ := json.MarshalIndent(r, "", "  ")
	return append(b, '\n')
}

// CSV is the report as metric,value lines.
func (r *Report) CSV() []byte {
	var b bytes.Buffer
	b.WriteString("metric,value\n")
	row := func(k string, v any) {
		if f, ok := v.(float64); ok {
			v = strconv.FormatFloat(f, 'f', -1, 64)
		}
		fmt.Fprintf(&b, "%s,%v\n", k, v)
	}
	row("scenario", r.Scenario)
	row("seed", r.Seed)
	row("nodes", r.Nodes)
	row("outbound", r.Outbound)
	row("block_interval", r.BlockInterval)
	row("block_size", r.BlockSize)
	row("tx_rate", r.TxRate)
	row("compact_blocks", r.CompactBlocks)
	row("measured_seconds", r.MeasuredSeconds)
	if r.StoppedEarly {
		row("stopped_early", true)
	}
	row("transactions", r.Transactions)
	row("blocks", r.Blocks)
	row("stale_blocks", r.StaleBlocks)
	row("stale_rate", r.StaleRate)
	for _, p := range r.Propagation {
		k := fmt.Sprintf("propagation_%d", p.SharePct)
		row(k+"_reached", p.Reached)
		row(k+"_p50_ms", p.P50Ms)
		row(k+"_p90_ms", p.P90Ms)
		row(k+"_p99_ms", p.P99Ms)
	}
	for _, p := range r.TxRelay {
		k := fmt.Sprintf("tx_relay_%d", p.SharePct)
		row(k+"_reached", p.Reached)
		row(k+"_p50_ms", p.P50Ms)
		row(k+"_p90_ms", p.P90Ms)
		row(k+"_p99_ms", p.P99Ms)
	}
	row("compact_no_round_trip", r.Compact.NoRoundTrip)
	row("compact_with_getblocktxn", r.Compact.WithGetBlockTxn)
	row("compact_full_block", r.Compact.FullBlock)
	row("compact_no_round_trip_pct", r.Compact.NoRoundTripPct)
	for _, t := range r.Traffic {
		row("messages_per_node_day_"+t.Command, t.MessagesPerNodeDay)
		row("bytes_per_node_day_"+t.Command, t.BytesPerNodeDay)
	}
	if f := r.Faults; f != nil {
		row("loss", f.Loss)
		row("retransmissions", f.Retransmissions)
		if p := f.Partition; p != nil {
			row("partition_at_s", p.AtSeconds)
			row("partition_heal_s", p.HealSeconds)
			row("partition_side_a", p.SideA)
			row("partition_side_b", p.SideB)
			row("partition_heal_time_ms", p.HealTimeMs)
			row("partition_blocks", p.Blocks)
			row("partition_stale_blocks", p.StaleBlocks)
		}
		if c := f.Churn; c != nil {
			row("churn_departures", c.Departures)
			row("churn_returns", c.Returns)
			row("churn_caught_up", c.CaughtUp)
			row("churn_catch_up_p50_ms", c.CatchUpP50Ms)
			row("churn_catch_up_p90_ms", c.CatchUpP90Ms)
		}
	}
	if f := r.Selfish; f != nil {
		row("selfish_alpha", f.Alpha)
		row("selfish_attacker_blocks", f.AttackerBlocks)
		row("selfish_honest_blocks", f.HonestBlocks)
		row("selfish_best_chain_blocks", f.BestChainBlocks)
		row("selfish_attacker_best_chain_blocks", f.AttackerBestBlocks)
		row("selfish_revenue_share", f.RevenueShare)
		row("selfish_ties", f.Ties)
		row("selfish_gamma", f.Gamma)
		row("selfish_tie_honest_blocks", f.TieHonestBlocks)
		row("selfish_tie_honest_blocks_on_attacker", f.TieHonestOnAttack)
		row("selfish_expected_revenue_share", f.ExpectedRevenue)
	}
	if e := r.Eclipse; e != nil {
		row("eclipse_trials", e.Trials)
		row("eclipse_addresses", e.Addresses)
		row("eclipse_netgroups", e.Netgroups)
		row("eclipse_connections", e.Connections)
		for _, v := range e.Variants {
			k := "eclipse_" + v.Name
			row(k+"_trials", v.Trials)
			row(k+"_successes", v.Successes)
			row(k+"_success_rate", v.SuccessRate)
			row(k+"_attacker_outbound_share", v.AttackerOutbound)
			row(k+"_attacker_book_share", v.VictimBookPercent)
		}
	}
	return b.Bytes()
}
