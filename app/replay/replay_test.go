package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
)

// ctRecords returns the scenario's CloudTrail records, one JSON text each.
func ctRecords(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "events", "cloudtrail-123456789012-us-east-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Records []json.RawMessage }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(f.Records))
	for i, r := range f.Records {
		out[i] = string(r)
	}
	return out
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runReplay runs the job in process and returns its exit status and
// output.
func runReplay(ctx context.Context, a Args, stdin io.Reader) (code int, stdout, stderr string) {
	var out, errb strings.Builder
	err := Run(ctx, job.Env{Stdin: stdin, Stdout: &out, Stderr: &errb}, a)
	code, msg := job.Status(err)
	if msg != "" {
		errb.WriteString("tfdrift: " + msg + "\n")
	}
	return code, out.String(), errb.String()
}

// A log file that loses its framing used to end the replay before the
// output was flushed: drifts already found (and notified) never reached
// stdout, and the inputs after it were not read. The bad record is now
// reported with file, line and byte offset, decoding resumes at the next
// line, and every drift is printed (issue 14, item 2).
func TestReplayKeepsDriftsFoundBeforeLostFraming(t *testing.T) {
	sc := extract(t)
	recs := ctRecords(t, sc.Dir)
	head := `{"Records":[` + strings.Join(recs[:4], ",") + `,`
	broken := write(t, sc.Dir, "broken.json", head+`JUNK]}`+"\n"+strings.Join(recs[4:], "\n")+"\n")
	after := write(t, sc.Dir, "after.ndjson", recs[0]+"\n")
	whole := filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json")

	_, want, _ := runReplay(t.Context(), Args{States: []string{sc.State}, Format: "json", Inputs: []string{whole}}, nil)
	code, got, stderr := runReplay(t.Context(), Args{States: []string{sc.State}, Format: "json", Inputs: []string{broken, after}}, nil)
	if code != 1 {
		t.Errorf("exit %d, want 1 (a bad record)\n%s", code, stderr)
	}
	if strings.Count(got, "\n") != strings.Count(want, "\n") || want == "" {
		t.Errorf("got %d drifts, want the %d of the intact file\nstderr:\n%s", strings.Count(got, "\n"), strings.Count(want, "\n"), stderr)
	}
	line := strings.Count(head, "\n") + 1
	wantMsg := fmt.Sprintf("%s: record 5: line %d, byte offset %d: ", broken, line, len(head))
	if !strings.Contains(stderr, wantMsg) || !strings.Contains(stderr, fmt.Sprintf("decoding resumed at line %d", line+1)) {
		t.Errorf("stderr does not report the bad record by file, line and byte offset (%q):\n%s", wantMsg, stderr)
	}
	if !strings.Contains(stderr, "from 2 inputs") || !strings.Contains(stderr, "1 bad record\n") {
		t.Errorf("summary:\n%s", stderr)
	}
}

// Records that are well-formed but describe no cloud API call used to make
// the exit status 1; they are skipped with their reason (issue 14, item 18).
func TestReplaySkipsUnsupportedRecords(t *testing.T) {
	sc := extract(t)
	ec2 := `{"version":"0","id":"7bf73129","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-1"],"detail":{"instance-id":"i-1","state":"running"}}`
	falco := `{"output":"shell","priority":"Notice","rule":"Terminal shell in container","source":"syscall","time":"2024-01-01T00:00:00Z","output_fields":{"proc.name":"bash"}}`
	in := write(t, sc.Dir, "mixed.ndjson", ec2+"\n"+falco+"\n"+falco+"\n")
	code, _, stderr := runReplay(t.Context(), Args{States: []string{sc.State}, Inputs: []string{in}}, nil)
	if code != 0 {
		t.Errorf("exit %d, want 0\n%s", code, stderr)
	}
	for _, want := range []string{"3 unsupported records skipped", "0 bad records", `2 × unsupported Falco source "syscall"`, `1 × unsupported EventBridge detail-type "EC2 Instance State-change Notification"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// A record that cannot be read still fails.
	bad := write(t, sc.Dir, "bad.ndjson", falco+"\n{\"eventName\": \n")
	if code, _, stderr := runReplay(t.Context(), Args{States: []string{sc.State}, Inputs: []string{bad}}, nil); code != 1 {
		t.Errorf("unreadable record: exit %d, want 1\n%s", code, stderr)
	}
}

// endless is input that never ends and never holds a record.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// blocked is a reader whose Read never returns (a pipe nobody writes).
type blocked struct{ ch chan struct{} }

func (b blocked) Read([]byte) (int, error) { <-b.ch; return 0, io.EOF }

// replay used to ignore SIGTERM and SIGINT on input that yields no record:
// only SIGKILL stopped it. Every input now gives way to the context
// (issue 14, item 3).
func TestReplayStopsWhenCancelled(t *testing.T) {
	sc := extract(t)
	fifo := filepath.Join(t.TempDir(), "events.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	unblock := make(chan struct{})
	defer close(unblock)
	for _, tt := range []struct {
		name  string
		input string
		stdin io.Reader
	}{
		{"/dev/zero", "/dev/zero", nil},
		{"a FIFO with no writer", fifo, nil},
		{"endless junk on stdin", "-", endless{}},
		{"stdin that never delivers", "-", blocked{unblock}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			type result struct {
				code   int
				stderr string
			}
			done := make(chan result, 1)
			go func() {
				code, _, stderr := runReplay(ctx, Args{States: []string{sc.State}, Inputs: []string{tt.input}}, tt.stdin)
				done <- result{code, stderr}
			}()
			time.Sleep(300 * time.Millisecond) // let it reach the read (cancelling earlier passes too)
			cancel()
			select {
			case r := <-done:
				if r.code != 1 || !strings.Contains(r.stderr, "replay interrupted") || !strings.Contains(r.stderr, "stopped after") {
					t.Errorf("exit %d\n%s", r.code, r.stderr)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("replay did not return within 5s of the cancellation")
			}
		})
	}
}

// A fatal error is printed before the summary of how far the replay got,
// and the error names its input once (issue 14, item 17).
func TestReplayErrorOrderAndPrefix(t *testing.T) {
	sc := extract(t)
	dir := t.TempDir()
	code, _, stderr := runReplay(t.Context(), Args{States: []string{sc.State}, Inputs: []string{dir}}, nil)
	if code != 1 || strings.Count(stderr, dir) != 2 || !strings.Contains(stderr, "is a directory") {
		t.Errorf("exit %d; want the directory named once in its error line:\n%s", code, stderr)
	}
	code, _, stderr = runReplay(t.Context(), Args{States: []string{filepath.Join(dir, "missing.tfstate")}, Inputs: []string{dir}}, nil)
	if code != 1 || strings.Count(stderr, "missing.tfstate") != 2 || strings.Contains(stderr, "records from") {
		t.Errorf("exit %d; want one error naming the state once (its path and the open error), no summary:\n%s", code, stderr)
	}
}
