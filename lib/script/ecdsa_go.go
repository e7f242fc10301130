package script

import (
	"github.com/btcsuite/btcd/btcec/v2"
)

// The pure-Go signature backend, btcec. It is the default and is built
// into every binary; with the libsecp256k1 tag it stays beside the C
// backend as the reference the differential fuzz test holds that one to.

// goKey is a public key parsed by btcec.
type goKey = *btcec.PublicKey

// goVerifyOne verifies R || S (each below the group order) over hash with
// the serialized public key pk. btcec accepts high S.
func goVerifyOne(pk []byte, rs *[64]byte, hash *[32]byte) bool {
	key, err := btcec.ParsePubKey(pk)
	if err != nil {
		return false
	}
	return verifyFresh(key, rs, hash)
}

// goVerifyChecks verifies checks one by one, parsing each key of t once;
// a key's first check is verified with verifyFresh, from its second on
// with the key's odd multiples in affine coordinates (keyMultiples),
// computed then.
func goVerifyChecks(t *keyTable, checks []sigCheck, ok []bool) {
	for i := range checks {
		c := &checks[i]
		k := c.key
		switch t.goState[k] {
		case keyPending:
			t.goState[k] = keyBad
			if key, err := btcec.ParsePubKey([]byte(t.ser[k])); err == nil {
				t.goKeys[k] = key
				t.goState[k] = keyOK
			}
		case keyUsed:
			if t.goMult[k] == nil {
				t.goMult[k] = newKeyMultiples(t.goKeys[k])
			}
			ok[i] = t.goMult[k].verify(&c.sig, &c.hash)
			continue
		}
		if t.goState[k] != keyOK {
			ok[i] = false
			continue
		}
		t.goState[k] = keyUsed
		ok[i] = verifyFresh(t.goKeys[k], &c.sig, &c.hash)
	}
}
