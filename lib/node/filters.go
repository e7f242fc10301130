package node

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/index"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/store"
)

// indexes is the running index layer (lib/index): the BIP158 filter
// index when Config.BlockFilterIndex is set, caught up in the background
// after the chain loads.
type indexes struct {
	mgr     *index.Manager
	filters *index.FilterIndex // nil when off
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// openIndexes wires the enabled indexes into the chain's Config; nil
// when none is enabled.
func (n *Node) openIndexes(db *store.DB, ccfg *chain.Config) (*indexes, error) {
	if !n.cfg.BlockFilterIndex {
		return nil, nil
	}
	x := &indexes{filters: index.NewFilterIndex(db)}
	var err error
	if x.mgr, err = index.New(db, n.log.With("sub", "index"), x.filters); err != nil {
		return nil, fmt.Errorf("open indexes: %w", err)
	}
	ccfg.Indexer = x.mgr
	return x, nil
}

// resetIndexes empties every index before a reindex: they are rebuilt
// from the blocks once the chain is, whether enabled now or later.
func resetIndexes(db *store.DB) error {
	if err := index.Reset(db, index.NewFilterIndex(db)); err != nil {
		return fmt.Errorf("reset indexes: %w", err)
	}
	return nil
}

// startIndexes catches the indexes up with the chain in the background
// (logging progress); the chain keeps them at its tip afterwards.
func (n *Node) startIndexes() {
	x := n.indexes
	if x == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	x.cancel = cancel
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		if err := x.mgr.CatchUp(ctx, n.Chain); err != nil && !errors.Is(err, context.Canceled) {
			n.log.Error("index catch-up failed; block filters are not served beyond its height", "err", err)
		}
	}()
}

// stopIndexes stops a catch-up in progress (it resumes on the next
// start).
func (n *Node) stopIndexes() {
	if x := n.indexes; x != nil && x.cancel != nil {
		x.cancel()
		x.wg.Wait()
	}
}

// IndexesSynced is closed once every enabled index has caught up with
// the chain (at once when none is enabled).
func (n *Node) IndexesSynced() <-chan struct{} {
	if n.indexes == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	return n.indexes.mgr.Synced()
}

// filterBackend serves rpc.FilterBackend from the filter index.
type filterBackend struct {
	chain *chain.Chain
	x     *indexes
}

var _ rpc.FilterBackend = filterBackend{}

// notIndexed says why block h is not in the filter index.
func (b filterBackend) notIndexed(h chainhash.Hash) error {
	_, height, err := b.chain.HeaderByHash(h)
	if err != nil {
		return rpc.ErrFilterUnknownBlock
	}
	if !b.chain.MainChainHasBlock(h) {
		return rpc.ErrFilterNotActive
	}
	if tip, err := b.x.filters.Height(); err == nil && height > tip {
		return rpc.ErrFilterIndexing
	}
	return rpc.ErrFilterNotActive // reorganised away meanwhile
}

func (b filterBackend) BlockFilter(h chainhash.Hash) ([]byte, chainhash.Hash, error) {
	e, err := b.x.filters.ByHash(h)
	if errors.Is(err, index.ErrNotIndexed) {
		return nil, chainhash.Hash{}, b.notIndexed(h)
	}
	if err != nil {
		return nil, chainhash.Hash{}, err
	}
	return e.Filter, e.Header, nil
}

func (b filterBackend) FilterHeaders(h chainhash.Hash, count int) ([]chainhash.Hash, error) {
	hs, err := b.x.filters.HeadersFrom(h, count)
	if errors.Is(err, index.ErrNotIndexed) {
		return nil, b.notIndexed(h)
	}
	return hs, err
}

// indexNames are bitcoind's names of the indexes in getindexinfo.
var indexNames = map[string]string{index.FilterIndexName: "basic block filter index"}

func (b filterBackend) Indexes() ([]rpc.IndexInfo, error) {
	st, err := b.x.mgr.Status()
	if err != nil {
		return nil, err
	}
	out := make([]rpc.IndexInfo, len(st))
	for i, s := range st {
		name := indexNames[s.Name]
		if name == "" {
			name = s.Name
		}
		out[i] = rpc.IndexInfo{Name: name, Synced: s.Synced, Height: s.Height}
	}
	return out, nil
}

// filterService is the RPC and REST service of block filters.
func (n *Node) filterService() *rpc.FilterService {
	fs := &rpc.FilterService{}
	if n.indexes != nil && n.indexes.filters != nil {
		fs.Backend = filterBackend{chain: n.Chain, x: n.indexes}
	}
	return fs
}
