package netsim

import (
	"strings"
	"testing"
)

// eclipseScenario is a cheap eclipse experiment: 50 honest nodes,
// one-second ticks, a one-minute warm-up.
const eclipseScenario = `
name = "eclipse"
seed = 1
nodes = 50
outbound = 8
tick = "1s"
warmup = "1m"
[attackers.eclipse]
trials = 20
variants = ["all", "none"]
`

// TestEclipse: with gg-node's countermeasures on, the attacker (1,000
// addresses in four /16s) never holds all of the victim's outbound
// slots in 20 trials; with them off it does in most. If the
// countermeasures stop working, or the attack stops biting, this fails.
func TestEclipse(t *testing.T) {
	sc, err := ParseScenario(eclipseScenario)
	if err != nil {
		t.Fatal(err)
	}
	r := New(sc).Run()
	e := r.Eclipse
	if e == nil || len(e.Variants) != 2 || r.Blocks != 0 {
		t.Fatalf("eclipse report %+v, %d blocks", e, r.Blocks)
	}
	on, off := e.Variants[0], e.Variants[1]
	if on.Name != "all" || !on.Buckets || !on.NetgroupLimit || off.Name != "none" || off.Buckets || off.NetgroupLimit {
		t.Fatalf("variants %+v", e.Variants)
	}
	if on.Successes != 0 {
		t.Errorf("countermeasures on: %d of 20 trials eclipsed the victim", on.Successes)
	}
	// Four groups, one outbound peer each at most: half the slots.
	if on.AttackerOutbound > 0.5 {
		t.Errorf("countermeasures on: the attacker held %.2f of the outbound slots, more than its 4 of 8 groups", on.AttackerOutbound)
	}
	if off.Successes < 5 {
		t.Errorf("countermeasures off: only %d of 20 trials eclipsed the victim; the attack no longer bites", off.Successes)
	}
	if on.VictimBookPercent < 0.5 || off.VictimBookPercent < 0.5 {
		t.Errorf("the flood filled %.2f (on) and %.2f (off) of the victim's book", on.VictimBookPercent, off.VictimBookPercent)
	}
	csv := string(r.CSV())
	for _, k := range []string{"eclipse_all_successes,0\n", "eclipse_none_success_rate,"} {
		if !strings.Contains(csv, k) {
			t.Errorf("CSV lacks %q:\n%s", k, csv)
		}
	}
}

// TestEclipseRefusals: unknown variants and bad sizes are refused.
func TestEclipseRefusals(t *testing.T) {
	base := "nodes = 10\n[attackers.eclipse]\n"
	for _, c := range []struct{ extra, want string }{
		{"variants = [\"no_tried\"]\n", "variant \"no_tried\""},
		{"variants = [\"only_\"]\n", "variant \"only_\""},
		{"variants = [\"no_anchors\", \"all_feelers\"]\n", "variant \"all_feelers\""},
		{"netgroups = 0\naddresses = 0\ntrials = -1\n", "trials -1"},
		{"connections = 500\n", "connections 500"},
		{"flood = \"1s\"\n", "flood >= 10s"},
	} {
		_, err := ParseScenario(base + c.extra)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.extra, err, c.want)
		}
	}
	for _, ok := range []string{"", "variants = [\"no_feelers\", \"no_anchors\", \"only_buckets\", \"only_netgroup_limit\"]\n"} {
		if _, err := ParseScenario(base + ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

// TestEclipseSameSeed: an eclipse experiment run twice with one seed
// gives one report.
func TestEclipseSameSeed(t *testing.T) {
	text := strings.Replace(strings.Replace(eclipseScenario, "trials = 20", "trials = 2", 1), `["all", "none"]`, `["none"]`, 1)
	var reports [2][]byte
	for i := range reports {
		sc, err := ParseScenario(text)
		if err != nil {
			t.Fatal(err)
		}
		reports[i] = New(sc).Run().JSON()
	}
	if string(reports[0]) != string(reports[1]) {
		t.Fatalf("same seed, different eclipse reports:\n%s\n%s", reports[0], reports[1])
	}
	if !strings.Contains(string(reports[0]), `"trials": 2`) {
		t.Fatalf("report:\n%s", reports[0])
	}
}

// TestEclipseAnchors: anchors alone stop the attack of TestEclipse (with
// every other countermeasure off, which TestEclipse shows eclipses the
// victim in most trials): the victim saves two of its outbound peers,
// chosen before the flood, as it stops and dials them first as it comes
// back, so at most six of its eight slots can be the attacker's.
func TestEclipseAnchors(t *testing.T) {
	text := strings.Replace(strings.Replace(eclipseScenario, "trials = 20", "trials = 10", 1), `["all", "none"]`, `["only_anchors"]`, 1)
	sc, err := ParseScenario(text)
	if err != nil {
		t.Fatal(err)
	}
	r := New(sc).Run()
	v := r.Eclipse.Variants[0]
	if v.Name != "only_anchors" || !v.Anchors || v.Buckets || v.NetgroupLimit || v.Feelers || v.Trials != 10 {
		t.Fatalf("variant %+v", v)
	}
	if v.Successes != 0 || v.AttackerOutbound > 0.75 {
		t.Fatalf("anchors on: %d of 10 trials eclipsed the victim, the attacker held %.2f of the slots (at most 6 of 8 with 2 anchors)", v.Successes, v.AttackerOutbound)
	}
}
