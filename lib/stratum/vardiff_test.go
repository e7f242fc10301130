package stratum

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestVardiff(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	cases := []struct {
		name   string
		shares int
		after  time.Duration
		cur    float64
		want   float64 // 0: unchanged
	}{
		{"ten times too fast: step capped at 4", retargetShares, 12 * time.Second, 1, 4},
		{"on target", retargetShares, retargetShares * 10 * time.Second, 1, 0},
		{"within the deadband", retargetShares, 110 * time.Second, 1, 0},
		{"too slow", retargetShares, 200 * time.Second, 1, 0.6},
		{"capped at the maximum", retargetShares, time.Second, 50, 100},
		{"floored at the minimum", retargetShares, time.Hour, 0.02, 0.01},
	}
	for _, tc := range cases {
		v := newVardiff(10*time.Second, 0.01, 100, t0)
		var got float64
		for i := range tc.shares {
			got = v.share(t0.Add(tc.after*time.Duration(i+1)/time.Duration(tc.shares)), tc.cur)
			if i < tc.shares-1 && got != 0 {
				t.Fatalf("%s: retarget after %d shares", tc.name, i+1)
			}
		}
		if got < tc.want*0.999 || got > tc.want*1.001 {
			t.Errorf("%s: next difficulty %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestVardiffIdle(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	v := newVardiff(10*time.Second, 0.01, 100, t0)
	if d := v.tick(t0.Add(39*time.Second), 1); d != 0 {
		t.Fatalf("window closed early: %v", d)
	}
	if d := v.tick(t0.Add(40*time.Second), 1); d != 0.25 {
		t.Fatalf("no shares for a whole window: %v, want 0.25", d)
	}
	if d := v.tick(t0.Add(41*time.Second), 0.25); d != 0 {
		t.Fatalf("a new window was not opened: %v", d)
	}
	fixed := newVardiff(0, 0.01, 100, t0)
	if d := fixed.tick(t0.Add(time.Hour), 1); d != 0 {
		t.Fatalf("fixed difficulty moved: %v", d)
	}
	for range 100 {
		if d := fixed.share(t0.Add(time.Millisecond), 1); d != 0 {
			t.Fatalf("fixed difficulty moved on shares: %v", d)
		}
	}
}

// TestVardiffSuggest: a suggestion is clamped; it lowers the difficulty
// only before the first share and under vardiff, raises it always, and a
// move opens a new window at the time given.
func TestVardiffSuggest(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	later := t0.Add(30 * time.Second)
	cases := []struct {
		name     string
		interval time.Duration
		mined    bool
		cur, d   float64
		want     float64
	}{
		{"raise", 10 * time.Second, true, 1, 2, 2},
		{"above the ceiling", 10 * time.Second, true, 1, 1e9, 100},
		{"lower before a share", 10 * time.Second, false, 1, 0.5, 0.5},
		{"below the floor before a share", 10 * time.Second, false, 1, 1e-9, 0.01},
		{"lower after a share", 10 * time.Second, true, 1, 0.5, 0},
		{"the floor after a share", 10 * time.Second, true, 1, 1e-9, 0},
		{"lower a fixed difficulty", 0, false, 1, 0.5, 0},
		{"raise a fixed difficulty", 0, true, 1, 3, 3},
		{"the same", 10 * time.Second, false, 1, 1, 0},
	}
	for _, c := range cases {
		v := newVardiff(c.interval, 0.01, 100, t0)
		v.shares, v.mined = 5, c.mined
		got := v.suggest(later, c.cur, c.d)
		if got != c.want {
			t.Errorf("%s: suggest %v at %v: %v, want %v", c.name, c.d, c.cur, got, c.want)
		}
		if moved := got != 0; moved != (v.start.Equal(later) && v.shares == 0) {
			t.Errorf("%s: window start %v with %d shares after a move=%v", c.name, v.start, v.shares, moved)
		}
	}
}

// TestServerVardiff: a miner too fast for its difficulty gets a higher
// one (set_difficulty, then the job again under a new id) after a
// window of shares; one that goes quiet gets a lower one.
func TestServerVardiff(t *testing.T) {
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	e := newEnv(t, func(c *Config) {
		c.Now = func() time.Time { return time.Unix(0, now.Load()) }
		c.Difficulty, c.MinDifficulty, c.ShareInterval = 1e-10, 1e-12, 10*time.Second
	})
	c := e.dial()
	n := c.handshake("w", "")
	if c.diff != 1e-10 {
		t.Fatalf("starting difficulty %v", c.diff)
	}
	for i := range retargetShares {
		now.Add(int64(time.Second)) // a share a second, ten times the aim
		wantAccepted(t, "share", c.submit(n, c.find(n, en2(uint32(i)), false)))
	}
	n2 := c.waitNotify()
	if c.diff != 4e-10 || n2.JobID == n.JobID || n2.Clean {
		t.Fatalf("after fast shares: difficulty %v, job %s clean=%v; want 4e-10 under a new id", c.diff, n2.JobID, n2.Clean)
	}
	wantAccepted(t, "share at the new difficulty", c.submit(n2, c.find(n2, en2(100), false)))
	conns := e.srv.connList()
	if len(conns) != 1 {
		t.Fatalf("%d connections", len(conns))
	}
	conns[0].retargetIdle(time.Unix(0, now.Load()).Add(retargetWindows * 10 * time.Second))
	c.waitNotify()
	if c.diff != 1e-10 {
		t.Fatalf("after a quiet window: difficulty %v, want 1e-10", c.diff)
	}
	if info := e.srv.Info(); info.Conns[0].Difficulty != 1e-10 {
		t.Errorf("info difficulty %v", info.Conns[0].Difficulty)
	}
}

// TestServerSuggestDifficulty: mining.suggest_difficulty is clamped to
// the floor and ceiling and restarts the vardiff window on the server's
// clock, so shares at the old difficulty do not retarget the suggested
// one; once a share is accepted a suggestion can raise the difficulty
// but not lower it (vardiff lowers it), so a miner cannot hold its
// connection at the floor; bad values are refused.
func TestServerSuggestDifficulty(t *testing.T) {
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	e := newEnv(t, func(c *Config) {
		c.Now = func() time.Time { return time.Unix(0, now.Load()) }
		c.Difficulty, c.MinDifficulty, c.MaxDifficulty, c.ShareInterval = 1e-10, 1e-12, 1e-6, 10*time.Second
	})
	c := e.dial()
	n := c.handshake("w", "")
	suggest := func(d any) *Message {
		t.Helper()
		r := c.call(MethodSuggestDifficulty, d)
		// A call after it: whatever the suggestion sent has arrived.
		if r2 := c.call(MethodExtranonceSubscribe); r2.Error != nil {
			t.Fatalf("extranonce.subscribe: %v", r2.Error)
		}
		return r
	}
	for _, c := range []struct {
		suggest, want float64
	}{
		{1, 1e-6},      // above the ceiling
		{1e-15, 1e-12}, // below the floor: no share yet, a start
		{1e-10, 1e-10}, // back
	} {
		if r := suggest(c.suggest); r.Error != nil || string(r.Result) != "true" {
			t.Fatalf("suggest %v: %s %v", c.suggest, r.Result, r.Error)
		}
		if got := e.srv.Info().Conns[0].Difficulty; got != c.want {
			t.Fatalf("suggest %v: difficulty %v, want %v", c.suggest, got, c.want)
		}
	}
	n = c.last
	for i := range retargetShares - 1 {
		now.Add(int64(time.Second)) // ten times the aim: one short of a retarget
		wantAccepted(t, "share", c.submit(n, c.find(n, en2(uint32(i)), false)))
	}
	// The suggestion opens a window: one more share, at the suggested
	// difficulty, is no retarget of it.
	suggest(2e-10)
	n2 := c.last // the job again, under a new id
	now.Add(int64(time.Second))
	wantAccepted(t, "share at the suggested difficulty", c.submit(n2, c.find(n2, en2(100), false)))
	c.call(MethodExtranonceSubscribe)
	if got := e.srv.Info().Conns[0].Difficulty; got != 2e-10 || c.diff != 2e-10 {
		t.Fatalf("a share after suggesting 2e-10 in a window of %d shares at 1e-10: difficulty %v (miner told %v), want 2e-10",
			retargetShares-1, got, c.diff)
	}
	// Shares accepted: a lower suggestion is acknowledged, not applied.
	if r := suggest(1e-12); r.Error != nil || string(r.Result) != "true" {
		t.Fatalf("suggest 1e-12: %s %v", r.Result, r.Error)
	}
	if got := e.srv.Info().Conns[0].Difficulty; got != 2e-10 || c.diff != 2e-10 {
		t.Fatalf("after shares, suggesting the floor set difficulty %v (miner told %v), want 2e-10 kept", got, c.diff)
	}
	for _, bad := range []any{0, -1, "x", nil} {
		if r := suggest(bad); r.Error == nil {
			t.Errorf("suggest %v: accepted", bad)
		}
	}
}
