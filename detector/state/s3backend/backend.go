package s3backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfdrift/tfdrift/detector/state"
)

// DefaultWorkspaceKeyPrefix is Terraform's default workspace_key_prefix.
const DefaultWorkspaceKeyPrefix = "env:"

// DefaultRoleSessionName names tfdrift's sessions in the assumed role's
// CloudTrail records, so that its reads are easy to tell apart.
const DefaultRoleSessionName = "tfdrift"

// Config describes one S3 state object, in the terms of Terraform's s3
// backend block.
type Config struct {
	Bucket string
	// Key is the default workspace's object key ("aws/terraform.tfstate").
	Key string
	// Region is the bucket's region. Empty takes the region of the AWS
	// configuration; one of the two must name it.
	Region string
	// Endpoint overrides the S3 endpoint URL, for S3-compatible stores and
	// tests.
	Endpoint string
	// UsePathStyle addresses objects as ENDPOINT/BUCKET/KEY instead of
	// BUCKET.ENDPOINT/KEY; most S3-compatible stores need it.
	UsePathStyle bool

	// RoleARN, when set, is assumed with STS and its temporary credentials
	// read the state: the usual set-up when each account keeps its own
	// state bucket. The base credentials come from AWSConfig.
	RoleARN string
	// ExternalID is passed to AssumeRole when the role's trust policy
	// requires one.
	ExternalID string
	// RoleSessionName defaults to DefaultRoleSessionName.
	RoleSessionName string
	// STSEndpoint overrides the STS endpoint URL (private endpoints, tests).
	STSEndpoint string

	// AWSConfig is the base AWS configuration (credentials, retries, HTTP
	// client). Nil loads the SDK's default configuration: environment,
	// shared config files, then the instance or task role. Passing one
	// loaded configuration to many backends avoids loading it many times.
	AWSConfig *aws.Config

	// Workspace is the Terraform workspace; "" means "default".
	Workspace string
	// WorkspaceKeyPrefix is where non-default workspaces live; "" means
	// DefaultWorkspaceKeyPrefix ("env:"), as in Terraform.
	WorkspaceKeyPrefix string

	// Source labels the snapshots. An empty Name becomes "s3://BUCKET/KEY";
	// Workspace is always set from the backend's workspace.
	Source state.Source
}

func (c *Config) validate() error {
	var errs []error
	if c.Bucket == "" {
		errs = append(errs, errors.New("bucket is required"))
	}
	// Terraform rejects these keys too: they would not round-trip through
	// its workspace paths.
	switch {
	case c.Key == "":
		errs = append(errs, errors.New("key is required"))
	case strings.HasPrefix(c.Key, "/") || strings.HasSuffix(c.Key, "/"):
		errs = append(errs, fmt.Errorf("key %q must not start or end with /", c.Key))
	}
	if strings.HasPrefix(c.WorkspaceKeyPrefix, "/") || strings.HasSuffix(c.WorkspaceKeyPrefix, "/") {
		errs = append(errs, fmt.Errorf("workspace_key_prefix %q must not start or end with /", c.WorkspaceKeyPrefix))
	}
	if err := validWorkspace(c.Workspace); c.Workspace != "" && err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("s3 state s3://%s/%s: %w", c.Bucket, c.Key, err)
	}
	return nil
}

func validWorkspace(ws string) error {
	if ws == "" || strings.Contains(ws, "/") {
		return fmt.Errorf("invalid workspace name %q", ws)
	}
	return nil
}

// Backend reads one workspace's state object. It is safe for concurrent
// use.
type Backend struct {
	client    *s3.Client // shared with the backends ForWorkspace returns
	bucket    string
	key       string // the default workspace's key
	prefix    string // workspace_key_prefix
	objectKey string // this workspace's key
	src       state.Source
}

var _ state.Backend = (*Backend)(nil)

// New returns a backend for the state object cfg names. It does not
// contact AWS: credentials, the assumed role included, are fetched on the
// first request, so a bucket that is down does not stop tfdrift starting.
func New(ctx context.Context, cfg Config) (*Backend, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	awsCfg, err := baseConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("s3 state s3://%s/%s: %w", cfg.Bucket, cfg.Key, err)
	}
	if cfg.RoleARN != "" {
		awsCfg.Credentials = assumeRole(awsCfg, cfg)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.UsePathStyle
	})
	b := &Backend{
		client: client,
		bucket: cfg.Bucket,
		key:    cfg.Key,
		prefix: cfg.WorkspaceKeyPrefix,
		src:    cfg.Source,
	}
	if b.prefix == "" {
		b.prefix = DefaultWorkspaceKeyPrefix
	}
	if b.src.Name == "" {
		b.src.Name = "s3://" + cfg.Bucket + "/" + cfg.Key
	}
	return b.ForWorkspace(cfg.Workspace), nil
}

func baseConfig(ctx context.Context, cfg Config) (aws.Config, error) {
	var awsCfg aws.Config
	if cfg.AWSConfig != nil {
		awsCfg = cfg.AWSConfig.Copy()
	} else {
		var err error
		awsCfg, err = config.LoadDefaultConfig(ctx, config.WithRegion(cfg.Region))
		if err != nil {
			return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
		}
	}
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	if awsCfg.Region == "" {
		return aws.Config{}, errors.New("region is required (set region, or AWS_REGION for the default configuration)")
	}
	return awsCfg, nil
}

// assumeRole returns credentials for cfg.RoleARN, obtained with the base
// credentials and cached until shortly before they expire.
func assumeRole(base aws.Config, cfg Config) aws.CredentialsProvider {
	client := sts.NewFromConfig(base, func(o *sts.Options) {
		if cfg.STSEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.STSEndpoint)
		}
	})
	provider := stscreds.NewAssumeRoleProvider(client, cfg.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = cfg.RoleSessionName
		if o.RoleSessionName == "" {
			o.RoleSessionName = DefaultRoleSessionName
		}
		if cfg.ExternalID != "" {
			o.ExternalID = aws.String(cfg.ExternalID)
		}
	})
	return aws.NewCredentialsCache(provider)
}

// ForWorkspace returns a backend for another workspace of the same
// configuration, sharing the client (and so the assumed role's cached
// credentials). "" means "default". Names containing "/" cannot be
// workspaces; Fetch on such a backend fails.
func (b *Backend) ForWorkspace(ws string) *Backend {
	if ws == "" {
		ws = state.DefaultWorkspace
	}
	nb := *b
	nb.src.Workspace = ws
	nb.objectKey = b.workspaceKey(ws)
	return &nb
}

// workspaceKey is where Terraform stores ws's state.
func (b *Backend) workspaceKey(ws string) string {
	if ws == state.DefaultWorkspace {
		return b.key
	}
	return b.prefix + "/" + ws + "/" + b.key
}

// Source implements state.Backend.
func (b *Backend) Source() state.Source { return b.src }

// URL returns the object's address, s3://BUCKET/KEY.
func (b *Backend) URL() string { return "s3://" + b.bucket + "/" + b.objectKey }

// Fetch implements state.Backend. The version is the object's ETag, and a
// non-empty ifVersion is sent as If-None-Match, so an unchanged object is
// answered with 304 and no body. The body and the ETag come from one
// response, so the version always describes the bytes returned.
func (b *Backend) Fetch(ctx context.Context, ifVersion string) ([]byte, string, error) {
	if err := validWorkspace(b.src.Workspace); err != nil {
		return nil, "", fmt.Errorf("%s: %w", b.URL(), err)
	}
	in := &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.objectKey)}
	if ifVersion != "" {
		in.IfNoneMatch = aws.String(ifVersion)
	}
	out, err := b.client.GetObject(ctx, in)
	if err != nil {
		if ifVersion != "" && httpStatus(err) == http.StatusNotModified {
			return nil, ifVersion, state.ErrNotModified
		}
		return nil, "", fmt.Errorf("%s: %w", b.URL(), err)
	}
	defer out.Body.Close()
	data, err := readBody(out.Body, aws.ToInt64(out.ContentLength))
	if err != nil {
		return nil, "", fmt.Errorf("%s: read: %w", b.URL(), err)
	}
	return data, aws.ToString(out.ETag), nil
}

var _ state.StreamBackend = (*Backend)(nil)

// Open implements state.StreamBackend: Fetch's request, returning the
// body as it arrives. A body that ends before its Content-Length, or runs
// past it, fails the read.
func (b *Backend) Open(ctx context.Context, ifVersion string) (io.ReadCloser, string, error) {
	if err := validWorkspace(b.src.Workspace); err != nil {
		return nil, "", fmt.Errorf("%s: %w", b.URL(), err)
	}
	in := &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.objectKey)}
	if ifVersion != "" {
		in.IfNoneMatch = aws.String(ifVersion)
	}
	out, err := b.client.GetObject(ctx, in)
	if err != nil {
		if ifVersion != "" && httpStatus(err) == http.StatusNotModified {
			return nil, ifVersion, state.ErrNotModified
		}
		return nil, "", fmt.Errorf("%s: %w", b.URL(), err)
	}
	return &sizedBody{body: out.Body, size: aws.ToInt64(out.ContentLength), url: b.URL()}, aws.ToString(out.ETag), nil
}

// sizedBody holds a response body to its Content-Length (when known,
// size > 0), as readBody does.
type sizedBody struct {
	body io.ReadCloser
	size int64
	n    int64
	url  string
}

func (r *sizedBody) Read(p []byte) (int, error) {
	n, err := r.body.Read(p)
	r.n += int64(n)
	switch {
	case r.size > 0 && r.n > r.size:
		return n, fmt.Errorf("%s: body longer than its Content-Length %d", r.url, r.size)
	case err == io.EOF && r.size > 0 && r.n < r.size:
		return n, fmt.Errorf("%s: body ended at byte %d of its Content-Length %d: %w", r.url, r.n, r.size, io.ErrUnexpectedEOF)
	case err != nil && err != io.EOF:
		return n, fmt.Errorf("%s: %w", r.url, err)
	}
	return n, err
}

func (r *sizedBody) Close() error { return r.body.Close() }

// readBody reads r, sized by the Content-Length when known: state objects
// run to hundreds of megabytes, and growing a buffer by doubling would
// copy them many times over.
func readBody(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, err
	}
	// The length was promised; anything beyond it means the object is not
	// what the headers said.
	var one [1]byte
	if n, _ := r.Read(one[:]); n > 0 {
		return nil, fmt.Errorf("body longer than its Content-Length %d", size)
	}
	return data, nil
}

// httpStatus returns the HTTP status of a failed AWS request, or 0.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
