package netsim

import "fmt"

// Attackers are a scenario's attackers ([attackers] in the TOML).
type Attackers struct {
	// Eclipse makes the scenario an eclipse experiment: trials of
	// small worlds of its own, without mining (eclipse.go).
	Eclipse *Eclipse `toml:"eclipse"`
	// Selfish makes node 0 a selfish miner (selfish.go).
	Selfish *Selfish `toml:"selfish"`
}

func (a *Attackers) defaults() {
	if a.Eclipse != nil {
		a.Eclipse.defaults()
	}
}

func (a *Attackers) check(s *Scenario) error {
	if a.Eclipse != nil && a.Selfish != nil {
		return fmt.Errorf("attackers: eclipse and selfish: one experiment at a time")
	}
	if a.Selfish != nil {
		if err := a.Selfish.check(); err != nil {
			return fmt.Errorf("attackers: selfish: %w", err)
		}
	}
	if a.Eclipse != nil {
		if err := a.Eclipse.check(s); err != nil {
			return fmt.Errorf("attackers: eclipse: %w", err)
		}
	}
	return nil
}
