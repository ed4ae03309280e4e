// Package jsonany decodes one JSON value into the Go values encoding/json
// produces for an any target with Decoder.UseNumber: map[string]any,
// []any, string, json.Number (holding the number's exact source text),
// bool and nil.
//
// It exists for speed. The detector decodes a small JSON value per event
// (a CloudTrail requestParameters object, a state attribute); going through
// json.NewDecoder costs a reader, a buffer copy of the input, a validation
// pass and reflection for every one. Decode is a single pass over the
// input slice, reading tokens with internal/jsonscan's Scanner (the
// module's one JSON grammar) and allocating only the values it returns.
// Measured on the real path (CPU time, side by side on the 2-core
// machine): with json.Decoder in its place BenchmarkPipelineFalcoAlert
// takes 26.0 CPU-µs per alert instead of 22.6 (+15%) and BenchmarkReplayMix
// loses 3–11% of its events per CPU-second.
//
// The result is the same as encoding/json's for every input, including its
// string handling (invalid UTF-8 and unpaired surrogate escapes become
// U+FFFD), duplicate object keys (the last one wins) and its nesting limit
// of 10000. Unlike json.Decoder.Decode, which stops after the first value,
// Decode requires the input to be exactly one value, optionally surrounded
// by whitespace; the SyntaxError for trailing data says where it starts.
//
// The package imports only the standard library and internal/jsonscan.
package jsonany
