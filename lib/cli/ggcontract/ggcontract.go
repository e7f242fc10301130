// Package ggcontract is the command tree of gg-contract, the thin client
// of contracts (docs/rpc.md "Contracts"): party A publishes an offer into
// the node's contract book and can withdraw it; party B signs and fulfils
// it; either settles it (execute claim, refund or coop). The node's
// hosted wallet builds and signs; every command is one or two JSON-RPC
// calls through cli.NodeClient. Keys, ids, amounts, heights and secrets
// are checked here before anything reaches the node.
package ggcontract

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/rpc"
)

// Main runs gg-contract with the process's arguments and exits.
func Main() { cli.Main(NewApp) }

// NewApp builds gg-contract's command tree.
func NewApp(stdio cli.IO) *ucli.App {
	app := cli.NewApp("gg-contract", "contracts: publish, sign, fulfil, execute, withdraw", stdio)
	app.Description = "Talks to gg-node (found through --rpc-url, or the datadir's rpc.addr and .cookie);\n" +
		"its hosted wallet signs (unlock it first: gg-wallet unlock). Party A publishes an offer\n" +
		"naming B's contract key (B runs: gg-contract key); B signs, then fulfils it on chain;\n" +
		"B claims with the secret before the expiry height, A refunds from it, or both settle\n" +
		"together (coop). Amounts are GG; ids are 64 hex digits. Lists print a table on a\n" +
		"terminal and JSON when piped or with --json; --dry-run prints only hex.\n" +
		"Flags may also follow the command and its arguments ('--' ends them).\n\n" +
		"Examples:\n" +
		"   gg-contract --network=regtest key --account bob\n" +
		"   gg-contract --network=regtest publish --stake 1 --new-secret secret.txt --expires-in 20 BKEY\n" +
		"   gg-contract --network=regtest sign --account bob ID\n" +
		"   gg-contract --network=regtest fulfil --account bob ID\n" +
		"   gg-contract --network=regtest execute --account bob --secret-file secret.txt claim ID\n" +
		"   gg-contract --network=regtest execute refund ID\n\n" +
		"Exit status: 0 ok, 1 error (rejected, unknown contract, locked, insufficient funds, ...),\n" +
		"2 usage (bad keys, ids, amounts, heights, secrets), 3 node unreachable."
	app.Commands = []*ucli.Command{keyCommand(), publishCommand(), signCommand(), fulfilCommand(), executeCommand(),
		withdrawCommand(), showCommand(), listCommand(), mineCommand()}
	return app
}

// caller words the node's errors for gg-contract.
var caller = cli.WalletCaller{
	Hints:    map[int]string{rpc.CodeInvalidAddress: "check the id (and --network)"},
	Rejected: func(msg string) string { return "rejected: " + rejection(msg) },
}

// call makes one RPC call and turns its errors into the house voice.
func call(c *ucli.Context, method string, out any, params ...any) error {
	return caller.Call(c, method, out, params...)
}

// rejection keeps "<code>: <message>" of a mempool rejection, without the
// wallet's context.
func rejection(msg string) string {
	code, rest, ok := strings.Cut(msg, ": ")
	if !ok {
		return msg
	}
	if i := strings.LastIndex(rest, code+": "); i >= 0 {
		return rest[i:]
	}
	return msg
}

// accountFlag is --account: the party's account.
func accountFlag(def string) *ucli.StringFlag {
	return cli.AccountFlag(def, "wallet `ACCOUNT` (the party's)")
}

func checkKey(s string) error {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != game.PubKeySize || (b[0] != 2 && b[0] != 3) {
		return cli.Usagef("bad key %q: want a compressed public key of 66 hex digits (gg-contract key)", s)
	}
	return nil
}

func parseGG(s, what string) (amount.Amount, error) {
	a, err := amount.Parse(s)
	if err != nil || a < 0 {
		return 0, cli.Usagef("bad %s %q: want GG such as 1.5", what, s)
	}
	if a != 0 && a < game.MinContractGold {
		return 0, cli.Usagef("%s %s GG: 0 or at least %s GG", what, a, amount.Amount(game.MinContractGold))
	}
	return a, nil
}

// readSecret reads a secret file ("-": stdin): the secret in hex (what
// --new-secret writes).
func readSecret(c *ucli.Context, path string) ([]byte, error) {
	b, err := cli.ReadSecret(c, path, "secret file", false)
	if err != nil {
		return nil, err
	}
	s, err := hex.DecodeString(strings.TrimSpace(b))
	if err != nil || len(s) != game.PreimageSize {
		where := "secret file " + path
		if path == "-" {
			where = "secret on stdin"
		}
		return nil, cli.Usagef("%s: want the secret in hex (%d bytes, %d hex digits)", where, game.PreimageSize, 2*game.PreimageSize)
	}
	return s, nil
}

// newSecret writes 32 random bytes in hex into a new file (0600). A
// bare file name (no directory separator, not absolute) is refused when
// the current directory is inside a git work tree, where the secret
// would sit among tracked files one `git add .` from being published;
// an explicit path (./s.txt, /abs/s.txt) says the user means it.
func newSecret(path string) ([]byte, error) {
	if !filepath.IsAbs(path) && !strings.ContainsRune(path, filepath.Separator) && !strings.ContainsRune(path, '/') {
		if root, ok := gitWorkTree("."); ok {
			return nil, cli.WithHint(cli.Usagef("refusing to write the new secret %q inside the git work tree %s", path, root),
				fmt.Sprintf("keep secrets outside the repository, or give an explicit path to write it there anyway: --new-secret ./%s", path))
		}
	}
	s := make([]byte, 32)
	if _, err := rand.Read(s); err != nil {
		return nil, err
	}
	err := cli.WriteNewFile(path, []byte(hex.EncodeToString(s)+"\n"), 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, cli.WithHint(cli.Usagef("new secret file %s exists", path), "choose another file: a secret is never overwritten")
	}
	if err != nil {
		return nil, cli.Failf("new secret file: %v", err)
	}
	return s, nil
}

type termsJSON struct {
	AGold  cli.Amount `json:"a_gold"`
	AProps []string   `json:"a_props"`
	BGold  cli.Amount `json:"b_gold"`
	BProps []string   `json:"b_props"`
	Memo   string     `json:"memo"`
	Hash   string     `json:"hash"`
	Expiry uint32     `json:"expiry"`
	Mode   string     `json:"mode"`
}

// contractList is contract.list's result.
type contractList struct {
	Contracts []contractJSON `json:"contracts"`
}

type contractJSON struct {
	ID      string    `json:"id"`
	State   string    `json:"state"`
	Role    string    `json:"role"`
	Account string    `json:"account"`
	Terms   termsJSON `json:"terms"`
}

func give(gold cli.Amount, props []string) string {
	parts := []string{}
	if gold != 0 {
		parts = append(parts, gold.String()+" GG")
	}
	if len(props) > 0 {
		parts = append(parts, fmt.Sprintf("%d props", len(props)))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " + ")
}

func contractTable(cs []contractJSON, mine bool) ([]string, [][]string, error) {
	rows := [][]string{}
	for _, k := range cs {
		row := []string{k.ID, k.State, k.Terms.Mode, give(k.Terms.AGold, k.Terms.AProps), give(k.Terms.BGold, k.Terms.BProps),
			fmt.Sprint(k.Terms.Expiry), k.Terms.Memo}
		if mine {
			row = append(row, k.Role, k.Account)
		}
		rows = append(rows, row)
	}
	h := []string{"CONTRACT", "STATE", "MODE", "A GIVES", "B GIVES", "EXPIRY", "MEMO"}
	if mine {
		h = append(h, "ROLE", "ACCOUNT")
	}
	return h, rows, nil
}

func actionTable(raw json.RawMessage) ([]string, [][]string, error) {
	var r map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return nil, nil, err
	}
	rows := [][]string{}
	for _, k := range []string{"id", "state", "txid", "pre_txid", "fee", "sent", "complete", "hash"} {
		v, ok := r[k]
		if !ok {
			continue
		}
		s := fmt.Sprint(v)
		var a cli.Amount
		if n, isNum := v.(json.Number); isNum && (k == "fee" || k == "sent") && a.UnmarshalJSON([]byte(n)) == nil {
			s = a.String() + " GG"
		}
		rows = append(rows, []string{k, s})
	}
	return []string{"FIELD", "VALUE"}, rows, nil
}

func keyCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "key",
		Usage:     "print the account's contract public key, to hand to the other party",
		UsageText: "gg-contract key [--account NAME]",
		Flags:     []ucli.Flag{accountFlag("default")},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 0, "no arguments"); err != nil {
				return err
			}
			var r struct {
				Key string `json:"key"`
			}
			if err := call(c, "contract.key", &r, c.String("account")); err != nil {
				return err
			}
			return cli.PrintValue(c, "key", r.Key)
		},
	}
}

func publishCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "publish",
		Usage: "publish an offer as party A (into the node's contract book; A's coins are reserved)",
		UsageText: "gg-contract publish [--stake GG] [--prop ID]... [--pay GG] [--want-prop ID]... [--memo TEXT]\n" +
			"   [--hash HEX | --secret-file FILE | --new-secret FILE] (--expiry HEIGHT | --expires-in BLOCKS) BKEY",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "stake", Value: "0", Usage: "`GG` A stakes"},
			&ucli.StringSliceFlag{Name: "prop", Usage: "a prop `ID` A gives (repeat)"},
			&ucli.StringFlag{Name: "pay", Value: "0", Usage: "`GG` B pays A on chain at fulfil (with no hash lock: a swap)"},
			&ucli.StringSliceFlag{Name: "want-prop", Usage: "a prop `ID` B gives A on chain at fulfil (repeat)"},
			&ucli.StringFlag{Name: "memo", Usage: "off-chain counter-performance, free `TEXT`"},
			&ucli.StringFlag{Name: "hash", Usage: "hash lock: sha256 of the secret, 64 `HEX` digits"},
			&ucli.StringFlag{Name: "secret-file", Usage: "hash lock from the secret in `FILE` (hex; - for stdin)"},
			&ucli.StringFlag{Name: "new-secret", Usage: "generate a secret into a new `FILE` (0600) and lock with its hash (inside a git work tree: a path such as ./FILE)"},
			&ucli.Int64Flag{Name: "expiry", Usage: "expiry `HEIGHT`: fulfil and claim below it, refund from it"},
			&ucli.Int64Flag{Name: "expires-in", Usage: "expiry as `BLOCKS` above the tip"},
			&ucli.Uint64Flag{Name: "nonce", Usage: "freshness `N` (default random)"},
			accountFlag("default"), cli.DryRunFlag(),
		},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "BKEY"); err != nil {
				return err
			}
			bkey := c.Args().First()
			if err := checkKey(bkey); err != nil {
				return err
			}
			stake, err := parseGG(c.String("stake"), "--stake")
			if err != nil {
				return err
			}
			pay, err := parseGG(c.String("pay"), "--pay")
			if err != nil {
				return err
			}
			aprops, bprops := c.StringSlice("prop"), c.StringSlice("want-prop")
			for _, p := range append(append([]string{}, aprops...), bprops...) {
				if err := cli.CheckID(p, "prop"); err != nil {
					return err
				}
			}
			if stake == 0 && len(aprops) == 0 {
				return cli.Usagef("party A gives nothing: set --stake or --prop")
			}
			if len(c.String("memo")) > game.MaxMemoLen {
				return cli.Usagef("--memo of %d bytes: at most %d", len(c.String("memo")), game.MaxMemoLen)
			}
			n := 0
			for _, f := range []string{"hash", "secret-file", "new-secret"} {
				if c.IsSet(f) {
					n++
				}
			}
			if n > 1 {
				return cli.Usagef("--hash, --secret-file and --new-secret exclude each other")
			}
			hash := c.String("hash")
			if hash != "" {
				if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 {
					return cli.Usagef("bad --hash %q: want 64 hex digits", hash)
				}
			}
			if c.IsSet("expiry") == c.IsSet("expires-in") {
				return cli.Usagef("give one of --expiry HEIGHT and --expires-in BLOCKS")
			}
			expiry := c.Int64("expiry")
			if c.IsSet("expires-in") {
				if c.Int64("expires-in") < 2 {
					return cli.Usagef("--expires-in %d: at least 2 blocks", c.Int64("expires-in"))
				}
				var tip int64
				if err := call(c, "getblockcount", &tip); err != nil {
					return err
				}
				expiry = tip + c.Int64("expires-in")
			}
			if expiry < 1 || expiry > game.MaxExpiry {
				return cli.Usagef("bad expiry %d: want a height from 1 to %d", expiry, game.MaxExpiry)
			}
			var secret []byte
			switch {
			case c.IsSet("secret-file"):
				if secret, err = readSecret(c, c.String("secret-file")); err != nil {
					return err
				}
			case c.IsSet("new-secret") && !c.Bool("dry-run"):
				if secret, err = newSecret(c.String("new-secret")); err != nil {
					return err
				}
			case c.IsSet("new-secret"):
				return cli.Usagef("--new-secret with --dry-run would lose the secret: use --secret-file")
			}
			if secret != nil {
				h := sha256.Sum256(secret)
				hash = hex.EncodeToString(h[:])
			}
			if aprops == nil {
				aprops = []string{}
			}
			if bprops == nil {
				bprops = []string{}
			}
			var raw json.RawMessage
			if err := call(c, "contract.publish", &raw, bkey, expiry, stake.String(), aprops, pay.String(), bprops,
				c.String("memo"), hash, c.Uint64("nonce"), c.String("account"), c.Bool("dry-run")); err != nil {
				return err
			}
			if c.Bool("dry-run") {
				return printHex(c, raw, "hex")
			}
			if hash != "" {
				var m map[string]any
				if err := json.Unmarshal(raw, &m); err == nil {
					m["hash"] = hash
					raw, _ = json.Marshal(m)
				}
			}
			return cli.PrintResult(c, raw, actionTable)
		},
	}
}

// printHex prints the named hex fields of a dry run, one a line (under
// --json the whole result, an object).
func printHex(c *ucli.Context, raw json.RawMessage, fields ...string) error {
	if cli.JSONMode(c) {
		return cli.WriteJSON(c, raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	n := 0
	for _, f := range fields {
		if s, ok := m[f].(string); ok && s != "" {
			fmt.Fprintln(c.App.Writer, s)
			n++
		}
	}
	if n == 0 {
		return cli.Failf("the node returned no transaction hex")
	}
	return nil
}

func idCommand(name, usage, method string) *ucli.Command {
	return &ucli.Command{
		Name:      name,
		Usage:     usage,
		UsageText: "gg-contract " + name + " [--account NAME] ID",
		Flags:     []ucli.Flag{accountFlag("default")},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "ID"); err != nil {
				return err
			}
			if err := cli.CheckID(c.Args().First(), "contract id"); err != nil {
				return err
			}
			var raw json.RawMessage
			if err := call(c, method, &raw, c.Args().First(), c.String("account")); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, actionTable)
		},
	}
}

func signCommand() *ucli.Command {
	return idCommand("sign", "accept an offer as party B (its b_key must be the account's contract key)", "contract.sign")
}

func withdrawCommand() *ucli.Command {
	return idCommand("withdraw", "withdraw an offer as party A before it is fulfilled; its coins are released", "contract.withdraw")
}

func fulfilCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "fulfil",
		Usage:     "fulfil a signed offer as party B: add B's inputs and broadcast (the contract goes on chain)",
		UsageText: "gg-contract fulfil [--account NAME] [--dry-run] ID",
		Flags:     []ucli.Flag{accountFlag("default"), cli.DryRunFlag()},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "ID"); err != nil {
				return err
			}
			if err := cli.CheckID(c.Args().First(), "contract id"); err != nil {
				return err
			}
			var raw json.RawMessage
			if err := call(c, "contract.fulfil", &raw, c.Args().First(), c.String("account"), c.Bool("dry-run")); err != nil {
				return err
			}
			if c.Bool("dry-run") {
				return printHex(c, raw, "pre_hex", "hex")
			}
			return cli.PrintResult(c, raw, actionTable)
		},
	}
}

func executeCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "execute",
		Usage: "settle a fulfilled escrow: claim (B, with the secret), refund (A, from expiry) or coop (both)",
		UsageText: "gg-contract execute [--account NAME] [--secret-file FILE] [--hex HEX|-] [--address ADDR] [--dry-run] claim|refund|coop ID\n\n" +
			"coop without --hex builds and half-signs the settlement and prints its hex for the\n" +
			"other party, who runs execute coop --hex HEX (or - to read it from stdin) to co-sign and broadcast.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "secret-file", Usage: "the secret (hex) in `FILE` (claim; - for stdin)"},
			&ucli.StringFlag{Name: "hex", Usage: "the other party's half-signed coop settlement `HEX` (- reads stdin)"},
			&ucli.StringFlag{Name: "address", Usage: "`ADDR` receiving the escrow (default a new address of the account)"},
			accountFlag("default"), cli.DryRunFlag(),
		},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 2, "PATH ID"); err != nil {
				return err
			}
			path, id := c.Args().Get(0), c.Args().Get(1)
			p, ok := rpc.ParsePath(path)
			if !ok {
				return cli.Usagef("bad path %q: want claim, refund or coop", path)
			}
			if err := cli.CheckID(id, "contract id"); err != nil {
				return err
			}
			var secret string
			if p == game.PathClaim {
				if !c.IsSet("secret-file") {
					return cli.Usagef("a claim needs --secret-file")
				}
				s, err := readSecret(c, c.String("secret-file"))
				if err != nil {
					return err
				}
				secret = hex.EncodeToString(s)
			} else if c.IsSet("secret-file") {
				return cli.Usagef("--secret-file is only for claim")
			}
			hx := c.String("hex")
			if hx != "" && p != game.PathCoop {
				return cli.Usagef("--hex is only for coop")
			}
			if hx == "-" {
				b, err := io.ReadAll(c.App.Reader)
				if err != nil {
					return err
				}
				hx = strings.TrimSpace(string(b))
			}
			var raw json.RawMessage
			if err := call(c, "contract.execute", &raw, id, path, secret, hx, c.String("address"), c.String("account"),
				c.Bool("dry-run")); err != nil {
				return err
			}
			var r struct {
				Complete *bool `json:"complete"`
			}
			json.Unmarshal(raw, &r)
			if c.Bool("dry-run") || (r.Complete != nil && !*r.Complete && !cli.JSONMode(c)) {
				return printHex(c, raw, "hex")
			}
			return cli.PrintResult(c, raw, actionTable)
		},
	}
}

func showCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show a contract: its book offer or its on-chain record",
		UsageText: "gg-contract [--json] show ID",
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "ID"); err != nil {
				return err
			}
			if err := cli.CheckID(c.Args().First(), "contract id"); err != nil {
				return err
			}
			var raw json.RawMessage
			if err := call(c, "contract.get", &raw, c.Args().First()); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, cli.TableOf(func(k contractJSON) ([]string, [][]string, error) {
				return contractTable([]contractJSON{k}, false)
			}))
		},
	}
}

func listCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "the book's offers (the market), by state and party key",
		UsageText: "gg-contract [--json] list [--state published|signed] [--key KEY] [--skip N] [--count N]",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "state", Usage: "published or signed"},
			&ucli.StringFlag{Name: "key", Usage: "a party's contract `KEY`"},
			&ucli.IntFlag{Name: "skip"},
			&ucli.IntFlag{Name: "count", Value: 100},
		},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 0, "no arguments"); err != nil {
				return err
			}
			if s := c.String("state"); s != "" && s != "published" && s != "signed" {
				return cli.Usagef("bad --state %q: want published or signed", s)
			}
			if k := c.String("key"); k != "" {
				if err := checkKey(k); err != nil {
					return err
				}
			}
			var raw json.RawMessage
			if err := call(c, "contract.list", &raw, c.String("state"), c.String("key"), c.Int("skip"), c.Int("count")); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, cli.TableOf(func(r contractList) ([]string, [][]string, error) {
				return contractTable(r.Contracts, false)
			}))
		},
	}
}

func mineCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "mine",
		Usage:     "the contracts the wallet is party to, with their states",
		UsageText: "gg-contract [--json] mine [--account NAME]",
		Flags:     []ucli.Flag{accountFlag("*")},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 0, "no arguments"); err != nil {
				return err
			}
			var raw json.RawMessage
			if err := call(c, "contract.mine", &raw, c.String("account")); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, cli.TableOf(func(cs []contractJSON) ([]string, [][]string, error) {
				return contractTable(cs, true)
			}))
		},
	}
}

// gitWorkTree reports the root of the git work tree dir is in: the
// nearest directory upwards holding a .git entry (a directory, or the
// file of a linked worktree or submodule).
func gitWorkTree(dir string) (string, bool) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, true
		}
		up := filepath.Dir(d)
		if up == d {
			return "", false
		}
		d = up
	}
}
