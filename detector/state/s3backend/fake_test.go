package s3backend

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const (
	testBucket = "tfstate"
	testRegion = "eu-west-1"
	baseKeyID  = "AKIDBASE"
)

// fakeS3 is an in-memory S3 on a loopback port that remembers which access
// key signed each request.
type fakeS3 struct {
	URL    string
	client *s3.Client // writes objects as the test's "Terraform"

	mu   sync.Mutex
	reqs []request
}

// request is what the fake saw of one request.
type request struct {
	method, query string
	accessKey     string
}

func newFakeS3(t testing.TB) *fakeS3 {
	t.Helper()
	f := &fakeS3{}
	h := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, request{r.Method, r.URL.RawQuery, accessKeyOf(r)})
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	f.client = s3.New(s3.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDWRITER", "secret", ""),
	})
	if _, err := f.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(testBucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return f
}

// accessKeyOf reads the key ID from a SigV4 Authorization header:
// "AWS4-HMAC-SHA256 Credential=AKID/20240101/region/s3/aws4_request, ...".
func accessKeyOf(r *http.Request) string {
	_, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(cred, "/")
	return id
}

func (f *fakeS3) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

func (f *fakeS3) put(t testing.TB, key string, data []byte) {
	t.Helper()
	_, err := f.client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(testBucket),
		Key:    aws.String(key),
		Body:   bytes.NewReader(data),
	})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// config returns a Config reading key from the fake with static base
// credentials, so no test depends on the machine's AWS set-up.
func (f *fakeS3) config(key string) Config {
	return Config{
		Bucket:       testBucket,
		Key:          key,
		Region:       testRegion,
		Endpoint:     f.URL,
		UsePathStyle: true,
		AWSConfig: &aws.Config{
			Credentials: credentials.NewStaticCredentialsProvider(baseKeyID, "base-secret", ""),
		},
	}
}

func newBackend(t testing.TB, cfg Config) *Backend {
	t.Helper()
	b, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
