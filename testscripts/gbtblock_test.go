package testscripts

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
)

// gbtblock TEMPLATE ADDRESS: print, in hex, a solved block built from a
// getblocktemplate reply (the JSON file TEMPLATE) the way a stock GBT
// miner (pooler/cpuminer) builds it, from raw bytes and not with the
// project's own code: a version-1 coinbase whose script is the BIP34
// height and a 4-byte extra nonce, paying coinbasevalue to ADDRESS, then
// the template's default_witness_commitment output, and no witness; the
// template's transactions as given; the merkle root over txids; the
// template's version, previous hash, curtime and bits; a nonce searched
// from zero.
func cmdGBTBlock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gbtblock TEMPLATE ADDRESS")
	}
	raw, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var t struct {
		Version    uint32 `json:"version"`
		Prev       string `json:"previousblockhash"`
		Value      int64  `json:"coinbasevalue"`
		Commitment string `json:"default_witness_commitment"`
		CurTime    uint32 `json:"curtime"`
		Bits       string `json:"bits"`
		Height     int64  `json:"height"`
		Txs        []struct {
			Data string `json:"data"`
			Txid string `json:"txid"`
		} `json:"transactions"`
	}
	ts.Check(json.Unmarshal(raw, &t))
	addr, err := address.Decode(args[1], chaincfg.RegTestParams)
	ts.Check(err)

	// The coinbase, byte by byte.
	sig := pushScriptNum(t.Height)
	sig = append(sig, 4, 0x01, 0x02, 0x03, 0x04) // the extra nonce, a 4-byte push
	cb := binary.LittleEndian.AppendUint32(nil, 1)
	cb = append(cb, 1)                      // one input
	cb = append(cb, make([]byte, 32)...)    // null prevout hash
	cb = append(cb, 0xff, 0xff, 0xff, 0xff) // and index
	cb = append(cb, byte(len(sig)))
	cb = append(cb, sig...)
	cb = append(cb, 0xff, 0xff, 0xff, 0xff) // sequence
	commit, err := hex.DecodeString(t.Commitment)
	ts.Check(err)
	outs := 1
	if len(commit) > 0 {
		outs = 2
	}
	cb = append(cb, byte(outs))
	cb = binary.LittleEndian.AppendUint64(cb, uint64(t.Value))
	cb = append(cb, byte(len(addr.PkScript())))
	cb = append(cb, addr.PkScript()...)
	if len(commit) > 0 {
		cb = binary.LittleEndian.AppendUint64(cb, 0)
		cb = append(cb, byte(len(commit)))
		cb = append(cb, commit...)
	}
	cb = binary.LittleEndian.AppendUint32(cb, 0) // lock time

	// The merkle root over txids, internal byte order.
	level := []chainhash.Hash{chainhash.DoubleHashH(cb)}
	var body []byte
	if n := 1 + len(t.Txs); n < 0xfd {
		body = append(body, byte(n))
	} else {
		body = binary.LittleEndian.AppendUint16(append(body, 0xfd), uint16(n))
	}
	body = append(body, cb...)
	for _, tx := range t.Txs {
		h, err := chainhash.NewHashFromStr(tx.Txid)
		ts.Check(err)
		level = append(level, h)
		b, err := hex.DecodeString(tx.Data)
		ts.Check(err)
		body = append(body, b...)
	}
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		var next []chainhash.Hash
		for i := 0; i < len(level); i += 2 {
			next = append(next, chainhash.DoubleHashH(append(level[i][:], level[i+1][:]...)))
		}
		level = next
	}
	prev, err := chainhash.NewHashFromStr(t.Prev)
	ts.Check(err)
	bits, err := strconv.ParseUint(t.Bits, 16, 32)
	ts.Check(err)
	hdr := binary.LittleEndian.AppendUint32(nil, t.Version)
	hdr = append(hdr, prev[:]...)
	hdr = append(hdr, level[0][:]...)
	hdr = binary.LittleEndian.AppendUint32(hdr, t.CurTime)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(bits))
	hdr = binary.LittleEndian.AppendUint32(hdr, 0)
	target := chaincfg.CompactToBig(uint32(bits))
	for nonce := uint32(0); ; nonce++ {
		binary.LittleEndian.PutUint32(hdr[76:], nonce)
		h := chainhash.DoubleHashH(hdr)
		if chaincfg.HashToBig(&h).Cmp(target) <= 0 {
			break
		}
		if nonce == 1<<20 {
			ts.Fatalf("no nonce below 2^20 meets bits %s", t.Bits)
		}
	}
	fmt.Fprintln(ts.Stdout(), hex.EncodeToString(append(hdr, body...)))
}

// pushScriptNum is a minimal push of n as a script number, as BIP34
// miners write the height (n > 16 here: regtest templates past block 16).
func pushScriptNum(n int64) []byte {
	var b []byte
	for v := n; v > 0; v >>= 8 {
		b = append(b, byte(v))
	}
	if len(b) > 0 && b[len(b)-1]&0x80 != 0 {
		b = append(b, 0)
	}
	return append([]byte{byte(len(b))}, b...)
}
