package stratum

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
)

func TestLineReader(t *testing.T) {
	in := "{\"a\":1}\r\n\n  \n{\"b\":2}\n"
	lr := NewLineReader(strings.NewReader(in), 0)
	for _, want := range []string{`{"a":1}`, `{"b":2}`} {
		got, err := lr.ReadLine()
		if err != nil || string(got) != want {
			t.Fatalf("ReadLine = %q, %v; want %q", got, err, want)
		}
	}
	if _, err := lr.ReadLine(); err != io.EOF {
		t.Fatalf("at the end: %v, want io.EOF", err)
	}
}

func TestLineReaderErrors(t *testing.T) {
	long := strings.Repeat("x", 100) + "\n"
	if _, err := NewLineReader(strings.NewReader(long), 64).ReadLine(); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("100-byte line under a 64-byte bound: %v, want ErrLineTooLong", err)
	}
	exact := strings.Repeat("x", 63) + "\n"
	if got, err := NewLineReader(strings.NewReader(exact), 64).ReadLine(); err != nil || len(got) != 63 {
		t.Errorf("64-byte line under a 64-byte bound: %d bytes, %v", len(got), err)
	}
	mb := strings.Repeat("y", 1<<20) + "\n"
	if _, err := NewLineReader(strings.NewReader(mb), 0).ReadLine(); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("1 MB line: %v, want ErrLineTooLong", err)
	}
	if _, err := NewLineReader(strings.NewReader(`{"id":1`), 0).ReadLine(); err != io.ErrUnexpectedEOF {
		t.Errorf("truncated line: %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestDecodeLine(t *testing.T) {
	m, err := DecodeLine([]byte(`{"id":4,"method":"mining.submit","params":["w","1","00000000","5f5e1000","00000001"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := m.IDInt(); !ok || id != 4 || m.Method != MethodSubmit || m.IsResponse() || m.IsNotification() {
		t.Fatalf("request decoded as %+v", m)
	}
	ps, err := m.ParamList()
	if err != nil || len(ps) != 5 {
		t.Fatalf("params %v, %v", ps, err)
	}
	m, err = DecodeLine([]byte(`{"id":null,"method":"mining.set_difficulty","params":[0.5]}`))
	if err != nil || !m.IsNotification() {
		t.Fatalf("notification: %+v, %v", m, err)
	}
	m, err = DecodeLine([]byte(`{"id":"x","result":null,"error":[23,"Low difficulty share",null]}`))
	if err != nil || !m.IsResponse() || m.Error == nil || m.Error.Code != CodeLowDifficulty || m.Error.Message != "Low difficulty share" {
		t.Fatalf("error response: %+v, %v", m, err)
	}
	m, err = DecodeLine([]byte(`{"id":2,"result":true,"error":null}`))
	if err != nil || m.Error != nil || string(m.Result) != "true" {
		t.Fatalf("result response: %+v, %v", m, err)
	}
	m, err = DecodeLine([]byte(`{"id":3,"result":null,"error":{"code":24,"message":"Unauthorized worker"}}`))
	if err != nil || m.Error == nil || m.Error.Code != CodeUnauthorized {
		t.Fatalf("object error: %+v, %v", m, err)
	}
}

func TestDecodeLineErrors(t *testing.T) {
	for _, in := range []string{
		``, `null`, `[1,2]`, `"x"`, `{`, `{"id":1,"method":"x"`, `{"id":1}{"id":2}`, `{"id":1} x`,
		`{"id":true,"method":"m"}`, `{"id":{},"method":"m"}`, `{"id":1,"method":5}`, `{"id":1,"method":""}`,
		`{"id":1,"method":"m","params":{"a":1}}`, `{"id":1,"method":"m","params":"x"}`,
		`{"id":1,"result":1,"error":5}`, `{"id":1,"result":1,"error":[20]}`,
	} {
		if m, err := DecodeLine([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeLine(%q) = %+v, %v; want ErrMalformed", in, m, err)
		}
	}
}

func TestEncode(t *testing.T) {
	b, err := EncodeRequest(1, MethodSubscribe, "gg-miner/1")
	if err != nil || string(b) != `{"id":1,"method":"mining.subscribe","params":["gg-miner/1"]}`+"\n" {
		t.Errorf("request %q %v", b, err)
	}
	b, _ = EncodeRequest(7, MethodExtranonceSubscribe)
	if string(b) != `{"id":7,"method":"mining.extranonce.subscribe","params":[]}`+"\n" {
		t.Errorf("request without params %q", b)
	}
	b, _ = EncodeNotification(MethodSetDifficulty, 0.001)
	if string(b) != `{"id":null,"method":"mining.set_difficulty","params":[0.001]}`+"\n" {
		t.Errorf("notification %q", b)
	}
	b, _ = EncodeResponse(json.RawMessage("4"), true, nil)
	if string(b) != `{"id":4,"result":true,"error":null}`+"\n" {
		t.Errorf("response %q", b)
	}
	b, _ = EncodeResponse(nil, true, &Error{CodeDuplicate, "Duplicate share"})
	if string(b) != `{"id":null,"result":null,"error":[22,"Duplicate share",null]}`+"\n" {
		t.Errorf("error response %q", b)
	}
	sub := &Subscription{ID: "ab", Extranonce1: []byte{1, 2, 3, 4}, Extranonce2Size: 4}
	b, _ = EncodeResponse(json.RawMessage("1"), sub, nil)
	if string(b) != `{"id":1,"result":[[["mining.set_difficulty","ab"],["mining.notify","ab"]],"01020304",4],"error":null}`+"\n" {
		t.Errorf("subscribe response %q", b)
	}
	m, err := DecodeLine(bytes.TrimSpace(b))
	if err != nil {
		t.Fatal(err)
	}
	var back Subscription
	if err := json.Unmarshal(m.Result, &back); err != nil || back.ID != "ab" || !bytes.Equal(back.Extranonce1, sub.Extranonce1) || back.Extranonce2Size != 4 {
		t.Errorf("subscription round trip: %+v, %v", back, err)
	}
	if !errors.Is(&Error{CodeDuplicate, "x"}, &Error{Code: CodeDuplicate}) || errors.Is(&Error{CodeDuplicate, "x"}, &Error{Code: CodeOther}) {
		t.Error("Error.Is does not match by code")
	}
}

func TestSubscriptionErrors(t *testing.T) {
	for _, in := range []string{`null`, `[]`, `[[],"zz",4]`, `[[],"00",-1]`, `[[],"00",33]`, `[[],5,4]`} {
		var s Subscription
		if err := json.Unmarshal([]byte(in), &s); !errors.Is(err, ErrBadParams) {
			t.Errorf("Subscription from %s: %v, want ErrBadParams", in, err)
		}
	}
	var s Subscription // one pair instead of a list (some pools)
	if err := json.Unmarshal([]byte(`[["mining.notify","ae6812eb"],"08000002",4]`), &s); err != nil || s.ID != "ae6812eb" {
		t.Errorf("single pair: %+v, %v", s, err)
	}
}

// Bitcoin's genesis hash, whose stratum form appears in every block-1 job.
func TestPrevHashHex(t *testing.T) {
	h, _ := chainhash.NewHashFromStr("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
	const want = "0a8ce26f72b3f1b646a2a6c14ff763ae65831e939c085ae10019d66800000000"
	if got := PrevHashHex(h); got != want {
		t.Fatalf("PrevHashHex = %s, want %s", got, want)
	}
	back, err := ParsePrevHash(want)
	if err != nil || back != h {
		t.Fatalf("ParsePrevHash = %s, %v", back, err)
	}
	for _, bad := range []string{"", "00", strings.Repeat("g", 64), strings.Repeat("0", 66)} {
		if _, err := ParsePrevHash(bad); !errors.Is(err, ErrBadParams) {
			t.Errorf("ParsePrevHash(%q): %v", bad, err)
		}
	}
}

func TestHex32(t *testing.T) {
	if Hex32(0x20000000) != "20000000" || Hex32(0x73613700) != "73613700" || Hex32(1) != "00000001" {
		t.Fatal("Hex32 is not %08x of the value")
	}
	if v, err := ParseHex32("73613700"); err != nil || v != 0x73613700 {
		t.Fatalf("ParseHex32 = %x, %v", v, err)
	}
	if v, err := ParseHex32("DEADBEEF"); err != nil || v != 0xdeadbeef {
		t.Fatalf("ParseHex32 upper case = %x, %v", v, err)
	}
	for _, bad := range []string{"", "1", "0000000", "000000000", "-0000001", "+0000001", "0x000001", "zzzzzzzz"} {
		if _, err := ParseHex32(bad); !errors.Is(err, ErrBadParams) {
			t.Errorf("ParseHex32(%q): %v", bad, err)
		}
	}
}

func TestDifficultyTarget(t *testing.T) {
	one, err := DifficultyToTarget(1)
	if err != nil || one.Cmp(DiffOneTarget) != 0 {
		t.Fatalf("difficulty 1 = %x", one)
	}
	// cpuminer logged "Target: 000007cff83..." at difficulty 0.0005.
	tg, _ := DifficultyToTarget(0.0005)
	if s := fmt.Sprintf("%064x", tg); !strings.HasPrefix(s, "000007cff8") {
		t.Fatalf("difficulty 0.0005 = %s", s)
	}
	if d := TargetToDifficulty(tg); d < 0.000499999 || d > 0.000500001 {
		t.Fatalf("back to difficulty: %v", d)
	}
	tiny, _ := DifficultyToTarget(1e-30)
	if tiny.Cmp(maxTarget) != 0 {
		t.Fatalf("tiny difficulty not capped at 2^256-1: %x", tiny)
	}
	for _, bad := range []float64{0, -1} {
		if _, err := DifficultyToTarget(bad); !errors.Is(err, ErrBadParams) {
			t.Errorf("difficulty %v: %v", bad, err)
		}
	}
	h := chainhash.Hash{} // hash 0 meets every target
	if !HashMeets(&h, big.NewInt(0)) {
		t.Error("zero hash misses target 0")
	}
	h[31] = 1 // 2^248 as a little-endian number
	if HashMeets(&h, DiffOneTarget) {
		t.Error("2^248 meets the difficulty-1 target")
	}
}

func TestRollVersion(t *testing.T) {
	if v := RollVersion(0x20000000, 0xffffffff, DefaultVersionMask); v != 0x3fffe000 {
		t.Fatalf("RollVersion = %08x", v)
	}
}

func TestNotifyRoundTrip(t *testing.T) {
	n := &Notify{JobID: "1f", PrevHash: chainhash.DoubleHashH([]byte("p")), Coinb1: []byte{1, 2}, Coinb2: []byte{3},
		Branch: []chainhash.Hash{chainhash.DoubleHashH([]byte("b"))}, Version: 0x20000000, Bits: 0x207fffff, Time: 0x5f5e1000, Clean: true}
	b, _ := EncodeNotification(MethodNotify, n.Params()...)
	m, err := DecodeLine(bytes.TrimSpace(b))
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseNotify(m.Params)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(back) != fmt.Sprint(n) {
		t.Fatalf("round trip\n got %+v\nwant %+v", back, n)
	}
}

func TestParseNotifyErrors(t *testing.T) {
	good := []any{"1", strings.Repeat("0", 64), "01", "02", []string{}, "20000000", "207fffff", "5f5e1000", true}
	cases := map[string]func(p []any) []any{
		"short":          func(p []any) []any { return p[:8] },
		"prevhash":       func(p []any) []any { p[1] = "00"; return p },
		"coinb1":         func(p []any) []any { p[2] = "zz"; return p },
		"branch entry":   func(p []any) []any { p[4] = []string{"00"}; return p },
		"version digits": func(p []any) []any { p[5] = "2000000"; return p },
		"clean type":     func(p []any) []any { p[8] = "yes"; return p },
		"job id type":    func(p []any) []any { p[0] = 1; return p },
	}
	for name, mut := range cases {
		p := mut(append([]any(nil), good...))
		raw, _ := json.Marshal(p)
		if _, err := ParseNotify(raw); !errors.Is(err, ErrBadParams) {
			t.Errorf("%s: %v, want ErrBadParams", name, err)
		}
	}
}

func TestParseSubmit(t *testing.T) {
	s := &Submit{Worker: "w", JobID: "2a", Extranonce2: []byte{0, 0, 0, 1}, Time: 0x5f5e1000, Nonce: 0x73613700}
	back, err := ParseSubmit(rawParams(t, s.Params()))
	if err != nil || fmt.Sprint(back) != fmt.Sprint(s) {
		t.Fatalf("round trip %+v, %v", back, err)
	}
	s.VersionBits, s.HasVersionBits = 0x00002000, true
	back, err = ParseSubmit(rawParams(t, s.Params()))
	if err != nil || fmt.Sprint(back) != fmt.Sprint(s) {
		t.Fatalf("round trip with version bits %+v, %v", back, err)
	}
}

func TestParseSubmitErrors(t *testing.T) {
	for name, p := range map[string][]any{
		"four":         {"w", "1", "00", "5f5e1000"},
		"seven":        {"w", "1", "00", "5f5e1000", "00000000", "00000000", "x"},
		"en2 hex":      {"w", "1", "0g", "5f5e1000", "00000000"},
		"ntime digits": {"w", "1", "00", "5f5e100", "00000000"},
		"nonce digits": {"w", "1", "00", "5f5e1000", "0"},
		"worker type":  {1, "1", "00", "5f5e1000", "00000000"},
		"version bits": {"w", "1", "00", "5f5e1000", "00000000", "zz"},
	} {
		if _, err := ParseSubmit(rawParams(t, p)); !errors.Is(err, ErrBadParams) {
			t.Errorf("%s: %v, want ErrBadParams", name, err)
		}
	}
}

func rawParams(t *testing.T, p []any) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for _, v := range p {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// The coinbase-only case: the root is the coinbase's txid; with a
// branch each entry is hashed on the right.
func TestMerkleRootFromBranch(t *testing.T) {
	cb := Coinbase([]byte{1}, []byte{2}, []byte{3}, []byte{4})
	if hex.EncodeToString(cb) != "01020304" {
		t.Fatalf("Coinbase = %x", cb)
	}
	id := chainhash.DoubleHashH(cb)
	if MerkleRootFromBranch(cb, nil) != id {
		t.Fatal("root without branch is not the coinbase txid")
	}
	b := chainhash.DoubleHashH([]byte("sibling"))
	if MerkleRootFromBranch(cb, []chainhash.Hash{b}) != chainhash.HashPair(&id, &b) {
		t.Fatal("root with one branch entry is not sha256d(txid || entry)")
	}
}
