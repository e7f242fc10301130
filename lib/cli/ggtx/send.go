package ggtx

import (
	"encoding/hex"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func sendCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "send",
		Usage:     "broadcast a signed transaction through gg-node and print its txid",
		UsageText: "gg-tx send [HEX|-]",
		Action: func(c *ucli.Context) error {
			tx, err := readTx(c)
			if err != nil {
				return err
			}
			client, err := cli.NodeClient(c)
			if err != nil {
				return err
			}
			var txid string
			if err := client.Call(c.Context, "sendrawtransaction", &txid, hex.EncodeToString(tx.Bytes())); err != nil {
				return cli.CallError(err, "transaction rejected", false)
			}
			return cli.PrintValue(c, "txid", txid)
		},
	}
}
