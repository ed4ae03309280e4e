package ticket_test

import (
	"testing"

	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

// RefFrom prefers the drift's own receipt; SystemRef finds another
// system's receipt about the resource.
func TestNoticeRefs(t *testing.T) {
	d := sample.SecurityGroup()
	other := sample.IAMPolicy()
	rk := ticket.ResourceKey(d)
	n := &ticket.Notice{Sink: "jira", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
	n.Refs = []ticket.Ref{
		{Sink: "jira", Fingerprint: "older-fp", ResourceKey: rk, Receipt: ticket.Receipt{System: "jira", ExternalID: "INFRA-7"}},
		{Sink: "github", Fingerprint: "older-fp", ResourceKey: rk, Receipt: ticket.Receipt{System: "github", ExternalID: "12", URL: "https://github.com/a/b/issues/12"}},
		{Sink: "jira", Fingerprint: d.Fingerprint, ResourceKey: rk, Receipt: ticket.Receipt{System: "jira", ExternalID: "INFRA-3"}},
		{Sink: "github", Fingerprint: other.Fingerprint, ResourceKey: ticket.ResourceKey(other), Receipt: ticket.Receipt{System: "github", ExternalID: "13", URL: "https://github.com/a/b/issues/13"}},
	}
	if ref, ok := n.RefFrom("jira", d); !ok || ref.ExternalID != "INFRA-3" {
		t.Errorf("RefFrom(jira, d) = %+v, %v; want the drift's own INFRA-3", ref, ok)
	}
	if ref, ok := n.RefFrom("jira", other); ok {
		t.Errorf("RefFrom(jira, other) = %+v; other has no jira receipt", ref)
	}
	if ref, ok := n.SystemRef(ticket.TypeGitHub, d); !ok || ref.ExternalID != "12" {
		t.Errorf("SystemRef(github, d) = %+v, %v; want #12", ref, ok)
	}
	if ref, ok := n.SystemRef(ticket.TypeGitHub, other); !ok || ref.ExternalID != "13" {
		t.Errorf("SystemRef(github, other) = %+v, %v; want #13", ref, ok)
	}
	n.Refs = n.Refs[:1]
	if ref, ok := n.RefFrom("jira", d); !ok || ref.ExternalID != "INFRA-7" {
		t.Errorf("RefFrom falls back to the resource's ticket: %+v, %v", ref, ok)
	}
	if _, ok := n.SystemRef(ticket.TypeGitHub, nil); ok {
		t.Error("SystemRef(nil drift) found something")
	}
}
