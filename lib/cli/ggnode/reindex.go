package ggnode

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/gamegold/gg/lib/cli"
)

// reindexBar returns a progress callback drawing a bar on w, or nil when
// w is not a terminal (the node then logs progress lines instead).
func reindexBar(w io.Writer) func(height, tip int32) {
	return blockBar(w, "reindex", 100*time.Millisecond)
}

// syncBar returns a progress callback drawing the initial block download
// on w (blocks of the best header chain), or nil when w is not a
// terminal (the node logs its progress then).
func syncBar(w io.Writer) func(tip, headers int32) {
	return blockBar(w, "sync", 250*time.Millisecond)
}

// blockBar returns a progress callback drawing a bar named what on w,
// redrawn at most every throttle: done blocks of total, a total that may
// grow as it goes; a finished bar is cleared and the next call starts
// another. It is nil when w is not a terminal.
func blockBar(w io.Writer, what string, throttle time.Duration) func(done, total int32) {
	if !cli.IsTerminal(w) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int32) {
		switch n := int64(max(total, 1)); {
		case bar == nil:
			bar = progressbar.NewOptions64(n,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetVisibility(true),
				progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(),
				progressbar.OptionSetItsString("blocks"),
				progressbar.OptionShowIts(),
				progressbar.OptionThrottle(throttle),
				progressbar.OptionClearOnFinish())
		case bar.GetMax64() != n:
			bar.ChangeMax64(n)
		}
		bar.Set64(int64(done))
		if done >= total {
			bar.Finish()
			bar = nil
		}
	}
}
