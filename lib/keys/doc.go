// Package keys creates and encodes secp256k1 keys (btcec/v2): generation,
// WIF import/export bound to a network, and the hash160 of a public key.
// WIF and extended-key strings longer than any real one are refused
// (ErrTooLong) before base58 decoding, whose cost is quadratic.
package keys
