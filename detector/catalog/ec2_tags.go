package catalog

import (
	"fmt"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

// EC2 tags. CreateTags and DeleteTags take any EC2 resource; the resource
// type follows from the ID prefix. A Target has one type, so the entries
// hold one target per prefix, each taking only the IDs with its prefix.
//
// Only tags is derived, not tags_all: ignore_changes = [tags] is how
// configurations opt out of tag drift, and the attribute must match it. A
// key re-tagged with the value a provider default_tags block already sets
// shows as drift on tags although tags_all is unchanged.
var ec2TagTypes = []struct{ prefix, tfType string }{
	{"i-", "aws_instance"},
	{"sg-", "aws_security_group"},
	{"vpc-", "aws_vpc"},
	{"subnet-", "aws_subnet"},
	{"vol-", "aws_ebs_volume"},
	{"rtb-", "aws_route_table"},
	{"acl-", "aws_network_acl"},
	{"eipalloc-", "aws_eip"},
	{"igw-", "aws_internet_gateway"},
	{"nat-", "aws_nat_gateway"},
	{"eni-", "aws_network_interface"},
	{"vpce-", "aws_vpc_endpoint"},
	{"lt-", "aws_launch_template"},
}

var ec2TagEntries = []Entry{
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateTags",
		Doc:     "adds or overwrites tags on EC2 resources",
		Targets: ec2TagTargets(KeyValues("tagSet.items", "key", "value", false)),
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteTags",
		Doc:     "removes tags from EC2 resources",
		Targets: ec2TagTargets(ec2RemoveTags()),
	},
}

func init() { register(servedBy(ec2TagEntries)) }

func ec2TagTargets(tags Value) []Target {
	out := make([]Target, 0, len(ec2TagTypes))
	for _, t := range ec2TagTypes {
		out = append(out, Target{
			Type: t.tfType, Op: Modify, Key: "id",
			ID:    MapID(ReqID("resourcesSet.items.resourceId"), keepPrefix(t.prefix)),
			Attrs: []Attr{{Name: "tags", Value: tags}},
		})
	}
	return out
}

// keepPrefix keeps the IDs that start with prefix.
func keepPrefix(prefix string) func(string) string {
	return func(id string) string {
		if strings.HasPrefix(id, prefix) {
			return id
		}
		return ""
	}
}

// ec2RemoveTags derives the tags left after DeleteTags. An item naming a
// value removes the tag only when the tag has that value, as the API does.
// A call without a tag list deletes every user tag of the resources (the
// API keeps only "aws:" tags, which Terraform does not hold).
func ec2RemoveTags() Value {
	return func(e *Event, cur any) (any, bool) {
		items := Items(e.Req(), "tagSet.items")
		current, _ := cur.(map[string]any)
		out := make(map[string]any, len(current))
		if len(items) == 0 {
			for k, v := range current {
				if strings.HasPrefix(k, "aws:") {
					out[k] = v
				}
			}
			return out, true
		}
		for k, v := range current {
			out[k] = v
		}
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			k, _ := m["key"].(string)
			if want, named := m["value"]; named && want != nil {
				if have, ok := out[k]; !ok || fmt.Sprint(have) != fmt.Sprint(want) {
					continue
				}
			}
			delete(out, k)
		}
		return out, true
	}
}
