package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// DefaultTimeout is the lock timeout used when Options.Timeout is zero:
// bbolt would otherwise wait forever for another process's lock.
const DefaultTimeout = time.Second

// NoSyncEnv is the environment variable that, set to "1", turns fsync off
// for every database opened by this process (tests only).
const NoSyncEnv = "GG_DB_NOSYNC"

var (
	metaBucket       = []byte("meta")
	schemaVersionKey = []byte("schema_version")
)

// Migration is one step of the schema. Migrations run in list order, each
// in its own write transaction together with the update of the schema
// version, so a crash leaves either the old or the new version.
type Migration struct {
	Name  string
	Apply func(tx *Tx) error
}

// Migrations is the store's own schema history, applied by Open when
// Options.Migrations is nil. Version n means the first n entries ran.
var Migrations = []Migration{
	{Name: "create meta bucket", Apply: func(tx *Tx) error {
		_, err := tx.CreateBucketIfNotExists(metaBucket)
		return err
	}},
}

// Options control how Open opens the file.
type Options struct {
	// NoSync skips fsync on commit (tests and bulk loads only).
	NoSync bool
	// Timeout bounds the wait for the file lock; zero means DefaultTimeout.
	Timeout time.Duration
	// ReadOnly opens the file for reading; pending migrations are an error.
	ReadOnly bool
	// Migrations replaces the default list (tests and later schema
	// versions); the list must start with the default one.
	Migrations []Migration
}

// DB is an open database file.
type DB struct {
	bolt *bbolt.DB
	path string
	// wmu serialises write transactions with SetNoSync, so the flag never
	// changes under a commit.
	wmu sync.Mutex
}

// Tx is a bbolt transaction; its Bucket and CreateBucketIfNotExists
// methods come from the embedded *bbolt.Tx.
type Tx struct {
	*bbolt.Tx
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if os.Getenv(NoSyncEnv) == "1" {
		opts.NoSync = true
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:  opts.Timeout,
		NoSync:   opts.NoSync,
		ReadOnly: opts.ReadOnly,
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("store: open %s: %w (%w)", path, ErrLocked, err)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path}
	migs := opts.Migrations
	if migs == nil {
		migs = Migrations
	}
	if err := db.migrate(migs, opts.ReadOnly); err != nil {
		b.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}

// SchemaVersion returns the number of migrations applied.
func (db *DB) SchemaVersion() (uint32, error) {
	var v uint32
	err := db.View(func(tx *Tx) error {
		v = schemaVersion(tx)
		return nil
	})
	return v, err
}

func schemaVersion(tx *Tx) uint32 {
	b := tx.Bucket(metaBucket)
	if b == nil {
		return 0
	}
	raw := b.Get(schemaVersionKey)
	if len(raw) != 4 {
		return 0
	}
	return binary.BigEndian.Uint32(raw)
}

func (db *DB) migrate(migs []Migration, readOnly bool) error {
	var cur uint32
	if err := db.View(func(tx *Tx) error { cur = schemaVersion(tx); return nil }); err != nil {
		return err
	}
	if int(cur) > len(migs) {
		return fmt.Errorf("%w: version %d, known %d", ErrSchemaTooNew, cur, len(migs))
	}
	if int(cur) == len(migs) {
		return nil
	}
	if readOnly {
		return fmt.Errorf("%w: version %d, want %d", ErrReadOnlyMigration, cur, len(migs))
	}
	for i := int(cur); i < len(migs); i++ {
		m := migs[i]
		err := db.Update(func(tx *Tx) error {
			if err := m.Apply(tx); err != nil {
				return err
			}
			meta, err := tx.CreateBucketIfNotExists(metaBucket)
			if err != nil {
				return err
			}
			return meta.Put(schemaVersionKey, binary.BigEndian.AppendUint32(nil, uint32(i+1)))
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", i+1, m.Name, err)
		}
	}
	return nil
}

// Path returns the file the database was opened from.
func (db *DB) Path() string { return db.path }

// Update runs fn in a read-write transaction, committed (and fsynced
// unless NoSync) when fn returns nil and rolled back otherwise.
func (db *DB) Update(fn func(*Tx) error) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	return db.bolt.Update(func(tx *bbolt.Tx) error { return fn(&Tx{tx}) })
}

// View runs fn in a read-only transaction. Do not call Update from inside
// fn on the same goroutine.
func (db *DB) View(fn func(*Tx) error) error {
	return db.bolt.View(func(tx *bbolt.Tx) error { return fn(&Tx{tx}) })
}

// Sync forces the file to disk; call it after a bulk load done with
// NoSync.
func (db *DB) Sync() error { return db.bolt.Sync() }

// NoSync reports whether commits skip fsync.
func (db *DB) NoSync() bool {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	return db.bolt.NoSync
}

// SetNoSync switches fsync on commit off or on, between write
// transactions. Turn it back on and call Sync at the end of a bulk load.
func (db *DB) SetNoSync(noSync bool) {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	db.bolt.NoSync = noSync
}

// Close closes the file, releasing its lock.
func (db *DB) Close() error { return db.bolt.Close() }
