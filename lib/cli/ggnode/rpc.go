package ggnode

import (
	"encoding/json"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func rpcCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "rpc",
		Usage:     "call a node RPC method (bitcoin-cli style)",
		UsageText: "gg-node [global flags] rpc METHOD [ARG|-]...",
		Description: "Each ARG is sent as JSON when it parses as JSON (numbers, true/false, null,\n" +
			"arrays, objects, quoted strings), otherwise as a string. An ARG of '-' is read from\n" +
			"stdin. String results print raw; others print as indented JSON.\n" +
			"The node is found through --rpc-url, or <datadir>/rpc.addr and <datadir>/.cookie.",
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 {
				return cli.Usagef("no method: gg-node rpc METHOD [ARG]... (try 'gg-node rpc help')")
			}
			client, err := cli.NodeClient(c)
			if err != nil {
				return err
			}
			args := make([]any, 0, c.NArg()-1)
			for i := 1; i < c.NArg(); i++ {
				a := c.Args().Get(i)
				if a == "-" {
					if a, err = cli.ReadStdin(c, "argument "+fmt.Sprint(i)); err != nil {
						return err
					}
				}
				if json.Valid([]byte(a)) {
					args = append(args, json.RawMessage(a))
				} else {
					args = append(args, a)
				}
			}
			var result json.RawMessage
			if err := client.Call(c.Context, c.Args().First(), &result, args...); err != nil {
				return cli.CallError(err, "", true)
			}
			if len(result) == 0 || string(result) == "null" {
				_, err = fmt.Fprintln(c.App.Writer, "null")
				return err
			}
			var s string
			if json.Unmarshal(result, &s) == nil {
				_, err = fmt.Fprintln(c.App.Writer, s)
				return err
			}
			var v any
			if err := json.Unmarshal(result, &v); err != nil {
				return err
			}
			return cli.PrintJSON(c.App.Writer, v)
		},
	}
}
