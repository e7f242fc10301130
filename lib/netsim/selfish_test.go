package netsim

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
)

const selfishScenario = `
name = "selfish"
seed = %d
nodes = 20
outbound = 4
block_interval = "60s"
block_size = 5000
tx_rate = 0.01
tick = "500ms"
warmup = "1m"
duration = "%s"
drain = "1m"
[attackers.selfish]
alpha = 0.4
`

func runSelfish(t *testing.T, seed int, dur string) *Report {
	t.Helper()
	sc, err := ParseScenario(fmt.Sprintf(selfishScenario, seed, dur))
	if err != nil {
		t.Fatal(err)
	}
	return New(sc).Run()
}

// TestSelfishMining: a selfish miner with 40 % of the power ends with
// more than its share of the best chain (Eyal and Sirer: about 48 % at
// γ = 0), ties happen and γ is measured in [0, 1]; the honest blocks it
// orphans show as stale.
func TestSelfishMining(t *testing.T) {
	r := runSelfish(t, 1, "3h")
	f := r.Selfish
	if f == nil || f.AttackerBlocks == 0 || f.Ties == 0 {
		t.Fatalf("selfish report %+v", f)
	}
	mined := float64(f.AttackerBlocks) / float64(f.AttackerBlocks+f.HonestBlocks)
	// Mining honestly (publishing at once) it would get about what it
	// mined; withholding, it orphans honest blocks and gets more.
	if f.RevenueShare < mined+0.05 {
		t.Fatalf("revenue share %.3f, not clearly above the share of blocks it mined (%.3f): %+v", f.RevenueShare, mined, f)
	}
	if lost := f.HonestBlocks - (f.BestChainBlocks - f.AttackerBestBlocks); lost*10 < f.HonestBlocks {
		t.Fatalf("only %d of %d honest blocks orphaned: %+v", lost, f.HonestBlocks, f)
	}
	if f.Gamma < 0 || f.Gamma > 1 || f.TieHonestOnAttack > f.TieHonestBlocks {
		t.Fatalf("gamma %v, %d of %d tie blocks on the attacker's branch", f.Gamma, f.TieHonestOnAttack, f.TieHonestBlocks)
	}
	if r.StaleBlocks < f.HonestBlocks-(f.BestChainBlocks-f.AttackerBestBlocks) {
		t.Fatalf("%d stale blocks, yet %d honest blocks are off the best chain", r.StaleBlocks, f.HonestBlocks-(f.BestChainBlocks-f.AttackerBestBlocks))
	}
	if !strings.Contains(string(r.CSV()), "selfish_gamma,") {
		t.Fatalf("CSV lacks selfish_gamma:\n%s", r.CSV())
	}
	a, b := runSelfish(t, 3, "30m"), runSelfish(t, 3, "30m")
	if !bytes.Equal(a.JSON(), b.JSON()) {
		t.Fatalf("same seed, different selfish reports:\n%s\n%s", a.JSON(), b.JSON())
	}
}

// TestEyalSirer: the revenue formula's known points — the profit
// thresholds, 1/3 at γ = 0 and 1/4 at γ = 1/2; at 20 % the attack
// loses at γ = 0 and gains at γ = 1.
func TestEyalSirer(t *testing.T) {
	for _, c := range []struct{ a, g, want float64 }{
		{1.0 / 3, 0, 1.0 / 3},
		{0.25, 0.5, 0.25},
		{0.4, 0, 0.4837},
	} {
		if got := eyalSirer(c.a, c.g); math.Abs(got-c.want) > 5e-4 {
			t.Errorf("R(%.3f, %.2f) = %.4f, want %.4f", c.a, c.g, got, c.want)
		}
	}
	if eyalSirer(0.2, 0) >= 0.2 || eyalSirer(0.2, 1) <= 0.2 {
		t.Errorf("at 20 %%: %.4f at γ = 0 (want below 0.2), %.4f at γ = 1 (want above)", eyalSirer(0.2, 0), eyalSirer(0.2, 1))
	}
}

// TestSelfishRefusals: alpha outside (0, 0.5) and two experiments at
// once are refused.
func TestSelfishRefusals(t *testing.T) {
	base := "nodes = 10\nblock_interval = \"60s\"\nblock_size = 10000\nduration = \"1m\"\n"
	for _, c := range []struct{ extra, want string }{
		{"[attackers.selfish]\nalpha = 0.6\n", "alpha 0.6"},
		{"[attackers.selfish]\n", "alpha 0"},
		{"[attackers.selfish]\nalpha = 0.3\n[attackers.eclipse]\n", "one experiment at a time"},
	} {
		if _, err := ParseScenario(base + c.extra); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.extra, err, c.want)
		}
	}
}
