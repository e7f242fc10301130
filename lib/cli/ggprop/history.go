package ggprop

import (
	"encoding/json"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func historyCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "history",
		Usage:     "what each mined transaction did to a prop or producer, oldest first",
		UsageText: "gg-prop [--json] history ID",
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "ID (a prop or producer id)"); err != nil {
				return err
			}
			if err := cli.CheckID(c.Args().First(), "id"); err != nil {
				return err
			}
			var raw json.RawMessage
			if err := call(c, "prop.history", &raw, c.Args().First()); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, historyTable)
		},
	}
}

func historyTable(raw json.RawMessage) ([]string, [][]string, error) {
	var evs []struct {
		Op     string     `json:"op"`
		Height int32      `json:"height"`
		TxID   string     `json:"txid"`
		Vout   *int64     `json:"vout"`
		Price  cli.Amount `json:"price"`
	}
	if err := json.Unmarshal(raw, &evs); err != nil {
		return nil, nil, err
	}
	rows := [][]string{}
	for _, e := range evs {
		vout, price := "-", ""
		if e.Vout != nil {
			vout = fmt.Sprint(*e.Vout)
		}
		if e.Price != 0 {
			price = e.Price.String()
		}
		rows = append(rows, []string{fmt.Sprint(e.Height), e.Op, e.TxID, vout, price})
	}
	return []string{"HEIGHT", "OP", "TXID", "VOUT", "PRICE GG"}, rows, nil
}
