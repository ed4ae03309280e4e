package cost

import "testing"

func TestParseTableRejects(t *testing.T) {
	for name, src := range map[string]string{
		"columns":   "ec2,t3.micro,0.0104",
		"price":     "ec2,t3.micro,free,hour",
		"zero":      "ec2,t3.micro,0,hour",
		"unit":      "ebs,gp3,0.08,hour",
		"duplicate": "ec2,t3.micro,0.0104,hour\nec2,t3.micro,0.0104,hour",
	} {
		if _, err := parseTable(src); err == nil {
			t.Errorf("%s: parseTable(%q) accepted it", name, src)
		}
	}
	if _, err := parseTable(pricesCSV); err != nil {
		t.Errorf("embedded table: %v", err)
	}
}
