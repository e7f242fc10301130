package ggwallet

import (
	"encoding/json"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func signCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "sign",
		Usage:     "sign the inputs of a transaction read on stdin that the wallet has keys for; prints hex",
		UsageText: "... | gg-wallet sign [HEX|-] | gg-tx send",
		Description: "Needs the wallet unlocked. When some inputs stay unsigned the partly signed hex\n" +
			"is still printed and the exit status is 10.",
		Action: func(c *ucli.Context) error {
			if c.NArg() > 1 {
				return cli.Usagef("want at most one transaction argument")
			}
			hs, err := readTxArg(c)
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if err := call(c, "signrawtransactionwithwallet", &raw, hs); err != nil {
				return err
			}
			var res struct {
				Hex      string `json:"hex"`
				Complete bool   `json:"complete"`
				Errors   []struct {
					Error string `json:"error"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(raw, &res); err != nil {
				return cli.Failf("the node's answer to signrawtransactionwithwallet: %v", err)
			}
			if cli.JSONMode(c) {
				if err := cli.WriteJSON(c, raw); err != nil {
					return err
				}
			} else if _, err := fmt.Fprintln(c.App.Writer, res.Hex); err != nil {
				return err
			}
			if !res.Complete {
				return &cli.Error{Err: fmt.Errorf("signature incomplete: %d inputs not signed by the wallet", len(res.Errors)),
					Code: ExitIncomplete, Hints: []string{"sign the other inputs with gg-tx sign"}}
			}
			return nil
		},
	}
}
