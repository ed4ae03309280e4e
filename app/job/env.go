package job

import (
	"io"
	"os"
)

// Env is the process a job runs in, injected so that tests and the GitHub
// App run jobs without touching the real one. Library code below the jobs
// never reads os.Stdin, os.Getenv or the like; a job reads them from here.
type Env struct {
	Stdin io.Reader
	// Stdout receives the job's result (drifts, a diff, a table);
	// Stderr its diagnostics and progress.
	Stdout, Stderr io.Writer
	// LookupEnv reads an environment variable, as os.LookupEnv does;
	// nil means an empty environment.
	LookupEnv func(name string) (string, bool)
}

// OS is the real process: standard streams and environment.
func OS() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv}
}

// Getenv returns the variable's value, empty when it is unset.
func (e Env) Getenv(name string) string {
	v, _ := e.Lookup(name)
	return v
}

// Lookup is LookupEnv that tolerates a nil LookupEnv.
func (e Env) Lookup(name string) (string, bool) {
	if e.LookupEnv == nil {
		return "", false
	}
	return e.LookupEnv(name)
}

// Complete returns e with nil streams replaced: no input, output
// discarded. Jobs call it first, so that a caller may leave out what it
// does not care about.
func (e Env) Complete() Env {
	if e.Stdin == nil {
		e.Stdin = eofReader{}
	}
	if e.Stdout == nil {
		e.Stdout = io.Discard
	}
	if e.Stderr == nil {
		e.Stderr = io.Discard
	}
	return e
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
