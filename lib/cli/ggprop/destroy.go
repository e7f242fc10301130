package ggprop

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/game"
)

func destroyCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "destroy",
		Usage:     "destroy props: their gold returns to the account as plain coins (needs unlock)",
		UsageText: "gg-prop destroy [--account NAME] [--dry-run] PROP...",
		Description: "The props' ids can never be used again. Up to 1000 props in one\n" +
			"transaction; the fee comes out of their gold.",
		Flags: actionFlags(),
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 || c.NArg() > game.MaxBatch {
				return cli.Usagef("want 1 to %d PROP ids, got %d arguments", game.MaxBatch, c.NArg())
			}
			ids := c.Args().Slice()
			for _, id := range ids {
				if err := cli.CheckID(id, "prop"); err != nil {
					return err
				}
			}
			return runAction(c, "prop.found", ids)
		},
	}
}
