package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wire"
)

// startP2PNode starts a node accepting peers on an ephemeral loopback
// port.
func startP2PNode(t *testing.T, dir string, mod ...func(*Config)) *Node {
	t.Helper()
	cfg := Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true, NoSync: true,
		P2P: P2PConfig{Listen: []string{"127.0.0.1:0"}, BookSaveInterval: 100 * time.Millisecond}}
	for _, m := range mod {
		m(&cfg)
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fakeConn is a scripted peer over real TCP.
type fakeConn struct {
	t     *testing.T
	c     net.Conn
	magic uint32
}

func dialFake(t *testing.T, n *Node, from string) *fakeConn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", n.P2PAddrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &fakeConn{t: t, c: c, magic: chaincfg.RegTestParams.Net}
}

func (f *fakeConn) send(m msg.Message) {
	f.t.Helper()
	if _, err := msg.WriteMessage(f.c, f.magic, m); err != nil {
		f.t.Fatalf("send %s: %v", m.Command(), err)
	}
}

func (f *fakeConn) handshake() {
	f.send(&msg.Version{Version: msg.ProtocolVersion, Services: msg.SFNodeNetwork, Nonce: 0xfeed, UserAgent: "/fake/"})
	f.send(&msg.Empty{Cmd: msg.CmdVerAck})
}

// closed waits for the node to close the connection, reading (and
// dropping) what it sends meanwhile.
func (f *fakeConn) closed(d time.Duration) bool {
	f.c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, f.c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func banned(n *Node, ip string) bool {
	for _, b := range (netBackend{n.net}).Banned() {
		if b.Address == ip+"/32" {
			return true
		}
	}
	return false
}

// TestP2PAdversarial: scripted peers over real TCP send what no honest
// peer sends; the node stays up, bans them as docs/protocol.md §8 says,
// and keeps its chain.
func TestP2PAdversarial(t *testing.T) {
	n := startP2PNode(t, t.TempDir())
	_, addr := benchKey()
	hs, err := n.Miner.Generate(context.Background(), 20, addr.PkScript())
	if err != nil {
		t.Fatal(err)
	}
	tip := n.Chain.Best()
	tipBlk, _ := n.Chain.BlockByHash(hs[len(hs)-1])
	gen := chaingen.New(chaincfg.RegTestParams)

	mkBlock := func(munge func(*wire.MsgBlock)) *wire.MsgBlock {
		cb := &wire.MsgTx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: []byte{0x01, byte(tip.Height + 1), 0x00}, Sequence: wire.MaxTxInSequenceNum}},
			TxOut: []*wire.TxOut{{Value: chaincfg.RegTestParams.Subsidy(tip.Height + 1), PkScript: chaingen.OpTrueP2WSH}}}
		blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: 0x20000000, PrevBlock: tip.Hash, Timestamp: tipBlk.Header.Timestamp + 1,
			Bits: chaincfg.RegTestParams.PowLimitBits}, Transactions: []*wire.MsgTx{cb}}
		if munge != nil {
			munge(blk)
		}
		blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(blk.Transactions)
		gen.Solve(blk)
		return blk
	}
	cases := []struct {
		name string
		from string
		send func(f *fakeConn)
		ban  bool
	}{
		{"block with bad proof of work", "127.0.0.31", func(f *fakeConn) {
			b := mkBlock(nil)
			for {
				b.Header.Nonce++
				h := b.BlockHash()
				if chaincfg.HashToBig(&h).Cmp(chaincfg.RegTestParams.PowLimit) > 0 {
					break
				}
			}
			f.send(&msg.Block{Block: b})
		}, true},
		{"block paying too much", "127.0.0.32", func(f *fakeConn) {
			f.send(&msg.Block{Block: mkBlock(func(b *wire.MsgBlock) { b.Transactions[0].TxOut[0].Value++ })})
		}, true},
		{"garbage bytes", "127.0.0.33", func(f *fakeConn) { f.c.Write([]byte(strings.Repeat("x", 100))) }, false},
		{"malformed headers", "127.0.0.34", func(f *fakeConn) {
			f.c.Write(append(msg.AppendHeader(nil, f.magic, msg.CmdHeaders, []byte{0xfd, 1, 0}), 0xfd, 1, 0))
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := dialFake(t, n, c.from)
			f.handshake()
			c.send(f)
			if !f.closed(5 * time.Second) {
				t.Fatal("still connected")
			}
			waitUntil(t, "the ban list", 5*time.Second, func() bool { return banned(n, c.from) == c.ban })
			if b := n.Chain.Best(); b.Hash != tip.Hash {
				t.Fatalf("tip moved to %v", b.Hash)
			}
		})
	}
	// A low-work header chain from genesis: kept in memory, bounded, not
	// a reason to ban, the tip unchanged.
	f := dialFake(t, n, "127.0.0.35")
	f.handshake()
	g := chaingen.New(chaincfg.RegTestParams)
	var hdrs []wire.BlockHeader
	for i := range 15 {
		b := g.NextBlock(fmt.Sprintf("low%d", i), nil)
		hdrs = append(hdrs, b.Header)
	}
	f.send(&msg.Headers{List: hdrs})
	waitUntil(t, "the low-work headers", 5*time.Second, func() bool {
		_, _, err := n.Chain.HeaderByHash(hdrs[14].BlockHash())
		return err == nil
	})
	if banned(n, "127.0.0.35") || n.Chain.Best().Hash != tip.Hash {
		t.Fatal("low-work headers: banned, or the tip moved")
	}

	// A flood of unrequested transactions spending nothing we know: the
	// orphan pool stays bounded, the flood costs points, the node serves.
	// The node may drop the flooder before the flood ends (its points or
	// its message rate): the sender then stops at a failed write.
	f2 := dialFake(t, n, "127.0.0.36")
	f2.handshake()
	for i := range 400 {
		tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte(strconv.Itoa(i)))},
			Sequence: wire.MaxTxInSequenceNum, SignatureScript: []byte{0x51}}},
			TxOut: []*wire.TxOut{{Value: 1000, PkScript: chaingen.OpTrueP2WSH}}}
		if _, err := msg.WriteMessage(f2.c, f2.magic, &msg.Tx{Tx: tx}); err != nil {
			if i == 0 {
				t.Fatalf("the first transaction of the flood: %v", err)
			}
			break
		}
	}
	waitUntil(t, "the flood to be handled", 10*time.Second, func() bool { return n.Mempool.OrphanCount() > 0 })
	if k := n.Mempool.OrphanCount(); k > 100 {
		t.Fatalf("%d orphans, bound 100", k)
	}
	c, err := rpc.Discover("", n.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	var height int32
	if err := c.Call(context.Background(), "getblockcount", &height); err != nil || height != tip.Height {
		t.Fatalf("node after the attacks: %d %v", height, err)
	}
}

// mempoolKillEnv-like: the datadir and peer of TestP2PKillHelperProcess.
const p2pKillEnv = "GG_P2P_KILL"

// TestP2PKillHelperProcess syncs from the peer in $GG_P2P_KILL
// (dir|peer), printing its height as it grows, until killed.
func TestP2PKillHelperProcess(t *testing.T) {
	env := os.Getenv(p2pKillEnv)
	if env == "" {
		t.Skip("helper process of TestP2PKill")
	}
	dir, peer, _ := strings.Cut(env, "|")
	n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true, NoSync: true,
		P2P: P2PConfig{Listen: []string{"127.0.0.1:0"}, Connect: []string{peer}, BookSaveInterval: 50 * time.Millisecond}})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(3)
	}
	if err := (netBackend{n.net}).SetBan("203.0.113.7", "add", 3600, false); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(3)
	}
	for last := int32(-1); ; time.Sleep(5 * time.Millisecond) {
		if h := n.Chain.Best().Height; h != last {
			fmt.Println("HEIGHT", h)
			last = h
		}
	}
}

// TestP2PKill: a node SIGKILLed in the middle of a sync restarts where it
// was, with its ban list and address book, and finishes the sync.
func TestP2PKill(t *testing.T) {
	if os.Getenv(p2pKillEnv) != "" {
		t.Skip("inside the helper")
	}
	src := startP2PNode(t, t.TempDir())
	_, addr := benchKey()
	if _, err := src.Miner.Generate(context.Background(), 1500, addr.PkScript()); err != nil {
		t.Fatal(err)
	}
	want := src.Chain.Best()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestP2PKillHelperProcess$")
	cmd.Env = append(os.Environ(), p2pKillEnv+"="+dir+"|"+src.P2PAddrs()[0])
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	killedAt := int32(-1)
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "ERROR") {
			t.Fatal(lines.Text())
		}
		if h, ok := strings.CutPrefix(lines.Text(), "HEIGHT "); ok {
			if v, _ := strconv.Atoi(h); v >= 300 {
				killedAt = int32(v)
				break
			}
		}
	}
	// The child saves its address book every 50 ms: kill it once the
	// peer is on disk.
	bookFile := filepath.Join(dir, p2p.AddrFile)
	waitUntil(t, "the address book saved with the peer", 10*time.Second, func() bool {
		b, err := os.ReadFile(bookFile)
		return err == nil && strings.Contains(string(b), src.P2PAddrs()[0])
	})
	cmd.Process.Kill()
	cmd.Wait()
	if killedAt < 0 || killedAt >= want.Height {
		t.Fatalf("killed at height %d of %d: not mid-sync", killedAt, want.Height)
	}
	// Restart in this process: the chain resumes, the ban and the peer
	// are remembered.
	n := startP2PNode(t, dir, func(c *Config) { c.P2P.Connect = []string{src.P2PAddrs()[0]} })
	if h := n.Chain.Best().Height; h < killedAt-1 {
		t.Fatalf("restarted at height %d, was at %d", h, killedAt)
	}
	if !banned(n, "203.0.113.7") {
		t.Fatal("the ban was lost")
	}
	srcAddr := netip.MustParseAddrPort(src.P2PAddrs()[0])
	if known, tried := n.net.host.Book().Has(srcAddr); !known || !tried {
		t.Fatalf("the peer is not in the address book's tried table (known %v tried %v)", known, tried)
	}
	waitUntil(t, "the rest of the sync", 30*time.Second, func() bool { return n.Chain.Best().Hash == want.Hash })
}
