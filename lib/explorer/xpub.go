package explorer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/wallet/seed"
)

// The xpub page's bounds: a whole wallet seen from its account's
// extended public key, derived with lib/wallet/seed (the browser
// wallet's BIP32 code) and read from the address index, in work bounded
// per request.
const (
	// XpubGapLimit: this many unused addresses in a row end a branch's
	// scan (BIP44's gap limit, gg-wallet's default).
	XpubGapLimit = 20
	// XpubMaxScan bounds the addresses derived and looked up per branch
	// (receive, change); a branch scanned that far without its gap is
	// reported truncated.
	XpubMaxScan = 200
	// XpubHistoryAddrs bounds the used addresses whose history is read,
	// the first found; XpubHistory the transactions shown.
	XpubHistoryAddrs = 40
	XpubHistory      = 50
)

// xpubTx is a transaction of the wallet: the sums over its addresses.
type xpubTx struct {
	TxID      string `json:"txid"`
	Height    int64  `json:"height"`
	BlockHash string `json:"blockhash"`
	Time      any    `json:"time"`
	Position  int64  `json:"position"`
	received  amount.Amount
	sent      amount.Amount
	Received  string `json:"received"`
	Sent      string `json:"sent"`
}

func (e *Explorer) xpub(ctx context.Context, s string) (*page, error) {
	k, err := seed.ParseExtPubKey(s, e.params)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	data := map[string]any{"xpub": s, "gap_limit": XpubGapLimit, "max_scan": XpubMaxScan}
	title := "xpub " + short(s)
	var bal, recv, sent amount.Amount
	used := []any{}
	scanned := map[string]any{}
	truncated := false
	var usedAddrs []string
	for branch, name := range []string{"receive", "change"} {
		n, gap := 0, 0
		for gap < XpubGapLimit && n < XpubMaxScan {
			i, addr, err := e.xpubs.address(k, s, branch, n, e.params)
			if err != nil {
				return nil, err
			}
			n++
			b, off, err := e.getOpt(ctx, "/rest/address/"+addr+"/balance.json")
			if err != nil {
				return nil, err
			}
			if off != "" {
				data["index"] = off // the address index is off: say so
				return &page{name: "xpub", title: title, data: data}, nil
			}
			if fmt.Sprint(field(b, "txs")) == "0" {
				gap++
				continue
			}
			gap = 0
			for _, x := range []struct {
				key string
				sum *amount.Amount
			}{{"balance", &bal}, {"received", &recv}, {"sent", &sent}} {
				a, err := amount.Parse(fmt.Sprint(field(b, x.key)))
				if err != nil {
					return nil, fmt.Errorf("xpub: %s of %s: %w", x.key, addr, err)
				}
				*x.sum += a
			}
			used = append(used, map[string]any{"branch": branch, "index": i, "path": fmt.Sprintf("%d/%d", branch, i),
				"address": addr, "balance": field(b, "balance"), "txs": field(b, "txs")})
			usedAddrs = append(usedAddrs, addr)
		}
		scanned[name] = n
		truncated = truncated || gap < XpubGapLimit
	}
	hist, partial, err := e.xpubHistory(ctx, usedAddrs)
	if err != nil {
		return nil, err
	}
	data["balance"], data["received"], data["sent"] = bal.Format(), recv.Format(), sent.Format()
	data["used"], data["scanned"], data["truncated"] = used, scanned, truncated
	data["history"], data["history_partial"] = hist, partial
	return &page{name: "xpub", title: title, data: data}, nil
}

// xpubHistory merges the newest transactions of the first
// XpubHistoryAddrs of addrs into the wallet's, newest first; partial
// says some were left out.
func (e *Explorer) xpubHistory(ctx context.Context, addrs []string) ([]any, bool, error) {
	partial := len(addrs) > XpubHistoryAddrs
	addrs = addrs[:min(len(addrs), XpubHistoryAddrs)]
	byID := map[string]*xpubTx{}
	for _, a := range addrs {
		v, err := e.get(ctx, fmt.Sprintf("/rest/address/%s/txs.json?order=desc&limit=%d", a, XpubHistory))
		if err != nil {
			return nil, false, err
		}
		partial = partial || field(v, "next") != nil
		txs, _ := field(v, "txs").([]any)
		for _, t := range txs {
			id := fmt.Sprint(field(t, "txid"))
			x := byID[id]
			if x == nil {
				x = &xpubTx{TxID: id, BlockHash: fmt.Sprint(field(t, "blockhash")), Time: field(t, "time")}
				fmt.Sscan(fmt.Sprint(field(t, "height")), &x.Height)
				fmt.Sscan(fmt.Sprint(field(t, "position")), &x.Position)
				byID[id] = x
			}
			r, err1 := amount.Parse(fmt.Sprint(field(t, "received")))
			s, err2 := amount.Parse(fmt.Sprint(field(t, "sent")))
			if err := errors.Join(err1, err2); err != nil {
				return nil, false, fmt.Errorf("xpub history of %s: %w", a, err)
			}
			x.received += r
			x.sent += s
		}
	}
	all := make([]*xpubTx, 0, len(byID))
	for _, x := range byID {
		all = append(all, x)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Height != all[j].Height {
			return all[i].Height > all[j].Height
		}
		return all[i].Position > all[j].Position
	})
	if len(all) > XpubHistory {
		all, partial = all[:XpubHistory], true
	}
	out := make([]any, len(all))
	for i, x := range all {
		x.Received, x.Sent = x.received.Format(), x.sent.Format()
		out[i] = generic(x)
	}
	return out, partial, nil
}

// xpubCache keeps the addresses derived from the xpubs viewed lately: an
// xpub's addresses never change, and deriving them is most of a view's
// CPU (a point multiplication each). At most xpubCacheKeys xpubs, each
// with at most XpubMaxScan addresses a branch; the oldest is dropped.
type xpubCache struct {
	mu    sync.Mutex
	order []string
	m     map[string]*xpubAddrs
}

const xpubCacheKeys = 64

// xpubAddrs are one xpub's derived addresses: per branch, the child
// index and address of the n-th valid child (BIP32 skips an invalid
// one).
type xpubAddrs struct {
	branch [2]*seed.ExtPubKey
	index  [2][]uint32
	addr   [2][]string
}

// address returns the n-th valid child of branch of k (whose string is
// s), deriving and caching as needed.
func (c *xpubCache) address(k *seed.ExtPubKey, s string, branch, n int, params *chaincfg.Params) (uint32, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*xpubAddrs{}
	}
	a := c.m[s]
	if a == nil {
		a = &xpubAddrs{}
		if len(c.order) == xpubCacheKeys {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
		c.m[s] = a
		c.order = append(c.order, s)
	}
	if a.branch[branch] == nil {
		bk, err := k.Child(uint32(branch))
		if err != nil {
			return 0, "", fmt.Errorf("xpub branch %d: %w", branch, err)
		}
		a.branch[branch] = bk
	}
	for len(a.addr[branch]) <= n {
		i := uint32(0)
		if l := len(a.index[branch]); l > 0 {
			i = a.index[branch][l-1] + 1
		}
		for {
			ch, err := a.branch[branch].Child(i)
			if errors.Is(err, seed.ErrInvalidChild) {
				i++ // as BIP32 says: skip to the next index
				continue
			}
			if err != nil {
				return 0, "", err
			}
			a.index[branch] = append(a.index[branch], i)
			a.addr[branch] = append(a.addr[branch], address.NewP2WPKH(keys.Hash160(ch.PubKey()), params).String())
			break
		}
	}
	return a.index[branch][n], a.addr[branch][n], nil
}
