package state

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/tfdrift/tfdrift/detector/state/internal/benchstate"
	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// streamBufSizes are the first buffer sizes the stream tests parse with:
// a byte, a few bytes, less than a resource, and the real size.
var streamBufSizes = []int{1, 7, 200, streamBuffer}

// checkStreamEqual parses data with Parse and, from a stream, with
// ParseStream, and fails unless both give the same snapshot or the same
// error.
func checkStreamEqual(t *testing.T, data []byte, prev *Previous) {
	t.Helper()
	src := Source{Name: "s.tfstate", Account: "1"}
	want, wantErr := ParseFrom(data, src, prev)
	for _, size := range streamBufSizes {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = bytes.NewReader(data)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			got, n, err := parseStream(r, src, prev, size)
			if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Fatalf("buffer %d, one byte %v: error %v, Parse: %v", size, oneByte, err, wantErr)
			}
			if err != nil {
				continue
			}
			if n != int64(len(data)) {
				t.Fatalf("buffer %d: read %d bytes of %d", size, n, len(data))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("buffer %d, one byte %v: the streamed snapshot differs from Parse's", size, oneByte)
			}
		}
	}
}

func TestParseStreamEqualsParse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.tfstate"))
	if err != nil || len(files) == 0 {
		t.Fatalf("testdata: %v, %d files", err, len(files))
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			checkStreamEqual(t, readTestdata(t, filepath.Base(name)), nil)
		})
	}
	t.Run("benchstate", func(t *testing.T) {
		var buf bytes.Buffer
		if err := benchstate.Write(&buf, 500); err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		checkStreamEqual(t, data, nil)
		prevSnap, err := Parse(data, Source{Name: "s.tfstate"})
		if err != nil {
			t.Fatal(err)
		}
		ix := NewIndex(KeySpec{Default: []string{"id"}})
		ix.Replace(prevSnap)
		prev := ix.Previous("s.tfstate", "")
		checkStreamEqual(t, data, prev)
		// Shared with the previous version, as ParseFrom shares them.
		got, _, err := ParseStream(bytes.NewReader(data), Source{Name: "s.tfstate"}, prev)
		if err != nil {
			t.Fatal(err)
		}
		if &got.Resources[0].attrs[0] != &prevSnap.Resources[0].attrs[0] {
			t.Error("unchanged attributes are not shared with the previous version")
		}
		// A prefix is a truncated state: an error, the same as Parse's.
		buf.Reset()
		if err := benchstate.Write(&buf, 40); err != nil {
			t.Fatal(err)
		}
		small := buf.Bytes()
		for cut := 0; cut < len(small); cut += 499 {
			checkStreamEqual(t, small[:cut], nil)
		}
	})
	// The nesting limit counts from the top of the document, in a
	// resource as anywhere: the attributes object is six levels deep.
	for _, k := range []int{jsonscan.MaxDepth - 6, jsonscan.MaxDepth - 5} {
		doc := `{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"attributes":{"a":` +
			strings.Repeat("[", k) + strings.Repeat("]", k) + `}}]}]}`
		checkStreamEqual(t, []byte(doc), nil)
	}
	for _, doc := range []string{
		`{"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"attributes":{"id":"x"}}]}],"version":4}`,
		`{"resources":[],"version":4,"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[]}]}`,
		`{"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"attributes":{"id":"x"}}]}],"version":3}`,
		`{"version":4,"serial":12345678901234567890}`,
		`{"version":4,"serial":1234} x`,
		`{"version":4,"resources":[{"type":"a"}]}`,
		"{\n\"version\":4,\n\"resources\":[{\"mode\":\"managed\",\n\"type\":\"a_b\",\"name\":\"c\",\"instances\":[{\"attributes\":{\"id\":tru}}]}]}",
		"{\"version\":4,\"resources\":[\n{\"mode\":\"managed\",\"type\":\"a_b\"}]}",
		"  \n ",
		`{"version":4,"resources":null}`,
	} {
		checkStreamEqual(t, []byte(doc), nil)
	}
}

// failingReader returns its data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestParseStreamErrors(t *testing.T) {
	data := readTestdata(t, "aws_network.tfstate")
	src := Source{Name: "bucket/net.tfstate"}
	t.Run("truncated", func(t *testing.T) {
		_, _, err := ParseStream(bytes.NewReader(data[:len(data)/2]), src, nil)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), "state bucket/net.tfstate: ") || se.Offset != int64(len(data)/2) {
			t.Errorf("error = %v, want a syntax error at byte %d naming the source", err, len(data)/2)
		}
	})
	t.Run("read fails", func(t *testing.T) {
		cut := errors.New("connection reset")
		_, _, err := ParseStream(&failingReader{data: data[:100], err: cut}, src, nil)
		var re *ReadError
		if !errors.As(err, &re) || !errors.Is(err, cut) || !strings.HasPrefix(err.Error(), "state bucket/net.tfstate: read: ") {
			t.Errorf("error = %v, want a *ReadError naming the source", err)
		}
	})
}

func TestLoadStreamLocal(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "terraform.tfstate")
	data := readTestdata(t, "aws_network.tfstate")
	t1 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	writeState(t, path, data, t1)
	b := NewLocal(path, Source{})

	snap, v, n, err := LoadStream(ctx, b, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Parse(data, b.Source())
	if !reflect.DeepEqual(snap, want) || n != int64(len(data)) {
		t.Fatalf("LoadStream differs from Parse (%d bytes read)", n)
	}
	_, fv, _ := b.Fetch(ctx, "")
	if v != fv {
		t.Errorf("version %q, Fetch says %q", v, fv)
	}
	if _, got, _, err := LoadStream(ctx, b, v, nil); !errors.Is(err, ErrNotModified) || got != v {
		t.Errorf("same version: %q, %v; want ErrNotModified", got, err)
	}

	// A write during the read: read again, and return the new file.
	v3 := readTestdata(t, "gcp_firewall.tfstate")
	rewrites := 0
	b.afterRead = func() {
		if rewrites == 0 {
			writeState(t, path, v3, t1.Add(3*time.Second))
		}
		rewrites++
	}
	snap, v, _, err = LoadStream(ctx, b, "", nil)
	want, _ = Parse(v3, b.Source())
	if err != nil || rewrites != 2 || !reflect.DeepEqual(snap, want) || v != fileVersionOf(t, path) {
		t.Errorf("after a write during the read: %d reads, version %q, error %v; want 2 reads and the new file", rewrites, v, err)
	}
	// Changing on every read: a read error, not a parse error.
	k := 0
	b.afterRead = func() {
		k++
		writeState(t, path, v3, t1.Add(time.Duration(10+k)*time.Second))
	}
	_, _, _, err = LoadStream(ctx, b, "", nil)
	var re *ReadError
	if !errors.As(err, &re) || !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "3 times in a row") {
		t.Errorf("file changing on every read: error = %v", err)
	}
	b.afterRead = nil

	// A truncated file is a parse error naming the source, with the version.
	writeState(t, path, data[:len(data)-40], t1.Add(time.Minute))
	_, v, _, err = LoadStream(ctx, b, "", nil)
	var se *SyntaxError
	if !errors.As(err, &se) || errors.As(err, &re) || v == "" || !strings.HasPrefix(err.Error(), "state "+path+": ") {
		t.Errorf("truncated file: version %q, error %v", v, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, _, err := LoadStream(cctx, b, "", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

func fileVersionOf(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileVersion(fi)
}
