// Package ggwallet is the command tree of gg-wallet, the thin client of
// the wallet gg-node hosts (<datadir>/wallet.db): create or restore it,
// lock and unlock it, hand out addresses, show balances, coins and
// history, send, and fund and sign raw transactions in a pipeline
// (gg-tx create ... | gg-wallet fund | gg-wallet sign | gg-tx send),
// accounts, encrypted backups, and rescans with a progress bar.
// Every command is one JSON-RPC call through cli.NodeClient.
package ggwallet

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

// ExitIncomplete is sign's exit code when some inputs stay unsigned (the
// partially signed hex is still printed).
const ExitIncomplete = 10

// Main runs gg-wallet with the process's arguments and exits.
func Main() { os.Exit(Run(os.Args, cli.StdIO())) }

// Run runs gg-wallet and returns the exit code.
func Run(args []string, stdio cli.IO) int { return cli.Run(NewApp(stdio), args) }

// NewApp builds gg-wallet's command tree.
func NewApp(stdio cli.IO) *ucli.App {
	app := cli.NewApp("gg-wallet", "use the wallet hosted by gg-node", stdio)
	app.UsageText = "gg-wallet [global flags] COMMAND [flags] [args]"
	app.Description = "Talks to gg-node, or to a wallet run apart with gg-wallet serve (found through\n" +
		"--rpc-url, or the datadir's rpc.addr and .cookie).\n" +
		"Passphrases come from --passphrase-file, GG_PASSPHRASE or a terminal prompt, never\n" +
		"from arguments. Lists print a table on a terminal and JSON when piped or with --json.\n" +
		"Flags go before positional arguments.\n\n" +
		"Examples:\n" +
		"   gg-wallet --network=regtest create --passphrase-file pass.txt\n" +
		"   gg-wallet --network=regtest unlock --passphrase-file pass.txt\n" +
		"   gg-wallet --network=regtest address new\n" +
		"   gg-wallet --network=regtest send rg1q... 1.5\n" +
		"   export GG_NETWORK=regtest; gg-tx create --out rg1q...=2 | gg-wallet fund | gg-wallet sign | gg-tx send\n\n" +
		"Exit status: 0 ok, 1 error (locked, wrong passphrase, insufficient funds, ...),\n" +
		"2 usage, 3 node unreachable, 10 sign left inputs unsigned."
	app.Commands = []*ucli.Command{createCommand(), restoreCommand(), infoCommand(), unlockCommand(), lockCommand(),
		accountCommand(), addressCommand(), balanceCommand(), coinsCommand(), sendCommand(), historyCommand(), fundCommand(), signCommand(),
		keyCommand(), mnemonicCommand(), backupCommand(), rescanCommand(), serveCommand()}
	return app
}

// call makes one RPC call to the node and turns its errors into the
// house voice, with a hint for the wallet's own errors.
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
	case rpc.CodeWalletPass:
		e = cli.WithHint(e, "check the passphrase file or GG_PASSPHRASE")
	case rpc.CodeInvalidAddress:
		e = cli.WithHint(e, "check the address and --network")
	case rpc.CodeInvalidParams:
		e.Code = cli.ExitUsage
	}
	return e
}

// isTTY reports whether w is a terminal.
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// wantJSON: --json, or stdout is not a terminal.
func wantJSON(c *ucli.Context) bool { return c.Bool(cli.FlagJSON) || !isTTY(c.App.Writer) }

// printTable renders rows in the one table style of gg-wallet.
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
// table built by table from it.
func printResult(c *ucli.Context, raw json.RawMessage, table func(json.RawMessage) ([]string, [][]string, error)) error {
	if wantJSON(c) || table == nil {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		return cli.PrintJSON(c.App.Writer, json.RawMessage(raw))
	}
	h, rows, err := table(raw)
	if err != nil {
		return err
	}
	return printTable(c.App.Writer, h, rows)
}

// readTxArg reads a transaction (hex, or gg-tx decode's JSON) from the
// argument or stdin and returns its hex; the node decodes it.
func readTxArg(c *ucli.Context) (string, error) {
	s, err := cli.ArgOrStdin(c, 0, "transaction")
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(s, "{") {
		var j struct {
			Hex string `json:"hex"`
		}
		if err := json.Unmarshal([]byte(s), &j); err != nil || j.Hex == "" {
			return "", cli.Failf("not a transaction: JSON without a \"hex\" field")
		}
		s = j.Hex
	}
	if _, err := rpc.DecodeUnsignedTx(s); err != nil {
		return "", cli.Failf("not a transaction: %v", err)
	}
	return s, nil
}

func accountFlag(def string) *ucli.StringFlag {
	return &ucli.StringFlag{Name: "account", Value: def, Usage: "wallet `ACCOUNT` (\"*\": every account)"}
}
