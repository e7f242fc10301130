package ggnode

import (
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
			return cli.WriteEffectiveConfig(root, c.App.Writer)
		},
	}
}
