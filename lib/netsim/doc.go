// Package netsim runs gg's real peer-to-peer code — p2p.Host (handshake,
// address book, connection upkeep) and netsync.Manager (headers-first
// sync, transaction relay, BIP152 compact blocks) — for hundreds or
// thousands of nodes in one process, with virtual time and a modelled
// Internet, and reports how blocks propagate.
//
// # Engine
//
// One discrete-event loop (p2p.SimNet): events run in time order, ties
// in scheduling order, one at a time; every node ticks every
// Scenario.Tick. All randomness comes from the scenario's seed: the
// engine's own generator (regions, mining power, address-book keys and
// seeds, block and transaction times, jitter) and one generator per
// Host. The same scenario and seed give a byte-identical report
// (TestSameSeedSameReport).
//
// # What is real and what is modelled
//
// Real: every message is a wire message, encoded and decoded on each hop
// (SimNet); the Hosts pick their outbound peers from their own address
// books, seeded with Scenario.Seeds random addresses; transactions are
// announced, requested and relayed by netsync; blocks are announced as
// compact blocks, headers or inv, and each receiver rebuilds a compact
// block from its own pool, asking getblocktxn for what it lacks.
//
// Modelled:
//   - Chain (simChain, netsync.Chain): a header tree; every block is
//     valid; work is height, the first seen wins a tie. A block's
//     validation takes, per transaction, 57 µs if it was in the node's
//     pool (signatures cached) and 218 µs if not — lib/chain's
//     BenchmarkConnectBlock warm and cold CPU time per transaction
//     (docs/performance.md, btcec) — one block at a time per node. As
//     the real node's event loop is blocked while it validates, the
//     simulated node is busy: its chain takes the block at once, but
//     nothing it sends leaves before the validation time has passed. A
//     block counts as reaching a node when the node has validated it.
//   - Pool (simPool, netsync.Mempool): takes every new transaction (each
//     spends an output of its own), in arrival order; a connected block
//     removes its transactions (a reorganisation does not return them).
//   - Transactions: Poisson at Scenario.TxRate network-wide, each at a
//     random node, Scenario.TxSize bytes (one input with a witness, one
//     output).
//   - Mining: Poisson with mean Scenario.BlockInterval; the miner is drawn
//     by mining power (normal per node, SimBlock's figures); it fills the
//     block from its pool in arrival order up to Scenario.BlockSize and
//     mines on its own tip.
//   - Links: a message of s bytes from node A to node B waits until the
//     link A→B has sent its earlier messages (one upload queue per
//     directed link; with Scenario.SharedUplink, one queue per sender for
//     all its links), then takes s×8 ÷ min(A's upload, B's download)
//     seconds to send, then the one-way latency of A's and B's regions
//     plus up to Scenario.Jitter of it (uniform); it never overtakes an
//     earlier message on the link. Downloads are not queued: a node
//     receives from several links at once, each at most at its download
//     rate. Dials take the latency.
//   - World (world.go): SimBlock's 2019 tables — six regions, their
//     latency matrix, per-region upload and download bandwidth (every
//     node of a region has its region's figures) and node shares by
//     region — from github.com/dsg-titech/simblock, commit 6a52865,
//     NetworkConfiguration.java. Each node has a public IPv4 address in
//     a /16 of its own.
//
// Not implemented yet (a scenario that asks for them is refused with
// ErrNotImplemented): faults (partitions, churn, message loss) and
// attackers (eclipse, selfish mining); the tx relay latency, partition
// heal and eclipse figures of the report.
//
// # Report
//
// Report gives block propagation to 50/90/95/99/100 % of the nodes
// (p50/p90/p99 over the best-chain blocks), how block data reached
// nodes (compact block without a round trip, with getblocktxn, whole),
// bytes and messages per node per day by message type (sent, header
// included) and the stale-block rate, as JSON and as CSV.
//
// Run a scenario with `go run ./tools/netsim scenario.toml` or `make
// sim`; testdata/small.toml runs in the tests against a golden report
// (GG_UPDATE=1 refreshes it).
package netsim
