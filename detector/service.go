package detector

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

// AWS services create and delete resources on the account's behalf: Auto
// Scaling launches and terminates a group's instances, EKS managed node
// groups and Elastic Beanstalk environments do so through Auto Scaling
// groups of their own, and ECS places tasks and capacity. Those resources
// are the managed group at work, never in any state, and their lifecycle
// is not drift.
//
// Such calls carry one of three marks in CloudTrail:
//   - the session is a service-linked role: every one lives under the IAM
//     path /aws-service-role/<service principal>/
//     (arn:aws:iam::…:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling),
//     and its sessions are arn:aws:sts::…:assumed-role/AWSServiceRoleFor…/…;
//   - userIdentity.type is AWSService (the service's own principal);
//   - sourceIPAddress is the service principal (autoscaling.amazonaws.com)
//     rather than an address; no caller outside AWS can send that.
//
// Only lifecycle actions are passed over. A service changing an attribute
// of a managed resource (Application Auto Scaling setting an ECS service's
// desired count) still differs from state, and is still reported.

// lifecycleServices are the service principals whose lifecycle actions a
// source address identifies.
var lifecycleServices = map[string]bool{
	"autoscaling.amazonaws.com":      true,
	"ecs.amazonaws.com":              true,
	"eks.amazonaws.com":              true,
	"eks-nodegroup.amazonaws.com":    true,
	"elasticbeanstalk.amazonaws.com": true,
	"spotfleet.amazonaws.com":        true,
	"ec2fleet.amazonaws.com":         true,
}

const serviceRolePath = ":role/aws-service-role/"

// awsServiceActor returns the AWS service that made c on the account's
// behalf ("autoscaling.amazonaws.com"), or "" when a person or a workload
// made it.
func awsServiceActor(c *change.Change) string {
	if c.Provider != change.AWS {
		return ""
	}
	a := c.Actor
	if a.Type == "AWSService" {
		if a.UserName != "" {
			return a.UserName
		}
		return "aws-service"
	}
	for _, arn := range []string{a.IssuerARN, a.ARN} {
		if i := strings.Index(arn, serviceRolePath); i >= 0 {
			rest := arn[i+len(serviceRolePath):]
			if j := strings.IndexByte(rest, '/'); j > 0 {
				return rest[:j]
			}
			return rest
		}
		// A session of a service-linked role, when the record (a Falco
		// alert, say) carries no session issuer.
		if i := strings.Index(arn, ":assumed-role/AWSServiceRoleFor"); i >= 0 {
			return "aws-service-role"
		}
	}
	if lifecycleServices[strings.ToLower(c.SourceIP)] {
		return strings.ToLower(c.SourceIP)
	}
	return ""
}
