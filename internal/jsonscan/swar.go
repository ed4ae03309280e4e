package jsonscan

// SWAR ("SIMD within a register"): finding bytes eight at a time in a
// uint64. The string scanners use it to cross the plain runs of strings,
// which are most of an audit record or a state file and are often too
// short for bytes.IndexByte's set-up cost to pay off.

import (
	"encoding/binary"
	"math/bits"
)

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasByte returns a word whose lowest set bit marks the first byte of x
// (read little-endian) equal to c, or 0 when there is none. Bits above the
// lowest may be false positives: callers use only the lowest.
func hasByte(x uint64, c byte) uint64 {
	y := x ^ (ones * uint64(c))
	return (y - ones) &^ y & highs
}

// hasLess returns a word whose lowest set bit marks the first byte of x
// below n (n ≤ 128), or 0 when there is none; like hasByte, only the
// lowest bit is exact.
func hasLess(x uint64, n byte) uint64 {
	return (x - ones*uint64(n)) &^ x & highs
}

// skipPlain returns the index of the first byte at or after i that is a
// quote, a backslash or a control character (below 0x20), the bytes a JSON
// string scanner must look at. It reads whole words only: when fewer than
// eight bytes remain it returns the index reached, which may be a plain
// byte, and the caller goes on byte by byte.
func skipPlain(b []byte, i int) int {
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := hasByte(x, '"') | hasByte(x, '\\') | hasLess(x, 0x20); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	return i
}
