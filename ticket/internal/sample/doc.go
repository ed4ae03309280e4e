// Package sample holds the drifts the ticket packages' tests render: one
// per kind of drift that notices show, plus a hostile one whose strings
// carry quotes, backslashes, control characters and markup.
//
// It is internal to ticket and meant for tests only; it imports only
// detector/change and detector/drift.
package sample
