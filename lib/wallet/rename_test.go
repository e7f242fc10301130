package wallet

import (
	"errors"
	"testing"
)

func TestRenameAccount(t *testing.T) {
	w, _, path := newTestWallet(t, nil)
	mustUnlock(t, w)
	if _, err := w.CreateAccount("account-1"); err != nil {
		t.Fatal(err)
	}
	a, _ := w.NewAddress("account-1", false)
	w.Lock() // renaming needs no keys
	info, err := w.RenameAccount("account-1", "savings")
	if err != nil || info.Name != "savings" || info.Number != 1 {
		t.Fatalf("rename: %+v %v", info, err)
	}
	if _, err := w.Account("account-1"); !errors.Is(err, ErrAccountNotFound) {
		t.Fatalf("old name still there: %v", err)
	}
	if mine, ok := w.IsMine(a.PkScript()); !ok || mine.Account != "savings" {
		t.Fatalf("address now in %+v", mine)
	}
	// The old name is free again.
	mustUnlock(t, w)
	if n, err := w.CreateAccount("account-1"); err != nil || n.Number != 2 {
		t.Fatalf("reuse of the old name: %+v %v", n, err)
	}
	for _, tc := range []struct {
		old, new string
		kind     error
	}{
		{"savings", "account-1", ErrAccountExists},
		{"nobody", "x", ErrAccountNotFound},
		{"default", "main", ErrInvalidArgument},
		{"", "main", ErrInvalidArgument},
		{"savings", "default", ErrInvalidArgument},
		{"savings", "*", ErrInvalidArgument},
		{"savings", "", ErrInvalidArgument},
		{"savings", "a\x00b", ErrInvalidArgument},
	} {
		if _, err := w.RenameAccount(tc.old, tc.new); !errors.Is(err, tc.kind) {
			t.Errorf("rename %q -> %q: %v, want %v", tc.old, tc.new, err, tc.kind)
		}
	}
	if _, err := w.RenameAccount("savings", "savings"); err != nil {
		t.Fatalf("same name: %v", err)
	}
	// The name survives a reopen.
	w.Close()
	w2, err := Open(path, regtest, testOpenOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if info, err := w2.Account("savings"); err != nil || info.Number != 1 {
		t.Fatalf("after reopen: %+v %v", info, err)
	}
}
