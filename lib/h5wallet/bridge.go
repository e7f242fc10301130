package h5wallet

import (
	"fmt"
	"sync"

	"github.com/gamegold/gg/lib/chaincfg"
)

// Session is the state of the page's wallet: at most one open keyring.
// Call is what the js/wasm bridge exposes: a method name and its
// arguments in, an answer out, as JSON's data model (value.go), so the
// bridge itself holds no logic and the protocol is tested here.
type Session struct {
	mu sync.Mutex
	k  *Keyring
	v  *Verifier // verified mode's walk, if started
}

// Lookahead is how many receive and change addresses open derives (the
// gap limit gg-wallet uses by default).
const Lookahead = 20

// Call runs method with the arguments args (a value of the bridge's
// model, see value.go: an object, or nil for none) and returns the
// answer: {"result": ...} or {"error": "..."}.
func (s *Session) Call(method string, args any) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.call(method, args)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	return map[string]any{"result": res}
}

func (s *Session) call(method string, args any) (any, error) {
	a := argsOf(method, args)
	if a.err != nil {
		return nil, a.err
	}
	switch method {
	case "newMnemonic":
		words := a.int("words")
		if a.err != nil {
			return nil, a.err
		}
		if words == 0 {
			words = 24
		}
		return NewMnemonic(words)
	case "checkMnemonic":
		m := a.str("mnemonic")
		if a.err != nil {
			return nil, a.err
		}
		return true, CheckMnemonic(m)
	case "open":
		m, pass, network, n := a.str("mnemonic"), a.str("seed_passphrase"), a.str("network"), a.int("lookahead")
		if a.err != nil {
			return nil, a.err
		}
		p, err := chaincfg.ByName(network)
		if err != nil {
			return nil, fmt.Errorf("open: %w: %v", ErrInvalidArgument, err)
		}
		k, err := Open(m, pass, p)
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			n = Lookahead
		}
		receive, err := k.Addresses(BranchReceive, 0, n)
		if err != nil {
			return nil, err
		}
		change, err := k.Addresses(BranchChange, 0, n)
		if err != nil {
			return nil, err
		}
		s.k, s.v = k, nil
		return map[string]any{"network": p.Name, "receive": addressValues(receive), "change": addressValues(change)}, nil
	case "close":
		s.k, s.v = nil, nil
		return true, nil
	}
	if s.k == nil {
		return nil, fmt.Errorf("%s: no wallet open", method)
	}
	switch method {
	case "addresses":
		branch, from, n := a.int("branch"), a.uint32("from"), a.int("n")
		if a.err != nil {
			return nil, a.err
		}
		as, err := s.k.Addresses(branch, from, n)
		if err != nil {
			return nil, err
		}
		return addressValues(as), nil
	case "send", "sale", "bid":
		var r *TxResult
		var err error
		switch method {
		case "send":
			q := a.sendRequest()
			if a.err != nil {
				return nil, a.err
			}
			r, err = s.k.Send(q)
		case "sale":
			q := a.saleRequest()
			if a.err != nil {
				return nil, a.err
			}
			r, err = s.k.Sale(q)
		default:
			q := a.bidRequest()
			if a.err != nil {
				return nil, a.err
			}
			r, err = s.k.Bid(q)
		}
		if err != nil {
			return nil, err
		}
		return r.value(), nil
	case "contractKey":
		addr := a.str("address")
		if a.err != nil {
			return nil, a.err
		}
		return s.k.ContractKey(addr)
	case "signContract":
		terms := a.str("terms")
		if a.err != nil {
			return nil, a.err
		}
		cs, err := s.k.SignContract(terms)
		if err != nil {
			return nil, err
		}
		return cs.value(), nil
	case "verifyStart":
		anchor := a.anchor()
		if a.err != nil {
			return nil, a.err
		}
		v, err := s.k.NewVerifier(anchor)
		if err != nil {
			return nil, err
		}
		s.v = v
		return v.State().value(), nil
	case "verifyFilters", "verifyBlock", "verifyState":
		if s.v == nil {
			return nil, fmt.Errorf("%s: verified mode not started", method)
		}
		switch method {
		case "verifyFilters":
			r := a.filterRun()
			if a.err != nil {
				return nil, a.err
			}
			if err := s.v.AddFilters(r); err != nil {
				return nil, err
			}
		case "verifyBlock":
			block := a.str("block")
			if a.err != nil {
				return nil, a.err
			}
			if err := s.v.AddBlock(block); err != nil {
				return nil, err
			}
		}
		return s.v.State().value(), nil
	}
	return nil, fmt.Errorf("%w: no method %q", ErrInvalidArgument, method)
}
