package ggprop

import (
	"encoding/json"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/game"
)

func producerCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "producer",
		Usage: "register, change, transfer, show and list producers (game companies)",
		Subcommands: []*ucli.Command{producerRegisterCommand(), producerChangeCommand(), producerTransferCommand(),
			producerShowCommand(), producerListCommand()},
	}
}

func infoFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "url", Usage: "http(s) `URL` of the producer (optional)"},
		&ucli.StringFlag{Name: "ip", Usage: "IPv4 or IPv6 `ADDRESS` of the producer (optional)"},
		&ucli.StringFlag{Name: "class", Usage: "game `CLASS`, 2-20 of [A-Za-z0-9_-] (optional)"},
		&ucli.StringFlag{Name: "share", Usage: "media share in `PERCENT`, 0-49"},
	}
}

func producerRegisterCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "register",
		Usage:     "register a producer NAME; 1 GG stays locked in its output (needs unlock)",
		UsageText: "gg-prop producer register [--url URL] [--ip IP] [--class CLASS] [--share N] [--account NAME] [--dry-run] NAME",
		Description: "NAME is 4-40 of [A-Za-z0-9._-], not starting or ending with . _ or -, unique\n" +
			"case-insensitively. The producer shows in 'producer show' once mined.",
		Flags: actionFlags(infoFlags()...),
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "NAME"); err != nil {
				return err
			}
			info := game.ProducerInfo{Name: c.Args().First(), URL: c.String("url"), IP: c.String("ip"), Class: c.String("class")}
			if c.IsSet("share") {
				s, err := parseShare(c.String("share"))
				if err != nil {
					return err
				}
				info.Share = s
			}
			if err := checkInfo(&info); err != nil {
				return err
			}
			return runAction(c, "cp.create", info.Name, info.URL, info.IP, info.Class, info.Share)
		},
	}
}

// changeParams reads the set flags of a change: unset ones keep the
// producer's values (null params).
func changeParams(c *ucli.Context) ([]any, error) {
	params := []any{nil, nil, nil, nil, nil}
	for i, f := range []string{"name", "url", "ip", "class"} {
		if !c.IsSet(f) {
			continue
		}
		v := c.String(f)
		checks := []func(string) error{game.CheckName, game.CheckURL, game.CheckIP, game.CheckClass}
		if err := checks[i](v); err != nil {
			return nil, cli.Usagef("%s", ruleMsg(err))
		}
		params[i] = v
	}
	if c.IsSet("share") {
		s, err := parseShare(c.String("share"))
		if err != nil {
			return nil, err
		}
		params[4] = s
	}
	return params, nil
}

func producerChangeCommand() *ucli.Command {
	flags := append([]ucli.Flag{&ucli.StringFlag{Name: "name", Usage: "new `NAME` (frees the old one once mined)"}}, infoFlags()...)
	return &ucli.Command{
		Name:      "change",
		Usage:     "change a producer's details; flags not given keep their value (needs unlock)",
		UsageText: "gg-prop producer change [--name NAME] [--url URL] [--ip IP] [--class CLASS] [--share N] [--account NAME] [--dry-run] PRODUCER",
		Flags:     actionFlags(flags...),
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "PRODUCER"); err != nil {
				return err
			}
			if err := checkProducerRef(c.Args().First()); err != nil {
				return err
			}
			params, err := changeParams(c)
			if err != nil {
				return err
			}
			return runAction(c, "cp.change", append(append([]any{c.Args().First()}, params...), "")...)
		},
	}
}

func producerTransferCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "transfer",
		Usage:     "transfer a producer to a new owner ADDRESS (needs unlock)",
		UsageText: "gg-prop producer transfer [--account NAME] [--dry-run] PRODUCER ADDRESS",
		Description: "The new owner can change the producer and create props for it; the old one\n" +
			"no longer can.",
		Flags: actionFlags(),
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 2, "PRODUCER ADDRESS"); err != nil {
				return err
			}
			if err := checkProducerRef(c.Args().First()); err != nil {
				return err
			}
			return runAction(c, "cp.change", c.Args().Get(0), nil, nil, nil, nil, nil, c.Args().Get(1))
		},
	}
}

func producerShowCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show a registered producer by id or name",
		UsageText: "gg-prop [--json] producer show PRODUCER",
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 1, "PRODUCER"); err != nil {
				return err
			}
			ref := c.Args().First()
			if err := checkProducerRef(ref); err != nil {
				return err
			}
			method := "cp.byName"
			if _, err := game.ParseID(ref); err == nil {
				method = "cp.byId"
			}
			var raw json.RawMessage
			if err := call(c, method, &raw, ref); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, cli.TableOf(func(p producerJSON) ([]string, [][]string, error) {
				return producerTable([]producerJSON{p})
			}))
		},
	}
}

// producerList is cp.list's result.
type producerList struct {
	Producers []producerJSON `json:"producers"`
}

type producerJSON struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	URL       string     `json:"url"`
	IP        string     `json:"ip"`
	Class     string     `json:"class"`
	Share     uint8      `json:"share"`
	Owner     string     `json:"owner"`
	Value     cli.Amount `json:"value"`
	Height    int32      `json:"height"`
	Confirmed bool       `json:"confirmed"`
}

func producerTable(ps []producerJSON) ([]string, [][]string, error) {
	rows := [][]string{}
	for _, p := range ps {
		h := fmt.Sprint(p.Height)
		if !p.Confirmed {
			h = "pending"
		}
		rows = append(rows, []string{p.Name, p.Class, fmt.Sprint(p.Share), p.URL, p.IP, p.Owner, h, p.ID})
	}
	return []string{"NAME", "CLASS", "SHARE", "URL", "IP", "OWNER", "HEIGHT", "ID"}, rows, nil
}

func producerListCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "list registered producers (or the wallet's with --mine)",
		UsageText: "gg-prop [--json] producer list [--mine] [--account NAME] [--prefix P] [--class C] [--owner ADDRESS] [--skip N] [--count N]",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "mine", Usage: "the wallet's producers, pending registrations included"},
			&ucli.StringFlag{Name: "account", Value: "*", Usage: "with --mine: wallet `ACCOUNT` (\"*\": every account)"},
			&ucli.StringFlag{Name: "prefix", Usage: "names starting with `PREFIX` (case-insensitive)"},
			&ucli.StringFlag{Name: "class", Usage: "producers of game `CLASS`"},
			&ucli.StringFlag{Name: "owner", Usage: "producers owned by `ADDRESS`"},
			&ucli.IntFlag{Name: "skip", Usage: "skip the first `N`"},
			&ucli.IntFlag{Name: "count", Value: 100, Usage: "show at most `N` (up to 1000)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return cli.Usagef("unexpected argument %q", c.Args().First())
			}
			var raw json.RawMessage
			if c.Bool("mine") {
				if err := call(c, "cp.mine", &raw, c.String("account")); err != nil {
					return err
				}
				return cli.PrintResult(c, raw, cli.TableOf(producerTable))
			}
			if c.Int("skip") < 0 || c.Int("count") < 0 || c.Int("count") > 1000 {
				return cli.Usagef("--skip must not be negative and --count must be 0 to 1000")
			}
			if err := call(c, "cp.list", &raw, c.String("prefix"), c.String("class"), c.String("owner"), c.Int("skip"), c.Int("count")); err != nil {
				return err
			}
			return cli.PrintResult(c, raw, cli.TableOf(func(r producerList) ([]string, [][]string, error) {
				return producerTable(r.Producers)
			}))
		},
	}
}
