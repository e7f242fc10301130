package ggnode

import (
	"bytes"
	"testing"
)

func TestWriteStatus(t *testing.T) {
	locked := true
	for _, tc := range []struct {
		name string
		st   nodeStatus
		want string
	}{
		{"synced, wallet", nodeStatus{Network: "regtest", Blocks: 2, Headers: 2, BestBlockHash: "00ab", VerificationProgress: 1,
			Mempool: mempoolStatus{Size: 1, Bytes: 225}, Wallet: walletStatus{Loaded: true, Locked: &locked, Balance: "1.5", Immature: "100"}, Version: "v1"},
			"network     regtest\nblocks      2 (headers 2)\nbest block  00ab\nsync        synced\npeers       0\n" +
				"mempool     1 transactions, 225 bytes\nwallet      locked, balance 1.5 GG (unconfirmed 0.0 GG, immature 100.0 GG)\nversion     v1\n"},
		// the node's eight decimals trimmed, as every gg-* table and message does
		{"wallet amounts trimmed", nodeStatus{Network: "regtest", Blocks: 101, Headers: 101, BestBlockHash: "00ef", VerificationProgress: 1,
			Wallet: walletStatus{Loaded: true, Locked: new(bool), Balance: "50.00000000", Unconfirmed: "0.00000000", Immature: "5000.00000141"}},
			"network     regtest\nblocks      101 (headers 101)\nbest block  00ef\nsync        synced\npeers       0\n" +
				"mempool     0 transactions, 0 bytes\nwallet      unlocked, balance 50.0 GG (unconfirmed 0.0 GG, immature 5000.00000141 GG)\n"},
		{"syncing, no wallet", nodeStatus{Network: "main", Blocks: 1, Headers: 4, BestBlockHash: "00cd", InitialBlockDownload: true, VerificationProgress: 0.25, Peers: 3},
			"network     main\nblocks      1 (headers 4)\nbest block  00cd\nsync        initial block download, 25.0%\npeers       3\n" +
				"mempool     0 transactions, 0 bytes\nwallet      none loaded (gg-wallet create)\n"},
	} {
		var b bytes.Buffer
		if err := writeStatus(&b, &tc.st); err != nil || b.String() != tc.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.name, b.String(), tc.want)
		}
	}
}
