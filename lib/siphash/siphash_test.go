package siphash

import "testing"

// TestSum24 checks SipHash-2-4 against the reference vectors of the
// SipHash paper's appendix (key 00..0f, messages 00, 00 01, …).
func TestSum24(t *testing.T) {
	k0, k1 := uint64(0x0706050403020100), uint64(0x0f0e0d0c0b0a0908)
	want := map[int]uint64{0: 0x726fdb47dd0e0e31, 1: 0x74f839c593dc67fd, 7: 0xab0200f58b01d137, 8: 0x93f5f5799a932462, 15: 0xa129ca6149be45e5}
	for n, v := range want {
		m := make([]byte, n)
		for i := range m {
			m[i] = byte(i)
		}
		if got := Sum24(k0, k1, m); got != v {
			t.Errorf("siphash of %d bytes: %016x, want %016x", n, got, v)
		}
	}
	if Sum24(k0, k1, []byte{0}) == Sum24(k0+1, k1, []byte{0}) {
		t.Error("the key does not change the hash")
	}
}
