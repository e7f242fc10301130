package spv

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Filter is a verified basic filter of a best-chain block.
type Filter struct {
	Height int32
	Hash   chainhash.Hash
	Header wire.BlockHeader
	Bytes  []byte
}

// Match reports whether the filter may hold one of scripts (false
// positives about 1 in 784931 per script; never a false negative).
func (f *Filter) Match(scripts [][]byte) bool {
	if len(scripts) == 0 {
		return false
	}
	g, err := gcs.DecodeBasic(f.Bytes)
	if err != nil {
		return true // cannot happen for a verified filter; fetch the block
	}
	return g.MatchAny(gcs.BlockKey(f.Hash), scripts)
}

// filterFetch is a run of at most MaxGetCFilters filters asked of one
// peer at a time.
type filterFetch struct {
	from   int32
	hashes []chainhash.Hash
	out    [][]byte
	peer   *p2p.Peer
	avoid  map[*p2p.Peer]bool
	err    error
	done   chan struct{}
}

func (f *filterFetch) finish(err error) {
	if f.done == nil {
		return
	}
	f.err = err
	close(f.done)
	f.done = nil
}

// blockFetch is a block asked of one peer at a time.
type blockFetch struct {
	hash  chainhash.Hash
	peer  *p2p.Peer
	avoid map[*p2p.Peer]bool
	blk   *wire.MsgBlock
	err   error
	done  chan struct{}
}

func (b *blockFetch) finish(blk *wire.MsgBlock, err error) {
	if b.done == nil {
		return
	}
	b.blk, b.err = blk, err
	close(b.done)
	b.done = nil
}

// Filters returns the verified filters of the best chain's blocks from
// height from to to (both at most the verified tip, Synced), from the
// store or fetched from peers and checked against the filter headers.
func (n *Node) Filters(ctx context.Context, from, to int32) ([]Filter, error) {
	var out []Filter
	for from <= to {
		end := min(to, from+msg.MaxGetCFilters-1)
		fs, err := n.filterRun(ctx, from, end)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
		from = end + 1
	}
	return out, nil
}

func (n *Node) filterRun(ctx context.Context, from, to int32) ([]Filter, error) {
	for attempt := 0; ; attempt++ {
		n.mu.Lock()
		if n.closed {
			n.mu.Unlock()
			return nil, ErrStopped
		}
		if from < 0 || to < from || int(to) >= len(n.fh) {
			n.mu.Unlock()
			return nil, fmt.Errorf("filters %d-%d: verified up to %d: %w", from, to, len(n.fh)-1, ErrNotInChain)
		}
		out := make([]Filter, 0, to-from+1)
		hashes := make([]chainhash.Hash, 0, to-from+1)
		for h := from; h <= to; h++ {
			m := n.hc.main[h]
			out = append(out, Filter{Height: h, Hash: m.hash, Header: m.hdr})
			hashes = append(hashes, m.hash)
		}
		missing := false
		_ = n.cfg.DB.View(func(tx *store.Tx) error {
			b := tx.Bucket(bktFilters)
			for i := range out {
				v := b.Get(out[i].Hash[:])
				if v == nil {
					missing = true
					return nil
				}
				out[i].Bytes = append([]byte(nil), v...)
			}
			return nil
		})
		if !missing {
			n.mu.Unlock()
			return out, nil
		}
		f := &filterFetch{from: from, hashes: hashes, avoid: map[*p2p.Peer]bool{}, done: make(chan struct{})}
		done := f.done
		n.fetchs = append(n.fetchs, f)
		n.mu.Unlock()
		n.wake()
		select {
		case <-done:
		case <-ctx.Done():
			n.mu.Lock()
			n.removeFetch(f)
			n.mu.Unlock()
			return nil, ctx.Err()
		}
		if f.err != nil && (f.err == ErrStopped || attempt >= 3) {
			return nil, f.err
		}
		// Stored now (or the chain moved: look again).
	}
}

func (n *Node) removeFetch(f *filterFetch) {
	for i, x := range n.fetchs {
		if x == f {
			n.fetchs = append(n.fetchs[:i:i], n.fetchs[i+1:]...)
			break
		}
	}
	if f.peer != nil {
		if s := n.peers[f.peer]; s != nil && s.fetch == f {
			s.fetch = nil
		}
	}
	f.finish(ErrStopped)
}

// driveFilters gives each waiting filter run to a free filter peer.
func (n *Node) driveFilters(now time.Time) {
	for _, f := range n.fetchs {
		if f.peer != nil {
			continue
		}
		p, s := n.pick(func(p *p2p.Peer, s *peerState) bool { return s.filters && s.fetch == nil && !f.avoid[p] })
		if p == nil {
			if len(f.avoid) > 0 && len(n.peers) > 0 {
				clear(f.avoid) // everyone failed once: try again
			}
			continue
		}
		f.peer, f.out = p, nil
		s.fetch, s.fetchAsked = f, now
		p.Send(&msg.GetCFilters{Cmd: msg.CmdGetCFilters, FilterType: gcs.FilterTypeBasic, StartHeight: uint32(f.from), Stop: f.hashes[len(f.hashes)-1]})
	}
}

// pick returns the ready peer with the lowest id that ok accepts.
func (n *Node) pick(ok func(*p2p.Peer, *peerState) bool) (*p2p.Peer, *peerState) {
	var best *p2p.Peer
	for p, s := range n.peers {
		if ok(p, s) && (best == nil || p.ID < best.ID) {
			best = p
		}
	}
	if best == nil {
		return nil, nil
	}
	return best, n.peers[best]
}

// onFetchedFilter checks a filter of a run against the verified filter
// header chain: one that does not match is a lie (the headers were
// cross-checked), and bans its server.
func (n *Node) onFetchedFilter(p *p2p.Peer, s *peerState, m *msg.CFilter, now time.Time) {
	f := s.fetch
	if f == nil {
		return // unasked (or late)
	}
	i := len(f.out)
	h := f.from + int32(i)
	if i < len(f.hashes) && m.Block != f.hashes[i] && slices.Contains(f.hashes, m.Block) {
		// A late answer to this peer's earlier, timed-out ask of the
		// run (asked again once every peer failed it): not a lie.
		return
	}
	if i >= len(f.hashes) || m.Block != f.hashes[i] {
		n.banLiar(p, "served filters out of the order asked")
		return
	}
	if int(h) >= len(n.fh) || n.hc.main[h].hash != m.Block {
		s.fetch, f.peer = nil, nil
		n.removeFetch(f)
		f.finish(ErrNotInChain) // the chain moved: the caller looks again
		return
	}
	if gcs.Header(chainhash.DoubleHashH(m.Filter), n.prevFH(h)) != n.fh[h] {
		n.banLiar(p, fmt.Sprintf("served a filter for block %v at height %d that its verified filter header does not commit to", m.Block, h))
		return
	}
	f.out = append(f.out, m.Filter)
	if len(f.out) < len(f.hashes) {
		s.fetchAsked = now
		return
	}
	err := n.cfg.DB.Update(func(tx *store.Tx) error {
		b := tx.Bucket(bktFilters)
		for i, raw := range f.out {
			if err := b.Put(f.hashes[i][:], raw); err != nil {
				return err
			}
		}
		return nil
	})
	for _, raw := range f.out {
		n.stats.Filters++
		n.stats.FilterBytes += len(raw)
	}
	s.fetch = nil
	for i, x := range n.fetchs {
		if x == f {
			n.fetchs = append(n.fetchs[:i:i], n.fetchs[i+1:]...)
			break
		}
	}
	f.finish(err)
}

// Block fetches a best-chain (or known) block by hash from a peer and
// checks it against its header: the hash, the merkle root, the witness
// commitment and the block's own sanity (lib/chain's CheckBlockSanity).
// A peer that serves a block that fails is scored as misbehaving and the
// block asked of another.
func (n *Node) Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil, ErrStopped
	}
	if n.hc.nodes[hash] == nil {
		n.mu.Unlock()
		return nil, fmt.Errorf("block %v: %w", hash, ErrNotInChain)
	}
	if blk := n.cache[hash]; blk != nil {
		n.mu.Unlock()
		return blk, nil
	}
	b := n.queueBlock(hash, false)
	done := b.done
	n.mu.Unlock()
	n.wake()
	select {
	case <-done:
		return b.blk, b.err
	case <-ctx.Done():
		n.mu.Lock()
		n.removeBlock(b)
		n.mu.Unlock()
		return nil, ctx.Err()
	}
}

// queueBlock adds a block fetch (the lock held).
func (n *Node) queueBlock(hash chainhash.Hash, internal bool) *blockFetch {
	b := &blockFetch{hash: hash, avoid: map[*p2p.Peer]bool{}, done: make(chan struct{})}
	n.blocks = append(n.blocks, b)
	return b
}

func (n *Node) removeBlock(b *blockFetch) {
	for i, x := range n.blocks {
		if x == b {
			n.blocks = append(n.blocks[:i:i], n.blocks[i+1:]...)
			break
		}
	}
	if b.peer != nil {
		if s := n.peers[b.peer]; s != nil && s.block == b {
			s.block = nil
		}
	}
	b.finish(nil, ErrStopped)
}

func (n *Node) driveBlocks(now time.Time) {
	for _, b := range n.blocks {
		if b.peer != nil {
			continue
		}
		p, s := n.pick(func(p *p2p.Peer, s *peerState) bool { return s.blocks && s.block == nil && !b.avoid[p] })
		if p == nil {
			if len(b.avoid) > 0 && len(n.peers) > 0 {
				clear(b.avoid)
			}
			continue
		}
		b.peer = p
		s.block, s.blockAsked = b, now
		p.Send(&msg.Inv{Cmd: msg.CmdGetData, List: []msg.InvVect{{Type: msg.InvWitnessBlock, Hash: b.hash}}})
	}
}

func (n *Node) onBlock(p *p2p.Peer, s *peerState, blk *wire.MsgBlock, now time.Time) {
	b := s.block
	hash := blk.BlockHash()
	if b == nil || b.hash != hash {
		return // unasked: a light node takes no pushed blocks
	}
	s.block, b.peer = nil, nil
	if err := chain.CheckBlockSanity(blk, n.cfg.Params, chain.BFNone); err != nil {
		b.avoid[p] = true
		n.misbehave(p, p2p.BanScore, "block does not match its header: "+err.Error())
		return
	}
	n.stats.Blocks++
	size := blk.SerializeSize()
	n.stats.BlockBytes += size
	if n.cache[hash] == nil && size <= blockCacheBytes {
		n.cache[hash], n.cacheB = blk, n.cacheB+size
		n.cached = append(n.cached, hash)
		for n.cacheB > blockCacheBytes {
			old := n.cached[0]
			n.cached = n.cached[1:]
			n.cacheB -= n.cache[old].SerializeSize()
			delete(n.cache, old)
		}
	}
	for i, x := range n.blocks {
		if x == b {
			n.blocks = append(n.blocks[:i:i], n.blocks[i+1:]...)
			break
		}
	}
	b.finish(blk, nil)
}

// prevFH is the verified filter header before height h (zero before
// genesis).
func (n *Node) prevFH(h int32) chainhash.Hash {
	if h == 0 {
		return chainhash.Hash{}
	}
	return n.fh[h-1]
}
