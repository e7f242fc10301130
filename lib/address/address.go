package address

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/bech32"

	"github.com/gamegold/gg/lib/chaincfg"
)

// Errors returned by Decode; test with errors.Is.
var (
	ErrUnknownFormat  = errors.New("address: not a valid address")
	ErrChecksum       = errors.New("address: checksum mismatch")
	ErrWrongNetwork   = errors.New("address: belongs to another network")
	ErrBadWitnessProg = errors.New("address: invalid witness program")
	// ErrTooLong: the string is longer than MaxLen; it is refused before
	// any decoding (base58 decoding costs the square of the length).
	ErrTooLong = errors.New("address: too long")
)

// MaxLen is the longest string Decode looks at: BIP173's limit for a
// bech32 string. A base58 address is at most 35 characters.
const MaxLen = 90

// Kind names the output type an address pays to.
type Kind int

// Address kinds.
const (
	PubKeyHash Kind = iota
	ScriptHash
	WitnessPubKeyHash
	WitnessScriptHash
	WitnessUnknown
)

func (k Kind) String() string {
	return [...]string{"pubkeyhash", "scripthash", "witness_v0_keyhash", "witness_v0_scripthash", "witness_unknown"}[k]
}

// Address is a decoded address.
type Address struct {
	Kind    Kind
	Version int    // witness version (segwit kinds)
	Hash    []byte // hash160, sha256 or witness program
	Net     *chaincfg.Params
}

// NewP2PKH returns the base58 pay-to-pubkey-hash address of hash160.
func NewP2PKH(hash160 []byte, p *chaincfg.Params) *Address {
	return &Address{Kind: PubKeyHash, Hash: append([]byte(nil), hash160...), Net: p}
}

// NewP2SH returns the base58 pay-to-script-hash address of hash160.
func NewP2SH(hash160 []byte, p *chaincfg.Params) *Address {
	return &Address{Kind: ScriptHash, Hash: append([]byte(nil), hash160...), Net: p}
}

// NewP2WPKH returns the bech32 v0 key-hash address of hash160.
func NewP2WPKH(hash160 []byte, p *chaincfg.Params) *Address {
	return &Address{Kind: WitnessPubKeyHash, Hash: append([]byte(nil), hash160...), Net: p}
}

// NewP2WSH returns the bech32 v0 script-hash address of a sha256.
func NewP2WSH(sha []byte, p *chaincfg.Params) *Address {
	return &Address{Kind: WitnessScriptHash, Hash: append([]byte(nil), sha...), Net: p}
}

// String encodes the address.
func (a *Address) String() string {
	switch a.Kind {
	case PubKeyHash:
		return base58.CheckEncode(a.Hash, a.Net.PubKeyHashAddrID)
	case ScriptHash:
		return base58.CheckEncode(a.Hash, a.Net.ScriptHashAddrID)
	default:
		s, err := encodeSegwit(a.Net.Bech32HRP, a.Version, a.Hash)
		if err != nil {
			return ""
		}
		return s
	}
}

// PkScript returns the output script paying to the address.
func (a *Address) PkScript() []byte {
	h := a.Hash
	switch a.Kind {
	case PubKeyHash: // OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
		return append(append([]byte{0x76, 0xa9, 0x14}, h...), 0x88, 0xac)
	case ScriptHash: // OP_HASH160 <20> OP_EQUAL
		return append(append([]byte{0xa9, 0x14}, h...), 0x87)
	default: // OP_n <program>
		op := byte(0x00)
		if a.Version > 0 {
			op = byte(0x50 + a.Version)
		}
		return append([]byte{op, byte(len(h))}, h...)
	}
}

// IsSegwit reports whether the address pays to a witness program.
func (a *Address) IsSegwit() bool { return a.Kind >= WitnessPubKeyHash }

// Decode parses an address for network p. A string longer than MaxLen is
// ErrTooLong, whatever it holds.
func Decode(s string, p *chaincfg.Params) (*Address, error) {
	if len(s) > MaxLen {
		return nil, fmt.Errorf("%w: %d characters, at most %d", ErrTooLong, len(s), MaxLen)
	}
	if hrp, _, ok := strings.Cut(strings.ToLower(s), "1"); ok && isHRP(hrp) {
		if hrp != p.Bech32HRP {
			return nil, fmt.Errorf("%w: %q is for prefix %q, this network uses %q", ErrWrongNetwork, s, hrp, p.Bech32HRP)
		}
		return decodeSegwit(s, p)
	}
	payload, ver, err := base58.CheckDecode(s)
	if err != nil {
		if errors.Is(err, base58.ErrChecksum) {
			return nil, fmt.Errorf("%w: %q", ErrChecksum, s)
		}
		return nil, fmt.Errorf("%w: %q", ErrUnknownFormat, s)
	}
	if len(payload) != 20 {
		return nil, fmt.Errorf("%w: %q has a %d-byte payload", ErrUnknownFormat, s, len(payload))
	}
	switch ver {
	case p.PubKeyHashAddrID:
		return NewP2PKH(payload, p), nil
	case p.ScriptHashAddrID:
		return NewP2SH(payload, p), nil
	}
	for _, other := range chaincfg.Networks {
		if ver == other.PubKeyHashAddrID || ver == other.ScriptHashAddrID {
			return nil, fmt.Errorf("%w: %q is a %s address", ErrWrongNetwork, s, other.Name)
		}
	}
	return nil, fmt.Errorf("%w: %q has unknown version byte %d", ErrUnknownFormat, s, ver)
}

// FromPkScript returns the address a standard output script pays to, or
// false for scripts that have none (bare multisig, OP_RETURN, ...).
func FromPkScript(pk []byte, p *chaincfg.Params) (*Address, bool) {
	switch {
	case len(pk) == 25 && pk[0] == 0x76 && pk[1] == 0xa9 && pk[2] == 0x14 && pk[23] == 0x88 && pk[24] == 0xac:
		return NewP2PKH(pk[3:23], p), true
	case len(pk) == 23 && pk[0] == 0xa9 && pk[1] == 0x14 && pk[22] == 0x87:
		return NewP2SH(pk[2:22], p), true
	case len(pk) >= 4 && len(pk) <= 42 && int(pk[1]) == len(pk)-2 && (pk[0] == 0 || (pk[0] >= 0x51 && pk[0] <= 0x60)):
		ver := 0
		if pk[0] != 0 {
			ver = int(pk[0]) - 0x50
		}
		a, err := newSegwit(ver, pk[2:], p)
		return a, err == nil
	}
	return nil, false
}

func isHRP(h string) bool {
	for _, n := range chaincfg.Networks {
		if h == n.Bech32HRP {
			return true
		}
	}
	return false
}

func newSegwit(ver int, prog []byte, p *chaincfg.Params) (*Address, error) {
	if ver < 0 || ver > 16 || len(prog) < 2 || len(prog) > 40 {
		return nil, ErrBadWitnessProg
	}
	a := &Address{Version: ver, Hash: append([]byte(nil), prog...), Net: p}
	switch {
	case ver == 0 && len(prog) == 20:
		a.Kind = WitnessPubKeyHash
	case ver == 0 && len(prog) == 32:
		a.Kind = WitnessScriptHash
	case ver == 0:
		return nil, ErrBadWitnessProg
	default:
		a.Kind = WitnessUnknown
	}
	return a, nil
}

func encodeSegwit(hrp string, ver int, prog []byte) (string, error) {
	conv, err := bech32.ConvertBits(prog, 8, 5, true)
	if err != nil {
		return "", err
	}
	data := append([]byte{byte(ver)}, conv...)
	if ver == 0 {
		return bech32.Encode(hrp, data)
	}
	return bech32.EncodeM(hrp, data)
}

func decodeSegwit(s string, p *chaincfg.Params) (*Address, error) {
	_, data, bv, err := bech32.DecodeGeneric(s)
	if err != nil {
		if strings.Contains(err.Error(), "checksum") {
			return nil, fmt.Errorf("%w: %q", ErrChecksum, s)
		}
		return nil, fmt.Errorf("%w: %q: %v", ErrUnknownFormat, s, err)
	}
	if len(data) < 1 {
		return nil, fmt.Errorf("%w: %q: empty data", ErrBadWitnessProg, s)
	}
	ver := int(data[0])
	// BIP350: version 0 uses bech32, later versions bech32m.
	if (ver == 0) != (bv == bech32.Version0) {
		return nil, fmt.Errorf("%w: %q: wrong checksum variant for witness version %d", ErrChecksum, s, ver)
	}
	prog, err := bech32.ConvertBits(data[1:], 5, 8, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadWitnessProg, s, err)
	}
	a, err := newSegwit(ver, prog, p)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", err, s)
	}
	return a, nil
}
