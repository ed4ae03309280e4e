package catalog

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const autoscalingService = "autoscaling.amazonaws.com"

// EC2 Auto Scaling groups, policies and launch configurations, found by
// name. Auto Scaling is a query-protocol API: CloudTrail logs its
// parameters in lower camel case and lists as JSON arrays.
//
// Instances that a group launches or terminates by itself are not drift;
// the detector recognises the service's own calls. What is mapped here are
// people's writes to the group.
//
// A new launch configuration, and the scale-in protection of new
// instances, apply to the instances the group launches from then on:
// running instances keep theirs until they are replaced. Such an update is
// reported at once, flagged pending (Target.Pending), saying so.
//
// Sources: the Auto Scaling API Reference (request syntax of each action).
//
// Left out for lack of a confirmed record shape: the group's subnets
// (VPCZoneIdentifier, whose logged spelling is not confirmed), its tags
// (CreateOrUpdateTags and DeleteTags, whose tag objects carry resourceId
// and propagateAtLaunch), scheduled actions and lifecycle hooks.
var autoscalingEntries = []Entry{
	{
		Provider: change.AWS, Service: autoscalingService, Event: "CreateAutoScalingGroup",
		Doc: "creates an Auto Scaling group",
		Targets: []Target{{
			Type: "aws_autoscaling_group", Op: Create, Key: "id", ID: ReqID("autoScalingGroupName"),
			Attrs: []Attr{
				{Name: "min_size", Value: ReqNum("minSize")},
				{Name: "max_size", Value: ReqNum("maxSize")},
				{Name: "desired_capacity", Value: ReqNum("desiredCapacity")},
				{Name: "launch_configuration", Value: Req("launchConfigurationName")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: autoscalingService, Event: "UpdateAutoScalingGroup",
		Doc: "changes an Auto Scaling group's size, health checks or launch configuration",
		Targets: []Target{{
			Type: "aws_autoscaling_group", Op: Modify, Key: "id", ID: ReqID("autoScalingGroupName"),
			Pending: asgPending,
			Attrs: []Attr{
				{Name: "min_size", Value: ReqNum("minSize")},
				{Name: "max_size", Value: ReqNum("maxSize")},
				{Name: "desired_capacity", Value: ReqNum("desiredCapacity")},
				{Name: "launch_configuration", Value: Req("launchConfigurationName")},
				{Name: "health_check_type", Value: Req("healthCheckType")},
				{Name: "health_check_grace_period", Value: ReqNum("healthCheckGracePeriod")},
				{Name: "default_cooldown", Value: ReqNum("defaultCooldown")},
				{Name: "max_instance_lifetime", Value: ReqNum("maxInstanceLifetime")},
				{Name: "capacity_rebalance", Value: Bool(Req("capacityRebalance"))},
				{Name: "protect_from_scale_in", Value: Bool(Req("newInstancesProtectedFromScaleIn"))},
				{Name: "termination_policies", Value: List("terminationPolicies")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: autoscalingService, Event: "DeleteAutoScalingGroup",
		Doc:     "deletes an Auto Scaling group",
		Targets: []Target{{Type: "aws_autoscaling_group", Op: Delete, Key: "id", ID: ReqID("autoScalingGroupName")}},
	},
	{
		Provider: change.AWS, Service: autoscalingService, Event: "SetDesiredCapacity",
		Doc: "sets an Auto Scaling group's desired capacity",
		Targets: []Target{{
			Type: "aws_autoscaling_group", Op: Modify, Key: "id", ID: ReqID("autoScalingGroupName"),
			Attrs: []Attr{{Name: "desired_capacity", Value: ReqNum("desiredCapacity")}},
		}},
	},
	{
		// Suspending every process (an empty list) is not modelled: the
		// record then names none.
		Provider: change.AWS, Service: autoscalingService, Event: "SuspendProcesses",
		Doc: "suspends scaling processes of a group",
		Targets: []Target{{
			Type: "aws_autoscaling_group", Op: Modify, Key: "id", ID: ReqID("autoScalingGroupName"),
			Attrs: []Attr{{Name: "suspended_processes", Value: ctSetAdd("scalingProcesses")}},
		}},
	},
	{
		Provider: change.AWS, Service: autoscalingService, Event: "ResumeProcesses",
		Doc: "resumes suspended scaling processes of a group",
		Targets: []Target{{
			Type: "aws_autoscaling_group", Op: Modify, Key: "id", ID: ReqID("autoScalingGroupName"),
			Attrs: []Attr{{Name: "suspended_processes", Value: ctSetRemove("scalingProcesses")}},
		}},
	},
	{
		Provider: change.AWS, Service: autoscalingService, Event: "AttachLoadBalancerTargetGroups",
		Doc: "registers a group's instances with target groups",
		Targets: []Target{
			{Type: "aws_autoscaling_group", Op: Modify, Key: "id", ID: ReqID("autoScalingGroupName"),
				Attrs: []Attr{{Name: "target_group_arns", Value: ctSetAdd("targetGroupARNs")}}},
			{Type: "aws_autoscaling_attachment", Op: Create, Key: "autoscaling_group_name:lb_target_group_arn", Secondary: true,
				ID: asgAttachments()},
		},
	},
	{
		// With aws_autoscaling_attachment in state the attachment is the
		// resource that manages the pairing; the group's computed
		// target_group_arns is compared only without one.
		Provider: change.AWS, Service: autoscalingService, Event: "DetachLoadBalancerTargetGroups",
		Doc: "deregisters a group's instances from target groups",
		Targets: []Target{
			{Type: "aws_autoscaling_attachment", Op: Delete, Key: "autoscaling_group_name:lb_target_group_arn", ID: asgAttachments()},
			{Type: "aws_autoscaling_group", Op: Modify, Key: "id", ID: ReqID("autoScalingGroupName"), Secondary: true,
				Attrs: []Attr{{Name: "target_group_arns", Value: ctSetRemove("targetGroupARNs")}}},
		},
	},
	{
		Provider: change.AWS, Service: autoscalingService, Event: "PutScalingPolicy",
		Doc: "creates or replaces a scaling policy",
		Targets: ModifyOrCreate(Target{
			Type: "aws_autoscaling_policy", Key: "autoscaling_group_name:name",
			ID: JoinID(":", ReqID("autoScalingGroupName"), ReqID("policyName")),
			Attrs: []Attr{
				{Name: "policy_type", Value: Req("policyType")},
				{Name: "adjustment_type", Value: Req("adjustmentType")},
				{Name: "scaling_adjustment", Value: ReqNum("scalingAdjustment")},
				{Name: "cooldown", Value: ReqNum("cooldown")},
			},
		}),
	},
	{
		// policyName may be the policy's ARN, and the group is optional.
		Provider: change.AWS, Service: autoscalingService, Event: "DeletePolicy",
		Doc: "deletes a scaling policy",
		Targets: []Target{
			{Type: "aws_autoscaling_policy", Op: Delete, Key: "autoscaling_group_name:name",
				ID: JoinID(":", ReqID("autoScalingGroupName"), NameOnly(ReqID("policyName")))},
			{Type: "aws_autoscaling_policy", Op: Delete, Key: "arn", ID: ARNOnly(ReqID("policyName"))},
		},
	},
	{
		Provider: change.AWS, Service: autoscalingService, Event: "CreateLaunchConfiguration",
		Doc: "creates a launch configuration",
		Targets: []Target{{
			Type: "aws_launch_configuration", Op: Create, Key: "id", ID: ReqID("launchConfigurationName"),
			Attrs: []Attr{
				{Name: "image_id", Value: Req("imageId")},
				{Name: "instance_type", Value: Req("instanceType")},
				{Name: "iam_instance_profile", Value: Req("iamInstanceProfile")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: autoscalingService, Event: "DeleteLaunchConfiguration",
		Doc:     "deletes a launch configuration",
		Targets: []Target{{Type: "aws_launch_configuration", Op: Delete, Key: "id", ID: ReqID("launchConfigurationName")}},
	},
}

func init() { registerGuarded(autoscalingEntries) }

// asgAttachments is "GROUP:TARGET_GROUP_ARN" for each target group a call
// names, the key of aws_autoscaling_attachment.
func asgAttachments() IDs {
	return func(e *Event) []string {
		group := ctString(e.Req(), "autoScalingGroupName")
		if group == "" {
			return nil
		}
		var out []string
		for _, tg := range Strings(e.Req(), "targetGroupARNs") {
			out = append(out, group+":"+tg)
		}
		return out
	}
}

// asgPending says when an UpdateAutoScalingGroup takes effect: "" when all
// it changes applies now, else for which instances. The EC2 Auto Scaling
// User Guide: after a launch configuration change "existing instances are
// not affected" until replaced; NewInstancesProtectedFromScaleIn protects
// "newly launched instances".
func asgPending(e *Event) string {
	var what []string
	if First(e.Req(), "launchConfigurationName") != nil {
		what = append(what, "launch configuration")
	}
	if First(e.Req(), "newInstancesProtectedFromScaleIn") != nil {
		what = append(what, "scale-in protection")
	}
	if len(what) == 0 {
		return ""
	}
	return "for instances launched from now on: the group's running instances keep their " +
		strings.Join(what, " and ") + " until they are replaced (scaling or an instance refresh)"
}
