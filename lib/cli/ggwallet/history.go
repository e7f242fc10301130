package ggwallet

import (
	"encoding/json"
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func historyCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "history",
		Usage:     "list the wallet's transactions, newest first",
		UsageText: "gg-wallet [--json] history [--account NAME] [--count N] [--skip N]",
		Flags: []ucli.Flag{accountFlag("*"),
			&ucli.IntFlag{Name: "count", Value: 20, Usage: "show `N` transactions"},
			&ucli.IntFlag{Name: "skip", Usage: "skip the newest `N`"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			if c.Int("count") < 0 || c.Int("skip") < 0 {
				return cli.Usagef("--count and --skip must not be negative")
			}
			var raw json.RawMessage
			if err := call(c, "tx.list", &raw, c.String("account"), c.Int("count"), c.Int("skip")); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, historyTable)
		},
	}
}

func historyTable(raw json.RawMessage) ([]string, [][]string, error) {
	var txs []struct {
		TxID          string      `json:"txid"`
		Status        string      `json:"status"`
		Category      string      `json:"category"`
		Amount        cli.Amount  `json:"amount"`
		Fee           *cli.Amount `json:"fee"`
		Confirmations int32       `json:"confirmations"`
		Time          int64       `json:"time"`
	}
	if err := json.Unmarshal(raw, &txs); err != nil {
		return nil, nil, err
	}
	rows := [][]string{}
	for _, t := range txs {
		fee := ""
		if t.Fee != nil {
			fee = t.Fee.String()
		}
		rows = append(rows, []string{time.Unix(t.Time, 0).Format(time.DateTime), t.Category, t.Status,
			t.Amount.String(), fee, fmt.Sprint(t.Confirmations), t.TxID})
	}
	return []string{"TIME", "CATEGORY", "STATUS", "GG", "FEE", "CONFS", "TXID"}, rows, nil
}
