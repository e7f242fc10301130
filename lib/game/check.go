package game

import (
	"net/netip"
	"net/url"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// FoldName returns the form names are compared in: ASCII lower case.
func FoldName(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= 'A' && c <= 'Z' {
			b := []byte(name)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + ('a' - 'A')
				}
			}
			return string(b)
		}
	}
	return name
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// CheckName checks a producer name: 4–40 bytes of [A-Za-z0-9._-], first
// and last character neither '.', '_' nor '-'.
func CheckName(name string) error {
	if len(name) < MinNameLen || len(name) > MaxNameLen {
		return ruleErr(CodeBadName, "name %q has %d bytes, want %d to %d", name, len(name), MinNameLen, MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isAlnum(c) {
			continue
		}
		if c != '.' && c != '_' && c != '-' {
			return ruleErr(CodeBadName, "name %q: character %q not allowed (letters, digits, '.', '_', '-')", name, c)
		}
		if i == 0 || i == len(name)-1 {
			return ruleErr(CodeBadName, "name %q must not start or end with %q", name, c)
		}
	}
	return nil
}

// CheckURL checks a producer URL: empty, or at most 200 bytes of
// printable ASCII without spaces that net/url parses with scheme http or
// https and a non-empty host.
func CheckURL(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxURLLen {
		return ruleErr(CodeBadURL, "url of %d bytes exceeds %d", len(s), MaxURLLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f {
			return ruleErr(CodeBadURL, "url %q: character 0x%02x not allowed", s, c)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return ruleErr(CodeBadURL, "url %q does not parse", s)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ruleErr(CodeBadURL, "url %q: scheme must be http or https", s)
	}
	if u.Host == "" || u.Hostname() == "" {
		return ruleErr(CodeBadURL, "url %q has no host", s)
	}
	return nil
}

// CheckIP checks a producer IP: empty, or an IPv4/IPv6 address without a
// zone written in its canonical text (netip.Addr.String).
func CheckIP(s string) error {
	if s == "" {
		return nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return ruleErr(CodeBadIP, "ip %q is not an IPv4 or IPv6 address", s)
	}
	if a.String() != s {
		return ruleErr(CodeBadIP, "ip %q is not in canonical form %q", s, a.String())
	}
	return nil
}

// CheckClass checks a producer class: empty, or 2–20 bytes of
// [A-Za-z0-9_-].
func CheckClass(s string) error {
	if s == "" {
		return nil
	}
	if len(s) < 2 || len(s) > MaxClassLen {
		return ruleErr(CodeBadClass, "class %q has %d bytes, want 2 to %d", s, len(s), MaxClassLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' {
			return ruleErr(CodeBadClass, "class %q: character %q not allowed", s, c)
		}
	}
	return nil
}

// CheckProducerInfo checks every field of p (name, url, ip, class,
// share).
func CheckProducerInfo(p *ProducerInfo) error {
	if err := CheckName(p.Name); err != nil {
		return err
	}
	if err := CheckURL(p.URL); err != nil {
		return err
	}
	if err := CheckIP(p.IP); err != nil {
		return err
	}
	if err := CheckClass(p.Class); err != nil {
		return err
	}
	if p.Share > MaxShare {
		return ruleErr(CodeBadShare, "share %d exceeds %d", p.Share, MaxShare)
	}
	return nil
}

// IsCarrierScript reports whether pkScript may carry a game object:
// P2WPKH or P2WSH.
func IsCarrierScript(pkScript []byte) bool {
	v, prog, ok := script.ExtractWitnessProgram(pkScript)
	return ok && v == 0 && (len(prog) == 20 || len(prog) == 32)
}

// carriers checks the outputs a record names: in range, not the record
// output, pairwise distinct, P2WPKH or P2WSH.
func carriers(tx *wire.MsgTx, recIdx int, outs []uint32) error {
	seen := make(map[uint32]struct{}, len(outs))
	for _, o := range outs {
		if int64(o) >= int64(len(tx.TxOut)) {
			return ruleErr(CodeBadCarrier, "carrier output %d out of range (%d outputs)", o, len(tx.TxOut))
		}
		if int(o) == recIdx {
			return ruleErr(CodeBadCarrier, "carrier output %d is the record output", o)
		}
		if _, dup := seen[o]; dup {
			return ruleErr(CodeBadCarrier, "output %d named twice as a carrier", o)
		}
		seen[o] = struct{}{}
		if !IsCarrierScript(tx.TxOut[o].PkScript) {
			return ruleErr(CodeBadCarrier, "carrier output %d is not P2WPKH or P2WSH", o)
		}
	}
	return nil
}

// CheckRecord finds tx's game record (FindRecord) and applies the
// stateless rules: field syntax, carrier outputs, value floors, the sale's
// shape. It returns the record and its output index ((nil, -1, nil)
// without a record). params is reserved for per-network limits.
func CheckRecord(tx *wire.MsgTx, params *chaincfg.Params) (Record, int, error) {
	r, idx, err := FindRecord(tx)
	if err != nil || r == nil {
		return nil, -1, err
	}
	if tx.IsCoinBase() {
		return nil, -1, ruleErr(CodeCoinbaseRecord, "a coinbase must not carry a game record")
	}
	val := func(o uint32) int64 { return tx.TxOut[o].Value }
	switch r := r.(type) {
	case *ProducerRegister:
		if err := CheckProducerInfo(&r.ProducerInfo); err != nil {
			return nil, -1, err
		}
		if err := carriers(tx, idx, []uint32{r.Out}); err != nil {
			return nil, -1, err
		}
		if v := val(r.Out); v < ProducerFee {
			return nil, -1, ruleErr(CodeFeeTooLow, "producer output %d holds %d dust, want at least %d", r.Out, v, ProducerFee)
		}
	case *ProducerChange:
		if err := CheckProducerInfo(&r.ProducerInfo); err != nil {
			return nil, -1, err
		}
		if err := carriers(tx, idx, []uint32{r.Out}); err != nil {
			return nil, -1, err
		}
		if v := val(r.Out); v < ProducerFee {
			return nil, -1, ruleErr(CodeFeeTooLow, "producer output %d holds %d dust, want at least %d", r.Out, v, ProducerFee)
		}
	case *PropCreate:
		outs := make([]uint32, 0, len(r.Props)+1)
		outs = append(outs, r.ProducerOut)
		for _, p := range r.Props {
			outs = append(outs, p.Out)
		}
		if err := carriers(tx, idx, outs); err != nil {
			return nil, -1, err
		}
		if v := val(r.ProducerOut); v < ProducerFee {
			return nil, -1, ruleErr(CodeFeeTooLow, "producer output %d holds %d dust, want at least %d", r.ProducerOut, v, ProducerFee)
		}
		for _, p := range r.Props {
			if v := val(p.Out); v < MinPropGold {
				return nil, -1, ruleErr(CodeGoldTooLow, "prop output %d holds %d dust, want at least %d", p.Out, v, MinPropGold)
			}
		}
	case *PropSend:
		outs := make([]uint32, len(r.Moves))
		for i, m := range r.Moves {
			outs[i] = m.Out
		}
		if err := carriers(tx, idx, outs); err != nil {
			return nil, -1, err
		}
	case *PropDestroy:
		// Nothing is carried.
	case *Sale:
		if idx != 0 {
			return nil, -1, ruleErr(CodeBadSale, "sale record in output %d, want output 0", idx)
		}
		if r.BuyNow == 0 || r.BuyNow > uint64(amount.MaxMoney) {
			return nil, -1, ruleErr(CodeBadSale, "buy-now price %d out of range 1 to %d", r.BuyNow, int64(amount.MaxMoney))
		}
		if r.Reserve > uint64(amount.MaxMoney) {
			return nil, -1, ruleErr(CodeBadSale, "reserve price %d exceeds %d", r.Reserve, int64(amount.MaxMoney))
		}
		if r.End == 0 || r.End > 0x7fffffff {
			return nil, -1, ruleErr(CodeBadSale, "end height %d out of range 1 to %d", r.End, 0x7fffffff)
		}
		switch n := len(tx.TxOut); {
		case n == 2:
			return nil, -1, ruleErr(CodeBadSale, "sale with 2 outputs: want 1 (listing) or at least 3 (bid)")
		case n >= 3:
			if err := carriers(tx, idx, []uint32{2}); err != nil {
				return nil, -1, err
			}
		}
	case *ContractFulfil:
		if err := checkFulfil(tx, idx, r); err != nil {
			return nil, -1, err
		}
	case *ContractExecute:
		if err := checkExecute(tx, idx, r); err != nil {
			return nil, -1, err
		}
	}
	return r, idx, nil
}
