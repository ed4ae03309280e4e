package sqs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/ingest"
)

const eventBridgeBody = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","account":"123456789012","time":"2025-01-20T14:32:15Z","region":"us-east-1","detail":{"eventName":"AuthorizeSecurityGroupIngress","eventSource":"ec2.amazonaws.com","eventID":"6c4d7b1a-3f0e-4a7e-9d61-2b8f5e0c9a11"}}`

func snsWrapped(inner string) string {
	msg := strings.ReplaceAll(strings.ReplaceAll(inner, `\`, `\\`), `"`, `\"`)
	return `{"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324","TopicArn":"arn:aws:sns:us-east-1:123456789012:cloudtrail-events","Message":"` + msg + `","Timestamp":"2025-01-20T14:32:16.000Z","SignatureVersion":"1","Signature":"EXAMPLE","SigningCertURL":"https://example.invalid/cert.pem","UnsubscribeURL":"https://example.invalid/unsubscribe"}`
}

func TestDeliverUnwrapDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30)
	in, err := New(e.config(Config{}))
	if err != nil {
		t.Fatal(err)
	}
	box := newInbox()
	run(t, in, box.handle)
	ids := []string{e.send(t, eventBridgeBody), e.send(t, snsWrapped(eventBridgeBody)), e.send(t, `{"Records":[]}`)}

	var got []string
	var gotIDs []string
	for range 3 {
		m := box.next(t)
		if m.Source != Source || m.Received.IsZero() || m.Done == nil {
			t.Errorf("message %+v: want Source, Received and Done set", m)
		}
		got = append(got, string(m.Body))
		gotIDs = append(gotIDs, m.ID)
		m.Done(nil)
		m.Done(nil) // a second call is ignored
	}
	if diff := cmp.Diff([]string{eventBridgeBody, eventBridgeBody, `{"Records":[]}`}, got); diff != "" {
		t.Errorf("bodies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ids, gotIDs); diff != "" {
		t.Errorf("message IDs (-want +got):\n%s", diff)
	}
	waitFor(t, "the queue to empty", func() bool { return len(e.fake.Messages("events")) == 0 })
	waitFor(t, "the deletes to be counted", func() bool { return in.Stats().Deleted == 3 })
	st := in.Stats()
	if st.Received != 3 || st.Delivered != 3 || st.Unwrapped != 1 || st.Completed != 3 || st.Deleted != 3 {
		t.Errorf("stats %+v", st)
	}
	if calls := e.fake.Calls(); calls["DeleteMessage"] != 0 || calls["DeleteMessageBatch"] == 0 {
		t.Errorf("calls %v: want batch deletions only", calls)
	}
	if s := in.Status(); s.State != ingest.StateConnected || s.Name != "sqs" {
		t.Errorf("status %+v", s)
	}
}

func TestDoneErrorRedelivers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	in, err := New(e.config(Config{VisibilityTimeout: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	box := newInbox()
	run(t, in, box.handle)
	id := e.send(t, eventBridgeBody)

	first := box.next(t)
	first.Done(errors.New("state s3://tf/prod.tfstate not loaded yet"))
	// Left alone, the message comes back after its visibility timeout.
	second := box.next(t)
	if first.ID != id || second.ID != id {
		t.Fatalf("IDs %s, %s: want %s twice", first.ID, second.ID, id)
	}
	second.Done(nil)
	waitFor(t, "the queue to empty", func() bool { return len(e.fake.Messages("events")) == 0 })
	// The counter moves when DeleteMessageBatch has returned, a moment
	// after the fake has dropped the message.
	waitFor(t, "the delete to be counted", func() bool { return in.Stats().Deleted == 1 })
	if st := in.Stats(); st.Failed != 1 || st.Completed != 1 || st.Deleted != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestVisibilityExtension(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	// Two seconds, not one: each lease is extended 0.5–1 s before it
	// would lapse, a margin that a loaded CI machine running -race keeps.
	in, err := New(e.config(Config{VisibilityTimeout: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	box := newInbox()
	run(t, in, box.handle)
	e.send(t, eventBridgeBody)
	m := box.next(t)
	// Hold the message for several visibility timeouts: the extensions
	// keep SQS from handing it out again.
	waitFor(t, "three extensions", func() bool { return in.Stats().Extended >= 3 })
	msgs := e.fake.Messages("events")
	if len(msgs) != 1 || msgs[0].ReceiveCount != 1 || !msgs[0].InFlight {
		t.Fatalf("while held: %+v, want one message in flight, received once", msgs)
	}
	select {
	case again := <-box.c:
		t.Fatalf("delivered again while in flight: %+v", again)
	default:
	}
	m.Done(nil)
	waitFor(t, "the queue to empty", func() bool { return len(e.fake.Messages("events")) == 0 })
	if st := in.Stats(); st.Received != 1 || st.LeasesLost != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestPoisonToDLQ(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	in, err := New(e.config(Config{VisibilityTimeout: time.Second, DLQURL: e.dlqURL, MaxReceives: 2}))
	if err != nil {
		t.Fatal(err)
	}
	box := newInbox()
	run(t, in, box.handle)
	id := e.send(t, snsWrapped(eventBridgeBody))
	for range 2 {
		m := box.next(t)
		m.Done(errors.New("decode: record 0: eventName missing\x01"))
	}
	waitFor(t, "the message in the DLQ", func() bool { return len(e.fake.Messages("events-dlq")) == 1 })
	waitFor(t, "the source queue to empty", func() bool { return len(e.fake.Messages("events")) == 0 })
	dead := e.fake.Messages("events-dlq")[0]
	if dead.Body != snsWrapped(eventBridgeBody) {
		t.Errorf("DLQ body %q: want the original, still wrapped", dead.Body)
	}
	attrs := map[string]string{}
	for k, v := range dead.MessageAttributes {
		attrs[k] = v.DataType + ":" + v.StringValue
	}
	want := map[string]string{
		"origin":         "String:eventbridge-rule",
		AttrError:        "String:decode: record 0: eventName missing?",
		AttrReceiveCount: "Number:3",
		AttrSourceQueue:  "String:" + e.queueURL,
		AttrMessageID:    "String:" + id,
	}
	if diff := cmp.Diff(want, attrs); diff != "" {
		t.Errorf("DLQ attributes (-want +got):\n%s", diff)
	}
	select {
	case m := <-box.c:
		t.Errorf("delivered a third time: %+v", m)
	default:
	}
	if st := in.Stats(); st.DeadLettered != 1 || st.Failed != 2 {
		t.Errorf("stats %+v", st)
	}
}

// TestSQSDownAndUp: SQS goes away with a message in flight and comes back
// on the same address. The poller reconnects, the pending deletion goes
// through, and nothing sent is lost.
func TestSQSDownAndUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 10)
	in, err := New(e.config(Config{VisibilityTimeout: 10 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	box := newInbox()
	run(t, in, box.handle)
	first := e.send(t, `{"n":1}`)
	held := box.next(t)

	e.stop()
	waitFor(t, "the input to notice", func() bool {
		s := in.Status()
		return s.State == ingest.StateDisconnected && s.LastError != ""
	})
	held.Done(nil) // the deletion cannot reach SQS yet
	waitFor(t, "a failed deletion", func() bool { return strings.Contains(in.Status().LastError, "delete") })
	e.start(t)
	second := e.send(t, `{"n":2}`)

	seen := map[string]int{held.ID: 1}
	for seen[second] == 0 {
		m := box.next(t)
		seen[m.ID]++
		m.Done(nil)
	}
	waitFor(t, "the queue to empty", func() bool { return len(e.fake.Messages("events")) == 0 })
	if seen[first] == 0 || seen[second] == 0 {
		t.Errorf("seen %v: want both messages", seen)
	}
	waitFor(t, "connected again", func() bool { return in.Status().State == ingest.StateConnected })
	if st := in.Stats(); st.ReceiveErrs == 0 {
		t.Errorf("stats %+v: want failed receives counted", st)
	}
	t.Logf("deliveries per message: %v", seen)
}

func TestGracefulStop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30)
	in, err := New(e.config(Config{DrainTimeout: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	box := newInbox()
	stop, done := run(t, in, box.handle)
	e.send(t, eventBridgeBody)
	m := box.next(t)
	go stop()
	// Polling stops, but Run waits for the message in flight.
	waitFor(t, "polling to stop", func() bool { return in.tr.len() == 1 && e.fake.Calls()["ReceiveMessage"] > 0 })
	select {
	case <-done:
		t.Fatal("Run returned with a message in flight")
	default:
	}
	m.Done(nil)
	<-done
	if n := len(e.fake.Messages("events")); n != 0 {
		t.Errorf("%d messages left: the drained message should be deleted", n)
	}
	if s := in.Status(); s.State != ingest.StateDisconnected {
		t.Errorf("status after Run: %+v", s)
	}
}

func TestDrainTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30)
	in, err := New(e.config(Config{DrainTimeout: 50 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	box := newInbox()
	stop, _ := run(t, in, box.handle)
	e.send(t, eventBridgeBody)
	m := box.next(t)
	stop() // returns although the message was never done
	msgs := e.fake.Messages("events")
	if len(msgs) != 1 || !msgs[0].InFlight {
		t.Errorf("after the drain timeout: %+v, want the message left in flight", msgs)
	}
	m.Done(nil) // late: must neither block nor panic
}

func TestOverloadAndReject(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30)
	in, err := New(e.config(Config{}))
	if err != nil {
		t.Fatal(err)
	}
	box := newInbox()
	box.refuse = 3
	run(t, in, box.handle)
	e.send(t, eventBridgeBody)
	box.next(t).Done(nil)
	waitFor(t, "the queue to empty", func() bool { return len(e.fake.Messages("events")) == 0 })

	box.mu.Lock()
	box.reject = errors.New("pipeline closed")
	box.mu.Unlock()
	e.send(t, eventBridgeBody)
	waitFor(t, "the rejection", func() bool { return in.Stats().Rejected == 1 })
	if msgs := e.fake.Messages("events"); len(msgs) != 1 {
		t.Errorf("rejected message: %+v, want it left in the queue", msgs)
	}
	if st := in.Stats(); st.Overloaded != 3 || st.Delivered != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestPollers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30)
	in, err := New(e.config(Config{Pollers: 3, MaxMessages: 4}))
	if err != nil {
		t.Fatal(err)
	}
	box := newInbox()
	run(t, in, box.handle)
	var want []string
	for i := range 25 {
		want = append(want, e.send(t, fmt.Sprintf(`{"n":%d}`, i)))
	}
	var got []string
	for range 25 {
		m := box.next(t)
		got = append(got, m.ID)
		m.Done(nil)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	waitFor(t, "the queue to empty", func() bool { return len(e.fake.Messages("events")) == 0 })
}

func TestNew(t *testing.T) {
	client := newEnv(t, 30).client
	tests := []struct {
		name string
		cfg  Config
		err  string
	}{
		{"no queue", Config{Client: client}, "no queue URL"},
		{"no client", Config{QueueURL: "q"}, "no SQS client"},
		{"DLQ is the queue", Config{QueueURL: "q", Client: client, DLQURL: "q"}, "the DLQ is the queue itself"},
		{"pollers", Config{QueueURL: "q", Client: client, Pollers: -1}, "pollers -1"},
		{"max messages", Config{QueueURL: "q", Client: client, MaxMessages: 11}, "max messages 11"},
		{"wait time", Config{QueueURL: "q", Client: client, WaitTime: 21 * time.Second}, "wait time 21s"},
		{"fractional wait", Config{QueueURL: "q", Client: client, WaitTime: 1500 * time.Millisecond}, "whole seconds"},
		{"visibility", Config{QueueURL: "q", Client: client, VisibilityTimeout: 500 * time.Millisecond}, "visibility timeout 500ms"},
		{"backoff", Config{QueueURL: "q", Client: client, MinBackoff: time.Minute, MaxBackoff: time.Second}, "backoff"},
		{"max receives", Config{QueueURL: "q", Client: client, MaxReceives: -1}, "max receives"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
		})
	}
	in, err := New(Config{Name: "sqs-eu", QueueURL: "q", Client: client})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Run(t.Context(), nil); err == nil {
		t.Error("Run with a nil handler: want an error")
	}
	if s := in.Status(); s.Name != "sqs-eu" || s.State != ingest.StateDisconnected {
		t.Errorf("status %+v", s)
	}
}
