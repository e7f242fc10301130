package ggnode

import (
	"encoding/json"
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
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
			params, err := cli.Network(c)
			if err != nil {
				return err
			}
			dir, err := cli.DataDir(c, params)
			if err != nil {
				return err
			}
			client, err := rpc.Discover(c.String(cli.FlagRPCURL), dir)
			if err != nil {
				return cli.Unavailable(err, "start gg-node, or pass --rpc-url / --datadir")
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
				var re *rpc.Error
				switch {
				case errors.As(err, &re):
					return cli.Failf("%s (code %d)", re.Message, re.Code)
				case errors.Is(err, rpc.ErrNoNode):
					return cli.Unavailable(err, "is gg-node running? (--rpc-url / --datadir)")
				}
				return err
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
