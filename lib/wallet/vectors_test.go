package wallet

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcchaincfg "github.com/btcsuite/btcd/chaincfg"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/internal/vectors"
	"github.com/gamegold/gg/lib/keys"
)

// readTestdata decodes a JSON file of testdata/ into v.
func readTestdata(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bip32Vectors is testdata/bip32-vectors.json: BIP32's test vectors,
// written from the BIP's text.
type bip32Vectors struct {
	Derivation []struct {
		Vector int
		Seed   string
		Chains []struct{ Path, Xpub, Xprv string }
	}
	Invalid []struct{ Key, Reason string }
}

// TestHDVectors runs BIP32's test vectors 1 to 4 (testdata: every chain
// from the seed's master, its private and public serialisation, and the
// public derivation of each non-hardened step from the parent's xpub)
// and, when the shared folder has hd.json, bcoin's extra HD vectors (a
// mnemonic seed with passphrase "foo", children derived from private and
// public parents, a private key with leading zero bytes).
func TestHDVectors(t *testing.T) {
	var vecs bip32Vectors
	readTestdata(t, "bip32-vectors.json", &vecs)
	net := HDParams(chaincfg.MainNetParams) // main uses xprv/xpub
	passed, failed := 0, 0
	check := func(name string, ok bool, format string, args ...any) {
		t.Helper()
		if ok {
			passed++
			return
		}
		failed++
		t.Errorf(name+": "+format, args...)
	}
	for _, v := range vecs.Derivation {
		master, err := hdkeychain.NewMaster(mustHex(t, v.Seed), net)
		if err != nil {
			t.Fatalf("vector %d: %v", v.Vector, err)
		}
		var parentPub *hdkeychain.ExtendedKey
		for _, c := range v.Chains {
			name := fmt.Sprintf("vector %d %s", v.Vector, c.Path)
			idx, err := ParsePath(c.Path)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			k, err := DerivePath(master, idx)
			if err != nil {
				check(name, false, "derive: %v", err)
				continue
			}
			pub, _ := k.Neuter()
			check(name, k.String() == c.Xprv && pub.String() == c.Xpub, "got %s / %s, want %s / %s", k, pub, c.Xprv, c.Xpub)
			// a normal child's xpub also comes from the parent's xpub
			if n := len(idx); n > 0 && idx[n-1] < HardenedKeyStart && parentPub != nil {
				cp, err := parentPub.Derive(idx[n-1])
				check(name+" from the parent xpub", err == nil && cp.String() == c.Xpub, "got %v, %v", cp, err)
			}
			parentPub = pub
		}
	}
	t.Logf("BIP32 vectors 1-4 (testdata): %d passed, %d failed", passed, failed)
	if passed == 0 {
		t.Fatal("BIP32 vectors: none ran")
	}
	if path, ok := vectors.Shared("hd.json"); ok {
		bcoinHDVectors(t, path, net)
	} else {
		t.Log("hd.json (bcoin's extra HD vectors, in ../shared/testdata/vectors or $GG_VECTORS) not found: only BIP32's ran")
	}
}

// TestBIP32InvalidKeys: BIP32's test vector 5, extended keys that must
// be refused (a version that does not match the key, a bad key prefix, a
// master key with a parent or an index, an unknown version, a private key
// out of range, a public key off the curve, a bad checksum).
func TestBIP32InvalidKeys(t *testing.T) {
	var vecs bip32Vectors
	readTestdata(t, "bip32-vectors.json", &vecs)
	if len(vecs.Invalid) == 0 {
		t.Fatal("no invalid keys in testdata")
	}
	for _, v := range vecs.Invalid {
		if k, err := keys.ParseExtendedKey(v.Key); err == nil {
			t.Errorf("%s accepted (%s): %s", v.Key, v.Reason, k)
		}
	}
	t.Logf("BIP32 vector 5 (testdata): %d invalid keys", len(vecs.Invalid))
}

// bcoinHDVectors runs hd.json of the shared folder: BIP32's vectors 1
// and 2 once more, and bcoin's extra HD vectors.
func bcoinHDVectors(t *testing.T, path string, net *btcchaincfg.Params) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	passed, failed := 0, 0
	check := func(name string, ok bool, format string, args ...any) {
		t.Helper()
		if ok {
			passed++
			return
		}
		failed++
		t.Errorf(name+": "+format, args...)
	}

	for _, vname := range []string{"vector1", "vector2"} {
		var vec map[string]json.RawMessage
		if err := json.Unmarshal(raw[vname], &vec); err != nil {
			t.Fatalf("%s: %v", vname, err)
		}
		var seed string
		if err := json.Unmarshal(vec["seed"], &seed); err != nil {
			t.Fatal(err)
		}
		master, err := hdkeychain.NewMaster(mustHex(t, seed), net)
		if err != nil {
			t.Fatal(err)
		}
		for path, rv := range vec {
			if path == "seed" {
				continue
			}
			var want struct{ Pub, Prv string }
			if err := json.Unmarshal(rv, &want); err != nil {
				t.Fatal(err)
			}
			idx, err := ParsePath(path)
			if err != nil {
				t.Fatalf("%s %s: %v", vname, path, err)
			}
			k, err := DerivePath(master, idx)
			if err != nil {
				check(vname+" "+path, false, "derive: %v", err)
				continue
			}
			pub, _ := k.Neuter()
			check(vname+" "+path, k.String() == want.Prv && pub.String() == want.Pub,
				"got %s / %s, want %s / %s", k, pub, want.Prv, want.Pub)
		}
	}

	str := func(k string) string {
		var s string
		if err := json.Unmarshal(raw[k], &s); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		return s
	}
	// bcoin derives this seed with PBKDF2-SHA512 (salt "mnemonic"+"foo",
	// 2048 rounds) from a phrase whose BIP39 checksum is wrong: the raw
	// derivation must match, and the wallet's checking function must
	// refuse the phrase.
	seed, err := pbkdf2.Key(sha512.New, str("phrase"), []byte("mnemonicfoo"), 2048, 64)
	if err != nil {
		t.Fatal(err)
	}
	check("phrase seed (pbkdf2)", hex.EncodeToString(seed) == str("seed"), "got %x", seed)
	_, err = SeedFromMnemonic(str("phrase"), "foo")
	check("phrase rejected (bad checksum)", errors.Is(err, ErrInvalidMnemonic), "got %v", err)
	master, err := hdkeychain.NewMaster(mustHex(t, str("seed")), net)
	if err != nil {
		t.Fatal(err)
	}
	masterPub, _ := master.Neuter()
	check("master", master.String() == str("master_priv") && masterPub.String() == str("master_pub"), "got %s / %s", master, masterPub)
	derive := func(k *hdkeychain.ExtendedKey, i uint32) *hdkeychain.ExtendedKey {
		c, err := k.Derive(i)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	pubOf := func(k *hdkeychain.ExtendedKey) string { p, _ := k.Neuter(); return p.String() }
	child4 := derive(master, 2)
	for _, c := range []struct {
		name     string
		key      *hdkeychain.ExtendedKey
		priv     string // "" for public-only vectors
		pub      string
		fromPriv bool
	}{
		{"child1 m/0", derive(master, 0), "child1_priv", "child1_pub", true},
		{"child2 M/1 (public parent)", derive(masterPub, 1), "", "child2_pub", false},
		{"child3 m/1", derive(master, 1), "child3_priv", "child3_pub", true},
		{"child4 m/2", child4, "child4_priv", "child4_pub", true},
		{"child5 m/2/0", derive(child4, 0), "child5_priv", "child5_pub", true},
		{"child6 m/2/1", derive(child4, 1), "child6_priv", "child6_pub", true},
	} {
		ok := pubOf(c.key) == str(c.pub)
		if c.fromPriv {
			ok = ok && c.key.String() == str(c.priv)
		} else {
			ok = ok && c.key.String() == str(c.pub)
		}
		check(c.name, ok, "got %s", c.key)
	}

	// A private key with leading zero bytes: standard derivation pads it
	// to 32 bytes (the bug DeriveNonStandard keeps would not).
	zk, err := hdkeychain.NewKeyFromString(str("zero_priv"))
	if err != nil {
		t.Fatal(err)
	}
	zpriv, _ := zk.ECPrivKey()
	idx, _ := ParsePath("m/44'/0'/0'/0/0'")
	zc, err := DerivePath(zk, idx)
	if err != nil {
		t.Fatal(err)
	}
	zcpriv, _ := zc.ECPrivKey()
	check("zero_priv", hex.EncodeToString(zpriv.Serialize()) == "00000055378cf5fafb56c711c674143f9b0ee82ab0ba2924f19b64f5ae7cdbfd" &&
		hex.EncodeToString(zcpriv.Serialize()) == "3348069561d2a0fb925e74bf198762acc47dce7db27372257d2d959a9e6f8aeb",
		"got %x -> %x", zpriv.Serialize(), zcpriv.Serialize())

	t.Logf("%s: %d passed, %d failed", path, passed, failed)
	if passed == 0 {
		t.Fatalf("%s: no vectors ran", path)
	}
}

// TestMnemonicVectors runs BIP39's English test vectors (testdata: the
// vectors the BIP points to; entropy, mnemonic, seed and master xprv, the
// passphrase "TREZOR" for all) and, when the shared folder has
// mnemonic-english.json, those too (the same vectors, as Trezor's
// vectors.json lists them): the mnemonic of the entropy, the entropy of
// the mnemonic, the seed and the master key.
func TestMnemonicVectors(t *testing.T) {
	var file struct {
		Passphrase string
		Vectors    []struct{ Entropy, Mnemonic, Seed, Xprv string }
	}
	readTestdata(t, "bip39-english.json", &file)
	var vecs [][]string
	for _, v := range file.Vectors {
		vecs = append(vecs, []string{v.Entropy, v.Mnemonic, file.Passphrase, v.Seed, v.Xprv})
	}
	runMnemonicVectors(t, "testdata/bip39-english.json", vecs)
	path, ok := vectors.Shared("mnemonic-english.json")
	if !ok {
		t.Log("mnemonic-english.json (in ../shared/testdata/vectors or $GG_VECTORS) not found: only testdata's ran")
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var shared [][]string
	if err := json.Unmarshal(b, &shared); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	runMnemonicVectors(t, path, shared)
}

// runMnemonicVectors checks BIP39 vectors [entropy, mnemonic,
// passphrase, seed, xprv] from the file named src.
func runMnemonicVectors(t *testing.T, src string, vecs [][]string) {
	t.Helper()
	net := HDParams(chaincfg.MainNetParams)
	passed, failed := 0, 0
	for i, v := range vecs {
		if len(v) != 5 {
			t.Fatalf("%s: vector %d: %d fields, want 5", src, i, len(v))
		}
		entropy, mnemonic, pass, seedHex, xprv := mustHex(t, v[0]), v[1], v[2], v[3], v[4]
		var problems []string
		if m, err := mnemonicFromEntropy(entropy); err != nil || m != mnemonic {
			problems = append(problems, "mnemonic from entropy: "+m)
		}
		if ValidateMnemonic(mnemonic) != nil {
			problems = append(problems, "mnemonic rejected")
		}
		if e, err := entropyFromMnemonic(strings.Fields(mnemonic)); err != nil || !bytes.Equal(e, entropy) {
			problems = append(problems, "entropy from mnemonic")
		}
		seed, err := SeedFromMnemonic(mnemonic, pass)
		if err != nil || hex.EncodeToString(seed) != seedHex {
			problems = append(problems, "seed")
		}
		if m, err := hdkeychain.NewMaster(mustHex(t, seedHex), net); err != nil || m.String() != xprv {
			problems = append(problems, "master key")
		}
		if len(problems) > 0 {
			failed++
			t.Errorf("%s: vector %d (%s): %v", src, i, v[0], problems)
			continue
		}
		passed++
	}
	t.Logf("BIP39 English vectors (%s): %d passed, %d failed", src, passed, failed)
	if passed == 0 {
		t.Fatalf("%s: no BIP39 vectors ran", src)
	}
}
