package sqsfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/ingest/sqs/sqsfake"
)

const (
	accessKey = "AKIDSQSFAKETEST"
	secretKey = "sqsfake-secret-key"
)

func newServer(t *testing.T) (*sqsfake.Server, *httptest.Server) {
	t.Helper()
	f := sqsfake.New(sqsfake.Options{AccessKeyID: accessKey, SecretAccessKey: secretKey})
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	return f, ts
}

func newClient(url, key, secret, region string) *awssqs.Client {
	return awssqs.New(awssqs.Options{
		Region:           region,
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
	})
}

func createQueue(t *testing.T, c *awssqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

func TestMessageLifecycle(t *testing.T) {
	ctx := context.Background()
	f, ts := newServer(t)
	c := newClient(ts.URL, accessKey, secretKey, "us-east-1")
	url := createQueue(t, c, "events", map[string]string{"VisibilityTimeout": "1"})
	if got, err := c.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("events")}); err != nil || aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %v, %v; want %s", got, err, url)
	}
	sent, err := c.SendMessage(ctx, &awssqs.SendMessageInput{
		QueueUrl: aws.String(url), MessageBody: aws.String(`{"detail-type":"AWS API Call via CloudTrail"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"origin": {DataType: aws.String("String"), StringValue: aws.String("test")},
			"n":      {DataType: aws.String("Number"), StringValue: aws.String("42")},
			"blob":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		},
	})
	if err != nil {
		t.Fatal(err) // the SDK also checks MD5OfMessageBody
	}
	recv := func(wait int32) []types.Message {
		t.Helper()
		out, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: wait,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	first := recv(0)
	if len(first) != 1 || aws.ToString(first[0].MessageId) != aws.ToString(sent.MessageId) {
		t.Fatalf("first receive: %+v", first)
	}
	if got := first[0].Attributes["ApproximateReceiveCount"]; got != "1" {
		t.Errorf("ApproximateReceiveCount %q, want 1", got)
	}
	if got := aws.ToString(first[0].MD5OfMessageAttributes); got != aws.ToString(sent.MD5OfMessageAttributes) || got == "" {
		t.Errorf("MD5OfMessageAttributes on receive %q, on send %q", got, aws.ToString(sent.MD5OfMessageAttributes))
	}
	if got := first[0].MessageAttributes["blob"].BinaryValue; string(got) != "\x00\x01\x02" {
		t.Errorf("binary attribute %q", got)
	}
	// In flight: invisible to an immediate receive.
	if again := recv(0); len(again) != 0 {
		t.Fatalf("received an in-flight message: %+v", again)
	}
	// A long poll returns when the visibility timeout ends.
	second := recv(5)
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after the visibility timeout: %+v", second)
	}
	// The first receipt handle is stale now: deleting with it leaves the message.
	if _, err := c.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Messages("events")); n != 1 {
		t.Fatalf("%d messages after a stale delete, want 1", n)
	}
	// Extending with the current handle keeps it invisible.
	if _, err := c.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle, VisibilityTimeout: 60}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("current"), ReceiptHandle: second[0].ReceiptHandle},
		{Id: aws.String("garbled"), ReceiptHandle: aws.String("not-a-handle")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 1 || aws.ToString(out.Successful[0].Id) != "current" || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Errorf("DeleteMessageBatch: successful %+v failed %+v", out.Successful, out.Failed)
	}
	if n := len(f.Messages("events")); n != 0 {
		t.Errorf("%d messages after delete, want 0", n)
	}
	calls := f.Calls()
	if calls["ReceiveMessage"] != 3 || calls["DeleteMessageBatch"] != 1 {
		t.Errorf("calls %v", calls)
	}
}

func TestLongPollWakesOnSend(t *testing.T) {
	ctx := context.Background()
	_, ts := newServer(t)
	c := newClient(ts.URL, accessKey, secretKey, "us-east-1")
	url := createQueue(t, c, "q", nil)
	got := make(chan []types.Message, 1)
	go func() {
		out, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		got <- out.Messages
	}()
	time.Sleep(50 * time.Millisecond) // let the poll start; either order works
	if _, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	if msgs := <-got; len(msgs) != 1 || aws.ToString(msgs[0].Body) != "hello" {
		t.Errorf("long poll got %+v", msgs)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	f, ts := newServer(t)
	c := newClient(ts.URL, accessKey, secretKey, "us-east-1")
	url := createQueue(t, c, "q", nil)

	_, err := c.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	var dne *types.QueueDoesNotExist
	if !errors.As(err, &dne) {
		t.Errorf("missing queue: %v, want QueueDoesNotExist", err)
	}
	_, err = c.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{}})
	var empty *types.EmptyBatchRequest
	if !errors.As(err, &empty) {
		t.Errorf("empty batch: %v, want EmptyBatchRequest", err)
	}
	_, err = c.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("???"), VisibilityTimeout: 1})
	var bad *types.ReceiptHandleIsInvalid
	if !errors.As(err, &bad) {
		t.Errorf("bad handle: %v, want ReceiptHandleIsInvalid", err)
	}
	_, err = c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("11 messages: %v, want InvalidParameterValue", err)
	}

	wrongSecret := newClient(ts.URL, accessKey, "not-the-secret", "us-east-1")
	if _, err := wrongSecret.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("q")}); !errors.As(err, &api) || api.ErrorCode() != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: %v, want SignatureDoesNotMatch", err)
	}
	wrongRegion := newClient(ts.URL, accessKey, secretKey, "eu-west-1")
	if _, err := wrongRegion.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("q")}); err == nil || !strings.Contains(err.Error(), `region "eu-west-1"`) {
		t.Errorf("wrong region: %v", err)
	}
	wrongKey := newClient(ts.URL, "AKIDOTHER", secretKey, "us-east-1")
	if _, err := wrongKey.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("q")}); !errors.As(err, &api) || api.ErrorCode() != "InvalidClientTokenId" {
		t.Errorf("unknown key: %v, want InvalidClientTokenId", err)
	}
	refused := f.Refused()
	if refused["InvalidSignatureException"] != 2 || refused["UnrecognizedClientException"] != 1 {
		t.Errorf("refused %v", refused)
	}
}

// TestRawProtocol checks the wire shapes that the SDK hides: the error
// body and headers, and refusals before any action runs.
func TestRawProtocol(t *testing.T) {
	f := sqsfake.New(sqsfake.Options{}) // shape checks only
	ts := httptest.NewServer(f)
	defer ts.Close()
	now := time.Now().UTC()
	date := now.Format("20060102T150405Z")
	goodAuth := "AWS4-HMAC-SHA256 Credential=AKID/" + date[:8] + "/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + strings.Repeat("a", 64)
	tests := []struct {
		name       string
		target     string
		ctype      string
		auth       string
		date       string
		body       string
		status     int
		errType    string
		queryError string
	}{
		{name: "unknown target", target: "AmazonSQS.PurgeEverything", auth: goodAuth, body: "{}", status: 400, errType: "com.amazon.coral.service#UnknownOperationException"},
		{name: "other service", target: "AmazonSNS.Publish", auth: goodAuth, body: "{}", status: 400, errType: "com.amazon.coral.service#UnknownOperationException"},
		{name: "query protocol form", ctype: "application/x-www-form-urlencoded", auth: goodAuth, body: "Action=ReceiveMessage", status: 400, errType: "com.amazon.coral.service#SerializationException"},
		{name: "no authorization", target: "AmazonSQS.ListQueues", status: 403, errType: "com.amazon.coral.service#MissingAuthenticationTokenException", queryError: "MissingAuthenticationToken;Sender"},
		{name: "SigV4a", target: "AmazonSQS.GetQueueUrl", auth: "AWS4-ECDSA-P256-SHA256 Credential=x", status: 400, errType: "com.amazon.coral.service#IncompleteSignatureException"},
		{name: "no signed host", target: "AmazonSQS.GetQueueUrl", auth: strings.Replace(goodAuth, "host;", "", 1), status: 400, errType: "com.amazon.coral.service#IncompleteSignatureException"},
		{name: "wrong service", target: "AmazonSQS.GetQueueUrl", auth: strings.Replace(goodAuth, "/sqs/", "/sns/", 1), status: 403, errType: "com.amazon.coral.service#InvalidSignatureException"},
		{name: "stale date", target: "AmazonSQS.GetQueueUrl", auth: strings.ReplaceAll(goodAuth, date[:8], "20200101"), date: "20200101T000000Z", status: 403, errType: "com.amazon.coral.service#InvalidSignatureException"},
		{name: "unsorted signed headers", target: "AmazonSQS.GetQueueUrl", auth: strings.Replace(goodAuth, "content-type;host", "host;content-type", 1), status: 400, errType: "com.amazon.coral.service#IncompleteSignatureException"},
		{name: "missing queue", target: "AmazonSQS.GetQueueUrl", auth: goodAuth, body: `{"QueueName":"nope"}`, status: 400, errType: "com.amazonaws.sqs#QueueDoesNotExist", queryError: "AWS.SimpleQueueService.NonExistentQueue;Sender"},
		{name: "unknown member", target: "AmazonSQS.GetQueueUrl", auth: goodAuth, body: `{"QueueName":"q","Bogus":1}`, status: 400, errType: "com.amazon.coral.service#SerializationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader(tc.body))
			if tc.ctype == "" {
				tc.ctype = "application/x-amz-json-1.0"
			}
			if tc.date == "" {
				tc.date = date
			}
			req.Header.Set("Content-Type", tc.ctype)
			req.Header.Set("X-Amz-Target", tc.target)
			req.Header.Set("X-Amz-Date", tc.date)
			req.Header.Set("X-Amzn-Query-Mode", "true")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(b, &body); err != nil {
				t.Fatalf("body %q: %v", b, err)
			}
			got := []any{res.StatusCode, body.Type, res.Header.Get("Content-Type"), body.Message != ""}
			want := []any{tc.status, tc.errType, "application/x-amz-json-1.0", true}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\nbody %s", diff, b)
			}
			if tc.queryError != "" && res.Header.Get("X-Amzn-Query-Error") != tc.queryError {
				t.Errorf("x-amzn-query-error %q, want %q", res.Header.Get("X-Amzn-Query-Error"), tc.queryError)
			}
		})
	}
}
