package h5wallet

import (
	"errors"
	"fmt"

	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2"
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // Bitcoin's hash160 needs it

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/wallet/seed"
)

// Branches of the account: receive (addresses handed out) and change,
// as gg-wallet's (m/44'/coin'/0'/0/i and /1/i).
const (
	BranchReceive = 0
	BranchChange  = 1
)

// MaxDerive bounds the addresses one Addresses call derives.
const MaxDerive = 1000

// NewMnemonic returns a fresh English BIP39 mnemonic of words words (12,
// 15, 18, 21 or 24).
func NewMnemonic(words int) (string, error) {
	switch words {
	case 12, 15, 18, 21, 24:
	default:
		return "", fmt.Errorf("new mnemonic: %w: %d words, want 12, 15, 18, 21 or 24", ErrInvalidArgument, words)
	}
	return seed.NewMnemonic(words * 32 / 3)
}

// CheckMnemonic reports why m is not a valid English BIP39 mnemonic.
func CheckMnemonic(m string) error { return seed.ValidateMnemonic(m) }

// AddressInfo is one derived address.
type AddressInfo struct {
	Branch int    `json:"branch"`
	Index  uint32 `json:"index"`
	Path   string `json:"path"`
	Addr   string `json:"address"`
	Script string `json:"script"` // the output script, hex
}

// Keyring holds the private keys of account 0 of a mnemonic, as
// gg-wallet's default account: m/44'/coin'/0', skipping (as BIP32 and
// gg-wallet do) an account or address index whose key is invalid.
type Keyring struct {
	params   *chaincfg.Params
	account  uint32
	branches [2]*seed.ExtKey
	known    map[string]keyRef // address → where it was derived
}

type keyRef struct {
	branch int
	index  uint32
}

// Open derives the keyring of mnemonic m (checked first) with the
// optional BIP39 seed passphrase on network p.
func Open(m, seedPassphrase string, p *chaincfg.Params) (*Keyring, error) {
	s, err := seed.SeedFromMnemonic(m, seedPassphrase)
	if err != nil {
		return nil, err
	}
	master, err := seed.MasterKey(s)
	clear(s)
	if err != nil {
		return nil, err
	}
	k := &Keyring{params: p, known: map[string]keyRef{}}
	for n := uint32(0); ; n++ {
		acct, err := master.Path(seed.AccountPath(p, n))
		if errors.Is(err, seed.ErrInvalidChild) {
			continue
		}
		if err != nil {
			return nil, err
		}
		k.account = n
		for b := range k.branches {
			if k.branches[b], err = acct.Child(uint32(b)); err != nil {
				return nil, fmt.Errorf("account branch %d: %w", b, err)
			}
		}
		return k, nil
	}
}

// Params is the keyring's network.
func (k *Keyring) Params() *chaincfg.Params { return k.params }

// Addresses derives n addresses of branch from index from on (an index
// whose key is invalid is left out, as gg-wallet skips it) and
// remembers them for signing.
func (k *Keyring) Addresses(branch int, from uint32, n int) ([]AddressInfo, error) {
	if branch != BranchReceive && branch != BranchChange {
		return nil, fmt.Errorf("addresses: %w: branch %d, want 0 (receive) or 1 (change)", ErrInvalidArgument, branch)
	}
	if n < 0 || n > MaxDerive || uint64(from)+uint64(n) > seed.HardenedKeyStart {
		return nil, fmt.Errorf("addresses: %w: %d from %d", ErrInvalidArgument, n, from)
	}
	out := make([]AddressInfo, 0, n)
	for i := from; len(out) < n && i < seed.HardenedKeyStart; i++ {
		c, err := k.branches[branch].Child(i)
		if errors.Is(err, seed.ErrInvalidChild) {
			continue
		}
		if err != nil {
			return nil, err
		}
		a := address.NewP2WPKH(hash160(c.PubKey()), k.params)
		c.Zero()
		s := a.String()
		k.known[s] = keyRef{branch, i}
		out = append(out, AddressInfo{Branch: branch, Index: i, Addr: s, Script: fmt.Sprintf("%x", a.PkScript()),
			Path: fmt.Sprintf("m/44'/%d'/%d'/%d/%d", k.params.HDCoinType, k.account, branch, i)})
	}
	return out, nil
}

// privKey returns the private key of a derived address.
func (k *Keyring) privKey(addr string) (*btcec.PrivateKey, error) {
	ref, ok := k.known[addr]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownAddress, addr)
	}
	c, err := k.branches[ref.branch].Child(ref.index)
	if err != nil {
		return nil, err
	}
	return c.PrivKey(), nil
}

// hash160 is ripemd160(sha256(b)).
func hash160(b []byte) []byte {
	s := sha256.Sum256(b)
	h := ripemd160.New()
	h.Write(s[:])
	return h.Sum(nil)
}
