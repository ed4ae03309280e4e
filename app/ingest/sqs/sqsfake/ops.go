package sqsfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// operation handles one action. It returns the response value or an error.
type operation func(s *Server, r *http.Request, body []byte) (any, *apiError)

var operations = map[string]operation{
	"CreateQueue":                  (*Server).createQueue,
	"GetQueueUrl":                  (*Server).getQueueURL,
	"GetQueueAttributes":           (*Server).getQueueAttributes,
	"SendMessage":                  (*Server).sendMessage,
	"ReceiveMessage":               (*Server).receiveMessage,
	"DeleteMessage":                (*Server).deleteMessage,
	"DeleteMessageBatch":           (*Server).deleteMessageBatch,
	"ChangeMessageVisibility":      (*Server).changeMessageVisibility,
	"ChangeMessageVisibilityBatch": (*Server).changeMessageVisibilityBatch,
}

// decode reads the request body strictly: an unknown member is a client
// bug the test should see.
func decode(body []byte, v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errSerialization("request body: " + err.Error())
	}
	return nil
}

var queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// queueByURL finds the queue a QueueUrl names by its last path segment:
// the host part changes when a test restarts the server on a new port.
func (s *Server) queueByURL(u string) (*queue, *apiError) {
	if u == "" {
		return nil, errInvalidParameter("QueueUrl is required")
	}
	name := u[strings.LastIndexByte(u, '/')+1:]
	q := s.queues[name]
	if q == nil {
		return nil, errQueueDoesNotExist("The specified queue does not exist.")
	}
	return q, nil
}

// Queue attributes CreateQueue accepts, with their ranges.
var queueAttrRanges = map[string][2]int{
	"VisibilityTimeout":             {0, maxVisibility},
	"ReceiveMessageWaitTimeSeconds": {0, maxWaitSeconds},
	"DelaySeconds":                  {0, maxDelaySeconds},
	"MaximumMessageSize":            {1024, 1 << 20},
	"MessageRetentionPeriod":        {60, 1209600},
}

func (s *Server) createQueue(r *http.Request, body []byte) (any, *apiError) {
	var in struct {
		QueueName  string
		Attributes map[string]string
		Tags       map[string]string `json:"tags"`
	}
	if aerr := decode(body, &in); aerr != nil {
		return nil, aerr
	}
	if strings.HasSuffix(in.QueueName, ".fifo") {
		return nil, errUnsupported("sqsfake serves standard queues only, as tfdrift uses them")
	}
	if !queueNameRE.MatchString(in.QueueName) {
		return nil, errInvalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length: " + strconv.Quote(in.QueueName))
	}
	attrs := map[string]string{
		"VisibilityTimeout":             strconv.Itoa(defaultVisibility),
		"ReceiveMessageWaitTimeSeconds": "0",
		"DelaySeconds":                  "0",
		"MaximumMessageSize":            strconv.Itoa(defaultMaxMsgBytes),
		"MessageRetentionPeriod":        "345600",
	}
	for k, v := range in.Attributes {
		rng, ok := queueAttrRanges[k]
		if !ok {
			return nil, errInvalidParameter("Unknown or unsupported queue attribute " + k)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < rng[0] || n > rng[1] {
			return nil, errInvalidParameter(fmt.Sprintf("Invalid value for the parameter %s: %q is not in [%d, %d]", k, v, rng[0], rng[1]))
		}
		attrs[k] = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queues[in.QueueName]; q != nil {
		for k, v := range in.Attributes {
			if q.attrs[k] != v {
				return nil, errQueueNameExists("A queue already exists with the same name and a different value for attribute " + k)
			}
		}
		return map[string]string{"QueueUrl": q.url}, nil
	}
	q := &queue{name: in.QueueName, attrs: attrs, url: "http://" + r.Host + "/" + s.opts.AccountID + "/" + in.QueueName}
	s.queues[q.name] = q
	return map[string]string{"QueueUrl": q.url}, nil
}

func (s *Server) getQueueURL(_ *http.Request, body []byte) (any, *apiError) {
	var in struct {
		QueueName              string
		QueueOwnerAWSAccountId string
	}
	if aerr := decode(body, &in); aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[in.QueueName]
	if q == nil {
		return nil, errQueueDoesNotExist("The specified queue does not exist.")
	}
	return map[string]string{"QueueUrl": q.url}, nil
}

func (s *Server) getQueueAttributes(_ *http.Request, body []byte) (any, *apiError) {
	var in struct {
		QueueUrl       string
		AttributeNames []string
	}
	if aerr := decode(body, &in); aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.queueByURL(in.QueueUrl)
	if aerr != nil {
		return nil, aerr
	}
	now := time.Now()
	visible, inFlight, delayed := 0, 0, 0
	for _, m := range q.msgs {
		switch {
		case !now.Before(m.visibleAt):
			visible++
		case m.inFlight:
			inFlight++
		default:
			delayed++
		}
	}
	all := map[string]string{
		"ApproximateNumberOfMessages":           strconv.Itoa(visible),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(inFlight),
		"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(delayed),
		"QueueArn":                              "arn:aws:sqs:" + s.opts.Region + ":" + s.opts.AccountID + ":" + q.name,
	}
	for k, v := range q.attrs {
		all[k] = v
	}
	out := map[string]string{}
	for _, n := range in.AttributeNames {
		if n == "All" {
			out = all
			break
		}
		v, ok := all[n]
		if !ok {
			return nil, &apiError{status: 400, typ: "InvalidAttributeName", ns: nsSQS, msg: "Unknown Attribute " + n + ".", query: "InvalidAttributeName", fault: "Sender"}
		}
		out[n] = v
	}
	return map[string]any{"Attributes": out}, nil
}

type attributeIn struct {
	DataType         string
	StringValue      *string
	BinaryValue      []byte
	StringListValues []string
	BinaryListValues [][]byte
}

func (s *Server) sendMessage(_ *http.Request, body []byte) (any, *apiError) {
	var in struct {
		QueueUrl                string
		MessageBody             *string
		DelaySeconds            *int
		MessageAttributes       map[string]attributeIn
		MessageSystemAttributes map[string]attributeIn
		MessageDeduplicationId  string
		MessageGroupId          string
	}
	if aerr := decode(body, &in); aerr != nil {
		return nil, aerr
	}
	if in.MessageBody == nil || *in.MessageBody == "" {
		return nil, errInvalidParameter("The request must contain the parameter MessageBody.")
	}
	if !validBody(*in.MessageBody) {
		return nil, errInvalidMessageContents("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	}
	if in.MessageGroupId != "" || in.MessageDeduplicationId != "" {
		return nil, errInvalidParameter("MessageGroupId and MessageDeduplicationId are for FIFO queues only")
	}
	attrs, size, aerr := messageAttributes(in.MessageAttributes)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.queueByURL(in.QueueUrl)
	if aerr != nil {
		return nil, aerr
	}
	if max := q.intAttr("MaximumMessageSize", defaultMaxMsgBytes); len(*in.MessageBody)+size > max {
		return nil, errInvalidParameter(fmt.Sprintf("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", max))
	}
	delay := q.intAttr("DelaySeconds", 0)
	if in.DelaySeconds != nil {
		if *in.DelaySeconds < 0 || *in.DelaySeconds > maxDelaySeconds {
			return nil, errInvalidParameter(fmt.Sprintf("Value %d for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.", *in.DelaySeconds))
		}
		delay = *in.DelaySeconds
	}
	s.nextID++
	now := time.Now()
	h := randomHex(16)
	m := &message{
		id:        fmt.Sprintf("%s-%s-%s-%s-%012x", h[0:8], h[8:12], h[12:16], h[16:20], s.nextID),
		body:      *in.MessageBody,
		md5Body:   md5Hex(*in.MessageBody),
		attrs:     attrs,
		md5Attrs:  md5OfAttributes(attrs),
		sent:      now,
		visibleAt: now.Add(time.Duration(delay) * time.Second),
	}
	q.msgs = append(q.msgs, m)
	s.notify()
	out := map[string]string{"MessageId": m.id, "MD5OfMessageBody": m.md5Body}
	if m.md5Attrs != "" {
		out["MD5OfMessageAttributes"] = m.md5Attrs
	}
	return out, nil
}

// messageAttributes validates message attributes and returns them with
// their size as SQS counts it against the message size limit.
func messageAttributes(in map[string]attributeIn) (map[string]MessageAttribute, int, *apiError) {
	if len(in) > maxAttributes {
		return nil, 0, errInvalidParameter(fmt.Sprintf("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in), maxAttributes))
	}
	if len(in) == 0 {
		return nil, 0, nil
	}
	out := make(map[string]MessageAttribute, len(in))
	size := 0
	for name, a := range in {
		lower := strings.ToLower(name)
		switch {
		case name == "" || len(name) > 256 || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") || strings.Contains(name, ".."):
			return nil, 0, errInvalidParameter("Message attribute name " + strconv.Quote(name) + " is invalid.")
		case len(a.StringListValues) > 0 || len(a.BinaryListValues) > 0:
			return nil, 0, errUnsupported("Message attribute list values are not supported.")
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch base {
		case "String", "Number":
			if a.StringValue == nil || *a.StringValue == "" {
				return nil, 0, errInvalidParameter("Message attribute " + name + " must contain a non-empty message attribute value for message attribute type " + a.DataType + ".")
			}
			if base == "Number" {
				if _, err := strconv.ParseFloat(*a.StringValue, 64); err != nil {
					return nil, 0, errInvalidParameter("Message attribute " + name + " has an invalid Number value " + strconv.Quote(*a.StringValue) + ".")
				}
			}
			out[name] = MessageAttribute{DataType: a.DataType, StringValue: *a.StringValue}
			size += len(name) + len(a.DataType) + len(*a.StringValue)
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return nil, 0, errInvalidParameter("Message attribute " + name + " must contain a non-empty binary value.")
			}
			out[name] = MessageAttribute{DataType: a.DataType, BinaryValue: a.BinaryValue}
			size += len(name) + len(a.DataType) + len(a.BinaryValue)
		default:
			return nil, 0, errInvalidParameter("The type of message attribute " + name + " is invalid: " + strconv.Quote(a.DataType) + ".")
		}
	}
	return out, size, nil
}

// messageOut is a received message in the response.
type messageOut struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string           `json:",omitempty"`
	MD5OfMessageAttributes string                      `json:",omitempty"`
	MessageAttributes      map[string]MessageAttribute `json:",omitempty"`
}

func (s *Server) receiveMessage(r *http.Request, body []byte) (any, *apiError) {
	var in struct {
		QueueUrl                    string
		MaxNumberOfMessages         *int
		WaitTimeSeconds             *int
		VisibilityTimeout           *int
		AttributeNames              []string
		MessageSystemAttributeNames []string
		MessageAttributeNames       []string
		ReceiveRequestAttemptId     string
	}
	if aerr := decode(body, &in); aerr != nil {
		return nil, aerr
	}
	max := 1
	if in.MaxNumberOfMessages != nil {
		max = *in.MaxNumberOfMessages
		if max < 1 || max > 10 {
			return nil, errInvalidParameter(fmt.Sprintf("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max))
		}
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > maxWaitSeconds) {
		return nil, errInvalidParameter(fmt.Sprintf("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds))
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > maxVisibility) {
		return nil, errInvalidParameter(fmt.Sprintf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", *in.VisibilityTimeout))
	}
	sysNames := append(slices.Clone(in.AttributeNames), in.MessageSystemAttributeNames...)

	s.mu.Lock()
	q, aerr := s.queueByURL(in.QueueUrl)
	if aerr != nil {
		s.mu.Unlock()
		return nil, aerr
	}
	wait := q.intAttr("ReceiveMessageWaitTimeSeconds", 0)
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
	}
	visibility := q.intAttr("VisibilityTimeout", defaultVisibility)
	if in.VisibilityTimeout != nil {
		visibility = *in.VisibilityTimeout
	}
	deadline := time.Now().Add(time.Duration(wait) * time.Second)
	for {
		now := time.Now()
		out := s.take(q, now, max, visibility, sysNames, in.MessageAttributeNames)
		if len(out) > 0 || !now.Before(deadline) {
			s.mu.Unlock()
			if len(out) == 0 {
				return struct{}{}, nil // SQS answers {} when nothing came
			}
			return map[string]any{"Messages": out}, nil
		}
		// Long poll: sleep until a send or visibility change, the next
		// message becoming visible, the deadline, or the client leaving.
		wake := deadline
		for _, m := range q.msgs {
			if m.visibleAt.After(now) && m.visibleAt.Before(wake) {
				wake = m.visibleAt
			}
		}
		changed := s.changed
		s.mu.Unlock()
		t := time.NewTimer(wake.Sub(now))
		select {
		case <-changed:
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return nil, &apiError{status: 499, typ: "RequestCanceled", ns: nsService, msg: "client went away"}
		}
		t.Stop()
		s.mu.Lock()
		if q = s.queues[q.name]; q == nil {
			s.mu.Unlock()
			return nil, errQueueDoesNotExist("The specified queue does not exist.")
		}
	}
}

// take receives up to max visible messages; s.mu must be held.
func (s *Server) take(q *queue, now time.Time, max, visibility int, sysNames, attrNames []string) []messageOut {
	var out []messageOut
	for _, m := range q.msgs {
		if len(out) == max {
			break
		}
		if now.Before(m.visibleAt) {
			continue
		}
		m.receives++
		if m.receives == 1 {
			m.firstRecv = now
		}
		m.receiptN++
		m.receipt = receiptHandle(q, m)
		m.inFlight = true
		m.visibleAt = now.Add(time.Duration(visibility) * time.Second)
		mo := messageOut{MessageId: m.id, ReceiptHandle: m.receipt, MD5OfBody: m.md5Body, Body: m.body}
		mo.Attributes = systemAttributes(m, sysNames)
		if sel := selectAttributes(m.attrs, attrNames); len(sel) > 0 {
			mo.MessageAttributes = sel
			mo.MD5OfMessageAttributes = md5OfAttributes(sel)
		}
		out = append(out, mo)
	}
	return out
}

func systemAttributes(m *message, names []string) map[string]string {
	all := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.receives),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstRecv.UnixMilli(), 10),
		"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
		"SenderId":                         "AIDASQSFAKESENDER",
	}
	out := map[string]string{}
	for _, n := range names {
		if n == "All" {
			return all
		}
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out
}

// selectAttributes applies MessageAttributeNames: "All", ".*", a name, or
// a "prefix.*".
func selectAttributes(attrs map[string]MessageAttribute, names []string) map[string]MessageAttribute {
	out := map[string]MessageAttribute{}
	for k, v := range attrs {
		for _, n := range names {
			prefix, isPrefix := strings.CutSuffix(n, ".*")
			if n == "All" || n == ".*" || n == k || (isPrefix && strings.HasPrefix(k, prefix+".")) {
				out[k] = v
				break
			}
		}
	}
	return out
}

func (s *Server) deleteMessage(_ *http.Request, body []byte) (any, *apiError) {
	var in struct{ QueueUrl, ReceiptHandle string }
	if aerr := decode(body, &in); aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.queueByURL(in.QueueUrl)
	if aerr != nil {
		return nil, aerr
	}
	return struct{}{}, s.deleteLocked(q, in.ReceiptHandle)
}

// deleteLocked deletes by receipt handle. SQS documents that deleting with
// an older handle "succeeds, but the message might not be deleted"; this
// fake never deletes then, so that a consumer relying on it shows up.
func (s *Server) deleteLocked(q *queue, handle string) *apiError {
	m, stale, aerr := q.lookupReceipt(handle)
	if aerr != nil || m == nil || stale {
		return aerr
	}
	q.remove(m)
	s.notify()
	return nil
}

type batchEntry struct {
	Id                string
	ReceiptHandle     string
	VisibilityTimeout *int
}

type batchResult struct {
	Successful []map[string]string `json:"Successful"`
	Failed     []batchFailure      `json:"Failed"`
}

type batchFailure struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkBatch validates a batch's entries as SQS does, before any is applied.
func checkBatch(entries []batchEntry) *apiError {
	switch {
	case len(entries) == 0:
		return errEmptyBatch()
	case len(entries) > 10:
		return errTooManyEntries()
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !batchIDRE.MatchString(e.Id) {
			return errInvalidBatchEntryID(e.Id)
		}
		if seen[e.Id] {
			return errBatchIDsNotDistinct(e.Id)
		}
		seen[e.Id] = true
	}
	return nil
}

func (s *Server) deleteMessageBatch(_ *http.Request, body []byte) (any, *apiError) {
	return s.batch(body, func(q *queue, e batchEntry) *apiError { return s.deleteLocked(q, e.ReceiptHandle) })
}

// batch runs one action per entry of a *Batch request, as SQS does: the
// request fails as a whole only for its own shape; each entry succeeds or
// fails on its own.
func (s *Server) batch(body []byte, each func(q *queue, e batchEntry) *apiError) (any, *apiError) {
	var in struct {
		QueueUrl string
		Entries  []batchEntry
	}
	if aerr := decode(body, &in); aerr != nil {
		return nil, aerr
	}
	if aerr := checkBatch(in.Entries); aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.queueByURL(in.QueueUrl)
	if aerr != nil {
		return nil, aerr
	}
	res := batchResult{Successful: []map[string]string{}, Failed: []batchFailure{}}
	for _, e := range in.Entries {
		if aerr := each(q, e); aerr != nil {
			res.Failed = append(res.Failed, batchFailure{Id: e.Id, SenderFault: true, Code: aerr.typ, Message: aerr.msg})
			continue
		}
		res.Successful = append(res.Successful, map[string]string{"Id": e.Id})
	}
	return res, nil
}

func (s *Server) changeMessageVisibility(_ *http.Request, body []byte) (any, *apiError) {
	var in struct {
		QueueUrl          string
		ReceiptHandle     string
		VisibilityTimeout *int
	}
	if aerr := decode(body, &in); aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.queueByURL(in.QueueUrl)
	if aerr != nil {
		return nil, aerr
	}
	return struct{}{}, s.changeVisibilityLocked(q, in.ReceiptHandle, in.VisibilityTimeout)
}

// changeVisibilityLocked sets an in-flight message's visibility timeout,
// counted from now, as SQS does.
func (s *Server) changeVisibilityLocked(q *queue, handle string, timeout *int) *apiError {
	if timeout == nil {
		return errInvalidParameter("The request must contain the parameter VisibilityTimeout.")
	}
	if *timeout < 0 || *timeout > maxVisibility {
		return errInvalidParameter(fmt.Sprintf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200.", *timeout))
	}
	m, stale, aerr := q.lookupReceipt(handle)
	switch {
	case aerr != nil:
		return aerr
	case m == nil:
		return errReceiptHandleIsInvalid("The receipt handle has expired: the message no longer exists.")
	case stale:
		return errReceiptHandleIsInvalid("The receipt handle has expired: the message was received again since.")
	}
	now := time.Now()
	if !m.inFlight || !now.Before(m.visibleAt) {
		return errMessageNotInflight("The message referred to is not in flight.")
	}
	m.visibleAt = now.Add(time.Duration(*timeout) * time.Second)
	if *timeout == 0 {
		m.inFlight = false
	}
	s.notify()
	return nil
}

func (s *Server) changeMessageVisibilityBatch(_ *http.Request, body []byte) (any, *apiError) {
	return s.batch(body, func(q *queue, e batchEntry) *apiError {
		return s.changeVisibilityLocked(q, e.ReceiptHandle, e.VisibilityTimeout)
	})
}
