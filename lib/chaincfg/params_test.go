package chaincfg

import (
	"math/big"
	"testing"
)

// TestGenesis rebuilds each genesis block by the documented procedure,
// re-searches the nonce from zero and checks the pinned constants.
func TestGenesis(t *testing.T) {
	for _, p := range Networks {
		b := Genesis(p.Name, p.PowLimitBits, 0)
		nonce := searchNonce(b.Header)
		if nonce != p.GenesisBlock.Header.Nonce {
			t.Errorf("%s: first valid nonce %d, pinned %d", p.Name, nonce, p.GenesisBlock.Header.Nonce)
		}
		got := Genesis(p.Name, p.PowLimitBits, nonce).BlockHash()
		if got != p.GenesisHash || p.GenesisBlock.BlockHash() != p.GenesisHash {
			t.Errorf("%s: genesis hash %s, pinned %s", p.Name, got, p.GenesisHash)
		}
		if HashToBig(&got).Cmp(p.PowLimit) > 0 {
			t.Errorf("%s: genesis does not meet its pow limit", p.Name)
		}
		root, mutated := p.GenesisBlock.Transactions[0].TxHash(), false
		if root != p.GenesisBlock.Header.MerkleRoot || mutated {
			t.Errorf("%s: merkle root mismatch", p.Name)
		}
	}
}

func TestParamsDistinct(t *testing.T) {
	seen := map[any]string{}
	for _, p := range Networks {
		for _, k := range []any{p.Net, p.Bech32HRP, p.P2PPort, p.GenesisHash} {
			if other, ok := seen[k]; ok {
				t.Errorf("%s and %s share %v", p.Name, other, k)
			}
			seen[k] = p.Name
		}
	}
	if MainNetParams.RPCPort != 2002 || TestNetParams.StratumPort != 2105 || RegTestParams.P2PPort != 2200 {
		t.Error("ports do not follow base 2000 + 100·network")
	}
	if MainNetParams.BlocksPerRetarget() != 2016 {
		t.Errorf("retarget interval %d", MainNetParams.BlocksPerRetarget())
	}
}

func TestSubsidy(t *testing.T) {
	p := RegTestParams
	cases := map[int32]int64{0: 50e8, 149: 50e8, 150: 25e8, 300: 12.5e8, 150 * 64: 0}
	for h, want := range cases {
		if got := p.Subsidy(h); got != want {
			t.Errorf("regtest subsidy(%d) = %d, want %d", h, got, want)
		}
	}
	if MainNetParams.Subsidy(210_000) != 25e8 {
		t.Error("main halving")
	}
	// Total issuance stays under 21 million GG.
	var total int64
	for h := int32(0); h < 64*210_000; h += 210_000 {
		total += MainNetParams.Subsidy(h) * 210_000
	}
	if total > 21_000_000*1e8 {
		t.Errorf("total supply %d exceeds 21M GG", total)
	}
}

func TestCompact(t *testing.T) {
	cases := []uint32{0x1d00ffff, 0x1f00ffff, 0x207fffff, 0x1b0404cb, 0x03123456, 0x01120000}
	for _, c := range cases {
		if got := BigToCompact(CompactToBig(c)); got != c {
			t.Errorf("compact %08x round trip -> %08x", c, got)
		}
	}
	if CompactToBig(0x04923456).Sign() >= 0 {
		t.Error("sign bit ignored")
	}
	want := new(big.Int).Lsh(big.NewInt(0xffff), 208)
	if CompactToBig(0x1d00ffff).Cmp(want) != 0 {
		t.Error("bitcoin diff-1 target")
	}
	if CalcWork(0x1d00ffff).Cmp(big.NewInt(0x100010001)) != 0 {
		t.Errorf("work of diff 1 = %s", CalcWork(0x1d00ffff))
	}
}

func TestByName(t *testing.T) {
	for _, n := range []string{"main", "mainnet", "TESTNET", "regtest"} {
		if _, err := ByName(n); err != nil {
			t.Errorf("ByName(%q): %v", n, err)
		}
	}
	if _, err := ByName("simnet"); err == nil {
		t.Error("unknown network accepted")
	}
}
