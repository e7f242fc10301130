package wallet

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

func testKey(t *testing.T, b byte) *btcec.PrivateKey {
	t.Helper()
	raw := make([]byte, 32)
	raw[31] = b
	raw[0] = 0x11
	k, _ := btcec.PrivKeyFromBytes(raw)
	return k
}

func TestImportWIF(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	k := testKey(t, 1)
	wif := keys.EncodeWIF(k, true, regtest)
	if _, err := w.ImportWIF(wif, "imported"); !errors.Is(err, ErrLocked) {
		t.Fatalf("ImportWIF while locked = %v, want ErrLocked", err)
	}
	mustUnlock(t, w)
	info, err := w.ImportWIF(wif, "imported")
	if err != nil {
		t.Fatal(err)
	}
	h := keys.PubKeyHash(k.PubKey())
	if info.Account != "imported" || info.Branch != BranchImported || info.WatchOnly ||
		string(info.PkScript) != string(script.PayToWitnessPubKeyHash(h)) {
		t.Fatalf("ImportWIF = %+v", info)
	}
	if _, ok := w.IsMine(script.PayToPubKeyHash(h)); !ok {
		t.Fatal("P2PKH of an imported compressed key not recognised")
	}
	acct, err := w.Account("imported")
	if err != nil || acct.Kind != "imported" || acct.Number < HardenedKeyStart || acct.Imported != 1 {
		t.Fatalf("imported account = %+v, %v", acct, err)
	}
	if _, err := w.NewAddress("imported", false); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("NewAddress on an imported account = %v, want ErrInvalidArgument", err)
	}
	// Uncompressed keys are P2PKH only, and can go to an existing account.
	ku := testKey(t, 2)
	infoU, err := w.ImportWIF(keys.EncodeWIF(ku, false, regtest), "")
	if err != nil {
		t.Fatal(err)
	}
	hu := keys.Hash160(ku.PubKey().SerializeUncompressed())
	if infoU.Account != DefaultAccount || string(infoU.PkScript) != string(script.PayToPubKeyHash(hu)) {
		t.Fatalf("uncompressed import = %+v", infoU)
	}
	if _, ok := w.IsMine(script.PayToWitnessPubKeyHash(hu)); ok {
		t.Fatal("P2WPKH of an uncompressed key recognised")
	}
	// The keys come back through KeyDB.
	kdb, err := w.KeyDB()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		hash       []byte
		key        *btcec.PrivateKey
		compressed bool
	}{{h, k, true}, {hu, ku, false}} {
		got, comp, ok := kdb.GetKey(c.hash)
		if !ok || comp != c.compressed || !got.Key.Equals(&c.key.Key) {
			t.Fatalf("GetKey(%x) = %v, %v, %v", c.hash, got, comp, ok)
		}
	}
}

func TestImportWIFErrors(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	mustUnlock(t, w)
	k := testKey(t, 3)
	wif := keys.EncodeWIF(k, true, regtest)
	if _, err := w.ImportWIF(wif, "x"); err != nil {
		t.Fatal(err)
	}
	// The wallet's own HD key, exported as WIF.
	a, _ := w.NewAddress("", false)
	own, _, err := w.privKey(a.Hash)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, wif, account string
		want               error
	}{
		{"empty", "", "x", ErrInvalidKey},
		{"garbage", "notawif", "x", ErrInvalidKey},
		{"bad checksum", wif[:len(wif)-1] + "1", "x", ErrInvalidKey},
		{"main key", keys.EncodeWIF(k, true, chaincfg.MainNetParams), "x", ErrWrongNetwork},
		{"duplicate", wif, "y", ErrAlreadyImported},
		{"own hd key", keys.EncodeWIF(own, true, regtest), "x", ErrAlreadyImported},
		{"bad account name", keys.EncodeWIF(testKey(t, 4), true, regtest), "*", ErrInvalidArgument},
	} {
		if _, err := w.ImportWIF(c.wif, c.account); !errors.Is(err, c.want) {
			t.Errorf("%s: ImportWIF = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestImportAddress(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	// Works while locked.
	other, _, _ := newTestWallet(t, func(o *CreateOptions) {
		o.Mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	})
	a, _ := other.NewAddress("", false)
	info, err := w.ImportAddress(a.String(), "watch")
	if err != nil {
		t.Fatal(err)
	}
	if !info.WatchOnly || info.Account != "watch" || info.Address.String() != a.String() {
		t.Fatalf("ImportAddress = %+v", info)
	}
	if got, ok := w.IsMine(a.PkScript()); !ok || !got.WatchOnly {
		t.Fatalf("IsMine(watch) = %+v, %v", got, ok)
	}
	list, err := w.Addresses("watch")
	if err != nil || len(list) != 1 {
		t.Fatalf("Addresses(watch) = %v, %v", list, err)
	}
	mustUnlock(t, w)
	kdb, _ := w.KeyDB()
	if _, _, ok := kdb.GetKey(a.Hash); ok {
		t.Fatal("GetKey found a key for a watch-only address")
	}
	mainAddr := "gg1qw508d6qejxtdg4y5r3zarvary0c5xw7kqx5xq5" // arbitrary main-net string
	for _, c := range []struct {
		name, addr string
		want       error
	}{
		{"duplicate", a.String(), ErrAlreadyImported},
		{"garbage", "nonsense", ErrInvalidArgument},
		{"main", mainAddr, ErrWrongNetwork},
	} {
		if _, err := w.ImportAddress(c.addr, "watch"); !errors.Is(err, c.want) {
			t.Errorf("%s: ImportAddress = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestImportXpub(t *testing.T) {
	// The watch-only wallet follows a spending wallet's account 0.
	spend, _, _ := newTestWallet(t, nil)
	acct, _ := spend.Account("")
	w, _, path := newTestWallet(t, func(o *CreateOptions) {
		o.Mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	})
	info, err := w.ImportXpub(acct.Xpub, "cold")
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != "xpub" || !info.WatchOnly || info.Number < HardenedKeyStart {
		t.Fatalf("ImportXpub = %+v", info)
	}
	for i := 0; i < 3; i++ {
		want, _ := spend.NewAddress("", i == 2)
		got, err := w.NewAddress("cold", i == 2)
		if err != nil || got.String() != want.String() {
			t.Fatalf("watch-only address %d = %v, %v; want %v", i, got, err, want)
		}
		if ai, ok := w.IsMine(want.PkScript()); !ok || !ai.WatchOnly || ai.Account != "cold" {
			t.Fatalf("IsMine = %+v, %v", ai, ok)
		}
	}
	// Lookahead: the spending wallet's 10th receive address is already known.
	for i := 0; i < 8; i++ {
		spend.NewAddress("", false)
	}
	tenth, _ := spend.NewAddress("", false)
	if _, ok := w.IsMine(tenth.PkScript()); !ok {
		t.Fatal("lookahead of the xpub account missing")
	}
	mustUnlock(t, w)
	kdb, _ := w.KeyDB()
	if _, _, ok := kdb.GetKey(tenth.Hash); ok {
		t.Fatal("GetKey found a key in a watch-only account")
	}

	own, _ := w.Account("")
	master, _ := NewMaster(make([]byte, 32), regtest)
	mainMaster, _ := NewMaster(make([]byte, 32), chaincfg.MainNetParams)
	mainPub, _ := mainMaster.Neuter()
	for _, c := range []struct {
		name, xpub, account string
		want                error
	}{
		{"duplicate", acct.Xpub, "cold2", ErrAlreadyImported},
		{"own account", own.Xpub, "self", ErrAlreadyImported},
		{"name taken", mustNeuter(t, master), "cold", ErrAccountExists},
		{"private key", master.String(), "p", ErrInvalidKey},
		{"main-net xpub", mainPub.String(), "m", ErrWrongNetwork},
		{"garbage", "xpubnonsense", "g", ErrInvalidKey},
		{"empty", "", "e", ErrInvalidKey},
		{"bad name", mustNeuter(t, master), "", ErrInvalidArgument},
	} {
		if _, err := w.ImportXpub(c.xpub, c.account); !errors.Is(err, c.want) {
			t.Errorf("%s: ImportXpub = %v, want %v", c.name, err, c.want)
		}
	}
	// Survives reopening.
	w.Close()
	w2, err := Open(path, regtest, testOpenOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if _, ok := w2.IsMine(tenth.PkScript()); !ok {
		t.Fatal("xpub account lost on reopen")
	}
}

func mustNeuter(t *testing.T, k interface {
	Neuter() (*hdkeychain.ExtendedKey, error)
}) string {
	t.Helper()
	p, err := k.Neuter()
	if err != nil {
		t.Fatal(err)
	}
	return p.String()
}

// spendTx returns a transaction spending a fake outpoint to a fixed output.
func spendTx() *wire.MsgTx {
	tx := &wire.MsgTx{Version: 2}
	tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte("prev")), Index: 1}, Sequence: 0xffffffff})
	tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: 90_000, PkScript: script.PayToWitnessPubKeyHash(make([]byte, 20))})
	return tx
}

func TestSignInput(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	a, _ := w.NewAddress("", false)
	pk := a.PkScript()
	tx := spendTx()
	if _, err := w.SignInput(tx, 0, pk, 100_000, script.SigHashAll, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("SignInput while locked = %v, want ErrLocked", err)
	}
	mustUnlock(t, w)
	complete, err := w.SignInput(tx, 0, pk, 100_000, script.SigHashAll, nil)
	if err != nil || !complete {
		t.Fatalf("SignInput = %v, %v", complete, err)
	}
	if err := script.VerifyInput(tx, 0, pk, 100_000, script.StandardFlags, nil, nil); err != nil {
		t.Fatalf("signed input does not verify: %v", err)
	}
	// Through lib/script directly, with the KeyDB/ScriptDB bridge: a
	// change address, an imported P2PKH key and a 1-of-2 P2WSH multisig
	// made of an HD key and an outside key.
	ch, _ := w.NewAddress("", true)
	k := testKey(t, 9)
	imp, err := w.ImportWIF(keys.EncodeWIF(k, true, regtest), "")
	if err != nil {
		t.Fatal(err)
	}
	hdInfo, _ := w.IsMine(pk)
	hdPriv, _, err := w.privKey(hdInfo.Address.Hash)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := script.MultiSigScript(1, [][]byte{testKey(t, 10).PubKey().SerializeCompressed(), hdPriv.PubKey().SerializeCompressed()})
	if err != nil {
		t.Fatal(err)
	}
	msInfo, err := w.ImportScript(ms, "")
	if err != nil {
		t.Fatal(err)
	}
	kdb, err := w.KeyDB()
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string][]byte{
		"change p2wpkh":  ch.PkScript(),
		"imported p2pkh": script.PayToPubKeyHash(imp.Address.Hash),
		"p2wsh multisig": msInfo.PkScript,
		"p2sh multisig":  script.PayToScriptHash(keys.Hash160(ms)),
	} {
		tx := spendTx()
		complete, err := script.SignInput(tx, 0, out, 50_000, script.SigHashAll, kdb, w.ScriptDB(), nil)
		if err != nil || !complete {
			t.Errorf("%s: SignInput = %v, %v", name, complete, err)
		}
	}
	// A script the wallet has no key for.
	foreign := script.PayToWitnessPubKeyHash(make([]byte, 20))
	if _, err := w.SignInput(spendTx(), 0, foreign, 1, script.SigHashAll, nil); !errors.Is(err, script.ErrKeyNotFound) {
		t.Fatalf("SignInput(foreign) = %v, want script.ErrKeyNotFound", err)
	}
	// Locking mid-way: the KeyDB handed out finds nothing, and the
	// wallet's SignInput reports ErrLocked.
	w.Lock()
	if _, _, ok := kdb.GetKey(hdInfo.Address.Hash); ok {
		t.Fatal("KeyDB still serves keys after Lock")
	}
	_, err = w.SignInput(spendTx(), 0, pk, 1, script.SigHashAll, nil)
	if !errors.Is(err, ErrLocked) || err.Error() == "" {
		t.Fatalf("SignInput after Lock = %v", err)
	}
	if got := ErrLocked.Error(); got != "wallet is locked: unlock it first" {
		t.Fatalf("ErrLocked message = %q", got)
	}
}

func TestImportScriptErrors(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	s := []byte{0x51} // OP_TRUE
	if _, err := w.ImportScript(s, "scripts"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		s    []byte
		want error
	}{
		{"empty", nil, ErrInvalidArgument},
		{"too big", make([]byte, maxImportScriptSize+1), ErrInvalidArgument},
		{"duplicate", s, ErrAlreadyImported},
	} {
		if _, err := w.ImportScript(c.s, "scripts"); !errors.Is(err, c.want) {
			t.Errorf("%s: ImportScript = %v, want %v", c.name, err, c.want)
		}
	}
	if got, ok := w.ScriptDB().GetScript(keys.Hash160(s)); !ok || string(got) != string(s) {
		t.Fatalf("GetScript(hash160) = %x, %v", got, ok)
	}
	if _, ok := w.ScriptDB().GetScript(make([]byte, 32)); ok {
		t.Fatal("GetScript(unknown) found a script")
	}
}
