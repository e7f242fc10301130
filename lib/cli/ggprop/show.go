package ggprop

import (
	"encoding/json"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func showCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show a prop: producer, oid, gold, owner, status and its live auction",
		UsageText: "gg-prop [--json] show PROP",
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "PROP"); err != nil {
				return err
			}
			if err := cli.CheckID(c.Args().First(), "prop"); err != nil {
				return err
			}
			var raw json.RawMessage
			if err := call(c, "prop.byid", &raw, c.Args().First()); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, cli.TableOf(func(p propJSON) ([]string, [][]string, error) {
				return propTable([]propJSON{p})
			}))
		},
	}
}

// propList is prop.list's result.
type propList struct {
	Props []propJSON `json:"props"`
}

type propJSON struct {
	ID        string     `json:"id"`
	Producer  string     `json:"producer"`
	OID       string     `json:"oid"`
	Gold      cli.Amount `json:"gold"`
	Owner     string     `json:"owner"`
	Status    string     `json:"status"`
	Height    int32      `json:"height"`
	Confirmed bool       `json:"confirmed"`
	Auction   *struct {
		BuyNow cli.Amount `json:"buynow"`
		Bid    cli.Amount `json:"bid"`
		End    uint32     `json:"end"`
	} `json:"auction"`
}

func propTable(ps []propJSON) ([]string, [][]string, error) {
	rows := [][]string{}
	for _, p := range ps {
		status := p.Status
		if !p.Confirmed {
			status = "pending"
		}
		sale := ""
		if a := p.Auction; a != nil {
			sale = fmt.Sprintf("bid %s / buy-now %s, end %d", a.Bid, a.BuyNow, a.End)
		}
		rows = append(rows, []string{p.ID, p.OID, p.Gold.String(), status, p.Owner, sale})
	}
	return []string{"PROP", "OID", "GOLD GG", "STATUS", "OWNER", "AUCTION"}, rows, nil
}
