package spv

import (
	"crypto/sha256"

	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// What a light node can check of a block's basic filter without the
// outputs the block spends (it has no UTXO set).
//
// The outputs are in the block: every output script that is not empty
// and does not start with OP_RETURN must match the filter. The spent
// scripts are not, but most inputs show them: a witness input's last
// witness item is its public key (P2WPKH) or its script (P2WSH); a
// legacy input whose last push is a public key spent P2PKH, and one
// whose last push is a witness program spent P2SH-wrapped segwit; P2SH
// in general puts its redeem script last. For each input the scripts it
// may have spent are derived (one or two candidates; inputs that show
// nothing, such as bare P2PK or multisig, none). A filter that does not
// decode or omits an output script is proven wrong: its server lied and
// is banned. The candidates are not a proof (an input may spend a script
// its witness does not show, such as a witness program of version 1 or
// more), so they only choose a side: the filter that matches one
// candidate of every input (and, when every input yields one, equals
// the filter rebuilt from the most likely candidates) wins, else the
// majority; no one is banned for them.
type blockCheck struct {
	key     gcs.Key
	outputs [][]byte
	inputs  [][][]byte // candidates per input (coinbase excluded)
	exact   *gcs.Filter
}

func newBlockCheck(blk *wire.MsgBlock) *blockCheck {
	c := &blockCheck{key: gcs.BlockKey(blk.BlockHash())}
	c.outputs = gcs.BasicElements(blk, nil)
	allKnown := true
	var spent [][]byte
	for i, tx := range blk.Transactions {
		if i == 0 {
			continue
		}
		for _, in := range tx.TxIn {
			cands := prevScripts(in)
			c.inputs = append(c.inputs, cands)
			if len(cands) == 0 {
				allKnown = false
			} else {
				spent = append(spent, cands[0])
			}
		}
	}
	if allKnown {
		c.exact, _ = gcs.BuildBasic(blk, spent)
	}
	return c
}

// rebuilt reports whether raw is the filter rebuilt from the block and
// the most likely spent scripts (false when it could not be rebuilt).
func (c *blockCheck) rebuilt(raw []byte) bool {
	if c.exact == nil {
		return false
	}
	f, err := gcs.DecodeBasic(raw)
	return err == nil && f.Equal(c.exact)
}

// verify returns why raw cannot be blk's filter, or "" when it may be:
// a proof (it does not decode, or omits an output script the block
// holds), enough to ban its server.
func (c *blockCheck) verify(raw []byte) string {
	f, err := gcs.DecodeBasic(raw)
	if err != nil {
		return "does not decode: " + err.Error()
	}
	for _, s := range c.outputs {
		if !f.Match(c.key, s) {
			return "omits an output script of the block"
		}
	}
	return ""
}

// likely reports whether raw matches, for every input, one of the
// scripts it most likely spent, and equals the filter rebuilt from them
// when that could be built. Not a proof: an input may have spent a
// script its witness does not show (a witness program of version 1 or
// more, a non-standard bare script), so this only chooses a side.
func (c *blockCheck) likely(raw []byte) bool {
	f, err := gcs.DecodeBasic(raw)
	if err != nil {
		return false
	}
	for _, cands := range c.inputs {
		if len(cands) > 0 && !f.MatchAny(c.key, cands) {
			return false
		}
	}
	return c.exact == nil || c.rebuilt(raw)
}

// prevScripts returns the output scripts in may have spent, derived from
// its witness and signature script (none when it shows nothing).
func prevScripts(in *wire.TxIn) [][]byte {
	pushes, ok := parsePushes(in.SignatureScript)
	if !ok {
		return nil
	}
	if len(in.Witness) > 0 {
		if len(pushes) == 0 {
			last := in.Witness[len(in.Witness)-1]
			h := sha256.Sum256(last)
			wsh := script.PayToWitnessScriptHash(h[:])
			if len(in.Witness) == 2 && isPubKey(last) {
				return [][]byte{script.PayToWitnessPubKeyHash(script.Hash160(last)), wsh}
			}
			return [][]byte{wsh}
		}
		if len(pushes) == 1 && isWitnessProgram(pushes[0]) {
			return [][]byte{script.PayToScriptHash(script.Hash160(pushes[0]))}
		}
		return nil
	}
	if len(pushes) == 0 {
		return nil
	}
	last := pushes[len(pushes)-1]
	switch {
	case isPubKey(last):
		return [][]byte{script.PayToPubKeyHash(script.Hash160(last)), script.PayToScriptHash(script.Hash160(last))}
	case isWitnessProgram(last) && len(pushes) == 1:
		return [][]byte{script.PayToScriptHash(script.Hash160(last))}
	}
	return nil
}

func isPubKey(b []byte) bool {
	return (len(b) == 33 && (b[0] == 2 || b[0] == 3)) || (len(b) == 65 && b[0] == 4)
}

func isWitnessProgram(b []byte) bool {
	return (len(b) == 22 && b[0] == 0 && b[1] == 20) || (len(b) == 34 && b[0] == 0 && b[1] == 32)
}

// parsePushes splits a push-only script into its pushed data; ok is
// false when it holds anything else or is truncated.
func parsePushes(s []byte) (out [][]byte, ok bool) {
	for i := 0; i < len(s); {
		op := s[i]
		i++
		var n int
		switch {
		case op == 0:
			out = append(out, nil)
			continue
		case op <= 75:
			n = int(op)
		case op == 76:
			if i+1 > len(s) {
				return nil, false
			}
			n = int(s[i])
			i++
		case op == 77:
			if i+2 > len(s) {
				return nil, false
			}
			n = int(s[i]) | int(s[i+1])<<8
			i += 2
		case op == 78:
			if i+4 > len(s) {
				return nil, false
			}
			n = int(s[i]) | int(s[i+1])<<8 | int(s[i+2])<<16 | int(s[i+3])<<24
			i += 4
		case op == 79 || (op >= 81 && op <= 96):
			out = append(out, []byte{op})
			continue
		default:
			return nil, false
		}
		if n < 0 || i+n > len(s) {
			return nil, false
		}
		out = append(out, s[i:i+n])
		i += n
	}
	return out, true
}
