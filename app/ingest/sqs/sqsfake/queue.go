package sqsfake

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Queue attribute defaults and limits of a standard queue.
const (
	defaultVisibility  = 30
	maxVisibility      = 43200
	defaultMaxMsgBytes = 262144
	maxAttributes      = 10
	maxWaitSeconds     = 20
	maxDelaySeconds    = 900
)

type queue struct {
	name  string
	url   string
	attrs map[string]string
	msgs  []*message // in send order; deleted messages are removed
}

func (q *queue) intAttr(name string, def int) int {
	if v, err := strconv.Atoi(q.attrs[name]); err == nil {
		return v
	}
	return def
}

type message struct {
	id        string
	body      string
	md5Body   string
	attrs     map[string]MessageAttribute
	md5Attrs  string
	sent      time.Time
	visibleAt time.Time // invisible (in flight or delayed) until then
	inFlight  bool      // received and not yet visible again
	receives  int
	firstRecv time.Time
	receipt   string // the latest receipt handle; older ones are stale
	receiptN  int
}

// MessageAttribute is a message attribute as SQS stores it.
type MessageAttribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// Message is a snapshot of a stored message, for tests.
type Message struct {
	ID                string
	Body              string
	ReceiveCount      int
	InFlight          bool
	MessageAttributes map[string]MessageAttribute
}

// Messages returns a snapshot of the messages in queue name (nil when the
// queue does not exist), in send order.
func (s *Server) Messages(name string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return nil
	}
	now := time.Now()
	out := make([]Message, 0, len(q.msgs))
	for _, m := range q.msgs {
		out = append(out, Message{
			ID: m.id, Body: m.body, ReceiveCount: m.receives,
			InFlight: m.inFlight && now.Before(m.visibleAt), MessageAttributes: m.attrs,
		})
	}
	return out
}

// receiptHandle encodes queue, message and receive number, so that a stale
// handle (from an earlier receive) can be told from a garbled one.
func receiptHandle(q *queue, m *message) string {
	raw := q.name + "\x00" + m.id + "\x00" + strconv.Itoa(m.receiptN) + "\x00" + randomHex(8)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// parseReceipt returns the message ID and receive number of a handle.
func parseReceipt(q *queue, h string) (id string, n int, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return "", 0, false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 4 || parts[0] != q.name {
		return "", 0, false
	}
	n, err = strconv.Atoi(parts[2])
	if err != nil {
		return "", 0, false
	}
	return parts[1], n, true
}

// lookupReceipt finds the in-flight message a receipt handle names. A
// handle for a message already deleted finds nothing and is not an error
// (SQS deletes idempotently); a stale handle is reported as such.
func (q *queue) lookupReceipt(h string) (m *message, stale bool, aerr *apiError) {
	id, n, ok := parseReceipt(q, h)
	if !ok {
		return nil, false, errReceiptHandleIsInvalid("The input receipt handle \"" + h + "\" is not a valid receipt handle.")
	}
	i := slices.IndexFunc(q.msgs, func(m *message) bool { return m.id == id })
	if i < 0 {
		return nil, false, nil
	}
	m = q.msgs[i]
	return m, n != m.receiptN, nil
}

func (q *queue) remove(m *message) {
	q.msgs = slices.DeleteFunc(q.msgs, func(x *message) bool { return x == m })
}

// md5OfAttributes is SQS's MD5OfMessageAttributes: the attributes sorted by
// name, each as length-prefixed name, data type, a transport byte (1 string,
// 2 binary) and length-prefixed value.
func md5OfAttributes(attrs map[string]MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	slices.Sort(names)
	h := md5.New()
	put := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, n := range names {
		a := attrs[n]
		put([]byte(n))
		put([]byte(a.DataType))
		if strings.HasPrefix(a.DataType, "Binary") {
			h.Write([]byte{2})
			put(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			put([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// validBody reports whether s holds only the characters SQS allows:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
func validBody(s string) bool {
	for _, r := range s {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}
