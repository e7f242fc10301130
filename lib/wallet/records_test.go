package wallet

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func TestRecordRoundTrip(t *testing.T) {
	acct := &accountRecord{Number: 7, Kind: kindHD, Name: "玩家", Xpub: "tpubXYZ", SealedXprv: []byte{1, 2, 3},
		Branches: [2]branchState{{Issued: 3, Used: 2, Derived: 23}, {Issued: 1, Used: 0, Derived: 21}}, Imported: 4}
	got, err := decodeAccount(encodeAccount(acct))
	if err != nil || !reflect.DeepEqual(got, acct) {
		t.Fatalf("account round trip = %+v, %v", got, err)
	}
	addr := &addrRecord{Account: 1 << 31, Branch: BranchImported, Index: 9, Flags: flagCompressed, PubKey: bytes.Repeat([]byte{2}, 33), Label: "shop"}
	gotA, err := decodeAddr(encodeAddr(addr))
	if err != nil || !reflect.DeepEqual(gotA, addr) {
		t.Fatalf("addr round trip = %+v, %v", gotA, err)
	}
	kdf := &kdfRecord{Params: testKDF, Salt: bytes.Repeat([]byte{9}, 16), SealedKey: []byte{4, 5}}
	gotK, err := decodeKDF(encodeKDF(kdf))
	if err != nil || !reflect.DeepEqual(gotK, kdf) {
		t.Fatalf("kdf round trip = %+v, %v", gotK, err)
	}
	seed := &seedSecret{Mnemonic: testMnemonic, SeedPassphrase: "x"}
	gotS, err := decodeSeedSecret(encodeSeedSecret(seed))
	if err != nil || *gotS != *seed {
		t.Fatalf("seed round trip = %+v, %v", gotS, err)
	}
	priv, comp, err := decodeKeySecret(encodeKeySecret(bytes.Repeat([]byte{7}, 32), true))
	if err != nil || !comp || len(priv) != 32 {
		t.Fatalf("key round trip = %x, %v, %v", priv, comp, err)
	}
}

func TestRecordDecodeErrors(t *testing.T) {
	acct := encodeAccount(&accountRecord{Number: 1, Kind: kindHD, Name: "a"})
	addr := encodeAddr(&addrRecord{PubKey: bytes.Repeat([]byte{2}, 33)})
	kdf := encodeKDF(&kdfRecord{Params: testKDF, Salt: make([]byte, 16)})
	mut := func(b []byte, i int, v byte) []byte { c := append([]byte(nil), b...); c[i] = v; return c }
	for _, c := range []struct {
		name string
		dec  func([]byte) error
		in   []byte
	}{
		{"account empty", decAcct, nil},
		{"account version", decAcct, mut(acct, 0, 2)},
		{"account kind", decAcct, mut(acct, 1, 9)},
		{"account truncated", decAcct, acct[:len(acct)-1]},
		{"account trailing", decAcct, append(append([]byte(nil), acct...), 0)},
		{"account empty name", decAcct, encodeAccount(&accountRecord{Kind: kindHD})},
		{"account length overflow", decAcct, mut(acct, 6, 0xff)},
		{"addr empty", decAddr, nil},
		{"addr branch", decAddr, mut(addr, 5, 3)},
		{"addr flags", decAddr, mut(addr, 10, 0x80)},
		{"addr pubkey size", decAddr, encodeAddr(&addrRecord{PubKey: []byte{2, 3}})},
		{"addr spendable without key", decAddr, encodeAddr(&addrRecord{})},
		{"addr truncated", decAddr, addr[:12]},
		{"kdf empty", decKDF, nil},
		{"kdf zero time", decKDF, encodeKDF(&kdfRecord{Params: KDFParams{MemoryKiB: 1024, Threads: 1}, Salt: make([]byte, 16)})},
		{"kdf huge memory", decKDF, encodeKDF(&kdfRecord{Params: KDFParams{Time: 1, MemoryKiB: 1 << 31, Threads: 1}, Salt: make([]byte, 16)})},
		{"kdf short salt", decKDF, encodeKDF(&kdfRecord{Params: testKDF, Salt: make([]byte, 4)})},
		{"kdf trailing", decKDF, append(append([]byte(nil), kdf...), 1)},
		{"seed truncated", func(b []byte) error { _, err := decodeSeedSecret(b); return err }, []byte{1, 0, 5, 'a'}},
		{"key short", func(b []byte) error { _, _, err := decodeKeySecret(b); return err }, make([]byte, 32)},
		{"key flag", func(b []byte) error { _, _, err := decodeKeySecret(b); return err }, append(make([]byte, 32), 2)},
	} {
		if err := c.dec(c.in); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: decode = %v, want ErrCorrupt", c.name, err)
		}
	}
}

func decAcct(b []byte) error { _, err := decodeAccount(b); return err }
func decAddr(b []byte) error { _, err := decodeAddr(b); return err }
func decKDF(b []byte) error  { _, err := decodeKDF(b); return err }

func TestKDFRecord(t *testing.T) {
	mk, _ := newMasterKey()
	r, err := newKDFRecord([]byte("pw"), mk, testKDF)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.openMaster([]byte("pw"))
	if err != nil || !bytes.Equal(got, mk) {
		t.Fatalf("openMaster = %x, %v", got, err)
	}
	for _, pw := range []string{"", "pW", "pw "} {
		if _, err := r.openMaster([]byte(pw)); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("openMaster(%q) = %v, want ErrWrongPassphrase", pw, err)
		}
	}
	// Tampering with salt, parameters or ciphertext fails authentication.
	r2 := *r
	r2.Salt = append([]byte(nil), r.Salt...)
	r2.Salt[0] ^= 1
	if _, err := r2.openMaster([]byte("pw")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("tampered salt: %v", err)
	}
	r3 := *r
	r3.SealedKey = append([]byte(nil), r.SealedKey...)
	r3.SealedKey[len(r3.SealedKey)-1] ^= 1
	if _, err := r3.openMaster([]byte("pw")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("tampered ciphertext: %v", err)
	}
	// Associated data binds a sealed value to its slot.
	s, _ := seal(mk, []byte("secret"), []byte("slot a"))
	if _, err := open(mk, s, []byte("slot b")); err == nil {
		t.Error("sealed value opened under another slot's associated data")
	}
	if _, err := open(mk, s[:10], nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("short sealed value: %v", err)
	}
	for _, p := range []KDFParams{{}, {Time: 1, MemoryKiB: 7, Threads: 1}, {Time: 1, MemoryKiB: 1024}, {Time: 101, MemoryKiB: 1024, Threads: 1}} {
		if _, err := newKDFRecord([]byte("pw"), mk, p); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("newKDFRecord(%+v) = %v, want ErrInvalidArgument", p, err)
		}
	}
}

// TestCorruptRecordsInFile damages stored records and checks the wallet
// reports ErrCorrupt instead of panicking.
func TestCorruptRecordsInFile(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	a, _ := w.NewAddress("", false)
	if err := w.db.Update(func(tx *storeTx) error {
		return tx.Bucket(bktAccounts).Put(u32key(0), []byte{1, 2})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.NewAddress("", false); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("NewAddress with a corrupt account = %v, want ErrCorrupt", err)
	}
	if _, ok := w.IsMine(a.PkScript()); ok {
		t.Fatal("IsMine succeeded with a corrupt account")
	}
	if err := w.db.Update(func(tx *storeTx) error {
		return tx.Bucket(bktMeta).Put(keyKDF, []byte{1})
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.Unlock(testPass, 0); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Unlock with a corrupt kdf record = %v, want ErrCorrupt", err)
	}
}

// heapHeld is the heap memory the runtime holds from the OS: live and
// dead objects, unused span space and free pages not yet returned.
func heapHeld() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64() + s[2].Value.Uint64()
}

// TestKDFReleasesMemory: the argon2id run of an unlock allocates its
// memory parameter (64 MiB by default), which stayed in the process
// after the unlock (the node's RSS went from 43 to 166 MiB and stayed
// there); the derivation hands it back to the OS before returning.
func TestKDFReleasesMemory(t *testing.T) {
	const mem = 32 << 10 // KiB
	r := &kdfRecord{Params: KDFParams{Time: 1, MemoryKiB: mem, Threads: 1}, Salt: make([]byte, saltSize)}
	runtime.GC()
	debug.FreeOSMemory()
	before := heapHeld()
	k := passphraseKey([]byte("pw"), r)
	after := heapHeld()
	if len(k) != 32 {
		t.Fatalf("key of %d bytes", len(k))
	}
	if grew := int64(after) - int64(before); grew > mem<<10/4 {
		t.Fatalf("the heap holds %d MiB more after a %d MiB derivation: not handed back", grew>>20, mem>>10)
	}
}
