package wire

import "github.com/gamegold/gg/lib/chainhash"

// MerkleRoot computes Bitcoin's merkle root over leaves (internal order).
// An odd level duplicates its last hash. mutated reports the
// CVE-2012-2459 ambiguity: some level paired two identical hashes, so a
// different transaction list (with a duplicated tail) has the same root.
// Blocks whose root is mutated must be rejected as invalid without marking
// the header itself invalid.
func MerkleRoot(leaves []chainhash.Hash) (root chainhash.Hash, mutated bool) {
	if len(leaves) == 0 {
		return chainhash.Hash{}, false
	}
	level := make([]chainhash.Hash, len(leaves))
	copy(level, leaves)
	for len(level) > 1 {
		for i := 0; i+1 < len(level); i += 2 {
			if level[i] == level[i+1] {
				mutated = true
			}
		}
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := level[:len(level)/2]
		for i := range next {
			next[i] = chainhash.HashPair(&level[2*i], &level[2*i+1])
		}
		level = next
	}
	return level[0], mutated
}

// BlockMerkleRoot returns the merkle root over the block's txids.
func BlockMerkleRoot(txs []*MsgTx) (chainhash.Hash, bool) {
	leaves := make([]chainhash.Hash, len(txs))
	for i, tx := range txs {
		leaves[i] = tx.TxHash()
	}
	return MerkleRoot(leaves)
}

// WitnessMerkleRoot returns the BIP141 root over wtxids, with the
// coinbase's wtxid replaced by zero.
func WitnessMerkleRoot(txs []*MsgTx) chainhash.Hash {
	leaves := make([]chainhash.Hash, len(txs))
	for i, tx := range txs {
		if i > 0 {
			leaves[i] = tx.WitnessHash()
		}
	}
	root, _ := MerkleRoot(leaves)
	return root
}

// MerkleBranch returns the sibling hashes from leaf index to the root, the
// path a miner or SPV proof needs.
func MerkleBranch(leaves []chainhash.Hash, index int) []chainhash.Hash {
	var branch []chainhash.Hash
	level := append([]chainhash.Hash(nil), leaves...)
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		branch = append(branch, level[index^1])
		next := make([]chainhash.Hash, len(level)/2)
		for i := range next {
			next[i] = chainhash.HashPair(&level[2*i], &level[2*i+1])
		}
		level, index = next, index/2
	}
	return branch
}
