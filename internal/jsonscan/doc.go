// Package jsonscan is the module's one JSON reader below encoding/json: it
// finds and checks JSON values in a byte slice without building them.
//
//   - Scanner (scanner.go) reads a document token by token and checks the
//     whole grammar as it goes; Valid is json.Valid through it. It is the
//     only validating JSON grammar in the module: detector/state parses
//     state files with it, detector/decode checks kept records with Valid,
//     app/ingest/falcohttp checks an alert and reads its rule and IDs in
//     the same pass, and internal/jsonany builds values from its tokens.
//   - ValueEnd, EachMember, ObjectMembers and ArrayElements (skip.go) walk
//     values structurally: they match brackets and find where strings end
//     but do not check numbers, literals or escapes. They are for data that
//     is checked elsewhere (a state resource's attributes, which the parser
//     validated) or only classified (detector/decode asks Options.Keep
//     about a record before validating it), where skipping a value costs a
//     bracket count instead of a full check.
//   - StringValue and Unquote (unquote.go) turn a string token into its Go
//     value exactly as encoding/json does.
//
// Every function is held to encoding/json by fuzz tests (FuzzValid,
// FuzzStringValue, internal/jsonany's FuzzDecode).
//
// It imports only the standard library.
package jsonscan
