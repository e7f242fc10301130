package blockfile

import "errors"

// Errors reported by the package, usable with errors.Is; they come
// wrapped with the file and offset concerned.
var (
	// ErrCorrupt: a record's magic, length or checksum is wrong.
	ErrCorrupt = errors.New("corrupt record")
	// ErrOutOfRange: a position reaches past its file's known length.
	ErrOutOfRange = errors.New("position past the end of the file")
	// ErrMissing: the position's file does not exist (never written, or
	// deleted by Remove).
	ErrMissing = errors.New("file missing")
	// ErrTruncated: Open found a file shorter than its committed length.
	ErrTruncated = errors.New("file shorter than its committed length")
	// ErrTooLarge: a record does not fit a file's 4 GiB offset range.
	ErrTooLarge = errors.New("record too large")
	// ErrClosed: the Files were closed.
	ErrClosed = errors.New("block files closed")
)
