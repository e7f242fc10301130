package wallet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/store"
)

func addrStrings(t *testing.T, infos []AddrInfo) []string {
	t.Helper()
	var out []string
	for _, i := range infos {
		out = append(out, i.Address.String())
	}
	return out
}

func TestCreate(t *testing.T) {
	w, m, _ := newTestWallet(t, nil)
	if m != testMnemonic {
		t.Fatalf("mnemonic = %q, want the restored one", m)
	}
	if !w.Encrypted() || !w.IsLocked() {
		t.Fatalf("new encrypted wallet: Encrypted=%v IsLocked=%v, want true, true", w.Encrypted(), w.IsLocked())
	}
	accts, err := w.Accounts()
	if err != nil || len(accts) != 1 || accts[0].Name != DefaultAccount || accts[0].Number != 0 || accts[0].Kind != "hd" {
		t.Fatalf("Accounts = %+v, %v; want the default HD account 0", accts, err)
	}
	a, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != address.WitnessPubKeyHash || a.Net != regtest {
		t.Fatalf("NewAddress = %v (%v), want regtest P2WPKH", a, a.Kind)
	}
	info, ok := w.IsMine(a.PkScript())
	if !ok || info.Account != DefaultAccount || info.Branch != BranchReceive || info.Index != 0 ||
		info.Path != "m/44'/1'/0'/0/0" || info.WatchOnly {
		t.Fatalf("IsMine = %+v, %v", info, ok)
	}
}

func TestCreateGeneratesMnemonic(t *testing.T) {
	for _, bits := range []int{0, 128, 256} {
		w, m, _ := newTestWallet(t, func(o *CreateOptions) { o.Mnemonic = ""; o.EntropyBits = bits })
		want := 24
		if bits == 128 {
			want = 12
		}
		if n := len(bytes.Fields([]byte(m))); n != want || ValidateMnemonic(m) != nil {
			t.Errorf("bits %d: mnemonic of %d words (want %d), valid=%v", bits, n, want, ValidateMnemonic(m))
		}
		got, err := w.ExportMnemonic(testPass)
		if err != nil || got != m {
			t.Errorf("ExportMnemonic = %q, %v; want %q", got, err, m)
		}
	}
}

func TestCreateErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		mod  func(*CreateOptions)
		want error
	}{
		{"no passphrase", func(o *CreateOptions) { o.Passphrase = nil }, ErrInvalidArgument},
		{"passphrase and unencrypted", func(o *CreateOptions) { o.Unencrypted = true }, ErrInvalidArgument},
		{"bad mnemonic checksum", func(o *CreateOptions) {
			o.Mnemonic = "legal winner thank year wave sausage worth useful legal winner thank thank"
		}, ErrInvalidMnemonic},
		{"garbage mnemonic", func(o *CreateOptions) { o.Mnemonic = "garbage words" }, ErrInvalidMnemonic},
		{"bad entropy", func(o *CreateOptions) { o.Mnemonic = ""; o.EntropyBits = 100 }, ErrInvalidArgument},
		{"kdf memory too small", func(o *CreateOptions) { o.KDF = KDFParams{Time: 1, MemoryKiB: 4, Threads: 1} }, ErrInvalidArgument},
		{"kdf zero time", func(o *CreateOptions) { o.KDF = KDFParams{Time: 0, MemoryKiB: 1024, Threads: 1} }, ErrInvalidArgument},
		{"negative birthday", func(o *CreateOptions) { o.Birthday = -1 }, ErrInvalidArgument},
		{"huge gap limit", func(o *CreateOptions) { o.GapLimit = 1 << 20 }, ErrInvalidArgument},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := testCreateOptions()
			c.mod(&opts)
			path := walletPath(t)
			w, _, err := Create(path, regtest, opts)
			if err == nil {
				w.Close()
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Create = %v, want %v", err, c.want)
			}
		})
	}
	t.Run("exists", func(t *testing.T) {
		_, _, path := newTestWallet(t, nil)
		// The first wallet is still open: the lock comes first.
		if _, _, err := Create(path, regtest, testCreateOptions()); !errors.Is(err, ErrInUse) {
			t.Fatalf("Create over an open wallet = %v, want ErrInUse", err)
		}
	})
	t.Run("exists closed", func(t *testing.T) {
		w, _, path := newTestWallet(t, nil)
		w.Close()
		if _, _, err := Create(path, regtest, testCreateOptions()); !errors.Is(err, ErrWalletExists) {
			t.Fatalf("Create over a wallet = %v, want ErrWalletExists", err)
		}
	})
}

func TestRestoreSameAddresses(t *testing.T) {
	w1, _, _ := newTestWallet(t, nil)
	w2, _, _ := newTestWallet(t, func(o *CreateOptions) { o.Passphrase = []byte("another passphrase") })
	w3, _, _ := newTestWallet(t, func(o *CreateOptions) { o.SeedPassphrase = "extra" })
	for i := 0; i < 5; i++ {
		for _, change := range []bool{false, true} {
			a1, err1 := w1.NewAddress("", change)
			a2, err2 := w2.NewAddress("", change)
			a3, err3 := w3.NewAddress("", change)
			if err1 != nil || err2 != nil || err3 != nil {
				t.Fatal(err1, err2, err3)
			}
			if a1.String() != a2.String() {
				t.Fatalf("restored wallet address %d differs: %s vs %s", i, a1, a2)
			}
			if a1.String() == a3.String() {
				t.Fatalf("seed passphrase did not change address %d", i)
			}
		}
	}
	x1, _ := w1.Account("")
	x2, _ := w2.Account("")
	if x1.Xpub != x2.Xpub {
		t.Fatal("restored account xpubs differ")
	}
}

func TestReopen(t *testing.T) {
	clk := newFakeClock()
	w, _, path := newTestWallet(t, func(o *CreateOptions) { o.Birthday = 1234; o.GapLimit = 5; o.Open = testOpenOptions(clk) })
	mustUnlock(t, w)
	if _, err := w.CreateAccount("player-openid-42"); err != nil {
		t.Fatal(err)
	}
	var issued []string
	for i := 0; i < 3; i++ {
		a, err := w.NewAddress("player-openid-42", false)
		if err != nil {
			t.Fatal(err)
		}
		issued = append(issued, a.String())
	}
	if err := w.SetLabel(mustDecode(t, issued[1]).PkScript(), "sword shop"); err != nil {
		t.Fatal(err)
	}
	wif := "cVpF924EspNh8KjYsfhgY96mmxvT6DgdWiTYMtMjuM74hJaU5psW" // regtest/testnet WIF
	if _, err := w.ImportWIF(wif, "imported"); err != nil {
		t.Fatalf("ImportWIF: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if _, err := w.NewAddress("", false); !errors.Is(err, ErrClosed) {
		t.Fatalf("NewAddress after Close = %v, want ErrClosed", err)
	}

	w, err := Open(path, regtest, testOpenOptions(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if !w.IsLocked() || w.GapLimit() != 5 {
		t.Fatalf("reopened: locked=%v gap=%d", w.IsLocked(), w.GapLimit())
	}
	if b, err := w.Birthday(); err != nil || b != 1234 {
		t.Fatalf("Birthday = %d, %v", b, err)
	}
	got, err := w.Addresses("player-openid-42")
	if err != nil {
		t.Fatal(err)
	}
	if s := addrStrings(t, got); len(s) != 3 || s[0] != issued[0] || s[2] != issued[2] {
		t.Fatalf("Addresses after reopen = %v, want %v", s, issued)
	}
	if got[1].Label != "sword shop" {
		t.Fatalf("label = %q", got[1].Label)
	}
	a, err := w.NewAddress("player-openid-42", false)
	if err != nil || a.String() == issued[2] {
		t.Fatalf("NewAddress after reopen = %v, %v: reissued an address", a, err)
	}
	accts, _ := w.Accounts()
	if len(accts) != 3 {
		t.Fatalf("Accounts after reopen: %+v", accts)
	}
	mustUnlock(t, w)
	if m, err := w.ExportMnemonic(testPass); err != nil || m != testMnemonic {
		t.Fatalf("ExportMnemonic after reopen = %q, %v", m, err)
	}
}

func mustDecode(t *testing.T, s string) *address.Address {
	t.Helper()
	a, err := address.Decode(s, regtest)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestOpenErrors(t *testing.T) {
	t.Run("in use", func(t *testing.T) {
		_, _, path := newTestWallet(t, nil)
		_, err := Open(path, regtest, testOpenOptions(nil))
		if !errors.Is(err, ErrInUse) || !errors.Is(err, store.ErrLocked) {
			t.Fatalf("second Open = %v, want ErrInUse wrapping store.ErrLocked", err)
		}
	})
	t.Run("wrong network", func(t *testing.T) {
		w, _, path := newTestWallet(t, nil)
		w.Close()
		if _, err := Open(path, chaincfg.MainNetParams, testOpenOptions(nil)); !errors.Is(err, ErrWrongNetwork) {
			t.Fatalf("Open on main = %v, want ErrWrongNetwork", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := Open(walletPath(t), regtest, testOpenOptions(nil))
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Open missing = %v, want not exist", err)
		}
	})
	t.Run("not a wallet", func(t *testing.T) {
		path := walletPath(t)
		db, err := store.Open(path, store.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := Open(path, regtest, testOpenOptions(nil)); !errors.Is(err, ErrNoWallet) {
			t.Fatalf("Open of a plain store = %v, want ErrNoWallet", err)
		}
	})
	t.Run("schema too new", func(t *testing.T) {
		w, _, path := newTestWallet(t, nil)
		w.Close()
		newer := append(append([]store.Migration(nil), migrations...), store.Migration{Name: "future", Apply: func(*store.Tx) error { return nil }})
		db, err := store.Open(path, store.Options{NoSync: true, Migrations: newer})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := Open(path, regtest, testOpenOptions(nil)); !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestSchemaVersion(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	v, err := w.db.SchemaVersion()
	if err != nil || v != SchemaVersion || v != uint32(len(store.Migrations)+3) {
		t.Fatalf("schema version %d, %v; want %d", v, err, SchemaVersion)
	}
	// Every bucket doc.go lists exists in a new wallet.
	err = w.view(func(tx *store.Tx) error {
		for _, b := range [][]byte{bktMeta, bktAccounts, bktAccountNames, bktAddrs, bktAddrIndex, bktKeys, bktScripts,
			bktTxs, bktTxHeight, bktPending, bktCoins, bktSpends, bktContracts, bktGameCoins, bktObjCoins} {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("no bucket %q", b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// walletAtVersion creates a wallet file at path as a build whose schema
// ended at version v would (the first v migrations), hands out one
// receive address, closes it and returns the address's script.
func walletAtVersion(t *testing.T, v int, path string) []byte {
	t.Helper()
	saved := migrations
	migrations = migrations[:v]
	defer func() { migrations = saved }()
	opts := testCreateOptions()
	w, _, err := Create(path, regtest, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got, err := w.db.SchemaVersion(); err != nil || got != uint32(v) {
		t.Fatalf("old wallet at version %d, %v; want %d", got, err, v)
	}
	a, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	return a.PkScript()
}

// TestSchemaMigrationContracts: a wallet written at schema version 2
// (before the contracts bucket) opens at the current version with the
// bucket created and its data intact; one of version 2 that created the
// bucket on first use (builds before the migration did) keeps its
// contracts.
func TestSchemaMigrationContracts(t *testing.T) {
	old := len(store.Migrations) + 1
	for _, lazy := range []bool{false, true} {
		t.Run(fmt.Sprintf("lazy=%v", lazy), func(t *testing.T) {
			path := walletPath(t)
			pk := walletAtVersion(t, old, path)
			db, err := store.Open(path, store.Options{NoSync: true, Migrations: migrations[:old]})
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *store.Tx) error {
				if tx.Bucket(bktContracts) != nil {
					return errors.New("version 2 has a contracts bucket")
				}
				if !lazy {
					return nil
				}
				b, err := tx.CreateBucket(bktContracts)
				if err != nil {
					return err
				}
				return b.Put(make([]byte, 32), []byte(`{"terms":"","state":"expired","height":0}`))
			})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}

			w, err := Open(path, regtest, testOpenOptions(nil))
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if v, err := w.db.SchemaVersion(); err != nil || v != SchemaVersion {
				t.Fatalf("after open: version %d, %v; want %d", v, err, SchemaVersion)
			}
			if _, ok := w.IsMine(pk); !ok {
				t.Fatal("the old wallet's address is not the wallet's after the migration")
			}
			// Blocks (which read the contracts bucket) are processed.
			mustUnlock(t, w)
			c := newFakeChain()
			if err := w.Start(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			c.connect(pk)
			if b := mustBalance(t, w, ""); b.Total() != gg(50) {
				t.Fatalf("balance after migration %+v", b)
			}
			cs, err := w.Contracts(AllAccounts)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 0, true: 1}[lazy]; len(cs) != want {
				t.Fatalf("%d contracts after migration, want %d", len(cs), want)
			}
			if _, err := w.Contract(game.ID{}); lazy != (err == nil) {
				t.Fatalf("Contract(zero) = %v", err)
			}
		})
	}
}

func TestGapLimit(t *testing.T) {
	const gap = 5
	w, _, _ := newTestWallet(t, func(o *CreateOptions) { o.GapLimit = gap })
	// A twin wallet from the same seed plays the payer who knows future
	// addresses.
	twin, _, _ := newTestWallet(t, func(o *CreateOptions) { o.GapLimit = 100 })
	var future []*address.Address
	for i := 0; i < 3*gap; i++ {
		a, err := twin.NewAddress("", false)
		if err != nil {
			t.Fatal(err)
		}
		future = append(future, a)
	}
	for i, a := range future {
		_, ok := w.IsMine(a.PkScript())
		if want := i < gap; ok != want {
			t.Fatalf("IsMine(receive %d) = %v, want %v (nothing used or issued yet)", i, ok, want)
		}
	}
	// A payment to the last recognised address extends the lookahead.
	if mine, err := w.MarkUsed(future[gap-1].PkScript()); err != nil || !mine {
		t.Fatalf("MarkUsed = %v, %v", mine, err)
	}
	for i, a := range future {
		_, ok := w.IsMine(a.PkScript())
		if want := i < 2*gap; ok != want {
			t.Fatalf("after use of %d: IsMine(receive %d) = %v, want %v", gap-1, i, ok, want)
		}
	}
	// NewAddress never hands out an address seen used.
	a, err := w.NewAddress("", false)
	if err != nil || a.String() != future[gap].String() {
		t.Fatalf("NewAddress = %v, %v; want index %d", a, err, gap)
	}
	info, _ := w.Account("")
	if info.Receive != gap+1 || info.ReceiveUsed != gap || info.Change != 0 {
		t.Fatalf("account counters = %+v", info)
	}
	// Change addresses are separate.
	ch, err := w.NewAddress("", true)
	if err != nil {
		t.Fatal(err)
	}
	if ci, ok := w.IsMine(ch.PkScript()); !ok || ci.Branch != BranchChange || ci.Index != 0 {
		t.Fatalf("IsMine(change) = %+v, %v", ci, ok)
	}
	// Scripts outside the wallet.
	if mine, err := w.MarkUsed([]byte{0x6a}); err != nil || mine {
		t.Fatalf("MarkUsed(foreign) = %v, %v", mine, err)
	}
	if _, ok := w.IsMine(nil); ok {
		t.Fatal("IsMine(nil) = true")
	}
	scripts, err := w.WatchedScripts()
	if err != nil || len(scripts) != 2*gap+1+gap+1 {
		t.Fatalf("WatchedScripts: %d, %v", len(scripts), err)
	}
}

func TestAccounts(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	if _, err := w.CreateAccount("alice"); !errors.Is(err, ErrLocked) {
		t.Fatalf("CreateAccount while locked = %v, want ErrLocked", err)
	}
	mustUnlock(t, w)
	for i, name := range []string{"alice", "o3_ABCDEFghijk-openid", "玩家一"} {
		info, err := w.CreateAccount(name)
		if err != nil {
			t.Fatalf("CreateAccount(%q): %v", name, err)
		}
		if info.Number != uint32(i+1) || info.Kind != "hd" {
			t.Fatalf("CreateAccount(%q) = %+v", name, info)
		}
	}
	a, err := w.NewAddress("alice", false)
	if err != nil {
		t.Fatal(err)
	}
	if info, ok := w.IsMine(a.PkScript()); !ok || info.Account != "alice" || info.Path != "m/44'/1'/1'/0/0" {
		t.Fatalf("IsMine = %+v, %v", info, ok)
	}
	for _, c := range []struct {
		name string
		want error
	}{
		{"alice", ErrAccountExists},
		{DefaultAccount, ErrAccountExists},
		{"", ErrInvalidArgument},
		{"*", ErrInvalidArgument},
		{"bad\nname", ErrInvalidArgument},
		{string([]byte{0xff, 0xfe}), ErrInvalidArgument},
		{string(make([]byte, MaxAccountNameLen+1)), ErrInvalidArgument},
	} {
		if _, err := w.CreateAccount(c.name); !errors.Is(err, c.want) {
			t.Errorf("CreateAccount(%q) = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := w.NewAddress("nobody", false); !errors.Is(err, ErrAccountNotFound) {
		t.Errorf("NewAddress(unknown) = %v, want ErrAccountNotFound", err)
	}
	if _, err := w.Addresses("nobody"); !errors.Is(err, ErrAccountNotFound) {
		t.Errorf("Addresses(unknown) = %v, want ErrAccountNotFound", err)
	}
	if err := w.SetLabel([]byte{1, 2, 3}, "x"); !errors.Is(err, ErrAddressNotFound) {
		t.Errorf("SetLabel(foreign) = %v, want ErrAddressNotFound", err)
	}
}

func TestLockUnlock(t *testing.T) {
	clk := newFakeClock()
	w, _, _ := newTestWallet(t, func(o *CreateOptions) { o.Open = testOpenOptions(clk) })

	if err := w.Unlock([]byte("wrong"), time.Minute); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Unlock(wrong) = %v, want ErrWrongPassphrase", err)
	}
	if !w.IsLocked() {
		t.Fatal("unlocked by a wrong passphrase")
	}
	if err := w.Unlock(testPass, time.Hour); err != nil {
		t.Fatal(err)
	}
	if w.IsLocked() || !w.UnlockedUntil().Equal(clk.Now().Add(time.Hour)) {
		t.Fatalf("after Unlock: locked=%v until=%v", w.IsLocked(), w.UnlockedUntil())
	}
	clk.Advance(59 * time.Minute)
	w.Relock()
	if w.IsLocked() {
		t.Fatal("relocked before the timeout")
	}
	clk.Advance(time.Minute)
	w.Relock() // what the timer does when it fires
	if !w.IsLocked() {
		t.Fatal("still unlocked after the timeout")
	}
	if _, err := w.KeyDB(); !errors.Is(err, ErrLocked) {
		t.Fatalf("KeyDB while locked = %v, want ErrLocked", err)
	}

	// The timeout also applies on use, without the timer.
	if err := w.Unlock(testPass, time.Second); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Second)
	if _, err := w.CreateAccount("late"); !errors.Is(err, ErrLocked) {
		t.Fatalf("CreateAccount after timeout = %v, want ErrLocked", err)
	}

	// No timeout: until Lock.
	if err := w.Unlock(testPass, 0); err != nil {
		t.Fatal(err)
	}
	clk.Advance(1000 * time.Hour)
	if w.IsLocked() {
		t.Fatal("timeout 0 relocked")
	}
	if err := w.Lock(); err != nil || !w.IsLocked() {
		t.Fatalf("Lock = %v, locked=%v", err, w.IsLocked())
	}
}

func TestUnlockTimer(t *testing.T) {
	// The real timer with the real clock: poll the state, no timing
	// assertion beyond "eventually".
	w, _, _ := newTestWallet(t, nil)
	if err := w.Unlock(testPass, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !w.IsLocked() {
		if time.Now().After(deadline) {
			t.Fatal("wallet did not relock")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestChangePassphrase(t *testing.T) {
	w, _, path := newTestWallet(t, nil)
	newPass := []byte("new passphrase")
	if err := w.ChangePassphrase([]byte("wrong"), newPass); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("ChangePassphrase(wrong old) = %v, want ErrWrongPassphrase", err)
	}
	if err := w.ChangePassphrase(testPass, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("ChangePassphrase(empty new) = %v, want ErrInvalidArgument", err)
	}
	if err := w.ChangePassphrase(testPass, newPass); err != nil {
		t.Fatal(err)
	}
	if err := w.Unlock(testPass, 0); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Unlock(old) = %v, want ErrWrongPassphrase", err)
	}
	w.Close()
	w, err := Open(path, regtest, testOpenOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Unlock(newPass, 0); err != nil {
		t.Fatalf("Unlock(new) after reopen = %v", err)
	}
	// The secrets sealed under the unchanged master key still open.
	if _, err := w.CreateAccount("after-change"); err != nil {
		t.Fatal(err)
	}
	if m, err := w.ExportMnemonic(newPass); err != nil || m != testMnemonic {
		t.Fatalf("ExportMnemonic = %q, %v", m, err)
	}
	if _, err := w.ExportMnemonic(testPass); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("ExportMnemonic(old) = %v, want ErrWrongPassphrase", err)
	}
}

func TestUnencrypted(t *testing.T) {
	w, _, path := newTestWallet(t, func(o *CreateOptions) { o.Passphrase = nil; o.Unencrypted = true })
	if w.Encrypted() || w.IsLocked() {
		t.Fatalf("unencrypted: Encrypted=%v IsLocked=%v", w.Encrypted(), w.IsLocked())
	}
	for name, err := range map[string]error{
		"Lock":             w.Lock(),
		"Unlock":           w.Unlock(testPass, 0),
		"ChangePassphrase": w.ChangePassphrase(testPass, testPass),
	} {
		if !errors.Is(err, ErrNotEncrypted) {
			t.Errorf("%s = %v, want ErrNotEncrypted", name, err)
		}
	}
	w.Close()
	w, err := Open(path, regtest, testOpenOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.IsLocked() {
		t.Fatal("reopened unencrypted wallet is locked")
	}
	if _, err := w.CreateAccount("bob"); err != nil {
		t.Fatal(err)
	}
	if m, err := w.ExportMnemonic(nil); err != nil || m != testMnemonic {
		t.Fatalf("ExportMnemonic = %q, %v", m, err)
	}
}

func TestLoggerInjected(t *testing.T) {
	var buf bytes.Buffer
	opts := testCreateOptions()
	opts.Open.Logger = newTestLogger(&buf)
	w, _, err := Create(walletPath(t), regtest, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if !bytes.Contains(buf.Bytes(), []byte("wallet created")) {
		t.Fatalf("log = %q", buf.String())
	}
	if bytes.Contains(buf.Bytes(), []byte(testMnemonic[:10])) {
		t.Fatal("the mnemonic reached the log")
	}
}
