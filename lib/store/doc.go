// Package store wraps a bbolt database file for the node's persistent
// state: it opens the file with a lock timeout (so a second process gets
// ErrLocked, "datadir in use", instead of blocking), applies schema
// migrations in order on open, and exposes read and write transactions.
//
// # Layout
//
// The store itself owns one bucket:
//
//	meta      "schema_version" -> uint32 big-endian, the number of
//	          migrations applied so far
//
// Every other bucket belongs to the package that creates it (lib/chain
// documents its own). Packages create their buckets inside a write
// transaction with Tx.CreateBucketIfNotExists.
//
// # Durability
//
// Every committed write transaction is fsynced. Options.NoSync (or the
// environment variable GG_DB_NOSYNC=1) disables that for tests and for
// bulk loads that end with DB.Sync; a crash while NoSync is on may corrupt
// the file.
//
// # Byte slices
//
// Slices returned by bbolt buckets are valid only inside the transaction
// that produced them: copy them before the transaction function returns,
// and never modify them.
package store
