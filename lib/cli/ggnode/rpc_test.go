package ggnode

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

// runParams runs rpcParams as gg-node rpc would with argv (flags, METHOD,
// ARGs) and stdin, in dir, without the method's params from the node (an
// older node: ARGs guessed); it returns the params as JSON, stderr and the
// error.
func runParams(t *testing.T, dir, stdin string, argv ...string) (string, string, error) {
	t.Helper()
	return runTyped(t, dir, stdin, nil, argv...)
}

// nodeSpecs are the params of the node's methods, as sys.params gives
// them.
func nodeSpecs() map[string][]rpc.Param {
	out := map[string][]rpc.Param{}
	for _, ms := range [][]rpc.Method{(&rpc.NodeService{}).Methods(), (&rpc.WalletService{}).Methods(),
		(&rpc.GameService{}).Methods(), (&rpc.ContractService{}).Methods()} {
		for _, m := range ms {
			out[m.Name] = m.ParamList()
		}
	}
	return out
}

// runTyped is runParams with the methods' params from specs (nil: none);
// the flag -named asks for named params.
func runTyped(t *testing.T, dir, stdin string, specs map[string][]rpc.Param, argv ...string) (string, string, error) {
	t.Helper()
	var errb bytes.Buffer
	app := cli.NewApp("gg-node", "test", cli.IO{In: strings.NewReader(stdin), Out: &bytes.Buffer{}, Err: &errb})
	cmd := rpcCommand()
	var got any
	cmd.Action = func(c *ucli.Context) error {
		var err error
		method := c.Args().First()
		fromFile, err := secretFiles(c, method)
		if err != nil {
			return err
		}
		got, err = rpcParams(c, method, c.Args().Tail(), c.Args().Len()-1, specs[method], fromFile, c.Bool("named"))
		return err
	}
	app.Commands = []*ucli.Command{cmd}
	for i, a := range argv { // file flags name files in dir
		if strings.HasSuffix(a, ".txt") {
			argv[i] = filepath.Join(dir, a)
		}
	}
	err := app.Run(append([]string{"gg-node", "rpc"}, argv...))
	b, jerr := json.Marshal(got)
	if jerr != nil {
		t.Fatal(jerr)
	}
	return string(b), errb.String(), err
}

func TestRPCParamsSecrets(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"pass.txt":   "12345678\r\nsecond line ignored\n",
		"spaces.txt": " two  spaces \n",
		"backup.txt": "backup pass\n",
		"mnem.txt":   "  abandon abandon\n  about \n",
		"keys.txt":   "# the key\n\ncN9spWsvaxA8taS7DFMxnk1yJD2gaF2PX1npuTpy3vuZFJdwavaw\n",
		"secret.txt": " 00ff \n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, stdin string
		argv        []string
		want        string
		warn        string // a warning stderr must hold; else stderr is empty
	}{
		{"file then args", "", []string{"--passphrase-file", "pass.txt", "wallet.unlock", "600"}, `["12345678",600]`, ""},
		{"alias", "", []string{"--passphrase-file", "spaces.txt", "walletpassphrase"}, `[" two  spaces "]`, ""},
		{"stdin file", "12345678\n", []string{"--passphrase-file", "-", "wallet.unlock"}, `["12345678"]`, ""},
		{"dash in place, a string", "12345678\n", []string{"wallet.unlock", "-", "0"}, `["12345678",0]`, ""},
		{"dash elsewhere, JSON", "600\n", []string{"--passphrase-file", "pass.txt", "wallet.unlock", "-"}, `["12345678",600]`, ""},
		{"two kinds", "", []string{"--backup-passphrase-file", "backup.txt", "--passphrase-file", "pass.txt", "wallet.import", "QkxPQg=="},
			`["QkxPQg==","backup pass","12345678"]`, ""},
		{"mnemonic file", "", []string{"--mnemonic-file", "mnem.txt", "--passphrase-file", "pass.txt", "wallet.create", "0"},
			`["12345678","abandon abandon about",0]`, ""},
		{"key file", "", []string{"--key-file", "keys.txt", "importprivkey", "paper"},
			`["cN9spWsvaxA8taS7DFMxnk1yJD2gaF2PX1npuTpy3vuZFJdwavaw","paper"]`, ""},
		{"gap before a secret", "", []string{"--secret-file", "secret.txt", "contract.execute", "ID"}, `["ID",null,"00ff"]`, ""},
		{"secret after args", "", []string{"--secret-file", "secret.txt", "contract.execute", "ID", "claim", "null", "rg1q"},
			`["ID","claim","00ff",null,"rg1q"]`, ""},
		{"optional secret left out", "", []string{"contract.execute", "ID", "refund"}, `["ID","refund"]`, ""},
		{"no secrets", "", []string{"getblockhash", "5"}, `[5]`, ""},
		{"argv passphrase", "", []string{"wallet.unlock", `"pw"`, "5"}, `["pw",5]`,
			"gg-node: warning: a passphrase on the command line is visible to other users (ps); use --passphrase-file\n"},
		{"argv key", "", []string{"key.import.private", "cN9sp"}, `["cN9sp"]`,
			"gg-node: warning: a key on the command line is visible to other users (ps); use --key-file\n"},
		{"argv passphrase twice, one warning", "", []string{"wallet.import", "B", "bp", "p"}, `["B","bp","p"]`,
			"gg-node: warning: a backup passphrase on the command line is visible to other users (ps); use --backup-passphrase-file\n" +
				"gg-node: warning: a passphrase on the command line is visible to other users (ps); use --passphrase-file\n"},
		{"argv contract secret", "", []string{"contract.execute", "ID", "claim", "00ff"}, `["ID","claim","00ff"]`,
			"gg-node: warning: a contract secret on the command line is visible to other users (ps); use --secret-file\n"},
	}
	for _, tt := range tests {
		got, stderr, err := runParams(t, dir, tt.stdin, tt.argv...)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: params %s, want %s", tt.name, got, tt.want)
		}
		if stderr != tt.warn {
			t.Errorf("%s: stderr %q, want %q", tt.name, stderr, tt.warn)
		}
	}
}

func TestRPCParamsSecretsErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"pass.txt": "pw\n", "empty.txt": "\n", "comments.txt": "# none\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, stdin string
		argv        []string
		want        string
	}{
		{"no passphrase, no terminal", "", []string{"wallet.unlock"}, "no passphrase given and no terminal to ask on"},
		{"second required secret missing", "", []string{"--backup-passphrase-file", "pass.txt", "wallet.import", "B"}, "no passphrase given and no terminal to ask on"},
		{"flag for another method", "", []string{"--passphrase-file", "pass.txt", "wallet.info"}, "wallet.info takes no passphrase (--passphrase-file)"},
		{"key flag for unlock", "", []string{"--key-file", "pass.txt", "wallet.unlock"}, "wallet.unlock takes no WIF key (--key-file)"},
		{"empty file", "", []string{"--passphrase-file", "empty.txt", "wallet.unlock"}, "passphrase file " + filepath.Join(dir, "empty.txt") + " is empty"},
		{"keyless key file", "", []string{"--key-file", "comments.txt", "importprivkey"}, "WIF key file " + filepath.Join(dir, "comments.txt") + " is empty"},
		{"empty stdin", "\n", []string{"wallet.unlock", "-"}, "no passphrase on stdin"},
		{"stdin twice", "pw\n", []string{"--passphrase-file", "-", "wallet.unlock", "-"}, "passphrase and argument 2 both come from stdin"},
	}
	for _, tt := range tests {
		_, _, err := runParams(t, dir, tt.stdin, tt.argv...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
			continue
		}
		var e *cli.Error
		if !errors.As(err, &e) || e.Code != cli.ExitUsage {
			t.Errorf("%s: %v is not a usage error", tt.name, err)
		}
	}
	// a missing file is a usage error (exit 2) naming the flag, as
	// gg-wallet's passphrase files are
	_, _, err := runParams(t, dir, "", "--passphrase-file", "nosuch.txt", "wallet.unlock")
	var e *cli.Error
	if want := "passphrase file " + filepath.Join(dir, "nosuch.txt") + " does not exist"; err == nil || err.Error() != want ||
		!errors.As(err, &e) || e.Code != cli.ExitUsage || len(e.Hints) != 1 || e.Hints[0] != "check the path given to --passphrase-file" {
		t.Errorf("missing file: error %v, want %q (exit 2, with a hint)", err, want)
	}
}

// TestRPCSecretParams checks secretParams against the node's methods: every
// parameter named like a secret is listed, with its kind, and every listed
// one exists.
func TestRPCSecretParams(t *testing.T) {
	kindOf := map[string]secretKind{
		"passphrase": passphraseSecret, "backup_passphrase": backupSecret,
		"mnemonic": mnemonicSecret, "wif": keySecret, "secret": hashSecret,
	}
	var methods []rpc.Method
	methods = append(methods, (&rpc.NodeService{}).Methods()...)
	methods = append(methods, (&rpc.WalletService{}).Methods()...)
	methods = append(methods, (&rpc.GameService{}).Methods()...)
	methods = append(methods, (&rpc.ContractService{}).Methods()...)
	seen := map[string]bool{}
	for _, m := range methods {
		listed := map[int]secretParam{}
		for _, sp := range secretParams[m.Name] {
			listed[sp.index] = sp
		}
		for i, p := range m.ParamList() {
			name := p.Name
			k, secret := kindOf[name]
			if !secret {
				for _, w := range []string{"pass", "secret", "mnemonic", "wif", "priv", "seed"} {
					if strings.Contains(name, w) {
						t.Errorf("%s: param %q looks secret: add it to kindOf and secretParams", m.Name, name)
					}
				}
				if _, ok := listed[i]; ok {
					t.Errorf("%s: param %d (%s) is listed as secret", m.Name, i, name)
				}
				continue
			}
			sp, ok := listed[i]
			switch {
			case !ok:
				t.Errorf("%s: param %d (%s) is a secret missing from secretParams", m.Name, i, name)
			case sp.kind.flag != k.flag:
				t.Errorf("%s: param %d (%s) read by --%s, want --%s", m.Name, i, name, sp.kind.flag, k.flag)
			case sp.required != p.Required:
				t.Errorf("%s: param %d (%s): required %v disagrees with %q", m.Name, i, name, sp.required, m.Params)
			}
			seen[m.Name] = true
		}
	}
	for name := range secretParams {
		if !seen[name] {
			t.Errorf("secretParams lists %s, which has no secret param on the node", name)
		}
	}
}

// TestRPCParamsTyped: with the method's declared params, a string param
// gets a string whatever it looks like, other params keep JSON's types.
func TestRPCParamsTyped(t *testing.T) {
	specs := nodeSpecs()
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"digits for a string", []string{"account.create", "1234"}, `["1234"]`},
		{"zero-led digits for a string", []string{"account.create", "001"}, `["001"]`},
		{"true for a string", []string{"account.create", "true"}, `["true"]`},
		{"quoted string unquoted", []string{"getnewaddress", `"001"`}, `["001"]`},
		{"JSON-looking string", []string{"account.create", `{"a":1}`}, `["{\"a\":1}"]`},
		{"number", []string{"getblockhash", "5"}, `[5]`},
		{"number not JSON: the node says", []string{"getblockhash", "abc"}, `["abc"]`},
		{"boolean", []string{"getrawmempool", "true"}, `[true]`},
		{"string, amount, boolean, string", []string{"tx.send", "rg1q", "1.5", "true", "007"}, `["rg1q",1.5,true,"007"]`},
		{"amount in quotes", []string{"tx.send", "rg1q", `"1.5"`}, `["rg1q","1.5"]`},
		{"amount not a number", []string{"tx.send", "rg1q", "lots"}, `["rg1q","lots"]`},
		{"null skips", []string{"tx.list", "null", "5"}, `[null,5]`},
		{"one id", []string{"prop.found", "00ab"}, `["00ab"]`},
		{"a list of ids", []string{"prop.found", `["a","b"]`}, `[["a","b"]]`},
		{"object", []string{"fundrawtransaction", "0200", `{"account":"x"}`}, `["0200",{"account":"x"}]`},
		{"array", []string{"prop.sendlist", `[{"address":"a","prop":"b"}]`}, `[[{"address":"a","prop":"b"}]]`},
		{"more ARGs than params: guessed", []string{"getblockcount", "7"}, `[7]`},
		{"help's method", []string{"getblockhash", "5"}, `[5]`},
	}
	for _, tt := range tests {
		got, _, err := runTyped(t, t.TempDir(), "", specs, tt.argv...)
		if err != nil || got != tt.want {
			t.Errorf("%s: %s %v, want %s", tt.name, got, err, tt.want)
		}
	}
	// A secret as an ARG: a string (digits and all), with the warning.
	got, stderr, err := runTyped(t, t.TempDir(), "", specs, "wallet.unlock", "12345678", "600")
	if err != nil || got != `["12345678",600]` || !strings.Contains(stderr, "warning: a passphrase on the command line") {
		t.Errorf("passphrase ARG: %s %q %v", got, stderr, err)
	}
	// Without the params (an older node), ARGs are guessed as before.
	if got, _, _ := runParams(t, t.TempDir(), "", "account.create", "1234"); got != `[1234]` {
		t.Errorf("guessed: %s", got)
	}
}

func TestRPCParamsNamed(t *testing.T) {
	specs := nodeSpecs()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pass.txt"), []byte("12345678\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, stdin string
		argv        []string
		want        string
	}{
		{"any order, typed", "", []string{"-named", "getblock", "verbosity=2", "blockhash=00ff"}, `{"blockhash":"00ff","verbosity":2}`},
		{"two dashes", "", []string{"--named", "account.create", "name=001"}, `{"name":"001"}`},
		{"value with =", "bpass\n", []string{"-named", "wallet.import", "backup=QkxPQg==", "backup_passphrase=-", "passphrase=pw"},
			`{"backup":"QkxPQg==","backup_passphrase":"bpass","passphrase":"pw"}`},
		{"secret from a file, by name", "", []string{"-named", "--passphrase-file", "pass.txt", "wallet.unlock", "timeout=5"}, `{"passphrase":"12345678","timeout":5}`},
		{"secret from stdin", "12345678\n", []string{"-named", "wallet.unlock", "passphrase=-", "timeout=0"}, `{"passphrase":"12345678","timeout":0}`},
		{"no params", "", []string{"-named", "getblockcount"}, `{}`},
	} {
		got, _, err := runTyped(t, dir, tt.stdin, specs, tt.argv...)
		if err != nil || got != tt.want {
			t.Errorf("%s: %s %v, want %s", tt.name, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		name string
		argv []string
		want string
	}{
		{"not NAME=VALUE", []string{"-named", "getblock", "00ff"}, `-named: argument "00ff" is not NAME=VALUE`},
		{"unknown name", []string{"-named", "getblock", "bogus=1"}, `getblock has no param "bogus" (its params: blockhash, verbosity)`},
		{"twice", []string{"-named", "getblock", "blockhash=1", "blockhash=2"}, `-named: param "blockhash" given twice`},
		{"file and ARG", []string{"-named", "--passphrase-file", "pass.txt", "wallet.unlock", "passphrase=x"},
			`-named: param "passphrase" given twice: as an argument and in --passphrase-file`},
		{"required secret missing", []string{"-named", "wallet.unlock", "timeout=5"}, "no passphrase given and no terminal to ask on"},
	} {
		_, _, err := runTyped(t, dir, "", specs, tt.argv...)
		var e *cli.Error
		if err == nil || err.Error() != tt.want || !errors.As(err, &e) || e.Code != cli.ExitUsage {
			t.Errorf("%s: error %v, want usage error %q", tt.name, err, tt.want)
		}
	}
}
