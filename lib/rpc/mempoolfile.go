package rpc

import (
	"context"
	"encoding/json"
)

// MempoolFileService serves mempool.save (bitcoind's savemempool): the
// pool written to its file now, as it is on shutdown and periodically.
type MempoolFileService struct {
	// Save writes the file and returns its path and the transactions
	// written.
	Save func() (path string, txs int, err error)
}

// MempoolSaveResult is mempool.save's answer.
type MempoolSaveResult struct {
	Filename string `json:"filename"`
	Txs      int    `json:"txs"`
}

// Methods returns mempool.save and its bitcoind name.
func (s *MempoolFileService) Methods() []Method {
	names := []string{"mempool.save", "savemempool"}
	var out []Method
	for _, n := range names {
		out = append(out, Method{Name: n, Help: "write the mempool to <datadir>/mempool.dat now (it is also written periodically and on shutdown): {filename, txs}" + aliasNote(n, names),
			Handler: s.save})
	}
	return out
}

func (s *MempoolFileService) save(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	path, n, err := s.Save()
	if err != nil {
		return nil, Errorf(CodeMisc, "unable to dump mempool to disk: %v", err)
	}
	return MempoolSaveResult{Filename: path, Txs: n}, nil
}
