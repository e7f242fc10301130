package ggwallet

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/cli"
)

type sendOptions struct {
	address     string
	amount      amount.Amount
	account     string
	subtractFee bool
	feeRate     string // GG per 1000 vbytes; "": the node's estimate
	maxFeeRate  string // the node's maxfeerate; "": its default
}

func sendCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "send",
		Usage:     "pay AMOUNT GG to ADDRESS and print the txid (needs unlock)",
		UsageText: "gg-wallet send [--account NAME] [--subtract-fee] [--fee-rate GG] [--max-fee-rate GG] ADDRESS AMOUNT",
		Description: "The wallet picks the coins, adds change and pays the fee (or takes it from the\n" +
			"amount with --subtract-fee) at --fee-rate or the node's estimate, refused above the\n" +
			"wallet's ceiling (0.10 GG per 1000 vbytes unless --max-fee-rate says otherwise).\n" +
			"AMOUNT is in GG, e.g. 1.5.",
		Flags: []ucli.Flag{accountFlag("default"),
			&ucli.BoolFlag{Name: "subtract-fee", Usage: "the recipient pays the fee out of AMOUNT"},
			feeRateFlag(),
			maxFeeRateFlag(),
		},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 2, "ADDRESS AMOUNT"); err != nil {
				return err
			}
			amt, err := amount.Parse(c.Args().Get(1))
			if err != nil || amt == 0 {
				return cli.Usagef("bad amount %q: want GG such as 1.5", c.Args().Get(1))
			}
			rate, err := feeRateArg(c)
			if err != nil {
				return err
			}
			maxRate, _, err := maxFeeRateArg(c)
			if err != nil {
				return err
			}
			return runSend(c, sendOptions{address: c.Args().Get(0), amount: amt, account: c.String("account"), subtractFee: c.Bool("subtract-fee"),
				feeRate: rate, maxFeeRate: maxRate})
		},
	}
}

func runSend(c *ucli.Context, o sendOptions) error {
	var txid string
	params := []any{o.address, o.amount.String(), o.subtractFee, o.account}
	switch {
	case o.maxFeeRate != "":
		params = append(params, o.maxFeeRate)
	case o.feeRate != "":
		params = append(params, nil) // the default ceiling
	}
	if o.feeRate != "" {
		params = append(params, o.feeRate)
	}
	if err := call(c, "tx.send", &txid, params...); err != nil {
		return feeCeilingHint(err)
	}
	return cli.PrintValue(c, "txid", txid)
}
