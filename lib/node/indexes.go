package node

import (
	"fmt"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/index"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/store"
)

// The transaction and address indexes (lib/index), beside the filter
// index (filters.go): Config.TxIndex lets getrawtransaction and
// /rest/tx find confirmed transactions; Config.AddressIndex serves
// address.txs, address.utxos, address.balance and /rest/address/.

// optionalIndexes are the enabled indexes of db, in the order the
// manager runs them.
func (n *Node) optionalIndexes(db *store.DB) (*indexes, []index.Index) {
	x := &indexes{}
	var list []index.Index
	if n.cfg.BlockFilterIndex {
		x.filters = index.NewFilterIndex(db)
		list = append(list, x.filters)
	}
	if n.cfg.TxIndex {
		x.txs = index.NewTxIndex(db)
		list = append(list, x.txs)
	}
	if n.cfg.AddressIndex {
		x.addrs = index.NewAddrIndex(db)
		list = append(list, x.addrs)
	}
	return x, list
}

// allIndexes are every index the node knows, enabled or not: a reindex
// empties them all.
func allIndexes(db *store.DB) []index.Index {
	return []index.Index{index.NewFilterIndex(db), index.NewTxIndex(db), index.NewAddrIndex(db)}
}

// txLocator serves rpc.TxLocator from the transaction index.
type txLocator struct{ x *index.TxIndex }

func (l txLocator) TxBlock(txid chainhash.Hash) (chainhash.Hash, bool, error) {
	loc, ok, err := l.x.Locate(txid)
	return loc.Block, ok, err
}

// txLocatorOf is the node's rpc.TxLocator, nil without the index.
func (n *Node) txLocatorOf() rpc.TxLocator {
	if n.indexes == nil || n.indexes.txs == nil {
		return nil
	}
	return txLocator{n.indexes.txs}
}

// addressService is the RPC and REST service of the address index.
func (n *Node) addressService() *rpc.AddressService {
	s := &rpc.AddressService{Params: n.cfg.Params, Chain: n.Chain}
	if n.indexes != nil && n.indexes.addrs != nil {
		s.Index = n.indexes.addrs
	}
	return s
}

// outputScripts reads a confirmed output's script from its block, found
// by height (the registries' events are on the active chain) and, with
// the transaction index, the transaction's position.
type outputScripts struct {
	chain *chain.Chain
	txs   *index.TxIndex // nil: the block's transactions are searched
}

var _ rpc.OutputScripts = outputScripts{}

func (o outputScripts) OutputScript(height int32, txid chainhash.Hash, vout uint32) ([]byte, error) {
	hash, err := o.chain.BlockHashByHeight(height)
	if err != nil {
		return nil, err
	}
	blk, err := o.chain.BlockByHash(hash)
	if err != nil {
		return nil, err
	}
	pos := -1
	if o.txs != nil {
		if loc, ok, err := o.txs.Locate(txid); err == nil && ok && loc.Block == hash && int(loc.Position) < len(blk.Transactions) {
			pos = int(loc.Position)
		}
	}
	if pos < 0 || blk.Transactions[pos].TxHash() != txid {
		pos = -1
		for i, t := range blk.Transactions {
			if t.TxHash() == txid {
				pos = i
				break
			}
		}
	}
	if pos < 0 {
		return nil, fmt.Errorf("transaction %v not in block %v at height %d (the chain moved)", txid, hash, height)
	}
	outs := blk.Transactions[pos].TxOut
	if int(vout) >= len(outs) {
		return nil, fmt.Errorf("transaction %v has no output %d", txid, vout)
	}
	return outs[vout].PkScript, nil
}

// outputScriptsOf gives prop.history its owners.
func (n *Node) outputScriptsOf() rpc.OutputScripts {
	o := outputScripts{chain: n.Chain}
	if n.indexes != nil {
		o.txs = n.indexes.txs
	}
	return o
}
