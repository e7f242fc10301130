package ggwallet

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func keyCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "key",
		Usage:     "import private keys",
		UsageText: "gg-wallet key import [--account NAME] < key.wif",
		Subcommands: []*ucli.Command{
			{
				Name:  "import",
				Usage: "add a WIF private key read on stdin to --account (default \"imported\"; needs unlock)",
				UsageText: "gg-wallet key import [--account NAME] < key.wif\n\n" +
					"Prints the key's address. The key is never taken from an argument (it would show\n" +
					"in the process list). Payments made to it before the import show after\n" +
					"'gg-wallet rescan'.",
				Flags: []ucli.Flag{accountFlag("imported")},
				Action: func(c *ucli.Context) error {
					if c.NArg() > 0 {
						return cli.Usagef("unexpected argument: give the key on stdin")
					}
					wif, err := cli.ReadStdin(c, "WIF key")
					if err != nil {
						return err
					}
					var addr string
					if err := call(c, "key.import.private", &addr, wif, c.String("account")); err != nil {
						return err
					}
					return cli.PrintValue(c, "address", addr)
				},
			},
		},
	}
}
