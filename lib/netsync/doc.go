// Package netsync is block and transaction sync and relay on top of the
// peer layer (lib/p2p): a Manager is the Host's Protocol.
//
// # Headers first, blocks from every peer
//
// Headers are asked of each peer (getheaders with a locator) and
// validated and indexed by the chain before any block (chain.ProcessHeaders);
// the best header chain is then downloaded block by block from all peers
// at once: at most MaxBlocksInFlight per peer, over a window of
// DownloadWindow blocks above the tip, lowest first. The block at the
// window's start decides how fast the chain moves: when it has been in
// flight longer than the stall timeout (2 s, doubling while stalls go on,
// up to 64 s) and another peer could fetch it, it is taken from its peer
// and asked of another; a peer that stalls the window twice is
// disconnected. No single sync peer holds the node back.
//
// # Relay
//
// New blocks are announced after validation: by compact block (BIP152) to
// peers that asked for high bandwidth, by headers (BIP130) to those that
// sent sendheaders, by inv otherwise — except that a compact block which
// extends our tip goes to the high-bandwidth peers as soon as its header
// is accepted and its merkle root checks, before validation (BIP152
// allows it, Core does it), so an invalid block that came as a compact
// block costs its peer nothing; we ask the up to three peers that
// last gave us a new block first to push compact blocks to us.
// A compact block is rebuilt from the mempool by short ids; what is
// missing comes with getblocktxn. Transactions are announced by wtxid
// (BIP339) to peers that speak it, txid otherwise, after a random
// (Poisson) delay per peer — 5 s on average to inbound peers, 2 s to
// outbound — that hides which peer first had them, and only when they pay
// the peer's feefilter. Orphans wait in the mempool (bounded) while their
// parents are asked of the peer that sent them. Contract-book offers
// travel the same way (inv of their id, ggoffer, ggwithdraw), checked by
// the book before they are kept or relayed; auction bids are
// transactions, so only the best bid ever enters a pool and is relayed.
//
// # Compact block filters
//
// With Config.Filters (the BIP158 filter index, lib/index) the Manager
// answers BIP157's getcfilters (at most 1,000 blocks: one cfilter each),
// getcfheaders (at most 2,000: one cfheaders with the filter header
// below the range) and getcfcheckpt (the header at every 1,000th height)
// for ranges ending at a block of the active chain. A request beyond the
// index's height is not answered (the index is still catching up); one
// no honest client sends — filters asked of a node without the index, an
// unknown filter type, an unknown stop block or one off the active
// chain, a start above the stop, a range over the limit — costs 20
// points (five ban the peer).
//
// # Misbehaviour
//
// Headers, blocks and transactions no honest peer sends (an invalid
// header or block, a transaction failing its scripts or the consistency
// checks, a compact-block answer that does not match) cost a peer its
// connection and its address a ban; ten headers messages in a row that do
// not connect to our chain, a stalled download and unrequested
// transactions beyond a rate cost less. Everything a peer can make us do
// is bounded: blocks in flight, transaction requests, the inventory
// queued for it, orphans (the mempool's), unrequested transactions per
// second.
//
// The Manager is driven like the Host (PeerReady, PeerGone, Receive,
// Tick, and the node's notifications BlockConnected, TxAccepted,
// OfferChanged), one call at a time, with the Host's clock and random
// source: a simulator runs it as it runs the Host.
package netsync
