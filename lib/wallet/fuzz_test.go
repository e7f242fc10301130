package wallet

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/wire"
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

// FuzzParseTimeLockScript: the time-lock script parser (it reads the
// witness scripts stored with wallet coins, and lockOf reads any
// pkScript) never panics; what it accepts agrees with cltvLock and
// lockOf, and a lock TimeLockScript could make re-encodes to the same
// script, or to a shorter one when the input pushed its number
// non-minimally.
func FuzzParseTimeLockScript(f *testing.F) {
	pub := append([]byte{3}, bytes.Repeat([]byte{0x5a}, 32)...)
	for _, l := range []TimeLock{{Height: 1}, {Height: 16}, {Height: 17}, {Height: 300_000}, {Height: MaxLockHeight},
		{Blocks: 1}, {Blocks: 144}, {Blocks: uint32(MaxLockBlocks)}} {
		s, err := TimeLockScript(l, pub)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s)
	}
	f.Add([]byte{0x02, 0x05, 0x00, 0xb1, 0x75, 33})
	f.Add([]byte{0x05, 0xff, 0xff, 0xff, 0x7f, 0x00, 0xb2})
	f.Fuzz(func(t *testing.T, s []byte) {
		flags, until := lockOf(s)
		tl, ok := parseTimeLockScript(s)
		if !ok {
			return
		}
		if len(tl.PubKey) != 33 || tl.N == 0 {
			t.Fatalf("%x: parsed %+v", s, tl)
		}
		if !tl.Relative {
			if n := cltvLock(s); n != tl.N || flags != coinFlagLocked || until != tl.N {
				t.Fatalf("%x: CLTV lock %d, but cltvLock %d, lockOf %d/%d", s, tl.N, n, flags, until)
			}
		} else if tl.N&(wire.SequenceLockTimeIsSeconds|wire.SequenceLockTimeDisabled) == 0 &&
			(flags != coinFlagLocked|coinFlagRelative || until != tl.N&wire.SequenceLockTimeMask) {
			t.Fatalf("%x: CSV lock %d, but lockOf %d/%d", s, tl.N, flags, until)
		}
		lock := TimeLock{Height: tl.N}
		if tl.Relative {
			lock = TimeLock{Blocks: tl.N}
		}
		if lock.Validate() != nil {
			return // a lock this wallet does not make
		}
		re, err := TimeLockScript(lock, tl.PubKey)
		if err != nil {
			t.Fatalf("%x: %+v does not re-encode: %v", s, lock, err)
		}
		if again, ok := parseTimeLockScript(re); !ok || again.N != tl.N || again.Relative != tl.Relative || !bytes.Equal(again.PubKey, tl.PubKey) {
			t.Fatalf("%x: re-encoding %x parses as %+v", s, re, again)
		}
		if !bytes.Equal(re, s) && len(re) >= len(s) {
			t.Fatalf("%x: re-encodes to %x", s, re)
		}
	})
}

// FuzzMnemonic: ValidateMnemonic never panics; a mnemonic it accepts is
// one BIP39 phrase in its normal form (entropy back to the same words),
// the form SeedFromMnemonic derives the seed from. (The seed itself is
// left out: 2 × 2048 HMAC-SHA512 rounds per accepted input stall the
// fuzzer's minimizer on long white-space-padded phrases.)
func FuzzMnemonic(f *testing.F) {
	for _, m := range []string{
		testMnemonic,
		"  LEGAL winner\tthank year wave sausage worth useful legal winner thank yellow\n",
		"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		"zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
		"legal winner thank year wave sausage worth useful legal winner thank thank",
		"",
	} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, m string) {
		if ValidateMnemonic(m) != nil {
			return
		}
		norm := NormalizeMnemonic(m)
		if NormalizeMnemonic(norm) != norm || ValidateMnemonic(norm) != nil {
			t.Fatalf("%q: normal form %q is not stable", m, norm)
		}
		ent, err := entropyFromMnemonic(strings.Fields(norm))
		if err != nil {
			t.Fatalf("%q accepted, but its entropy: %v", m, err)
		}
		if back, err := mnemonicFromEntropy(ent); err != nil || back != norm {
			t.Fatalf("%q: entropy %x gives %q, %v", m, ent, back, err)
		}
		n := len(strings.Fields(norm))
		if len(ent)*8 != n*11*32/33 {
			t.Fatalf("%q: %d words, %d bytes of entropy", m, n, len(ent))
		}
	})
}
