package mempool

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/wire"
)

// FuzzDecodeFile feeds arbitrary mempool.dat bodies (with a valid
// checksum appended, so the fuzzer reaches the record parser) to the
// decoder: it must never panic, and whatever it accepts must encode back
// to the same bytes.
func FuzzDecodeFile(f *testing.F) {
	net := chaincfg.RegTestParams.Net
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{Sequence: 1, SignatureScript: []byte{1}})
	tx.AddTxOut(&wire.TxOut{Value: 5, PkScript: []byte{0x51}})
	good := encodeFile(net, []fileRecord{{tx: tx, added: time.Unix(0, 42), feeDelta: -3}})
	f.Add(good[:len(good)-sha256.Size])
	f.Add(encodeFile(net, nil)[:fileHeaderSize])
	f.Fuzz(func(t *testing.T, body []byte) {
		sum := sha256.Sum256(body)
		b := append(append([]byte{}, body...), sum[:]...)
		recs, err := decodeFile(b, net)
		if err != nil {
			return
		}
		if again := encodeFile(net, recs); !bytes.Equal(again, b) {
			t.Fatalf("accepted file does not re-encode identically")
		}
	})
}
