package ggwallet

import (
	"encoding/json"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

func accountCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "account",
		Usage: "list, create and rename accounts",
		UsageText: "gg-wallet [--json] account list\n   gg-wallet account create NAME\n" +
			"   gg-wallet account rename OLD NEW",
		Subcommands: []*ucli.Command{
			{
				Name:      "list",
				Usage:     "list the accounts",
				UsageText: "gg-wallet [--json] account list",
				Action: func(c *ucli.Context) error {
					if c.NArg() > 0 {
						return cli.Usagef("unexpected argument %q", c.Args().First())
					}
					var raw json.RawMessage
					if err := call(c, "account.list", &raw); err != nil {
						return err
					}
					return cli.PrintResult(c, raw, accountTable)
				},
			},
			{
				Name:      "create",
				Usage:     "create the next BIP44 account under NAME (needs unlock)",
				UsageText: "gg-wallet account create NAME",
				Action: func(c *ucli.Context) error {
					if c.NArg() != 1 {
						return cli.Usagef("want NAME, got %d arguments", c.NArg())
					}
					var raw json.RawMessage
					if err := call(c, "account.create", &raw, c.Args().First()); err != nil {
						return err
					}
					return cli.WriteJSON(c, raw)
				},
			},
			{
				Name:  "rename",
				Usage: "give account OLD the name NEW (accounts found on restore are called account-N)",
				UsageText: "gg-wallet account rename OLD NEW\n\n" +
					"The default account keeps its name. Renaming needs no unlock.",
				Action: func(c *ucli.Context) error {
					if c.NArg() != 2 {
						return cli.Usagef("want OLD NEW, got %d arguments", c.NArg())
					}
					var raw json.RawMessage
					if err := call(c, "account.rename", &raw, c.Args().Get(0), c.Args().Get(1)); err != nil {
						return err
					}
					return cli.WriteJSON(c, raw)
				},
			},
		},
	}
}

func accountTable(raw json.RawMessage) ([]string, [][]string, error) {
	var as []rpc.WalletAccountJSON
	if err := json.Unmarshal(raw, &as); err != nil {
		return nil, nil, err
	}
	rows := [][]string{}
	for _, a := range as {
		rows = append(rows, []string{a.Name, fmt.Sprint(a.Number), a.Kind, fmt.Sprint(a.Receive), fmt.Sprint(a.Change)})
	}
	return []string{"NAME", "NUMBER", "KIND", "RECEIVE", "CHANGE"}, rows, nil
}
