package wallet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
)

// Account discovery (BIP44) runs at the end of Rescan and of the first
// sync of a new wallet (a restore): while the highest BIP44 account of the
// seed has a used address, the next account's first gap-limit receive and
// change addresses are derived in memory and the rescanned range is
// searched for them: an output paying one, or a contract fulfil record
// naming one's key as a_key or b_key (a party to a pure escrow is never
// paid at fulfil; its contract key is a receive address, marked used
// once a fulfil naming it is seen). On a hit the account is created,
// named "account-<n>" (names are not on the chain, so a restored wallet
// cannot know them; RenameAccount is not offered yet), the range is
// rescanned to record its transactions and contracts, and discovery goes
// on with the account after it. The first account with no hit in the
// range stops it and is not kept. Deriving an account key needs the
// seed: an encrypted wallet must be unlocked, otherwise discovery is
// skipped with a warning (unlock and Rescan again).

var errProbeHit = errors.New("wallet: probe hit")

// discoverAccounts runs account discovery over [from, tip] and returns
// how many accounts it created.
func (w *Wallet) discoverAccounts(ctx context.Context, c ChainClient, from int32) (int, error) {
	created := 0
	for {
		n, probe, err := w.accountProbe()
		if errors.Is(err, ErrLocked) {
			w.log.Warn("account discovery skipped: the wallet is locked (unlock and rescan to find accounts beyond the known ones)")
			return created, nil
		}
		if err != nil || probe == nil {
			return created, err
		}
		scripts := make([][]byte, 0, len(probe))
		for s := range probe {
			scripts = append(scripts, []byte(s))
		}
		err = c.Rescan(ctx, from, scripts, nil, func(rb RescanBlock) error {
			for _, t := range rb.Txs {
				for _, out := range t.TxOut {
					if probe[string(out.PkScript)] {
						return errProbeHit
					}
				}
				// A contract naming one of the account's keys uses it
				// too, though a pure escrow pays it nothing.
				if rec, _, err := game.FindRecord(t); err == nil {
					if f, ok := rec.(*game.ContractFulfil); ok &&
						(probe[string(game.P2WPKHOf(f.Terms.AKey))] || probe[string(game.P2WPKHOf(f.Terms.BKey))]) {
						return errProbeHit
					}
				}
			}
			return nil
		})
		switch {
		case err == nil:
			return created, nil // account n unused: discovery ends
		case !errors.Is(err, errProbeHit):
			return created, fmt.Errorf("discover account %d: %w", n, err)
		}
		name := "account-" + strconv.FormatUint(uint64(n), 10)
		if _, err := w.CreateAccount(name); err != nil {
			return created, fmt.Errorf("discover account %d: %w", n, err)
		}
		created++
		w.log.Info("account discovered", "number", n, "name", name)
		err = c.Rescan(ctx, from, nil, nil, func(rb RescanBlock) error {
			b := rb.Block
			return w.rescanBlock(&b)
		})
		if err != nil {
			return created, fmt.Errorf("rescan for account %d: %w", n, err)
		}
	}
}

// accountProbe returns the number of the next BIP44 account and the
// output scripts of its first gap-limit addresses on both chains, or a
// nil set when the highest account has no used address (nothing to
// discover). ErrLocked: no seed to derive from.
func (w *Wallet) accountProbe() (uint32, map[string]bool, error) {
	var (
		n     uint32
		probe map[string]bool
	)
	err := w.view(func(tx *store.Tx) error {
		if v := tx.Bucket(bktMeta).Get(keyNextAccount); len(v) == 4 {
			n = binary.BigEndian.Uint32(v)
		}
		if n == 0 || n >= HardenedKeyStart-1 {
			return nil
		}
		last, err := getAccount(tx, n-1)
		if errors.Is(err, ErrAccountNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if last == nil || last.Kind != kindHD || (last.Branches[0].Used == 0 && last.Branches[1].Used == 0) {
			return nil
		}
		mkey, err := w.masterKeyLocked()
		if err != nil {
			return err
		}
		master, err := w.hdMaster(tx, mkey)
		if err != nil {
			return err
		}
		defer master.Zero()
		priv, err := DerivePath(master, AccountPath(w.params, n))
		if isInvalidChild(err) {
			return nil // CreateAccount would skip to n+1; not worth probing
		}
		if err != nil {
			return err
		}
		defer priv.Zero()
		acct, err := priv.Neuter()
		if err != nil {
			return err
		}
		probe = make(map[string]bool, 2*int(w.gap))
		for branch := uint32(BranchReceive); branch <= uint32(BranchChange); branch++ {
			bk, err := acct.Derive(branch)
			if err != nil {
				continue // invalid branch key: no addresses there
			}
			for i := uint32(0); i < w.gap; i++ {
				child, err := bk.Derive(i)
				if err != nil {
					continue
				}
				pub, err := child.ECPubKey()
				if err != nil {
					return err
				}
				probe[string(script.PayToWitnessPubKeyHash(keys.Hash160(pub.SerializeCompressed())))] = true
			}
		}
		return nil
	})
	return n, probe, err
}
