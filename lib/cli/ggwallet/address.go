package ggwallet

import (
	"encoding/json"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

func addressCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "address",
		Usage:     "hand out and list receive addresses",
		UsageText: "gg-wallet address new [--account NAME] [--lock-height H | --lock-blocks N]\n   gg-wallet [--json] address list [--account NAME]",
		Subcommands: []*ucli.Command{
			{
				Name:  "new",
				Usage: "print a new receive address (a new --account is created; needs unlock)",
				UsageText: "gg-wallet address new [--account NAME] [--lock-height H | --lock-blocks N]\n\n" +
					"With --lock-height (CLTV) or --lock-blocks (CSV) the address is time-locked (GameGold's\n" +
					"locktype): coins paid to it count as locked and cannot be spent until the tip reaches\n" +
					"height H, or N-1 blocks after the payment confirms. With --json the witness script is\n" +
					"printed too.",
				Flags: []ucli.Flag{accountFlag("default"),
					&ucli.Uint64Flag{Name: "lock-height", Aliases: []string{"locktime"}, Usage: "time-lock coins paid to the address until block `H` (CLTV)"},
					&ucli.Uint64Flag{Name: "lock-blocks", Usage: "time-lock coins paid to the address for `N` blocks after they confirm (CSV)"}},
				Action: func(c *ucli.Context) error {
					if c.NArg() > 0 {
						return cli.Usagef("unexpected argument %q (flags go before arguments)", c.Args().First())
					}
					h, n := c.Uint64("lock-height"), c.Uint64("lock-blocks")
					if h != 0 && n != 0 {
						return cli.Usagef("give --lock-height or --lock-blocks, not both")
					}
					if h != 0 || n != 0 {
						var raw json.RawMessage
						if err := call(c, "address.create", &raw, c.String("account"), h, n); err != nil {
							return err
						}
						if cli.JSONMode(c) {
							return cli.WriteJSON(c, raw)
						}
						var j rpc.WalletTimeLockJSON
						if err := json.Unmarshal(raw, &j); err != nil {
							return err
						}
						_, err := fmt.Fprintln(c.App.Writer, j.Address)
						return err
					}
					var addr string
					if err := call(c, "address.create", &addr, c.String("account")); err != nil {
						return err
					}
					return cli.PrintValue(c, "address", addr)
				},
			},
			{
				Name:      "list",
				Usage:     "list the addresses handed out",
				UsageText: "gg-wallet [--json] address list [--account NAME]",
				Flags:     []ucli.Flag{accountFlag("*")},
				Action: func(c *ucli.Context) error {
					if c.NArg() > 0 {
						return cli.Usagef("unexpected argument %q", c.Args().First())
					}
					var raw json.RawMessage
					if err := call(c, "address.list", &raw, c.String("account")); err != nil {
						return err
					}
					return cli.PrintResult(c, raw, addressTable)
				},
			},
		},
	}
}

func addressTable(raw json.RawMessage) ([]string, [][]string, error) {
	var as []rpc.WalletAddressJSON
	if err := json.Unmarshal(raw, &as); err != nil {
		return nil, nil, err
	}
	rows := [][]string{}
	for _, a := range as {
		kind := "receive"
		if a.Change {
			kind = "change"
		}
		rows = append(rows, []string{a.Address, a.Account, kind, a.Path, a.Label})
	}
	return []string{"ADDRESS", "ACCOUNT", "CHAIN", "PATH", "LABEL"}, rows, nil
}
