package ggwallet

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/cli"
)

func fundCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "fund",
		Usage:     "add the wallet's inputs and change to a transaction read on stdin; prints unsigned hex",
		UsageText: "gg-tx create --out ADDR=AMOUNT | gg-wallet fund [--account NAME] [--fee-rate GG] [HEX|-]",
		Description: "Reads hex or gg-tx decode's JSON. Inputs already present are kept; the wallet\n" +
			"adds coins of --account and a change output, then 'gg-wallet sign' signs them.",
		Flags: []ucli.Flag{accountFlag("default"),
			&ucli.StringFlag{Name: "fee-rate", Usage: "fee rate in `GG` per 1000 vbytes (default: the node's estimate)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 1 {
				return cli.Usagef("want at most one transaction argument")
			}
			opts := map[string]any{"account": c.String("account")}
			if r := c.String("fee-rate"); r != "" {
				v, err := amount.Parse(r)
				if err != nil || v == 0 {
					return cli.Usagef("bad --fee-rate %q: want GG per 1000 vbytes such as 0.0001", r)
				}
				opts["feeRate"] = v.String()
			}
			hs, err := readTxArg(c)
			if err != nil {
				return err
			}
			var res struct {
				Hex string `json:"hex"`
			}
			if err := call(c, "fundrawtransaction", &res, hs, opts); err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.App.Writer, res.Hex)
			return err
		},
	}
}
