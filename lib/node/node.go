package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/stratum"
	"github.com/gamegold/gg/lib/wallet"
)

// File names inside the datadir.
const (
	ChainDBFile = "chain.db"
	MempoolFile = "mempool.dat"
)

// ErrDataDirInUse means another process holds the datadir's database.
var ErrDataDirInUse = errors.New("datadir in use by another process")

// Config selects the network and datadir of a node.
type Config struct {
	Params  *chaincfg.Params
	DataDir string
	Logger  *slog.Logger
	// NoSync disables fsync on database commits (tests only).
	NoSync bool
	// SigCacheEntries bounds the signature cache (default 100,000).
	SigCacheEntries int
	// RPCListen is the RPC address (default 127.0.0.1:<network RPC port>;
	// use 127.0.0.1:0 for an ephemeral port).
	RPCListen string
	// PublicListen, when set, is the address of the public read-only
	// HTTP listener: REST and WebSocket events without a login, nothing
	// else (off by default; the network's port is RPC port + 1).
	PublicListen string
	// PublicBroadcast lets the public listener take transactions by
	// POST /rest/tx (the H5 wallet's broadcast); off, it answers 403
	// there. The RPC listener always takes them.
	PublicBroadcast bool
	// HTTPTLSCert and HTTPTLSKey (PEM files) serve the public listener
	// over TLS; HTTPTLSSelfSigned does with a self-signed pair generated
	// into the datadir on the first start (tls.go). Browsers give the H5
	// wallet WebCrypto only on https:// pages and localhost.
	HTTPTLSCert, HTTPTLSKey string
	HTTPTLSSelfSigned       bool
	// RPCMaxRequest bounds a request body in bytes (default 32 MiB); when
	// set it overrides RPCLimits.MaxBodyBytes.
	RPCMaxRequest int64
	// RPCLimits are the RPC server's timeouts, connection caps, in-flight
	// byte budget and login backoff (zero fields: rpc's defaults).
	RPCLimits rpc.Limits
	// RPCUsers are rpcauth users besides the cookie.
	RPCUsers []rpc.User
	// MinerAddress is the default payout of miner.generate.
	MinerAddress string
	// Version is reported by sys.info.
	Version string
	// NoWallet disables the hosted wallet (its RPC methods answer -18).
	NoWallet bool
	// WalletKDF are the argon2id parameters of a new wallet (zero: the
	// wallet's default; tests use small ones).
	WalletKDF wallet.KDFParams
	// Prune, when above zero, bounds the block and undo files in
	// <datadir>/blocks to about this many bytes (chain.Config.PruneTarget;
	// gg-node --prune in MiB, at least chain.MinPruneTarget). A pruned
	// node advertises NODE_NETWORK_LIMITED instead of NODE_NETWORK and
	// cannot reindex.
	Prune int64
	// DBCache bounds the write-back UTXO cache in bytes
	// (chain.Config.UtxoCacheBytes; 0: chain.DefaultUtxoCacheBytes;
	// gg-node --dbcache in MiB, at least chain.MinUtxoCacheBytes).
	DBCache int64
	// BlockFileSize caps each block or undo file (0: 128 MiB; tests).
	BlockFileSize int64
	// Reindex rebuilds the UTXO set, undo data and game registries from
	// the stored blocks before the chain loads (chain.Reindex). An
	// interrupted reindex is resumed whether or not it is set.
	Reindex bool
	// ReindexProgress, if not nil, is called after each reindex batch
	// with the height reached and the tip height (a progress bar) instead
	// of the periodic progress log lines.
	ReindexProgress func(height, tip int32)
	// Context, if not nil, stops a reindex early (it resumes on the next
	// start).
	Context context.Context
	// MaxMempool caps the mempool's estimated memory in bytes (default
	// mempool.DefaultMaxPoolBytes, 300 MB; gg-node --maxmempool in MB).
	MaxMempool int64
	// P2P configures the peer-to-peer side.
	P2P P2PConfig
	// MempoolSaveInterval is how often the mempool is written to
	// mempool.dat when it changed (default DefaultMempoolSaveInterval;
	// negative: only on shutdown and mempool.save), so a kill loses at
	// most that much of it.
	MempoolSaveInterval time.Duration
	// Metrics configures /metrics on the RPC listener (metrics.go).
	Metrics MetricsConfig
	// Stratum configures the Stratum server for miners (stratum.go).
	Stratum StratumConfig
	// SPV configures gg-node --spv (NewSPV, spv.go).
	SPV SPVConfig
	// BlockFilterIndex keeps BIP158 filters of every block (lib/index)
	// and serves them: BIP157 to peers, getblockfilter, REST
	// (filters.go).
	BlockFilterIndex bool
	// TxIndex finds confirmed transactions by txid (getrawtransaction,
	// /rest/tx); AddressIndex keeps every address's history, unspent
	// outputs and totals (address.*, /rest/address/). indexes.go.
	TxIndex, AddressIndex bool
}

// DefaultMempoolSaveInterval is Config.MempoolSaveInterval's default.
const DefaultMempoolSaveInterval = time.Minute

// Node owns the running subsystems.
type Node struct {
	cfg      Config
	log      *slog.Logger
	logs     *logRing // the recent log (node.log)
	db       *store.DB
	Chain    *chain.Chain
	Mempool  *mempool.Pool
	SigCache *script.SigCache
	Template *mining.Generator
	Miner    *mining.CPUMiner
	// Wallet hosts <datadir>/wallet.db (nil with Config.NoWallet).
	Wallet *WalletHost
	// Book is the contract book (<datadir>/contracts.dat).
	Book *mempool.Book

	rpc     *rpc.Server
	stopReq chan struct{}

	saverQuit chan struct{} // closed by Close: the mempool saver stops
	saverWG   sync.WaitGroup
	net       *netNode // nil without P2P
	metrics   *metrics
	feed      *eventFeed
	stratum   *stratum.Server // nil unless configured
	indexes   *indexes        // nil without optional indexes
}

// New opens (or creates) the datadir and starts the subsystems.
func New(cfg Config) (*Node, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	logs := newLogRing(LogRingRecords, LogRingBytes) // node.log (logring.go)
	cfg.Logger = slog.New(&ringHandler{inner: cfg.Logger.Handler(), ring: logs})
	if cfg.SigCacheEntries == 0 {
		cfg.SigCacheEntries = 100_000
	}
	if err := cfg.rpcLimits().Validate(); err != nil {
		return nil, err
	}
	if err := cfg.checkTLS(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create datadir: %w", err)
	}
	db, err := store.Open(filepath.Join(cfg.DataDir, ChainDBFile), store.Options{Timeout: time.Second, NoSync: cfg.NoSync})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return nil, fmt.Errorf("%s: %w", cfg.DataDir, ErrDataDirInUse)
		}
		return nil, fmt.Errorf("open chain database: %w", err)
	}
	n := &Node{cfg: cfg, log: cfg.Logger, logs: logs, db: db, SigCache: script.NewSigCache(cfg.SigCacheEntries),
		stopReq: make(chan struct{}), metrics: newMetrics()}
	ccfg := chain.Config{DB: db, Params: cfg.Params, SigCache: n.SigCache, Logger: cfg.Logger.With("sub", "chain"),
		ConnectObserver: n.metrics.blockConnected, PruneTarget: cfg.Prune, BlockFileSize: cfg.BlockFileSize,
		UtxoCacheBytes: cfg.DBCache}
	if err := n.reindex(ccfg); err != nil {
		db.Close()
		return nil, err
	}
	if n.indexes, err = n.openIndexes(db, &ccfg); err != nil {
		db.Close()
		return nil, err
	}
	n.Chain, err = chain.New(ccfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("load chain: %w", err)
	}
	n.startIndexes()
	n.Mempool = mempool.New(mempool.Config{Params: cfg.Params, Chain: n.Chain, SigCache: n.SigCache,
		Policy: mempool.Policy{MaxPoolBytes: cfg.MaxMempool}, Logger: cfg.Logger.With("sub", "mempool")})
	n.events() // subscribed first: a block's event precedes the pool's reaction to it
	n.Chain.Subscribe(n.Mempool.HandleNotification)
	n.Template = mining.NewGenerator(cfg.Params, n.Chain, n.Mempool, time.Now)
	n.Miner = mining.NewCPUMiner(n.Template, n.Chain)

	accepted, failed, err := n.Mempool.Load(filepath.Join(cfg.DataDir, MempoolFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		n.log.Warn("mempool file not restored", "err", err)
	default:
		n.log.Info("mempool restored", "accepted", accepted, "dropped", failed)
	}
	n.newBook()
	best := n.Chain.Best()
	n.log.Info("chain loaded", "network", cfg.Params.Name, "height", best.Height, "tip", best.Hash)
	if !cfg.NoWallet {
		n.Wallet, err = NewWalletHost(context.Background(), WalletHostConfig{Path: filepath.Join(cfg.DataDir, WalletDBFile),
			Params: cfg.Params, Chain: NewWalletChain(n.Chain, n.Mempool), BestHeight: func() int32 { return n.Chain.Best().Height },
			NoSync: cfg.NoSync, KDF: cfg.WalletKDF, Logger: cfg.Logger.With("sub", "wallet"), SigCache: n.SigCache})
		if err != nil {
			n.Close()
			return nil, err
		}
	}
	n.watchBook()
	if err := n.startP2P(); err != nil {
		n.Close()
		return nil, err
	}
	if err := n.startStratum(); err != nil {
		n.Close()
		return nil, err
	}
	if err := n.startRPC(); err != nil {
		n.Close()
		return nil, err
	}
	n.startMempoolSaver()
	return n, nil
}

// mempoolPath is the mempool file of the datadir.
func (n *Node) mempoolPath() string { return filepath.Join(n.cfg.DataDir, MempoolFile) }

// saveMempool writes the mempool file and returns the transactions it
// holds.
func (n *Node) saveMempool() (int, error) {
	return n.Mempool.Save(n.mempoolPath())
}

// startMempoolSaver writes the mempool file every MempoolSaveInterval
// while the pool changes, until Close.
func (n *Node) startMempoolSaver() {
	every := n.cfg.MempoolSaveInterval
	if every == 0 {
		every = DefaultMempoolSaveInterval
	}
	n.saverQuit = make(chan struct{})
	if every < 0 {
		return
	}
	n.saverWG.Add(1)
	go func() {
		defer n.saverWG.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		last := n.Mempool.Changes()
		for {
			select {
			case <-n.saverQuit:
				return
			case <-t.C:
			}
			if c := n.Mempool.Changes(); c != last {
				if txs, err := n.saveMempool(); err != nil {
					n.log.Warn("periodic mempool save failed", "err", err)
				} else {
					last = c
					n.log.Debug("mempool saved", "txs", txs)
				}
			}
		}
	}()
}

// StopRequested is closed when a client asks the node to stop (RPC stop).
func (n *Node) StopRequested() <-chan struct{} { return n.stopReq }

func (n *Node) requestStop() {
	select {
	case <-n.stopReq:
	default:
		close(n.stopReq)
	}
}

// Close persists the mempool and closes the database.
func (n *Node) Close() error {
	n.stopStratum()
	n.stopRPC()
	n.stopP2P()
	if n.saverQuit != nil {
		close(n.saverQuit)
		n.saverWG.Wait()
	}
	var errs []error
	if n.Wallet != nil {
		if err := n.Wallet.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close wallet: %w", err))
		}
	}
	if _, err := n.saveMempool(); err != nil {
		errs = append(errs, fmt.Errorf("save mempool: %w", err))
	} else {
		n.log.Info("mempool saved", "txs", n.Mempool.Count())
	}
	n.stopIndexes()
	if err := n.Chain.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close chain: %w", err))
	}
	if err := n.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	return errors.Join(errs...)
}
