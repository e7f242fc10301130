package node

import (
	"context"
	"fmt"
	"sync"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mining"
)

// bulkMiner runs the regtest miner as a bulk load: the blocks of one
// generate call commit without a per-block fsync and the file is synced
// once before the call returns, as the architecture allows for explicit
// bulk loads. A killed process loses nothing that was committed (the
// pages are in the OS cache); only a power loss during the call can cost
// the blocks it mined.
type bulkMiner struct {
	miner *mining.CPUMiner
	db    bulkDB
	mu    sync.Mutex // one bulk run at a time
}

func (b *bulkMiner) Generate(ctx context.Context, n int, payTo []byte) (hashes []chainhash.Hash, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.db.NoSync() {
		b.db.SetNoSync(true)
		defer func() {
			b.db.SetNoSync(false)
			if serr := b.db.Sync(); serr != nil && err == nil {
				err = fmt.Errorf("sync after generate: %w", serr)
			}
		}()
	}
	return b.miner.Generate(ctx, n, payTo)
}
