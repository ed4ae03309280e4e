package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSQLiteDSN(t *testing.T) {
	tests := []struct {
		dsn      string
		wantPath string
		wantBusy time.Duration
		wantSync string
		wantErr  string
	}{
		{dsn: "/var/lib/tfdrift/tfdrift.db", wantPath: "/var/lib/tfdrift/tfdrift.db"},
		{dsn: "tfdrift.db", wantPath: "tfdrift.db"},
		{dsn: "sqlite:///var/lib/tfdrift.db", wantPath: "/var/lib/tfdrift.db"},
		{dsn: "sqlite://data/tfdrift.db", wantPath: "data/tfdrift.db"},
		{dsn: "sqlite:tfdrift.db", wantPath: "tfdrift.db"},
		{dsn: "/d/t.db?busy_timeout=30s&synchronous=normal", wantPath: "/d/t.db", wantBusy: 30 * time.Second, wantSync: "NORMAL"},
		{dsn: "sqlite:///d/t.db?synchronous=FULL", wantPath: "/d/t.db", wantSync: "FULL"},
		{dsn: "sqlite://", wantErr: "names no database file"},
		{dsn: ":memory:", wantErr: "plain file path"},
		{dsn: "sqlite:file:x.db?mode=memory", wantErr: "plain file path"},
		{dsn: "/d/t.db?busy_timeout=ten", wantErr: "busy_timeout"},
		{dsn: "/d/t.db?synchronous=off", wantErr: "synchronous"},
		{dsn: "/d/t.db?journal_mode=delete", wantErr: `unknown option "journal_mode"`},
	}
	for _, tc := range tests {
		t.Run(tc.dsn, func(t *testing.T) {
			o := defaultOptions()
			path, err := parseSQLiteDSN(tc.dsn, &o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantBusy == 0 {
				tc.wantBusy = 10 * time.Second
			}
			if tc.wantSync == "" {
				tc.wantSync = "FULL"
			}
			got := []any{path, o.busyTimeout, o.synchronous}
			if diff := cmp.Diff([]any{tc.wantPath, tc.wantBusy, tc.wantSync}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	tests := []struct {
		dsn     string
		wantErr string
	}{
		{"", "empty database DSN"},
		{"mysql://u:p@h/db", "unsupported database"},
		{"/nonexistent-dir-for-tfdrift/x.db", "/nonexistent-dir-for-tfdrift/x.db"},
	}
	for _, tc := range tests {
		t.Run(tc.dsn, func(t *testing.T) {
			s, err := Open(context.Background(), tc.dsn)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), ":p@") {
				t.Errorf("err leaks the password: %v", err)
			}
		})
	}
}

func TestRedactDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://tfdrift:s3cret@db:5432/tfdrift?sslmode=require", "postgres://tfdrift:xxxxx@db:5432/tfdrift?sslmode=require"},
		{"postgresql://db/tfdrift", "postgresql://db/tfdrift"},
		{"postgres://u:p%zz@db/x", "postgres://(unparsable DSN)"},
		{"/data/me@example/tfdrift.db", "/data/me@example/tfdrift.db"},
		{"sqlite:///x.db", "sqlite:///x.db"},
	}
	for _, tc := range tests {
		if got := RedactDSN(tc.in); got != tc.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRedactDSN(f *testing.F) {
	for _, s := range []string{"postgres://u:pw@h/db", "postgres://u:p%zz@h", "/a/b.db", "sqlite:///x?busy_timeout=1s", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		out := RedactDSN(dsn)
		if u, _, ok := strings.Cut(dsn, "@"); ok && strings.HasPrefix(dsn, "postgres://") {
			_, pw, hasPW := strings.Cut(strings.TrimPrefix(u, "postgres://"), ":")
			if hasPW && len(pw) > 5 && strings.Contains(out, pw) {
				t.Errorf("RedactDSN(%q) = %q still holds the password", dsn, out)
			}
		}
		o := defaultOptions()
		parseSQLiteDSN(dsn, &o) //nolint:errcheck // must only not panic
	})
}

func TestRebindDollar(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"x = '?' AND y = ?", "x = '?' AND y = $1"},
		{`"we?ird" = ? , ?`, `"we?ird" = $1 , $2`},
		{"IN (?, ?, ?) LIMIT ?", "IN ($1, $2, $3) LIMIT $4"},
	}
	for _, tc := range tests {
		if got := rebindDollar(tc.in); got != tc.want {
			t.Errorf("rebindDollar(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDialectSQL(t *testing.T) {
	q := "SELECT id FROM t WHERE a = ? {{lock}}; SELECT id FROM t LIMIT ? {{skip_locked}}"
	tests := []struct {
		d    dialect
		want string
	}{
		{sqliteDialect, "SELECT id FROM t WHERE a = ? ; SELECT id FROM t LIMIT ? "},
		{postgresDialect, "SELECT id FROM t WHERE a = $1 FOR UPDATE; SELECT id FROM t LIMIT $2 FOR UPDATE SKIP LOCKED"},
	}
	for _, tc := range tests {
		if got := tc.d.sql(q); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.d.name, got, tc.want)
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	in := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", 3600))
	want := time.Date(2026, 1, 2, 2, 4, 5, 123456000, time.UTC)
	for _, d := range []dialect{sqliteDialect, postgresDialect} {
		var got time.Time
		if err := (dbTime{&got}).Scan(d.timeArg(in)); err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: round trip = %v, want %v", d.name, got, want)
		}
	}
	if d := sqliteDialect.timeArg(time.Time{}); d != nil {
		t.Errorf("zero time = %v, want NULL", d)
	}
	var got time.Time
	if err := (dbTime{&got}).Scan("yesterday"); err == nil {
		t.Error("scanning a string into a time succeeded")
	}
}

func TestStatusRules(t *testing.T) {
	statuses := []Status{StatusOpen, StatusAcknowledged, StatusResolved, StatusIgnored}
	var got []string
	for _, from := range statuses {
		for _, to := range statuses {
			if from.CanMoveTo(to) {
				got = append(got, string(from)+"→"+string(to))
			}
		}
	}
	want := []string{
		"open→acknowledged", "open→resolved", "open→ignored",
		"acknowledged→resolved", "acknowledged→ignored",
		"ignored→open",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("legal moves (-want +got):\n%s", diff)
	}
	for _, s := range []string{"open", "acknowledged", "resolved", "ignored"} {
		if _, err := ParseStatus(s); err != nil {
			t.Errorf("ParseStatus(%q): %v", s, err)
		}
	}
	if _, err := ParseStatus("closed"); err == nil {
		t.Error("ParseStatus(closed) succeeded")
	}
	if _, err := ParseNoticeStatus("dead"); err != nil {
		t.Error(err)
	}
	if _, err := ParseNoticeStatus("lost"); err == nil {
		t.Error("ParseNoticeStatus(lost) succeeded")
	}
}

func TestTransitionErrorMessage(t *testing.T) {
	tests := []struct {
		err  *TransitionError
		want string
	}{
		{&TransitionError{Fingerprint: "fp", From: StatusResolved, To: StatusOpen}, "drift fp: cannot move from resolved to open: resolved is final"},
		{&TransitionError{Fingerprint: "fp", From: StatusAcknowledged, To: StatusOpen}, "drift fp: cannot move from acknowledged to open (allowed: [resolved ignored])"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		var te *TransitionError
		if !errors.As(error(tc.err), &te) {
			t.Error("errors.As failed")
		}
	}
}

func TestSQLiteFilePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tfdrift.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), mode)
		}
	}
}
