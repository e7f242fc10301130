package netsim

import (
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/netip"
	"sort"
	"sync/atomic"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/netsync"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// The modelled block validation per transaction, from lib/chain's
// BenchmarkConnectBlock (docs/performance.md, btcec backend, CPU time
// per transaction on the loaded 2-core machine): 57 µs with the
// transaction's signatures cached by the mempool (warm), 218 µs without
// (cold). A 2,000-transaction block whose transactions were all in the
// pool takes 114 ms.
const (
	DefaultValidationWarmPerTx = 57 * time.Microsecond
	DefaultValidationColdPerTx = 218 * time.Microsecond
)

// Epoch is the virtual time a simulation starts at.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const listenPort = 8333

// Sim is one simulation run.
type Sim struct {
	sc  *Scenario
	net *p2p.SimNet
	// The engine's own choices, one stream each, so that a switch which
	// changes the traffic (compact blocks off) leaves the blocks' and
	// transactions' times and places as they were: the world (regions,
	// power, address books), jitter, mining, transactions.
	rng, jitter, mining, txgen *mrand.Rand
	// Faults draw from their own streams: the partition's sides and
	// churn from one, message loss from another.
	faultRng, lossRng *mrand.Rand
	faults            faultState
	floodEnd          time.Time // an eclipse attacker's flood ends
	selfish           *selfishState
	params            *chaincfg.Params
	nodes             []*simNode
	byAddr            map[netip.Addr]*simNode
	byHost            map[*p2p.Host]*simNode
	links             map[[2]int32]*linkState
	power             []float64 // cumulative mining power

	measuring  bool
	stopMining time.Time
	start      time.Time // of measurement
	blocks     []*blockRec
	byHash     map[chainhash.Hash]*blockRec
	bytes      map[string]*cmdBytes
	compact    CompactStats
	txs        int
	txRecs     []*txRec                  // in creation order
	txByID     map[chainhash.Hash]*txRec // those not yet in every pool
	txNeed     [len(shares)]int          // nodes per share of shares
	// Progress, when set, hears a line now and then (stderr in the tool).
	Progress func(string)
	stop     atomic.Bool
}

// Stop makes Run end at its next progress step and report what it
// measured so far (the report says it stopped early); it may be called
// from another goroutine.
func (s *Sim) Stop() { s.stop.Store(true) }

type cmdBytes struct{ msgs, bytes uint64 }

type linkState struct {
	busy time.Time // the link's upload queue is busy until
	last time.Time // the last arrival, which no message may precede
}

// txRec is a transaction's relay: when it was created, how many pools
// have it, and when each share of shares was reached (since created; -1
// until then).
type txRec struct {
	txid    chainhash.Hash
	created time.Time
	have    int
	at      [len(shares)]time.Duration
}

// txSeen notes that a node's pool took a transaction.
func (s *Sim) txSeen(txid chainhash.Hash) {
	t := s.txByID[txid]
	if t == nil {
		return
	}
	t.have++
	for i, k := range s.txNeed {
		if t.have == k {
			t.at[i] = s.net.Now().Sub(t.created)
		}
	}
	if t.have >= len(s.nodes) {
		delete(s.txByID, txid)
	}
}

type blockRec struct {
	hash   chainhash.Hash
	height int32
	miner  int
	mined  time.Time
	tmpl   time.Time       // the miner's template it was built from
	at     []time.Duration // per node, since mined; -1 until validated there
	have   int
}

type simNode struct {
	i      int
	sim    *Sim
	addr   netip.AddrPort
	region int
	up     float64 // bits per second
	down   float64
	upBusy time.Time // shared uplink busy until
	chain  *simChain
	pool   *simPool
	host   *p2p.Host
	sync   *netsync.Manager
	// how blocks reached it, for the compact-block figures
	gotCmpct  map[chainhash.Hash]bool
	askedTxn  map[chainhash.Hash]bool
	askedFull map[chainhash.Hash]bool
	// tipAt is when its tip last changed (a new block template)
	tipAt time.Time
	// churn
	offline    bool
	backAt     time.Time
	backTarget int32
	catchingUp bool
	// attacker: the selfish miner's node
	attacker bool
}

// New builds the network of a scenario: nodes in regions, each with a
// real p2p.Host and netsync.Manager, an address book seeded with random
// peers, no connections yet.
func New(sc *Scenario) *Sim { return newSim(sc, nil) }

// newSim is New with a hook that may change each node's Host
// configuration and address book before the Host is made (the eclipse
// trials' countermeasure switches).
func newSim(sc *Scenario, hook func(n *simNode, cfg *p2p.Config, book *p2p.AddrBook)) *Sim {
	params := *chaincfg.RegTestParams
	if sc.BlockInterval.Duration > 0 {
		params.TargetTimePerBlock = sc.BlockInterval.Duration // the peers' stale-tip wait is three of these
	}
	s := &Sim{sc: sc, net: p2p.NewSimNet(Epoch), rng: mrand.New(mrand.NewPCG(sc.Seed, 0x6e657473696d)),
		jitter: mrand.New(mrand.NewPCG(sc.Seed, 1)), mining: mrand.New(mrand.NewPCG(sc.Seed, 2)), txgen: mrand.New(mrand.NewPCG(sc.Seed, 3)),
		params: &params, byAddr: map[netip.Addr]*simNode{}, byHost: map[*p2p.Host]*simNode{}, links: map[[2]int32]*linkState{},
		byHash: map[chainhash.Hash]*blockRec{}, bytes: map[string]*cmdBytes{},
		faultRng: mrand.New(mrand.NewPCG(sc.Seed, 4)), lossRng: mrand.New(mrand.NewPCG(sc.Seed, 5))}
	f := sc.Faults
	s.faults.on = f.Loss > 0 || f.Partition != nil || f.Churn != nil
	s.net.TickEvery = sc.Tick.Duration
	s.net.ShareDecoded = true
	if sc.Attackers.Eclipse == nil {
		// (An eclipse trial's restarts and refills keep every tick.)
		s.net.IdleTickEvery = sc.IdleTick.Duration
		s.net.Quiet = s.quiet
	}
	s.net.Latency = func(a, b netip.AddrPort) time.Duration { return s.latency(s.byAddr[a.Addr()], s.byAddr[b.Addr()]) }
	s.net.Transit = s.transit
	total := 0.0
	for i := 0; i < sc.Nodes; i++ {
		n := &simNode{i: i, sim: s, addr: nodeAddr(i), tipAt: Epoch, gotCmpct: map[chainhash.Hash]bool{},
			askedTxn: map[chainhash.Hash]bool{}, askedFull: map[chainhash.Hash]bool{}}
		n.region = pick(s.rng, RegionShare[:])
		n.up, n.down = UploadBps[n.region], DownloadBps[n.region]
		total += max(1, MiningPowerMean+MiningPowerStdev*s.rng.NormFloat64())
		s.power = append(s.power, total)
		s.nodes = append(s.nodes, n)
		s.byAddr[n.addr.Addr()] = n
	}
	for _, n := range s.nodes {
		s.setup(n, hook)
	}
	if f := sc.Attackers.Selfish; f != nil {
		s.setupSelfish(f.Alpha)
	}
	return s
}

// nodeAddr gives node i a public IPv4 address in a /16 of its own (a
// network group of its own, so outbound diversity rules do not bind).
func nodeAddr(i int) netip.AddrPort {
	first := 11 + i/250
	for _, skip := range []int{127, 169, 172, 192} {
		if first >= skip {
			first++
		}
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{byte(first), byte(i%250 + 1), 0, 1}), listenPort)
}

func pick(r *mrand.Rand, shares []float64) int {
	x := r.Float64()
	for i, w := range shares {
		if x < w {
			return i
		}
		x -= w
	}
	return len(shares) - 1
}

func (s *Sim) setup(n *simNode, hook func(n *simNode, cfg *p2p.Config, book *p2p.AddrBook)) {
	sc := s.sc
	n.chain = newSimChain(n, s.params.GenesisBlock)
	n.pool = newSimPool(n)
	n.sync = netsync.New(netsync.Config{Chain: n.chain, Mempool: n.pool})
	var key [32]byte
	for i := 0; i < 4; i++ {
		v := s.rng.Uint64()
		for j := 0; j < 8; j++ {
			key[i*8+j] = byte(v >> (8 * j))
		}
	}
	book := p2p.NewAddrBookKeyed("", false, key)
	var seeds []p2p.KnownAddr
	for len(seeds) < sc.Seeds && len(seeds) < sc.Nodes-1 {
		j := s.rng.IntN(sc.Nodes)
		if j == n.i {
			continue
		}
		seeds = append(seeds, p2p.KnownAddr{Addr: nodeAddr(j), Services: msg.SFNodeNetwork | msg.SFNodeWitness, Seen: Epoch})
	}
	book.Add(seeds, netip.AddrFrom4([4]byte{8, 8, 4, 4}), Epoch)
	var dialer p2p.Dialer = s.net.Dialer(n.addr)
	if s.faults.on {
		dialer = &faultDialer{n: n, inner: dialer}
	}
	cfg := p2p.Config{Params: s.params, Clock: s.net.Clock(), Dialer: dialer, Protocol: n.sync,
		Services: msg.SFNodeNetwork | msg.SFNodeWitness, BestHeight: func() int32 { return n.chain.tip.height },
		MaxOutbound: sc.Outbound, ListenPort: listenPort, Book: book,
		Rand: mrand.New(mrand.NewPCG(sc.Seed, uint64(n.i)+1)), Nonce: uint64(n.i) + 1, TestNoFeelers: !*sc.Feelers}
	if !*sc.StaleTip {
		cfg.StaleTipAfter = -1
	}
	if hook != nil {
		hook(n, &cfg, book)
	}
	n.host = p2p.NewHost(cfg)
	s.byHost[n.host] = n
	n.sync.SetHost(n.host)
	s.net.Add(n.addr, n.host)
	if !*sc.CompactBlocks {
		// No peer learns that it speaks BIP152: blocks go whole.
		p2p.SimDropFrom(s.net, n.addr, func(m msg.Message) bool { return m.Command() == msg.CmdSendCmpct })
	}
}

// quiet reports whether a Host may skip its ticks (p2p.SimNet.Quiet): it
// is a node online with its outbound slots filled whose netsync has
// nothing pending.
func (s *Sim) quiet(h *p2p.Host) bool {
	n := s.byHost[h]
	return n != nil && !n.offline && !n.attacker && n.sync.ReadyOutbound() >= s.sc.Outbound && n.sync.Quiet()
}

// latency is the one-way delay between two nodes' regions, plus jitter.
func (s *Sim) latency(a, b *simNode) time.Duration {
	if a == nil || b == nil {
		return time.Millisecond
	}
	ms := LatencyMs[a.region][b.region] * (1 + *s.sc.Jitter*s.jitter.Float64())
	return time.Duration(ms * float64(time.Millisecond))
}

// transit is a message's delay (p2p.SimNet.Transit): it waits for the
// link's earlier messages (or, with SharedUplink, the sender's) and for
// the sender to finish validating the blocks it has taken, takes
// size ÷ min(sender's upload, receiver's download) to send, then the
// latency; it never arrives before the link's previous message.
func (s *Sim) transit(from, to netip.AddrPort, m msg.Message, size int) time.Duration {
	a, b := s.byAddr[from.Addr()], s.byAddr[to.Addr()]
	now := s.net.Now()
	key := [2]int32{int32(a.i), int32(b.i)}
	l := s.links[key]
	if l == nil {
		l = &linkState{}
		s.links[key] = l
	}
	start := now
	if l.busy.After(start) {
		start = l.busy
	}
	if s.sc.SharedUplink && a.upBusy.After(start) {
		start = a.upBusy
	}
	if a.chain.busy.After(start) {
		start = a.chain.busy // still validating a block
	}
	done := start.Add(time.Duration(float64(size) * 8 / min(a.up, b.down) * float64(time.Second)))
	l.busy = done
	if s.sc.SharedUplink {
		a.upBusy = done
	}
	lat := s.latency(a, b)
	arrive := done.Add(lat)
	if s.faults.on {
		arrive = s.faultArrival(a, b, arrive, lat)
	}
	if arrive.Before(l.last) {
		arrive = l.last
	}
	l.last = arrive
	s.observe(a, b, m, size, arrive)
	return arrive.Sub(now)
}

// observe counts bytes by command and notes how blocks travel.
func (s *Sim) observe(a, b *simNode, m msg.Message, size int, arrive time.Time) {
	if !s.measuring {
		return
	}
	c := s.bytes[m.Command()]
	if c == nil {
		c = &cmdBytes{}
		s.bytes[m.Command()] = c
	}
	c.msgs++
	c.bytes += uint64(size)
	switch x := m.(type) {
	case *msg.CmpctBlock:
		h := x.Header.BlockHash()
		s.net.At(arrive, func() { b.gotCmpct[h] = true })
	case *msg.GetBlockTxn:
		a.askedTxn[x.Block] = true
	case *msg.Inv:
		if x.Cmd == msg.CmdGetData {
			for _, v := range x.List {
				if v.Type == msg.InvBlock || v.Type == msg.InvWitnessBlock {
					a.askedFull[v.Hash] = true
				}
			}
		}
	}
}

// blockArrived classifies how a block's data reached n.
func (s *Sim) blockArrived(n *simNode, b *bnode) {
	r := s.byHash[b.hash]
	if r == nil || r.miner == n.i {
		return
	}
	switch {
	case n.askedFull[b.hash]:
		s.compact.FullBlock++
	case n.askedTxn[b.hash]:
		s.compact.WithGetBlockTxn++
	case n.gotCmpct[b.hash]:
		s.compact.NoRoundTrip++
	default:
		s.compact.FullBlock++
	}
	delete(n.askedFull, b.hash)
	delete(n.askedTxn, b.hash)
	delete(n.gotCmpct, b.hash)
}

// blockValid records when n has validated a block.
func (s *Sim) blockValid(n *simNode, b *bnode, done time.Time) {
	r := s.byHash[b.hash]
	if r == nil || r.at[n.i] >= 0 {
		return
	}
	r.at[n.i] = done.Sub(r.mined)
	r.have++
}

// connected is the chain's note that b joined n's best chain.
func (n *simNode) connected(b *bnode) {
	n.pool.blockConnected(b.blk)
	s := n.sim
	n.tipAt = s.net.Now()
	s.net.After(0, func() {
		if n.chain.tip == b {
			n.sync.BlockConnected(b.blk)
		}
	})
}

func (n *simNode) txAccepted(d *mempool.TxDesc) {
	n.sim.net.After(0, func() { n.sync.TxAccepted(d) })
}

// Run simulates the scenario and reports.
func (s *Sim) Run() *Report {
	sc := s.sc
	if sc.Attackers.Eclipse != nil {
		return s.runEclipse()
	}
	s.progress("warmup %v: %d nodes connecting", sc.Warmup.Duration, sc.Nodes)
	s.net.RunFor(sc.Warmup.Duration)
	s.measuring = true
	s.start = s.net.Now()
	s.stopMining = s.start.Add(sc.Duration.Duration)
	if s.faults.on {
		s.startFaults()
	}
	s.net.After(expo(s.mining, sc.BlockInterval.Seconds()), s.mine)
	if s.selfish != nil {
		s.net.After(sc.Duration.Duration, s.selfishEnd)
	}
	if sc.TxRate > 0 {
		s.net.After(expo(s.txgen, 1/sc.TxRate), s.newTx)
	}
	for end := s.stopMining.Add(sc.Drain.Duration); s.net.Now().Before(end); {
		if s.stop.Load() {
			s.progress("stopped early at %v", s.net.Now().Sub(s.start).Round(time.Second))
			r := s.report()
			r.StoppedEarly = true
			return r
		}
		step := min(end.Sub(s.net.Now()), max(sc.Duration.Duration/20, time.Second))
		s.net.RunFor(step)
		s.progress("%v of %v simulated: %d blocks, %d transactions", s.net.Now().Sub(s.start).Round(time.Second),
			sc.Duration.Duration+sc.Drain.Duration, len(s.blocks), s.txs)
	}
	return s.report()
}

func (s *Sim) progress(format string, args ...any) {
	if s.Progress != nil {
		s.Progress(fmt.Sprintf(format, args...))
	}
}

// expo draws from r an exponential delay of the given mean in seconds.
func expo(r *mrand.Rand, mean float64) time.Duration {
	return time.Duration(r.ExpFloat64() * mean * float64(time.Second))
}

// mine finds the next block at a node drawn by mining power; the block
// holds the node's pool in arrival order up to the block size.
func (s *Sim) mine() {
	now := s.net.Now()
	if !now.Before(s.stopMining) {
		return
	}
	defer s.net.After(expo(s.mining, s.sc.BlockInterval.Seconds()), s.mine)
	x := s.mining.Float64() * s.power[len(s.power)-1]
	n := s.nodes[sort.SearchFloat64s(s.power, x)]
	if n.offline {
		// An offline miner's power is lost while it is away (drawing
		// again would hand it to the others, and never end once churn
		// has every node offline).
		return
	}
	if n.attacker {
		s.selfishMined(now)
		return
	}
	tip := n.chain.tip
	s.honestMinedInTie(tip)
	cb := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: math.MaxUint32},
		SignatureScript: heightScript(tip.height+1, s.mining.Uint64()), Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: 50_0000_0000, PkScript: payScript}}}
	txs := []*wire.MsgTx{cb}
	size := 80 + 3 + cb.SerializeSize()
	// The template: the pool as it was when the tip last changed, or at
	// the last refresh since.
	tmpl := n.tipAt.Add(now.Sub(n.tipAt).Truncate(s.sc.TemplateRefresh.Duration))
	for _, d := range n.pool.MiningDescs() {
		if d.Added.After(tmpl) {
			break // arrival order: the rest came later too
		}
		ts := d.Tx.SerializeSize()
		if size+ts > s.sc.BlockSize {
			break
		}
		size += ts
		txs = append(txs, d.Tx)
	}
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: 0x20000000, PrevBlock: tip.hash,
		Timestamp: uint32(now.Unix()), Bits: s.params.GenesisBlock.Header.Bits, Nonce: s.mining.Uint32()}, Transactions: txs}
	// A block is whole: BIP141's commitment to its witnesses, as a
	// relaying node checks a compact block's body before passing it on.
	chaingen.UpdateWitnessCommitment(blk)
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(txs)
	b, _ := n.chain.addHeader(blk.Header)
	b.blk = blk
	s.record(blk, b.height, n.i, now)
	s.blocks[len(s.blocks)-1].tmpl = tmpl
	b.queued = true // the miner validated it as it built it
	n.chain.validated(b, now)
}

// record notes a newly mined block for the report.
func (s *Sim) record(blk *wire.MsgBlock, height int32, miner int, now time.Time) {
	r := &blockRec{hash: blk.BlockHash(), height: height, miner: miner, mined: now, at: make([]time.Duration, len(s.nodes))}
	for i := range r.at {
		r.at[i] = -1
	}
	s.blocks = append(s.blocks, r)
	s.byHash[r.hash] = r
}

var payScript = append([]byte{0x00, 0x14}, make([]byte, 20)...)

func heightScript(h int32, extra uint64) []byte {
	out := []byte{4, byte(h), byte(h >> 8), byte(h >> 16), byte(h >> 24), 8}
	for i := 0; i < 8; i++ {
		out = append(out, byte(extra>>(8*i)))
	}
	return out
}

// newTx creates a transaction of the scenario's size at a random node.
func (s *Sim) newTx() {
	now := s.net.Now()
	if !now.Before(s.stopMining) {
		return
	}
	defer s.net.After(expo(s.txgen, 1/s.sc.TxRate), s.newTx)
	n := s.nodes[s.txgen.IntN(len(s.nodes))]
	if n.offline {
		return // its users' transactions wait for it (no endless redraw)
	}
	var prev chainhash.Hash
	for i := 0; i < 4; i++ {
		v := s.txgen.Uint64()
		for j := 0; j < 8; j++ {
			prev[i*8+j] = byte(v >> (8 * j))
		}
	}
	tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: prev}, Sequence: wire.MaxTxInSequenceNum,
		Witness: wire.TxWitness{nil}}}, TxOut: []*wire.TxOut{{Value: 10_000, PkScript: payScript}}}
	fill := s.sc.TxSize - tx.SerializeSize()
	for k := 0; k < 2 && fill > 0; k++ { // the witness item's length prefix grows with it
		tx.TxIn[0].Witness[0] = make([]byte, len(tx.TxIn[0].Witness[0])+fill)
		fill = s.sc.TxSize - tx.SerializeSize()
	}
	s.txs++
	if s.txByID == nil {
		s.txByID = map[chainhash.Hash]*txRec{}
		for i, pct := range shares {
			s.txNeed[i] = int(math.Ceil(float64(pct) / 100 * float64(len(s.nodes))))
		}
	}
	t := &txRec{txid: tx.TxHash(), created: now}
	for i := range t.at {
		t.at[i] = -1
	}
	s.txRecs = append(s.txRecs, t)
	s.txByID[t.txid] = t
	if _, err := n.pool.ProcessTransaction(tx, false); err != nil {
		s.progress("node %d refused a new transaction: %v", n.i, err)
	}
}
