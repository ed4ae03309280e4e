package s3backend

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tfdrift/tfdrift/detector/state"
)

// Workspaces lists the workspaces that have a state object: "default"
// first when the configured key exists, then every workspace stored under
// the workspace key prefix, sorted.
//
// Unlike `terraform workspace list`, which always shows "default", a
// default workspace without a state object is left out: many teams use
// only named workspaces, and a source that can never load would keep
// tfdrift from ever being ready.
func (b *Backend) Workspaces(ctx context.Context) ([]string, error) {
	var out []string
	_, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.key)})
	switch {
	case err == nil:
		out = append(out, state.DefaultWorkspace)
	case httpStatus(err) != http.StatusNotFound:
		return nil, fmt.Errorf("s3://%s/%s: workspaces: %w", b.bucket, b.key, err)
	}

	listPrefix := b.prefix + "/"
	var named []string
	pages := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(b.bucket),
		Prefix: aws.String(listPrefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3://%s/%s: workspaces: %w", b.bucket, listPrefix, err)
		}
		for _, obj := range page.Contents {
			if ws, ok := b.workspaceOf(aws.ToString(obj.Key)); ok {
				named = append(named, ws)
			}
		}
	}
	slices.Sort(named)
	return append(out, slices.Compact(named)...), nil
}

// workspaceOf returns the workspace whose state is at objectKey, if it is
// a workspace state of this configuration: PREFIX/WS/KEY exactly. Other
// configurations sharing the prefix (other keys) are not ours.
func (b *Backend) workspaceOf(objectKey string) (string, bool) {
	rest, ok := strings.CutPrefix(objectKey, b.prefix+"/")
	if !ok {
		return "", false
	}
	ws, key, ok := strings.Cut(rest, "/")
	if !ok || ws == "" || key != b.key || ws == state.DefaultWorkspace {
		return "", false
	}
	return ws, true
}
