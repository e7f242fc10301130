// Command gg-wallet uses the wallet hosted by gg-node.
package main

import "github.com/gamegold/gg/lib/cli/ggwallet"

func main() { ggwallet.Main() }
