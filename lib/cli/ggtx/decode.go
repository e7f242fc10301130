package ggtx

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

func decodeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "decode",
		Usage:     "print a transaction as JSON",
		UsageText: "gg-tx decode [HEX|-]",
		Action: func(c *ucli.Context) error {
			p, err := cli.Network(c)
			if err != nil {
				return err
			}
			tx, err := readTx(c)
			if err != nil {
				return err
			}
			return cli.WriteJSON(c, rpc.NewTxJSON(tx, p))
		},
	}
}
