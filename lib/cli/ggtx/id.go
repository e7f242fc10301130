package ggtx

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func idCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "id",
		Usage:     "print a transaction's txid (--json adds the wtxid)",
		UsageText: "gg-tx id [HEX|-]",
		Action: func(c *ucli.Context) error {
			tx, err := readTx(c)
			if err != nil {
				return err
			}
			if cli.JSONMode(c) {
				return cli.WriteJSON(c, map[string]string{"txid": tx.TxHash().String(), "wtxid": tx.WitnessHash().String()})
			}
			_, err = fmt.Fprintln(c.App.Writer, tx.TxHash())
			return err
		},
	}
}
