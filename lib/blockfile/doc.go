// Package blockfile stores records — full blocks, undo data — in numbered,
// size-capped, append-only files, each record checksummed, and reads them
// back by position. The index that says which record is where lives
// elsewhere (lib/chain keeps it in bbolt); this package only appends,
// syncs, reads, truncates and deletes files.
//
// # Files and records
//
// A series of files shares a prefix: blk00000.dat, blk00001.dat, ... in
// one directory. Appends go to the newest file until the next record
// would take it past Options.MaxFileSize (DefaultMaxFileSize, 128 MiB);
// then a new file is started. A record larger than the cap gets a file of
// its own. Every record is
//
//	magic (4 bytes, Options.Magic) || payload length (uint32 LE) ||
//	CRC-32C (Castagnoli) of the payload (uint32 LE) || payload
//
// and is addressed by a Pos: file number, offset of the record's first
// byte, payload length (12 bytes encoded, uint32 BE each). Read checks the
// bounds against the file's known length, the magic, the length and the
// checksum, and reports a damaged record as ErrCorrupt, a position past a
// file's end as ErrOutOfRange and a deleted file as ErrMissing.
//
// # Crash rules
//
// A file's contents count only up to its committed length: the length the
// caller recorded, in its own database, in the same transaction as the
// positions that point into the file. The writer's sequence is
//
//  1. Append the records (the file grows; nothing points at the new bytes
//     yet);
//  2. Sync: fsync every file written since the last Sync and, when a file
//     was created, the directory;
//  3. commit the database transaction holding the new positions and
//     Changed's lengths, then call Commit (or Rollback, which truncates
//     the files back, when the transaction failed).
//
// Open takes the committed lengths read from that database. A file longer
// than its committed length ends in a torn or uncommitted tail (a crash
// between 1 and 3): the tail is truncated, never read. A file with no
// committed length was created and never committed, or pruned before a
// crash could delete it: it is deleted. A file shorter than its committed
// length, or missing, has lost committed data: Open fails with
// ErrTruncated rather than guess.
//
// Options.NoSync (or GG_DB_NOSYNC=1, as for lib/store) turns the fsyncs
// of Sync off, for tests and bulk loads that call Sync with NoSync off
// at the end.
//
// # Concurrency
//
// One writer at a time calls Append, Sync, Commit, Rollback and Remove;
// Read, Info, Infos and TotalSize may run concurrently with it and with
// each other.
package blockfile
