// Package ggprop is the command tree of gg-prop, the game economy's thin
// client: register, change and transfer producers; create, send, destroy,
// auction and bid on props; show and list them with their history. The
// node's hosted wallet builds, signs and broadcasts the transactions
// (docs/rpc.md "Game"); every command is one JSON-RPC call through
// cli.NodeClient. Bad names, shares, URLs, IPs and gold are refused here,
// before anything reaches the node.
package ggprop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/rpc"
)

// Main runs gg-prop with the process's arguments and exits.
func Main() { os.Exit(Run(os.Args, cli.StdIO())) }

// Run runs gg-prop and returns the exit code.
func Run(args []string, stdio cli.IO) int { return cli.Run(NewApp(stdio), args) }

// NewApp builds gg-prop's command tree.
func NewApp(stdio cli.IO) *ucli.App {
	app := cli.NewApp("gg-prop", "producers and props: register, create, send, auction, bid, destroy", stdio)
	app.UsageText = "gg-prop [global flags] COMMAND [flags] [args]"
	app.Description = "Talks to gg-node (found through --rpc-url, or the datadir's rpc.addr and .cookie);\n" +
		"its hosted wallet signs (unlock it first: gg-wallet unlock). Gold and prices are GG\n" +
		"(0.0001 = 10,000 dust, the least gold of a prop). A PRODUCER is an id or a name.\n" +
		"Lists print a table on a terminal and JSON when piped or with --json; actions print\n" +
		"their result the same way, or with --dry-run only the signed hex, for gg-tx send.\n" +
		"Flags go before positional arguments.\n\n" +
		"Examples:\n" +
		"   gg-prop --network=regtest producer register --url https://starfall.example starfall\n" +
		"   gg-prop --network=regtest create --producer starfall --oid sword-001 --gold 0.0001\n" +
		"   gg-prop --network=regtest create --producer starfall --from-file items.csv\n" +
		"   gg-prop --network=regtest sale --reserve 0.5 PROP 2\n" +
		"   gg-prop --network=regtest bid PROP 1.2\n" +
		"   gg-prop --network=regtest send --dry-run PROP rg1q... | gg-tx --network=regtest send\n\n" +
		"Exit status: 0 ok, 1 error (rejected, not owned, locked, insufficient funds, ...),\n" +
		"2 usage (including invalid names, shares, URLs, IPs and gold), 3 node unreachable."
	app.Commands = []*ucli.Command{producerCommand(), createCommand(), sendCommand(), destroyCommand(),
		saleCommand(), bidCommand(), showCommand(), listCommand(), historyCommand()}
	return app
}

// call makes one RPC call and turns its errors into the house voice.
func call(c *ucli.Context, method string, out any, params ...any) error {
	client, err := cli.NodeClient(c)
	if err != nil {
		return err
	}
	err = client.Call(c.Context, method, out, params...)
	if err == nil {
		return nil
	}
	var re *rpc.Error
	if !errors.As(err, &re) {
		return cli.CallError(err, "", false)
	}
	e := cli.Failf("%s", strings.TrimSuffix(re.Message, " (gg-wallet unlock)"))
	switch re.Code {
	case rpc.CodeWalletLocked:
		e = cli.WithHint(cli.Failf("wallet is locked"), "unlock it first: gg-wallet unlock")
	case rpc.CodeWalletNotFound:
		e = cli.WithHint(cli.Failf("no wallet loaded"), "create one: gg-wallet create (or gg-wallet restore)")
	case rpc.CodeVerifyRejected:
		e = cli.Failf("transaction rejected: %s", re.Message) // "<code>: <message>"
	case rpc.CodeInvalidAddress:
		e = cli.WithHint(e, "check the id, name or address (and --network)")
	case rpc.CodeInvalidParams:
		e.Code = cli.ExitUsage
	}
	return e
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// wantJSON: --json, or stdout is not a terminal.
func wantJSON(c *ucli.Context) bool { return c.Bool(cli.FlagJSON) || !isTTY(c.App.Writer) }

// printTable renders rows in the one table style of the toolkit.
func printTable(w io.Writer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
	)
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}

// printResult writes raw JSON (--json or piped) or, on a terminal, the
// table built from it.
func printResult(c *ucli.Context, raw json.RawMessage, table func(json.RawMessage) ([]string, [][]string, error)) error {
	if wantJSON(c) || table == nil {
		return cli.PrintJSON(c.App.Writer, raw)
	}
	h, rows, err := table(raw)
	if err != nil {
		return err
	}
	return printTable(c.App.Writer, h, rows)
}

// Flags shared by the actions.
func accountFlag(def string) *ucli.StringFlag {
	return &ucli.StringFlag{Name: "account", Value: def, Usage: "wallet `ACCOUNT` that pays and receives"}
}

func dryRunFlag() *ucli.BoolFlag {
	return &ucli.BoolFlag{Name: "dry-run", Usage: "print the signed transaction's hex instead of broadcasting it"}
}

func actionFlags(extra ...ucli.Flag) []ucli.Flag {
	return append(extra, accountFlag("default"), dryRunFlag())
}

// runAction calls an action method with params + (account, dryrun) and
// prints its result: the hex with --dry-run, else the result.
func runAction(c *ucli.Context, method string, params ...any) error {
	dry := c.Bool("dry-run")
	params = append(params, c.String("account"), dry)
	var raw json.RawMessage
	if err := call(c, method, &raw, params...); err != nil {
		return err
	}
	if dry {
		var r struct {
			Hex string `json:"hex"`
		}
		if err := json.Unmarshal(raw, &r); err != nil || r.Hex == "" {
			return cli.Failf("the node returned no transaction hex")
		}
		_, err := fmt.Fprintln(c.App.Writer, r.Hex)
		return err
	}
	return printResult(c, raw, actionTable)
}

func actionTable(raw json.RawMessage) ([]string, [][]string, error) {
	var r struct {
		TxID    string  `json:"txid"`
		Fee     jsonAmt `json:"fee"`
		Objects []struct {
			Kind string `json:"kind"`
			ID   string `json:"id"`
			Vout uint32 `json:"vout"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, nil, err
	}
	rows := [][]string{{"tx", r.TxID, "", amount.Amount(r.Fee).String()}}
	for _, o := range r.Objects {
		rows = append(rows, []string{o.Kind, o.ID, fmt.Sprint(o.Vout), ""})
	}
	return []string{"KIND", "ID", "VOUT", "FEE GG"}, rows, nil
}

// jsonAmt reads a GG amount printed with 8 decimals, exactly.
type jsonAmt amount.Amount

func (a *jsonAmt) UnmarshalJSON(b []byte) error {
	v, err := amount.Parse(strings.Trim(string(b), `"`))
	if err != nil {
		return err
	}
	*a = jsonAmt(v)
	return nil
}

func ggText(a jsonAmt) string { return amount.Amount(a).String() }

// Client-side checks: the same rules the node applies, so mistakes are
// caught before anything is built or broadcast (exit 2).

func ruleMsg(err error) string {
	var re *game.RuleError
	if errors.As(err, &re) {
		return re.Message
	}
	return err.Error()
}

func checkInfo(info *game.ProducerInfo) error {
	for _, f := range []struct {
		check func(string) error
		v     string
	}{{game.CheckName, info.Name}, {game.CheckURL, info.URL}, {game.CheckIP, info.IP}, {game.CheckClass, info.Class}} {
		if err := f.check(f.v); err != nil {
			return cli.Usagef("%s", ruleMsg(err))
		}
	}
	return nil
}

func parseShare(s string) (uint8, error) {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || fmt.Sprint(n) != strings.TrimSpace(s) || n < 0 || n > game.MaxShare {
		return 0, cli.Usagef("bad --share %q: the media share is a whole percent from 0 to %d", s, game.MaxShare)
	}
	return uint8(n), nil
}

func parseGold(s, what string) (amount.Amount, error) {
	a, err := amount.Parse(s)
	if err != nil {
		return 0, cli.Usagef("bad %s %q: want GG such as 0.0001", what, s)
	}
	if a < game.MinPropGold {
		return 0, cli.Usagef("%s %s GG is below the minimum gold of %s GG", what, a, amount.Amount(game.MinPropGold))
	}
	return a, nil
}

func parsePrice(s, what string) (amount.Amount, error) {
	a, err := amount.Parse(s)
	if err != nil || a <= 0 {
		return 0, cli.Usagef("bad %s %q: want a positive GG amount such as 1.5", what, s)
	}
	return a, nil
}

func checkID(s, what string) error {
	if _, err := game.ParseID(s); err != nil {
		return cli.Usagef("bad %s %q: want an id of 64 hex digits", what, s)
	}
	return nil
}

// checkProducerRef accepts an id or a well-formed name.
func checkProducerRef(s string) error {
	if _, err := game.ParseID(s); err == nil {
		return nil
	}
	if err := game.CheckName(s); err != nil {
		return cli.Usagef("bad producer %q: want an id or a name (%s)", s, ruleMsg(err))
	}
	return nil
}

func wantArgs(c *ucli.Context, n int, what string) error {
	if c.NArg() != n {
		return cli.Usagef("want %s, got %d arguments (flags go before arguments)", what, c.NArg())
	}
	return nil
}
