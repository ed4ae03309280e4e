// Package cputime reads the CPU time the process has used, for benchmarks.
// The machines benchmarks run on are shared: wall time there also counts
// waiting for a core, CPU time only the work done, so the benchmarks report
// both.
//
// Tests only; it imports only the standard library.
package cputime
