package sha256d

import (
	"crypto/sha256"
	"encoding/binary"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user plus system CPU time: on a shared
// machine, hashes per CPU second say more than hashes per wall second.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRates adds H/s of wall time and of CPU time.
func reportRates(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "H/s")
	b.ReportMetric(float64(b.N)/(cpuTime(b)-cpu0).Seconds(), "H/cpu-s")
}

// BenchmarkSearch measures Search on one goroutine (ns/op is per nonce;
// H/s in the extra column), once per compression this machine runs.
func BenchmarkSearch(b *testing.B) {
	for _, name := range availableImpls() {
		b.Run(name, func(b *testing.B) {
			defer useImpl(name)()
			var h [HeaderSize]byte
			var zero [32]byte // no hash meets it: every nonce is hashed
			j := NewJob(&h, &zero)
			b.ResetTimer()
			cpu0 := cpuTime(b)
			n := uint32(0)
			for left := b.N; left > 0; {
				step := min(left, 1<<16)
				j.Search(n, uint64(step))
				n += uint32(step)
				left -= step
			}
			reportRates(b, cpu0)
		})
	}
}

// BenchmarkCryptoSHA256 is the baseline: the whole header hashed twice
// with crypto/sha256 per nonce, as a loop without a midstate does.
func BenchmarkCryptoSHA256(b *testing.B) {
	var h [HeaderSize]byte
	var sink byte
	cpu0 := cpuTime(b)
	for i := 0; b.Loop(); i++ {
		binary.LittleEndian.PutUint32(h[76:], uint32(i))
		first := sha256.Sum256(h[:])
		second := sha256.Sum256(first[:])
		sink ^= second[31]
	}
	_ = sink
	reportRates(b, cpu0)
}
