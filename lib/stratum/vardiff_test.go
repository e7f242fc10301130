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
