package script

import (
	"crypto/sha256"
	"encoding/binary"
	"math/big"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// TestEndomorphismConstants checks λ, β and the lattice basis the
// scalar splitting uses: λ³ ≡ 1 (mod n), β³ ≡ 1 (mod p), λ·G = (β·Gx,
// Gy), and a + b·λ ≡ 0 (mod n) for both basis vectors.
func TestEndomorphismConstants(t *testing.T) {
	curve := btcec.S256()
	n, p := curve.N, curve.P
	lambda, beta := hexInt(endoLambdaHex), hexInt(endoBetaHex)
	one := big.NewInt(1)
	if new(big.Int).Exp(lambda, big.NewInt(3), n).Cmp(one) != 0 || lambda.Cmp(one) == 0 {
		t.Fatal("λ is not a non-trivial cube root of 1 mod n")
	}
	if new(big.Int).Exp(beta, big.NewInt(3), p).Cmp(one) != 0 || beta.Cmp(one) == 0 {
		t.Fatal("β is not a non-trivial cube root of 1 mod p")
	}
	x, y := curve.ScalarBaseMult(lambda.Bytes())
	if x.Cmp(new(big.Int).Mod(new(big.Int).Mul(beta, curve.Gx), p)) != 0 || y.Cmp(curve.Gy) != 0 {
		t.Fatal("λ·G is not (β·Gx, Gy)")
	}
	for _, v := range [][2]string{{endoA1Hex, endoB1Hex}, {endoA2Hex, endoB2Hex}} {
		a, b := hexInt(v[0]), hexInt(v[1])
		s := new(big.Int).Mul(b, lambda)
		s.Add(s, a).Mod(s, n)
		if s.Sign() != 0 {
			t.Fatalf("(%s, %s) is not in the lattice", v[0], v[1])
		}
	}
}

// scalarOf returns v mod n as a scalar.
func scalarOf(v *big.Int) btcec.ModNScalar {
	var s btcec.ModNScalar
	setModN(&s, v)
	return s
}

// TestSplitScalar checks k ≡ k1 + k2·λ (mod n) and that k1, k2 are short
// (below 2^129), for edge and pseudo-random scalars; and that the NAF
// digits give k1 and k2 back, odd and spaced as width-5 NAF requires.
func TestSplitScalar(t *testing.T) {
	endo.once.Do(initEndo)
	n := btcec.S256().N
	lambda := hexInt(endoLambdaHex)
	ks := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(15), big.NewInt(16), big.NewInt(17),
		new(big.Int).Sub(n, big.NewInt(1)), new(big.Int).Rsh(n, 1), new(big.Int).Add(new(big.Int).Rsh(n, 1), big.NewInt(1)),
		lambda, new(big.Int).Sub(n, lambda), new(big.Int).Lsh(big.NewInt(1), 255), new(big.Int).Lsh(big.NewInt(1), 128)}
	for i := range 2000 {
		h := sha256.Sum256(binary.BigEndian.AppendUint32(nil, uint32(i)))
		ks = append(ks, new(big.Int).SetBytes(h[:]))
	}
	limit := new(big.Int).Lsh(big.NewInt(1), 129)
	for _, kv := range ks {
		k := scalarOf(kv)
		k1, k2, neg1, neg2 := splitScalar(&k)
		v1, v2 := modNBig(&k1), modNBig(&k2)
		if v1.Cmp(limit) >= 0 || v2.Cmp(limit) >= 0 {
			t.Errorf("k=%x: k1=%x k2=%x not short", kv, v1, v2)
		}
		for _, c := range []struct {
			s   *btcec.ModNScalar
			v   *big.Int
			neg bool
		}{{&k1, v1, neg1}, {&k2, v2, neg2}} {
			var d [maxNAF]int8
			m := recodeNAF(c.s, &d)
			sum, last := new(big.Int), -100
			for j := m - 1; j >= 0; j-- {
				sum.Lsh(sum, 1).Add(sum, big.NewInt(int64(d[j])))
			}
			for j := range m {
				if d[j] == 0 {
					continue
				}
				if d[j]%2 == 0 || d[j] > 15 || d[j] < -15 || j-last < multWindow {
					t.Fatalf("k=%x: digit %d at %d after %d", kv, d[j], j, last)
				}
				last = j
			}
			if m > 0 && d[m-1] == 0 {
				t.Fatalf("k=%x: top digit zero", kv)
			}
			if sum.Cmp(c.v) != 0 {
				t.Fatalf("k=%x: NAF sums to %x, want %x", kv, sum, c.v)
			}
			if c.neg {
				c.v.Neg(c.v)
			}
		}
		got := new(big.Int).Mul(v2, lambda)
		got.Add(got, v1).Mod(got, n)
		if got.Cmp(kv.Mod(kv, n)) != 0 {
			t.Fatalf("k=%x: k1 + k2·λ = %x", kv, got)
		}
	}
}

func modNBig(s *btcec.ModNScalar) *big.Int {
	b := s.Bytes()
	return new(big.Int).SetBytes(b[:])
}

// multiplesCase verifies rs over hash with key by btcec, with the key's
// affine multiples m and with its Jacobian ones (verifyFresh), and fails
// on any difference.
func multiplesCase(t testing.TB, key *btcec.PublicKey, m *keyMultiples, rs *[64]byte, hash *[32]byte) bool {
	t.Helper()
	want := goVerifyParsed(key, rs, hash)
	if got := m.verify(rs, hash); got != want {
		t.Fatalf("key %x sig %x hash %x: multiples say %v, btcec %v", key.SerializeCompressed(), rs[:], hash[:], got, want)
	}
	if got := verifyFresh(key, rs, hash); got != want {
		t.Fatalf("key %x sig %x hash %x: Jacobian multiples say %v, btcec %v", key.SerializeCompressed(), rs[:], hash[:], got, want)
	}
	return want
}

// TestKeyMultiplesAgree holds the verification with a key's odd
// multiples to btcec's verdict: valid signatures (low and high S),
// signatures over another hash, by another key, with R or S changed, and
// R, S at the edges of the group order.
func TestKeyMultiplesAgree(t *testing.T) {
	n := btcec.S256().N
	valid := 0
	for i := range 150 {
		seed := sha256.Sum256([]byte{byte(i), byte(i >> 8), 'k'})
		priv, _ := btcec.PrivKeyFromBytes(seed[:])
		key := priv.PubKey()
		m := newKeyMultiples(key)
		hash := sha256.Sum256(seed[:])
		if i%10 == 0 {
			hash = [32]byte{} // e = 0: u1·G is the point at infinity
		}
		sig := ecdsa.Sign(priv, hash[:])
		var rs [64]byte
		r, s := sig.R(), sig.S()
		r.PutBytesUnchecked(rs[:32])
		s.PutBytesUnchecked(rs[32:])
		if multiplesCase(t, key, m, &rs, &hash) {
			valid++
		}
		// High S verifies too.
		hs := rs
		s.Negate()
		s.PutBytesUnchecked(hs[32:])
		if multiplesCase(t, key, m, &hs, &hash) {
			valid++
		}
		// Another hash, R or S off by one bit.
		other := hash
		other[i%32] ^= 1 << (i % 8)
		multiplesCase(t, key, m, &rs, &other)
		bad := rs
		bad[i%64] ^= 1 << (i % 8)
		multiplesCase(t, key, m, &bad, &hash)
		// Edge scalars.
		for _, rv := range []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(n, big.NewInt(1)), n} {
			e := rs
			rv.FillBytes(e[:32])
			multiplesCase(t, key, m, &e, &hash)
			e = rs
			rv.FillBytes(e[32:])
			multiplesCase(t, key, m, &e, &hash)
		}
		// Another key's table.
		if i > 0 {
			prev := sha256.Sum256([]byte{byte(i - 1), byte((i - 1) >> 8), 'k'})
			p2, _ := btcec.PrivKeyFromBytes(prev[:])
			multiplesCase(t, p2.PubKey(), newKeyMultiples(p2.PubKey()), &rs, &hash)
		}
	}
	if valid != 300 {
		t.Fatalf("%d valid signatures, want 300", valid)
	}
}

// TestKeyMultiplesGenerator covers the key G itself and −G: the table's
// additions meet u1·G's point, equal or opposite, when u2 = ±u1.
func TestKeyMultiplesGenerator(t *testing.T) {
	one := [32]byte{31: 1}
	g, _ := btcec.PrivKeyFromBytes(one[:])
	for _, neg := range []bool{false, true} {
		key := g.PubKey()
		if neg {
			x, y := key.X(), key.Y()
			var fx, fy btcec.FieldVal
			fx.SetByteSlice(x.Bytes())
			fy.SetByteSlice(y.Bytes())
			fy.Negate(1).Normalize()
			key = btcec.NewPublicKey(&fx, &fy)
		}
		m := newKeyMultiples(key)
		for i := range 40 {
			// hash = r makes u1 = u2.
			var rs [64]byte
			rs[31] = byte(i + 1)
			rs[63] = byte(i%7 + 1)
			var hash [32]byte
			copy(hash[:], rs[:32])
			multiplesCase(t, key, m, &rs, &hash)
			hash[31] ^= 0xff
			multiplesCase(t, key, m, &rs, &hash)
		}
	}
}

// TestXMatches checks the comparison of R's x with r without inversion,
// including the branch for x ≥ n (x = r + n), at Z = 1 and Z = 2.
func TestXMatches(t *testing.T) {
	endo.once.Do(initEndo)
	curve := btcec.S256()
	n, p := curve.N, curve.P
	cases := []struct {
		x, r *big.Int
		want bool
	}{
		{big.NewInt(5), big.NewInt(5), true},
		{big.NewInt(5), big.NewInt(6), false},
		{new(big.Int).Add(n, big.NewInt(5)), big.NewInt(5), true},  // x ≥ n, r = x − n
		{new(big.Int).Add(n, big.NewInt(5)), big.NewInt(6), false}, // off by one
		{new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(new(big.Int).Sub(p, n), big.NewInt(1)), true},
		{big.NewInt(5), new(big.Int).Sub(p, n), false}, // r + n would be p: never matches
	}
	for i, c := range cases {
		for _, z := range []int64{1, 2} {
			var pt btcec.JacobianPoint
			zz := big.NewInt(z)
			x := new(big.Int).Mul(c.x, new(big.Int).Mul(zz, zz))
			x.Mod(x, p)
			pt.X.SetByteSlice(x.Bytes())
			pt.X.Normalize()
			pt.Y.SetInt(1)
			pt.Z.SetInt(uint16(z))
			r := scalarOf(c.r)
			if got := xMatches(&pt, &r); got != c.want {
				t.Errorf("case %d z=%d: got %v", i, z, got)
			}
		}
	}
	var inf btcec.JacobianPoint
	zero := scalarOf(big.NewInt(0))
	if xMatches(&inf, &zero) {
		t.Error("the point at infinity matched")
	}
}

// TestBatchKeyReuse runs a batch whose inputs share a key (the second
// check on uses the key's multiples) with one bad signature among them:
// the bad input and only it is reported.
func TestBatchKeyReuse(t *testing.T) {
	const n = 12
	k := newTestKeys()
	_, pk := k.key(1, true)
	pkScript := PayToWitnessPubKeyHash(Hash160(pk))
	tx := spendTx(n)
	hashes := NewSigHashes(tx)
	for i := range n {
		if ok, err := SignInput(tx, i, pkScript, 1000, SigHashAll, k, nil, hashes); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	for bad := -1; bad < n; bad += 5 {
		tx := tx.Copy()
		if bad >= 0 {
			tx.TxIn[bad].Witness[0][10] ^= 1
		}
		hashes := NewSigHashes(tx)
		b := NewBatch(nil)
		for round := range 2 { // the second round finds the key's multiples built
			for i := range n {
				if err := b.Add(tx, i, pkScript, 1000, StandardFlags, hashes); err != nil {
					t.Fatalf("add %d: %v", i, err)
				}
			}
			_, idx, err := b.Flush()
			if bad < 0 && err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if bad >= 0 && (err == nil || idx != bad) {
				t.Fatalf("round %d: input %d bad, got %d %v", round, bad, idx, err)
			}
		}
		if Backend == "btcec" && b.keys.goMult[0] == nil {
			t.Fatal("the key's multiples were not built")
		}
	}
}

// FuzzKeyMultiplesAgree: for any key seed, R, S and hash the verdict with
// the key's multiples is btcec's; every tenth input is a valid signature.
func FuzzKeyMultiplesAgree(f *testing.F) {
	f.Add([]byte("seed"), make([]byte, 64), make([]byte, 32), false)
	f.Add([]byte("seed2"), []byte{1}, []byte{2}, true)
	f.Fuzz(func(t *testing.T, seed, rsIn, hashIn []byte, sign bool) {
		sk := sha256.Sum256(seed)
		priv, _ := btcec.PrivKeyFromBytes(sk[:])
		key := priv.PubKey()
		var rs [64]byte
		var hash [32]byte
		copy(rs[:], rsIn)
		copy(hash[:], hashIn)
		if sign {
			sig := ecdsa.Sign(priv, hash[:])
			r, s := sig.R(), sig.S()
			r.PutBytesUnchecked(rs[:32])
			s.PutBytesUnchecked(rs[32:])
		}
		multiplesCase(t, key, newKeyMultiples(key), &rs, &hash)
	})
}

// BenchmarkVerifyKeyMultiples compares one verification by btcec with
// a parsed key (btcec) against one with the key's affine odd multiples
// (multiples), the cost of building those (table), and a verification
// with Jacobian multiples built for it (jacobian: a key's first check).
func BenchmarkVerifyKeyMultiples(b *testing.B) {
	seed := sha256.Sum256([]byte("bench"))
	priv, _ := btcec.PrivKeyFromBytes(seed[:])
	key := priv.PubKey()
	hash := sha256.Sum256(seed[:])
	sig := ecdsa.Sign(priv, hash[:])
	var rs [64]byte
	r, s := sig.R(), sig.S()
	r.PutBytesUnchecked(rs[:32])
	s.PutBytesUnchecked(rs[32:])
	m := newKeyMultiples(key)
	run := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU(b)
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
	run("btcec", func() {
		if !goVerifyParsed(key, &rs, &hash) {
			b.Fatal("invalid")
		}
	})
	run("multiples", func() {
		if !m.verify(&rs, &hash) {
			b.Fatal("invalid")
		}
	})
	run("table", func() { newKeyMultiples(key) })
	run("jacobian", func() {
		if !verifyFresh(key, &rs, &hash) {
			b.Fatal("invalid")
		}
	})
}

// processCPU is the process's user plus system CPU time: on a shared
// machine steadier than wall time.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// goVerifyParsed is btcec's own verification: the reference the tests
// hold verifyFresh and keyMultiples to.
func goVerifyParsed(key goKey, rs *[64]byte, hash *[32]byte) bool {
	var r, s btcec.ModNScalar
	r.SetByteSlice(rs[:32])
	s.SetByteSlice(rs[32:])
	return ecdsa.NewSignature(&r, &s).Verify(hash[:], key)
}
