package wallet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcchaincfg "github.com/btcsuite/btcd/chaincfg"

	"github.com/gamegold/gg/lib/chaincfg"
)

// HardenedKeyStart is the first hardened child index (2^31).
const HardenedKeyStart = hdkeychain.HardenedKeyStart

// BIP44 purpose and branches.
const (
	purposeBIP44 = 44

	BranchReceive  uint8 = 0 // external chain: addresses handed out to payers
	BranchChange   uint8 = 1 // internal chain: change outputs
	BranchImported uint8 = 2 // not a derivation branch: imported keys, addresses and scripts
)

// HDParams adapts p to the btcd network parameters hdkeychain wants: a
// copy of btcd's MainNetParams with the name, the extended key version
// bytes and the coin type replaced by GameGold's. Only those fields are
// read by hdkeychain.
func HDParams(p *chaincfg.Params) *btcchaincfg.Params {
	c := btcchaincfg.MainNetParams
	c.Name = "gg-" + p.Name
	c.HDPrivateKeyID = p.HDPrivateKeyID
	c.HDPublicKeyID = p.HDPublicKeyID
	c.HDCoinType = p.HDCoinType
	return &c
}

// NewMaster returns the BIP32 master key of seed (16 to 64 bytes) on
// network p.
func NewMaster(seed []byte, p *chaincfg.Params) (*hdkeychain.ExtendedKey, error) {
	k, err := hdkeychain.NewMaster(seed, HDParams(p))
	if err != nil {
		return nil, fmt.Errorf("wallet: master key: %w: %v", ErrInvalidArgument, err)
	}
	return k, nil
}

// ParsePath parses a BIP32 path such as "m/44'/2018'/0'/0/5" (h or H also
// mark hardened indexes). The leading "m" is required.
func ParsePath(path string) ([]uint32, error) {
	parts := strings.Split(path, "/")
	if parts[0] != "m" {
		return nil, fmt.Errorf("wallet: path %q: %w: must start with m", path, ErrInvalidArgument)
	}
	out := make([]uint32, 0, len(parts)-1)
	for _, p := range parts[1:] {
		hard := false
		if n := len(p); n > 0 && (p[n-1] == '\'' || p[n-1] == 'h' || p[n-1] == 'H') {
			hard, p = true, p[:n-1]
		}
		if p == "" || (len(p) > 1 && p[0] == '0') || p[0] == '+' {
			return nil, fmt.Errorf("wallet: path %q: %w: bad index %q", path, ErrInvalidArgument, p)
		}
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || n >= HardenedKeyStart {
			return nil, fmt.Errorf("wallet: path %q: %w: index %q out of range", path, ErrInvalidArgument, p)
		}
		if hard {
			n += HardenedKeyStart
		}
		out = append(out, uint32(n))
	}
	return out, nil
}

// FormatPath is the inverse of ParsePath.
func FormatPath(idx []uint32) string {
	var b strings.Builder
	b.WriteString("m")
	for _, i := range idx {
		b.WriteByte('/')
		if i >= HardenedKeyStart {
			b.WriteString(strconv.FormatUint(uint64(i-HardenedKeyStart), 10))
			b.WriteByte('\'')
		} else {
			b.WriteString(strconv.FormatUint(uint64(i), 10))
		}
	}
	return b.String()
}

// DerivePath derives k along idx with standard BIP32 derivation (Derive,
// not the pre-fix DeriveNonStandard). An invalid child anywhere on the
// path is returned as hdkeychain.ErrInvalidChild: callers that own the
// index choice skip to the next index.
func DerivePath(k *hdkeychain.ExtendedKey, idx []uint32) (*hdkeychain.ExtendedKey, error) {
	for _, i := range idx {
		c, err := k.Derive(i)
		if err != nil {
			return nil, err
		}
		k = c
	}
	return k, nil
}

// AccountPath returns the BIP44 path of account n on p:
// m/44'/coin'/n'.
func AccountPath(p *chaincfg.Params, n uint32) []uint32 {
	return []uint32{purposeBIP44 + HardenedKeyStart, p.HDCoinType + HardenedKeyStart, n + HardenedKeyStart}
}

// isInvalidChild reports whether err means "skip this index".
func isInvalidChild(err error) bool { return errors.Is(err, hdkeychain.ErrInvalidChild) }
