package node

import (
	"bytes"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/rpc"
)

// restRoute is the read-only REST route (docs/rest.md) over the services
// the node registered as JSON-RPC methods, so the two answer alike.
func (n *Node) restRoute(svc *rpc.NodeService, gs *rpc.GameService, cs *rpc.ContractService) rpc.Route {
	src := &localSource{chain: n.Chain, book: n.Book, pool: n.Mempool}
	r := &rpc.REST{Node: svc, Game: gs, Contract: cs, Pages: &restPages{Chain: n.Chain, src: src}}
	return r.Route()
}

// restPages serves rpc.RESTPages: the chain's registries paged by key,
// and the contracts of a party from the book and the chain.
type restPages struct {
	*chain.Chain
	src *localSource
}

var _ rpc.RESTPages = (*restPages)(nil)

// ContractsByPartyAfter implements rpc.RESTPages: the book's offers key
// is a party to (as contract.list shows them) merged by id with the
// chain's contracts (as contract.get shows them); an id in both is the
// book's, as contract.get answers.
func (p *restPages) ContractsByPartyAfter(key []byte, after *game.ID, limit int) ([]rpc.ContractJSON, error) {
	offers, _ := p.src.book.List(mempool.BookQuery{Key: key})
	var book []rpc.ContractJSON
	var bookIDs []game.ID
	for _, o := range offers { // in id order
		if after != nil && bytes.Compare(o.ID[:], after[:]) <= 0 {
			continue
		}
		if limit > 0 && len(book) == limit {
			break
		}
		j := offerJSON(o)
		j.Hex, j.TermsHex, j.ASig, j.BSig = "", "", "", ""
		book, bookIDs = append(book, *j), append(bookIDs, o.ID)
	}
	onChain, err := p.ContractsAfter(key, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]rpc.ContractJSON, 0, len(book)+len(onChain))
	i := 0
	for _, c := range onChain {
		for i < len(book) && bytes.Compare(bookIDs[i][:], c.ID[:]) < 0 {
			out = append(out, book[i])
			i++
		}
		if i < len(book) && bookIDs[i] == c.ID {
			continue
		}
		j, err := p.src.Get(c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, *j)
	}
	out = append(out, book[i:]...)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
