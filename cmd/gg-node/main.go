// Command gg-node is the GameGold full node daemon.
package main

import "github.com/gamegold/gg/lib/cli/ggnode"

func main() { ggnode.Main() }
