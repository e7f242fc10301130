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
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/rpc"
)

// Main runs gg-prop with the process's arguments and exits.
func Main() { cli.Main(NewApp) }

// NewApp builds gg-prop's command tree.
func NewApp(stdio cli.IO) *ucli.App {
	app := cli.NewApp("gg-prop", "producers and props: register, create, send, auction, bid, destroy", stdio)
	app.Description = "Talks to gg-node (found through --rpc-url, or the datadir's rpc.addr and .cookie);\n" +
		"its hosted wallet signs (unlock it first: gg-wallet unlock). Gold and prices are GG\n" +
		"(0.0001 = 10,000 dust, the least gold of a prop). A PRODUCER is an id or a name.\n" +
		"Lists print a table on a terminal and JSON when piped or with --json; actions print\n" +
		"their result the same way, or with --dry-run only the signed hex, for gg-tx send.\n" +
		"Flags may also follow the command and its arguments ('--' ends them).\n\n" +
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

// caller words the node's errors for gg-prop.
var caller = cli.WalletCaller{
	Hints:    map[int]string{rpc.CodeInvalidAddress: "check the id, name or address (and --network)"},
	Rejected: func(msg string) string { return "transaction rejected: " + msg }, // "<code>: <message>"
}

// call makes one RPC call and turns its errors into the house voice.
func call(c *ucli.Context, method string, out any, params ...any) error {
	return caller.Call(c, method, out, params...)
}

// actionFlags are an action's flags: extra, then --account and --dry-run.
func actionFlags(extra ...ucli.Flag) []ucli.Flag {
	return append(extra, cli.AccountFlag("default", "wallet `ACCOUNT` that pays and receives"), cli.DryRunFlag())
}

// runAction calls an action method with params + (account, dryrun) and
// prints its result: the hex with --dry-run, else the result.
func runAction(c *ucli.Context, method string, params ...any) error {
	dry := c.Bool(cli.FlagDryRun)
	params = append(params, c.String(cli.FlagAccount), dry)
	var raw json.RawMessage
	if err := call(c, method, &raw, params...); err != nil {
		return err
	}
	if dry && cli.JSONMode(c) {
		return cli.WriteJSON(c, raw)
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
	return cli.PrintResult(c, raw, actionTable)
}

func actionTable(raw json.RawMessage) ([]string, [][]string, error) {
	var r struct {
		TxID    string     `json:"txid"`
		Fee     cli.Amount `json:"fee"`
		Objects []struct {
			Kind string `json:"kind"`
			ID   string `json:"id"`
			Vout uint32 `json:"vout"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, nil, err
	}
	rows := [][]string{{"tx", r.TxID, "", r.Fee.String()}}
	for _, o := range r.Objects {
		rows = append(rows, []string{o.Kind, o.ID, fmt.Sprint(o.Vout), ""})
	}
	return []string{"KIND", "ID", "VOUT", "FEE GG"}, rows, nil
}

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
