package refresh

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tfdrift/tfdrift/detector/state/gcsbackend"
	"github.com/tfdrift/tfdrift/detector/state/s3backend"
)

const (
	bucket   = "tfstate"
	s3Region = "us-east-1"
)

// s3Fake is gofakes3 on a free loopback port with one bucket.
type s3Fake struct {
	URL    string
	client *s3.Client
}

func newS3Fake(t testing.TB) *s3Fake {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	f := &s3Fake{URL: srv.URL}
	f.client = s3.New(s3.Options{
		Region:       s3Region,
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
	if _, err := f.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return f
}

func (f *s3Fake) put(t testing.TB, key string, data []byte) {
	t.Helper()
	_, err := f.client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
	})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func (f *s3Fake) backend(t testing.TB, key string) *s3backend.Backend {
	t.Helper()
	b, err := s3backend.New(context.Background(), s3backend.Config{
		Bucket:       bucket,
		Key:          key,
		Region:       s3Region,
		Endpoint:     f.URL,
		UsePathStyle: true,
		AWSConfig:    &aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gcsFake is fake-gcs-server on a free loopback port with one bucket. Its
// public host is that port, which Terraform's gcs backend needs.
type gcsFake struct {
	Endpoint string // http://127.0.0.1:PORT/storage/v1/
	server   *fakestorage.Server
}

func newGCSFake(t testing.TB) *gcsFake {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	server, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		NoListener:  true,
		Scheme:      "http",
		Host:        "127.0.0.1",
		PublicHost:  host,
		ExternalURL: "http://" + host,
		Writer:      io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(server.HTTPHandler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	server.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
	return &gcsFake{Endpoint: "http://" + host + "/storage/v1/", server: server}
}

// put writes an object; the fake gives it a new generation.
func (f *gcsFake) put(name string, data []byte) {
	f.server.CreateObject(fakestorage.Object{
		ObjectAttrs: fakestorage.ObjectAttrs{BucketName: bucket, Name: name},
		Content:     data,
	})
}

func (f *gcsFake) backend(t testing.TB, prefix string) *gcsbackend.Backend {
	t.Helper()
	b, err := gcsbackend.New(context.Background(), gcsbackend.Config{
		Bucket: bucket, Prefix: prefix, Endpoint: f.Endpoint, WithoutAuth: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}
