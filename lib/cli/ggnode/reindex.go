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
	if !cli.IsTerminal(w) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(height, tip int32) {
		if bar == nil {
			bar = progressbar.NewOptions64(int64(max(tip, 1)),
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetVisibility(true),
				progressbar.OptionSetDescription("reindex"),
				progressbar.OptionShowCount(),
				progressbar.OptionSetItsString("blocks"),
				progressbar.OptionShowIts(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
		}
		bar.Set64(int64(height))
		if height >= tip {
			bar.Finish()
		}
	}
}

// syncBar returns a progress callback drawing the initial block download
// on w (blocks of the best header chain), or nil when w is not a
// terminal (the node logs its progress then).
func syncBar(w io.Writer) func(tip, headers int32) {
	if !cli.IsTerminal(w) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(tip, headers int32) {
		if bar == nil || bar.GetMax64() != int64(max(headers, 1)) {
			if bar != nil {
				bar.ChangeMax64(int64(max(headers, 1)))
			} else {
				bar = progressbar.NewOptions64(int64(max(headers, 1)),
					progressbar.OptionSetWriter(w),
					progressbar.OptionSetVisibility(true),
					progressbar.OptionSetDescription("sync"),
					progressbar.OptionShowCount(),
					progressbar.OptionSetItsString("blocks"),
					progressbar.OptionShowIts(),
					progressbar.OptionThrottle(250*time.Millisecond),
					progressbar.OptionClearOnFinish())
			}
		}
		bar.Set64(int64(tip))
		if tip >= headers {
			bar.Finish()
			bar = nil
		}
	}
}
