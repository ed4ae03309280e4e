// Package jsonscan is a small structural JSON scanner: it finds where
// values start and end without building them. detector/decode uses it to
// classify a record and ask Options.Keep about it before paying for a full
// decode; detector/state uses it to walk a resource's attributes, which
// the state parser has already validated, to the few the engine compares.
//
// It checks structure (brackets, strings, member syntax) but not every
// detail of the grammar: callers validate what they keep (decode's
// isValidJSON, the state parser). It imports only the standard library and
// detector/internal/swar.
package jsonscan
