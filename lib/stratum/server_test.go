package stratum

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wire"
)

// honest is a miner that keeps mining between the rejection cases: each
// call submits a fresh share (not a block, so the job stays) and wants
// it accepted.
type honest struct {
	c   *client
	n   *Notify
	en2 uint32
}

func (h *honest) mine(tb testing.TB, when string) {
	tb.Helper()
	if h.c.last != nil && h.c.last != h.n {
		h.n = h.c.last
	}
	h.en2++
	s := h.c.find(h.n, en2(h.en2), false)
	wantAccepted(tb, "honest share "+when, h.c.submit(h.n, s))
}

// TestServerRejects: every kind of bad input gets its Stratum error (or
// a disconnect), and an honest miner on the same server keeps mining
// through all of them.
func TestServerRejects(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Open = false
		c.Authorize = func(w, p string) bool { return (w == "alice" || strings.HasPrefix(w, "alice.")) && p == "secret" }
	})
	hc := e.dial()
	h := &honest{c: hc, n: hc.handshake("alice.rig1", "secret")}
	h.mine(t, "at the start")

	t.Run("malformed json", func(t *testing.T) {
		c := e.dial()
		for _, bad := range []string{`{"id":1,"method":`, `not json`, `[1,2,3]`, `{"id":true,"method":"mining.subscribe"}`, `{"id":1,"method":"mining.subscribe","params":{"a":1}}`} {
			c.sendLine(bad)
			m, err := c.read()
			if err != nil {
				t.Fatalf("after %q: %v", bad, err)
			}
			wantError(t, bad, m, CodeOther)
			if string(m.ID) != "null" {
				t.Errorf("error to %q has id %s, want null", bad, m.ID)
			}
		}
		// The connection still works.
		if r := c.call(MethodSubscribe, "x"); r.Error != nil {
			t.Fatalf("subscribe after malformed lines: %v", r.Error)
		}
		h.mine(t, "after malformed json")
	})

	t.Run("too many malformed lines", func(t *testing.T) {
		c := e.dial()
		for range maxBadLines {
			c.sendLine(`}{`)
		}
		c.wantClosed("after many malformed lines")
		h.mine(t, "after a garbage flood")
	})

	t.Run("unknown method", func(t *testing.T) {
		c := e.dial()
		r := c.call("mining.get_transactions", "1")
		wantError(t, "unknown method", r, CodeOther)
		if !strings.Contains(r.Error.Message, "Unknown method") {
			t.Errorf("message %q", r.Error.Message)
		}
		h.mine(t, "after an unknown method")
	})

	t.Run("submit before subscribe", func(t *testing.T) {
		c := e.dial()
		r := c.call(MethodSubmit, "alice", hc.last.JobID, "00000000", Hex32(hc.last.Time), "00000000")
		wantError(t, "submit before subscribe", r, CodeNotSubscribed)
	})

	t.Run("submit before authorize", func(t *testing.T) {
		c := e.dial()
		c.call(MethodSubscribe, "x")
		r := c.call(MethodSubmit, "alice", hc.last.JobID, "00000000", Hex32(hc.last.Time), "00000000")
		wantError(t, "submit before authorize", r, CodeUnauthorized)
		h.mine(t, "after an unauthorized submit")
	})

	t.Run("submit for another worker", func(t *testing.T) {
		r := hc.call(MethodSubmit, "alice.rig2", hc.last.JobID, "000000ff", Hex32(hc.last.Time), "00000000")
		wantError(t, "submit for a worker not authorized here", r, CodeUnauthorized)
	})

	t.Run("wrong password", func(t *testing.T) {
		c := e.dial()
		c.call(MethodSubscribe, "x")
		wantError(t, "wrong password", c.call(MethodAuthorize, "alice", "guess"), CodeUnauthorized)
		wantError(t, "unknown worker", c.call(MethodAuthorize, "mallory", "secret"), CodeUnauthorized)
		wantError(t, "bad worker name", c.call(MethodAuthorize, "al ice", "secret"), CodeUnauthorized)
		c.wantClosed("after three failed authorizations")
		h.mine(t, "after failed logins")
	})

	t.Run("unknown job", func(t *testing.T) {
		r := hc.call(MethodSubmit, "alice.rig1", "ffff", "000000fe", Hex32(hc.last.Time), "00000000")
		wantError(t, "unknown job", r, CodeJobNotFound)
	})

	t.Run("bad extranonce2 length", func(t *testing.T) {
		for _, en := range []string{"", "00", "000000", "0000000000", "0000000000000000"} {
			r := hc.call(MethodSubmit, "alice.rig1", hc.last.JobID, en, Hex32(hc.last.Time), "00000000")
			wantError(t, "extranonce2 "+en, r, CodeOther)
			if !strings.Contains(r.Error.Message, "extranonce2") {
				t.Errorf("extranonce2 %q: message %q", en, r.Error.Message)
			}
		}
		h.mine(t, "after bad extranonce2s")
	})

	t.Run("bad params", func(t *testing.T) {
		for _, ps := range [][]any{
			{"alice.rig1", hc.last.JobID, "00000001", "zz", "00000000"},
			{"alice.rig1", hc.last.JobID, "00000001", Hex32(hc.last.Time)},
			{"alice.rig1", hc.last.JobID, "00000001", Hex32(hc.last.Time), 5},
		} {
			wantError(t, "bad submit params", hc.call(MethodSubmit, ps...), CodeOther)
		}
	})

	t.Run("ntime out of range", func(t *testing.T) {
		j := e.srv.current()
		early := uint32(j.minTime - 1)
		late := uint32(testNow.Add(DefaultMaxNTimeAhead).Unix() + 1)
		for _, nt := range []uint32{early, late, 0, 0xffffffff} {
			r := hc.call(MethodSubmit, "alice.rig1", hc.last.JobID, "00001000", Hex32(nt), "00000000")
			wantError(t, "ntime "+Hex32(nt), r, CodeOther)
			if !strings.Contains(r.Error.Message, "ntime") {
				t.Errorf("ntime %08x: message %q", nt, r.Error.Message)
			}
		}
		// The bounds themselves are in range.
		s := hc.find(hc.last, en2(0x2000), false)
		s.ntime = uint32(j.minTime)
		s = refind(t, hc, hc.last, s)
		wantAccepted(t, "ntime = mintime", hc.submit(hc.last, s))
		h.mine(t, "after bad ntimes")
	})

	t.Run("duplicate share", func(t *testing.T) {
		s := hc.find(hc.last, en2(0x3000), false)
		wantAccepted(t, "first submission", hc.submit(hc.last, s))
		wantError(t, "second submission", hc.submit(hc.last, s), CodeDuplicate)
		// The same share from another connection is another share: its
		// extranonce1 differs.
		h.mine(t, "after a duplicate")
	})

	t.Run("low difficulty share", func(t *testing.T) {
		c := e.dial()
		n := c.handshake("alice.rig3", "secret")
		if r := c.call(MethodSuggestDifficulty, 1e6); r.Error != nil {
			t.Fatalf("suggest_difficulty: %v", r.Error)
		}
		n2 := c.waitNotify() // set_difficulty then the job again, under a new id
		if c.diff != 1e6 || !strings.HasPrefix(n2.JobID, n.JobID+".") || n2.Clean {
			t.Fatalf("after suggest_difficulty: difficulty %v, job %s clean=%v (want 1e6, %s.N, false)", c.diff, n2.JobID, n2.Clean, n.JobID)
		}
		r := c.submit(n2, share{en2: en2(1), ntime: n2.Time, nonce: 1})
		wantError(t, "low difficulty share", r, CodeLowDifficulty)
		// A share in flight for the job under its old id counts at the old
		// difficulty.
		wantAccepted(t, "share at the old difficulty", c.submit(n, refind(t, c, n, share{en2: en2(2), ntime: n.Time})))
		h.mine(t, "after a low-difficulty share")
	})

	t.Run("version bits without negotiation", func(t *testing.T) {
		r := hc.call(MethodSubmit, "alice.rig1", hc.last.JobID, "00004000", Hex32(hc.last.Time), "00000000", "00002000")
		wantError(t, "version bits not negotiated", r, CodeOther)
	})

	t.Run("stale job", func(t *testing.T) {
		old := hc.last
		s := hc.find(old, en2(0x5000), false)
		e.mineDirect() // another miner finds the next block
		n := hc.waitNotify()
		for n.PrevHash != e.tip() { // skip jobs queued before
			n = hc.waitNotify()
		}
		if !n.Clean {
			t.Fatalf("after a new tip: notify clean=%v prev %s, want clean on %s", n.Clean, n.PrevHash, e.tip())
		}
		wantError(t, "share of the old job", hc.submit(old, s), CodeJobNotFound)
		h.mine(t, "after a new tip")
	})

	t.Run("1 MB line", func(t *testing.T) {
		c := e.dial()
		go func() { // the server may close before the whole line is written
			_ = c.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
			_, _ = c.nc.Write(append(bytes.Repeat([]byte("x"), 1<<20), '\n'))
		}()
		c.wantClosed("after a 1 MB line")
		h.mine(t, "after a 1 MB line")
	})

	info := e.srv.Info()
	var w *WorkerInfo
	for i := range info.Workers {
		if info.Workers[i].Name == "alice.rig1" {
			w = &info.Workers[i]
		}
	}
	if w == nil {
		t.Fatalf("no alice.rig1 in %+v", info.Workers)
	}
	for _, reason := range []string{ReasonJobNotFound, ReasonStale, ReasonExtranonce2, ReasonNTime, ReasonDuplicate,
		ReasonBadParams, ReasonVersionBits, ReasonUnauthorized} {
		if info.Totals.RejectReasons[reason] == 0 {
			t.Errorf("no %s rejection counted in the totals %v", reason, info.Totals.RejectReasons)
		}
	}
	if w.Accepted < 10 || w.RejectReasons[ReasonDuplicate] != 1 || w.RejectReasons[ReasonNTime] != 4 || w.LastShare == 0 {
		t.Errorf("alice.rig1 accounting %+v", w.TallyInfo)
	}
}

// refind searches the nonce again for a share whose ntime changed.
func refind(t testing.TB, c *client, n *Notify, s share) share {
	t.Helper()
	bt := blockTarget(n)
	for nonce := uint32(0); nonce < 1<<20; nonce++ {
		h := n.Header(c.sub.Extranonce1, s.en2, s.ntime, nonce, n.Version)
		hash := h.BlockHash()
		if !HashMeets(&hash, bt) {
			s.nonce = nonce
			return s
		}
	}
	t.Fatal("no nonce")
	return s
}

// TestServerSilentConnections: 500 connections that never speak are
// refused at the caps or dropped at the hello timeout, while an honest
// miner keeps mining; afterwards a new miner gets in.
func TestServerSilentConnections(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.MaxConns, c.MaxConnsPerIP = 200, 100
		c.HelloTimeout = 300 * time.Millisecond
	})
	hc := e.dial()
	h := &honest{c: hc, n: hc.handshake("w", "")}
	conns := make([]net.Conn, 0, 500)
	for range 500 {
		nc, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatalf("dial %d: %v", len(conns), err)
		}
		conns = append(conns, nc)
	}
	h.mine(t, "with 500 silent connections open")
	var wg sync.WaitGroup
	errs := make(chan error, len(conns))
	for _, nc := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer nc.Close()
			_ = nc.SetReadDeadline(time.Now().Add(ioTimeout))
			_, err := nc.Read(make([]byte, 1))
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if n := len(errs); n > 0 {
		t.Fatalf("%d silent connections still open after %v", n, ioTimeout)
	}
	h.mine(t, "after the silent connections")
	if got := e.srv.Info().Connections; got != 1 {
		t.Errorf("%d connections registered, want the honest one", got)
	}
	e.dial().handshake("w2", "")
}

// TestServerDropsSlowReader: a client that sends requests but never reads
// the replies fills its write queue and is dropped.
func TestServerDropsSlowReader(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.WriteQueue, c.WriteTimeout = 4, 200*time.Millisecond })
	hc := e.dial()
	h := &honest{c: hc, n: hc.handshake("w", "")}
	slow := e.dial()
	req := bytes.Repeat([]byte(`{"id":1,"method":"mining.extranonce.subscribe","params":[]}`+"\n"), 1000)
	done := make(chan error, 1)
	go func() {
		_ = slow.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
		for {
			if _, err := slow.nc.Write(req); err != nil {
				done <- err
				return
			}
		}
	}()
	err := <-done
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("slow reader still connected after %v", ioTimeout)
	}
	h.mine(t, "after dropping a slow reader")
}

// TestServerMinesBlocks is the acceptance flow with a scripted client: a
// worker with a password mines five blocks through Stratum, the
// coinbases pay the configured script, the shares are counted; a wrong
// password is refused.
func TestServerMinesBlocks(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Open = false
		c.Authorize = func(w, p string) bool { return w == "miner1" && p == "pw" }
	})
	bad := e.dial()
	bad.call(MethodSubscribe, "x")
	wantError(t, "wrong password", bad.call(MethodAuthorize, "miner1", "nope"), CodeUnauthorized)

	c := e.dial()
	n := c.handshake("miner1", "pw")
	start := e.chain.Best().Height
	var mined []string
	for i := range 5 {
		s := c.find(n, en2(uint32(i)), true)
		wantAccepted(t, "block share", c.submit(n, s))
		next := c.waitNotify()
		if !next.Clean || next.PrevHash != e.tip() {
			t.Fatalf("after block %d: notify clean=%v on %s, tip %s", i, next.Clean, next.PrevHash, e.tip())
		}
		mined = append(mined, e.tip().String())
		n = next
	}
	if got := e.chain.Best().Height; got != start+5 {
		t.Fatalf("height %d, want %d", got, start+5)
	}
	for _, hs := range mined {
		h, _ := parseHash(hs)
		blk, err := e.chain.BlockByHash(h)
		if err != nil {
			t.Fatal(err)
		}
		if out := blk.Transactions[0].TxOut[0]; !bytes.Equal(out.PkScript, payTo) || out.Value != params.Subsidy(1) {
			t.Errorf("block %s coinbase pays %d to %x", hs, out.Value, out.PkScript)
		}
	}
	info := e.srv.Info()
	if len(info.Workers) != 1 || info.Workers[0].Name != "miner1" || info.Workers[0].Accepted != 5 || info.Workers[0].Blocks != 5 {
		t.Fatalf("workers %+v", info.Workers)
	}
	if info.Totals.Blocks != 5 || len(info.Blocks) != 5 || !info.Blocks[4].Accepted || info.Blocks[4].Hash != mined[4] {
		t.Fatalf("blocks %+v totals %+v", info.Blocks, info.Totals)
	}
	if info.Totals.RejectReasons[ReasonUnauthorized] != 0 {
		t.Errorf("a refused login counted as a rejected share: %v", info.Totals.RejectReasons)
	}
	var ci *ConnInfo
	for i := range info.Conns {
		if len(info.Conns[i].Workers) == 1 && info.Conns[i].Workers[0] == "miner1" {
			ci = &info.Conns[i]
		}
	}
	if info.Totals.Hashrate <= 0 || ci == nil || ci.Accepted != 5 || ci.Blocks != 5 || ci.UserAgent != "gg-test/1" ||
		info.Job == nil || info.Job.Height != start+6 {
		t.Errorf("info %+v", info)
	}
	st := e.srv.Stats()
	if st.Accepted != 5 || st.Blocks != 5 || st.Workers != 1 || st.Connections != 2 {
		t.Errorf("stats %+v", st)
	}
}

// TestServerRefreshesTemplate: a mempool change brings a new job with
// clean_jobs=false whose merkle branch covers the new transaction; a
// block mined on it carries the transaction.
func TestServerRefreshesTemplate(t *testing.T) {
	e := newChainEnv(t, 101)
	cfg := e.testConfig()
	cfg.RefreshInterval = 20 * time.Millisecond
	e.start(cfg)
	c := e.dial()
	n := c.handshake("w", "")
	if len(n.Branch) != 0 {
		t.Fatalf("empty mempool, branch %v", n.Branch)
	}
	// A witness spend, so that the template has a witness commitment.
	in := e.coins[0]
	fund := e.txgen.SpendTx([]chaingen.SpendableOut{in}, []*wire.TxOut{{Value: in.Amount - 1000, PkScript: chaingen.OpTrueP2WSH}})
	if _, err := e.pool.ProcessTransaction(fund, false); err != nil {
		t.Fatal(err)
	}
	o := chaingen.SpendableOutFromTx(fund, 0, -1)
	wit := e.txgen.CreateSpendTx(&o, 1000)
	if _, err := e.pool.ProcessTransaction(wit, false); err != nil {
		t.Fatal(err)
	}
	var n2 *Notify
	for n2 = c.waitNotify(); len(n2.Branch) < 2; n2 = c.waitNotify() {
	}
	if n2.Clean || len(n2.Branch) != 2 {
		t.Fatalf("refreshed job: clean=%v, branch of %d (want false, 2)", n2.Clean, len(n2.Branch))
	}
	// Shares of the older job still count: its tip has not moved.
	wantAccepted(t, "share of the older job", c.submit(n, c.find(n, en2(1), false)))
	wantAccepted(t, "block of the refreshed job", c.submit(n2, c.find(n2, en2(2), true)))
	blk, err := e.chain.BlockByHash(e.tip())
	if err != nil {
		t.Fatal(err)
	}
	if len(blk.Transactions) != 3 || blk.Transactions[2].TxHash() != wit.TxHash() || !blk.Transactions[0].HasWitness() {
		t.Fatalf("mined block has %d txs, coinbase witness %v", len(blk.Transactions), blk.Transactions[0].HasWitness())
	}
}

// TestServerVersionRolling: mining.configure negotiates the BIP320 mask;
// a share with version bits inside it counts, one outside does not.
func TestServerVersionRolling(t *testing.T) {
	e := newEnv(t)
	c := e.dial()
	r := c.call(MethodConfigure, []string{"version-rolling", "minimum-difficulty"},
		map[string]any{"version-rolling.mask": "ffffffff", "version-rolling.min-bit-count": 2})
	var res map[string]any
	if r.Error != nil || json.Unmarshal(r.Result, &res) != nil || res["version-rolling"] != true ||
		res["version-rolling.mask"] != "1fffe000" || res["minimum-difficulty"] != false {
		t.Fatalf("configure: %s %v", r.Result, r.Error)
	}
	n := c.handshake("w", "")
	vb := uint32(0x00ff0000)
	ver := RollVersion(n.Version, vb, DefaultVersionMask)
	var nonce uint32
	for ; ; nonce++ {
		h := n.Header(c.sub.Extranonce1, en2(1), n.Time, nonce, ver)
		hash := h.BlockHash()
		if HashMeets(&hash, blockTarget(n)) {
			break
		}
	}
	wantError(t, "bits outside the mask", c.call(MethodSubmit, "w", n.JobID, "00000001", Hex32(n.Time), Hex32(nonce), "e0000000"), CodeOther)
	wantAccepted(t, "rolled share", c.call(MethodSubmit, "w", n.JobID, "00000001", Hex32(n.Time), Hex32(nonce), Hex32(vb)))
	blk, err := e.chain.BlockByHash(e.tip())
	if err != nil || uint32(blk.Header.Version) != ver {
		t.Fatalf("tip version %08x, want the rolled %08x (%v)", blk.Header.Version, ver, err)
	}
}

// TestServerSubscribeResume: a subscribe naming a free session gets its
// extranonce1 back; extranonce.subscribe is acknowledged.
func TestServerSubscribeResume(t *testing.T) {
	e := newEnv(t)
	c := e.dial()
	r := c.call(MethodSubscribe, "x", "0a0b0c0d")
	var sub Subscription
	if err := json.Unmarshal(r.Result, &sub); err != nil || sub.ID != "0a0b0c0d" || !bytes.Equal(sub.Extranonce1, []byte{10, 11, 12, 13}) || sub.Extranonce2Size != 4 {
		t.Fatalf("resume: %+v %v", sub, err)
	}
	c2 := e.dial()
	r = c2.call(MethodSubscribe, "x", "0a0b0c0d") // taken: a fresh one
	if err := json.Unmarshal(r.Result, &sub); err != nil || sub.ID == "0a0b0c0d" {
		t.Fatalf("a live session's extranonce1 was given out twice: %+v %v", sub, err)
	}
	wantAccepted(t, "extranonce.subscribe", c.call(MethodExtranonceSubscribe))
}

func TestNewConfigErrors(t *testing.T) {
	e := newChainEnv(t, 0)
	for name, ed := range map[string]func(*Config){
		"no chain":        func(c *Config) { c.Chain = nil },
		"no payout":       func(c *Config) { c.PayTo = nil },
		"long tag":        func(c *Config) { c.CoinbaseTag = bytes.Repeat([]byte("t"), MaxCoinbaseTag+1) },
		"extranonce2 5":   func(c *Config) { c.Extranonce2Size = 5 },
		"negative diff":   func(c *Config) { c.Difficulty = -1 },
		"min above diff":  func(c *Config) { c.Difficulty, c.MinDifficulty = 1, 2 },
		"max below diff":  func(c *Config) { c.Difficulty, c.MaxDifficulty = 2, 1 },
		"NaN difficulty":  func(c *Config) { c.Difficulty = nan() },
		"no templates":    func(c *Config) { c.Templates = nil },
		"no notification": func(c *Config) { c.Notifier = nil },
	} {
		cfg := e.testConfig()
		ed(&cfg)
		if s, err := New(cfg); !errors.Is(err, ErrConfig) {
			if s != nil {
				s.Close()
			}
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}
