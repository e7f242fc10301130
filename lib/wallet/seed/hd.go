package seed

import (
	"fmt"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcchaincfg "github.com/btcsuite/btcd/chaincfg"

	"github.com/gamegold/gg/lib/chaincfg"
)

// HardenedKeyStart is the first hardened child index (2^31).
const HardenedKeyStart = hdkeychain.HardenedKeyStart

// PurposeBIP44 is the first index of an account's path.
const PurposeBIP44 = 44

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
		return nil, fmt.Errorf("master key: %w: %v", ErrInvalidArgument, err)
	}
	return k, nil
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
	return []uint32{PurposeBIP44 + HardenedKeyStart, p.HDCoinType + HardenedKeyStart, n + HardenedKeyStart}
}
