// Package ggminer is the command line of gg-miner, the CPU miner: it
// mines against a Stratum v1 server (--url, lib/stratum's client), solo
// against a node's getblocktemplate (--gbt), or hashes without either to
// measure the machine (--benchmark). The hashing is lib/sha256d's
// midstate loop on --threads goroutines; a thread takes every threads-th
// extranonce2 (or coinbase extra nonce) and the whole nonce range of each.
//
// Output: with --json, one JSON object per line on stdout (events, a
// status every --status-every, a summary at the end); otherwise events go
// to stderr as log lines, a status line is redrawn there on a terminal,
// and the summary (or the benchmark's figures) goes to stdout. SIGINT or
// SIGTERM stops the miner cleanly, with the summary.
package ggminer

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/stratum"
)

// Main runs gg-miner with the process's arguments and exits.
func Main() { cli.Main(NewApp) }

// Flag names.
const (
	flagURL          = "url"
	flagUser         = "user"
	flagPass         = "pass"
	flagThreads      = "threads"
	flagGBT          = "gbt"
	flagCoinbaseAddr = "coinbase-addr"
	flagBenchmark    = "benchmark"
	flagDuration     = "duration"
	flagStatusEvery  = "status-every"
	flagRetryMax     = "retry-max"
)

// NewApp builds gg-miner's command line.
func NewApp(stdio cli.IO) *ucli.App {
	app := cli.NewApp("gg-miner", "CPU miner: Stratum v1, getblocktemplate solo mining, benchmark", stdio)
	app.UsageText = "gg-miner --url stratum+tcp://HOST:PORT --user WORKER [--pass P] [--threads N]\n" +
		"gg-miner --gbt --coinbase-addr ADDR [--rpc-url URL] [--threads N]\n" +
		"gg-miner --benchmark [--threads N] [--duration D]"
	app.Description = "Mines with the CPU. With --url it is a Stratum v1 client: it subscribes, authorizes\n" +
		"--user, hashes the server's jobs (a new job with clean_jobs drops the old one at once)\n" +
		"and submits shares at the server's difficulty; a lost connection is dialled again after\n" +
		"1 s, 2 s, 4 s ... up to --retry-max; a refused worker ends it (exit 1). With --gbt it\n" +
		"mines solo on a node: getblocktemplate (long polling for new work), a coinbase paying\n" +
		"--coinbase-addr with the node's coinbase format and witness commitment, submitblock.\n" +
		"The node is found as every gg client finds it: --rpc-url, or the datadir's rpc.addr\n" +
		"and .cookie. --benchmark hashes a fixed header for --duration and prints H/s per\n" +
		"thread and in total (and per CPU second, which a busy machine does not distort).\n\n" +
		"On a terminal a status line on stderr shows the hash rate, accepted and rejected shares,\n" +
		"blocks and the difficulty; --json prints JSON lines on stdout instead (events, a status\n" +
		"every --status-every, a summary). Ctrl-C (SIGINT) or SIGTERM stops it with a summary.\n\n" +
		"Examples:\n" +
		"   gg-miner --url stratum+tcp://127.0.0.1:2205 --user alice.rig1 --pass x --threads 2\n" +
		"   gg-miner --network=regtest --gbt --coinbase-addr ADDR --threads 1\n" +
		"   gg-miner --benchmark --threads 2 --duration 10s\n\n" +
		"Exit status: 0 ok (stopped by a signal, or the benchmark done), 1 error (worker refused,\n" +
		"node error), 2 usage, 3 node unreachable (--gbt; a Stratum server is dialled until it answers)."
	app.HideHelpCommand = true
	app.Flags = append(app.Flags,
		&ucli.StringFlag{Name: flagURL, Usage: "Stratum server: stratum+tcp://HOST:PORT", EnvVars: []string{"GG_MINER_URL"}},
		&ucli.StringFlag{Name: flagUser, Usage: "Stratum worker name", EnvVars: []string{"GG_MINER_USER"}},
		&ucli.StringFlag{Name: flagPass, Value: "x", Usage: "Stratum worker password (GG_MINER_PASS keeps it out of ps)", EnvVars: []string{"GG_MINER_PASS"}},
		&ucli.IntFlag{Name: flagThreads, Usage: "hashing threads (0: one per CPU)", EnvVars: []string{"GG_MINER_THREADS"}},
		&ucli.BoolFlag{Name: flagGBT, Usage: "mine solo through the node's getblocktemplate and submitblock"},
		&ucli.StringFlag{Name: flagCoinbaseAddr, Usage: "with --gbt: the address the coinbase pays", EnvVars: []string{"GG_MINER_COINBASE_ADDR"}},
		&ucli.BoolFlag{Name: flagBenchmark, Usage: "hash without a server and print H/s per thread and in total"},
		&ucli.DurationFlag{Name: flagDuration, Value: 10 * time.Second, Usage: "with --benchmark: how long to hash"},
		&ucli.DurationFlag{Name: flagStatusEvery, Value: 10 * time.Second, Usage: "how often a status is logged (or printed as JSON); a terminal's status line is redrawn every second"},
		&ucli.DurationFlag{Name: flagRetryMax, Value: time.Minute, Usage: "longest wait between reconnects to the Stratum server"},
	)
	app.Action = run
	return app
}

func run(c *ucli.Context) error {
	if c.NArg() > 0 {
		return cli.Usagef("gg-miner takes no arguments, got %q", c.Args().First())
	}
	threads := c.Int(flagThreads)
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	if threads < 1 || threads > 1024 {
		return cli.Usagef("--threads %d: want 1..1024 (or 0: one per CPU)", threads)
	}
	modes := 0
	for _, set := range []bool{c.String(flagURL) != "", c.Bool(flagGBT), c.Bool(flagBenchmark)} {
		if set {
			modes++
		}
	}
	if modes != 1 {
		return cli.WithHint(cli.Usagef("give one of --url, --gbt and --benchmark"),
			"gg-miner --url stratum+tcp://HOST:PORT --user WORKER, or gg-miner --benchmark")
	}
	log, err := cli.Logger(c, c.App.ErrWriter)
	if err != nil {
		return err
	}
	switch {
	case c.Bool(flagBenchmark):
		d := c.Duration(flagDuration)
		if d <= 0 {
			return cli.Usagef("--duration %s: want a positive duration", d)
		}
		return runBenchmark(c, threads, d)
	case c.Bool(flagGBT):
		return runGBT(c, threads, log)
	}
	if c.String(flagUser) == "" {
		return cli.Usagef("--url needs --user WORKER")
	}
	if _, err := stratum.ServerAddr(c.String(flagURL)); err != nil {
		return cli.Usagef("--url: %s", strings.TrimPrefix(err.Error(), "stratum: "))
	}
	return runStratum(c, threads, log)
}

// formatRate prints a hash rate with a unit.
func formatRate(hps float64) string {
	switch {
	case hps >= 1e9:
		return fmt.Sprintf("%.2f GH/s", hps/1e9)
	case hps >= 1e6:
		return fmt.Sprintf("%.2f MH/s", hps/1e6)
	case hps >= 1e3:
		return fmt.Sprintf("%.2f kH/s", hps/1e3)
	}
	return fmt.Sprintf("%.0f H/s", hps)
}
