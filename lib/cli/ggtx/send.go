package ggtx

import (
	"encoding/hex"
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

func sendCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "send",
		Usage:     "broadcast a signed transaction through gg-node and print its txid",
		UsageText: "gg-tx send [HEX|-]",
		Action: func(c *ucli.Context) error {
			p, err := cli.Network(c)
			if err != nil {
				return err
			}
			tx, err := readTx(c)
			if err != nil {
				return err
			}
			dir, err := cli.DataDir(c, p)
			if err != nil {
				return err
			}
			client, err := rpc.Discover(c.String(cli.FlagRPCURL), dir)
			if err != nil {
				return cli.Unavailable(err, "start gg-node, or pass --rpc-url / --datadir")
			}
			var txid string
			if err := client.Call(c.Context, "sendrawtransaction", &txid, hex.EncodeToString(tx.Bytes())); err != nil {
				if errors.Is(err, rpc.ErrNoNode) {
					return cli.Unavailable(err, "is gg-node running? (--rpc-url / --datadir)")
				}
				var re *rpc.Error
				if errors.As(err, &re) {
					return cli.Failf("transaction rejected: %s", re.Message)
				}
				return err
			}
			_, err = fmt.Fprintln(c.App.Writer, txid)
			return err
		},
	}
}
