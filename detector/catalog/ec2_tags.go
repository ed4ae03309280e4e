package catalog

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

// EC2 tags. CreateTags and DeleteTags take any EC2 resource; the resource
// type follows from the ID prefix. A Target has one type, so the entries
// hold one target per prefix, each taking only the IDs with its prefix.
//
// Writes are read against the provider's default_tags (see OwnTags in
// dsl.go): tags is derived for the keys the code sets and for new keys,
// tags_all only when a key that the defaults alone set is changed.
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
		Targets: ec2TagTargets(TagListEdit("tagSet.items", "key", "value", false)),
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteTags",
		Doc:     "removes tags from EC2 resources",
		Targets: ec2TagTargets(ec2RemoveTags()),
	},
}

func init() { register(servedBy(ec2TagEntries)) }

func ec2TagTargets(edit TagEdit) []Target {
	out := make([]Target, 0, len(ec2TagTypes))
	for _, t := range ec2TagTypes {
		out = append(out, Tags(t.tfType, "id", MapID(ReqID("resourcesSet.items.resourceId"), keepPrefix(t.prefix)), edit))
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

// ec2RemoveTags reads DeleteTags (see TagKeysEdit). A call without a tag
// list deletes every user tag of the resources (the API keeps only "aws:"
// tags, which Terraform does not hold).
func ec2RemoveTags() TagEdit {
	remove := TagKeysEdit("tagSet.items")
	return func(e *Event) (TagChange, bool) {
		if len(Items(e.Req(), "tagSet.items")) == 0 {
			return TagChange{Clear: true}, true
		}
		return remove(e)
	}
}
