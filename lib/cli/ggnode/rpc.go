package ggnode

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

// secretKind is a kind of secret an RPC parameter carries, with the flag
// of gg-node rpc that reads it from a file (the flags gg-wallet and
// gg-contract use for the same secrets).
type secretKind struct {
	flag  string // e.g. "passphrase-file"
	what  string // in prompts and errors: "passphrase"
	arg   string // in the warning, with its article: "a passphrase"
	parse func(string) string
}

var (
	passphraseSecret = secretKind{"passphrase-file", "passphrase", "a passphrase", cli.FirstLine}
	backupSecret     = secretKind{"backup-passphrase-file", "backup passphrase", "a backup passphrase", cli.FirstLine}
	mnemonicSecret   = secretKind{"mnemonic-file", "mnemonic", "a mnemonic", func(s string) string { return strings.Join(strings.Fields(s), " ") }}
	keySecret        = secretKind{"key-file", "WIF key", "a key", firstKey}
	hashSecret       = secretKind{"secret-file", "secret (hex)", "a contract secret", strings.TrimSpace}
	secretKinds      = []secretKind{passphraseSecret, backupSecret, mnemonicSecret, keySecret, hashSecret}
)

// firstKey is a key file's first key (blank lines and '#' comments skipped).
func firstKey(s string) string {
	if l := cli.SecretLines(s); len(l) > 0 {
		return l[0]
	}
	return ""
}

// secretParam is a parameter of an RPC method that carries a secret.
type secretParam struct {
	index    int
	kind     secretKind
	required bool // asked for on a terminal when absent
	confirm  bool // a new secret: asked twice
}

// secretParams lists, by method name and alias, the parameters that carry
// secrets (TestRPCSecretParams checks it against the node's methods).
var secretParams = map[string][]secretParam{
	"wallet.create":         {{0, passphraseSecret, true, true}, {1, mnemonicSecret, false, false}},
	"wallet.unlock":         {{0, passphraseSecret, true, false}},
	"walletpassphrase":      {{0, passphraseSecret, true, false}},
	"wallet.exportmnemonic": {{0, passphraseSecret, true, false}},
	"key.import.private":    {{0, keySecret, true, false}},
	"importprivkey":         {{0, keySecret, true, false}},
	"wallet.backup":         {{0, backupSecret, true, true}},
	"wallet.import":         {{1, backupSecret, true, false}, {2, passphraseSecret, true, true}},
	"contract.execute":      {{2, hashSecret, false, false}},
}

func rpcCommand() *ucli.Command {
	flags := make([]ucli.Flag, 0, len(secretKinds))
	for _, k := range secretKinds {
		var methods []string
		for m, sps := range secretParams {
			for _, sp := range sps {
				if sp.kind.flag == k.flag {
					methods = append(methods, m)
				}
			}
		}
		sort.Strings(methods)
		flags = append(flags, &ucli.StringFlag{Name: k.flag,
			Usage: "read the " + k.what + " of " + strings.Join(methods, ", ") + " from `FILE` ('-': stdin)"})
	}
	return &ucli.Command{
		Name:  "rpc",
		Usage: "call a node RPC method (bitcoin-cli style)",
		UsageText: "gg-node [global flags] rpc [--passphrase-file FILE] [--backup-passphrase-file FILE] [--mnemonic-file FILE]\n" +
			"           [--key-file FILE] [--secret-file FILE] METHOD [ARG|-]...",
		Description: "Each ARG is sent as JSON when it parses as JSON (numbers, true/false, null,\n" +
			"arrays, objects, quoted strings), otherwise as a string. An ARG of '-' is read from\n" +
			"stdin. String results print raw; others print as indented JSON.\n" +
			"The node is found through --rpc-url, or <datadir>/rpc.addr and <datadir>/.cookie.\n\n" +
			"Secrets stay off the command line, which every user of the machine can read (ps):\n" +
			"each secret param (a passphrase, a backup passphrase, a mnemonic, a WIF key, a\n" +
			"contract secret) comes from its --*-file flag, the ARGs filling the other params in\n" +
			"order; or from '-' in its place: stdin's first line, always sent as a string, or a\n" +
			"prompt without echo when stdin is a terminal (also for a passphrase or key left\n" +
			"out). A secret given as an ARG still works, with a warning.\n\n" +
			"Examples:\n" +
			"   gg-node --network=regtest rpc --passphrase-file pass.txt wallet.unlock 600\n" +
			"   gg-node --network=regtest rpc wallet.unlock      (asks on a terminal)\n" +
			"   gg-node --network=regtest rpc --key-file k.wif key.import.private paper",
		Flags: flags,
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 {
				return cli.Usagef("no method: gg-node rpc METHOD [ARG]... (try 'gg-node rpc help')")
			}
			method := c.Args().First()
			args, err := rpcParams(c, method, c.Args().Tail())
			if err != nil {
				return err
			}
			client, err := cli.NodeClient(c)
			if err != nil {
				return err
			}
			var result json.RawMessage
			if err := client.Call(c.Context, method, &result, args...); err != nil {
				return cli.CallError(err, "", true)
			}
			if cli.JSONMode(c) { // the result as it is: one JSON value
				if len(result) == 0 {
					result = json.RawMessage("null")
				}
				return cli.WriteJSON(c, result)
			}
			if len(result) == 0 || string(result) == "null" {
				_, err = fmt.Fprintln(c.App.Writer, "null")
				return err
			}
			var s string
			if json.Unmarshal(result, &s) == nil {
				_, err = fmt.Fprintln(c.App.Writer, s)
				return err
			}
			var v any
			if err := json.Unmarshal(result, &v); err != nil {
				return err
			}
			return cli.WriteJSON(c, v)
		},
	}
}

// rpcParams builds method's params: the secret parameters from their
// --*-file flags, the arguments filling the other places in order (null
// in a gap). A secret argument of '-' is read from stdin (or asked for on a
// terminal) and sent as a string; one given on the command line warns; a
// required one left out is asked for on a terminal.
func rpcParams(c *ucli.Context, method string, args []string) ([]any, error) {
	secrets := map[int]secretParam{}
	for _, sp := range secretParams[method] {
		secrets[sp.index] = sp
	}
	fromFile := map[int]string{}
	for _, k := range secretKinds {
		path := c.String(k.flag)
		if path == "" {
			continue
		}
		found := false
		for _, sp := range secretParams[method] {
			if sp.kind.flag == k.flag {
				v, err := readSecretParam(c, sp, path)
				if err != nil {
					return nil, err
				}
				fromFile[sp.index] = v
				found = true
			}
		}
		if !found {
			return nil, cli.Usagef("%s takes no %s (--%s)", method, k.what, k.flag)
		}
	}
	var params []any
	for i := 0; len(args) > 0 || hasFrom(fromFile, i); i++ {
		if v, ok := fromFile[i]; ok {
			params = append(params, v)
			continue
		}
		if len(args) == 0 {
			params = append(params, nil) // a gap before a secret from a file
			continue
		}
		a := args[0]
		args = args[1:]
		sp, secret := secrets[i]
		switch {
		case secret && a == "-":
			v, err := readSecretParam(c, sp, "-")
			if err != nil {
				return nil, err
			}
			params = append(params, v)
			continue
		case secret:
			cli.WarnSecretArg(c, sp.kind.arg, "--"+sp.kind.flag)
		case a == "-":
			s, err := cli.ReadStdin(c, fmt.Sprintf("argument %d", i+1))
			if err != nil {
				return nil, err
			}
			a = s
		}
		if json.Valid([]byte(a)) {
			params = append(params, json.RawMessage(a))
		} else {
			params = append(params, a)
		}
	}
	// A required secret left out: ask on a terminal, else say how to give it.
	for _, sp := range secretParams[method] {
		if !sp.required || sp.index < len(params) && params[sp.index] != nil {
			continue
		}
		if !cli.StdinIsTerminal(c) {
			return nil, cli.WithHint(cli.Usagef("no %s given and no terminal to ask on", sp.kind.what),
				fmt.Sprintf("pass --%s FILE, or '-' with the %s on stdin", sp.kind.flag, sp.kind.what))
		}
		v, err := cli.PromptSecret(c, sp.kind.what, sp.confirm)
		if err != nil {
			return nil, err
		}
		for len(params) <= sp.index {
			params = append(params, nil)
		}
		params[sp.index] = v
	}
	return params, nil
}

// hasFrom reports whether a secret from a file sits at index i or after.
func hasFrom(fromFile map[int]string, i int) bool {
	for j := range fromFile {
		if j >= i {
			return true
		}
	}
	return false
}

// readSecretParam reads sp's secret from path ("-": stdin, or a prompt on
// a terminal) and refuses an empty one.
func readSecretParam(c *ucli.Context, sp secretParam, path string) (string, error) {
	s, err := cli.ReadSecret(c, path, sp.kind.what, sp.confirm)
	if err != nil {
		return "", err
	}
	v := sp.kind.parse(s)
	if v == "" {
		if path == "-" {
			return "", cli.Usagef("no %s on stdin", sp.kind.what)
		}
		return "", cli.Usagef("%s file %s is empty", sp.kind.what, path)
	}
	return v, nil
}
