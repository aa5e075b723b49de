package hubreport

import (
	"strings"
	"testing"
	"time"

	"postdesk/internal/calendar"
	"postdesk/internal/domain"
)

// TestProvinceQualityUsesTheCalendar: the hub counts "handed over within
// one working day" on the official calendar, and a year file installed
// beside its database (as a supervisor or, later, the province does) is
// read: with every weekend day of March 2026 made a working day (make-up
// days), a dossier taken in on a Friday and handed over on the Monday is
// now late.
func TestProvinceQualityUsesTheCalendar(t *testing.T) {
	fx := newProvince(t)
	march := domain.MonthPeriod(2026, time.March)
	before, err := Quality(ctx, fx.hub, march)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("year 2026\ntet 16/02/2026 17/02/2026 18/02/2026 19/02/2026 20/02/2026\nnational-day 01/09/2026\n")
	for d := march.From; !d.After(march.To); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			b.WriteString("work " + domain.FormatDate(d) + " test\n")
		}
	}
	if _, err := calendar.Install(fx.hub.CalendarDir(), []byte(b.String())); err != nil {
		t.Fatal(err)
	}
	after, err := Quality(ctx, fx.hub, march)
	if err != nil {
		t.Fatal(err)
	}
	bs, as := before.Total.HandedOverIn1Day, after.Total.HandedOverIn1Day
	if bs.Den == 0 || as.Num >= bs.Num {
		t.Errorf("handed over within a working day: %+v with the shipped calendar, %+v with March's weekends worked — the file was not used", bs, as)
	}
}
