package ggwallet

import (
	"encoding/json"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func balanceCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "balance",
		Usage:     "show confirmed, unconfirmed, immature, locked and reserved GG",
		UsageText: "gg-wallet [--json] balance [--account NAME]",
		Flags:     []ucli.Flag{accountFlag("*")},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			var raw json.RawMessage
			if err := call(c, "balance.all", &raw, c.String("account")); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, balanceTable)
		},
	}
}

func balanceTable(raw json.RawMessage) ([]string, [][]string, error) {
	var b map[string]json.RawMessage
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, nil, err
	}
	var rows [][]string
	for _, k := range []string{"confirmed", "unconfirmed", "immature", "locked", "reserved", "total", "game"} {
		var a cli.Amount
		if err := json.Unmarshal(b[k], &a); err != nil {
			return nil, nil, fmt.Errorf("balance %s: %w", k, err)
		}
		rows = append(rows, []string{k, a.String()})
	}
	return []string{"STATE", "GG"}, rows, nil
}
