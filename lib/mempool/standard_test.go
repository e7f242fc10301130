package mempool

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// TestInputStandardness covers the input and witness policies directly on
// a view: P2SH sigop bound, unknown witness versions, P2WSH limits,
// nested P2SH-P2WSH, witness on non-witness inputs.
func TestInputStandardness(t *testing.T) {
	checksigs := func(n int) []byte { return bytes.Repeat([]byte{script.OP_CHECKSIG}, n) }
	p2sh := func(redeem []byte) []byte { return script.PayToScriptHash(script.Hash160(redeem)) }
	p2wsh := func(ws []byte) []byte { h := sha256.Sum256(ws); return script.PayToWitnessScriptHash(h[:]) }
	items := func(n, size int) wire.TxWitness {
		w := make(wire.TxWitness, n)
		for i := range w {
			w[i] = make([]byte, size)
		}
		return w
	}
	ws := []byte{script.OP_TRUE}
	bigWS := bytes.Repeat([]byte{script.OP_TRUE}, MaxStandardP2WSHScriptSize+1)
	tests := []struct {
		name    string
		prevPk  []byte
		sig     []byte
		witness wire.TxWitness
		kind    error
	}{
		{"P2SH with 15 sigops", p2sh(checksigs(15)), pushData(checksigs(15)), nil, nil},
		{"P2SH with 16 sigops", p2sh(checksigs(16)), pushData(checksigs(16)), nil, ErrNonStandardInputs},
		{"unknown witness version", append([]byte{script.OP_1, 32}, make([]byte, 32)...), nil, wire.TxWitness{{1}}, ErrNonStandardInputs},
		{"bare non-standard", []byte{script.OP_TRUE}, nil, nil, ErrNonStandardInputs},
		{"P2WSH within limits", p2wsh(ws), nil, append(items(100, 80), ws), nil},
		{"P2WSH script too large", p2wsh(bigWS), nil, wire.TxWitness{bigWS}, ErrNonStandardWitness},
		{"P2WSH too many items", p2wsh(ws), nil, append(items(101, 1), ws), ErrNonStandardWitness},
		{"P2WSH item too large", p2wsh(ws), nil, append(items(1, 81), ws), ErrNonStandardWitness},
		{"nested P2SH-P2WSH item too large", p2sh(p2wsh(ws)), pushData(p2wsh(ws)), append(items(1, 81), ws), ErrNonStandardWitness},
		{"nested P2SH-P2WSH within limits", p2sh(p2wsh(ws)), pushData(p2wsh(ws)), append(items(2, 80), ws), nil},
		{"witness on P2SH without redeem script", p2sh(ws), nil, wire.TxWitness{{1}}, ErrNonStandardWitness},
		{"witness on P2PKH", script.PayToPubKeyHash(make([]byte, 20)), nil, wire.TxWitness{{1}}, ErrNonStandardWitness},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := wire.OutPoint{Hash: [32]byte{1}}
			tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: prev, SignatureScript: tt.sig, Witness: tt.witness}}}
			view := chain.NewUtxoViewpoint()
			view.AddEntry(prev, &chain.UtxoEntry{Amount: 1000, PkScript: tt.prevPk, Height: 1})
			err := checkInputsStandard(tx, view)
			if err == nil {
				err = checkWitnessStandard(tx, view)
			}
			if tt.kind == nil && err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Fatalf("err %v, want %v", err, tt.kind)
			}
		})
	}
}

func TestLastPush(t *testing.T) {
	tests := []struct {
		s    []byte
		want []byte
		ok   bool
	}{
		{[]byte{0x02, 0xaa, 0xbb}, []byte{0xaa, 0xbb}, true},
		{[]byte{0x01, 0xaa, 0x00}, []byte{}, true},
		{[]byte{0x4c, 0x01, 0xcc}, []byte{0xcc}, true},
		{[]byte{0x4d, 0x01, 0x00, 0xdd}, []byte{0xdd}, true},
		{[]byte{0x4e, 0x01, 0x00, 0x00, 0x00, 0xee}, []byte{0xee}, true},
		{[]byte{0x01, 0xaa, script.OP_1 + 4}, []byte{5}, true},
		{[]byte{0x4f}, []byte{0x81}, true},
		{nil, nil, false},
		{[]byte{0x03, 0xaa}, nil, false},                // truncated push
		{[]byte{0x4d, 0x01}, nil, false},                // truncated length
		{[]byte{0x01, 0xaa, script.OP_DUP}, nil, false}, // not push-only
		// PUSHDATA4 lengths at and above 2³¹ (negative as a 32-bit int)
		// and just below: truncated pushes on every build, never a panic.
		{[]byte{0x4e, 0x00, 0x00, 0x00, 0x80, 0xee}, nil, false},
		{[]byte{0x4e, 0xff, 0xff, 0xff, 0xff, 0xee}, nil, false},
		{[]byte{0x4e, 0xfb, 0xff, 0xff, 0x7f, 0xee}, nil, false},
	}
	for _, tt := range tests {
		got, ok := lastPush(tt.s)
		if ok != tt.ok || !bytes.Equal(got, tt.want) {
			t.Errorf("lastPush(%x) = %x, %v; want %x, %v", tt.s, got, ok, tt.want, tt.ok)
		}
	}
}
