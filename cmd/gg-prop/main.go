// Command gg-prop is the game economy's command line: producers and props.
package main

import "github.com/gamegold/gg/lib/cli/ggprop"

func main() { ggprop.Main() }
