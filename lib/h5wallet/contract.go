package h5wallet

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/gamegold/gg/lib/game"
)

// ContractSig is B's signature of a contract's terms.
type ContractSig struct {
	ID  string `json:"id"`
	Key string `json:"key"` // B's key, compressed, hex
	Sig string `json:"sig"` // DER, hex
}

// ContractKey is the compressed public key (hex) of a derived address,
// to give party A as b_key.
func (k *Keyring) ContractKey(addr string) (string, error) {
	priv, err := k.privKey(addr)
	if err != nil {
		return "", fmt.Errorf("contract key: %w", err)
	}
	defer priv.Zero()
	return hex.EncodeToString(priv.PubKey().SerializeCompressed()), nil
}

// SignContract signs, as party B, the contract whose canonical terms are
// termsHex, as gg-wallet's contract sign: ECDSA over the contract id
// with the key b_key names, which must be one of the keyring's derived
// addresses.
func (k *Keyring) SignContract(termsHex string) (*ContractSig, error) {
	raw, err := hex.DecodeString(termsHex)
	if err != nil {
		return nil, fmt.Errorf("sign contract: %w: terms are not hex", ErrInvalidArgument)
	}
	t, err := game.DecodeTerms(raw)
	if err != nil {
		return nil, fmt.Errorf("sign contract: %w: %v", ErrInvalidArgument, err)
	}
	id, err := game.ContractID(t)
	if err != nil {
		return nil, fmt.Errorf("sign contract: %w: %v", ErrInvalidArgument, err)
	}
	for a := range k.known {
		priv, err := k.privKey(a)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(priv.PubKey().SerializeCompressed(), t.BKey) {
			sig := ecdsa.Sign(priv, id[:]).Serialize()
			priv.Zero()
			return &ContractSig{ID: id.String(), Key: hex.EncodeToString(t.BKey), Sig: hex.EncodeToString(sig)}, nil
		}
		priv.Zero()
	}
	return nil, fmt.Errorf("sign contract: %w: b_key %x is not a key of this wallet", ErrUnknownAddress, t.BKey)
}
