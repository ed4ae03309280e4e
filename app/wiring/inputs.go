package wiring

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/ingest/falcogrpc"
	sqsinput "github.com/tfdrift/tfdrift/app/ingest/sqs"
)

// Inputs builds the live inputs the config enables besides POST /falco:
// Falco's gRPC outputs (Falco before 0.44), journaled because Falco never
// redelivers, and EventBridge → SQS, which redelivers until a message is
// deleted and so is not.
func Inputs(ctx context.Context, cfg *config.Config) ([]ingest.Input, error) {
	if cfg == nil {
		return nil, nil
	}
	var out []ingest.Input
	if f := cfg.Falco; f.Enabled && (f.UnixSocket != "" || f.Hostname != "") {
		in, err := falcogrpc.New(falcogrpc.Config{Name: "falco-grpc", UnixSocket: f.UnixSocket, Hostname: f.Hostname,
			Port: uint16(f.Port), CertFile: f.CertFile, KeyFile: f.KeyFile, CARootFile: f.CAFile})
		if err != nil {
			return nil, fmt.Errorf("falco: %w", err)
		}
		out = append(out, ingest.Journal(in, falcogrpc.Source))
	}
	if q := cfg.SQS; q.Enabled {
		var opts []func(*awsconfig.LoadOptions) error
		if q.Region != "" {
			opts = append(opts, awsconfig.WithRegion(q.Region))
		}
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("sqs: AWS configuration: %w", err)
		}
		if q.RoleARN != "" {
			awsCfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(awsCfg), q.RoleARN))
		}
		client := awssqs.NewFromConfig(awsCfg, func(o *awssqs.Options) {
			if q.Endpoint != "" {
				o.BaseEndpoint = aws.String(q.Endpoint)
			}
		})
		in, err := sqsinput.New(sqsinput.Config{Name: "sqs", QueueURL: q.QueueURL, Client: client, Pollers: q.Pollers,
			VisibilityTimeout: q.VisibilityTimeout, DLQURL: q.DLQURL, MaxReceives: q.MaxReceives})
		if err != nil {
			return nil, fmt.Errorf("sqs: %w", err)
		}
		out = append(out, in)
	}
	return out, nil
}
