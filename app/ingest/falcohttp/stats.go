package falcohttp

import "sync/atomic"

// Reasons a request is refused, as counted in Stats.Rejected and returned
// in the "error" key of the JSON error body.
const (
	ReasonNotFound     = "not_found"          // 404: path is not the mount prefix or prefix/<secret>
	ReasonMethod       = "method_not_allowed" // 405: not POST
	ReasonUnauthorized = "unauthorized"       // 401: no valid secret, bearer token or client certificate
	ReasonTooLarge     = "too_large"          // 413: body over MaxBodyBytes
	ReasonReadError    = "read_error"         // 400: the body could not be read (or gunzipped)
	ReasonEncoding     = "bad_encoding"       // 415: a Content-Encoding other than gzip
	ReasonEmpty        = "empty"              // 400: empty body or empty array
	ReasonBadJSON      = "bad_json"           // 400: not JSON
	ReasonNotAlert     = "not_alert"          // 400: JSON, but no "rule" or "output_fields"
	ReasonPipeline     = "pipeline_error"     // 503: the pipeline refused for a reason other than overload
	ReasonBusy         = "busy"               // 503: the bodies in flight are at MaxInflightBytes
	// ReasonOverloaded is passed to Config.OnReject for a 503 because the
	// pipeline is full; Stats counts it as Overloaded, not as Rejected.
	ReasonOverloaded = "overloaded"
)

// Reasons are the reasons a request is refused, in the order of Stats:
// every Reason* constant.
func Reasons() []string { return append(append([]string(nil), reasons[:]...), ReasonOverloaded) }

var reasons = [...]string{
	ReasonNotFound, ReasonMethod, ReasonUnauthorized, ReasonTooLarge,
	ReasonReadError, ReasonEncoding, ReasonEmpty, ReasonBadJSON, ReasonNotAlert, ReasonPipeline, ReasonBusy,
}

// Stats are the handler's counters since it was created. The daemon exports
// them to Prometheus as counters.
type Stats struct {
	// Accepted counts alerts handed to the pipeline (202).
	Accepted uint64
	// Duplicates counts alerts absorbed because their falcosidekick uuid
	// or cloud event ID was seen recently (200).
	Duplicates uint64
	// Overloaded counts requests answered 503 because the pipeline was full.
	Overloaded uint64
	// Rejected counts refused requests by reason (the Reason* constants);
	// every reason is present, zero or not.
	Rejected map[string]uint64
	// Completed and Failed count the pipeline's Done calls for accepted
	// alerts: with nil, and with an error.
	Completed uint64
	Failed    uint64
}

type counters struct {
	accepted, duplicates, overloaded, completed, failed atomic.Uint64
	rejected                                            [len(reasons)]atomic.Uint64
}

func (c *counters) reject(reason string) {
	for i, r := range reasons {
		if r == reason {
			c.rejected[i].Add(1)
			return
		}
	}
}

func (c *counters) snapshot() Stats {
	s := Stats{
		Accepted:   c.accepted.Load(),
		Duplicates: c.duplicates.Load(),
		Overloaded: c.overloaded.Load(),
		Completed:  c.completed.Load(),
		Failed:     c.failed.Load(),
		Rejected:   make(map[string]uint64, len(reasons)),
	}
	for i, r := range reasons {
		s.Rejected[r] = c.rejected[i].Load()
	}
	return s
}
