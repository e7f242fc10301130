package script

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// TestOwnSigValidMatchesVerify compares the private-key check with an
// ordinary ECDSA verification on valid signatures and on every kind of
// damage: another message, another key, a signature of another message,
// altered r or s, the high-S twin, random scalars, a public key in
// another form. Both must always agree, except that the private-key
// check may say false where it cannot decide (a hybrid key).
func TestOwnSigValidMatchesVerify(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 100
	}
	seed := sha256.Sum256([]byte("ownsig"))
	next := func() []byte {
		seed = sha256.Sum256(seed[:])
		return bytes.Clone(seed[:])
	}
	check := func(what string, key *btcec.PrivateKey, pub []byte, hash []byte, sig *ecdsa.Signature) bool {
		t.Helper()
		pk, err := btcec.ParsePubKey(pub)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want := sig.Verify(hash, pk)
		if got := ownSigValid(key, pub, hash, sig); got != want {
			t.Fatalf("%s: ownSigValid = %v, Verify = %v", what, got, want)
		}
		return want
	}
	for i := range n {
		key, _ := btcec.PrivKeyFromBytes(next())
		other, _ := btcec.PrivKeyFromBytes(next())
		hash := next()
		sig := ecdsa.Sign(key, hash)
		pub := key.PubKey().SerializeCompressed()
		if !check("valid", key, pub, hash, sig) {
			t.Fatalf("%d: a fresh signature does not verify", i)
		}
		if !check("uncompressed", key, key.PubKey().SerializeUncompressed(), hash, sig) {
			t.Fatalf("%d: uncompressed key", i)
		}
		r, s := sig.R(), sig.S()
		var hs btcec.ModNScalar
		hs.NegateVal(&s)
		if !check("high-S twin", key, pub, hash, ecdsa.NewSignature(&r, &hs)) {
			t.Fatalf("%d: the high-S twin does not verify", i)
		}

		bad := bytes.Clone(hash)
		bad[i%32] ^= 1 << (i % 8)
		if check("other message", key, pub, bad, sig) {
			t.Fatalf("%d: verified for another message", i)
		}
		if check("other key", other, other.PubKey().SerializeCompressed(), hash, sig) {
			t.Fatalf("%d: verified under another key", i)
		}
		if check("signature of another message", key, pub, hash, ecdsa.Sign(key, bad)) {
			t.Fatalf("%d: another message's signature verified", i)
		}
		var one btcec.ModNScalar
		one.SetInt(1)
		r2, s2 := r, s
		r2.Add(&one)
		s2.Add(&one)
		if check("r+1", key, pub, hash, ecdsa.NewSignature(&r2, &s)) || check("s+1", key, pub, hash, ecdsa.NewSignature(&r, &s2)) {
			t.Fatalf("%d: an altered signature verified", i)
		}
		var rr, rs btcec.ModNScalar
		rr.SetByteSlice(next())
		rs.SetByteSlice(next())
		if check("random", key, pub, hash, ecdsa.NewSignature(&rr, &rs)) {
			t.Fatalf("%d: random scalars verified", i)
		}
		// The private key must be the public key's: a valid signature
		// with a key that is not pub's is refused.
		if ownSigValid(other, pub, hash, sig) {
			t.Fatalf("%d: accepted with a private key that is not the public key's", i)
		}
		// A hybrid key (0x06/0x07 prefix) is not decided here.
		hyb := key.PubKey().SerializeUncompressed()
		hyb[0] = 0x06 | hyb[64]&1
		if ownSigValid(key, hyb, hash, sig) {
			t.Fatalf("%d: decided a hybrid key", i)
		}
	}
	// Degenerate inputs.
	key, _ := btcec.PrivKeyFromBytes(next())
	hash := next()
	sig := ecdsa.Sign(key, hash)
	pub := key.PubKey().SerializeCompressed()
	var zero btcec.ModNScalar
	r, s := sig.R(), sig.S()
	for name, c := range map[string]func() bool{
		"nil key":   func() bool { return ownSigValid(nil, pub, hash, sig) },
		"nil sig":   func() bool { return ownSigValid(key, pub, hash, nil) },
		"short msg": func() bool { return ownSigValid(key, pub, hash[:31], sig) },
		"zero r":    func() bool { return ownSigValid(key, pub, hash, ecdsa.NewSignature(&zero, &s)) },
		"zero s":    func() bool { return ownSigValid(key, pub, hash, ecdsa.NewSignature(&r, &zero)) },
		"empty pub": func() bool { return ownSigValid(key, nil, hash, sig) },
		"zero key":  func() bool { return ownSigValid(&btcec.PrivateKey{}, pub, hash, sig) },
	} {
		if c() {
			t.Errorf("%s: true", name)
		}
	}
}

// mismatchedKeys is a KeyPairDB that hands out a private key with a
// public key that is not its own.
type mismatchedKeys struct {
	key *btcec.PrivateKey
	pub []byte
}

func (m mismatchedKeys) GetKey([]byte) (*btcec.PrivateKey, bool, bool) { return m.key, true, true }
func (m mismatchedKeys) GetKeyPair(h []byte) (*btcec.PrivateKey, []byte, bool) {
	return m.key, m.pub, bytes.Equal(Hash160(m.pub), h)
}

// TestSignInputCacheOwnCheck: signing through a cache caches exactly the
// signatures it made (the closing verification then finds them), and
// nothing when the key handed out is not the public key's.
func TestSignInputCacheOwnCheck(t *testing.T) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	tx := spendTx(2)
	pkScript := PayToWitnessPubKeyHash(Hash160(pk))
	c := NewSigCache(100)
	for i := range 2 {
		if ok, err := SignInputCache(tx, i, pkScript, 1000+int64(i), SigHashAll, k, nil, nil, c); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if c.Len() != 2 {
		t.Fatalf("cache holds %d entries, want 2", c.Len())
	}
	// The cached entries are the ones an ordinary verification makes.
	fresh := NewSigCache(100)
	for i := range 2 {
		if err := VerifyInput(tx, i, pkScript, 1000+int64(i), StandardFlags, fresh, nil); err != nil {
			t.Fatal(err)
		}
	}
	var keys [][32]byte
	for e := range fresh.entries {
		keys = append(keys, e)
	}
	for _, e := range keys {
		if !c.contains(&e) {
			t.Error("an entry of the ordinary verification is missing")
		}
	}

	// A key that is not the address's: no signature is cached, and the
	// input does not verify.
	wrong, _ := k.key(2, true)
	c2 := NewSigCache(100)
	tx2 := spendTx(1)
	ok, err := SignInputCache(tx2, 0, pkScript, 1000, SigHashAll, mismatchedKeys{wrong, pk}, nil, nil, c2)
	if err != nil || ok {
		t.Fatalf("mismatched key: complete %v, err %v", ok, err)
	}
	if c2.Len() != 0 {
		t.Fatalf("mismatched key: %d entries cached", c2.Len())
	}
}

// FuzzOwnSigValid: for any key, message, signature scalars and public
// key form, the private-key check never accepts what an ECDSA
// verification rejects, and accepts every signature the key makes.
func FuzzOwnSigValid(f *testing.F) {
	f.Add([]byte{1}, []byte("message"), []byte{2}, []byte{3}, uint8(0), true)
	f.Add(bytes.Repeat([]byte{0xff}, 32), bytes.Repeat([]byte{0xee}, 32), []byte{}, []byte{}, uint8(1), false)
	f.Add([]byte{1}, []byte("m"), []byte{}, []byte{}, uint8(2), true)
	f.Fuzz(func(t *testing.T, keyb, msg, rb, sb []byte, form uint8, own bool) {
		if len(keyb) > 32 || len(rb) > 32 || len(sb) > 32 {
			return
		}
		key, pubKey := btcec.PrivKeyFromBytes(keyb)
		if key.Key.IsZero() {
			return
		}
		if form&2 != 0 {
			// A public key that is not the private key's: refused, even
			// for a signature valid under it.
			other, otherPub := btcec.PrivKeyFromBytes(append(bytes.Clone(keyb), 1))
			if other.Key.IsZero() || otherPub.IsEqual(pubKey) {
				return
			}
			hash := sha256.Sum256(msg)
			sig := ecdsa.Sign(other, hash[:])
			if ownSigValid(key, otherPub.SerializeCompressed(), hash[:], sig) {
				t.Fatal("accepted a public key that is not the private key's")
			}
			return
		}
		hash := sha256.Sum256(msg)
		var sig *ecdsa.Signature
		if own {
			sig = ecdsa.Sign(key, hash[:])
		} else {
			var r, s btcec.ModNScalar
			r.SetByteSlice(rb)
			s.SetByteSlice(sb)
			sig = ecdsa.NewSignature(&r, &s)
		}
		pub := pubKey.SerializeCompressed()
		if form%2 == 1 {
			pub = pubKey.SerializeUncompressed()
		}
		want := sig.Verify(hash[:], pubKey)
		got := ownSigValid(key, pub, hash[:], sig)
		if got != want {
			t.Fatalf("ownSigValid = %v, Verify = %v", got, want)
		}
		if own && !got {
			t.Fatal("a fresh signature was refused")
		}
	})
}
