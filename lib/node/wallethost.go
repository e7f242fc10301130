package node

import (
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/wallethost"
)

// The hosted wallet, its contract methods and the wallet service on its
// own (gg-wallet serve) live in lib/wallethost, which does not link the
// node (its P2P, chain connect, miner, Prometheus): gg-wallet links it and
// not this package. The node hosts the same wallet under these names.

// WalletDBFile is the hosted wallet's database inside the datadir.
const WalletDBFile = wallethost.WalletDBFile

type (
	// WalletHost is the hosted wallet (wallethost.WalletHost).
	WalletHost = wallethost.WalletHost
	// WalletHostConfig configures NewWalletHost.
	WalletHostConfig = wallethost.WalletHostConfig
	// ContractHost serves the contract methods with the hosted wallet.
	ContractHost = wallethost.ContractHost
	// RemoteChain is the wallet's chain over a node's JSON-RPC.
	RemoteChain = wallethost.RemoteChain
	// Follow says how a RemoteChain follows its node.
	Follow = wallethost.Follow
	// WalletServerConfig configures ServeWallet.
	WalletServerConfig = wallethost.WalletServerConfig
)

// How a RemoteChain follows its node.
const (
	FollowAuto   = wallethost.FollowAuto
	FollowEvents = wallethost.FollowEvents
	FollowPoll   = wallethost.FollowPoll
)

var (
	// NewWalletHost opens (or waits to create) the hosted wallet.
	NewWalletHost = wallethost.NewWalletHost
	// NewRemoteChain returns a RemoteChain over client.
	NewRemoteChain = wallethost.NewRemoteChain
	// NewRemoteContractHost returns the contract backend of a wallet
	// served on its own.
	NewRemoteContractHost = wallethost.NewRemoteContractHost
	// ServeWallet runs the wallet service on its own.
	ServeWallet = wallethost.ServeWallet
)

// NewContractHost returns the contract backend of a node: its own book,
// chain and mempool.
func NewContractHost(c *chain.Chain, b *mempool.Book, p *mempool.Pool, w *WalletHost) *ContractHost {
	return wallethost.NewContractHost(&localSource{chain: c, book: b, pool: p}, w)
}

// walletErr and bookErr map errors to RPC errors as the hosted wallet's
// methods do.
func walletErr(err error) error { return wallethost.WalletError(err) }

func bookErr(err error) error { return wallethost.BookError(err) }
