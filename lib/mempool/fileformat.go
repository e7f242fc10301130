package mempool

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/gamegold/gg/lib/wire"
)

// The mempool file (see doc.go):
//
//	magic   [4]byte "GGMP"
//	version uint32  (1)
//	net     uint32  network magic of the chain the pool belonged to
//	count   uint64
//	count × { added int64 (unix ns), feeDelta int64, len uint32, tx [len]byte (BIP144) }
//	sum     [32]byte SHA-256 of everything before it
//
// Integers are little-endian. Records are in dependency order.
const (
	fileMagic      = "GGMP"
	fileVersion    = 1
	fileHeaderSize = 4 + 4 + 4 + 8
	fileRecordHead = 8 + 8 + 4
	fileMinTxSize  = 10
)

// fileRecord is one saved transaction.
type fileRecord struct {
	tx       *wire.MsgTx
	added    time.Time
	feeDelta int64
}

func encodeFile(net uint32, recs []fileRecord) []byte {
	b := make([]byte, 0, 1024)
	b = append(b, fileMagic...)
	b = binary.LittleEndian.AppendUint32(b, fileVersion)
	b = binary.LittleEndian.AppendUint32(b, net)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(recs)))
	for _, r := range recs {
		b = binary.LittleEndian.AppendUint64(b, uint64(r.added.UnixNano()))
		b = binary.LittleEndian.AppendUint64(b, uint64(r.feeDelta))
		b = binary.LittleEndian.AppendUint32(b, uint32(r.tx.SerializeSize()))
		b = r.tx.AppendTo(b)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

func badFile(format string, args ...any) error {
	return ruleError(ErrBadFile, "mempool file: "+fmt.Sprintf(format, args...))
}

// decodeFile checks the whole file (checksum, magic, version, network,
// every record) before returning anything.
func decodeFile(b []byte, net uint32) ([]fileRecord, error) {
	if len(b) < fileHeaderSize+sha256.Size {
		return nil, badFile("truncated (%d bytes)", len(b))
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); string(got[:]) != string(sum) {
		return nil, badFile("checksum mismatch (truncated or corrupt)")
	}
	if string(body[:4]) != fileMagic {
		return nil, badFile("bad magic %q", body[:4])
	}
	if v := binary.LittleEndian.Uint32(body[4:]); v != fileVersion {
		return nil, badFile("unsupported version %d", v)
	}
	if n := binary.LittleEndian.Uint32(body[8:]); n != net {
		return nil, badFile("belongs to network %#08x, not %#08x", n, net)
	}
	count := binary.LittleEndian.Uint64(body[12:])
	rest := body[fileHeaderSize:]
	if count > uint64(len(rest)/(fileRecordHead+fileMinTxSize)) {
		return nil, badFile("record count %d exceeds the data", count)
	}
	recs := make([]fileRecord, 0, count)
	for i := uint64(0); i < count; i++ {
		if len(rest) < fileRecordHead {
			return nil, badFile("record %d truncated", i)
		}
		added := int64(binary.LittleEndian.Uint64(rest))
		delta := int64(binary.LittleEndian.Uint64(rest[8:]))
		n := binary.LittleEndian.Uint32(rest[16:])
		rest = rest[fileRecordHead:]
		if uint64(n) > uint64(len(rest)) {
			return nil, badFile("record %d: length %d exceeds the data", i, n)
		}
		tx, err := wire.DecodeTx(rest[:n])
		if err != nil {
			return nil, badFile("record %d: %v", i, err)
		}
		rest = rest[n:]
		recs = append(recs, fileRecord{tx: tx, added: time.Unix(0, added), feeDelta: delta})
	}
	if len(rest) != 0 {
		return nil, badFile("%d trailing bytes", len(rest))
	}
	return recs, nil
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
