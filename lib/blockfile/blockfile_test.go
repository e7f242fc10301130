package blockfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

var testMagic = [4]byte{'t', 'e', 's', 't'}

func openTest(t *testing.T, dir string, max int64, committed map[uint32]Info) *Files {
	t.Helper()
	f, err := Open(dir, "blk", Options{Magic: testMagic, MaxFileSize: max}, committed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func payload(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 10+i) }

// appendCommit appends n payloads from first and commits them, as the
// caller's transaction would.
func appendCommit(t *testing.T, f *Files, first, n int) []Pos {
	t.Helper()
	var out []Pos
	for i := first; i < first+n; i++ {
		p, err := f.Append(payload(i), int32(i))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Commit()
	return out
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	f := openTest(t, dir, 100, nil)
	pos := appendCommit(t, f, 0, 12)
	for i, p := range pos {
		got, err := f.Read(p)
		if err != nil || !bytes.Equal(got, payload(i)) {
			t.Fatalf("record %d at %+v: %x, %v", i, p, got, err)
		}
		if dp, err := DecodePos(p.Encode()); err != nil || dp != p {
			t.Fatalf("pos round trip %+v: %+v, %v", p, dp, err)
		}
	}
	// The cap of 100 bytes starts a new file before a record would pass it.
	infos := f.Infos()
	if len(infos) < 3 {
		t.Fatalf("%d files for 12 records under a 100-byte cap", len(infos))
	}
	var total int64
	for n, fi := range infos {
		if fi.Size > 100 && fi.Records > 1 {
			t.Fatalf("file %d: %d bytes in %d records, cap 100", n, fi.Size, fi.Records)
		}
		if st, err := os.Stat(filepath.Join(dir, FileName("blk", n))); err != nil || st.Size() != int64(fi.Size) {
			t.Fatalf("file %d on disk: %v, %v; info %+v", n, st, err, fi)
		}
		if di, err := DecodeInfo(fi.Encode()); err != nil || di != fi {
			t.Fatalf("info round trip %+v: %+v, %v", fi, di, err)
		}
		total += int64(fi.Size)
	}
	if f.TotalSize() != total {
		t.Fatalf("TotalSize %d, files %d", f.TotalSize(), total)
	}
	if fi := infos[0]; fi.MinHeight != 0 || fi.MaxHeight < 1 {
		t.Fatalf("file 0 heights %+v", fi)
	}
	// A record larger than the cap gets a file of its own.
	big := bytes.Repeat([]byte{7}, 300)
	p, err := f.Append(big, 99)
	if err != nil {
		t.Fatal(err)
	}
	if p.Offset != 0 {
		t.Fatalf("oversized record at offset %d, want a new file", p.Offset)
	}
	if got, err := f.Read(p); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("oversized record: %v", err)
	}
	// Reopened with the committed lengths, every record reads back.
	f.Close()
	f = openTest(t, dir, 100, infos)
	for i, p := range pos {
		if got, err := f.Read(p); err != nil || !bytes.Equal(got, payload(i)) {
			t.Fatalf("after reopen, record %d: %v", i, err)
		}
	}
}

// TestOpenRecovery: what lies past the committed lengths — a torn tail,
// an uncommitted record, a file created and never committed — is cut off
// on open, and appends continue from the committed end.
func TestOpenRecovery(t *testing.T) {
	dir := t.TempDir()
	f := openTest(t, dir, 100, nil)
	pos := appendCommit(t, f, 0, 5)
	committed := f.Infos()
	// Uncommitted: more records (into a new file too), then a torn write.
	for i := 5; i < 12; i++ {
		if _, err := f.Append(payload(i), int32(i)); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	last := filepath.Join(dir, FileName("blk", f.Current()))
	w, err := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(append(testMagic[:], 200, 0, 0, 0, 1, 2))
	w.Close()
	if len(f.Changed()) == 0 || f.Current() == pos[len(pos)-1].File {
		t.Fatal("the uncommitted records did not reach a new file")
	}

	f = openTest(t, dir, 100, committed)
	if cut, removed := f.Recovered(); cut == 0 || removed == 0 {
		t.Fatalf("Recovered() = %d bytes, %d files; want both above 0", cut, removed)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != len(committed) {
		t.Fatalf("%d files after recovery, %d committed", len(ents), len(committed))
	}
	for n, fi := range committed {
		st, err := os.Stat(filepath.Join(dir, FileName("blk", n)))
		if err != nil || st.Size() != int64(fi.Size) {
			t.Fatalf("file %d after recovery: %v %v, committed %d", n, st, err, fi.Size)
		}
	}
	p, err := f.Append([]byte("next"), 5)
	if err != nil {
		t.Fatal(err)
	}
	if want := pos[len(pos)-1]; p.File == want.File && p.Offset != want.Offset+HeaderSize+want.Size {
		t.Fatalf("append after recovery at %+v, last committed %+v", p, want)
	}
	if got, err := f.Read(p); err != nil || string(got) != "next" {
		t.Fatalf("read after recovery: %q, %v", got, err)
	}
}

// TestRollback: a failed transaction's appends are truncated away and
// its new files deleted; the committed records stay readable.
func TestRollback(t *testing.T) {
	dir := t.TempDir()
	f := openTest(t, dir, 100, nil)
	pos := appendCommit(t, f, 0, 3)
	before := f.Infos()
	var lost []Pos
	for i := 3; i < 12; i++ {
		p, err := f.Append(payload(i), int32(i))
		if err != nil {
			t.Fatal(err)
		}
		lost = append(lost, p)
	}
	if err := f.Rollback(); err != nil {
		t.Fatal(err)
	}
	if len(f.Changed()) != 0 {
		t.Fatalf("changes after rollback: %v", f.Changed())
	}
	for _, p := range lost {
		if _, err := f.Read(p); err == nil {
			t.Fatalf("rolled-back record at %+v still reads", p)
		}
	}
	for i, p := range pos {
		if got, err := f.Read(p); err != nil || !bytes.Equal(got, payload(i)) {
			t.Fatalf("record %d after rollback: %v", i, err)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != len(before) {
		t.Fatalf("%d files after rollback, %d before", len(ents), len(before))
	}
	p := appendCommit(t, f, 3, 1)[0]
	if want := pos[2]; p.File == want.File && p.Offset != want.Offset+HeaderSize+want.Size {
		t.Fatalf("append after rollback at %+v, last committed %+v", p, want)
	}
}

func TestRemove(t *testing.T) {
	dir := t.TempDir()
	f := openTest(t, dir, 100, nil)
	pos := appendCommit(t, f, 0, 12)
	if err := f.Remove(f.Current()); err == nil {
		t.Fatal("removed the file being written to")
	}
	if err := f.Remove(0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Read(pos[0]); !errors.Is(err, ErrMissing) {
		t.Fatalf("read from a removed file: %v, want ErrMissing", err)
	}
	if _, ok := f.Infos()[0]; ok {
		t.Fatal("removed file still in Infos")
	}
	// Reopened without it (the caller dropped its record), all is well.
	committed := f.Infos()
	f.Close()
	openTest(t, dir, 100, committed)
}

func TestFilesErrors(t *testing.T) {
	t.Run("corrupt", func(t *testing.T) {
		dir := t.TempDir()
		f := openTest(t, dir, 1000, nil)
		pos := appendCommit(t, f, 0, 3)
		path := filepath.Join(dir, FileName("blk", 0))
		raw, _ := os.ReadFile(path)
		for _, c := range []struct {
			name string
			at   uint32
		}{{"magic", pos[1].Offset}, {"length", pos[1].Offset + 4}, {"checksum", pos[1].Offset + 8}, {"payload", pos[1].Offset + HeaderSize + 3}} {
			bad := bytes.Clone(raw)
			bad[c.at] ^= 0x40
			if err := os.WriteFile(path, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Read(pos[1]); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s flipped: %v, want ErrCorrupt", c.name, err)
			}
			if _, err := f.Read(pos[0]); err != nil {
				t.Fatalf("%s flipped in record 1: record 0: %v", c.name, err)
			}
		}
	})
	t.Run("out of range", func(t *testing.T) {
		f := openTest(t, t.TempDir(), 1000, nil)
		p := appendCommit(t, f, 0, 1)[0]
		for _, bad := range []Pos{{p.File, p.Offset, p.Size + 1}, {p.File, p.Offset + 1, p.Size}, {p.File, 1 << 31, 1 << 31}} {
			if _, err := f.Read(bad); !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("read %+v: %v, want ErrOutOfRange", bad, err)
			}
		}
		if _, err := f.Read(Pos{File: 9, Size: 1}); !errors.Is(err, ErrMissing) {
			t.Fatalf("read from an unknown file: %v, want ErrMissing", err)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		dir := t.TempDir()
		f := openTest(t, dir, 1000, nil)
		appendCommit(t, f, 0, 3)
		committed := f.Infos()
		f.Close()
		path := filepath.Join(dir, FileName("blk", 0))
		if err := os.Truncate(path, int64(committed[0].Size)-1); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(dir, "blk", Options{Magic: testMagic}, committed); !errors.Is(err, ErrTruncated) {
			t.Fatalf("open with a short file: %v, want ErrTruncated", err)
		}
		os.Remove(path)
		if _, err := Open(dir, "blk", Options{Magic: testMagic}, committed); !errors.Is(err, ErrTruncated) {
			t.Fatalf("open with a missing file: %v, want ErrTruncated", err)
		}
	})
	t.Run("bad cap", func(t *testing.T) {
		for _, max := range []int64{-1, 5, 1 << 33} {
			if _, err := Open(t.TempDir(), "blk", Options{MaxFileSize: max}, nil); err == nil {
				t.Fatalf("cap %d accepted", max)
			}
		}
	})
	t.Run("bad encodings", func(t *testing.T) {
		if _, err := DecodePos(make([]byte, 11)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("11-byte pos: %v", err)
		}
		if _, err := DecodeInfo(make([]byte, 17)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("17-byte info: %v", err)
		}
	})
	t.Run("closed", func(t *testing.T) {
		f := openTest(t, t.TempDir(), 1000, nil)
		p := appendCommit(t, f, 0, 1)[0]
		f.Close()
		if _, err := f.Read(p); !errors.Is(err, ErrClosed) {
			t.Fatalf("read after close: %v", err)
		}
		if _, err := f.Append([]byte("x"), 1); !errors.Is(err, ErrClosed) {
			t.Fatalf("append after close: %v", err)
		}
	})
	t.Run("other names kept", func(t *testing.T) {
		dir := t.TempDir()
		for _, n := range []string{"rev00000.dat", "blk0.dat", "blkx0000.dat", "notes"} {
			os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600)
		}
		openTest(t, dir, 1000, nil)
		ents, _ := os.ReadDir(dir)
		if len(ents) != 4 {
			t.Fatalf("open removed files of other names: %d left", len(ents))
		}
	})
}

// FuzzRead: whatever bytes a file holds, Read returns the payload only
// when magic, length and checksum agree, and never panics.
func FuzzRead(f *testing.F) {
	f.Add([]byte("payload"), uint32(0), uint32(7))
	f.Add([]byte{}, uint32(3), uint32(1))
	f.Fuzz(func(t *testing.T, data []byte, off, size uint32) {
		dir := t.TempDir()
		path := filepath.Join(dir, FileName("blk", 0))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fs, err := Open(dir, "blk", Options{Magic: testMagic, NoSync: true}, map[uint32]Info{0: {Size: uint32(len(data)), Records: 1}})
		if err != nil {
			t.Fatal(err)
		}
		defer fs.Close()
		got, err := fs.Read(Pos{File: 0, Offset: off, Size: size})
		if err != nil {
			return
		}
		rec := data[off : uint64(off)+HeaderSize+uint64(size)]
		if !bytes.Equal(rec[HeaderSize:], got) || [4]byte(rec[:4]) != testMagic {
			t.Fatalf("accepted a record that does not match: %x", rec)
		}
	})
}
