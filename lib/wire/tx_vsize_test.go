package wire

import "testing"

func TestTxInVirtualSize(t *testing.T) {
	for _, c := range []struct {
		name string
		in   TxIn
		want int64
	}{
		{"P2WPKH: empty script, 72-byte signature and 33-byte key", TxIn{Witness: TxWitness{make([]byte, 72), make([]byte, 33)}}, 41 + 27},
		{"legacy: 107-byte script, no witness", TxIn{SignatureScript: make([]byte, 107)}, 148},
		{"witness of 1 byte rounds up", TxIn{Witness: TxWitness{{}}}, 41 + 1},
	} {
		if got := c.in.VirtualSize(); got != c.want {
			t.Errorf("%s: %d vbytes, want %d", c.name, got, c.want)
		}
	}
}
