package rpc

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

// TestDecodeRawTransactionNoInputs: decoderawtransaction reads a
// transaction without inputs (gg-tx create's output before funding),
// whose legacy bytes begin like a BIP144 witness marker, as bitcoind
// does; sendrawtransaction decodes it too and refuses it for what it is,
// and bytes that are no transaction stay a decode error (-22).
func TestDecodeRawTransactionNoInputs(t *testing.T) {
	f := newNodeFixture(t)
	tx := &wire.MsgTx{Version: 2, LockTime: 7,
		TxOut: []*wire.TxOut{{Value: 100_000_000, PkScript: []byte{0x51}}, {Value: 0, PkScript: []byte{0x6a, 0x02, 0xca, 0xfe}}}}
	raw := hex.EncodeToString(tx.Bytes())
	if !strings.HasPrefix(raw, "020000000002") {
		t.Fatalf("not the ambiguous form: %s", raw)
	}
	for _, m := range []string{"decoderawtransaction", "tx.raw.decode"} {
		out := string(f.must(t, m, raw))
		for _, want := range []string{`"txid":"` + tx.TxHash().String(), `"vin":[]`, `"locktime":7`, `"n":1`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: %s lacks %s", m, out, want)
			}
		}
	}
	if _, re := f.call(t, "sendrawtransaction", raw); re == nil || re.Code == CodeDeserialize {
		t.Errorf("sendrawtransaction of a tx without inputs: %v, want a rejection, not a decode error", re)
	}
	for _, bad := range []string{raw + "00", raw[:len(raw)-2], "0200000000"} {
		if _, re := f.call(t, "decoderawtransaction", bad); re == nil || re.Code != CodeDeserialize {
			t.Errorf("decoderawtransaction %s: %v, want code %d", bad, re, CodeDeserialize)
		}
	}
}
