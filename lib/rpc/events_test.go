package rpc

import (
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
)

func blockHash(n byte) chainhash.Hash { return chainhash.Hash{n} }

// connected is a block.connected event of block n (parent n-1) at
// height n.
func connected(n byte) *HubEvent {
	return &HubEvent{Topic: TopicBlocks, Type: EventBlockConnected, Height: int32(n), Hash: blockHash(n), Prev: blockHash(n - 1)}
}

func disconnected(n byte) *HubEvent {
	return &HubEvent{Topic: TopicBlocks, Type: EventBlockDisconnected, Height: int32(n), Hash: blockHash(n), Prev: blockHash(n - 1)}
}

// drain returns the notifications queued for s (without waiting).
func drain(s *Subscriber) []Notice {
	var out []Notice
	for {
		select {
		case b := <-s.Queue():
			s.Expand(b, func(n Notice) bool {
				out = append(out, n)
				return true
			})
		default:
			return out
		}
	}
}

func types(ns []Notice) string {
	var l []string
	for _, n := range ns {
		if n.Resync != nil {
			l = append(l, "resync")
			continue
		}
		l = append(l, n.Event.Type+"@"+string('0'+byte(n.Event.Height)))
	}
	return strings.Join(l, " ")
}

// TestHubPublish: events get increasing seqs, block events move the tip,
// mempool events carry the tip, and a subscription gets the topics it
// asked for, from its subscription on.
func TestHubPublish(t *testing.T) {
	h := NewHub(HubConfig{})
	h.Publish(connected(1))
	s := h.Attach()
	defer s.Close()
	sub, tip, err := s.Subscribe(HubFilter{Topics: []string{TopicBlocks, TopicMempool}}, nil)
	if err != nil || tip != (HubTip{1, blockHash(1)}) {
		t.Fatalf("subscribe: %v tip %v", err, tip)
	}
	mp := &HubEvent{Topic: TopicMempool, Type: "tx.accepted"}
	h.Publish(connected(2), mp, &HubEvent{Topic: TopicProps, Type: "prop.created"})
	h.Publish(disconnected(2))
	got := drain(s)
	if types(got) != "block.connected@2 tx.accepted@2 block.disconnected@2" {
		t.Fatalf("got %s", types(got))
	}
	if got[0].Sub != sub || got[0].Event.Seq != 2 || got[1].Event.Seq != 3 || got[2].Event.Seq != 5 {
		t.Fatalf("seqs %d %d %d", got[0].Event.Seq, got[1].Event.Seq, got[2].Event.Seq)
	}
	if mp.Hash != blockHash(2) || h.Tip() != (HubTip{1, blockHash(1)}) || h.Published() != 5 {
		t.Fatalf("mempool event hash %v, tip %v, published %d", mp.Hash, h.Tip(), h.Published())
	}
}

// TestHubFilterScripts: with scripts, txs and props events reach a
// subscription only when they concern one of them; other topics ignore
// the scripts.
func TestHubFilterScripts(t *testing.T) {
	h := NewHub(HubConfig{})
	s := h.Attach()
	defer s.Close()
	mine, other := []byte{0x00, 0x14, 1}, []byte{0x00, 0x14, 2}
	sub, _, err := s.Subscribe(HubFilter{Topics: []string{TopicTxs, TopicProps, TopicBlocks}, Scripts: [][]byte{mine}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	both := &HubEvent{Topic: TopicTxs, Type: "tx.confirmed", Height: 1, Scripts: [][]byte{other, mine, mine}}
	h.Publish(connected(1), both,
		&HubEvent{Topic: TopicTxs, Type: "tx.unrelated", Height: 1, Scripts: [][]byte{other}},
		&HubEvent{Topic: TopicProps, Type: "prop.sent", Height: 1, Scripts: [][]byte{mine, other}},
		&HubEvent{Topic: TopicProps, Type: "prop.elsewhere", Height: 1, Scripts: [][]byte{other}})
	if got := types(drain(s)); got != "block.connected@1 tx.confirmed@1 prop.sent@1" {
		t.Fatalf("got %s", got)
	}
	if m := sub.Matched(both); len(m) != 1 || m[0] != 1 {
		t.Fatalf("matched %x", m)
	}
}

// TestHubSubscribeErrors: unknown topics and no topic are refused.
func TestHubSubscribeErrors(t *testing.T) {
	h := NewHub(HubConfig{})
	s := h.Attach()
	for _, f := range []HubFilter{{}, {Topics: []string{"blocks", "nope"}}} {
		if _, _, err := s.Subscribe(f, nil); err == nil {
			t.Errorf("%v accepted", f)
		}
	}
	s.Close()
	if _, _, err := s.Subscribe(HubFilter{Topics: []string{"blocks"}}, nil); err == nil {
		t.Error("closed subscriber subscribed")
	}
	if h.Subscribers() != 0 {
		t.Errorf("subscribers %d", h.Subscribers())
	}
}

// TestHubResume: since in the backlog replays what came after it (from
// its block.disconnected when reorged out), since = tip with an empty
// backlog replays nothing, and an unknown since, or one whose mempool
// events were evicted, gets a resync.
func TestHubResume(t *testing.T) {
	h := NewHub(HubConfig{Backlog: 8})
	h.Publish(connected(1))
	h.Publish(connected(2), &HubEvent{Topic: TopicProps, Type: "prop.created"})
	h.Publish(connected(3))
	h.Publish(disconnected(3))
	h.Publish(disconnected(2), &HubEvent{Topic: TopicProps, Type: "prop.created.undone", Height: 2, Hash: blockHash(2)})
	h.Publish(connected(2))
	resume := func(since chainhash.Hash, topics ...string) string {
		s := h.Attach()
		defer s.Close()
		if _, _, err := s.Subscribe(HubFilter{Topics: topics}, &since); err != nil {
			t.Fatal(err)
		}
		return types(drain(s))
	}
	cases := []struct {
		since  chainhash.Hash
		topics []string
		want   string
	}{
		{blockHash(1), []string{TopicBlocks, TopicProps}, "block.connected@2 prop.created@2 block.connected@3 block.disconnected@3 block.disconnected@2 prop.created.undone@2 block.connected@2"},
		{blockHash(1), []string{TopicBlocks}, "block.connected@2 block.connected@3 block.disconnected@3 block.disconnected@2 block.connected@2"},
		// Block 3 was reorged out: from its disconnect.
		{blockHash(3), []string{TopicBlocks}, "block.disconnected@3 block.disconnected@2 block.connected@2"},
		// The newest event of block 2 is its reconnection.
		{blockHash(2), []string{TopicBlocks}, ""},
		{blockHash(9), []string{TopicBlocks}, "resync"},
	}
	for _, c := range cases {
		if got := resume(c.since, c.topics...); got != c.want {
			t.Errorf("since %d %v:\n got %s\nwant %s", c.since[0], c.topics, got, c.want)
		}
	}

	// The replay comes before the live events, each once.
	s := h.Attach()
	since := blockHash(3)
	s.Subscribe(HubFilter{Topics: []string{TopicBlocks}}, &since)
	h.Publish(&HubEvent{Topic: TopicBlocks, Type: "live"})
	if got := types(drain(s)); got != "block.disconnected@3 block.disconnected@2 block.connected@2 live@2" {
		t.Errorf("replay then live: %s", got)
	}
	s.Close()

	// Pushed out of the backlog of 8: resync; since the tip: nothing.
	for range 8 {
		h.Publish(&HubEvent{Topic: TopicProps, Type: "filler"})
	}
	if got := resume(blockHash(1), TopicBlocks); got != "resync" {
		t.Errorf("evicted since: %s", got)
	}
	if got := resume(blockHash(2), TopicBlocks); got != "" {
		t.Errorf("since the tip: %s", got)
	}

	// The mempool backlog (4 × 8) lost events after block 2: resync for
	// a mempool subscription, a replay for a blocks one.
	h2 := NewHub(HubConfig{Backlog: 8})
	h2.Publish(connected(1))
	for range 33 {
		h2.Publish(&HubEvent{Topic: TopicMempool, Type: "tx.accepted"})
	}
	s = h2.Attach()
	since = blockHash(1)
	h2.Publish(connected(2))
	if _, _, err := s.Subscribe(HubFilter{Topics: []string{TopicMempool}}, &since); err != nil {
		t.Fatal(err)
	}
	if got := drain(s); len(got) != 1 || got[0].Resync == nil || !strings.Contains(got[0].Resync.Reason, "no longer in the backlog") {
		t.Errorf("mempool resume after eviction: %s", types(got))
	}
	if _, _, err := s.Subscribe(HubFilter{Topics: []string{TopicBlocks}}, &since); err != nil {
		t.Fatal(err)
	}
	if got := types(drain(s)); got != "block.connected@2" {
		t.Errorf("blocks resume: %s", got)
	}
}

// TestHubSlowConsumer: a subscriber that never drains is dropped once
// its queue (bounded) is full, with the reason; Publish never blocks and
// the other subscribers keep receiving.
func TestHubSlowConsumer(t *testing.T) {
	h := NewHub(HubConfig{Queue: 4})
	slow, fast := h.Attach(), h.Attach()
	defer fast.Close()
	for _, s := range []*Subscriber{slow, fast} {
		if _, _, err := s.Subscribe(HubFilter{Topics: []string{TopicBlocks}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	got := 0
	for i := range 10 {
		h.Publish(connected(byte(i + 1)))
		got += len(drain(fast))
		if n := len(slow.q); n > cap(slow.q) || cap(slow.q) != 4 {
			t.Fatalf("slow queue %d of %d", n, cap(slow.q))
		}
	}
	select {
	case <-slow.Done():
	default:
		t.Fatal("slow subscriber not dropped")
	}
	if r := slow.Reason(); r != "slow consumer: queue of 4 event batches full" {
		t.Fatalf("reason %q", r)
	}
	if got != 10 || h.Subscribers() != 1 {
		t.Fatalf("fast got %d, subscribers %d", got, h.Subscribers())
	}
	// Events of topics nobody asked for take no queue room.
	h2 := NewHub(HubConfig{Queue: 1})
	s := h2.Attach()
	s.Subscribe(HubFilter{Topics: []string{TopicPeers}}, nil)
	for range 10 {
		h2.Publish(connected(1))
	}
	if h2.Subscribers() != 1 {
		t.Fatal("dropped for events it did not ask for")
	}
}

// TestHubUnsubscribe: an unsubscribed subscription gets nothing more,
// not even its pending replay.
func TestHubUnsubscribe(t *testing.T) {
	h := NewHub(HubConfig{})
	h.Publish(connected(1))
	h.Publish(connected(2))
	s := h.Attach()
	defer s.Close()
	since := blockHash(1)
	sub, _, _ := s.Subscribe(HubFilter{Topics: []string{TopicBlocks}}, &since)
	if !s.Unsubscribe(sub.ID) || s.Unsubscribe(sub.ID) || s.Len() != 0 {
		t.Fatal("unsubscribe")
	}
	h.Publish(connected(3))
	if got := drain(s); len(got) != 0 {
		t.Fatalf("after unsubscribe: %s", types(got))
	}
}
