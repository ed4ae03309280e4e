package wiring

import (
	"context"
	"fmt"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/detector/state/gcsbackend"
	"github.com/tfdrift/tfdrift/detector/state/s3backend"
)

// workspaceLister is a remote backend that can enumerate its workspaces.
type workspaceLister[B state.Backend] interface {
	state.Backend
	Workspaces(ctx context.Context) ([]string, error)
	ForWorkspace(ws string) B
}

// RemoteBackends builds the S3 and GCS state backends of the config. A
// source with `workspaces:` reads exactly those; without, every workspace
// found in the bucket is read (listed once, at start-up).
func RemoteBackends(ctx context.Context, cfg *config.Config) ([]state.Backend, error) {
	if cfg == nil {
		return nil, nil
	}
	var out []state.Backend
	for _, s := range cfg.StateSources() {
		src := state.Source{Name: s.Name, Workspace: state.DefaultWorkspace, Provider: s.Provider, Account: s.Account}
		switch s.Backend {
		case config.BackendS3:
			if src.Name == "" {
				src.Name = fmt.Sprintf("s3://%s/%s", s.S3Bucket, s.S3Key)
			}
			b, err := s3backend.New(ctx, s3backend.Config{
				Bucket: s.S3Bucket, Key: s.S3Key, Region: s.S3Region, Endpoint: s.S3Endpoint,
				UsePathStyle: s.S3Endpoint != "", RoleARN: s.RoleARN,
				WorkspaceKeyPrefix: s.WorkspaceKeyPrefix, Source: src,
			})
			if err != nil {
				return nil, fmt.Errorf("state %s: %w", src.Name, err)
			}
			bs, err := expandWorkspaces[*s3backend.Backend](ctx, b, s.Workspaces)
			if err != nil {
				return nil, fmt.Errorf("state %s: %w", src.Name, err)
			}
			out = append(out, bs...)
		case config.BackendGCS:
			if src.Name == "" {
				src.Name = fmt.Sprintf("gs://%s/%s", s.GCSBucket, s.GCSPrefix)
			}
			b, err := gcsbackend.New(ctx, gcsbackend.Config{
				Bucket: s.GCSBucket, Prefix: s.GCSPrefix, Endpoint: s.GCSEndpoint, Source: src,
			})
			if err != nil {
				return nil, fmt.Errorf("state %s: %w", src.Name, err)
			}
			bs, err := expandWorkspaces[*gcsbackend.Backend](ctx, b, s.Workspaces)
			if err != nil {
				return nil, fmt.Errorf("state %s: %w", src.Name, err)
			}
			out = append(out, bs...)
		}
	}
	return out, nil
}

func expandWorkspaces[B state.Backend](ctx context.Context, b workspaceLister[B], want []string) ([]state.Backend, error) {
	names := want
	if len(names) == 0 {
		found, err := b.Workspaces(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing workspaces: %w", err)
		}
		names = found
	}
	if len(names) == 0 {
		return []state.Backend{b}, nil
	}
	out := make([]state.Backend, 0, len(names))
	for _, ws := range names {
		out = append(out, b.ForWorkspace(ws))
	}
	return out, nil
}
