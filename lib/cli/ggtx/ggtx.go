// Package ggtx is the command tree of gg-tx, the offline raw transaction
// tool: create, decode, id, sign with explicit keys, send, and key helpers.
// Every command reads a transaction as hex or as gg-tx decode's JSON, from
// an argument or stdin, and writes one line of hex (JSON with --json).
package ggtx

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wire"
)

// Main runs gg-tx with the process's arguments and exits.
func Main() { cli.Main(NewApp) }

// NewApp builds gg-tx's command tree.
func NewApp(stdio cli.IO) *ucli.App {
	app := cli.NewApp("gg-tx", "create, inspect, sign and send raw transactions", stdio)
	app.Description = "Works offline except 'send'. Flags may also follow the command and its arguments\n('--' ends them).\n\n" +
		"Examples:\n" +
		"   gg-tx --network=regtest create --in TXID:0 --out rg1q...=1.5 --out data=cafe\n" +
		"   export GG_NETWORK=regtest    (every stage of a pipeline on the node's network)\n" +
		"   gg-tx create ... | gg-tx sign --key-file k.wif --prevout TXID:0:50:SCRIPTHEX | gg-tx send\n" +
		"   gg-tx decode < tx.hex"
	app.Commands = []*ucli.Command{createCommand(), decodeCommand(), idCommand(), signCommand(), sendCommand(), keyCommand()}
	return app
}

// readTx reads the transaction argument (hex or JSON) or stdin.
func readTx(c *ucli.Context) (*wire.MsgTx, error) {
	s, err := cli.ArgOrStdin(c, 0, "transaction")
	if err != nil {
		return nil, err
	}
	tx, err := rpc.ParseTx(s)
	if err != nil {
		return nil, cli.Failf("not a transaction: %v", err)
	}
	return tx, nil
}
