package ggwallet

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func mnemonicCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "mnemonic",
		Usage:     "print the wallet's recovery phrase (asks for the passphrase)",
		UsageText: "gg-wallet mnemonic [--passphrase-file FILE]",
		Flags:     []ucli.Flag{passphraseFlag()},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			pass, err := readPassphrase(c, false)
			if err != nil {
				return err
			}
			var m string
			if err := call(c, "wallet.exportmnemonic", &m, pass); err != nil {
				return err
			}
			return cli.PrintValue(c, "mnemonic", m)
		},
	}
}
