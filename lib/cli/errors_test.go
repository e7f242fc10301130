package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// TestHumanize: library wordings reaching the edge become what the user
// did wrong; other messages pass unchanged.
func TestHumanize(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		hint     string // the hint added when there was none
	}{
		{`wallet: account: account not found: "bob"`, `no account "bob" in the wallet`,
			"list the accounts: gg-wallet account list (new ones: gg-wallet account create NAME)"},
		{`wallet: send: wallet: create tx: account not found: "bob"`, `no account "bob" in the wallet`,
			"list the accounts: gg-wallet account list (new ones: gg-wallet account create NAME)"},
		{`invalid address "rg1qxo": address: not a valid address: "rg1qxo": invalid character not part of charset: 111`,
			`invalid address "rg1qxo": 'o' cannot be part of an address (bech32 uses 0-9 and a-z except 1, b, i, o)`,
			"check the address for a typo"},
		{`bad --out "rg1qoooo=1": address: not a valid address: "rg1qoooo": invalid separator index 2`,
			`bad --out "rg1qoooo=1": too short or too long for an address`, "check that the whole address was copied"},
		{`invalid address "rg1q": address: not a valid address: "rg1q": invalid bech32 string length 4`,
			`invalid address "rg1q": too short or too long for an address`, "check that the whole address was copied"},
		{`not a transaction: wire: tx hex: encoding/hex: invalid byte: U+007A 'z'`, `not a transaction: 'z' is not a hex digit`,
			"give the transaction as hex or as gg-tx decode's JSON"},
		{`not a transaction: wire: tx hex: encoding/hex: odd length hex string`, `not a transaction: odd number of hex digits`,
			"give the transaction as hex or as gg-tx decode's JSON"},
		{`read prevouts: open p.json: no such file or directory`, `read prevouts: p.json does not exist`, ""},
		{`strconv.ParseUint: parsing "x1": invalid syntax`, `"x1" is not a number`, ""},
		{`decode: invalid character 'x' looking for beginning of value`, `decode: not JSON ('x' where a value should start)`, ""},
		{`rpc: call getinfo: context deadline exceeded`, `call getinfo: timed out`, ""},
		// nothing to translate: unchanged, no hint
		{`insufficient funds: need 50.0000011 GG, have 50.0 GG`, `insufficient funds: need 50.0000011 GG, have 50.0 GG`, ""},
		{`transaction rejected: insufficient-fee: wallet: fee too low`, `transaction rejected: insufficient-fee: fee too low`, ""},
		{`rejected: game-contract-expired: claim at 110`, `rejected: game-contract-expired: claim at 110`, ""},
		{`invalid address: rg1q`, `invalid address: rg1q`, ""},
		{`no wallet: wallet not loaded`, `no wallet: wallet not loaded`, ""},
	} {
		got, hints := humanize(tt.in, nil)
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.in, got, tt.want)
		}
		if want := []string{tt.hint}; tt.hint == "" && len(hints) != 0 || tt.hint != "" && !slices.Equal(hints, want) {
			t.Errorf("%s: hints %q, want %q", tt.in, hints, tt.hint)
		}
	}
	// an error's own hints win over the table's, and lose their prefixes
	if _, hints := humanize(`account not found: "x"`, []string{"wallet: unlock first"}); !slices.Equal(hints, []string{"unlock first"}) {
		t.Errorf("hints %q", hints)
	}
}

// TestLibPackagesStripped keeps libPackages whole: every package under
// lib/ is a prefix humanize strips.
func TestLibPackagesStripped(t *testing.T) {
	dirs, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		if m, _ := filepath.Glob(filepath.Join("..", d.Name(), "*.go")); len(m) == 0 {
			continue
		}
		n++
		if !slices.Contains(libPackages, d.Name()) {
			t.Errorf("lib/%s is missing from libPackages", d.Name())
		}
	}
	if n == 0 {
		t.Fatal("no packages under lib/")
	}
}

// TestReportJSONAndDebug: under --json an error is one JSON object on
// stderr; --log-level=debug adds the original wording and the error
// types, on a debug line or in "detail".
func TestReportJSONAndDebug(t *testing.T) {
	fail := func(*ucli.Context) error {
		return WithHint(Failf("not a transaction: wire: tx hex: encoding/hex: odd length hex string"), "wallet: pipe it in")
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"gg-test"}, "gg-test: error: not a transaction: odd number of hex digits\ngg-test: hint: pipe it in\n"},
		{[]string{"gg-test", "--json"}, `{"error":"not a transaction: odd number of hex digits","hint":"pipe it in","code":1}` + "\n"},
		{[]string{"gg-test", "--log-level=debug"}, "gg-test: debug: not a transaction: wire: tx hex: encoding/hex: odd length hex string " +
			"(*cli.Error > *errors.errorString)\ngg-test: error: not a transaction: odd number of hex digits\ngg-test: hint: pipe it in\n"},
		{[]string{"gg-test", "--json", "--log-level", "debug"}, `{"error":"not a transaction: odd number of hex digits","hint":"pipe it in","code":1,` +
			`"detail":"not a transaction: wire: tx hex: encoding/hex: odd length hex string (*cli.Error > *errors.errorString)"}` + "\n"},
	} {
		app, out, errb := testApp(fail)
		if code := Run(app, tt.args); code != ExitError || errb.String() != tt.want || out.Len() != 0 {
			t.Errorf("%v: code %d stderr %q stdout %q, want %q", tt.args, code, errb, out, tt.want)
		}
	}
	// a parse error before any action: JSON from the flags before it, or GG_JSON
	t.Setenv("GG_JSON", "1")
	app, _, errb := testApp(func(*ucli.Context) error { return nil })
	if code := Run(app, []string{"gg-test", "--bogus"}); code != ExitUsage || !strings.HasPrefix(errb.String(), `{"error":"unknown flag --bogus"`) {
		t.Errorf("GG_JSON: code %d stderr %q", code, errb)
	}
}

// TestFileError: a file named by a flag that cannot be read is a usage
// error whose hint names the flag.
func TestFileError(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.txt")
	var got error
	app, _, _ := testApp(nil)
	app.Commands = []*ucli.Command{{Name: "unlock", Flags: []ucli.Flag{&ucli.StringFlag{Name: "passphrase-file"}, &ucli.StringSliceFlag{Name: "key-file"}},
		Action: func(c *ucli.Context) error {
			_, err := os.ReadFile(c.String("passphrase-file"))
			got = FileError(c, err, "passphrase file", c.String("passphrase-file"))
			return nil
		}}}
	Run(app, []string{"gg-test", "unlock", "--key-file", "a", "--passphrase-file", missing})
	var e *Error
	if !errors.As(got, &e) || e.Code != ExitUsage || e.Error() != "passphrase file "+missing+" does not exist" ||
		!slices.Equal(e.Hints, []string{"check the path given to --passphrase-file"}) {
		t.Errorf("missing file: %v %+v", got, e)
	}
	// a path no flag gave: a hint without a flag
	var b bytes.Buffer
	if code := Report("x", &b, FileError(nil, os.ErrNotExist, "key file", "k")); code != ExitUsage ||
		b.String() != "x: error: key file k does not exist\nx: hint: check the file's path\n" {
		t.Errorf("code %d: %q", code, b.String())
	}
}
