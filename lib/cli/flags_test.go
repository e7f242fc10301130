package cli

import (
	"slices"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// hoistApp is a command tree like the binaries': a leaf with flags of its
// own, a group with subcommands, a command that skips flag parsing.
func hoistApp() *ucli.App {
	app := NewApp("gg-test", "test app", IO{In: strings.NewReader(""), Out: &strings.Builder{}, Err: &strings.Builder{}})
	app.Flags = append(app.Flags, &ucli.StringFlag{Name: "rpc-listen"})
	app.Commands = []*ucli.Command{
		{Name: "send", Flags: []ucli.Flag{&ucli.StringFlag{Name: "account"}, &ucli.BoolFlag{Name: "subtract-fee"}}},
		{Name: "address", Subcommands: []*ucli.Command{{Name: "new", Flags: []ucli.Flag{&ucli.StringFlag{Name: "account"}}}}},
		{Name: "raw", SkipFlagParsing: true},
	}
	return app
}

func TestHoistFlags(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		// global flags after the command go after the binary's name
		{"gg-test balance --json", "gg-test balance --json"}, // unknown command: left alone
		{"gg-test send --json A 1", "gg-test --json send A 1"},
		{"gg-test send --network regtest A 1", "gg-test --network regtest send A 1"},
		{"gg-test send A 1 --datadir=/d --json", "gg-test --datadir=/d --json send A 1"},
		// after the ones already there: the later one wins
		{"gg-test --network=main send --network=regtest A 1", "gg-test --network=main --network=regtest send A 1"},
		// a command's own flags go before its arguments
		{"gg-test send A 1 --account bob --subtract-fee", "gg-test send --account bob --subtract-fee A 1"},
		{"gg-test address new --json --account bob", "gg-test --json address new --account bob"},
		{"gg-test address --json new", "gg-test --json address new"},
		// "--" ends the flags; "-" and negative numbers are arguments
		{"gg-test send A -- --json", "gg-test send A -- --json"},
		{"gg-test send - -5 --json", "gg-test --json send - -5"},
		// unknown words: before the arguments urfave reports them; after, arguments
		{"gg-test send --bogus A", "gg-test send --bogus A"},
		{"gg-test send A --bogus --json", "gg-test --json send A --bogus"},
		// an app flag that is not common stays where it is
		{"gg-test send A --rpc-listen x", "gg-test send A --rpc-listen x"},
		// flag parsing skipped, completion: untouched
		{"gg-test raw --json x", "gg-test raw --json x"},
		{"gg-test send A --json --generate-bash-completion", "gg-test send A --json --generate-bash-completion"},
		{"gg-test --json", "gg-test --json"},
	} {
		got := strings.Join(hoistFlags(hoistApp(), strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// TestFlagsAnywhere runs a command with the global flags after it and its
// own flags after its arguments.
func TestFlagsAnywhere(t *testing.T) {
	var got []string
	app, _, errb := testApp(nil)
	app.Commands = []*ucli.Command{{Name: "send", Flags: []ucli.Flag{&ucli.StringFlag{Name: "account"}},
		Action: func(c *ucli.Context) error {
			got = append([]string{c.String(FlagNetwork), c.String("account"), c.String(FlagDataDir)}, c.Args().Slice()...)
			return nil
		}}}
	args := []string{"gg-test", "--network=main", "send", "--network", "regtest", "A", "1", "--account", "bob", "--datadir=/d"}
	if code := Run(app, args); code != 0 {
		t.Fatalf("code %d: %s", code, errb)
	}
	if want := []string{"regtest", "bob", "/d", "A", "1"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSuggest(t *testing.T) {
	cmds := []string{"create", "send", "sign", "new", "rpc", "register", "publish"}
	for _, tt := range []struct{ in, want string }{
		{"sned", "send"}, {"nwe", "new"}, {"rcp", "rpc"}, {"regster", "register"}, {"pubish", "publish"},
		{"sigm", "sign"}, {"CREATE", "create"},
		// far from everything, too short to guess, or exact: no suggestion
		{"frobnicate", ""}, {"xy", ""}, {"send", ""}, {"", ""},
	} {
		if got := suggest(tt.in, cmds); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"sned", "send", 1}, {"kitten", "sitting", 3}, {"ab", "ba", 1}, {"abc", "ca", 3}} {
		if d := editDistance(tt.a, tt.b); d != tt.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, d, tt.d)
		}
	}
}

// TestUsageErrors: parse errors, unknown commands and missing required
// flags are usage errors on stderr only, with the --help hint.
func TestUsageErrors(t *testing.T) {
	newApp := func() (*ucli.App, *strings.Builder, *strings.Builder) {
		var out, errb strings.Builder
		app := NewApp("gg-test", "test app", IO{In: strings.NewReader(""), Out: &out, Err: &errb})
		app.Commands = []*ucli.Command{
			{Name: "backup", Flags: []ucli.Flag{&ucli.StringFlag{Name: "out", Required: true}, &ucli.IntFlag{Name: "count"}},
				Action: func(*ucli.Context) error { return nil }},
			{Name: "address", Subcommands: []*ucli.Command{{Name: "new", Action: func(*ucli.Context) error { return Usagef("bad") }}}},
		}
		return app, &out, &errb
	}
	for _, tt := range []struct {
		args string
		code int
		want string
	}{
		{"backup", 2, "gg-test: error: missing --out\ngg-test: hint: see 'gg-test backup --help'\n"},
		{"backup --out f --count x", 2, "gg-test: error: bad value \"x\" for --count\ngg-test: hint: see 'gg-test backup --help'\n"},
		{"backup --out", 2, "gg-test: error: --out needs a value\ngg-test: hint: see 'gg-test backup --help'\n"},
		{"backup --otu f", 2, "gg-test: error: unknown flag --otu\ngg-test: hint: did you mean --out?\ngg-test: hint: see 'gg-test backup --help'\n"},
		{"bakup", 2, "gg-test: error: unknown command \"bakup\"\ngg-test: hint: did you mean 'backup'?\ngg-test: hint: see 'gg-test --help'\n"},
		{"address nwe", 2, "gg-test: error: unknown command \"nwe\"\ngg-test: hint: did you mean 'new'?\ngg-test: hint: see 'gg-test address --help'\n"},
		{"address new", 2, "gg-test: error: bad\ngg-test: hint: see 'gg-test address new --help'\n"},
		{"--json backup", 2, "{\"error\":\"missing --out\",\"hint\":\"see 'gg-test backup --help'\",\"code\":2}\n"},
		{"backup --out f", 0, ""},
	} {
		app, out, errb := newApp()
		code := Run(app, append([]string{"gg-test"}, strings.Fields(tt.args)...))
		if code != tt.code || errb.String() != tt.want || out.Len() != 0 {
			t.Errorf("%s: code %d, stderr %q, stdout %q; want %d, %q", tt.args, code, errb, out, tt.code, tt.want)
		}
	}
	// help asked for still prints on stdout
	app, out, errb := newApp()
	if code := Run(app, []string{"gg-test", "address"}); code != 0 || !strings.Contains(out.String(), "new") || errb.Len() != 0 {
		t.Errorf("group help: code %d stdout %q stderr %q", code, out, errb)
	}
}
