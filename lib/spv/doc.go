// Package spv is gg-node's light node (gg-node --spv): it follows the
// best chain by headers and finds a wallet's transactions through
// BIP157/158 compact block filters, without blocks, a UTXO set or a
// mempool. Its store is a bbolt file (lib/store) holding headers, filter
// headers and the filters it fetched.
//
// # What it verifies
//
// Headers: every header is checked with lib/chain's own header rules
// (proof of work against its bits, the bits the retarget rules require,
// a timestamp after the median of the last eleven and not more than two
// hours ahead, BIP94, the minimum version, the network's checkpoints);
// the chain with the most work is the best one, and a heavier branch
// replaces it (a reorg). Headers come from every peer (getheaders with a
// locator, and the peers' header announcements), not from one sync peer.
//
// Filter headers: the filter header chain (BIP157) of the best chain is
// asked of every connected peer that serves filters, up to
// MaxFilterPeers, in batches of 2000 ending at a block the peers are
// known to have (a batch waits FilterPeerGrace for a lagging peer, then
// leaves it out), and the answers are compared. When
// they agree the batch is committed. When they differ, the first height
// where they do is settled with the block: it is fetched and checked
// against its header (merkle root, witness commitment), each side's
// filter for it is fetched and must hash to the filter header that side
// committed to, and then must decode and hold every output script of
// the block. A side that fails is a liar: it is disconnected and its
// address and port refused for LiarBanDuration (configured peers
// included), and scored with the Host, which bans its address when it
// is not a configured peer. When both sides pass, the scripts the inputs
// show they most likely spent (public keys, witness scripts: see
// verify.go) choose a side without banning (an input may spend a script
// its witness does not show): a filter matching them, and the filter
// rebuilt from them, wins; failing that, the answer of most peers is
// taken (logged). A peer whose answer does not
// continue the filter headers already verified (its previous header
// differs) is banned at once: the verified chain is only as good as the
// peers it was checked with, so connect to several from the start.
//
// Filters: fetched only for the blocks a wallet needs (from its
// birthday; Filters), each checked against the verified filter header
// chain (a mismatch bans its server: the chain was cross-checked), and
// stored. Blocks whose filter matches a wallet script are fetched
// (Block) and checked with lib/chain's CheckBlockSanity: the block hash
// is the header's, the merkle root and witness commitment match, the
// transactions are well formed.
//
// # What it trusts
//
// It does not validate transactions: it has no UTXO set, so it cannot
// check scripts, amounts, double spends or game rules, and accepts a
// block's contents once they match the header that proof of work
// secures (the SPV assumption: the most-work chain is valid). It has no
// mempool: transactions it broadcasts are announced to every peer, which
// validate them; a peer's refusal does not come back. With one filter
// peer there is nothing to cross-check: that peer's filter headers are
// taken as they are (a missing filter then hides transactions, which
// cross-checking with a second honest peer detects).
//
// # The wallet on it
//
// WalletClient is lib/wallet's ChainClient on the light node, so the
// hosted wallet runs unchanged: its tip is the verified tip (headers
// whose filter headers are verified), its blocks carry the transactions
// of matching blocks (none for the others), Rescan walks verified
// filters. What filters cannot show is listed on WalletClient.
//
// # Driven, not running
//
// Node is a p2p.Protocol: the Host drives it (PeerReady, Receive,
// PeerGone, Tick) from the transport's loop, with time from the Host's
// clock, so lib/p2p's SimNet runs it deterministically. Requests from
// other goroutines (Filters, Block, Broadcast) queue under the Node's
// lock and are sent by the loop (Config.Post wakes it).
package spv
