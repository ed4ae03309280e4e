// Package ticket turns drifts into notices and defines what a notice sink
// is: the small Sink interface and the Receipt a delivery leaves, the
// typed delivery errors the outbox acts on, the Router that decides which
// sinks hear about a drift, storm control's policy (StormControl, which
// the store applies, and GroupNotice, which folds a storm of drifts from
// one actor into one notice), and the stable JSON form of a Notice that
// the durable outbox stores.
//
// The sinks themselves live in subpackages, one each (slack, webhook,
// pagerduty, jira, ghissue for GitHub issues, email, output), each a pure
// renderer plus a sender.
// cost estimates the monthly cost of a drift; deliver runs the outbox
// workers.
//
// Import direction: cmd → app → ticket. Nothing under ticket imports app
// or app/config: the app maps its configuration onto the option structs
// declared here and in the sink packages. ticket may import detector's
// leaf packages (change, drift, rules) and nothing else of tfdrift's; of
// the sinks, ghissue also imports gitops/ghapi, the GitHub client.
package ticket
