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
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

// ExitIncomplete is sign's exit code when some inputs stay unsigned (the
// partially signed hex is still printed).
const ExitIncomplete = 10

// Main runs gg-wallet with the process's arguments and exits.
func Main() { cli.Main(NewApp) }

// NewApp builds gg-wallet's command tree.
func NewApp(stdio cli.IO) *ucli.App {
	app := cli.NewApp("gg-wallet", "use the wallet hosted by gg-node", stdio)
	app.Description = "Talks to gg-node, or to a wallet run apart with gg-wallet serve (found through\n" +
		"--rpc-url, or the datadir's rpc.addr and .cookie).\n" +
		"Passphrases come from --passphrase-file, GG_PASSPHRASE or a terminal prompt, never\n" +
		"from arguments. Lists print a table on a terminal and JSON when piped or with --json.\n" +
		"Flags may also follow the command and its arguments ('--' ends them).\n\n" +
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

// caller words the node's errors for gg-wallet, with a hint for the
// wallet's own errors.
var caller = cli.WalletCaller{Hints: map[int]string{
	rpc.CodeWalletPass:     "check the passphrase file or GG_PASSPHRASE",
	rpc.CodeInvalidAddress: "check the address and --network",
}}

// call makes one RPC call to the node and turns its errors into the
// house voice.
func call(c *ucli.Context, method string, out any, params ...any) error {
	return caller.Call(c, method, out, params...)
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

// printState prints, under --json only, the state a command without other
// output leaves (--json always prints one object).
func printState(c *ucli.Context, state map[string]any) error {
	if !cli.JSONMode(c) {
		return nil
	}
	return cli.WriteJSON(c, state)
}

// accountFlag is --account; "*" selects every account where a command
// allows it.
func accountFlag(def string) *ucli.StringFlag {
	return cli.AccountFlag(def, "wallet `ACCOUNT` (\"*\": every account)")
}
