package decode

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// MaxRecordSize bounds one record (one NDJSON line, one element of a
// Records array, one JSON document). A CloudTrail log file may be larger:
// its Records array is read one element at a time.
const MaxRecordSize = 8 << 20

// Options control decoding.
type Options struct {
	// Keep, when set, is asked before a record is fully decoded; returning
	// false skips the record cheaply (counted as Skipped). It receives the
	// provider and the NORMALISED event name. Skipped records are not
	// validated beyond their JSON structure.
	Keep func(p change.Provider, eventName string) bool
	// Name labels the input in Origin and errors ("events.json", "-").
	Name string
	// Owned says the caller hands data over to Decode: it is never
	// modified afterwards, so changes may keep slices of it (Raw,
	// Request, Response) instead of copies. Stream never sets it: it
	// reuses its read buffer.
	Owned bool
	// Valid says data is known to be exactly one valid JSON value (with
	// optional surrounding white space): the input already checked it, as
	// the Falco HTTP handler does to answer 400 at once. Decode then skips
	// its own structural and grammar checks. Data that is not valid gives
	// wrong changes or errors, never a panic. Stream ignores it.
	Valid bool
}

// Record is one decoded record or one failure.
type Record struct {
	Change *change.Change
	// Index is the 1-based record number within the input; every element
	// of a CloudTrail Records array counts as one record.
	Index int
	// Err is a *RecordError when the record could not be decoded.
	Err error
}

// RecordError is the failure of one record.
type RecordError struct {
	Input string
	Index int
	// Field is the record field at fault, when one is ("eventTime",
	// "output_fields.ct.request"); empty for structural errors.
	Field string
	Err   error
}

// Error reads "events.json: record 3: field eventTime: ...".
func (e *RecordError) Error() string {
	var b strings.Builder
	b.WriteString(e.Input)
	b.WriteString(": record ")
	b.WriteString(strconv.Itoa(e.Index))
	if e.Field != "" {
		b.WriteString(": field ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *RecordError) Unwrap() error { return e.Err }

// Stats counts what a Stream call saw.
type Stats struct {
	// Records is every record, whatever became of it:
	// Records = Decoded + Skipped + Failed.
	Records int
	// Decoded records were passed to fn with a Change.
	Decoded int
	// Skipped records were refused by Options.Keep.
	Skipped int
	// ReadOnly counts read-only records among Decoded and Skipped.
	ReadOnly int
	// Failed records were passed to fn with an error.
	Failed int
}

// Decode decodes one JSON value (any supported shape) into changes: a
// single record, a CloudTrail log file, an EventBridge envelope, a Falco
// alert, a GCP LogEntry, a Pub/Sub push message or a JSON array of them.
// It returns the changes it could decode and, when records failed, their
// *RecordError (joined with errors.Join when there are several). Records
// refused by Options.Keep are left out. Stream is the entry point for
// files: NDJSON, concatenated values and gzip.
func Decode(data []byte, opts Options) ([]*change.Change, error) {
	var (
		out  []*change.Change
		errs []error
	)
	d := newDecoder(opts, func(r Record) error {
		if r.Err != nil {
			errs = append(errs, r.Err)
		} else {
			out = append(out, r.Change)
		}
		return nil
	})
	d.owned = opts.Owned
	data = bytes.TrimPrefix(data, utf8BOM)
	i := jsonscan.SkipSpace(data, 0)
	if i == len(data) {
		return nil, &RecordError{Input: d.name, Index: 1, Err: errors.New("empty input")}
	}
	var end int
	if opts.Valid {
		d.valid = true
		end = len(bytes.TrimRight(data, " \t\r\n"))
	} else {
		var err error
		if end, err = jsonscan.ValueEnd(data, i); err != nil {
			return nil, &RecordError{Input: d.name, Index: 1, Err: invalidJSON(err)}
		}
		if j := jsonscan.SkipSpace(data, end); j != len(data) {
			return nil, &RecordError{Input: d.name, Index: 1,
				Err: fmt.Errorf("trailing data at offset %d after the JSON value (use Stream for NDJSON)", j)}
		}
	}
	// The callback never fails, so neither does d.value.
	_ = d.value(data[i:end])
	switch len(errs) {
	case 0:
		return out, nil
	case 1:
		return out, errs[0]
	default:
		return out, errors.Join(errs...)
	}
}

var utf8BOM = []byte("\xef\xbb\xbf")

// errStop unwinds scanning callbacks once fn has failed; the error itself
// is kept in decoder.stop.
var errStop = errors.New("decode: stopped by callback")

// decoder turns records into changes and feeds fn. It is shared by Decode
// and Stream.
type decoder struct {
	keep  func(change.Provider, string) bool
	name  string
	fn    func(Record) error
	stop  error
	stats Stats
	index int
	// line is the input line the current record started on, when known
	// and useful in messages (NDJSON); 0 otherwise.
	line int
	// names caches normalised event names by raw name, per provider, so
	// that the skip path allocates nothing for names seen before.
	awsNames, gcpNames map[string]string
	// owned and valid are Options.Owned and Options.Valid, honoured by
	// Decode only. valid covers data and its slices, not what is decoded
	// out of it (a Pub/Sub message's base64 data).
	owned, valid bool
}

// maxCachedNames bounds the name caches; real inputs have a few hundred
// distinct event names.
const maxCachedNames = 4096

func newDecoder(opts Options, fn func(Record) error) *decoder {
	name := opts.Name
	if name == "" {
		name = "input"
	}
	return &decoder{keep: opts.Keep, name: name, fn: fn}
}

// value handles one top-level JSON value: a record, a CloudTrail log file
// or an array of records.
func (d *decoder) value(raw []byte) error {
	if raw[0] == '[' {
		return d.list(raw)
	}
	return d.record(raw)
}

// list handles the elements of an in-memory array of records.
func (d *decoder) list(arr []byte) error {
	_, err := jsonscan.ArrayElements(arr, 0, d.record)
	if err == nil || err == errStop {
		return err
	}
	d.index++
	d.stats.Records++
	return d.fail("", fmt.Errorf("%w; the rest of the list was not decoded", invalidJSON(err)))
}

// record handles one JSON value that is a record or a CloudTrail log file.
func (d *decoder) record(raw []byte) error {
	return d.classified(raw, classify(raw))
}

// classified handles a record that classify has looked at.
func (d *decoder) classified(raw []byte, c class) error {
	if c.kind == kindLogFile && c.err == nil {
		return d.list(c.records)
	}
	d.index++
	d.stats.Records++
	valid := d.valid
	if c.kind == kindPubSub && c.err == nil {
		inner, field, err := pubSubData(raw)
		if err != nil {
			return d.fail(field, err)
		}
		raw, valid = inner, false
		if c = classify(inner); c.err == nil && (c.kind == kindPubSub || c.kind == kindLogFile) {
			c.err = errors.New("holds a batch, not a single audit record")
		}
		if c.err != nil {
			field := "message.data"
			if c.field != "" {
				field += "." + c.field
			}
			return d.fail(field, c.err)
		}
	}
	if c.err != nil {
		return d.fail(c.field, c.err)
	}
	name, known := d.eventName(c.provider, c.name)
	if known && d.keep != nil && !d.keep(c.provider, name) {
		d.skip(c.readOnlyFor(name))
		return nil
	}
	// raw may point into a reused read buffer; the Change keeps a copy,
	// which its Request and Response may share.
	if !d.owned {
		raw = bytes.Clone(raw)
	}
	var (
		ch    *change.Change
		field string
		err   error
	)
	switch c.kind {
	case kindCloudTrail:
		ch, field, err = decodeCloudTrail(raw)
	case kindEventBridge:
		ch, field, err = decodeEventBridge(raw)
	case kindFalco:
		ch, field, err = decodeFalco(raw, c.provider, valid)
	case kindGCP:
		ch, field, err = decodeGCP(raw)
	default:
		err = errUnrecognised
	}
	if err != nil {
		return d.fail(field, err)
	}
	if !known && d.keep != nil && !d.keep(ch.Provider, ch.EventName) {
		d.skip(ch.ReadOnly)
		return nil
	}
	ch.Raw = raw
	ch.Origin = d.name + "#" + strconv.Itoa(d.index)
	d.stats.Decoded++
	if ch.ReadOnly {
		d.stats.ReadOnly++
	}
	return d.emit(Record{Change: ch, Index: d.index})
}

// eventName returns the normalised name for a raw JSON string, or false
// when the name is not known before a full decode.
func (d *decoder) eventName(p change.Provider, raw []byte) (string, bool) {
	if raw == nil {
		return "", false
	}
	cache := &d.awsNames
	if p == change.GCP {
		cache = &d.gcpNames
	}
	inner := raw[1 : len(raw)-1]
	if n, ok := (*cache)[string(inner)]; ok {
		return n, true
	}
	s, ok := stringValue(raw)
	if !ok {
		return "", false
	}
	var n string
	if p == change.GCP {
		n = change.NormalizeGCPMethodName(s)
	} else {
		n = change.NormalizeAWSEventName(s)
	}
	if n == "" {
		// Not a name: the full decode reports it.
		return "", false
	}
	if d.index < 2 {
		// A single record (a daemon's message) has no use for a cache.
		return n, true
	}
	if *cache == nil {
		*cache = make(map[string]string)
	}
	if len(*cache) < maxCachedNames {
		(*cache)[string(inner)] = n
	}
	return n, true
}

func (d *decoder) skip(readOnly bool) {
	d.stats.Skipped++
	if readOnly {
		d.stats.ReadOnly++
	}
}

// fail reports the current record as failed.
func (d *decoder) fail(field string, err error) error {
	d.stats.Failed++
	if d.line > 0 && d.line != d.index {
		err = fmt.Errorf("line %d: %w", d.line, err)
	}
	return d.emit(Record{Index: d.index, Err: &RecordError{Input: d.name, Index: d.index, Field: field, Err: err}})
}

func (d *decoder) emit(r Record) error {
	if err := d.fn(r); err != nil {
		d.stop = err
		return errStop
	}
	return nil
}
