package seed

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcchaincfg "github.com/btcsuite/btcd/chaincfg"

	"github.com/gamegold/gg/lib/chaincfg"
)

// TestExtPubKeyVector1: BIP32's first test vector, public side: m/0H
// parses, serializes back, and its child 1 is the vector's m/0H/1.
func TestExtPubKeyVector1(t *testing.T) {
	const m0h = "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw"
	const m0h1 = "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ"
	k, err := ParseExtPubKey(m0h, chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if k.String() != m0h || k.Depth() != 1 {
		t.Errorf("round trip %s depth %d", k, k.Depth())
	}
	c, err := k.Child(1)
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != m0h1 {
		t.Errorf("m/0H/1: %s, want %s", c, m0h1)
	}
}

// TestExtPubKeyMatchesPrivate: an account's xpub (made by hdkeychain,
// as lib/wallet exports it) parses, and its children 0/i and 1/i have
// the public keys of this package's private derivation and
// hdkeychain's, and serialize as hdkeychain's.
func TestExtPubKeyMatchesPrivate(t *testing.T) {
	p := chaincfg.RegTestParams
	net := btcchaincfg.RegressionNetParams
	net.HDPublicKeyID, net.HDPrivateKeyID = p.HDPublicKeyID, p.HDPrivateKeyID
	for i := range 12 {
		sum := sha256.Sum256([]byte{byte(i), 7})
		s := sum[:]
		theirs, err := hdkeychain.NewMaster(s, &net)
		if err != nil {
			t.Fatal(err)
		}
		path := AccountPath(p, uint32(i%3))
		for _, x := range path {
			if theirs, err = theirs.Derive(x); err != nil {
				t.Fatal(err)
			}
		}
		theirPub, err := theirs.Neuter()
		if err != nil {
			t.Fatal(err)
		}
		xpub, err := ParseExtPubKey(theirPub.String(), p)
		if err != nil {
			t.Fatal(err)
		}
		if xpub.String() != theirPub.String() || xpub.Depth() != 3 {
			t.Fatalf("round trip %s, want %s", xpub, theirPub)
		}
		master, _ := MasterKey(s)
		acct, err := master.Path(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, branch := range []uint32{0, 1} {
			idx := uint32(i * 5)
			ours, err := xpub.Child(branch)
			if err == nil {
				ours, err = ours.Child(idx)
			}
			if err != nil {
				t.Fatal(err)
			}
			priv, _ := acct.Path([]uint32{branch, idx})
			hk, _ := theirPub.Derive(branch)
			hk, _ = hk.Derive(idx)
			if !bytes.Equal(ours.PubKey(), priv.PubKey()) || ours.String() != hk.String() {
				t.Fatalf("seed %d %d/%d: %x (%s), private %x, hdkeychain %s", i, branch, idx, ours.PubKey(), ours, priv.PubKey(), hk)
			}
		}
	}
}

// TestParseExtPubKeyErrors: a private key, another network's key, a bad
// checksum, text too long or not base58 are refused, as is a hardened
// child of a public key.
func TestParseExtPubKeyErrors(t *testing.T) {
	const xpub = "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw"
	const xprv = "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7"
	flipped := xpub[:len(xpub)-1] + "x" // it ends in "w"
	for name, s := range map[string]string{
		"private":       xprv,
		"bad checksum":  flipped,
		"too long":      xpub + "1",
		"not base58":    "xpub0OIl",
		"empty":         "",
		"markup":        "<script>alert(1)</script>",
		"short":         xpub[:60],
		"other network": xpub, // on regtest below
	} {
		p := chaincfg.MainNetParams
		if name == "other network" {
			p = chaincfg.RegTestParams
		}
		if _, err := ParseExtPubKey(s, p); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		} else if name == "private" && !strings.Contains(err.Error(), "private") {
			t.Errorf("private: %v", err)
		}
	}
	k, err := ParseExtPubKey(xpub, chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Child(HardenedKeyStart); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("hardened child: %v", err)
	}
}
