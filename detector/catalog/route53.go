package catalog

import (
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const route53Service = "route53.amazonaws.com"

// Route 53 hosted zones and record sets.
//
// One ChangeResourceRecordSets call holds a batch of CREATE, UPSERT and
// DELETE changes, so the entry has one target per outcome, each taking
// only the records of its actions:
//   - CREATE: a new record (unmanaged unless state has it);
//   - DELETE: a removed record;
//   - UPSERT, and a DELETE plus CREATE of the same record (how an edit
//     is often sent): a modified record; if state does not hold it, it is
//     reported as created, unless another record of the batch is managed.
//
// aws_route53_record's ID is ZONEID_name_TYPE[_SETIDENTIFIER], the name in
// lower case without the final dot.
//
// A Value sees the event, not the record it is derived for, so the
// attributes of a modified record are exact only when the batch modifies
// one record; with several, they are reported as written but unknown.
var route53Entries = []Entry{
	{
		Provider: change.AWS, Service: route53Service, Event: "ChangeResourceRecordSets",
		Doc: "creates, changes or deletes DNS records",
		Targets: []Target{
			{Type: "aws_route53_record", Op: Create, Key: "id", ID: r53RecordIDs(r53Created)},
			{Type: "aws_route53_record", Op: Delete, Key: "id", ID: r53RecordIDs(r53Deleted)},
			{Type: "aws_route53_record", Op: Modify, Key: "id", ID: r53RecordIDs(r53Modified),
				Attrs: []Attr{
					{Name: "records", Value: r53RecordValue(r53Records)},
					{Name: "ttl", Value: r53RecordValue(r53TTL)},
					{Name: "alias", Value: r53RecordValue(r53Alias)},
				}},
			{Type: "aws_route53_record", Op: Create, Key: "id", ID: r53RecordIDs(r53Modified), Secondary: true},
		},
	},
	{
		Provider: change.AWS, Service: route53Service, Event: "CreateHostedZone",
		Doc: "creates a hosted zone",
		Targets: []Target{{
			Type: "aws_route53_zone", Op: Create, Key: "zone_id",
			ID: MapID(RespID("hostedZone.id"), LastSegment("/")),
			Attrs: []Attr{
				{Name: "name", Value: Transform(Req("name"), func(x any) (any, bool) {
					s, ok := x.(string)
					return r53Name(s), ok
				})},
				{Name: "comment", Value: Req("hostedZoneConfig.comment")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: route53Service, Event: "DeleteHostedZone",
		Doc: "deletes a hosted zone",
		Targets: []Target{{
			Type: "aws_route53_zone", Op: Delete, Key: "zone_id", ID: MapID(ReqID("id"), LastSegment("/")),
		}},
	},
}

func init() { register(servedBy(route53Entries)) }

// r53Change is one change of a batch.
type r53Change struct {
	action string
	id     string
	set    map[string]any // the resourceRecordSet
}

// r53Name puts a record or zone name in the form the provider keeps: lower
// case, no final dot, and the wildcard unescaped.
func r53Name(s string) string {
	s = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
	return strings.ReplaceAll(s, `\052`, "*")
}

func r53Changes(e *Event) []r53Change {
	zone, _ := First(e.Req(), "hostedZoneId").(string)
	zone = LastSegment("/")(zone)
	if zone == "" {
		return nil
	}
	var out []r53Change
	for _, it := range Items(e.Req(), "changeBatch.changes") {
		c, ok := it.(map[string]any)
		if !ok {
			continue
		}
		set, _ := c["resourceRecordSet"].(map[string]any)
		name, _ := set["name"].(string)
		typ, _ := set["type"].(string)
		action, _ := c["action"].(string)
		if name == "" || typ == "" || action == "" {
			continue
		}
		id := zone + "_" + r53Name(name) + "_" + strings.ToUpper(typ)
		if sid, _ := set["setIdentifier"].(string); sid != "" {
			id += "_" + sid
		}
		out = append(out, r53Change{action: strings.ToUpper(action), id: id, set: set})
	}
	return out
}

// r53Outcome sorts a batch's changes by what they do to each record.
type r53Outcome int

const (
	r53Created r53Outcome = iota
	r53Deleted
	r53Modified
)

// r53Classify returns, per record ID, the outcome of the batch and the
// record set as it is after the batch (nil when deleted).
func r53Classify(changes []r53Change) (map[string]r53Outcome, map[string]map[string]any) {
	created, deleted := map[string]map[string]any{}, map[string]bool{}
	upserted := map[string]map[string]any{}
	for _, c := range changes {
		switch c.action {
		case "CREATE":
			created[c.id] = c.set
		case "DELETE":
			deleted[c.id] = true
		case "UPSERT":
			upserted[c.id] = c.set
		}
	}
	outcome := map[string]r53Outcome{}
	after := map[string]map[string]any{}
	for id, set := range created {
		if deleted[id] {
			outcome[id], after[id] = r53Modified, set
		} else {
			outcome[id], after[id] = r53Created, set
		}
	}
	for id := range deleted {
		if _, ok := created[id]; !ok {
			outcome[id] = r53Deleted
		}
	}
	for id, set := range upserted {
		outcome[id], after[id] = r53Modified, set
	}
	return outcome, after
}

func r53RecordIDs(want r53Outcome) IDs {
	return func(e *Event) []string {
		outcome, _ := r53Classify(r53Changes(e))
		var out []string
		for id, o := range outcome {
			if o == want {
				out = append(out, id)
			}
		}
		sort.Strings(out)
		return out
	}
}

// r53RecordValue derives an attribute of the one record the batch
// modifies, or Unknown when it modifies several.
func r53RecordValue(field func(set map[string]any) (any, bool)) Value {
	return func(e *Event, _ any) (any, bool) {
		outcome, after := r53Classify(r53Changes(e))
		var sets []map[string]any
		for id, o := range outcome {
			if o == r53Modified {
				sets = append(sets, after[id])
			}
		}
		switch len(sets) {
		case 0:
			return nil, false
		case 1:
			return field(sets[0])
		}
		if _, ok := field(sets[0]); !ok {
			return nil, false
		}
		return Unknown, true
	}
}

// r53Records derives records: the values of a plain record, none for an
// alias. The provider keeps TXT and SPF values without their quotes.
func r53Records(set map[string]any) (any, bool) {
	vals := Strings(set, "resourceRecords.value")
	if len(vals) == 0 {
		if set["aliasTarget"] != nil {
			return []any{}, true
		}
		return nil, false
	}
	typ, _ := set["type"].(string)
	out := make([]any, len(vals))
	for i, v := range vals {
		if t := strings.ToUpper(typ); (t == "TXT" || t == "SPF") && len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		out[i] = v
	}
	return out, true
}

// r53TTL derives ttl, logged as "tTL".
func r53TTL(set map[string]any) (any, bool) {
	v, ok := set["tTL"]
	if !ok || v == nil {
		return nil, false
	}
	return v, true
}

// r53Alias derives the alias block: the target for an alias record, none
// for a plain one.
func r53Alias(set map[string]any) (any, bool) {
	a, ok := set["aliasTarget"].(map[string]any)
	if !ok {
		if Strings(set, "resourceRecords.value") != nil {
			return []any{}, true
		}
		return nil, false
	}
	name, _ := a["dNSName"].(string)
	eval, _ := toBool(a["evaluateTargetHealth"])
	if eval == nil {
		eval = false
	}
	return []any{map[string]any{
		"name":                   r53Name(name),
		"zone_id":                a["hostedZoneId"],
		"evaluate_target_health": eval,
	}}, true
}
