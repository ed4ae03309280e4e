package detector

import (
	"testing"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
)

// TestAWSServicesActingForTheAccount: Auto Scaling launching and
// terminating a group's instances, an EKS managed node group, ECS and
// Elastic Beanstalk creating what they run on are the managed group at
// work: no unmanaged creation, no deletion. The same calls made by a person
// are reported.
func TestAWSServicesActingForTheAccount(t *testing.T) {
	ti := newTestIndex(t)
	ti.load(5, []stateResource{{Type: "aws_instance", Name: "bastion", Attributes: map[string]any{
		"id": "i-0a1b2c3d4e5f67890", "instance_type": "t3.micro", "ami": "ami-0f3caa1cf4417e51b"}}})
	e := New(Options{Catalog: catalog.Default(), Index: ti.ix})
	results := replayFile(t, e, "testdata/aws_service_records.json")
	want := []struct {
		name    string
		outcome Outcome
		drifts  []string
	}{
		{"Auto Scaling launches an instance", OutcomeAWSService, nil},
		{"Auto Scaling terminates an instance", OutcomeAWSService, nil},
		{"an EKS node group's Auto Scaling group launches a node", OutcomeAWSService, nil},
		{"an EKS node group creates its remote-access security group", OutcomeAWSService, nil},
		{"ECS launches a managed instance", OutcomeAWSService, nil},
		{"Elastic Beanstalk (through CloudFormation) creates a security group", OutcomeAWSService, nil},
		{"a person launches the same instance", OutcomeDrift, []string{"aws_instance created ami,instance_type,subnet_id,tags,vpc_security_group_ids"}},
		{"a person terminates a managed instance", OutcomeDrift, []string{"aws_instance deleted "}},
	}
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d", len(results), len(want))
	}
	for i, w := range want {
		got := summarize(results[i])
		if results[i].Outcome != w.outcome || len(got) != len(w.drifts) {
			t.Errorf("%s: outcome %s, drifts %q; want %s %q", w.name, results[i].Outcome, got, w.outcome, w.drifts)
			continue
		}
		for j := range got {
			if got[j] != w.drifts[j] {
				t.Errorf("%s: drift %q, want %q", w.name, got[j], w.drifts[j])
			}
		}
	}
}

// TestAWSServiceModifyIsStillDrift: only lifecycle actions are passed
// over; a service changing a managed resource's attribute still differs
// from state.
func TestAWSServiceModifyIsStillDrift(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	c := ev("AuthorizeSecurityGroupIngress", "svc1", sprintf(sshToWorld, "sg-web"), "")
	c.SourceIP, c.UserAgent = "elasticbeanstalk.amazonaws.com", "elasticbeanstalk.amazonaws.com"
	c.Actor = change.Actor{Type: "AssumedRole", UserName: "ElasticBeanstalk",
		ARN:       "arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForElasticBeanstalk/ElasticBeanstalk",
		IssuerARN: "arn:aws:iam::111111111111:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk"}
	if got := e.Process(c).Outcome; got != OutcomeDrift {
		t.Errorf("outcome %s, want drift", got)
	}
}

func TestAWSServiceActor(t *testing.T) {
	tests := []struct {
		name string
		c    change.Change
		want string
	}{
		{"service-linked role session", change.Change{Provider: change.AWS, Actor: change.Actor{Type: "AssumedRole",
			IssuerARN: "arn:aws:iam::1:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"}}, "autoscaling.amazonaws.com"},
		{"custom suffix", change.Change{Provider: change.AWS, Actor: change.Actor{Type: "AssumedRole",
			IssuerARN: "arn:aws:iam::1:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_prod"}}, "autoscaling.amazonaws.com"},
		{"session without issuer (Falco)", change.Change{Provider: change.AWS, Actor: change.Actor{Type: "AssumedRole",
			ARN: "arn:aws:sts::1:assumed-role/AWSServiceRoleForAmazonEKSNodegroup/EKS"}}, "aws-service-role"},
		{"service principal", change.Change{Provider: change.AWS, Actor: change.Actor{Type: "AWSService", UserName: "ecs.amazonaws.com"}}, "ecs.amazonaws.com"},
		{"source address", change.Change{Provider: change.AWS, SourceIP: "autoscaling.amazonaws.com"}, "autoscaling.amazonaws.com"},
		{"a person through CloudFormation", change.Change{Provider: change.AWS, SourceIP: "cloudformation.amazonaws.com",
			Actor: change.Actor{Type: "AssumedRole", IssuerARN: "arn:aws:iam::1:role/Admin"}}, ""},
		{"a role named like a service role", change.Change{Provider: change.AWS,
			Actor: change.Actor{Type: "AssumedRole", IssuerARN: "arn:aws:iam::1:role/ci/AWSServiceRoleLookalike"}}, ""},
		{"a person", change.Change{Provider: change.AWS, SourceIP: "203.0.113.42", Actor: change.Actor{Type: "IAMUser", ARN: "arn:aws:iam::1:user/bob"}}, ""},
		{"GCP", change.Change{Provider: change.GCP, SourceIP: "autoscaling.amazonaws.com"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := awsServiceActor(&tt.c); got != tt.want {
				t.Errorf("awsServiceActor = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPendingModification: an RDS or ElastiCache change made without
// ApplyImmediately is reported at once, flagged pending, with the window
// it lands in; one applied immediately is not pending. An Auto Scaling
// group's new launch configuration is pending for the running instances.
func TestPendingModification(t *testing.T) {
	for _, tt := range []struct {
		file        string
		pending     bool
		takesEffect string
	}{
		{"aws/rds/ModifyDBInstance_pending.json", true, "at the next maintenance window (sun:05:00-sun:06:00 UTC)"},
		{"aws/rds/ModifyDBInstance.json", false, ""},
		{"aws/elasticache/ModifyCacheCluster_pending.json", true, "at the next maintenance window (thu:05:00-thu:06:00 UTC), or at a failure reboot if one comes first"},
		{"aws/elasticache/ModifyCacheCluster_applied_now.json", false, ""},
		{"aws/autoscaling/UpdateAutoScalingGroup_launch_configuration.json", true,
			"for instances launched from now on: the group's running instances keep their launch configuration until they are replaced (scaling or an instance refresh)"},
		{"aws/autoscaling/UpdateAutoScalingGroup_size.json", false, ""},
	} {
		t.Run(tt.file, func(t *testing.T) {
			c := loadCaseFile(t, tt.file)
			ti := newTestIndex(t)
			var rs []stateResource
			for _, s := range c.State {
				rs = append(rs, stateResource{Type: s.Type, Attributes: s.Attributes})
			}
			ti.load(4, rs)
			e := New(Options{Catalog: catalog.Default(), Index: ti.ix})
			res := e.Process(recordChange(t, c.Record))
			if len(res.Drifts) != 1 {
				t.Fatalf("outcome %s", res.Outcome)
			}
			d := res.Drifts[0]
			if d.Pending != tt.pending || d.TakesEffect != tt.takesEffect {
				t.Errorf("pending=%v takes_effect=%q, want %v %q", d.Pending, d.TakesEffect, tt.pending, tt.takesEffect)
			}
		})
	}
}
