package rpc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
)

// The contract methods (docs/rpc.md "Contracts"): the node's contract
// book (offers published and signed, not on chain) and the chain's
// registry of fulfilled contracts answer contract.get and contract.list;
// the hosted wallet publishes, signs, fulfils, executes and withdraws,
// and lists its own contracts (contract.mine).

// ContractPublishSpec is what contract.publish asks for.
type ContractPublishSpec struct {
	BKey   []byte
	AGold  int64
	AProps []game.ID
	BGold  int64
	BProps []game.ID
	Memo   string
	Hash   []byte
	Expiry uint32
	Nonce  uint64
}

// ContractExecuteSpec is what contract.execute asks for.
type ContractExecuteSpec struct {
	ID       game.ID
	Path     game.ContractPath
	Preimage []byte
	CoopHex  string
	PayTo    []byte
}

// ContractListQuery filters contract.list.
type ContractListQuery struct {
	State  string // "published" or "signed"; "" both
	Key    []byte
	Offset int
	Limit  int
}

// ContractTermsJSON shows terms.
type ContractTermsJSON struct {
	AKey   string   `json:"a_key"`
	BKey   string   `json:"b_key"`
	AGold  GG       `json:"a_gold"`
	AProps []string `json:"a_props"`
	BGold  GG       `json:"b_gold"`
	BProps []string `json:"b_props"`
	Memo   string   `json:"memo"`
	Hash   string   `json:"hash"`
	Expiry uint32   `json:"expiry"`
	Nonce  uint64   `json:"nonce"`
	Mode   string   `json:"mode"` // "escrow" or "swap"
}

// ContractJSON is a contract as the methods show it: a book offer
// (published, signed) or an on-chain contract (fulfilled, exchanged,
// refunded, settled), or a wallet's view of one (contract.mine: also
// expired and withdrawn).
type ContractJSON struct {
	ID         string            `json:"id"`
	State      string            `json:"state"`
	Terms      ContractTermsJSON `json:"terms"`
	Role       string            `json:"role,omitempty"`
	Account    string            `json:"account,omitempty"`
	OfferTxID  string            `json:"offer_txid,omitempty"`
	FulfilTxID string            `json:"fulfil_txid,omitempty"`
	Height     int32             `json:"height,omitempty"`
	Escrow     []string          `json:"escrow,omitempty"`
	// EscrowValues are the escrow outputs' values while unspent.
	EscrowValues []GG     `json:"escrow_values,omitempty"`
	SettleTxID   string   `json:"settle_txid,omitempty"`
	Path         string   `json:"path,omitempty"`
	Preimage     string   `json:"preimage,omitempty"`
	Reserved     []string `json:"reserved,omitempty"`
	Hex          string   `json:"hex,omitempty"` // the offer's skeleton (contract.get)
	// TermsHex is the canonical encoding of the terms (contract.get).
	TermsHex string `json:"terms_hex,omitempty"`
	// ASig and BSig are the parties' signatures over the id (book
	// offers, contract.get).
	ASig string `json:"a_sig,omitempty"`
	BSig string `json:"b_sig,omitempty"`
}

// ContractActionJSON is the result of publish, sign, fulfil, execute and
// withdraw.
type ContractActionJSON struct {
	ID    string `json:"id"`
	State string `json:"state"`
	TxID  string `json:"txid,omitempty"`
	Fee   *GG    `json:"fee,omitempty"`
	Sent  bool   `json:"sent"`
	// PreTxID is B's self-send making the exact-value coin (fulfil).
	PreTxID string `json:"pre_txid,omitempty"`
	// Complete is false for a half-signed cooperative settlement.
	Complete *bool  `json:"complete,omitempty"`
	Hex      string `json:"hex,omitempty"`
	PreHex   string `json:"pre_hex,omitempty"`
}

// ContractBook is the node's contract book as the node-only methods
// contract.submit, contract.accept and contract.cancel reach it (a wallet
// served on its own — gg-wallet serve — and, later, peers).
type ContractBook interface {
	Submit(terms []byte, asig []byte, tx []byte) (game.ID, error)
	Accept(id game.ID, bsig []byte) error
	Cancel(id game.ID, sig []byte) error
}

// ContractBackend is what the contract methods need; lib/node
// implements it over the book, the chain and the hosted wallet.
type ContractBackend interface {
	WalletLoaded() bool
	Get(id game.ID) (*ContractJSON, error)
	List(q ContractListQuery) ([]ContractJSON, int, error)
	Key(account string) ([]byte, error)
	Publish(ctx context.Context, o GameOptions, spec ContractPublishSpec) (*ContractActionJSON, error)
	Sign(ctx context.Context, account string, id game.ID) (*ContractActionJSON, error)
	Fulfil(ctx context.Context, o GameOptions, id game.ID) (*ContractActionJSON, error)
	Execute(ctx context.Context, o GameOptions, spec ContractExecuteSpec) (*ContractActionJSON, error)
	Withdraw(ctx context.Context, account string, id game.ID) (*ContractActionJSON, error)
	Mine(account string) ([]ContractJSON, error)
}

// ContractService implements the contract.* methods.
type ContractService struct {
	Params  *chaincfg.Params
	Backend ContractBackend
	// Book, if set, adds contract.submit, contract.accept and
	// contract.cancel (a node's service; a wallet service has none).
	Book ContractBook
}

// Methods returns the contract methods.
func (s *ContractService) Methods() []Method {
	defs := []backendMethod{
		{"contract.get", "id", "a contract: its book offer (published, signed) or its on-chain record (fulfilled, exchanged, refunded, settled)", s.get, false},
		{"contract.list", "[state] [key] [skip=0] [count=100]", "the book's offers (the market), filtered by state (published, signed) and a party's key: {total, contracts}", s.list, false},
		{"contract.key", "[account=default]", "the account's contract public key, to hand to the other party", s.key, true},
		{"contract.publish", "bkey expiry [agold=0] [aprops] [bgold=0] [bprops] [memo] [hash] [nonce=random] " + actionOptions, "publish an offer as party A: stake agold GG and aprops, B pays bgold GG and bprops on chain (a swap when no hash); A's coins are reserved until fulfil, withdraw or expiry", s.publish, true},
		{"contract.sign", "id [account=default]", "accept an offer as party B (its b_key must be the account's contract key)", s.sign, true},
		{"contract.fulfil", "id " + actionOptions, "fulfil a signed offer as party B: add B's inputs (an exact-value coin sent first) and broadcast", s.fulfil, true},
		{"contract.execute", "id path [secret] [hex] [address] " + actionOptions, "settle a fulfilled escrow: path claim (B, secret hex), refund (A, from expiry) or coop (without hex: build and half-sign; with hex: co-sign and broadcast)", s.execute, true},
		{"contract.withdraw", "id [account=default]", "withdraw an offer as party A (before fulfilment); its coins are released", s.withdraw, true},
		{"contract.mine", "[account=*]", "the contracts the wallet is party to, with their states", s.mine, true},
	}
	if s.Book != nil {
		defs = append(defs,
			backendMethod{"contract.submit", "terms asig tx", "put an offer into the book: encoded terms, A's signature over the id and A's partially signed fulfil transaction, in hex (wallets served on their own publish through it)", s.submit, false},
			backendMethod{"contract.accept", "id sig", "B's acceptance of an offer: B's signature over the id, hex", s.accept, false},
			backendMethod{"contract.cancel", "id sig", "A's withdrawal of an offer: A's signature over sha256(\"withdraw\" || id), hex", s.cancel, false})
	}
	return backendMethods("contract", func() backendState { return s.Backend }, defs)
}

func hexParam(v, name string) ([]byte, error) {
	b, err := hex.DecodeString(v)
	if err != nil || len(b) == 0 {
		return nil, Errorf(CodeInvalidParam, "%s: want hex", name)
	}
	return b, nil
}

func (s *ContractService) submit(_ context.Context, p json.RawMessage) (any, error) {
	var th, sh, xh string
	if err := ParseParams(p, []string{"terms", "asig", "tx"}, 3, &th, &sh, &xh); err != nil {
		return nil, err
	}
	tb, err := hexParam(th, "terms")
	if err != nil {
		return nil, err
	}
	sb, err := hexParam(sh, "asig")
	if err != nil {
		return nil, err
	}
	xb, err := hexParam(xh, "tx")
	if err != nil {
		return nil, err
	}
	id, err := s.Book.Submit(tb, sb, xb)
	if err != nil {
		return nil, err
	}
	return &ContractActionJSON{ID: id.String(), State: "published", Sent: true}, nil
}

func (s *ContractService) idSig(p json.RawMessage) (game.ID, []byte, error) {
	var ids, sh string
	if err := ParseParams(p, []string{"id", "sig"}, 2, &ids, &sh); err != nil {
		return game.ID{}, nil, err
	}
	id, err := parseGameID(ids, "contract id")
	if err != nil {
		return game.ID{}, nil, err
	}
	sig, err := hexParam(sh, "sig")
	return id, sig, err
}

func (s *ContractService) accept(_ context.Context, p json.RawMessage) (any, error) {
	id, sig, err := s.idSig(p)
	if err != nil {
		return nil, err
	}
	if err := s.Book.Accept(id, sig); err != nil {
		return nil, err
	}
	return &ContractActionJSON{ID: id.String(), State: "signed", Sent: true}, nil
}

func (s *ContractService) cancel(_ context.Context, p json.RawMessage) (any, error) {
	id, sig, err := s.idSig(p)
	if err != nil {
		return nil, err
	}
	if err := s.Book.Cancel(id, sig); err != nil {
		return nil, err
	}
	return &ContractActionJSON{ID: id.String(), State: "withdrawn", Sent: true}, nil
}

// ContractTerms shapes terms for JSON.
func ContractTerms(t *game.Terms) ContractTermsJSON {
	j := ContractTermsJSON{AKey: hex.EncodeToString(t.AKey), BKey: hex.EncodeToString(t.BKey), AGold: GG(int64(t.AGold)),
		BGold: GG(int64(t.BGold)), Memo: t.Memo, Hash: hex.EncodeToString(t.Hash), Expiry: t.Expiry, Nonce: t.Nonce,
		AProps: []string{}, BProps: []string{}, Mode: "escrow"}
	if t.IsSwap() {
		j.Mode = "swap"
	}
	for _, p := range t.AProps {
		j.AProps = append(j.AProps, p.String())
	}
	for _, p := range t.BProps {
		j.BProps = append(j.BProps, p.String())
	}
	return j
}

func parseKey(s, name string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != game.PubKeySize || (b[0] != 2 && b[0] != 3) {
		return nil, Errorf(CodeInvalidParam, "%s %q: want a compressed public key (66 hex digits)", name, s)
	}
	return b, nil
}

func parseIDList(ids []string, name string) ([]game.ID, error) {
	out := make([]game.ID, 0, len(ids))
	for _, s := range ids {
		id, err := parseGameID(s, name)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if len(out) > game.MaxContractProps {
		return nil, Errorf(CodeInvalidParam, "%s: %d props, at most %d", name, len(out), game.MaxContractProps)
	}
	return out, nil
}

func (s *ContractService) get(_ context.Context, p json.RawMessage) (any, error) {
	id, err := idParam(p, "contract id")
	if err != nil {
		return nil, err
	}
	return s.Backend.Get(id)
}

func (s *ContractService) list(_ context.Context, p json.RawMessage) (any, error) {
	var state, key string
	skip, count := 0, 100
	if err := ParseParams(p, []string{"state", "key", "skip", "count"}, 0, &state, &key, &skip, &count); err != nil {
		return nil, err
	}
	if err := pageParams(skip, count); err != nil {
		return nil, err
	}
	if state != "" && state != "published" && state != "signed" {
		return nil, Errorf(CodeInvalidParam, "state %q: want published or signed (the book's states)", state)
	}
	q := ContractListQuery{State: state, Offset: skip, Limit: count}
	if key != "" {
		k, err := parseKey(key, "key")
		if err != nil {
			return nil, err
		}
		q.Key = k
	}
	cs, total, err := s.Backend.List(q)
	if err != nil {
		return nil, err
	}
	out := struct {
		Total     int            `json:"total"`
		Contracts []ContractJSON `json:"contracts"`
	}{Total: total, Contracts: []ContractJSON{}}
	if count > 0 {
		out.Contracts = append(out.Contracts, cs...)
	}
	return out, nil
}

func (s *ContractService) key(_ context.Context, p json.RawMessage) (any, error) {
	acct, err := gameAccountParam(p, "default")
	if err != nil {
		return nil, err
	}
	k, err := s.Backend.Key(acct)
	if err != nil {
		return nil, err
	}
	return struct {
		Key     string `json:"key"`
		Account string `json:"account"`
	}{hex.EncodeToString(k), acct}, nil
}

func (s *ContractService) publish(ctx context.Context, p json.RawMessage) (any, error) {
	var bkey, memo, hashs, acct string
	var expiry int64
	var agold, bgold json.RawMessage
	var aprops, bprops []string
	var nonce uint64
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"bkey", "expiry", "agold", "aprops", "bgold", "bprops", "memo", "hash", "nonce", "account", "dryrun", "maxfeerate"}, 2,
		&bkey, &expiry, &agold, &aprops, &bgold, &bprops, &memo, &hashs, &nonce, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	spec := ContractPublishSpec{Memo: memo, Nonce: nonce}
	if spec.BKey, err = parseKey(bkey, "bkey"); err != nil {
		return nil, err
	}
	if expiry < 1 || expiry > game.MaxExpiry {
		return nil, Errorf(CodeInvalidParam, "expiry %d: want a height from 1 to %d", expiry, game.MaxExpiry)
	}
	spec.Expiry = uint32(expiry)
	for _, a := range []struct {
		raw  json.RawMessage
		dst  *int64
		name string
	}{{agold, &spec.AGold, "agold"}, {bgold, &spec.BGold, "bgold"}} {
		if isAbsent(a.raw) {
			continue
		}
		g, err := parseAmountOrZero(a.raw, a.name)
		if err != nil {
			return nil, err
		}
		if g != 0 && g < game.MinContractGold {
			return nil, Errorf(CodeInvalidParam, "%s %s GG: 0 or at least 0.0001 GG", a.name, g)
		}
		*a.dst = int64(g)
	}
	if spec.AProps, err = parseIDList(aprops, "aprops"); err != nil {
		return nil, err
	}
	if spec.BProps, err = parseIDList(bprops, "bprops"); err != nil {
		return nil, err
	}
	if spec.AGold == 0 && len(spec.AProps) == 0 {
		return nil, Errorf(CodeInvalidParam, "A gives nothing: set agold or aprops")
	}
	if len(memo) > game.MaxMemoLen {
		return nil, Errorf(CodeInvalidParam, "memo of %d bytes: at most %d", len(memo), game.MaxMemoLen)
	}
	if hashs != "" {
		h, err := hex.DecodeString(hashs)
		if err != nil || len(h) != 32 {
			return nil, Errorf(CodeInvalidParam, "hash %q: want 64 hex digits (sha256 of the secret)", hashs)
		}
		spec.Hash = h
	}
	return s.Backend.Publish(ctx, o, spec)
}

func (s *ContractService) idAcct(p json.RawMessage) (game.ID, string, error) {
	var ids, acct string
	if err := ParseParams(p, []string{"id", "account"}, 1, &ids, &acct); err != nil {
		return game.ID{}, "", err
	}
	id, err := parseGameID(ids, "contract id")
	if acct == "" {
		acct = "default"
	}
	return id, acct, err
}

func (s *ContractService) sign(ctx context.Context, p json.RawMessage) (any, error) {
	id, acct, err := s.idAcct(p)
	if err != nil {
		return nil, err
	}
	return s.Backend.Sign(ctx, acct, id)
}

func (s *ContractService) withdraw(ctx context.Context, p json.RawMessage) (any, error) {
	id, acct, err := s.idAcct(p)
	if err != nil {
		return nil, err
	}
	return s.Backend.Withdraw(ctx, acct, id)
}

func (s *ContractService) fulfil(ctx context.Context, p json.RawMessage) (any, error) {
	var ids, acct string
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"id", "account", "dryrun", "maxfeerate"}, 1, &ids, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	id, err := parseGameID(ids, "contract id")
	if err != nil {
		return nil, err
	}
	return s.Backend.Fulfil(ctx, o, id)
}

// ParsePath parses a settlement path name.
func ParsePath(s string) (game.ContractPath, bool) {
	switch strings.ToLower(s) {
	case "claim":
		return game.PathClaim, true
	case "refund":
		return game.PathRefund, true
	case "coop", "cooperative":
		return game.PathCoop, true
	}
	return 0, false
}

func (s *ContractService) execute(ctx context.Context, p json.RawMessage) (any, error) {
	var ids, path, secret, hexs, addr, acct string
	var dry bool
	var maxRate json.RawMessage
	if err := ParseParams(p, []string{"id", "path", "secret", "hex", "address", "account", "dryrun", "maxfeerate"}, 2,
		&ids, &path, &secret, &hexs, &addr, &acct, &dry, &maxRate); err != nil {
		return nil, err
	}
	o, err := gameOpts(acct, dry, maxRate)
	if err != nil {
		return nil, err
	}
	id, err := parseGameID(ids, "contract id")
	if err != nil {
		return nil, err
	}
	spec := ContractExecuteSpec{ID: id, CoopHex: hexs}
	var ok bool
	if spec.Path, ok = ParsePath(path); !ok {
		return nil, Errorf(CodeInvalidParam, "path %q: want claim, refund or coop", path)
	}
	if spec.Path == game.PathClaim {
		if secret == "" {
			return nil, Errorf(CodeInvalidParam, "a claim needs the secret (hex)")
		}
		if len(secret) != 2*game.PreimageSize {
			return nil, Errorf(CodeInvalidParam, "secret: want %d bytes (%d hex digits)", game.PreimageSize, 2*game.PreimageSize)
		}
		if spec.Preimage, err = hex.DecodeString(secret); err != nil {
			return nil, Errorf(CodeInvalidParam, "secret: want %d bytes in hex", game.PreimageSize)
		}
	} else if secret != "" {
		return nil, Errorf(CodeInvalidParam, "a secret is only for the claim path")
	}
	if hexs != "" && spec.Path != game.PathCoop {
		return nil, Errorf(CodeInvalidParam, "hex is only for the coop path (the other party's half-signed settlement)")
	}
	if addr != "" {
		if spec.PayTo, err = (&GameService{Params: s.Params}).script(addr, "address"); err != nil {
			return nil, err
		}
	}
	return s.Backend.Execute(ctx, o, spec)
}

func (s *ContractService) mine(_ context.Context, p json.RawMessage) (any, error) {
	acct := "*"
	if err := ParseParams(p, []string{"account"}, 0, &acct); err != nil {
		return nil, err
	}
	cs, err := s.Backend.Mine(acct)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		cs = []ContractJSON{}
	}
	return cs, nil
}

// UnmarshalJSON reads an amount of GG (a number or a string) exactly, so
// a client can decode what the contract methods answer.
func (g *GG) UnmarshalJSON(b []byte) error {
	a, err := amount.Parse(strings.Trim(string(b), `"`))
	if err != nil {
		return err
	}
	*g = GG(a)
	return nil
}
