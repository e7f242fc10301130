package node

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallethost"
)

// ErrPublicWithoutAuth refuses a non-loopback RPC bind that only the local
// cookie protects (the wallet service's too: one error for both).
var ErrPublicWithoutAuth = wallethost.ErrPublicWithoutAuth

// rpcLimits are the RPC server's limits: RPCLimits with RPCMaxRequest.
func (cfg *Config) rpcLimits() rpc.Limits {
	limits := cfg.RPCLimits
	if cfg.RPCMaxRequest != 0 {
		limits.MaxBodyBytes = cfg.RPCMaxRequest
	}
	return limits
}

// startRPC listens, writes the cookie and rpc.addr, and serves in the
// background.
func (n *Node) startRPC() error {
	listen := n.cfg.RPCListen
	if listen == "" {
		listen = fmt.Sprintf("127.0.0.1:%d", n.cfg.Params.RPCPort)
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("rpc listen address %q: %w", listen, err)
	}
	loopback := host == "localhost"
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		loopback = true
	}
	if !loopback && len(n.cfg.RPCUsers) == 0 {
		return ErrPublicWithoutAuth
	}
	toks, err := n.openTokens()
	if err != nil {
		return err
	}
	cookie, err := rpc.NewCookie(n.cfg.DataDir)
	if err != nil {
		return err
	}
	svc := &rpc.NodeService{Params: n.cfg.Params, Chain: n.Chain, Mempool: n.Mempool, Miner: &bulkMiner{miner: n.Miner, db: chainDB{n.db, n.Chain}},
		Template: n.Template, Notifier: n.Chain, MinerAddress: n.cfg.MinerAddress, Stop: n.requestStop, TxIndex: n.txLocatorOf(),
		Version: n.cfg.Version, Started: time.Now(), Log: n.log.With("sub", "rpc")}
	n.rpc = rpc.NewServer(rpc.WithTokens(&rpc.Auth{Cookie: cookie, Users: n.cfg.RPCUsers}, toks), n.cfg.rpcLimits(), n.log.With("sub", "rpc"))
	n.registerTokens(toks)
	n.rpc.Register(svc.Methods()...)
	mf := &rpc.MempoolFileService{Save: func() (string, int, error) {
		txs, err := n.saveMempool()
		return n.mempoolPath(), txs, err
	}}
	n.rpc.Register(mf.Methods()...)
	ns := &rpc.NetService{}
	if n.net != nil {
		ns.Backend = netBackend{n.net}
	}
	n.rpc.Register(ns.Methods()...)
	ws := &rpc.WalletService{Params: n.cfg.Params}
	if n.Wallet != nil {
		ws.Backend = n.Wallet
	}
	n.rpc.Register(ws.Methods()...)
	gs := &rpc.GameService{Params: n.cfg.Params, Backend: NewGameHost(n.cfg.Params, n.Chain, n.Mempool, n.Wallet), Outputs: n.outputScriptsOf()}
	n.rpc.Register(gs.Methods()...)
	cs := &rpc.ContractService{Params: n.cfg.Params, Backend: NewContractHost(n.Chain, n.Book, n.Mempool, n.Wallet), Book: bookMethods{n.Book}}
	n.rpc.Register(cs.Methods()...)
	n.registerStratum()
	if err := n.serveMetrics(host); err != nil {
		return err
	}
	rest := n.restRoute(svc, gs, cs)
	n.rpc.Handle(rest)
	fs := n.filterService() // getblockfilter, getindexinfo, /rest/blockfilter*/ (filters.go)
	n.rpc.Register(fs.Methods()...)
	for _, rt := range fs.Routes() {
		n.rpc.Handle(rt)
	}
	as := n.addressService() // address.*, /rest/address/ (indexes.go)
	n.rpc.Register(as.Methods()...)
	for _, rt := range as.Routes() {
		n.rpc.Handle(rt)
	}
	if err := n.serveExplorer(append(as.Routes(), rest)...); err != nil { // /explorer/ (explorer.go)
		return err
	}
	if err := n.serveWallet(loopback, append(append(as.Routes(), fs.Routes()...), rest)...); err != nil { // /wallet/, /rest/tx (webwallet.go)
		return err
	}
	n.serveEvents() // WebSocket /ws (events.go)
	n.serveLog()    // node.log and the log topic (logring.go)
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("rpc listen: %w", err)
	}
	go func() {
		if err := n.rpc.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("rpc server stopped", "err", err)
		}
	}()
	if err := writeAddrFile(filepath.Join(n.cfg.DataDir, rpc.AddrFile), ln.Addr().String()); err != nil {
		return err
	}
	n.log.Info("rpc listening", "addr", ln.Addr().String(), "cookie", filepath.Join(n.cfg.DataDir, rpc.CookieFile))
	n.log.Info("explorer", "url", "http://"+ln.Addr().String()+ExplorerPrefix)
	n.log.Info("wallet", "url", "http://"+ln.Addr().String()+WalletPrefix)
	return n.startPublic()
}

// publicAccess is what the public listener grants (rpc.PublicAccess):
// routes tell its requests by this pointer.
var publicAccess = rpc.PublicAccess()

// PublicAddrFile is the datadir file in which gg-node writes the public
// read-only listener's address.
const PublicAddrFile = "public.addr"

// startPublic opens the public read-only listener when configured: the
// REST routes and WebSocket events, without a login.
func (n *Node) startPublic() error {
	if n.cfg.PublicListen == "" {
		return nil
	}
	tlsCfg, err := n.publicTLS() // tls.go
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", n.cfg.PublicListen)
	if err != nil {
		return fmt.Errorf("public listen: %w", err)
	}
	scheme := "http://"
	if tlsCfg != nil {
		ln, scheme = tls.NewListener(ln, tlsCfg), "https://"
	}
	served := []string{"REST under /rest/", "events on /ws", "the explorer under " + ExplorerPrefix, "the H5 wallet under " + WalletPrefix}
	if n.cfg.PublicBroadcast {
		served = append(served, "broadcast by POST "+BroadcastPath)
	}
	go func() {
		if err := n.rpc.ServePublic(ln, publicAccess, served...); !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("public listener stopped", "err", err)
		}
	}()
	if err := writeAddrFile(filepath.Join(n.cfg.DataDir, PublicAddrFile), ln.Addr().String()); err != nil {
		return err
	}
	n.log.Info("public read-only listener", "addr", ln.Addr().String(), "explorer", scheme+ln.Addr().String()+ExplorerPrefix,
		"wallet", scheme+ln.Addr().String()+WalletPrefix)
	return nil
}

// writeAddrFile writes addr and a newline to path, atomically.
func writeAddrFile(path, addr string) error {
	if err := os.WriteFile(path+".tmp", []byte(addr+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

func (n *Node) stopRPC() {
	defer n.stopEvents()
	n.logs.stopFollow()
	if n.rpc == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = n.rpc.Shutdown(ctx)
	os.Remove(filepath.Join(n.cfg.DataDir, rpc.AddrFile))
	os.Remove(filepath.Join(n.cfg.DataDir, PublicAddrFile))
	os.Remove(filepath.Join(n.cfg.DataDir, rpc.CookieFile))
}
