package ui

import (
	"warroom/sources"
	"warroom/ui/pane"
)

// slot holds one pane of the layout. The pane kinds are different types
// with the same shape; the switch here is the one place that knows them
// all, so the root model can treat panes uniformly.
type slot struct {
	cfg   PaneConfig
	kind  string
	key   bool // shows one of the four key indicators
	stat  pane.Stat
	chart pane.Chart
	top   pane.Top
	log   pane.Log
	tl    pane.Timeline
}

func newSlot(c PaneConfig, o pane.Options, keyNames map[string]bool) slot {
	s := slot{cfg: c, kind: c.Kind}
	switch c.Kind {
	case KindStat:
		s.stat = pane.NewStat(c.Indicator, o)
		s.key = keyNames[c.Indicator]
	case KindChart:
		names := c.Indicators
		if c.Indicator != "" {
			names = []string{c.Indicator}
		}
		s.chart = pane.NewChart(names, o)
		for _, n := range names {
			s.key = s.key || keyNames[n]
		}
	case KindTop:
		s.top = pane.NewTop(c.Table, o)
	case KindLog:
		s.log = pane.NewLog(c.Source, o)
	case KindTimeline:
		s.tl = pane.NewTimeline(o)
	}
	return s
}

// focusable is false for the header and status bar.
func (s *slot) focusable() bool { return s.kind != KindHeader && s.kind != KindStatus }

// item describes the slot to the arranger: minimum size, importance.
func (s *slot) item(i, weight int) item {
	it := item{slot: i, weight: max(weight, 1)}
	switch s.kind {
	case KindStat:
		it.minW, it.minH, it.maxH, it.prio = 14, 4, 5, 42
		if s.key {
			it.prio = prioKey
		}
	case KindChart:
		it.minW, it.minH, it.prio = 30, 7, 40
		if s.key {
			it.prio = 50
		}
	case KindLog, KindTimeline:
		it.minW, it.minH, it.prio = 30, 5, 45
	case KindTop:
		it.minW, it.minH, it.prio = 28, 5, 30
	}
	return it
}

func (s *slot) setSize(w, h int) {
	switch s.kind {
	case KindStat:
		s.stat.SetSize(w, h)
	case KindChart:
		s.chart.SetSize(w, h)
	case KindTop:
		s.top.SetSize(w, h)
	case KindLog:
		s.log.SetSize(w, h)
	case KindTimeline:
		s.tl.SetSize(w, h)
	}
}

func (s *slot) setFocus(f bool) {
	switch s.kind {
	case KindStat:
		if f {
			s.stat.Focus()
		} else {
			s.stat.Blur()
		}
	case KindChart:
		if f {
			s.chart.Focus()
		} else {
			s.chart.Blur()
		}
	case KindTop:
		if f {
			s.top.Focus()
		} else {
			s.top.Blur()
		}
	case KindLog:
		if f {
			s.log.Focus()
		} else {
			s.log.Blur()
		}
	case KindTimeline:
		if f {
			s.tl.Focus()
		} else {
			s.tl.Blur()
		}
	}
}

func (s *slot) setStyles(st *pane.Styles) {
	switch s.kind {
	case KindStat:
		s.stat.SetStyles(st)
	case KindChart:
		s.chart.SetStyles(st)
	case KindTop:
		s.top.SetStyles(st)
	case KindLog:
		s.log.SetStyles(st)
	case KindTimeline:
		s.tl.SetStyles(st)
	}
}

func (s *slot) setSnapshot(snap *sources.Snapshot) {
	msg := pane.SnapshotMsg{Snapshot: snap}
	switch s.kind {
	case KindStat:
		s.stat, _ = s.stat.Update(msg)
	case KindChart:
		s.chart, _ = s.chart.Update(msg)
	case KindTop:
		s.top, _ = s.top.Update(msg)
	case KindLog:
		s.log, _ = s.log.Update(msg)
	case KindTimeline:
		s.tl, _ = s.tl.Update(msg)
	}
}

func (s *slot) view() string {
	switch s.kind {
	case KindStat:
		return s.stat.View()
	case KindChart:
		return s.chart.View()
	case KindTop:
		return s.top.View()
	case KindLog:
		return s.log.View()
	case KindTimeline:
		return s.tl.View()
	}
	return ""
}
