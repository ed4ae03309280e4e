package job

import "testing"

// Summaries said "1 records" and "1 drifts" (issue 14, item 17).
func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		noun string
		want string
	}{
		{0, "drift", "0 drifts"},
		{1, "drift", "1 drift"},
		{2, "record", "2 records"},
		{1, "repository/repositories", "1 repository"},
		{3, "repository/repositories", "3 repositories"},
	} {
		if got := Count(tt.n, tt.noun); got != tt.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}
