package spv

import (
	"sync"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// testServer is a scripted full peer: it serves headers, blocks and
// BIP157 filters of a chain of blocks the test gives it. lie, when set,
// edits a block's filter elements before the filter is built: its
// filter headers follow its lies, as a real liar's would.
type testServer struct {
	mu      sync.Mutex
	host    *p2p.Host
	blocks  []*wire.MsgBlock
	byHash  map[chainhash.Hash]int32
	filters [][]byte
	fheads  []chainhash.Hash
	spent   map[wire.OutPoint][]byte // output scripts by outpoint
	lie     func(height int32, elems [][]byte) [][]byte
	gotTxs  []*wire.MsgTx
	peers   map[*p2p.Peer]bool
}

func newTestServer(genesis *wire.MsgBlock, lie func(int32, [][]byte) [][]byte) *testServer {
	s := &testServer{byHash: map[chainhash.Hash]int32{}, spent: map[wire.OutPoint][]byte{}, lie: lie, peers: map[*p2p.Peer]bool{}}
	s.setChain([]*wire.MsgBlock{genesis})
	return s
}

// setChain makes blks (from genesis) the server's chain.
func (s *testServer) setChain(blks []*wire.MsgBlock) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocks, s.filters, s.fheads = nil, nil, nil
	s.byHash = map[chainhash.Hash]int32{}
	for _, b := range blks {
		s.addLocked(b)
	}
}

func (s *testServer) addLocked(b *wire.MsgBlock) {
	h := int32(len(s.blocks))
	var spent [][]byte
	for i, tx := range b.Transactions {
		if i > 0 {
			for _, in := range tx.TxIn {
				spent = append(spent, s.spent[in.PreviousOutPoint])
			}
		}
		id := tx.TxHash()
		for j, o := range tx.TxOut {
			s.spent[wire.OutPoint{Hash: id, Index: uint32(j)}] = o.PkScript
		}
	}
	elems := gcs.BasicElements(b, spent)
	if s.lie != nil {
		elems = s.lie(h, elems)
	}
	f, err := gcs.Build(gcs.Basic, gcs.BlockKey(b.BlockHash()), elems)
	if err != nil {
		panic(err)
	}
	prev := chainhash.Hash{}
	if h > 0 {
		prev = s.fheads[h-1]
	}
	s.blocks = append(s.blocks, b)
	s.byHash[b.BlockHash()] = h
	s.filters = append(s.filters, f.Bytes())
	s.fheads = append(s.fheads, gcs.Header(f.Hash(), prev))
}

// announce sends the tip's header to every peer.
func (s *testServer) announce() {
	s.mu.Lock()
	defer s.mu.Unlock()
	tip := s.blocks[len(s.blocks)-1].Header
	for p := range s.peers {
		p.Send(&msg.Headers{List: []wire.BlockHeader{tip}})
	}
}

func (s *testServer) PeerReady(p *p2p.Peer) { s.mu.Lock(); s.peers[p] = true; s.mu.Unlock() }
func (s *testServer) PeerGone(p *p2p.Peer)  { s.mu.Lock(); delete(s.peers, p); s.mu.Unlock() }
func (s *testServer) Tick(time.Time)        {}

func (s *testServer) Receive(p *p2p.Peer, m msg.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m := m.(type) {
	case *msg.GetHeaders:
		start := int32(0)
		for _, h := range m.Locator {
			if x, ok := s.byHash[h]; ok {
				start = x
				break
			}
		}
		var out []wire.BlockHeader
		for h := start + 1; int(h) < len(s.blocks) && len(out) < msg.MaxHeaders; h++ {
			out = append(out, s.blocks[h].Header)
		}
		p.Send(&msg.Headers{List: out})
	case *msg.Inv:
		switch m.Cmd {
		case msg.CmdGetData:
			for _, v := range m.List {
				if h, ok := s.byHash[v.Hash]; ok && v.Type&^msg.InvWitnessFlag == msg.InvBlock {
					p.Send(&msg.Block{Block: s.blocks[h]})
				}
			}
		case msg.CmdInv:
			var want []msg.InvVect
			for _, v := range m.List {
				want = append(want, v)
			}
			p.Send(&msg.Inv{Cmd: msg.CmdGetData, List: want})
		}
	case *msg.Tx:
		s.gotTxs = append(s.gotTxs, m.Tx)
	case *msg.GetCFilters:
		stop, ok := s.byHash[m.Stop]
		if !ok || int32(m.StartHeight) > stop {
			return
		}
		switch m.Cmd {
		case msg.CmdGetCFHeaders:
			r := &msg.CFHeaders{Stop: m.Stop}
			if m.StartHeight > 0 {
				r.PrevHeader = s.fheads[m.StartHeight-1]
			}
			for h := int32(m.StartHeight); h <= stop; h++ {
				r.FilterHashes = append(r.FilterHashes, chainhash.DoubleHashH(s.filters[h]))
			}
			p.Send(r)
		case msg.CmdGetCFilters:
			for h := int32(m.StartHeight); h <= stop; h++ {
				p.Send(&msg.CFilter{Block: s.blocks[h].BlockHash(), Filter: s.filters[h]})
			}
		}
	}
}
