package catalog

import (
	"sort"
	"strings"
	"testing"
)

// sourcedTables are the tables whose cases must name where their record's
// shape comes from: every table added since issue 13 asked for sources.
// A guessed shape is worse than a missing entry, so a case without a
// source fails here.
var sourcedTables = [][]Entry{
	logsEntries, secretsEntries, ssmEntries, ecrEntries,
	monitoringEntries, eventsEntries, statesEntries, acmEntries,
	wafv2Entries, orgsEntries, backupEntries, efsEntries, cloudtrailEntries, configEntries, guarddutyEntries,
	iamIdentityEntries, autoscalingEntries, elasticacheEntries, redshiftEntries, esEntries,
	kinesisEntries, codebuildEntries, athenaEntries, securityServiceEntries,
	gcpLoggingEntries, gcpDNSEntries, gcpKMSEntries, gcpPubSubEntries, gcpSecretManagerEntries,
	gcpRunEntries, gcpFunctionsEntries, gcpContainerEntries, gcpSQLEntries, gcpRouteEntries, gcpAPIEntries,
}

// sourcedEvents are entries added to older tables since then.
var sourcedEvents = map[string]bool{"storage.setIamPermissions": true}

func TestNewCasesNameTheirSource(t *testing.T) {
	sourced := map[*Entry]bool{}
	for _, tbl := range sourcedTables {
		for i := range tbl {
			sourced[&tbl[i]] = true
		}
	}
	cat := Default()
	for _, e := range cat.Entries() {
		if sourcedEvents[e.Event] {
			sourced[e] = true
		}
	}
	cases := loadCases(t)
	files := make([]string, 0, len(cases))
	for f := range cases {
		files = append(files, f)
	}
	sort.Strings(files)
	proven := map[*Entry]bool{}
	for _, f := range files {
		c := cases[f]
		ch := changeFromRecord(t, c.Record)
		e := cat.LookupService(ch.Provider, ch.Service, ch.EventName)
		if e == nil || !sourced[e] {
			continue
		}
		if strings.TrimSpace(c.Source) == "" {
			t.Errorf("%s: the case names no source for its record's shape", f)
			continue
		}
		proven[e] = true
	}
	for e := range sourced {
		if !proven[e] {
			t.Errorf("%s %s: no sourced case", e.Provider, e.Event)
		}
	}
}
