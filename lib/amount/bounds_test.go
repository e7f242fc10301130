package amount

import (
	"errors"
	"strings"
	"testing"
)

// TestParseTooLong: an amount string longer than MaxLen is refused as
// ErrTooLong before it is scanned (the old parser scanned all of it and
// answered ErrRange or ErrSyntax).
func TestParseTooLong(t *testing.T) {
	for _, s := range []string{strings.Repeat("1", 2<<20), "1." + strings.Repeat("0", 2<<20), strings.Repeat("0", MaxLen+1)} {
		if _, err := Parse(s); !errors.Is(err, ErrTooLong) {
			t.Errorf("Parse(%d characters) err = %v, want ErrTooLong", len(s), err)
		}
		if _, err := ParseDust(s); !errors.Is(err, ErrTooLong) {
			t.Errorf("ParseDust(%d characters) err = %v, want ErrTooLong", len(s), err)
		}
	}
	// The longest amounts there are stay well inside the bound.
	for _, s := range []string{"000000021.00000000", MaxMoney.Format(), "2100000000000000"} {
		if len(s) > MaxLen {
			t.Errorf("%q is longer than MaxLen", s)
		}
	}
	if a, err := Parse("000000021.00000000"); err != nil || a != 21*DustPerGG {
		t.Errorf("Parse(18 characters) = %v, %v", a, err)
	}
}
