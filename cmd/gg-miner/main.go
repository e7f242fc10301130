// Command gg-miner mines with the CPU: against a Stratum v1 server (such
// as gg-node --stratum-listen), solo through a node's getblocktemplate, or
// as a benchmark of its hashing.
package main

import "github.com/gamegold/gg/lib/cli/ggminer"

func main() { ggminer.Main() }
