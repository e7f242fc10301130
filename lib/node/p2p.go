package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/netsync"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// P2PConfig configures the node's peer-to-peer side.
type P2PConfig struct {
	// Disabled runs the node without peers (no listener, no connections).
	Disabled bool
	// Listen are the addresses to accept peers on (none when empty;
	// gg-node's --listen defaults to DefaultListen).
	Listen []string
	// Connect are the only peers (no automatic outbound connections).
	Connect []string
	// AddNodes are kept connected besides the automatic ones.
	AddNodes []string
	// SeedNodes are addresses to learn peers from: added to the address
	// book, so the outbound logic dials them first.
	SeedNodes []string
	// MaxPeers bounds connections (default 125); MaxOutbound the automatic
	// outbound ones (default 8).
	MaxPeers    int
	MaxOutbound int
	// Proxy is a SOCKS5 proxy (host:port) for outbound connections.
	Proxy string
	// NoAnchors: no anchors.json (by default the node saves two of its
	// outbound peers there at shutdown and dials them first at start).
	NoAnchors bool
	// Progress, when set, hears the tip and header heights during initial
	// block download.
	Progress func(tip, headers int32)
	// Tick is how often the peer logic runs its timers (default 100 ms).
	Tick time.Duration
	// BookSaveInterval is how often the address book is written while it
	// changes (default 1 minute).
	BookSaveInterval time.Duration
}

// DefaultListen is where gg-node accepts peers unless told otherwise: the
// network's P2P port, on every interface for main and testnet, on
// 127.0.0.1 for regtest.
func DefaultListen(params *chaincfg.Params) string {
	host := "0.0.0.0"
	if params.Name == "regtest" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(params.P2PPort))
}

// netNode is the running P2P side.
type netNode struct {
	host     *p2p.Host
	tcp      *p2p.TCP
	sync     *netsync.Manager
	cancel   context.CancelFunc
	done     chan struct{}
	listen   []string // bound addresses
	proxied  bool     // --proxy: peers by IP address only
	agent    string   // our user agent (version's user_agent, getnetworkinfo's subversion)
	services uint64   // the service bits we advertise
	started  time.Time
	bulk     *ibdBulk
	anchors  bool // save the anchors at shutdown
}

// P2PAddrs returns the addresses the node accepts peers on.
func (n *Node) P2PAddrs() []string {
	if n.net == nil {
		return nil
	}
	return n.net.listen
}

// ErrProxyName: with --proxy a peer named by host name would be looked
// up outside the proxy (a DNS leak for Tor users).
var ErrProxyName = errors.New("with --proxy, name peers by IP address: a host name would be looked up outside the proxy")

func isIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

// resolveAddrs parses host:port peer addresses (defPort when the port is
// missing), looking host names up unless proxied, which refuses them.
func resolveAddrs(list []string, defPort int, proxied bool) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	for _, s := range list {
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			host, port = s, strconv.Itoa(defPort)
		}
		pn, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("peer address %q: bad port", s)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil && proxied {
			return nil, fmt.Errorf("peer address %q: %w", s, ErrProxyName)
		}
		if err != nil {
			ips, lerr := net.LookupHost(host)
			if lerr != nil || len(ips) == 0 {
				return nil, fmt.Errorf("peer address %q: %v", s, lerr)
			}
			if ip, err = netip.ParseAddr(ips[0]); err != nil {
				return nil, fmt.Errorf("peer address %q: %v", s, err)
			}
		}
		out = append(out, netip.AddrPortFrom(ip.Unmap(), uint16(pn)))
	}
	return out, nil
}

// startP2P opens the address book and ban list, listens, and runs the
// peer layer and sync on their event loop.
func (n *Node) startP2P() error {
	pc := n.cfg.P2P
	if pc.Disabled {
		return nil
	}
	params := n.cfg.Params
	now := time.Now()
	regtest := params.Name == "regtest"
	book, err := p2p.LoadAddrBook(filepath.Join(n.cfg.DataDir, p2p.AddrFile), regtest, now)
	if err != nil {
		n.log.Warn("address book not restored; starting empty", "err", err)
		book = p2p.NewAddrBook(filepath.Join(n.cfg.DataDir, p2p.AddrFile), regtest)
	}
	bans, err := p2p.LoadBanList(filepath.Join(n.cfg.DataDir, p2p.BanFile), now)
	if err != nil {
		return err
	}
	proxied := pc.Proxy != ""
	connect, err := resolveAddrs(pc.Connect, params.P2PPort, proxied)
	if err != nil {
		return err
	}
	addNodes, err := resolveAddrs(pc.AddNodes, params.P2PPort, proxied)
	if err != nil {
		return err
	}
	// Built-in seeds given by name are skipped behind a proxy (looking
	// them up would leak); --seednode names are refused like any peer's.
	var seedAddrs []string
	for _, sd := range params.Seeds {
		host, _, err := net.SplitHostPort(sd)
		if err != nil {
			host = sd
		}
		if !proxied || isIP(host) {
			seedAddrs = append(seedAddrs, sd)
		}
	}
	seeds, err := resolveAddrs(append(seedAddrs, pc.SeedNodes...), params.P2PPort, proxied)
	if err != nil {
		return err
	}
	var seedList []p2p.KnownAddr
	for _, s := range seeds {
		seedList = append(seedList, p2p.KnownAddr{Addr: s, Services: msg.SFNodeNetwork, Seen: now})
	}
	book.Add(seedList, netip.IPv6Loopback(), now)

	// Anchors: the outbound peers of the last clean shutdown, dialled
	// first (not with --connect, whose peers are the only ones).
	var anchors []netip.AddrPort
	if !pc.NoAnchors && len(connect) == 0 {
		anchors = p2p.LoadAnchors(filepath.Join(n.cfg.DataDir, p2p.AnchorsFile), n.log.With("sub", "peers"))
	}

	tcp := p2p.NewTCP(params.Net, n.log.With("sub", "p2p"))
	if pc.Proxy != "" {
		tcp.DialContext = socks5Dialer(pc.Proxy)
	}
	listen := pc.Listen
	nn := &netNode{tcp: tcp, started: now, proxied: proxied, agent: "/gg-node:" + n.cfg.Version + "/"}
	var listenPort uint16
	for _, l := range listen {
		a, err := tcp.Listen(l)
		if err != nil {
			return err
		}
		nn.listen = append(nn.listen, a.String())
		if ap, err := netip.ParseAddrPort(a.String()); err == nil && listenPort == 0 {
			listenPort = ap.Port()
		}
	}
	bulk := &ibdBulk{db: chainDB{n.db, n.Chain}, chain: n.Chain, log: n.log}
	var filters netsync.FilterIndex
	if x := n.indexes; x != nil && x.filters != nil {
		filters = x.filters
	}
	nn.sync = netsync.New(netsync.Config{Chain: n.Chain, Mempool: n.Mempool, Book: n.Book,
		Logger: n.log.With("sub", "sync"), Progress: pc.Progress, ProcessBlock: bulk.processBlock, Filters: filters})
	nn.bulk = bulk
	services := n.services()
	if filters != nil {
		services |= msg.SFNodeCompactFilters // BIP157
	}
	nn.services = services
	nn.host = p2p.NewHost(p2p.Config{Params: params, Dialer: tcp, Protocol: n.withPeerEvents(nn.sync), Services: services,
		UserAgent: nn.agent, BestHeight: func() int32 { return n.Chain.Best().Height },
		MaxPeers: pc.MaxPeers, MaxOutbound: pc.MaxOutbound, Connect: connect, AddNodes: addNodes, ListenPort: listenPort, NoSelfAdvertise: proxied,
		Book: book, Bans: bans, Logger: n.log.With("sub", "peers"), Anchors: anchors})
	nn.anchors = !pc.NoAnchors && len(connect) == 0
	nn.sync.SetHost(nn.host)
	tcp.SetHost(nn.host)
	ctx, cancel := context.WithCancel(context.Background())
	nn.cancel, nn.done = cancel, make(chan struct{})
	tick := pc.Tick
	if tick <= 0 {
		tick = 100 * time.Millisecond
	}
	go func() {
		defer close(nn.done)
		tcp.Run(ctx, tick)
	}()
	n.net = nn
	// Events reach sync on its loop, after the call that caused them.
	n.Chain.Subscribe(func(note *chain.Notification) {
		if note.Type != chain.NTBlockConnected {
			return
		}
		blk := note.Block
		go tcp.Do(func() {
			if n.Chain.Best().Hash == blk.BlockHash() {
				nn.sync.BlockConnected(blk)
			}
		})
	})
	n.Mempool.Listen(mempool.Listener{OnAccept: func(d *mempool.TxDesc) {
		go tcp.Do(func() { nn.sync.TxAccepted(d) })
	}})
	n.Book.Listen(func(e mempool.BookEvent) {
		go tcp.Do(func() { nn.sync.OfferChanged(e.Offer, e.Kind, e.WithdrawSig) })
	})
	go n.saveBookPeriodically(ctx, book)
	go bulk.syncPeriodically(ctx)
	if len(nn.listen) > 0 {
		// Where peers reach us, for local tools and scripts (as rpc.addr).
		path := filepath.Join(n.cfg.DataDir, P2PAddrFile)
		if err := os.WriteFile(path+".tmp", []byte(strings.Join(nn.listen, "\n")+"\n"), 0o644); err == nil {
			os.Rename(path+".tmp", path)
		}
	}
	n.log.Info("p2p listening", "addrs", nn.listen, "connect", pc.Connect, "addnode", pc.AddNodes)
	return nil
}

// P2PAddrFile lists, one per line, the addresses the node accepts peers
// on; it exists while the node runs.
const P2PAddrFile = "p2p.addr"

// saveBookPeriodically writes the address book every BookSaveInterval
// when it changed, so a kill loses at most that much of it.
func (n *Node) saveBookPeriodically(ctx context.Context, book *p2p.AddrBook) {
	every := n.cfg.P2P.BookSaveInterval
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var last uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if v := book.Version(); v != last {
				if err := book.Save(); err != nil {
					n.log.Warn("cannot save the address book", "err", err)
				} else {
					last = v
				}
			}
		}
	}
}

// stopP2P stops the loop, closing every connection, and saves the
// address book.
func (n *Node) stopP2P() {
	if n.net == nil {
		return
	}
	if n.net.anchors {
		var list []netip.AddrPort
		n.net.tcp.Do(func() { list = n.net.host.Anchors() })
		if len(list) > 0 {
			if err := p2p.SaveAnchors(filepath.Join(n.cfg.DataDir, p2p.AnchorsFile), list); err != nil {
				n.log.Warn("cannot save the anchors", "err", err)
			}
		}
	}
	n.net.cancel()
	<-n.net.done
	n.net.bulk.end()
	os.Remove(filepath.Join(n.cfg.DataDir, P2PAddrFile))
	if err := n.net.host.Book().Save(); err != nil {
		n.log.Warn("cannot save the address book", "err", err)
	}
	n.net = nil
}

// netBackend serves the network RPC methods by running on the loop.
type netBackend struct{ nn *netNode }

var _ rpc.NetBackend = netBackend{}

func (b netBackend) do(f func()) { b.nn.tcp.Do(f) }

func (b netBackend) Peers() []rpc.PeerInfo {
	var out []rpc.PeerInfo
	b.do(func() {
		now := b.nn.host.Now()
		for _, p := range b.nn.host.Peers() {
			if !p.Ready() {
				continue
			}
			ct := "outbound-full-relay"
			switch {
			case p.Inbound:
				ct = "inbound"
			case p.Persistent:
				ct = "manual"
			case p.Feeler:
				ct = "feeler"
			}
			sent, recv, _ := p2p.ConnStats(p)
			pi := rpc.PeerInfo{ID: p.ID, Addr: p.Addr.String(), Inbound: p.Inbound, ConnectionType: ct,
				Services: fmt.Sprintf("%016x", p.Services), Version: p.Version, SubVer: p.UserAgent, StartingHeight: p.StartHeight,
				ConnTime: p.Connected.Unix(), LastSend: p.LastSend.Unix(), LastRecv: p.LastRecv.Unix(),
				BytesSent: sent, BytesRecv: recv, MinFeeFilter: amount.Amount(p.FeeFilterRate).ToGG(), RelayTxes: p.Relay,
				WtxidRelay: p.WtxidRelay, BIP152HB: p.CmpctHB, Misbehavior: p.Score()}
			if p.PingRTT > 0 {
				pi.PingTime = p.PingRTT.Seconds()
			}
			if w := p.PingPending(now); w > 0 {
				pi.PingWait = w.Seconds()
			}
			pi.BytesSentPerMsg, pi.BytesRecvPerMsg = p2p.ConnMsgStats(p)
			pi.SyncedHeaders, pi.SyncedBlocks, pi.InFlight = b.nn.sync.PeerSync(p)
			out = append(out, pi)
		}
	})
	return out
}

func (b netBackend) Network() rpc.NetworkInfo {
	var ni rpc.NetworkInfo
	b.do(func() {
		for _, p := range b.nn.host.Peers() {
			if !p.Ready() {
				continue
			}
			ni.Connections++
			if p.Inbound {
				ni.ConnectionsIn++
			} else {
				ni.ConnectionsOut++
			}
		}
		ni.AddrBookNew, ni.AddrBookTried = b.nn.host.Book().Size()
	})
	ni.Version = b.nn.agent
	ni.ProtocolVersion = msg.ProtocolVersion
	ni.LocalServices = fmt.Sprintf("%016x", b.nn.services)
	ni.LocalRelay, ni.NetworkActive = true, true
	ni.RelayFee = amount.Amount(mempool.DefaultMinRelayFeeRate).ToGG()
	ni.LocalAddresses = append([]string{}, b.nn.listen...)
	return ni
}

func (b netBackend) Totals() rpc.NetTotals {
	return rpc.NetTotals{TotalBytesRecv: b.nn.tcp.BytesRecv.Load(), TotalBytesSent: b.nn.tcp.BytesSent.Load(),
		TimeMillis: time.Now().UnixMilli()}
}

func (b netBackend) AddNode(addr, command string) error {
	aps, err := resolveAddrs([]string{addr}, 0, b.nn.proxied)
	if errors.Is(err, ErrProxyName) {
		return rpc.Errorf(rpc.CodeClientInvalidIPOrSubnet, "node %q: %v", addr, ErrProxyName)
	}
	if err != nil || aps[0].Port() == 0 {
		return rpc.Errorf(rpc.CodeClientInvalidIPOrSubnet, "node %q: want host:port", addr)
	}
	ap := aps[0]
	var rerr error
	b.do(func() {
		switch command {
		case "add":
			if !b.nn.host.AddPersistent(ap) {
				rerr = rpc.Errorf(rpc.CodeClientNodeAlreadyAdded, "node %s already added", ap)
			}
		case "remove":
			if !b.nn.host.RemovePersistent(ap) {
				rerr = rpc.Errorf(rpc.CodeClientNodeNotAdded, "node %s has not been added", ap)
			}
		case "onetry":
			b.nn.host.DialOnce(ap)
		}
	})
	return rerr
}

func (b netBackend) Disconnect(addr string, id int64) error {
	found := false
	b.do(func() {
		for _, p := range b.nn.host.Peers() {
			if (addr != "" && p.Addr.String() == addr) || (id >= 0 && int64(p.ID) == id) {
				b.nn.host.Disconnect(p, "disconnectnode")
				found = true
			}
		}
	})
	if !found {
		return rpc.Errorf(rpc.CodeClientNodeNotConnected, "node not found in connected nodes")
	}
	return nil
}

func parseSubnet(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (b netBackend) SetBan(subnet, command string, seconds int64, absolute bool) error {
	p, err := parseSubnet(subnet)
	if err != nil {
		return rpc.Errorf(rpc.CodeClientInvalidIPOrSubnet, "invalid IP or subnet %q", subnet)
	}
	var rerr error
	b.do(func() {
		if command == "remove" {
			ok, err := b.nn.host.Bans().Remove(p)
			switch {
			case err != nil:
				rerr = err
			case !ok:
				rerr = rpc.Errorf(rpc.CodeClientInvalidIPOrSubnet, "unban failed: %s was not banned", p)
			}
			return
		}
		d := time.Duration(seconds) * time.Second
		if absolute {
			d = time.Until(time.Unix(seconds, 0))
			if d <= 0 {
				rerr = rpc.Errorf(rpc.CodeInvalidParams, "absolute ban time %d is in the past", seconds)
				return
			}
		}
		rerr = b.nn.host.Ban(p, d, "manually added")
	})
	return rerr
}

func (b netBackend) Banned() []rpc.BanInfo {
	var out []rpc.BanInfo
	b.do(func() {
		now := b.nn.host.Now()
		for _, x := range b.nn.host.Bans().List(now) {
			out = append(out, rpc.BanInfo{Address: x.Subnet.String(), BanCreated: x.Created.Unix(), BannedUntil: x.Until.Unix(),
				BanDuration: int64(x.Until.Sub(x.Created).Seconds()), TimeRemaining: int64(x.Until.Sub(now).Seconds()), Reason: x.Reason})
		}
	})
	return out
}

func (b netBackend) ClearBanned() error {
	var err error
	b.do(func() { err = b.nn.host.Bans().Clear() })
	return err
}

func (b netBackend) Ping() { b.do(func() { b.nn.host.PingAll() }) }

// ibdBulk batches fsyncs while the node downloads the chain (its tip more
// than 144 blocks behind the best header): commits skip fsync and the
// file is fsynced every
// ibdSyncBlocks blocks, every second, when the download ends and on
// shutdown (as gg-node's bulk generate does). A killed process loses
// nothing (written pages are in the OS's cache); a power cut during the
// download may lose up to a second of blocks, or damage chain.db so that
// it must be synced again.
type ibdBulk struct {
	db     bulkDB
	chain  *chain.Chain
	log    *slog.Logger
	mu     sync.Mutex
	on     bool
	blocks int
	last   time.Time
}

// bulkDB is the fsync control of the chain's database (*store.DB).
type bulkDB interface {
	Sync() error
	NoSync() bool
	SetNoSync(bool)
}

// services are the service bits the node advertises: a pruned node
// serves only recent blocks (NODE_NETWORK_LIMITED, BIP159) instead of
// the whole chain (NODE_NETWORK).
func (n *Node) services() uint64 {
	if n.cfg.Prune > 0 {
		return msg.SFNodeNetworkLimited | msg.SFNodeWitness
	}
	return msg.SFNodeNetwork | msg.SFNodeWitness
}

// chainDB is the chain's database whose Sync also fsyncs the block
// files the chain wrote while the database's fsync was off.
type chainDB struct {
	*store.DB
	chain *chain.Chain
}

func (d chainDB) Sync() error { return d.chain.Sync() }

const (
	ibdSyncBlocks = 500
	// The download counts as bulk while the tip is more than ibdBulkGap
	// blocks behind the best header, until it is less than ibdBulkEnd.
	ibdBulkGap = 144
	ibdBulkEnd = 6
)

// behind is how many blocks the tip lags the best header.
func (b *ibdBulk) behind() int32 {
	p := b.chain.Progress()
	return p.HeaderHeight - p.TipHeight
}

func (b *ibdBulk) processBlock(blk *wire.MsgBlock, flags chain.BehaviorFlags) (bool, bool, error) {
	b.mu.Lock()
	if !b.on && b.behind() > ibdBulkGap && !b.db.NoSync() {
		b.db.SetNoSync(true)
		b.on, b.blocks, b.last = true, 0, time.Now()
		b.log.Info("downloading the chain: fsync every 500 blocks or second")
	}
	b.mu.Unlock()
	mainChain, orphan, err := b.chain.ProcessBlock(blk, flags)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.on {
		b.blocks++
		if b.behind() < ibdBulkEnd {
			b.stopLocked()
		} else if b.blocks >= ibdSyncBlocks || time.Since(b.last) >= time.Second {
			b.syncLocked()
		}
	}
	return mainChain, orphan, err
}

func (b *ibdBulk) syncLocked() {
	if err := b.db.Sync(); err != nil {
		b.log.Warn("fsync during the download", "err", err)
	}
	b.blocks, b.last = 0, time.Now()
}

// stopLocked turns fsync on commit back on, then fsyncs what bulk mode
// wrote: in the other order a commit between the two would count as
// done without being on disk.
func (b *ibdBulk) stopLocked() {
	b.db.SetNoSync(false)
	b.syncLocked()
	b.on = false
	b.log.Info("chain downloaded: fsync on every commit again")
}

// end leaves bulk mode (shutdown).
func (b *ibdBulk) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.on {
		b.stopLocked()
	}
}

// syncPeriodically fsyncs a download that stalls between blocks.
func (b *ibdBulk) syncPeriodically(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.mu.Lock()
			if b.on && time.Since(b.last) >= time.Second {
				b.syncLocked()
				if b.behind() < ibdBulkEnd {
					b.stopLocked()
				}
			}
			b.mu.Unlock()
		}
	}
}
