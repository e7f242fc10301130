package h5wallet

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/gamegold/gg/lib/chaincfg"
)

// Session is the state of the page's wallet: at most one open keyring.
// Call is what the js/wasm bridge exposes: a method name and its JSON
// arguments in, a JSON answer out ({"result": ...} or {"error": "..."}),
// so the bridge itself holds no logic and the protocol is tested here.
type Session struct {
	mu sync.Mutex
	k  *Keyring
	v  *Verifier // verified mode's walk, if started
}

// Lookahead is how many receive and change addresses open derives (the
// gap limit gg-wallet uses by default).
const Lookahead = 20

type openArgs struct {
	Mnemonic       string `json:"mnemonic"`
	SeedPassphrase string `json:"seed_passphrase"`
	Network        string `json:"network"`
	Lookahead      int    `json:"lookahead"`
}

type openResult struct {
	Network string        `json:"network"`
	Receive []AddressInfo `json:"receive"`
	Change  []AddressInfo `json:"change"`
}

type addrArgs struct {
	Branch int    `json:"branch"`
	From   uint32 `json:"from"`
	N      int    `json:"n"`
}

// Call runs method with the JSON arguments args and returns the JSON
// answer.
func (s *Session) Call(method string, args []byte) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.call(method, args)
	if err != nil {
		b, _ := json.Marshal(map[string]string{"error": err.Error()})
		return b
	}
	b, err := json.Marshal(map[string]any{"result": res})
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": "encode answer: " + err.Error()})
	}
	return b
}

func decodeArgs(method string, args []byte, v any) error {
	if err := json.Unmarshal(args, v); err != nil {
		return fmt.Errorf("%s: %w: arguments: %v", method, ErrInvalidArgument, err)
	}
	return nil
}

func (s *Session) call(method string, args []byte) (any, error) {
	if len(args) == 0 {
		args = []byte("{}")
	}
	switch method {
	case "newMnemonic":
		var a struct {
			Words int `json:"words"`
		}
		if err := decodeArgs(method, args, &a); err != nil {
			return nil, err
		}
		if a.Words == 0 {
			a.Words = 24
		}
		return NewMnemonic(a.Words)
	case "checkMnemonic":
		var a openArgs
		if err := decodeArgs(method, args, &a); err != nil {
			return nil, err
		}
		return true, CheckMnemonic(a.Mnemonic)
	case "open":
		var a openArgs
		if err := decodeArgs(method, args, &a); err != nil {
			return nil, err
		}
		p, err := chaincfg.ByName(a.Network)
		if err != nil {
			return nil, fmt.Errorf("open: %w: %v", ErrInvalidArgument, err)
		}
		k, err := Open(a.Mnemonic, a.SeedPassphrase, p)
		if err != nil {
			return nil, err
		}
		n := a.Lookahead
		if n <= 0 {
			n = Lookahead
		}
		var r openResult
		if r.Receive, err = k.Addresses(BranchReceive, 0, n); err != nil {
			return nil, err
		}
		if r.Change, err = k.Addresses(BranchChange, 0, n); err != nil {
			return nil, err
		}
		s.k, s.v, r.Network = k, nil, p.Name
		return r, nil
	case "close":
		s.k, s.v = nil, nil
		return true, nil
	}
	if s.k == nil {
		return nil, fmt.Errorf("%s: no wallet open", method)
	}
	switch method {
	case "addresses":
		var a addrArgs
		if err := decodeArgs(method, args, &a); err != nil {
			return nil, err
		}
		return s.k.Addresses(a.Branch, a.From, a.N)
	case "send":
		var r SendRequest
		if err := decodeArgs(method, args, &r); err != nil {
			return nil, err
		}
		return s.k.Send(r)
	case "sale":
		var r SaleRequest
		if err := decodeArgs(method, args, &r); err != nil {
			return nil, err
		}
		return s.k.Sale(r)
	case "bid":
		var r BidRequest
		if err := decodeArgs(method, args, &r); err != nil {
			return nil, err
		}
		return s.k.Bid(r)
	case "contractKey":
		var a struct {
			Address string `json:"address"`
		}
		if err := decodeArgs(method, args, &a); err != nil {
			return nil, err
		}
		return s.k.ContractKey(a.Address)
	case "signContract":
		var a struct {
			Terms string `json:"terms"`
		}
		if err := decodeArgs(method, args, &a); err != nil {
			return nil, err
		}
		return s.k.SignContract(a.Terms)
	case "verifyStart":
		var a Anchor
		if err := decodeArgs(method, args, &a); err != nil {
			return nil, err
		}
		v, err := s.k.NewVerifier(a)
		if err != nil {
			return nil, err
		}
		s.v = v
		return v.State(), nil
	case "verifyFilters", "verifyBlock", "verifyState":
		if s.v == nil {
			return nil, fmt.Errorf("%s: verified mode not started", method)
		}
		switch method {
		case "verifyFilters":
			var r FilterRun
			if err := decodeArgs(method, args, &r); err != nil {
				return nil, err
			}
			if err := s.v.AddFilters(r); err != nil {
				return nil, err
			}
		case "verifyBlock":
			var a struct {
				Block string `json:"block"`
			}
			if err := decodeArgs(method, args, &a); err != nil {
				return nil, err
			}
			if err := s.v.AddBlock(a.Block); err != nil {
				return nil, err
			}
		}
		return s.v.State(), nil
	}
	return nil, fmt.Errorf("%w: no method %q", ErrInvalidArgument, method)
}
