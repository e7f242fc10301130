package chain

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/blockfile"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
)

// openTestFiles opens one series of dir's block files with the lengths
// db recorded.
func openTestFiles(t testing.TB, db *store.DB, dir string, kind byte) *blockfile.Files {
	t.Helper()
	committed := map[uint32]blockfile.Info{}
	if err := db.View(func(tx *store.Tx) error {
		return tx.Bucket(bucketBlockFiles).ForEach(func(k, v []byte) error {
			if k[0] == kind {
				fi, err := blockfile.DecodeInfo(v)
				committed[binary.BigEndian.Uint32(k[1:])] = fi
				return err
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	prefix, magic := blockFilePrefix, blockFileMagic
	if kind == kindUndo {
		prefix, magic = undoFilePrefix, undoFileMagic
	}
	f, err := blockfile.Open(filepath.Join(dir, "blocks"), prefix, blockfile.Options{Magic: magic}, committed)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// putRecord stores raw as the block (kindBlocks) or undo data (kindUndo)
// of h in the closed chain of dir whose database is db, as the chain
// would: appended, synced, the index record's position and the file's
// length committed together.
func putRecord(t testing.TB, db *store.DB, dir string, kind byte, h chainhash.Hash, raw []byte) {
	t.Helper()
	f := openTestFiles(t, db, dir, kind)
	defer f.Close()
	p, err := f.Append(raw, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *store.Tx) error {
		for n, fi := range f.Changed() {
			if err := tx.Bucket(bucketBlockFiles).Put(fileKey(kind, n), fi.Encode()); err != nil {
				return err
			}
		}
		idx := tx.Bucket(bucketBlockIndex)
		c := idx.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if string(k[4:]) != string(h[:]) {
				continue
			}
			r, err := decodeIndexRecord(k, v)
			if err != nil {
				return err
			}
			n := &blockNode{hash: h, height: r.height, header: r.header, status: r.status, numTxns: r.numTxns,
				blockPos: r.blockPos, undoPos: r.undoPos}
			if kind == kindUndo {
				n.undoPos = p
			} else {
				n.blockPos = p
			}
			return idx.Put(indexKey(n), indexValue(n))
		}
		return fmt.Errorf("block %v not in the index", h)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestChainSyncAfterBulk: with the database's fsync off (a bulk load),
// connecting blocks leaves the block files unsynced; Chain.Sync, the
// end of the bulk load, fsyncs them with the database.
func TestChainSyncAfterBulk(t *testing.T) {
	if os.Getenv(store.NoSyncEnv) == "1" {
		t.Skip("fsync is off for the whole process")
	}
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "chain.db"), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := New(testConfig(db))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	g := newBlockGen()
	blk := g.next(g.params.GenesisBlock, nil, 0)
	if _, _, err := c.ProcessBlock(blk, BFNone); err != nil {
		t.Fatal(err)
	}
	if n := c.files.blocks.Pending() + c.files.undo.Pending(); n != 0 {
		t.Fatalf("%d files unsynced with fsync on", n)
	}
	db.SetNoSync(true)
	if _, _, err := c.ProcessBlock(g.next(blk, nil, 0), BFNone); err != nil {
		t.Fatal(err)
	}
	if c.files.blocks.Pending() == 0 || c.files.undo.Pending() == 0 {
		t.Fatal("bulk mode fsynced the block files")
	}
	db.SetNoSync(false)
	if err := c.Sync(); err != nil {
		t.Fatal(err)
	}
	if n := c.files.blocks.Pending() + c.files.undo.Pending(); n != 0 {
		t.Fatalf("%d files unsynced after Sync", n)
	}
}
