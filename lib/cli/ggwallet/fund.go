package ggwallet

import (
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

func fundCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "fund",
		Usage:     "add the wallet's inputs and change to a transaction read on stdin; prints unsigned hex",
		UsageText: "gg-tx create --out ADDR=AMOUNT | gg-wallet fund [--account NAME] [--fee-rate GG] [--max-fee-rate GG] [HEX|-]",
		Description: "Reads hex or gg-tx decode's JSON. Inputs already present are kept; the wallet\n" +
			"adds coins of --account and a change output, then 'gg-wallet sign' signs them.\n" +
			"A fee rate above the wallet's ceiling (0.10 GG per 1000 vbytes unless\n" +
			"--max-fee-rate says otherwise) is refused.",
		Flags: []ucli.Flag{accountFlag("default"),
			feeRateFlag(),
			maxFeeRateFlag(),
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 1 {
				return cli.Usagef("want at most one transaction argument")
			}
			opts := map[string]any{"account": c.String("account")}
			if r, err := feeRateArg(c); err != nil {
				return err
			} else if r != "" {
				opts["feeRate"] = r
			}
			if r, ok, err := maxFeeRateArg(c); err != nil {
				return err
			} else if ok {
				opts["maxfeerate"] = r
			}
			hs, err := readTxArg(c)
			if err != nil {
				return err
			}
			var res struct {
				Hex string `json:"hex"`
			}
			if err := call(c, "fundrawtransaction", &res, hs, opts); err != nil {
				return feeCeilingHint(err)
			}
			return cli.PrintValue(c, "hex", res.Hex)
		},
	}
}

// feeRateFlag is --fee-rate, of fund and send.
func feeRateFlag() *ucli.StringFlag {
	return &ucli.StringFlag{Name: "fee-rate", Usage: "fee rate in `GG` per 1000 vbytes (default: the node's estimate)"}
}

// feeRateArg returns --fee-rate in GG per 1000 vbytes, "" when not
// given.
func feeRateArg(c *ucli.Context) (string, error) {
	r := c.String("fee-rate")
	if r == "" {
		return "", nil
	}
	v, err := amount.Parse(r)
	if err != nil || v == 0 {
		return "", cli.Usagef("bad --fee-rate %q: want GG per 1000 vbytes such as 0.0001", r)
	}
	return v.String(), nil
}

// maxFeeRateFlag is --max-fee-rate, the wallet's fee rate ceiling.
func maxFeeRateFlag() *ucli.StringFlag {
	return &ucli.StringFlag{Name: "max-fee-rate", Usage: "refuse a fee rate above `GG` per 1000 vbytes (default 0.10; 0: no ceiling)"}
}

// maxFeeRateArg returns --max-fee-rate as the node's maxfeerate, and
// whether it was given.
func maxFeeRateArg(c *ucli.Context) (string, bool, error) {
	r := c.String("max-fee-rate")
	if r == "" {
		return "", false, nil
	}
	v, err := amount.Parse(r)
	if err != nil {
		return "", false, cli.Usagef("bad --max-fee-rate %q: want GG per 1000 vbytes such as 0.5 (0: no ceiling)", r)
	}
	return v.String(), true, nil
}

// feeCeilingHint adds the flag that moves the wallet's fee rate ceiling
// to the node's refusal of a rate above it.
func feeCeilingHint(err error) error {
	if err != nil && strings.Contains(err.Error(), rpc.MsgFeeCeiling) {
		return cli.WithHint(err, "to pay it, raise the ceiling: --max-fee-rate GG (0: no ceiling)")
	}
	return err
}
