package wallet

import (
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/store"
)

// testKDF is cheap (1 MiB, one pass) so tests stay fast.
var testKDF = KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}

var testPass = []byte("correct horse battery staple")

// A fixed 12-word mnemonic (BIP39 vector) for deterministic wallets.
const testMnemonic = "legal winner thank year wave sausage worth useful legal winner thank yellow"

var regtest = chaincfg.RegTestParams

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testOpenOptions(clk *fakeClock) OpenOptions {
	o := OpenOptions{NoSync: true, Timeout: 50 * time.Millisecond}
	if clk != nil {
		o.Now = clk.Now
	}
	return o
}

func testCreateOptions() CreateOptions {
	return CreateOptions{Passphrase: testPass, Mnemonic: testMnemonic, KDF: testKDF, Open: testOpenOptions(nil)}
}

func walletPath(t *testing.T) string { return filepath.Join(t.TempDir(), "wallet.db") }

// newTestWallet creates an encrypted wallet from testMnemonic (unless
// opts says otherwise) and closes it at the end of the test.
func newTestWallet(t *testing.T, mod func(*CreateOptions)) (*Wallet, string, string) {
	t.Helper()
	opts := testCreateOptions()
	if mod != nil {
		mod(&opts)
	}
	path := walletPath(t)
	w, m, err := Create(path, regtest, opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() {
		// Whatever the test did, the coin buckets agree at its end.
		if !t.Failed() && w.view(func(*store.Tx) error { return nil }) == nil {
			checkCoinBuckets(t, w)
		}
		w.Close()
	})
	return w, m, path
}

func mustUnlock(t *testing.T, w *Wallet) {
	t.Helper()
	if err := w.Unlock(testPass, 0); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
}

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type storeTx = store.Tx
