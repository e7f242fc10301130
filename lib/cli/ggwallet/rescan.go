package ggwallet

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	ucli "github.com/urfave/cli/v2"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

type rescanOptions struct {
	from     int64 // -1: the birthday
	interval time.Duration
}

func rescanCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "rescan",
		Usage:     "rescan the chain for the wallet's transactions, with a progress bar",
		UsageText: "gg-wallet rescan [--from HEIGHT]",
		Description: "Starts wallet.rescan on the node (from --from, default the wallet's birthday)\n" +
			"and follows it through wallet.info: a progress bar on stderr when stderr is a\n" +
			"terminal, one line when it ends otherwise. stdout gets the final state as JSON\n" +
			"({running, from, height, tip}). Interrupting gg-wallet leaves the rescan running\n" +
			"on the node.",
		Flags: []ucli.Flag{
			&ucli.Int64Flag{Name: "from", Value: -1, Usage: "first block `HEIGHT` to scan (default: the birthday)"},
		},
		Action: func(c *ucli.Context) error {
			if err := cli.WantArgs(c, 0, "no arguments"); err != nil {
				return err
			}
			if f := c.Int64("from"); f < -1 || f > 1<<31-1 {
				return cli.Usagef("--from must be a block height")
			}
			return runRescan(c, rescanOptions{from: c.Int64("from"), interval: 200 * time.Millisecond})
		},
	}
}

func runRescan(c *ucli.Context, o rescanOptions) error {
	var st rpc.WalletRescanJSON
	params := []any{}
	if o.from >= 0 {
		params = append(params, o.from)
	}
	if err := call(c, "wallet.rescan", &st, params...); err != nil {
		return err
	}
	tty := cli.IsTerminal(c.App.ErrWriter)
	var bar *progressbar.ProgressBar
	if tty {
		bar = progressbar.NewOptions64(int64(max(st.Tip-st.From+1, 1)),
			progressbar.OptionSetWriter(c.App.ErrWriter),
			progressbar.OptionSetVisibility(true),
			progressbar.OptionSetDescription("rescan"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("blocks"),
			progressbar.OptionShowIts(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	for {
		var info rpc.WalletInfoJSON
		if err := call(c, "wallet.info", &info); err != nil {
			return err
		}
		if info.Rescan == nil {
			return cli.Failf("the node reports no rescan")
		}
		st = *info.Rescan
		if bar != nil {
			bar.ChangeMax64(int64(max(st.Tip-st.From+1, 1)))
			bar.Set64(int64(max(st.Height-st.From+1, 0)))
		}
		if !st.Running {
			break
		}
		select {
		case <-c.Context.Done():
			return cli.Failf("interrupted; the rescan goes on in the node (gg-wallet info shows it)")
		case <-time.After(o.interval):
		}
	}
	if bar != nil {
		bar.Finish()
	}
	if st.Error != "" {
		return cli.Failf("rescan failed at height %d: %s", st.Height, st.Error)
	}
	fmt.Fprintf(c.App.ErrWriter, "gg-wallet: rescan done: blocks %d to %d\n", st.From, st.Height)
	return cli.WriteJSON(c, st)
}
