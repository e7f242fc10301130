package rpc

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gamegold/gg/lib/internal/atomicfile"
)

// CookieUser is the user name of cookie authentication.
const CookieUser = "__cookie__"

// CookieFile is the cookie's file name in the datadir.
const CookieFile = ".cookie"

// Cookie authenticates with a random secret written to the datadir.
type Cookie struct{ secret string }

// NewCookie creates a fresh secret and writes "__cookie__:<hex>" to
// dir/.cookie with mode 0600, replacing any old cookie.
func NewCookie(dir string) (*Cookie, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	c := &Cookie{secret: hex.EncodeToString(b[:])}
	path := filepath.Join(dir, CookieFile)
	if err := atomicfile.Write(path, []byte(CookieUser+":"+c.secret), 0o600); err != nil {
		return nil, fmt.Errorf("cookie: %w", err)
	}
	return c, nil
}

// Authenticate accepts the cookie user with the current secret.
func (c *Cookie) Authenticate(user, pass string) (*Access, bool) {
	if !c.CheckCookie(user, pass) {
		return nil, false
	}
	return FullAccess("cookie"), true
}

// CheckCookie implements CookieAuthenticator: the cookie user with the
// current secret, compared in constant time.
func (c *Cookie) CheckCookie(user, pass string) bool {
	return subtle.ConstantTimeCompare([]byte(user), []byte(CookieUser)) == 1 &&
		subtle.ConstantTimeCompare([]byte(pass), []byte(c.secret)) == 1
}

// ReadCookie reads dir/.cookie and returns its user and password. Its
// errors are *FileError, saying whether the file is missing, unreadable
// or malformed.
func ReadCookie(dir string) (user, pass string, err error) {
	path := filepath.Join(dir, CookieFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", &FileError{"cookie file", path, err}
	}
	u, p, ok := strings.Cut(strings.TrimSpace(string(b)), ":")
	if !ok {
		return "", "", &FileError{"cookie file", path, errors.New("not user:password")}
	}
	return u, p, nil
}

// User is a configured RPC user: bitcoind's rpcauth form
// "name:salt$hmac_sha256(salt, password)" plus an optional whitelist.
type User struct {
	Name    string
	Salt    string
	Hash    string   // hex HMAC-SHA256 keyed by Salt over the password
	Methods []string // empty = all methods
}

// ParseRPCAuth parses "name:salt$hash".
func ParseRPCAuth(s string) (User, error) {
	name, rest, ok := strings.Cut(s, ":")
	salt, hash, ok2 := strings.Cut(rest, "$")
	if !ok || !ok2 || name == "" || salt == "" || len(hash) != 64 {
		return User{}, fmt.Errorf("rpc: rpcauth %q: want name:salt$hash", s)
	}
	if _, err := hex.DecodeString(hash); err != nil {
		return User{}, fmt.Errorf("rpc: rpcauth %q: hash is not hex", s)
	}
	return User{Name: name, Salt: salt, Hash: strings.ToLower(hash)}, nil
}

// HashPassword returns the rpcauth hash of password under salt.
func HashPassword(salt, password string) string {
	m := hmac.New(sha256.New, []byte(salt))
	m.Write([]byte(password))
	return hex.EncodeToString(m.Sum(nil))
}

// NewUser creates a user entry with a random salt.
func NewUser(name, password string, methods ...string) (User, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return User{}, err
	}
	salt := hex.EncodeToString(b[:])
	return User{Name: name, Salt: salt, Hash: HashPassword(salt, password), Methods: methods}, nil
}

// String formats the user in rpcauth form (without the whitelist).
func (u User) String() string { return u.Name + ":" + u.Salt + "$" + u.Hash }

// Auth combines an optional cookie with configured users.
type Auth struct {
	Cookie *Cookie
	Users  []User
}

// CheckCookie implements CookieAuthenticator.
func (a *Auth) CheckCookie(user, pass string) bool {
	return a.Cookie != nil && a.Cookie.CheckCookie(user, pass)
}

// Authenticate implements Authenticator.
func (a *Auth) Authenticate(user, pass string) (*Access, bool) {
	if a.CheckCookie(user, pass) {
		return FullAccess("cookie"), true
	}
	for _, u := range a.Users {
		if subtle.ConstantTimeCompare([]byte(user), []byte(u.Name)) != 1 {
			continue
		}
		got := HashPassword(u.Salt, pass)
		if subtle.ConstantTimeCompare([]byte(got), []byte(u.Hash)) != 1 {
			return nil, false
		}
		return NewAccess(u.Name, u.Methods), true
	}
	return nil, false
}

// Configured reports whether any credential exists.
func (a *Auth) Configured() bool { return a.Cookie != nil || len(a.Users) > 0 }
