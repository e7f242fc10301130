package h5wallet

import (
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/wire"
)

// Verified mode: the wallet's coins found from BIP158 filters and blocks
// instead of the node's address index. A Verifier walks the chain from
// an anchor (a block hash and its filter header, taken from the node):
// each run of headers must link to the last one and meet its proof of
// work, each filter must hash into the filter header chain the node
// serves, and each block whose filter matches one of the wallet's
// scripts must hash to its header and hold the transactions its merkle
// root commits to; the coins are then read from those blocks. The node
// can still withhold or forge a whole chain from the anchor on (a
// single source); it cannot make the balance disagree with blocks that
// meet their proof of work.

// Verifier holds the walk's state.
type Verifier struct {
	k       *Keyring
	tipHash chainhash.Hash // the last header checked
	tipFH   chainhash.Hash // its filter header
	height  int32
	pending map[chainhash.Hash]int32 // matched blocks not scanned yet → height
	coins   map[wire.OutPoint]Coin
	scanned int
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

// NewVerifier starts a walk after the block anchor (display hash) at
// height, whose filter header is anchorFH (display; zero before
// genesis: anchor "" and height -1).
func (k *Keyring) NewVerifier(anchor, anchorFH string, height int32) (*Verifier, error) {
	v := &Verifier{k: k, height: height, pending: map[chainhash.Hash]int32{}, coins: map[wire.OutPoint]Coin{}}
	if (anchor == "") != (height < 0) || height < -1 {
		return nil, fmt.Errorf("verifier: %w: anchor %q at height %d (want none at -1, or one at 0 or more)", ErrInvalidArgument, anchor, height)
	}
	if anchor != "" {
		h, err := chainhash.NewHashFromStr(anchor)
		if err != nil {
			return nil, fmt.Errorf("verifier: %w: anchor %q", ErrInvalidArgument, anchor)
		}
		fh, err := chainhash.NewHashFromStr(anchorFH)
		if err != nil {
			return nil, fmt.Errorf("verifier: %w: anchor filter header %q", ErrInvalidArgument, anchorFH)
		}
		v.tipHash, v.tipFH = h, fh
	}
	return v, nil
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
		raw, err := hex.DecodeString(r.Headers[i])
		if err != nil || len(raw) != wire.BlockHeaderSize {
			return fmt.Errorf("filters: %w: header %d is not 80 bytes of hex", ErrInvalidArgument, i)
		}
		h, err := wire.DecodeHeader(raw)
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
		v.tipHash, v.tipFH, v.height = hash, fh, v.height+1
		if f.N() > 0 && f.MatchAny(gcs.BlockKey(hash), scripts) {
			v.pending[hash] = v.height
		}
	}
	return nil
}

// checkWork checks that h's hash meets its target and the target is
// within the network's limit.
func checkWork(h *wire.BlockHeader, hash chainhash.Hash, p *chaincfg.Params) error {
	target := chaincfg.CompactToBig(h.Bits)
	if target.Sign() <= 0 || h.Bits&0x00800000 != 0 || target.Cmp(p.PowLimit) > 0 {
		return fmt.Errorf("bad target %08x", h.Bits)
	}
	if chaincfg.HashToBig(&hash).Cmp(target) > 0 {
		return fmt.Errorf("the hash does not meet its target %08x", h.Bits)
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
