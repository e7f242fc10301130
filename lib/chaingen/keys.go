package chaingen

import (
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2"
)

// Key is a deterministic secp256k1 key for tests.
type Key struct {
	Priv    *btcec.PrivateKey
	PubKey  []byte // 33-byte compressed serialization
	KeyHash []byte // HASH160 of PubKey
}

// NewKey derives a key from seed: the private scalar is
// SHA256("chaingen key/" + seed) reduced modulo the group order. The same
// seed always gives the same key.
func (g *Generator) NewKey(seed string) *Key { return NewKey(seed) }

// NewKey is Generator.NewKey without a generator.
func NewKey(seed string) *Key {
	d := sha256.Sum256([]byte("chaingen key/" + seed))
	priv, _ := btcec.PrivKeyFromBytes(d[:])
	pub := priv.PubKey().SerializeCompressed()
	return &Key{Priv: priv, PubKey: pub, KeyHash: hash160(pub)}
}

// P2WPKH returns the key's pay-to-witness-pubkey-hash output script.
func (k *Key) P2WPKH() []byte { return P2WPKHScript(k.KeyHash) }

// P2PKHScript returns OP_DUP OP_HASH160 <hash> OP_EQUALVERIFY OP_CHECKSIG,
// which is also the BIP143 script code of a P2WPKH input.
func (k *Key) P2PKHScript() []byte {
	s := []byte{0x76, opHash160, 20}
	s = append(s, k.KeyHash...)
	return append(s, 0x88, opCheckSig)
}
