package naivejson

import "testing"

func TestDecode(t *testing.T) {
	lines := [][]byte{
		[]byte(`{"eventName":"RunInstances","eventTime":"2025-01-20T14:32:15Z","readOnly":false,"userIdentity":{"type":"IAMUser","userName":"ana"},"requestParameters":{"a":1}}`),
		[]byte(`{"eventName":"DescribeInstances","eventTime":"2025-01-20T14:32:16Z","readOnly":true}`),
	}
	var got []string
	if err := Decode(lines, func(r *CloudTrail) {
		got = append(got, r.EventName+"/"+r.UserIdentity.UserName+"/"+string(r.RequestParameters))
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != `RunInstances/ana/{"a":1}` || got[1] != "DescribeInstances//" {
		t.Errorf("decoded %q", got)
	}
	if err := Decode([][]byte{[]byte(`{"eventTime":"yesterday"}`)}, func(*CloudTrail) {}); err == nil {
		t.Error("a bad eventTime decoded")
	}
}
