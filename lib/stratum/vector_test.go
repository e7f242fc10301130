package stratum

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// The share vector: regtest genesis, the fixed clock, payout
// P2SH(OP_TRUE), tag "/gg-test/", extranonce1 01020304, extranonce2
// 00000001, the job's ntime and nonce shareNonce. The header was derived
// once by hand (handHeader below, from the notify's strings alone) and
// written here; the server must rebuild exactly these 80 bytes from the
// submit, and the chain must take them as its new tip.
const (
	shareEn2   = "00000001"
	shareNonce = "73613700"
	shareHdr   = "00000020dd48abef04dda6d006113e2083dccf302d1d98413e8c55637ce597e2f947eb569a" +
		"7c99f54c76eb6477c0ff2c211a09d6c8023af1f1217750111e33a8a9b8234890e1046bffff7f2000376173"
	shareHash = "534e655e922f17bc9de335464b080b50bbbe8c8008f7311fc4992fc95a628d9b"
)

// handHeader builds the header from mining.notify's params the way a
// miner does, with nothing from this package: coinbase = coinb1 ‖ en1 ‖
// en2 ‖ coinb2; root = sha256d(coinbase) folded with the branch;
// prevhash un-swapped per 4-byte word; version, ntime, nbits and nonce
// from their %08x to little-endian.
func handHeader(t *testing.T, notifyParams json.RawMessage, en1, en2, ntime, nonce string) string {
	t.Helper()
	var p []any
	if err := json.Unmarshal(notifyParams, &p); err != nil {
		t.Fatal(err)
	}
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatalf("hex %q: %v", s, err)
		}
		return b
	}
	sha256d := func(b []byte) []byte {
		h1 := sha256.Sum256(b)
		h2 := sha256.Sum256(h1[:])
		return h2[:]
	}
	le := func(s string) []byte { // "%08x" -> 4 bytes little-endian
		b := unhex(s)
		return []byte{b[3], b[2], b[1], b[0]}
	}
	root := sha256d(unhex(p[2].(string) + en1 + en2 + p[3].(string)))
	for _, br := range p[4].([]any) {
		root = sha256d(append(root, unhex(br.(string))...))
	}
	prevSwapped := unhex(p[1].(string))
	var prev []byte
	for i := 0; i < 32; i += 4 {
		prev = append(prev, prevSwapped[i+3], prevSwapped[i+2], prevSwapped[i+1], prevSwapped[i])
	}
	var hdr []byte
	hdr = append(hdr, le(p[5].(string))...)
	hdr = append(hdr, prev...)
	hdr = append(hdr, root...)
	hdr = append(hdr, le(ntime)...)
	hdr = append(hdr, le(p[6].(string))...)
	hdr = append(hdr, le(nonce)...)
	return hex.EncodeToString(hdr)
}

func TestServerShareVector(t *testing.T) {
	e := newEnv(t)
	c := e.dial()
	c.handshake("vector", "x")
	if hex.EncodeToString(c.sub.Extranonce1) != "01020304" {
		t.Fatalf("extranonce1 %x, want the configured 01020304", c.sub.Extranonce1)
	}
	raw, n := c.lastRaw, c.last
	ntime := Hex32(n.Time)
	got := handHeader(t, raw, "01020304", shareEn2, ntime, shareNonce)
	t.Logf("hand-built header %s", got)
	if got != shareHdr {
		t.Fatalf("hand-built header\n %s\nwant\n %s", got, shareHdr)
	}
	r := c.call(MethodSubmit, "vector", n.JobID, shareEn2, ntime, shareNonce)
	wantAccepted(t, "vector share", r)
	blk, err := e.chain.BlockByHash(e.tip())
	if err != nil {
		t.Fatal(err)
	}
	if e.tip().String() != shareHash {
		t.Fatalf("tip %s, want the share's block %s", e.tip(), shareHash)
	}
	if h := hex.EncodeToString(blk.Header.Bytes()); h != shareHdr {
		t.Fatalf("the chain's new tip has header\n %s\nwant\n %s", h, shareHdr)
	}
	if sig := blk.Transactions[0].TxIn[0].SignatureScript; !strings.Contains(hex.EncodeToString(sig), "0801020304"+shareEn2) {
		t.Fatalf("coinbase script %x lacks the extranonces", sig)
	}
}
