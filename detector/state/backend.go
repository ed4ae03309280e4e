package state

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ErrNotModified is returned by Backend.Fetch when the state object still
// has the version the caller already holds.
var ErrNotModified = errors.New("state not modified")

// Backend fetches one state object: a local file here, S3 and GCS objects
// in the s3backend and gcsbackend packages.
type Backend interface {
	// Fetch returns the state bytes and an opaque version string that
	// changes whenever the object does: mtime and size for files, the ETag
	// for S3, the generation for GCS. If ifVersion is non-empty and equals
	// the current version, Fetch returns ErrNotModified (with the current
	// version) without reading the body, which makes polling cheap.
	Fetch(ctx context.Context, ifVersion string) (data []byte, version string, err error)
	// Source describes the object; Load passes it to Parse.
	Source() Source
}

// Load fetches and parses a state object, returning the snapshot and the
// version to pass as ifVersion next time. A StreamBackend's state is
// parsed as it streams in (LoadStream).
func Load(ctx context.Context, b Backend) (*Snapshot, string, error) {
	if sb, ok := b.(StreamBackend); ok {
		snap, version, _, err := LoadStream(ctx, sb, "", nil)
		if err != nil {
			return nil, "", err
		}
		return snap, version, nil
	}
	src := b.Source()
	data, version, err := b.Fetch(ctx, "")
	if err != nil {
		return nil, "", fmt.Errorf("state %s: %w", src.Name, err)
	}
	snap, err := Parse(data, src)
	if err != nil {
		return nil, "", err
	}
	return snap, version, nil
}

// LocalBackend reads a state file from the local file system.
type LocalBackend struct {
	path string
	src  Source
	// afterRead, when set, runs between reading the file and checking its
	// version again: tests use it to change the file mid-read.
	afterRead func()
}

var _ Backend = (*LocalBackend)(nil)

// NewLocal returns a backend for the state file at path. An empty
// src.Name becomes the path and an empty src.Workspace "default".
func NewLocal(path string, src Source) *LocalBackend {
	if src.Name == "" {
		src.Name = path
	}
	if src.Workspace == "" {
		src.Workspace = DefaultWorkspace
	}
	return &LocalBackend{path: path, src: src}
}

// Source implements Backend.
func (b *LocalBackend) Source() Source { return b.src }

// Path returns the file the backend reads.
func (b *LocalBackend) Path() string { return b.path }

// localAttempts bounds how often Fetch re-reads a file that changed while
// it was being read.
const localAttempts = 3

// Fetch implements Backend. Its version is the file's modification time
// and size.
//
// Terraform rewrites a local state file in place, so a read can overlap a
// write and see half a file. Fetch compares the file's version before and
// after reading and reads again when it moved.
func (b *LocalBackend) Fetch(ctx context.Context, ifVersion string) ([]byte, string, error) {
	for range localAttempts {
		if err := ctx.Err(); err != nil {
			return nil, "", err
		}
		data, version, stable, err := b.readOnce(ifVersion)
		if err != nil || stable {
			return data, version, err
		}
	}
	return nil, "", fmt.Errorf("%s changed while being read, %d times in a row", b.path, localAttempts)
}

func (b *LocalBackend) readOnce(ifVersion string) (data []byte, version string, stable bool, err error) {
	f, err := os.Open(b.path)
	if err != nil {
		return nil, "", false, err
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return nil, "", false, err
	}
	version = fileVersion(before)
	if ifVersion != "" && ifVersion == version {
		return nil, version, true, ErrNotModified
	}
	data = make([]byte, 0, before.Size()+1) // +1: room to see EOF without growing
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", false, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	if b.afterRead != nil {
		b.afterRead()
	}
	// Stat the path, not the open file: an atomic rename-over leaves f on
	// the old inode, which is complete but no longer current.
	after, err := os.Stat(b.path)
	if err != nil {
		return nil, "", false, err
	}
	stable = fileVersion(after) == version && int64(len(data)) == before.Size()
	return data, version, stable, nil
}

func fileVersion(fi os.FileInfo) string {
	return strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "-" + strconv.FormatInt(fi.Size(), 10)
}

var _ StreamBackend = (*LocalBackend)(nil)

// Open implements StreamBackend. Its stream's Close returns ErrChanged
// when the file's version moved while it was read, or when it was read to
// the end and held other than the size it had when opened.
func (b *LocalBackend) Open(ctx context.Context, ifVersion string) (io.ReadCloser, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	f, err := os.Open(b.path)
	if err != nil {
		return nil, "", err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, "", err
	}
	version := fileVersion(fi)
	if ifVersion != "" && ifVersion == version {
		f.Close()
		return nil, version, ErrNotModified
	}
	return &localStream{f: f, b: b, version: version, size: fi.Size()}, version, nil
}

type localStream struct {
	f       *os.File
	b       *LocalBackend
	version string
	size    int64
	n       int64 // bytes read
	eof     bool
}

func (s *localStream) Read(p []byte) (int, error) {
	n, err := s.f.Read(p)
	s.n += int64(n)
	if err == io.EOF {
		s.eof = true
	}
	return n, err
}

func (s *localStream) Close() error {
	if err := s.f.Close(); err != nil {
		return err
	}
	if s.b.afterRead != nil {
		s.b.afterRead()
	}
	// Stat the path, not the open file: an atomic rename-over leaves f on
	// the old inode, which is complete but no longer current.
	after, err := os.Stat(s.b.path)
	if err != nil {
		return err
	}
	if fileVersion(after) != s.version || (s.eof && s.n != s.size) {
		return fmt.Errorf("%s: %w", s.b.path, ErrChanged)
	}
	return nil
}
