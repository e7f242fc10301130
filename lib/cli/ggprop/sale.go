package ggprop

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/cli"
)

func saleCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "sale",
		Usage:     "offer a prop at auction with a BUYNOW price in GG (needs unlock)",
		UsageText: "gg-prop sale [--reserve GG] [--end HEIGHT] [--account NAME] [--dry-run] PROP BUYNOW",
		Description: "The listing lives in the node's mempool (it survives restarts) and is never\n" +
			"mined itself: a bid at BUYNOW settles in the next block; a lower bid (at least\n" +
			"the gold and the reserve) settles from the end height (default: the tip plus the\n" +
			"network's auction period). Without bids the sale lapses after end + a grace\n" +
			"window and the prop is free again. While on sale it cannot be sent or destroyed.",
		Flags: actionFlags(
			&ucli.StringFlag{Name: "reserve", Usage: "least acceptable bid in `GG`"},
			&ucli.Int64Flag{Name: "end", Usage: "end `HEIGHT` (default: tip + auction period)"},
		),
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 2, "PROP BUYNOW"); err != nil {
				return err
			}
			if err := cli.CheckID(c.Args().Get(0), "prop"); err != nil {
				return err
			}
			bn, err := parsePrice(c.Args().Get(1), "buy-now price")
			if err != nil {
				return err
			}
			var reserve amount.Amount
			if c.IsSet("reserve") {
				if reserve, err = amount.Parse(c.String("reserve")); err != nil || reserve > bn {
					return cli.Usagef("bad --reserve %q: want GG no higher than the buy-now price", c.String("reserve"))
				}
			}
			if c.Int64("end") < 0 {
				return cli.Usagef("bad --end %d: want a height", c.Int64("end"))
			}
			return runAction(c, "prop.sale", c.Args().Get(0), bn.String(), reserve.String(), c.Int64("end"))
		},
	}
}
