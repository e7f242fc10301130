package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/gamegold/gg/lib/internal/atomicfile"
)

// WriteNewFile writes data to a new file at path with mode perm (0600
// for a key, a secret or a backup): never over an existing file (an
// error wrapping fs.ErrExist), synced to disk before it returns, and
// removed again when the write fails, so that no half-written key is
// left to be taken for a whole one.
func WriteNewFile(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if err := writeSynced(f, data); err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, bare(err))
	}
	return nil
}

// ReplaceFile writes data to path with mode perm, over the file there if
// any: through a temporary file in the same directory, synced, renamed
// and the directory synced (atomicfile.Write), so a failure or a crash
// leaves the old file whole.
func ReplaceFile(path string, data []byte, perm fs.FileMode) error {
	return atomicfile.Write(path, data, perm)
}

// writeSynced writes data to f, syncs and closes it.
func writeSynced(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// bare is err without the path an *fs.PathError adds (the caller names
// the file).
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
