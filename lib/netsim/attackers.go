package netsim

// Attackers are a scenario's attackers ([attackers] in the TOML).
type Attackers struct{}

func (a *Attackers) defaults() {}

func (a *Attackers) check(*Scenario) error { return nil }
