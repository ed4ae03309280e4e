package sqs

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/ingest/sqs/sqsfake"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

const (
	testKey    = "AKIDTFDRIFTTEST"
	testSecret = "tfdrift-test-secret"
)

// env is a fake SQS served over loopback HTTP, with a source queue and a
// DLQ, and a real aws-sdk-go-v2 client signing with SigV4.
type env struct {
	fake     *sqsfake.Server
	addr     string
	client   *awssqs.Client
	queueURL string
	dlqURL   string

	mu  sync.Mutex
	srv *http.Server
}

func newEnv(t *testing.T, visibility int) *env {
	t.Helper()
	e := &env{fake: sqsfake.New(sqsfake.Options{AccessKeyID: testKey, SecretAccessKey: testSecret})}
	e.start(t)
	t.Cleanup(e.stop)
	e.client = awssqs.New(awssqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + e.addr),
		Credentials:  credentials.NewStaticCredentialsProvider(testKey, testSecret, ""),
		// The input retries by itself; SDK retries would only slow the
		// fault tests down.
		RetryMaxAttempts: 1,
	})
	ctx := context.Background()
	for name, url := range map[string]*string{"events": &e.queueURL, "events-dlq": &e.dlqURL} {
		out, err := e.client.CreateQueue(ctx, &awssqs.CreateQueueInput{
			QueueName:  aws.String(name),
			Attributes: map[string]string{"VisibilityTimeout": strconv.Itoa(visibility)},
		})
		if err != nil {
			t.Fatal(err)
		}
		*url = aws.ToString(out.QueueUrl)
	}
	return e
}

// start serves the fake, on the same address as before after a stop.
func (e *env) start(t *testing.T) {
	t.Helper()
	addr := e.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	srv := &http.Server{Handler: e.fake, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	e.mu.Lock()
	e.srv = srv
	e.mu.Unlock()
}

// stop closes the server and every connection: SQS is unreachable.
func (e *env) stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.srv.Close()
}

func (e *env) send(t *testing.T, body string) string {
	t.Helper()
	out, err := e.client.SendMessage(context.Background(), &awssqs.SendMessageInput{
		QueueUrl: aws.String(e.queueURL), MessageBody: aws.String(body),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"origin": {DataType: aws.String("String"), StringValue: aws.String("eventbridge-rule")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.MessageId)
}

func (e *env) config(cfg Config) Config {
	cfg.QueueURL = e.queueURL
	cfg.Client = e.client
	if cfg.WaitTime == 0 {
		cfg.WaitTime = time.Second
	}
	cfg.MinBackoff = 10 * time.Millisecond
	cfg.MaxBackoff = 100 * time.Millisecond
	cfg.OverloadRetry = time.Millisecond
	return cfg
}

// inbox is a pipeline stand-in: every message goes to a channel, and the
// test decides when to call Done. refuse, when positive, is how many
// offers to refuse as overloaded first.
type inbox struct {
	c      chan ingest.Message
	mu     sync.Mutex
	refuse int
	reject error
}

func newInbox() *inbox { return &inbox{c: make(chan ingest.Message, 100)} }

func (b *inbox) handle(_ context.Context, m ingest.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.refuse > 0 {
		b.refuse--
		return ingest.ErrOverloaded
	}
	if b.reject != nil {
		return b.reject
	}
	b.c <- m
	return nil
}

// next waits for the next message. The deadline only keeps a broken test
// from hanging; nothing asserts on timing.
func (b *inbox) next(t *testing.T) ingest.Message {
	t.Helper()
	select {
	case m := <-b.c:
		return m
	case <-time.After(30 * time.Second):
		t.Fatal("no message arrived")
		return ingest.Message{}
	}
}

// run starts in and returns a function that cancels it and waits for Run
// to return, and a channel closed when Run returns.
func run(t *testing.T, in *Input, h ingest.Handler) (stop func(), done <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		if err := in.Run(ctx, h); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	stop = func() {
		cancel()
		<-ch
	}
	t.Cleanup(stop)
	return stop, ch
}

// waitFor waits for cond with a deadline (internal/eventually).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually.True(t, what, cond)
}
