// Package node is the composition root of gg-node: it opens the datadir's
// bbolt store and wires the chain, the signature cache, the mempool (with
// its persisted contents) and the block template generator and CPU miner
// together through chain notifications. Only this package and cmd/ know the
// concrete types; everything below it sees interfaces.
package node
