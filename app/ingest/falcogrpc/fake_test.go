package falcogrpc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/falcosecurity/client-go/pkg/api/outputs"
	"github.com/falcosecurity/client-go/pkg/api/version"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// fakeFalco implements Falco's gRPC output and version services the way
// Falco does: one queue shared by all subscribers, and on the Sub stream
// each request from the client is answered with whatever is queued.
type fakeFalco struct {
	outputs.UnimplementedServiceServer

	mu     sync.Mutex
	queue  []*outputs.Response
	polls  int
	notify chan struct{} // closed and replaced on every change
}

func newFakeFalco() *fakeFalco { return &fakeFalco{notify: make(chan struct{})} }

// publish queues events, as Falco does when rules fire.
func (f *fakeFalco) publish(rs ...*outputs.Response) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, rs...)
	close(f.notify)
	f.notify = make(chan struct{})
}

// pop takes everything queued.
func (f *fakeFalco) pop() []*outputs.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.queue
	f.queue = nil
	return q
}

func (f *fakeFalco) Sub(stream outputs.Service_SubServer) error {
	for {
		if _, err := stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		f.mu.Lock()
		f.polls++
		f.mu.Unlock()
		for _, r := range f.pop() {
			if err := stream.Send(r); err != nil {
				return err
			}
		}
	}
}

func (f *fakeFalco) Get(_ *outputs.Request, stream outputs.Service_GetServer) error {
	for _, r := range f.pop() {
		if err := stream.Send(r); err != nil {
			return err
		}
	}
	return nil
}

// fakeVersion is Falco's version service; client-go users call it to
// check the connection.
type fakeVersion struct {
	version.UnimplementedServiceServer
}

func (fakeVersion) Version(context.Context, *version.Request) (*version.Response, error) {
	return &version.Response{Version: "0.37.1", Major: 0, Minor: 37, Patch: 1}, nil
}

// serve runs f on ln until the returned stop function is called.
func serve(t *testing.T, f *fakeFalco, ln net.Listener, opts ...grpc.ServerOption) (stop func()) {
	t.Helper()
	gs := grpc.NewServer(opts...)
	outputs.RegisterServiceServer(gs, f)
	version.RegisterServiceServer(gs, fakeVersion{})
	done := make(chan error, 1)
	go func() { done <- gs.Serve(ln) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			gs.Stop()
			if err := <-done; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// serveUnix serves f on a unix socket at path.
func serveUnix(t *testing.T, f *fakeFalco, path string) (stop func()) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, f, ln)
}

// serveMTLS serves f on 127.0.0.1 with a server certificate from pki,
// requiring client certificates signed by pki's CA.
func serveMTLS(t *testing.T, f *fakeFalco, p *pki) (port uint16, stop func()) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(p.caCert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA PEM not parsed")
	}
	creds := credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return uint16(ln.Addr().(*net.TCPAddr).Port), serve(t, f, ln, grpc.Creds(creds))
}
