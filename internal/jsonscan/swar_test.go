package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"testing"
)

// firstMarked is the index of the first byte that hasByte/hasLess's mask marks,
// or 8 for none.
func firstMarked(m uint64) int { return bits.TrailingZeros64(m) / 8 }

func naiveIndex(b []byte, match func(byte) bool) int {
	for i, c := range b {
		if match(c) {
			return i
		}
	}
	return 8
}

func TestHasByteAndHasLess(t *testing.T) {
	for _, s := range []string{
		"abcdefgh", "\"bcdefgh", "abcdefg\"", "ab\\d\"fgh", "\x00\x01\x02\x03\x04\x05\x06\x07",
		"\xff\xfe\x80\x81\x1f\x20\"\\", "\x80\x80\x80\x80\x80\x80\x80\"", "\x21\x21\x21\x21\x21\x21\x21\x1f",
	} {
		x := binary.LittleEndian.Uint64([]byte(s))
		if got, want := firstMarked(hasByte(x, '"')), naiveIndex([]byte(s), func(c byte) bool { return c == '"' }); got != want {
			t.Errorf("hasByte(%q, '\"') = %d, want %d", s, got, want)
		}
		if got, want := firstMarked(hasLess(x, 0x20)), naiveIndex([]byte(s), func(c byte) bool { return c < 0x20 }); got != want {
			t.Errorf("hasLess(%q, 0x20) = %d, want %d", s, got, want)
		}
	}
}

// FuzzSWAR: the lowest marked byte is always the first match.
func FuzzSWAR(f *testing.F) {
	f.Add(uint64(0x2222222222222222), byte('"'), byte(0x20))
	f.Add(uint64(0x8001800180018001), byte(0x01), byte(0x02))
	f.Fuzz(func(t *testing.T, x uint64, c, n byte) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], x)
		if got, want := firstMarked(hasByte(x, c)), naiveIndex(b[:], func(v byte) bool { return v == c }); got != want {
			t.Fatalf("hasByte(%x, %#x) = %d, want %d", x, c, got, want)
		}
		n &= 0x7f
		if n == 0 {
			return
		}
		if got, want := firstMarked(hasLess(x, n)), naiveIndex(b[:], func(v byte) bool { return v < n }); got != want {
			t.Fatalf("hasLess(%x, %#x) = %d, want %d", x, n, got, want)
		}
	})
}

// TestSkipPlain: it stops at the first byte a string scanner must look at,
// or where fewer than eight bytes remain.
func TestSkipPlain(t *testing.T) {
	for _, tc := range []struct {
		s    string
		i    int
		want int
	}{
		{`abcdefgh"`, 0, 8},
		{`abc"defghijk`, 0, 3},
		{`abcdefghij\klmnopq`, 2, 10},
		{"abcdefgh\x01ijklmnop", 0, 8},
		{"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"", 0, 8},
		{`short"`, 0, 0},
		{`abcdefghijk`, 0, 8},
	} {
		if got := skipPlain([]byte(tc.s), tc.i); got != tc.want {
			t.Errorf("skipPlain(%q, %d) = %d, want %d", tc.s, tc.i, got, tc.want)
		}
	}
}
