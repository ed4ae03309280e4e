package sqsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	// Region the SigV4 credential scope must name (default "us-east-1").
	Region string
	// AccountID appears in queue URLs (default "000000000000").
	AccountID string
	// AccessKeyID and SecretAccessKey, when set, make the server verify
	// every signature, not only the Authorization header's shape.
	AccessKeyID     string
	SecretAccessKey string
}

// Server is a fake SQS endpoint. Its zero value is not usable; call New.
type Server struct {
	opts Options

	mu      sync.Mutex
	queues  map[string]*queue
	changed chan struct{} // closed and replaced whenever messages change
	nextID  uint64
	calls   map[string]int
	refused map[string]int
}

// New returns an empty server.
func New(opts Options) *Server {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "000000000000"
	}
	return &Server{
		opts:    opts,
		queues:  map[string]*queue{},
		changed: make(chan struct{}),
		calls:   map[string]int{},
		refused: map[string]int{},
	}
}

// Calls returns how many requests each action received (successful or not,
// after authentication), e.g. Calls()["DeleteMessageBatch"].
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Refused returns how many requests were refused before reaching an
// action, by error type (e.g. "InvalidSignatureException").
func (s *Server) Refused() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.refused))
	for k, v := range s.refused {
		out[k] = v
	}
	return out
}

// maxRequestBytes bounds a request body: a batch of ten largest messages.
const maxRequestBytes = 11 << 20

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		s.refuse(w, r, errSerialization("reading request body: "+err.Error()))
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		s.refuse(w, r, errUnknownOperation(fmt.Sprintf("%s %s: the JSON protocol posts to /", r.Method, r.URL.Path)))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.0") {
		s.refuse(w, r, errSerialization(fmt.Sprintf("Content-Type %q: want application/x-amz-json-1.0 (the query/XML protocol is not supported)", ct)))
		return
	}
	if aerr := s.authenticate(r, body, time.Now()); aerr != nil {
		s.refuse(w, r, aerr)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	action, ok := strings.CutPrefix(target, "AmazonSQS.")
	op := operations[action]
	if !ok || op == nil {
		s.refuse(w, r, errUnknownOperation(fmt.Sprintf("X-Amz-Target %q is not an SQS operation this server implements", target)))
		return
	}
	s.mu.Lock()
	s.calls[action]++
	s.mu.Unlock()
	out, aerr := op(s, r, body)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, e *apiError) {
	s.mu.Lock()
	s.refused[e.typ]++
	s.mu.Unlock()
	writeError(w, r, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"com.amazon.coral.service#InternalFailure","message":"encoding response"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Requestid", requestID())
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// notify wakes long polls; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}
