package ggprop

import (
	"encoding/json"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func listCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "list the wallet's props, a producer's, an owner's, or the market (--onsale)",
		UsageText: "gg-prop [--json] list [--account NAME] [--producer PRODUCER] [--owner ADDRESS] [--onsale] [--skip N] [--count N]",
		Description: "Without filters: the wallet's props (pending ones included). --onsale lists\n" +
			"the props with a live auction in the mempool (with --producer/--owner: theirs).",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "account", Value: "*", Usage: "wallet `ACCOUNT` for the wallet's props (\"*\": every account)"},
			&ucli.StringFlag{Name: "producer", Usage: "props of `PRODUCER` (id or name)"},
			&ucli.StringFlag{Name: "owner", Usage: "props owned by `ADDRESS`"},
			&ucli.BoolFlag{Name: "onsale", Usage: "props on auction (the market)"},
			&ucli.IntFlag{Name: "skip", Usage: "skip the first `N`"},
			&ucli.IntFlag{Name: "count", Value: 100, Usage: "show at most `N` (up to 1000)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			if c.Int("skip") < 0 || c.Int("count") < 0 || c.Int("count") > 1000 {
				return cli.Usagef("--skip must not be negative and --count must be 0 to 1000")
			}
			var raw json.RawMessage
			if !c.IsSet("producer") && !c.IsSet("owner") && !c.Bool("onsale") {
				if err := call(c, "prop.mine", &raw, c.String("account")); err != nil {
					return err
				}
				return cli.PrintResult(c, raw, cli.TableOf(propTable))
			}
			if p := c.String("producer"); p != "" {
				if err := checkProducerRef(p); err != nil {
					return err
				}
			}
			if err := call(c, "prop.list", &raw, c.String("producer"), c.String("owner"), c.Bool("onsale"), c.Int("skip"), c.Int("count")); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, cli.TableOf(func(r propList) ([]string, [][]string, error) {
				return propTable(r.Props)
			}))
		},
	}
}
