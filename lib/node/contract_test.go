package node

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/rpc"
)

type contractAction struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	TxID     string `json:"txid"`
	Sent     bool   `json:"sent"`
	Hex      string `json:"hex"`
	Complete *bool  `json:"complete"`
}

func cAct(t *testing.T, raw json.RawMessage) contractAction {
	t.Helper()
	var a contractAction
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("not a contract action: %s", raw)
	}
	return a
}

func contractState(t *testing.T, n *walletNode, id string) string {
	t.Helper()
	var c struct{ State string }
	json.Unmarshal(n.must(t, "contract.get", id), &c)
	return c.State
}

func mineState(t *testing.T, n *walletNode, acct, id string) string {
	t.Helper()
	var cs []struct{ ID, State string }
	json.Unmarshal(n.must(t, "contract.mine", acct), &cs)
	for _, c := range cs {
		if c.ID == id {
			return c.State
		}
	}
	return ""
}

// TestContractMethods runs each contract lifecycle through the hosted
// wallet with A = account default and B = account bob: hash-locked
// escrow claimed with the secret, refund after expiry, withdrawal,
// cooperative settlement, and an on-chain swap of a prop for GG.
func TestContractMethods(t *testing.T) {
	n := startGameNode(t)
	bobAddr := unquote(t, n.must(t, "address.create", "bob"))
	mine := unquote(t, n.must(t, "getnewaddress"))
	gen := func(k int) { n.must(t, "generatetoaddress", k, mine) }
	n.must(t, "tx.send", bobAddr, "5")
	gen(1)
	var key struct{ Key string }
	json.Unmarshal(n.must(t, "contract.key", "bob"), &key)
	bkey := key.Key
	tip := func() int {
		var h int
		json.Unmarshal(n.must(t, "getblockcount"), &h)
		return h
	}

	// Claim: A stakes 1 GG, B reveals the secret.
	secret := []byte("correct horse battery staple....")
	h := sha256.Sum256(secret)
	pub := cAct(t, n.must(t, "contract.publish", bkey, tip()+20, "1", nil, 0, nil, "a sword in game", hex.EncodeToString(h[:])))
	if pub.State != "published" || contractState(t, n, pub.ID) != "published" {
		t.Fatalf("publish: %+v", pub)
	}
	if s := mineState(t, n, "default", pub.ID); s != "published" {
		t.Fatalf("A's state %q", s)
	}
	if _, re := n.call(t, "contract.fulfil", pub.ID, "bob"); re == nil {
		t.Fatalf("fulfil before sign accepted")
	}
	n.must(t, "contract.sign", pub.ID, "bob")
	if s := contractState(t, n, pub.ID); s != "signed" {
		t.Fatalf("book state %q", s)
	}
	ful := cAct(t, n.must(t, "contract.fulfil", pub.ID, "bob"))
	gen(1)
	if s := contractState(t, n, pub.ID); s != "fulfilled" {
		t.Fatalf("chain state %q after fulfil %+v", s, ful)
	}
	// A reorg takes the fulfilment out of the chain: both parties see the
	// contract signed again; mined again, fulfilled again.
	n.must(t, "invalidateblock", unquote(t, n.must(t, "getbestblockhash")))
	if a, b := mineState(t, n, "default", pub.ID), mineState(t, n, "bob", pub.ID); a != "signed" || b != "signed" {
		t.Fatalf("after the reorg: A %q, B %q", a, b)
	}
	gen(1)
	if a, b := mineState(t, n, "default", pub.ID), mineState(t, n, "bob", pub.ID); a != "fulfilled" || b != "fulfilled" {
		t.Fatalf("mined again: A %q, B %q", a, b)
	}
	if _, re := n.call(t, "contract.execute", pub.ID, "refund"); re == nil {
		t.Fatalf("refund before expiry accepted")
	}
	claim := cAct(t, n.must(t, "contract.execute", pub.ID, "claim", hex.EncodeToString(secret), "", "", "bob"))
	gen(1)
	var got struct{ State, Preimage string }
	json.Unmarshal(n.must(t, "contract.get", pub.ID), &got)
	if got.State != "exchanged" || got.Preimage != hex.EncodeToString(secret) {
		t.Fatalf("after claim %+v (%+v)", got, claim)
	}
	if s := mineState(t, n, "bob", pub.ID); s != "exchanged" {
		t.Fatalf("B's state %q", s)
	}

	// Refund: no hash; expiry passes.
	pub2 := cAct(t, n.must(t, "contract.publish", bkey, tip()+4, "0.5"))
	n.must(t, "contract.sign", pub2.ID, "bob")
	n.must(t, "contract.fulfil", pub2.ID, "bob")
	gen(1)
	if _, re := n.call(t, "contract.execute", pub2.ID, "refund"); re == nil || !strings.Contains(re.Message, "not-expired") && !strings.Contains(re.Message, "non-final") && !strings.Contains(re.Message, "final") {
		t.Fatalf("early refund: %v", re)
	}
	gen(3)
	n.must(t, "contract.execute", pub2.ID, "refund")
	gen(1)
	if s := contractState(t, n, pub2.ID); s != "refunded" {
		t.Fatalf("after refund %q", s)
	}

	// Withdraw releases the reserved coins.
	var bal struct{ Reserved json.Number }
	pub3 := cAct(t, n.must(t, "contract.publish", bkey, tip()+10, "2"))
	json.Unmarshal(n.must(t, "balance.all", "default"), &bal)
	if bal.Reserved == "0" || bal.Reserved == "0.00000000" {
		t.Fatalf("nothing reserved after publish: %+v", bal)
	}
	n.must(t, "contract.withdraw", pub3.ID)
	json.Unmarshal(n.must(t, "balance.all", "default"), &bal)
	if bal.Reserved != "0.00000000" && bal.Reserved != "0" {
		t.Fatalf("reserved after withdraw: %+v", bal)
	}
	if s := mineState(t, n, "default", pub3.ID); s != "withdrawn" {
		t.Fatalf("A's state after withdraw %q", s)
	}

	// Cooperative: A half-signs, B co-signs.
	pub4 := cAct(t, n.must(t, "contract.publish", bkey, tip()+30, "0.3"))
	n.must(t, "contract.sign", pub4.ID, "bob")
	n.must(t, "contract.fulfil", pub4.ID, "bob")
	gen(1)
	half := cAct(t, n.must(t, "contract.execute", pub4.ID, "coop"))
	if half.Hex == "" || half.Complete == nil || *half.Complete {
		t.Fatalf("half-signed coop %+v", half)
	}
	n.must(t, "contract.execute", pub4.ID, "coop", "", half.Hex, "", "bob")
	gen(1)
	if s := contractState(t, n, pub4.ID); s != "settled" {
		t.Fatalf("after coop %q", s)
	}

	// Swap: A gives a prop, B pays 0.7 GG.
	reg := gameRes(t, n.must(t, "cp.create", "forge"))
	gen(1)
	created := gameRes(t, n.must(t, "prop.create", reg.Objects[0].ID, "axe", "0.001"))
	gen(1)
	axe := created.Objects[0].ID
	pub5 := cAct(t, n.must(t, "contract.publish", bkey, tip()+10, 0, []string{axe}, "0.7"))
	n.must(t, "contract.sign", pub5.ID, "bob")
	n.must(t, "contract.fulfil", pub5.ID, "bob")
	gen(1)
	if s := contractState(t, n, pub5.ID); s != "exchanged" {
		t.Fatalf("after swap %q", s)
	}
	var props []struct{ ID string }
	json.Unmarshal(n.must(t, "prop.mine", "bob"), &props)
	if len(props) != 1 || props[0].ID != axe {
		t.Fatalf("bob's props %+v", props)
	}

	// Props only in escrow: the refund's fee comes from a coin of A's.
	bow := gameRes(t, n.must(t, "prop.create", reg.Objects[0].ID, "bow", "0.001")).Objects[0].ID
	gen(1)
	pub6 := cAct(t, n.must(t, "contract.publish", bkey, tip()+3, 0, []string{bow}))
	n.must(t, "contract.sign", pub6.ID, "bob")
	n.must(t, "contract.fulfil", pub6.ID, "bob")
	gen(1)
	var esc struct{ Status string }
	json.Unmarshal(n.must(t, "prop.byid", bow), &esc)
	if esc.Status != "escrow" {
		t.Fatalf("bow %+v", esc)
	}
	gen(2)
	n.must(t, "contract.execute", pub6.ID, "refund")
	gen(1)
	if s := contractState(t, n, pub6.ID); s != "refunded" {
		t.Fatalf("props-only refund: %q", s)
	}
	json.Unmarshal(n.must(t, "prop.byid", bow), &esc)
	if esc.Status != "live" {
		t.Fatalf("bow after refund %+v", esc)
	}

	var list struct{ Total int }
	json.Unmarshal(n.must(t, "contract.list"), &list)
	if list.Total != 0 {
		t.Fatalf("book not empty: %d", list.Total)
	}
	if _, re := n.call(t, "contract.get", "zz"); re == nil || re.Code != rpc.CodeInvalidParam {
		t.Fatalf("bad id: %v", re)
	}
}
