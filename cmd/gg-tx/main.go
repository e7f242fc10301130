// Command gg-tx creates, inspects, signs and sends raw transactions.
package main

import "github.com/gamegold/gg/lib/cli/ggtx"

func main() { ggtx.Main() }
