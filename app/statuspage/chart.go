package statuspage

import (
	"strconv"
	"time"
)

// chartDays is how far back the drifts-per-day chart reaches, today
// included.
const chartDays = 30

// Geometry of the chart, in SVG user units. The bars share the width; the
// tallest bar is barMax high.
const (
	chartWidth  = 620
	chartHeight = 150
	chartLeft   = 30 // room for the y labels
	chartTop    = 10
	chartBottom = 20 // room for the x labels
	barMax      = chartHeight - chartTop - chartBottom
	barSlot     = (chartWidth - chartLeft) / chartDays
	barWidth    = barSlot - 4
)

// chartView is the server-rendered SVG: every coordinate is computed here,
// the template only writes numbers and escaped text.
type chartView struct {
	Width, Height int
	Days          []dayBar
	Total         int
	Max           int
	// Counted is how many records were read; Truncated says the read
	// stopped at the limit before reaching the start of the window.
	Counted   int
	Truncated bool
	From, To  string
	// Baseline and YMaxLabel place the axis and its top label.
	BaselineY, LabelX, YMaxY, XLabelY int
	Summary                           string
}

type dayBar struct {
	Date   string // 2006-01-02
	Label  string // "Mar 14"
	Count  int
	Title  string // the accessible text: "2026-03-14: 3 drifts"
	X, Y   int
	W, H   int
	ShowX  bool // an x label under this bar: today and every seventh day before
	LabelX int
}

// dayCounts is per-day counts over the window ending today (UTC).
type dayCounts struct {
	start  time.Time // 00:00 UTC of the first day
	counts [chartDays]int
}

func newDayCounts(now time.Time) *dayCounts {
	today := now.UTC().Truncate(24 * time.Hour)
	return &dayCounts{start: today.AddDate(0, 0, -(chartDays - 1))}
}

// add counts one drift first seen at t; times outside the window are
// ignored.
func (d *dayCounts) add(t time.Time) {
	if t.Before(d.start) {
		return
	}
	i := int(t.Sub(d.start) / (24 * time.Hour))
	if i < chartDays {
		d.counts[i]++
	}
}

func (d *dayCounts) view(counted int, truncated bool) chartView {
	c := chartView{Width: chartWidth, Height: chartHeight, Counted: counted, Truncated: truncated,
		BaselineY: chartHeight - chartBottom, LabelX: chartLeft - 4, YMaxY: chartTop + 8, XLabelY: chartHeight - 6}
	for _, n := range d.counts {
		c.Total += n
		c.Max = max(c.Max, n)
	}
	for i, n := range d.counts {
		day := d.start.AddDate(0, 0, i)
		h := 0
		if c.Max > 0 {
			h = (n*barMax + c.Max - 1) / c.Max // a day with one drift is never 0 high
		}
		x := chartLeft + i*barSlot + 2
		c.Days = append(c.Days, dayBar{
			Date: day.Format(time.DateOnly), Label: day.Format("Jan 2"), Count: n,
			Title: day.Format(time.DateOnly) + ": " + plural(n, "drift"),
			X:     x, Y: chartHeight - chartBottom - h, W: barWidth, H: h,
			ShowX: (chartDays-1-i)%7 == 0, LabelX: x + barWidth/2,
		})
	}
	c.From, c.To = c.Days[0].Date, c.Days[chartDays-1].Date
	c.Summary = plural(c.Total, "drift") + " first detected from " + c.From + " to " + c.To
	return c
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
