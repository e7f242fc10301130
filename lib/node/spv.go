package node

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/spv"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// SPVDBFile is the light node's database inside the datadir.
const SPVDBFile = "spv.db"

// SPVConfig is what gg-node --spv adds to Config.
type SPVConfig struct {
	// FullRPC, when set, is a full node's JSON-RPC URL
	// (http://user:pass@host:port, or without a login to use FullCookie)
	// that the light node asks what it cannot know (registry lookups,
	// blocks that did not match, the mempool); without it such calls
	// answer CodeUnavailableSPV.
	FullRPC string
	// FullCookie is the full node's datadir (its cookie file) when
	// FullRPC has no login.
	FullCookie string
}

// SPVNode is gg-node --spv: the light node (lib/spv) on the peer layer,
// the hosted wallet on its wallet.ChainClient, and the RPC server. It
// answers the chain methods it can from headers, runs every wallet
// method unchanged, and forwards the rest to the configured full node
// or refuses them with CodeUnavailableSPV (see docs/rpc.md).
type SPVNode struct {
	cfg    Config
	log    *slog.Logger
	db     *store.DB
	Light  *spv.Node
	client *spv.WalletClient
	Wallet *WalletHost
	full   *rpc.Client // nil without SPVConfig.FullRPC
	tcp    *p2p.TCP
	host   *p2p.Host
	cancel context.CancelFunc
	done   chan struct{}
	rpc    *rpc.Server

	started time.Time
	stopReq chan struct{}
}

// NewSPV opens the datadir's light node database and starts the light
// node, its peers, the wallet and the RPC server.
func NewSPV(cfg Config) (*SPVNode, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.rpcLimits().Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create datadir: %w", err)
	}
	db, err := spv.Open(filepath.Join(cfg.DataDir, SPVDBFile), cfg.NoSync)
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return nil, fmt.Errorf("%s: %w", cfg.DataDir, ErrDataDirInUse)
		}
		return nil, fmt.Errorf("open light node database: %w", err)
	}
	s := &SPVNode{cfg: cfg, log: cfg.Logger, db: db, started: time.Now(), stopReq: make(chan struct{})}
	if cfg.SPV.FullRPC != "" {
		if s.full, err = fullClient(cfg.SPV); err != nil {
			db.Close()
			return nil, err
		}
	}
	params := cfg.Params
	s.tcp = p2p.NewTCP(params.Net, s.log.With("sub", "p2p"))
	s.Light, err = spv.New(spv.Config{Params: params, DB: db, Logger: s.log.With("sub", "spv"),
		Post: func(f func()) { go s.tcp.Do(f) }})
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := s.startPeers(); err != nil {
		s.Close()
		return nil, err
	}
	s.client, err = spv.NewWalletClient(s.Light, spv.WalletClientConfig{})
	if err != nil {
		s.Close()
		return nil, err
	}
	if !cfg.NoWallet {
		s.Wallet, err = NewWalletHost(context.Background(), WalletHostConfig{Path: filepath.Join(cfg.DataDir, WalletDBFile),
			Params: params, Chain: s.client, BestHeight: func() int32 { _, h, _ := s.Light.Synced(); return h },
			NoSync: cfg.NoSync, KDF: cfg.WalletKDF, Logger: cfg.Logger.With("sub", "wallet")})
		if err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := s.startRPC(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// fullClient is the RPC client of the configured full node.
func fullClient(c SPVConfig) (*rpc.Client, error) {
	cl, err := rpc.Endpoint{URL: c.FullRPC, DataDir: c.FullCookie}.Client()
	if err != nil {
		return nil, fmt.Errorf("spv rpc %q: %w", c.FullRPC, err)
	}
	return cl, nil
}

// startPeers connects to --connect/--addnode peers (a light node does
// not listen: it serves nothing).
func (s *SPVNode) startPeers() error {
	pc := s.cfg.P2P
	params := s.cfg.Params
	connect, err := resolveAddrs(pc.Connect, params.P2PPort, pc.Proxy != "")
	if err != nil {
		return err
	}
	addNodes, err := resolveAddrs(pc.AddNodes, params.P2PPort, pc.Proxy != "")
	if err != nil {
		return err
	}
	if pc.Proxy != "" {
		s.tcp.DialContext = socks5Dialer(pc.Proxy)
	}
	bans, err := p2p.LoadBanList(filepath.Join(s.cfg.DataDir, p2p.BanFile), time.Now())
	if err != nil {
		return err
	}
	s.host = p2p.NewHost(p2p.Config{Params: params, Dialer: s.tcp, Protocol: s.Light, Services: 0,
		UserAgent: "/gg-node:" + s.cfg.Version + "(spv)/", BestHeight: func() int32 { _, h := s.Light.Tip(); return h },
		MaxPeers: pc.MaxPeers, MaxOutbound: pc.MaxOutbound, Connect: connect, AddNodes: addNodes, NoSelfAdvertise: true,
		Bans: bans, Logger: s.log.With("sub", "peers")})
	s.Light.SetHost(s.host)
	s.tcp.SetHost(s.host)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	tick := pc.Tick
	if tick <= 0 {
		tick = 100 * time.Millisecond
	}
	go func() {
		defer close(s.done)
		s.tcp.Run(ctx, tick)
	}()
	s.log.Info("light node started", "connect", pc.Connect, "addnode", pc.AddNodes, "full rpc", s.full != nil)
	return nil
}

// StopRequested is closed when a client asks the node to stop.
func (s *SPVNode) StopRequested() <-chan struct{} { return s.stopReq }

func (s *SPVNode) requestStop() {
	select {
	case <-s.stopReq:
	default:
		close(s.stopReq)
	}
}

// Close stops everything and closes the databases.
func (s *SPVNode) Close() error {
	if s.rpc != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.rpc.Shutdown(ctx)
		cancel()
	}
	var errs []error
	if s.Wallet != nil {
		if err := s.Wallet.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close wallet: %w", err))
		}
	}
	if s.client != nil {
		s.client.Close()
	}
	if s.Light != nil {
		s.Light.Close()
	}
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	if err := s.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	return errors.Join(errs...)
}

// unavailable is the answer to a call the light node cannot make.
func unavailable(method string) error {
	return rpc.Errorf(rpc.CodeUnavailableSPV, "%s is unavailable in spv mode: a light node has no blocks, UTXO set, registries or mempool (give gg-node --spv-rpc a full node to ask)", method)
}

// notForwarded are full-node methods that act on the node that runs
// them (its chain, its miner, its wallet): asked of the full node they
// would act there, so a light node refuses them. Made on first use:
// every gg-node call links this package (TestClientStartup).
var notForwarded = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"block.invalidate": true, "invalidateblock": true, "block.reconsider": true, "reconsiderblock": true,
		"miner.generate": true, "miner.generateto": true, "generatetoaddress": true,
		"miner.template": true, "getblocktemplate": true, "miner.submit": true, "submitblock": true,
		"cp.create": true, "cp.change": true, "prop.create": true, "prop.createlist": true, "prop.send": true,
		"prop.sendlist": true, "prop.found": true, "prop.sale": true, "prop.buy": true,
		"contract.key": true, "contract.publish": true, "contract.sign": true, "contract.fulfil": true,
		"contract.execute": true, "contract.withdraw": true, "contract.mine": true, "cp.mine": true, "prop.mine": true,
	}
})

// refuse answers CodeUnavailableSPV.
func refuse(method string) rpc.Handler {
	return func(context.Context, json.RawMessage) (any, error) {
		return nil, rpc.Errorf(rpc.CodeUnavailableSPV, "%s is unavailable in spv mode", method)
	}
}

// netMethods are the peer methods a light node answers itself.
func (s *SPVNode) netMethods() []rpc.Method {
	peers := func(_ context.Context, p json.RawMessage) (any, error) {
		if err := rpc.ParseParams(p, nil, 0); err != nil {
			return nil, err
		}
		out := []map[string]any{}
		for _, pi := range s.Light.Peers() {
			out = append(out, map[string]any{"addr": pi.Addr.String(), "compact_filters": pi.Filters, "blocks": pi.Blocks})
		}
		return out, nil
	}
	count := func(_ context.Context, p json.RawMessage) (any, error) {
		if err := rpc.ParseParams(p, nil, 0); err != nil {
			return nil, err
		}
		return len(s.Light.Peers()), nil
	}
	banned := func(_ context.Context, p json.RawMessage) (any, error) {
		if err := rpc.ParseParams(p, nil, 0); err != nil {
			return nil, err
		}
		out := []map[string]any{}
		for a, why := range s.Light.Banned() {
			out = append(out, map[string]any{"address": a.String(), "ban_reason": why})
		}
		return out, nil
	}
	var out []rpc.Method
	for _, d := range []methodDef{
		{[]string{"net.peers", "getpeerinfo"}, "", "the light node's peers: [{addr, compact_filters, blocks}]", peers},
		{[]string{"net.count", "getconnectioncount"}, "", "the light node's peers", count},
		{[]string{"net.banned", "listbanned"}, "", "peers proven to serve wrong filters or filter headers: [{address, ban_reason}]", banned},
	} {
		for _, n := range d.names {
			out = append(out, rpc.Method{Name: n, Params: d.params, Help: d.help, Handler: d.h})
		}
	}
	return out
}

// forward answers method from the full node, or refuses it.
func (s *SPVNode) forward(method string) rpc.Handler {
	return func(ctx context.Context, p json.RawMessage) (any, error) {
		if s.full == nil {
			return nil, unavailable(method)
		}
		var out json.RawMessage
		if err := s.full.CallRaw(ctx, method, p, &out); err != nil {
			var re *rpc.Error
			if errors.As(err, &re) {
				return nil, re
			}
			return nil, rpc.Errorf(rpc.CodeUnavailableSPV, "%s: the full node (--spv-rpc) did not answer: %v", method, err)
		}
		return out, nil
	}
}

// startRPC serves the light node's methods: its own chain methods, the
// wallet's, and every other full-node method forwarded or refused.
func (s *SPVNode) startRPC() error {
	listen := s.cfg.RPCListen
	if listen == "" {
		listen = fmt.Sprintf("127.0.0.1:%d", s.cfg.Params.RPCPort)
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("rpc listen address %q: %w", listen, err)
	}
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" && len(s.cfg.RPCUsers) == 0 {
		return ErrPublicWithoutAuth
	}
	cookie, err := rpc.NewCookie(s.cfg.DataDir)
	if err != nil {
		return err
	}
	s.rpc = rpc.NewServer(&rpc.Auth{Cookie: cookie, Users: s.cfg.RPCUsers}, s.cfg.rpcLimits(), s.log.With("sub", "rpc"))
	own := s.chainMethods()
	have := map[string]bool{}
	for _, m := range own {
		have[m.Name] = true
	}
	s.rpc.Register(own...)
	ws := &rpc.WalletService{Params: s.cfg.Params}
	if s.Wallet != nil {
		ws.Backend = s.Wallet
	}
	for _, m := range ws.Methods() {
		have[m.Name] = true
		s.rpc.Register(m)
	}
	if s.full != nil && s.Wallet != nil {
		// Contracts: the wallet here, the book and the chain's records at
		// the full node (as gg-wallet serve does).
		tip := func() int32 { _, h, _ := s.Light.Synced(); return h }
		for _, m := range (&rpc.ContractService{Params: s.cfg.Params, Backend: NewRemoteContractHost(s.full, tip, s.Wallet)}).Methods() {
			have[m.Name] = true
			s.rpc.Register(m)
		}
	}
	for _, m := range s.gameMethods() {
		have[m.Name] = true
		s.rpc.Register(m)
	}
	for _, m := range s.netMethods() {
		have[m.Name] = true
		s.rpc.Register(m)
	}
	// The peer methods that act (a light node's peers are its own, not
	// the full node's), mining and chain surgery: refused.
	for _, m := range (&rpc.NetService{}).Methods() {
		if !have[m.Name] {
			have[m.Name] = true
			s.rpc.Register(rpc.Method{Name: m.Name, Params: m.Params, Help: m.Help + " [unavailable in spv mode]", Handler: refuse(m.Name)})
		}
	}
	// Every other method of a full node reads the chain, the registries
	// or the mempool: forwarded, or refused.
	full := (&rpc.NodeService{Params: s.cfg.Params}).Methods()
	full = append(full, (&rpc.GameService{Params: s.cfg.Params}).Methods()...)
	full = append(full, (&rpc.ContractService{Params: s.cfg.Params}).Methods()...)
	for _, m := range full {
		if have[m.Name] {
			continue
		}
		have[m.Name] = true
		if notForwarded()[m.Name] {
			s.rpc.Register(rpc.Method{Name: m.Name, Params: m.Params, Help: m.Help + " [unavailable in spv mode]", Handler: refuse(m.Name)})
			continue
		}
		s.rpc.Register(rpc.Method{Name: m.Name, Params: m.Params, Help: m.Help + " [spv: asked of the --spv-rpc full node]", Handler: s.forward(m.Name)})
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("rpc listen: %w", err)
	}
	go func() {
		if err := s.rpc.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("rpc server stopped", "err", err)
		}
	}()
	if err := writeAddrFile(filepath.Join(s.cfg.DataDir, rpc.AddrFile), ln.Addr().String()); err != nil {
		return err
	}
	s.log.Info("rpc listening", "addr", ln.Addr().String())
	return nil
}

type methodDef struct {
	names  []string
	params string
	help   string
	h      rpc.Handler
}

func (s *SPVNode) chainMethods() []rpc.Method {
	defs := []methodDef{
		{[]string{"block.count", "getblockcount"}, "", "height of the verified tip (headers whose filter headers are verified)", s.blockCount},
		{[]string{"block.best", "getbestblockhash"}, "", "hash of the verified tip", s.bestBlock},
		{[]string{"block.hash", "getblockhash"}, "height", "hash of the best header chain's block at height", s.blockHash},
		{[]string{"block.header", "getblockheader"}, "blockhash [verbose=true]", "block header as JSON, or hex when verbose=false", s.blockHeader},
		{[]string{"sys.info", "getblockchaininfo"}, "", "network, tips and the light node's state (mode \"spv\")", s.chainInfo},
		{[]string{"tx.raw.send", "sendrawtransaction"}, "hexstring [maxfeerate=0.10]", "announce a signed transaction to the peers (and submit it to the --spv-rpc full node, whose verdict is returned); returns its txid", s.sendRaw},
		{[]string{"sys.stop", "stop"}, "", "shut the node down", s.stop},
	}
	var out []rpc.Method
	for _, d := range defs {
		for _, n := range d.names {
			out = append(out, rpc.Method{Name: n, Params: d.params, Help: d.help, Handler: d.h})
		}
	}
	return out
}

func (s *SPVNode) blockCount(_ context.Context, p json.RawMessage) (any, error) {
	if err := rpc.ParseParams(p, nil, 0); err != nil {
		return nil, err
	}
	_, h, _ := s.Light.Synced()
	return h, nil
}

func (s *SPVNode) bestBlock(_ context.Context, p json.RawMessage) (any, error) {
	if err := rpc.ParseParams(p, nil, 0); err != nil {
		return nil, err
	}
	hash, _, _ := s.Light.Synced()
	return hash.String(), nil
}

func (s *SPVNode) blockHash(_ context.Context, p json.RawMessage) (any, error) {
	var h int32
	if err := rpc.ParseParams(p, []string{"height"}, 1, &h); err != nil {
		return nil, err
	}
	_, hash, err := s.Light.Header(h)
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "block height out of range")
	}
	return hash.String(), nil
}

func (s *SPVNode) blockHeader(_ context.Context, p json.RawMessage) (any, error) {
	var hs string
	verbose := true
	if err := rpc.ParseParams(p, []string{"blockhash", "verbose"}, 1, &hs, &verbose); err != nil {
		return nil, err
	}
	hash, err := chainhash.NewHashFromStr(hs)
	if err != nil {
		return nil, rpc.InvalidParams("blockhash: %v", err)
	}
	hdr, height, onMain, err := s.Light.HeaderByHash(hash)
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeInvalidAddress, "block not found: %s", hash)
	}
	if !verbose {
		return hex.EncodeToString(hdr.Bytes()), nil
	}
	_, tip := s.Light.Tip()
	conf := int32(-1)
	if onMain {
		conf = tip - height + 1
	}
	out := map[string]any{"hash": hash.String(), "confirmations": conf, "height": height, "version": hdr.Version,
		"merkleroot": hdr.MerkleRoot.String(), "time": hdr.Timestamp, "nonce": hdr.Nonce, "bits": fmt.Sprintf("%08x", hdr.Bits),
		"difficulty": rpc.Difficulty(hdr.Bits, s.cfg.Params)}
	if height > 0 {
		out["previousblockhash"] = hdr.PrevBlock.String()
	}
	if onMain && height < tip {
		if _, next, err := s.Light.Header(height + 1); err == nil {
			out["nextblockhash"] = next.String()
		}
	}
	if fh, err := s.Light.FilterHeader(height); err == nil && onMain {
		out["filterheader"] = fh.String()
	}
	return out, nil
}

func (s *SPVNode) chainInfo(_ context.Context, p json.RawMessage) (any, error) {
	if err := rpc.ParseParams(p, nil, 0); err != nil {
		return nil, err
	}
	vhash, vh, headers := s.Light.Synced()
	hdr, _, _ := s.Light.Header(vh)
	_, tip := s.Light.Tip()
	anc := func(h int32) *wire.BlockHeader { x, _, _ := s.Light.Header(h); return &x }
	st := s.Light.Stats()
	tipHdr, _, _ := s.Light.Header(tip)
	ibd := time.Since(time.Unix(int64(tipHdr.Timestamp), 0)) > 24*time.Hour || vh < tip
	return map[string]any{
		"chain":                s.cfg.Params.Name,
		"mode":                 "spv",
		"blocks":               vh,
		"headers":              headers,
		"filterheaders":        vh,
		"bestblockhash":        vhash.String(),
		"difficulty":           rpc.Difficulty(hdr.Bits, s.cfg.Params),
		"time":                 hdr.Timestamp,
		"mediantime":           chain.MedianTimePastOf(vh, anc),
		"initialblockdownload": ibd,
		"peers":                len(s.Light.Peers()),
		"banned":               len(s.Light.Banned()),
		"fetched":              map[string]int{"headers": st.Headers, "filters": st.Filters, "filter_bytes": st.FilterBytes, "blocks": st.Blocks, "block_bytes": st.BlockBytes},
		"full_rpc":             s.full != nil,
		"version":              s.cfg.Version,
		"uptime":               int64(time.Since(s.started).Seconds()),
		"warnings":             "",
	}, nil
}

func (s *SPVNode) sendRaw(ctx context.Context, p json.RawMessage) (any, error) {
	var hs string
	var maxRate any
	if err := rpc.ParseParams(p, []string{"hexstring", "maxfeerate"}, 1, &hs, &maxRate); err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(hs)
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeDeserialize, "tx decode failed: %v", err)
	}
	tx, err := wire.DecodeTx(b)
	if err != nil {
		return nil, rpc.Errorf(rpc.CodeDeserialize, "tx decode failed: %v", err)
	}
	if s.full != nil {
		if _, err := s.forward("sendrawtransaction")(ctx, p); err != nil {
			return nil, err
		}
	}
	s.Light.Broadcast(tx)
	return tx.TxHash().String(), nil
}

func (s *SPVNode) stop(_ context.Context, p json.RawMessage) (any, error) {
	if err := rpc.ParseParams(p, nil, 0); err != nil {
		return nil, err
	}
	s.requestStop()
	return "gg-node stopping", nil
}
