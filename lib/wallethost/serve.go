package wallethost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
)

// ErrPublicWithoutAuth refuses a non-loopback RPC bind that only the local
// cookie protects.
var ErrPublicWithoutAuth = errors.New("refusing to serve RPC on a non-loopback address without rpcauth users configured")

// WalletServerConfig configures ServeWallet.
type WalletServerConfig struct {
	Params *chaincfg.Params
	// Dir holds wallet.db, the RPC cookie and rpc.addr.
	Dir string
	// NodeURL is the node's RPC URL (may carry user:pass@); NodeCookie,
	// if set, is the node's cookie file to authenticate with.
	NodeURL    string
	NodeCookie string
	// Listen is the wallet RPC address (default 127.0.0.1:0); only
	// loopback addresses are accepted (the cookie is the only auth).
	Listen       string
	PollInterval time.Duration // 0: 500 ms
	// Follow says how the wallet follows the node: its WebSocket events,
	// polling it only when it has none (FollowAuto), events only, or
	// polling only.
	Follow Follow
	KDF    wallet.KDFParams
	NoSync bool
	Logger *slog.Logger
}

// WalletServer runs the wallet service on its own (gg-wallet serve): the
// wallet in Dir fed by a RemoteChain over the node's RPC, served with
// the wallet RPC methods on its own listener with cookie auth, Dir/rpc.addr
// telling clients where.
type WalletServer struct {
	Host  *WalletHost
	Chain *RemoteChain
	Addr  string

	dir string
	rpc *rpc.Server
	log *slog.Logger
}

// ServeWallet checks the node is reachable, opens (or waits for
// wallet.create / wallet.import to make) the wallet, and serves.
func ServeWallet(ctx context.Context, cfg WalletServerConfig) (*WalletServer, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	client, err := rpc.Discover(cfg.NodeURL, "")
	if err != nil {
		return nil, err
	}
	if cfg.NodeCookie != "" {
		b, err := os.ReadFile(cfg.NodeCookie)
		if err != nil {
			return nil, fmt.Errorf("node cookie: %w", err)
		}
		u, p, ok := strings.Cut(strings.TrimSpace(string(b)), ":")
		if !ok {
			return nil, fmt.Errorf("node cookie %s: not user:password", cfg.NodeCookie)
		}
		client.User, client.Pass = u, p
	}
	rc := NewRemoteChain(client, cfg.Logger.With("sub", "remote"))
	if cfg.PollInterval > 0 {
		rc.PollInterval = cfg.PollInterval
	}
	rc.Follow = cfg.Follow
	var info struct {
		Chain string `json:"chain"`
	}
	if err := client.Call(ctx, "getblockchaininfo", &info); err != nil {
		return nil, fmt.Errorf("node %s: %w", client.URL, err)
	}
	if info.Chain != "" && info.Chain != cfg.Params.Name {
		return nil, fmt.Errorf("node %s is on %s, not %s", client.URL, info.Chain, cfg.Params.Name)
	}
	if _, _, err := rc.BestBlock(ctx); err != nil {
		return nil, fmt.Errorf("node %s: %w", client.URL, err)
	}
	if cfg.Follow == FollowEvents { // no polling: a node without events is refused now, not at wallet.create
		ws, err := client.DialWS(ctx)
		if err != nil {
			return nil, fmt.Errorf("node %s: events: %w", client.URL, err)
		}
		ws.Close()
	}
	listen := cfg.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("rpc listen address %q: %w", listen, err)
	}
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" {
		return nil, ErrPublicWithoutAuth
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	wh, err := NewWalletHost(ctx, WalletHostConfig{Path: filepath.Join(cfg.Dir, WalletDBFile), Params: cfg.Params, Chain: rc,
		BestHeight: rc.TipHeight, NoSync: cfg.NoSync, KDF: cfg.KDF, Logger: cfg.Logger.With("sub", "wallet")})
	if err != nil {
		return nil, err
	}
	cookie, err := rpc.NewCookie(cfg.Dir)
	if err != nil {
		wh.Close()
		return nil, err
	}
	srv := rpc.NewServer(&rpc.Auth{Cookie: cookie}, rpc.Limits{}, cfg.Logger.With("sub", "rpc"))
	srv.Register((&rpc.WalletService{Params: cfg.Params, Backend: wh}).Methods()...)
	srv.Register((&rpc.ContractService{Params: cfg.Params, Backend: NewRemoteContractHost(client, rc.TipHeight, wh)}).Methods()...)
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		wh.Close()
		return nil, fmt.Errorf("rpc listen: %w", err)
	}
	s := &WalletServer{Host: wh, Chain: rc, Addr: ln.Addr().String(), dir: cfg.Dir, log: cfg.Logger, rpc: srv}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("rpc server stopped", "err", err)
		}
	}()
	addrFile := filepath.Join(cfg.Dir, rpc.AddrFile)
	if err := os.WriteFile(addrFile+".tmp", []byte(s.Addr+"\n"), 0o644); err == nil {
		err = os.Rename(addrFile+".tmp", addrFile)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	s.log.Info("wallet rpc listening", "addr", s.Addr, "node", client.URL, "cookie", filepath.Join(cfg.Dir, rpc.CookieFile))
	return s, nil
}

// Close stops serving, removes rpc.addr and the cookie, and closes the
// wallet.
func (s *WalletServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.rpc.Shutdown(ctx)
	os.Remove(filepath.Join(s.dir, rpc.AddrFile))
	os.Remove(filepath.Join(s.dir, rpc.CookieFile))
	return s.Host.Close()
}
