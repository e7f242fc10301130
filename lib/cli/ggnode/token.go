package ggnode

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

// tokenCommand is gg-node token: the node's API tokens, through its RPC
// (token.create, token.list, token.revoke), found as gg-node rpc finds it.
func tokenCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "token",
		Usage: "create, list and revoke the node's API tokens (for partners' servers)",
		UsageText: "gg-node [global flags] token create [--account ACCOUNT] NAME GRANT...\n" +
			"   gg-node [global flags] token list\n" +
			"   gg-node [global flags] token revoke NAME",
		Description: "An API token lets a partner's server use the node's JSON-RPC, REST and WebSocket\n" +
			"with what its grants allow: method names (prop.byid), patterns (prop.*, cp.*), the\n" +
			"routes' permissions (rest, events, metrics), or * for everything. With --account it\n" +
			"acts on that wallet account only. Clients send it as 'Authorization: Bearer TOKEN'\n" +
			"(or ?access_token=TOKEN on GET routes, for browsers' WebSockets). The node keeps\n" +
			"only its SHA-256 (<datadir>/tokens.json): create prints the token once. Revoking\n" +
			"takes effect at once, on open connections too. These commands need the cookie or\n" +
			"an rpcauth user without a whitelist, as docs/rpc.md says.\n\n" +
			"Examples:\n" +
			"   gg-node --network=regtest token create partner 'prop.*' rest\n" +
			"   gg-node --network=regtest token create --account=shop shop 'prop.*' 'tx.*' getbalance\n" +
			"   gg-node --network=regtest token list\n" +
			"   gg-node --network=regtest token revoke partner",
		Subcommands: []*ucli.Command{
			{
				Name:  "create",
				Usage: "create a token NAME allowed GRANTs; prints the token, once",
				UsageText: "gg-node [global flags] token create [--account ACCOUNT] NAME GRANT...\n\n" +
					"NAME: letters, digits, '.', '-', '_'. Each GRANT is a method, a pattern such as\n" +
					"'prop.*', rest, events, metrics or '*' (quote patterns from the shell); commas\n" +
					"separate several in one argument. Prints the token alone (with --json, the\n" +
					"object {name, token, grants, account, created}); the node cannot show it again.",
				Flags: []ucli.Flag{
					&ucli.StringFlag{Name: "account", Usage: "bind the token to wallet `ACCOUNT`: it acts on that account only"},
				},
				Action: runTokenCreate,
			},
			{
				Name:      "list",
				Usage:     "list the tokens: name, grants, account, creation time (never the tokens)",
				UsageText: "gg-node [global flags] [--json] token list",
				Action:    runTokenList,
			},
			{
				Name:      "revoke",
				Usage:     "revoke token NAME, at once, on every connection using it; prints what it allowed",
				UsageText: "gg-node [global flags] token revoke NAME",
				Action:    runTokenRevoke,
			},
		},
	}
}

// tokenCall calls a token method on the node.
func tokenCall(c *ucli.Context, method string, out any, params ...any) error {
	client, err := connect(c)
	if err != nil {
		return err
	}
	if err := client.Call(c.Context, method, out, params...); err != nil {
		return cli.CallError(err, "", true)
	}
	return nil
}

func runTokenCreate(c *ucli.Context) error {
	if c.NArg() < 2 {
		return cli.WithHint(cli.Usagef("want NAME GRANT..., got %d arguments", c.NArg()),
			"e.g. gg-node token create partner 'prop.*' rest")
	}
	var grants []string
	for _, a := range c.Args().Tail() {
		for _, g := range strings.Split(a, ",") {
			if g = strings.TrimSpace(g); g != "" {
				grants = append(grants, g)
			}
		}
	}
	params := []any{c.Args().First(), grants}
	if acct := c.String("account"); acct != "" {
		params = append(params, acct)
	}
	var raw json.RawMessage
	if err := tokenCall(c, "token.create", &raw, params...); err != nil {
		return err
	}
	if cli.JSONMode(c) {
		return cli.WriteJSON(c, raw)
	}
	var created rpc.TokenCreated
	if err := json.Unmarshal(raw, &created); err != nil {
		return cli.Failf("the node's token.create: %v", err)
	}
	fmt.Fprintf(c.App.ErrWriter, "%s: hint: the token is shown once: keep it; clients send it as 'Authorization: Bearer TOKEN'\n", c.App.Name)
	return cli.PrintValue(c, "token", created.Token)
}

func runTokenList(c *ucli.Context) error {
	if c.NArg() > 0 {
		return cli.Usagef("unexpected argument %q", c.Args().First())
	}
	var raw json.RawMessage
	if err := tokenCall(c, "token.list", &raw); err != nil {
		return err
	}
	return cli.PrintResult(c, raw, cli.TableOf(func(list []rpc.TokenInfo) ([]string, [][]string, error) {
		rows := [][]string{}
		for _, t := range list {
			rows = append(rows, []string{t.Name, strings.Join(t.Grants, ","), t.Account,
				time.Unix(t.Created, 0).UTC().Format(time.DateTime)})
		}
		return []string{"NAME", "GRANTS", "ACCOUNT", "CREATED (UTC)"}, rows, nil
	}))
}

func runTokenRevoke(c *ucli.Context) error {
	if c.NArg() != 1 {
		return cli.Usagef("want NAME, got %d arguments", c.NArg())
	}
	var raw json.RawMessage
	if err := tokenCall(c, "token.revoke", &raw, c.Args().First()); err != nil {
		return err
	}
	return cli.WriteJSON(c, raw)
}

// whitelistSpecs rejoins --rpcwhitelist's values: the flag parser splits
// each value at its commas, so "bob:getblock,getblockcount" arrives as
// "bob:getblock" and "getblockcount". A value without ':' (no method
// name has one) continues the spec before it.
func whitelistSpecs(vals []string) []string {
	var specs []string
	for _, v := range vals {
		if n := len(specs); n > 0 && !strings.Contains(v, ":") {
			specs[n-1] += "," + v
			continue
		}
		specs = append(specs, v)
	}
	return specs
}
