package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

func testApp(action ucli.ActionFunc) (*ucli.App, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	app := NewApp("gg-test", "test app", IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	app.Action = action
	return app, &out, &errb
}

func TestReportVoice(t *testing.T) {
	app, out, errb := testApp(func(*ucli.Context) error {
		return WithHint(Failf("Insufficient funds: need 1.5 GG, have 1.2 GG."), "mine or receive more coins")
	})
	code := Run(app, []string{"gg-test"})
	if code != ExitError {
		t.Fatalf("code %d", code)
	}
	want := "gg-test: error: insufficient funds: need 1.5 GG, have 1.2 GG\ngg-test: hint: mine or receive more coins\n"
	if errb.String() != want || out.Len() != 0 {
		t.Fatalf("stderr %q stdout %q", errb, out)
	}
}

func TestUsageErrorKeepsStdoutClean(t *testing.T) {
	app, out, errb := testApp(func(*ucli.Context) error { return nil })
	code := Run(app, []string{"gg-test", "--no-such-flag"})
	if code != ExitUsage {
		t.Fatalf("code %d, stderr %q", code, errb)
	}
	if out.Len() != 0 {
		t.Fatalf("usage error wrote to stdout: %q", out)
	}
	if !strings.Contains(errb.String(), "gg-test: error:") || !strings.Contains(errb.String(), "hint: see 'gg-test --help'") {
		t.Fatalf("stderr %q", errb)
	}
}

func TestCommonFlagsAndEnv(t *testing.T) {
	t.Setenv("GG_NETWORK", "regtest")
	var got string
	app, _, _ := testApp(func(c *ucli.Context) error {
		p, err := Network(c)
		if err != nil {
			return err
		}
		got = p.Name
		return nil
	})
	if code := Run(app, []string{"gg-test"}); code != 0 || got != "regtest" {
		t.Fatalf("env GG_NETWORK ignored: %q code %d", got, code)
	}
	// Flag beats environment.
	if code := Run(app, []string{"gg-test", "--network=testnet"}); code != 0 || got != "testnet" {
		t.Fatalf("flag did not win: %q", got)
	}
	app2, _, errb := testApp(func(c *ucli.Context) error { _, err := Network(c); return err })
	if code := Run(app2, []string{"gg-test", "--network=simnet"}); code != ExitUsage {
		t.Fatalf("unknown network code %d: %s", code, errb)
	}
}

func TestVersion(t *testing.T) {
	app, out, _ := testApp(nil)
	if code := Run(app, []string{"gg-test", "--version"}); code != 0 {
		t.Fatal(code)
	}
	if !strings.HasPrefix(out.String(), "gg-test version ") {
		t.Fatalf("version output %q", out)
	}
}

func TestReportCodes(t *testing.T) {
	var b bytes.Buffer
	if Report("x", &b, nil) != ExitOK || b.Len() != 0 {
		t.Fatal("nil error")
	}
	if Report("x", &b, Unavailable(errors.New("dial"), "is gg-node running?")) != ExitUnavailable {
		t.Fatal("unavailable code")
	}
	if Report("x", &b, Usagef("bad")) != ExitUsage {
		t.Fatal("usage code")
	}
}

// TestLowerFirst: one final period goes, an ellipsis stays; the first
// letter is lowered unless it starts an acronym.
func TestLowerFirst(t *testing.T) {
	for in, want := range map[string]string{
		"Insufficient funds.":                    "insufficient funds",
		"no method: gg-node rpc METHOD [ARG]...": "no method: gg-node rpc METHOD [ARG]...",
		"wait...":                                "wait...",
		"RPC refused.":                           "RPC refused",
		"done":                                   "done",
		".":                                      "",
		"":                                       "",
	} {
		if got := lowerFirst(in); got != want {
			t.Errorf("lowerFirst(%q) = %q, want %q", in, got, want)
		}
	}
}
