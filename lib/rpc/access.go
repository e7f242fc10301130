package rpc

import (
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
