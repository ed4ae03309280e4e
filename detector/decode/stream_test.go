package decode

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

// outcome summarises one Record: the event name, or the error text.
type outcome struct {
	Index int
	Name  string
	Err   string
}

func streamAll(t *testing.T, r io.Reader, opts Options) ([]outcome, Stats, error) {
	t.Helper()
	var out []outcome
	stats, err := Stream(r, opts, func(rec Record) error {
		o := outcome{Index: rec.Index}
		if rec.Err != nil {
			o.Err = rec.Err.Error()
			var re *RecordError
			if !errors.As(rec.Err, &re) || re.Index != rec.Index {
				t.Errorf("record %d: error %v is not a *RecordError for the same index", rec.Index, rec.Err)
			}
		} else {
			o.Name = rec.Change.EventName
			if want := fmt.Sprintf("%s#%d", opts.Name, rec.Index); rec.Change.Origin != want {
				t.Errorf("Origin = %q, want %q", rec.Change.Origin, want)
			}
		}
		out = append(out, o)
		return nil
	})
	return out, stats, err
}

func TestStreamBrokenNDJSONLine(t *testing.T) {
	f, err := os.Open("testdata/events_broken_line.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, stats, err := streamAll(t, f, Options{Name: "events.ndjson"})
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	want := []outcome{
		{Index: 1, Name: "AuthorizeSecurityGroupIngress"},
		{Index: 2, Name: "DescribeInstances"},
		{Index: 3, Err: "events.ndjson: record 3: invalid JSON: unexpected end of record"},
		{Index: 4, Name: "DeleteBucketEncryption"},
		{Index: 5, Name: "TerminateInstances"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if want := (Stats{Records: 5, Decoded: 4, ReadOnly: 1, Failed: 1}); stats != want {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}
}

func TestStreamGzipByMagic(t *testing.T) {
	data, err := os.ReadFile("testdata/cloudtrail_logfile.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	// The name says nothing about gzip: detection is by content.
	got, stats, err := streamAll(t, bytes.NewReader(data), Options{Name: "events.log"})
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if stats.Records != 7 || stats.Decoded != 7 || len(got) != 7 || got[6].Name != "CreatePermissionSet" {
		t.Errorf("stats %+v, records %+v", stats, got)
	}
}

func TestStreamFraming(t *testing.T) {
	r1, r2, r3 := ctRecordJSON("RunInstances"), ctRecordJSON("StopInstances"), ctRecordJSON("CreateVpc")
	pretty := "{\n  \"eventName\": \"DeleteVpc\",\n  \"eventSource\": \"ec2.amazonaws.com\",\n  \"eventTime\": \"2025-01-20T14:32:15Z\"\n}\n"
	tests := []struct {
		name    string
		in      string
		want    []outcome
		wantErr string
	}{
		{name: "empty", in: ""},
		{name: "blank", in: " \n\t\r\n"},
		{
			name: "CRLF, blank lines and a byte order mark",
			in:   "\xef\xbb\xbf" + r1 + "\r\n\r\n" + r2 + "\r\n",
			want: []outcome{{1, "RunInstances", ""}, {2, "StopInstances", ""}},
		},
		{
			name: "values concatenated on one line",
			in:   r1 + r2 + " " + r3,
			want: []outcome{{1, "RunInstances", ""}, {2, "StopInstances", ""}, {3, "CreateVpc", ""}},
		},
		{
			name: "an error names the line when it differs from the record",
			in:   "\n\n" + r1 + "\n{\"eventName\": \"X\" \"eventSource\"}\n" + r2 + "\n",
			want: []outcome{
				{1, "RunInstances", ""},
				{2, "", `in.json: record 2: line 4: invalid JSON at offset 18: expected ',' or '}' after object member, found '"'`},
				{3, "StopInstances", ""},
			},
		},
		{
			name: "a scalar line",
			in:   r1 + "\n42\n" + r2 + "\n",
			want: []outcome{{1, "RunInstances", ""}, {2, "", "in.json: record 2: a record must be a JSON object, not a number"}, {3, "StopInstances", ""}},
		},
		{
			name: "log files back to back, as zcat prints them",
			in:   `{"Records":[` + r1 + "," + r2 + `]}{"Records":[` + r3 + `]}`,
			want: []outcome{{1, "RunInstances", ""}, {2, "StopInstances", ""}, {3, "CreateVpc", ""}},
		},
		{
			name: "pretty log file with members after Records",
			in:   "{\n  \"Records\" : [\n" + r1 + " ,\n" + r2 + "\n  ],\n  \"extra\": {\"a\": [1, 2]}\n}\n",
			want: []outcome{{1, "RunInstances", ""}, {2, "StopInstances", ""}},
		},
		{
			name: "log file whose Records come last",
			in:   `{"a":1,"Records":[` + r1 + `]}` + "\n" + r2 + "\n",
			want: []outcome{{1, "RunInstances", ""}, {2, "StopInstances", ""}},
		},
		{
			name: "array then NDJSON",
			in:   "[" + r1 + ",\n" + r2 + "]\n" + r3 + "\n",
			want: []outcome{{1, "RunInstances", ""}, {2, "StopInstances", ""}, {3, "CreateVpc", ""}},
		},
		{
			name: "pretty-printed documents",
			in:   pretty + pretty,
			want: []outcome{{1, "DeleteVpc", ""}, {2, "DeleteVpc", ""}},
		},
		{
			name: "truncated log file",
			in:   `{"Records":[` + r1 + "," + r2[:100],
			want: []outcome{{1, "RunInstances", ""}, {2, "", "in.json: record 2: line 1, byte offset " + fmt.Sprint(13+len(r1)) + ": invalid JSON: unexpected end of input; nothing after it was decoded"}},
		},
		{
			name: "missing comma between records",
			in:   "[" + r1 + " " + r2 + "]",
			want: []outcome{{1, "RunInstances", ""}, {2, "", "in.json: record 2: line 1, byte offset " + fmt.Sprint(2+len(r1)) + ": invalid JSON: expected ',' or ']' after record, found '{'; nothing after it was decoded"}},
		},
		{
			name: "stray bracket after a document",
			in:   pretty + "}\n",
			want: []outcome{{1, "DeleteVpc", ""}, {2, "", "in.json: record 2: line 6, byte offset 108: invalid JSON at offset 0: unexpected character '}'; nothing after it was decoded"}},
		},
		// Issue 14, item 2: one junk line used to end the rest of the
		// input; decoding now resumes at the next line that starts a value.
		{
			name: "junk line between pretty-printed documents",
			in:   pretty + "JUNK\n" + pretty + pretty,
			want: []outcome{{1, "DeleteVpc", ""}, {2, "", "in.json: record 2: line 6, byte offset 108: invalid JSON at offset 0: unexpected character 'J'; decoding resumed at line 7"}, {3, "DeleteVpc", ""}, {4, "DeleteVpc", ""}},
		},
		{
			name: "broken log file, then NDJSON",
			in:   `{"Records":[` + r1 + ",JUNK]}\n" + r2 + "\n" + r3 + "\n",
			want: []outcome{{1, "RunInstances", ""}, {2, "", "in.json: record 2: line 1, byte offset " + fmt.Sprint(13+len(r1)) + ": invalid JSON at offset 0: unexpected character 'J'; decoding resumed at line 2"}, {3, "StopInstances", ""}, {4, "CreateVpc", ""}},
		},
		{
			name: "Records that is not an array",
			in:   `{"Records":{}}` + "\n",
			want: []outcome{{1, "", "in.json: record 1: field Records: must be an array, not an object"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The same input must frame the same way whatever sizes the
			// reads come in.
			for _, rd := range []struct {
				name string
				r    io.Reader
			}{
				{"whole", strings.NewReader(tt.in)},
				{"one byte", iotest.OneByteReader(strings.NewReader(tt.in))},
				{"half", iotest.HalfReader(strings.NewReader(tt.in))},
			} {
				got, _, err := streamAll(t, rd.r, Options{Name: "in.json"})
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s reads: records (-want +got):\n%s", rd.name, diff)
				}
				if gotErr := fmt.Sprint(err); (err != nil || tt.wantErr != "") && gotErr != tt.wantErr {
					t.Errorf("%s reads: Stream error = %q, want %q", rd.name, gotErr, tt.wantErr)
				}
			}
		})
	}
}

func TestStreamTooLarge(t *testing.T) {
	big := `{"eventName":"RunInstances","pad":"` + strings.Repeat("a", MaxRecordSize) + `"}`
	r1, r2 := ctRecordJSON("RunInstances"), ctRecordJSON("StopInstances")

	t.Run("NDJSON line is skipped", func(t *testing.T) {
		got, stats, err := streamAll(t, strings.NewReader(r1+"\n"+big+"\n"+r2+"\n"), Options{Name: "in.json"})
		if err != nil {
			t.Fatal(err)
		}
		want := []outcome{{1, "RunInstances", ""}, {2, "", "in.json: record 2: record larger than 8 MiB; skipped"}, {3, "StopInstances", ""}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
		if stats.Failed != 1 || stats.Decoded != 2 {
			t.Errorf("stats = %+v", stats)
		}
	})
	t.Run("last NDJSON line is skipped", func(t *testing.T) {
		got, _, err := streamAll(t, strings.NewReader(r1+"\n"+big), Options{Name: "in.json"})
		if err != nil || len(got) != 2 || got[1].Err == "" {
			t.Errorf("records %+v, err %v", got, err)
		}
	})
	t.Run("log file record is reported and the line skipped", func(t *testing.T) {
		got, _, err := streamAll(t, strings.NewReader(`{"Records":[`+r1+","+big+"]}\n"+r2+"\n"), Options{Name: "in.json"})
		want := []outcome{{1, "RunInstances", ""}, {2, "", "in.json: record 2: line 1, byte offset " + fmt.Sprint(13+len(r1)) + ": record larger than 8 MiB without a line break; decoding resumed at line 2"}, {3, "StopInstances", ""}}
		if diff := cmp.Diff(want, got); err != nil || diff != "" {
			t.Errorf("err %v, records (-want +got):\n%s", err, diff)
		}
	})
}

func TestStreamUnreadableInput(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write([]byte(`{"Records":[` + ctRecordJSON("RunInstances") + "]}")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		r    io.Reader
		frag string
	}{
		{"bad gzip header", bytes.NewReader([]byte{0x1f, 0x8b, 0, 0, 1, 2, 3}), "in.json: gzip: "},
		{"truncated gzip", bytes.NewReader(gz.Bytes()[:gz.Len()-12]), "in.json: read: unexpected EOF"},
		{"read error", io.MultiReader(strings.NewReader(ctRecordJSON("RunInstances")+"\n"), iotest.ErrReader(errors.New("disk on fire"))), "in.json: read: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := streamAll(t, tt.r, Options{Name: "in.json"})
			if err == nil || !strings.Contains(err.Error(), tt.frag) {
				t.Errorf("Stream error = %v, want one containing %q", err, tt.frag)
			}
		})
	}
}

func TestStreamCallbackErrorStops(t *testing.T) {
	in := ctRecordJSON("RunInstances") + "\n" + ctRecordJSON("StopInstances") + "\n" + ctRecordJSON("CreateVpc") + "\n"
	stop := errors.New("enough")
	for _, framing := range []string{"ndjson", "log file"} {
		t.Run(framing, func(t *testing.T) {
			input := in
			if framing == "log file" {
				input = `{"Records":[` + strings.ReplaceAll(strings.TrimSpace(in), "\n", ",") + "]}"
			}
			calls := 0
			_, err := Stream(strings.NewReader(input), Options{}, func(Record) error {
				calls++
				if calls == 2 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || calls != 2 {
				t.Errorf("err = %v after %d calls, want %v after 2", err, calls, stop)
			}
		})
	}
}

func TestStreamKeepAndStats(t *testing.T) {
	in := strings.Join([]string{
		ctRecordJSON("DescribeInstances", `"readOnly":true`), // skipped, read-only
		ctRecordJSON("ListBuckets"),                          // skipped, read-only by name
		ctRecordJSON("AssumeRole", `"readOnly":false`),       // skipped, not read-only
		ctRecordJSON("RunInstances", `"readOnly":false`),     // kept
		ctRecordJSON("GetObject", `"readOnly":true`),         // kept by Keep, read-only
		`{"eventName":"RunInstances","eventSource":"x"}`,     // kept, fails (no eventTime)
		`{"eventName":"AssumeRole","eventSource":"x"}`,       // skipped before it could fail
		`{"p_log_type":"AWS.CloudTrail","eventName":"X"}`,    // fails whatever Keep says
	}, "\n")
	keep := func(p change.Provider, name string) bool {
		return p == change.AWS && (name == "RunInstances" || name == "GetObject")
	}
	got, stats, err := streamAll(t, strings.NewReader(in), Options{Name: "in.json", Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	want := []outcome{
		{4, "RunInstances", ""},
		{5, "GetObject", ""},
		{6, "", "in.json: record 6: field eventTime: missing"},
		{8, "", `in.json: record 8: record normalised by Panther (key "p_log_type"): not raw CloudTrail or GCP audit JSON; replay the original log records instead`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if want := (Stats{Records: 8, Decoded: 2, Skipped: 4, ReadOnly: 3, Failed: 2}); stats != want {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}
}

// TestStreamRawIsCopied checks that a Change does not alias the read
// buffer, which is reused for the next records.
func TestStreamRawIsCopied(t *testing.T) {
	var recs []string
	var in strings.Builder
	for i := range 2000 {
		rec := ctRecordJSON(fmt.Sprintf("CreateThing%d", i))
		recs = append(recs, rec)
		in.WriteString(rec + "\n")
	}
	var changes []*change.Change
	_, err := Stream(strings.NewReader(in.String()), Options{}, func(r Record) error {
		if r.Err != nil {
			return r.Err
		}
		changes = append(changes, r.Change)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, ch := range changes {
		if string(ch.Raw) != recs[i] || !jsonEqual(ch.Request, []byte(`{"groupId":"sg-1"}`)) {
			t.Fatalf("change %d: Raw or Request was overwritten: %s", i, ch.Raw)
		}
	}
}

// Well-formed records that describe no cloud API call are marked
// ErrUnsupported, so that replay can count them as skipped rather than bad
// (issue 14, item 18); malformed ones are not.
func TestUnsupportedRecordsAreMarked(t *testing.T) {
	for _, tt := range []struct {
		rec         string
		unsupported bool
	}{
		{`{"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{"state":"running"}}`, true},
		{`{"source":"syscall","rule":"Terminal shell","output_fields":{"proc.name":"bash"}}`, true},
		{`{"logName":"projects/p/logs/x","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.OtherLog","methodName":"m"}}`, true},
		{`{"detail-type":"AWS API Call via CloudTrail","detail":"not an object"}`, false},
		{`{"hello":"world"}`, false},
	} {
		_, err := Decode([]byte(tt.rec), Options{Name: "in.json"})
		var u *UnsupportedError
		if err == nil || errors.Is(err, ErrUnsupported) != tt.unsupported || errors.As(err, &u) != tt.unsupported {
			t.Errorf("%s: err %v; want unsupported=%v", tt.rec, err, tt.unsupported)
		}
	}
}
