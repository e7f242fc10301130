package spv

import (
	"sort"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/store"
)

// fhRound is one batch of filter headers asked of every filter-serving
// peer (up to MaxFilterPeers) and cross-checked before it is committed.
type fhRound struct {
	start, stop int32 // heights (start = first new one)
	stopHash    chainhash.Hash
	asked       map[*p2p.Peer]bool
	got         map[*p2p.Peer][]chainhash.Hash // filter headers start..stop
	hashes      map[*p2p.Peer][]chainhash.Hash // filter hashes start..stop
	dispute     *dispute
}

// dispute settles the first height where the peers' filter headers
// differ: the block (checked against its header) and each side's filter
// (checked against the filter hash it committed to).
type dispute struct {
	height  int32
	hash    chainhash.Hash
	block   *blockFetch
	filters map[*p2p.Peer][]byte
	asked   map[*p2p.Peer]time.Time
}

func (r *fhRound) drop(p *p2p.Peer) {
	delete(r.asked, p)
	delete(r.got, p)
	delete(r.hashes, p)
	if r.dispute != nil {
		delete(r.dispute.asked, p)
		delete(r.dispute.filters, p)
	}
}

// driveFilterHeaders starts a round when the verified filter headers
// lag the header tip, ends one whose answers are in, and drives its
// dispute.
func (n *Node) driveFilterHeaders(now time.Time) {
	tip := n.hc.tip().height
	if n.round == nil {
		if int32(len(n.fh)) > tip {
			return
		}
		start := int32(len(n.fh))
		// Up to the best height a filter peer is known to have: a peer
		// asked for a block it does not have yet would not answer.
		reach := int32(-1)
		for _, s := range n.peers {
			if s.filters {
				reach = max(reach, s.height)
			}
		}
		stop := min(tip, start+msg.MaxCFHeaders-1, reach)
		if stop < start {
			return
		}
		for _, s := range n.peers {
			if s.filters && s.height < stop && now.Sub(n.tipAt) < FilterPeerGrace {
				return // a peer still behind: give it the grace
			}
		}
		r := &fhRound{start: start, stop: stop, stopHash: n.hc.main[stop].hash,
			asked: map[*p2p.Peer]bool{}, got: map[*p2p.Peer][]chainhash.Hash{}, hashes: map[*p2p.Peer][]chainhash.Hash{}}
		for _, p := range sortedPeers(n.peers) {
			s := n.peers[p]
			if !s.filters || len(r.asked) >= MaxFilterPeers || s.height < stop {
				continue
			}
			r.asked[p] = true
			s.cfhAsked = now
			p.Send(&msg.GetCFilters{Cmd: msg.CmdGetCFHeaders, FilterType: gcs.FilterTypeBasic, StartHeight: uint32(start), Stop: r.stopHash})
		}
		if len(r.asked) == 0 {
			return // no filter peer yet
		}
		n.round = r
		return
	}
	r := n.round
	// Peers that do not answer in time leave the round.
	for p := range r.asked {
		if _, ok := r.got[p]; !ok && now.Sub(n.peers[p].cfhAsked) > RequestTimeout {
			n.log.Debug("filter headers timed out", "addr", p.Addr)
			r.drop(p)
		}
	}
	if r.dispute != nil {
		n.driveDispute(r, now)
		return
	}
	if len(r.asked) == 0 {
		n.round = nil
		return
	}
	if len(r.got) < len(r.asked) {
		return
	}
	// Every peer asked answered: compare.
	var ref []chainhash.Hash
	var refPeer *p2p.Peer
	first := int32(-1)
	for p, hs := range r.got {
		if ref == nil {
			ref, refPeer = hs, p
			continue
		}
		for i := range hs {
			if hs[i] != ref[i] {
				if first < 0 || r.start+int32(i) < first {
					first = r.start + int32(i)
				}
				break
			}
		}
	}
	_ = refPeer
	if first < 0 {
		n.commitFilterHeaders(r.start, ref)
		n.round = nil
		n.driveFilterHeaders(now)
		return
	}
	n.log.Info("peers disagree on a filter header: checking the block", "height", first)
	d := &dispute{height: first, hash: n.hc.main[first].hash, filters: map[*p2p.Peer][]byte{}, asked: map[*p2p.Peer]time.Time{}}
	d.block = n.queueBlock(d.hash, true)
	for p := range r.got {
		d.asked[p] = now
		p.Send(&msg.GetCFilters{Cmd: msg.CmdGetCFilters, FilterType: gcs.FilterTypeBasic, StartHeight: uint32(first), Stop: d.hash})
	}
	r.dispute = d
}

// commitFilterHeaders stores verified filter headers from height start.
func (n *Node) commitFilterHeaders(start int32, hs []chainhash.Hash) {
	if int32(len(n.fh)) != start {
		return // the chain moved under the round
	}
	err := n.cfg.DB.Update(func(tx *store.Tx) error {
		b := tx.Bucket(bktFHeader)
		for i, h := range hs {
			height := start + int32(i)
			v := append(append(make([]byte, 0, 64), n.hc.main[height].hash[:]...), h[:]...)
			if err := b.Put(u32(height), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		n.log.Error("store filter headers", "err", err)
		return
	}
	n.fh = append(n.fh, hs...)
	n.stats.FilterHeaders += len(hs)
	n.log.Debug("filter headers verified", "height", len(n.fh)-1)
	n.notifyLocked()
}

// onCFHeaders records a peer's answer to the round: it must continue
// our verified chain (its previous header is ours) and cover the round.
func (n *Node) onCFHeaders(p *p2p.Peer, s *peerState, m *msg.CFHeaders, now time.Time) {
	r := n.round
	if r == nil || !r.asked[p] || r.got[p] != nil || m.Stop != r.stopHash || m.FilterType != gcs.FilterTypeBasic {
		return // late or unasked
	}
	want := int(r.stop - r.start + 1)
	if len(m.FilterHashes) != want {
		n.misbehave(p, 20, "cfheaders of the wrong length")
		r.drop(p)
		return
	}
	if m.PrevHeader != n.fh[r.start-1] {
		// Our verified chain was cross-checked (or the only one we had):
		// this peer's earlier headers differ from what we verified.
		n.banLiar(p, "filter header chain disagrees with the verified one")
		return
	}
	hs := make([]chainhash.Hash, want)
	prev := m.PrevHeader
	for i, fh := range m.FilterHashes {
		prev = gcs.Header(fh, prev)
		hs[i] = prev
	}
	r.got[p] = hs
	r.hashes[p] = m.FilterHashes
}

// onCFilter takes a filter: for a dispute, or for a filter fetch.
func (n *Node) onCFilter(p *p2p.Peer, s *peerState, m *msg.CFilter, now time.Time) {
	if m.FilterType != gcs.FilterTypeBasic {
		return
	}
	if r := n.round; r != nil && r.dispute != nil && m.Block == r.dispute.hash {
		if _, ok := r.dispute.asked[p]; ok {
			if _, have := r.dispute.filters[p]; !have {
				r.dispute.filters[p] = m.Filter
				return
			}
		}
	}
	n.onFetchedFilter(p, s, m, now)
}

// driveDispute judges the dispute once the block and the filters are in.
func (n *Node) driveDispute(r *fhRound, now time.Time) {
	d := r.dispute
	for p, at := range d.asked {
		if _, ok := d.filters[p]; !ok && now.Sub(at) > RequestTimeout {
			r.drop(p) // no answer: out of the round
		}
	}
	if d.block.err != nil {
		// Nobody served a block matching the header: start over.
		n.round = nil
		return
	}
	if d.block.blk == nil || len(d.filters) < len(d.asked) {
		return
	}
	i := d.height - r.start
	check := newBlockCheck(d.block.blk)
	banned := 0
	for _, p := range sortedPeers(d.filters) {
		raw := d.filters[p]
		if gcs.Header(chainhash.DoubleHashH(raw), prevOf(r, p, i, n.fh)) != r.got[p][i] {
			n.banLiar(p, "served a filter that is not the one its filter headers commit to")
			banned++
			continue
		}
		if why := check.verify(raw); why != "" {
			n.banLiar(p, "filter of block "+d.hash.String()+" "+why)
			banned++
		}
	}
	if banned == 0 {
		// No filter is proven wrong: the difference is in the spent
		// scripts, which the block shows only as likely candidates.
		// Take the side whose filter matches them, else the answer most
		// peers gave (the first peer's on a tie), and say so; ban no one.
		var best *p2p.Peer
		for _, p := range sortedPeers(d.filters) {
			if check.likely(d.filters[p]) {
				best = p
				break
			}
		}
		if best == nil {
			count := map[chainhash.Hash]int{}
			for _, p := range sortedPeers(r.got) {
				last := r.got[p][len(r.got[p])-1]
				count[last]++
				if best == nil || count[last] > count[r.got[best][len(r.got[best])-1]] {
					best = p
				}
			}
		}
		n.log.Warn("filter header dispute not settled by a proof: taking the likelier side", "height", d.height, "peer", best.Addr)
		n.commitFilterHeaders(r.start, r.got[best])
	}
	// Start the round again with the peers left (the liars are gone).
	n.round = nil
	for _, s := range n.peers {
		s.cfhAsked = time.Time{}
	}
}

// sortedPeers lists m's peers by id (deterministic choices).
func sortedPeers[V any](m map[*p2p.Peer]V) []*p2p.Peer {
	out := make([]*p2p.Peer, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// prevOf is the filter header before index i of p's answer.
func prevOf(r *fhRound, p *p2p.Peer, i int32, fh []chainhash.Hash) chainhash.Hash {
	if i == 0 {
		return fh[r.start-1]
	}
	return r.got[p][i-1]
}
