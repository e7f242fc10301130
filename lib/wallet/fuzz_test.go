package wallet

import (
	"bytes"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
)

// FuzzDecodeRecords feeds arbitrary bytes to every stored-record decoder:
// none may panic, and whatever decodes must re-encode to the same bytes
// (one encoding per record).
func FuzzDecodeRecords(f *testing.F) {
	f.Add(encodeAccount(&accountRecord{Number: 1, Kind: kindXpub, Name: "a", Xpub: "x"}))
	f.Add(encodeAddr(&addrRecord{Flags: flagWatchOnly, Label: "l"}))
	f.Add(encodeKDF(&kdfRecord{Params: testKDF, Salt: make([]byte, 16), SealedKey: []byte{1}}))
	f.Add(encodeSeedSecret(&seedSecret{Mnemonic: "m"}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := decodeAccount(b); err == nil && !bytes.Equal(encodeAccount(a), b) {
			t.Fatalf("account does not round-trip: %x", b)
		}
		if a, err := decodeAddr(b); err == nil && !bytes.Equal(encodeAddr(a), b) {
			t.Fatalf("addr does not round-trip: %x", b)
		}
		if k, err := decodeKDF(b); err == nil && !bytes.Equal(encodeKDF(k), b) {
			t.Fatalf("kdf does not round-trip: %x", b)
		}
		if s, err := decodeSeedSecret(b); err == nil && !bytes.Equal(encodeSeedSecret(s), b) {
			t.Fatalf("seed does not round-trip: %x", b)
		}
		if p, c, err := decodeKeySecret(b); err == nil && !bytes.Equal(encodeKeySecret(p, c), b) {
			t.Fatalf("key does not round-trip: %x", b)
		}
	})
}

// FuzzParsePath: no panic; what parses formats back to an equivalent path.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"m", "m/0", "m/44'/2018'/0'/0/1", "m/1h", "m/2147483648", "m//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		idx, err := ParsePath(s)
		if err != nil {
			return
		}
		again, err := ParsePath(FormatPath(idx))
		if err != nil || len(again) != len(idx) {
			t.Fatalf("%q -> %q does not parse back: %v", s, FormatPath(idx), err)
		}
		for i := range idx {
			if idx[i] != again[i] {
				t.Fatalf("%q: index %d changed", s, i)
			}
		}
	})
}

// FuzzImportParse feeds untrusted strings to the import parsers (WIF and
// extended public keys): errors only, never a panic.
func FuzzImportParse(f *testing.F) {
	f.Add("cVpF924EspNh8KjYsfhgY96mmxvT6DgdWiTYMtMjuM74hJaU5psW")
	f.Add("tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp")
	f.Add("")
	w := &Wallet{params: chaincfg.RegTestParams}
	f.Fuzz(func(t *testing.T, s string) {
		if priv, pub, _, err := w.parseWIF(s); err == nil && (len(priv) != 32 || (len(pub) != 33 && len(pub) != 65)) {
			t.Fatalf("parseWIF(%q) returned bad sizes", s)
		}
		if k, err := parseXpub(s, w); err == nil && k.IsPrivate() {
			t.Fatalf("parseXpub(%q) accepted a private key", s)
		}
	})
}
