package wire

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// DecodeTxLenient decodes a transaction given by a user (hex on a
// command line, an RPC parameter, a file), where a transaction without
// inputs is expected: what gg-tx create prints before a wallet funds it.
// Its legacy serialization begins with an input count of zero, which the
// BIP144 extended serialization reads as the witness marker, so
// DecodeTx refuses it.
//
// DecodeTxLenient first tries DecodeTx (the extended form wins when both
// readings succeed, as in bitcoind's decoderawtransaction) and, when that
// fails and the input count is zero, reads the bytes again as a legacy
// transaction without inputs. Either way every byte must be consumed,
// and the result re-encodes to exactly the bytes given.
//
// Consensus and peer-to-peer decoding must keep using DecodeTx and
// DecodeBlock: a transaction without inputs is invalid there, and its
// serialization must stay unambiguous.
func DecodeTxLenient(b []byte) (*MsgTx, error) {
	tx, off, err := decodeTx(b, false)
	if err == nil || len(b) < 5 || b[4] != 0 {
		return tx, err
	}
	tx, loff, lerr := decodeTx(b, true)
	if lerr == nil {
		return tx, nil
	}
	// Both readings failed: report the one that got further, the
	// likelier intent.
	if loff > off {
		return nil, lerr
	}
	return nil, err
}

// decodeTx reads exactly one transaction from b (see readTx) and
// reports how far it got.
func decodeTx(b []byte, noInputs bool) (*MsgTx, int, error) {
	r := NewReader(b)
	tx, err := readTx(r, noInputs)
	if err == nil {
		err = r.Done("tx")
	}
	if err != nil {
		return nil, r.Offset(), err
	}
	return tx, r.Offset(), nil
}

// DecodeTxHexLenient decodes a hex-encoded transaction with
// DecodeTxLenient; surrounding whitespace is ignored.
func DecodeTxHexLenient(s string) (*MsgTx, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("wire: tx hex: %w", err)
	}
	return DecodeTxLenient(b)
}
