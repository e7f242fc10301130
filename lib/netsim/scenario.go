package netsim

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Scenario is one simulation's settings, read from a small TOML file.
type Scenario struct {
	Name     string `toml:"name"`
	Seed     uint64 `toml:"seed"`
	Nodes    int    `toml:"nodes"`
	Outbound int    `toml:"outbound"`
	// Seeds is how many random addresses each node's address book
	// starts with (as from a DNS seed); default 4 × outbound.
	Seeds int `toml:"seeds"`
	// BlockInterval is the mean time between blocks (exponential).
	BlockInterval Duration `toml:"block_interval"`
	// BlockSize bounds a block's serialized size in bytes; the miner fills
	// it from its pool.
	BlockSize int `toml:"block_size"`
	// TxSize is each generated transaction's serialized size in bytes.
	TxSize int `toml:"tx_size"`
	// TxRate is transactions per second created network-wide, each at a
	// random node; default: what fills the blocks (block_size ÷ tx_size ÷
	// block_interval).
	TxRate float64 `toml:"tx_rate"`
	// CompactBlocks off makes every node refuse BIP152 (full blocks).
	CompactBlocks *bool `toml:"compact_blocks"`
	// StaleTip off keeps nodes from opening an extra outbound
	// connection when no block came for three block intervals
	// (lib/p2p's Config.StaleTipAfter); Feelers off stops their feeler
	// connections (Config.TestNoFeelers). Both default on, as gg-node.
	StaleTip *bool `toml:"stale_tip"`
	Feelers  *bool `toml:"feelers"`
	// Warmup runs before the first block and transaction, for the
	// connections to form; Duration is the mining time after it; Drain
	// runs after it without mining, for the last blocks to propagate.
	Warmup   Duration `toml:"warmup"`
	Duration Duration `toml:"duration"`
	Drain    Duration `toml:"drain"`
	// Tick is how often every node's Tick runs (default 100 ms) while it
	// has work pending; IdleTick how often when it has none (default 5 s;
	// equal to tick: always every tick).
	Tick     Duration `toml:"tick"`
	IdleTick Duration `toml:"idle_tick"`
	// Jitter adds up to this fraction of each latency, uniformly
	// (default 0.1).
	Jitter *float64 `toml:"jitter"`
	// TemplateRefresh is how often a miner's block template takes the
	// pool's new transactions while the tip stays (default 60 s: gg's
	// getblocktemplate long poll returns for a changed pool only after
	// lib/rpc.DefaultLongPollMempoolDelay, 60 s, as Core's does; a new tip
	// gives a new template at once). A block holds the pool as it was at
	// the miner's last template.
	TemplateRefresh Duration `toml:"template_refresh"`
	// SharedUplink makes a node's uploads share its upload bandwidth
	// (one queue per node) instead of one queue per link.
	SharedUplink bool `toml:"shared_uplink"`
	// Validation models block validation: per transaction, with its
	// signatures cached (it was in the pool) and without.
	ValidationWarmPerTx Duration `toml:"validation_warm_per_tx"`
	ValidationColdPerTx Duration `toml:"validation_cold_per_tx"`

	// Faults: message loss, a partition, node churn (faults.go).
	Faults Faults `toml:"faults"`
	// Attackers: eclipse trials (eclipse.go), a selfish miner
	// (selfish.go).
	Attackers Attackers `toml:"attackers"`
}

// Duration is a time.Duration written as a Go duration string ("600s").
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// ErrNotImplemented is a scenario feature the engine does not have yet.
var ErrNotImplemented = errors.New("not implemented")

// LoadScenario reads and checks a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	s, err := ParseScenario(string(b))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	return s, nil
}

// ParseScenario parses a scenario, fills its defaults and checks it;
// unknown keys are errors.
func ParseScenario(text string) (*Scenario, error) {
	var s Scenario
	md, err := toml.Decode(text, &s)
	if err != nil {
		return nil, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			keys = append(keys, k.String())
		}
		return nil, fmt.Errorf("unknown keys: %s", strings.Join(keys, ", "))
	}
	s.defaults()
	return &s, s.check()
}

func (s *Scenario) defaults() {
	s.Faults.defaults()
	s.Attackers.defaults()
	if s.Outbound == 0 {
		s.Outbound = 8
	}
	if s.Seeds == 0 {
		s.Seeds = 4 * s.Outbound
	}
	if s.TxSize == 0 {
		s.TxSize = 250
	}
	if s.TxRate == 0 && s.BlockInterval.Duration > 0 {
		s.TxRate = float64(s.BlockSize) / float64(s.TxSize) / s.BlockInterval.Seconds()
	}
	if s.CompactBlocks == nil {
		on := true
		s.CompactBlocks = &on
	}
	for _, b := range []**bool{&s.StaleTip, &s.Feelers} {
		if *b == nil {
			on := true
			*b = &on
		}
	}
	if s.Warmup.Duration == 0 {
		s.Warmup.Duration = 2 * time.Minute
	}
	if s.Drain.Duration == 0 {
		s.Drain.Duration = time.Minute
	}
	if s.Tick.Duration == 0 {
		s.Tick.Duration = 100 * time.Millisecond
	}
	if s.TemplateRefresh.Duration == 0 {
		s.TemplateRefresh.Duration = time.Minute
	}
	if s.IdleTick.Duration == 0 {
		s.IdleTick.Duration = max(5*time.Second, s.Tick.Duration)
	}
	if s.Jitter == nil {
		j := 0.1
		s.Jitter = &j
	}
	if s.ValidationWarmPerTx.Duration == 0 {
		s.ValidationWarmPerTx.Duration = DefaultValidationWarmPerTx
	}
	if s.ValidationColdPerTx.Duration == 0 {
		s.ValidationColdPerTx.Duration = DefaultValidationColdPerTx
	}
}

func (s *Scenario) check() error {
	switch {
	case s.Nodes < 2:
		return fmt.Errorf("nodes %d: need at least 2", s.Nodes)
	case s.Nodes > 60_000:
		return fmt.Errorf("nodes %d: at most 60000 (one /16 each)", s.Nodes)
	case s.Outbound < 1 || s.Outbound >= s.Nodes:
		return fmt.Errorf("outbound %d: need 1 to nodes-1", s.Outbound)
	// (Eclipse trials mine nothing: they need no block settings.)
	case s.Attackers.Eclipse == nil && s.BlockInterval.Duration <= 0:
		return errors.New("block_interval: need a positive duration")
	case s.Attackers.Eclipse == nil && s.Duration.Duration <= 0:
		return errors.New("duration: need a positive duration")
	case s.Attackers.Eclipse == nil && s.BlockSize < 1000:
		return fmt.Errorf("block_size %d: need at least 1000 bytes", s.BlockSize)
	case s.TxSize < 100 || s.TxSize > 100_000:
		return fmt.Errorf("tx_size %d: need 100 to 100000 bytes", s.TxSize)
	case s.TxRate < 0:
		return errors.New("tx_rate: must not be negative")
	case *s.Jitter < 0 || *s.Jitter > 10:
		return fmt.Errorf("jitter %g: need 0 to 10", *s.Jitter)
	case s.Tick.Duration < time.Millisecond:
		return errors.New("tick: need at least 1ms")
	case s.IdleTick.Duration < s.Tick.Duration || s.IdleTick.Duration%s.Tick.Duration != 0:
		return errors.New("idle_tick: need a multiple of tick")
	}
	if err := s.Faults.check(s); err != nil {
		return fmt.Errorf("faults: %w", err)
	}
	return s.Attackers.check(s)
}
