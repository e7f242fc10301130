package ggwallet

import (
	"encoding/json"
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

func infoCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "info",
		Usage:     "show the wallet's state: encryption, lock, sync height, accounts",
		UsageText: "gg-wallet [--json] info",
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			var raw json.RawMessage
			if err := call(c, "wallet.info", &raw); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, infoTable)
		},
	}
}

func infoTable(raw json.RawMessage) ([]string, [][]string, error) {
	var i rpc.WalletInfoJSON
	if err := json.Unmarshal(raw, &i); err != nil {
		return nil, nil, err
	}
	lock := "locked"
	if !i.Locked {
		lock = "unlocked"
		if i.UnlockedUntil > 0 {
			lock += " until " + time.Unix(i.UnlockedUntil, 0).Format(time.DateTime)
		}
	}
	rows := [][]string{{"wallet", i.WalletName}, {"network", i.Network}, {"encrypted", fmt.Sprint(i.Encrypted)},
		{"state", lock}, {"birthday", fmt.Sprint(i.Birthday)}, {"synced height", fmt.Sprint(i.SyncedHeight)},
		{"transactions", fmt.Sprint(i.TxCount)}}
	for _, a := range i.Accounts {
		rows = append(rows, []string{"account " + a.Name, fmt.Sprintf("#%d %s, %d receive / %d change addresses", a.Number, a.Kind, a.Receive, a.Change)})
	}
	return []string{"FIELD", "VALUE"}, rows, nil
}
