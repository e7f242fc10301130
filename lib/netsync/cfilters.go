package netsync

import (
	"errors"
	"fmt"
	"math"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/index"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
)

// FilterIndex serves BIP157 requests (*index.FilterIndex); optional: a
// node without it does not serve filters (and does not advertise
// SFNodeCompactFilters).
type FilterIndex interface {
	// Height is the index's tip height (-1: empty).
	Height() (int32, error)
	// Range returns the records from start up to the active-chain block
	// stop (at most max), and the filter header below start.
	Range(start int32, stop chainhash.Hash, max int, withFilters bool) ([]index.FilterEntry, chainhash.Hash, error)
	// Checkpoints returns the filter headers every interval blocks up to
	// stop.
	Checkpoints(stop chainhash.Hash, interval int32) ([]chainhash.Hash, error)
}

// badFilterRequestScore is what a BIP157 request no honest client sends
// costs: asking a node that does not serve filters, an unknown filter
// type, an unknown stop block or one off our active chain, a start above
// the stop, a range over the limit. Five such requests ban the peer.
const badFilterRequestScore = 20

// filterStop checks a request for filters up to stop: it returns the
// stop block's height, or ok false after scoring the peer (a bad
// request) or when our index has not reached stop yet (nothing is sent:
// the client asks another peer).
func (m *Manager) filterStop(p *p2p.Peer, cmd string, ftype uint8, stop chainhash.Hash) (int32, bool) {
	if m.cfg.Filters == nil {
		m.penalize(p, badFilterRequestScore, cmd+" to a node that does not serve filters")
		return 0, false
	}
	if ftype != gcs.FilterTypeBasic {
		m.penalize(p, badFilterRequestScore, fmt.Sprintf("%s of unknown filter type %d", cmd, ftype))
		return 0, false
	}
	_, height, err := m.cfg.Chain.HeaderByHash(stop)
	if err != nil {
		m.penalize(p, badFilterRequestScore, fmt.Sprintf("%s up to unknown block %v", cmd, stop))
		return 0, false
	}
	tip, err := m.cfg.Filters.Height()
	if err != nil {
		m.log.Warn("filter index", "err", err)
		return 0, false
	}
	if height > tip {
		m.log.Debug("filter request above the filter index; not answered", "peer", p.ID, "cmd", cmd, "stop", stop, "height", height, "index", tip)
		return 0, false
	}
	return height, true
}

// filterRange answers the range part of getcfilters and getcfheaders.
func (m *Manager) filterRange(p *p2p.Peer, x *msg.GetCFilters, max int) ([]index.FilterEntry, chainhash.Hash, bool) {
	height, ok := m.filterStop(p, x.Cmd, x.FilterType, x.Stop)
	if !ok {
		return nil, chainhash.Hash{}, false
	}
	if x.StartHeight > math.MaxInt32 || int32(x.StartHeight) > height {
		m.penalize(p, badFilterRequestScore, fmt.Sprintf("%s from height %d above its stop block at %d", x.Cmd, x.StartHeight, height))
		return nil, chainhash.Hash{}, false
	}
	if n := int64(height) - int64(x.StartHeight) + 1; n > int64(max) {
		m.penalize(p, badFilterRequestScore, fmt.Sprintf("%s of %d blocks, limit %d", x.Cmd, n, max))
		return nil, chainhash.Hash{}, false
	}
	es, prev, err := m.cfg.Filters.Range(int32(x.StartHeight), x.Stop, max, x.Cmd == msg.CmdGetCFilters)
	switch {
	case errors.Is(err, index.ErrNotIndexed):
		m.penalize(p, badFilterRequestScore, fmt.Sprintf("%s up to block %v, not on our active chain", x.Cmd, x.Stop))
		return nil, chainhash.Hash{}, false
	case err != nil:
		// The chain moved between the checks (or worse): not the peer's
		// fault.
		m.log.Debug("filter request not answered", "peer", p.ID, "cmd", x.Cmd, "err", err)
		return nil, chainhash.Hash{}, false
	}
	return es, prev, true
}

// cfilterQueueCap is how many bytes may wait in a peer's send queue
// before a getcfilters answer stops: half of the TCP adapter's bound
// (16 MiB), so the answer never gets the asker dropped.
const cfilterQueueCap = 8 << 20

// onGetCFilters answers getcfilters (one cfilter per block) and
// getcfheaders (one cfheaders).
func (m *Manager) onGetCFilters(p *p2p.Peer, x *msg.GetCFilters) {
	if x.Cmd == msg.CmdGetCFilters {
		es, _, ok := m.filterRange(p, x, msg.MaxGetCFilters)
		if !ok {
			return
		}
		for _, e := range es {
			// Up to 1,000 filters of tens of KB each would pass the
			// peer's send queue bound, and the peer would be dropped
			// for asking an honest question: stop at half of it; the
			// client asks again for the blocks it still lacks.
			if p.SendQueued()+len(e.Filter) > cfilterQueueCap {
				m.log.Debug("cfilter reply cut at the send queue", "peer", p.ID, "block", e.Block)
				break
			}
			p.Send(&msg.CFilter{FilterType: x.FilterType, Block: e.Block, Filter: e.Filter})
		}
		return
	}
	es, prev, ok := m.filterRange(p, x, msg.MaxCFHeaders)
	if !ok {
		return
	}
	reply := &msg.CFHeaders{FilterType: x.FilterType, Stop: x.Stop, PrevHeader: prev, FilterHashes: make([]chainhash.Hash, len(es))}
	for i, e := range es {
		reply.FilterHashes[i] = e.FilterHash
	}
	p.Send(reply)
}

// onGetCFCheckpt answers getcfcheckpt.
func (m *Manager) onGetCFCheckpt(p *p2p.Peer, x *msg.GetCFCheckpt) {
	if _, ok := m.filterStop(p, msg.CmdGetCFCheckpt, x.FilterType, x.Stop); !ok {
		return
	}
	hs, err := m.cfg.Filters.Checkpoints(x.Stop, msg.CFCheckptInterval)
	switch {
	case errors.Is(err, index.ErrNotIndexed):
		m.penalize(p, badFilterRequestScore, fmt.Sprintf("%s up to block %v, not on our active chain", msg.CmdGetCFCheckpt, x.Stop))
		return
	case err != nil:
		m.log.Debug("filter request not answered", "peer", p.ID, "cmd", msg.CmdGetCFCheckpt, "err", err)
		return
	}
	p.Send(&msg.CFCheckpt{FilterType: x.FilterType, Stop: x.Stop, Headers: hs})
}
