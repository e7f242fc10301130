package ggnode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
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

// rpcFlags are gg-node rpc's flags besides the secret files: bitcoin-cli's
// habits, each also with two dashes.
func rpcFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.BoolFlag{Name: "named", Usage: "ARGs are NAME=VALUE pairs, sent as named params"},
		&ucli.BoolFlag{Name: "stdin", Usage: "read more ARGs from stdin, one per line, after those given"},
		&ucli.BoolFlag{Name: "getinfo", Usage: "print the node's summary instead of calling a method (gg-node status)"},
		&ucli.BoolFlag{Name: "ws", Usage: "call over the node's WebSocket; 'subscribe' then prints the events (gg-node events)"},
	}
}

// waitFlags are -rpcwait and -rpcwaittimeout, of gg-node rpc and status.
func waitFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.BoolFlag{Name: "rpcwait", Usage: "wait for the node to answer (while it starts) instead of failing"},
		&ucli.IntFlag{Name: "rpcwaittimeout", Usage: "with -rpcwait, give up after `SECONDS` (0: wait as long as it takes)"},
	}
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
	flags = append(append(flags, rpcFlags()...), waitFlags()...)
	return &ucli.Command{
		Name:  "rpc",
		Usage: "call a node RPC method (bitcoin-cli style)",
		UsageText: "gg-node [global flags] rpc [-named] [-stdin] [-ws] [-rpcwait [-rpcwaittimeout SECONDS]] [--*-file FILE]... METHOD [ARG|-]...\n" +
			"   gg-node [global flags] rpc help [METHOD]\n" +
			"   gg-node [global flags] rpc -getinfo",
		Description: "Calls METHOD with the ARGs as its params, in order; with -named each ARG is\n" +
			"NAME=VALUE, in any order. 'gg-node rpc help' lists the node's methods, 'gg-node rpc\n" +
			"help METHOD' describes one: its params and their types.\n\n" +
			"Each ARG is typed by the method's params, as the node declares them (sys.params):\n" +
			"a string param gets the ARG as a string (001 stays \"001\"; a JSON string such as\n" +
			"'\"x\"' is unquoted); a number, boolean, amount, object or array param gets it as\n" +
			"JSON when it parses as JSON, otherwise as a string. null leaves an optional param\n" +
			"out. An ARG of '-' is read from stdin; with -stdin, the ARGs after those given are\n" +
			"stdin's lines. String results print raw; others print as indented JSON.\n\n" +
			"The node is found through --rpc-url, or <datadir>/rpc.addr, and its password\n" +
			"through the URL, --rpc-pass-file, GG_RPC_PASS or <datadir>/.cookie; gg.toml may set\n" +
			"them (see docs/rpc.md). -rpcwait waits for a node that is starting. A node of\n" +
			"another network than --network is refused (exit 2).\n\n" +
			"-ws makes the call over the node's WebSocket (/ws) instead of an HTTP POST; there\n" +
			"'subscribe PARAMS' prints the events as JSON lines, as 'gg-node events' does.\n\n" +
			"Secrets stay off the command line, which every user of the machine can read (ps):\n" +
			"each secret param (a passphrase, a backup passphrase, a mnemonic, a WIF key, a\n" +
			"contract secret) comes from its --*-file flag, the ARGs filling the other params in\n" +
			"order; or from '-' in its place: stdin's first line, always sent as a string, or a\n" +
			"prompt without echo when stdin is a terminal (also for a passphrase or key left\n" +
			"out). A secret given as an ARG still works, with a warning.\n\n" +
			"Flags take one dash or two (-named, --named), before METHOD.\n\n" +
			"Examples:\n" +
			"   gg-node --network=regtest rpc help getblock\n" +
			"   gg-node --network=regtest rpc -named getblock blockhash=HASH verbosity=2\n" +
			"   gg-node --network=regtest rpc -rpcwait -rpcwaittimeout=30 getblockcount\n" +
			"   gg-node --network=regtest rpc -ws getblockcount\n" +
			"   gg-node --network=regtest rpc -ws subscribe '{\"topics\":[\"blocks\"]}'\n" +
			"   gg-node --network=regtest rpc --passphrase-file pass.txt wallet.unlock 600\n" +
			"   gg-node --network=regtest rpc wallet.unlock      (asks on a terminal)\n" +
			"   gg-node --network=regtest rpc --key-file k.wif key.import.private paper",
		Flags:           flags,
		HideHelpCommand: true, // 'rpc help' is the node's help
		Action:          runRPC,
	}
}

func runRPC(c *ucli.Context) error {
	if c.Bool("getinfo") {
		if c.NArg() > 0 {
			return cli.Usagef("-getinfo takes no method or arguments")
		}
		return runStatus(c)
	}
	if c.NArg() == 0 {
		return cli.WithHint(cli.Usagef("no method: gg-node rpc METHOD [ARG]..."), "list them: gg-node rpc help")
	}
	method := c.Args().First()
	args := c.Args().Tail()
	argv := len(args)
	if c.Bool("stdin") {
		more, err := cli.ReadStdinArgs(c)
		if err != nil {
			return err
		}
		args = append(args, more...)
	}
	// The secret files are read once, before looking for the node: one
	// that cannot be read is the user's mistake, and a pipe
	// (--passphrase-file <(pass gg)) holds its secret for one read only.
	fromFile, err := secretFiles(c, method)
	if err != nil {
		return err
	}
	var result json.RawMessage
	if c.Bool("ws") {
		client, err := connect(c)
		if err != nil {
			return err
		}
		ws, err := dialWS(c, client)
		if err != nil {
			return err
		}
		defer ws.Close()
		if method == "subscribe" {
			return runWSSubscribe(c, ws, args)
		}
		spec, err := methodParams(c, ws, method)
		if err != nil {
			return err
		}
		params, err := rpcParams(c, method, args, argv, spec, fromFile, c.Bool("named"))
		if err != nil {
			return err
		}
		if named, ok := params.(map[string]any); ok {
			err = ws.CallNamed(c.Context, method, &result, named)
		} else {
			err = ws.Call(c.Context, method, &result, params.([]any)...)
		}
		if err != nil {
			return cli.CallError(err, "", true)
		}
	} else {
		if c.Bool("rpcwait") {
			if _, err := connect(c); err != nil {
				return err
			}
		}
		// The params' types matter only for ARGs (and -named, and
		// secrets): a call without them skips asking for them, and so
		// needs one request (NodeCall: with the network check).
		var spec []rpc.Param
		if c.Bool("named") || len(args) > 0 || len(fromFile) > 0 || len(secretParams[method]) > 0 {
			if spec, err = httpMethodParams(c, method); err != nil {
				return err
			}
		}
		params, err := rpcParams(c, method, args, argv, spec, fromFile, c.Bool("named"))
		if err != nil {
			return err
		}
		callErr, err := cli.NodeCall(c, method, &result, params)
		if err != nil {
			return err
		}
		if callErr != nil {
			return cli.CallError(callErr, "", true)
		}
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
}

// rpcCaller calls the node: over HTTP (*rpc.Client) or its WebSocket
// (*rpc.WSClient, with --ws).
type rpcCaller interface {
	Call(ctx context.Context, method string, out any, params ...any) error
	CallNamed(ctx context.Context, method string, out any, params map[string]any) error
}

// connect finds the node, waiting for it with -rpcwait.
func connect(c *ucli.Context) (*rpc.Client, error) {
	if !c.Bool("rpcwait") {
		return cli.NodeClient(c)
	}
	secs := c.Int("rpcwaittimeout")
	if secs < 0 {
		return nil, cli.Usagef("-rpcwaittimeout %d: want seconds, 0 for no limit", secs)
	}
	return cli.WaitNodeClient(c, time.Duration(secs)*time.Second)
}

// methodParams asks the node for method's params (sys.params). A node that
// does not describe them (an older one, an unknown method, a user whose
// whitelist lacks sys.params) gives nil: the ARGs are then typed by
// whether they parse as JSON.
func methodParams(c *ucli.Context, client rpcCaller, method string) ([]rpc.Param, error) {
	var spec []rpc.Param
	return specOf(spec, client.Call(c.Context, "sys.params", &spec, method))
}

// httpMethodParams is methodParams over HTTP, through cli.NodeCall: on
// first contact, in the network check's request.
func httpMethodParams(c *ucli.Context, method string) ([]rpc.Param, error) {
	var spec []rpc.Param
	callErr, err := cli.NodeCall(c, "sys.params", &spec, []any{method})
	if err != nil {
		return nil, err
	}
	return specOf(spec, callErr)
}

// specOf is methodParams' answer from sys.params' (spec, err).
func specOf(spec []rpc.Param, err error) ([]rpc.Param, error) {
	var re *rpc.Error
	if errors.As(err, &re) {
		return nil, nil
	}
	if err != nil {
		return nil, cli.CallError(err, "", true)
	}
	return spec, nil
}

// typedArg is the JSON value of a command-line ARG for a param of type t
// ("": not known). "null" is null, for every type. A string param gets
// the ARG as a string (a JSON string unquoted); one id or a list, a list
// when it is a JSON array, else a string; an amount, a JSON number as
// such, else a string; any other param the ARG as JSON when it parses as
// JSON, else as a string (the node then says what it wants).
func typedArg(a string, t rpc.ParamType) any {
	if a == "null" {
		return nil
	}
	switch t {
	case rpc.TypeString:
		return stringArg(a)
	case rpc.TypeStringOrArray:
		if strings.HasPrefix(a, "[") && json.Valid([]byte(a)) {
			return json.RawMessage(a)
		}
		return stringArg(a)
	case rpc.TypeAmount:
		if a != "" && strings.ContainsRune("-0123456789", rune(a[0])) && json.Valid([]byte(a)) {
			return json.RawMessage(a)
		}
		return stringArg(a)
	}
	if json.Valid([]byte(a)) {
		return json.RawMessage(a)
	}
	return a
}

// stringArg is a as a string, unquoted when it is a JSON string.
func stringArg(a string) string {
	var s string
	if strings.HasPrefix(a, `"`) && json.Unmarshal([]byte(a), &s) == nil {
		return s
	}
	return a
}

// rpcParams builds method's params from args (the first argv of them from
// the command line, the rest from -stdin), typed by spec (nil: guessed):
// positional ([]any) or, with named, by name (map[string]any). The
// secret parameters read from their --*-file flags (secretFiles) are in
// fromFile, the arguments filling the other places in order (null in a
// gap). A secret argument of '-' is read from stdin (or asked for on a
// terminal) and sent as a string; one given on the command line warns; a
// required one left out is asked for on a terminal.
func rpcParams(c *ucli.Context, method string, args []string, argv int, spec []rpc.Param, fromFile map[int]string, named bool) (any, error) {
	secrets := map[int]secretParam{}
	for _, sp := range secretParams[method] {
		secrets[sp.index] = sp
	}
	if named {
		return namedParams(c, method, args, argv, spec, secrets, fromFile)
	}
	typeOf := func(i int) rpc.ParamType {
		if i < len(spec) {
			return spec[i].Type
		}
		return ""
	}
	var params []any
	for i, used := 0, 0; len(args) > 0 || hasFrom(fromFile, i); i++ {
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
		used++
		v, err := argValue(c, a, fmt.Sprintf("argument %d", i+1), typeOf(i), secrets, i, used > argv)
		if err != nil {
			return nil, err
		}
		params = append(params, v)
	}
	// A required secret left out: ask on a terminal, else say how to give it.
	for _, sp := range secretParams[method] {
		if !sp.required || sp.index < len(params) && params[sp.index] != nil {
			continue
		}
		v, err := askSecret(c, sp)
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

// argValue is the value of ARG a (what names it) for param i of type t:
// a secret's '-' reads it from stdin as a string and a secret from the
// command line (not from -stdin) warns; another '-' reads the ARG from
// stdin.
func argValue(c *ucli.Context, a, what string, t rpc.ParamType, secrets map[int]secretParam, i int, fromStdin bool) (any, error) {
	sp, secret := secrets[i]
	switch {
	case secret && a == "-":
		return readSecretParam(c, sp, "-")
	case secret && !fromStdin:
		cli.WarnSecretArg(c, sp.kind.arg, "--"+sp.kind.flag)
	case a == "-":
		s, err := cli.ReadStdin(c, what)
		if err != nil {
			return nil, err
		}
		a = s
	}
	return typedArg(a, t), nil
}

// askSecret asks for a required secret on a terminal, or says how to give
// it.
func askSecret(c *ucli.Context, sp secretParam) (string, error) {
	if !cli.StdinIsTerminal(c) {
		return "", cli.WithHint(cli.Usagef("no %s given and no terminal to ask on", sp.kind.what),
			fmt.Sprintf("pass --%s FILE, or '-' with the %s on stdin", sp.kind.flag, sp.kind.what))
	}
	return cli.PromptSecret(c, sp.kind.what, sp.confirm)
}

// namedParams is rpcParams for -named: each ARG is NAME=VALUE.
func namedParams(c *ucli.Context, method string, args []string, argv int, spec []rpc.Param,
	secrets map[int]secretParam, fromFile map[int]string) (map[string]any, error) {
	index := map[string]int{}
	names := make([]string, len(spec))
	for i, p := range spec {
		index[p.Name], names[i] = i, p.Name
	}
	if spec == nil && (len(fromFile) > 0 || len(secrets) > 0) {
		return nil, cli.Usagef("-named: the node does not describe %s's params (sys.params): pass them in order", method)
	}
	out := map[string]any{}
	for n, a := range args {
		name, val, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return nil, cli.WithHint(cli.Usagef("-named: argument %q is not NAME=VALUE", a),
				"see the names: gg-node rpc help "+method)
		}
		i, known := index[name]
		if spec != nil && !known {
			return nil, cli.Usagef("%s has no param %q (its params: %s)", method, name, strings.Join(names, ", "))
		}
		if _, dup := out[name]; dup {
			return nil, cli.Usagef("-named: param %q given twice", name)
		}
		if _, ok := fromFile[i]; known && ok {
			return nil, cli.Usagef("-named: param %q given twice: as an argument and in --%s", name, secrets[i].kind.flag)
		}
		var t rpc.ParamType
		if known {
			t = spec[i].Type
		} else {
			i = -1
		}
		v, err := argValue(c, val, "param "+name, t, secrets, i, n >= argv)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	for i, v := range fromFile {
		if i >= len(spec) {
			return nil, cli.Usagef("-named: %s has no param %d for --%s", method, i+1, secrets[i].kind.flag)
		}
		out[spec[i].Name] = v
	}
	for _, sp := range secretParams[method] {
		if sp.index >= len(spec) {
			continue
		}
		name := spec[sp.index].Name
		if !sp.required || out[name] != nil {
			continue
		}
		v, err := askSecret(c, sp)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
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

// secretFiles reads each secret file given by a --*-file flag once
// ('-': stdin, or a prompt on a terminal) and returns the secrets by the
// index of method's param that carries them; a flag for a secret method
// does not take is refused.
func secretFiles(c *ucli.Context, method string) (map[int]string, error) {
	fromFile := map[int]string{}
	for _, k := range secretKinds {
		path := c.String(k.flag)
		if path == "" {
			continue
		}
		var sps []secretParam
		confirm := false
		for _, sp := range secretParams[method] {
			if sp.kind.flag == k.flag {
				sps = append(sps, sp)
				confirm = confirm || sp.confirm
			}
		}
		if len(sps) == 0 {
			return nil, cli.Usagef("%s takes no %s (--%s)", method, k.what, k.flag)
		}
		s, err := cli.ReadSecret(c, path, k.what, confirm)
		if err != nil {
			return nil, err
		}
		for _, sp := range sps {
			if fromFile[sp.index], err = secretValue(sp, s, path); err != nil {
				return nil, err
			}
		}
	}
	return fromFile, nil
}

// readSecretParam reads sp's secret from path ("-": stdin, or a prompt on
// a terminal) and refuses an empty one.
func readSecretParam(c *ucli.Context, sp secretParam, path string) (string, error) {
	s, err := cli.ReadSecret(c, path, sp.kind.what, sp.confirm)
	if err != nil {
		return "", err
	}
	return secretValue(sp, s, path)
}

// secretValue is sp's secret in s, read from path; an empty one is
// refused.
func secretValue(sp secretParam, s, path string) (string, error) {
	v := sp.kind.parse(s)
	if v == "" {
		if path == "-" {
			return "", cli.Usagef("no %s on stdin", sp.kind.what)
		}
		return "", cli.Usagef("%s file %s is empty", sp.kind.what, path)
	}
	return v, nil
}
