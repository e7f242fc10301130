package wallet

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime/debug"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// KDFParams are the argon2id parameters that turn a passphrase into the
// key that encrypts the wallet's master key. They are stored with the
// ciphertext, so a wallet keeps opening after the defaults change.
type KDFParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// DefaultKDF costs about half a second and 64 MiB on a small machine.
var DefaultKDF = KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// Limits on stored and requested KDF parameters. A backup's header
// carries its own (so does a wallet file's kdf record): the bounds keep
// a crafted or corrupted one from making an unlock or restore take
// gigabytes or minutes. They are 16 times DefaultKDF's memory and three
// times its passes, and the writer keeps to them too, so every file this
// program writes opens. Tests may use MemoryKiB as small as 8·Threads.
const (
	maxKDFTime      = 10
	maxKDFMemoryKiB = 1024 * 1024 // 1 GiB
	saltSize        = 16
	masterKeySize   = chacha20poly1305.KeySize
)

// checkCost refuses parameters above the limits (ErrKDFCost).
func (k KDFParams) checkCost() error {
	if k.Time > maxKDFTime || k.MemoryKiB > maxKDFMemoryKiB {
		return fmt.Errorf("%w: %d passes over %d KiB (at most %d passes over %d KiB)",
			ErrKDFCost, k.Time, k.MemoryKiB, maxKDFTime, maxKDFMemoryKiB)
	}
	return nil
}

func (k KDFParams) validate() error {
	if err := k.checkCost(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidArgument, err)
	}
	if k.Time < 1 || k.Threads < 1 || k.MemoryKiB < 8*uint32(k.Threads) {
		return fmt.Errorf("%w: kdf parameters time=%d memory=%dKiB threads=%d out of range",
			ErrInvalidArgument, k.Time, k.MemoryKiB, k.Threads)
	}
	return nil
}

// kdfRecord is what the meta bucket keeps about the passphrase: the
// parameters, the salt and the master key sealed under the derived key.
type kdfRecord struct {
	Params    KDFParams
	Salt      []byte
	SealedKey []byte // nonce ‖ XChaCha20-Poly1305(master key)
}

// adMasterKey binds the sealed master key to its role.
const adMasterKey = "gg-wallet/v1/master-key"

// kdfReleaseKiB is the memory parameter from which a derivation hands
// its memory back to the OS at once.
const kdfReleaseKiB = 8 * 1024

// passphraseKey runs argon2id. Its memory (64 MiB by default) is garbage
// when it returns, but the runtime would keep it mapped (a node's RSS
// went from 43 to 166 MiB after an unlock and stayed there): a collection
// now returns it to the OS. That costs one GC per unlock, backup or
// passphrase change, next to the derivation's half second.
func passphraseKey(pass []byte, r *kdfRecord) []byte {
	k := argon2.IDKey(pass, r.Salt, r.Params.Time, r.Params.MemoryKiB, r.Params.Threads, chacha20poly1305.KeySize)
	if r.Params.MemoryKiB >= kdfReleaseKiB {
		debug.FreeOSMemory()
	}
	return k
}

// newKDFRecord seals master under pass with fresh salt.
func newKDFRecord(pass, master []byte, params KDFParams) (*kdfRecord, error) {
	if err := params.validate(); err != nil {
		return nil, err
	}
	r := &kdfRecord{Params: params, Salt: make([]byte, saltSize)}
	if _, err := rand.Read(r.Salt); err != nil {
		return nil, err
	}
	key := passphraseKey(pass, r)
	defer zero(key)
	sealed, err := seal(key, master, []byte(adMasterKey))
	if err != nil {
		return nil, err
	}
	r.SealedKey = sealed
	return r, nil
}

// openMaster returns the master key sealed in r, or ErrWrongPassphrase.
func (r *kdfRecord) openMaster(pass []byte) ([]byte, error) {
	key := passphraseKey(pass, r)
	defer zero(key)
	m, err := open(key, r.SealedKey, []byte(adMasterKey))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	if len(m) != masterKeySize {
		return nil, fmt.Errorf("%w: master key of %d bytes", ErrCorrupt, len(m))
	}
	return m, nil
}

// seal encrypts plain with XChaCha20-Poly1305 under key and a random
// 24-byte nonce, authenticating ad; the result is nonce ‖ ciphertext.
func seal(key, plain, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return aead.Seal(out, out, plain, ad), nil
}

// open reverses seal.
func open(key, sealed, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%w: sealed record too short", ErrCorrupt)
	}
	n := aead.NonceSize()
	return aead.Open(nil, sealed[:n], sealed[n:], ad)
}

func newMasterKey() ([]byte, error) {
	k := make([]byte, masterKeySize)
	_, err := rand.Read(k)
	return k, err
}

func zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

func equalBytes(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
