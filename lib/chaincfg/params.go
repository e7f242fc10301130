package chaincfg

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// Params holds everything that differs between networks.
type Params struct {
	Name string // "main", "testnet", "regtest"
	Net  uint32 // P2P message magic (little-endian on the wire)

	// Ports: base 2000 + 100·network id; P2P +0, HTTP +2, public HTTP +3,
	// Stratum +5.
	NetworkID   int
	P2PPort     int
	RPCPort     int
	PublicPort  int
	StratumPort int

	GenesisBlock *wire.MsgBlock
	GenesisHash  chainhash.Hash

	// Proof of work.
	PowLimit           *big.Int
	PowLimitBits       uint32
	TargetTimePerBlock time.Duration
	TargetTimespan     time.Duration // retarget window in time
	RetargetFactor     int64         // max adjustment per retarget (×/÷)
	NoRetargeting      bool          // regtest: bits never change
	// ReduceMinDifficulty allows a block at PowLimitBits when its timestamp
	// is more than MinDiffReductionTime after its parent (testnet rule).
	ReduceMinDifficulty  bool
	MinDiffReductionTime time.Duration
	// EnforceBIP94 applies BIP94 (testnet4's rules) from genesis: the
	// first block of a retarget window is at most 600 s older than its
	// parent (no time warp), and a retarget scales the window's first
	// block's bits.
	EnforceBIP94 bool

	// Anti-DoS guards for blocks and headers from peers. Checkpoints pin
	// the active chain's hash at given heights (ascending): a header at a
	// checkpoint's height with another hash, or a fork below the last
	// checkpoint the chain has passed, is refused. MinimumChainWork (nil:
	// none) is the work a chain must have, or lead to, before this node
	// stores unsolicited blocks of it; releases raise both as the network
	// grows, as Bitcoin's do.
	Checkpoints      []Checkpoint
	MinimumChainWork *big.Int
	// Seeds are well-known nodes (host:port) a new node learns its first
	// peers from. None run yet on any network: until they do, a node is
	// pointed at a peer with --addnode, --connect or --seednode.
	Seeds []string

	// Subsidy: BaseSubsidy dust, halved every SubsidyHalvingInterval blocks.
	BaseSubsidy            int64
	SubsidyHalvingInterval int32
	CoinbaseMaturity       int32

	// Game layer periods, in blocks.
	AuctionPeriod int32 // default sale length
	AuctionGrace  int32 // blocks after the end during which a sale may still settle

	// Address encoding.
	Bech32HRP        string
	PubKeyHashAddrID byte
	ScriptHashAddrID byte
	PrivateKeyID     byte // WIF
	HDPrivateKeyID   [4]byte
	HDPublicKeyID    [4]byte
	HDCoinType       uint32
}

// Checkpoint is a block of the active chain known at release time.
type Checkpoint struct {
	Height int32
	Hash   chainhash.Hash
}

// CheckpointAt returns the checkpoint at height, or nil.
func (p *Params) CheckpointAt(height int32) *Checkpoint {
	for i := range p.Checkpoints {
		if p.Checkpoints[i].Height == height {
			return &p.Checkpoints[i]
		}
	}
	return nil
}

// BlocksPerRetarget is TargetTimespan / TargetTimePerBlock.
func (p *Params) BlocksPerRetarget() int32 {
	return int32(p.TargetTimespan / p.TargetTimePerBlock)
}

// Subsidy returns the block reward at height, zero after 64 halvings.
func (p *Params) Subsidy(height int32) int64 {
	if p.SubsidyHalvingInterval <= 0 {
		return p.BaseSubsidy
	}
	h := height / p.SubsidyHalvingInterval
	if h >= 64 {
		return 0
	}
	return p.BaseSubsidy >> uint(h)
}

func bigFromHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("chaincfg: bad hex constant " + s)
	}
	return n
}

func mustHash(s string) chainhash.Hash {
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		panic(err)
	}
	return h
}

const (
	mainPowLimitBits    = 0x1f00ffff // 0x0000ffff00…00
	testnetPowLimitBits = 0x1f0fffff // 0x000fffff00…00
	regtestPowLimitBits = 0x207fffff // 0x7fffff00…00
)

// Pinned genesis nonces and hashes; see Genesis for the procedure.
const (
	mainGenesisNonce    = 27851
	testnetGenesisNonce = 1919
	regtestGenesisNonce = 1
	mainGenesisHash     = "00004626bda96767c75233f5aeb6087c53bcaa80a58c441d4cd489639dc187fe"
	testnetGenesisHash  = "0003c7b1537325864ffd4299f2c099005765958c49c1bd21f2fe52f4ef1b9cdd"
	regtestGenesisHash  = "56eb47f9e297e57c63558c3e41981d2d30cfdc83203e1106d0a6dd04efab48dd"
)

func newParams(p Params, nonce uint32, hash string) *Params {
	p.PowLimit = CompactToBig(p.PowLimitBits)
	p.P2PPort = 2000 + 100*p.NetworkID
	p.RPCPort = p.P2PPort + 2
	p.PublicPort = p.P2PPort + 3
	p.StratumPort = p.P2PPort + 5
	p.GenesisBlock = Genesis(p.Name, p.PowLimitBits, nonce)
	p.GenesisHash = mustHash(hash)
	return &p
}

// MainNetParams are the parameters of the main network.
var MainNetParams = newParams(Params{
	Name: "main", Net: 0xe1c6a7f3, NetworkID: 0,
	PowLimitBits:       mainPowLimitBits,
	TargetTimePerBlock: 10 * time.Minute, TargetTimespan: 14 * 24 * time.Hour, RetargetFactor: 4,
	EnforceBIP94: true,
	BaseSubsidy:  50 * 100_000_000, SubsidyHalvingInterval: 210_000, CoinbaseMaturity: 100,
	AuctionPeriod: 144, AuctionGrace: 144,
	Bech32HRP: "gg", PubKeyHashAddrID: 38, ScriptHashAddrID: 23, PrivateKeyID: 0xa6,
	HDPrivateKeyID: [4]byte{0x04, 0x88, 0xad, 0xe4}, HDPublicKeyID: [4]byte{0x04, 0x88, 0xb2, 0x1e},
	HDCoinType: 2018,
}, mainGenesisNonce, mainGenesisHash)

// TestNetParams are the parameters of the public test network.
var TestNetParams = newParams(Params{
	Name: "testnet", Net: 0x7b1c0d05, NetworkID: 1,
	PowLimitBits:       testnetPowLimitBits,
	TargetTimePerBlock: 10 * time.Minute, TargetTimespan: 14 * 24 * time.Hour, RetargetFactor: 4,
	ReduceMinDifficulty: true, MinDiffReductionTime: 20 * time.Minute, EnforceBIP94: true,
	BaseSubsidy: 50 * 100_000_000, SubsidyHalvingInterval: 210_000, CoinbaseMaturity: 100,
	AuctionPeriod: 144, AuctionGrace: 144,
	Bech32HRP: "tg", PubKeyHashAddrID: 111, ScriptHashAddrID: 196, PrivateKeyID: 0xef,
	HDPrivateKeyID: [4]byte{0x04, 0x35, 0x83, 0x94}, HDPublicKeyID: [4]byte{0x04, 0x35, 0x87, 0xcf},
	HDCoinType: 1,
}, testnetGenesisNonce, testnetGenesisHash)

// RegTestParams are the parameters of the local regression-test network:
// minimum difficulty, no retargeting, halving every 150 blocks, short
// auctions.
var RegTestParams = newParams(Params{
	Name: "regtest", Net: 0xb7a2e9fa, NetworkID: 2,
	PowLimitBits:       regtestPowLimitBits,
	TargetTimePerBlock: 10 * time.Minute, TargetTimespan: 14 * 24 * time.Hour, RetargetFactor: 4,
	NoRetargeting: true, ReduceMinDifficulty: true, MinDiffReductionTime: 20 * time.Minute,
	BaseSubsidy: 50 * 100_000_000, SubsidyHalvingInterval: 150, CoinbaseMaturity: 100,
	AuctionPeriod: 10, AuctionGrace: 5,
	Bech32HRP: "rg", PubKeyHashAddrID: 111, ScriptHashAddrID: 196, PrivateKeyID: 0xef,
	HDPrivateKeyID: [4]byte{0x04, 0x35, 0x83, 0x94}, HDPublicKeyID: [4]byte{0x04, 0x35, 0x87, 0xcf},
	HDCoinType: 1,
}, regtestGenesisNonce, regtestGenesisHash)

// Networks lists the known networks in id order.
var Networks = []*Params{MainNetParams, TestNetParams, RegTestParams}

// ByName returns the parameters of the named network ("main"/"mainnet",
// "testnet", "regtest"), case-insensitively.
func ByName(name string) (*Params, error) {
	n := strings.ToLower(name)
	if n == "mainnet" {
		n = "main"
	}
	for _, p := range Networks {
		if p.Name == n {
			return p, nil
		}
	}
	return nil, fmt.Errorf("chaincfg: unknown network %q (want main, testnet or regtest)", name)
}
