package spv

import (
	"encoding/binary"
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// The light node's database (bbolt, through lib/store): every header it
// accepted, the verified filter headers of its best chain and the
// filters it fetched. No blocks, no UTXO set.
var (
	bktHeaders = []byte("spv-headers")  // hash → header (80) ‖ height (4, BE)
	bktFHeader = []byte("spv-fheaders") // height (4, BE) → block hash (32) ‖ filter header (32)
	bktFilters = []byte("spv-filters")  // block hash → basic filter
	bktMeta    = []byte("spv-meta")     // "tip" → best header hash
)

var keyTip = []byte("tip")

// migrations is the light node's schema (after lib/store's own).
func migrations() []store.Migration {
	return append(append([]store.Migration(nil), store.Migrations...), store.Migration{
		Name: "spv buckets",
		Apply: func(tx *store.Tx) error {
			for _, b := range [][]byte{bktHeaders, bktFHeader, bktFilters, bktMeta} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

func u32(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

func putHeader(tx *store.Tx, n *hnode) error {
	v := n.hdr.AppendTo(make([]byte, 0, wire.BlockHeaderSize+4))
	v = binary.BigEndian.AppendUint32(v, uint32(n.height))
	return tx.Bucket(bktHeaders).Put(n.hash[:], v)
}

type storedHeader struct {
	hdr    wire.BlockHeader
	hash   chainhash.Hash
	height int32
}

func loadHeaders(tx *store.Tx) ([]storedHeader, error) {
	var out []storedHeader
	err := tx.Bucket(bktHeaders).ForEach(func(k, v []byte) error {
		if len(k) != 32 || len(v) != wire.BlockHeaderSize+4 {
			return fmt.Errorf("spv: stored header %x: %d bytes", k, len(v))
		}
		var s storedHeader
		var err error
		if s.hdr, err = wire.DecodeHeader(v[:wire.BlockHeaderSize]); err != nil {
			return fmt.Errorf("spv: stored header %x: %w", k, err)
		}
		copy(s.hash[:], k)
		s.height = int32(binary.BigEndian.Uint32(v[wire.BlockHeaderSize:]))
		out = append(out, s)
		return nil
	})
	return out, err
}
