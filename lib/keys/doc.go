// Package keys creates and encodes secp256k1 keys (btcec/v2): generation,
// WIF import/export bound to a network, and the hash160 of a public key.
package keys
