package ghapi

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name, link string
	typ        byte
	body       string
	mode       int64
}

func tarOf(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: e.mode, Size: int64(len(e.body))}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		if e.typ == tar.TypeXGlobalHeader {
			h = &tar.Header{Typeflag: e.typ, Name: e.name, PAXRecords: map[string]string{"comment": "abc"}, Format: tar.FormatPAX}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func dir(name string) entry        { return entry{name: name, typ: tar.TypeDir, mode: 0o775} }
func file(name, body string) entry { return entry{name: name, typ: tar.TypeReg, body: body} }
func link(name, to string) entry   { return entry{name: name, typ: tar.TypeSymlink, link: to} }

func TestExtractTarball(t *testing.T) {
	top := "acme-infra-1a2b3c4/"
	tests := []struct {
		name    string
		entries []entry
		lim     ExtractLimits
		want    map[string]string // nil: an error
		errIs   any
		stats   ExtractStats
	}{
		{"GitHub's shape", []entry{{name: "pax_global_header", typ: tar.TypeXGlobalHeader}, dir(top), file(top+"main.tf", "x"),
			dir(top + "m/"), file(top+"m/a.tf", "y"), link(top+"m/l.tf", "a.tf"), {name: top + "run.sh", typ: tar.TypeReg, body: "#!", mode: 0o4775}},
			ExtractLimits{}, map[string]string{"main.tf": "x", "m/a.tf": "y", "m/l.tf": "-> a.tf", "run.sh": "#!"}, nil,
			ExtractStats{Files: 3, Dirs: 1, Symlinks: 1, Bytes: 4}},
		{"no directory entries", []entry{file(top+"a/b/c.tf", "z")}, ExtractLimits{}, map[string]string{"a/b/c.tf": "z"}, nil,
			ExtractStats{Files: 1, Bytes: 1}},
		{"symlink out of the tree is skipped", []entry{dir(top), link(top+"a", "../../etc/passwd"), link(top+"b", "/etc/passwd"), file(top+"c", "c")},
			ExtractLimits{}, map[string]string{"c": "c"}, nil, ExtractStats{Files: 1, Bytes: 1, SkippedLinks: 2}},
		{"hard link and device are skipped", []entry{dir(top), {name: top + "h", typ: tar.TypeLink, link: top + "c"}, {name: top + "d", typ: tar.TypeChar}, file(top+"c", "c")},
			ExtractLimits{}, map[string]string{"c": "c"}, nil, ExtractStats{Files: 1, Bytes: 1, Skipped: 2}},
		{"climbing out", []entry{dir(top), file(top+"../x", "x")}, ExtractLimits{}, nil, new(*ArchiveError), ExtractStats{}},
		{"absolute", []entry{file("/etc/x", "x")}, ExtractLimits{}, nil, new(*ArchiveError), ExtractStats{}},
		{"dot path", []entry{dir(top), file(top+"./x", "x")}, ExtractLimits{}, nil, new(*ArchiveError), ExtractStats{}},
		{"outside the top directory", []entry{dir(top), file("other/x", "x")}, ExtractLimits{}, nil, new(*ArchiveError), ExtractStats{}},
		{"through a symlink", []entry{dir(top), link(top+"l", "sub"), dir(top + "sub/"), file(top+"l/x", "x")}, ExtractLimits{}, nil, new(*ArchiveError), ExtractStats{}},
		{"duplicate", []entry{dir(top), file(top+"x", "1"), file(top+"x", "2")}, ExtractLimits{}, nil, new(*ArchiveError), ExtractStats{}},
		{"file over the cap", []entry{dir(top), file(top+"x", "12345")}, ExtractLimits{MaxFileBytes: 4}, nil, new(*LimitError), ExtractStats{}},
		{"total over the cap", []entry{dir(top), file(top+"x", "123"), file(top+"y", "123")}, ExtractLimits{MaxBytes: 5}, nil, new(*LimitError), ExtractStats{}},
		{"too many entries", []entry{dir(top), file(top+"x", "1"), file(top+"y", "2"), file(top+"z", "3")}, ExtractLimits{MaxEntries: 2}, nil, new(*LimitError), ExtractStats{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "out")
			if err := os.Mkdir(out, 0o700); err != nil {
				t.Fatal(err)
			}
			st, err := ExtractTarball(bytes.NewReader(gz(t, tarOf(t, tt.entries...))), out, tt.lim)
			assertConfined(t, parent, out)
			if tt.want == nil {
				if err == nil || !errors.As(err, tt.errIs) || !IsPermanent(err) {
					t.Fatalf("err = %v, want %T", err, tt.errIs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st != tt.stats {
				t.Fatalf("stats %+v, want %+v", st, tt.stats)
			}
			got := map[string]string{}
			filepath.WalkDir(out, func(p string, d fs.DirEntry, _ error) error {
				rel, _ := filepath.Rel(out, p)
				switch {
				case d.Type()&fs.ModeSymlink != 0:
					l, _ := os.Readlink(p)
					got[filepath.ToSlash(rel)] = "-> " + l
				case d.Type().IsRegular():
					b, _ := os.ReadFile(p)
					got[filepath.ToSlash(rel)] = string(b)
					info, _ := d.Info()
					if info.Mode()&(fs.ModeSetuid|fs.ModeSetgid) != 0 || info.Mode().Perm()&0o022 != 0 {
						t.Errorf("%s has mode %v", rel, info.Mode())
					}
				}
				return nil
			})
			if len(got) != len(tt.want) {
				t.Fatalf("tree %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
	if _, err := ExtractTarball(strings.NewReader("not gzip"), t.TempDir(), ExtractLimits{}); !IsPermanent(err) {
		t.Fatalf("not gzip: %v", err)
	}
}

// assertConfined fails if anything exists in parent besides out, or any
// symlink below out resolves outside it.
func assertConfined(t testing.TB, parent, out string) {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil || len(entries) != 1 || entries[0].Name() != "out" {
		t.Fatalf("outside the extraction directory: %v %v", entries, err)
	}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, _ := os.Readlink(p)
		rel, _ := filepath.Rel(out, p)
		if path.IsAbs(target) || strings.HasPrefix(path.Join(path.Dir(filepath.ToSlash(rel)), target), "..") {
			t.Fatalf("symlink %s -> %s leaves the tree", rel, target)
		}
		return nil
	})
}

func FuzzExtractTar(f *testing.F) {
	top := "o-r-abc/"
	f.Add(tarOf(f, dir(top), file(top+"a.tf", "x"), link(top+"l", "a.tf")))
	f.Add(tarOf(f, file(top+"../../x", "x")))
	f.Add(tarOf(f, link(top+"l", "../.."), file(top+"l/x", "x")))
	f.Add(tarOf(f, dir(top), entry{name: top + "h", typ: tar.TypeLink, link: "/etc/passwd"}))
	f.Add([]byte("garbage"))
	// One directory per worker, emptied per input: a fresh TempDir costs
	// more than the extraction and starves the fuzzer.
	parent := f.TempDir()
	out := filepath.Join(parent, "out")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.RemoveAll(out); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(out, 0o700); err != nil {
			t.Fatal(err)
		}
		st, err := extractTar(bytes.NewReader(data), out, ExtractLimits{MaxEntries: 64, MaxFileBytes: 1 << 16, MaxBytes: 1 << 18}.withDefaults())
		assertConfined(t, parent, out)
		if err == nil && st.Bytes > 1<<18 {
			t.Fatalf("wrote %d bytes over the cap", st.Bytes)
		}
	})
}
