package ggnode

import (
	"errors"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/node"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/stratum"
)

// stratumFlags configure the Stratum server (docs/stratum.md).
func stratumFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "stratum-listen", Usage: "serve Stratum v1 to miners on `ADDR` (host:port, or a host for port <network P2P port>+5; off by default; loopback only unless --stratum-public)", EnvVars: []string{"GG_STRATUM_LISTEN"}},
		&ucli.BoolFlag{Name: "stratum-public", Usage: "allow a non-loopback --stratum-listen", EnvVars: []string{"GG_STRATUM_PUBLIC"}},
		&ucli.StringFlag{Name: "stratum-address", Usage: "coinbase payout `ADDRESS` of blocks mined through Stratum (default --mine-address)", EnvVars: []string{"GG_STRATUM_ADDRESS"}},
		&ucli.StringFlag{Name: "stratum-tag", Value: node.DefaultStratumTag, Usage: "`TEXT` at the end of the coinbase script (at most 64 bytes)", EnvVars: []string{"GG_STRATUM_TAG"}},
		&ucli.StringSliceFlag{Name: "stratum-worker", Usage: "Stratum worker `NAME:SALT$HASH` (rpcauth form; repeatable): NAME and NAME.anything log in with the password", EnvVars: []string{"GG_STRATUM_WORKER"}},
		&ucli.BoolFlag{Name: "stratum-open", Usage: "let any Stratum worker in with any password (regtest only)", EnvVars: []string{"GG_STRATUM_OPEN"}},
		&ucli.IntFlag{Name: "stratum-extranonce2-size", Value: stratum.DefaultExtranonce2Size, Usage: "extranonce2 size in `BYTES` the miners roll (4 or 8)", EnvVars: []string{"GG_STRATUM_EXTRANONCE2_SIZE"}},
		&ucli.Float64Flag{Name: "stratum-difficulty", Usage: "starting share `DIFFICULTY` of a connection (default 1; 0.001 on regtest)", EnvVars: []string{"GG_STRATUM_DIFFICULTY"}},
		&ucli.Float64Flag{Name: "stratum-min-difficulty", Usage: "lowest share `DIFFICULTY` vardiff or a miner's suggestion may set (default 1e-6, or the starting one if lower)", EnvVars: []string{"GG_STRATUM_MIN_DIFFICULTY"}},
		&ucli.Float64Flag{Name: "stratum-max-difficulty", Usage: "highest share `DIFFICULTY` vardiff or a miner's suggestion may set (default 1e15, or the starting one if higher)", EnvVars: []string{"GG_STRATUM_MAX_DIFFICULTY"}},
		&ucli.DurationFlag{Name: "stratum-share-interval", Value: stratum.DefaultShareInterval, Usage: "time between a connection's shares vardiff aims at (`DURATION`; negative: fixed difficulty)", EnvVars: []string{"GG_STRATUM_SHARE_INTERVAL"}},
		&ucli.DurationFlag{Name: "stratum-refresh", Value: stratum.DefaultRefreshInterval, Usage: "send a job with the mempool's new transactions at most every `DURATION` (a new tip sends one at once)", EnvVars: []string{"GG_STRATUM_REFRESH"}},
		&ucli.IntFlag{Name: "stratum-max-conns", Value: stratum.DefaultMaxConns, Usage: "open Stratum connections at most (`N`)", EnvVars: []string{"GG_STRATUM_MAX_CONNS"}},
		&ucli.IntFlag{Name: "stratum-max-conns-per-ip", Value: stratum.DefaultMaxConnsPerIP, Usage: "open Stratum connections from one address at most (`N`)", EnvVars: []string{"GG_STRATUM_MAX_CONNS_PER_IP"}},
	}
}

// stratumConfig reads the Stratum flags.
func stratumConfig(c *ucli.Context) (node.StratumConfig, error) {
	sc := node.StratumConfig{Listen: c.String("stratum-listen"), Public: c.Bool("stratum-public"),
		Address: c.String("stratum-address"), Tag: c.String("stratum-tag"), Open: c.Bool("stratum-open"),
		Extranonce2Size: c.Int("stratum-extranonce2-size"), Difficulty: c.Float64("stratum-difficulty"),
		MinDifficulty: c.Float64("stratum-min-difficulty"), MaxDifficulty: c.Float64("stratum-max-difficulty"),
		ShareInterval:   c.Duration("stratum-share-interval"),
		RefreshInterval: c.Duration("stratum-refresh"), MaxConns: c.Int("stratum-max-conns"),
		MaxConnsPerIP: c.Int("stratum-max-conns-per-ip")}
	for _, s := range c.StringSlice("stratum-worker") {
		u, err := rpc.ParseRPCAuth(s)
		if err != nil {
			return sc, cli.WithHint(cli.Usagef("--stratum-worker: %v", err), "give NAME:SALT$HASH, the form of --rpcauth")
		}
		sc.Workers = append(sc.Workers, u)
	}
	if sc.Difficulty < 0 || sc.MinDifficulty < 0 || sc.MaxDifficulty < 0 {
		return sc, cli.Usagef("--stratum-difficulty, --stratum-min-difficulty and --stratum-max-difficulty must be positive")
	}
	return sc, nil
}

// stratumError maps the node's Stratum configuration errors to usage
// errors with a hint, or returns nil for other errors.
func stratumError(err error) error {
	switch {
	case errors.Is(err, node.ErrStratumPublic):
		return cli.WithHint(cli.Usagef("%v", err), "add --stratum-public, or listen on 127.0.0.1")
	case errors.Is(err, node.ErrStratumOpen):
		return cli.WithHint(cli.Usagef("%v", err), "configure workers with --stratum-worker NAME:SALT$HASH")
	case errors.Is(err, node.ErrStratumNoWorkers):
		return cli.WithHint(cli.Usagef("%v", err), "add --stratum-worker NAME:SALT$HASH (or --stratum-open on regtest)")
	case errors.Is(err, node.ErrStratumAddress):
		return cli.WithHint(cli.Usagef("%v", err), "give --stratum-address (or --mine-address) with an address of this network")
	case errors.Is(err, stratum.ErrConfig):
		return cli.Usagef("%v", err)
	}
	return nil
}
