package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Access is what one login may do. Its grants name JSON-RPC methods and
// the HTTP routes' permissions (RESTPerm, EventsPerm, MetricsPerm): an
// exact name, a prefix pattern such as "prop.*" (every name starting
// "prop."), or "*" (everything). A nil *Access allows nothing.
type Access struct {
	// Name says who logged in: "cookie", an rpcauth user's name, or
	// "token:NAME" for an API token.
	Name string
	// Account, when set, binds the login to one wallet account: wallet
	// methods act on it only.
	Account string
	token   bool // an API token's (Tokens.AuthenticateToken)
	all     bool
	grants  []string
	// live, when set, reports whether the credential still holds (an API
	// token not revoked); Allows and Revoked consult it.
	live func() bool
}

// WithLive returns a copy of a whose Allows turns false, and Revoked
// true, once live reports false (a revoked token: a WebSocket
// connection holding it closes).
func (a *Access) WithLive(live func() bool) *Access {
	c := *a
	c.live = live
	return &c
}

// Revoked reports whether a's credential was revoked since login.
func (a *Access) Revoked() bool { return a != nil && a.live != nil && !a.live() }

// Permissions of the HTTP routes beside JSON-RPC, granted like methods.
const (
	RESTPerm    = "rest"    // the read-only REST routes under /rest/
	EventsPerm  = "events"  // WebSocket subscriptions on /ws
	MetricsPerm = "metrics" // /metrics
)

// FullAccess allows every method and route.
func FullAccess(name string) *Access { return &Access{Name: name, all: true} }

// NewAccess allows what grants name; no grants, or "*" among them, allows
// everything.
func NewAccess(name string, grants []string) *Access {
	if len(grants) == 0 || slices.Contains(grants, "*") {
		return FullAccess(name)
	}
	return &Access{Name: name, grants: slices.Clone(grants)}
}

// Full reports whether a allows everything.
func (a *Access) Full() bool { return a != nil && a.all && !a.Revoked() }

// Operator reports whether a is the node's operator: full access by a
// login that is neither an API token nor bound to an account (the
// cookie, or an rpcauth user without a whitelist). The token methods,
// node.log and the events' log topic need it.
func (a *Access) Operator() bool { return a.Full() && !a.token && a.Account == "" }

// Grants returns a's grants (nil for full access).
func (a *Access) Grants() []string {
	if a == nil || a.all {
		return nil
	}
	return slices.Clone(a.grants)
}

// Allows reports whether a may call the method or use the route
// permission name.
func (a *Access) Allows(name string) bool {
	if a == nil || a.Revoked() {
		return false
	}
	if a.all {
		return true
	}
	for _, g := range a.grants {
		if GrantMatches(g, name) {
			return true
		}
	}
	return false
}

// GrantMatches reports whether grant g covers name: equal, "*", or a
// "prefix.*" pattern whose prefix (with its dot) starts name.
func GrantMatches(g, name string) bool {
	switch {
	case g == "*" || g == name:
		return true
	case strings.HasSuffix(g, ".*"):
		return strings.HasPrefix(name, g[:len(g)-1])
	}
	return false
}

// String is who logged in (Name), for messages.
func (a *Access) String() string {
	if a == nil {
		return "no login"
	}
	return a.Name
}

// Token reports whether a is an API token's.
func (a *Access) Token() bool { return a != nil && a.token }

type accessKey struct{}

// WithAccess returns ctx carrying access, the login a call runs for
// (Server.call sets it for every handler).
func WithAccess(ctx context.Context, access *Access) context.Context {
	return context.WithValue(ctx, accessKey{}, access)
}

// AccessFrom returns the login ctx carries (nil: none).
func AccessFrom(ctx context.Context) *Access {
	a, _ := ctx.Value(accessKey{}).(*Access)
	return a
}

// Account binding. A login bound to an account (Access.Account) acts on
// that account only. Every method that takes an account declares it in
// its Params as "account" (or, for fundrawtransaction, as a member of
// its options): bindAccount fills the bound account in when the call
// leaves it out, so a default of "every account" or "default" becomes
// the bound one, and refuses another account. The methods in
// walletWide act on the whole wallet without an account param: a bound
// login may not call them whatever its grants. (TestAccountBoundMethods
// in lib/node checks that every wallet method is one or the other.)

// walletWide are the wallet methods that act on every account.
var walletWide = map[string]bool{
	"wallet.create": true, "wallet.import": true, "wallet.info": true, "getwalletinfo": true,
	"wallet.lock": true, "walletlock": true, "wallet.unlock": true, "walletpassphrase": true,
	"wallet.backup": true, "wallet.exportmnemonic": true, "wallet.rescan": true, "rescanblockchain": true,
	"key.export.private": true, "dumpprivkey": true, "signrawtransactionwithwallet": true,
	"tx.pending": true, "tx.resend": true, "tx.abandon": true, "abandontransaction": true,
	"account.list": true, "account.create": true, "account.rename": true,
}

// WalletWide reports whether method acts on every account of the wallet
// (refused to a login bound to one account).
func WalletWide(method string) bool { return walletWide[method] }

// accountOptions names the methods whose account is a member of an
// options object param, with that param's name.
var accountOptions = map[string]string{"fundrawtransaction": "options"}

// bindAccount returns the params of a call of m by a, with a's account
// filled in where the call leaves the account out; another account, or
// a wallet-wide method, is refused (CodeForbidden).
func (a *Access) bindAccount(m *Method, params json.RawMessage) (json.RawMessage, error) {
	if a == nil || a.Account == "" {
		return params, nil
	}
	if walletWide[m.Name] {
		return nil, Errorf(CodeForbidden, "method %q acts on every wallet account: not allowed for %s, bound to account %q", m.Name, a.Name, a.Account)
	}
	name, member := "account", ""
	if opt, ok := accountOptions[m.Name]; ok {
		name, member = opt, "account"
	}
	idx := -1
	for i, p := range m.ParamList() {
		if p.Name == name {
			idx = i
		}
	}
	if idx < 0 {
		return params, nil
	}
	params = bytes.TrimSpace(params)
	var (
		vals []json.RawMessage
		obj  map[string]json.RawMessage
		v    json.RawMessage
	)
	switch {
	case len(params) == 0 || string(params) == "null":
	case params[0] == '[':
		if json.Unmarshal(params, &vals) != nil {
			return params, nil // malformed: the method says how
		}
		if idx < len(vals) {
			v = vals[idx]
		}
	case params[0] == '{':
		if json.Unmarshal(params, &obj) != nil {
			return params, nil
		}
		v = obj[name]
	default:
		return params, nil
	}
	v, err := a.bindValue(v, member)
	if err != nil {
		return nil, err
	}
	if obj != nil {
		obj[name] = v
		return json.Marshal(obj)
	}
	for len(vals) <= idx {
		vals = append(vals, json.RawMessage("null"))
	}
	vals[idx] = v
	return json.Marshal(vals)
}

// bindValue returns the account value v (member of an object v, when
// member is set) bound to a's account.
func (a *Access) bindValue(v json.RawMessage, member string) (json.RawMessage, error) {
	bound, _ := json.Marshal(a.Account)
	if member != "" {
		opts := map[string]json.RawMessage{}
		if !isAbsent(v) && json.Unmarshal(v, &opts) != nil {
			return v, nil // not an object: the method says how
		}
		got, err := a.bindValue(opts[member], "")
		if err != nil {
			return nil, err
		}
		opts[member] = got
		return json.Marshal(opts)
	}
	if isAbsent(v) {
		return bound, nil
	}
	var acct string
	if json.Unmarshal(v, &acct) != nil {
		return v, nil // not a string: the method says how
	}
	if acct != a.Account {
		return nil, Errorf(CodeForbidden, "account %q not allowed for %s, bound to account %q", truncate(acct, 64), a.Name, a.Account)
	}
	return v, nil
}

// ApplyWhitelists sets the methods of rpcauth users from specs of the
// form "USER:GRANT,GRANT..." (gg-node --rpcwhitelist): grants as an
// Access takes them (method names, "prefix.*" patterns, route
// permissions). A user named by several specs keeps the grants every one
// of them names (bitcoind intersects its whitelists too). A spec naming
// no configured user, or no grant, and specs leaving a user nothing, are
// errors.
func ApplyWhitelists(users []User, specs []string) error {
	set := map[string][]string{}
	for _, spec := range specs {
		name, list, ok := strings.Cut(spec, ":")
		i := slices.IndexFunc(users, func(u User) bool { return u.Name == name })
		switch {
		case !ok || name == "":
			return fmt.Errorf("rpcwhitelist %q: want USER:METHOD[,METHOD]...", spec)
		case i < 0:
			return fmt.Errorf("rpcwhitelist %q: no rpcauth user %q", spec, name)
		}
		var grants []string
		for _, g := range strings.Split(list, ",") {
			if g = strings.TrimSpace(g); g != "" {
				grants = append(grants, g)
			}
		}
		if len(grants) == 0 {
			return fmt.Errorf("rpcwhitelist %q: no methods (leave the user out to allow every method)", spec)
		}
		if err := checkGrants(grants); err != nil {
			return fmt.Errorf("rpcwhitelist %q: %w", spec, err)
		}
		if prev, seen := set[name]; seen {
			grants = slices.DeleteFunc(prev, func(g string) bool { return !slices.Contains(grants, g) })
			if len(grants) == 0 {
				return fmt.Errorf("rpcwhitelist: the whitelists of user %q have no method in common", name)
			}
		}
		set[name] = grants
	}
	for i := range users {
		if g, ok := set[users[i].Name]; ok {
			users[i].Methods = g
		}
	}
	return nil
}
