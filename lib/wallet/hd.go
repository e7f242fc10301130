package wallet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcchaincfg "github.com/btcsuite/btcd/chaincfg"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/wallet/seed"
)

// HardenedKeyStart is the first hardened child index (2^31).
const HardenedKeyStart = seed.HardenedKeyStart

// BIP44 purpose and branches.
const (
	BranchReceive  uint8 = 0 // external chain: addresses handed out to payers
	BranchChange   uint8 = 1 // internal chain: change outputs
	BranchImported uint8 = 2 // not a derivation branch: imported keys, addresses and scripts
)

// HDParams adapts p to the btcd network parameters hdkeychain wants
// (seed.HDParams).
func HDParams(p *chaincfg.Params) *btcchaincfg.Params { return seed.HDParams(p) }

// NewMaster returns the BIP32 master key of seed (16 to 64 bytes) on
// network p.
func NewMaster(s []byte, p *chaincfg.Params) (*hdkeychain.ExtendedKey, error) {
	k, err := seed.NewMaster(s, p)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", seedErr(err))
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

// DerivePath derives k along idx (seed.DerivePath).
func DerivePath(k *hdkeychain.ExtendedKey, idx []uint32) (*hdkeychain.ExtendedKey, error) {
	return seed.DerivePath(k, idx)
}

// AccountPath returns the BIP44 path of account n on p:
// m/44'/coin'/n'.
func AccountPath(p *chaincfg.Params, n uint32) []uint32 { return seed.AccountPath(p, n) }

// isInvalidChild reports whether err means "skip this index".
func isInvalidChild(err error) bool { return errors.Is(err, hdkeychain.ErrInvalidChild) }
