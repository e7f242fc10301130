// Package seed is the wallet's key origin without its database: BIP39
// mnemonics (the English list only: generation, checks, the seed) and
// BIP32/BIP44 derivation with GameGold's version bytes and coin type.
// lib/wallet builds on it, and so does the browser wallet
// (lib/h5wallet, compiled to WebAssembly), which must not link the
// wallet's bbolt file: one implementation, so a mnemonic gives the same
// addresses in both.
package seed
