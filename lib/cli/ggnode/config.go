package ggnode

import (
	"bytes"

	"github.com/BurntSushi/toml"
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
)

func configCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "config",
		Usage:     "print the effective configuration as TOML",
		UsageText: "gg-node [global flags] config",
		Description: "Shows every setting after applying, in order of precedence, the command line,\n" +
			"GG_* environment variables, <datadir>/gg.toml and the defaults. The output is a\n" +
			"valid gg.toml.",
		Action: func(c *ucli.Context) error {
			cli.SkipClientConfig(c) // the node's configuration, not a client's
			_, dir, err := cli.NetworkDir(c)
			if err != nil {
				return err
			}
			root := c.Lineage()[1]
			if _, err := cli.ApplyConfig(root, cli.ConfigPath(dir)); err != nil {
				return err
			}
			if !cli.JSONMode(c) {
				return cli.WriteEffectiveConfig(root, c.App.Writer)
			}
			var b bytes.Buffer // the same settings as a JSON object
			if err := cli.WriteEffectiveConfig(root, &b); err != nil {
				return err
			}
			var m map[string]any
			if _, err := toml.Decode(b.String(), &m); err != nil {
				return err
			}
			return cli.WriteJSON(c, m)
		},
	}
}
