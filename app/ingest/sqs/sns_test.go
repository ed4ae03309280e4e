package sqs

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnwrapSNS(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wrapped bool
	}{
		{"notification", snsWrapped(eventBridgeBody), eventBridgeBody, true},
		{"eventbridge", eventBridgeBody, eventBridgeBody, false},
		{"raw delivery of a text", "hello Notification", "hello Notification", false},
		{"subscription confirmation", `{"Type":"SubscriptionConfirmation","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"You have chosen to subscribe"}`, `{"Type":"SubscriptionConfirmation","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"You have chosen to subscribe"}`, false},
		{"no topic", `{"Type":"Notification","Message":"x"}`, `{"Type":"Notification","Message":"x"}`, false},
		{"message not a string", `{"Type":"Notification","TopicArn":"a","Message":{"x":1}}`, `{"Type":"Notification","TopicArn":"a","Message":{"x":1}}`, false},
		{"empty message", `{"Type":"Notification","TopicArn":"a","Message":""}`, ``, true},
		{"broken JSON", `{"Type":"Notification",`, `{"Type":"Notification",`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, wrapped := unwrapSNS([]byte(tc.in))
			if diff := cmp.Diff(tc.want, string(got)); diff != "" || wrapped != tc.wrapped {
				t.Errorf("wrapped %v, want %v; body (-want +got):\n%s", wrapped, tc.wrapped, diff)
			}
		})
	}
}

func FuzzUnwrapSNS(f *testing.F) {
	f.Add([]byte(snsWrapped(eventBridgeBody)))
	f.Add([]byte(eventBridgeBody))
	f.Add([]byte(`{"Type":"Notification","TopicArn":"a","Message":"\u00e9\n"}`))
	f.Add([]byte(`"Notification"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, wrapped := unwrapSNS(b)
		if !wrapped {
			if string(got) != string(b) {
				t.Fatalf("not wrapped, but the body changed: %q → %q", b, got)
			}
			return
		}
		// Wrapping the result again and unwrapping gives it back.
		msg, _ := json.Marshal(string(got))
		again, ok := unwrapSNS([]byte(`{"Type":"Notification","TopicArn":"t","Message":` + string(msg) + `}`))
		if !ok || string(again) != string(got) {
			t.Fatalf("round trip of %q failed: %q", got, again)
		}
	})
}

func TestSQSSafe(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 100, "plain"},
		{"tab\tnew\nline\r", 100, "tab\tnew\nline\r"},
		{"nul\x00bell\x07", 100, "nul?bell?"},
		{"éé", 3, "é"},
		{"abc", 2, "ab"},
	}
	for _, tc := range tests {
		if got := sqsSafe(tc.in, tc.max); got != tc.want {
			t.Errorf("sqsSafe(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}
