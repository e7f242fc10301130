// Package netsim runs gg's real peer-to-peer code — p2p.Host (handshake,
// address book, connection upkeep) and netsync.Manager (headers-first
// sync, transaction relay, BIP152 compact blocks) — for hundreds or
// thousands of nodes in one process, with virtual time and a modelled
// Internet, and reports how blocks propagate.
//
// # Engine
//
// One discrete-event loop (p2p.SimNet): events run in time order, ties
// in scheduling order, one at a time. A node ticks every Scenario.Tick
// while it has work; a quiet one — its outbound slots full and its
// netsync.Manager.Quiet (no request in flight or pending, no
// announcement queued, no sync under way) — only every
// Scenario.IdleTick (default 5 s), so its pings, timeouts and feefilter
// refreshes run up to that late (a quiet Manager's ticks have nothing
// else to do). All randomness comes from the scenario's seed: the
// engine's own generator (regions, mining power, address-book keys and
// seeds, block and transaction times, jitter) and one generator per
// Host. The same scenario and seed give a byte-identical report
// (TestSameSeedSameReport).
//
// # What is real and what is modelled
//
// Real: every message is a wire message, encoded and decoded on each hop
// (SimNet) — except that byte-identical tx, block, cmpctblock and
// blocktxn payloads are decoded once and every receiver gets the same
// value (SimNet.ShareDecoded; nothing that receives them changes them),
// so the simulator holds one copy of a transaction, not one per node;
// the Hosts pick their outbound peers from their own address
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
//     mines on its own tip. The block holds the pool as it was at the
//     miner's last block template: one is made when the miner's tip
//     changes and then every Scenario.TemplateRefresh (default 60 s,
//     when gg's getblocktemplate long poll returns for a changed pool —
//     lib/rpc.DefaultLongPollMempoolDelay, as Core's); transactions that
//     arrived since wait for the next block.
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
// # Faults
//
// A scenario's [faults] (faults.go); times count from the end of the
// warm-up.
//
//   - Message loss (faults.loss, per transmission): gg speaks TCP,
//     which delivers everything in order, so a loss is not a missing
//     message but a late one: it is sent again after the retransmission
//     timeout — 200 ms (Linux's minimum) plus the round trip, doubled
//     for each further loss of the same message up to 120 s (Linux's
//     maximum) — and the messages
//     behind it on the link wait for it (head-of-line blocking). The
//     resend does not occupy the upload queue again. Losses draw from
//     their own random stream, so blocks and transactions appear as
//     without loss.
//   - Partition (faults.partition: at, heal, share): at `at` a random
//     share of the nodes is cut off from the rest until `heal`. A
//     message that would arrive across the cut meanwhile is held and
//     arrives at the heal plus the latency (TCP retransmits it; its
//     backoff after a long outage is not modelled); a dial across fails
//     after p2p.TCP's 10 s dial timeout. Connections that stay quiet for
//     the Hosts' InactivityTimeout (20 minutes) are dropped by the real
//     code and redialled on each side. The report gives the heal time
//     — from the heal until every online node has validated one and
//     the same tip — and the blocks mined from the split until then,
//     and how many of them ended stale.
//   - Churn (faults.churn: rate per node per hour, mean downtime): a
//     random node leaves (closes its connections, refuses new ones,
//     stops ticking; a block its power would have found is not found,
//     and a transaction it would have made is not made) and comes back after an
//     exponential downtime with its address book and chain, reconnecting
//     from the book. The report gives departures, returns and how long
//     a returning node took to reach the best height it could see.
//     With churn, the stale rate is judged by the online node with the
//     highest tip at the end (else node 0), and propagation to 100 %
//     counts offline nodes too.
//
// A partition longer than InactivityTimeout drops every connection
// across, and each side fills its outbound slots from its own side. It
// heals through lib/p2p's stale-tip rule: a node whose best height has
// not moved for three block intervals (the scenario's block_interval
// is the chain parameters' target) opens one outbound connection beyond
// its slots, to a network group none of its others is in, replacing it
// every 45 s while the tip stays stale; one across the former cut
// brings the other side's chain (TestLongPartitionHeals; with
// stale_tip = false, feeler connections alone do not mend it).
//
// # Attackers
//
// Eclipse ([attackers.eclipse], eclipse.go), after Heilman et al.,
// "Eclipse Attacks on Bitcoin's Peer-to-Peer Network" (USENIX Security
// 2015). Such a scenario is an experiment of many trials, each a world
// of its own (the scenario's nodes, seed + trial, no mining): after the
// warm-up an attacker holding `addresses` addresses in `netgroups` /16s
// — one Host answering at all of them — opens `connections` inbound
// connections to the victim (node 0) and sends one of its addresses,
// freshly seen, every 10 s on each (the victim takes 0.1 address a
// second from a peer); after `flood` the victim restarts (down for
// `downtime`, its book kept, as peers.json is) and refills its outbound
// slots from the book. A trial succeeds when, `observe` after the
// restart, every outbound slot is filled and all are the attacker's.
// Each variant runs the same trial seeds with a set of lib/p2p's
// countermeasures on for the victim and the others off: "all", "none",
// "no_X" (all but X), "only_X" (X alone), X one of buckets
// (AddrBook.TestNoBuckets when off: one flat list that takes every
// address and draws uniformly, instead of the new/tried tables bucketed
// by network group and source), netgroup_limit (Config.TestNoNetgroupLimit
// when off: outbound peers may share a /16), feelers (Config.TestNoFeelers
// when off; on, a short connection to a new-table address every ~2
// minutes moves it to tried if it answers) and anchors (on, the victim
// saves Host.Anchors as it stops for the restart — two of its outbound
// peers, those connected longest, so chosen before the flood — and
// dials them first as it comes back, as gg-node does with
// anchors.json). The report gives per variant the switches, the
// successes, the attacker's mean share of the outbound slots after the
// restart and of the victim's book before it.
//
// Selfish mining ([attackers.selfish], selfish.go), after Eyal and
// Sirer, "Majority is not Enough" (FC 2014): node 0 gets a share alpha
// of the mining power and mines on a private branch (coinbase-only
// blocks); when it hears, through its real netsync, that the public
// chain grew, it publishes as the paper's strategy says: one ahead → all,
// a tie; two ahead → all, it wins; more → up to the public height; in a
// tie a block of its own is published at once. Publishing hands the
// blocks to its node's chain, which prefers its own branch and announces
// it like any block; honest nodes keep the first block seen at a height.
// γ is measured at each tie's end as the power-weighted share of honest
// nodes whose block at the tie's height is the attacker's (and, counted
// apart, honest blocks found during ties and how many extend the
// attacker's block). The report gives the blocks mined, the attacker's
// share of the best chain as node 1 sees it (its revenue share), γ and
// the paper's revenue formula at alpha and the measured γ. The
// attacker's withheld blocks are left out of the propagation figures.
//
// # Report
//
// Report gives block propagation to 50/90/95/99/100 % of the nodes
// (p50/p90/p99 over the best-chain blocks), how block data reached
// nodes (compact block without a round trip, with getblocktxn, whole),
// transaction relay to 50/90/95/99/100 % of the nodes (the time from a
// transaction's creation until that share of pools has it — the
// creator counts, a node that gets it only in a block does not — p50,
// p90, p99 over the transactions, with how many got there),
// bytes and messages per node per day by message type (sent, header
// included) and the stale-block rate, as JSON and as CSV; with faults,
// retransmissions, the partition's heal time and stale blocks, and the
// churn figures; with an eclipse experiment, only its per-variant
// success counts; with a selfish miner, its revenue share and γ.
// Sections a scenario does not have are left out, so a report without
// faults or attackers is as before.
//
// Run a scenario with `go run ./tools/netsim scenario.toml` or `make
// sim`; testdata/small.toml runs in the tests against a golden report
// (GG_UPDATE=1 refreshes it).
package netsim
