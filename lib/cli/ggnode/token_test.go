package ggnode

import (
	"slices"
	"testing"
)

// TestWhitelistSpecs: the values the flag parser split at commas are
// joined back into their specs; a first value without a user stays as
// it is (ApplyWhitelists refuses it).
func TestWhitelistSpecs(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"bob:getblock", "getblockcount", "alice:prop.*"}, []string{"bob:getblock,getblockcount", "alice:prop.*"}},
		{[]string{"alice:"}, []string{"alice:"}},
		{[]string{"getblock", "bob:x"}, []string{"getblock", "bob:x"}},
		{nil, nil},
	} {
		if got := whitelistSpecs(c.in); !slices.Equal(got, c.want) {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
}
