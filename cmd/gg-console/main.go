// Command gg-console is the operator's terminal console: the chain,
// mempool, peers, producers, props, auctions, contracts and the wallet.
package main

import "github.com/gamegold/gg/lib/cli/ggconsole"

func main() { ggconsole.Main() }
