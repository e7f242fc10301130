package script

import (
	"encoding/binary"
	"math/big"
	"math/bits"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
)

// Verification against a public key that signs again and again (a game
// server, an exchange, a consolidation) with the key's odd multiples
// precomputed. btcec computes u2·Q as k1·Q + k2·λQ (secp256k1's
// endomorphism, k1 and k2 of about 128 bits each) with one point addition
// per non-zero digit of the two scalars' NAF, about 86 additions. Here the
// digits are width-5 NAF (odd digits up to ±15, about one in six
// non-zero) against tables of Q, 3Q, ..., 15Q and their images under the
// endomorphism, kept in affine coordinates so that every addition is
// btcec's cheaper mixed one: about 43 additions, the ~130 doublings
// unchanged. A table costs about fifteen additions and one field inversion
// to build, so a key gets one when it is verified against for the second
// time (goVerifyChecks); u1·G is btcec's, and the point arithmetic is all
// btcec's (AddNonConst, DoubleNonConst), which handles the equal, opposite
// and infinite points: what is here is the scalar recoding and the
// tables. The splitting of u2 is correct by construction (k1 is computed
// as u2 − λ·k2 mod n); its rounding decides only how short k1 and k2 are.
// TestKeyMultiplesAgree and FuzzKeyMultiplesAgree hold it to btcec's
// verdicts.

// multWindow is the NAF width: digits are odd, |d| < 2^(multWindow-1).
const multWindow = 5

// multTable is the number of odd multiples per table: Q, 3Q, ..., 15Q.
const multTable = 1 << (multWindow - 2)

// maxNAF bounds a recoded scalar's length: a 256-bit value can grow by a
// carry of the last digit.
const maxNAF = 258

// keyMultiples holds a public key's odd multiples and their images
// under the endomorphism (βx, y), normalized: affine (Z = 1) when kept
// for a key that signs again (newKeyMultiples), Jacobian for one use
// (newJacobianMultiples).
type keyMultiples struct {
	p, phi [multTable]btcec.JacobianPoint
}

// The endomorphism's constants: λ (a cube root of 1 mod n) and β (a
// cube root of 1 mod p) with λ·(x, y) = (β·x, y), and a short basis of
// the lattice {(a, b) : a + b·λ ≡ 0 mod n} used to split scalars
// (GECC, section 3.5). TestEndomorphismConstants checks them.
var endo struct {
	once         sync.Once
	lambda       btcec.ModNScalar
	beta         btcec.FieldVal
	negB1, negB2 btcec.ModNScalar // −b1, −b2 mod n
	g1, g2       [4]uint64        // round(2^384·b2/n), round(2^384·(−b1)/n)
	n            btcec.FieldVal   // the group order as a field value
}

const (
	endoLambdaHex = "5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72"
	endoBetaHex   = "7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501ee"
	endoA1Hex     = "3086d221a7d46bcde86c90e49284eb15"
	endoB1Hex     = "-e4437ed6010e88286f547fa90abfe4c3"
	endoA2Hex     = "114ca50f7a8e2f3f657c1108d9d44cfd8"
	endoB2Hex     = endoA1Hex
)

func hexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("script: bad constant " + s)
	}
	return v
}

// setModN sets s to v mod n.
func setModN(s *btcec.ModNScalar, v *big.Int) {
	w := new(big.Int).Mod(v, btcec.S256().N)
	var b [32]byte
	w.FillBytes(b[:])
	s.SetBytes(&b)
}

func initEndo() {
	n := btcec.S256().N
	setModN(&endo.lambda, hexInt(endoLambdaHex))
	var b [32]byte
	hexInt(endoBetaHex).FillBytes(b[:])
	endo.beta.SetBytes(&b)
	b1, b2 := hexInt(endoB1Hex), hexInt(endoB2Hex)
	setModN(&endo.negB1, new(big.Int).Neg(b1))
	setModN(&endo.negB2, new(big.Int).Neg(b2))
	endo.g1 = roundShifted(b2, n)
	endo.g2 = roundShifted(new(big.Int).Neg(b1), n)
	n.FillBytes(b[:])
	endo.n.SetBytes(&b)
}

// roundShifted returns round(2^384·v/n) as little-endian limbs.
func roundShifted(v, n *big.Int) [4]uint64 {
	q := new(big.Int).Lsh(v, 384)
	q.Add(q, new(big.Int).Rsh(n, 1))
	q.Quo(q, n)
	var b [32]byte
	q.FillBytes(b[:])
	return limbs(&b)
}

// limbs converts a big-endian 256-bit value to little-endian limbs.
func limbs(b *[32]byte) [4]uint64 {
	var l [4]uint64
	for i := range l {
		l[i] = binary.BigEndian.Uint64(b[24-8*i:])
	}
	return l
}

// mulShift384 returns round(k·g / 2^384) (below 2^129 for the callers'
// operands), as a scalar.
func mulShift384(k, g *[4]uint64, out *btcec.ModNScalar) {
	var t [8]uint64
	for i := range 4 {
		var carry uint64
		for j := range 4 {
			hi, lo := bits.Mul64(k[i], g[j])
			var c uint64
			lo, c = bits.Add64(lo, t[i+j], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			t[i+j] = lo
			carry = hi
		}
		t[i+4] = carry
	}
	// Bits 384 and up, plus the rounding bit 383.
	lo, c := bits.Add64(t[6], t[5]>>63, 0)
	hi := t[7] + c
	var b [32]byte
	binary.BigEndian.PutUint64(b[16:], hi)
	binary.BigEndian.PutUint64(b[24:], lo)
	out.SetBytes(&b)
}

// splitScalar writes k ≡ k1 + k2·λ (mod n) with k1 and k2 short, each as
// a non-negative magnitude and a sign.
func splitScalar(k *btcec.ModNScalar) (k1, k2 btcec.ModNScalar, neg1, neg2 bool) {
	kb := k.Bytes()
	kl := limbs(&kb)
	var c1, c2 btcec.ModNScalar
	mulShift384(&kl, &endo.g1, &c1)
	mulShift384(&kl, &endo.g2, &c2)
	k2.Mul2(&c1, &endo.negB1)
	c2.Mul(&endo.negB2)
	k2.Add(&c2)
	k1.Mul2(&k2, &endo.lambda).Negate().Add(k)
	if k1.IsOverHalfOrder() {
		k1.Negate()
		neg1 = true
	}
	if k2.IsOverHalfOrder() {
		k2.Negate()
		neg2 = true
	}
	return k1, k2, neg1, neg2
}

// recodeNAF writes the width-5 NAF digits of k, least significant first,
// into out (which must be zero) and returns the number of digits up to
// the highest non-zero one.
func recodeNAF(k *btcec.ModNScalar, out *[maxNAF]int8) int {
	kb := k.Bytes()
	l4 := limbs(&kb)
	v := [5]uint64{l4[0], l4[1], l4[2], l4[3], 0}
	n, pos := 0, 0
	for v != [5]uint64{} {
		if v[0]&1 == 0 {
			s := bits.TrailingZeros64(v[0])
			if v[0] == 0 {
				s = 63
			}
			shiftRight(&v, uint(s))
			pos += s
			continue
		}
		d := int64(v[0] & (1<<multWindow - 1))
		if d >= 1<<(multWindow-1) {
			d -= 1 << multWindow
		}
		out[pos] = int8(d)
		n = pos + 1
		// v -= d: the low multWindow bits become zero.
		if d > 0 {
			var b uint64
			v[0], b = bits.Sub64(v[0], uint64(d), 0)
			for i := 1; i < len(v) && b != 0; i++ {
				v[i], b = bits.Sub64(v[i], 0, b)
			}
		} else {
			var c uint64
			v[0], c = bits.Add64(v[0], uint64(-d), 0)
			for i := 1; i < len(v) && c != 0; i++ {
				v[i], c = bits.Add64(v[i], 0, c)
			}
		}
		shiftRight(&v, multWindow)
		pos += multWindow
	}
	return n
}

func shiftRight(v *[5]uint64, s uint) {
	for i := 0; i < len(v)-1; i++ {
		v[i] = v[i]>>s | v[i+1]<<(64-s)
	}
	v[len(v)-1] >>= s
}

// oddMultiples sets jac to key, 3·key, ..., 15·key (Jacobian).
func oddMultiples(key goKey, jac *[multTable]btcec.JacobianPoint) {
	key.AsJacobian(&jac[0])
	var twice btcec.JacobianPoint
	btcec.DoubleNonConst(&jac[0], &twice)
	for i := 1; i < multTable; i++ {
		btcec.AddNonConst(&jac[i-1], &twice, &jac[i])
	}
}

// newJacobianMultiples computes the tables of key in Jacobian
// coordinates: no inversion, but general additions.
func newJacobianMultiples(key goKey, m *keyMultiples) {
	endo.once.Do(initEndo)
	oddMultiples(key, &m.p)
	for i := range m.p {
		q := &m.phi[i]
		q.X.Mul2(&m.p[i].X, &endo.beta).Normalize()
		q.Y.Set(&m.p[i].Y)
		q.Z.Set(&m.p[i].Z)
	}
}

// verifyFresh verifies against a key met for the first time, with its
// odd multiples in Jacobian coordinates (on the stack): about 5% less
// CPU than btcec's Verify (BenchmarkVerifyKeyMultiples/jacobian).
func verifyFresh(key goKey, rs *[64]byte, hash *[32]byte) bool {
	var m keyMultiples
	newJacobianMultiples(key, &m)
	return m.verify(rs, hash)
}

// newKeyMultiples computes the tables of key (a valid point).
func newKeyMultiples(key goKey) *keyMultiples {
	endo.once.Do(initEndo)
	m := new(keyMultiples)
	var jac [multTable]btcec.JacobianPoint
	oddMultiples(key, &jac)
	// To affine with one inversion: acc[i] = Z0·…·Zi.
	var acc [multTable]btcec.FieldVal
	acc[0].Set(&jac[0].Z)
	for i := 1; i < multTable; i++ {
		acc[i].Mul2(&acc[i-1], &jac[i].Z).Normalize()
	}
	var inv btcec.FieldVal
	inv.Set(&acc[multTable-1]).Inverse().Normalize()
	for i := multTable - 1; i >= 0; i-- {
		var zi, zi2 btcec.FieldVal
		if i > 0 {
			zi.Mul2(&inv, &acc[i-1]).Normalize()
			inv.Mul(&jac[i].Z).Normalize()
		} else {
			zi.Set(&inv)
		}
		zi2.SquareVal(&zi).Normalize()
		p := &m.p[i]
		p.X.Mul2(&jac[i].X, &zi2).Normalize()
		p.Y.Mul2(&jac[i].Y, &zi2).Mul(&zi).Normalize()
		p.Z.SetInt(1)
		q := &m.phi[i]
		q.X.Mul2(&p.X, &endo.beta).Normalize()
		q.Y.Set(&p.Y)
		q.Z.SetInt(1)
	}
	return m
}

// addMultiple adds d·T to acc, where d is an odd NAF digit (negated when
// neg) and T the table of its point (with Z = 1, btcec's mixed addition).
func addMultiple(acc *btcec.JacobianPoint, t *[multTable]btcec.JacobianPoint, d int8, neg bool) {
	if d < 0 {
		d, neg = -d, !neg
	}
	p := &t[d>>1]
	if !neg {
		btcec.AddNonConst(acc, p, acc)
		return
	}
	var np btcec.JacobianPoint
	np.X.Set(&p.X)
	np.Y.NegateVal(&p.Y, 1).Normalize()
	np.Z.Set(&p.Z)
	btcec.AddNonConst(acc, &np, acc)
}

// verify reports whether R || S is a valid signature of hash by the
// key: the same verdict as btcec's ecdsa.Signature.Verify.
func (m *keyMultiples) verify(rs *[64]byte, hash *[32]byte) bool {
	var r, s, e btcec.ModNScalar
	r.SetByteSlice(rs[:32])
	s.SetByteSlice(rs[32:])
	if r.IsZero() || s.IsZero() {
		return false
	}
	e.SetByteSlice(hash[:])
	var w, u1, u2 btcec.ModNScalar
	w.InverseValNonConst(&s)
	u1.Mul2(&e, &w)
	u2.Mul2(&r, &w)

	// u2·Q = k1·Q + k2·λQ.
	k1, k2, neg1, neg2 := splitScalar(&u2)
	var d1, d2 [maxNAF]int8
	n1, n2 := recodeNAF(&k1, &d1), recodeNAF(&k2, &d2)
	var acc btcec.JacobianPoint
	for i := max(n1, n2) - 1; i >= 0; i-- {
		btcec.DoubleNonConst(&acc, &acc)
		if d := d1[i]; d != 0 {
			addMultiple(&acc, &m.p, d, neg1)
		}
		if d := d2[i]; d != 0 {
			addMultiple(&acc, &m.phi, d, neg2)
		}
	}
	var g, x btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&u1, &g)
	btcec.AddNonConst(&acc, &g, &x)
	return xMatches(&x, &r)
}

// xMatches reports whether the affine x of the Jacobian point p, reduced
// mod n, is r, without the inversion: x = X/Z² < p < 2n, so x mod n = r
// when X = r·Z², or X = (r+n)·Z² where r+n < p.
func xMatches(p *btcec.JacobianPoint, r *btcec.ModNScalar) bool {
	if (p.X.IsZero() && p.Y.IsZero()) || p.Z.IsZero() {
		return false // the point at infinity
	}
	var z2, rf, t btcec.FieldVal
	z2.SquareVal(&p.Z)
	rb := r.Bytes()
	rf.SetBytes(&rb)
	if t.Mul2(&rf, &z2).Normalize().Equals(&p.X) {
		return true
	}
	if rf.IsGtOrEqPrimeMinusOrder() {
		return false
	}
	rf.Add(&endo.n).Normalize()
	return t.Mul2(&rf, &z2).Normalize().Equals(&p.X)
}
