//go:build libsecp256k1 && !cgo

package script

// The libsecp256k1 backend is C: building with the tag needs cgo
// (CGO_ENABLED=1 and a C compiler). The undefined name below stops such a
// build with a message that says so; the rest keeps other errors away.
var _ = libsecp256k1_build_tag_needs_cgo

const Backend = "libsecp256k1"

const backendBatchSize = 1

type secpKeys struct{}

func (*secpKeys) grow()  {}
func (*secpKeys) reset() {}

func verifyOne(pk []byte, rs *[64]byte, hash *[32]byte) bool { return false }

func verifyChecks(t *keyTable, checks []sigCheck, ok []bool) {}
