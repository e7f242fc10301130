// Package wallethost hosts a wallet behind the wallet and contract RPC
// methods: WalletHost (rpc.WalletBackend) over a wallet.ChainClient, and
// ContractHost (rpc.ContractBackend) over a ContractSource. gg-node hosts
// it on its own chain (lib/node); gg-wallet serve runs it on its own
// (ServeWallet), fed by a RemoteChain that follows a node over JSON-RPC
// and its WebSocket events, with the contract book asked over RPC.
//
// It is apart from lib/node so that gg-wallet, which serves the wallet
// too, links neither the node (P2P, sync, the chain's block connect, the
// miner) nor Prometheus: every gg-wallet call paid their inits and the
// larger binary (docs/performance.md "Client start-up").
package wallethost
