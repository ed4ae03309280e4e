package terraform

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		addr   string
		reason string // "" when valid
	}{
		{"aws_security_group.web", ""},
		{"aws_instance.workers[1]", ""},
		{`aws_s3_bucket.b["logs"]`, ""},
		{`aws_s3_bucket.b["with \"quote\" and ] bracket"]`, ""},
		{"module.network.aws_security_group.web", ""},
		{`module.network.module.sg["eu"].aws_s3_bucket.b["logs"]`, ""},
		{"module.m[0].google_compute_firewall.allow-ssh", ""},
		{"", "empty"},
		{"module.network", "a module address; target a resource inside it"},
		{`module.sg["eu"]`, "a module address; target a resource inside it"},
		{"data.aws_vpc.main", "a data source; data sources are read, not changed"},
		{"module.n.data.aws_vpc.main", "a data source; data sources are read, not changed"},
		{"aws_instance", `"." expected after resource type`},
		{"aws_instance.", "resource name expected"},
		{"aws_instance.app.extra", `unexpected text ".extra"`},
		{"aws_instance.app[x]", "malformed instance key"},
		{`aws_instance.app["open`, "malformed instance key"},
		{"aws_instance.app[1", "malformed instance key"},
		{"-destroy", "resource type expected"},
		{"aws_instance.app -destroy", `unexpected text " -destroy"`},
		{"1aws.x", "resource type expected"},
		{"module..x.y", "module name expected after module."},
		{"module.a b.x.y", `"." expected after module call`},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := parseTarget(tt.addr)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("parseTarget: %v", err)
				}
				return
			}
			var ae *AddressError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *AddressError", err)
			}
			if ae.Reason != tt.reason || ae.Address != tt.addr {
				t.Errorf("err = %+v, want reason %q", ae, tt.reason)
			}
		})
	}
}

func TestParseTargetsSortsAndDedupes(t *testing.T) {
	got, err := parseTargets([]string{"b.x", "a.y", "b.x"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.y", "b.x"}, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	if _, err := parseTargets(nil); err == nil {
		t.Error("no addresses: want an error")
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		addr, target string
		want         bool
	}{
		{"aws_instance.w", "aws_instance.w", true},
		{"aws_instance.w[0]", "aws_instance.w", true},
		{`aws_instance.w["a"]`, "aws_instance.w", true},
		{"aws_instance.web", "aws_instance.w", false},
		{"aws_instance.w", "aws_instance.w[0]", false},
		{"aws_instance.w[1]", "aws_instance.w[0]", false},
		{"module.m.aws_instance.w", "aws_instance.w", false},
	}
	for _, tt := range tests {
		if got := within(tt.addr, tt.target); got != tt.want {
			t.Errorf("within(%q, %q) = %v, want %v", tt.addr, tt.target, got, tt.want)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{
		"aws_instance.app", `module.a["k"].b.c[3]`, "data.a.b", "module.x", `x.y["\"]`, "a.b[", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		if parseTarget(addr) != nil {
			return
		}
		// Whatever is accepted must be a single argv-safe token that
		// covers itself and nothing with a different name.
		if addr == "" || addr[0] == '-' {
			t.Fatalf("accepted %q", addr)
		}
		if !within(addr, addr) || within(addr+"x", addr) {
			t.Fatalf("within broken for %q", addr)
		}
	})
}
