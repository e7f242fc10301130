package rpc

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gamegold/gg/lib/internal/atomicfile"
)

// TokenFile is the API tokens' file name in the datadir.
const TokenFile = "tokens.json"

// TokenPrefix starts every API token: "ggt_NAME_SECRET", SECRET being
// 32 random bytes in unpadded base64url (43 characters).
const TokenPrefix = "ggt_"

// Bounds of a token's name and grants.
const (
	MaxTokenName   = 64
	MaxTokenGrants = 256
	maxGrantLen    = 128
	tokenSecretLen = 43 // base64url of 32 bytes, unpadded
)

// Errors of the token store, usable with errors.Is.
var (
	ErrTokenExists   = errors.New("token exists")
	ErrTokenNotFound = errors.New("no such token")
)

// TokenInfo describes an API token; the secret is never part of it.
type TokenInfo struct {
	Name   string   `json:"name"`
	Grants []string `json:"grants"`
	// Account, when set, binds the token to one wallet account.
	Account string `json:"account,omitempty"`
	Created int64  `json:"created"` // unix seconds
}

// token is a stored token. revoked is set once, by Revoke: the Access
// of every login made with it turns to nothing at once.
type token struct {
	info    TokenInfo
	hash    [sha256.Size]byte // of the 32-byte secret
	revoked atomic.Bool
}

// Tokens is the store of API tokens, kept in a file (TokenFile) with
// the SHA-256 of each secret, never the secret: a 256-bit random secret
// needs no salt or slow hash. Every change rewrites the file atomically.
type Tokens struct {
	path string
	now  func() time.Time

	mu     sync.RWMutex
	tokens map[string]*token
}

// tokenFile is the JSON form of the store.
type tokenFile struct {
	Tokens []tokenRecord `json:"tokens"`
}

type tokenRecord struct {
	TokenInfo
	SHA256 string `json:"sha256"`
}

// OpenTokens loads the token store at path; a missing file is an empty
// store (created by the first Create). A malformed file is an error: no
// token is dropped silently.
func OpenTokens(path string) (*Tokens, error) {
	t := &Tokens{path: path, now: time.Now, tokens: map[string]*token{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, &FileError{"tokens file", path, err}
	}
	var f tokenFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, &FileError{"tokens file", path, err}
	}
	for _, r := range f.Tokens {
		h, err := hex.DecodeString(r.SHA256)
		switch {
		case err != nil || len(h) != sha256.Size:
			err = fmt.Errorf("token %q: sha256 is not 64 hex digits", truncate(r.Name, MaxTokenName))
		case t.tokens[r.Name] != nil:
			err = fmt.Errorf("token %q: %w", r.Name, ErrTokenExists)
		default:
			err = checkToken(r.Name, r.Grants)
		}
		if err != nil {
			return nil, &FileError{"tokens file", path, err}
		}
		e := &token{info: r.TokenInfo}
		copy(e.hash[:], h)
		t.tokens[r.Name] = e
	}
	return t, nil
}

// checkToken checks a token's name and grants.
func checkToken(name string, grants []string) error {
	if err := checkTokenName(name); err != nil {
		return err
	}
	if err := checkGrants(grants); err != nil {
		return fmt.Errorf("token %q: %w", name, err)
	}
	return nil
}

// checkGrants checks a list of grants.
func checkGrants(grants []string) error {
	if len(grants) == 0 {
		return errors.New("no grants (\"*\" grants everything)")
	}
	if len(grants) > MaxTokenGrants {
		return fmt.Errorf("%d grants, at most %d", len(grants), MaxTokenGrants)
	}
	for _, g := range grants {
		if g == "" || len(g) > maxGrantLen || strings.ContainsFunc(g, func(r rune) bool { return r <= ' ' || r == ',' || r > '~' }) {
			return fmt.Errorf("grant %q: want a method name, a pattern such as \"prop.*\", or a route permission", truncate(g, maxGrantLen))
		}
	}
	return nil
}

// checkTokenName checks a token's name: 1 to 64 letters, digits, '.',
// '-' or '_'.
func checkTokenName(name string) error {
	if name == "" || len(name) > MaxTokenName {
		return fmt.Errorf("token name %q: want 1 to %d characters", truncate(name, MaxTokenName), MaxTokenName)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("token name %q: character %q not allowed (letters, digits, '.', '-', '_')", name, c)
		}
	}
	return nil
}

// Create makes a token named name with grants (method names, "prefix.*"
// patterns, route permissions, "*") and, if account is not empty, bound
// to that wallet account. It returns the token's description and the
// token itself, which is not stored and cannot be shown again.
func (t *Tokens) Create(name string, grants []string, account string) (TokenInfo, string, error) {
	if err := checkToken(name, grants); err != nil {
		return TokenInfo{}, "", err
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return TokenInfo{}, "", err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tokens[name] != nil {
		return TokenInfo{}, "", fmt.Errorf("token %q: %w", name, ErrTokenExists)
	}
	e := &token{info: TokenInfo{Name: name, Grants: slices.Clone(grants), Account: account, Created: t.now().Unix()},
		hash: sha256.Sum256(secret[:])}
	t.tokens[name] = e
	if err := t.save(); err != nil {
		delete(t.tokens, name)
		return TokenInfo{}, "", err
	}
	return e.info, TokenPrefix + name + "_" + base64.RawURLEncoding.EncodeToString(secret[:]), nil
}

// List returns the tokens by name.
func (t *Tokens) List() []TokenInfo {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]TokenInfo, 0, len(t.tokens))
	for _, e := range t.tokens {
		info := e.info
		info.Grants = slices.Clone(info.Grants)
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Revoke deletes the token name. It takes effect at once, before the
// file is written: logins with it are refused and the Access of earlier
// ones allows nothing (a WebSocket holding it closes). An error writing
// the file is returned: the token is revoked until the node restarts.
func (t *Tokens) Revoke(name string) (TokenInfo, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.tokens[name]
	if e == nil {
		return TokenInfo{}, fmt.Errorf("token %q: %w", truncate(name, MaxTokenName), ErrTokenNotFound)
	}
	e.revoked.Store(true)
	delete(t.tokens, name)
	if err := t.save(); err != nil {
		return e.info, fmt.Errorf("token %q revoked until the node restarts: %w", name, err)
	}
	return e.info, nil
}

// AuthenticateToken returns the Access of a token: its grants, its
// account, revocable (Access.Revoked).
func (t *Tokens) AuthenticateToken(s string) (*Access, bool) {
	name, secret, ok := parseToken(s)
	if !ok {
		return nil, false
	}
	t.mu.RLock()
	e := t.tokens[name]
	t.mu.RUnlock()
	if e == nil {
		return nil, false
	}
	h := sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(h[:], e.hash[:]) != 1 {
		return nil, false
	}
	a := NewAccess("token:"+name, e.info.Grants)
	a.Account, a.token = e.info.Account, true
	return a.WithLive(func() bool { return !e.revoked.Load() }), true
}

// parseToken splits "ggt_NAME_SECRET".
func parseToken(s string) (name string, secret []byte, ok bool) {
	rest, ok := strings.CutPrefix(s, TokenPrefix)
	n := len(rest) - tokenSecretLen - 1
	if !ok || n < 1 || n > MaxTokenName || rest[n] != '_' {
		return "", nil, false
	}
	secret, err := base64.RawURLEncoding.DecodeString(rest[n+1:])
	if err != nil || len(secret) != 32 {
		return "", nil, false
	}
	return rest[:n], secret, true
}

// save writes the store: a temporary file in the same directory, synced,
// renamed over the old one, the directory synced. Requires t.mu.
func (t *Tokens) save() error {
	f := tokenFile{Tokens: []tokenRecord{}}
	for _, e := range t.tokens {
		f.Tokens = append(f.Tokens, tokenRecord{TokenInfo: e.info, SHA256: hex.EncodeToString(e.hash[:])})
	}
	sort.Slice(f.Tokens, func(i, j int) bool { return f.Tokens[i].Name < f.Tokens[j].Name })
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(t.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("tokens file: %w", err)
	}
	return nil
}

// TokenAuthenticator is an Authenticator that also takes API tokens
// (Authorization: Bearer, or ?access_token= on GET routes).
type TokenAuthenticator interface {
	Authenticator
	AuthenticateToken(token string) (*Access, bool)
}

// WithTokens returns auth accepting t's tokens too. The cookie check of
// auth, if it has one, stays first.
func WithTokens(auth Authenticator, t *Tokens) Authenticator {
	if ca, ok := auth.(CookieAuthenticator); ok {
		return cookieTokenAuth{ca, t}
	}
	return tokenAuth{auth, t}
}

type tokenAuth struct {
	Authenticator
	t *Tokens
}

func (a tokenAuth) AuthenticateToken(s string) (*Access, bool) { return a.t.AuthenticateToken(s) }

type cookieTokenAuth struct {
	CookieAuthenticator
	t *Tokens
}

func (a cookieTokenAuth) AuthenticateToken(s string) (*Access, bool) { return a.t.AuthenticateToken(s) }

// TokenService serves token.create, token.list and token.revoke. They
// need full access by a login that is not a token (the cookie, an
// rpcauth user without whitelist): a token never makes or sees tokens.
type TokenService struct {
	Tokens *Tokens
	// ServerMethods lists the server's methods: a grant must name one, match
	// one ("prefix.*"), be a route permission or "*".
	ServerMethods func() []Method
	// CheckAccount, if not nil, checks the account a token is bound to
	// (say, that the wallet has it).
	CheckAccount func(account string) error
}

// TokenCreated is token.create's answer: the token is shown once.
type TokenCreated struct {
	TokenInfo
	Token string `json:"token"`
}

// Methods returns the token methods.
func (s *TokenService) Methods() []Method {
	return []Method{
		{Name: "token.create", Params: "name grants [account]",
			Help:    "create an API token named name (letters, digits, '.', '-', '_') allowed grants (a list, or a string of them separated by commas: method names, patterns such as \"prop.*\", the routes' \"rest\", \"events\", \"metrics\", or \"*\"), bound to one wallet account if account is given; returns {name, token, grants, account, created}: the token is shown once (full access, not a token)",
			Handler: s.create},
		{Name: "token.list", Help: "the API tokens: [{name, grants, account, created}] (full access, not a token)", Handler: s.list},
		{Name: "token.revoke", Params: "name",
			Help: "revoke an API token at once, on every connection using it; returns its {name, grants, account, created} (full access, not a token)", Handler: s.revoke},
	}
}

// operator refuses what is not a full login or is a token.
func operator(ctx context.Context) error {
	if !AccessFrom(ctx).Operator() {
		return Errorf(CodeForbidden, "token methods need full access, not a token")
	}
	return nil
}

func (s *TokenService) create(ctx context.Context, p json.RawMessage) (any, error) {
	if err := operator(ctx); err != nil {
		return nil, err
	}
	var name, account string
	var raw json.RawMessage
	if err := ParseParams(p, []string{"name", "grants", "account"}, 2, &name, &raw, &account); err != nil {
		return nil, err
	}
	grants, err := grantList(raw)
	if err != nil {
		return nil, err
	}
	if err := checkToken(name, grants); err != nil {
		return nil, Errorf(CodeInvalidParam, "%v", err)
	}
	for _, g := range grants {
		if !s.known(g) {
			return nil, Errorf(CodeInvalidParam, "grant %q names no method or route permission (%s, %s, %s)", g, RESTPerm, EventsPerm, MetricsPerm)
		}
	}
	if account != "" && s.CheckAccount != nil {
		if err := s.CheckAccount(account); err != nil {
			return nil, err
		}
	}
	info, tok, err := s.Tokens.Create(name, grants, account)
	switch {
	case errors.Is(err, ErrTokenExists):
		return nil, Errorf(CodeInvalidParam, "token %q exists (revoke it first)", name)
	case err != nil:
		return nil, err
	}
	return TokenCreated{TokenInfo: info, Token: tok}, nil
}

// grantList reads grants: a list of strings, or one string of them
// separated by commas.
func grantList(raw json.RawMessage) ([]string, error) {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, InvalidParams("param \"grants\": want a list of strings or a string")
	}
	for _, g := range strings.Split(s, ",") {
		if g = strings.TrimSpace(g); g != "" {
			list = append(list, g)
		}
	}
	return list, nil
}

// known reports whether grant g means something on this server.
func (s *TokenService) known(g string) bool {
	switch g {
	case "*", RESTPerm, EventsPerm, MetricsPerm:
		return true
	}
	if s.ServerMethods == nil {
		return true
	}
	for _, m := range s.ServerMethods() {
		if GrantMatches(g, m.Name) {
			return true
		}
	}
	return false
}

func (s *TokenService) list(ctx context.Context, p json.RawMessage) (any, error) {
	if err := operator(ctx); err != nil {
		return nil, err
	}
	if err := noParams(p); err != nil {
		return nil, err
	}
	return s.Tokens.List(), nil
}

func (s *TokenService) revoke(ctx context.Context, p json.RawMessage) (any, error) {
	if err := operator(ctx); err != nil {
		return nil, err
	}
	var name string
	if err := ParseParams(p, []string{"name"}, 1, &name); err != nil {
		return nil, err
	}
	info, err := s.Tokens.Revoke(name)
	if errors.Is(err, ErrTokenNotFound) {
		return nil, Errorf(CodeInvalidParam, "no token %q", truncate(name, MaxTokenName))
	}
	if err != nil {
		return nil, err
	}
	return info, nil
}
