package ggwallet

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func lockCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "lock",
		Usage:     "lock the wallet: the node forgets the decryption key",
		UsageText: "gg-wallet lock",
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			if err := call(c, "wallet.lock", nil); err != nil {
				return err
			}
			return printState(c, map[string]any{"locked": true})
		},
	}
}
