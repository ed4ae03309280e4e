package ghapi

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// ExtractLimits cap what one tarball may put on disk. A zero field takes
// the default of DefaultExtractLimits.
type ExtractLimits struct {
	MaxEntries   int   // files, directories and links
	MaxFileBytes int64 // one file
	MaxBytes     int64 // all files together
	// MaxDownloadBytes caps the compressed archive as downloaded.
	MaxDownloadBytes int64
}

// DefaultExtractLimits suit an infrastructure repository with room to
// spare: 100,000 entries, 64 MiB a file, 1 GiB in all, a 512 MiB archive.
func DefaultExtractLimits() ExtractLimits {
	return ExtractLimits{MaxEntries: 100_000, MaxFileBytes: 64 << 20, MaxBytes: 1 << 30, MaxDownloadBytes: 512 << 20}
}

func (l ExtractLimits) withDefaults() ExtractLimits {
	d := DefaultExtractLimits()
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxDownloadBytes <= 0 {
		l.MaxDownloadBytes = d.MaxDownloadBytes
	}
	return l
}

// ExtractStats counts what an extraction wrote and skipped.
type ExtractStats struct {
	Files, Dirs, Symlinks int
	Bytes                 int64
	// SkippedLinks are symlinks whose target leaves the tree; Skipped
	// are entries of other kinds (hard links, devices, FIFOs). Neither
	// occurs in a GitHub archive of an ordinary repository.
	SkippedLinks, Skipped int
}

// ExtractTarball extracts a gzip-compressed tar stream shaped like
// GitHub's archives (one top directory, "owner-repo-sha/") into dir,
// which must exist, without the top directory. Extraction is confined
// to dir (os.Root), so nothing is written outside it whatever the
// archive says, and in addition: entries must sit below the one top
// directory with clean relative paths; symlinks must stay inside the
// tree (others are skipped and counted); nothing is written through a
// symlink; files are created exclusively (a duplicate entry is an error)
// with mode 0644 or 0755, never setuid; hard links and devices are
// skipped. Sizes are capped by lim. On error dir may hold part of the
// tree; the caller removes it.
func ExtractTarball(r io.Reader, dir string, lim ExtractLimits) (ExtractStats, error) {
	lim = lim.withDefaults()
	gz, err := gzip.NewReader(r)
	if err != nil {
		return ExtractStats{}, &ArchiveError{Reason: "not gzip: " + err.Error()}
	}
	defer gz.Close()
	return extractTar(gz, dir, lim)
}

// streamSlack is what a tar stream may hold beyond file contents: a
// header and padding per entry.
const streamSlack = 2048

func extractTar(r io.Reader, dir string, lim ExtractLimits) (ExtractStats, error) {
	var st ExtractStats
	root, err := os.OpenRoot(dir)
	if err != nil {
		return st, err
	}
	defer root.Close()
	// Decompressed bytes are bounded too: a stream of skipped entries or
	// endless padding must not spin forever.
	limit := lim.MaxBytes + int64(lim.MaxEntries+16)*streamSlack
	tr := tar.NewReader(&capReader{r: r, left: limit, limit: fmt.Sprintf("%d bytes of tar stream", limit)})
	var top string
	links := map[string]bool{}
	entries := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			var le *LimitError
			if errors.As(err, &le) {
				return st, le
			}
			return st, &ArchiveError{Reason: "reading: " + err.Error()}
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue // GitHub's pax header naming the commit
		}
		name, err := entryPath(h.Name, &top)
		if err != nil {
			return st, err
		}
		if name == "" {
			continue // the top directory itself
		}
		if entries++; entries > lim.MaxEntries {
			return st, &LimitError{What: "tarball", Limit: fmt.Sprintf("%d entries", lim.MaxEntries)}
		}
		if links[name] {
			return st, &ArchiveError{Entry: h.Name, Reason: "duplicate entry"}
		}
		for p := path.Dir(name); p != "."; p = path.Dir(p) {
			if links[p] {
				return st, &ArchiveError{Entry: h.Name, Reason: "below a symlink"}
			}
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o755); err != nil {
				return st, &ArchiveError{Entry: h.Name, Reason: err.Error()}
			}
			st.Dirs++
		case tar.TypeReg: // the reader reports the old TypeRegA as TypeReg
			if h.Size > lim.MaxFileBytes {
				return st, &LimitError{What: "tarball file " + name, Limit: fmt.Sprintf("%d bytes per file", lim.MaxFileBytes)}
			}
			if st.Bytes+h.Size > lim.MaxBytes {
				return st, &LimitError{What: "tarball", Limit: fmt.Sprintf("%d bytes in all", lim.MaxBytes)}
			}
			if err := writeFile(root, name, h, tr); err != nil {
				return st, err
			}
			st.Files++
			st.Bytes += h.Size
		case tar.TypeSymlink:
			if !linkStaysInside(name, h.Linkname) {
				st.SkippedLinks++
				continue
			}
			if err := mkParent(root, name); err != nil {
				return st, &ArchiveError{Entry: h.Name, Reason: err.Error()}
			}
			if err := root.Symlink(h.Linkname, name); err != nil {
				return st, &ArchiveError{Entry: h.Name, Reason: err.Error()}
			}
			links[name] = true
			st.Symlinks++
		default:
			st.Skipped++
		}
	}
}

// entryPath checks an entry name and strips the top directory, which the
// first entry sets. "" is the top directory itself.
func entryPath(raw string, top *string) (string, error) {
	name := strings.TrimSuffix(raw, "/")
	if name == "" || strings.ContainsRune(name, 0) || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") {
		return "", &ArchiveError{Entry: raw, Reason: "not a clean relative path"}
	}
	parts := strings.Split(name, "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return "", &ArchiveError{Entry: raw, Reason: "not a clean relative path"}
		}
	}
	if *top == "" {
		*top = parts[0]
	}
	if parts[0] != *top {
		return "", &ArchiveError{Entry: raw, Reason: fmt.Sprintf("outside the top directory %q", *top)}
	}
	return strings.Join(parts[1:], "/"), nil
}

// linkStaysInside reports whether a symlink at name with target resolves
// (lexically) inside the tree.
func linkStaysInside(name, target string) bool {
	if target == "" || strings.ContainsRune(target, 0) || path.IsAbs(target) || strings.Contains(target, "\\") {
		return false
	}
	p := path.Join(path.Dir(name), target)
	return p != ".." && !strings.HasPrefix(p, "../")
}

func mkParent(root *os.Root, name string) error {
	if d := path.Dir(name); d != "." {
		return root.MkdirAll(d, 0o755)
	}
	return nil
}

func writeFile(root *os.Root, name string, h *tar.Header, r io.Reader) error {
	if err := mkParent(root, name); err != nil {
		return &ArchiveError{Entry: h.Name, Reason: err.Error()}
	}
	mode := fs.FileMode(0o644)
	if h.Mode&0o111 != 0 {
		mode = 0o755
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &ArchiveError{Entry: h.Name, Reason: "duplicate entry"}
		}
		return &ArchiveError{Entry: h.Name, Reason: err.Error()}
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		var le *LimitError
		if errors.As(err, &le) {
			return le
		}
		return &ArchiveError{Entry: h.Name, Reason: "reading: " + err.Error()}
	}
	return f.Close()
}

// capReader fails with a *LimitError once more than left bytes are read.
type capReader struct {
	r     io.Reader
	left  int64
	limit string
	what  string
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, &LimitError{What: c.whatOr("tarball"), Limit: c.limit}
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, &LimitError{What: c.whatOr("tarball"), Limit: c.limit}
	}
	return n, err
}

func (c *capReader) whatOr(d string) string {
	if c.what != "" {
		return c.what
	}
	return d
}
