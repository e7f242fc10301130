package gcs_test

import (
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
)

// A light client checks whether a block may concern one of its scripts.
func ExampleFilter_MatchAny() {
	blockHash := chainhash.Hash{0x42}
	mine := []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	key := gcs.BlockKey(blockHash)
	f, err := gcs.Build(gcs.Basic, key, [][]byte{mine, {0x51}})
	if err != nil {
		panic(err)
	}
	served, err := gcs.DecodeBasic(f.Bytes()) // as a peer sent it
	if err != nil {
		panic(err)
	}
	fmt.Println(served.N(), served.MatchAny(key, [][]byte{{0x52}, mine}))
	// Output: 2 true
}
