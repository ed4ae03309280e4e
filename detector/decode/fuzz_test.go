package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tfdrift/tfdrift/detector/change"
)

// addSeeds adds every testdata input and a few hand-made edge cases.
func addSeeds(f *testing.F) {
	for _, name := range testdataInputs(f) {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "{}", "[]", "[[]]", "null", "123", `"x"`, `{"Records":[]}`, `{"Records":[{}]}`,
		`{"Records":[` + ctRecordJSON("RunInstances") + `,`,
		ctRecordJSON("RunInstances") + "\n" + ctRecordJSON("DescribeInstances", `"readOnly":true`),
		`{"message":{"data":"` + pubSubLogEntry + `"}}`,
		`{"output_fields":{"ct.name":"X","ct.request":"{\"a\":1}"},"time":"2025-01-20T14:32:15Z"}`,
		`{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"X","eventSource":"s","eventTime":"2025-01-20T14:32:15Z"}}`,
		"{\"eventName\":\"X\\u0041\",\"eventSource\":\"s\",\"eventTime\":\"2025-01-20T14:32:15Z\"}",
		"\x1f\x8b", "{\"a\":\"\\\"}", "[1 2]", "{\"Records\" : [ 1 ,",
	} {
		f.Add([]byte(s))
	}
}

// checkChange asserts what every decoded Change must satisfy.
func checkChange(t *testing.T, ch *change.Change) {
	t.Helper()
	switch {
	case ch == nil:
		t.Fatal("nil change")
	case ch.Provider != change.AWS && ch.Provider != change.GCP:
		t.Fatalf("provider %q", ch.Provider)
	case ch.EventName == "" || ch.RawEventName == "":
		t.Fatalf("no event name: %+v", ch)
	case ch.Time.IsZero():
		t.Fatalf("no time: %+v", ch)
	case len(ch.Raw) == 0 || ch.Origin == "" || ch.Source == "":
		t.Fatalf("no Raw, Origin or Source: %+v", ch)
	case ch.Request != nil && !json.Valid(ch.Request), ch.Response != nil && !json.Valid(ch.Response):
		t.Fatalf("payload is not JSON: %s / %s", ch.Request, ch.Response)
	}
}

func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		changes, err := Decode(data, Options{Name: "fuzz"})
		for _, ch := range changes {
			checkChange(t, ch)
		}
		var re *RecordError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("error %v is not a *RecordError", err)
		}
		// Valid input decodes the same whether or not the caller vouches
		// for it; input that is not valid must not panic with the flag.
		vouched, verr := Decode(data, Options{Name: "fuzz", Valid: true, Owned: true})
		if !json.Valid(bytes.TrimPrefix(data, utf8BOM)) {
			return
		}
		if fmt.Sprint(err) != fmt.Sprint(verr) || !cmp.Equal(changes, vouched, cmpopts.EquateEmpty()) {
			t.Fatalf("Valid changed the result for %q:\n%v\n%s", data, verr, cmp.Diff(changes, vouched, cmpopts.EquateEmpty()))
		}
	})
}

func FuzzStream(f *testing.F) {
	addSeeds(f)
	keep := func(_ change.Provider, name string) bool { return len(name)%2 == 0 }
	run := func(t *testing.T, data []byte, oneByte bool) ([]outcome, string) {
		r := readerFor(data, oneByte)
		var out []outcome
		last := 0
		decoded, failed := 0, 0
		stats, err := Stream(r, Options{Name: "fuzz", Keep: keep}, func(rec Record) error {
			if rec.Index <= last {
				t.Fatalf("index %d after %d", rec.Index, last)
			}
			last = rec.Index
			o := outcome{Index: rec.Index}
			if rec.Err != nil {
				failed++
				o.Err = rec.Err.Error()
			} else {
				decoded++
				checkChange(t, rec.Change)
				if !keep(rec.Change.Provider, rec.Change.EventName) {
					t.Fatalf("record %d was kept against Keep: %s", rec.Index, rec.Change.EventName)
				}
				o.Name = rec.Change.EventName
			}
			out = append(out, o)
			return nil
		})
		if stats.Records != stats.Decoded+stats.Skipped+stats.Failed || stats.Decoded != decoded || stats.Failed != failed ||
			stats.ReadOnly > stats.Decoded+stats.Skipped {
			t.Fatalf("inconsistent stats %+v (saw %d decoded, %d failed)", stats, decoded, failed)
		}
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		return out, errText
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, wholeErr := run(t, data, false)
		// Framing must not depend on how the reads are split.
		bytewise, bytewiseErr := run(t, data, true)
		if len(whole) != len(bytewise) || wholeErr != bytewiseErr {
			t.Fatalf("whole reads gave %d records (err %q), one-byte reads %d (err %q)", len(whole), wholeErr, len(bytewise), bytewiseErr)
		}
		for i := range whole {
			if whole[i] != bytewise[i] {
				t.Fatalf("record %d: whole reads %+v, one-byte reads %+v", i, whole[i], bytewise[i])
			}
		}
	})
}

func readerFor(data []byte, oneByte bool) io.Reader {
	if oneByte {
		return iotest.OneByteReader(bytes.NewReader(data))
	}
	return bytes.NewReader(data)
}
