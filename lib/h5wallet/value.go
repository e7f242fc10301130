package h5wallet

import (
	"fmt"
	"math"
)

// The bridge's values are JSON's data model without its codec: an
// argument or an answer is nil, a bool, a float64 (every number, as in
// JavaScript), a string, a []any or a map[string]any. The js/wasm main
// converts the page's objects to and from this model through
// syscall/js, so the module links no encoding/json (with it, reflection
// over every request type and the time package's parsers: about 680 kB
// of the module, 170 kB gzipped). The field names are the structs'
// json tags, which TestValueFieldNames holds the converters to.

// obj reads one request object; the first wrong field is kept in err.
type obj struct {
	method string
	m      map[string]any
	err    error
}

func argsOf(method string, v any) *obj {
	o := &obj{method: method}
	switch m := v.(type) {
	case nil:
		o.m = map[string]any{}
	case map[string]any:
		o.m = m
	default:
		o.err = fmt.Errorf("%s: %w: arguments: want an object", method, ErrInvalidArgument)
	}
	return o
}

func (o *obj) fail(key, want string) {
	if o.err == nil {
		o.err = fmt.Errorf("%s: %w: arguments: %s: want %s", o.method, ErrInvalidArgument, key, want)
	}
}

func (o *obj) str(key string) string {
	switch v := o.m[key].(type) {
	case nil:
	case string:
		return v
	default:
		o.fail(key, "a string")
	}
	return ""
}

// integer reads a whole number within [lo, hi] (JSON numbers are
// float64, exact up to 2^53: every amount in dust).
func (o *obj) integer(key string, lo, hi float64) int64 {
	switch v := o.m[key].(type) {
	case nil:
	case float64:
		if v == math.Trunc(v) && v >= lo && v <= hi {
			return int64(v)
		}
		o.fail(key, "a whole number in range")
	default:
		o.fail(key, "a number")
	}
	return 0
}

const maxExact = 1 << 53

func (o *obj) int64(key string) int64 { return o.integer(key, -maxExact, maxExact) }
func (o *obj) int32(key string) int32 {
	return int32(o.integer(key, math.MinInt32, math.MaxInt32))
}
func (o *obj) uint32(key string) uint32 { return uint32(o.integer(key, 0, math.MaxUint32)) }
func (o *obj) int(key string) int       { return int(o.int32(key)) }

func (o *obj) bool(key string) bool {
	switch v := o.m[key].(type) {
	case nil:
	case bool:
		return v
	default:
		o.fail(key, "true or false")
	}
	return false
}

// list calls each on the elements of the array at key.
func (o *obj) list(key string, each func(v any)) {
	switch v := o.m[key].(type) {
	case nil:
	case []any:
		for _, x := range v {
			each(x)
		}
	default:
		o.fail(key, "an array")
	}
}

func (o *obj) strings(key string) []string {
	var out []string
	o.list(key, func(v any) {
		s, ok := v.(string)
		if !ok {
			o.fail(key, "strings")
		}
		out = append(out, s)
	})
	return out
}

// sub reads the object at key (or each object of an array) with the
// same error slot.
func (o *obj) sub(key string, v any) *obj {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		o.fail(key, "an object")
	}
	return &obj{method: o.method, m: m}
}

func (o *obj) coin(key string, v any) Coin {
	c := o.sub(key, v)
	r := Coin{TxID: c.str("txid"), Vout: c.uint32("vout"), Value: c.int64("value"), Address: c.str("address"),
		Height: c.int32("height"), Coinbase: c.bool("coinbase")}
	if c.err != nil && o.err == nil {
		o.err = c.err
	}
	return r
}

func (o *obj) coins(key string) []Coin {
	var out []Coin
	o.list(key, func(v any) { out = append(out, o.coin(key, v)) })
	return out
}

func (o *obj) sendRequest() SendRequest {
	r := SendRequest{Coins: o.coins("coins"), ChangeAddress: o.str("change"), FeeRate: o.int64("feerate"), Tip: o.int32("tip")}
	o.list("to", func(v any) {
		x := o.sub("to", v)
		r.To = append(r.To, Output{Address: x.str("address"), Value: x.int64("value")})
		if x.err != nil && o.err == nil {
			o.err = x.err
		}
	})
	return r
}

func (o *obj) saleRequest() SaleRequest {
	return SaleRequest{Prop: o.str("prop"), Coin: o.coin("coin", o.m["coin"]), BuyNow: o.int64("buynow"),
		Reserve: o.int64("reserve"), End: o.uint32("end"), Tip: o.int32("tip")}
}

func (o *obj) bidRequest() BidRequest {
	return BidRequest{SaleHex: o.str("sale"), Seller: o.str("seller"), Gold: o.int64("gold"), Price: o.int64("price"),
		ReplacedFees: o.int64("replaced_fees"), Coins: o.coins("coins"), PropAddress: o.str("prop_address"),
		ChangeAddress: o.str("change"), FeeRate: o.int64("feerate"), Tip: o.int32("tip")}
}

func (o *obj) anchor() Anchor {
	return Anchor{Hash: o.str("anchor"), Header: o.str("anchor_header"), FilterHeader: o.str("anchor_fh"), Height: o.int32("height")}
}

func (o *obj) filterRun() FilterRun {
	return FilterRun{Headers: o.strings("headers"), FilterHeaders: o.strings("filter_headers"), Filters: o.strings("filters")}
}

// The answers, as values.

func strs(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func (c Coin) value() map[string]any {
	m := map[string]any{"txid": c.TxID, "vout": float64(c.Vout), "value": float64(c.Value), "address": c.Address, "height": float64(c.Height)}
	if c.Coinbase {
		m["coinbase"] = true
	}
	return m
}

func (a AddressInfo) value() map[string]any {
	return map[string]any{"branch": float64(a.Branch), "index": float64(a.Index), "path": a.Path, "address": a.Addr, "script": a.Script}
}

func addressValues(as []AddressInfo) []any {
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = a.value()
	}
	return out
}

func (r *TxResult) value() map[string]any {
	return map[string]any{"hex": r.Hex, "txid": r.TxID, "fee": float64(r.Fee), "vsize": float64(r.VSize), "spent": strs(r.Spent)}
}

func (c *ContractSig) value() map[string]any {
	return map[string]any{"id": c.ID, "key": c.Key, "sig": c.Sig}
}

func (s VerifiedState) value() map[string]any {
	coins := make([]any, len(s.Coins))
	for i, c := range s.Coins {
		coins[i] = c.value()
	}
	return map[string]any{"height": float64(s.Height), "tip": s.Tip, "balance": float64(s.Balance), "coins": coins,
		"matched": strs(s.Matched), "scanned": float64(s.Scanned)}
}
