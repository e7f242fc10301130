package mempool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Save writes every pool transaction, parents first, with its Added time
// and fee delta, to path atomically: a temporary file in the same
// directory is written and fsynced, then renamed over path, and the
// directory is fsynced. It returns the number of transactions written:
// those of its snapshot of the pool.
func (p *Pool) Save(path string) (int, error) {
	// One save at a time, so an older snapshot never renames over a
	// newer one.
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	p.mu.RLock()
	order := p.g.topoOrder()
	recs := make([]fileRecord, len(order))
	for i, e := range order {
		recs[i] = fileRecord{tx: e.desc.Tx, added: e.desc.Added, feeDelta: e.desc.FeeDelta}
	}
	p.mu.RUnlock()
	data := encodeFile(p.cfg.Params.Net, recs)

	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return 0, fmt.Errorf("mempool: save: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) (int, error) {
		f.Close()
		os.Remove(tmp)
		return 0, fmt.Errorf("mempool: save %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("mempool: save %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("mempool: save %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	p.log.Debug("saved", "path", path, "txs", len(recs))
	return len(recs), nil
}

// Load reads a file written by Save and re-accepts its transactions in
// order against the current tip, keeping their Added times and fee
// deltas. Transactions now confirmed, invalid, expired or refused by
// policy are counted in failed. A missing, truncated or corrupt file, or
// one from another network, is an error (ErrBadFile for bad contents) and
// nothing is loaded.
func (p *Pool) Load(path string) (accepted, failed int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("mempool: load: %w", err)
	}
	recs, err := decodeFile(data, p.cfg.Params.Net)
	if err != nil {
		return 0, 0, fmt.Errorf("mempool: load %s: %w", path, err)
	}
	now := p.now()
	cutoff := now.Add(-p.policy.Expiry)
	for _, r := range recs {
		id := r.tx.TxHash()
		if r.added.Before(cutoff) {
			failed++
			continue
		}
		setDelta := false
		if r.feeDelta != 0 {
			p.mu.Lock()
			if _, ok := p.deltas[id]; !ok {
				p.deltas[id] = r.feeDelta
				setDelta = true
			}
			p.mu.Unlock()
		}
		_, missing, err := p.maybeAccept(r.tx, acceptOpts{added: r.added})
		switch {
		case err == nil && !missing:
			accepted++
		case errors.Is(err, ErrDuplicate):
			accepted++
		default:
			failed++
			if setDelta {
				p.mu.Lock()
				delete(p.deltas, id)
				p.mu.Unlock()
			}
			p.log.Debug("load: not re-accepted", "txid", id, "missing", missing, "err", err)
		}
	}
	return accepted, failed, nil
}
