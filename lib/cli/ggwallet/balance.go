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
	var locks []struct {
		Amount    json.RawMessage `json:"amount"`
		Height    uint32          `json:"until_height"`
		UntilTime string          `json:"until_time"`
	}
	if raw, ok := b["locks"]; ok {
		if err := json.Unmarshal(raw, &locks); err != nil {
			return nil, nil, err
		}
	}
	var rows [][]string
	for _, k := range []string{"confirmed", "unconfirmed", "immature", "locked", "reserved", "total", "game"} {
		var a cli.Amount
		if err := json.Unmarshal(b[k], &a); err != nil {
			return nil, nil, fmt.Errorf("balance %s: %w", k, err)
		}
		rows = append(rows, []string{k, a.String()})
		if k != "locked" {
			continue
		}
		// The locked money by release, soonest first.
		for _, l := range locks {
			until := l.UntilTime
			if until == "" {
				until = fmt.Sprintf("height %d", l.Height)
			}
			var la cli.Amount
			if err := json.Unmarshal(l.Amount, &la); err != nil {
				return nil, nil, fmt.Errorf("balance lock: %w", err)
			}
			rows = append(rows, []string{"  until " + until, la.String()})
		}
	}
	return []string{"STATE", "GG"}, rows, nil
}
