//go:build !unix

package spool

import "os"

// lockDir is a no-op where flock is unavailable: the daemon ships for
// Linux, and there one spool directory per process is enforced.
func lockDir(string) (*os.File, error) { return nil, nil }

func unlockDir(*os.File) {}
