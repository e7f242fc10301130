package chain

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/blockfile"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

const crashDirEnv = "GG_CHAIN_CRASH_DIR"

// crashProducer is a producer of the crash sequence and its carrier.
type crashProducer struct {
	id      game.ID
	carrier spendOut
}

// crashRegister registers name with a P2WSH(OP_TRUE) carrier (output 0)
// funded by in; fee 1000.
func crashRegister(in spendOut, name string) (*wire.MsgTx, crashProducer) {
	tx := spend([]spendOut{in}, nil, game.ProducerFee, in.amount-game.ProducerFee-1000)
	tx.TxOut[0].PkScript = opTrueP2WSH
	rec, err := game.RecordOutput(&game.ProducerRegister{Out: 0, ProducerInfo: game.ProducerInfo{Name: name}})
	if err != nil {
		panic(err)
	}
	tx.TxOut = append(tx.TxOut, rec)
	return tx, crashProducer{game.ProducerID(tx.TxHash(), 0), outOf(tx, 0)}
}

// crashRename renames p (no fee).
func crashRename(p crashProducer, name string) (*wire.MsgTx, crashProducer) {
	tx := spend([]spendOut{p.carrier}, nil, p.carrier.amount)
	tx.TxOut[0].PkScript = opTrueP2WSH
	rec, err := game.RecordOutput(&game.ProducerChange{Producer: p.id, Out: 0, ProducerInfo: game.ProducerInfo{Name: name}})
	if err != nil {
		panic(err)
	}
	tx.TxOut = append(tx.TxOut, rec)
	return tx, crashProducer{p.id, outOf(tx, 0)}
}

// crashSequence returns a deterministic submission order of n blocks with
// transactions on every block past maturity — payments, producer
// registrations every third height and renames every fifth — and a short
// reorganisation every 37 heights (a block registering a name, then two
// blocks on its parent, the first registering the same name for another
// producer).
func crashSequence(n int) []*wire.MsgBlock {
	g := newBlockGen()
	path := []*wire.MsgBlock{g.params.GenesisBlock}
	var pool []spendOut
	var producers []crashProducer
	var seq []*wire.MsgBlock
	for len(seq) < n {
		tip := path[len(path)-1]
		h := len(path)
		if h > 101 && h%37 == 0 && len(pool) > 0 && pool[0].amount > 2*game.ProducerFee {
			in := pool[0]
			pool = pool[1:]
			name := fmt.Sprintf("reorg-%d", h)
			te, _ := crashRegister(in, name)
			e := g.next(tip, []*wire.MsgTx{te}, 1000)
			tf := spend([]spendOut{in}, nil, game.ProducerFee+1, in.amount-game.ProducerFee-1001)
			tf.TxOut[0].PkScript = opTrueP2WSH
			rec, _ := game.RecordOutput(&game.ProducerRegister{Out: 0, ProducerInfo: game.ProducerInfo{Name: name}})
			tf.TxOut = append(tf.TxOut, rec)
			f1 := g.next(tip, []*wire.MsgTx{tf}, 1000)
			f2 := g.next(f1, nil, 0)
			seq = append(seq, e, f1, f2)
			path = append(path, f1, f2)
			pool = append(pool, outOf(tf, 1))
			continue
		}
		var txs []*wire.MsgTx
		var fees int64
		if h > 101 {
			cb := cbOut(path[h-100])
			half := cb.amount / 2
			tx := spend([]spendOut{cb}, nil, half, cb.amount-half-1000)
			tx.TxOut[1].PkScript = opTrueP2WSH
			fees += 1000
			txs = append(txs, tx)
			if len(pool) >= 4 {
				ins := pool[:2]
				pool = pool[2:]
				tx2 := spend(ins, nil, ins[0].amount+ins[1].amount-500)
				fees += 500
				txs = append(txs, tx2)
				pool = append(pool, outOf(tx2, 0))
			}
			pool = append(pool, outOf(tx, 0), outOf(tx, 1))
			if h%3 == 0 && len(pool) > 2 && pool[0].amount > 2*game.ProducerFee {
				in := pool[0]
				pool = pool[1:]
				reg, p := crashRegister(in, fmt.Sprintf("crash-%d", h))
				fees += 1000
				txs = append(txs, reg)
				producers = append(producers, p)
				pool = append(pool, outOf(reg, 1))
			}
			if h%5 == 0 && len(producers) > 1 {
				ch, p := crashRename(producers[0], fmt.Sprintf("renamed-%d", h))
				producers = append(producers[1:], p)
				txs = append(txs, ch)
			}
		}
		b := g.next(tip, txs, fees)
		seq = append(seq, b)
		path = append(path, b)
	}
	return seq
}

const crashSeqLen = 1500

// crashFlushBlocks is the crash child's UtxoFlushBlocks: the write-back
// UTXO cache flushes every few blocks (and at each reorganisation), so
// kills land inside flushes and between them, where the next open
// replays the blocks after the last flush.
const crashFlushBlocks = 7

// crashFlushChunk is the crash child's flushChunkEntries: a flush of
// crashFlushBlocks blocks writes several chunks, so kills land between
// them too.
const crashFlushChunk = 4

// crashFileSize caps the crash child's block files, so that new files
// (and their directory fsyncs) come often.
const crashFileSize = 64 << 10

// crashRoundsEnv sets TestCrashConsistency's number of kills (default 20,
// 8 with -short; `make bench` runs 100).
const crashRoundsEnv = "GG_CRASH_ROUNDS"

// TestCrashHelperProcess is the child of TestCrashConsistency: it opens the
// chain in $GG_CHAIN_CRASH_DIR with fsync on and 64 KiB block files and
// submits the sequence, printing a line per block, one before each
// append to the block or undo files and one after each chunk of a UTXO
// flush but the last, until it is killed or done.
func TestCrashHelperProcess(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process of TestCrashConsistency")
	}
	seq := crashSequence(crashSeqLen)
	db := openChildDB(dir)
	appendHook = func(kind byte) { fmt.Printf("APPEND %c\n", kind) }
	flushChunkEntries = crashFlushChunk
	c, err := New(Config{DB: db, Params: chaincfg.RegTestParams, SigCache: script.NewSigCache(1000), BlockFileSize: crashFileSize,
		UtxoFlushBlocks: crashFlushBlocks})
	if err != nil {
		childFatal(err)
	}
	c.flushStop = func(int) bool { fmt.Println("CHUNK"); return false }
	fmt.Println("READY")
	for i, b := range seq {
		if c.HaveBlock(b.BlockHash()) {
			continue
		}
		if _, _, err := c.ProcessBlock(b, BFNone); err != nil {
			childFatal("block", i, err)
		}
		fmt.Println("BLOCK", i)
	}
	fmt.Println("DONE")
	c.Close()
	db.Close()
	os.Exit(0)
}

// TestCrashConsistency kills a child process that is connecting blocks
// (fsync on) at random moments, at least 20 times (8 with -short,
// $GG_CRASH_ROUNDS if set), and checks after every kill that the
// database and the block files reopen to a tip of the sequence with a
// consistent index (every active block and undo record read back) and
// exactly the UTXO set and registries a clean replay gives. Half the
// kills land just after an append to the block or undo files, so inside
// the window between a file write and the commit that points at it. The
// child's UTXO cache flushes every crashFlushBlocks blocks, so most kills
// fall between flushes and the reopening replays blocks (at least one
// must). At
// the end a reindex of the same blocks rebuilds the same UTXO set.
func TestCrashConsistency(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("inside the helper")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x6767))
	t.Logf("seed %d", seed)
	seq := crashSequence(crashSeqLen)
	inSeq := map[chainhash.Hash]bool{chaincfg.RegTestParams.GenesisHash: true}
	for _, b := range seq {
		inSeq[b.BlockHash()] = true
	}
	dir := t.TempDir()
	replay := openChain(t)
	next := 0 // next sequence index to replay

	minKills := 20
	if testing.Short() {
		minKills = 8
	}
	if v := os.Getenv(crashRoundsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a number of kills", crashRoundsEnv, v)
		}
		minKills = n
	}
	// per bounds the blocks a run connects before its kill, so that the
	// sequence outlasts minKills kills.
	per := max(4, 40*20/minKills)
	var kills []int32
	torn := 0    // reopenings that cut uncommitted bytes or files off
	replays := 0 // reopenings that replayed blocks into the UTXO set
	done := false
	for run := 0; !done && run < 10*minKills; run++ {
		if len(kills) >= minKills+5 {
			break
		}
		child := startCrashChild(t, "TestCrashHelperProcess", crashDirEnv, dir)
		// Every fourth run dies at a random time from process start (often
		// while opening); every other one a few hundred microseconds after
		// a random append to the block or undo files (between the write
		// and the commit); every eighth just after a chunk of a UTXO
		// flush; the others after a random number of blocks plus a
		// random few milliseconds, usually inside a commit.
		var timer <-chan time.Time
		progress, left := "BLOCK", -1
		jitter := func() time.Duration { return time.Duration(rng.IntN(3000)) * time.Microsecond }
		switch {
		case run%4 == 3:
			timer = time.After(time.Duration(rng.IntN(150*per/40)) * time.Millisecond)
		case run%2 == 0:
			progress, left = "APPEND", 1+rng.IntN(2*per)
			jitter = func() time.Duration { return time.Duration(rng.IntN(800)) * time.Microsecond }
		case run%8 == 1:
			// Just after a chunk of a UTXO flush committed: between
			// two chunks or inside the next one's commit.
			progress, left = "CHUNK", 1+rng.IntN(per)
			jitter = func() time.Duration { return time.Duration(rng.IntN(1500)) * time.Microsecond }
		default:
			left = 1 + rng.IntN(per)
		}
		var killed bool
		done, killed = child.follow(t, run, timer, progress, left, jitter)

		// Reopen in this process and check.
		tc := openChainAtSync(t, dir)
		for _, f := range []*blockfile.Files{tc.files.blocks, tc.files.undo} {
			if cut, removed := f.Recovered(); cut > 0 || removed > 0 {
				torn++
				break
			}
		}
		if tc.replayed > 0 {
			replays++
		}
		best := tc.Best()
		if !inSeq[best.Hash] {
			t.Fatalf("run %d: tip %v is not a block of the sequence", run, best.Hash)
		}
		if err := tc.checkConsistency(); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		got, gotN := tc.utxoHash(t)
		gotReg, err := tc.RegistryHash()
		if err != nil {
			t.Fatal(err)
		}
		tc.close()
		for replay.Best().Hash != best.Hash {
			if next >= len(seq) {
				t.Fatalf("run %d: replay never reached tip %v (height %d)", run, best.Hash, best.Height)
			}
			replay.mustAccept(t, seq[next])
			next++
		}
		want, wantN := replay.utxoHash(t)
		if got != want || gotN != wantN {
			t.Fatalf("run %d: UTXO set at height %d after kill (%d entries) differs from clean replay (%d entries)",
				run, best.Height, gotN, wantN)
		}
		if wantReg, _ := replay.RegistryHash(); gotReg != wantReg {
			t.Fatalf("run %d: game registries at height %d after kill differ from clean replay", run, best.Height)
		}
		if killed {
			kills = append(kills, best.Height)
		}
	}
	if len(kills) < minKills {
		t.Fatalf("only %d kills before the sequence finished", len(kills))
	}
	if replays == 0 {
		t.Fatal("no reopening replayed blocks into the UTXO set: no kill landed between two flushes")
	}
	// A clean reindex of the blocks the killed runs stored gives the same
	// UTXO set and registries.
	db, err := store.Open(filepath.Join(dir, "chain.db"), store.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := Reindex(context.Background(), Config{DB: db, Params: chaincfg.RegTestParams}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tc := openChainAtSync(t, dir)
	got, gotN := tc.utxoHash(t)
	gotReg, _ := tc.RegistryHash()
	for replay.Best().Hash != tc.Best().Hash && next < len(seq) {
		replay.mustAccept(t, seq[next])
		next++
	}
	want, wantN := replay.utxoHash(t)
	wantReg, _ := replay.RegistryHash()
	tc.close()
	if got != want || gotN != wantN || gotReg != wantReg {
		t.Fatalf("after a reindex: UTXO set (%d entries) or registries differ from the clean replay (%d entries)", gotN, wantN)
	}
	t.Logf("crash test: %d kills (%d left uncommitted block-file data to cut off, %d reopenings replayed blocks after the last UTXO flush), tips at heights %v, all consistent",
		len(kills), torn, replays, kills)
}

// openChainAtSync opens dir's chain with fsync on, as the node would.
func openChainAtSync(t testing.TB, dir string) *testChain {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, "chain.db"), store.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{DB: db, Params: chaincfg.RegTestParams})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return &testChain{Chain: c, db: db, dir: dir}
}

// childFatal ends a crash test's child process: an ERROR line for the
// parent, then exit 3.
func childFatal(args ...any) {
	fmt.Println(append([]any{"ERROR"}, args...)...)
	os.Exit(3)
}

// openChildDB opens dir's chain.db in a crash test's child, with fsync on
// as the node runs it.
func openChildDB(dir string) *store.DB {
	db, err := store.Open(filepath.Join(dir, "chain.db"), store.Options{Timeout: 5 * time.Second})
	if err != nil {
		childFatal(err)
	}
	if db.NoSync() {
		childFatal("fsync is off")
	}
	return db
}

// TestExecEnv names the emulator (qemu-arm) that runs a cross-built test
// binary, so crash tests start their children through it too.
const TestExecEnv = "GG_TEST_EXEC"

// crashChild is a crash test's child process: this test binary running
// one TestXxxHelperProcess on a chain directory with fsync on, printing
// a line per step of its work, until it is killed or done.
type crashChild struct {
	cmd   *exec.Cmd
	lines chan string // its stdout, a line at a time; closed at EOF
}

// startCrashChild starts helper with dirEnv=dir in its environment and
// without store.NoSyncEnv.
func startCrashChild(t *testing.T, helper, dirEnv, dir string) *crashChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$")
	if emu := os.Getenv(TestExecEnv); emu != "" {
		// A cross-built test binary (make test-32bit) runs its child
		// through the same emulator as itself.
		cmd = exec.Command(emu, os.Args[0], "-test.run=^"+helper+"$")
	}
	cmd.Env = []string{dirEnv + "=" + dir}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, store.NoSyncEnv+"=") && !strings.HasPrefix(kv, dirEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		t.Fatalf("start %s: %v", helper, err)
	}
	lines := make(chan string, 4096)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return &crashChild{cmd: cmd, lines: lines}
}

// follow reads the child's lines until timer fires or its output ends;
// once left lines starting with progress have come (left > 0), it arms
// timer to fire after jitter(). An "ERROR" line fails the test; "DONE"
// means the child finished. Unless done, the child is then SIGKILLed;
// follow waits for it and fails the test if it exited by itself.
func (c *crashChild) follow(t *testing.T, run int, timer <-chan time.Time, progress string, left int,
	jitter func() time.Duration) (done, killed bool) {
	t.Helper()
wait:
	for {
		select {
		case <-timer:
			break wait
		case l, ok := <-c.lines:
			if !ok {
				break wait
			}
			switch {
			case strings.HasPrefix(l, "ERROR"):
				c.cmd.Process.Kill()
				c.cmd.Wait()
				t.Fatalf("child: %s", l)
			case l == "DONE":
				done = true
			case strings.HasPrefix(l, progress) && left > 0:
				if left--; left == 0 {
					timer = time.After(jitter())
				}
			}
		}
	}
	if !done {
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err == nil {
			killed = true
		}
	}
	for range c.lines {
	}
	werr := c.cmd.Wait()
	if !killed && !done {
		t.Fatalf("run %d: child exited by itself: %v", run, werr)
	}
	return done, killed
}
