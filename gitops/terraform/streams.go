package terraform

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
)

// streamMode says what a command's stdout is.
type streamMode int

const (
	humanUI streamMode = iota // Terraform's human output: streamed as is
	jsonUI                    // -json machine-readable UI: streamed as text
	quiet                     // a result the caller reads (show): not streamed
)

// maxCapture bounds the output kept for typing an error. The messages
// classify looks for come first in Terraform's output; a provider that
// prints megabytes must not grow tfdrift's memory with it.
const maxCapture = 256 << 10

// streams fans one command's stdout and stderr out to the logger, the
// caller's writer, and a bounded capture of the error text. terraform-exec
// writes stdout and stderr from two goroutines, a line per Write.
type streams struct {
	log  *slog.Logger
	out  io.Writer
	mode streamMode

	mu       sync.Mutex
	captured bytes.Buffer
	stdoutLB lineBuffer
	stderrLB lineBuffer
}

func newStreams(log *slog.Logger, out io.Writer, mode streamMode) *streams {
	return &streams{log: log, out: out, mode: mode}
}

func (s *streams) stdout() io.Writer { return writerFunc(s.writeStdout) }
func (s *streams) stderr() io.Writer { return writerFunc(s.writeStderr) }

func (s *streams) writeStdout(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stdoutLB.write(p, s.stdoutLine)
	return len(p), nil
}

func (s *streams) writeStderr(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stderrLB.write(p, s.stderrLine)
	return len(p), nil
}

// flush handles a last line without a newline.
func (s *streams) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stdoutLB.flush(s.stdoutLine)
	s.stderrLB.flush(s.stderrLine)
}

// diagnostics is the captured error text: stderr, and the diagnostics of a
// -json run.
func (s *streams) diagnostics() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.captured.String()
}

func (s *streams) capture(text string) {
	if room := maxCapture - s.captured.Len(); room > 0 {
		if len(text) > room {
			text = text[:room]
		}
		s.captured.WriteString(text)
		s.captured.WriteByte('\n')
	}
}

func (s *streams) emit(stream, text string) {
	s.log.Debug("terraform output", "stream", stream, "line", text)
	if s.out != nil {
		// A failing output writer (a closed pipe to a client) must not fail
		// a Terraform run that is halfway through changing the cloud.
		_, _ = io.WriteString(s.out, text+"\n")
	}
}

func (s *streams) stdoutLine(line []byte) {
	if s.mode == jsonUI {
		if m, ok := parseUILine(line); ok {
			text := m.Message
			if m.Diagnostic != nil {
				diag := m.Diagnostic.Summary
				if m.Diagnostic.Detail != "" {
					diag += "\n\n" + m.Diagnostic.Detail
					text += "\n\n" + m.Diagnostic.Detail
				}
				s.capture(diag)
			}
			s.emit("stdout", text)
			return
		}
	}
	s.emit("stdout", string(line))
}

func (s *streams) stderrLine(line []byte) {
	s.capture(string(line))
	s.emit("stderr", string(line))
}

// uiMessage is the part of a machine-readable UI line tfdrift reads.
type uiMessage struct {
	Level      string        `json:"@level"`
	Message    string        `json:"@message"`
	Type       string        `json:"type"`
	Diagnostic *uiDiagnostic `json:"diagnostic"`
}

type uiDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
}

// parseUILine decodes one line of `terraform … -json` output. A line that
// is not a UI message (a provider's stray print) reports false and is
// streamed as plain text.
func parseUILine(line []byte) (uiMessage, bool) {
	var m uiMessage
	if len(line) == 0 || line[0] != '{' {
		return m, false
	}
	if err := json.Unmarshal(line, &m); err != nil || m.Message == "" && m.Diagnostic == nil {
		return uiMessage{}, false
	}
	return m, true
}

// lineBuffer splits writes into lines, holding a partial last line.
type lineBuffer struct{ partial []byte }

func (b *lineBuffer) write(p []byte, fn func([]byte)) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			b.partial = append(b.partial, p...)
			return
		}
		line := p[:i]
		if len(b.partial) > 0 {
			line = append(b.partial, line...)
			b.partial = b.partial[:0]
		}
		fn(bytes.TrimSuffix(line, []byte("\r")))
		p = p[i+1:]
	}
}

func (b *lineBuffer) flush(fn func([]byte)) {
	if len(b.partial) > 0 {
		fn(b.partial)
		b.partial = nil
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
