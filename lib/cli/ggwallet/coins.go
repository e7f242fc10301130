package ggwallet

import (
	"encoding/json"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func coinsCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "coins",
		Usage:     "list the wallet's unspent outputs",
		UsageText: "gg-wallet [--json] coins [--account NAME]",
		Flags:     []ucli.Flag{accountFlag("*")},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			var raw json.RawMessage
			if err := call(c, "coin.list", &raw, c.String("account")); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, coinsTable)
		},
	}
}

func coinsTable(raw json.RawMessage) ([]string, [][]string, error) {
	var cs []struct {
		TxID          string     `json:"txid"`
		Vout          uint32     `json:"vout"`
		Address       string     `json:"address"`
		Account       string     `json:"account"`
		Amount        cli.Amount `json:"amount"`
		Confirmations int32      `json:"confirmations"`
		Spendable     bool       `json:"spendable"`
		Immature      bool       `json:"immature"`
		Locked        bool       `json:"locked"`
		LockUntil     uint32     `json:"lock_until"`
		LockUntilTime string     `json:"lock_until_time"`
		Reserved      bool       `json:"reserved"`
		Game          bool       `json:"game"`
		SpentPending  bool       `json:"spent_pending"`
	}
	if err := json.Unmarshal(raw, &cs); err != nil {
		return nil, nil, err
	}
	rows := [][]string{}
	for _, c := range cs {
		var st []string
		locked := "locked"
		switch {
		case c.LockUntilTime != "":
			locked += " until " + c.LockUntilTime
		case c.LockUntil != 0:
			locked += fmt.Sprintf(" until height %d", c.LockUntil)
		}
		for _, f := range []struct {
			on   bool
			name string
		}{{c.Spendable, "spendable"}, {c.Immature, "immature"}, {c.Locked, locked}, {c.Reserved, "reserved"},
			{c.Game, "game"}, {c.SpentPending, "spending"}} {
			if f.on {
				st = append(st, f.name)
			}
		}
		rows = append(rows, []string{fmt.Sprintf("%s:%d", c.TxID, c.Vout), c.Amount.String(), fmt.Sprint(c.Confirmations),
			c.Account, c.Address, strings.Join(st, ",")})
	}
	return []string{"OUTPOINT", "GG", "CONFS", "ACCOUNT", "ADDRESS", "STATE"}, rows, nil
}
