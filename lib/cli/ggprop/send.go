package ggprop

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/game"
)

func sendCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "send",
		Usage:     "send props the wallet owns to new owners (needs unlock)",
		UsageText: "gg-prop send [--account NAME] [--dry-run] (PROP ADDRESS | --from-file FILE)",
		Description: "One prop, or up to 1000 in one transaction from FILE ('-': stdin), one\n" +
			"'PROP,ADDRESS' per line. Each carrier keeps the prop's gold; the account\n" +
			"pays the fee.",
		Flags: actionFlags(&ucli.StringFlag{Name: "from-file", Usage: "send the 'PROP,ADDRESS' lines of `FILE` ('-': stdin)"}),
		Action: func(c *ucli.Context) error {
			if f := c.String("from-file"); f != "" {
				if c.NArg() > 0 {
					return cli.Usagef("--from-file takes no arguments")
				}
				moves, err := readMoves(c, f)
				if err != nil {
					return err
				}
				return runAction(c, "prop.sendlist", moves)
			}
			if err := cli.WantArgs(c, 2, "PROP ADDRESS"); err != nil {
				return err
			}
			if err := cli.CheckID(c.Args().Get(0), "prop"); err != nil {
				return err
			}
			return runAction(c, "prop.send", c.Args().Get(1), c.Args().Get(0))
		},
	}
}

func readMoves(c *ucli.Context, name string) ([]map[string]string, error) {
	var b []byte
	if name == "-" {
		s, err := cli.ReadStdin(c, "prop moves")
		if err != nil {
			return nil, err
		}
		b = []byte(s)
	} else {
		var err error
		if b, err = os.ReadFile(name); err != nil {
			return nil, cli.FileError(c, err, "file", name)
		}
	}
	var moves []map[string]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		prop, addr, ok := strings.Cut(line, ",")
		prop, addr = strings.TrimSpace(prop), strings.TrimSpace(addr)
		if !ok || addr == "" {
			return nil, cli.Usagef("%s: line %d: want PROP,ADDRESS", name, n)
		}
		if err := cli.CheckID(prop, fmt.Sprintf("prop on line %d", n)); err != nil {
			return nil, err
		}
		moves = append(moves, map[string]string{"prop": prop, "address": addr})
	}
	if len(moves) == 0 || len(moves) > game.MaxBatch {
		return nil, cli.Usagef("%s: %d moves: want 1 to %d", name, len(moves), game.MaxBatch)
	}
	return moves, nil
}
