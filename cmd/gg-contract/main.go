// Command gg-contract is the command line of contracts: publish, sign,
// fulfil, execute, withdraw, show and list.
package main

import "github.com/gamegold/gg/lib/cli/ggcontract"

func main() { ggcontract.Main() }
