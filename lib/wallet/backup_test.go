package wallet

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

var backupPass = []byte("backup passphrase")

func addrLabels(t *testing.T, w *Wallet, acct string) []string {
	t.Helper()
	as, err := w.Addresses(acct)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		s := ""
		if a.Address != nil {
			s = a.Address.String()
		}
		out = append(out, s+"|"+a.Label)
	}
	return out
}

// TestBackupRestore backs up a wallet with every kind of content (named
// and renamed accounts, issued addresses, an imported key with a coin, a
// watch-only address, an imported multisig script, a time-locked
// address, an xpub account, labels), restores it into a new file and
// finds the same accounts, addresses, balances after a rescan, keys and
// locks.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	w, c, minePk := startedWallet(t, 2)
	if _, err := w.CreateAccount("bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateAccount("account-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RenameAccount("account-2", "carol"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := w.NewAddress("bob", false); err != nil {
			t.Fatal(err)
		}
	}
	bobAddr, _ := w.NewAddress("bob", false)
	if err := w.SetLabel(bobAddr.PkScript(), "rent"); err != nil {
		t.Fatal(err)
	}
	k := testKey(t, 5)
	imp, err := w.ImportWIF(keys.EncodeWIF(k, true, regtest), "imported")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SetLabel(imp.PkScript, "paper wallet"); err != nil {
		t.Fatal(err)
	}
	watchPk := script.PayToWitnessPubKeyHash(keys.Hash160(testKey(t, 6).PubKey().SerializeCompressed()))
	wa, _ := address.FromPkScript(watchPk, regtest)
	if _, err := w.ImportAddress(wa.String(), "watch"); err != nil {
		t.Fatal(err)
	}
	ms, _ := script.NewBuilder().AddOp(script.OP_1).AddData(testKey(t, 7).PubKey().SerializeCompressed()).AddOp(script.OP_1).
		AddOp(script.OP_CHECKMULTISIG).Script()
	if _, err := w.ImportScript(ms, "watch"); err != nil {
		t.Fatal(err)
	}
	lockInfo, _, err := w.NewTimeLockedAddress("carol", TimeLock{Height: uint32(c.tip().Height + 50)})
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := newTestWallet(t, func(o *CreateOptions) {
		o.Mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	})
	oa, _ := other.Account("")
	if _, err := w.ImportXpub(oa.Xpub, "cold"); err != nil {
		t.Fatal(err)
	}
	// Coins: to bob, to the imported key, to the locked address.
	sent, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(3)), PkScript: bobAddr.PkScript()},
		{Value: int64(gg(2)), PkScript: imp.PkScript}, {Value: int64(gg(1)), PkScript: lockInfo.PkScript}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.connect(minePk, sent.Tx)

	blob, sum, err := w.Backup(backupPass, testKDF)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accounts != 6 || sum.Keys != 1 || sum.Watch != 1 || sum.Scripts != 2 || sum.Labels != 1 {
		t.Fatalf("summary %+v", sum)
	}
	// The blob is sealed: no mnemonic or WIF in the clear.
	for _, secret := range []string{testMnemonic, keys.EncodeWIF(k, true, regtest), "carol"} {
		if slices.Contains([]string{string(blob)}, secret) || containsBytes(blob, secret) {
			t.Fatalf("backup holds %q in the clear", secret)
		}
	}

	path := walletPath(t)
	r, got, err := RestoreBackup(path, regtest, blob, backupPass, CreateOptions{Passphrase: []byte("new pass"), KDF: testKDF, Open: testOpenOptions(nil)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got != sum || !r.IsLocked() {
		t.Fatalf("restored summary %+v (want %+v), locked %v", got, sum, r.IsLocked())
	}
	wantAccts, _ := w.Accounts()
	gotAccts, _ := r.Accounts()
	if len(gotAccts) != len(wantAccts) {
		t.Fatalf("accounts %+v, want %+v", gotAccts, wantAccts)
	}
	for _, a := range wantAccts {
		b, err := r.Account(a.Name)
		if err != nil || b.Kind != a.Kind || b.Xpub != a.Xpub || b.Receive != a.Receive || b.Change != a.Change ||
			(a.Number < HardenedKeyStart && b.Number != a.Number) {
			t.Errorf("account %q: %+v %v, want %+v", a.Name, b, err, a)
		}
		if g, want := addrLabels(t, r, a.Name), addrLabels(t, w, a.Name); !slices.Equal(g, want) {
			t.Errorf("account %q addresses %v, want %v", a.Name, g, want)
		}
	}
	// Birthday 0: the first sync rescans and finds every coin.
	if err := r.Start(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{AllAccounts, "bob", "imported", "carol", ""} {
		if g, want := mustBalance(t, r, a), mustBalance(t, w, a); g != want {
			t.Errorf("balance %q %+v, want %+v", a, g, want)
		}
	}
	if b := mustBalance(t, r, "carol"); b.Locked != gg(1) {
		t.Errorf("carol %+v", b)
	}
	// Keys work: the imported key's WIF comes back.
	if err := r.Unlock([]byte("new pass"), 0); err != nil {
		t.Fatal(err)
	}
	ia, _ := address.FromPkScript(imp.PkScript, regtest)
	if wif, err := r.ExportPrivKey(ia.String()); err != nil || wif != keys.EncodeWIF(k, true, regtest) {
		t.Errorf("imported key %q %v", wif, err)
	}
	if m, err := r.ExportMnemonic([]byte("new pass")); err != nil || m != testMnemonic {
		t.Errorf("mnemonic %q %v", m, err)
	}
}

func containsBytes(b []byte, s string) bool {
	return len(s) > 0 && string(b) != "" && (func() bool {
		for i := 0; i+len(s) <= len(b); i++ {
			if string(b[i:i+len(s)]) == s {
				return true
			}
		}
		return false
	})()
}

func TestBackupErrors(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	if _, _, err := w.Backup(backupPass, testKDF); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked: %v", err)
	}
	mustUnlock(t, w)
	if _, _, err := w.Backup(nil, testKDF); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("empty passphrase: %v", err)
	}
	if _, _, err := w.Backup(backupPass, KDFParams{Time: 0, MemoryKiB: 8, Threads: 1}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("bad kdf: %v", err)
	}
	blob, _, err := w.Backup(backupPass, testKDF)
	if err != nil {
		t.Fatal(err)
	}
	opts := CreateOptions{Passphrase: []byte("p"), KDF: testKDF, Open: testOpenOptions(nil)}
	if _, _, err := RestoreBackup(walletPath(t), regtest, blob, []byte("wrong"), opts); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, _, err := RestoreBackup(walletPath(t), chaincfg.TestNetParams, blob, backupPass, opts); !errors.Is(err, ErrWrongNetwork) {
		t.Fatalf("other network: %v", err)
	}
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"truncated": blob[:backupHeaderLen+10],
		"magic":     append([]byte("X"), blob[1:]...),
		"version":   append(append(append([]byte(nil), blob[:9]...), 9), blob[10:]...),
		"kdf":       append(append(append([]byte(nil), blob[:10]...), 0, 0, 0, 0), blob[14:]...),
	} {
		if _, _, err := RestoreBackup(walletPath(t), regtest, bad, backupPass, opts); !errors.Is(err, ErrBadBackup) {
			t.Errorf("%s: %v, want ErrBadBackup", name, err)
		}
	}
	// A flipped ciphertext or header byte does not open (authenticated).
	for _, i := range []int{backupHeaderLen - 1, len(blob) - 1} {
		bad := append([]byte(nil), blob...)
		bad[i] ^= 1
		if _, _, err := RestoreBackup(walletPath(t), regtest, bad, backupPass, opts); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("flipped byte %d: %v", i, err)
		}
	}
	// Contents that decrypt but do not make sense.
	for name, plain := range map[string]string{
		"not json":      `x`,
		"unknown field": `{"version":1,"bogus":1}`,
		"no default":    `{"version":1,"network":"regtest","mnemonic":"` + testMnemonic + `","gap_limit":20,"accounts":[]}`,
		"network":       `{"version":1,"network":"moon","mnemonic":"` + testMnemonic + `","gap_limit":20}`,
		"mnemonic":      `{"version":1,"network":"regtest","mnemonic":"legal winner","gap_limit":20}`,
		"dup account": `{"version":1,"network":"regtest","mnemonic":"` + testMnemonic + `","gap_limit":20,"accounts":[` +
			`{"number":0,"name":"default","kind":"hd"},{"number":1,"name":"default","kind":"hd"}]}`,
		"key account": `{"version":1,"network":"regtest","mnemonic":"` + testMnemonic + `","gap_limit":20,"accounts":[` +
			`{"number":0,"name":"default","kind":"hd"}],"keys":[{"wif":"x","account":"nobody"}]}`,
	} {
		sealed, err := sealBackup([]byte(plain), backupPass, testKDF)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := RestoreBackup(walletPath(t), regtest, sealed, backupPass, opts); !errors.Is(err, ErrBadBackup) {
			t.Errorf("%s: %v, want ErrBadBackup", name, err)
		}
	}
}

// FuzzBackupDecode: no panic on any blob or contents; a blob that opens
// yields contents that pass the checks again after a round trip.
func FuzzBackupDecode(f *testing.F) {
	good, _ := sealBackup([]byte(`{"version":1,"network":"regtest","mnemonic":"`+testMnemonic+`","gap_limit":20,`+
		`"accounts":[{"number":0,"name":"default","kind":"hd","receive":1}]}`), backupPass, KDFParams{Time: 1, MemoryKiB: 8, Threads: 1})
	f.Add(good)
	f.Add([]byte("GGWBACKUP"))
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, _, err := parseBackupHeader(b); err == nil && r.Params.Time == 1 && r.Params.MemoryKiB <= 64 {
			if c, err := openBackup(b, backupPass); err == nil {
				if _, err := decodeBackupContents(mustJSON(t, c)); err != nil {
					t.Fatalf("contents do not round-trip: %v", err)
				}
			}
		}
		if c, err := decodeBackupContents(b); err == nil {
			if _, err := decodeBackupContents(mustJSON(t, c)); err != nil {
				t.Fatalf("contents do not round-trip: %v", err)
			}
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBackupPassphraseLength: a backup passphrase shorter than
// MinBackupPassphraseLen characters (not bytes) is refused with the
// minimum named; a backup sealed under a short passphrase by an older
// build still restores.
func TestBackupPassphraseLength(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	mustUnlock(t, w)
	for _, p := range []string{"p", "1234567", "ééééééé"} {
		_, _, err := w.Backup([]byte(p), testKDF)
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "at least 8 characters") {
			t.Errorf("Backup with %q = %v, want ErrInvalidArgument naming the minimum", p, err)
		}
	}
	for _, p := range []string{"12345678", "éééééééé"} {
		if _, _, err := w.Backup([]byte(p), testKDF); err != nil {
			t.Errorf("Backup with %q: %v", p, err)
		}
	}
	c, err := w.backupContents()
	if err != nil {
		t.Fatal(err)
	}
	old, err := sealBackup(mustJSON(t, c), []byte("p"), testKDF)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := RestoreBackup(walletPath(t), regtest, old, []byte("p"), CreateOptions{Passphrase: testPass, KDF: testKDF, Open: testOpenOptions(nil)})
	if err != nil {
		t.Fatalf("restore of a backup under a short passphrase: %v", err)
	}
	r.Close()
}

// TestBackupKDFBounds: a backup header sets its own KDF cost; the decoder
// refuses one above maxKDFTime passes or maxKDFMemoryKiB (1 GiB, 16 times
// the default) before running anything, with ErrBadBackup and
// ErrKDFCost, and the writer refuses to produce one. Backups at the
// limits, and every default one, still open.
func TestBackupKDFBounds(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	mustUnlock(t, w)
	c, err := w.backupContents()
	if err != nil {
		t.Fatal(err)
	}
	plain := mustJSON(t, c)
	header := func(p KDFParams) []byte {
		// Only the header is read: the sealed part is filler.
		blob, err := sealBackup(plain, backupPass, testKDF)
		if err != nil {
			t.Fatal(err)
		}
		b := blob[len(backupMagic)+1:]
		binary.BigEndian.PutUint32(b[0:4], p.Time)
		binary.BigEndian.PutUint32(b[4:8], p.MemoryKiB)
		b[8] = p.Threads
		return blob
	}
	for _, p := range []KDFParams{
		{Time: 100, MemoryKiB: 4 << 20, Threads: 4}, // the report's
		{Time: 11, MemoryKiB: 64 << 10, Threads: 4},
		{Time: 1, MemoryKiB: 1<<20 + 1, Threads: 4},
	} {
		_, _, err := parseBackupHeader(header(p))
		if !errors.Is(err, ErrBadBackup) || !errors.Is(err, ErrKDFCost) {
			t.Errorf("header %+v: %v, want ErrBadBackup and ErrKDFCost", p, err)
		}
	}
	for _, p := range []KDFParams{DefaultKDF, {Time: 10, MemoryKiB: 1 << 20, Threads: 255}} {
		if _, _, err := parseBackupHeader(header(p)); err != nil {
			t.Errorf("header %+v: %v", p, err)
		}
	}
	// A whole blob sealed over the limit (cheap in memory, 11 passes):
	// refused without being opened.
	costly, err := sealBackup(plain, backupPass, KDFParams{Time: 11, MemoryKiB: 8, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	opts := CreateOptions{Passphrase: testPass, KDF: testKDF, Open: testOpenOptions(nil)}
	if r, _, err := RestoreBackup(walletPath(t), regtest, costly, backupPass, opts); !errors.Is(err, ErrKDFCost) {
		if err == nil {
			r.Close()
		}
		t.Errorf("restore of a blob with 11 KDF passes: %v, want ErrKDFCost", err)
	}
	if _, _, err := w.Backup(backupPass, KDFParams{Time: 11, MemoryKiB: 8, Threads: 1}); !errors.Is(err, ErrKDFCost) {
		t.Errorf("Backup with 11 passes: %v, want ErrKDFCost", err)
	}
}
