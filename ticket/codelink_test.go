package ticket_test

import (
	"testing"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

func TestCodeLink(t *testing.T) {
	gh := ticket.CodeLink{Template: ticket.GitHubBlobTemplate, Owner: "acme", Repo: "infra", Ref: "main"}
	tests := []struct {
		link ticket.CodeLink
		loc  drift.Location
		want string
	}{
		{gh, drift.Location{File: "modules/network/sg.tf", Line: 12}, "https://github.com/acme/infra/blob/main/modules/network/sg.tf#L12"},
		{gh, drift.Location{File: "dir with space/a#b.tf", Line: 1}, "https://github.com/acme/infra/blob/main/dir%20with%20space/a%23b.tf#L1"},
		{gh, drift.Location{File: "main.tf"}, "https://github.com/acme/infra/blob/main/main.tf"},
		{gh, drift.Location{}, ""},
		{ticket.CodeLink{}, drift.Location{File: "main.tf", Line: 1}, ""},
		{ticket.CodeLink{Template: "https://git.example.com/infra/-/blob/v1.2/{file}#L{line}"}, drift.Location{File: "a.tf", Line: 3}, "https://git.example.com/infra/-/blob/v1.2/a.tf#L3"},
	}
	for _, tt := range tests {
		if got := tt.link.URL(tt.loc); got != tt.want {
			t.Errorf("URL(%+v) = %q, want %q", tt.loc, got, tt.want)
		}
	}
	if got := ticket.CodeText(drift.Location{File: "a.tf", Line: 3}); got != "a.tf:3" {
		t.Errorf("CodeText = %q", got)
	}
}
