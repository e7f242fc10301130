package node

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// The node's event feed: it turns chain notifications, mempool and
// contract book changes and peer arrivals into the events of the RPC
// server's hub (rpc.Hub), which the WebSocket endpoint delivers. Chain
// notifications are handled synchronously in the chain's delivery:
// decoding stays cheap (one undo read per block, a registry read per
// moved prop) and publishing never waits for a client. Mempool, book and
// peer events are queued and published by one goroutine, so a burst (a
// block's transactions leaving the pool) goes out as one batch.

// recentBlocks is how many connected blocks' events the feed remembers
// to send their ".undone" forms on a reorg (the undo data that told
// who paid is gone by then), and maxRecentEvents bounds their events
// together (the newest block's are kept whatever their number): 100
// blocks of 2,000 transactions held ~300 MB. An older block's events are
// rebuilt from the block on a reorg, without the payers.
const (
	recentBlocks    = 100
	maxRecentEvents = 20_000
)

// maxPendingEvents bounds the mempool, book and peer events waiting for
// the publishing goroutine; beyond it they are dropped (logged).
const maxPendingEvents = 1 << 16

// eventFeed feeds the hub.
type eventFeed struct {
	hub    *rpc.Hub
	params *chaincfg.Params
	chain  *chain.Chain
	pool   *mempool.Pool
	log    *slog.Logger

	mu     sync.Mutex
	recent map[chainhash.Hash][]*rpc.HubEvent // a block's tx and game events
	order  []chainhash.Hash                   // recent's keys, oldest first
	// recentEvents counts the events in recent.
	recentEvents int
	stopped      bool // stopEvents ran (under the node's shutdown, once)

	pmu     sync.Mutex
	pending []*rpc.HubEvent
	dropped int
	kick    chan struct{}
	quit    chan struct{}
	wg      sync.WaitGroup
	cancel  []func()
	book    bool // listening to the contract book

	// noteNanos is the time spent in chain notifications (the feed's
	// share of the chain's delivery; benchmarks report it).
	noteNanos atomic.Int64
}

// events returns the node's event feed, creating it on first use (in
// New, before the mempool subscribes to the chain: a block's events
// then precede the mempool's reaction to the block).
func (n *Node) events() *eventFeed {
	if n.feed != nil {
		return n.feed
	}
	f := &eventFeed{hub: rpc.NewHub(rpc.HubConfig{}), params: n.cfg.Params, chain: n.Chain, pool: n.Mempool,
		log: n.log.With("sub", "events"), recent: map[chainhash.Hash][]*rpc.HubEvent{},
		kick: make(chan struct{}, 1), quit: make(chan struct{})}
	best := n.Chain.Best()
	f.hub.SetTip(rpc.HubTip{Height: best.Height, Hash: best.Hash})
	n.Chain.Subscribe(f.chainNote)
	f.cancel = append(f.cancel, n.Mempool.Listen(mempool.Listener{OnAccept: f.accepted, OnRemove: f.removed}))
	f.wg.Add(1)
	go f.run()
	n.feed = f
	return f
}

// Events returns the hub of the node's events (for metrics and tests).
func (n *Node) Events() *rpc.Hub { return n.events().hub }

// serveEvents serves the WebSocket endpoint with the node's events
// (the contract book's among them).
func (n *Node) serveEvents() {
	f := n.events()
	if n.Book != nil && !f.book {
		f.book = true
		f.cancel = append(f.cancel, n.Book.Listen(f.bookEvent))
	}
	n.rpc.ServeWebSocket(f.hub, rpc.WSConfig{Params: n.cfg.Params, PublicPath: ExplorerPrefix + "ws", Yield: func(ctx context.Context) {
		n.Chain.WaitIdle(ctx, EventYieldMax)
	}})
}

// EventYieldMax bounds how long the delivery of one event waits for the
// chain to finish processing a block. Event delivery yields to block
// processing: before each event a connection waits while a block is
// being processed, so consensus work gets the CPU first and subscribers
// take what it leaves (BenchmarkEventsBlockConnect: 100 subscribers to
// every transaction of 2,000-transaction blocks cost the connect rate
// nothing measurable; without the wait it fell to 15 %). During a sync,
// where blocks follow each other closely, a connection writes in the
// gaps between blocks; a subscriber whose queue then fills is dropped
// as any slow consumer, and resumes with since.
const EventYieldMax = 2 * time.Second

// stopEvents stops the feed's goroutine and listeners.
func (n *Node) stopEvents() {
	f := n.feed
	if f == nil || f.stopped {
		return
	}
	f.stopped = true // kept (not nil): a late events() must not build a second feed
	for _, c := range f.cancel {
		c()
	}
	close(f.quit)
	f.wg.Wait()
}

// run publishes the queued events, a batch at a time.
func (f *eventFeed) run() {
	defer f.wg.Done()
	for {
		select {
		case <-f.quit:
			return
		case <-f.kick:
		}
		f.pmu.Lock()
		evs, dropped := f.pending, f.dropped
		f.pending, f.dropped = nil, 0
		f.pmu.Unlock()
		if dropped > 0 {
			f.log.Warn("events dropped: publisher behind", "events", dropped)
		}
		f.hub.Publish(evs...)
	}
}

// queue hands events to the publishing goroutine.
func (f *eventFeed) queue(evs ...*rpc.HubEvent) {
	f.pmu.Lock()
	if len(f.pending)+len(evs) > maxPendingEvents {
		f.dropped += len(evs)
	} else {
		f.pending = append(f.pending, evs...)
	}
	f.pmu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// addr is the address of an output script ("" for none).
func (f *eventFeed) addr(pk []byte) string {
	if len(pk) == 0 {
		return ""
	}
	a, ok := address.FromPkScript(pk, f.params)
	if !ok {
		return ""
	}
	return a.String()
}

// chainNote handles a chain notification (synchronously).
func (f *eventFeed) chainNote(nt *chain.Notification) {
	if nt.Type != chain.NTBlockConnected && nt.Type != chain.NTBlockDisconnected {
		return
	}
	start := time.Now()
	defer func() { f.noteNanos.Add(int64(time.Since(start))) }()
	switch nt.Type {
	case chain.NTBlockConnected:
		f.blockConnected(nt)
	case chain.NTBlockDisconnected:
		f.blockDisconnected(nt)
	}
}

type blockData struct {
	Prev chainhash.Hash `json:"prev"`
	Time int64          `json:"time,omitempty"`
	Txs  int            `json:"txs,omitempty"`
}

type txData struct {
	TxID    chainhash.Hash `json:"txid"`
	Mempool bool           `json:"mempool,omitempty"`
}

func (f *eventFeed) blockConnected(nt *chain.Notification) {
	blk := nt.Block
	if blk == nil {
		return
	}
	prev := blk.Header.PrevBlock
	evs := []*rpc.HubEvent{{Topic: rpc.TopicBlocks, Type: rpc.EventBlockConnected, Height: nt.Height, Hash: nt.Hash, Prev: prev,
		Data: blockData{Prev: prev, Time: int64(blk.Header.Timestamp), Txs: len(blk.Transactions)}}}
	spent, err := f.chain.SpentOutputs(nt.Hash)
	if err != nil {
		spent = nil // disconnected meanwhile: the payers are unknown
	}
	var body []*rpc.HubEvent
	next := 0
	ids := nt.TxIDs
	if len(ids) != len(blk.Transactions) {
		ids = nil
	}
	for i, tx := range blk.Transactions {
		var ins []*chain.UtxoEntry
		if !tx.IsCoinBase() && spent != nil {
			if next+len(tx.TxIn) <= len(spent) {
				ins = spent[next : next+len(tx.TxIn)]
			}
			next += len(tx.TxIn)
		}
		var txid chainhash.Hash
		if ids != nil {
			txid = ids[i]
		} else {
			txid = tx.TxHash()
		}
		body = append(body, &rpc.HubEvent{Topic: rpc.TopicTxs, Type: "tx.confirmed", Data: txData{TxID: txid},
			Scripts: txScripts(tx, ins), Tx: tx})
		body = f.gameEvents(body, tx, txid, ins)
	}
	for _, e := range body {
		e.Height, e.Hash = nt.Height, nt.Hash
	}
	f.remember(nt.Hash, body)
	f.hub.Publish(append(evs, body...)...)
}

// txScripts are the output scripts tx pays and those its inputs spent
// (ins, when known), each once; data carriers are left out.
func txScripts(tx *wire.MsgTx, ins []*chain.UtxoEntry) [][]byte {
	out := make([][]byte, 0, len(tx.TxOut)+len(ins))
	add := func(pk []byte) {
		if len(pk) == 0 || pk[0] == script.OP_RETURN {
			return
		}
		for _, o := range out {
			if bytes.Equal(o, pk) {
				return
			}
		}
		out = append(out, pk)
	}
	for _, o := range tx.TxOut {
		add(o.PkScript)
	}
	for _, in := range ins {
		add(in.PkScript)
	}
	return out
}

func (f *eventFeed) remember(h chainhash.Hash, evs []*rpc.HubEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.recent[h]; ok {
		f.recentEvents -= len(old)
	} else {
		f.order = append(f.order, h)
	}
	f.recent[h] = evs
	f.recentEvents += len(evs)
	for len(f.order) > recentBlocks || f.recentEvents > maxRecentEvents && len(f.order) > 1 {
		f.recentEvents -= len(f.recent[f.order[0]])
		delete(f.recent, f.order[0])
		f.order = f.order[1:]
	}
}

func (f *eventFeed) forget(h chainhash.Hash) []*rpc.HubEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	evs, ok := f.recent[h]
	if ok {
		f.recentEvents -= len(evs)
		delete(f.recent, h)
		for i, o := range f.order {
			if o == h {
				f.order = append(f.order[:i:i], f.order[i+1:]...)
				break
			}
		}
	}
	return evs
}

// blockDisconnected publishes block.disconnected, then the block's
// events undone, newest first: tx.unconfirmed for its transactions and
// the ".undone" form of its game events.
func (f *eventFeed) blockDisconnected(nt *chain.Notification) {
	blk := nt.Block
	if blk == nil {
		return
	}
	prev := blk.Header.PrevBlock
	evs := []*rpc.HubEvent{{Topic: rpc.TopicBlocks, Type: rpc.EventBlockDisconnected, Height: nt.Height, Hash: nt.Hash, Prev: prev,
		Data: blockData{Prev: prev}}}
	done := f.forget(nt.Hash)
	if done == nil { // connected before this run: rebuild without the payers
		for _, tx := range blk.Transactions {
			txid := tx.TxHash()
			done = append(done, &rpc.HubEvent{Topic: rpc.TopicTxs, Type: "tx.confirmed", Data: txData{TxID: txid},
				Scripts: txScripts(tx, nil), Tx: tx})
			done = f.gameEvents(done, tx, txid, nil)
		}
	}
	for i := len(done) - 1; i >= 0; i-- {
		e := done[i]
		typ := e.Type + ".undone"
		if e.Topic == rpc.TopicTxs {
			typ = "tx.unconfirmed"
		}
		evs = append(evs, &rpc.HubEvent{Topic: e.Topic, Type: typ, Height: nt.Height, Hash: nt.Hash, Data: e.Data,
			Scripts: e.Scripts, Tx: e.Tx})
	}
	f.hub.Publish(evs...)
}

// producerData is the data of producer events.
type producerData struct {
	ID    game.ID        `json:"id"`
	Name  string         `json:"name"`
	Owner string         `json:"owner"`
	From  string         `json:"from,omitempty"`
	TxID  chainhash.Hash `json:"txid"`
}

// propData is the data of prop events.
type propData struct {
	ID       game.ID         `json:"id"`
	Producer *game.ID        `json:"producer,omitempty"`
	Owner    string          `json:"owner,omitempty"`
	From     string          `json:"from,omitempty"`
	TxID     chainhash.Hash  `json:"txid"`
	Price    int64           `json:"price,omitempty"`
	BidTxID  *chainhash.Hash `json:"bid_txid,omitempty"`
	Bidder   string          `json:"bidder,omitempty"`
	BuyNow   uint64          `json:"buy_now,omitempty"`
	Reserve  uint64          `json:"reserve,omitempty"`
	End      uint32          `json:"end,omitempty"`
	Mempool  bool            `json:"mempool,omitempty"`
}

// contractData is the data of contract events.
type contractData struct {
	ID      game.ID         `json:"id"`
	TxID    *chainhash.Hash `json:"txid,omitempty"`
	A       string          `json:"a,omitempty"`
	B       string          `json:"b,omitempty"`
	Path    string          `json:"path,omitempty"`
	Mempool bool            `json:"mempool,omitempty"`
}

// carrier returns the script of the input (of ins) that carried obj.
func carrier(ins []*chain.UtxoEntry, obj game.Object) []byte {
	for _, in := range ins {
		if len(in.Game) == 0 {
			continue
		}
		if o, err := game.DecodeObject(in.Game); err == nil && o == obj {
			return in.PkScript
		}
	}
	return nil
}

// propProducer returns the producer of a prop, from the registry.
func (f *eventFeed) propProducer(id game.ID) *game.ID {
	p, err := f.chain.Prop(id)
	if err != nil || p == nil {
		return nil
	}
	return &p.Producer
}

func (f *eventFeed) propEvent(typ string, d propData, scripts ...[]byte) *rpc.HubEvent {
	var sc [][]byte
	for _, s := range scripts {
		if len(s) > 0 {
			sc = append(sc, s)
		}
	}
	return &rpc.HubEvent{Topic: rpc.TopicProps, Type: typ, Data: d, Scripts: sc}
}

// gameEvents appends the game events of a confirmed transaction; ins
// are the outputs its inputs spent (nil when unknown: no "from").
func (f *eventFeed) gameEvents(evs []*rpc.HubEvent, tx *wire.MsgTx, txid chainhash.Hash, ins []*chain.UtxoEntry) []*rpc.HubEvent {
	objs := game.AnnotateTxid(tx, txid)
	if objs == nil {
		return evs
	}
	rec, _, err := game.FindRecord(tx)
	if err != nil || rec == nil {
		return evs
	}
	out := func(i uint32) []byte {
		if int64(i) < int64(len(tx.TxOut)) {
			return tx.TxOut[i].PkScript
		}
		return nil
	}
	// moves emits prop.sent and prop.received for each prop an output
	// carries that an input carried before.
	moves := func() {
		for i, o := range objs {
			if o.Kind != game.KindProp {
				continue
			}
			owner, from := tx.TxOut[i].PkScript, carrier(ins, o)
			d := propData{ID: o.ID, Producer: f.propProducer(o.ID), Owner: f.addr(owner), From: f.addr(from), TxID: txid}
			evs = append(evs, f.propEvent("prop.sent", d, owner, from), f.propEvent("prop.received", d, owner, from))
		}
	}
	switch r := rec.(type) {
	case *game.ProducerRegister:
		owner := out(r.Out)
		evs = append(evs, &rpc.HubEvent{Topic: rpc.TopicProducers, Type: "producer.registered", Scripts: [][]byte{owner},
			Data: producerData{ID: game.ProducerID(txid, r.Out), Name: r.Name, Owner: f.addr(owner), TxID: txid}})
	case *game.ProducerChange:
		owner, from := out(r.Out), carrier(ins, game.Object{Kind: game.KindProducer, ID: r.Producer})
		typ, d := "producer.changed", producerData{ID: r.Producer, Name: r.Name, Owner: f.addr(owner), TxID: txid}
		if from != nil && !bytes.Equal(from, owner) {
			typ, d.From = "producer.transferred", f.addr(from)
		}
		evs = append(evs, &rpc.HubEvent{Topic: rpc.TopicProducers, Type: typ, Scripts: [][]byte{owner}, Data: d})
	case *game.PropCreate:
		for _, p := range r.Props {
			owner := out(p.Out)
			producer := r.Producer
			evs = append(evs, f.propEvent("prop.created", propData{ID: game.PropID(txid, p.Out), Producer: &producer,
				Owner: f.addr(owner), TxID: txid}, owner))
		}
	case *game.PropSend:
		moves()
	case *game.PropDestroy:
		for _, id := range r.Props {
			from := carrier(ins, game.Object{Kind: game.KindProp, ID: id})
			evs = append(evs, f.propEvent("prop.destroyed", propData{ID: id, Producer: f.propProducer(id),
				Owner: f.addr(from), From: f.addr(from), TxID: txid}, from))
		}
	case *game.Sale:
		if len(tx.TxOut) >= 3 {
			owner, from := out(2), out(1) // output 1 pays the seller's script
			evs = append(evs, f.propEvent("prop.settled", propData{ID: r.Prop, Producer: f.propProducer(r.Prop),
				Owner: f.addr(owner), From: f.addr(from), TxID: txid, Price: tx.TxOut[1].Value}, owner, from))
		}
	case *game.ContractFulfil:
		if id, err := game.ContractID(&r.Terms); err == nil {
			a, b := game.P2WPKHOf(r.Terms.AKey), game.P2WPKHOf(r.Terms.BKey)
			evs = append(evs, &rpc.HubEvent{Topic: rpc.TopicContracts, Type: "contract.fulfilled", Scripts: [][]byte{a, b},
				Data: contractData{ID: id, TxID: &txid, A: f.addr(a), B: f.addr(b)}})
		}
		moves()
	case *game.ContractExecute:
		evs = append(evs, &rpc.HubEvent{Topic: rpc.TopicContracts, Type: "contract.executed",
			Data: contractData{ID: r.Contract, TxID: &txid, Path: r.Path.String()}})
		moves()
	}
	return evs
}

// Mempool events.

type acceptedData struct {
	TxID    chainhash.Hash `json:"txid"`
	WTxID   chainhash.Hash `json:"wtxid"`
	Fee     int64          `json:"fee"`
	VSize   int64          `json:"vsize"`
	Mempool bool           `json:"mempool"`
}

type removedData struct {
	TxID    chainhash.Hash `json:"txid"`
	Reason  string         `json:"reason"`
	Mempool bool           `json:"mempool"`
}

// prevScripts returns the scripts tx's inputs spend, from the chain's
// coins or the pool's transactions (nil entries when unknown).
func (f *eventFeed) prevScripts(tx *wire.MsgTx) []*chain.UtxoEntry {
	ins := make([]*chain.UtxoEntry, 0, len(tx.TxIn))
	for _, in := range tx.TxIn {
		op := in.PreviousOutPoint
		if e, err := f.chain.FetchUtxoEntry(op); err == nil && e != nil {
			ins = append(ins, e)
			continue
		}
		if d, ok := f.pool.Fetch(op.Hash); ok && int(op.Index) < len(d.Tx.TxOut) {
			ins = append(ins, &chain.UtxoEntry{Amount: d.Tx.TxOut[op.Index].Value, PkScript: d.Tx.TxOut[op.Index].PkScript})
		}
	}
	return ins
}

func (f *eventFeed) accepted(d *mempool.TxDesc) {
	ins := f.prevScripts(d.Tx)
	evs := []*rpc.HubEvent{
		{Topic: rpc.TopicMempool, Type: "tx.accepted", Tx: d.Tx,
			Data: acceptedData{TxID: d.TxID, WTxID: d.WTxID, Fee: d.Fee, VSize: d.VSize, Mempool: true}},
		{Topic: rpc.TopicTxs, Type: "tx.mempool", Tx: d.Tx, Scripts: txScripts(d.Tx, ins),
			Data: txData{TxID: d.TxID, Mempool: true}},
	}
	if sale, bid, ok := game.SaleOf(d.Tx); ok && game.IsListing(d.Tx) && bid == 0 {
		var seller []byte
		if len(ins) > 0 {
			seller = ins[0].PkScript
		}
		evs = append(evs, f.propEvent("prop.listed", propData{ID: sale.Prop, Producer: f.propProducer(sale.Prop),
			Owner: f.addr(seller), TxID: d.TxID, BuyNow: sale.BuyNow, Reserve: sale.Reserve, End: sale.End, Mempool: true}, seller))
	}
	f.queue(evs...)
}

func (f *eventFeed) removed(d *mempool.TxDesc, reason mempool.RemoveReason) {
	evs := []*rpc.HubEvent{{Topic: rpc.TopicMempool, Type: "tx.removed",
		Data: removedData{TxID: d.TxID, Reason: reason.String(), Mempool: true}}}
	if sale, bid, ok := game.SaleOf(d.Tx); ok && reason == mempool.RemoveReplaced && bid > 0 && len(d.Tx.TxOut) >= 3 {
		bidder, seller := d.Tx.TxOut[2].PkScript, d.Tx.TxOut[1].PkScript
		txid := d.TxID
		evs = append(evs, f.propEvent("prop.outbid", propData{ID: sale.Prop, Producer: f.propProducer(sale.Prop),
			Owner: f.addr(seller), TxID: txid, Price: bid, BidTxID: &txid, Bidder: f.addr(bidder), Mempool: true}, bidder, seller))
	}
	f.queue(evs...)
}

// bookEvent turns a contract book change into a contracts event.
func (f *eventFeed) bookEvent(e mempool.BookEvent) {
	var typ string
	switch e.Kind {
	case "published", "signed", "expired", "withdrawn":
		typ = "contract." + e.Kind
	default:
		return // "fulfilled": the block's contract.fulfilled tells
	}
	t := &e.Offer.Terms
	a, b := game.P2WPKHOf(t.AKey), game.P2WPKHOf(t.BKey)
	f.queue(&rpc.HubEvent{Topic: rpc.TopicContracts, Type: typ, Scripts: [][]byte{a, b},
		Data: contractData{ID: e.Offer.ID, A: f.addr(a), B: f.addr(b), Mempool: true}})
}

// peerData is the data of peer events.
type peerData struct {
	ID      uint64 `json:"id"`
	Addr    string `json:"addr"`
	Inbound bool   `json:"inbound"`
}

// peerEvents wraps the P2P protocol to publish peer.connected when a
// handshake completes and peer.disconnected when such a peer goes. Its
// methods run on the P2P loop.
type peerEvents struct {
	p2p.Protocol
	feed  *eventFeed
	ready map[uint64]bool
}

// withPeerEvents returns proto publishing the node's peer events.
func (n *Node) withPeerEvents(proto p2p.Protocol) p2p.Protocol {
	return &peerEvents{Protocol: proto, feed: n.events(), ready: map[uint64]bool{}}
}

func (pe *peerEvents) PeerReady(p *p2p.Peer) {
	pe.Protocol.PeerReady(p)
	pe.ready[p.ID] = true
	pe.feed.queue(&rpc.HubEvent{Topic: rpc.TopicPeers, Type: "peer.connected",
		Data: peerData{ID: p.ID, Addr: p.Addr.String(), Inbound: p.Inbound}})
}

func (pe *peerEvents) PeerGone(p *p2p.Peer) {
	pe.Protocol.PeerGone(p)
	if !pe.ready[p.ID] {
		return
	}
	delete(pe.ready, p.ID)
	pe.feed.queue(&rpc.HubEvent{Topic: rpc.TopicPeers, Type: "peer.disconnected",
		Data: peerData{ID: p.ID, Addr: p.Addr.String(), Inbound: p.Inbound}})
}
