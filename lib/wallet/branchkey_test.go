package wallet

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/gamegold/gg/lib/chaincfg"
)

// TestBranchSecretMatchesHDKeychain derives children of account branch
// keys with branchSecret and with hdkeychain and compares the private
// keys, over several seeds, both branches and indexes up to 300.
func TestBranchSecretMatchesHDKeychain(t *testing.T) {
	for s := range byte(3) {
		master, err := NewMaster(bytes.Repeat([]byte{s + 1}, 32), chaincfg.RegTestParams)
		if err != nil {
			t.Fatal(err)
		}
		acct, err := DerivePath(master, []uint32{HardenedKeyStart + 44, HardenedKeyStart + 1, HardenedKeyStart + uint32(s)})
		if err != nil {
			t.Fatal(err)
		}
		for branch := range uint32(2) {
			bk, err := acct.Derive(branch)
			if err != nil {
				t.Fatal(err)
			}
			bs, err := newBranchSecret(bk)
			if err != nil {
				t.Fatal(err)
			}
			for i := range uint32(300) {
				want, werr := bk.Derive(i)
				got, gerr := bs.child(i)
				if werr != nil || gerr != nil {
					if !errors.Is(werr, hdkeychain.ErrInvalidChild) || !errors.Is(gerr, hdkeychain.ErrInvalidChild) {
						t.Fatalf("seed %d branch %d child %d: errors %v / %v", s, branch, i, werr, gerr)
					}
					continue
				}
				wp, err := want.ECPrivKey()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Serialize(), wp.Serialize()) {
					t.Fatalf("seed %d branch %d child %d: %x, hdkeychain %x", s, branch, i, got.Serialize(), wp.Serialize())
				}
			}
			if _, err := bs.child(HardenedKeyStart); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("hardened child: %v", err)
			}
			bs.zero()
			if !bs.key.IsZero() || bs.chain != [32]byte{} || bs.pub != [33]byte{} {
				t.Error("zero left key material")
			}
		}
	}
	// A public key cannot be a branch secret.
	master, _ := NewMaster(bytes.Repeat([]byte{9}, 32), chaincfg.RegTestParams)
	pub, _ := master.Neuter()
	if _, err := newBranchSecret(pub); err == nil {
		t.Error("a public extended key made a branch secret")
	}
}
