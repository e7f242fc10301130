package rpc

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// ScriptSigJSON is a scriptSig as bitcoind shows it.
type ScriptSigJSON struct {
	Asm string `json:"asm"`
	Hex string `json:"hex"`
}

// VinJSON is one input.
type VinJSON struct {
	Coinbase    string         `json:"coinbase,omitempty"`
	Txid        string         `json:"txid,omitempty"`
	Vout        *uint32        `json:"vout,omitempty"`
	ScriptSig   *ScriptSigJSON `json:"scriptSig,omitempty"`
	TxInWitness []string       `json:"txinwitness,omitempty"`
	Sequence    uint32         `json:"sequence"`
}

// ScriptPubKeyJSON is an output script with its decoded type and address.
type ScriptPubKeyJSON struct {
	Asm     string `json:"asm"`
	Hex     string `json:"hex"`
	Type    string `json:"type"`
	Address string `json:"address,omitempty"`
}

// VoutJSON is one output; Value is in GG with 8 decimals.
type VoutJSON struct {
	Value        json.Number      `json:"value"`
	N            uint32           `json:"n"`
	ScriptPubKey ScriptPubKeyJSON `json:"scriptPubKey"`
}

// TxJSON is a decoded transaction in bitcoind's decoderawtransaction shape
// plus "hex", so that the JSON can be read back as a transaction.
type TxJSON struct {
	Txid     string     `json:"txid"`
	Hash     string     `json:"hash"`
	Version  int32      `json:"version"`
	Size     int        `json:"size"`
	VSize    int        `json:"vsize"`
	Weight   int        `json:"weight"`
	LockTime uint32     `json:"locktime"`
	Vin      []VinJSON  `json:"vin"`
	Vout     []VoutJSON `json:"vout"`
	Hex      string     `json:"hex"`

	// Set by getrawtransaction for confirmed transactions.
	BlockHash     string `json:"blockhash,omitempty"`
	Confirmations int32  `json:"confirmations,omitempty"`
	Time          int64  `json:"time,omitempty"`
	BlockTime     int64  `json:"blocktime,omitempty"`
}

// scriptTypeNames are bitcoind's names for output types.
var scriptTypeNames = map[script.Class]string{
	script.NonStandard:           "nonstandard",
	script.PubKeyTy:              "pubkey",
	script.PubKeyHashTy:          "pubkeyhash",
	script.ScriptHashTy:          "scripthash",
	script.WitnessV0PubKeyHashTy: "witness_v0_keyhash",
	script.WitnessV0ScriptHashTy: "witness_v0_scripthash",
	script.MultiSigTy:            "multisig",
	script.NullDataTy:            "nulldata",
	script.WitnessUnknownTy:      "witness_unknown",
}

func disasm(b []byte) string {
	s, err := script.Disasm(b)
	if err != nil {
		return s + " [error]"
	}
	return s
}

// DecodeScriptPubKey describes an output script.
func DecodeScriptPubKey(pk []byte, p *chaincfg.Params) ScriptPubKeyJSON {
	j := ScriptPubKeyJSON{Asm: disasm(pk), Hex: hex.EncodeToString(pk), Type: scriptTypeNames[script.Classify(pk)]}
	if a, ok := address.FromPkScript(pk, p); ok {
		j.Address = a.String()
	}
	return j
}

// NewTxJSON renders tx for network p.
func NewTxJSON(tx *wire.MsgTx, p *chaincfg.Params) *TxJSON {
	j := &TxJSON{Txid: tx.TxHash().String(), Hash: tx.WitnessHash().String(), Version: tx.Version,
		Size: tx.SerializeSize(), VSize: tx.VSize(), Weight: tx.Weight(), LockTime: tx.LockTime,
		Hex: hex.EncodeToString(tx.Bytes()), Vin: make([]VinJSON, len(tx.TxIn)), Vout: make([]VoutJSON, len(tx.TxOut))}
	for i, in := range tx.TxIn {
		v := VinJSON{Sequence: in.Sequence}
		if tx.IsCoinBase() {
			v.Coinbase = hex.EncodeToString(in.SignatureScript)
		} else {
			idx := in.PreviousOutPoint.Index
			v.Txid, v.Vout = in.PreviousOutPoint.Hash.String(), &idx
			v.ScriptSig = &ScriptSigJSON{Asm: disasm(in.SignatureScript), Hex: hex.EncodeToString(in.SignatureScript)}
		}
		for _, w := range in.Witness {
			v.TxInWitness = append(v.TxInWitness, hex.EncodeToString(w))
		}
		j.Vin[i] = v
	}
	for i, out := range tx.TxOut {
		j.Vout[i] = VoutJSON{Value: json.Number(amount.Amount(out.Value).Format()), N: uint32(i),
			ScriptPubKey: DecodeScriptPubKey(out.PkScript, p)}
	}
	return j
}

// ParseTx reads a transaction given as hex or as the JSON printed by
// NewTxJSON (its "hex" field). Surrounding whitespace is ignored. A
// transaction without inputs is read too (wire.DecodeTxHexLenient).
func ParseTx(s string) (*wire.MsgTx, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		var j struct {
			Hex string `json:"hex"`
		}
		if err := json.Unmarshal([]byte(s), &j); err != nil {
			return nil, fmt.Errorf("transaction JSON: %w", err)
		}
		if j.Hex == "" {
			return nil, fmt.Errorf("transaction JSON has no \"hex\" field")
		}
		s = j.Hex
	}
	return wire.DecodeTxHexLenient(s)
}
