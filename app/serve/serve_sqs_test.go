package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tfdrift/tfdrift/app/ingest/sqs/sqsfake"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

// TestServeSQS: EventBridge → SQS → serve. The console's write arrives as
// an EventBridge envelope on a queue (the fake checks every request's SigV4
// signature), becomes a recorded drift, and only then is the message
// deleted.
func TestServeSQS(t *testing.T) {
	sc := extract(t)
	fake := sqsfake.New(sqsfake.Options{Region: "us-east-1", AccountID: "123456789012", AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-test"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))

	client := awssqs.New(awssqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret-test", "")})
	ctx := context.Background()
	q, err := client.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("tfdrift-events")})
	if err != nil {
		t.Fatal(err)
	}
	// The demo's security group edit, as EventBridge delivers it.
	var trail struct{ Records []json.RawMessage }
	data, _ := os.ReadFile(filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json"))
	if err := json.Unmarshal(data, &trail); err != nil {
		t.Fatal(err)
	}
	env := map[string]any{"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "AWS API Call via CloudTrail",
		"source": "aws.ec2", "account": "123456789012", "time": "2025-01-20T14:32:15Z", "region": "us-east-1", "resources": []any{},
		"detail": trail.Records[1]}
	body, _ := json.Marshal(env)
	if _, err := client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(string(body))}); err != nil {
		t.Fatal(err)
	}

	cfgPath := filepath.Join(sc.Dir, "sqs.yaml")
	cfg := "sqs:\n  queue_url: \"" + *q.QueueUrl + "\"\n  endpoint: \"" + srv.URL + "\"\n  region: us-east-1\n  pollers: 1\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "tfdrift.db")
	started := make(chan string, 1)
	hook := func(a *Args) { a.Started = func(addr string) { started <- addr } }
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	cenv := job.Env{Stdout: out, Stderr: errb, LookupEnv: os.LookupEnv}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan int, 1)
	go func() {
		done <- runArgs(runCtx, cenv, []string{"--config", cfgPath, "--listen", "127.0.0.1:0", "--state", sc.State, "--database", db, "--format", "json"}, hook)
	}()
	select {
	case <-started:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	if !eventually.Poll(eventually.Timeout, func() bool {
		return len(fake.Messages("tfdrift-events")) == 0 && strings.Contains(out.String(), "web_servers")
	}) {
		t.Fatalf("message not consumed: %d left; stdout %q\nstderr:\n%s", len(fake.Messages("tfdrift-events")), out.String(), errb.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	page, err := st.List(ctx, store.Filter{})
	if err != nil || len(page.Records) != 1 || page.Records[0].ResourceAddress != "module.network.aws_security_group.web_servers" {
		t.Errorf("store: %v %+v", err, page)
	}
	if fake.Refused()["signature"] > 0 || bytes.Contains([]byte(errb.String()), []byte("secret-test")) {
		t.Errorf("refused: %v", fake.Refused())
	}
}
