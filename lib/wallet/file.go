package wallet

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gamegold/gg/lib/store"
)

// A wallet file appears whole or not at all. Create and RestoreBackup
// build the wallet in a temporary file beside its path (the path ‖
// ".new-" ‖ 16 hex digits), committed with fsync, then publish it: a
// hard link to the path, which never replaces a file, or, when the path
// holds a file without a wallet (zero length, or a database without
// wallet records: a touch, or a creation killed before creation was
// atomic), a rename over it done while holding that file's lock; then
// the directory is fsynced. A kill at any moment leaves no wallet file
// or a whole one, and perhaps a temporary file, which the next Create
// removes. Open reports a file without a wallet as ErrNoWallet, and one
// holding wallet records but no wallet metadata as ErrCorrupt: that file
// is never replaced.

const (
	// tempInfix separates a wallet file's name from the random suffix
	// of the temporary file it is built in.
	tempInfix = ".new-"
	// tempSuffixLen is the length of that suffix (hex digits).
	tempSuffixLen = 16
	// storeMetaBucket is lib/store's own bucket (the schema version): a
	// database whose only content it is holds no wallet.
	storeMetaBucket = "meta"
)

// fileState is what a wallet path holds.
type fileState int

const (
	fileEmpty  fileState = iota // absent, zero length, or a database without wallet records
	fileWallet                  // a wallet (its metadata present)
)

// classify tells a wallet from a database without wallet records; a
// database that holds wallet records but no wallet metadata is damaged:
// an error wrapping ErrCorrupt.
func classify(tx *store.Tx) (fileState, error) {
	if meta := tx.Bucket(bktMeta); meta != nil && meta.Get(keyNetwork) != nil {
		return fileWallet, nil
	}
	c := tx.Cursor()
	for name, _ := c.First(); name != nil; name, _ = c.Next() {
		if string(name) == storeMetaBucket {
			continue
		}
		b := tx.Bucket(name)
		if b == nil {
			return 0, fmt.Errorf("%w: a root key %q that is not a bucket", ErrCorrupt, name)
		}
		if k, _ := b.Cursor().First(); k != nil {
			return 0, fmt.Errorf("%w: records in %q but no wallet metadata", ErrCorrupt, name)
		}
	}
	return fileEmpty, nil
}

// checkFree reports whether path may receive a new wallet: nil when it
// is absent or holds no wallet, ErrWalletExists when it holds one,
// ErrInUse when another process has it open, ErrCorrupt when it holds
// wallet records without metadata.
func checkFree(path string, o OpenOptions) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Size() == 0:
		return nil
	}
	db, err := openDB(path, o)
	if err != nil {
		return err
	}
	defer db.Close()
	var st fileState
	err = db.View(func(tx *store.Tx) (err error) { st, err = classify(tx); return err })
	if err == nil && st == fileWallet {
		err = ErrWalletExists
	}
	return err
}

// tempWalletPath names a new temporary file for a wallet to be published
// at path.
func tempWalletPath(path string) (string, error) {
	var b [tempSuffixLen / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return path + tempInfix + hex.EncodeToString(b[:]), nil
}

// isTempOf reports whether name (a file name in path's directory) is a
// temporary file of path's.
func isTempOf(name, path string) bool {
	suffix, ok := strings.CutPrefix(name, filepath.Base(path)+tempInfix)
	if !ok || len(suffix) != tempSuffixLen {
		return false
	}
	_, err := hex.DecodeString(suffix)
	return err == nil
}

// removeStaleTemps deletes the temporary files of creations of path that
// did not finish (the process was killed): those nobody holds the lock
// of. A temporary file never holds a wallet that was handed out: it is
// published before Create returns.
func removeStaleTemps(path string, log *slog.Logger) {
	dir := filepath.Dir(path)
	es, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range es {
		if !e.Type().IsRegular() || !isTempOf(e.Name(), path) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		// A shared lock, taken at once or not at all: a creation in
		// progress holds the exclusive one.
		db, err := store.Open(p, store.Options{ReadOnly: true, Timeout: time.Nanosecond, Migrations: migrations})
		if errors.Is(err, store.ErrLocked) {
			continue
		}
		if err == nil {
			db.Close()
		}
		if err := os.Remove(p); err == nil {
			log.Info("removed the temporary file of an unfinished wallet creation", "path", p)
		}
	}
}

// publish moves the finished wallet file tmp to path (see the comment at
// the top of this file).
func publish(tmp, path string, o OpenOptions) error {
	for range 3 {
		err := os.Link(tmp, path)
		if err == nil {
			if err := os.Remove(tmp); err != nil {
				return err
			}
			return syncDir(path, o)
		}
		if !errors.Is(err, fs.ErrExist) {
			// A file system without hard links: a rename, if the
			// path is still free.
			if _, serr := os.Lstat(path); errors.Is(serr, fs.ErrNotExist) {
				if err := os.Rename(tmp, path); err != nil {
					return err
				}
				return syncDir(path, o)
			}
		}
		done, err := replaceEmpty(tmp, path, o)
		if err != nil || done {
			return err
		}
	}
	return fmt.Errorf("%s keeps changing under the wallet creation", path)
}

// replaceEmpty renames tmp over path if path holds no wallet, under
// path's lock, so two creations never both replace the same empty file.
// It reports false, with no error, when path changed meanwhile (try
// again).
func replaceEmpty(tmp, path string, o OpenOptions) (bool, error) {
	before, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	db, err := openDB(path, o)
	if err != nil {
		return false, err
	}
	defer db.Close()
	// The lock is on the file that was at path when it was opened; it
	// must still be there.
	if after, err := os.Stat(path); err != nil || !os.SameFile(before, after) {
		return false, nil
	}
	var st fileState
	if err := db.View(func(tx *store.Tx) (err error) { st, err = classify(tx); return err }); err != nil {
		return false, err
	}
	if st == fileWallet {
		return false, ErrWalletExists
	}
	if err := os.Rename(tmp, path); err != nil {
		return false, err
	}
	return true, syncDir(path, o)
}

// syncDir fsyncs the directory of path, so a new name in it survives a
// crash (skipped with NoSync).
func syncDir(path string, o OpenOptions) error {
	if o.NoSync || os.Getenv(store.NoSyncEnv) == "1" {
		return nil
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
