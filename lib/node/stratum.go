package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/stratum"
)

// StratumConfig configures the Stratum server for miners (docs/stratum.md).
// It is off unless Listen is set.
type StratumConfig struct {
	// Listen is host:port, or a host alone for the network's Stratum
	// port (P2P port + 5). Only a loopback host unless Public.
	Listen string
	// Public allows a non-loopback Listen.
	Public bool
	// Address is the coinbase payout address (default: MinerAddress).
	Address string
	// Tag is pushed at the end of the coinbase script.
	Tag string
	// Workers are the miners allowed in, in rpcauth form: a worker
	// "name" or "name.anything" logs in with name's password.
	Workers []rpc.User
	// Open lets any worker in with any password (regtest only).
	Open bool
	// The stratum.Config knobs (zero: stratum's defaults; Difficulty
	// defaults to 0.001 on regtest).
	Extranonce2Size                          int
	Difficulty, MinDifficulty, MaxDifficulty float64
	ShareInterval, RefreshInterval           time.Duration
	MaxConns, MaxConnsPerIP                  int
}

// StratumAddrFile is the datadir file in which gg-node writes the Stratum
// listener's address.
const StratumAddrFile = "stratum.addr"

// DefaultStratumTag is the coinbase tag when none is configured.
const DefaultStratumTag = "/gg-node/"

// regtestDifficulty is the default share difficulty on regtest, where a
// CPU miner makes several shares a second at it.
const regtestDifficulty = 0.001

// Stratum configuration errors.
var (
	ErrStratumPublic    = errors.New("refusing to serve Stratum on a non-loopback address without --stratum-public")
	ErrStratumOpen      = errors.New("open Stratum workers (any name, any password) are for regtest only")
	ErrStratumNoWorkers = errors.New("no Stratum workers configured")
	ErrStratumAddress   = errors.New("stratum payout address")
)

// startStratum starts the Stratum server when configured.
func (n *Node) startStratum() error {
	sc := n.cfg.Stratum
	if sc.Listen == "" {
		return nil
	}
	params := n.cfg.Params
	listen := sc.Listen
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		host = strings.Trim(listen, "[]")
		listen = net.JoinHostPort(host, strconv.Itoa(params.StratumPort))
	}
	if !sc.Public && !loopbackHost(host) {
		return ErrStratumPublic
	}
	if sc.Open && params.Name != chaincfg.RegTestParams.Name {
		return ErrStratumOpen
	}
	if !sc.Open && len(sc.Workers) == 0 {
		return ErrStratumNoWorkers
	}
	addr := sc.Address
	if addr == "" {
		addr = n.cfg.MinerAddress
	}
	if addr == "" {
		return fmt.Errorf("%w: none given", ErrStratumAddress)
	}
	a, err := address.Decode(addr, params)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStratumAddress, err)
	}
	tag := sc.Tag
	if tag == "" {
		tag = DefaultStratumTag
	}
	diff := sc.Difficulty
	if diff == 0 && params.Name == chaincfg.RegTestParams.Name {
		diff = regtestDifficulty
	}
	auth := &rpc.Auth{Users: sc.Workers}
	srv, err := stratum.New(stratum.Config{Chain: n.Chain, Templates: n.Template, Notifier: n.Chain,
		PoolChanges: n.Mempool.Changes, PayTo: a.PkScript(), CoinbaseTag: []byte(tag), Open: sc.Open,
		Authorize: func(worker, pass string) bool {
			if _, ok := auth.Authenticate(worker, pass); ok {
				return true
			}
			user, _, dotted := strings.Cut(worker, ".")
			if !dotted {
				return false
			}
			_, ok := auth.Authenticate(user, pass)
			return ok
		},
		Extranonce2Size: sc.Extranonce2Size, Difficulty: diff, MinDifficulty: sc.MinDifficulty,
		MaxDifficulty: sc.MaxDifficulty, ShareInterval: sc.ShareInterval, RefreshInterval: sc.RefreshInterval,
		MaxConns: sc.MaxConns, MaxConnsPerIP: sc.MaxConnsPerIP, Logger: n.log.With("sub", "stratum")})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		srv.Close()
		return fmt.Errorf("stratum listen: %w", err)
	}
	n.stratum = srv
	go func() {
		if err := srv.Serve(ln); err != nil {
			n.log.Error("stratum server stopped", "err", err)
		}
	}()
	if err := writeAddrFile(filepath.Join(n.cfg.DataDir, StratumAddrFile), ln.Addr().String()); err != nil {
		return err
	}
	n.log.Info("stratum listening", "addr", ln.Addr().String(), "payout", a.String(), "open", sc.Open, "workers", len(sc.Workers))
	return nil
}

func (n *Node) stopStratum() {
	if n.stratum == nil {
		return
	}
	n.stratum.Close()
	os.Remove(filepath.Join(n.cfg.DataDir, StratumAddrFile))
}

// Stratum returns the running Stratum server, or nil.
func (n *Node) Stratum() *stratum.Server { return n.stratum }

// registerStratum adds miner.stratum.info to the RPC server.
func (n *Node) registerStratum() {
	n.rpc.Register(rpc.Method{Name: "miner.stratum.info", Params: "",
		Help: "the Stratum server: listen addresses, current job, and accepted/rejected shares (with reasons), hashrate, " +
			"last share and blocks found per worker, per connection and in total",
		Handler: func(_ context.Context, p json.RawMessage) (any, error) {
			if err := rpc.ParseParams(p, nil, 0); err != nil {
				return nil, err
			}
			if n.stratum == nil {
				return nil, rpc.Errorf(rpc.CodeMisc, "the Stratum server is off (start gg-node with --stratum-listen)")
			}
			return n.stratum.Info(), nil
		}})
}

// Stratum metrics, read at scrape time (zero while the server is off).
var (
	descStratumConns    = gaugeDesc("gg_stratum_connections", "Open Stratum connections.")
	descStratumWorkers  = gaugeDesc("gg_stratum_workers", "Stratum workers with an open connection.")
	descStratumHashrate = gaugeDesc("gg_stratum_hashrate", "Estimated hashes per second of the Stratum miners (last 10 minutes).")
	descStratumAccepted = prometheus.NewDesc("gg_stratum_shares_accepted_total", "Stratum shares accepted.", nil, nil)
	descStratumRejected = prometheus.NewDesc("gg_stratum_shares_rejected_total", "Stratum shares rejected, by reason.", []string{"reason"}, nil)
	descStratumBlocks   = prometheus.NewDesc("gg_stratum_blocks_total", "Blocks found through Stratum and taken by the chain.", nil, nil)
)

// stratumCollector reads the Stratum server's totals at scrape time.
type stratumCollector struct{ n *Node }

func (stratumCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descStratumConns, descStratumWorkers, descStratumHashrate,
		descStratumAccepted, descStratumRejected, descStratumBlocks} {
		ch <- d
	}
}

func (c stratumCollector) Collect(ch chan<- prometheus.Metric) {
	var st stratum.Stats
	if s := c.n.stratum; s != nil {
		st = s.Stats()
	}
	ch <- prometheus.MustNewConstMetric(descStratumConns, prometheus.GaugeValue, float64(st.Connections))
	ch <- prometheus.MustNewConstMetric(descStratumWorkers, prometheus.GaugeValue, float64(st.Workers))
	ch <- prometheus.MustNewConstMetric(descStratumHashrate, prometheus.GaugeValue, st.Hashrate)
	ch <- prometheus.MustNewConstMetric(descStratumAccepted, prometheus.CounterValue, float64(st.Accepted))
	ch <- prometheus.MustNewConstMetric(descStratumBlocks, prometheus.CounterValue, float64(st.Blocks))
	for _, r := range stratum.RejectReasons {
		ch <- prometheus.MustNewConstMetric(descStratumRejected, prometheus.CounterValue, float64(st.Rejected[r]), r)
	}
}

// registerStratumMetrics adds the gg_stratum_* series to the registry.
func (n *Node) registerStratumMetrics(reg *prometheus.Registry) error {
	return reg.Register(stratumCollector{n})
}
