// Package node is the composition root of gg-node: it opens the datadir's
// bbolt store and wires the chain, the signature cache, the mempool (with
// its persisted contents) and the block template generator and CPU miner
// together through chain notifications. Only this package and cmd/ know the
// concrete types; everything below it sees interfaces.
//
// The node's logger also keeps its recent records in a bounded ring
// (logring.go), which node.log reads and the events' log topic follows.
package node
