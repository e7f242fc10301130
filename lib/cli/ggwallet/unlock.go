package ggwallet

import (
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func unlockCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "unlock",
		Usage:     "unlock the wallet's keys in the node",
		UsageText: "gg-wallet unlock [--passphrase-file FILE] [--timeout DURATION]",
		Flags: []ucli.Flag{passphraseFlag(),
			&ucli.DurationFlag{Name: "timeout", Usage: "lock again after `DURATION` (0: until gg-wallet lock or a node restart)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			d := c.Duration("timeout")
			if d < 0 {
				return cli.Usagef("--timeout must not be negative")
			}
			pass, err := readPassphrase(c, false)
			if err != nil {
				return err
			}
			secs := int64((d + time.Second - 1) / time.Second)
			if err := call(c, "wallet.unlock", nil, pass, secs); err != nil {
				return err
			}
			return printState(c, map[string]any{"locked": false, "timeout": secs})
		},
	}
}
