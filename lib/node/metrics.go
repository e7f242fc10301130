package node

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
)

// MetricsConfig configures /metrics, the Prometheus scrape route on the
// RPC listener (docs/rpc.md "Metrics").
type MetricsConfig struct {
	// Public serves /metrics without a login. Only a loopback RPC
	// listener may do so (ErrMetricsPublic).
	Public bool
	// Subscribers, if not nil, counts the WebSocket subscribers
	// (gg_ws_subscribers); nil: the node's event hub counts them.
	Subscribers func() int
}

// ErrMetricsPublic refuses /metrics without auth on a listener others can
// reach.
var ErrMetricsPublic = errors.New("refusing to serve /metrics without auth on a non-loopback rpc listener")

// MetricsPath is the scrape route.
const MetricsPath = "/metrics"

// loopbackHost reports whether host (of the RPC listen address) only
// accepts local connections.
func loopbackHost(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback() || host == "localhost"
}

// metrics are the node's instruments fed as things happen (block
// connections, RPC calls), and its registry; the gauges are read at
// scrape time by nodeCollector.
type metrics struct {
	reg      *prometheus.Registry
	connect  prometheus.Histogram
	rpcCalls *prometheus.CounterVec
	rpcTime  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry(),
		connect: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "gg_chain_block_connect_seconds",
			Help: "Time to join a block to the active chain (validation, writes, commit); a branch joined at once counts its mean per block.",
			// 1 ms to about 33 s.
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16)}),
		rpcCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gg_rpc_requests_total",
			Help: "JSON-RPC calls by method (\"unknown\" for names not registered) and error code (0: success)."},
			[]string{"method", "code"}),
		rpcTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gg_rpc_request_duration_seconds",
			Help: "JSON-RPC call latency by method (\"unknown\" for names not registered).", Buckets: prometheus.DefBuckets},
			[]string{"method"}),
	}
	m.reg.MustRegister(m.connect, m.rpcCalls, m.rpcTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// blockConnected is the chain's ConnectObserver.
func (m *metrics) blockConnected(blocks int, d time.Duration) {
	per := d.Seconds() / float64(blocks)
	for range blocks {
		m.connect.Observe(per)
	}
}

// rpcObserver returns the RPC server's call observer. Method names not
// registered (known is read once, at the first call: methods are all
// registered before the server serves) collapse to "unknown", so a
// client cannot grow the label set.
func (m *metrics) rpcObserver(s *rpc.Server) func(method string, code int, d time.Duration) {
	known := sync.OnceValue(func() map[string]bool {
		set := map[string]bool{}
		for _, md := range s.Methods() {
			set[md.Name] = true
		}
		return set
	})
	return func(method string, code int, d time.Duration) {
		if !known()[method] {
			method = "unknown"
		}
		m.rpcCalls.WithLabelValues(method, strconv.Itoa(code)).Inc()
		m.rpcTime.WithLabelValues(method).Observe(d.Seconds())
	}
}

// serveMetrics registers the scrape-time gauges, observes the RPC calls
// and adds the /metrics route. host is the RPC listen host: only a
// loopback one may serve it without a login.
func (n *Node) serveMetrics(host string) error {
	mc := n.cfg.Metrics
	if mc.Public && !loopbackHost(host) {
		return ErrMetricsPublic
	}
	m := n.metrics
	if err := m.reg.Register(nodeCollector{n}); err != nil {
		return err
	}
	subs := mc.Subscribers
	if subs == nil {
		subs = n.events().hub.Subscribers
	}
	if err := m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gg_ws_subscribers",
		Help: "WebSocket clients subscribed to events."}, func() float64 { return float64(subs()) })); err != nil {
		return err
	}
	if err := n.registerStratumMetrics(m.reg); err != nil {
		return err
	}
	n.rpc.SetObserver(m.rpcObserver(n.rpc))
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	n.rpc.Handle(rpc.Route{Prefix: MetricsPath, Perm: rpc.MetricsPerm, Public: mc.Public,
		Handler: func(w http.ResponseWriter, r *http.Request, _ *rpc.Access) { h.ServeHTTP(w, r) }})
	return nil
}

// nodeCollector reads the node's gauges at scrape time, each group from
// one call (one chain lock, one pool lock, one read transaction, one trip
// to the P2P loop).
type nodeCollector struct{ n *Node }

var (
	descHeight       = gaugeDesc("gg_chain_height", "Height of the active chain's tip.")
	descHeaders      = gaugeDesc("gg_chain_headers_height", "Height of the best valid header (ahead of gg_chain_height while syncing).")
	descMempoolTxs   = gaugeDesc("gg_mempool_transactions", "Transactions in the mempool.")
	descMempoolBytes = gaugeDesc("gg_mempool_bytes", "Sum of the mempool transactions' virtual sizes.")
	descMempoolUsage = gaugeDesc("gg_mempool_usage_bytes", "Estimated memory the mempool uses.")
	descOrphans      = gaugeDesc("gg_mempool_orphans", "Orphan transactions held (inputs unknown).")
	descProducers    = gaugeDesc("gg_game_producers", "Registered producers.")
	descLiveProps    = gaugeDesc("gg_game_props_live", "Live props (neither destroyed nor in escrow).")
	descProps        = gaugeDesc("gg_game_props", "Props ever created.")
	descContracts    = gaugeDesc("gg_game_contracts", "Contract records, whatever their state.")
	descPeers        = prometheus.NewDesc("gg_p2p_peers", "Connected peers by direction.", []string{"direction"}, nil)
	descRPCConns     = gaugeDesc("gg_rpc_connections", "Open connections to the RPC listener.")
	descRPCInFlight  = gaugeDesc("gg_rpc_inflight_bytes", "Request-body and batch-reply bytes the RPC server holds.")
	descRPCAuth      = gaugeDesc("gg_rpc_auth_failing_sources", "Addresses with failed RPC logins on record (the login backoff).")
	descWalletLoaded = gaugeDesc("gg_wallet_loaded", "1 when the node hosts a loaded wallet, else 0.")
	descWalletHeight = gaugeDesc("gg_wallet_synced_height", "Height of the last block the hosted wallet processed (only with a wallet loaded).")
)

func gaugeDesc(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }

func (nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descHeight, descHeaders, descMempoolTxs, descMempoolBytes, descMempoolUsage,
		descOrphans, descProducers, descLiveProps, descProps, descContracts, descPeers, descRPCConns, descRPCInFlight,
		descRPCAuth, descWalletLoaded, descWalletHeight} {
		ch <- d
	}
}

func (c nodeCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	n := c.n
	pr := n.Chain.Progress()
	gauge(descHeight, float64(pr.TipHeight))
	gauge(descHeaders, float64(pr.HeaderHeight))

	mi := n.Mempool.Info()
	gauge(descMempoolTxs, float64(mi.Size))
	gauge(descMempoolBytes, float64(mi.Bytes))
	gauge(descMempoolUsage, float64(mi.Usage))
	gauge(descOrphans, float64(mi.Orphans))

	if rc, err := n.Chain.RegistryCounts(); err != nil {
		ch <- prometheus.NewInvalidMetric(descProducers, err)
	} else {
		gauge(descProducers, float64(rc.Producers))
		gauge(descLiveProps, float64(rc.LiveProps))
		gauge(descProps, float64(rc.Props))
		gauge(descContracts, float64(rc.Contracts))
	}

	var ni rpc.NetworkInfo
	if n.net != nil {
		ni = netBackend{n.net}.Network()
	}
	gauge(descPeers, float64(ni.ConnectionsIn), "inbound")
	gauge(descPeers, float64(ni.ConnectionsOut), "outbound")

	st := n.rpc.Stats()
	gauge(descRPCConns, float64(st.Conns))
	gauge(descRPCInFlight, float64(st.InFlightBytes))
	gauge(descRPCAuth, float64(st.AuthSources))

	var w *wallet.Wallet
	if n.Wallet != nil {
		w = n.Wallet.Wallet()
	}
	if w == nil {
		gauge(descWalletLoaded, 0)
		return
	}
	gauge(descWalletLoaded, 1)
	if tip, err := w.Synced(); err != nil {
		ch <- prometheus.NewInvalidMetric(descWalletHeight, err)
	} else {
		gauge(descWalletHeight, float64(tip.Height))
	}
}
