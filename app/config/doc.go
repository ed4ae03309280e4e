// Package config reads tfdrift's configuration file (config.yaml) in two
// stages, as Atlantis does: the YAML is decoded into raw structs that
// mirror the file (raw.go), then validated into the typed Config the
// program uses (time.Duration, *regexp.Regexp, drift.Severity,
// rules.Rule).
//
// Reading is strict: unknown keys, wrong types, repeated keys, bad
// patterns, templates that do not parse and unset ${ENV} references are
// all errors. Every problem in a file is collected and returned together
// as a *ValidationError whose lines read "file:line: key.path: message".
// Secret values expanded from the environment never appear in messages.
//
// docs/config.md is the reference of every key.
//
// The package reads the process environment only in Load's default
// (WithEnv overrides it) and never exits. It imports detector/drift,
// detector/change and detector/rules for the types it produces, and must
// not import other app packages, gitops or ticket: those consume Config.
package config
