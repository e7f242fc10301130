package ggprop

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func bidCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "bid",
		Usage:     "bid PRICE GG on a prop's live auction (needs unlock)",
		UsageText: "gg-prop bid [--account NAME] [--dry-run] PROP PRICE",
		Description: "The bid must exceed the best bid and be at least the prop's gold and the\n" +
			"reserve; it replaces the best bid in the mempool. The coins it spends show as\n" +
			"reserved in 'gg-wallet balance' until it settles; if it is outbid, loses or the\n" +
			"auction lapses they return by themselves.",
		Flags: actionFlags(),
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 2, "PROP PRICE"); err != nil {
				return err
			}
			if err := cli.CheckID(c.Args().Get(0), "prop"); err != nil {
				return err
			}
			p, err := parsePrice(c.Args().Get(1), "price")
			if err != nil {
				return err
			}
			return runAction(c, "prop.buy", c.Args().Get(0), p.String())
		},
	}
}
