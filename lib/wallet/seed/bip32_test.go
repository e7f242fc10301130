package seed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcchaincfg "github.com/btcsuite/btcd/chaincfg"

	"github.com/gamegold/gg/lib/chaincfg"
)

// TestBIP32Vector1: the master key and m/0'/1 of BIP32's first test
// vector.
func TestBIP32Vector1(t *testing.T) {
	s, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	m, err := MasterKey(s)
	if err != nil {
		t.Fatal(err)
	}
	if k := m.key.Bytes(); hex.EncodeToString(k[:]) != "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35" ||
		hex.EncodeToString(m.chain[:]) != "873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508" {
		t.Errorf("master %x %x", k, m.chain)
	}
}

// TestBIP32MatchesHDKeychain: for many seeds and paths (hardened and
// not) the keys are btcutil/hdkeychain's, which lib/wallet derives with.
func TestBIP32MatchesHDKeychain(t *testing.T) {
	hp := chaincfg.RegTestParams
	for i := range 40 {
		sum := sha256.Sum256([]byte{byte(i)})
		s := append(sum[:], sum[:16]...)
		ours, err := MasterKey(s)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := hdkeychain.NewMaster(s, &testNet)
		if err != nil {
			t.Fatal(err)
		}
		path := append(AccountPath(hp, uint32(i%3)), uint32(i%2), uint32(i*7))
		a, err := ours.Path(path)
		if err != nil {
			t.Fatal(err)
		}
		b := theirs
		for _, x := range path {
			if b, err = b.Derive(x); err != nil {
				t.Fatal(err)
			}
		}
		pub, _ := b.ECPubKey()
		if !bytes.Equal(a.PubKey(), pub.SerializeCompressed()) || !bytes.Equal(a.chain[:], b.ChainCode()) {
			t.Fatalf("seed %d path %v: %x, hdkeychain %x", i, path, a.PubKey(), pub.SerializeCompressed())
		}
	}
	if _, err := MasterKey(make([]byte, 15)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("short seed: %v", err)
	}
}

// testNet is any btcd network: hdkeychain reads only its version bytes,
// which do not change the keys.
var testNet = btcchaincfg.MainNetParams
