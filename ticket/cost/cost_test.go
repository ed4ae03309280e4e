package cost_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket/cost"
)

func mk(typ string, ct drift.ChangeType, region string, changes map[string]drift.AttrChange) *drift.Drift {
	return &drift.Drift{
		ResourceType: typ, ChangeType: ct, Changes: changes,
		Event: &change.Change{Provider: change.AWS, Region: region},
	}
}

const basis = "on-demand list prices, us-east-1, 2025-01; 730 hours a month"

func TestEstimate(t *testing.T) {
	tests := []struct {
		name string
		d    *drift.Drift
		want *cost.Impact
	}{
		{
			// Seed use case 4.
			"instance type", mk("aws_instance", drift.Modified, "us-east-1", map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "m5.8xlarge"}}),
			&cost.Impact{ResourceType: "aws_instance", Attribute: "instance_type", Before: "t3.micro", After: "m5.8xlarge",
				BeforeHourly: 0.0104, AfterHourly: 1.536, BeforeMonthly: 7.59, AfterMonthly: 1121.28, DeltaMonthly: 1113.69, Percent: 14669.23,
				Currency: "USD", Basis: basis},
		},
		{
			// Seed use case 5: a size-only change is priced as gp3.
			"ebs size", mk("aws_ebs_volume", drift.Modified, "us-east-1", map[string]drift.AttrChange{"size": {Expected: 100.0, Actual: 1000.0}}),
			&cost.Impact{ResourceType: "aws_ebs_volume", Attribute: "size", Before: "100 GB gp3", After: "1000 GB gp3",
				BeforeMonthly: 8, AfterMonthly: 80, DeltaMonthly: 72, Percent: 900, Currency: "USD", Basis: basis,
				Assumptions: []string{"volume type is not part of the drift; priced as gp3"}},
		},
		{
			"ebs size and type, sizes as strings", mk("aws_ebs_volume", drift.Modified, "", map[string]drift.AttrChange{"size": {Expected: "100", Actual: json.Number("200")}, "type": {Expected: "gp2", Actual: "io2"}}),
			&cost.Impact{ResourceType: "aws_ebs_volume", Attribute: "size,type", Before: "100 GB gp2", After: "200 GB io2",
				BeforeMonthly: 10, AfterMonthly: 25, DeltaMonthly: 15, Percent: 150, Currency: "USD", Basis: basis},
		},
		{
			"rds downsize in another region", mk("aws_db_instance", drift.Modified, "eu-west-1", map[string]drift.AttrChange{"instance_class": {Expected: "db.r5.large", Actual: "db.t3.micro"}}),
			&cost.Impact{ResourceType: "aws_db_instance", Attribute: "instance_class", Before: "db.r5.large", After: "db.t3.micro",
				BeforeHourly: 0.24, AfterHourly: 0.017, BeforeMonthly: 175.2, AfterMonthly: 12.41, DeltaMonthly: -162.79, Percent: -92.92,
				Currency: "USD", Basis: basis, Assumptions: []string{"priced at us-east-1 rates; eu-west-1 prices differ"}},
		},
		{
			"unmanaged instance", mk("aws_instance", drift.Created, "us-east-1", map[string]drift.AttrChange{"instance_type": {Actual: "g5.xlarge"}}),
			&cost.Impact{ResourceType: "aws_instance", Attribute: "instance_type", After: "g5.xlarge",
				AfterHourly: 1.006, AfterMonthly: 734.38, DeltaMonthly: 734.38, Currency: "USD", Basis: basis},
		},
		{"unknown type", mk("aws_instance", drift.Modified, "", map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "z9.huge"}}), nil},
		{"unknown value", mk("aws_instance", drift.Modified, "", map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Unknown: true}}), nil},
		{"other attribute", mk("aws_instance", drift.Modified, "", map[string]drift.AttrChange{"tags": {Expected: "a", Actual: "b"}}), nil},
		{"ebs type only", mk("aws_ebs_volume", drift.Modified, "", map[string]drift.AttrChange{"type": {Expected: "gp2", Actual: "gp3"}}), nil},
		{"ebs negative", mk("aws_ebs_volume", drift.Modified, "", map[string]drift.AttrChange{"size": {Expected: -1.0, Actual: 2.0}}), nil},
		{"ebs nonsense", mk("aws_ebs_volume", drift.Modified, "", map[string]drift.AttrChange{"size": {Expected: "lots", Actual: 2.0}}), nil},
		{"not priced", mk("aws_s3_bucket", drift.Modified, "", map[string]drift.AttrChange{"acl": {Expected: "private", Actual: "public-read"}}), nil},
		{"gcp", &drift.Drift{ResourceType: "aws_instance", ChangeType: drift.Modified, Event: &change.Change{Provider: change.GCP},
			Changes: map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "m5.large"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cost.Estimate(tt.d)
			if ok != (tt.want != nil) {
				t.Fatalf("Estimate ok = %v, want %v (%+v)", ok, tt.want != nil, got)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(cost.Impact{})); diff != "" {
				t.Errorf("Estimate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImpactText(t *testing.T) {
	im, ok := cost.Estimate(mk("aws_instance", drift.Modified, "us-east-1", map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "m5.8xlarge"}}))
	if !ok {
		t.Fatal("no estimate")
	}
	want := []string{
		"Before: $7.59/month ($0.0104/hr) — t3.micro",
		"After:  $1,121.28/month ($1.536/hr) — m5.8xlarge",
		"Change: +$1,113.69/month (+14,669%)",
	}
	if diff := cmp.Diff(want, im.Lines()); diff != "" {
		t.Errorf("Lines (-want +got):\n%s", diff)
	}
	var nilImpact *cost.Impact
	if nilImpact.String() != "" || nilImpact.Lines() != nil {
		t.Error("a nil Impact renders as nothing")
	}
	for in, want := range map[float64]string{0: "$0.00", 7.5: "$7.50", 1099.5: "$1,099.50", 1234567.891: "$1,234,567.89", -72: "-$72.00"} {
		if got := cost.USD(in); got != want {
			t.Errorf("USD(%v) = %q, want %q", in, got, want)
		}
	}
}

// The embedded table parses and holds the seed's reference prices.
func TestPriceTable(t *testing.T) {
	for _, tt := range []struct {
		service, name string
		want          float64
	}{
		{cost.EC2, "t3.micro", 0.0104},
		{cost.EC2, "m5.8xlarge", 1.536},
		{cost.EC2, "m5.4xlarge", 0.768},
		{cost.EBS, "gp3", 0.08},
		{cost.RDS, "db.t3.micro", 0.017},
		{cost.EC2, " M5.8XLARGE ", 1.536},
	} {
		got, ok := cost.Price(tt.service, tt.name)
		if !ok || got != tt.want {
			t.Errorf("Price(%s, %q) = %v, %v; want %v", tt.service, tt.name, got, ok, tt.want)
		}
	}
	if _, ok := cost.Price(cost.EC2, "gp3"); ok {
		t.Error("services must not share names")
	}
}

func BenchmarkEstimate(b *testing.B) {
	d := mk("aws_instance", drift.Modified, "us-east-1", map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "m5.8xlarge"}})
	for b.Loop() {
		if _, ok := cost.Estimate(d); !ok {
			b.Fatal("no estimate")
		}
	}
}
