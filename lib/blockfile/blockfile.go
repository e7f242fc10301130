package blockfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// DefaultMaxFileSize is the cap of a file when Options.MaxFileSize is 0.
const DefaultMaxFileSize = 128 << 20

// HeaderSize is the bytes a record adds to its payload.
const HeaderSize = 12

// PosSize is the length of an encoded Pos.
const PosSize = 12

// InfoSize is the length of an encoded Info.
const InfoSize = 16

// noSyncEnv is lib/store's switch (store.NoSyncEnv), honoured here too.
const noSyncEnv = "GG_DB_NOSYNC"

// maxOpenReaders bounds the read handles kept open.
const maxOpenReaders = 64

// castagnoli is the CRC-32C table, made on first use: every client binary
// links this package, and a table at init costs each of their calls
// (docs/performance.md, "Client start-up").
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Pos addresses one record.
type Pos struct {
	File   uint32 // file number
	Offset uint32 // offset of the record's header
	Size   uint32 // payload length
}

// Encode returns the 12-byte form: File, Offset, Size, uint32 BE each.
func (p Pos) Encode() []byte {
	b := make([]byte, 0, PosSize)
	b = binary.BigEndian.AppendUint32(b, p.File)
	b = binary.BigEndian.AppendUint32(b, p.Offset)
	return binary.BigEndian.AppendUint32(b, p.Size)
}

// DecodePos parses Encode's form.
func DecodePos(b []byte) (Pos, error) {
	if len(b) != PosSize {
		return Pos{}, fmt.Errorf("blockfile: position of %d bytes: %w", len(b), ErrCorrupt)
	}
	return Pos{binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:])}, nil
}

// Info describes one file: its length (committed, in what Open takes;
// current, in what Info and Changed return), the records in it and the
// lowest and highest height the writer gave them.
type Info struct {
	Size      uint32
	Records   uint32
	MinHeight int32
	MaxHeight int32
}

// Encode returns the 16-byte form: the four fields, uint32 BE each.
func (fi Info) Encode() []byte {
	b := make([]byte, 0, InfoSize)
	b = binary.BigEndian.AppendUint32(b, fi.Size)
	b = binary.BigEndian.AppendUint32(b, fi.Records)
	b = binary.BigEndian.AppendUint32(b, uint32(fi.MinHeight))
	return binary.BigEndian.AppendUint32(b, uint32(fi.MaxHeight))
}

// DecodeInfo parses Encode's form.
func DecodeInfo(b []byte) (Info, error) {
	if len(b) != InfoSize {
		return Info{}, fmt.Errorf("blockfile: file record of %d bytes: %w", len(b), ErrCorrupt)
	}
	return Info{binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]),
		int32(binary.BigEndian.Uint32(b[8:])), int32(binary.BigEndian.Uint32(b[12:]))}, nil
}

// Options configure Open.
type Options struct {
	// Magic starts every record; it tells one series' records from
	// another's and from garbage.
	Magic [4]byte
	// MaxFileSize caps a file (0: DefaultMaxFileSize; at most 4 GiB - 1).
	MaxFileSize int64
	// NoSync makes Sync skip the fsyncs (tests and bulk loads).
	NoSync bool
}

type handle struct {
	f    *os.File
	refs int
	dead bool // out of the cache: closed by the last release
}

// Files is one series of files. See the package documentation for the
// crash rules and who may call what concurrently.
type Files struct {
	dir, prefix string
	magic       [4]byte
	max         uint32
	noSync      bool

	mu        sync.Mutex
	infos     map[uint32]Info // current lengths (what is written)
	committed map[uint32]Info // what the caller's database holds
	dirty     map[uint32]bool // files appended to since the last Commit or Rollback
	readers   map[uint32]*handle
	closed    bool

	// Writer state (one writer).
	cur      uint32
	w        *os.File // cur, opened for writing
	wnum     uint32   // file w is
	unsynced map[uint32]bool
	newFile  bool // a file was created since the last Sync
	buf      []byte

	cut, removed int64 // what Open cut off: bytes past committed lengths, uncommitted files
}

// FileName is the name of file n of the series prefix.
func FileName(prefix string, n uint32) string { return fmt.Sprintf("%s%05d.dat", prefix, n) }

// Open opens the series prefix in dir (creating dir if needed) and brings
// it in line with committed, the lengths the caller's database recorded:
// longer files are truncated, unknown ones deleted; a missing or shorter
// file is ErrTruncated.
func Open(dir, prefix string, opts Options, committed map[uint32]Info) (*Files, error) {
	if opts.MaxFileSize == 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.MaxFileSize < HeaderSize+1 || opts.MaxFileSize > math.MaxUint32 {
		return nil, fmt.Errorf("blockfile: file size cap %d out of range", opts.MaxFileSize)
	}
	if os.Getenv(noSyncEnv) == "1" {
		opts.NoSync = true
	}
	f := &Files{dir: dir, prefix: prefix, magic: opts.Magic, max: uint32(opts.MaxFileSize), noSync: opts.NoSync,
		infos: maps.Clone(committed), committed: maps.Clone(committed), readers: make(map[uint32]*handle),
		unsynced: make(map[uint32]bool), dirty: make(map[uint32]bool)}
	if f.infos == nil {
		f.infos, f.committed = make(map[uint32]Info), make(map[uint32]Info)
	}
	if err := f.mkdir(); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("blockfile: %w", err)
	}
	seen := make(map[uint32]bool)
	removed := false
	for _, e := range ents {
		n, ok := f.parseName(e.Name())
		if !ok {
			continue
		}
		path := filepath.Join(dir, e.Name())
		ci, known := committed[n]
		if !known {
			// Never committed (a crash before the database commit), or
			// pruned before the deletion: nothing points into it.
			if err := os.Remove(path); err != nil {
				return nil, fmt.Errorf("blockfile: remove uncommitted %s: %w", path, err)
			}
			removed = true
			f.removed++
			continue
		}
		seen[n] = true
		fi, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("blockfile: %w", err)
		}
		switch {
		case fi.Size() < int64(ci.Size):
			return nil, fmt.Errorf("blockfile: %s: %d bytes, committed %d: %w", path, fi.Size(), ci.Size, ErrTruncated)
		case fi.Size() > int64(ci.Size):
			if err := f.truncate(path, ci.Size); err != nil {
				return nil, err
			}
			f.cut += fi.Size() - int64(ci.Size)
		}
	}
	for n, ci := range committed {
		if !seen[n] && ci.Size > 0 {
			return nil, fmt.Errorf("blockfile: %s: missing, committed %d bytes: %w",
				filepath.Join(dir, FileName(prefix, n)), ci.Size, ErrTruncated)
		}
	}
	if removed {
		if err := f.syncDir(); err != nil {
			return nil, err
		}
	}
	if len(f.infos) > 0 {
		f.cur = slices.Max(slices.Collect(maps.Keys(f.infos)))
	}
	return f, nil
}

func (f *Files) parseName(name string) (uint32, bool) {
	rest, ok := strings.CutPrefix(name, f.prefix)
	if !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(rest, ".dat")
	if !ok || len(num) < 5 {
		return 0, false
	}
	n, err := strconv.ParseUint(num, 10, 32)
	if err != nil || FileName(f.prefix, uint32(n)) != name {
		return 0, false
	}
	return uint32(n), true
}

// mkdir creates the directory, syncing its parent when it is new.
func (f *Files) mkdir() error {
	if _, err := os.Stat(f.dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return fmt.Errorf("blockfile: %w", err)
	}
	return f.syncPath(filepath.Dir(f.dir))
}

func (f *Files) truncate(path string, size uint32) error {
	w, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("blockfile: %w", err)
	}
	defer w.Close()
	if err := w.Truncate(int64(size)); err != nil {
		return fmt.Errorf("blockfile: truncate %s: %w", path, err)
	}
	if !f.noSync {
		if err := w.Sync(); err != nil {
			return fmt.Errorf("blockfile: sync %s: %w", path, err)
		}
	}
	return nil
}

func (f *Files) path(n uint32) string { return filepath.Join(f.dir, FileName(f.prefix, n)) }

func (f *Files) syncDir() error { return f.syncPath(f.dir) }

func (f *Files) syncPath(dir string) error {
	if f.noSync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blockfile: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("blockfile: sync %s: %w", dir, err)
	}
	return nil
}

// Append writes payload as one record at the end of the newest file (or
// of a new one) and returns its position; height is noted in the file's
// Info. The record counts once the caller commits its position (see the
// package documentation).
func (f *Files) Append(payload []byte, height int32) (Pos, error) {
	if uint64(len(payload)) > uint64(math.MaxUint32-HeaderSize) {
		return Pos{}, fmt.Errorf("blockfile: %d bytes: %w", len(payload), ErrTooLarge)
	}
	need := uint64(HeaderSize + len(payload))
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return Pos{}, ErrClosed
	}
	info, ok := f.infos[f.cur]
	f.mu.Unlock()
	if ok && info.Size > 0 && uint64(info.Size)+need > uint64(f.max) {
		f.cur++
		info, ok = Info{}, false
	}
	if uint64(info.Size)+need > math.MaxUint32 {
		return Pos{}, fmt.Errorf("blockfile: %d bytes: %w", len(payload), ErrTooLarge)
	}
	if err := f.openWriter(); err != nil {
		return Pos{}, err
	}
	f.buf = f.buf[:0]
	f.buf = append(f.buf, f.magic[:]...)
	f.buf = binary.LittleEndian.AppendUint32(f.buf, uint32(len(payload)))
	f.buf = binary.LittleEndian.AppendUint32(f.buf, crc32.Checksum(payload, castagnoli()))
	f.buf = append(f.buf, payload...)
	if _, err := f.w.WriteAt(f.buf, int64(info.Size)); err != nil {
		return Pos{}, fmt.Errorf("blockfile: append to %s: %w", f.path(f.cur), err)
	}
	if cap(f.buf) > 8<<20 {
		f.buf = nil
	}
	pos := Pos{File: f.cur, Offset: info.Size, Size: uint32(len(payload))}
	if !ok || info.Records == 0 {
		info.MinHeight, info.MaxHeight = height, height
	}
	info.MinHeight, info.MaxHeight = min(info.MinHeight, height), max(info.MaxHeight, height)
	info.Size += uint32(need)
	info.Records++
	f.mu.Lock()
	f.infos[f.cur] = info
	f.dirty[f.cur] = true
	f.mu.Unlock()
	f.unsynced[f.cur] = true
	return pos, nil
}

func (f *Files) openWriter() error {
	if f.w != nil && f.wnum == f.cur {
		return nil
	}
	if f.w != nil {
		f.w.Close()
		f.w = nil
	}
	path := f.path(f.cur)
	_, statErr := os.Stat(path)
	w, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("blockfile: %w", err)
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		f.newFile = true
	}
	f.w, f.wnum = w, f.cur
	return nil
}

// Sync makes every record appended so far durable: fsync of each file
// written since the last Sync, and of the directory when a file was
// created. Under NoSync it does nothing: what was written stays to sync,
// and a bulk load ends with SyncAll.
func (f *Files) Sync() error {
	if f.noSync {
		return nil
	}
	return f.syncAll()
}

// SyncAll is Sync ignoring NoSync: the end of a bulk load.
func (f *Files) SyncAll() error { return f.syncAll() }

// SetNoSync switches Sync's fsyncs off or on (one writer).
func (f *Files) SetNoSync(noSync bool) { f.noSync = noSync }

func (f *Files) syncAll() error {
	for n := range f.unsynced {
		var err error
		if f.w != nil && f.wnum == n {
			err = f.w.Sync()
		} else {
			err = syncFile(f.path(n))
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blockfile: sync %s: %w", f.path(n), err)
		}
		delete(f.unsynced, n)
	}
	if f.newFile {
		if err := f.syncDir(); err != nil {
			return err
		}
		f.newFile = false
	}
	return nil
}

func syncFile(path string) error {
	w, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer w.Close()
	return w.Sync()
}

// Changed returns the Info of every file whose length differs from the
// committed one: what the caller records with the positions it commits.
func (f *Files) Changed() map[uint32]Info {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[uint32]Info)
	for n := range f.dirty {
		if c, ok := f.committed[n]; !ok || c != f.infos[n] {
			out[n] = f.infos[n]
		}
	}
	return out
}

// Commit marks the current lengths committed: call it once the caller's
// transaction holding Changed's lengths has committed.
func (f *Files) Commit() {
	f.mu.Lock()
	for n := range f.dirty {
		f.committed[n] = f.infos[n]
	}
	clear(f.dirty)
	f.mu.Unlock()
}

// Rollback forgets everything appended since the last Commit: files are
// truncated to their committed lengths, files created since are deleted.
func (f *Files) Rollback() error {
	f.mu.Lock()
	var firstErr error
	for n := range f.dirty {
		fi := f.infos[n]
		c, ok := f.committed[n]
		if ok && c == fi {
			continue
		}
		if f.w != nil && f.wnum == n {
			f.w.Close()
			f.w = nil
		}
		var err error
		if ok {
			err = os.Truncate(f.path(n), int64(c.Size))
		} else {
			f.dropReaderLocked(n)
			err = os.Remove(f.path(n))
			if errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("blockfile: roll back %s: %w", f.path(n), err)
		}
	}
	f.infos = maps.Clone(f.committed)
	clear(f.dirty)
	f.cur = 0
	if len(f.infos) > 0 {
		f.cur = slices.Max(slices.Collect(maps.Keys(f.infos)))
	}
	f.mu.Unlock()
	return firstErr
}

// Remove deletes file n (pruning): call it once the caller's transaction
// that dropped the positions into it and its length has committed. The
// file being appended to cannot be removed.
func (f *Files) Remove(n uint32) error {
	f.mu.Lock()
	if n == f.cur {
		f.mu.Unlock()
		return fmt.Errorf("blockfile: %s is being written to", f.path(n))
	}
	delete(f.infos, n)
	delete(f.committed, n)
	delete(f.dirty, n)
	f.dropReaderLocked(n)
	f.mu.Unlock()
	delete(f.unsynced, n)
	if f.w != nil && f.wnum == n {
		f.w.Close()
		f.w = nil
	}
	if err := os.Remove(f.path(n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blockfile: %w", err)
	}
	return f.syncDir()
}

// Recovered reports what Open cut off: the bytes past committed lengths
// and the files never committed.
func (f *Files) Recovered() (bytes, files int64) { return f.cut, f.removed }

// Current is the number of the file appends go to.
func (f *Files) Current() uint32 { return f.cur }

// Infos returns a copy of the committed files' Info.
func (f *Files) Infos() map[uint32]Info {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.committed)
}

// TotalSize is the committed length of all files together.
func (f *Files) TotalSize() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int64
	for _, fi := range f.committed {
		n += int64(fi.Size)
	}
	return n
}

// Read returns the payload of the record at p, checked against its
// file's length, the magic, the length and the checksum.
func (f *Files) Read(p Pos) ([]byte, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	info, ok := f.infos[p.File]
	f.mu.Unlock()
	where := func() string { return fmt.Sprintf("blockfile: %s offset %d", f.path(p.File), p.Offset) }
	if !ok {
		return nil, fmt.Errorf("%s: %w", where(), ErrMissing)
	}
	if uint64(p.Offset)+HeaderSize+uint64(p.Size) > uint64(info.Size) {
		return nil, fmt.Errorf("%s: %d bytes, file length %d: %w", where(), p.Size, info.Size, ErrOutOfRange)
	}
	h, err := f.acquire(p.File)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", where(), ErrMissing)
		}
		return nil, fmt.Errorf("%s: %w", where(), err)
	}
	buf := make([]byte, HeaderSize+int(p.Size))
	_, err = h.f.ReadAt(buf, int64(p.Offset))
	f.release(h)
	if err != nil {
		if errors.Is(err, os.ErrClosed) {
			return nil, fmt.Errorf("%s: %w", where(), ErrMissing)
		}
		return nil, fmt.Errorf("%s: %w", where(), err)
	}
	switch {
	case [4]byte(buf[:4]) != f.magic:
		return nil, fmt.Errorf("%s: bad magic %x: %w", where(), buf[:4], ErrCorrupt)
	case binary.LittleEndian.Uint32(buf[4:]) != p.Size:
		return nil, fmt.Errorf("%s: length %d, expected %d: %w", where(), binary.LittleEndian.Uint32(buf[4:]), p.Size, ErrCorrupt)
	case binary.LittleEndian.Uint32(buf[8:]) != crc32.Checksum(buf[HeaderSize:], castagnoli()):
		return nil, fmt.Errorf("%s: checksum mismatch: %w", where(), ErrCorrupt)
	}
	return buf[HeaderSize:], nil
}

func (f *Files) acquire(n uint32) (*handle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, ErrClosed
	}
	if h := f.readers[n]; h != nil {
		h.refs++
		return h, nil
	}
	r, err := os.Open(f.path(n))
	if err != nil {
		return nil, err
	}
	if len(f.readers) >= maxOpenReaders {
		for k := range f.readers {
			f.dropReaderLocked(k)
			break
		}
	}
	h := &handle{f: r, refs: 1}
	f.readers[n] = h
	return h, nil
}

func (f *Files) release(h *handle) {
	f.mu.Lock()
	h.refs--
	if h.dead && h.refs == 0 {
		h.f.Close()
	}
	f.mu.Unlock()
}

func (f *Files) dropReaderLocked(n uint32) {
	h := f.readers[n]
	if h == nil {
		return
	}
	delete(f.readers, n)
	h.dead = true
	if h.refs == 0 {
		h.f.Close()
	}
}

// Close closes the files; later calls fail with ErrClosed.
func (f *Files) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	for n := range f.readers {
		f.dropReaderLocked(n)
	}
	if f.w != nil {
		err := f.w.Close()
		f.w = nil
		return err
	}
	return nil
}

// Reset deletes every file of the series and starts again at file 0:
// call it once the caller's transaction that dropped every position and
// length has committed.
func (f *Files) Reset() error {
	f.mu.Lock()
	nums := slices.Collect(maps.Keys(f.infos))
	for _, n := range nums {
		f.dropReaderLocked(n)
	}
	clear(f.infos)
	clear(f.committed)
	f.cur = 0
	f.mu.Unlock()
	if f.w != nil {
		f.w.Close()
		f.w = nil
	}
	clear(f.unsynced)
	for _, n := range nums {
		if err := os.Remove(f.path(n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blockfile: %w", err)
		}
	}
	return f.syncDir()
}

// Pending is the number of files written since they were last fsynced
// (one writer).
func (f *Files) Pending() int { return len(f.unsynced) }
