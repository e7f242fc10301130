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
// ARGs) and stdin, in dir; it returns the params as JSON, stderr and the
// error.
func runParams(t *testing.T, dir, stdin string, argv ...string) (string, string, error) {
	t.Helper()
	var errb bytes.Buffer
	app := cli.NewApp("gg-node", "test", cli.IO{In: strings.NewReader(stdin), Out: &bytes.Buffer{}, Err: &errb})
	cmd := rpcCommand()
	var got []any
	cmd.Action = func(c *ucli.Context) error {
		var err error
		got, err = rpcParams(c, c.Args().First(), c.Args().Tail())
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
		for i, f := range strings.Fields(m.Params) {
			name, _, _ := strings.Cut(strings.Trim(f, "[]"), "=")
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
			case sp.required != !strings.HasPrefix(f, "["):
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
