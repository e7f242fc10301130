package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// ParamType is the JSON type a param takes, as a client should send a
// command-line argument for it.
type ParamType string

// The param types.
const (
	TypeString        ParamType = "string"
	TypeNumber        ParamType = "number"
	TypeBool          ParamType = "boolean"
	TypeAmount        ParamType = "amount" // GG: a number, or a decimal in a string
	TypeObject        ParamType = "object"
	TypeArray         ParamType = "array"
	TypeStringOrArray ParamType = "string or array" // one id, or a list of them
	TypeAny           ParamType = "any"             // not declared
)

// paramTypes declares the type of every param name. A name means the same
// thing in every method that takes it (as in bigParams), so one table
// types every method's params; TestParamTypesDeclared finds a name
// missing here, TestRPCParamTypes (lib/node) checks each type against
// what the handler decodes.
var paramTypes = map[string]ParamType{
	// chain, transactions, mempool, mining
	"height": TypeNumber, "blockhash": TypeString, "verbosity": TypeNumber, "verbose": TypeBool,
	"txid": TypeString, "n": TypeNumber, "include_mempool": TypeBool, "hexstring": TypeString,
	"nblocks": TypeNumber, "address": TypeString, "template_request": TypeObject, "hexdata": TypeString,
	"workid": TypeString, "method": TypeString, "filtertype": TypeString, "index_name": TypeString,
	// wallet
	"passphrase": TypeString, "mnemonic": TypeString, "birthday": TypeNumber, "timeout": TypeNumber,
	"account": TypeString, "lock_height": TypeNumber, "lock_blocks": TypeNumber, "amount": TypeAmount,
	"subtractfee": TypeBool, "maxfeerate": TypeAmount, "count": TypeNumber, "skip": TypeNumber,
	"wif": TypeString, "options": TypeObject, "backup_passphrase": TypeString, "backup": TypeString,
	"from": TypeNumber, "name": TypeString, "old": TypeString, "new": TypeString,
	// game
	"id": TypeString, "prefix": TypeString, "class": TypeString, "owner": TypeString, "url": TypeString,
	"ip": TypeString, "share": TypeNumber, "dryrun": TypeBool, "producer": TypeString, "oid": TypeString,
	"gold": TypeAmount, "props": TypeArray, "prop": TypeString, "moves": TypeArray,
	"onsale": TypeBool, "buynow": TypeAmount, "reserve": TypeAmount, "end": TypeNumber, "price": TypeAmount,
	// contracts
	"state": TypeString, "key": TypeString, "bkey": TypeString, "expiry": TypeNumber, "agold": TypeAmount,
	"aprops": TypeArray, "bgold": TypeAmount, "bprops": TypeArray, "memo": TypeString, "hash": TypeString,
	"nonce": TypeNumber, "path": TypeString, "secret": TypeString, "hex": TypeString, "terms": TypeString,
	"asig": TypeString, "tx": TypeString, "sig": TypeString,
	// network
	"node": TypeString, "command": TypeString, "nodeid": TypeNumber, "subnet": TypeString,
	"bantime": TypeNumber, "absolute": TypeBool,
	// API tokens
	"grants": TypeStringOrArray,
	// wallet (time locks, fee rates)
	"lock_time": TypeNumber, "lock_seconds": TypeNumber, "feerate": TypeAmount,
}

// methodParamTypes are the exceptions to paramTypes, by "method param".
var methodParamTypes = map[string]ParamType{
	"prop.found prop": TypeStringOrArray,
}

// Param is one param of a method, as its Params string declares it.
type Param struct {
	Name     string    `json:"name"`
	Type     ParamType `json:"type"`
	Required bool      `json:"required"`
	Default  string    `json:"default,omitempty"` // as the help shows it
}

// ParseParamList reads a Method's Params string, such as
// "txid n [include_mempool=true]": names in order, optional ones in
// brackets with an optional default after '=' (which may hold spaces).
// Each param's type comes from paramTypes, TypeAny when it has none
// (Method.ParamList adds a method's exceptions).
func ParseParamList(s string) []Param {
	out := []Param{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		var word string
		optional := s[0] == '['
		if optional {
			end := strings.IndexByte(s, ']')
			if end < 0 {
				end = len(s)
			}
			word, s = s[1:end], s[min(end+1, len(s)):]
		} else if i := strings.IndexAny(s, " \t"); i >= 0 {
			word, s = s[:i], s[i:]
		} else {
			word, s = s, ""
		}
		name, def, _ := strings.Cut(word, "=")
		typ, ok := paramTypes[name]
		if !ok {
			typ = TypeAny
		}
		out = append(out, Param{Name: name, Type: typ, Required: !optional, Default: def})
	}
	return out
}

// ParamList is m's params as its Params string declares them
// (ParseParamList), with m's exceptions to the types.
func (m Method) ParamList() []Param {
	ps := ParseParamList(m.Params)
	for i := range ps {
		if t, ok := methodParamTypes[m.Name+" "+ps[i].Name]; ok {
			ps[i].Type = t
		}
	}
	return ps
}

// helpMethods are the methods a server answers about every method
// registered on it, by any service: help (sys.help) and sys.params.
func (s *Server) helpMethods() []Method {
	const help = "list every method with its params, or describe one: its params, their types and what it does"
	return []Method{
		{Name: "sys.help", Params: "[method]", Help: help + " (same as help)", Handler: s.help},
		{Name: "help", Params: "[method]", Help: help + " (same as sys.help)", Handler: s.help},
		{Name: "sys.params", Params: "[method]",
			Help:    "a method's params as data: [{name, type, required, default}]; without a method, an object of every method's (clients type their arguments by it)",
			Handler: s.params},
	}
}

// method returns the registered method name, or a -32601 error naming what
// asked for it.
func (s *Server) method(what, name string) (Method, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.methods[name]
	if !ok {
		return Method{}, Errorf(CodeMethodNotFound, "%s: unknown method %q", what, truncate(name, 64))
	}
	return *m, nil
}

func (s *Server) help(_ context.Context, p json.RawMessage) (any, error) {
	var name string
	if err := ParseParams(p, []string{"method"}, 0, &name); err != nil {
		return nil, err
	}
	if name == "" {
		var b strings.Builder
		for _, m := range s.Methods() {
			b.WriteString(strings.TrimSpace(m.Name+" "+m.Params) + "\n")
		}
		return strings.TrimSuffix(b.String(), "\n"), nil
	}
	m, err := s.method("help", name)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s", strings.TrimSpace(m.Name+" "+m.Params), m.Help)
	params := m.ParamList()
	if len(params) > 0 {
		width := 0
		for _, p := range params {
			width = max(width, len(p.Name))
		}
		b.WriteString("\n\nArguments:")
		for _, p := range params {
			fmt.Fprintf(&b, "\n  %-*s  %s, ", width, p.Name, p.Type)
			if p.Required {
				b.WriteString("required")
			} else {
				b.WriteString("optional")
			}
			if p.Default != "" {
				b.WriteString(", default " + p.Default)
			}
		}
	}
	return b.String(), nil
}

func (s *Server) params(_ context.Context, p json.RawMessage) (any, error) {
	var name string
	if err := ParseParams(p, []string{"method"}, 0, &name); err != nil {
		return nil, err
	}
	if name == "" {
		all := map[string][]Param{}
		for _, m := range s.Methods() {
			all[m.Name] = m.ParamList()
		}
		return all, nil
	}
	m, err := s.method("sys.params", name)
	if err != nil {
		return nil, err
	}
	return m.ParamList(), nil
}
