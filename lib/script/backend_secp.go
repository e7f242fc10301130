//go:build libsecp256k1 && cgo

package script

/*
#cgo LDFLAGS: -lsecp256k1
#cgo noescape gg_parse_keys
#cgo nocallback gg_parse_keys
#cgo noescape gg_verify
#cgo nocallback gg_verify
#cgo noescape gg_verify1
#cgo nocallback gg_verify1
#include <stdint.h>
#include <string.h>
#include <secp256k1.h>

// gg_parse_keys parses n serialized public keys (key j is
// ser[off[j]:off[j+1]]) into out (64 bytes each) and sets okv[j] to 1 for
// a key that parses, else 0.
static void gg_parse_keys(const secp256k1_context *ctx, size_t n,
		const unsigned char *ser, const int32_t *off,
		unsigned char *out, unsigned char *okv) {
	for (size_t j = 0; j < n; j++) {
		secp256k1_pubkey pk;
		okv[j] = (unsigned char)secp256k1_ec_pubkey_parse(ctx, &pk, ser + off[j], (size_t)(off[j+1] - off[j]));
		memcpy(out + 64*j, pk.data, 64);
	}
}

// gg_verify checks n signatures: check i is the compact signature
// sigs[64i:] (R || S, each below the group order: the caller parsed
// them) over msgs[32i:] with parsed key keys[64*kidx[i]:], skipped (0)
// when kok[kidx[i]] is 0. S is normalized to the lower half first, as
// Bitcoin Core does: high S is a policy rule, checked elsewhere.
static void gg_verify(const secp256k1_context *ctx, size_t n,
		const unsigned char *keys, const unsigned char *kok, const int32_t *kidx,
		const unsigned char *sigs, const unsigned char *msgs, unsigned char *okv) {
	for (size_t i = 0; i < n; i++) {
		secp256k1_ecdsa_signature sig;
		secp256k1_pubkey pk;
		int32_t k = kidx[i];
		okv[i] = 0;
		if (!kok[k] || !secp256k1_ecdsa_signature_parse_compact(ctx, &sig, sigs + 64*i)) {
			continue;
		}
		secp256k1_ecdsa_signature_normalize(ctx, &sig, &sig);
		memcpy(pk.data, keys + 64*(size_t)k, 64);
		okv[i] = (unsigned char)secp256k1_ecdsa_verify(ctx, &sig, msgs + 32*i, &pk);
	}
}

// gg_verify1 parses one key and verifies one signature, as gg_verify.
static int gg_verify1(const secp256k1_context *ctx, const unsigned char *ser, size_t len,
		const unsigned char *sig64, const unsigned char *msg32) {
	secp256k1_pubkey pk;
	secp256k1_ecdsa_signature sig;
	if (!secp256k1_ec_pubkey_parse(ctx, &pk, ser, len) ||
		!secp256k1_ecdsa_signature_parse_compact(ctx, &sig, sig64)) {
		return 0;
	}
	secp256k1_ecdsa_signature_normalize(ctx, &sig, &sig);
	return secp256k1_ecdsa_verify(ctx, &sig, msg32, &pk);
}

static secp256k1_context *gg_context(void) {
	return secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
}
*/
import "C"

import (
	"sync"
	"unsafe"
)

// Backend names the signature backend this build verifies with: "btcec"
// (pure Go, the default) or "libsecp256k1" (build tag libsecp256k1).
const Backend = "libsecp256k1"

// backendBatchSize is the number of queued checks worth a Flush: enough
// that the cgo call's fixed cost disappears in the verifications.
const backendBatchSize = 64

// secpContext is created on first use (a client that never verifies a
// signature does not pay for it) and never freed; verification with it
// is safe from many goroutines.
var secpContext = sync.OnceValue(func() *C.secp256k1_context { return C.gg_context() })

// secpKeys holds the keys of a keyTable parsed by libsecp256k1: 64 opaque
// bytes each, and their state.
type secpKeys struct {
	parsed []byte
	ok     []byte // 1 parsed, 0 bad or pending
	state  []uint8
	// Scratch for one verify call.
	pend    []int32
	pendSer []byte
	pendOff []int32
	pendOut []byte
	pendOK  []byte
	kidx    []int32
	sigs    []byte
	msgs    []byte
	res     []byte
}

func (s *secpKeys) grow() {
	s.parsed = append(s.parsed, make([]byte, 64)...)
	s.ok = append(s.ok, 0)
	s.state = append(s.state, keyPending)
}

func (s *secpKeys) reset() {
	s.parsed, s.ok, s.state = s.parsed[:0], s.ok[:0], s.state[:0]
}

func verifyOne(pk []byte, rs *[64]byte, hash *[32]byte) bool { return secpVerifyOne(pk, rs, hash) }

func verifyChecks(t *keyTable, checks []sigCheck, ok []bool) { secpVerifyChecks(t, checks, ok) }

func secpVerifyOne(pk []byte, rs *[64]byte, hash *[32]byte) bool {
	if len(pk) == 0 {
		return false
	}
	return C.gg_verify1(secpContext(), (*C.uchar)(unsafe.Pointer(&pk[0])), C.size_t(len(pk)),
		(*C.uchar)(unsafe.Pointer(&rs[0])), (*C.uchar)(unsafe.Pointer(&hash[0]))) == 1
}

// secpVerifyChecks parses the keys of t not parsed yet, in one cgo call,
// and verifies checks in another.
func secpVerifyChecks(t *keyTable, checks []sigCheck, ok []bool) {
	if len(checks) == 0 {
		return
	}
	s := &t.secp
	ctx := secpContext()
	s.pend, s.pendSer, s.pendOff = s.pend[:0], s.pendSer[:0], append(s.pendOff[:0], 0)
	for i := range checks {
		k := checks[i].key
		if s.state[k] != keyPending {
			continue
		}
		s.state[k] = keyBad // until parsed; also marks it queued
		s.pend = append(s.pend, k)
		s.pendSer = append(s.pendSer, t.ser[k]...)
		s.pendOff = append(s.pendOff, int32(len(s.pendSer)))
	}
	if n := len(s.pend); n > 0 {
		s.pendOut = growBytes(s.pendOut, 64*n)
		s.pendOK = growBytes(s.pendOK, n)
		C.gg_parse_keys(ctx, C.size_t(n), (*C.uchar)(unsafe.Pointer(&s.pendSer[0])),
			(*C.int32_t)(unsafe.Pointer(&s.pendOff[0])),
			(*C.uchar)(unsafe.Pointer(&s.pendOut[0])), (*C.uchar)(unsafe.Pointer(&s.pendOK[0])))
		for j, k := range s.pend {
			copy(s.parsed[64*int(k):64*int(k)+64], s.pendOut[64*j:])
			s.ok[k] = s.pendOK[j]
			if s.pendOK[j] == 1 {
				s.state[k] = keyOK
			}
		}
	}
	n := len(checks)
	s.kidx = s.kidx[:0]
	s.sigs, s.msgs = s.sigs[:0], s.msgs[:0]
	for i := range checks {
		c := &checks[i]
		s.kidx = append(s.kidx, c.key)
		s.sigs = append(s.sigs, c.sig[:]...)
		s.msgs = append(s.msgs, c.hash[:]...)
	}
	s.res = growBytes(s.res, n)
	C.gg_verify(ctx, C.size_t(n), (*C.uchar)(unsafe.Pointer(&s.parsed[0])), (*C.uchar)(unsafe.Pointer(&s.ok[0])),
		(*C.int32_t)(unsafe.Pointer(&s.kidx[0])), (*C.uchar)(unsafe.Pointer(&s.sigs[0])),
		(*C.uchar)(unsafe.Pointer(&s.msgs[0])), (*C.uchar)(unsafe.Pointer(&s.res[0])))
	for i := range ok {
		ok[i] = s.res[i] == 1
	}
}

func growBytes(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
