package wallet

import (
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/keys"
)

// TestExportPrivKey: HD and imported keys come back as WIF whose public
// key hashes to the address.
func TestExportPrivKey(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	mustUnlock(t, w)
	hd, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	k := testKey(t, 7)
	imp, err := w.ImportWIF(keys.EncodeWIF(k, true, regtest), "imported")
	if err != nil {
		t.Fatal(err)
	}
	ku := testKey(t, 8)
	impU, err := w.ImportWIF(keys.EncodeWIF(ku, false, regtest), "imported")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*address.Address{hd, imp.Address, impU.Address} {
		wif, err := w.ExportPrivKey(a.String())
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		priv, compressed, err := keys.DecodeWIF(wif, regtest)
		if err != nil {
			t.Fatalf("%s: exported %q does not decode: %v", a, wif, err)
		}
		pub := priv.PubKey().SerializeUncompressed()
		if compressed {
			pub = priv.PubKey().SerializeCompressed()
		}
		if string(keys.Hash160(pub)) != string(a.Hash) {
			t.Fatalf("%s: exported key is not the address's", a)
		}
	}
	if wif, _ := w.ExportPrivKey(imp.Address.String()); wif != keys.EncodeWIF(k, true, regtest) {
		t.Fatal("imported key does not round-trip")
	}
}

func TestExportPrivKeyErrors(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	mustUnlock(t, w)
	hd, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	watch := address.NewP2WPKH(keys.PubKeyHash(testKey(t, 9).PubKey()), regtest)
	if _, err := w.ImportAddress(watch.String(), "watch"); err != nil {
		t.Fatal(err)
	}
	stranger := address.NewP2WPKH(keys.PubKeyHash(testKey(t, 10).PubKey()), regtest)
	tests := []struct {
		name, addr string
		want       error
	}{
		{"garbage", "not-an-address", ErrInvalidArgument},
		{"script hash", address.NewP2WSH(make([]byte, 32), regtest).String(), ErrInvalidArgument},
		{"other network", address.NewP2WPKH(hd.Hash, chaincfg.MainNetParams).String(), ErrInvalidArgument},
		{"not the wallet's", stranger.String(), ErrAddressNotFound},
		{"watch-only", watch.String(), ErrWatchOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := w.ExportPrivKey(tt.addr); !errors.Is(err, tt.want) {
				t.Fatalf("ExportPrivKey(%s) = %v, want %v", tt.addr, err, tt.want)
			}
		})
	}
	if err := w.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ExportPrivKey(hd.String()); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked: %v, want ErrLocked", err)
	}
}
