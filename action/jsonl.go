package action

import (
	"bufio"
	"encoding/json"
	"io"
)

// JSONLines writes every drift record, one JSON object a line: the record
// `tfdrift replay --format json`, webhooks and the daemon's audit log use
// (README: "Output: the drift record"). Failed roots write nothing here;
// their errors are in the other outputs.
type JSONLines struct {
	W io.Writer
}

// Write implements Output.
func (j JSONLines) Write(r *Report) error {
	w := bufio.NewWriter(j.W)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, d := range r.Drifts() {
		if err := enc.Encode(d.ToRecord()); err != nil {
			return err
		}
	}
	return w.Flush()
}
