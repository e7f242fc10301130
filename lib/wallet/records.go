package wallet

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Stored records are small binary structures, each starting with a
// version byte; the layouts are listed in doc.go. Decoders check every
// length and reject trailing bytes, so a damaged record is ErrCorrupt,
// never a panic.

const recordV1 = 1

type accountKind uint8

// Account kinds.
const (
	kindHD       accountKind = 1 // BIP44 account of the wallet's seed
	kindXpub     accountKind = 2 // watch-only account from an imported xpub
	kindImported accountKind = 3 // only imported keys, addresses and scripts
)

func (k accountKind) String() string {
	switch k {
	case kindHD:
		return "hd"
	case kindXpub:
		return "xpub"
	case kindImported:
		return "imported"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

type branchState struct {
	Issued  uint32 // next index NewAddress hands out
	Used    uint32 // 1 + highest index seen used on chain (0: none)
	Derived uint32 // indexes below this are in the addrs bucket
}

type accountRecord struct {
	Number     uint32
	Kind       accountKind
	Name       string
	Xpub       string // account extended public key (HD and xpub kinds)
	SealedXprv []byte // account extended private key, sealed (HD only)
	Branches   [2]branchState
	Imported   uint32 // next index on BranchImported
}

// addr record flags.
const (
	flagWatchOnly  = 1 << 0 // no private key in the wallet
	flagCompressed = 1 << 1 // PubKey is compressed (imported keys)
	flagScript     = 1 << 2 // a P2SH/P2WSH of an imported script
	knownAddrFlags = flagWatchOnly | flagCompressed | flagScript
)

type addrRecord struct {
	Account uint32
	Branch  uint8
	Index   uint32
	Flags   uint8
	PubKey  []byte // 33 or 65 bytes; empty for watch-only addresses and scripts
	Label   string
}

type writer struct{ b []byte }

func (w *writer) u8(v uint8)   { w.b = append(w.b, v) }
func (w *writer) u32(v uint32) { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *writer) bytes16(v []byte) {
	if len(v) > math.MaxUint16 {
		panic("wallet: record field too long")
	}
	w.b = binary.BigEndian.AppendUint16(w.b, uint16(len(v)))
	w.b = append(w.b, v...)
}
func (w *writer) str16(v string) { w.bytes16([]byte(v)) }

type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: truncated %s", ErrCorrupt, what)
	}
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.fail(what)
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8(what string) uint8 {
	if v := r.take(1, what); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) u32(what string) uint32 {
	if v := r.take(4, what); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *reader) bytes16(what string) []byte {
	l := r.take(2, what)
	if l == nil {
		return nil
	}
	v := r.take(int(binary.BigEndian.Uint16(l)), what)
	if v == nil {
		return nil
	}
	return append([]byte{}, v...)
}

func (r *reader) str16(what string) string { return string(r.bytes16(what)) }

// done checks the version byte result and that nothing is left over.
func (r *reader) done(what string) error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %d trailing bytes after %s", ErrCorrupt, len(r.b), what)
	}
	return r.err
}

func (r *reader) version(what string) {
	if v := r.u8(what); r.err == nil && v != recordV1 {
		r.err = fmt.Errorf("%w: %s record version %d", ErrCorrupt, what, v)
	}
}

func encodeAccount(a *accountRecord) []byte {
	w := &writer{}
	w.u8(recordV1)
	w.u8(uint8(a.Kind))
	w.u32(a.Number)
	w.str16(a.Name)
	w.str16(a.Xpub)
	w.bytes16(a.SealedXprv)
	for _, b := range a.Branches {
		w.u32(b.Issued)
		w.u32(b.Used)
		w.u32(b.Derived)
	}
	w.u32(a.Imported)
	return w.b
}

func decodeAccount(b []byte) (*accountRecord, error) {
	r := &reader{b: b}
	r.version("account")
	a := &accountRecord{}
	a.Kind = accountKind(r.u8("account"))
	a.Number = r.u32("account")
	a.Name = r.str16("account")
	a.Xpub = r.str16("account")
	a.SealedXprv = r.bytes16("account")
	for i := range a.Branches {
		a.Branches[i].Issued = r.u32("account")
		a.Branches[i].Used = r.u32("account")
		a.Branches[i].Derived = r.u32("account")
	}
	a.Imported = r.u32("account")
	if err := r.done("account"); err != nil {
		return nil, err
	}
	switch a.Kind {
	case kindHD, kindXpub, kindImported:
	default:
		return nil, fmt.Errorf("%w: account kind %d", ErrCorrupt, a.Kind)
	}
	if checkAccountName(a.Name) != nil {
		return nil, fmt.Errorf("%w: account name %q", ErrCorrupt, a.Name)
	}
	return a, nil
}

func encodeAddr(a *addrRecord) []byte {
	w := &writer{}
	w.u8(recordV1)
	w.u32(a.Account)
	w.u8(a.Branch)
	w.u32(a.Index)
	w.u8(a.Flags)
	w.bytes16(a.PubKey)
	w.str16(a.Label)
	return w.b
}

func decodeAddr(b []byte) (*addrRecord, error) {
	r := &reader{b: b}
	r.version("address")
	a := &addrRecord{}
	a.Account = r.u32("address")
	a.Branch = r.u8("address")
	a.Index = r.u32("address")
	a.Flags = r.u8("address")
	a.PubKey = r.bytes16("address")
	a.Label = r.str16("address")
	if err := r.done("address"); err != nil {
		return nil, err
	}
	if a.Branch > BranchImported || a.Flags&^knownAddrFlags != 0 {
		return nil, fmt.Errorf("%w: address branch %d flags %#x", ErrCorrupt, a.Branch, a.Flags)
	}
	switch len(a.PubKey) {
	case 0, 33, 65:
	default:
		return nil, fmt.Errorf("%w: public key of %d bytes", ErrCorrupt, len(a.PubKey))
	}
	if len(a.PubKey) == 0 && a.Flags&flagWatchOnly == 0 && a.Flags&flagScript == 0 {
		return nil, fmt.Errorf("%w: spendable address without a public key", ErrCorrupt)
	}
	return a, nil
}

func encodeKDF(k *kdfRecord) []byte {
	w := &writer{}
	w.u8(recordV1)
	w.u32(k.Params.Time)
	w.u32(k.Params.MemoryKiB)
	w.u8(k.Params.Threads)
	w.bytes16(k.Salt)
	w.bytes16(k.SealedKey)
	return w.b
}

func decodeKDF(b []byte) (*kdfRecord, error) {
	r := &reader{b: b}
	r.version("kdf")
	k := &kdfRecord{}
	k.Params.Time = r.u32("kdf")
	k.Params.MemoryKiB = r.u32("kdf")
	k.Params.Threads = r.u8("kdf")
	k.Salt = r.bytes16("kdf")
	k.SealedKey = r.bytes16("kdf")
	if err := r.done("kdf"); err != nil {
		return nil, err
	}
	if err := k.Params.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(k.Salt) < 8 {
		return nil, fmt.Errorf("%w: kdf salt of %d bytes", ErrCorrupt, len(k.Salt))
	}
	return k, nil
}

// seedSecret is the plaintext of the sealed "seed" meta record.
type seedSecret struct {
	Mnemonic       string
	SeedPassphrase string
}

func encodeSeedSecret(s *seedSecret) []byte {
	w := &writer{}
	w.u8(recordV1)
	w.str16(s.Mnemonic)
	w.str16(s.SeedPassphrase)
	return w.b
}

func decodeSeedSecret(b []byte) (*seedSecret, error) {
	r := &reader{b: b}
	r.version("seed")
	s := &seedSecret{Mnemonic: r.str16("seed"), SeedPassphrase: r.str16("seed")}
	if err := r.done("seed"); err != nil {
		return nil, err
	}
	return s, nil
}

// Imported private keys: 32-byte scalar ‖ compressed flag.
func encodeKeySecret(priv []byte, compressed bool) []byte {
	out := append(make([]byte, 0, 33), priv...)
	if compressed {
		return append(out, 1)
	}
	return append(out, 0)
}

func decodeKeySecret(b []byte) (priv []byte, compressed bool, err error) {
	if len(b) != 33 || b[32] > 1 {
		return nil, false, fmt.Errorf("%w: private key record of %d bytes", ErrCorrupt, len(b))
	}
	return b[:32], b[32] == 1, nil
}
