package ggwallet

import (
	"fmt"
	"os"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wallethost"
)

type serveOptions struct {
	nodeURL, nodeCookie, dir, listen string
	poll                             time.Duration
	follow                           wallethost.Follow
	kdf                              wallet.KDFParams
}

func serveCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "serve",
		Usage: "run the wallet service on its own against a remote gg-node",
		UsageText: "gg-wallet serve --node URL [--node-cookie FILE] --wallet-dir DIR [--rpc-listen 127.0.0.1:PORT]\n\n" +
			"Keeps DIR/wallet.db in step with the node by following its WebSocket events\n" +
			"(blocks connected and disconnected, fetched whole; mempool transactions accepted\n" +
			"and removed, so an outbid or a conflict frees the coins at once), dialling again\n" +
			"after a lost connection and catching up from the last block it saw. A node\n" +
			"without a WebSocket is polled over JSON-RPC instead (tip every --poll, reorgs\n" +
			"found by block hash); --follow events refuses such a node, --follow poll always\n" +
			"polls. It serves the wallet RPC methods on --rpc-listen with a cookie in DIR, writing\n" +
			"DIR/rpc.addr like gg-node. The other commands then work with --datadir DIR (or\n" +
			"--rpc-url with the cookie's user:password). Run gg-node with --no-wallet so only\n" +
			"one wallet follows the chain. Stops on SIGINT or SIGTERM.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "node", Usage: "the node's RPC `URL` (user:pass@host:port works, with a warning: prefer --node-cookie)", Required: true},
			&ucli.StringFlag{Name: "node-cookie", Usage: "authenticate to the node with its cookie `FILE` (<node datadir>/.cookie)"},
			&ucli.StringFlag{Name: "wallet-dir", Usage: "`DIR` of the wallet file, cookie and rpc.addr", Required: true},
			&ucli.StringFlag{Name: "rpc-listen", Value: "127.0.0.1:0", Usage: "wallet RPC `ADDR` (loopback only)"},
			&ucli.DurationFlag{Name: "poll", Value: 500 * time.Millisecond, Usage: "how often to poll a node without a WebSocket"},
			&ucli.StringFlag{Name: "follow", Value: "auto", Usage: "how to follow the node: `auto` (events, polling a node without them), events (no polling) or poll"},
		},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 0, "no arguments"); err != nil {
				return err
			}
			if c.Duration("poll") < 10*time.Millisecond {
				return cli.Usagef("--poll must be at least 10ms")
			}
			follow, err := wallethost.ParseFollow(c.String("follow"))
			if err != nil {
				return cli.Usagef("--follow %q: want auto, events or poll", c.String("follow"))
			}
			cli.WarnSecretURL(c, c.String("node"), "--node-cookie")
			return runServe(c, serveOptions{nodeURL: c.String("node"), nodeCookie: c.String("node-cookie"), dir: c.String("wallet-dir"),
				listen: c.String("rpc-listen"), poll: c.Duration("poll"), follow: follow})
		},
	}
}

func runServe(c *ucli.Context, o serveOptions) error {
	p, err := cli.Network(c)
	if err != nil {
		return err
	}
	log, err := cli.Logger(c, c.App.ErrWriter)
	if err != nil {
		return err
	}
	s, err := wallethost.ServeWallet(c.Context, wallethost.WalletServerConfig{Params: p, Dir: o.dir, NodeURL: o.nodeURL, NodeCookie: o.nodeCookie,
		Listen: o.listen, PollInterval: o.poll, Follow: o.follow, KDF: o.kdf, NoSync: os.Getenv(store.NoSyncEnv) == "1", Logger: log})
	if err != nil {
		return cli.Unavailable(fmt.Errorf("serve: %w", err), "check --node and --node-cookie, and that gg-node runs")
	}
	<-c.Context.Done()
	log.Info("shutting down")
	if err := s.Close(); err != nil {
		return cli.Failf("close wallet: %v", err)
	}
	return nil
}
