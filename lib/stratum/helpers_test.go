package stratum

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

var params = chaincfg.RegTestParams

// testNow is the fixed clock: an hour after the regtest genesis block.
var testNow = time.Unix(int64(params.GenesisBlock.Header.Timestamp)+3600, 0)

func clock() time.Time { return testNow }

// payTo is the anyone-can-spend script the server pays to.
var payTo = chaingen.OpTrueP2SH

// testTag is the coinbase tag of the test servers.
var testTag = []byte("/gg-test/")

// env is a real chain on a temp bbolt file with a pool following it, a
// template generator on the fixed clock, and a Stratum server listening
// on 127.0.0.1.
type env struct {
	tb    testing.TB
	chain *chain.Chain
	pool  *mempool.Pool
	gen   *mining.Generator
	miner *mining.CPUMiner
	txgen *chaingen.Generator
	coins []chaingen.SpendableOut
	srv   *Server
	addr  string
}

// newChainEnv builds the chain with blocks mined by the CPU miner (and
// keeps the coinbase outputs mature for the next block).
func newChainEnv(tb testing.TB, blocks int) *env {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "chain.db"), store.Options{NoSync: true, Timeout: 2 * time.Second})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	c, err := chain.New(chain.Config{DB: db, Params: params, TimeSource: clock})
	if err != nil {
		db.Close()
		tb.Fatalf("chain.New: %v", err)
	}
	tb.Cleanup(func() {
		c.Close()
		db.Close()
	})
	pool := mempool.New(mempool.Config{Params: params, Chain: c, TimeSource: clock})
	c.Subscribe(pool.HandleNotification)
	gen := mining.NewGenerator(params, c, pool, clock)
	e := &env{tb: tb, chain: c, pool: pool, gen: gen, miner: mining.NewCPUMiner(gen, c), txgen: chaingen.New(params)}
	if blocks > 0 {
		hashes, err := e.miner.Generate(context.Background(), blocks, payTo)
		if err != nil {
			tb.Fatalf("Generate(%d): %v", blocks, err)
		}
		next := c.Best().Height + 1
		for i, h := range hashes {
			height := int32(i + 1)
			if next-height < params.CoinbaseMaturity {
				break
			}
			blk, err := c.BlockByHash(h)
			if err != nil {
				tb.Fatal(err)
			}
			e.coins = append(e.coins, chaingen.SpendableOutFromTx(blk.Transactions[0], 0, height))
		}
	}
	return e
}

// testConfig is a server config on the env: open workers unless the
// test sets Authorize, a difficulty every hash meets, a fixed
// difficulty, the fixed clock and extranonce1 01020304 upwards.
func (e *env) testConfig() Config {
	return Config{Chain: e.chain, Templates: e.gen, Notifier: e.chain, PoolChanges: e.pool.Changes,
		PayTo: payTo, CoinbaseTag: testTag, Open: true, Difficulty: 1e-12, MinDifficulty: 1e-12,
		ShareInterval: -1, Now: clock, Extranonce1: func() uint32 { return 0x01020304 }}
}

// start starts the server with cfg on 127.0.0.1:0.
func (e *env) start(cfg Config) *Server {
	e.tb.Helper()
	srv, err := New(cfg)
	if err != nil {
		e.tb.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	e.tb.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			e.tb.Errorf("Serve: %v", err)
		}
	})
	e.srv, e.addr = srv, ln.Addr().String()
	return srv
}

// newEnv is a chain at genesis with a server on testConfig, changed by
// the optional edits.
func newEnv(tb testing.TB, edits ...func(*Config)) *env {
	e := newChainEnv(tb, 0)
	cfg := e.testConfig()
	for _, ed := range edits {
		ed(&cfg)
	}
	e.start(cfg)
	return e
}

// ioTimeout bounds every read of the test client, so that a server that
// fails to answer fails the test instead of hanging it.
const ioTimeout = 20 * time.Second

// client is a raw TCP Stratum client.
type client struct {
	tb     testing.TB
	nc     net.Conn
	lr     *LineReader
	nextID uint64
	queue  []*Message // notifications read while waiting for a reply
	sub    Subscription
	diff   float64
	jobs   map[string]*Notify
	last   *Notify
	// lastRaw is the params of the last notify, as sent.
	lastRaw json.RawMessage
	worker  string
}

func (e *env) dial() *client {
	e.tb.Helper()
	nc, err := net.Dial("tcp", e.addr)
	if err != nil {
		e.tb.Fatalf("dial: %v", err)
	}
	c := &client{tb: e.tb, nc: nc, lr: NewLineReader(nc, 1<<20), jobs: map[string]*Notify{}}
	e.tb.Cleanup(func() { nc.Close() })
	return c
}

func (c *client) sendLine(s string) {
	c.tb.Helper()
	_ = c.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := c.nc.Write([]byte(s + "\n")); err != nil {
		c.tb.Fatalf("write: %v", err)
	}
}

// read returns the next message from the server.
func (c *client) read() (*Message, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(ioTimeout))
	line, err := c.lr.ReadLine()
	if err != nil {
		return nil, err
	}
	return DecodeLine(line)
}

// call sends a request and returns its response, queueing notifications.
func (c *client) call(method string, params ...any) *Message {
	c.tb.Helper()
	c.nextID++
	b, err := EncodeRequest(c.nextID, method, params...)
	if err != nil {
		c.tb.Fatal(err)
	}
	c.sendLine(string(bytes.TrimSpace(b)))
	return c.response(fmt.Sprint(c.nextID))
}

// response reads until the response with id, queueing notifications.
func (c *client) response(id string) *Message {
	c.tb.Helper()
	for {
		m, err := c.read()
		if err != nil {
			c.tb.Fatalf("waiting for the response to %s: %v", id, err)
		}
		if !m.IsResponse() {
			c.note(m)
			continue
		}
		if string(m.ID) == id {
			return m
		}
		c.tb.Fatalf("response to %s while waiting for %s", m.ID, id)
	}
}

// note applies a notification: set_difficulty, notify.
func (c *client) note(m *Message) {
	c.tb.Helper()
	c.queue = append(c.queue, m)
	switch m.Method {
	case MethodSetDifficulty:
		var p []float64
		if err := json.Unmarshal(m.Params, &p); err != nil || len(p) != 1 {
			c.tb.Fatalf("set_difficulty params %s", m.Params)
		}
		c.diff = p[0]
	case MethodNotify:
		n, err := ParseNotify(m.Params)
		if err != nil {
			c.tb.Fatalf("notify: %v", err)
		}
		if n.Clean {
			clear(c.jobs)
		}
		c.jobs[n.JobID] = n
		c.last, c.lastRaw = n, m.Params
	}
}

// waitNotify reads until a mining.notify arrives (or returns a queued
// one) and returns it.
func (c *client) waitNotify() *Notify {
	c.tb.Helper()
	for i, m := range c.queue {
		if m.Method == MethodNotify {
			c.queue = c.queue[i+1:]
			n, _ := ParseNotify(m.Params)
			return n
		}
	}
	c.queue = nil
	for {
		m, err := c.read()
		if err != nil {
			c.tb.Fatalf("waiting for mining.notify: %v", err)
		}
		if m.IsResponse() {
			c.tb.Fatalf("unexpected response %s while waiting for a notify", m.ID)
		}
		c.note(m)
		if m.Method == MethodNotify {
			c.queue = nil
			return c.last
		}
	}
}

// handshake subscribes and authorizes worker, and waits for the first
// job.
func (c *client) handshake(worker, pass string) *Notify {
	c.tb.Helper()
	r := c.call(MethodSubscribe, "gg-test/1")
	if r.Error != nil {
		c.tb.Fatalf("subscribe: %v", r.Error)
	}
	if err := json.Unmarshal(r.Result, &c.sub); err != nil {
		c.tb.Fatalf("subscribe result: %v", err)
	}
	r = c.call(MethodAuthorize, worker, pass)
	if r.Error != nil || string(r.Result) != "true" {
		c.tb.Fatalf("authorize %s: %s %v", worker, r.Result, r.Error)
	}
	c.worker = worker
	return c.waitNotify()
}

// share is one solution: extranonce2, ntime, nonce.
type share struct {
	en2   []byte
	ntime uint32
	nonce uint32
}

// blockTarget is the target of a job's bits.
func blockTarget(n *Notify) *big.Int { return chaincfg.CompactToBig(n.Bits) }

// find searches nonces from 0 for a share that meets the client's
// difficulty and, as block says, meets or misses the block target.
func (c *client) find(n *Notify, en2 []byte, block bool) share {
	c.tb.Helper()
	st, err := DifficultyToTarget(c.diff)
	if err != nil {
		c.tb.Fatal(err)
	}
	bt := blockTarget(n)
	for nonce := uint32(0); nonce < 1<<20; nonce++ {
		h := n.Header(c.sub.Extranonce1, en2, n.Time, nonce, n.Version)
		hash := h.BlockHash()
		if HashMeets(&hash, st) && HashMeets(&hash, bt) == block {
			return share{en2: en2, ntime: n.Time, nonce: nonce}
		}
	}
	c.tb.Fatal("no share found in 2^20 nonces")
	return share{}
}

// submit sends a share of job n and returns the response.
func (c *client) submit(n *Notify, s share) *Message {
	c.tb.Helper()
	return c.call(MethodSubmit, (&Submit{Worker: c.worker, JobID: n.JobID, Extranonce2: s.en2, Time: s.ntime, Nonce: s.nonce}).Params()...)
}

// wantAccepted fails unless r is result true.
func wantAccepted(tb testing.TB, what string, r *Message) {
	tb.Helper()
	if r.Error != nil || string(r.Result) != "true" {
		tb.Fatalf("%s: result %s, error %v; want accepted", what, r.Result, r.Error)
	}
}

// wantError fails unless r is a Stratum error with code.
func wantError(tb testing.TB, what string, r *Message, code int) {
	tb.Helper()
	if r.Error == nil || r.Error.Code != code {
		tb.Fatalf("%s: result %s, error %v; want error code %d", what, r.Result, r.Error, code)
	}
}

// wantClosed fails unless the server closes the connection (a read ends
// in EOF or a reset) before ioTimeout; lines before that are skipped.
func (c *client) wantClosed(what string) {
	c.tb.Helper()
	for {
		_, err := c.read()
		if err == nil || errors.Is(err, ErrMalformed) {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			c.tb.Fatalf("%s: connection still open after %v", what, ioTimeout)
		}
		return
	}
}

// en2 is a 4-byte extranonce2 from a counter.
func en2(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

// tip is the chain's tip hash.
func (e *env) tip() chainhash.Hash { return e.chain.Best().Hash }

// mineDirect mines a block on the chain without Stratum (another miner
// finding the next block).
func (e *env) mineDirect() {
	e.tb.Helper()
	if _, err := e.miner.Generate(context.Background(), 1, chaingen.OpTrueP2WSH); err != nil {
		e.tb.Fatal(err)
	}
}

// headerBytes is a block header's 80 bytes.
func headerBytes(h wire.BlockHeader) []byte { return h.Bytes() }

func parseHash(s string) (chainhash.Hash, error) { return chainhash.NewHashFromStr(s) }

func nan() float64 { return math.NaN() }
