package store

import "errors"

// ErrLocked means another process (or another DB value in this process)
// holds the database file's lock. Open returns an error wrapping it when
// the lock is not released within Options.Timeout.
var ErrLocked = errors.New("datadir in use")

// ErrSchemaTooNew means the file was written by a newer program that
// applied migrations this build does not know.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

// ErrReadOnlyMigration means a read-only open found migrations pending.
var ErrReadOnlyMigration = errors.New("database needs migration but was opened read-only")
