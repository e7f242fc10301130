//go:build !libsecp256k1

package script

// Backend names the signature backend this build verifies with: "btcec"
// (pure Go, the default) or "libsecp256k1" (build tag libsecp256k1).
const Backend = "btcec"

// backendBatchSize is the number of queued checks worth a Flush: the
// pure-Go backend has no fixed cost per call, so every transaction's.
const backendBatchSize = 1

// secpKeys is empty without the libsecp256k1 backend.
type secpKeys struct{}

func (*secpKeys) grow()  {}
func (*secpKeys) reset() {}

func verifyOne(pk []byte, rs *[64]byte, hash *[32]byte) bool { return goVerifyOne(pk, rs, hash) }

func verifyChecks(t *keyTable, checks []sigCheck, ok []bool) { goVerifyChecks(t, checks, ok) }
