package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// HoursPerMonth is the month the estimates use (AWS's own convention).
const HoursPerMonth = 730

// TableRegion and TableDate say which prices the table holds.
const (
	TableRegion = "us-east-1"
	TableDate   = "2025-01"
)

//go:embed prices.csv
var pricesCSV string

// Service names of the price table's first column.
const (
	EC2 = "ec2"
	RDS = "rds"
	EBS = "ebs"
)

// defaultVolumeType prices a volume whose type the drift does not carry
// (a size-only change); gp3 is what new volumes get by default.
const defaultVolumeType = "gp3"

type priceKey struct{ service, name string }

var table = sync.OnceValues(func() (map[priceKey]float64, error) { return parseTable(pricesCSV) })

func parseTable(src string) (map[priceKey]float64, error) {
	out := map[priceKey]float64{}
	for i, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 4 {
			return nil, fmt.Errorf("prices.csv:%d: want 4 columns (service,name,usd,unit), got %d", i+1, len(f))
		}
		usd, err := strconv.ParseFloat(f[2], 64)
		if err != nil || usd <= 0 {
			return nil, fmt.Errorf("prices.csv:%d: price %q is not a positive number", i+1, f[2])
		}
		want := "hour"
		if f[0] == EBS {
			want = "gb-month"
		}
		if f[3] != want {
			return nil, fmt.Errorf("prices.csv:%d: %s prices are per %s, not %q", i+1, f[0], want, f[3])
		}
		k := priceKey{f[0], f[1]}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("prices.csv:%d: %s %s is listed twice", i+1, f[0], f[1])
		}
		out[k] = usd
	}
	return out, nil
}

// Price returns the table's price for name in service: USD per hour for
// ec2 and rds, per GB-month for ebs.
func Price(service, name string) (float64, bool) {
	t, err := table()
	if err != nil {
		return 0, false
	}
	p, ok := t[priceKey{service, strings.ToLower(strings.TrimSpace(name))}]
	return p, ok
}

// Impact is a drift's estimated effect on the monthly bill, in USD.
type Impact struct {
	ResourceType string `json:"resource_type"`
	// Attribute is what the estimate follows: instance_type,
	// instance_class, size, type, or "size,type".
	Attribute string `json:"attribute"`
	// Before and After describe the priced configurations ("t3.micro",
	// "100 GB gp3"); Before is empty for a created resource.
	Before string `json:"before"`
	After  string `json:"after"`
	// BeforeHourly and AfterHourly are set for instances and databases.
	BeforeHourly  float64 `json:"before_hourly,omitempty"`
	AfterHourly   float64 `json:"after_hourly,omitempty"`
	BeforeMonthly float64 `json:"before_monthly"`
	AfterMonthly  float64 `json:"after_monthly"`
	DeltaMonthly  float64 `json:"delta_monthly"`
	// Percent is the change relative to BeforeMonthly; 0 when
	// BeforeMonthly is 0 (a created resource).
	Percent  float64 `json:"percent"`
	Currency string  `json:"currency"`
	// Basis says which prices were used.
	Basis string `json:"basis"`
	// Assumptions lists what the estimate had to guess.
	Assumptions []string `json:"assumptions,omitempty"`

	// rawBefore and rawAfter are the unrounded monthly amounts, so the
	// delta and percent do not carry rounding errors.
	rawBefore, rawAfter float64
}

// Estimate returns the cost impact of d, or false when d changes nothing
// the table prices (or a value is unknown to the table).
func Estimate(d *drift.Drift) (*Impact, bool) {
	if d.Provider() != "" && d.Provider() != "aws" {
		return nil, false
	}
	var im *Impact
	var ok bool
	switch d.ResourceType {
	case "aws_instance":
		im, ok = estimateHourly(d, EC2, "instance_type")
	case "aws_db_instance":
		im, ok = estimateHourly(d, RDS, "instance_class")
	case "aws_ebs_volume":
		im, ok = estimateVolume(d)
	}
	if !ok {
		return nil, false
	}
	im.ResourceType = d.ResourceType
	im.Currency = "USD"
	im.Basis = fmt.Sprintf("on-demand list prices, %s, %s; %d hours a month", TableRegion, TableDate, HoursPerMonth)
	if r := d.Region(); r != "" && r != TableRegion {
		im.Assumptions = append(im.Assumptions, fmt.Sprintf("priced at %s rates; %s prices differ", TableRegion, r))
	}
	im.BeforeMonthly, im.AfterMonthly = round2(im.rawBefore), round2(im.rawAfter)
	im.DeltaMonthly = round2(im.rawAfter - im.rawBefore)
	if im.rawBefore > 0 {
		im.Percent = round2((im.rawAfter - im.rawBefore) / im.rawBefore * 100)
	}
	return im, true
}

// estimateHourly prices an instance or database class change.
func estimateHourly(d *drift.Drift, service, attr string) (*Impact, bool) {
	ac, ok := d.Changes[attr]
	if !ok || ac.Unknown {
		return nil, false
	}
	im := &Impact{Attribute: attr}
	if d.ChangeType != drift.Created {
		before, ok := text(ac.Expected)
		if !ok {
			return nil, false
		}
		if im.BeforeHourly, ok = Price(service, before); !ok {
			return nil, false
		}
		im.Before = before
	}
	if d.ChangeType != drift.Deleted {
		after, ok := text(ac.Actual)
		if !ok {
			return nil, false
		}
		if im.AfterHourly, ok = Price(service, after); !ok {
			return nil, false
		}
		im.After = after
	}
	im.rawBefore = im.BeforeHourly * HoursPerMonth
	im.rawAfter = im.AfterHourly * HoursPerMonth
	return im, true
}

// estimateVolume prices an EBS size and/or type change. A size-only change
// needs the type, which the drift does not carry: it is assumed gp3.
func estimateVolume(d *drift.Drift) (*Impact, bool) {
	sc, sizeChanged := d.Changes["size"]
	tc, typeChanged := d.Changes["type"]
	if !sizeChanged || sc.Unknown || typeChanged && tc.Unknown || d.ChangeType != drift.Modified {
		// A type-only change cannot be priced without the size.
		return nil, false
	}
	beforeGB, ok1 := number(sc.Expected)
	afterGB, ok2 := number(sc.Actual)
	if !ok1 || !ok2 || beforeGB < 0 || afterGB < 0 {
		return nil, false
	}
	im := &Impact{Attribute: "size"}
	beforeType, afterType := defaultVolumeType, defaultVolumeType
	if typeChanged {
		var ok1, ok2 bool
		beforeType, ok1 = text(tc.Expected)
		afterType, ok2 = text(tc.Actual)
		if !ok1 || !ok2 {
			return nil, false
		}
		im.Attribute = "size,type"
	} else {
		im.Assumptions = append(im.Assumptions, "volume type is not part of the drift; priced as "+defaultVolumeType)
	}
	bp, ok1 := Price(EBS, beforeType)
	ap, ok2 := Price(EBS, afterType)
	if !ok1 || !ok2 {
		return nil, false
	}
	im.Before = fmt.Sprintf("%s GB %s", fmtNum(beforeGB), beforeType)
	im.After = fmt.Sprintf("%s GB %s", fmtNum(afterGB), afterType)
	im.rawBefore = beforeGB * bp
	im.rawAfter = afterGB * ap
	return im, true
}

func text(v any) (string, bool) {
	s, ok := v.(string)
	s = strings.TrimSpace(s)
	return s, ok && s != ""
}

// number reads a size as the detector may carry it: a JSON number, an
// integer, or a numeric string (state stores some numbers as strings).
func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, !math.IsNaN(t) && !math.IsInf(t, 0)
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// String is the one-line summary: "+$1,113.69/month (+14,669%)".
func (im *Impact) String() string {
	if im == nil {
		return ""
	}
	s := signedUSD(im.DeltaMonthly) + "/month"
	if im.BeforeMonthly > 0 {
		s += " (" + signedPercent(im.Percent) + ")"
	}
	return s
}

// Lines are the human lines of the cost alert:
//
//	Before: $7.59/month ($0.0104/hr)
//	After:  $1,121.28/month ($1.536/hr)
//	Change: +$1,113.69/month (+14,669%)
func (im *Impact) Lines() []string {
	if im == nil {
		return nil
	}
	side := func(label, what string, monthly, hourly float64) string {
		s := fmt.Sprintf("%s %s/month", label, USD(monthly))
		if hourly > 0 {
			s += fmt.Sprintf(" (%s/hr)", "$"+strconv.FormatFloat(hourly, 'f', -1, 64))
		}
		if what != "" {
			s += " — " + what
		}
		return s
	}
	return []string{
		side("Before:", im.Before, im.BeforeMonthly, im.BeforeHourly),
		side("After: ", im.After, im.AfterMonthly, im.AfterHourly),
		"Change: " + im.String(),
	}
}

// USD formats an amount with thousands separators: $1,121.28.
func USD(f float64) string {
	neg := f < 0
	s := strconv.FormatFloat(math.Abs(f), 'f', 2, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	out := "$" + thousands(intPart) + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

func signedUSD(f float64) string {
	if f >= 0 {
		return "+" + USD(f)
	}
	return USD(f)
}

func signedPercent(p float64) string {
	s := strconv.FormatFloat(math.Abs(p), 'f', 0, 64)
	if math.Abs(p) < 10 {
		s = strconv.FormatFloat(math.Abs(p), 'f', 1, 64)
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	out := thousands(intPart)
	if hasFrac {
		out += "." + frac
	}
	if p < 0 {
		return "-" + out + "%"
	}
	return "+" + out + "%"
}

// thousands puts commas between groups of three digits.
func thousands(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
