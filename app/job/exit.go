package job

import (
	"errors"
	"flag"
	"fmt"
)

// ExitCoder is an error that decides the process's exit status. Each job
// defines its typed errors with the codes its documentation promises.
type ExitCoder interface {
	error
	ExitCode() int
}

// Status turns a job's error into an exit status and the message still to
// print on standard error (empty when there is none): nil and
// flag.ErrHelp are 0; an ExitCoder anywhere in the chain gives its code;
// anything else is 1.
func Status(err error) (code int, message string) {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0, ""
	}
	code = 1
	var ec ExitCoder
	if errors.As(err, &ec) {
		code = ec.ExitCode()
	}
	var r reported
	if errors.As(err, &r) {
		return code, ""
	}
	return code, err.Error()
}

// Exit returns an error that exits with code and prints nothing: the job
// has already said why (a usage text, a summary line).
func Exit(code int) error { return reported{exitCode(code)} }

type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }
func (c exitCode) ExitCode() int { return int(c) }

// Reported marks err as already told to the user (its summary line was
// printed): Status prints nothing more, while callers still find err's
// type with errors.As and its exit code with Status.
func Reported(err error) error {
	if err == nil {
		return nil
	}
	return reported{err}
}

type reported struct{ err error }

func (r reported) Error() string { return r.err.Error() }
func (r reported) Unwrap() error { return r.err }

// Usage returns an error for a command line the job cannot run (a
// missing argument, an unknown verb), exiting with code: each job says
// which code means usage, since 2 means drift to some.
func Usage(code int, message string) error { return usageError{code, message} }

type usageError struct {
	code int
	msg  string
}

func (e usageError) Error() string { return e.msg }
func (e usageError) ExitCode() int { return e.code }
