// Package ggnode is the command tree of gg-node, the full node daemon, and
// of its raw RPC client (gg-node rpc).
package ggnode

import (
	"context"
	"errors"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/node"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/version"
)

// Main runs gg-node with the process's arguments and exits.
func Main() { cli.Main(NewApp) }

// NewApp builds gg-node's command tree.
func NewApp(stdio cli.IO) *ucli.App {
	app := cli.NewApp("gg-node", "GameGold full node", stdio)
	app.UsageText = "gg-node [--network=NET] [--datadir=DIR] [--rpc-listen=ADDR] [--mine-address=ADDR]\n" +
		"   gg-node [global flags] rpc METHOD [ARG|-]...\n" +
		"   gg-node [global flags] status\n" +
		"   gg-node [global flags] token create|list|revoke ...\n" +
		"   gg-node [global flags] events --topics TOPIC[,TOPIC]..."
	app.Description = "Starts the node: chain on an embedded bbolt store, mempool (persisted across\n" +
		"restarts), block templates and the JSON-RPC server (cookie auth; see docs/rpc.md).\n" +
		"Writes <datadir>/rpc.addr and <datadir>/.cookie for clients. Stops cleanly on SIGINT,\n" +
		"SIGTERM or the RPC stop method. Settings may also come from <datadir>/gg.toml.\n\n" +
		"The RPC address also serves a web explorer at /explorer/ (read-only, no login;\n" +
		"every page is JSON too with Accept: application/json; docs/rest.md), logged at\n" +
		"start; --public-listen serves it and REST to anyone, rate-limited (--public-rate).\n" +
		"Browsers reach the RPC address only by IP, localhost or --rpc-allowed-hosts names.\n\n" +
		"It is a peer of its network: it listens on --listen (the network's P2P port; on\n" +
		"regtest only 127.0.0.1), keeps 8 outbound connections from its address book\n" +
		"(<datadir>/peers.json; --seednode to fill it, --addnode to add peers, --connect for\n" +
		"these peers only), syncs headers first and blocks from several peers at once\n" +
		"(a progress bar on a terminal), relays blocks, transactions and contract offers,\n" +
		"and bans misbehaving peers (<datadir>/banlist.json). Writes <datadir>/p2p.addr.\n" +
		"--p2p=false runs it alone.\n\n" +
		"--stratum-listen serves Stratum v1 to miners (cpuminer, ASICs, gg-miner) on the node's\n" +
		"block templates, paying --stratum-address; workers log in as --stratum-worker entries\n" +
		"(or anyhow with --stratum-open on regtest). Writes <datadir>/stratum.addr. See\n" +
		"docs/stratum.md.\n\n" +
		"--reindex rebuilds the chain state from the blocks already on disk (the block index\n" +
		"and the blocks are kept) before the node starts, logging its progress (a progress\n" +
		"bar when stderr is a terminal). It commits in batches: if it is stopped or killed,\n" +
		"the next start resumes it, with or without --reindex, and the node never runs on a\n" +
		"half-built state. A stored block that fails validation stops it with an error\n" +
		"naming the block.\n\n" +
		"--blockfilterindex (on by default) keeps a BIP158 filter of every block and serves\n" +
		"them to light clients over P2P (BIP157, the NODE_COMPACT_FILTERS service bit), as\n" +
		"getblockfilter and under /rest/blockfilter/. Turned on for an existing chain, or\n" +
		"after --reindex, it is built in the background with progress in the log\n" +
		"(getindexinfo shows how far).\n\n" +
		"--txindex (off by default, as in bitcoind: it adds a B-tree write per transaction)\n" +
		"keeps the block of every confirmed transaction, so getrawtransaction and /rest/tx/\n" +
		"find mined transactions, not only mempool ones. --addressindex (off by default:\n" +
		"it costs more per block and on disk) keeps every\n" +
		"address's history, unspent outputs and balance for address.txs, address.utxos,\n" +
		"address.balance and /rest/address/. Both are built like the filter index.\n\n" +
		"--prune=MIB deletes the oldest block files (<datadir>/blocks) while they pass MIB\n" +
		"mebibytes (at least 550), keeping the last 288 blocks and their undo data. A pruned\n" +
		"node answers requests for deleted blocks with a \"pruned\" error, advertises\n" +
		"NODE_NETWORK_LIMITED to peers, and cannot --reindex. A datadir written before the\n" +
		"block files is converted on the first start, logging its progress.\n\n" +
		"--dbcache=MIB bounds the UTXO cache (default 250, at least 4): connected blocks\n" +
		"change it in memory and it is written to <datadir>/chain.db when full, every\n" +
		"1,000 blocks or 10 minutes, at a reorganisation and on shutdown. After a crash\n" +
		"the next start re-applies the blocks since the last write from <datadir>/blocks.\n\n" +
		"Examples:\n" +
		"   gg-node --network=regtest --datadir=./.regtest\n" +
		"   gg-node --network=regtest --datadir=./.regtest --reindex\n" +
		"   gg-node --network=regtest --datadir=./.regtest2 --rpc-listen=127.0.0.1:0 \\\n" +
		"      --listen=127.0.0.1:0 --connect=127.0.0.1:2200      (a second node syncing from the first)\n" +
		"   gg-node --network=testnet --proxy=127.0.0.1:9050        (outbound peers through Tor)\n" +
		"   gg-node --network=regtest --stratum-listen=127.0.0.1 --stratum-open --mine-address=rg1q...\n" +
		"   gg-node --network=regtest --datadir=./.regtest rpc generatetoaddress 101 rg1q...\n" +
		"   gg-tx --network=regtest create ... | gg-node --network=regtest rpc sendrawtransaction -"
	app.Flags = append(app.Flags,
		&ucli.StringFlag{Name: "rpc-listen", Usage: "RPC listen `ADDR` (default 127.0.0.1:<network RPC port>)", EnvVars: []string{"GG_RPC_LISTEN"}},
		&ucli.StringSliceFlag{Name: "rpcauth", Usage: "RPC user `NAME:SALT$HASH` (bitcoind rpcauth form; repeatable)", EnvVars: []string{"GG_RPCAUTH"}},
		&ucli.StringSliceFlag{Name: "rpcwhitelist", Usage: "limit an rpcauth user to methods: `USER:METHOD[,METHOD]...` (names, patterns such as prop.*, rest, events, metrics; repeatable: a user named twice keeps what both allow)", EnvVars: []string{"GG_RPCWHITELIST"}},
		&ucli.Int64Flag{Name: "rpc-max-request", Value: 32 << 20, Usage: "largest RPC request body in `BYTES`", EnvVars: []string{"GG_RPC_MAX_REQUEST"}},
		&ucli.Int64Flag{Name: "rpc-max-inflight", Value: rpc.DefaultMaxInFlight, Usage: "RPC request-body `BYTES` held at once by all requests (503 beyond; at least --rpc-max-request)", EnvVars: []string{"GG_RPC_MAX_INFLIGHT"}},
		&ucli.IntFlag{Name: "rpc-max-conns", Value: rpc.DefaultMaxConns, Usage: "open RPC connections at most (`N`; 503 beyond)", EnvVars: []string{"GG_RPC_MAX_CONNS"}},
		&ucli.IntFlag{Name: "rpc-max-conns-per-ip", Value: rpc.DefaultMaxConnsPerIP, Usage: "open RPC connections from one address at most (`N`)", EnvVars: []string{"GG_RPC_MAX_CONNS_PER_IP"}},
		&ucli.DurationFlag{Name: "rpc-read-header-timeout", Value: rpc.DefaultReadHeaderTimeout, Usage: "time to read an RPC request's headers (`DURATION`)", EnvVars: []string{"GG_RPC_READ_HEADER_TIMEOUT"}},
		&ucli.DurationFlag{Name: "rpc-read-timeout", Value: rpc.DefaultReadTimeout, Usage: "time to read a whole RPC request, body included (`DURATION`)", EnvVars: []string{"GG_RPC_READ_TIMEOUT"}},
		&ucli.DurationFlag{Name: "rpc-write-timeout", Value: rpc.DefaultWriteTimeout, Usage: "time to write an RPC reply once the call is done (`DURATION`)", EnvVars: []string{"GG_RPC_WRITE_TIMEOUT"}},
		&ucli.DurationFlag{Name: "rpc-idle-timeout", Value: rpc.DefaultIdleTimeout, Usage: "time an idle keep-alive RPC connection stays open (`DURATION`)", EnvVars: []string{"GG_RPC_IDLE_TIMEOUT"}},
		&ucli.IntFlag{Name: "rpc-auth-failures", Value: rpc.DefaultAuthFailures, Usage: "failed RPC logins from one address before it must wait (`N`; -1: no limit)", EnvVars: []string{"GG_RPC_AUTH_FAILURES"}},
		&ucli.DurationFlag{Name: "rpc-auth-backoff", Value: rpc.DefaultAuthBackoff, Usage: "first wait after --rpc-auth-failures, doubled at each further failure up to 5 min or this (`DURATION`)", EnvVars: []string{"GG_RPC_AUTH_BACKOFF"}},
		&ucli.StringFlag{Name: "public-listen", Usage: "also serve REST, WebSocket events, the explorer and the H5 wallet without a login on `ADDR` (read-only unless --public-broadcast; off by default; e.g. 127.0.0.1:<RPC port+1>)", EnvVars: []string{"GG_PUBLIC_LISTEN"}},
		&ucli.StringSliceFlag{Name: "rpc-allowed-hosts", Usage: "host `NAME`s the RPC listener answers to besides IP addresses, localhost and *.localhost (repeatable; .example allows the names under it); another Host header is refused (DNS rebinding)", EnvVars: []string{"GG_RPC_ALLOWED_HOSTS"}},
		&ucli.BoolFlag{Name: "public-broadcast", Usage: "let --public-listen take signed transactions by POST /rest/tx (the H5 wallet's broadcast; off: 403)", EnvVars: []string{"GG_PUBLIC_BROADCAST"}},
		&ucli.StringFlag{Name: "http-tls-cert", Usage: "serve --public-listen over TLS with the certificate `FILE` (PEM; with --http-tls-key)", EnvVars: []string{"GG_HTTP_TLS_CERT"}},
		&ucli.StringFlag{Name: "http-tls-key", Usage: "the private key `FILE` of --http-tls-cert (PEM)", EnvVars: []string{"GG_HTTP_TLS_KEY"}},
		&ucli.BoolFlag{Name: "http-tls-selfsigned", Usage: "serve --public-listen over TLS with a self-signed pair generated into the datadir on the first start (its SHA-256 fingerprint is logged)", EnvVars: []string{"GG_HTTP_TLS_SELFSIGNED"}},
		&ucli.Float64Flag{Name: "public-rate", Value: rpc.DefaultPublicRate, Usage: "requests a second one address may make to --public-listen (`N`, bursts of twice as many; 429 beyond; -1: no limit)", EnvVars: []string{"GG_PUBLIC_RATE"}},
		&ucli.BoolFlag{Name: "metrics-public", Usage: "serve /metrics (Prometheus) without a login; only with a loopback --rpc-listen", EnvVars: []string{"GG_METRICS_PUBLIC"}},
		&ucli.StringFlag{Name: "mine-address", Usage: "default payout `ADDRESS` of miner.generate (regtest)", EnvVars: []string{"GG_MINE_ADDRESS"}},
		&ucli.BoolFlag{Name: "no-wallet", Usage: "do not host the wallet (<datadir>/wallet.db; see gg-wallet)", EnvVars: []string{"GG_NO_WALLET"}},
		&ucli.Int64Flag{Name: "maxmempool", Value: mempool.DefaultMaxPoolBytes / 1_000_000, Usage: "cap the mempool's memory at `MB` megabytes (estimated; sale listings get a further tenth of it)", EnvVars: []string{"GG_MAXMEMPOOL"}},
		&ucli.DurationFlag{Name: "mempool-save-every", Value: node.DefaultMempoolSaveInterval, Usage: "write <datadir>/mempool.dat every `DURATION` while it changes (0: only on shutdown and mempool.save)", EnvVars: []string{"GG_MEMPOOL_SAVE_EVERY"}},
		&ucli.BoolFlag{Name: "p2p", Value: true, Usage: "take part in the peer-to-peer network (false: a node on its own, RPC only)", EnvVars: []string{"GG_P2P"}},
		&ucli.StringSliceFlag{Name: "listen", Usage: "accept peers on `ADDR` (host:port; repeatable; default 0.0.0.0:<network P2P port>, 127.0.0.1:<port> on regtest; \"\" for none)", EnvVars: []string{"GG_LISTEN"}},
		&ucli.StringSliceFlag{Name: "connect", Usage: "connect only to `ADDR` (host:port; repeatable): no other outbound peers", EnvVars: []string{"GG_CONNECT"}},
		&ucli.StringSliceFlag{Name: "addnode", Usage: "keep a connection to `ADDR` (host:port; repeatable) besides the automatic ones", EnvVars: []string{"GG_ADDNODE"}},
		&ucli.StringSliceFlag{Name: "seednode", Usage: "learn peers from `ADDR` (host:port; repeatable)", EnvVars: []string{"GG_SEEDNODE"}},
		&ucli.IntFlag{Name: "max-peers", Value: 125, Usage: "connections at most (`N`), 8 of them automatic outbound", EnvVars: []string{"GG_MAX_PEERS"}},
		&ucli.StringFlag{Name: "proxy", Usage: "SOCKS5 proxy `ADDR` (host:port) for outbound peer connections", EnvVars: []string{"GG_PROXY"}},
		&ucli.BoolFlag{Name: "anchors", Value: true, Usage: "at shutdown save two outbound peers to <datadir>/anchors.json and dial them first at the next start (an eclipse countermeasure); false: neither", EnvVars: []string{"GG_ANCHORS"}},
		&ucli.BoolFlag{Name: "blockfilterindex", Value: true, Usage: "keep BIP158 block filters and serve them to light clients (BIP157, getblockfilter, REST); false: neither", EnvVars: []string{"GG_BLOCKFILTERINDEX"}},
		&ucli.BoolFlag{Name: "txindex", Usage: "keep the block of every confirmed transaction (getrawtransaction, /rest/tx find mined ones; off by default: a B-tree write per transaction)", EnvVars: []string{"GG_TXINDEX"}},
		&ucli.BoolFlag{Name: "addressindex", Usage: "keep every address's history, unspent outputs and balance (address.*, /rest/address/; off by default: more work per block and more disk)", EnvVars: []string{"GG_ADDRESSINDEX"}},
		&ucli.Int64Flag{Name: "prune", Usage: "keep the block and undo files in <datadir>/blocks to about `MIB` mebibytes, deleting the oldest (0: keep every block; at least 550; the last 288 blocks always stay; a pruned node cannot --reindex)", EnvVars: []string{"GG_PRUNE"}},
		&ucli.Int64Flag{Name: "dbcache", Value: chain.DefaultUtxoCacheBytes >> 20, Usage: "keep up to `MIB` mebibytes of UTXO changes in memory before writing them to chain.db (at least 4; more means faster block connection and a longer replay after a crash)", EnvVars: []string{"GG_DBCACHE"}},
		&ucli.BoolFlag{Name: "spv", Usage: "run a light node: headers and BIP157/158 filters from --connect/--addnode peers, the hosted wallet on them; no blocks, UTXO set or mempool (docs/rpc.md, spv mode)", EnvVars: []string{"GG_SPV"}},
		&ucli.StringFlag{Name: "spv-rpc", Usage: "with --spv, ask the full node at `URL` (http://user:pass@host:port, or host:port with --spv-rpc-datadir's cookie) what a light node cannot know; without it such calls fail (code -40)", EnvVars: []string{"GG_SPV_RPC"}},
		&ucli.StringFlag{Name: "spv-rpc-datadir", Usage: "the --spv-rpc full node's `DIR` (its .cookie is the login when the URL has none)", EnvVars: []string{"GG_SPV_RPC_DATADIR"}},
		&ucli.BoolFlag{Name: "reindex", Usage: "rebuild the UTXO set, undo data and game registries from the stored blocks, validating them again, then run (a one-off: keep it out of gg.toml)", EnvVars: []string{"GG_REINDEX"}},
	)
	app.Flags = append(app.Flags, stratumFlags()...)
	app.Action = runNode
	app.Commands = []*ucli.Command{rpcCommand(), statusCommand(), configCommand(), eventsCommand(), tokenCommand()}
	return app
}

func runNode(c *ucli.Context) error {
	if c.NArg() > 0 {
		return cli.Usagef("unexpected argument %q (did you mean 'gg-node rpc %s'?)", c.Args().First(), c.Args().First())
	}
	cli.SkipClientConfig(c) // the datadir's gg.toml is the node's own
	params, dir, err := cli.NetworkDir(c)
	if err != nil {
		return err
	}
	if _, err := cli.ApplyConfig(c, cli.ConfigPath(dir)); err != nil {
		return err
	}
	if params, err = cli.Network(c); err != nil { // the config may name the network
		return err
	}
	log, err := cli.Logger(c, c.App.ErrWriter)
	if err != nil {
		return err
	}
	var users []rpc.User
	for _, s := range c.StringSlice("rpcauth") {
		u, err := rpc.ParseRPCAuth(s)
		if err != nil {
			return cli.Usagef("%v", err)
		}
		users = append(users, u)
	}
	if err := rpc.ApplyWhitelists(users, whitelistSpecs(c.StringSlice("rpcwhitelist"))); err != nil {
		return cli.WithHint(cli.Usagef("%v", err), "give --rpcauth for the user, then --rpcwhitelist USER:METHOD[,METHOD]...")
	}
	maxPool := c.Int64("maxmempool")
	if maxPool < 5 {
		return cli.Usagef("--maxmempool %d: want at least 5 (MB)", maxPool)
	}
	prune := c.Int64("prune")
	if prune < 0 || (prune > 0 && prune < chain.MinPruneTarget>>20) {
		return cli.WithHint(cli.Usagef("--prune %d: want 0 (off) or at least %d (MiB)", prune, chain.MinPruneTarget>>20),
			"the node keeps the last 288 blocks with their undo data whatever the target")
	}
	dbcache := c.Int64("dbcache")
	if dbcache < chain.MinUtxoCacheBytes>>20 || dbcache > 1<<20 {
		return cli.Usagef("--dbcache %d: want %d to %d (MiB)", dbcache, chain.MinUtxoCacheBytes>>20, 1<<20)
	}
	saveEvery := c.Duration("mempool-save-every")
	if saveEvery <= 0 {
		saveEvery = -1
	}
	p2pCfg := node.P2PConfig{Disabled: !c.Bool("p2p"), Connect: c.StringSlice("connect"), AddNodes: c.StringSlice("addnode"),
		SeedNodes: c.StringSlice("seednode"), MaxPeers: c.Int("max-peers"), Proxy: c.String("proxy"), NoAnchors: !c.Bool("anchors"),
		Progress: syncBar(c.App.ErrWriter)}
	p2pCfg.Listen = []string{node.DefaultListen(params)}
	if c.IsSet("listen") {
		p2pCfg.Listen = nil
		for _, l := range c.StringSlice("listen") {
			if l != "" {
				p2pCfg.Listen = append(p2pCfg.Listen, l)
			}
		}
	}
	if p2pCfg.MaxPeers < 9 {
		return cli.Usagef("--max-peers %d: want at least 9 (8 outbound and one inbound)", p2pCfg.MaxPeers)
	}
	stratumCfg, err := stratumConfig(c)
	if err != nil {
		return err
	}
	if c.Bool("spv") {
		return runSPV(c, node.Config{Params: params, DataDir: dir, Logger: log, P2P: p2pCfg,
			NoSync: os.Getenv("GG_DB_NOSYNC") == "1", RPCListen: c.String("rpc-listen"), RPCUsers: users, RPCMaxRequest: c.Int64("rpc-max-request"),
			RPCLimits: rpcLimits(c), Version: version.String(), NoWallet: c.Bool("no-wallet"),
			SPV: node.SPVConfig{FullRPC: c.String("spv-rpc"), FullCookie: c.String("spv-rpc-datadir")}})
	}
	n, err := node.New(node.Config{Params: params, DataDir: dir, Logger: log, P2P: p2pCfg, Stratum: stratumCfg,
		MaxMempool: maxPool * 1_000_000, MempoolSaveInterval: saveEvery, Prune: prune << 20, DBCache: dbcache << 20,
		NoSync: os.Getenv("GG_DB_NOSYNC") == "1", RPCListen: c.String("rpc-listen"), PublicListen: c.String("public-listen"), PublicBroadcast: c.Bool("public-broadcast"),
		HTTPTLSCert: c.String("http-tls-cert"), HTTPTLSKey: c.String("http-tls-key"), HTTPTLSSelfSigned: c.Bool("http-tls-selfsigned"), RPCUsers: users, RPCMaxRequest: c.Int64("rpc-max-request"),
		RPCLimits: rpcLimits(c), MinerAddress: c.String("mine-address"), Version: version.String(), NoWallet: c.Bool("no-wallet"),
		Reindex: c.Bool("reindex"), ReindexProgress: reindexBar(c.App.ErrWriter), Context: c.Context,
		BlockFilterIndex: c.Bool("blockfilterindex"), TxIndex: c.Bool("txindex"), AddressIndex: c.Bool("addressindex"),
		Metrics: node.MetricsConfig{Public: c.Bool("metrics-public")}})
	if err != nil {
		if serr := stratumError(err); serr != nil {
			return serr
		}
		switch {
		case errors.Is(err, context.Canceled):
			return cli.WithHint(err, "the reindex resumes where it stopped on the next start")
		case errors.Is(err, chain.ErrReindexPruned):
			return cli.WithHint(err, "start without --reindex; to rebuild, remove "+dir+"/chain.db and "+dir+"/blocks and sync the chain again from peers")
		case errors.Is(err, node.ErrDataDirInUse):
			return cli.Unavailable(err, "is another gg-node running on this datadir?")
		case errors.Is(err, node.ErrPublicWithoutAuth):
			return cli.WithHint(cli.Usagef("%v", err), "add --rpcauth NAME:SALT$HASH, or listen on 127.0.0.1")
		case errors.Is(err, node.ErrMetricsPublic):
			return cli.WithHint(cli.Usagef("%v", err), "drop --metrics-public and scrape with an --rpcauth login, or listen on 127.0.0.1")
		}
		return err
	}
	log.Info("gg-node running", "network", params.Name, "datadir", dir)
	select {
	case <-c.Context.Done():
	case <-n.StopRequested():
	}
	log.Info("shutting down")
	return n.Close()
}

// rpcLimits reads the RPC server's limits from the flags.
func rpcLimits(c *ucli.Context) rpc.Limits {
	return rpc.Limits{MaxInFlight: c.Int64("rpc-max-inflight"), MaxConns: c.Int("rpc-max-conns"),
		MaxConnsPerIP: c.Int("rpc-max-conns-per-ip"), ReadHeaderTimeout: c.Duration("rpc-read-header-timeout"),
		ReadTimeout: c.Duration("rpc-read-timeout"), WriteTimeout: c.Duration("rpc-write-timeout"),
		IdleTimeout: c.Duration("rpc-idle-timeout"), AuthFailures: c.Int("rpc-auth-failures"),
		AuthBackoff: c.Duration("rpc-auth-backoff"), AllowedHosts: c.StringSlice("rpc-allowed-hosts"),
		PublicRate: c.Float64("public-rate"), PublicBurst: publicBurst(c.Float64("public-rate"))}
}

// publicBurst is the public listener's burst for a rate: twice the rate,
// at least 1.
func publicBurst(rate float64) int { return max(1, int(2*rate)) }

// runSPV runs gg-node --spv until interrupted or stopped.
func runSPV(c *ucli.Context, cfg node.Config) error {
	n, err := node.NewSPV(cfg)
	if err != nil {
		switch {
		case errors.Is(err, node.ErrDataDirInUse):
			return cli.Unavailable(err, "is another gg-node running on this datadir?")
		case errors.Is(err, node.ErrPublicWithoutAuth):
			return cli.WithHint(cli.Usagef("%v", err), "add --rpcauth NAME:SALT$HASH, or listen on 127.0.0.1")
		}
		return err
	}
	cfg.Logger.Info("gg-node running (spv)", "network", cfg.Params.Name, "datadir", cfg.DataDir)
	select {
	case <-c.Context.Done():
	case <-n.StopRequested():
	}
	cfg.Logger.Info("shutting down")
	return n.Close()
}
