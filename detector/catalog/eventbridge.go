package catalog

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const eventsService = "events.amazonaws.com"

// EventBridge rules, targets and buses. Rules are found by bus and name
// (event_bus_name is "default" for the default bus, which calls may leave
// out), targets by rule and target ID. Since provider 5.x a rule's state is
// `state` (ENABLED, DISABLED); older states hold only is_enabled, and each
// is derived only when state has it.
//
// Sources: the EventBridge API Reference (request syntax of each action),
// logged with lower-cased member names; Elastic integrations' recorded
// DeleteRule (packages/aws/data_stream/cloudtrail/_dev/test/pipeline/
// test-delete-rule-json.log: name, force; responseElements null).
var eventsEntries = []Entry{
	{
		Provider: change.AWS, Service: eventsService, Event: "PutRule",
		Doc: "creates or updates a rule",
		Targets: ModifyOrCreate(Target{
			Type: "aws_cloudwatch_event_rule", Key: "event_bus_name:name", ID: eventsRuleID("name"),
			Attrs: []Attr{
				{Name: "schedule_expression", Value: Req("scheduleExpression")},
				{Name: "event_pattern", Value: Doc("eventPattern")},
				{Name: "description", Value: Req("description")},
				{Name: "role_arn", Value: Req("roleArn")},
				{Name: "state", Value: InState(Req("state"))},
			},
		}),
	},
	{
		Provider: change.AWS, Service: eventsService, Event: "DeleteRule",
		Doc:     "deletes a rule",
		Targets: []Target{{Type: "aws_cloudwatch_event_rule", Op: Delete, Key: "event_bus_name:name", ID: eventsRuleID("name")}},
	},
	{
		Provider: change.AWS, Service: eventsService, Event: "EnableRule",
		Doc: "enables a rule",
		Targets: []Target{{
			Type: "aws_cloudwatch_event_rule", Op: Modify, Key: "event_bus_name:name", ID: eventsRuleID("name"),
			Attrs: []Attr{{Name: "state", Value: InState(Const("ENABLED"))}, {Name: "is_enabled", Value: InState(Const(true))}},
		}},
	},
	{
		Provider: change.AWS, Service: eventsService, Event: "DisableRule",
		Doc: "disables a rule",
		Targets: []Target{{
			Type: "aws_cloudwatch_event_rule", Op: Modify, Key: "event_bus_name:name", ID: eventsRuleID("name"),
			Attrs: []Attr{{Name: "state", Value: InState(Const("DISABLED"))}, {Name: "is_enabled", Value: InState(Const(false))}},
		}},
	},
	{
		// One call adds or replaces several targets; each is derived from
		// its own entry in the request.
		Provider: change.AWS, Service: eventsService, Event: "PutTargets",
		Doc: "adds or replaces targets of a rule",
		Targets: ModifyOrCreate(Target{
			Type: "aws_cloudwatch_event_target", Key: "rule:target_id", ID: eventsTargetIDs("targets.id"),
			Attrs: []Attr{
				{Name: "arn", Value: eventsTargetField("arn")},
				{Name: "role_arn", Value: eventsTargetField("roleArn")},
				{Name: "input", Value: eventsTargetField("input")},
			},
		}),
	},
	{
		Provider: change.AWS, Service: eventsService, Event: "RemoveTargets",
		Doc:     "removes targets from a rule",
		Targets: []Target{{Type: "aws_cloudwatch_event_target", Op: Delete, Key: "rule:target_id", ID: eventsTargetIDs("ids")}},
	},
	{
		Provider: change.AWS, Service: eventsService, Event: "CreateEventBus",
		Doc:     "creates an event bus",
		Targets: []Target{{Type: "aws_cloudwatch_event_bus", Op: Create, Key: "id", ID: ReqID("name")}},
	},
	{
		Provider: change.AWS, Service: eventsService, Event: "DeleteEventBus",
		Doc:     "deletes an event bus",
		Targets: []Target{{Type: "aws_cloudwatch_event_bus", Op: Delete, Key: "id", ID: ReqID("name")}},
	},
	{
		Provider: change.AWS, Service: eventsService, Event: "TagResource",
		Doc:     "adds or overwrites tags of a rule",
		Targets: []Target{Tags("aws_cloudwatch_event_rule", "arn", ReqID("resourceARN"), TagListEdit("tags", "key", "value", false))},
	},
	{
		Provider: change.AWS, Service: eventsService, Event: "UntagResource",
		Doc:     "removes tags from a rule",
		Targets: []Target{Tags("aws_cloudwatch_event_rule", "arn", ReqID("resourceARN"), TagKeysEdit("tagKeys"))},
	},
}

func init() { registerGuarded(eventsEntries) }

// eventsBus returns the bus a call names (by name or ARN), "default" when
// it names none.
func eventsBus(e *Event) string {
	bus := ctString(e.Req(), "eventBusName")
	if bus == "" {
		return "default"
	}
	if strings.HasPrefix(bus, "arn:") {
		return LastSegment("/")(bus)
	}
	return bus
}

// eventsRuleID is "BUS:RULE", the rule's event_bus_name:name.
func eventsRuleID(path string) IDs {
	return func(e *Event) []string {
		name := ctString(e.Req(), path)
		if name == "" {
			return nil
		}
		return []string{eventsBus(e) + ":" + name}
	}
}

// eventsTargetIDs is "RULE:TARGET" for every target ID at path.
func eventsTargetIDs(path string) IDs {
	return func(e *Event) []string {
		rule := ctString(e.Req(), "rule")
		if rule == "" {
			return nil
		}
		var out []string
		for _, id := range Strings(e.Req(), path) {
			out = append(out, rule+":"+id)
		}
		return out
	}
}

// eventsTargetField derives a field of the target being derived for
// (Event.ID names it).
func eventsTargetField(field string) Value {
	return func(e *Event, _ any) (any, bool) {
		_, id, ok := strings.Cut(e.ID, ":")
		if !ok {
			return nil, false
		}
		for _, t := range Items(e.Req(), "targets") {
			m, _ := t.(map[string]any)
			if ctString(m, "id") != id {
				continue
			}
			v, ok := m[field]
			return v, ok && v != nil
		}
		return nil, false
	}
}
