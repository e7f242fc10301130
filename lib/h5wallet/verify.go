package h5wallet

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/wire"
)

// Verified mode: the wallet's coins found from BIP158 filters and blocks
// instead of the node's address index. A Verifier walks the chain from
// an anchor (a block's hash, header and filter header, taken from the
// node on trust) or from the network's genesis block. Each header after
// it must:
//
//   - link to the one before (block 0 must be the genesis block);
//   - carry the difficulty the chain allows after its parent: outside a
//     retarget height (a multiple of BlocksPerRetarget) the parent's
//     bits exactly, at one a target at most RetargetFactor times above
//     or below the parent's (the node's exact rule also needs the
//     window's first timestamp, which a walk from an anchor may not
//     have), and never above PowLimit; networks with NoRetargeting keep
//     the parent's bits at every height. On networks that allow
//     minimum-difficulty blocks (ReduceMinDifficulty: testnet, regtest)
//     only the limit is checked, since whether such a block is allowed
//     depends on timestamps and ancestors the walk does not check;
//   - have a hash that meets its bits.
//
// Each filter must hash into the filter header chain the node serves,
// and each block whose filter matches one of the wallet's scripts must
// hash to its header and hold the transactions its merkle root commits
// to; the coins are then read from those blocks. Timestamps (median
// time past, the future limit), checkpoints and the blocks' contents
// beyond the wallet's outputs are not checked. The node can still
// withhold or forge a whole chain from the anchor on (a single source),
// but its blocks cost the anchor's difficulty, easing by at most
// RetargetFactor per retarget window (on networks without
// ReduceMinDifficulty); the node cannot make the balance disagree with
// blocks that meet that work.

// Verifier holds the walk's state.
type Verifier struct {
	k       *Keyring
	tipHash chainhash.Hash // the last header checked
	tipFH   chainhash.Hash // its filter header
	bits    uint32         // its bits
	height  int32
	pending map[chainhash.Hash]int32 // matched blocks not scanned yet → height
	coins   map[wire.OutPoint]Coin
	scanned int
}

// Anchor is where a walk starts: the block Hash (display hex) at Height,
// its 80-byte Header (hex: its bits bound the next header's) and its
// FilterHeader (display hex). Before genesis: all empty and height -1.
type Anchor struct {
	Hash         string `json:"anchor"`
	Header       string `json:"anchor_header"`
	FilterHeader string `json:"anchor_fh"`
	Height       int32  `json:"height"`
}

// FilterRun is a run of consecutive blocks after the verifier's tip:
// their 80-byte headers (hex), filter headers (display hex) and basic
// filters (hex), in order.
type FilterRun struct {
	Headers       []string `json:"headers"`
	FilterHeaders []string `json:"filter_headers"`
	Filters       []string `json:"filters"`
}

// VerifiedState is what a verifier found.
type VerifiedState struct {
	Height  int32    `json:"height"`
	Tip     string   `json:"tip"`
	Balance int64    `json:"balance"`
	Coins   []Coin   `json:"coins"`
	Matched []string `json:"matched"` // blocks to scan (hash, display)
	Scanned int      `json:"scanned"`
}

// NewVerifier starts a walk after the anchor a.
func (k *Keyring) NewVerifier(a Anchor) (*Verifier, error) {
	v := &Verifier{k: k, height: a.Height, pending: map[chainhash.Hash]int32{}, coins: map[wire.OutPoint]Coin{}}
	if (a.Hash == "") != (a.Height < 0) || a.Height < -1 {
		return nil, fmt.Errorf("verifier: %w: anchor %q at height %d (want none at -1, or one at 0 or more)", ErrInvalidArgument, a.Hash, a.Height)
	}
	if a.Hash == "" {
		return v, nil
	}
	hdr, err := parseHeader(a.Header)
	fh, err2 := chainhash.NewHashFromStr(a.FilterHeader)
	if err != nil || err2 != nil || hdr.BlockHash().String() != a.Hash {
		return nil, fmt.Errorf("verifier: %w: anchor %q: want its 80-byte header (hex) and filter header", ErrInvalidArgument, a.Hash)
	}
	if _, err := checkTarget(hdr.Bits, k.params); err != nil {
		return nil, fmt.Errorf("verifier: %w: anchor %s: %v", ErrInvalidArgument, a.Hash, err)
	}
	v.tipHash, v.tipFH, v.bits = hdr.BlockHash(), fh, hdr.Bits
	return v, nil
}

// parseHeader decodes an 80-byte header from hex.
func parseHeader(s string) (wire.BlockHeader, error) {
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) != wire.BlockHeaderSize {
		return wire.BlockHeader{}, fmt.Errorf("%w: not 80 bytes of hex", ErrInvalidArgument)
	}
	return wire.DecodeHeader(raw)
}

// scripts are the output scripts of every address the keyring derived.
func (v *Verifier) scripts() [][]byte {
	out := make([][]byte, 0, len(v.k.known))
	for a := range v.k.known {
		if pk, err := v.k.script(a, "own"); err == nil {
			out = append(out, pk)
		}
	}
	return out
}

// AddFilters checks a run of headers and filters after the tip and
// notes the blocks whose filter matches the wallet's scripts.
func (v *Verifier) AddFilters(r FilterRun) error {
	if len(r.Headers) != len(r.FilterHeaders) || len(r.Headers) != len(r.Filters) {
		return fmt.Errorf("filters: %w: %d headers, %d filter headers, %d filters", ErrInvalidArgument, len(r.Headers), len(r.FilterHeaders), len(r.Filters))
	}
	p := v.k.params
	scripts := v.scripts()
	for i := range r.Headers {
		h, err := parseHeader(r.Headers[i])
		if err != nil {
			return fmt.Errorf("filters: header %d: %w", i, err)
		}
		hash := h.BlockHash()
		switch {
		case v.height < 0 && hash != p.GenesisHash:
			return fmt.Errorf("filters: block %s at height 0 is not the %s genesis block %s", hash, p.Name, p.GenesisHash)
		case v.height >= 0 && h.PrevBlock != v.tipHash:
			return fmt.Errorf("filters: block %s at height %d does not follow %s", hash, v.height+1, v.tipHash)
		}
		if v.height >= 0 {
			if err := checkBits(p, v.height+1, h.Bits, v.bits); err != nil {
				return fmt.Errorf("filters: block %s at height %d: %w", hash, v.height+1, err)
			}
		}
		if err := checkWork(&h, hash, p); err != nil {
			return fmt.Errorf("filters: block %s: %w", hash, err)
		}
		fb, err := hex.DecodeString(r.Filters[i])
		if err != nil {
			return fmt.Errorf("filters: %w: filter %d is not hex", ErrInvalidArgument, i)
		}
		f, err := gcs.DecodeBasic(fb)
		if err != nil {
			return fmt.Errorf("filters: block %s: %w", hash, err)
		}
		want, err := chainhash.NewHashFromStr(r.FilterHeaders[i])
		if err != nil {
			return fmt.Errorf("filters: %w: filter header %d", ErrInvalidArgument, i)
		}
		fh := gcs.Header(f.Hash(), v.tipFH)
		if fh != want {
			return fmt.Errorf("filters: block %s: the filter does not hash to the filter header %s", hash, want)
		}
		v.tipHash, v.tipFH, v.bits, v.height = hash, fh, h.Bits, v.height+1
		if f.N() > 0 && f.MatchAny(gcs.BlockKey(hash), scripts) {
			v.pending[hash] = v.height
		}
	}
	return nil
}

// checkTarget returns the target of bits, which must be positive and
// within the network's limit.
func checkTarget(bits uint32, p *chaincfg.Params) (*big.Int, error) {
	target := chaincfg.CompactToBig(bits)
	if target.Sign() <= 0 || bits&0x00800000 != 0 || target.Cmp(p.PowLimit) > 0 {
		return nil, fmt.Errorf("bad target %08x", bits)
	}
	return target, nil
}

// checkWork checks that h's hash meets its target and the target is
// within the network's limit.
func checkWork(h *wire.BlockHeader, hash chainhash.Hash, p *chaincfg.Params) error {
	target, err := checkTarget(h.Bits, p)
	if err != nil {
		return err
	}
	if chaincfg.HashToBig(&hash).Cmp(target) > 0 {
		return fmt.Errorf("the hash does not meet its target %08x", h.Bits)
	}
	return nil
}

// checkBits checks the bits of the header at height (above 0) against
// its parent's, prevBits: the bound of the package comment. It mirrors
// lib/chain's NextRequiredBits where that needs no more than the parent
// (lib/chain links the block store, which the module must not): at a
// retarget height the node scales the parent's target by the last
// window's time clamped to RetargetFactor.
func checkBits(p *chaincfg.Params, height int32, bits, prevBits uint32) error {
	ok := true
	switch {
	case p.ReduceMinDifficulty:
	case p.NoRetargeting || height%p.BlocksPerRetarget() != 0:
		ok = bits == prevBits
	default:
		// The node's target lies between the parent's scaled at the
		// two clamps; the easier end needs no rounding (bits are
		// already compact), the harder end is rounded as the node
		// rounds it.
		span := int64(p.TargetTimespan / time.Second)
		t, prev := chaincfg.CompactToBig(bits), chaincfg.CompactToBig(prevBits)
		lo := new(big.Int).Mul(prev, big.NewInt(span/p.RetargetFactor))
		lo = chaincfg.CompactToBig(chaincfg.BigToCompact(lo.Div(lo, big.NewInt(span))))
		ok = t.Cmp(lo) >= 0 && t.Cmp(prev.Mul(prev, big.NewInt(p.RetargetFactor))) <= 0
	}
	if !ok {
		return fmt.Errorf("bits %08x after the parent's %08x: want the same bits, or at a retarget height a target at most %d times above or below",
			bits, prevBits, p.RetargetFactor)
	}
	return nil
}

// AddBlock reads a matched block (hex): it must be one AddFilters noted,
// hash to its header and hold the transactions its merkle root commits
// to; its outputs paying the wallet become coins and its inputs spend
// them. Blocks go in chain order.
func (v *Verifier) AddBlock(blockHex string) error {
	blk, err := wire.DecodeBlockHex(blockHex)
	if err != nil {
		return fmt.Errorf("block: %w: %v", ErrInvalidArgument, err)
	}
	hash := blk.BlockHash()
	height, ok := v.pending[hash]
	if !ok {
		return fmt.Errorf("block %s: %w: not a matched block of the checked chain", hash, ErrInvalidArgument)
	}
	if root, mutated := wire.BlockMerkleRoot(blk.Transactions); mutated || root != blk.Header.MerkleRoot {
		return fmt.Errorf("block %s: the transactions do not hash to the merkle root", hash)
	}
	own := map[string]string{} // script → address
	for a := range v.k.known {
		if pk, err := v.k.script(a, "own"); err == nil {
			own[string(pk)] = a
		}
	}
	for i, tx := range blk.Transactions {
		if i > 0 {
			for _, in := range tx.TxIn {
				delete(v.coins, in.PreviousOutPoint)
			}
		}
		id := tx.TxHash()
		for n, out := range tx.TxOut {
			if a, ok := own[string(out.PkScript)]; ok {
				v.coins[wire.OutPoint{Hash: id, Index: uint32(n)}] = Coin{TxID: id.String(), Vout: uint32(n), Value: out.Value, Address: a,
					Height: height, Coinbase: i == 0}
			}
		}
	}
	delete(v.pending, hash)
	v.scanned++
	return nil
}

// State is the walk's result so far.
func (v *Verifier) State() VerifiedState {
	s := VerifiedState{Height: v.height, Tip: v.tipHash.String(), Scanned: v.scanned, Coins: []Coin{}, Matched: []string{}}
	for _, c := range v.coins {
		s.Balance += c.Value
		s.Coins = append(s.Coins, c)
	}
	sort.Slice(s.Coins, func(i, j int) bool {
		if s.Coins[i].Height != s.Coins[j].Height {
			return s.Coins[i].Height < s.Coins[j].Height
		}
		return s.Coins[i].TxID+fmt.Sprint(s.Coins[i].Vout) < s.Coins[j].TxID+fmt.Sprint(s.Coins[j].Vout)
	})
	type hh struct {
		h chainhash.Hash
		n int32
	}
	var m []hh
	for h, n := range v.pending {
		m = append(m, hh{h, n})
	}
	sort.Slice(m, func(i, j int) bool { return m[i].n < m[j].n })
	for _, x := range m {
		s.Matched = append(s.Matched, x.h.String())
	}
	return s
}
