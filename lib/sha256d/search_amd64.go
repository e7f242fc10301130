//go:build !purego

package sha256d

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/asmgen -out search_amd64.s

// hasSHANI says whether this CPU runs the SHA-NI loop: SHA extensions,
// and SSSE3/SSE4.1 for the shuffles and the lane insert.
var hasSHANI = cpuHasSHA() && cpu.X86.HasSSSE3 && cpu.X86.HasSSE41

// cpuHasSHA reports CPUID leaf 7's SHA bit (x/sys/cpu does not export
// it). The extensions work on XMM registers only, which every amd64
// operating system saves.
func cpuHasSHA() bool

// shaniState is the job as the assembly loop reads it.
type shaniState struct {
	init [8]uint32 // state after rounds 0-1: CDGH then ABEF (see asmgen)
	mid  [8]uint32 // the midstate as ABEF then CDGH, lane 0 first
	tail [4]uint32 // message words 0-2 of the second block; the nonce goes in 3
}

type archJob struct{ st shaniState }

// abefCDGH packs a SHA-256 state (a..h) into SHA256RNDS2's two registers,
// lane 0 first.
func abefCDGH(s *[8]uint32) (abef, cdgh [4]uint32) {
	return [4]uint32{s[5], s[4], s[1], s[0]}, [4]uint32{s[7], s[6], s[3], s[2]}
}

func (a *archJob) init(j *Job) {
	abef, cdgh := abefCDGH(&j.mid)
	copy(a.st.mid[:4], abef[:])
	copy(a.st.mid[4:], cdgh[:])
	var w [64]uint32
	copy(w[:3], j.tail[:])
	s := j.mid
	rounds(&s, &w, 0, 2) // rounds 0 and 1 read only words 0 and 1
	abef, cdgh = abefCDGH(&s)
	copy(a.st.init[:4], cdgh[:])
	copy(a.st.init[4:], abef[:])
	copy(a.st.tail[:3], j.tail[:])
}

//go:noescape
func scanSHANI(st *shaniState, start, pairs, top uint32) uint32

func (a *archJob) scan(j *Job, start, last uint32) (uint32, bool) {
	if !hasSHANI {
		return j.scanGeneric(start, last)
	}
	// Nonces start..start+last: last/2+1 pairs cover them, and one past
	// start+last when the count is odd. That extra nonce never wraps
	// into a false hit: a candidate past the range is dropped.
	for last > 0 {
		pairs := min(last/2+1, 1<<16) // short calls: the loop cannot be preempted
		off := scanSHANI(&a.st, start, pairs, j.target[7])
		if off < 2*pairs {
			if off > last {
				return 0, false
			}
			return start + off, true
		}
		if 2*pairs > last {
			return 0, false
		}
		start += 2 * pairs
		last -= 2 * pairs
	}
	return j.scanGeneric(start, 0)
}

// Impl names the compression Search uses on this machine.
func Impl() string {
	if hasSHANI {
		return "sha-ni"
	}
	return "generic"
}
