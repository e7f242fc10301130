package wallet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/store"
)

// emptyWalletFiles makes the files a killed or interrupted creation can
// leave (or a user's touch): none holds wallet data.
var emptyWalletFiles = []struct {
	name string
	make func(t *testing.T, path string)
}{
	{"zero length", func(t *testing.T, path string) {
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}},
	{"store schema only", func(t *testing.T, path string) { makeStore(t, path, store.Migrations, nil) }},
	{"wallet schema, no wallet", func(t *testing.T, path string) { makeStore(t, path, migrations, nil) }},
}

// makeStore creates a database at path with the given migrations and
// then runs fill in a write transaction.
func makeStore(t *testing.T, path string, migs []store.Migration, fill func(*store.Tx) error) {
	t.Helper()
	db, err := store.Open(path, store.Options{NoSync: true, Migrations: migs})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if fill != nil {
		if err := db.Update(fill); err != nil {
			t.Fatal(err)
		}
	}
}

// recordsWithoutWallet is a wallet database holding an account record but
// no wallet metadata: damaged, not empty.
func recordsWithoutWallet(t *testing.T, path string) {
	makeStore(t, path, migrations, func(tx *store.Tx) error {
		return tx.Bucket(bktAccounts).Put(u32key(7), []byte("an account"))
	})
}

// walletDirEntries lists the names in path's directory.
func walletDirEntries(t *testing.T, path string) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestOpenEmptyFile: a wallet file with no wallet in it (zero length, or
// a database without wallet records) opens as ErrNoWallet, is not
// written to, and is not reported as damaged.
func TestOpenEmptyFile(t *testing.T) {
	for _, c := range emptyWalletFiles {
		t.Run(c.name, func(t *testing.T) {
			path := walletPath(t)
			c.make(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Open(path, regtest, testOpenOptions(nil))
			if !errors.Is(err, ErrNoWallet) || errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open = %v, want ErrNoWallet", err)
			}
			if after, _ := os.ReadFile(path); len(before) == 0 && len(after) != 0 {
				t.Fatalf("Open wrote %d bytes into a zero-length file", len(after))
			}
		})
	}
}

// TestOpenRecordsWithoutWallet: a database that holds wallet records but
// no wallet metadata is damaged (ErrCorrupt), not an empty wallet file
// that may be replaced.
func TestOpenRecordsWithoutWallet(t *testing.T) {
	path := walletPath(t)
	recordsWithoutWallet(t, path)
	_, err := Open(path, regtest, testOpenOptions(nil))
	if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNoWallet) {
		t.Fatalf("Open = %v, want ErrCorrupt (records without wallet metadata)", err)
	}
}

// TestCreateOverEmptyFile: Create replaces a wallet file that holds no
// wallet, and leaves no temporary file behind.
func TestCreateOverEmptyFile(t *testing.T) {
	for _, c := range emptyWalletFiles {
		t.Run(c.name, func(t *testing.T) {
			path := walletPath(t)
			c.make(t, path)
			w, _, err := Create(path, regtest, testCreateOptions())
			if err != nil {
				t.Fatalf("Create over an empty wallet file: %v", err)
			}
			w.Close()
			w, err = Open(path, regtest, testOpenOptions(nil))
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			w.Close()
			if names := walletDirEntries(t, path); len(names) != 1 || names[0] != filepath.Base(path) {
				t.Fatalf("directory holds %v, want only the wallet", names)
			}
		})
	}
}

// TestCreateRefusesFileWithRecords: Create never replaces or writes into
// a file that holds wallet data, even without wallet metadata.
func TestCreateRefusesFileWithRecords(t *testing.T) {
	path := walletPath(t)
	recordsWithoutWallet(t, path)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := Create(path, regtest, testCreateOptions())
	if err == nil {
		w.Close()
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Create over a file with records = %v, want ErrCorrupt", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("Create changed a file that holds wallet records")
	}
	if names := walletDirEntries(t, path); len(names) != 1 {
		t.Fatalf("directory holds %v, want only the damaged file", names)
	}
}

// TestRestoreBackupAtomic: a restore that fails half-way (a backup whose
// imported key does not parse, found after the seed and accounts are
// written) leaves no wallet file, so the next attempt starts clean.
func TestRestoreBackupAtomic(t *testing.T) {
	plain := `{"version":1,"network":"regtest","mnemonic":"` + testMnemonic + `","gap_limit":20,"accounts":[` +
		`{"number":0,"name":"default","kind":"hd","receive":3},{"number":1,"name":"bob","kind":"hd"}],` +
		`"keys":[{"wif":"not a key","account":"bob"}]}`
	sealed, err := sealBackup([]byte(plain), backupPass, testKDF)
	if err != nil {
		t.Fatal(err)
	}
	path := walletPath(t)
	opts := CreateOptions{Passphrase: testPass, KDF: testKDF, Open: testOpenOptions(nil)}
	w, _, err := RestoreBackup(path, regtest, sealed, backupPass, opts)
	if err == nil {
		w.Close()
		t.Fatal("restore of a backup with a bad key succeeded")
	}
	if _, serr := os.Stat(path); !errors.Is(serr, fs.ErrNotExist) {
		t.Fatalf("failed restore (%v) left a wallet file: %v", err, serr)
	}
	if names := walletDirEntries(t, path); len(names) != 0 {
		t.Fatalf("failed restore left %v", names)
	}
}

// createKillDirEnv names the directory of TestCreateKillHelperProcess.
const createKillDirEnv = "GG_WALLET_CREATE_KILL_DIR"

// TestCreateKillHelperProcess is the child of TestCreateKill: it prints
// START, creates a wallet in $GG_WALLET_CREATE_KILL_DIR, prints DONE.
func TestCreateKillHelperProcess(t *testing.T) {
	dir := os.Getenv(createKillDirEnv)
	if dir == "" {
		t.Skip("helper process of TestCreateKill")
	}
	fmt.Println("START")
	opts := testCreateOptions()
	opts.Open.NoSync = false
	w, _, err := Create(filepath.Join(dir, "wallet.db"), regtest, opts)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(3)
	}
	w.Close()
	fmt.Println("DONE")
	os.Exit(0)
}

// TestCreateKill SIGKILLs a process in the middle of Create, at random
// moments spread over the time a creation takes, and checks after every
// kill that the wallet file is either absent or a whole wallet that
// opens, and that a new Create then succeeds and leaves no temporary
// file behind.
func TestCreateKill(t *testing.T) {
	if os.Getenv(createKillDirEnv) != "" {
		t.Skip("inside the helper")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0x6767))
	run := func(dir string, killAfter time.Duration) (done bool, took time.Duration) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCreateKillHelperProcess$")
		cmd.Env = append(os.Environ(), createKillDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		if !lines.Scan() || lines.Text() != "START" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child did not start: %q", lines.Text())
		}
		start := time.Now()
		if killAfter >= 0 {
			time.Sleep(killAfter)
			cmd.Process.Kill()
		}
		for lines.Scan() {
			switch l := lines.Text(); {
			case l == "DONE":
				done = true
			case strings.HasPrefix(l, "ERROR"):
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child: %s", l)
			}
		}
		took = time.Since(start)
		cmd.Wait()
		return done, took
	}
	// One creation to completion sets the range of kill moments.
	_, full := run(t.TempDir(), -1)
	const kills = 30
	var mid, whole int
	for k := 0; k < kills; k++ {
		dir := t.TempDir()
		path := filepath.Join(dir, "wallet.db")
		// Up to half again the full time: some kills come after the end.
		done, _ := run(dir, time.Duration(rng.Int64N(int64(full)*3/2+1)))
		w, err := Open(path, regtest, testOpenOptions(nil))
		switch {
		case err == nil:
			w.Close()
			whole++
			continue
		case done:
			t.Fatalf("kill %d: created wallet does not open: %v", k, err)
		case !errors.Is(err, fs.ErrNotExist):
			t.Fatalf("kill %d: after a kill mid-creation the wallet file does not open: %v", k, err)
		}
		mid++
		w, _, err = Create(path, regtest, testCreateOptions())
		if err != nil {
			t.Fatalf("kill %d: Create after the kill: %v", k, err)
		}
		w.Close()
		if names := walletDirEntries(t, path); len(names) != 1 {
			t.Fatalf("kill %d: directory holds %v after a new Create", k, names)
		}
	}
	t.Logf("%d kills: %d left no wallet file, %d a whole wallet (creation takes %s)", kills, mid, whole, full)
}
