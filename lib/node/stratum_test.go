package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/stratum"
)

// stratumConn is a raw Stratum client for the node tests.
type stratumConn struct {
	t  *testing.T
	nc net.Conn
	lr *stratum.LineReader
	id uint64
}

func dialStratum(t *testing.T, dir string) *stratumConn {
	t.Helper()
	addr, err := os.ReadFile(filepath.Join(dir, StratumAddrFile))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", strings.TrimSpace(string(addr)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &stratumConn{t: t, nc: nc, lr: stratum.NewLineReader(nc, 0)}
}

// call sends a request and returns its response and the notifications
// read before it.
func (c *stratumConn) call(method string, params ...any) (*stratum.Message, []*stratum.Message) {
	c.t.Helper()
	c.id++
	line, err := stratum.EncodeRequest(c.id, method, params...)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.nc.Write(line); err != nil {
		c.t.Fatal(err)
	}
	var notes []*stratum.Message
	for {
		m := c.read()
		if !m.IsResponse() {
			notes = append(notes, m)
			continue
		}
		return m, notes
	}
}

func (c *stratumConn) read() *stratum.Message {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := c.lr.ReadLine()
	if err != nil {
		c.t.Fatalf("stratum read: %v", err)
	}
	m, err := stratum.DecodeLine(line)
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

// notify reads until a mining.notify.
func (c *stratumConn) notify() *stratum.Notify {
	c.t.Helper()
	for {
		if m := c.read(); m.Method == stratum.MethodNotify {
			n, err := stratum.ParseNotify(m.Params)
			if err != nil {
				c.t.Fatal(err)
			}
			return n
		}
	}
}

// TestNodeStratum: gg-node's Stratum server takes a configured worker
// (as NAME.rig too), refuses a wrong password, turns a share into the
// node's next block paying the configured address, and reports it by
// miner.stratum.info and the gg_stratum_* metrics.
func TestNodeStratum(t *testing.T) {
	dir := t.TempDir()
	alice, err := rpc.NewUser("alice", "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, payout := benchKey()
	n, c := startNodeCfg(t, Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true,
		P2P: P2PConfig{Disabled: true}, Stratum: StratumConfig{Listen: "127.0.0.1:0", Address: payout.String(),
			Workers: []rpc.User{alice}, Difficulty: 1e-12, Tag: "/node-test/"}})
	defer n.Close()

	bad := dialStratum(t, dir)
	bad.call(stratum.MethodSubscribe, "t")
	if r, _ := bad.call(stratum.MethodAuthorize, "alice", "nope"); r.Error == nil || r.Error.Code != stratum.CodeUnauthorized {
		t.Fatalf("wrong password: %s %v", r.Result, r.Error)
	}
	if r, _ := bad.call(stratum.MethodAuthorize, "bob.rig", "pw"); r.Error == nil || r.Error.Code != stratum.CodeUnauthorized {
		t.Fatalf("unknown worker: %s %v", r.Result, r.Error)
	}

	m := dialStratum(t, dir)
	r, _ := m.call(stratum.MethodSubscribe, "t")
	var sub stratum.Subscription
	if err := json.Unmarshal(r.Result, &sub); err != nil {
		t.Fatal(err)
	}
	if r, _ := m.call(stratum.MethodAuthorize, "alice.rig", "pw"); string(r.Result) != "true" {
		t.Fatalf("authorize alice.rig: %s %v", r.Result, r.Error)
	}
	job := m.notify()
	target := chaincfg.CompactToBig(job.Bits)
	en2 := []byte{0, 0, 0, 7}
	var nonce uint32
	for ; ; nonce++ {
		h := job.Header(sub.Extranonce1, en2, job.Time, nonce, job.Version)
		hash := h.BlockHash()
		if stratum.HashMeets(&hash, target) {
			break
		}
	}
	sr, _ := m.call(stratum.MethodSubmit, (&stratum.Submit{Worker: "alice.rig", JobID: job.JobID, Extranonce2: en2,
		Time: job.Time, Nonce: nonce}).Params()...)
	if string(sr.Result) != "true" {
		t.Fatalf("submit: %s %v", sr.Result, sr.Error)
	}
	best := n.Chain.Best()
	if best.Height != 1 {
		t.Fatalf("height %d after a block share", best.Height)
	}
	blk, err := n.Chain.BlockByHash(best.Hash)
	if err != nil {
		t.Fatal(err)
	}
	cb := blk.Transactions[0]
	if !bytes.Equal(cb.TxOut[0].PkScript, payout.PkScript()) || !bytes.Contains(cb.TxIn[0].SignatureScript, []byte("/node-test/")) {
		t.Fatalf("coinbase pays %x with script %x", cb.TxOut[0].PkScript, cb.TxIn[0].SignatureScript)
	}

	var info stratum.Info
	if err := c.Call(t.Context(), "miner.stratum.info", &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Workers) != 1 || info.Workers[0].Name != "alice.rig" || info.Workers[0].Accepted != 1 || info.Workers[0].Blocks != 1 ||
		info.Totals.Blocks != 1 || len(info.Blocks) != 1 || info.Blocks[0].Hash != best.Hash.String() || info.Connections != 2 {
		t.Fatalf("miner.stratum.info %+v", info)
	}
	fams := scrapeFamilies(t, dir)
	wantValue(t, fams, 1, "gg_stratum_shares_accepted_total")
	wantValue(t, fams, 1, "gg_stratum_blocks_total")
	wantValue(t, fams, 2, "gg_stratum_connections")
	wantValue(t, fams, 1, "gg_stratum_workers")
	wantValue(t, fams, 0, "gg_stratum_shares_rejected_total", "reason="+stratum.ReasonDuplicate)
	if value(t, fams, "gg_stratum_hashrate") <= 0 {
		t.Error("gg_stratum_hashrate is not positive after an accepted share")
	}
	sr, _ = m.call(stratum.MethodSubmit, (&stratum.Submit{Worker: "alice.rig", JobID: job.JobID, Extranonce2: en2,
		Time: job.Time, Nonce: nonce}).Params()...)
	if sr.Error == nil || sr.Error.Code != stratum.CodeJobNotFound {
		t.Fatalf("the same share after its block: %s %v, want a stale job", sr.Result, sr.Error)
	}
	fams = scrapeFamilies(t, dir)
	wantValue(t, fams, 1, "gg_stratum_shares_rejected_total", "reason="+stratum.ReasonStale)
}

// TestNodeStratumOff: without --stratum-listen miner.stratum.info says the
// server is off, and the metrics read zero.
func TestNodeStratumOff(t *testing.T) {
	dir := t.TempDir()
	n, c := startNodeCfg(t, Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true,
		P2P: P2PConfig{Disabled: true}})
	defer n.Close()
	err := c.Call(t.Context(), "miner.stratum.info", nil)
	var re *rpc.Error
	if !errors.As(err, &re) || re.Code != rpc.CodeMisc || !strings.Contains(re.Message, "--stratum-listen") {
		t.Fatalf("miner.stratum.info with Stratum off: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, StratumAddrFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stratum.addr written with Stratum off: %v", err)
	}
	wantValue(t, scrapeFamilies(t, dir), 0, "gg_stratum_connections")
}

func TestNodeStratumConfigErrors(t *testing.T) {
	alice, _ := rpc.NewUser("alice", "pw")
	_, payout := benchKey()
	good := StratumConfig{Listen: "127.0.0.1:0", Address: payout.String(), Workers: []rpc.User{alice}}
	for name, tc := range map[string]struct {
		params *chaincfg.Params
		edit   func(*StratumConfig)
		want   error
	}{
		"public address":      {chaincfg.RegTestParams, func(s *StratumConfig) { s.Listen = "0.0.0.0:0" }, ErrStratumPublic},
		"open off regtest":    {chaincfg.TestNetParams, func(s *StratumConfig) { s.Open, s.Address = true, "" }, ErrStratumOpen},
		"no workers":          {chaincfg.RegTestParams, func(s *StratumConfig) { s.Workers = nil }, ErrStratumNoWorkers},
		"no address":          {chaincfg.RegTestParams, func(s *StratumConfig) { s.Address = "" }, ErrStratumAddress},
		"wrong network":       {chaincfg.TestNetParams, func(s *StratumConfig) {}, ErrStratumAddress},
		"bad extranonce2":     {chaincfg.RegTestParams, func(s *StratumConfig) { s.Extranonce2Size = 3 }, stratum.ErrConfig},
		"tag over 64 bytes":   {chaincfg.RegTestParams, func(s *StratumConfig) { s.Tag = strings.Repeat("t", 65) }, stratum.ErrConfig},
		"min over difficulty": {chaincfg.RegTestParams, func(s *StratumConfig) { s.Difficulty, s.MinDifficulty = 1, 2 }, stratum.ErrConfig},
	} {
		t.Run(name, func(t *testing.T) {
			sc := good
			tc.edit(&sc)
			n, err := New(Config{Params: tc.params, DataDir: t.TempDir(), RPCListen: "127.0.0.1:0", NoWallet: true,
				P2P: P2PConfig{Disabled: true}, Stratum: sc})
			if err == nil {
				n.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("New: %v, want %v", err, tc.want)
			}
		})
	}
}
