package chain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// The game registries in chain.db (producers, props, history events,
// contracts) and the undo journal of each block are read back by the
// node; like the other records they must refuse garbage without
// panicking. Whatever a decoder accepts must re-encode to a record that
// decodes to the same value and re-encodes to itself; the re-encoding
// may only be shorter than the input (binary.Uvarint also reads
// non-minimal varints, which the node never writes).

// checkReencode fails unless re is a fixed point (encode(decode(re)) ==
// re, checked by again) and equals in, or is shorter than in.
func checkReencode(t *testing.T, what string, in, re []byte, again func([]byte) ([]byte, error)) {
	t.Helper()
	if !bytes.Equal(re, in) && len(re) >= len(in) {
		t.Fatalf("%s: accepted %x but re-encodes to %x", what, in, re)
	}
	re2, err := again(re)
	if err != nil || !bytes.Equal(re2, re) {
		t.Fatalf("%s: re-encoding %x is not a fixed point: %x, %v", what, re, re2, err)
	}
}

var (
	fuzzID    = game.ID{1, 2, 3}
	fuzzOwner = []byte{0, 20, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}
	fuzzOut   = wire.OutPoint{Hash: chainhash.Hash{7}, Index: 3}
)

func FuzzDecodeProducer(f *testing.F) {
	f.Add(encodeProducer(&game.Producer{ID: fuzzID, ProducerInfo: game.ProducerInfo{Name: "Acme", URL: "https://acme.example",
		IP: "10.0.0.1", Class: "rpg", Share: 10}, Outpoint: fuzzOut, Owner: fuzzOwner, Value: 100_000, Height: 7, Updated: 9}))
	f.Add(encodeProducer(&game.Producer{}))
	f.Add([]byte{0x80, 0x00, 0, 0, 0})
	f.Fuzz(func(t *testing.T, v []byte) {
		p, err := decodeProducer(fuzzID, v)
		if err != nil {
			return
		}
		if p.ID != fuzzID || p.Value < 0 {
			t.Fatalf("decoded %+v", p)
		}
		checkReencode(t, "producer", v, encodeProducer(p), func(b []byte) ([]byte, error) {
			q, err := decodeProducer(fuzzID, b)
			if err != nil {
				return nil, err
			}
			return encodeProducer(q), nil
		})
	})
}

func FuzzDecodeProp(f *testing.F) {
	live := &game.Prop{ID: fuzzID, Producer: game.ID{4}, OID: "sword", Gold: 10_000, Outpoint: fuzzOut, Owner: fuzzOwner,
		Status: game.PropLive, Height: 5, Updated: 6, LastPrice: 20_000}
	f.Add(encodeProp(live))
	escrow := *live
	escrow.Status, escrow.Contract = game.PropEscrow, game.ID{9, 9}
	f.Add(encodeProp(&escrow))
	gone := *live
	gone.Status = game.PropDestroyed
	f.Add(encodeProp(&gone))
	f.Fuzz(func(t *testing.T, v []byte) {
		p, err := decodeProp(fuzzID, v)
		if err != nil {
			return
		}
		if p.Gold < 0 || p.LastPrice < 0 || (p.Status != game.PropEscrow && !p.Contract.IsZero()) {
			t.Fatalf("decoded %+v", p)
		}
		_ = p.Status.String()
		checkReencode(t, "prop", v, encodeProp(p), func(b []byte) ([]byte, error) {
			q, err := decodeProp(fuzzID, b)
			if err != nil {
				return nil, err
			}
			return encodeProp(q), nil
		})
	})
}

func FuzzDecodeEvent(f *testing.F) {
	e := game.Event{Object: game.Object{Kind: game.KindProp, ID: fuzzID}, Op: game.TypeSale, Height: 12,
		Txid: chainhash.Hash{5}, Vout: 1, Price: 30_000}
	f.Add(historyKey(e.Object.ID, e.Height, 2), encodeEvent(&e))
	e.Vout, e.Price = game.DestroyedVout, 0
	f.Add(historyKey(e.Object.ID, e.Height, 0), encodeEvent(&e))
	f.Fuzz(func(t *testing.T, k, v []byte) {
		e, err := decodeEvent(k, v)
		if err != nil {
			return
		}
		if e.Price < 0 {
			t.Fatalf("decoded %+v", e)
		}
		_, _ = e.Op.String(), e.Object.String()
		txIndex := int(binary.BigEndian.Uint32(k[36:]))
		if !bytes.Equal(historyKey(e.Object.ID, e.Height, txIndex), k) {
			t.Fatalf("key %x does not come back from %+v", k, e)
		}
		checkReencode(t, "event", v, encodeEvent(&e), func(b []byte) ([]byte, error) {
			q, err := decodeEvent(k, b)
			if err != nil {
				return nil, err
			}
			return encodeEvent(&q), nil
		})
	})
}

func FuzzDecodeContract(f *testing.F) {
	key := func(b byte) []byte { return append([]byte{2}, bytes.Repeat([]byte{b}, 32)...) }
	terms := game.Terms{AKey: key(1), BKey: key(2), AGold: 50_000, AProps: []game.ID{{1}, {2}}, BGold: 20_000,
		Memo: "deliver the sword", Hash: bytes.Repeat([]byte{3}, 32), Expiry: 500, Nonce: 42}
	for _, c := range []game.Contract{
		{ID: fuzzID, Terms: terms, State: game.ContractFulfilled, FulfilTxid: chainhash.Hash{8}, Height: 100,
			Escrow: []wire.OutPoint{fuzzOut, {Hash: chainhash.Hash{8}, Index: 1}, {Hash: chainhash.Hash{8}, Index: 2}}},
		{ID: fuzzID, Terms: terms, State: game.ContractSettled, FulfilTxid: chainhash.Hash{8}, Height: 100,
			Escrow: []wire.OutPoint{fuzzOut}, SettleTxid: chainhash.Hash{9}, SettleHeight: 120, Path: game.PathClaim,
			Preimage: bytes.Repeat([]byte{4}, 32)},
		{ID: fuzzID, Terms: game.Terms{AKey: key(1), BKey: key(2), BProps: []game.ID{{5}}, Expiry: 9}, State: game.ContractExchanged},
	} {
		v, err := encodeContract(&c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := decodeContract(fuzzID, v)
		if err != nil {
			return
		}
		_, _ = c.State.String(), c.Path.String()
		re, err := encodeContract(c)
		if err != nil {
			t.Fatalf("accepted %x, which does not re-encode: %v", v, err)
		}
		checkReencode(t, "contract", v, re, func(b []byte) ([]byte, error) {
			q, err := decodeContract(fuzzID, b)
			if err != nil {
				return nil, err
			}
			return encodeContract(q)
		})
	})
}

// encodeJournal writes entries in flush's journal format.
func encodeJournal(entries []journalEntry) []byte {
	b := binary.AppendUvarint(nil, uint64(len(entries)))
	for _, e := range entries {
		b = append(b, byte(e.b))
		b = binary.AppendUvarint(b, uint64(len(e.key)))
		b = append(b, e.key...)
		if e.prev == nil {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(len(e.prev)))
		b = append(b, e.prev...)
	}
	return b
}

var errRollback = errors.New("roll back")

// FuzzDecodeJournal decodes a block's game undo journal and replays it on
// a real chain database (rolled back after each input): an accepted
// journal re-encodes as above, its trailing hook bytes come back as they
// were, and the replay leaves every key it names as the journal's first
// entry for that key says (replay runs backwards).
func FuzzDecodeJournal(f *testing.F) {
	f.Add(encodeJournal([]journalEntry{{b: regProps, key: fuzzID[:]}, {b: regNames, key: []byte("acme"), prev: fuzzID[:]},
		{b: regContracts, key: []byte{1}, prev: empty}}))
	f.Add(append(encodeJournal(nil), "hook undo"...))
	f.Add([]byte{2, 0, 1, 'k', 0, 3, 1, 'x', 1, 1, 'v', 'h', 'o', 'o', 'k'})
	tc := openChainAt(f, f.TempDir())
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, rest, err := decodeJournal(b)
		if err != nil {
			return
		}
		re := append(encodeJournal(entries), rest...)
		checkReencode(t, "journal", b, re, func(b []byte) ([]byte, error) {
			e, r, err := decodeJournal(b)
			return append(encodeJournal(e), r...), err
		})
		err = tc.db.Update(func(tx *store.Tx) error {
			for _, e := range entries { // something to overwrite or delete
				if err := tx.Bucket(regBucketNames[e.b]).Put(e.key, []byte("current")); err != nil {
					return err
				}
			}
			got, err := undoRegistries(tx, b)
			if err != nil {
				return err
			}
			if len(b) > 0 && !bytes.Equal(got, rest) {
				t.Fatalf("undo returned %x, decode %x", got, rest)
			}
			seen := map[string]bool{}
			for _, e := range entries {
				id := string(rune(e.b)) + string(e.key)
				if seen[id] {
					continue
				}
				seen[id] = true
				v := tx.Bucket(regBucketNames[e.b]).Get(e.key)
				if (v == nil) != (e.prev == nil) || !bytes.Equal(v, e.prev) {
					t.Fatalf("bucket %d key %x: %x after undo, journal says %x", e.b, e.key, v, e.prev)
				}
			}
			return errRollback
		})
		if err != nil && !errors.Is(err, errRollback) && !errors.Is(err, bbolt.ErrKeyTooLarge) {
			t.Fatalf("replay: %v", err)
		}
	})
}
