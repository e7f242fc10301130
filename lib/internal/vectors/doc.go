// Package vectors finds the external test vectors the project's tests run
// (docs/architecture.md, "Tests and vectors"): Bitcoin Core's script,
// transaction and sighash vectors, and the shared vector folder's other
// files. It is for tests only.
//
// A Core vector file is read from the first of: $GG_VECTORS (a folder; set,
// it is the only place looked at), ../shared/testdata/vectors beside the
// repository, and the copy the pinned github.com/btcsuite/btcd module ships
// in txscript/data (in the module cache after go mod download or any
// build), whose names differ (script_tests.json for script-tests.json).
// A test that finds no vectors fails, unless GG_SKIP_VECTORS=1 asks it to
// skip: a fresh clone without ../shared still runs them.
package vectors
