package node

import (
	"context"
	"fmt"
	"time"

	"github.com/gamegold/gg/lib/chain"
)

// reindexLogEvery spaces the reindex progress lines.
const reindexLogEvery = 5 * time.Second

// reindex runs chain.Reindex when Config.Reindex asks for it or an
// earlier one was interrupted, logging its progress.
func (n *Node) reindex(ccfg chain.Config) error {
	pending, err := chain.ReindexPending(ccfg.DB)
	if err != nil {
		return fmt.Errorf("load chain: %w", err)
	}
	if !n.cfg.Reindex && !pending {
		return nil
	}
	ctx := n.cfg.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if pending {
		n.log.Info("resuming an interrupted reindex")
	} else {
		n.log.Info("reindexing: rebuilding the UTXO set, undo data and game registries from the stored blocks")
	}
	if err := resetIndexes(ccfg.DB); err != nil {
		return err
	}
	start := time.Now()
	var last time.Time
	err = chain.Reindex(ctx, ccfg, func(height, tip int32) {
		if n.cfg.ReindexProgress != nil {
			n.cfg.ReindexProgress(height, tip)
			return
		}
		if now := time.Now(); now.Sub(last) >= reindexLogEvery || height == tip {
			last = now
			pct := 100.0
			if tip > 0 {
				pct = 100 * float64(height) / float64(tip)
			}
			n.log.Info("reindex progress", "height", height, "tip", tip, "percent", fmt.Sprintf("%.1f", pct))
		}
	})
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	n.log.Info("reindex done", "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}
