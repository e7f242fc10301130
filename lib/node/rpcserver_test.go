package node

import "testing"

// TestSendRawTransactionListingFee: a sale listing sent raw passes the
// default maxfeerate (0.10 GG/kvB) although its "fee" is the prop's gold,
// 5 GG on some 150 vbytes.
func TestSendRawTransactionListingFee(t *testing.T) {
	n := startGameNode(t)
	mine := unquote(t, n.must(t, "getnewaddress"))
	gen := func() { n.must(t, "generatetoaddress", 1, mine) }
	n.must(t, "cp.create", "starfall", "https://starfall.example", "", "rpg", 15)
	gen()
	ring := gameRes(t, n.must(t, "prop.create", "starfall", "ring", "5")).Objects[0].ID
	gen()
	listing := gameRes(t, n.must(t, "prop.sale", ring, "10", "0", 0, "default", true))
	if listing.Sent || listing.Hex == "" {
		t.Fatalf("dry-run listing: %+v", listing)
	}
	if _, re := n.call(t, "sendrawtransaction", listing.Hex); re != nil {
		t.Fatalf("raw listing: %v", re)
	}
}
